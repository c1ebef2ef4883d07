/**
 * `cmu report … --compare previous|week|month`: this window and the earlier one through the same
 * client, in parallel when the window is known before the first answer (else the server's self link
 * names it first), joined on the dimension values. json: both server documents and the deltas; table:
 * value, prev, Δ, Δ% per metric.
 */
import { columnsOfRows, isTimeColumn } from '../../core/cmu/analysis/columns';
import { COMPARE_MODES, compareQuery, compareReports, reportWindow, type CompareMode, type Window } from '../../core/cmu/analysis/compare';
import { partialBuckets } from '../../core/cmu/analysis/partial';
import { RATIOS, withDerived } from '../../core/cmu/analysis/ratios';
import { toIsoUtc } from '../../core/cmu/query';
import type { CmuQuery, ParsedReport } from '../../core/cmu/types';
import { InputError } from '../../core/errors';
import type { CliContext } from '../context';
import { renderCompareTable, windowOf } from './reportTable';

export function compareMode(s: string): CompareMode {
  const m = s.trim().toLowerCase();
  if (!(COMPARE_MODES as readonly string[]).includes(m)) {
    throw new InputError(`Unknown --compare ${s}`, `Use one of ${COMPARE_MODES.join(', ')}: the window just before, or the same window a week / a month earlier.`, 'none', 'bad_usage');
  }
  return m as CompareMode;
}

export interface CompareOutput {
  text: string;
  rows: number;
}

export async function fetchComparison(
  ctx: CliContext,
  q: CmuQuery,
  opts: { mode: CompareMode; format: 'json' | 'table'; includePartial: boolean; signal: AbortSignal; now: number },
): Promise<CompareOutput> {
  if (!q.path.some(isTimeColumn)) {
    throw new InputError(`--compare needs a time dimension in the path (${'/' + q.path.join('/')} has none)`, 'The time window only applies to a report grouped by time: e.g. tenant/year/month/day.', 'none', 'bad_usage');
  }
  const current: CmuQuery = { ...q, format: undefined };
  // one "now" for both windows: an open end is pinned, so the earlier window has exactly the same length
  if (current.start && !current.end) current.end = toIsoUtc(opts.now);
  let cur: ParsedReport | undefined;
  let window = reportWindow(current, undefined, () => toIsoUtc(opts.now));
  if (!window) {
    // no start: the server chooses the window; its self link says which
    cur = await ctx.cmu.fetchReport(current, { signal: opts.signal });
    window = reportWindow(current, cur.links.self, () => toIsoUtc(opts.now));
    if (!window) throw new InputError('--compare needs a time window: the server did not say which one it used', 'Give --start (and --end).', 'none', 'bad_usage');
  }
  const earlier = compareQuery(current, window, opts.mode);
  const prevWindow: Window = { start: earlier.start as string, end: earlier.end as string };
  const [a, b] = await Promise.all([cur ? Promise.resolve(cur) : ctx.cmu.fetchReport(current, { signal: opts.signal }), ctx.cmu.fetchReport(earlier, { signal: opts.signal })]);
  const ca = columnsOfRows(a);
  const cb = columnsOfRows(b);
  const comparison = compareReports(withDerived(ca), withDerived(cb), {
    mode: opts.mode,
    window,
    includePartial: opts.includePartial,
    partial: {
      current: partialBuckets(ca, { now: opts.now, window: windowOf(a, current) }).reasons,
      previous: partialBuckets(cb, { now: opts.now, window: windowOf(b, earlier) }).reasons,
    },
  });
  const derived = new Set(RATIOS.map((r) => r.name).filter((n) => comparison.metrics.includes(n)));
  if (opts.format === 'table') return { text: renderCompareTable(comparison, window, prevWindow, derived) + '\n', rows: comparison.rows.length };

  const record = (names: string[], cells: readonly unknown[]) => Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  const timeNames = comparison.dimensions.filter(isTimeColumn);
  const document = (r: ParsedReport): unknown => (r.format === 'json' ? JSON.parse(r.raw) : r.raw);
  const doc = {
    compare: opts.mode,
    current: { start: window.start, end: window.end, url: a.url, document: document(a) },
    previous: { start: prevWindow.start, end: prevWindow.end, url: b.url, document: document(b) },
    dimensions: comparison.dimensions,
    metrics: comparison.metrics,
    derived: Object.fromEntries(RATIOS.filter((r) => derived.has(r.name)).map((r) => [r.name, r.formula])),
    rows: comparison.rows.map((row) => ({
      dimensions: record(comparison.dimensions, row.dimensions),
      ...(row.previousTime ? { previousTime: record(timeNames, row.previousTime) } : {}),
      metrics: record(comparison.metrics, row.metrics),
    })),
    excludedPartial: comparison.excludedPartial,
  };
  return { text: JSON.stringify(doc, null, 2) + '\n', rows: comparison.rows.length };
}
