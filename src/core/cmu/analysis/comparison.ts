/**
 * A comparison end to end, for every front: this window and the earlier one fetched through the same
 * client — in parallel when the window is known before the first answer, else after the server's self
 * link has named it — partial buckets flagged on both sides, derived ratios added, rows joined.
 */
import { parseQueryUrl } from '../query';
import { toZoneWallClock } from '../time/queryTime';
import { formatInZone, UTC, type ReportZone } from '../time/zone';
import type { CmuQuery, ParsedReport, ReportFetchOptions } from '../types';
import { InputError } from '../../errors';
import { columnsOfRows, isTimeColumn } from './columns';
import { compareQuery, compareReports, reportWindow, type Comparison, type CompareMode, type Window } from './compare';
import { partialBuckets, zoneOffsets } from './partial';
import { withDerived } from './ratios';

export interface ReportFetcher {
  fetchReport(q: CmuQuery, opts?: ReportFetchOptions): Promise<ParsedReport>;
}

export interface FetchedComparison {
  current: { query: CmuQuery; report: ParsedReport; window: Window };
  previous: { query: CmuQuery; report: ParsedReport; window: Window };
  comparison: Comparison;
}

/**
 * The instants a report covers: the query's window, else the server's self link's. A suffix-less start/end
 * is the report zone's wall clock (the form they are sent in), so it is read in `zone`, not as UTC.
 */
export function windowInstants(report: Pick<ParsedReport, 'links'>, query: CmuQuery | undefined, zone: ReportZone = UTC): { start?: number; end?: number } {
  const self = report.links.self ? parseQueryUrl(report.links.self) : undefined;
  const at = (iso?: string) => (iso ? toZoneWallClock(iso, zone).instant : undefined);
  return { start: at(query?.start || self?.start), end: at(query?.end || self?.end) };
}

export async function fetchComparison(
  client: ReportFetcher,
  q: CmuQuery,
  opts: { mode: CompareMode; now: number; includePartial?: boolean; zone?: ReportZone } & ReportFetchOptions,
): Promise<FetchedComparison> {
  // each of the (two or three) calls gets the run's cancel signal and limits, as a plain report does
  const fetchOpts: ReportFetchOptions = { signal: opts.signal, maxBytes: opts.maxBytes, maxTimeMs: opts.maxTimeMs };
  if (!q.path.some(isTimeColumn)) {
    throw new InputError(
      `Compare needs a time dimension in the path (/${q.path.join('/')} has none)`,
      'The time window only applies to a report grouped by time: e.g. tenant/year/month/day.',
      'none',
      'bad_usage',
    );
  }
  // an open end is pinned to now as the report zone's wall clock (the form start/end are sent in)
  const nowIso = () => formatInZone(opts.zone ?? UTC, opts.now);
  const current: CmuQuery = { ...q, format: undefined };
  // one "now" for both windows: an open end is pinned, so the earlier window has exactly the same length
  if (current.start && !current.end) current.end = nowIso();
  let first: ParsedReport | undefined;
  let window = reportWindow(current, undefined, nowIso);
  if (!window) {
    // no start: the server chooses the window; its self link says which
    first = await client.fetchReport(current, fetchOpts);
    window = reportWindow(current, first.links.self, nowIso);
    if (!window) throw new InputError('Compare needs a time window: the server did not say which one it used', 'Give a start (and an end).', 'none', 'bad_usage');
  }
  const earlier = compareQuery(current, window, opts.mode);
  const [a, b] = await Promise.all([first ? Promise.resolve(first) : client.fetchReport(current, fetchOpts), client.fetchReport(earlier, fetchOpts)]);
  const ca = columnsOfRows(a);
  const cb = columnsOfRows(b);
  const zone = opts.zone ?? UTC;
  const comparison = compareReports(withDerived(ca), withDerived(cb), {
    mode: opts.mode,
    window,
    includePartial: opts.includePartial,
    partial: {
      current: partialBuckets(ca, { now: opts.now, window: windowInstants(a, current, zone), zone: zoneOffsets(zone) }).reasons,
      previous: partialBuckets(cb, { now: opts.now, window: windowInstants(b, earlier, zone), zone: zoneOffsets(zone) }).reasons,
    },
  });
  return {
    current: { query: current, report: a, window },
    previous: { query: earlier, report: b, window: { start: earlier.start as string, end: earlier.end as string } },
    comparison,
  };
}
