/**
 * The sandbox's time, in one place: the granularities, the buckets a report groups by, the parsing and
 * formatting of start/end and the self link's times, and the default window. The sandbox reports in a
 * fixed-offset zone (default UTC−8, as the real service): every time here is *wall-clock* milliseconds
 * (an instant plus the zone's offset), so buckets, values, start/end without a suffix and the self
 * link's times are all the zone's wall clock; only a value with an offset, `Z` or epoch ms is an
 * instant, shifted by `offsetMs` on the way in.
 */

import { readIsoTime } from '../core/cmu/query/iso';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Time granularities of the data, coarse to fine. */
export const TIME_ORDER = ['year', 'month', 'day', 'hour', 'minute'] as const;
export type TimeDim = (typeof TIME_ORDER)[number];

/** The buckets of granularity `g` that have at least one minute starting in [lo, hi). */
export function buckets(g: TimeDim, lo: number, hi: number): { value: string; lo: number; hi: number }[] {
  const out: { value: string; lo: number; hi: number }[] = [];
  const a = Math.ceil(lo / MINUTE) * MINUTE;
  if (a >= hi) return out;
  if (g === 'minute' || g === 'hour') {
    // fixed-size buckets: no Date objects (a 200k-row minute report goes through here)
    const size = g === 'minute' ? MINUTE : HOUR;
    const mod = g === 'minute' ? 60 : 24;
    for (let t = a - (a % size); t < hi; t += size) {
      const bl = Math.max(t, a);
      const bh = Math.min(t + size, hi);
      if (bl < bh) out.push({ value: SMALL[Math.floor(t / size) % mod], lo: bl, hi: bh });
    }
    return out;
  }
  let t = floorTo(g, a);
  while (t < hi) {
    const next = step(g, t);
    const bl = Math.max(t, a);
    const bh = Math.min(next, hi);
    if (bl < bh) out.push({ value: timeValue(g, t), lo: bl, hi: bh });
    t = next;
  }
  return out;
}

function floorTo(g: TimeDim, t: number): number {
  const d = new Date(t);
  switch (g) {
    case 'year':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'day':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'hour':
      return t - (t % HOUR);
    case 'minute':
      return t - (t % MINUTE);
  }
}

function step(g: TimeDim, t: number): number {
  const d = new Date(t);
  switch (g) {
    case 'year':
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case 'day':
      return t + 24 * HOUR;
    case 'hour':
      return t + HOUR;
    case 'minute':
      return t + MINUTE;
  }
}

const SMALL = Array.from({ length: 61 }, (_, i) => String(i));

function timeValue(g: TimeDim, t: number): string {
  const d = new Date(t);
  switch (g) {
    case 'year':
      return String(d.getUTCFullYear());
    case 'month':
      return SMALL[d.getUTCMonth() + 1];
    case 'day':
      return SMALL[d.getUTCDate()];
    case 'hour':
      return SMALL[d.getUTCHours()];
    case 'minute':
      return SMALL[d.getUTCMinutes()];
  }
}

/**
 * ISO 8601 or a prefix of it (completed with the start of the period) as wall-clock ms of the zone whose
 * offset is `offsetMs`; a value with an offset or `Z`, or epoch ms, is an instant converted to it.
 * `bad: 'syntax'` when it is no date/time, `'value'` when it names none (e.g. Feb 30). The product's one
 * reader decides what a time is.
 */
export function parseTime(value: string, offsetMs = 0): { t: number } | { bad: 'syntax' | 'value' } {
  const r = readIsoTime(value);
  if ('bad' in r) return r;
  return { t: r.zoned ? r.ms + offsetMs : r.ms };
}

/** `2024-11-01T00:00:00` (wall clock, no zone suffix, as in Adobe's self links) */
export function formatTime(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().slice(0, 19);
}

/**
 * Default start by the finest time dimension of the path: minute → this hour, hour → today, day → this
 * month (observed), month and year → this year; no time dimension → this month (as the root example).
 */
export function defaultStart(path: string[], now: number): number {
  const d = new Date(now);
  const finest = [...TIME_ORDER].reverse().find((t) => path.includes(t));
  const y = d.getUTCFullYear();
  switch (finest) {
    case 'minute':
      return Date.UTC(y, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours());
    case 'hour':
      return Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
    case 'month':
    case 'year':
      return Date.UTC(y, 0, 1);
    default:
      return Date.UTC(y, d.getUTCMonth(), 1);
  }
}
