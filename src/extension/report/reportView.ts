/**
 * From the engine's shapes to the webview's plain data (no `vscode` here, so the browser checks use
 * the same mapping): the query in words, the report's columns/rows, HAL navigation as NavLinks whose
 * target queries stay on the extension side, and errors with their next steps.
 */
import type { ReportColumns } from '../../core/cmu/analysis/columns';
import type { Comparison, CompareMode, Window } from '../../core/cmu/analysis/compare';
import { PARTIAL_WORDS, partialRowList, zoneOffsets } from '../../core/cmu/analysis/partial';
import { RATIOS } from '../../core/cmu/analysis/ratios';
import type { SemanticsLookup } from '../../core/cmu/analysis/semantics';
import { describe, filterableDimensions, metricSemantics, isTimeDimension, metricsFor, nextSteps } from '../../core/cmu/catalog';
import { parseQueryUrl, describeQuery, queryToHref, queryToUrl, cloneQuery } from '../../core/cmu/query';
import { toZoneWallClock } from '../../core/cmu/time/queryTime';
import { parseWindow, windowName, type ResolvedWindow } from '../../core/cmu/time/windows';
import { parseZone, UTC, type ReportZone } from '../../core/cmu/time/zone';
import { STATUS_CODES } from 'http';
import type { CmuQuery, ParsedReport, ReportCell, ReportResponse } from '../../core/cmu/types';
import { CmuError } from '../../core/errors';
import { redactText } from '../../core/redact';
import { STEP_ACTIONS, stepAction } from '../host/nextSteps';
import { MAX_PANEL_COLUMNS, type ColumnView, type CompareRole, type ErrorView, type HostMessage, type NavLink, type QueryView, type ReportView, type ResponseView } from '../../shared/protocol';
import { ReportRows, type PartialOf, type PartialRows, type RowChunk } from './reportRows';

export function queryTitle(q: CmuQuery): string {
  return q.path.length ? q.path.join(' › ') : 'CMU root';
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The tab title: short but telling panels apart — the last two path segments (`…/day/mvpd` vs `mvpd`),
 * a filter hint and the time range when set. Derived from the query only, so a restored panel gets the
 * same title; the header shows the whole query.
 */
export function panelTitle(q: CmuQuery): string {
  const tail = q.path.length === 0 ? 'root' : `${q.path.length > 2 ? '…/' : ''}${q.path.slice(-2).join('/')}`;
  const hints: string[] = [];
  if (q.filters.length === 1) {
    const [f] = q.filters;
    hints.push(`${f.dimension}${f.op}${clip(f.values[0] ?? '', 16)}${f.values.length > 1 ? ` +${f.values.length - 1}` : ''}`);
  } else if (q.filters.length > 1) hints.push(`${q.filters.length} filters`);
  if (q.projections.length) hints.push(clip(`+${q.projections.join('+')}`, 20));
  if (q.window) hints.push(windowNameOf(q.window));
  else if (q.start || q.end) hints.push(`${q.start ?? ''}…${q.end ?? ''}`);
  return clip(`CMU: ${tail}${hints.length ? ` (${hints.join(', ')})` : ''}`, MAX_TITLE);
}

/** VS Code tabs cut long titles mid-word; the header shows the whole query. */
export const MAX_TITLE = 40;

function windowNameOf(text: string): string {
  try {
    return windowName(parseWindow(text));
  } catch {
    return text;
  }
}

/** A query as it was run: the query sent (its window resolved) and what its time is. */
export interface SentQuery {
  query: CmuQuery;
  time: ResolvedWindow;
}

/** The header's data: `q` is the query as kept (a relative window stays relative), `sent` what went out. */
export function queryView(q: CmuQuery, cmuBase: string, environment?: string, sent?: SentQuery): QueryView {
  const out = sent?.query ?? q;
  const model = cloneQuery(q);
  if (q.window) model.window = q.window;
  return {
    query: model,
    title: queryTitle(q),
    words: describeQuery(out) + (sent ? ` (${sent.time.name}${sent.time.defaulted ? ', the default for this report' : ''})` : ''),
    url: queryToUrl(out, cmuBase),
    start: out.start,
    end: out.end,
    time: sent && { name: sent.time.name, defaulted: sent.time.defaulted, zone: sent.time.zoneLabel, startMs: sent.time.startMs, endMs: sent.time.endMs },
    filters: q.filters.map((f) => ({ ...f, values: [...f.values] })),
    metrics: [...q.metrics],
    limit: q.limit,
    environment,
  };
}

/** One panel per query: the key ignores the format (the panel always shows the parsed report). */
export function queryKey(q: CmuQuery): string {
  return queryToHref({ ...q, format: undefined }) + (q.window ? `#window=${q.window}` : '');
}

/**
 * The query a drill-down / roll-up lands on: the new path, the time range, the limit, the filters
 * and projections the catalog still allows there, and the metrics that still exist there.
 */
export function followQuery(from: CmuQuery, path: string[]): CmuQuery {
  const allowed = new Set(filterableDimensions(path));
  const metricsThere = new Set(metricsFor(path));
  const q: CmuQuery = {
    path: [...path],
    filters: from.filters.filter((f) => allowed.has(f.dimension)).map((f) => ({ ...f, values: [...f.values] })),
    projections: from.projections.filter((p) => allowed.has(p) && !path.includes(p)),
    metrics: from.metrics.filter((m) => metricsThere.has(m)),
  };
  if (from.start !== undefined) q.start = from.start;
  if (from.end !== undefined) q.end = from.end;
  if (from.window !== undefined) q.window = from.window;
  if (from.limit !== undefined) q.limit = from.limit;
  return q;
}

/** The path of a HAL href (`/cmu/v2/tenant/year`), or undefined when it is not a CMU path. */
export function hrefPath(href: string, cmuBase?: string): string[] | undefined {
  try {
    return parseQueryUrl(href, cmuBase).path.filter((s) => !/^\.(json|xml|csv|html)$/i.test(s));
  } catch {
    return undefined;
  }
}

export interface Navigation {
  drillDown: NavLink[];
  breadcrumb: NavLink[];
  /** link id → the query it opens */
  targets: Map<string, CmuQuery>;
}

/**
 * Drill-down links from the report (HAL), else the catalog's next steps (CSV has no links); the
 * roll-up breadcrumb is every ancestor of the path, root first, nearest last.
 */
export function navigation(q: CmuQuery, report: Pick<ParsedReport, 'links'> | undefined, cmuBase: string): Navigation {
  const targets = new Map<string, CmuQuery>();
  const drillDown: NavLink[] = [];
  const seen = new Set<string>();
  const halChildren = (report?.links.drillDown ?? [])
    .map((l) => ({ name: l.name, path: hrefPath(l.href, cmuBase) }))
    .filter((l): l is { name: string; path: string[] } => !!l.path && l.path.length > 0);
  const children = halChildren.length ? halChildren : nextSteps(q.path).map((c) => ({ name: c, path: [...q.path, c] }));
  for (const c of children) {
    const key = c.path.join('/');
    if (seen.has(key)) continue;
    seen.add(key);
    const target = followQuery(q, c.path);
    const id = `d${drillDown.length}`;
    const added = c.path[c.path.length - 1];
    targets.set(id, target);
    const then = nextSteps(c.path);
    drillDown.push({
      id,
      label: c.name || added,
      detail: c.name && c.name !== added ? `+ ${added}` : then.length ? `→ ${then.join(', ')}` : undefined,
      href: queryToHref(target),
      title: [describe(added), queryToHref(target)].filter(Boolean).join('\n'),
    });
  }
  const breadcrumb: NavLink[] = [];
  for (let i = 0; i < q.path.length; i++) {
    const path = q.path.slice(0, i);
    const target = followQuery(q, path);
    const id = `r${i}`;
    targets.set(id, target);
    breadcrumb.push({ id, label: i === 0 ? 'root' : path[i - 1], href: queryToHref(target) });
  }
  return { drillDown, breadcrumb, targets };
}

/** The views of the first `max` columns (the panel shows no more: a 200k-column report is not described 200k times). */
export function columnViews(report: Pick<ParsedReport, 'columns'>, semantics: SemanticsLookup = metricSemantics, max = Infinity): ColumnView[] {
  const columns = report.columns.length > max ? report.columns.slice(0, max) : report.columns;
  return columns.map((c) => columnView(c.name, c.kind, semantics));
}

function columnView(name: string, kind: 'dimension' | 'metric', semantics: SemanticsLookup): ColumnView {
  const v: ColumnView = { name, kind, description: describe(name), time: isTimeDimension(name) };
  if (kind !== 'metric') return v;
  const ratio = RATIOS.find((r) => r.name === name);
  if (ratio) {
    v.derived = { formula: ratio.formula, numerator: [...ratio.numerator], denominator: [...ratio.denominator] };
    v.description = `${ratio.label} (derived here, not sent by CMU): ${ratio.formula}`;
    return v;
  }
  const s = semantics(name);
  v.additive = { time: s.additiveOverTime, dimensions: s.additiveOverDimensions, why: s.why };
  return v;
}

/**
 * Which rows of `columns` (a report's dimension columns, or one chunk's) have a time bucket that is not
 * final: now, the freshness delay, cut by the window (sparse, rows counted from 0).
 */
export function partialRows(
  columns: ReportColumns,
  window: { start?: string; end?: string },
  now: number,
  // the buckets and a suffix-less start/end are the report zone's wall clock (the panel passes the zone it sent in)
  zone: ReportZone = UTC,
): PartialRows | undefined {
  const at = (iso?: string) => (iso ? toZoneWallClock(iso, zone).instant : undefined);
  const list = partialRowList(columns, { now, window: { start: at(window.start), end: at(window.end) }, zone: zoneOffsets(zone) });
  return list.rows.length ? { rows: list.rows, reasons: list.reasons.map((why) => PARTIAL_WORDS[why]) } : undefined;
}

/** The compare view's columns and rows: the dimensions, then value, previous, Δ and Δ% per metric. */
export function compareTable(c: Comparison, semantics: SemanticsLookup = metricSemantics): { columns: ColumnView[]; rows: ReportCell[][] } {
  const columns: ColumnView[] = c.dimensions.map((d) => columnView(d, 'dimension', semantics));
  const roles: [CompareRole, string][] = [
    ['value', ''],
    ['previous', ' (prev)'],
    ['delta', ' Δ'],
    ['deltaPct', ' Δ%'],
  ];
  for (const m of c.metrics) {
    const base = columnView(m, 'metric', semantics);
    for (const [role, suffix] of roles) {
      const col: ColumnView = { ...base, name: m + suffix, compare: { metric: m, role } };
      // the previous period's ratio divides the previous period's columns
      if (base.derived && role === 'previous') col.derived = { ...base.derived, numerator: base.derived.numerator.map((n) => n + suffix), denominator: base.derived.denominator.map((n) => n + suffix) };
      columns.push(col);
    }
  }
  const rows = c.rows.map((row) => {
    const out: ReportCell[] = [...row.dimensions];
    for (const d of row.metrics) out.push(d.value, d.previous, d.delta, d.deltaPct);
    return out;
  });
  return { columns, rows };
}

export interface CompareResult {
  mode: CompareMode;
  comparison: Comparison;
  window: Window;
  previous: { window: Window; url: string };
}

export interface ReportViewOptions {
  cmuBase: string;
  environment?: string;
  /** the title of the report Back returns to */
  back?: string;
  /** redacts header values (the session's secrets plus the patterns) */
  redact?: (text: string) => string;
  elapsedMs: number;
  fetchedAt?: Date;
  /** "now" for the partial buckets (default: the clock) */
  now?: number;
  /** set: the rows are the comparison of this window with an earlier one */
  compare?: CompareResult;
  /** the query as sent and its time (the header says the window, the range and the zone) */
  sent?: SentQuery;
}

/** The first message of a report stays small: about a screenful of rows (a panel shows ~40). */
export const FIRST_ROWS = 200;
/** The rest goes in chunks the extension host posts in a few ms each (no long task). */
export const CHUNK_ROWS = 20_000;

/** What the first message says of the answer (its rows travel apart). */
export type ReportMeta = Pick<ParsedReport, 'links' | 'response'>;

/**
 * The header's query: the query as kept, plus what the server applied (default time window, default
 * limit…) as its self link says.
 */
export function appliedQueryView(q: CmuQuery, meta: ReportMeta, opts: ReportViewOptions): QueryView {
  const qv = queryView(q, opts.cmuBase, opts.environment, opts.sent);
  if (opts.back) qv.back = opts.back;
  if (!meta.links.self) return qv;
  try {
    const applied = parseQueryUrl(meta.links.self, opts.cmuBase);
    const zone = opts.sent ? parseZone(opts.sent.time.zone) : undefined;
    if (!qv.start && applied.start) {
      qv.start = applied.start;
      if (qv.time && zone) qv.time.startMs = toZoneWallClock(applied.start, zone).instant;
    }
    if (!qv.end && applied.end) {
      qv.end = applied.end;
      if (qv.time && zone) qv.time.endMs = toZoneWallClock(applied.end, zone).instant;
    }
    if (qv.limit === undefined && applied.limit !== undefined) qv.limit = applied.limit;
  } catch {
    // a self link we cannot read changes nothing
  }
  return qv;
}

/** The partial buckets of the rows of a report shown with `qv` (none in a comparison: it leaves them out). */
export function partialOf(qv: QueryView, opts: ReportViewOptions): PartialOf | undefined {
  if (opts.compare) return undefined;
  const now = opts.now ?? Date.now();
  const zone = opts.sent ? parseZone(opts.sent.time.zone) : undefined;
  return (columns) => partialRows(columns, qv, now, zone);
}

/** A report parsed in memory as the panel's rows: the report's, or the comparison's columns and rows. */
export function rowsOf(report: ParsedReport, opts: ReportViewOptions, sizes: { first: number; chunk: number }, sync = false): ReportRows {
  // only the columns the panel shows are encoded (a report of 200k columns is not encoded 200k times)
  const panel = { ...sizes, maxColumns: MAX_PANEL_COLUMNS };
  if (!opts.compare) return ReportRows.fromRows(report.columns, report.rows, panel, sync);
  const t = compareTable(opts.compare.comparison);
  const columns = t.columns.map((c) => ({ name: c.name, kind: c.kind }));
  const rows = ReportRows.fromRows(columns, t.rows, panel, sync);
  rows.views = t.columns;
  return rows;
}

/** The report's first message: the metadata and its first chunk (`more`: chunks follow). */
export function reportViewOf(q: CmuQuery, meta: ReportMeta, rows: ReportRows, nav: Navigation, opts: ReportViewOptions, more: boolean): ReportView {
  const qv = appliedQueryView(q, meta, opts);
  // a report of 200k columns is not described 200k times
  const total = rows.views?.length ?? rows.columns.length;
  const columns = rows.views ? rows.views.slice(0, MAX_PANEL_COLUMNS) : columnViews(rows, metricSemantics, MAX_PANEL_COLUMNS);
  const first = rows.chunks[0] && rows.withPartial(rows.chunks[0]);
  const view: ReportView = {
    query: qv,
    columns,
    ...(total > columns.length ? { totalColumns: total } : {}),
    rowCount: first?.rowCount ?? 0,
    data: first ? first.data : columns.map(() => ({ type: 'number', values: new Float64Array(0) })),
    more,
    ...(more && !rows.complete ? {} : { totalRows: rows.rowCount }),
    drillDown: nav.drillDown,
    breadcrumb: nav.breadcrumb,
    selfHref: meta.links.self,
    formats: ['json', 'csv', 'xml'],
    fetchedAt: (opts.fetchedAt ?? new Date()).toISOString(),
    elapsedMs: Math.round(opts.elapsedMs),
  };
  if (meta.response) {
    view.response = responseView(meta.response, opts.redact ?? redactText);
    if (!rows.complete) delete view.response.bytes; // still arriving: the last rows message says it
  }
  const c = opts.compare;
  if (c) view.compare = { mode: c.mode, current: c.window, previous: { ...c.previous.window, url: c.previous.url }, excludedPartial: c.comparison.excludedPartial };
  else if (first?.partial) view.partial = first.partial;
  return view;
}

/** A later chunk of the report's rows (its partial rows read: ReportRows.withPartial); the last one says the answer's size (`bytes`). */
export function rowsMessage(requestId: number, chunk: RowChunk, more: boolean, bytes?: number): HostMessage {
  const msg: HostMessage = { type: 'rows', requestId, start: chunk.start, rowCount: chunk.rowCount, data: chunk.data, more };
  if (chunk.partial) msg.partial = chunk.partial;
  if (!more && bytes !== undefined) msg.bytes = bytes;
  return msg;
}

/**
 * A report parsed in memory as the messages that carry it: the metadata with the first `first` rows,
 * then `rows` chunks of `chunk` rows (the browser checks and tests; the panel streams the same messages).
 */
export function* reportMessages(
  requestId: number,
  q: CmuQuery,
  report: ParsedReport,
  nav: Navigation,
  opts: ReportViewOptions,
  sizes: { first: number; chunk: number } = { first: FIRST_ROWS, chunk: CHUNK_ROWS },
): Generator<HostMessage, void, void> {
  const rows = rowsOf(report, opts, sizes, true);
  rows.setPartialOf(partialOf(appliedQueryView(q, report, opts), opts));
  const n = rows.chunks.length;
  yield { type: 'report', requestId, report: reportViewOf(q, report, rows, nav, opts, n > 1) };
  for (let i = 1; i < n; i++) yield rowsMessage(requestId, rows.withPartial(rows.chunks[i]), i < n - 1);
}

/** The report's first message with all its rows (tests, the browser checks). */
export function reportView(q: CmuQuery, report: ParsedReport, nav: Navigation, opts: ReportViewOptions): ReportView {
  const rows = rowsOf(report, opts, { first: Infinity, chunk: Infinity }, true);
  rows.setPartialOf(partialOf(appliedQueryView(q, report, opts), opts));
  return reportViewOf(q, report, rows, nav, opts, false);
}

const HIDDEN_HEADERS = new Set(['authorization', 'proxy-authorization']);
/** names whose values are credentials whatever they look like */
const SECRET_NAME = /cookie|token|secret|session|auth|api-?key|signature|credential|password/i;
const MAX_HEADERS = 100;

/**
 * The answer's status, size and headers for the panel, like every API client shows them: no
 * Authorization, cookie and credential-like values masked, every other value redacted and bounded.
 */
export function responseView(r: ReportResponse, redact: (text: string) => string): ResponseView {
  const headers: [string, string][] = Object.entries(r.headers)
    .filter(([k]) => !HIDDEN_HEADERS.has(k.toLowerCase()))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_HEADERS)
    .map(([k, v]) => [k.slice(0, 100), SECRET_NAME.test(k) ? '•••• (hidden)' : clip(redact(String(v)), 500)]);
  return { status: r.status, statusText: STATUS_CODES[r.status] ?? '', bytes: r.bytes, headers };
}

/** Whether asking again can help: the network, a timeout, the server's own failure (5xx) or throttling (429). */
export function retryable(e: unknown): boolean {
  if (!(e instanceof CmuError)) return true;
  if (e.code === 'network' || e.code === 'timeout') return true;
  const status = (e as CmuError & { status?: unknown }).status;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/**
 * Any failure as the panel's error state; `validNextSteps` (404) become links to those child paths.
 * Every text is redacted (`redact`: the session's secrets plus the patterns; an error may quote a server).
 */
export function errorView(
  e: unknown,
  q: CmuQuery | undefined,
  redact: (text: string) => string = redactText,
): { view: ErrorView; targets: Map<string, CmuQuery> } {
  const { view, targets } = errorViewOf(e, q);
  view.message = redact(view.message);
  view.explanation = redact(view.explanation);
  if (view.serverText) view.serverText = redact(view.serverText);
  return { view, targets };
}

function errorViewOf(e: unknown, q: CmuQuery | undefined): { view: ErrorView; targets: Map<string, CmuQuery> } {
  const targets = new Map<string, CmuQuery>();
  const view: ErrorView = { message: 'The report could not be loaded', explanation: '', code: 'error', actions: [], nextSteps: [] };
  if (e instanceof CmuError) {
    view.message = e.message;
    view.explanation = e.explanation;
    view.code = e.code;
    const ext = e as CmuError & { status?: unknown; serverText?: unknown; validNextSteps?: unknown; validNextStepsFrom?: unknown };
    if (typeof ext.status === 'number') view.status = ext.status;
    if (typeof ext.serverText === 'string' && ext.serverText.trim()) view.serverText = ext.serverText.slice(0, 4000);
    // the error's own next step (the host's table: the same buttons as a notification), then Retry and Show Log
    // Retry only where asking again can help (a 404 or a 400 would fail the same way)
    for (const id of [e.nextStep, 'retry', 'showLog']) {
      if (id === 'retry' && !retryable(e)) continue;
      const action = stepAction(id);
      if (action && !view.actions.some((a) => a.id === id || a.label === action.label)) view.actions.push({ id, label: action.label });
    }
    if (q && Array.isArray(ext.validNextSteps)) {
      // a 404: the valid next steps of the deepest known ancestor (the parent when not given), as links
      const steps = ext.validNextSteps.filter((s): s is string => typeof s === 'string');
      const from = ext.validNextStepsFrom;
      const parent = Array.isArray(from) && from.every((s) => typeof s === 'string') ? (from as string[]) : q.path.slice(0, -1);
      steps.forEach((s, i) => {
        const target = followQuery(q, s.includes('/') ? s.split('/').filter(Boolean) : [...parent, s]);
        const id = `n${i}`;
        targets.set(id, target);
        view.nextSteps.push({ id, label: target.path.join('/') || 'root', href: queryToHref(target) });
      });
    }
  } else {
    view.explanation = e instanceof Error ? e.message : String(e);
    for (const id of ['retry', 'showLog'] as const) view.actions.push({ id, label: STEP_ACTIONS[id].label });
  }
  return { view, targets };
}
