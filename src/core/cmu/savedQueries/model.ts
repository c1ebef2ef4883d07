/** The queries file in memory: entries, folders and their order, unknown fields kept through a round trip. */
import { parseTree } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import { InputError } from '../../errors';
import { cloneQuery } from '../query/model';
import type { CmuQuery } from '../types';
import { randomId } from './ids';
import { detectIndent, spliceRoot, stringify } from './serialize';
import { BOM, PARSE_OPTIONS, QUERY_FILE_VERSION, isObj, stripBom } from './types';
import type { DetachedEntry, Entry, Json, JsonObject, SavedQuery } from './types';
import { ID_PATTERN, checkName, normFolder, sanitizeQuery } from './values';

export class QueryFileModel {
  private entries: Entry[] = [];
  private folderList: string[] = [];
  private rawRoot: JsonObject = {};

  constructor(private readonly newId: () => string = randomId) {}

  list(): SavedQuery[] {
    return this.entries.map((e) => copySaved(e.saved));
  }
  get(id: string): SavedQuery | undefined {
    const e = this.find(id);
    return e && copySaved(e.saved);
  }
  has(id: string): boolean {
    return !!this.find(id);
  }
  get size(): number {
    return this.entries.length;
  }

  /** Explicit folders first (their order), then folders only named by entries (first use). */
  folders(): string[] {
    const out = [...this.folderList];
    for (const e of this.entries) if (e.saved.folder !== undefined && !out.includes(e.saved.folder)) out.push(e.saved.folder);
    return out;
  }
  /** Entries of one folder (undefined: top level), in order. */
  inFolder(folder: string | undefined): SavedQuery[] {
    return this.entries.filter((e) => e.saved.folder === folder).map((e) => copySaved(e.saved));
  }

  /**
   * Adds a query. `id` is kept when given and free (else a new one); `index` is the position inside
   * the folder (default: last). Throws InputError for invalid names/queries or secrets/hosts.
   */
  add(input: { name: string; query: unknown; folder?: string | null; id?: string }, index?: number): SavedQuery {
    const name = checkName(input.name);
    const folder = normFolder(input.folder);
    const { query } = sanitizeQuery(input.query);
    const id = input.id && ID_PATTERN.test(input.id) && !this.find(input.id) ? input.id : this.freshId();
    const entry: Entry = { saved: { id, name, folder, query }, raw: {} };
    this.insert(entry, folder, index);
    return copySaved(entry.saved);
  }

  update(id: string, patch: { name?: string; query?: unknown }): SavedQuery {
    const e = this.mustFind(id);
    if (patch.name !== undefined) e.saved.name = checkName(patch.name);
    if (patch.query !== undefined) e.saved.query = sanitizeQuery(patch.query).query;
    return copySaved(e.saved);
  }

  rename(id: string, name: string): SavedQuery {
    return this.update(id, { name });
  }

  remove(id: string): DetachedEntry {
    const e = this.mustFind(id);
    this.entries.splice(this.entries.indexOf(e), 1);
    return { saved: copySaved(e.saved), raw: structuredClone(e.raw) };
  }

  /** Puts an entry taken from another model (or this one) into a folder at an index; keeps unknown fields. */
  put(d: DetachedEntry, folder: string | null | undefined, index?: number): SavedQuery {
    const f = normFolder(folder);
    const id = this.find(d.saved.id) ? this.freshId() : d.saved.id;
    const entry: Entry = { saved: { ...copySaved(d.saved), id, folder: f }, raw: structuredClone(d.raw) };
    this.insert(entry, f, index);
    return copySaved(entry.saved);
  }

  /** Moves within this file: to a folder (undefined: top level) at an index inside that folder (default: last). */
  move(id: string, folder: string | null | undefined, index?: number): SavedQuery {
    const f = normFolder(folder);
    const e = this.mustFind(id);
    this.entries.splice(this.entries.indexOf(e), 1);
    e.saved.folder = f;
    this.insert(e, f, index);
    return copySaved(e.saved);
  }

  addFolder(name: string): string {
    const n = checkName(name, 'A folder name');
    if (!this.folders().includes(n)) this.folderList.push(n);
    else if (!this.folderList.includes(n)) this.folderList = this.folders();
    return n;
  }
  renameFolder(from: string, to: string): void {
    const n = checkName(to, 'A folder name');
    if (!this.folders().includes(from)) throw new InputError(`No folder "${from}"`, 'Refresh the view and try again.', 'none', 'not_found');
    if (from !== n && this.folders().includes(n)) throw new InputError(`A folder "${n}" already exists`, 'Pick another name, or move the queries.', 'none', 'exists');
    this.folderList = this.folders().map((f) => (f === from ? n : f));
    for (const e of this.entries) if (e.saved.folder === from) e.saved.folder = n;
  }
  /** Removes a folder; its queries go to the top level (or are deleted with `deleteQueries`). */
  removeFolder(name: string, deleteQueries = false): void {
    this.folderList = this.folders().filter((f) => f !== name);
    if (deleteQueries) this.entries = this.entries.filter((e) => e.saved.folder !== name);
    else for (const e of this.entries) if (e.saved.folder === name) e.saved.folder = undefined;
  }
  /** Moves a folder to a position among the folders. */
  moveFolder(name: string, index: number): void {
    const list = this.folders().filter((f) => f !== name);
    list.splice(Math.max(0, Math.min(index, list.length)), 0, name);
    this.folderList = list;
  }

  /** The file content as a JSON value (unknown fields included). */
  toJSON(): JsonObject {
    const root: JsonObject = { ...this.rawRoot };
    root.version = typeof this.rawRoot.version === 'number' ? this.rawRoot.version : QUERY_FILE_VERSION;
    const folders = this.folders();
    if (folders.length || 'folders' in this.rawRoot) root.folders = folders;
    root.queries = this.entries.map(entryToJson);
    return root;
  }

  /**
   * The file text. With `previousText` (a valid file), root-level properties this model does not own —
   * and comments outside `queries`/`folders` — are kept as they were.
   */
  serialize(previousText?: string): string {
    if (previousText?.startsWith(BOM)) return BOM + this.serialize(stripBom(previousText));
    const value = this.toJSON();
    const eol = previousText && previousText.includes('\r\n') ? '\r\n' : '\n';
    const indent = detectIndent(previousText);
    if (previousText && previousText.trim()) {
      const errors: ParseError[] = [];
      const tree = parseTree(previousText, errors, PARSE_OPTIONS);
      if (tree && tree.type === 'object' && errors.length === 0) {
        return spliceRoot(previousText, value, indent, eol);
      }
    }
    return stringify(value, indent, eol) + eol;
  }

  // -- internals used by parseQueryFile
  /** @internal */
  _load(root: JsonObject, entries: Entry[], folders: string[]): void {
    this.rawRoot = root;
    this.entries = entries;
    this.folderList = folders;
  }

  private freshId(): string {
    for (;;) {
      const id = this.newId();
      if (!this.find(id)) return id;
    }
  }
  private find(id: string): Entry | undefined {
    return this.entries.find((e) => e.saved.id === id);
  }
  private mustFind(id: string): Entry {
    const e = this.find(id);
    if (!e) throw new InputError(`No saved query with id "${id}"`, 'It may have been deleted or moved; refresh the Queries view.', 'none', 'not_found');
    return e;
  }
  /** Inserts at `index` among the entries of `folder` (clamped; default last). */
  private insert(entry: Entry, folder: string | undefined, index?: number): void {
    if (folder !== undefined && !this.folders().includes(folder)) this.folderList = [...this.folders(), folder];
    const positions = this.entries.map((e, i) => (e.saved.folder === folder ? i : -1)).filter((i) => i >= 0);
    let at: number;
    if (index === undefined || index >= positions.length) at = positions.length ? positions[positions.length - 1] + 1 : this.entries.length;
    else at = positions[Math.max(0, index)];
    this.entries.splice(at, 0, entry);
  }
}

function copySaved(s: SavedQuery): SavedQuery {
  const out: SavedQuery = { id: s.id, name: s.name, query: cloneQuery(s.query) };
  if (s.folder !== undefined) out.folder = s.folder;
  return out;
}


function entryToJson(e: Entry): JsonObject {
  // a folder given later goes before "query", where a person would write it
  const raw = 'folder' in e.raw || e.saved.folder === undefined ? e.raw : Object.fromEntries(Object.entries(e.raw).flatMap(([k, v]) => (k === 'query' ? [['folder', null], [k, v]] : [[k, v]])));
  const out: JsonObject = { ...raw };
  out.id = e.saved.id;
  out.name = e.saved.name;
  if (e.saved.folder !== undefined) out.folder = e.saved.folder;
  else delete out.folder;
  out.query = queryToJson(e.saved.query, isObj(e.raw.query) ? e.raw.query : {});
  return out;
}

function queryToJson(q: CmuQuery, raw: JsonObject): JsonObject {
  const out: JsonObject = { ...raw };
  out.path = [...q.path];
  const rawFilters = Array.isArray(raw.filters) ? raw.filters.filter(isObj) : [];
  const used = new Set<JsonObject>();
  const set = (k: string, v: Json | undefined, keepEmpty = false) => {
    if (v === undefined || (Array.isArray(v) && v.length === 0 && !keepEmpty && !(k in raw))) delete out[k];
    else out[k] = v;
  };
  set(
    'filters',
    q.filters.map((f) => {
      // keep unknown fields of the filter the entry had for the same dimension and operator
      const match = rawFilters.find((r) => !used.has(r) && r.dimension === f.dimension && r.op === f.op);
      if (match) used.add(match);
      return { ...(match ?? {}), dimension: f.dimension, op: f.op, values: [...f.values] };
    }),
  );
  set('projections', [...q.projections]);
  set('start', q.start);
  set('end', q.end);
  set('window', q.window);
  set('metrics', [...q.metrics]);
  set('limit', q.limit);
  set('format', q.format);
  return out;
}
