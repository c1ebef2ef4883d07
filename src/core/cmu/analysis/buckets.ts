/**
 * Time buckets of report rows. CMU rows carry their time as wall-clock parts in the report's zone
 * (`year: "2024", month: "11", day: "1", hour: "0"`); a bucket is the wall-clock interval those parts
 * name at the finest time dimension present, turned into instants through the zone's offset.
 */
import { TIME_ORDER, codedNumber, findColumn, numberOf, type AnalysisColumn, type CodedNumbers, type ReportColumns, type TimeDimension } from './columns';

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
    private readonly report: ReportColumns,
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
      const v = c.coded ? codedNumber(c.coded, row) : numberOf(c.at(row));
      if (!Number.isInteger(v)) return undefined;
      p[i] = v;
    }
    const t = wallTime(p[0], p[1], p[2], p[3], p[4], p[5]);
    return Number.isNaN(t) ? undefined : t;
  }

  /**
   * wallStart() of every row, NaN where it is undefined. When every time column is dictionary-coded (a
   * report's chunk) this reads codes only: each code's share of the time is read from its table once, and
   * the date of each (year, month, day) code triple once (a report has few days). Per row that is a few
   * array reads and adds; Date.UTC per row was most of a minute report's partial flags, 5–12 ms per 20k-row
   * chunk on the extension host while its code was cold.
   */
  wallStarts(): Float64Array {
    const n = this.report.rowCount;
    const out = new Float64Array(n);
    const coded = this.chain.map((c) => c.coded);
    const span = (c: CodedNumbers | undefined): number => (c ? c.values.length + 1 : 1);
    // a (year, month, day) triple's key must be exact: past 2^53 two triples could share one (a hostile server's tables)
    if (coded.length === 0 || !coded.every((c): c is CodedNumbers => c !== undefined) || span(coded[0]) * span(coded[1]) * span(coded[2]) > Number.MAX_SAFE_INTEGER) {
      for (let r = 0; r < n; r++) out[r] = this.wallStart(r) ?? NaN;
      return out;
    }
    const [y, mo, d, h, mi, s] = coded as (CodedNumbers | undefined)[];
    const valueOf = (c: CodedNumbers, k: number): number => (k === 0 ? NaN : c.values[k - 1]);
    // the ms each code of a time-of-day column adds, NaN where wallTime() refuses it; a column below the grain adds 0
    const share = (c: CodedNumbers | undefined, max: number, ms: number): Float64Array => {
      if (!c) return new Float64Array(1);
      const t = new Float64Array(c.values.length + 1).fill(NaN);
      c.values.forEach((v, i) => {
        if (Number.isInteger(v) && v <= max) t[i + 1] = v * ms;
      });
      return t;
    };
    const hMs = share(h, 23, 3_600_000);
    const miMs = share(mi, 59, 60_000);
    const sMs = share(s, 59, 1000);
    const at = (c: CodedNumbers | undefined, r: number): number => (c ? c.codes[c.offset + r] : 0);
    const moSpan = span(mo);
    const dSpan = span(d);
    /** Date.UTC of a triple's date, NaN when it is not one (or beyond Date's range: such rows are read one by one) */
    const days = new Map<number, number>();
    let lastKey = -1;
    let day = NaN;
    for (let r = 0; r < n; r++) {
      const ky = y!.codes[y!.offset + r];
      const kmo = at(mo, r);
      const kd = at(d, r);
      const key = (ky * moSpan + kmo) * dSpan + kd;
      if (key !== lastKey) {
        lastKey = key;
        let known = days.get(key);
        if (known === undefined) {
          known = dateOnly(valueOf(y!, ky), mo ? valueOf(mo, kmo) : 1, d ? valueOf(d, kd) : 1);
          days.set(key, known);
        }
        day = known;
      }
      // Date.UTC(y, mo − 1, d, h, mi, s) is exactly this sum (ECMA-262 MakeTime, MakeDate), then TimeClip
      const time = hMs[at(h, r)] + miMs[at(mi, r)] + sMs[at(s, r)];
      if (Number.isNaN(time)) out[r] = NaN;
      else if (Number.isNaN(day)) out[r] = this.wallStart(r) ?? NaN;
      else out[r] = Math.abs(day + time) > 8.64e15 ? NaN : day + time;
    }
    return out;
  }
}

/** Date.UTC(y, mo − 1, d), NaN unless the parts are a wall-clock date wallTime() accepts. */
function dateOnly(y: number, mo: number, d: number): number {
  return Number.isInteger(y) && Number.isInteger(mo) && Number.isInteger(d) ? wallTime(y, mo, d, 0, 0, 0) : NaN;
}

/** Date.UTC of wall-clock parts already checked to be integers; NaN when a part is out of range. */
function wallTime(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return NaN;
  // Date.UTC maps years 0–99 to 1900–1999; CMU years are four digits, but keep the value honest
  if (y >= 0 && y < 100) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** The wall-clock parts of a bucket start at a grain, as the server writes them (no leading zeros). */
export function wallParts(grain: TimeDimension, wallMs: number): string[] {
  const d = new Date(wallMs);
  const all = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return all.slice(0, TIME_ORDER.indexOf(grain) + 1).map(String);
}
