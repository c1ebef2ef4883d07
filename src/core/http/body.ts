/**
 * A response body: decoded (gzip/deflate) strictly, read once, bounded (size, compression ratio) and
 * watched (idle timeout, minimum rate, total deadline). Every read settles: end, error, or a close
 * without an end (node-fetch may have destroyed the body before anyone listened) becomes an error.
 */
import { PassThrough, type Readable, Transform, type TransformCallback, pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import type { CmuError } from '../errors';
import { BodyTooLargeError, ERROR_BODY_LIMIT, type Expiry, truncated } from './errors';
import type { BodyEncoding, HttpResponse, ReadOptions } from './types';

/**
 * Output chunk of the gzip/deflate decoders (zlib's default is 16 KB): a 16 MB report is ~65 chunks
 * instead of 1000 through every stream after the decoder (and as many fewer thread-pool round trips):
 * `cmu report --out` of a 16 MB CSV uses ~30% less CPU (benchmark cliReport).
 */
const DECODE_CHUNK = 256 * 1024;
/** Buffer of the stream() reader side (PassThrough), larger than one decoded chunk. */
const STREAM_BUFFER = 1 << 20;
/** Decoded bytes accepted before the compression ratio is checked (small bodies compress very well). */
const RATIO_FREE_BYTES = 16 << 20;

export interface BodyLimits {
  maxBufferedBytes: number;
  maxStreamBytes: number;
  maxCompressionRatio: number;
}

/** The decoded body and, when it was compressed, how many compressed bytes the decoder consumed so far. */
export interface Decoded {
  stream: Readable;
  consumed?: () => number;
}

export class InternalResponse implements HttpResponse {
  retryAt?: number;
  private taken = false;
  private decodedBytes = 0;

  /** the body as decoded, made on the first decoded read (an encoded read takes the raw bytes instead) */
  private decodedBody: Decoded | undefined;

  constructor(
    readonly status: number,
    readonly url: string,
    readonly headers: Record<string, string>,
    readonly contentType: string,
    readonly serverDate: Date | undefined,
    readonly receivedAt: number,
    /** the body as it came (still gzip/deflate encoded) */
    private readonly raw: Readable,
    private readonly watch: Watchdog,
    private readonly limits: BodyLimits,
    private readonly origin: string,
    private readonly fail: (e: unknown) => CmuError,
    private readonly abort: () => void,
    readonly redact: (text: string) => string,
  ) {
    raw.once('close', () => watch.clear());
    // An unread body fails silently (the watchdog eventually closes it); readers attach their own listener.
    raw.on('error', () => undefined);
    watch.bodyStarted();
  }

  private get body(): Decoded {
    if (!this.decodedBody) {
      this.decodedBody = decode(this.raw, this.headers['content-encoding']);
      this.decodedBody.stream.on('error', () => undefined);
    }
    return this.decodedBody;
  }

  async buffer(opts: ReadOptions = {}): Promise<Buffer> {
    return (await this.collect(opts.maxBytes ?? this.limits.maxBufferedBytes, false)).buf;
  }

  async text(opts: ReadOptions = {}): Promise<string> {
    return this.decodeText(await this.buffer(opts));
  }

  async excerpt(maxBytes = ERROR_BODY_LIMIT): Promise<{ text: string; truncated: boolean }> {
    const { buf, truncated: cut } = await this.collect(maxBytes, true);
    return { text: this.decodeText(buf), truncated: cut };
  }

  stream(opts: ReadOptions = {}): NodeJS.ReadableStream {
    this.claim();
    return this.bounded(this.body.stream, opts.maxBytes ?? this.limits.maxStreamBytes);
  }

  encodedStream(opts: ReadOptions = {}): { stream: NodeJS.ReadableStream; encoding: BodyEncoding } {
    this.claim();
    return { stream: this.bounded(this.raw, opts.maxBytes ?? this.limits.maxStreamBytes), encoding: bodyEncoding(this.headers['content-encoding']) };
  }

  /** `src` to a reader, counted against `max`, watched, every end mapped: a close without an end is a cut body. */
  private bounded(src: Readable, max: number): NodeJS.ReadableStream {
    // Piped by hand: pipeline() would end `out` with the raw stream error ("Premature close") before
    // its callback could give it the mapped one.
    // A large buffer between the decoder and the reader: fewer pause/resume round trips per chunk.
    const out = new PassThrough({ highWaterMark: STREAM_BUFFER });
    // a reader that gave up before listening (it threw) must not crash the process when the body then fails
    out.on('error', () => undefined);
    let failed = false;
    const failWith = (e: unknown): void => {
      if (failed) return;
      failed = true;
      this.watch.clear();
      out.destroy(this.fail(e));
    };
    src.on('data', (c: Buffer) => {
      const over = this.account(c.length, max);
      if (over) {
        failWith(over);
        this.drop();
      }
    });
    src.once('end', () => this.watch.clear());
    src.once('error', failWith);
    src.once('close', () => {
      if (!src.readableEnded) failWith(truncated());
    });
    out.once('close', () => {
      if (!src.readableEnded) this.drop(); // the reader gave up: stop downloading
    });
    src.pipe(out);
    return out;
  }

  discard(): void {
    this.drop();
  }

  private drop(): void {
    this.abort();
    for (const s of [this.decodedBody?.stream, this.raw]) if (s && !s.destroyed) s.destroy();
  }

  /** Reads up to `max` decoded bytes; beyond it either fails (BodyTooLargeError) or keeps the head and drops the rest. */
  private collect(max: number, keepHead: boolean): Promise<{ buf: Buffer; truncated: boolean }> {
    this.claim();
    const src = this.body.stream;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (err: unknown, cut = false): void => {
        if (done) return;
        done = true;
        this.watch.clear();
        src.off('data', onData);
        if (err) reject(this.fail(err));
        else resolve({ buf: Buffer.concat(chunks, size), truncated: cut });
      };
      const onData = (c: Buffer): void => {
        const over = this.account(c.length, max);
        if (over && keepHead) {
          const head = c.subarray(0, Math.max(0, max - size));
          chunks.push(head);
          size += head.length;
          finish(undefined, true);
          this.drop();
          return;
        }
        if (over) {
          finish(over);
          this.drop();
          return;
        }
        chunks.push(c);
        size += c.length;
      };
      src.on('data', onData);
      src.once('end', () => finish(undefined));
      src.once('error', (e) => finish(e));
      src.once('close', () => finish(src.readableEnded ? undefined : truncated()));
    });
  }

  /** Counts a decoded chunk; the error when it goes over the size limit or the compression ratio. */
  private account(n: number, max: number): BodyTooLargeError | undefined {
    this.decodedBytes += n;
    this.watch.touch(n);
    if (this.decodedBytes > max) return new BodyTooLargeError(max, 'size', this.origin);
    const consumed = this.decodedBody?.consumed?.(); // an encoded read counts the bytes as they came
    const ratio = this.limits.maxCompressionRatio;
    if (consumed !== undefined && this.decodedBytes > RATIO_FREE_BYTES && this.decodedBytes > consumed * ratio) {
      return new BodyTooLargeError(max, 'ratio', this.origin, ratio);
    }
    return undefined;
  }

  private decodeText(buf: Buffer): string {
    const charset = /charset="?([\w-]+)/i.exec(this.contentType)?.[1] ?? 'utf-8';
    try {
      return new TextDecoder(charset).decode(buf);
    } catch {
      return buf.toString('utf8');
    }
  }

  private claim(): void {
    if (this.taken) throw new Error('The response body was already read');
    this.taken = true;
  }
}

/**
 * One unref'd timer per attempt that ends it when no byte came for `idleMs`, when a whole window of
 * `idleMs` brought fewer than `minBytesPerSecond` (a slowloris body re-arming an idle timer forever),
 * or at the total deadline. `touch()` (once per chunk) only moves fields; the one timer re-arms itself.
 */
export class Watchdog {
  private handle?: NodeJS.Timeout;
  private stopped = false;
  private lastAt = Date.now();
  private windowAt = Infinity;
  private windowBytes = 0;
  private readonly totalAt: number;

  constructor(
    private readonly idleMs: number,
    private readonly minBytesPerSecond: number,
    totalMs: number | undefined,
    private readonly onExpire: (why: Expiry) => void,
  ) {
    this.totalAt = totalMs !== undefined ? Date.now() + totalMs : Infinity;
    this.schedule();
  }

  /** Headers are in: the transfer rate is measured from now on. */
  bodyStarted(): void {
    this.lastAt = this.windowAt = Date.now();
    this.windowBytes = 0;
  }

  touch(bytes: number): void {
    this.lastAt = Date.now();
    this.windowBytes += bytes;
  }

  clear(): void {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const next = Math.min(this.lastAt + this.idleMs, this.windowAt + this.idleMs, this.totalAt);
    this.handle = setTimeout(() => this.check(), Math.max(0, next - Date.now()));
    this.handle.unref();
  }

  private check(): void {
    this.handle = undefined;
    const now = Date.now();
    if (now >= this.totalAt) return this.expire('total');
    if (now >= this.lastAt + this.idleMs) return this.expire('idle');
    if (now >= this.windowAt + this.idleMs) {
      if (this.minBytesPerSecond > 0 && this.windowBytes < (this.minBytesPerSecond * this.idleMs) / 1000) return this.expire('slow');
      this.windowAt = now;
      this.windowBytes = 0;
    }
    this.schedule();
  }

  private expire(why: Expiry): void {
    if (this.stopped) return;
    this.stopped = true;
    this.onExpire(why);
  }
}

export function bodyEncoding(header: string | undefined): BodyEncoding {
  const enc = (header ?? '').trim().toLowerCase();
  return enc === 'gzip' || enc === 'x-gzip' ? 'gzip' : enc === 'deflate' || enc === 'x-deflate' ? 'deflate' : undefined;
}

/**
 * The decoded body of `raw` (a Content-Encoding header value, or a {@link BodyEncoding}): strictly, a
 * truncated gzip stream fails. Also used where an encoded body is read elsewhere (the report worker).
 */
export function decode(raw: Readable, encoding: string | undefined): Decoded {
  const enc = bodyEncoding(encoding);
  let decoder: (Transform & { consumed(): number }) | undefined;
  if (enc === 'gzip') {
    const gunzip = zlib.createGunzip({ chunkSize: DECODE_CHUNK });
    decoder = Object.assign(gunzip, { consumed: () => gunzip.bytesWritten });
  } else if (enc === 'deflate') decoder = new DeflateDecoder();
  if (!decoder) return { stream: raw };
  const d = decoder;
  pipeline(raw, d, (e) => {
    if (e && !d.destroyed) d.destroy(e);
  });
  return { stream: d, consumed: () => d.consumed() };
}

/** `deflate` is meant to be zlib-wrapped, but some servers send raw deflate: sniff the first byte. */
class DeflateDecoder extends Transform {
  private inner?: zlib.Inflate | zlib.InflateRaw;

  consumed(): number {
    return this.inner?.bytesWritten ?? 0;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.inner) {
      const inner = (chunk[0] & 0x0f) === 0x08 ? zlib.createInflate({ chunkSize: DECODE_CHUNK }) : zlib.createInflateRaw({ chunkSize: DECODE_CHUNK });
      inner.on('data', (d: Buffer) => this.push(d));
      inner.on('error', (e) => this.destroy(e));
      this.inner = inner;
    }
    this.inner.write(chunk, () => cb());
  }

  override _flush(cb: TransformCallback): void {
    if (!this.inner) return cb();
    this.inner.once('end', () => cb());
    this.inner.end();
  }

  override _destroy(e: Error | null, cb: (e: Error | null) => void): void {
    this.inner?.destroy();
    cb(e);
  }
}
