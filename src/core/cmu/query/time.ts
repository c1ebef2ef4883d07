/** Time-range presets: the start/end values a preset sends (UTC wall-clock, as CMU echoes them). */

export type TimePreset = 'today' | 'yesterday' | 'last24h' | 'last7d' | 'thisMonth' | 'lastMonth';
export const TIME_PRESETS: readonly { id: TimePreset; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: 'last24h', label: 'Last 24 hours' },
  { id: 'last7d', label: 'Last 7 days' },
  { id: 'thisMonth', label: 'This month' },
  { id: 'lastMonth', label: 'Last month' },
];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** UTC wall-clock ISO 8601 to the second, without a zone suffix (the form CMU echoes in self links). */
export function toIsoUtc(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/**
 * The start/end that will be sent for a preset, computed in UTC. `today`, `thisMonth`, `last24h` and
 * `last7d` end now (to the second); `yesterday` and `lastMonth` end at the start of the next period
 * (a whole day / month). `last24h` and `last7d` are rolling windows.
 */
export function timeRange(preset: TimePreset, now: Date = new Date()): { start: string; end: string } {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const day = d.getUTCDate();
  const midnight = Date.UTC(y, mo, day);
  const DAY = 86_400_000;
  switch (preset) {
    case 'today':
      return { start: toIsoUtc(midnight), end: toIsoUtc(t) };
    case 'yesterday':
      return { start: toIsoUtc(midnight - DAY), end: toIsoUtc(midnight) };
    case 'last24h':
      return { start: toIsoUtc(t - DAY), end: toIsoUtc(t) };
    case 'last7d':
      return { start: toIsoUtc(t - 7 * DAY), end: toIsoUtc(t) };
    case 'thisMonth':
      return { start: toIsoUtc(Date.UTC(y, mo, 1)), end: toIsoUtc(t) };
    case 'lastMonth':
      return { start: toIsoUtc(Date.UTC(y, mo - 1, 1)), end: toIsoUtc(Date.UTC(y, mo, 1)) };
    default:
      throw new Error(`unknown time preset: ${String(preset)}`);
  }
}
