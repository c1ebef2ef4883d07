/**
 * The one HTTP module: every request of the project goes through HttpClient.request (node-fetch v2).
 * It owns timeouts, caller cancellation, the retry policy (429 any method, 5xx GET only), gzip/deflate
 * decoding, typed errors and the redacted exchange log.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import { PassThrough, Readable, Transform, type TransformCallback, pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import fetch, { type Response as FetchResponse } from 'node-fetch';
import { CmuError } from './errors';
import { redactHeaders, redactText as redactTextWith, redactUrl as redactUrlWith } from './redact';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  url: string;
  /** lower-case names */
  headers: Record<string, string>;
  /** '' when absent */
  contentType: string;
  /** parsed Date header (clock-skew diagnostics) */
  serverDate?: Date;
  /** local epoch ms when headers arrived */
  receivedAt: number;
  text(): Promise<string>;
  buffer(): Promise<Buffer>;
  /** decoded (gzip/deflate) body, for streaming to a file */
  stream(): NodeJS.ReadableStream;
}

/** One attempt of one exchange; every field is already redacted. */
export interface ExchangeLog {
  method: string;
  url: string;
  status?: number;
  durationMs: number;
  attempt: number;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  responseContentType?: string;
  error?: string;
}
export type LogHook = (e: ExchangeLog) => void;

export interface HttpClientOptions {
  timeoutMs?: number;
  userAgent?: string;
  log?: LogHook;
  max429Retries?: number;
  max5xxRetries?: number;
  /** floor of the 429 wait and base of the 5xx backoff (default 1000) */
  minRetryDelayMs?: number;
  /** a Retry-After longer than this is not waited for: the 429 is returned (default 60000) */
  maxRetryDelayMs?: number;
}

export class NetworkError extends CmuError {
  constructor(message: string, explanation: string) {
    super(message, explanation, 'retry', 'network');
  }
}
export class TimeoutError extends CmuError {
  constructor(message: string, explanation: string) {
    super(message, explanation, 'retry', 'timeout');
  }
}
export class CancelledError extends CmuError {
  constructor(message = 'Cancelled') {
    super(message, 'The request was cancelled before it finished. Nothing was changed.', 'none', 'cancelled');
  }
}

/** A response whose status the caller cannot use; the excerpt is redacted. */
export class HttpStatusError extends CmuError {
  constructor(
    message: string,
    explanation: string,
    readonly status: number,
    readonly contentType: string,
    readonly bodyExcerpt: string,
    nextStep: CmuError['nextStep'] = 'showLog',
    code = `http_${status}`,
  ) {
    super(message, explanation, nextStep, code);
  }

  /** Reads (a bounded part of) the body and builds the error with a plain explanation of the status. */
  static async fromResponse(res: HttpResponse, what = 'The server'): Promise<HttpStatusError> {
    let body = '';
    try {
      body = await res.text();
    } catch {
      body = '';
    }
    const excerpt = bodyExcerpt(body, res.contentType);
    return new HttpStatusError(
      `${what} answered HTTP ${res.status}${excerpt ? `: ${excerpt.slice(0, 200)}` : ''}`,
      explainStatus(res.status),
      res.status,
      res.contentType,
      excerpt,
      res.status === 429 || res.status >= 500 ? 'retry' : 'showLog',
    );
  }
}

export function redactUrl(url: string): string {
  return redactUrlWith(url);
}
export function redactText(text: string): string {
  return redactTextWith(text);
}

/** A short, redacted, single-line excerpt of a body; HTML pages are reduced to their title/text. */
export function bodyExcerpt(body: string, contentType: string, max = 500): string {
  let text = body;
  if (/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
    text = title ?? body.replace(/<[^>]*>/g, ' ');
  }
  text = redactTextWith(text.replace(/\s+/g, ' ').trim());
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function explainStatus(status: number): string {
  if (status === 400) return 'The server refused the request as malformed or invalid.';
  if (status === 401) return 'The server did not accept the credentials (missing, expired or revoked access token).';
  if (status === 403) return 'The credentials are valid but not allowed to use this resource.';
  if (status === 404) return 'Nothing exists at this address (wrong URL or path).';
  if (status === 406 || status === 415) return 'The server does not accept the requested format or content type.';
  if (status === 429) return 'The server is throttling requests (too many in a short time). Wait a little and try again.';
  if (status >= 500) return 'The server had an internal problem. It is usually temporary: try again in a moment.';
  if (status >= 300 && status < 400) return 'The server redirected the request; redirects are not followed so secrets cannot leak.';
  return `The server answered with the unexpected status ${status}.`;
}

/**
 * Output chunk of the gzip/deflate decoders (zlib's default is 16 KB): a 16 MB report is ~65 chunks
 * instead of 1000 through every stream after the decoder (and as many fewer thread-pool round trips):
 * `cmu report --out` of a 16 MB CSV uses ~30% less CPU (benchmark cliReport).
 */
const DECODE_CHUNK = 256 * 1024;
/** Buffer of the stream() reader side (PassThrough), larger than one decoded chunk. */
const STREAM_BUFFER = 1 << 20;

const DEFAULTS = { timeoutMs: 30_000, max429Retries: 3, max5xxRetries: 2, minRetryDelayMs: 1000, maxRetryDelayMs: 60_000 };
const KNOWN_SECRET_LIMIT = 64;

export class HttpClient {
  private log: LogHook | undefined;
  private readonly opts: Required<Omit<HttpClientOptions, 'log'>>;
  private readonly secrets: string[] = [];

  constructor(opts: HttpClientOptions = {}) {
    this.log = opts.log;
    this.opts = {
      timeoutMs: opts.timeoutMs ?? DEFAULTS.timeoutMs,
      userAgent: opts.userAgent ?? `cmu-explorer/0.1.0 (node ${process.version}; ${os.platform()})`,
      max429Retries: opts.max429Retries ?? DEFAULTS.max429Retries,
      max5xxRetries: opts.max5xxRetries ?? DEFAULTS.max5xxRetries,
      minRetryDelayMs: opts.minRetryDelayMs ?? DEFAULTS.minRetryDelayMs,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
    };
  }

  get userAgent(): string {
    return this.opts.userAgent;
  }

  setLog(hook: LogHook | undefined): void {
    this.log = hook;
  }

  /**
   * Registers a secret value (client secret, access token…) so the log also redacts it where the
   * pattern-based rules would not recognise it (e.g. a UUID-shaped secret).
   */
  addSecret(value: string | undefined): void {
    if (!value || this.secrets.includes(value)) return;
    this.secrets.push(value);
    if (this.secrets.length > KNOWN_SECRET_LIMIT) this.secrets.shift();
  }

  /** Redacts text for a message the user sees (an error excerpt): the patterns plus every registered secret. */
  redact(text: string): string {
    return redactTextWith(text, this.secrets);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    let n429 = 0;
    let n5xx = 0;
    for (let attempt = 1; ; attempt++) {
      const res = await this.attempt(req, attempt);
      let wait: number | undefined;
      if (res.status === 429 && n429 < this.opts.max429Retries) {
        wait = retryAfterMs(res, this.opts.minRetryDelayMs);
        if (wait > this.opts.maxRetryDelayMs) wait = undefined;
        else n429++;
      } else if (res.status >= 500 && req.method === 'GET' && n5xx < this.opts.max5xxRetries) {
        n5xx++;
        wait = this.opts.minRetryDelayMs * 2 ** (n5xx - 1) * (1 + Math.random() * 0.2);
      }
      if (wait === undefined) return res;
      res.discard();
      await sleep(wait, req.signal);
    }
  }

  private async attempt(req: HttpRequest, attempt: number): Promise<InternalResponse> {
    if (req.signal?.aborted) throw new CancelledError();
    const headers = this.headersFor(req);
    const started = Date.now();
    const ctl = new AbortController();
    const timeoutMs = req.timeoutMs ?? this.opts.timeoutMs;
    const state: AttemptState = { timedOut: false, cancelled: () => !!req.signal?.aborted };
    const timer = new Deadline(timeoutMs, () => {
      state.timedOut = true;
      ctl.abort();
    });
    const signal = req.signal ? AbortSignal.any([req.signal, ctl.signal]) : ctl.signal;
    const url = req.url;
    const entry = (extra: Partial<ExchangeLog>): void => this.emit(req, headers, attempt, started, extra);

    let fres: FetchResponse;
    let incoming: http.IncomingMessage | undefined;
    try {
      fres = await fetch(url, {
        method: req.method,
        headers,
        body: req.body,
        signal,
        compress: false, // decoded below, strictly: a truncated gzip body must fail, not shrink
        redirect: 'manual', // never carry Authorization or a secret body to another origin
        agent: (u: URL) => watchAgent(u, (m) => (incoming = m)),
      });
    } catch (e) {
      timer.clear();
      const err = mapError(e, state, timeoutMs, url);
      entry({ error: err.message });
      throw err;
    }
    const receivedAt = Date.now();
    const raw = fres.body as unknown as Readable;
    // node-fetch does not notice a connection closed before Content-Length was reached: watch the message.
    const checkComplete = (): void => {
      if (incoming && !incoming.complete && !raw.destroyed) raw.destroy(truncated());
    };
    if (incoming?.destroyed) checkComplete();
    else incoming?.once('close', checkComplete);
    const headersOut = lowerHeaders(fres);
    const contentType = headersOut['content-type'] ?? '';
    entry({ status: fres.status, responseContentType: contentType });
    const parsedDate = headersOut['date'] ? new Date(headersOut['date']) : undefined;
    const date = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : undefined;
    const decoded = decode(raw, headersOut['content-encoding']);
    const fail = (e: unknown): CmuError => {
      const err = mapError(e, state, timeoutMs, url);
      entry({ status: fres.status, responseContentType: contentType, error: `body: ${err.message}` });
      return err;
    };
    const abort = (): void => {
      timer.clear();
      ctl.abort();
    };
    return new InternalResponse(fres.status, url, headersOut, contentType, date, receivedAt, decoded, timer, fail, abort);
  }

  private headersFor(req: HttpRequest): Record<string, string> {
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    const has = (n: string): boolean => Object.keys(headers).some((k) => k.toLowerCase() === n);
    if (!has('user-agent')) headers['User-Agent'] = this.opts.userAgent;
    if (!has('accept-encoding')) headers['Accept-Encoding'] = 'gzip, deflate';
    return headers;
  }

  private emit(req: HttpRequest, headers: Record<string, string>, attempt: number, started: number, extra: Partial<ExchangeLog>): void {
    if (!this.log) return;
    const known = this.secrets;
    const e: ExchangeLog = {
      method: req.method,
      url: redactUrlWith(req.url, known),
      durationMs: Date.now() - started,
      attempt,
      requestHeaders: redactHeaders(headers, known),
      ...(req.body !== undefined ? { requestBody: redactTextWith(req.body, known) } : {}),
      ...extra,
      ...(extra.error ? { error: redactTextWith(extra.error, known) } : {}),
    };
    try {
      this.log(e);
    } catch {
      // a broken log sink must never break a request
    }
  }
}

interface AttemptState {
  timedOut: boolean;
  cancelled(): boolean;
}

class InternalResponse implements HttpResponse {
  private body?: Promise<Buffer>;
  private taken = false;

  constructor(
    readonly status: number,
    readonly url: string,
    readonly headers: Record<string, string>,
    readonly contentType: string,
    readonly serverDate: Date | undefined,
    readonly receivedAt: number,
    private readonly decoded: Readable,
    private readonly timer: Deadline,
    private readonly fail: (e: unknown) => CmuError,
    private readonly abort: () => void,
  ) {
    decoded.once('close', () => timer.clear());
    // An unread body fails silently (the timer eventually closes it); readers attach their own listener.
    decoded.on('error', () => undefined);
  }

  buffer(): Promise<Buffer> {
    if (!this.body) {
      this.claim();
      this.body = new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        this.decoded.on('data', (c: Buffer) => chunks.push(c));
        this.decoded.once('end', () => {
          this.timer.clear();
          resolve(Buffer.concat(chunks));
        });
        this.decoded.once('error', (e) => {
          this.timer.clear();
          reject(this.fail(e));
        });
      });
    }
    return this.body;
  }

  async text(): Promise<string> {
    const buf = await this.buffer();
    const charset = /charset="?([\w-]+)/i.exec(this.contentType)?.[1] ?? 'utf-8';
    try {
      return new TextDecoder(charset).decode(buf);
    } catch {
      return buf.toString('utf8');
    }
  }

  stream(): NodeJS.ReadableStream {
    this.claim();
    // Streaming may take long: the timeout becomes an idle timeout, re-armed by every chunk.
    // Piped by hand: pipeline() would end `out` with the raw stream error ("Premature close") before
    // its callback could give it the mapped one.
    // A large buffer between the decoder and the reader: fewer pause/resume round trips per chunk.
    const src = this.decoded;
    const out = new PassThrough({ highWaterMark: STREAM_BUFFER });
    src.on('data', () => this.timer.touch());
    src.once('end', () => this.timer.clear());
    src.once('error', (e) => {
      this.timer.clear();
      out.destroy(this.fail(e));
    });
    out.once('close', () => {
      if (!src.readableEnded) src.destroy(); // the reader gave up: stop downloading
    });
    src.pipe(out);
    return out;
  }

  /** Drops the body of a response that is about to be retried. */
  discard(): void {
    this.abort();
  }

  private claim(): void {
    if (this.taken) throw new Error('The response body was already read');
    this.taken = true;
  }
}

/**
 * A resettable, unref'd timer. `touch()` (once per body chunk) only moves the deadline; the one armed
 * timer re-arms itself for the time left when it fires early, so a fast download does not cancel and
 * re-create a timer for every chunk.
 */
class Deadline {
  private handle?: NodeJS.Timeout;
  private deadline = 0;
  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.touch();
  }
  touch(): void {
    this.deadline = Date.now() + this.ms;
    if (!this.handle) this.arm(this.ms);
  }
  clear(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
  }
  private arm(ms: number): void {
    this.handle = setTimeout(() => {
      this.handle = undefined;
      const left = this.deadline - Date.now();
      if (left > 0) this.arm(left);
      else this.onExpire();
    }, ms);
    this.handle.unref();
  }
}

function truncated(): NetworkError {
  return new NetworkError(
    'The connection closed before the whole response arrived',
    'The server or the network dropped the connection in the middle of the answer, so the data is incomplete. Try again.',
  );
}

/** One agent per attempt (no keep-alive) so we can see the IncomingMessage node-fetch keeps private. */
function watchAgent(u: URL, onIncoming: (m: http.IncomingMessage) => void): http.Agent {
  const agent = u.protocol === 'https:' ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  const add = (agent as unknown as { addRequest: (req: http.ClientRequest, o: unknown) => void }).addRequest.bind(agent);
  (agent as unknown as { addRequest: (req: http.ClientRequest, o: unknown) => void }).addRequest = (req, o) => {
    req.once('response', onIncoming);
    add(req, o);
  };
  return agent;
}

function lowerHeaders(res: FetchResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headers.raw())) out[name.toLowerCase()] = values.join(', ');
  return out;
}

function decode(raw: Readable, encoding: string | undefined): Readable {
  const enc = (encoding ?? '').trim().toLowerCase();
  let decoder: Transform | undefined;
  if (enc === 'gzip' || enc === 'x-gzip') decoder = zlib.createGunzip({ chunkSize: DECODE_CHUNK });
  else if (enc === 'deflate' || enc === 'x-deflate') decoder = new DeflateDecoder();
  if (!decoder) return raw;
  const d = decoder;
  pipeline(raw, d, (e) => {
    if (e && !d.destroyed) d.destroy(e);
  });
  return d;
}

/** `deflate` is meant to be zlib-wrapped, but some servers send raw deflate: sniff the first byte. */
class DeflateDecoder extends Transform {
  private inner?: zlib.Inflate | zlib.InflateRaw;

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
}

function mapError(e: unknown, state: AttemptState, timeoutMs: number, url: string): CmuError {
  if (state.cancelled()) return new CancelledError();
  if (state.timedOut) {
    return new TimeoutError(
      `No complete answer from ${originOf(url)} within ${Math.round(timeoutMs / 100) / 10} s`,
      'The server did not answer in time. It may be slow or unreachable; check the network (VPN, proxy) and try again.',
    );
  }
  if (e instanceof CmuError) return e;
  const err = e as { code?: string; errno?: string; message?: string; type?: string };
  const code = err.code ?? err.errno ?? '';
  const where = originOf(url);
  const reasons: Record<string, string> = {
    ECONNREFUSED: `Nothing is listening at ${where}: the server is down or the address/port is wrong.`,
    ENOTFOUND: `The host name of ${where} could not be resolved: check the URL, the DNS or the VPN.`,
    EAI_AGAIN: `The host name of ${where} could not be resolved right now (DNS problem). Try again.`,
    ECONNRESET: `The connection to ${where} was reset before the answer was complete. Try again.`,
    EPIPE: `The connection to ${where} closed while the request was being sent. Try again.`,
    ETIMEDOUT: `The connection to ${where} timed out at the network level.`,
    EHOSTUNREACH: `${where} cannot be reached from this machine (network or firewall).`,
    ENETUNREACH: `The network is unreachable: check the connection.`,
    ERR_STREAM_PREMATURE_CLOSE: `The connection to ${where} closed before the whole answer arrived. Try again.`,
    Z_BUF_ERROR: `The compressed answer from ${where} was cut short. Try again.`,
    Z_DATA_ERROR: `The compressed answer from ${where} is corrupt.`,
  };
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code)) {
    return new NetworkError(
      `TLS problem talking to ${where} (${code})`,
      'The server certificate could not be verified. A corporate proxy or a wrong host name is the usual cause.',
    );
  }
  const explanation = reasons[code] ?? `The request to ${where} failed before a complete answer arrived. Check the network and try again.`;
  const detail = (err.message ?? String(e)).replace(/^request to \S+ failed, reason: /, '');
  return new NetworkError(`Network error talking to ${where}: ${detail}`, explanation);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the server';
  }
}

/** max(floor, Retry-After (seconds or HTTP date), Expires) — the DCR throttle asks for at least 1 s. */
function retryAfterMs(res: HttpResponse, floorMs: number): number {
  const now = Date.now();
  let ms = 0;
  const ra = res.headers['retry-after']?.trim();
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra)) ms = Number(ra) * 1000;
    else if (!Number.isNaN(Date.parse(ra))) ms = Date.parse(ra) - now;
  } else if (res.headers['expires'] && !Number.isNaN(Date.parse(res.headers['expires']))) {
    // Expires is relative to the server clock; compare it with the server Date when we have one.
    const base = res.serverDate?.getTime() ?? now;
    ms = Date.parse(res.headers['expires']) - base;
  }
  return Math.max(floorMs, ms);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
