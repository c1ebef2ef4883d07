/**
 * The messages between the extension host and the report webview. Both sides compile against this
 * file; the extension runs {@link parseWebviewMessage} on everything the webview posts before acting
 * on it, and {@link parsePanelState} on the state a WebviewPanelSerializer hands back.
 *
 * Only plain data crosses: the webview renders it with textContent/DOM APIs. Rows travel once, as
 * typed arrays per column ({@link WireColumn}): the first screenful in the `report` message, the rest
 * in `rows` chunks the webview appends (and validates: {@link ColumnDecoder}) while the table is in use.
 */
import { COMPARE_MODES, type CompareMode } from '../core/cmu/analysis/compareModes';

export type { CompareMode };
import { canonicalWindow } from '../core/cmu/time/windows';
import type { CmuFilter, CmuQuery, ReportCell, ReportFormat } from '../core/cmu/types';

/** a cell as the webview renders it (the webview imports the engine's types only through this file) */
export type { ReportCell };

export const PROTOCOL_VERSION = 1;

export interface ColumnView {
  name: string;
  kind: 'dimension' | 'metric';
  /** catalog description, for the header tooltip */
  description?: string;
  /** year … second: the chart's x axis is built from these */
  time?: boolean;
  /** metrics: whether a total adds up (the catalog's semantics; absent = not additive) and why not */
  additive?: { time: boolean; dimensions: boolean; why?: string };
  /** a ratio computed here, never sent by CMU: its formula and input columns */
  derived?: { formula: string; numerator: string[]; denominator: string[] };
  /** compare view: the metric this column is about, and which of its four columns it is */
  compare?: { metric: string; role: CompareRole };
}

export type CompareRole = 'value' | 'previous' | 'delta' | 'deltaPct';

/** The compare view's context: both windows and what was left out. */
export interface CompareInfo {
  mode: CompareMode;
  current: { start: string; end: string };
  previous: { start: string; end: string; url: string };
  /** rows left out because a side is a partial bucket */
  excludedPartial: number;
}

/**
 * A link the user can follow (drill-down, roll-up breadcrumb, a valid next step after a 404). The
 * webview only ever sends back `id`; the extension maps it to the query it built, so a compromised
 * webview cannot make the extension fetch an arbitrary URL.
 */
export interface NavLink {
  id: string;
  label: string;
  /** e.g. "then by platform", shown beside the label */
  detail?: string;
  /** the href the query will use */
  href: string;
  /** tooltip, e.g. the catalog's description of the dimension added */
  title?: string;
}

/** What the report's time is: the window's name, whether it is the grain's default, and the zone. */
export interface TimeView {
  /** "Last 7 days", "Today", "Custom range", "Server default" */
  name: string;
  /** the grain's default window: the query said nothing about time */
  defaulted?: boolean;
  /** the report time zone as shown, e.g. "UTC−08:00" or "America/Los_Angeles (PST)" */
  zone: string;
  /** the instants start/end denote (epoch ms), for the local-time line */
  startMs?: number;
  endMs?: number;
}

export interface QueryView {
  /** the query model itself: what the webview persists with setState for the serializer */
  query: CmuQuery;
  /** short title, e.g. "tenant › year › month" */
  title: string;
  /** describeQuery(): the query in words */
  words: string;
  /** the exact absolute URL requested */
  url: string;
  /** wall clock in the report time zone, as sent (or as the server echoed them in the self link) */
  start?: string;
  end?: string;
  time?: TimeView;
  filters: CmuFilter[];
  metrics: string[];
  limit?: number;
  /** the environment (and profile when not the default) the panel belongs to: a panel never changes it */
  environment?: string;
  /** set when Back returns to an earlier report of this panel: that report's title */
  back?: string;
}

/** The HTTP answer of a report, as an API client shows it (headers redacted by the extension). */
export interface ResponseView {
  status: number;
  /** "OK", "Not Found" */
  statusText: string;
  /** decoded body size; absent while a streamed body is still arriving (the last `rows` message has it) */
  bytes?: number;
  /** [name, value] sorted by name; Authorization never, Set-Cookie values hidden, secrets masked */
  headers: [string, string][];
}

/**
 * One column as the webview holds it: text cells dictionary-encoded (CMU dimensions repeat a lot),
 * numbers as a Float64Array (NaN = empty). See {@link WireColumn} for how it travels.
 */
export type ColumnData = { type: 'text'; dict: string[]; codes: Uint32Array } | { type: 'number'; values: Float64Array };
/** `codes` value of an empty (null) text cell */
export const NULL_CODE = 0xffffffff;

/**
 * One column of a chunk of rows as it crosses every hop (extension host → workbench → webview): a few
 * fresh typed arrays instead of 2M small values, each the narrowest that holds the chunk.
 * - text: `dict` holds only the values new in this chunk (appended to the column's table, in order);
 *   `codes[i]` 0 = empty, k = the table's value k − 1. Uint8 while the table has < 256 values, then 16, 32 bits.
 * - number: integers in the narrowest Int/Uint array with `nulls[i]` = 1 for an empty cell (absent when
 *   none is); anything else in a Float64Array with NaN for empty.
 */
export type WireInts = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type WireColumn =
  | { type: 'text'; dict: string[]; codes: Uint8Array | Uint16Array | Uint32Array }
  | { type: 'number'; values: WireInts | Float64Array; nulls?: Uint8Array };

/**
 * The panel shows at most this many columns: the host sends the first ones (a report of 200k columns
 * made a multi-second message and a DOM row of 200k cells), the webview keeps no more whatever it gets.
 * Save As… and Open as CSV/JSON have them all.
 */
export const MAX_PANEL_COLUMNS = 500;

export interface ReportView {
  query: QueryView;
  /** the report's columns, at most MAX_PANEL_COLUMNS of them (the first ones) */
  columns: ColumnView[];
  /** columns in the report when it has more than `columns` holds */
  totalColumns?: number;
  /** rows in `data`: the first screenful when more follow */
  rowCount: number;
  /** the first rows, aligned with `columns` */
  data: WireColumn[];
  /** more rows follow in `rows` messages (the webview appends them; the table is usable meanwhile) */
  more?: boolean;
  /** rows in the whole report, when known */
  totalRows?: number;
  drillDown: NavLink[];
  /** root … parent: the roll-up chain, nearest last */
  breadcrumb: NavLink[];
  /** server's self link, when it differs from the URL asked */
  selfHref?: string;
  /** formats the editor can open this report as */
  formats: ReportFormat[];
  fetchedAt: string;
  elapsedMs: number;
  /** status, size and headers of the answer (absent when the extension did not see it) */
  response?: ResponseView;
  /** rows whose time bucket is not final (sparse: partial rows are few), with why, for the table and the chart */
  partial?: { rows: number[]; reasons: string[] };
  /** set when the rows are a comparison of two windows */
  compare?: CompareInfo;
}

/**
 * The server's own value of the whole, for the metrics whose rows do not add up (distinct/peak counts):
 * the parent report's one row, fetched after the report is on screen. The total cells use it only while
 * every row is shown (a filtered view's total is not the parent's).
 */
export interface ParentTotalView {
  /** the parent report's path, e.g. "/tenant/year/month" */
  path: string;
  /** [metric, value] */
  values: [string, number][];
}

export interface ErrorView {
  message: string;
  explanation: string;
  code: string;
  status?: number;
  /** the server's text (400/406 bodies), shown as text */
  serverText?: string;
  /** buttons: the extension knows what each id does (retry, getToken, showLog, …) */
  actions: { id: string; label: string }[];
  /** e.g. the valid next steps after a 404, as clickable links */
  nextSteps: NavLink[];
}

/** Per column: numbers where every cell of the whole report is a number or empty, else text. */
export function columnTypes(ncols: number, rows: readonly (readonly ReportCell[])[]): ColumnData['type'][] {
  const types: ColumnData['type'][] = [];
  for (let c = 0; c < ncols; c++) {
    let numeric = true;
    for (let r = 0; r < rows.length && numeric; r++) {
      const v = rows[r][c];
      numeric = v === null || v === undefined || typeof v === 'number';
    }
    types.push(numeric ? 'number' : 'text');
  }
  return types;
}

const INT_ARRAYS = [
  [0, 0xff, Uint8Array],
  [-0x80, 0x7f, Int8Array],
  [0, 0xffff, Uint16Array],
  [-0x8000, 0x7fff, Int16Array],
  [0, 0xffffffff, Uint32Array],
  [-0x80000000, 0x7fffffff, Int32Array],
] as const;

/**
 * Rows to wire columns, chunk by chunk: the value tables of text columns carry over from one chunk to
 * the next (each chunk sends only its new values). Encode the chunks in order, each once. A parser that
 * builds columns itself (core/cmu/parse/csvColumns.ts) uses the same pieces: {@link code},
 * {@link packNumbers}, {@link packText}.
 */
export class ColumnEncoder {
  private readonly tables: Map<string, number>[];
  /** per text column: the values new in the chunk being built */
  private readonly dicts: string[][];

  constructor(readonly types: readonly ColumnData['type'][]) {
    this.tables = types.map(() => new Map());
    this.dicts = types.map(() => []);
  }

  encode(rows: readonly (readonly ReportCell[])[], start = 0, end = rows.length): WireColumn[] {
    const n = end - start;
    return this.types.map((t, c) => {
      if (t === 'number') {
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const v = rows[start + i][c];
          values[i] = typeof v === 'number' ? v : NaN;
        }
        return packNumbers(values, n);
      }
      const codes = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const v = rows[start + i][c];
        if (v !== null && v !== undefined) codes[i] = this.code(c, String(v)); // 0: empty
      }
      return this.packText(c, codes, n);
    });
  }

  /** Text column c's code for `s` (from 1; 0 is an empty cell); a value not seen before goes to the chunk's table. */
  code(c: number, s: string): number {
    const table = this.tables[c];
    let k = table.get(s);
    if (k === undefined) {
      k = table.size + 1;
      table.set(s, k);
      this.dicts[c].push(s);
    }
    return k;
  }

  /** Text column c's wire column from the chunk's first `n` codes (copied: the caller may reuse `codes`), in the narrowest array. */
  packText(c: number, codes: Uint32Array, n: number): WireColumn {
    const dict = this.dicts[c];
    this.dicts[c] = [];
    const size = this.tables[c].size;
    const used = codes.subarray(0, n);
    return { type: 'text', dict, codes: size < 0x100 ? new Uint8Array(used) : size < 0x10000 ? new Uint16Array(used) : used.slice() };
  }
}

/**
 * A number column's wire column from the chunk's first `n` values (NaN: an empty cell; copied: the caller
 * may reuse `values`): integers in the narrowest array that holds them (empty cells flagged in `nulls`),
 * anything else as Float64Array.
 */
export function packNumbers(values: Float64Array, n: number): WireColumn {
  let min = 0;
  let max = 0;
  let ints = true;
  let anyNull = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== v) anyNull = true;
    else if (!Number.isInteger(v)) ints = false;
    else if (v < min) min = v;
    else if (v > max) max = v;
  }
  const Ints = ints ? INT_ARRAYS.find(([lo, hi]) => min >= lo && max <= hi)?.[2] : undefined;
  if (!Ints) return { type: 'number', values: values.slice(0, n) };
  if (!anyNull) return { type: 'number', values: new Ints(values.subarray(0, n)) };
  const out = new Ints(n);
  const nulls = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === v) out[i] = v;
    else nulls[i] = 1;
  }
  return { type: 'number', values: out, nulls };
}

/** Rows (arrays aligned with columns) to wire columns in one chunk (small reports, tests). */
export function encodeColumns(ncols: number, rows: readonly (readonly ReportCell[])[]): WireColumn[] {
  return new ColumnEncoder(columnTypes(ncols, rows)).encode(rows);
}

const MAX_ROWS = 50_000_000;
const isWireInts = (v: unknown): v is WireInts =>
  v instanceof Uint8Array || v instanceof Int8Array || v instanceof Uint16Array || v instanceof Int16Array || v instanceof Uint32Array || v instanceof Int32Array;

/**
 * The webview's side of {@link WireColumn}: validates each chunk (the shape, lengths and codes within
 * the value table; a chunk that fails changes nothing) and appends it to growing columns.
 */
export class ColumnDecoder {
  readonly columns: ColumnData[] = [];
  rowCount = 0;
  private capacity = 0;

  constructor(readonly ncols: number) {}

  /** Appends a chunk of `n` rows; false (nothing appended) when it is not a valid chunk of this report. */
  append(raw: unknown, n: unknown): boolean {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || this.rowCount + n > MAX_ROWS) return false;
    if (!Array.isArray(raw) || raw.length !== this.ncols) return false;
    const chunk = raw as unknown[];
    for (let c = 0; c < this.ncols; c++) if (!this.valid(chunk[c], c, n)) return false;
    this.grow(this.rowCount + n);
    const at = this.rowCount;
    for (let c = 0; c < this.ncols; c++) {
      const w = chunk[c] as WireColumn;
      if (!this.columns[c]) this.columns[c] = w.type === 'number' ? { type: 'number', values: new Float64Array(this.capacity) } : { type: 'text', dict: [], codes: new Uint32Array(this.capacity) };
      const col = this.columns[c];
      if (col.type === 'number' && w.type === 'number') {
        col.values.set(w.values, at);
        if (w.nulls) for (let i = 0; i < n; i++) if (w.nulls[i]) col.values[at + i] = NaN;
      } else if (col.type === 'text' && w.type === 'text') {
        for (const s of w.dict) col.dict.push(s);
        for (let i = 0; i < n; i++) col.codes[at + i] = w.codes[i] === 0 ? NULL_CODE : w.codes[i] - 1;
      }
    }
    this.rowCount += n;
    return true;
  }

  private valid(w: unknown, c: number, n: number): boolean {
    if (typeof w !== 'object' || w === null) return false;
    const o = w as Record<string, unknown>;
    const have = this.columns[c];
    if (have && have.type !== o.type) return false;
    if (o.type === 'number') {
      const ok = (isWireInts(o.values) || o.values instanceof Float64Array) && o.values.length === n;
      return ok && (o.nulls === undefined || (o.nulls instanceof Uint8Array && o.nulls.length === n));
    }
    if (o.type !== 'text' || !Array.isArray(o.dict) || !o.dict.every((s) => typeof s === 'string')) return false;
    if (!(o.codes instanceof Uint8Array || o.codes instanceof Uint16Array || o.codes instanceof Uint32Array) || o.codes.length !== n) return false;
    const size = (have?.type === 'text' ? have.dict.length : 0) + o.dict.length;
    const codes = o.codes;
    for (let i = 0; i < n; i++) if (codes[i] > size) return false;
    return true;
  }

  /** Capacity doubles (amortized appends); the arrays the readers see are views of the filled part. */
  private grow(need: number): void {
    if (need <= this.capacity) return;
    // no minimum: a report of 200k columns and a few rows must not reserve 1024 rows per column
    const cap = Math.max(need, this.capacity * 2);
    for (const col of this.columns) {
      if (col.type === 'number') {
        const v = new Float64Array(cap);
        v.set(col.values.subarray(0, this.rowCount));
        col.values = v;
      } else {
        const v = new Uint32Array(cap);
        v.set(col.codes.subarray(0, this.rowCount));
        col.codes = v;
      }
    }
    this.capacity = cap;
  }
}

export function cellAt(col: ColumnData, r: number): ReportCell {
  if (col.type === 'number') {
    const v = col.values[r];
    return Number.isNaN(v) ? null : v;
  }
  const k = col.codes[r];
  return k === NULL_CODE ? null : col.dict[k];
}

/** Wire columns back to rows (tests). */
export function decodeRows(data: WireColumn[], rowCount: number): ReportCell[][] {
  const d = new ColumnDecoder(data.length);
  if (!d.append(data, rowCount)) throw new Error('not a valid chunk');
  const rows: ReportCell[][] = new Array(rowCount);
  for (let r = 0; r < rowCount; r++) rows[r] = d.columns.map((c) => cellAt(c, r));
  return rows;
}

// ---------- extension → webview ----------

export type HostMessage =
  | { type: 'loading'; requestId: number; query: QueryView }
  | { type: 'report'; requestId: number; report: ReportView }
  /** the next rows of the report of `requestId`, from row `start` (= the rows the webview holds) */
  | { type: 'rows'; requestId: number; start: number; rowCount: number; data: WireColumn[]; more: boolean; partial?: ReportView['partial']; bytes?: number }
  /** `breadcrumb`: the roll-up links of the failed path (a 404 often wants a step back up) */
  | { type: 'error'; requestId: number; query?: QueryView; error: ErrorView; breadcrumb?: NavLink[] }
  | { type: 'cancelled'; requestId: number; query?: QueryView }
  /** the server's total of the report of `requestId` where its rows do not add up (parseParentTotal checks it) */
  | { type: 'parentTotal'; requestId: number; total: ParentTotalView }
  /** a short confirmation; with `action`, shown on that action's button for a moment ("Copied") */
  | { type: 'notice'; text: string; action?: PanelAction };

// ---------- webview → extension ----------

export const PANEL_ACTIONS = [
  'refresh',
  'cancel',
  'openJson',
  'openCsv',
  'openXml',
  'saveAs',
  'copyUrl',
  'copyCurl',
  'saveQuery',
  'back',
] as const;
export type PanelAction = (typeof PANEL_ACTIONS)[number];

export interface RenderStats {
  requestId: number;
  /** rows after the quick filter */
  rows: number;
  /** row elements in the DOM (virtualization) */
  domRows: number;
  chart: boolean;
  /** ms from the data message to the first rows painted */
  firstPaintMs: number;
  /** ms to aggregate and draw the chart (0 without a chart) */
  chartMs: number;
  /** false: the first rows are painted, more are coming (a second `rendered` follows when all are in) */
  complete: boolean;
  /** when the data message came and when its first rows were painted, ms since the epoch on the machine's clock (the bench: the host hears of the paint later) */
  receivedAt?: number;
  paintedAt?: number;
}

export type WebviewMessage =
  /** `boot`: when the page said ready, ms since its time origin; how long the bundle's own start took; the time origin (ms since the epoch: when the document started, on the machine's clock). The bench splits the wait with it */
  | { type: 'ready'; boot?: { atMs: number; scriptMs: number; originMs: number } }
  | { type: 'navigate'; linkId: string }
  | { type: 'action'; action: PanelAction }
  | { type: 'errorAction'; id: string }
  | { type: 'rendered'; stats: RenderStats }
  /** the compare toggle: an earlier window beside this one, or off */
  | { type: 'compare'; mode: CompareMode | 'off' };

/** What the webview persists (vscode.setState) and the serializer restores: the query, never the data. */
export interface PanelState {
  v: typeof PROTOCOL_VERSION;
  query: CmuQuery;
}

// ---------- validation ----------

const MAX_ID = 200;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isStr(v: unknown, max = MAX_ID): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/**
 * Validates a message posted by the webview. Returns it narrowed (a fresh object holding only the
 * known fields), or undefined when it is not one of {@link WebviewMessage}: the caller drops it.
 */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready': {
      const b = raw.boot;
      return isObj(b) && isCount(b.atMs) && isCount(b.scriptMs) && isCount(b.originMs) ? { type: 'ready', boot: { atMs: b.atMs, scriptMs: b.scriptMs, originMs: b.originMs } } : { type: 'ready' };
    }
    case 'navigate':
      return isStr(raw.linkId) ? { type: 'navigate', linkId: raw.linkId } : undefined;
    case 'action':
      return typeof raw.action === 'string' && (PANEL_ACTIONS as readonly string[]).includes(raw.action)
        ? { type: 'action', action: raw.action as PanelAction }
        : undefined;
    case 'errorAction':
      return isStr(raw.id) ? { type: 'errorAction', id: raw.id } : undefined;
    case 'rendered': {
      const s = raw.stats;
      if (!isObj(s)) return undefined;
      if (!isCount(s.requestId) || !isCount(s.rows) || !isCount(s.domRows) || !isCount(s.firstPaintMs)) return undefined;
      if (typeof s.chart !== 'boolean') return undefined;
      const chartMs = isCount(s.chartMs) ? s.chartMs : 0;
      const complete = s.complete !== false;
      const at = isCount(s.receivedAt) && isCount(s.paintedAt) ? { receivedAt: s.receivedAt, paintedAt: s.paintedAt } : {};
      return {
        type: 'rendered',
        stats: { requestId: s.requestId, rows: s.rows, domRows: s.domRows, chart: s.chart, firstPaintMs: s.firstPaintMs, chartMs, complete, ...at },
      };
    }
    case 'compare':
      return raw.mode === 'off' || (COMPARE_MODES as readonly unknown[]).includes(raw.mode) ? { type: 'compare', mode: raw.mode as CompareMode | 'off' } : undefined;
    default:
      return undefined;
  }
}

const FORMATS: readonly string[] = ['json', 'xml', 'csv', 'html'];
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Validates a `parentTotal` message where the webview receives it: a fresh object holding only a request
 * id, a path and finite values of well-named metrics; undefined otherwise (the webview drops it).
 */
export function parseParentTotal(raw: unknown): Extract<HostMessage, { type: 'parentTotal' }> | undefined {
  if (!isObj(raw) || raw.type !== 'parentTotal' || !isCount(raw.requestId) || !isObj(raw.total)) return undefined;
  const { path, values } = raw.total;
  if (!isStr(path, 2000) || !path.startsWith('/') || !Array.isArray(values) || values.length > 1000) return undefined;
  const out: [string, number][] = [];
  for (const v of values) {
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !NAME.test(v[0]) || typeof v[1] !== 'number' || !Number.isFinite(v[1])) return undefined;
    out.push([v[0], v[1]]);
  }
  return { type: 'parentTotal', requestId: raw.requestId, total: { path, values: out } };
}

function isStrArray(v: unknown, pattern?: RegExp): v is string[] {
  return Array.isArray(v) && v.length <= 1000 && v.every((x) => typeof x === 'string' && x.length <= 2000 && (!pattern || pattern.test(x)));
}

/** Validates a CmuQuery coming from an untrusted place (webview state, a command argument). */
export function parseQuery(raw: unknown): CmuQuery | undefined {
  if (!isObj(raw)) return undefined;
  if (!isStrArray(raw.path, NAME)) return undefined;
  const filters: CmuFilter[] = [];
  if (raw.filters !== undefined) {
    if (!Array.isArray(raw.filters)) return undefined;
    for (const f of raw.filters) {
      if (!isObj(f) || typeof f.dimension !== 'string' || !NAME.test(f.dimension)) return undefined;
      if (f.op !== '=' && f.op !== '!=') return undefined;
      if (!isStrArray(f.values)) return undefined;
      filters.push({ dimension: f.dimension, op: f.op, values: [...f.values] });
    }
  }
  const projections = raw.projections === undefined ? [] : raw.projections;
  const metrics = raw.metrics === undefined ? [] : raw.metrics;
  if (!isStrArray(projections, NAME) || !isStrArray(metrics, NAME)) return undefined;
  const q: CmuQuery = { path: [...raw.path], filters, projections: [...projections], metrics: [...metrics] };
  for (const k of ['start', 'end'] as const) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length > 64) return undefined;
    q[k] = v;
  }
  if (raw.window !== undefined) {
    if (typeof raw.window !== 'string' || raw.window.length > 64) return undefined;
    try {
      q.window = canonicalWindow(raw.window);
    } catch {
      return undefined;
    }
  }
  if (raw.limit !== undefined) {
    if (typeof raw.limit !== 'number' || !Number.isInteger(raw.limit) || raw.limit < 0) return undefined;
    q.limit = raw.limit;
  }
  if (raw.format !== undefined) {
    if (typeof raw.format !== 'string' || !FORMATS.includes(raw.format)) return undefined;
    q.format = raw.format as ReportFormat;
  }
  return q;
}

/** Validates the state a WebviewPanelSerializer gets back. */
export function parsePanelState(raw: unknown): PanelState | undefined {
  if (!isObj(raw) || raw.v !== PROTOCOL_VERSION) return undefined;
  const query = parseQuery(raw.query);
  return query ? { v: PROTOCOL_VERSION, query } : undefined;
}
