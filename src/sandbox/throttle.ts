/**
 * Adobe Pass throttling as documented for the DCR endpoints: a token bucket per client IP, refilled at
 * `ratePerSec` with room for `burst` requests; an empty bucket answers 429 and lifts about a second later.
 */
export interface ThrottleOptions {
  ratePerSec: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly opts: ThrottleOptions,
    private readonly now: () => number,
  ) {
    if (!(opts.ratePerSec > 0) || !(opts.burst >= 1)) throw new RangeError('throttle needs ratePerSec > 0 and burst >= 1');
  }

  /** Takes one request from the caller's bucket: `{ ok: true }`, or the seconds to wait before the next try. */
  take(client: string): { ok: true } | { ok: false; retryAfterSec: number } {
    const t = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.opts.burst, at: t };
    b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.at) / 1000) * this.opts.ratePerSec);
    b.at = t;
    this.buckets.set(client, b);
    if (this.buckets.size > 10_000) this.prune(t);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / this.opts.ratePerSec)) };
  }

  private prune(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.opts.ratePerSec >= this.opts.burst) this.buckets.delete(k);
    }
  }
}
