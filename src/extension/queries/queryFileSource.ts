/**
 * One JSON file of saved queries (Workspace: `.vscode/cmu-queries.json`; User: in the extension's global
 * storage). Every change re-reads the file, applies the change to that fresh model and writes it back
 * atomically (temp file + rename in the same folder). A file that does not parse or validate is never
 * written: the change fails with the line of the problem. A file watcher follows outside edits from the
 * first operation on, started a turn after it and before it reads the file (made in the constructor it was
 * 8–18 ms of activation in CPU profiles; an edit before it started is in that read).
 */
import * as vscode from 'vscode';
import * as fs from 'fs';
import { InputError } from '../../core/errors';
import type { FileProblem, QueryFileModel } from '../../core/cmu/savedQueries';
import { WORKSPACE_QUERY_FILE } from '../../core/cmu/savedQueries/types';
import { writeFileAtomic } from './atomicWrite';

export type WritableGroup = 'workspace' | 'user';

/** The file's parser and model (with jsonc-parser): loaded by the first read, which starts after activation. */
const fileModel = () => import('../../core/cmu/savedQueries');

/** What the views and commands read from a file's model; a change goes through mutate(). */
export type QueryFileView = Pick<QueryFileModel, 'has' | 'get' | 'list' | 'folders' | 'inFolder'>;

/** Before the first read: what an empty or missing file holds (no queries, no folders, no problems). */
const NOT_READ: { valid: boolean; model: QueryFileView; problems: FileProblem[] } = {
  valid: true,
  model: { has: () => false, get: () => undefined, list: () => [], folders: () => [], inFolder: () => [] },
  problems: [],
};

function isEnoent(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { code?: string }).code === 'ENOENT';
}

/** One JSON file of saved queries. */
export class QueryFileSource implements vscode.Disposable {
  private state: { text: string; exists: boolean; valid: boolean; model: QueryFileView; problems: FileProblem[] };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private reloadTimer?: ReturnType<typeof setTimeout>;
  /** the watcher was asked for (by the first operation) */
  private watching = false;
  private disposed = false;

  constructor(
    readonly group: WritableGroup,
    /** undefined: no place for this group (no folder open) */
    readonly file: string | undefined,
    private readonly newId: () => string,
    private readonly watchBase?: vscode.Uri,
    private readonly watchPattern?: string,
  ) {
    this.state = { text: '', exists: false, ...NOT_READ };
  }

  /** Follows outside edits of the file (from the first operation on). */
  private watch(): void {
    if (this.disposed || !this.file || !this.watchBase || !this.watchPattern) return;
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.watchBase, this.watchPattern));
    const later = () => this.scheduleReload();
    this.disposables.push(w, w.onDidChange(later), w.onDidCreate(later), w.onDidDelete(later));
  }

  get available(): boolean {
    return !!this.file;
  }
  get uri(): vscode.Uri | undefined {
    return this.file ? vscode.Uri.file(this.file) : undefined;
  }
  get valid(): boolean {
    return this.state.valid;
  }
  get exists(): boolean {
    return this.state.exists;
  }
  get problems(): FileProblem[] {
    return this.state.problems;
  }
  get model(): QueryFileView {
    return this.state.model;
  }
  get text(): string {
    return this.state.text;
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      void this.reload();
    }, 50);
  }

  private async readText(): Promise<{ text: string; exists: boolean }> {
    if (!this.file) return { text: '', exists: false };
    try {
      return { text: await fs.promises.readFile(this.file, 'utf8'), exists: true };
    } catch (e) {
      if (isEnoent(e)) return { text: '', exists: false };
      throw e;
    }
  }

  /** Re-reads the file; fires onDidChange when what it holds changed. */
  async reload(): Promise<void> {
    await this.enqueue(async () => {
      const { text, exists } = await this.readText();
      if (text === this.state.text && exists === this.state.exists) return;
      const { parseQueryFile } = await fileModel();
      this.state = { text, exists, ...parseQueryFile(text, this.newId) };
      this.emitter.fire();
    });
  }

  /**
   * Applies a change to the file as it is on disk now and writes it atomically. Refuses (InputError)
   * when the file is invalid: it is never overwritten.
   */
  mutate<T>(change: (model: QueryFileModel) => T): Promise<T> {
    return this.enqueue(async () => {
      const { text, model } = await this.freshValid();
      const result = change(model);
      const out = model.serialize(text);
      if (out !== text) await writeFileAtomic(this.file!, out);
      this.state = { text: out, exists: true, valid: true, model, problems: [] };
      this.emitter.fire();
      return result;
    });
  }

  /** Like mutate, on a throw-away copy of the file as it is now: nothing is written. */
  read<T>(look: (model: QueryFileModel) => T): Promise<T> {
    return this.enqueue(async () => look((await this.freshValid()).model));
  }

  private async freshValid(): Promise<{ text: string; model: QueryFileModel }> {
    if (!this.file) {
      throw new InputError(
        'No workspace folder is open',
        'Workspace queries live in .vscode/cmu-queries.json inside the workspace: open a folder, or save to the User group.',
        'none',
        'no_workspace',
      );
    }
    const { text, exists } = await this.readText();
    const { parseQueryFile, formatProblems } = await fileModel();
    const parsed = parseQueryFile(text, this.newId);
    if (text !== this.state.text || exists !== this.state.exists) {
      this.state = { text, exists, ...parseQueryFile(text, this.newId) };
      this.emitter.fire();
    }
    if (!parsed.valid) {
      const first = parsed.problems.find((p) => p.severity === 'error')!;
      throw new InputError(
        `${this.label} has a problem at line ${first.line}: ${first.message}`,
        `The file was left as it is. Fix it (Edit as JSON) and try again.\n${formatProblems(parsed.problems, this.displayPath)}`,
        'none',
        'invalid_file',
      );
    }
    return { text, model: parsed.model };
  }

  get label(): string {
    return this.group === 'workspace' ? WORKSPACE_QUERY_FILE : 'The User queries file';
  }
  get displayPath(): string {
    return this.group === 'workspace' ? WORKSPACE_QUERY_FILE : (this.file ?? 'cmu-queries.json');
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (!this.watching) {
      // the first operation (a read, during activation) starts the watcher a turn later, before the file is read
      this.watching = true;
      this.queue = this.queue.then(() => new Promise((resolve) => setImmediate(resolve))).then(() => this.watch());
    }
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    this.disposed = true;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.disposables.forEach((d) => d.dispose());
    this.emitter.dispose();
  }
}

