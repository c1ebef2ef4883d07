/**
 * Compare mode: the same query over an earlier window, and the two reports joined row by row.
 *
 * Windows: `previous` is the window of equal length that ends where this one starts; `week` and `month`
 * are this window 7 days / one calendar month earlier (a day past the end of the shorter month is
 * clamped to its last day). Shifts are done on the wall-clock values CMU is sent, so a calendar day
 * stays a calendar day in the report's zone.
 *
 * Join: a row of this period meets the row of the earlier one with the same non-time dimension values
 * whose time bucket is this row's bucket shifted back the same way (floored to the report's grain). It
 * is a full join: a value that vanished (an MVPD at zero now) is what moved most. Rows where either side
 * is a partial bucket are left out unless asked for: a half-filled day against a whole one is not a drop.
 */
import { isoToMillis, parseQueryUrl, readIsoTime } from '../query';
import type { CmuQuery, ReportCell } from '../types';
import { BucketReader, wallParts } from './buckets';
import { TIME_ORDER, isTimeColumn, numberOf, type AnalysisColumn, type ReportColumns, type TimeDimension } from './columns';
import type { PartialReason } from './partial';

import { type CompareMode } from './compareModes';

export { COMPARE_MODES, type CompareMode } from './compareModes';

export interface Window {
  start: string;
  end: string;
}

interface WallValue {
  wall: number;
  /** how many of year, month, day, hour, minute, second the value was written with */
  precision: number;
  suffix: string;
}

/** A start/end as written (epoch ms has no wall form): the product's one reader, seconds kept whole. */
function readWall(iso: string): WallValue | undefined {
  const r = readIsoTime(iso);
  if ('bad' in r || r.precision === 0) return undefined;
  return { wall: Math.floor(r.wall / 1000) * 1000, precision: r.precision, suffix: r.suffix };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** As precise as the input was, or more when the shifted value needs it (a 36-hour shift of a date). */
function writeWall(wall: number, precision: number, suffix: string): string {
  const d = new Date(wall);
  const parts = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  const defaults = [0, 1, 1, 0, 0, 0];
  let p = precision;
  for (let i = 5; i >= p; i--) {
    if (parts[i] !== defaults[i]) {
      p = i + 1;
      break;
    }
  }
  let s = pad(parts[0], 4);
  if (p > 1) s += '-' + pad(parts[1]);
  if (p > 2) s += '-' + pad(parts[2]);
  if (p > 3) s += 'T' + pad(parts[3]);
  if (p > 3) s += ':' + pad(p > 4 ? parts[4] : 0);
  if (p > 5) s += ':' + pad(parts[5]);
  return s + suffix;
}

/** One calendar month back; the 31st becomes the last day of a shorter month. */
function monthBack(wall: number, months = 1): number {
  const d = new Date(wall);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() - months;
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  return Date.UTC(y, mo, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/** The window a report covered: the query's, else the server's self link's; `end` defaults to `now` (the server's default). */
export function reportWindow(query: CmuQuery, selfHref: string | undefined, now: () => string): Window | undefined {
  const self = selfHref ? parseQueryUrl(selfHref) : undefined;
  const start = query.start || self?.start;
  const end = query.end || self?.end || now();
  return start ? { start, end } : undefined;
}

/** How far back the earlier window is, as the shift applied to wall-clock values. */
export interface Shift {
  mode: CompareMode;
  /** previous: the window's length in ms */
  lengthMs?: number;
  /** previous with whole calendar months (a month-aligned window): that many months */
  months?: number;
}

export function shiftFor(mode: CompareMode, window: Window): Shift {
  if (mode !== 'previous') return { mode };
  const s = readWall(window.start);
  const e = readWall(window.end);
  const a = isoToMillis(window.start);
  const b = isoToMillis(window.end);
  if (!s || !e || a === undefined || b === undefined || b <= a) throw new RangeError(`cannot compare the window ${window.start} → ${window.end}`);
  const ds = new Date(s.wall);
  const de = new Date(e.wall);
  const monthStart = (d: Date) => d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0;
  if (monthStart(ds) && monthStart(de)) {
    // "the previous month" of a month is the calendar month before it, not the 30 days before it
    return { mode, months: (de.getUTCFullYear() - ds.getUTCFullYear()) * 12 + de.getUTCMonth() - ds.getUTCMonth() };
  }
  return { mode, lengthMs: b - a };
}

export function shiftWall(wall: number, shift: Shift): number {
  switch (shift.mode) {
    case 'week':
      return wall - 7 * 86_400_000;
    case 'month':
      return monthBack(wall);
    case 'previous':
      return shift.months !== undefined ? monthBack(wall, shift.months) : wall - (shift.lengthMs ?? 0);
  }
}

/** The earlier window. */
export function compareWindow(window: Window, mode: CompareMode): Window {
  const shift = shiftFor(mode, window);
  const s = readWall(window.start);
  const e = readWall(window.end);
  if (!s || !e) throw new RangeError(`cannot compare the window ${window.start} → ${window.end}`);
  return {
    start: writeWall(shiftWall(s.wall, shift), s.precision, s.suffix),
    // previous: ends exactly where this window starts, as written
    end: mode === 'previous' ? window.start : writeWall(shiftWall(e.wall, shift), e.precision, e.suffix),
  };
}

/** The same query over the earlier window (a new object; the query is not touched). */
export function compareQuery(query: CmuQuery, window: Window, mode: CompareMode): CmuQuery {
  const w = compareWindow(window, mode);
  return {
    ...query,
    path: [...query.path],
    filters: query.filters.map((f) => ({ ...f, values: [...f.values] })),
    projections: [...query.projections],
    metrics: [...query.metrics],
    start: w.start,
    end: w.end,
  };
}

export interface MetricDelta {
  value: number | null;
  previous: number | null;
  /** value − previous */
  delta: number | null;
  /** Δ / previous × 100; null when previous is 0 or missing */
  deltaPct: number | null;
}

export interface CompareRow {
  /** dimension values in column order; time values are this period's (shifted forward for a row only the earlier period has) */
  dimensions: ReportCell[];
  /** the earlier period's time values, when the report has a time grain */
  previousTime?: string[];
  /** row indices in each report */
  current?: number;
  previous?: number;
  metrics: MetricDelta[];
}

export interface Comparison {
  mode: CompareMode;
  dimensions: string[];
  metrics: string[];
  rows: CompareRow[];
  /** pairs left out because a side is a partial bucket */
  excludedPartial: number;
}

export interface CompareOptions {
  mode: CompareMode;
  /** this period's window (sets the shift of `previous`) */
  window: Window;
  /** per row of each report, from partialBuckets() */
  partial?: { current?: readonly (PartialReason | undefined)[]; previous?: readonly (PartialReason | undefined)[] };
  includePartial?: boolean;
}

export function compareReports(current: ReportColumns, previous: ReportColumns, opts: CompareOptions): Comparison {
  const shift = shiftFor(opts.mode, opts.window);
  const dims = current.columns.filter((c) => c.kind === 'dimension');
  const otherDims = dims.filter((c) => !isTimeColumn(c.name));
  const prevByName = new Map(previous.columns.map((c) => [c.name, c]));
  const metrics = current.columns.filter((c) => c.kind === 'metric' && prevByName.get(c.name)?.kind === 'metric');
  const prevMetrics = metrics.map((m) => prevByName.get(m.name) as AnalysisColumn);
  const prevOther = otherDims.map((d) => prevByName.get(d.name));
  const curBuckets = new BucketReader(current);
  const prevBuckets = new BucketReader(previous);
  const grain = curBuckets.grain;

  const keyOf = (cells: ReportCell[], time: string[] | undefined) => JSON.stringify([cells, time ?? null]);
  const backTime = (r: number): string[] | undefined => {
    const w = curBuckets.wallStart(r);
    return w === undefined || !grain ? undefined : wallParts(grain, floorWall(grain, shiftWall(w, shift)));
  };

  const prevIndex = new Map<string, number>();
  for (let r = 0; r < previous.rowCount; r++) {
    const w = prevBuckets.wallStart(r);
    const time = w === undefined || !grain ? undefined : wallParts(grain, w);
    const key = keyOf(
      prevOther.map((c) => cellText(c?.at(r) ?? null)),
      time,
    );
    if (!prevIndex.has(key)) prevIndex.set(key, r);
  }

  const partialCur = opts.partial?.current;
  const partialPrev = opts.partial?.previous;
  const isPartial = (cur?: number, prev?: number) =>
    !opts.includePartial && ((cur !== undefined && partialCur?.[cur] !== undefined) || (prev !== undefined && partialPrev?.[prev] !== undefined));
  const rows: CompareRow[] = [];
  const used = new Set<number>();
  let excluded = 0;
  for (let r = 0; r < current.rowCount; r++) {
    const back = backTime(r);
    const p = prevIndex.get(
      keyOf(
        otherDims.map((c) => cellText(c.at(r))),
        back,
      ),
    );
    if (p !== undefined) used.add(p);
    if (isPartial(r, p)) {
      excluded++;
      continue;
    }
    rows.push({
      dimensions: dims.map((c) => c.at(r)),
      previousTime: grain ? back : undefined,
      current: r,
      previous: p,
      metrics: metrics.map((m, j) => delta(numberOf(m.at(r)), p === undefined ? NaN : numberOf(prevMetrics[j].at(p)))),
    });
  }
  // rows only the earlier period has: labelled with this period's time (the inverse shift of their bucket)
  const forward = grain ? forwardIndex(current, curBuckets, grain, (r) => backTime(r)) : undefined;
  for (let p = 0; p < previous.rowCount; p++) {
    if (used.has(p)) continue;
    if (isPartial(undefined, p)) {
      excluded++;
      continue;
    }
    const w = prevBuckets.wallStart(p);
    const time = w === undefined || !grain ? undefined : wallParts(grain, w);
    const fwd = time && forward ? forward.get(time.join('-')) : undefined;
    const dimensions = dims.map((c): ReportCell => {
      if (isTimeColumn(c.name)) {
        const i = TIME_ORDER.indexOf(c.name);
        return fwd ? fwd[i] : null;
      }
      return prevByName.get(c.name)?.at(p) ?? null;
    });
    rows.push({
      dimensions,
      previousTime: time,
      previous: p,
      metrics: prevMetrics.map((m) => delta(NaN, numberOf(m.at(p)))),
    });
  }
  return { mode: opts.mode, dimensions: dims.map((c) => c.name), metrics: metrics.map((m) => m.name), rows, excludedPartial: excluded };
}

/** This period's time labels keyed by the earlier bucket they map to (for rows only the earlier period has). */
function forwardIndex(current: ReportColumns, reader: BucketReader, grain: TimeDimension, backTime: (r: number) => string[] | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let r = 0; r < current.rowCount; r++) {
    const back = backTime(r);
    const w = reader.wallStart(r);
    if (back && w !== undefined && !out.has(back.join('-'))) out.set(back.join('-'), wallParts(grain, w));
  }
  return out;
}

function floorWall(grain: TimeDimension, wall: number): number {
  const d = new Date(wall);
  const p = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  const keep = TIME_ORDER.indexOf(grain) + 1;
  const defaults = [0, 0, 1, 0, 0, 0];
  const q = p.map((v, i) => (i < keep ? v : defaults[i]));
  return Date.UTC(q[0], q[1], q[2], q[3], q[4], q[5]);
}

function cellText(v: ReportCell): string | null {
  return v === null ? null : String(v);
}

function delta(value: number, previous: number): MetricDelta {
  const v = Number.isNaN(value) ? null : value;
  const p = Number.isNaN(previous) ? null : previous;
  const d = v !== null && p !== null ? v - p : null;
  return { value: v, previous: p, delta: d, deltaPct: d !== null && p !== null && p !== 0 ? (d / p) * 100 : null };
}
