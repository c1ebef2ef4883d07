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
