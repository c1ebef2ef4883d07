/** The typed failures of an exchange and the plain words for them (statuses, network codes, limits). */
import { CmuError } from '../errors';
import { redactText, redactUrl as redactUrlWith } from '../redact';
import type { Redactor } from './redactor';
import type { HttpResponse } from './types';

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

/** A body over a size limit, or a compressed body that inflates beyond the allowed ratio. */
export class BodyTooLargeError extends CmuError {
  constructor(
    readonly limitBytes: number,
    readonly kind: 'size' | 'ratio',
    origin: string,
    ratio = 0,
  ) {
    super(
      kind === 'size'
        ? `The answer from ${origin} is larger than ${formatBytes(limitBytes)}`
        : `The compressed answer from ${origin} inflates more than ${ratio} times (a decompression bomb?)`,
      kind === 'size'
        ? 'The download was stopped at the limit so it cannot exhaust memory or disk. Narrow the query, or raise the limit if the report really is that large.'
        : 'Real reports compress far less than this; the answer was dropped so it cannot exhaust memory or disk.',
      'none',
      kind === 'size' ? 'body_too_large' : 'compression_bomb',
    );
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

  /** Reads a bounded part of the body (ERROR_BODY_LIMIT) and builds the error with a plain explanation of the status. */
  static async fromResponse(res: HttpResponse, what = 'The server'): Promise<HttpStatusError> {
    const { text } = await res.excerpt(ERROR_BODY_LIMIT).catch(() => ({ text: '' }));
    // the patterns (bodyExcerpt) and the secrets the client has seen (an opaque token a server echoes)
    const excerpt = res.redact(bodyExcerpt(text, res.contentType));
    const retry = retryNote(res);
    return new HttpStatusError(
      `${what} answered HTTP ${res.status}${excerpt ? `: ${excerpt.slice(0, 200)}` : ''}`,
      explainStatus(res.status) + (retry ? ` ${retry}` : ''),
      res.status,
      res.contentType,
      excerpt,
      res.status === 429 || res.status >= 500 ? 'retry' : 'showLog',
    );
  }
}

/** What is kept of an error body or a DCR answer (the rest is dropped with the connection). */
export const ERROR_BODY_LIMIT = 64 * 1024;

export function redactUrl(url: string): string {
  return redactUrlWith(url);
}
export { redactText };

/** A short, redacted, single-line excerpt of a body; HTML pages are reduced to their title/text. */
export function bodyExcerpt(body: string, contentType: string, max = 500): string {
  let text = body;
  if (/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
    text = title ?? body.replace(/<[^>]*>/g, ' ');
  }
  text = redactText(text.replace(/\s+/g, ' ').trim());
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

/** "The server asked to wait 10 min: try again after 05:12 UTC." for a 429 that was not waited for. */
export function retryNote(res: Pick<HttpResponse, 'retryAt'>, now = Date.now()): string | undefined {
  if (res.retryAt === undefined || !Number.isFinite(res.retryAt)) return undefined;
  const at = new Date(res.retryAt);
  const hhmm = at.toISOString().slice(11, 16);
  const sameDay = at.toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `The server asked to wait ${formatDuration(res.retryAt - now)}: try again after ${sameDay ? '' : at.toISOString().slice(0, 10) + ' '}${hhmm} UTC.`;
}

/** "40 s", "10 min", "2 h 5 min" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return `${n / (1 << 30)} GB`;
  if (n >= 1 << 20) return `${Math.round((n / (1 << 20)) * 10) / 10} MB`;
  return `${Math.round(n / 1024)} KB`;
}

/** Why the watchdog ended an attempt. */
export type Expiry = 'idle' | 'slow' | 'total';

export interface AttemptState {
  expired?: Expiry;
  cancelled(): boolean;
  /** the HTTP parser's complaint (bytes after the body, a broken header), seen on the request */
  protocolError?: Error;
}

export interface TimeLimits {
  idleMs: number;
  minBytesPerSecond: number;
  maxTimeMs?: number;
}

export function mapError(e: unknown, state: AttemptState, limits: TimeLimits, url: string, redactor: Redactor): CmuError {
  if (state.cancelled()) return new CancelledError();
  const where = originOf(url);
  if (state.expired === 'total') {
    return new TimeoutError(
      `No complete answer from ${where} within ${seconds(limits.maxTimeMs ?? 0)} s in total`,
      'The exchange hit its total time limit (--max-time, or the maxTimeSeconds setting). Raise the limit or narrow the query.',
    );
  }
  if (state.expired === 'slow') {
    return new TimeoutError(
      `The answer from ${where} arrived slower than ${formatBytes(limits.minBytesPerSecond)}/s for ${seconds(limits.idleMs)} s`,
      'The server (or the network) sends the body too slowly to finish; it was stopped rather than left running forever. Try again later.',
    );
  }
  if (state.expired === 'idle') {
    return new TimeoutError(
      `No complete answer from ${where} within ${seconds(limits.idleMs)} s`,
      'The server did not answer in time. It may be slow or unreachable; check the network (VPN, proxy) and try again.',
    );
  }
  if (e instanceof CmuError) return e;
  const err = (state.protocolError ?? e) as { code?: string; errno?: string; message?: string; type?: string };
  const code = err.code ?? err.errno ?? '';
  if (code.startsWith('HPE_')) {
    return new NetworkError(
      `Malformed HTTP response from ${where}`,
      'The server sent bytes that are not valid HTTP (for instance more than its Content-Length, after the end of the answer). The answer cannot be trusted and was dropped. Try again; if it persists, the server or a proxy in between is broken.',
    );
  }
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
  // node's own messages may quote a header value (an Authorization header with a bad character)
  const detail = redactor.text((err.message ?? String(e)).replace(/^request to \S+ failed, reason: /, ''));
  return new NetworkError(`Network error talking to ${where}: ${detail}`, explanation);
}

export function truncated(): NetworkError {
  return new NetworkError(
    'The connection closed before the whole response arrived',
    'The server or the network dropped the connection in the middle of the answer, so the data is incomplete. Try again.',
  );
}

export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the server';
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
