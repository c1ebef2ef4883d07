/**
 * Time buckets of report rows. CMU rows carry their time as wall-clock parts in the report's zone
 * (`year: "2024", month: "11", day: "1", hour: "0"`); a bucket is the wall-clock interval those parts
 * name at the finest time dimension present, turned into instants through the zone's offset.
 */
import { TIME_ORDER, findColumn, numberOf, type AnalysisColumn, type ReportColumns, type TimeDimension } from './columns';

/** Minutes east of UTC (−480 for −08:00), fixed or per instant (a zone with daylight saving). */
export type ZoneOffset = number | ((instantMs: number) => number);

export interface Bucket {
  /** the finest time dimension of the row */
  grain: TimeDimension;
  /** wall-clock parts as UTC fields of a Date (the zone is applied in lo/hi only) */
  wallStart: number;
  wallEnd: number;
  /** instants, [lo, hi) */
  lo: number;
  hi: number;
}

const MINUTE = 60_000;

export function offsetAt(zone: ZoneOffset, instantMs: number): number {
  return typeof zone === 'number' ? zone : zone(instantMs);
}

/** The instant of a wall-clock time in the zone (the later reading in a fall-back hour, as most zone libraries do not). */
export function wallToInstant(wallMs: number, zone: ZoneOffset): number {
  const guess = wallMs - offsetAt(zone, wallMs) * MINUTE;
  return wallMs - offsetAt(zone, guess) * MINUTE;
}

export function instantToWall(instantMs: number, zone: ZoneOffset): number {
  return instantMs + offsetAt(zone, instantMs) * MINUTE;
}

/** The wall-clock start of the next bucket of this grain. */
export function stepWall(grain: TimeDimension, wallMs: number, n = 1): number {
  const d = new Date(wallMs);
  switch (grain) {
    case 'year':
      return Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
    case 'day':
      return wallMs + n * 86_400_000;
    case 'hour':
      return wallMs + n * 3_600_000;
    case 'minute':
      return wallMs + n * MINUTE;
    case 'second':
      return wallMs + n * 1000;
  }
}

/**
 * Reads buckets row by row. Needs an unbroken chain of time columns from `year` down (a report grouped by
 * `hour` alone has no date: its rows have no bucket).
 */
export class BucketReader {
  private readonly chain: AnalysisColumn[] = [];
  private readonly parts = [0, 1, 1, 0, 0, 0];
  readonly grain: TimeDimension | undefined;

  constructor(
    report: ReportColumns,
    private readonly zone: ZoneOffset = 0,
  ) {
    for (const t of TIME_ORDER) {
      const c = findColumn(report, t);
      if (!c) break;
      this.chain.push(c);
    }
    this.grain = this.chain.length > 0 ? TIME_ORDER[this.chain.length - 1] : undefined;
  }

  /** The row's bucket, undefined when the report has no dated time columns or a part is not a number. */
  bucket(row: number): Bucket | undefined {
    const wallStart = this.wallStart(row);
    return wallStart === undefined ? undefined : this.bucketAt(wallStart);
  }

  /** The bucket that starts at `wallStart` (a value of wallStart(): the reader has a grain). */
  bucketAt(wallStart: number): Bucket {
    const grain = this.grain!;
    const wallEnd = stepWall(grain, wallStart);
    return { grain, wallStart, wallEnd, lo: wallToInstant(wallStart, this.zone), hi: wallToInstant(wallEnd, this.zone) };
  }

  /** The wall-clock start of the row's bucket (UTC fields), undefined as for bucket(). */
  wallStart(row: number): number | undefined {
    if (this.chain.length === 0) return undefined;
    const p = this.parts; // reused: the parts below the grain keep their defaults
    for (let i = 0; i < this.chain.length; i++) {
      const c = this.chain[i];
      const v = c.number ? c.number(row) : numberOf(c.at(row));
      if (!Number.isInteger(v)) return undefined;
      p[i] = v;
    }
    const [y, mo, d, h, mi, s] = p;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
    // Date.UTC maps years 0–99 to 1900–1999; CMU years are four digits, but keep the value honest
    if (y >= 0 && y < 100) return undefined;
    const t = Date.UTC(y, mo - 1, d, h, mi, s);
    return Number.isNaN(t) ? undefined : t;
  }
}

/** The wall-clock parts of a bucket start at a grain, as the server writes them (no leading zeros). */
export function wallParts(grain: TimeDimension, wallMs: number): string[] {
  const d = new Date(wallMs);
  const all = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return all.slice(0, TIME_ORDER.indexOf(grain) + 1).map(String);
}
