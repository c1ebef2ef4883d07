/**
 * Relative, calendar-aligned time windows: what a saved "Last 7 days" means, resolved at run time in the
 * report time zone into the wall-clock `start`/`end` that is sent. An absolute range stays the query's own
 * `start`/`end`; a window is the other way to say when.
 *
 * Text syntax (CLI `--window`, the saved-queries file, `cmu.runQuery`), case-insensitive:
 *   7d · 24h · 90min · 3mo      the last N whole days / hours / minutes / months (`last 7 days`, `last-7d` too)
 *   today                        the current day of the zone, 00:00 to the next 00:00 (data so far)
 *   month-to-date (mtd)          the 1st of the current month to the next 00:00
 *   yesterday = 1d, previous-month (last-month) = 1mo, last-hour = 1h
 *   server                       send no start/end: the server's own default window
 * A bare `m` is refused: minutes or months is exactly the mistake this syntax exists to avoid.
 *
 * "Whole" excludes the current, partial unit: at 10:20 `24h` ends at 10:00 and `7d` ends at today's 00:00.
 * Days and months are counted on the zone's calendar (a spring-forward day is one day of 23 hours);
 * minutes and hours are elapsed time (`24h` across a spring-forward night starts at 09:00, not 10:00, the
 * day before). In the hour a fall-back repeats, two instants read the same wall clock, so a 1h window
 * there is sent as an empty range: pick a fixed-offset zone (the default) for such reports.
 */
import { formatWall, instantToWall, wallFromMillis, wallMillis, wallToInstant, zoneLabel, type ReportZone } from './zone';

export type WindowUnit = 'minute' | 'hour' | 'day' | 'month';

export type TimeWindow =
  | { kind: 'last'; count: number; unit: WindowUnit }
  | { kind: 'today' }
  | { kind: 'monthToDate' }
  | { kind: 'server' };

/** A window (or an absolute range) resolved at one instant in one zone: what is sent and what is shown. */
export interface ResolvedWindow {
  /** the relative window; undefined for an absolute start/end */
  window?: TimeWindow;
  /** the window is the grain's default: the query said nothing about time */
  defaulted?: boolean;
  /** "Last 7 days", "Today", "Server default", "Custom range" */
  name: string;
  /** wall clock in the zone, `YYYY-MM-DDTHH:MM:SS`; both undefined for `server` */
  start?: string;
  end?: string;
  /** the instants they denote (epoch ms) */
  startMs?: number;
  endMs?: number;
  /** the zone's id and its label at the window's start (or `now` for `server`) */
  zone: string;
  zoneLabel: string;
}

/** Upper bounds on N: beyond them the window reaches past anything CMU keeps (25 months). */
const MAX_COUNT: Record<WindowUnit, number> = { minute: 100_000, hour: 20_000, day: 1_000, month: 120 };
const UNIT_SHORT: Record<WindowUnit, string> = { minute: 'min', hour: 'h', day: 'd', month: 'mo' };
const UNIT_WORDS: Record<string, WindowUnit> = {
  min: 'minute',
  mins: 'minute',
  minute: 'minute',
  minutes: 'minute',
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  hour: 'hour',
  hours: 'hour',
  d: 'day',
  day: 'day',
  days: 'day',
  mo: 'month',
  mos: 'month',
  month: 'month',
  months: 'month',
};
const NAMED: Record<string, TimeWindow> = {
  today: { kind: 'today' },
  monthtodate: { kind: 'monthToDate' },
  mtd: { kind: 'monthToDate' },
  thismonth: { kind: 'monthToDate' },
  yesterday: { kind: 'last', count: 1, unit: 'day' },
  previousmonth: { kind: 'last', count: 1, unit: 'month' },
  server: { kind: 'server' },
};

/** The saved-queries schema's forms (canonical text): a count and a unit, or one of NAMED_WINDOWS. A unit test keeps the schema equal. */
export const WINDOW_COUNT_PATTERN = '^[1-9][0-9]{0,5}(?:min|h|d|mo)$';
export const NAMED_WINDOWS = ['today', 'yesterday', 'month-to-date', 'previous-month', 'server'] as const;

export const WINDOW_SYNTAX = '7d, 24h, 90min, 3mo (the last N whole days/hours/minutes/months), today, month-to-date, yesterday, previous-month, or server';

/** The text forms above; throws with the syntax (and the likely fix) otherwise. */
export function parseWindow(text: string): TimeWindow {
  const raw = text.trim();
  const t = raw.toLowerCase().replace(/(?<=.)[\s_-]+/g, ''); // a leading '-' stays: `-7d` is not a window
  const named = NAMED[t];
  if (named) return { ...named };
  const m = /^(last|previous)?(\d*)([a-z]+)$/.exec(t);
  if (m && (m[2] !== '' || m[1])) {
    const unit = UNIT_WORDS[m[3]];
    const count = m[2] === '' ? 1 : Number(m[2]);
    if (unit) {
      if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT[unit]) {
        throw new Error(`\`${raw}\`: the count must be a whole number from 1 to ${MAX_COUNT[unit]} for ${unit}s`);
      }
      return { kind: 'last', count, unit };
    }
    if (m[3] === 'm') throw new Error(`\`${raw}\` is ambiguous: write ${m[2] || 1}min for minutes or ${m[2] || 1}mo for months`);
    if (/^(w|wk|wks|week|weeks)$/.test(m[3])) throw new Error(`\`${raw}\`: weeks are not a unit; write ${(Number(m[2]) || 1) * 7}d`);
    if (/^(y|yr|yrs|year|years)$/.test(m[3])) throw new Error(`\`${raw}\`: years are not a unit; write ${(Number(m[2]) || 1) * 12}mo`);
  }
  throw new Error(`\`${raw}\` is not a time window; use ${WINDOW_SYNTAX}`);
}

/** The canonical text (`7d`, `24h`, `90min`, `3mo`, `today`, `month-to-date`, `server`): what files store. */
export function windowText(w: TimeWindow): string {
  switch (w.kind) {
    case 'last':
      return `${w.count}${UNIT_SHORT[w.unit]}`;
    case 'today':
      return 'today';
    case 'monthToDate':
      return 'month-to-date';
    case 'server':
      return 'server';
  }
}

/** "Last 7 days", "Yesterday", "Previous month", "Today", "Month to date", "Server default". */
export function windowName(w: TimeWindow): string {
  switch (w.kind) {
    case 'last':
      if (w.count === 1) return w.unit === 'day' ? 'Yesterday' : `Previous ${w.unit}`;
      return `Last ${w.count} ${w.unit}s`;
    case 'today':
      return 'Today';
    case 'monthToDate':
      return 'Month to date';
    case 'server':
      return 'Server default';
  }
}

/**
 * The window a report gets when the user gives none, by the finest time dimension of its path:
 * minute → 60min, hour → 24h, day → 7d, month → 12mo (whole months: the current one is partial);
 * year, and a path without a time dimension → server (a year bucket cannot be whole inside CMU's 25-month
 * retention, and a report without time is the server's documented month-to-date total).
 */
export function defaultWindow(path: readonly string[]): TimeWindow {
  if (path.includes('minute')) return { kind: 'last', count: 60, unit: 'minute' };
  if (path.includes('hour')) return { kind: 'last', count: 24, unit: 'hour' };
  if (path.includes('day')) return { kind: 'last', count: 7, unit: 'day' };
  if (path.includes('month')) return { kind: 'last', count: 12, unit: 'month' };
  return { kind: 'server' };
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Resolves a window at `now` in `zone`: the wall-clock start/end to send, their instants and the labels. */
export function resolveWindow(window: TimeWindow, zone: ReportZone, now: Date | number): ResolvedWindow {
  const nowMs = Math.floor(Number(now) / 1000) * 1000;
  if (window.kind === 'server') return { window, name: windowName(window), zone: zone.id, zoneLabel: zoneLabel(zone, nowMs) };
  const range = windowRange(window, zone, nowMs);
  return {
    window,
    name: windowName(window),
    start: range.start,
    end: range.end,
    startMs: range.startMs,
    endMs: range.endMs,
    zone: zone.id,
    zoneLabel: zoneLabel(zone, range.startMs),
  };
}

type Range = { start: string; end: string; startMs: number; endMs: number };

function windowRange(window: Exclude<TimeWindow, { kind: 'server' }>, zone: ReportZone, nowMs: number): Range {
  const wall = instantToWall(zone, nowMs);
  const midnight = wallMillis({ ...wall, hour: 0, minute: 0, second: 0 });
  if (window.kind === 'today') return calendarRange(zone, midnight, midnight + DAY);
  if (window.kind === 'monthToDate') return calendarRange(zone, wallMillis({ ...wall, day: 1, hour: 0, minute: 0, second: 0 }), midnight + DAY);
  switch (window.unit) {
    case 'minute':
      return elapsedRange(zone, nowMs - wall.second * 1000, window.count * MINUTE);
    case 'hour':
      return elapsedRange(zone, nowMs - (wall.minute * 60 + wall.second) * 1000, window.count * HOUR);
    case 'day':
      return calendarRange(zone, midnight - window.count * DAY, midnight);
    case 'month': {
      const first = (monthsBack: number) => Date.UTC(wall.year, wall.month - 1 - monthsBack, 1);
      return calendarRange(zone, first(window.count), first(0));
    }
  }
}

/** Elapsed time ending at an instant, sent as the zone's wall clock. */
function elapsedRange(zone: ReportZone, endMs: number, length: number): Range {
  const startMs = endMs - length;
  return { start: formatWall(instantToWall(zone, startMs)), end: formatWall(instantToWall(zone, endMs)), startMs, endMs };
}

/** Between two wall-clock midnights (as wallMillis): sent as they read, whatever a transition does to them. */
function calendarRange(zone: ReportZone, startWall: number, endWall: number): Range {
  const start = wallFromMillis(startWall);
  const end = wallFromMillis(endWall);
  return { start: formatWall(start), end: formatWall(end), startMs: wallToInstant(zone, start), endMs: wallToInstant(zone, end) };
}

/** `2024-03-05 00:00 → 2024-03-12 00:00` (seconds shown only when not zero; an open end says so); '' for none. */
export function rangeText(r: Pick<ResolvedWindow, 'start' | 'end'>): string {
  if (!r.start && !r.end) return '';
  const short = (s: string) => s.replace('T', ' ').replace(/:00$/, '');
  return `${r.start ? short(r.start) : 'server default'} → ${r.end ? short(r.end) : 'now'}`;
}

/** What a header says: `Last 7 days · 2024-03-05 00:00 → 2024-03-12 00:00 (UTC−08:00)`. */
export function windowHeader(r: ResolvedWindow): string {
  const range = rangeText(r);
  return range ? `${r.name} · ${range} (${r.zoneLabel})` : `${r.name} (${r.zoneLabel})`;
}

/** The time part of a query (CmuQuery has it); `window` is the text form. */
export interface TimedQuery {
  path: string[];
  start?: string;
  end?: string;
  window?: string;
}

/**
 * The problem with a query's window text, or undefined: bad text, or a window beside an absolute start/end.
 */
export function windowProblem(q: TimedQuery): string | undefined {
  if (q.window === undefined) return undefined;
  try {
    parseWindow(q.window);
  } catch (e) {
    return (e as Error).message;
  }
  return q.start || q.end ? `the window \`${q.window}\` and start/end both say when; keep one` : undefined;
}

/** The canonical text of a window text (`last 7 days` → `7d`); throws as parseWindow does. */
export function canonicalWindow(text: string): string {
  return windowText(parseWindow(text));
}
