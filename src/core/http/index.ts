/** The one HTTP module: client (requests, retries, timeouts), body (bounded reads), errors, redactor. */
export { HttpClient } from './client';
export { Redactor } from './redactor';
export {
  BodyTooLargeError,
  CancelledError,
  ERROR_BODY_LIMIT,
  HttpStatusError,
  NetworkError,
  TimeoutError,
  bodyExcerpt,
  explainStatus,
  formatBytes,
  formatDuration,
  redactText,
  redactUrl,
  retryNote,
} from './errors';
export type { ExchangeLog, HttpClientOptions, HttpRequest, HttpResponse, LogHook, ReadOptions, RetryWait } from './types';
