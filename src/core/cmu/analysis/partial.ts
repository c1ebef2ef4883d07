/**
 * Partial periods: a bucket whose numbers will still change, or that the time window cuts, drawn as if
 * full would look like a cliff toward zero. A bucket is partial when
 * - it contains "now" or lies in the future (`now`),
 * - it ended less than the data-freshness horizon ago: the server recomputes that grain on a schedule,
 *   so its last run may predate the bucket's end (`fresh`),
 * - the report's window starts after its start or ends before its end (`window`).
 */
import { BucketReader, type ZoneOffset } from './buckets';
import type { ReportColumns, TimeDimension } from './columns';
import { freshnessHorizonMs } from '../catalog';
import { offsetAt, type ReportZone } from '../time/zone';

export type PartialReason = 'now' | 'fresh' | 'window';

export interface PartialOptions {
  now: number;
  /** the report's zone (default UTC) */
  zone?: ZoneOffset;
  /** the freshness horizon in ms (default: the catalog's, by the report's finest time dimension) */
  horizonMs?: number;
  /** the window asked for, as instants; a bucket it cuts is partial */
  window?: { start?: number; end?: number };
}

export interface PartialFlags {
  /** per row: why its bucket is partial, undefined when it is complete (or has no bucket) */
  reasons: (PartialReason | undefined)[];
  count: number;
}

export const PARTIAL_WORDS: Readonly<Record<PartialReason, string>> = {
  now: 'partial: the period is not over yet',
  fresh: 'partial: within the server’s data-freshness delay, numbers may still grow',
  window: 'partial: the time window covers only part of this period',
};

/** A report zone as the bucket reader's offsets (minutes east of UTC, per instant). */
export function zoneOffsets(zone: ReportZone): ZoneOffset {
  return (t: number) => offsetAt(zone, t) / 60_000;
}

const HOUR = 3_600_000;
const MAX_OFFSET_MS = 14 * HOUR;
/** the longest a bucket of each grain can be on the wall clock (a leap year, a 31-day month, a day with a DST hour) */
const LONGEST_SPAN_MS: Readonly<Record<TimeDimension, number>> = { year: 366 * 24 * HOUR, month: 31 * 24 * HOUR, day: 25 * HOUR, hour: 2 * HOUR, minute: 60_000 * 2, second: 2000 };

export function partialBuckets(report: ReportColumns, opts: PartialOptions): PartialFlags {
  const reasons: (PartialReason | undefined)[] = new Array(report.rowCount).fill(undefined);
  const list = partialRowList(report, opts);
  list.rows.forEach((r, i) => (reasons[r] = list.reasons[i]));
  return { reasons, count: list.rows.length };
}

/** The rows whose bucket is partial, in order, and why: partialBuckets() without a slot per complete row. */
export function partialRowList(report: ReportColumns, opts: PartialOptions): { rows: number[]; reasons: PartialReason[] } {
  const reader = new BucketReader(report, opts.zone ?? 0);
  const rows: number[] = [];
  const reasons: PartialReason[] = [];
  if (reader.grain === undefined) return { rows, reasons };
  const horizon = opts.horizonMs ?? freshnessHorizonMs(report.columns.map((c) => c.name)) ?? 0;
  const { now } = opts;
  const wStart = opts.window?.start;
  const wEnd = opts.window?.end;
  // A bucket starting at wall time w spans instants within [w − 14 h, w + its longest span + 14 h] (UTC
  // offsets are ±14 h): one that provably ends before the horizon and inside the window is complete without
  // being judged (a minute report is a bucket per row; judging each was most of a chunk's read).
  const span = LONGEST_SPAN_MS[reader.grain] + MAX_OFFSET_MS;
  const settledBefore = now - horizon - span;
  const insideFrom = wStart === undefined ? -Infinity : wStart + MAX_OFFSET_MS;
  const insideTo = wEnd === undefined ? Infinity : wEnd - span;
  const judge = (wallStart: number): PartialReason | undefined => {
    if (wallStart <= settledBefore && wallStart >= insideFrom && wallStart <= insideTo) return undefined;
    const b = reader.bucketAt(wallStart);
    if (b.hi > now) return 'now';
    if (b.hi > now - horizon) return 'fresh';
    if ((wStart !== undefined && wStart > b.lo) || (wEnd !== undefined && wEnd < b.hi)) return 'window';
    return undefined;
  };
  // rows repeat buckets (one per tenant, per channel…): the last one judged is remembered
  let lastStart = NaN;
  let lastWhy: PartialReason | undefined;
  const starts = reader.wallStarts();
  for (let r = 0; r < starts.length; r++) {
    const w = starts[r];
    if (Number.isNaN(w)) continue;
    if (w !== lastStart) {
      lastStart = w;
      lastWhy = judge(w);
    }
    if (lastWhy) {
      rows.push(r);
      reasons.push(lastWhy);
    }
  }
  return { rows, reasons };
}
