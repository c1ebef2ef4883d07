/**
 * The server's own total where the rows' sum means nothing (a distinct or peak count across days or
 * mvpds): one more call, for the parent report that totals.ts's {@link parentTotalQuery} names, used only
 * when it answers with exactly one row. A front asks after the report is on screen, with the report's
 * cancel signal and limits; the answer fills only the total cells the rows cannot.
 */
import { DEFAULT_LIMIT } from '../catalog';
import { parseQueryUrl } from '../query';
import type { CmuQuery, ReportFetchOptions, ReportLinks } from '../types';
import { numberOf, type AnalysisColumn, type ReportColumns } from './columns';
import type { ReportFetcher } from './comparison';
import type { SemanticsLookup } from './semantics';
import { parentTotalQuery, rowSpan } from './totals';

export interface ParentTotal {
  /** the parent report's path, e.g. "/tenant/year/month" */
  path: string;
  /** the parent report's URL as fetched */
  url: string;
  /** the parent row's value of each metric whose rows do not add up */
  values: Record<string, number>;
}

/**
 * The metrics of `table` that get no total from their rows (the rows span days, or values of a dimension,
 * that a distinct count does not add up over) and have a value. Empty: the rows give every total, no call
 * is needed. The same verdict as metricTotals without its sums (a 200k-row report: one scan of the
 * dimensions, no pass over every metric).
 */
export function metricsWithoutTotal(table: ReportColumns, semantics: SemanticsLookup): string[] {
  const span = rowSpan(table);
  const out: string[] = [];
  for (const col of table.columns) {
    if (col.kind !== 'metric') continue;
    const s = semantics(col.name);
    const adds = !(span.time.length > 0 && !s.additiveOverTime) && !(span.dimensions.length > 0 && !s.additiveOverDimensions);
    if (!adds && hasValue(col, table.rowCount)) out.push(col.name);
  }
  return out;
}

function hasValue(col: AnalysisColumn, rows: number): boolean {
  for (let r = 0; r < rows; r++) if (!Number.isNaN(numberOf(col.at(r)))) return true;
  return false;
}

/**
 * The parent report's values of the metrics that have no total, or undefined when no one call gives them:
 * every total comes from the rows, no parent path keeps the window, the rows may have been cut by the query's
 * limit or, without one, the server's default (1000 in Adobe's capture; the parent's value would be of more
 * than the rows shown), or the parent has more than one row.
 * `query` is the query as sent (its window resolved); a window the server chose is read from the self link;
 * `table`: the report's rows as columns.
 */
export async function fetchParentTotal(
  client: ReportFetcher,
  query: CmuQuery,
  report: { links: ReportLinks; table: ReportColumns },
  opts: ReportFetchOptions & { semantics: SemanticsLookup },
): Promise<ParentTotal | undefined> {
  const { table } = report;
  // rows that reach the limit may be cut: the query's, or the server's default when the query sets none
  if (table.rowCount >= (query.limit ?? DEFAULT_LIMIT)) return undefined;
  const missing = metricsWithoutTotal(table, opts.semantics);
  if (missing.length === 0) return undefined;
  await new Promise((resolve) => setTimeout(resolve, 0)); // two scans of a big report: two tasks, not one long one
  const parentQ = parentTotalQuery(query, table);
  if (!parentQ) return undefined;
  if (!parentQ.start && !parentQ.end && report.links.self) {
    // the server's default window: the parent path's default may be another one, so the child's is sent
    const self = parseQueryUrl(report.links.self);
    if (self.start) parentQ.start = self.start;
    if (self.end) parentQ.end = self.end;
  }
  const { signal, maxBytes, maxTimeMs } = opts;
  const parent = await client.fetchReport(parentQ, { signal, maxBytes, maxTimeMs });
  if (parent.rows.length !== 1) return undefined;
  const values: Record<string, number> = {};
  for (const m of missing) {
    const i = parent.columns.findIndex((c) => c.kind === 'metric' && c.name === m);
    const v = i < 0 ? undefined : parent.rows[0][i];
    if (typeof v === 'number' && Number.isFinite(v)) values[m] = v;
  }
  if (Object.keys(values).length === 0) return undefined;
  return { path: '/' + parentQ.path.join('/'), url: parent.url, values };
}
