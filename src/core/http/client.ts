/**
 * HttpClient: every request of the project goes through `request` (node-fetch v2). It owns timeouts
 * (idle, minimum rate, total), caller cancellation, the retry policy (429 any method, 5xx GET only, a
 * growing backoff the caller is told about), the bounded body (./body) and the redacted exchange log.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import type { Readable } from 'node:stream';
import fetch, { type Response as FetchResponse } from 'node-fetch';
import type { CmuError } from '../errors';
import { type BodyLimits, InternalResponse, Watchdog } from './body';
import { type AttemptState, CancelledError, type TimeLimits, mapError, originOf, truncated } from './errors';
import { Redactor } from './redactor';
import type { ExchangeLog, HttpClientOptions, HttpRequest, HttpResponse, LogHook, RetryWait } from './types';

const DEFAULTS = {
  timeoutMs: 30_000,
  max429Retries: 3,
  max5xxRetries: 2,
  minRetryDelayMs: 1000,
  maxRetryDelayMs: 60_000,
  maxBackoffMs: 16_000,
  maxBufferedBytes: 64 << 20,
  maxStreamBytes: 4 * (1 << 30),
  maxCompressionRatio: 100,
  minBytesPerSecond: 1024,
};
/** setTimeout's ceiling: a longer delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Settings = Required<Omit<HttpClientOptions, 'log' | 'onWait' | 'maxTimeMs'>> & { maxTimeMs?: number };

export class HttpClient {
  /** the session's secrets and patterns: the log hook and error messages redact through it */
  readonly redactor = new Redactor();
  private log: LogHook | undefined;
  private readonly onWait: ((w: RetryWait) => void) | undefined;
  private readonly opts: Settings;

  constructor(opts: HttpClientOptions = {}) {
    this.log = opts.log;
    this.onWait = opts.onWait;
    this.opts = {
      timeoutMs: positiveMs(opts.timeoutMs, DEFAULTS.timeoutMs),
      userAgent: opts.userAgent ?? `cmu-explorer/0.1.0 (node ${process.version}; ${os.platform()})`,
      max429Retries: opts.max429Retries ?? DEFAULTS.max429Retries,
      max5xxRetries: opts.max5xxRetries ?? DEFAULTS.max5xxRetries,
      minRetryDelayMs: opts.minRetryDelayMs ?? DEFAULTS.minRetryDelayMs,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
      maxBackoffMs: opts.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
      maxBufferedBytes: opts.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
      maxStreamBytes: opts.maxStreamBytes ?? DEFAULTS.maxStreamBytes,
      maxCompressionRatio: opts.maxCompressionRatio ?? DEFAULTS.maxCompressionRatio,
      minBytesPerSecond: opts.minBytesPerSecond ?? DEFAULTS.minBytesPerSecond,
      ...(opts.maxTimeMs !== undefined && opts.maxTimeMs > 0 ? { maxTimeMs: opts.maxTimeMs } : {}),
    };
  }

  get userAgent(): string {
    return this.opts.userAgent;
  }

  setLog(hook: LogHook | undefined): void {
    this.log = hook;
  }

  /**
   * Registers a secret value (client secret, access token…) so the log and messages also redact it where
   * the pattern-based rules would not recognise it (e.g. a UUID-shaped secret).
   */
  addSecret(value: string | undefined): void {
    this.redactor.add(value);
  }

  /** Redacts text for a message the user sees (an error excerpt): the patterns plus every registered secret. */
  redact(text: string): string {
    return this.redactor.text(text);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const maxTimeMs = req.maxTimeMs !== undefined && req.maxTimeMs > 0 ? req.maxTimeMs : this.opts.maxTimeMs;
    const deadline = maxTimeMs !== undefined ? Date.now() + maxTimeMs : undefined;
    let n429 = 0;
    let n5xx = 0;
    for (let attempt = 1; ; attempt++) {
      const res = await this.attempt(req, attempt, deadline, maxTimeMs);
      let wait: number | undefined;
      let reason = '';
      if (res.status === 429) {
        const asked = retryAfterMs(res);
        if (asked > this.opts.maxRetryDelayMs || n429 >= this.opts.max429Retries) {
          if (asked > 0) res.retryAt = Date.now() + asked;
        } else {
          n429++;
          wait = Math.max(asked, this.backoff(n429));
          reason = 'the server asked to slow down (HTTP 429)';
        }
      } else if (res.status >= 500 && req.method === 'GET' && n5xx < this.opts.max5xxRetries) {
        n5xx++;
        wait = this.backoff(n5xx);
        reason = `the server had a problem (HTTP ${res.status}); trying again`;
      }
      // a wait that would overrun the total deadline is not taken: the answer is returned as it is
      if (wait === undefined || (deadline !== undefined && Date.now() + wait >= deadline)) return res;
      res.discard();
      const info: RetryWait = { ms: Math.round(wait), attempt, status: res.status, reason };
      for (const tell of [this.onWait, req.onWait]) {
        try {
          tell?.(info);
        } catch {
          // a broken progress sink must never break a request
        }
      }
      await sleep(wait, req.signal);
    }
  }

  /** ≥ minRetryDelayMs, doubled per retry, capped, plus up to 20% jitter (clients do not retry in lockstep). */
  private backoff(n: number): number {
    const base = Math.min(this.opts.maxBackoffMs, this.opts.minRetryDelayMs * 2 ** (n - 1));
    return Math.max(base, this.opts.minRetryDelayMs) * (1 + Math.random() * 0.2);
  }

  private async attempt(req: HttpRequest, attempt: number, deadline: number | undefined, maxTimeMs: number | undefined): Promise<InternalResponse> {
    if (req.signal?.aborted) throw new CancelledError();
    const headers = this.headersFor(req);
    const started = Date.now();
    const ctl = new AbortController();
    const limits: TimeLimits = {
      idleMs: positiveMs(req.timeoutMs, this.opts.timeoutMs),
      minBytesPerSecond: this.opts.minBytesPerSecond,
      ...(maxTimeMs !== undefined ? { maxTimeMs } : {}),
    };
    const state: AttemptState = { cancelled: () => !!req.signal?.aborted };
    const url = req.url;
    const entry = (extra: Partial<ExchangeLog>): void => this.emit(req, headers, attempt, started, extra);
    if (deadline !== undefined && deadline <= started) {
      state.expired = 'total';
      const err = mapError(undefined, state, limits, url, this.redactor);
      entry({ error: err.message });
      throw err;
    }
    const watch = new Watchdog(limits.idleMs, limits.minBytesPerSecond, deadline !== undefined ? deadline - started : undefined, (why) => {
      state.expired = why;
      ctl.abort();
    });
    const signal = req.signal ? AbortSignal.any([req.signal, ctl.signal]) : ctl.signal;

    let fres: FetchResponse;
    let incoming: http.IncomingMessage | undefined;
    try {
      fres = await fetch(url, {
        method: req.method,
        headers,
        body: req.body,
        signal,
        compress: false, // decoded in ./body, strictly: a truncated gzip body must fail, not shrink
        redirect: 'manual', // never carry Authorization or a secret body to another origin
        agent: (u: URL) =>
          watchAgent(u, {
            response: (m) => (incoming = m),
            error: (e) => (state.protocolError ??= /^HPE_/.test((e as NodeJS.ErrnoException).code ?? '') ? e : undefined),
          }),
      });
    } catch (e) {
      watch.clear();
      const err = mapError(e, state, limits, url, this.redactor);
      entry({ error: err.message });
      throw err;
    }
    const receivedAt = Date.now();
    const raw = fres.body as unknown as Readable;
    const headersOut = lowerHeaders(fres);
    const contentType = headersOut['content-type'] ?? '';
    const fail = (e: unknown): CmuError => {
      const err = mapError(e, state, limits, url, this.redactor);
      entry({ status: fres.status, responseContentType: contentType, error: `body: ${err.message}` });
      return err;
    };
    // node-fetch settles its body before this code runs when the parser fails right after the headers
    // (bytes after Content-Length): a body destroyed unread can never end, so the attempt fails now.
    if (state.protocolError || (raw.destroyed && !raw.readableEnded)) {
      watch.clear();
      ctl.abort();
      throw fail(state.protocolError ?? truncated());
    }
    // node-fetch does not notice a connection closed before Content-Length was reached: watch the message.
    const checkComplete = (): void => {
      if (incoming && !incoming.complete && !raw.destroyed) raw.destroy(truncated());
    };
    if (incoming?.destroyed) checkComplete();
    else incoming?.once('close', checkComplete);
    entry({ status: fres.status, responseContentType: contentType });
    const parsedDate = headersOut['date'] ? new Date(headersOut['date']) : undefined;
    const date = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : undefined;
    const bodyLimits: BodyLimits = {
      maxBufferedBytes: this.opts.maxBufferedBytes,
      maxStreamBytes: this.opts.maxStreamBytes,
      maxCompressionRatio: this.opts.maxCompressionRatio,
    };
    const abort = (): void => {
      watch.clear();
      ctl.abort();
    };
    return new InternalResponse(fres.status, url, headersOut, contentType, date, receivedAt, raw, watch, bodyLimits, originOf(url), fail, abort, (t) => this.redactor.text(t));
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
    const r = this.redactor;
    const e: ExchangeLog = {
      method: req.method,
      url: r.url(req.url),
      durationMs: Date.now() - started,
      attempt,
      requestHeaders: r.headers(headers),
      ...(req.body !== undefined ? { requestBody: r.text(req.body) } : {}),
      ...extra,
      ...(extra.error ? { error: r.text(extra.error) } : {}),
    };
    try {
      this.log(e);
    } catch {
      // a broken log sink must never break a request
    }
  }
}

/** A timeout setting of 0, a negative or a non-number means the default (a 0 s timeout would fail every request). */
function positiveMs(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(v, MAX_TIMER_MS) : fallback;
}

/** One agent per attempt (no keep-alive) so we can see the IncomingMessage node-fetch keeps private, and the parser's errors. */
function watchAgent(u: URL, on: { response: (m: http.IncomingMessage) => void; error: (e: Error) => void }): http.Agent {
  const agent = u.protocol === 'https:' ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  const add = (agent as unknown as { addRequest: (req: http.ClientRequest, o: unknown) => void }).addRequest.bind(agent);
  (agent as unknown as { addRequest: (req: http.ClientRequest, o: unknown) => void }).addRequest = (req, o) => {
    req.once('response', on.response);
    req.on('error', on.error);
    add(req, o);
  };
  return agent;
}

function lowerHeaders(res: FetchResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headers.raw())) out[name.toLowerCase()] = values.join(', ');
  return out;
}

/** Retry-After (seconds or HTTP date), else Expires; 0 when the server said nothing. */
function retryAfterMs(res: HttpResponse): number {
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
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
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
    }, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
