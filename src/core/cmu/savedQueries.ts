/**
 * The saved-queries file model (`.vscode/cmu-queries.json` in a workspace, and the same shape for the
 * User group in the extension's global storage). Pure: no `vscode`, no file system.
 *
 *   { "version": 1,
 *     "folders": ["Billing"],                      // optional: folder order, empty folders
 *     "queries": [ { "id": "q1x2y3z4", "name": "Monthly by MVPD", "folder": "Billing",
 *                    "query": { "path": ["tenant", "year", "month"], "metrics": ["active-users"], ... } } ] }
 *
 * - The file stores the CmuQuery model (src/core/cmu/types.ts), never URL strings, and never a token,
 *   a secret or a host: such content makes the file invalid (reported with its line), and saving a
 *   query strips `access_token` and refuses absolute URLs.
 * - Parsing keeps positions (jsonc-parser) so every problem has a line and a column; comments and
 *   trailing commas are accepted (VS Code edits `.vscode/*.json` as JSON with comments).
 * - Unknown fields are kept on every level (root, entry, query, filter) through a round trip; root-level
 *   comments and unknown root properties are kept verbatim when serializing over the previous text.
 * - Order: the order of `queries` is the display order; inside a folder the order is that of its entries.
 */
import { parseTree, findNodeAtLocation, getNodeValue, printParseErrorCode, modify, applyEdits } from 'jsonc-parser';
import { WINDOW_SYNTAX, canonicalWindow, windowProblem } from './time/windows';
import type { Node, ParseError, JSONPath } from 'jsonc-parser';
import { InputError } from '../errors';
import { REPORT_FORMATS } from './types';
import type { CmuQuery, CmuFilter, ReportFormat } from './types';

export const QUERY_FILE_VERSION = 1;
/** Workspace-relative location of the shared file. */
export const WORKSPACE_QUERY_FILE = '.vscode/cmu-queries.json';

export interface SavedQuery {
  id: string;
  name: string;
  /** undefined: at the top level of its group */
  folder?: string;
  query: CmuQuery;
}

export interface FileProblem {
  message: string;
  severity: 'error' | 'warning';
  offset: number;
  length: number;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export interface ParsedQueryFile {
  /** false when any problem is an error: the file must then never be overwritten */
  valid: boolean;
  /** best effort: the entries that could be read (empty when the JSON itself is broken) */
  model: QueryFileModel;
  problems: FileProblem[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** An entry lifted out of one file to be put into another (move between groups keeps unknown fields). */
export interface DetachedEntry {
  readonly saved: SavedQuery;
  readonly raw: JsonObject;
}

interface Entry {
  saved: SavedQuery;
  /** the entry as it was read (unknown fields live here); {} for new entries */
  raw: JsonObject;
}

// ---------------------------------------------------------------------------------------------------
// secrets and hosts

/** Property names that hold a credential (compared lower-case, without "-", "_" and spaces). */
export const SECRET_KEYS: readonly string[] = [
  'accesstoken', 'token', 'bearer', 'authorization', 'clientsecret', 'secret', 'password', 'refreshtoken',
  'softwarestatement', 'apikey', 'idtoken',
];
/** Property names that name a host (same comparison). */
export const HOST_KEYS: readonly string[] = ['host', 'hostname', 'origin', 'baseurl', 'cmubase', 'dcrorigin'];
/** Query parameters the URL builder owns: a filter on one of them would collide with it. */
export const RESERVED_PARAMS: readonly string[] = ['start', 'end', 'format', 'limit', 'metrics', 'access_token'];
const SECRET_SET = new Set(SECRET_KEYS);
const HOST_SET = new Set(HOST_KEYS);
const normKey = (k: string) => k.toLowerCase().replace(/[-_\s]/g, '');

export function isSecretName(name: string): boolean {
  return SECRET_SET.has(normKey(name));
}
/** An absolute URL (`scheme://…`) or a protocol-relative one (`//host/…`). */
export function hasHost(value: string): boolean {
  const v = value.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith('//');
}
export function looksLikeSecretValue(value: string): boolean {
  return /^\s*bearer\s+\S/i.test(value) || /^eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*$/.test(value.trim());
}

/**
 * The same name rule as a JSON-schema regex (no flags there): every letter in both cases, "-", "_" and
 * spaces allowed anywhere. media/cmu-queries.schema.json uses it; a unit test keeps the two equal.
 */
export function keyRegexSource(keys: readonly string[]): string {
  const sep = '[-_\\s]*';
  const letter = (c: string) => (/[a-z]/.test(c) ? `[${c.toUpperCase()}${c}]` : c);
  return '(?:' + keys.map((k) => sep + [...k].map(letter).join(sep) + sep).join('|') + ')';
}

interface RawProblem {
  path: JSONPath;
  message: string;
  /** point at the property name instead of its value */
  atKey?: boolean;
  severity?: 'error' | 'warning';
}

/** Walks any JSON value: secret-looking property names or values, host keys, absolute URLs. */
function scanForSecretsAndHosts(value: unknown, path: JSONPath, out: RawProblem[]): void {
  if (typeof value === 'string') {
    if (looksLikeSecretValue(value)) out.push({ path, message: 'This looks like a token. The queries file must never hold a token or a secret: remove it.' });
    else if (hasHost(value)) out.push({ path, message: `An absolute URL with a host (${redactHost(value)}) is not allowed in the queries file: store the query, not the URL (hosts come from the environment settings).` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => scanForSecretsAndHosts(v, [...path, i], out));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (isSecretName(k)) {
        out.push({ path: [...path, k], atKey: true, message: `"${k}" looks like a secret. The queries file must never hold a token or a secret: remove this property.` });
      } else if (HOST_SET.has(normKey(k))) {
        out.push({ path: [...path, k], atKey: true, message: `"${k}" names a host. The queries file holds queries only; hosts come from the environment settings: remove this property.` });
      } else {
        scanForSecretsAndHosts(v, [...path, k], out);
      }
    }
  }
}
function redactHost(v: string): string {
  try {
    return new URL(v.trim().startsWith('//') ? 'https:' + v.trim() : v.trim()).origin;
  } catch {
    return v.slice(0, 40);
  }
}

// ---------------------------------------------------------------------------------------------------
// validation of plain values (the same checks for file content and for queries being saved)

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const ISO_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const EPOCH_MS = /^\d{10,13}$/;
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isIsoTime(s: string): boolean {
  if (EPOCH_MS.test(s)) return true;
  if (!ISO_TIME.test(s)) return false;
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}))?(?::(\d{2}))?(?::(\d{2}))?/.exec(s)!;
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x)));
  if (mo !== undefined && (mo < 1 || mo > 12)) return false;
  if (d !== undefined && (d < 1 || d > 31)) return false;
  if (h !== undefined && h > 23) return false;
  if (mi !== undefined && mi > 59) return false;
  if (se !== undefined && se > 60) return false;
  return true;
}

function checkStringArray(v: unknown, path: JSONPath, what: string, out: RawProblem[], pattern?: RegExp): v is string[] {
  if (!Array.isArray(v)) {
    out.push({ path, message: `${what} must be an array of strings.` });
    return false;
  }
  let ok = true;
  v.forEach((s, i) => {
    if (typeof s !== 'string' || s.length === 0) {
      out.push({ path: [...path, i], message: `${what} must contain non-empty strings.` });
      ok = false;
    } else if (pattern && !pattern.test(s)) {
      out.push({ path: [...path, i], message: `"${s}" is not a valid name here (letters, digits, "-" and "_" only).` });
      ok = false;
    }
  });
  return ok;
}

/** Checks a CmuQuery-shaped value. Paths in problems are relative to `base`. */
function checkQueryValue(q: unknown, base: JSONPath, out: RawProblem[]): boolean {
  const before = out.length;
  if (!q || typeof q !== 'object' || Array.isArray(q)) {
    out.push({ path: base, message: '"query" must be an object with at least a "path" (e.g. {"path": ["tenant", "year", "month"]}).' });
    return false;
  }
  const o = q as Record<string, unknown>;
  if (!('path' in o)) out.push({ path: base, message: 'The query has no "path" (use [] for the root).' });
  else checkStringArray(o.path, [...base, 'path'], '"path"', out, SEGMENT);
  if ('filters' in o) {
    if (!Array.isArray(o.filters)) out.push({ path: [...base, 'filters'], message: '"filters" must be an array of {dimension, op, values}.' });
    else
      o.filters.forEach((f, i) => {
        const fp = [...base, 'filters', i];
        if (!f || typeof f !== 'object' || Array.isArray(f)) {
          out.push({ path: fp, message: 'A filter must be an object {"dimension": "mvpd", "op": "=", "values": ["X"]}.' });
          return;
        }
        const fo = f as Record<string, unknown>;
        if (typeof fo.dimension !== 'string' || !SEGMENT.test(fo.dimension))
          out.push({ path: 'dimension' in fo ? [...fp, 'dimension'] : fp, message: 'A filter needs a "dimension" name (letters, digits, "-" and "_").' });
        else if (isSecretName(fo.dimension))
          out.push({ path: [...fp, 'dimension'], message: `"${fo.dimension}" is a credential, not a dimension: the queries file must never hold a token. Remove this filter.` });
        else if (RESERVED_PARAMS.includes(fo.dimension))
          out.push({ path: [...fp, 'dimension'], message: `"${fo.dimension}" is a query parameter, not a dimension: set it on the query ("${fo.dimension}": …), not as a filter.` });
        if (fo.op !== '=' && fo.op !== '!=') out.push({ path: 'op' in fo ? [...fp, 'op'] : fp, message: 'A filter "op" must be "=" or "!=".' });
        if (!('values' in fo)) out.push({ path: fp, message: 'A filter needs "values" (one value, or several for IN / NOT IN).' });
        else if (checkStringArray(fo.values, [...fp, 'values'], '"values"', out) && (fo.values as string[]).length === 0)
          out.push({ path: [...fp, 'values'], message: 'A filter needs at least one value.' });
      });
  }
  if ('projections' in o && checkStringArray(o.projections, [...base, 'projections'], '"projections"', out, SEGMENT)) {
    (o.projections as string[]).forEach((p, i) => {
      if (isSecretName(p)) out.push({ path: [...base, 'projections', i], message: `"${p}" is a credential, not a dimension: remove it.` });
    });
  }
  if ('metrics' in o) checkStringArray(o.metrics, [...base, 'metrics'], '"metrics"', out, SEGMENT);
  for (const k of ['start', 'end'] as const) {
    if (k in o && o[k] !== undefined) {
      if (typeof o[k] !== 'string' || !isIsoTime(o[k] as string))
        out.push({ path: [...base, k], message: `"${k}" must be an ISO 8601 date/time such as 2024-11 or 2024-11-01T10:00:00Z.` });
    }
  }
  if ('window' in o && o.window !== undefined) {
    const problem = typeof o.window === 'string' ? windowProblem({ path: [], window: o.window, start: o.start as string | undefined, end: o.end as string | undefined }) : `"window" must be text such as ${WINDOW_SYNTAX}`;
    if (problem) out.push({ path: [...base, 'window'], message: problem });
  }
  if ('limit' in o && o.limit !== undefined) {
    if (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1)
      out.push({ path: [...base, 'limit'], message: '"limit" must be a whole number of rows, 1 or more.' });
  }
  if ('format' in o && o.format !== undefined) {
    if (!REPORT_FORMATS.includes(o.format as ReportFormat))
      out.push({ path: [...base, 'format'], message: `"format" must be one of ${REPORT_FORMATS.join(', ')}.` });
  }
  return out.length === before;
}

function toCmuQuery(o: Record<string, unknown>): CmuQuery {
  const q: CmuQuery = {
    path: [...(o.path as string[])],
    filters: ((o.filters as CmuFilter[] | undefined) ?? []).map((f) => ({ dimension: f.dimension, op: f.op, values: [...f.values] })),
    projections: [...((o.projections as string[] | undefined) ?? [])],
    metrics: [...((o.metrics as string[] | undefined) ?? [])],
  };
  if (typeof o.start === 'string') q.start = o.start;
  if (typeof o.end === 'string') q.end = o.end;
  if (typeof o.window === 'string') {
    try {
      q.window = canonicalWindow(o.window);
    } catch {
      /* checked before: an unreadable window is reported, never silently kept */
    }
  }
  if (typeof o.limit === 'number') q.limit = o.limit;
  if (typeof o.format === 'string') q.format = o.format as ReportFormat;
  return q;
}

export function cloneQuery(q: CmuQuery): CmuQuery {
  return toCmuQuery(q as unknown as Record<string, unknown>);
}

/**
 * Makes a query fit to be saved: a deep copy with `access_token` filters/projections removed (reported
 * in `stripped`); throws InputError when it is not a valid CmuQuery, or when any value carries a host
 * or a secret.
 */
export function sanitizeQuery(input: unknown): { query: CmuQuery; stripped: string[] } {
  if (typeof input === 'string') {
    throw new InputError(
      hasHost(input) ? 'A saved query cannot be a URL with a host' : 'A saved query must be a query object, not a string',
      'Saved queries store the query model (path, filters, metrics…), never a URL or a host. Use "New Query from URL" (cmu.queries.importUrl) to turn a URL into a query.',
      'none',
      'bad_query',
    );
  }
  const stripped: string[] = [];
  let value = input as Record<string, unknown>;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    value = { ...value };
    if (Array.isArray(value.filters)) {
      value.filters = (value.filters as unknown[]).filter((f) => {
        const secret = !!f && typeof f === 'object' && typeof (f as CmuFilter).dimension === 'string' && isSecretName((f as CmuFilter).dimension);
        if (secret) stripped.push((f as CmuFilter).dimension);
        return !secret;
      });
    }
    if (Array.isArray(value.projections)) {
      value.projections = (value.projections as unknown[]).filter((p) => {
        const secret = typeof p === 'string' && isSecretName(p);
        if (secret) stripped.push(p as string);
        return !secret;
      });
    }
  }
  const problems: RawProblem[] = [];
  if (checkQueryValue(value, [], problems)) scanForSecretsAndHosts(toCmuQuery(value), [], problems);
  if (problems.length) {
    throw new InputError(
      `Cannot save this query: ${problems[0].message}`,
      problems.map((p) => (p.path.length ? `${p.path.join('.')}: ` : '') + p.message).join('\n'),
      'none',
      'bad_query',
    );
  }
  return { query: toCmuQuery(value), stripped };
}

export function checkName(name: unknown, what = 'A query name'): string {
  if (typeof name !== 'string' || !name.trim()) throw new InputError(`${what} cannot be empty`, 'Give it a short name.', 'none', 'bad_name');
  const n = name.trim();
  if (n.length > 200) throw new InputError(`${what} is too long`, 'Keep it under 200 characters.', 'none', 'bad_name');
  if (hasHost(n) || looksLikeSecretValue(n)) throw new InputError(`${what} cannot hold a URL or a token`, 'Names are shared with the team through the repository.', 'none', 'bad_name');
  return n;
}

/** '' / null / undefined → top level; otherwise a trimmed folder name. */
export function normFolder(folder: unknown): string | undefined {
  if (folder === undefined || folder === null || folder === '') return undefined;
  return checkName(folder, 'A folder name');
}

// ---------------------------------------------------------------------------------------------------
// ids

export function randomId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return 'q' + Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** A readable, stable id for a hand-written entry without one (the same name gives the same id). */
export function slugId(name: string, taken: (id: string) => boolean): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'query';
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}

// ---------------------------------------------------------------------------------------------------
// the model

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

function isObj(v: unknown): v is JsonObject {
  return !!v && typeof v === 'object' && !Array.isArray(v);
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

// ---------------------------------------------------------------------------------------------------
// parsing

const BOM = '\uFEFF';
const stripBom = (text: string) => (text.startsWith(BOM) ? text.slice(1) : text);

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };

export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

const PARSE_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'Invalid symbol',
  InvalidNumberFormat: 'Invalid number',
  PropertyNameExpected: 'Property name expected',
  ValueExpected: 'Value expected',
  ColonExpected: 'Colon expected',
  CommaExpected: 'Comma expected',
  CloseBraceExpected: 'Closing brace "}" expected',
  CloseBracketExpected: 'Closing bracket "]" expected',
  EndOfFileExpected: 'End of file expected',
  InvalidCommentToken: 'Invalid comment',
  UnexpectedEndOfComment: 'Unterminated comment',
  UnexpectedEndOfString: 'Unterminated string',
  UnexpectedEndOfNumber: 'Unexpected end of number',
  InvalidUnicode: 'Invalid unicode escape',
  InvalidEscapeCharacter: 'Invalid escape character',
  InvalidCharacter: 'Invalid character',
};

/**
 * Reads the file text. Never throws: problems come back with line and column. An empty text is an
 * empty, valid file.
 */
export function parseQueryFile(text: string, newId: () => string = randomId): ParsedQueryFile {
  // a byte order mark (Windows editors) is invisible to the user and to VS Code's positions
  text = stripBom(text);
  const model = new QueryFileModel(newId);
  const problems: FileProblem[] = [];
  const problemAt = (offset: number, length: number, message: string, severity: 'error' | 'warning' = 'error') => {
    const { line, column } = lineCol(text, offset);
    problems.push({ message, severity, offset, length, line, column });
  };
  if (!text.trim()) return { valid: true, model, problems };

  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, PARSE_OPTIONS);
  if (errors.length || !tree) {
    for (const e of errors) {
      const code = printParseErrorCode(e.error);
      problemAt(e.offset, e.length, `${PARSE_MESSAGES[code] ?? code} (the file is not valid JSON)`);
    }
    if (!errors.length) problemAt(0, 0, 'The file is not valid JSON');
    return { valid: false, model, problems };
  }
  if (tree.type !== 'object') {
    problemAt(tree.offset, tree.length, 'The file must hold an object: {"version": 1, "queries": [...]}');
    return { valid: false, model, problems };
  }
  const root = getNodeValue(tree) as JsonObject;
  const raw: RawProblem[] = [];

  // secrets and hosts anywhere in the file
  scanForSecretsAndHosts(root, [], raw);

  if ('version' in root && root.version !== QUERY_FILE_VERSION) {
    if (typeof root.version !== 'number' || !Number.isInteger(root.version)) raw.push({ path: ['version'], message: `"version" must be ${QUERY_FILE_VERSION}.` });
    else if (root.version > QUERY_FILE_VERSION)
      raw.push({ path: ['version'], message: `This file was written by a newer CMU Explorer (version ${root.version}); update the extension to edit it.` });
  }
  let folders: string[] = [];
  if ('folders' in root) {
    if (checkStringArray(root.folders, ['folders'], '"folders"', raw)) {
      folders = [];
      (root.folders as string[]).forEach((f, i) => {
        if (folders.includes(f.trim())) raw.push({ path: ['folders', i], message: `Folder "${f}" is listed twice.`, severity: 'warning' });
        else folders.push(f.trim());
      });
    }
  }
  const entries: Entry[] = [];
  const seenIds = new Map<string, number>();
  if (!('queries' in root)) {
    // an object without queries is a valid, empty file
  } else if (!Array.isArray(root.queries)) {
    raw.push({ path: ['queries'], message: '"queries" must be an array.' });
  } else {
    const pendingNoId: { entry: Entry }[] = [];
    root.queries.forEach((item, i) => {
      const p: JSONPath = ['queries', i];
      if (!isObj(item)) {
        raw.push({ path: p, message: 'Each saved query must be an object {"name": ..., "query": {...}}.' });
        return;
      }
      const before = raw.length;
      if (typeof item.name !== 'string' || !item.name.trim()) raw.push({ path: 'name' in item ? [...p, 'name'] : p, message: 'The saved query needs a "name".' });
      if ('id' in item && (typeof item.id !== 'string' || !ID_PATTERN.test(item.id)))
        raw.push({ path: [...p, 'id'], message: '"id" must be 1-64 letters, digits, "-", "_", "." or ":".' });
      if ('folder' in item && item.folder !== null && (typeof item.folder !== 'string' || !item.folder.trim()))
        raw.push({ path: [...p, 'folder'], message: '"folder" must be a non-empty folder name (leave it out for the top level).' });
      checkQueryValue(item.query, 'query' in item ? [...p, 'query'] : p, raw);
      if (typeof item.id === 'string' && ID_PATTERN.test(item.id)) {
        if (seenIds.has(item.id)) raw.push({ path: [...p, 'id'], message: `Duplicate id "${item.id}" (also used by query #${seenIds.get(item.id)! + 1}).` });
        else seenIds.set(item.id, i);
      }
      if (raw.length !== before) return;
      const entry: Entry = {
        saved: {
          id: typeof item.id === 'string' ? item.id : '',
          name: (item.name as string).trim(),
          folder: typeof item.folder === 'string' ? item.folder.trim() : undefined,
          query: toCmuQuery(item.query as JsonObject),
        },
        raw: item,
      };
      if (!entry.saved.id) pendingNoId.push({ entry });
      entries.push(entry);
    });
    // hand-written entries without an id get a stable one from their name (written on the next save)
    const taken = new Set(entries.map((e) => e.saved.id).filter(Boolean));
    for (const { entry } of pendingNoId) {
      entry.saved.id = slugId(entry.saved.name, (id) => taken.has(id));
      taken.add(entry.saved.id);
    }
  }

  for (const r of raw) {
    let node = findNodeAtLocation(tree, r.path) ?? tree;
    if (r.atKey && node.parent?.type === 'property' && node.parent.children?.[0]) node = node.parent.children[0];
    problemAt(node.offset, node.length, r.message, r.severity ?? 'error');
  }
  problems.sort((a, b) => a.offset - b.offset);
  model._load(root, entries, folders);
  return { valid: !problems.some((p) => p.severity === 'error'), model, problems };
}

/** One line per problem: `line 7, column 12: message`. */
export function formatProblems(problems: FileProblem[], file = WORKSPACE_QUERY_FILE): string {
  return problems.map((p) => `${file}:${p.line}:${p.column}: ${p.severity}: ${p.message}`).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// serializing

function detectIndent(text: string | undefined): string {
  const m = text && /^([ \t]+)\S/m.exec(text);
  if (!m) return '  ';
  return m[1].startsWith('\t') ? '\t' : m[1].length >= 4 ? '    ' : '  ';
}

/** JSON.stringify with arrays of primitives on one line (paths, metrics, values stay readable). */
export function stringify(value: unknown, indent = '  ', eol = '\n', level = 0): string {
  const pad = indent.repeat(level + 1);
  const end = indent.repeat(level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return '[' + value.map((v) => JSON.stringify(v)).join(', ') + ']';
    return '[' + eol + value.map((v) => pad + stringify(v, indent, eol, level + 1)).join(',' + eol) + eol + end + ']';
  }
  if (isObj(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) return '{}';
    return '{' + eol + keys.map((k) => pad + JSON.stringify(k) + ': ' + stringify(value[k], indent, eol, level + 1)).join(',' + eol) + eol + end + '}';
  }
  return JSON.stringify(value ?? null);
}

/** Rewrites only the root properties the model owns, leaving the rest of the text (comments too) alone. */
function spliceRoot(text: string, value: JsonObject, indent: string, eol: string): string {
  const owned = ['version', 'folders', 'queries'];
  const formattingOptions = { insertSpaces: indent !== '\t', tabSize: indent === '\t' ? 4 : indent.length, eol };
  // insert / remove properties first (placeholders), then replace each owned value with our formatting
  for (const k of owned) {
    const tree = parseTree(text, [], PARSE_OPTIONS) as Node;
    const node = findNodeAtLocation(tree, [k]);
    if (!node && value[k] !== undefined) text = applyEdits(text, modify(text, [k], 0, { formattingOptions }));
    if (node && value[k] === undefined) text = applyEdits(text, modify(text, [k], undefined, { formattingOptions }));
  }
  for (const k of owned) {
    if (value[k] === undefined) continue;
    const tree = parseTree(text, [], PARSE_OPTIONS) as Node;
    const node = findNodeAtLocation(tree, [k])!;
    text = text.slice(0, node.offset) + stringify(value[k], indent, eol, 1) + text.slice(node.offset + node.length);
  }
  return text.endsWith('\n') ? text : text + eol;
}
