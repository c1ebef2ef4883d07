/**
 * The report time zone: the zone whose wall clock CMU's `start`/`end` and time buckets are read in.
 * Adobe does not document it for CMU; ESM (same engine) is "PST" and the CM console's own tooling reads
 * CMU rows as fixed UTC−8, hence the default `-08:00`.
 *
 * A zone is a fixed offset (`-08:00`, `+05:30`, `UTC`) or an IANA name (`America/Los_Angeles`, resolved
 * through Intl: Node and Electron ship full ICU). Wall-clock values are plain calendar fields; they only
 * become instants through a zone.
 */

export interface ReportZone {
  /** canonical text: `UTC`, `-08:00`, `+05:30`, or an IANA name (`America/Los_Angeles`) */
  readonly id: string;
  /** minutes east of UTC for a fixed offset; undefined for an IANA zone (the offset depends on the instant) */
  readonly fixedOffsetMinutes?: number;
}

/** Calendar fields of a wall clock; month 1–12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The product's default: fixed UTC−8, what the evidence shows for the real service. */
export const DEFAULT_ZONE_ID = '-08:00';
export const UTC: ReportZone = { id: 'UTC', fixedOffsetMinutes: 0 };

const MINUTE = 60_000;
const DAY = 86_400_000;
const OFFSET_RE = /^(?:UTC|GMT)?\s*([+\-\u2212])(\d{1,2})(?::?(\d{2}))?$/i;
const SYNTAX = 'use an offset such as -08:00 or +05:30, UTC, or an IANA name such as America/Los_Angeles';

/**
 * `UTC`, `Z`, `GMT`, `±HH:MM`, `±HHMM`, `±H`, `UTC−8` (the label form, U+2212 too), `PST` (= −08:00, fixed:
 * Pacific *Standard* Time), or an IANA name in any letter case. Throws with the accepted syntax otherwise.
 */
export function parseZone(text: string): ReportZone {
  const t = text.trim();
  if (/^(?:z|utc|gmt|etc\/utc|etc\/gmt)$/i.test(t)) return UTC;
  // Intl reads `PST` as America/Los_Angeles (with daylight time); Adobe's "PST" is the fixed offset.
  if (/^pst$/i.test(t)) return fixedZone(-8 * 60);
  const m = OFFSET_RE.exec(t);
  if (m) {
    const hours = Number(m[2]);
    const minutes = m[3] ? Number(m[3]) : 0;
    if (hours > 14 || minutes > 59 || hours * 60 + minutes > 14 * 60) throw new Error(`\`${t}\` is not a UTC offset (−14:00 to +14:00); ${SYNTAX}`);
    return fixedZone((m[1] === '+' ? 1 : -1) * (hours * 60 + minutes));
  }
  if (/^(?:pdt|[a-z]{2,5}dt)$/i.test(t)) throw new Error(`\`${t}\` is a daylight-time abbreviation, not a zone; ${SYNTAX}`);
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: t }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`\`${t}\` is not a time zone; ${SYNTAX}`);
  }
  if (/^(?:utc|etc\/utc|etc\/gmt)$/i.test(resolved)) return UTC;
  // keep an alias as the user spelled it (Asia/Kolkata, not ICU's Asia/Calcutta) unless typed all lower case
  return { id: resolved.toLowerCase() === t.toLowerCase() || t === t.toLowerCase() ? resolved : t };
}

/** The zone a local sandbox reports in for this report zone: itself when fixed, else the default (the sandbox has no DST). */
export function fixedZoneId(zone: ReportZone): string {
  return zone.fixedOffsetMinutes !== undefined ? zone.id : DEFAULT_ZONE_ID;
}

/** A fixed offset in minutes east of UTC; 0 is `UTC`. */
export function fixedZone(offsetMinutes: number): ReportZone {
  return offsetMinutes === 0 ? UTC : { id: offsetText(offsetMinutes), fixedOffsetMinutes: offsetMinutes };
}

/** `-08:00`, `+05:30`, `+00:00` (ASCII: the form a value sent or typed uses). */
export function offsetText(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function fieldsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds (east positive). */
export function offsetAt(zone: ReportZone, instant: number): number {
  if (zone.fixedOffsetMinutes !== undefined) return zone.fixedOffsetMinutes * MINUTE;
  const t = Math.floor(instant / 1000) * 1000;
  const parts = fieldsFormatter(zone.id).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - t;
}

/** The wall clock of an instant in the zone, to the second (milliseconds dropped). */
export function instantToWall(zone: ReportZone, instant: number): WallTime {
  return wallFromMillis(Math.floor(instant / 1000) * 1000 + offsetAt(zone, instant));
}

/**
 * The instant a wall clock denotes in the zone. Deterministic at daylight-saving transitions, as
 * Temporal's `compatible` disambiguation: a wall time that occurs twice (fall back) is the earlier instant;
 * one that does not occur (spring forward) is moved forward by the gap (02:30 → 03:30 on a 1-hour gap).
 * So the start of a day or an hour is always the first instant that reads that day or hour.
 */
export function wallToInstant(zone: ReportZone, wall: WallTime): number {
  const local = wallMillis(wall);
  if (zone.fixedOffsetMinutes !== undefined) return local - zone.fixedOffsetMinutes * MINUTE;
  // Real zones change offset at most once within a day either side: the candidates are those two offsets.
  const before = offsetAt(zone, local - DAY);
  const after = offsetAt(zone, local + DAY);
  const candidates = [...new Set([local - before, local - after])].filter((t) => wallMillis(instantToWall(zone, t)) === local);
  if (candidates.length > 0) return Math.min(...candidates);
  return local - before; // in the gap: read with the offset in force before it
}

/** `YYYY-MM-DDTHH:MM:SS` without a suffix: the form CMU's own self links use. */
export function formatWall(wall: WallTime): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
}

/** An instant as the zone's wall clock, `YYYY-MM-DDTHH:MM:SS`. */
export function formatInZone(zone: ReportZone, instant: number): string {
  return formatWall(instantToWall(zone, instant));
}

/**
 * What a person reads beside a time: `UTC`, `UTC−08:00` (typographic minus), or for an IANA zone its name
 * with the abbreviation in force at `instant` (`America/Los_Angeles (PST)`, `Asia/Kolkata (GMT+5:30)`).
 */
export function zoneLabel(zone: ReportZone, instant: number): string {
  if (zone.fixedOffsetMinutes !== undefined) return zone.fixedOffsetMinutes === 0 ? 'UTC' : 'UTC' + offsetText(zone.fixedOffsetMinutes).replace('-', '\u2212');
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone.id, timeZoneName: 'short' })
    .formatToParts(new Date(instant))
    .find((p) => p.type === 'timeZoneName')?.value;
  return name ? `${zone.id} (${name})` : zone.id;
}

// ---------------------------------------------------------------------------------------------
// wall-clock arithmetic: a wall time as the milliseconds it would be in UTC (never an instant)

/** The wall clock's fields as a UTC millisecond count, for calendar arithmetic and comparison. */
export function wallMillis(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/** The inverse of wallMillis. */
export function wallFromMillis(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}
