/**
 * Totals that mean what they say. Adding a metric's rows is only right when the metric adds up over
 * everything the rows differ in: across time buckets (additiveOverTime) and across dimension values
 * (additiveOverDimensions). `active-users` summed over 365 days counts a daily user 365 times; the total
 * cell stays empty and says why. When one call to the server can give the real value (the parent
 * report over the same window), {@link parentTotalQuery} builds that query; fetching it is the front's job.
 */
import type { CmuQuery } from '../types';
import { isTimeColumn, rowIndices, varies, type ReportColumns } from './columns';
import { NOT_ADDITIVE, type SemanticsLookup } from './semantics';

export interface MetricTotal {
  metric: string;
  /** the sum of the rows, only where it means something */
  value?: number;
  /** why there is no value (a tooltip) */
  why?: string;
}

const PLURAL: Record<string, string> = { year: 'years', month: 'months', day: 'days', hour: 'hours', minute: 'minutes', second: 'seconds' };

/**
 * What the rows span: the time dimensions and the other dimensions that take more than one value over
 * them (a constant column adds nothing up).
 */
export function rowSpan(report: ReportColumns, rows?: ArrayLike<number>): { time: string[]; dimensions: string[] } {
  const idx = rowIndices(report, rows);
  const time: string[] = [];
  const dimensions: string[] = [];
  for (const c of report.columns) {
    if (c.kind !== 'dimension' || !varies(c, idx)) continue;
    (isTimeColumn(c.name) ? time : dimensions).push(c.name);
  }
  return { time, dimensions };
}

/** One total per metric column over `rows` (default: all). */
export function metricTotals(report: ReportColumns, semantics: SemanticsLookup = NOT_ADDITIVE, rows?: ArrayLike<number>): MetricTotal[] {
  const idx = rowIndices(report, rows);
  const span = rowSpan(report, idx);
  const out: MetricTotal[] = [];
  for (const col of report.columns) {
    if (col.kind !== 'metric') continue;
    const s = semantics(col.name);
    const why = (over: string) => `${col.name} does not add up across ${over}` + (s.why ? `: ${s.why}` : '');
    if (span.time.length > 0 && !s.additiveOverTime) {
      // the finest varying time dimension names the buckets being added
      out.push({ metric: col.name, why: why(PLURAL[span.time[span.time.length - 1]] ?? span.time[span.time.length - 1]) });
      continue;
    }
    if (span.dimensions.length > 0 && !s.additiveOverDimensions) {
      out.push({ metric: col.name, why: why(span.dimensions.map((d) => `${d} values`).join(' and ')) });
      continue;
    }
    let sum = 0;
    let any = false;
    for (let i = 0; i < idx.length; i++) {
      const v = col.at(idx[i]);
      const n = typeof v === 'number' ? v : v === null ? NaN : Number(v);
      if (!Number.isNaN(n)) {
        sum += n;
        any = true;
      }
    }
    out.push(any ? { metric: col.name, value: sum } : { metric: col.name, why: 'no values' });
  }
  return out;
}

/**
 * The query whose one row is the server's own total of these rows: the same filters, window and metrics
 * at the longest prefix of the path whose dimensions are constant over the rows (projections that vary
 * are dropped). Undefined when no such call exists: the rows differ in the first path segment, or the
 * prefix loses every time dimension of a windowed report (the window only applies to a path with one).
 * The front uses the answer only when it has exactly one row.
 */
export function parentTotalQuery(query: CmuQuery, report: ReportColumns, rows?: ArrayLike<number>): CmuQuery | undefined {
  const idx = rowIndices(report, rows);
  if (idx.length === 0) return undefined;
  const varying = new Set(report.columns.filter((c) => c.kind === 'dimension' && varies(c, idx)).map((c) => c.name));
  if (varying.size === 0) return undefined; // one row, or rows alike: the total is that row
  let n = 0;
  while (n < query.path.length && !varying.has(query.path[n])) n++;
  const path = query.path.slice(0, n);
  const timed = query.path.some(isTimeColumn);
  if (timed && !path.some(isTimeColumn)) return undefined;
  if (path.length === query.path.length && query.projections.every((p) => !varying.has(p))) return undefined; // nothing varies that the path would drop
  return {
    ...query,
    path,
    filters: query.filters.map((f) => ({ ...f, values: [...f.values] })),
    projections: query.projections.filter((p) => !varying.has(p)),
    metrics: [...query.metrics],
    limit: undefined,
    format: undefined,
  };
}
