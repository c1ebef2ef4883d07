/** The shapes of the HTTP module: a request, a response and what the exchange log receives. */

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** idle timeout: no byte for this long fails the exchange (default: the client's; 0 or less = the default) */
  timeoutMs?: number;
  /** total deadline of the whole exchange, headers, body and retries included (default: none) */
  maxTimeMs?: number;
  /** told before each retry wait (429 throttling, 5xx backoff), so a front can show it; cancel with `signal` */
  onWait?: (wait: RetryWait) => void;
}

export interface RetryWait {
  /** how long the client is about to wait */
  ms: number;
  /** the attempt that got the answer (1-based) */
  attempt: number;
  status: number;
  /** plain words: "the server asked to slow down (HTTP 429)" */
  reason: string;
}

/** How a body is encoded: what `decode()` in ./body undoes (anything else is read as it is). */
export type BodyEncoding = 'gzip' | 'deflate' | undefined;

export interface ReadOptions {
  /** decoded bytes accepted; more fails with BodyTooLargeError (default: the client's limit) */
  maxBytes?: number;
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
  /** a 429 that was not waited for: when the server said to try again (epoch ms) */
  retryAt?: number;
  /** the decoded body, at most `maxBytes` (default: the client's buffered limit) */
  text(opts?: ReadOptions): Promise<string>;
  buffer(opts?: ReadOptions): Promise<Buffer>;
  /** at most `maxBytes` of the body (an error page); the rest is dropped with the connection */
  excerpt(maxBytes?: number): Promise<{ text: string; truncated: boolean }>;
  /** decoded (gzip/deflate) body, for streaming to a file; bounded by size, compression ratio and rate */
  stream(opts?: ReadOptions): NodeJS.ReadableStream;
  /**
   * The body as it came, still encoded (`encoding`: what `decode()` in ./body undoes), for a reader that
   * decodes it elsewhere (the report worker); `maxBytes` bounds the encoded bytes, the reader bounds the
   * decoded ones. Watched and mapped as stream().
   */
  encodedStream(opts?: ReadOptions): { stream: NodeJS.ReadableStream; encoding: BodyEncoding };
  /** drops a body that will not be read (closes the connection) */
  discard(): void;
  /** the client's redaction (patterns plus every secret it has seen), for messages built from this body */
  redact(text: string): string;
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
  /** idle timeout of one request (default 30000; 0, negative or not a number = the default) */
  timeoutMs?: number;
  userAgent?: string;
  log?: LogHook;
  /** told before every retry wait of every request (a request's own onWait is told too) */
  onWait?: (wait: RetryWait) => void;
  max429Retries?: number;
  max5xxRetries?: number;
  /** first wait of the 429/5xx backoff (doubled each time, with jitter; default 1000) */
  minRetryDelayMs?: number;
  /** a Retry-After longer than this is not waited for: the 429 is returned with retryAt (default 60000) */
  maxRetryDelayMs?: number;
  /** cap of the growing backoff (default 16000) */
  maxBackoffMs?: number;
  /** default limit of text()/buffer() (default 64 MiB) */
  maxBufferedBytes?: number;
  /** default limit of stream() (default 4 GiB) */
  maxStreamBytes?: number;
  /** decoded/compressed ratio above which a body is refused as a decompression bomb (default 100; first 16 MiB free) */
  maxCompressionRatio?: number;
  /** a body slower than this over a whole idle-timeout window fails (default 1024; 0 = no minimum) */
  minBytesPerSecond?: number;
  /** default total deadline of each request (a request's own maxTimeMs wins; default none) */
  maxTimeMs?: number;
}
