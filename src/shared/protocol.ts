/**
 * The messages between the extension host and the report webview. Both sides compile against this
 * file; the extension runs {@link parseWebviewMessage} on everything the webview posts before acting
 * on it, and {@link parsePanelState} on the state a WebviewPanelSerializer hands back.
 *
 * Only plain data crosses: the webview renders it with textContent/DOM APIs. Rows travel once, as
 * arrays aligned with `columns` (structured clone), never as one string per row.
 */
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

export interface QueryView {
  /** the query model itself: what the webview persists with setState for the serializer */
  query: CmuQuery;
  /** short title, e.g. "tenant › year › month" */
  title: string;
  /** describeQuery(): the query in words */
  words: string;
  /** the exact absolute URL requested */
  url: string;
  /** ISO strings as sent (or as the server echoed them in the self link); local time is added by the webview */
  start?: string;
  end?: string;
  filters: CmuFilter[];
  metrics: string[];
  limit?: number;
  environment?: string;
}

/**
 * One column of the report, columnar so 200k rows cross every hop (extension host → workbench →
 * webview) as a few typed arrays instead of 2M small values: text cells dictionary-encoded (CMU
 * dimensions repeat a lot), numbers as a Float64Array (NaN = empty).
 */
export type ColumnData = { type: 'text'; dict: string[]; codes: Uint32Array } | { type: 'number'; values: Float64Array };
/** `codes` value of an empty (null) text cell */
export const NULL_CODE = 0xffffffff;

export interface ReportView {
  query: QueryView;
  columns: ColumnView[];
  rowCount: number;
  /** aligned with `columns` */
  data: ColumnData[];
  drillDown: NavLink[];
  /** root … parent: the roll-up chain, nearest last */
  breadcrumb: NavLink[];
  /** server's self link, when it differs from the URL asked */
  selfHref?: string;
  /** formats the editor can open this report as */
  formats: ReportFormat[];
  fetchedAt: string;
  elapsedMs: number;
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

/** Rows (arrays aligned with columns) to columns: numbers where every cell is a number or empty. */
export function encodeColumns(ncols: number, rows: readonly (readonly ReportCell[])[]): ColumnData[] {
  const n = rows.length;
  const out: ColumnData[] = [];
  for (let c = 0; c < ncols; c++) {
    let numeric = true;
    for (let r = 0; r < n; r++) {
      const v = rows[r][c];
      if (v !== null && v !== undefined && typeof v !== 'number') {
        numeric = false;
        break;
      }
    }
    if (numeric) {
      const values = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const v = rows[r][c];
        values[r] = typeof v === 'number' ? v : NaN;
      }
      out.push({ type: 'number', values });
      continue;
    }
    const dict: string[] = [];
    const index = new Map<string, number>();
    const codes = new Uint32Array(n);
    for (let r = 0; r < n; r++) {
      const v = rows[r][c];
      if (v === null || v === undefined) {
        codes[r] = NULL_CODE;
        continue;
      }
      const s = String(v);
      let k = index.get(s);
      if (k === undefined) {
        k = dict.length;
        dict.push(s);
        index.set(s, k);
      }
      codes[r] = k;
    }
    out.push({ type: 'text', dict, codes });
  }
  return out;
}

export function cellAt(col: ColumnData, r: number): ReportCell {
  if (col.type === 'number') {
    const v = col.values[r];
    return Number.isNaN(v) ? null : v;
  }
  const k = col.codes[r];
  return k === NULL_CODE ? null : col.dict[k];
}

/** Back to rows (tests, small reports). */
export function decodeRows(data: ColumnData[], rowCount: number): ReportCell[][] {
  const rows: ReportCell[][] = new Array(rowCount);
  for (let r = 0; r < rowCount; r++) rows[r] = data.map((c) => cellAt(c, r));
  return rows;
}

// ---------- extension → webview ----------

export type HostMessage =
  | { type: 'loading'; requestId: number; query: QueryView }
  | { type: 'report'; requestId: number; report: ReportView }
  /** `breadcrumb`: the roll-up links of the failed path (a 404 often wants a step back up) */
  | { type: 'error'; requestId: number; query?: QueryView; error: ErrorView; breadcrumb?: NavLink[] }
  | { type: 'cancelled'; requestId: number; query?: QueryView }
  | { type: 'notice'; text: string };

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
}

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'navigate'; linkId: string }
  | { type: 'action'; action: PanelAction }
  | { type: 'errorAction'; id: string }
  | { type: 'rendered'; stats: RenderStats };

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
    case 'ready':
      return { type: 'ready' };
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
      return {
        type: 'rendered',
        stats: { requestId: s.requestId, rows: s.rows, domRows: s.domRows, chart: s.chart, firstPaintMs: s.firstPaintMs, chartMs },
      };
    }
    default:
      return undefined;
  }
}

const FORMATS: readonly string[] = ['json', 'xml', 'csv', 'html'];
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

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
