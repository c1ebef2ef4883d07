/**
 * `cmu report --format table`: the server's columns, then the ratios derived here (marked `*`, never
 * sent to the server), a `partial` note on buckets whose numbers are not final; and the compare table
 * (value, prev, Δ, Δ% per metric).
 */
import { columnsOfRows } from '../../core/cmu/analysis/columns';
import type { Comparison } from '../../core/cmu/analysis/compare';
import { windowInstants } from '../../core/cmu/analysis/comparison';
import { PARTIAL_WORDS, partialBuckets, zoneOffsets, type PartialReason } from '../../core/cmu/analysis/partial';
import { derivedColumns } from '../../core/cmu/analysis/ratios';
import { parseQueryUrl } from '../../core/cmu/query';
import { rangeText, windowHeader, type ResolvedWindow } from '../../core/cmu/time/windows';
import type { ReportZone } from '../../core/cmu/time/zone';
import type { CmuQuery, ParsedReport, ReportCell } from '../../core/cmu/types';
import { formatTable, sanitize, type Cell } from '../output';

export interface TableContext {
  /** the query sent (its window marks the buckets it cuts) */
  query?: CmuQuery;
  /** the time the query was resolved to (the line above the table; its instants mark the cut buckets) */
  time?: ResolvedWindow;
  /** the report time zone the rows' buckets are in (default UTC) */
  zone?: ReportZone;
  now?: number;
}

/**
 * The time line above the table: the window's name, its range and the zone (`Last 7 days · 2024-03-05 00:00 →
 * 2024-03-12 00:00 (UTC−08:00)`); for the server's default, the range its self link echoes.
 */
export function timeHeader(time: ResolvedWindow, selfHref: string | undefined): string {
  if (!time.start && !time.end && selfHref) {
    try {
      const range = rangeText(parseQueryUrl(selfHref));
      if (range) return `time: ${time.name} · ${range} (${time.zoneLabel})`;
    } catch {
      /* an unreadable self link: the window's name is all there is */
    }
  }
  return `time: ${windowHeader(time)}`;
}

/** A fraction as a percentage, one decimal. */
export function percent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : `${(v * 100).toFixed(1)}%`;
}

/** The time line when known, the aligned table, then the row count, the self link, footnotes and where one can drill down. */
export function renderTable(r: ParsedReport, ctx: TableContext = {}): string {
  const cols = columnsOfRows(r);
  const derived = derivedColumns(cols);
  const zone = ctx.zone;
  const window = ctx.time?.startMs !== undefined || ctx.time?.endMs !== undefined ? { start: ctx.time.startMs, end: ctx.time.endMs } : windowInstants(r, ctx.query, zone);
  const partial = partialBuckets(cols, { now: ctx.now ?? Date.now(), window, zone: zone ? zoneOffsets(zone) : undefined });
  const headers = [...r.columns.map((c) => c.name), ...derived.map((d) => `${d.name}*`)];
  if (partial.count > 0) headers.push('note');
  const rows: Cell[][] = r.rows.map((row, i) => {
    const out: Cell[] = [...row, ...derived.map((d) => percent(d.at(i) as number | null))];
    if (partial.count > 0) out.push(partial.reasons[i] ? 'partial' : '');
    return out;
  });
  const align = headers.map((_, i) => (i < r.columns.length ? (r.columns[i].kind === 'metric' ? 'right' : 'left') : i < r.columns.length + derived.length ? 'right' : 'left'));
  const lines = ctx.time ? [sanitize(timeHeader(ctx.time, r.links.self)), ''] : [];
  lines.push(formatTable(headers, rows, { align }));
  lines.push('');
  lines.push(`${r.rows.length} row${r.rows.length === 1 ? '' : 's'}` + (r.links.self ? `  ${sanitize(r.links.self)}` : ''));
  for (const d of derived) lines.push(`* ${d.name} = ${d.derived.formula} (derived here, not sent by CMU)`);
  lines.push(...partialNotes(partial.reasons));
  if (r.links.drillDown.length) lines.push(`drill down: ${r.links.drillDown.map((l) => sanitize(l.name)).join(', ')}`);
  if (r.links.rollUp.length) lines.push(`roll up: ${r.links.rollUp.map((l) => sanitize(l.href)).join(', ')}`);
  return lines.join('\n');
}

function plain(v: number | null): string {
  return v === null ? '' : Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** `+12`, `-3.4%`, `0.0 pt`: the sign of what is shown (a change that rounds to zero has none). */
function signed(v: number | null, digits: number, unit: string): string {
  if (v === null || !Number.isFinite(v)) return '';
  const s = v.toFixed(digits);
  const zero = Number(s) === 0;
  return (zero ? (0).toFixed(digits) : v > 0 ? '+' + s : s) + unit;
}

function partialNotes(reasons: readonly (PartialReason | undefined)[]): string[] {
  const seen = new Set(reasons.filter((x): x is PartialReason => x !== undefined));
  return [...seen].map((why) => `partial: ${reasons.filter((x) => x === why).length} row(s), ${PARTIAL_WORDS[why].replace(/^partial: /, '')}`);
}

/** Value, prev, Δ and Δ% per metric; derived ratios as percentages and their Δ in points. */
export function renderCompareTable(c: Comparison, current: { start: string; end: string }, previous: { start: string; end: string }, derivedNames: ReadonlySet<string>): string {
  const headers = [...c.dimensions];
  for (const m of c.metrics) {
    const label = derivedNames.has(m) ? `${m}*` : m;
    headers.push(label, `${label} prev`, `${label} Δ`, `${label} Δ%`);
  }
  const rows: Cell[][] = c.rows.map((row) => {
    const out: Cell[] = row.dimensions.map((v: ReportCell) => v);
    c.metrics.forEach((m, j) => {
      const d = row.metrics[j];
      if (derivedNames.has(m)) out.push(percent(d.value), percent(d.previous), signed(d.delta === null ? null : d.delta * 100, 1, ' pt'));
      else out.push(plain(d.value), plain(d.previous), signed(d.delta, 0, ''));
      out.push(signed(d.deltaPct, 1, '%'));
    });
    return out;
  });
  const align = headers.map((_, i) => (i < c.dimensions.length ? 'left' : 'right') as 'left' | 'right');
  const lines = [formatTable(headers, rows, { align }), ''];
  lines.push(`${c.rows.length} row${c.rows.length === 1 ? '' : 's'}: ${sanitize(current.start)} → ${sanitize(current.end)} against ${sanitize(previous.start)} → ${sanitize(previous.end)} (${c.mode})`);
  if (c.excludedPartial > 0) lines.push(`${c.excludedPartial} row(s) with a partial bucket left out (--include-partial to keep them)`);
  if (derivedNames.size > 0) lines.push('* derived here from the server’s columns; Δ in percentage points');
  return lines.join('\n');
}
