/**
 * How far apart this machine's clock and a server's Date header may be. Token expiry is computed on the
 * local clock and tokens are refreshed 5 minutes early, so past 30 s a skew is worth a warning and past the
 * refresh margin tokens misbehave. `cmu doctor` and the extension's Diagnose word the verdict their own way.
 */
export const SKEW_WARN_MS = 30_000;
export const SKEW_FAIL_MS = 300_000;
/** below this the Date header's 1 s resolution cannot tell the clocks apart */
export const SKEW_RESOLUTION_MS = 2000;

export type SkewVerdict = 'ok' | 'warn' | 'fail';

export function skewVerdict(skewMs: number): SkewVerdict {
  const abs = Math.abs(skewMs);
  return abs <= SKEW_WARN_MS ? 'ok' : abs <= SKEW_FAIL_MS ? 'warn' : 'fail';
}

/**
 * The product's one way to show an instant that is not a report time (token expiry, when a document was
 * made, when a report was fetched): UTC, seconds only when they are not zero — `2026-12-02 09:47 UTC`.
 * Report times are shown in the report zone instead (core/cmu/time/zone.ts).
 */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  return d.toISOString().replace('T', ' ').replace(/:00\.000Z$|\.000Z$/, '').replace(/\.\d{3}Z$/, '') + ' UTC';
}

/** {@link formatUtc} with this machine's wall clock next to it: `2026-12-02 09:47 UTC (Dec 2, 2026, 10:47 AM local)`. */
export function formatInstant(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  return `${formatUtc(ms)} (${d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })} local)`;
}

/** "5h 12m", "3d 4h", "12m 5s", "45s"; "0s" when nothing is left. */
export function formatRemaining(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}
