/**
 * What the analysis needs to know about a metric and about data freshness, as injected lookups (the
 * catalog answers in the product; tests pass their own). An unknown metric is not additive: a sum that
 * might be meaningless is not shown.
 */

export interface MetricSemantics {
  /** the value of a longer period is the sum of its buckets */
  additiveOverTime: boolean;
  /** a parent row is the sum of its drill-down rows */
  additiveOverDimensions: boolean;
  /** one line on why, shown when a total is left empty */
  why?: string;
}

export type SemanticsLookup = (metric: string) => MetricSemantics;

export const NOT_ADDITIVE: SemanticsLookup = () => ({
  additiveOverTime: false,
  additiveOverDimensions: false,
  why: 'not a metric the catalog knows: treated as not additive',
});

const EVENT = { additiveOverTime: true, additiveOverDimensions: true };
const DISTINCT = { additiveOverTime: false, additiveOverDimensions: false };
const KNOWN: Readonly<Record<string, MetricSemantics>> = {
  'started-sessions': { ...EVENT, why: 'each session starts once, in one bucket and one tenant/mvpd/app' },
  'completed-sessions': { ...EVENT, why: 'each session ends once' },
  'failed-attempts': { ...EVENT, why: 'each denied attempt is one event' },
  'dismissed-sessions': { ...EVENT, why: 'each dismissal is one event' },
  'killed-sessions': { ...EVENT, why: 'each kill is one event' },
  'active-sessions': {
    additiveOverTime: false,
    additiveOverDimensions: true,
    why: 'a session active across two buckets is counted in both; it belongs to one tenant/mvpd/application',
  },
  'active-users': { ...DISTINCT, why: 'a distinct count: a user active on two days, or on two platforms, is counted in each' },
  users: { ...DISTINCT, why: 'distinct users per level bucket and period' },
};

/**
 * The documented metrics' semantics (event counts add up; distinct and peak counts do not; duration
 * buckets count streams once); anything else is not additive.
 */
export const CATALOG_SEMANTICS: SemanticsLookup = (metric) =>
  Object.prototype.hasOwnProperty.call(KNOWN, metric)
    ? { ...KNOWN[metric] }
    : metric.startsWith('duration_')
      ? { ...EVENT, why: 'streams counted once, by their duration' }
      : NOT_ADDITIVE(metric);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * How far behind "now" the server's data may be, by the finest time dimension of the report (reference,
 * "Data freshness": year/month 2 days, day 3 h, hour 1 h, minute 1 min; concurrency/activity-level
 * reports are recomputed daily whatever their granularity).
 */
export const FRESHNESS_MS: Readonly<Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'levels', number>> = {
  year: 48 * HOUR,
  month: 48 * HOUR,
  day: 3 * HOUR,
  hour: HOUR,
  minute: MINUTE,
  second: MINUTE,
  levels: 24 * HOUR,
};

/** The horizon for a report with these column names (undefined without a time dimension). */
export function freshnessFor(columnNames: readonly string[]): number | undefined {
  if (columnNames.includes('concurrency-level') || columnNames.includes('activity-level')) return FRESHNESS_MS.levels;
  const finest = (['second', 'minute', 'hour', 'day', 'month', 'year'] as const).find((t) => columnNames.includes(t));
  return finest ? FRESHNESS_MS[finest] : undefined;
}
