/**
 * The sandbox's big report bodies as sent (after compression), kept so a repeated report is answered the way
 * a pre-aggregated backend answers it: at transfer speed, not at the speed of generating and compressing
 * 200k rows. A least-recently-used map bounded by total bytes. The caller keys it by everything that
 * decides the body and never asks it for an answer a knob changes (see CmuService.respond).
 */
export interface ResponseCacheOptions {
  /** total bytes kept (default 64 MiB) */
  maxBytes?: number;
  /** smaller bodies are not kept: generating them costs little (default 256 KiB) */
  minBodyBytes?: number;
}

export interface ResponseCacheStats {
  hits: number;
  entries: number;
  bytes: number;
}

export class ResponseCache {
  private readonly maxBytes: number;
  private readonly minBodyBytes: number;
  /** insertion order is recency order: a hit moves its entry to the end, eviction takes the first */
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  private hits = 0;

  constructor(opts: ResponseCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 64 * 2 ** 20;
    this.minBodyBytes = opts.minBodyBytes ?? 256 * 2 ** 10;
  }

  get stats(): ResponseCacheStats {
    return { hits: this.hits, entries: this.entries.size, bytes: this.bytes };
  }

  get(key: string): Buffer | undefined {
    const body = this.entries.get(key);
    if (!body) return undefined;
    this.entries.delete(key);
    this.entries.set(key, body);
    this.hits++;
    return body;
  }

  /**
   * Records a body while it is sent: `add` each chunk as it goes out, `done` once the whole body went out
   * (a body cut short is never kept). Recording stops as soon as the body is too big to keep.
   */
  recorder(key: string): { add(chunk: Buffer | string): void; done(): void } {
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    return {
      add: (chunk) => {
        if (!chunks) return;
        const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        size += b.length;
        if (size > this.maxBytes) chunks = undefined;
        else chunks.push(b);
      },
      done: () => {
        if (chunks && size >= this.minBodyBytes) this.set(key, Buffer.concat(chunks, size));
        chunks = undefined;
      },
    };
  }

  private set(key: string, body: Buffer): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.length;
    }
    for (const [k, b] of this.entries) {
      if (this.bytes + body.length <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= b.length;
    }
    this.entries.set(key, body);
    this.bytes += body.length;
  }
}
