/**
 * A query's time at run time: what is sent (the window resolved, offsets converted to the zone's wall
 * clock, the grain's default) and what is shown beside it.
 */
import { isoToMillis } from '../query';
import { defaultWindow, parseWindow, resolveWindow, type ResolvedWindow, type TimedQuery } from './windows';
import { formatInZone, wallFromMillis, wallToInstant, zoneLabel, type ReportZone } from './zone';

/**
 * What a run sends, decided at run time: a relative window is resolved at `now` in the zone; an absolute
 * start/end is kept, a value with an explicit offset, `Z` or epoch milliseconds converted to the zone's
 * wall clock; no time at all gets the grain's default window. The returned query has concrete start/end
 * (none for `server`) and no window, so its URL is what is sent; the window stays in what was saved.
 */
export function resolveQueryTime<Q extends TimedQuery>(q: Q, zone: ReportZone, now: Date | number): { query: Q; time: ResolvedWindow } {
  const query: Q = { ...q };
  delete query.window;
  delete query.start;
  delete query.end;
  if (q.window || (!q.start && !q.end)) {
    const time = resolveWindow(q.window ? parseWindow(q.window) : defaultWindow(q.path), zone, now);
    if (!q.window) time.defaulted = true;
    if (time.start) query.start = time.start;
    if (time.end) query.end = time.end;
    return { query, time };
  }
  const start = q.start ? toZoneWallClock(q.start, zone) : undefined;
  const end = q.end ? toZoneWallClock(q.end, zone) : undefined;
  if (start) query.start = start.value;
  if (end) query.end = end.value;
  const startMs = start?.instant;
  return {
    query,
    time: { name: 'Custom range', start: start?.value, end: end?.value, startMs, endMs: end?.instant, zone: zone.id, zoneLabel: zoneLabel(zone, startMs ?? end?.instant ?? Number(now)) },
  };
}

/**
 * A start/end value as the zone's wall clock: one with an explicit offset, `Z` or epoch milliseconds is
 * converted (to the second); a wall-clock value or prefix (`2024-11`) is already in the zone and kept as
 * written. `instant` is what it denotes (undefined when unreadable: the validator reports it).
 */
export function toZoneWallClock(value: string, zone: ReportZone): { value: string; instant?: number } {
  const v = value.trim();
  const ms = isoToMillis(v);
  if (ms === undefined) return { value };
  if (/^\d{10,13}$/.test(v) || /T[\d:.]*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(v) || /^[\d-]+Z$/i.test(v)) return { value: formatInZone(zone, ms), instant: ms };
  return { value, instant: wallToInstant(zone, wallFromMillis(ms)) };
}
