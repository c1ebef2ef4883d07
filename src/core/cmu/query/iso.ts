/**
 * The one reader of CMU time values (start/end), used by the validator, the saved-queries file, the
 * builder and the protocol checks: ISO 8601 or a prefix of it (`2024`, `2024-11`, `2024-11-01T10`,
 * `…T10:30`, `…T10:30:00(.sss)`), with an optional zone `Z`, `±hh`, `±hhmm` or `±hh:mm`; or epoch
 * milliseconds (the docs call `end` "millis"). Calendar-checked: `2024-02-30` is not a date.
 */

const ISO_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_MS_RE = /^\d{10,13}$/;

/** The shape (not the calendar) as one JSON-schema regex: media/cmu-queries.schema.json uses it; a unit test keeps the two equal. */
export const TIME_SHAPE_SOURCE = `^(?:${ISO_RE.source.slice(1, -1)}|${EPOCH_MS_RE.source.slice(1, -1)})$`;

/**
 * A time value read: `ms` is the instant when `zoned` (epoch ms, `Z` or an offset), else the wall clock's
 * fields as UTC milliseconds (the caller applies the report zone). `wall` is always the written fields as
 * UTC milliseconds, `precision` how many of year…second were written (0 for epoch ms), `suffix` the zone
 * as written. `bad`: not a time at all (`syntax`), or a shape naming no moment such as Feb 30 (`value`).
 */
export type IsoReading = { ms: number; zoned: boolean; wall: number; precision: number; suffix: string } | { bad: 'syntax' | 'value' };

export function readIsoTime(value: string): IsoReading {
  const v = value.trim();
  if (EPOCH_MS_RE.test(v)) return { ms: Number(v), zoned: true, wall: Number(v), precision: 0, suffix: '' };
  const m = ISO_RE.exec(v);
  if (!m) return { bad: 'syntax' };
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) : 1;
  const day = d ? Number(d) : 1;
  const hour = h ? Number(h) : 0;
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return { bad: 'value' };
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return { bad: 'value' };
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, frac ? Math.floor(Number('0.' + frac) * 1000) : 0);
  let ms = wall;
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4) || '0');
    if (hours > 23 || minutes > 59) return { bad: 'value' };
    ms -= (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60000;
  }
  const written = [y, mo, d, h, mi, s].findIndex((p) => p === undefined);
  return { ms, zoned: !!zone, wall, precision: written < 0 ? 6 : written, suffix: zone ?? '' };
}

/** Milliseconds of a time value, completed with the minimum (start=2012 -> 2012-01-01T00:00:00Z; a suffix-less value read as UTC); undefined when unreadable. */
export function isoToMillis(value: string): number | undefined {
  const r = readIsoTime(value);
  return 'bad' in r ? undefined : r.ms;
}

/** True when {@link isoToMillis} can read it. */
export function isIsoTime(value: string): boolean {
  return isoToMillis(value) !== undefined;
}

/** Why `name=value` is unreadable (with the docs' colon-instead-of-T typo explained), or undefined. */
export function isoProblem(name: 'start' | 'end', value: string): string | undefined {
  if (isIsoTime(value)) return undefined;
  const colon = /^(\d{4}-\d{2}-\d{2}):(\d{2}:\d{2}(?::\d{2})?)$/.exec(value.trim());
  const example = colon ? `${colon[1]}T${colon[2]}` : '2024-11-01 or 2024-11-01T10:00:00';
  const why = colon ? 'the date and the time are separated by `T`, not `:`' : 'use an ISO 8601 date or date-time (a prefix such as 2024 or 2024-11 is allowed)';
  return `\`${name}=${value}\` is not a valid ISO 8601 value: ${why}; e.g. ${name}=${example}`;
}
