/**
 * A comparison end to end, for every front: this window and the earlier one fetched through the same
 * client — in parallel when the window is known before the first answer, else after the server's self
 * link has named it — partial buckets flagged on both sides, derived ratios added, rows joined.
 */
import { isoToMillis, parseQueryUrl, toIsoUtc } from '../query';
import type { CmuQuery, ParsedReport } from '../types';
import { InputError } from '../../errors';
import { columnsOfRows, isTimeColumn } from './columns';
import { compareQuery, compareReports, reportWindow, type Comparison, type CompareMode, type Window } from './compare';
import { partialBuckets } from './partial';
import { withDerived } from './ratios';

export interface ReportFetcher {
  fetchReport(q: CmuQuery, opts?: { signal?: AbortSignal }): Promise<ParsedReport>;
}

export interface FetchedComparison {
  current: { query: CmuQuery; report: ParsedReport; window: Window };
  previous: { query: CmuQuery; report: ParsedReport; window: Window };
  comparison: Comparison;
}

/** The instants a report covers: the query's window, else the server's self link's. */
export function windowInstants(report: Pick<ParsedReport, 'links'>, query?: CmuQuery): { start?: number; end?: number } {
  const self = report.links.self ? parseQueryUrl(report.links.self) : undefined;
  const start = query?.start || self?.start;
  const end = query?.end || self?.end;
  return { start: start ? isoToMillis(start) : undefined, end: end ? isoToMillis(end) : undefined };
}

export async function fetchComparison(
  client: ReportFetcher,
  q: CmuQuery,
  opts: { mode: CompareMode; now: number; includePartial?: boolean; signal?: AbortSignal },
): Promise<FetchedComparison> {
  if (!q.path.some(isTimeColumn)) {
    throw new InputError(
      `Compare needs a time dimension in the path (/${q.path.join('/')} has none)`,
      'The time window only applies to a report grouped by time: e.g. tenant/year/month/day.',
      'none',
      'bad_usage',
    );
  }
  const nowIso = () => toIsoUtc(opts.now);
  const current: CmuQuery = { ...q, format: undefined };
  // one "now" for both windows: an open end is pinned, so the earlier window has exactly the same length
  if (current.start && !current.end) current.end = nowIso();
  let first: ParsedReport | undefined;
  let window = reportWindow(current, undefined, nowIso);
  if (!window) {
    // no start: the server chooses the window; its self link says which
    first = await client.fetchReport(current, { signal: opts.signal });
    window = reportWindow(current, first.links.self, nowIso);
    if (!window) throw new InputError('Compare needs a time window: the server did not say which one it used', 'Give a start (and an end).', 'none', 'bad_usage');
  }
  const earlier = compareQuery(current, window, opts.mode);
  const [a, b] = await Promise.all([first ? Promise.resolve(first) : client.fetchReport(current, { signal: opts.signal }), client.fetchReport(earlier, { signal: opts.signal })]);
  const ca = columnsOfRows(a);
  const cb = columnsOfRows(b);
  const comparison = compareReports(withDerived(ca), withDerived(cb), {
    mode: opts.mode,
    window,
    includePartial: opts.includePartial,
    partial: {
      current: partialBuckets(ca, { now: opts.now, window: windowInstants(a, current) }).reasons,
      previous: partialBuckets(cb, { now: opts.now, window: windowInstants(b, earlier) }).reasons,
    },
  });
  return {
    current: { query: current, report: a, window },
    previous: { query: earlier, report: b, window: { start: earlier.start as string, end: earlier.end as string } },
    comparison,
  };
}
