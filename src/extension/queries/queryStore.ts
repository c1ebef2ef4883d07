/**
 * The saved queries on disk: the Workspace group (`.vscode/cmu-queries.json` in the first workspace
 * folder, committed with the project) and the User group (`cmu-queries.json` in the extension's global
 * storage, same model), plus the read-only Examples from the catalog.
 *
 * Every change re-reads the file, applies the change to that fresh model and writes it back atomically
 * (temp file + rename in the same folder). A file that does not parse or validate is never written: the
 * change fails with the line of the problem, the tree shows the problem, and a diagnostic marks it.
 * A file watcher follows edits made outside the extension.
 */
import * as vscode from 'vscode';
import * as path from 'path';
import { InputError } from '../../core/errors';
// not the savedQueries index: its parser and model (jsonc-parser) load with the first read of a file (queryFileSource.ts)
import type { SavedQuery } from '../../core/cmu/savedQueries';
import { randomId } from '../../core/cmu/savedQueries/ids';
import { WORKSPACE_QUERY_FILE } from '../../core/cmu/savedQueries/types';
import { checkName, normFolder, sanitizeQuery } from '../../core/cmu/savedQueries/values';
import { presets, type ReportPreset } from '../../core/cmu/catalog';
import { emptyQuery, queryToHref } from '../../core/cmu/query';
import type { CmuQuery } from '../../core/cmu/types';
import { QueryFileSource, type WritableGroup } from './queryFileSource';

export type { WritableGroup };

export type QueryGroup = WritableGroup | 'examples';
export const EXAMPLE_PREFIX = 'example:';
export const EXAMPLE_FOLDERS = ['monthly', 'daily', 'hourly', 'concurrency'] as const;

/** What `cmu.queries.list()` returns for each query. */
export interface QueryListItem {
  id: string;
  name: string;
  group: QueryGroup;
  folder: string | null;
  /** relative CMU href (`/cmu/v2/...`), never a host */
  url: string;
}

export interface FoundQuery {
  group: QueryGroup;
  saved: SavedQuery;
  preset?: ReportPreset;
}

export function exampleQuery(p: ReportPreset): SavedQuery {
  return { id: EXAMPLE_PREFIX + p.id, name: p.name, folder: p.group, query: emptyQuery(p.path) };
}
let exampleList: SavedQuery[] | undefined;
/** The catalog's presets as read-only queries (built on first use, like the catalog's index). */
export function examples(): readonly SavedQuery[] {
  return (exampleList ??= presets().map(exampleQuery));
}

/** The three groups together: what the tree, the drag and drop controller and the commands use. */
export class QueryStore implements vscode.Disposable {
  readonly workspace: QueryFileSource;
  readonly user: QueryFileSource;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('cmu-queries');
  private readonly disposables: vscode.Disposable[] = [];

  constructor(globalStorage: vscode.Uri) {
    const newId = () => this.freshId();
    const folder = vscode.workspace.workspaceFolders?.[0];
    this.workspace = new QueryFileSource(
      'workspace',
      folder && folder.uri.scheme === 'file' ? path.join(folder.uri.fsPath, WORKSPACE_QUERY_FILE) : undefined,
      newId,
      folder?.uri,
      WORKSPACE_QUERY_FILE,
    );
    this.user = new QueryFileSource('user', path.join(globalStorage.fsPath, 'cmu-queries.json'), newId, globalStorage, 'cmu-queries.json');
    for (const s of [this.workspace, this.user]) {
      this.disposables.push(
        s,
        s.onDidChange(() => {
          void this.publishDiagnostics(s);
          this.emitter.fire();
        }),
      );
    }
    this.disposables.push(this.diagnostics, this.emitter);
  }

  async load(): Promise<void> {
    await Promise.all([this.workspace.reload(), this.user.reload()]);
  }

  source(group: WritableGroup): QueryFileSource {
    return group === 'workspace' ? this.workspace : this.user;
  }

  /** A new id not used in either file. */
  freshId(): string {
    for (;;) {
      const id = randomId();
      if (!this.workspace.model.has(id) && !this.user.model.has(id)) return id;
    }
  }

  list(): QueryListItem[] {
    const out: QueryListItem[] = [];
    const add = (group: QueryGroup, s: SavedQuery) =>
      out.push({ id: s.id, name: s.name, group, folder: s.folder ?? null, url: queryToHref(s.query) });
    for (const s of this.workspace.model.list()) add('workspace', s);
    for (const s of this.user.model.list()) add('user', s);
    for (const s of examples()) add('examples', s);
    return out;
  }

  find(id: string): FoundQuery | undefined {
    if (typeof id !== 'string') return undefined;
    if (id.startsWith(EXAMPLE_PREFIX)) {
      const preset = presets().find((p) => EXAMPLE_PREFIX + p.id === id);
      return preset && { group: 'examples', saved: exampleQuery(preset), preset };
    }
    for (const g of ['workspace', 'user'] as const) {
      const saved = this.source(g).model.get(id);
      if (saved) return { group: g, saved };
    }
    return undefined;
  }

  mustFind(id: string): FoundQuery {
    const f = this.find(id);
    if (!f) throw new InputError(`No saved query with id "${id}"`, 'It may have been deleted or moved; cmu.queries.list() shows the ids.', 'none', 'not_found');
    return f;
  }

  private writable(id: string): FoundQuery & { group: WritableGroup } {
    const f = this.mustFind(id);
    if (f.group === 'examples')
      throw new InputError('Examples are read-only', 'Use "Save Example as My Query" to get a copy you can change.', 'none', 'read_only');
    return f as FoundQuery & { group: WritableGroup };
  }

  async save(query: unknown, opts: { name?: string; group?: WritableGroup; folder?: string | null; index?: number } = {}): Promise<{ id: string; stripped: string[] }> {
    const { query: clean, stripped } = sanitizeQuery(query);
    const group = this.checkGroup(opts.group ?? this.defaultGroup());
    const name = checkName(opts.name ?? defaultName(clean));
    const saved = await this.source(group).mutate((m) => m.add({ name, query: clean, folder: opts.folder, id: this.freshId() }, opts.index));
    return { id: saved.id, stripped };
  }

  async update(id: string, patch: { name?: string; query?: CmuQuery }): Promise<SavedQuery> {
    const f = this.writable(id);
    return this.source(f.group).mutate((m) => m.update(id, patch));
  }

  async rename(id: string, name: string): Promise<SavedQuery> {
    return this.update(id, { name: checkName(name) });
  }

  async delete(id: string): Promise<void> {
    const f = this.writable(id);
    await this.source(f.group).mutate((m) => m.remove(id));
  }

  async duplicate(id: string): Promise<{ id: string }> {
    const f = this.mustFind(id);
    const group = f.group === 'examples' ? this.defaultGroup() : f.group;
    const folder = f.group === 'examples' ? undefined : f.saved.folder;
    const index = f.group === 'examples' ? undefined : this.source(f.group).model.inFolder(folder).findIndex((s) => s.id === id) + 1;
    return this.save(f.saved.query, { name: `${f.saved.name} (copy)`, group, folder, index }).then((r) => ({ id: r.id }));
  }

  /**
   * Moves a query to a group (default: its own), a folder (null/'' = top level; default: top level when
   * the group changes, else its folder) at an index inside that folder (default: last). Returns the id,
   * which changes only if the target file already uses it.
   */
  async move(id: string, to: { group?: WritableGroup; folder?: string | null; index?: number } = {}): Promise<{ id: string }> {
    const f = this.writable(id);
    const group = this.checkGroup(to.group ?? f.group);
    const folder = to.folder !== undefined ? normFolder(to.folder) : group === f.group ? f.saved.folder : undefined;
    if (to.index !== undefined && (!Number.isInteger(to.index) || to.index < 0))
      throw new InputError('"index" must be a whole number, 0 or more', 'It is the position inside the folder (0 = first).', 'none', 'bad_index');
    if (group === f.group) {
      await this.source(group).mutate((m) => m.move(id, folder, to.index));
      return { id };
    }
    // between files: write the target first, then remove from the source (a crash in between leaves a
    // copy, never a loss). Unknown fields of the entry travel with it.
    const target = this.source(group);
    const from = this.source(f.group);
    const detached = await from.read((m) => m.remove(id));
    const placed = await target.mutate((m) => m.put(detached, folder, to.index));
    await from.mutate((m) => {
      if (m.has(id)) m.remove(id);
    });
    return { id: placed.id };
  }

  async addFolder(group: WritableGroup, name: string): Promise<string> {
    return this.source(this.checkGroup(group)).mutate((m) => m.addFolder(name));
  }
  async renameFolder(group: WritableGroup, from: string, to: string): Promise<void> {
    await this.source(this.checkGroup(group)).mutate((m) => m.renameFolder(from, to));
  }
  async deleteFolder(group: WritableGroup, name: string, deleteQueries = false): Promise<void> {
    await this.source(this.checkGroup(group)).mutate((m) => m.removeFolder(name, deleteQueries));
  }
  async moveFolder(group: WritableGroup, name: string, index: number): Promise<void> {
    await this.source(this.checkGroup(group)).mutate((m) => m.moveFolder(name, index));
  }

  defaultGroup(): WritableGroup {
    return this.workspace.available ? 'workspace' : 'user';
  }

  private checkGroup(g: unknown): WritableGroup {
    if (g !== 'workspace' && g !== 'user')
      throw new InputError(`Unknown group "${String(g)}"`, 'Queries can be saved to "workspace" or "user"; examples are read-only.', 'none', 'bad_group');
    if (g === 'workspace' && !this.workspace.available)
      throw new InputError('No workspace folder is open', 'Open a folder to share queries through .vscode/cmu-queries.json, or use the User group.', 'none', 'no_workspace');
    return g;
  }

  /** A file's problems as diagnostics (it changes only once read: its parser is loaded by then). */
  private async publishDiagnostics(s: QueryFileSource): Promise<void> {
    if (!s.uri) return;
    const { lineCol } = await import('../../core/cmu/savedQueries/parse');
    const text = s.text.replace(/^\uFEFF/, ''); // problem offsets do not count a byte order mark
    this.diagnostics.set(
      s.uri,
      s.problems.map((p) => {
        const start = new vscode.Position(p.line - 1, p.column - 1);
        const endLc = lineCol(text, p.offset + Math.max(p.length, 1));
        const d = new vscode.Diagnostic(
          new vscode.Range(start, new vscode.Position(endLc.line - 1, endLc.column - 1)),
          p.message,
          p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
        );
        d.source = 'CMU Explorer';
        return d;
      }),
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}


/** A name from the path when none is given: "tenant / year / month". */
export function defaultName(q: CmuQuery): string {
  return q.path.length ? q.path.join(' / ') : 'CMU root';
}
