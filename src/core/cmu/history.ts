/**
 * The run history: what each report run asked and got — the query as the user ran it (a relative window
 * stays text), the environment, HTTP status, rows, duration, size and when — newest first, at most 100,
 * one entry per query and environment (running it again moves it to the top and counts the run).
 *
 * No secret is part of an entry: no token, header or client secret is recorded, and every text of the
 * query goes through the session's redaction (a filter value that looks like a token, or a value the
 * session knows as a secret, becomes `[redacted]`; a parameter named like a secret keeps only its name).
 *
 * Also the filter values seen in the reports of a session (the builder offers them).
 */
import { cloneQuery, queryToHref } from './query';
import { isTimeDimension } from './catalog';
import { isSecretName } from './savedQueries/secrets';
import { REDACTED } from '../redact';
import { canonicalWindow, parseWindow, windowName } from './time/windows';
import type { ReportColumns } from './analysis/columns';
import type { CmuQuery } from './types';

export const HISTORY_LIMIT = 100;

/** One report run, as a front reports it (before redaction). */
export interface RunRecord {
  query: CmuQuery;
  /** the environment's label: "sandbox", "staging · profile team2" */
  environment: string;
  /** the HTTP status of the answer; undefined when none came (network error, timeout) */
  status?: number;
  rows?: number;
  durationMs: number;
  /** decoded body size */
  bytes?: number;
  /** when it ran (epoch ms) */
  at: number;
  /** what went wrong, in one line */
  error?: string;
}

export interface HistoryEntry extends RunRecord {
  id: string;
  /** how many times this query ran in this environment */
  runs: number;
}

/** Redaction of free text (core Redactor.text / Session.redact). */
export type Redact = (text: string) => string;

/** Same query (window included) in the same environment: one entry. */
export function historyKey(e: Pick<RunRecord, 'query' | 'environment'>): string {
  return JSON.stringify([e.environment, queryToHref(e.query), e.query.window ?? '']);
}

/** Every text of the query redacted; a filter or projection named like a secret keeps its name only. */
export function redactQuery(q: CmuQuery, redact: Redact): CmuQuery {
  const r = (s: string) => redact(s);
  const out = cloneQuery(q);
  out.path = out.path.map(r);
  out.filters = out.filters.map((f) => ({ dimension: r(f.dimension), op: f.op, values: isSecretName(f.dimension) ? f.values.map(() => REDACTED) : f.values.map(r) }));
  out.projections = out.projections.map(r);
  out.metrics = out.metrics.map(r);
  if (out.start !== undefined) out.start = r(out.start);
  if (out.end !== undefined) out.end = r(out.end);
  return out;
}

/** A short, stable id (the run's time and its key): tree items and commands name entries by it. */
function entryId(key: string, at: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return `${at.toString(36)}-${(h >>> 0).toString(36)}`;
}

/** The list with `run` on top: redacted, an older run of the same query and environment replaced, at most `limit`. */
export function addRun(list: readonly HistoryEntry[], run: RunRecord, redact: Redact, limit = HISTORY_LIMIT): HistoryEntry[] {
  const query = redactQuery(run.query, redact);
  const environment = redact(run.environment);
  const key = historyKey({ query, environment });
  const earlier = list.find((e) => historyKey(e) === key);
  const entry: HistoryEntry = {
    id: entryId(key, run.at),
    query,
    environment,
    durationMs: Math.max(0, Math.round(run.durationMs)),
    at: run.at,
    runs: (earlier?.runs ?? 0) + 1,
  };
  if (run.status !== undefined) entry.status = run.status;
  if (run.rows !== undefined) entry.rows = run.rows;
  if (run.bytes !== undefined) entry.bytes = run.bytes;
  if (run.error) entry.error = redact(run.error.split('\n')[0]).slice(0, 300);
  return [entry, ...list.filter((e) => e !== earlier)].slice(0, Math.max(0, limit));
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function readQuery(v: unknown): CmuQuery | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (!isStrs(o.path) || !isStrs(o.projections) || !isStrs(o.metrics) || !Array.isArray(o.filters)) return undefined;
  const filters = o.filters.filter(
    (f): f is CmuQuery['filters'][number] => !!f && typeof f === 'object' && isStr((f as { dimension?: unknown }).dimension) && ((f as { op?: unknown }).op === '=' || (f as { op?: unknown }).op === '!=') && isStrs((f as { values?: unknown }).values),
  );
  if (filters.length !== o.filters.length) return undefined;
  const q = cloneQuery({ path: o.path, filters, projections: o.projections, metrics: o.metrics });
  if (isStr(o.start)) q.start = o.start;
  if (isStr(o.end)) q.end = o.end;
  if (isStr(o.window)) {
    try {
      q.window = canonicalWindow(o.window);
    } catch {
      return undefined;
    }
  }
  if (isNum(o.limit)) q.limit = o.limit;
  if (o.format === 'json' || o.format === 'csv' || o.format === 'xml' || o.format === 'html') q.format = o.format;
  return q;
}

/** What was stored (another version, a hand edit): entries that do not read are dropped, the rest bounded. */
export function parseHistory(raw: unknown, limit = HISTORY_LIMIT): HistoryEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: HistoryEntry[] = [];
  const keys = new Set<string>();
  for (const v of raw) {
    if (out.length >= limit) break;
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    const query = readQuery(o.query);
    if (!query || !isStr(o.id) || !isStr(o.environment) || !isNum(o.at) || !isNum(o.durationMs)) continue;
    const e: HistoryEntry = { id: o.id, query, environment: o.environment, at: o.at, durationMs: o.durationMs, runs: isNum(o.runs) && o.runs >= 1 ? Math.floor(o.runs) : 1 };
    if (isNum(o.status)) e.status = o.status;
    if (isNum(o.rows)) e.rows = o.rows;
    if (isNum(o.bytes)) e.bytes = o.bytes;
    if (isStr(o.error)) e.error = o.error;
    const key = historyKey(e);
    if (keys.has(key)) continue;
    keys.add(key);
    out.push(e);
  }
  return out.sort((a, b) => b.at - a.at);
}

/** The query in a few words for a list: `/tenant/year/month?mvpd=X · Last 7 days`. */
export function shortQuery(q: CmuQuery, max = 60): string {
  const href = queryToHref(q).replace(/^\/cmu\/v2/, '') || '/';
  let when = '';
  if (q.window) {
    try {
      when = ` · ${windowName(parseWindow(q.window))}`;
    } catch {
      when = ` · ${q.window}`;
    }
  }
  const text = href + when;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else the date. */
export function relativeTime(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d === 1) return 'yesterday';
  if (d < 30) return `${d} days ago`;
  return new Date(at).toISOString().slice(0, 10);
}

/** "200 · 31 rows" / "404" / "no answer" — the outcome in a few words. */
export function outcomeText(e: Pick<RunRecord, 'status' | 'rows'>): string {
  if (e.status === undefined) return 'no answer';
  return e.rows !== undefined ? `${e.status} · ${e.rows} row${e.rows === 1 ? '' : 's'}` : String(e.status);
}

const SEEN_PER_DIMENSION = 50;
const SEEN_ROWS_SCANNED = 5000;

/**
 * The values each dimension had in the reports and filters of a session, most recent first (at most 50
 * per dimension): what the builder offers for a filter. Time dimensions are left out (a window is set
 * by the time step), and so are values the redaction changes.
 */
export class SeenValues {
  private readonly byDimension = new Map<string, string[]>();

  constructor(private readonly redact: Redact = (t) => t) {}

  private add(dimension: string, value: string): void {
    if (!value || isTimeDimension(dimension) || isSecretName(dimension) || this.redact(value) !== value) return;
    const list = this.byDimension.get(dimension) ?? [];
    const i = list.indexOf(value);
    if (i >= 0) list.splice(i, 1);
    list.unshift(value);
    if (list.length > SEEN_PER_DIMENSION) list.pop();
    this.byDimension.set(dimension, list);
  }

  /** the values of the filters a query ran with */
  addQuery(q: CmuQuery): void {
    for (const f of q.filters) for (const v of [...f.values].reverse()) this.add(f.dimension, v);
  }

  /** the distinct values of each dimension column (the first rows only: a huge report is not scanned whole) */
  addReport(report: ReportColumns): void {
    for (const c of report.columns) {
      if (c.kind !== 'dimension' || isTimeDimension(c.name)) continue;
      const seen = new Set<string>();
      for (let r = 0; r < report.rowCount && r < SEEN_ROWS_SCANNED && seen.size < SEEN_PER_DIMENSION; r++) {
        const v = c.at(r);
        if (typeof v === 'string' && v !== '') seen.add(v);
        else if (typeof v === 'number') seen.add(String(v));
      }
      for (const v of [...seen].reverse()) this.add(c.name, v);
    }
  }

  values(dimension: string): string[] {
    return [...(this.byDimension.get(dimension) ?? [])];
  }
}
