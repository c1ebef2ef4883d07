/**
 * The CMU client: GET a report through the session's token and the one HttpClient, map every failure to
 * a CmuApiError with a plain explanation and a next step, and parse the body into the one report shape.
 *
 * - The token goes in `Authorization: Bearer`, never in the `access_token` query parameter (stripped
 *   from pasted URLs), and only to the CMU base's origin (other origins are refused).
 * - 401 -> one forced token refresh and one retry; a second 401 is an error.
 * - 429/5xx retries are the http module's (bounded); what is left is an error here.
 * - 404 on a base whose path is not `/cmu/v2` (staging) -> one try of the other prefix (reference,
 *   ambiguity 4), then "no pre-aggregation" with the next steps from the server's own links: the 404's
 *   `_links` when it has them, else those of the closest ancestor that answers (walked up, at most one
 *   request per segment, each through this client's checks); the catalog's only when none answers.
 */
import { CmuError, InputError, type NextStep } from '../errors';
import { checkEndpoint, joinUrl } from '../environments';
import { BodyTooLargeError, CancelledError, ERROR_BODY_LIMIT, bodyExcerpt, formatBytes, redactUrl, retryNote, type HttpClient, type HttpResponse } from '../http';
import type { BodyEncoding } from '../http/types';
import type { Session } from '../session';
import { isKnownPath, nextSteps, pathHref } from './catalog';
import { alternateUrl, hrefPath, isWithinBase, readHalLinks, resolveHref, resolveHrefWithinBase } from './hal';
import { requiredScope, scopeAdvice } from './scopes';
import { ACCEPT_FOR, ReportParseError, fileNameFromContentDisposition, formatFromContentType, formatFromUrl, parseReportBody } from './parse';
import { parseQueryUrl, queryToUrl } from './query';
import type { CmuQuery, ParsedReport, ReportFetchOptions, ReportFormat, ReportLinks } from './types';

export { parseReportBody } from './parse';

/** A CMU answer the caller cannot use (status mapped), or a 2xx body that is not the report it claims. */
export class CmuApiError extends CmuError {
  readonly status: number;
  /** the server's own words (plain text of a 400/406, an error page's title), redacted and bounded */
  readonly serverText?: string;
  /** for a 404: the drill-down steps the catalog knows from the closest known ancestor */
  readonly validNextSteps?: string[];
  /** the ancestor path those steps continue (not always the parent: /tenant/bogus/deeper continues /tenant) */
  readonly validNextStepsFrom?: string[];
  /** where the 404's next steps come from: the server's drill-down links, or the catalog (no ancestor answered) */
  readonly nextStepsSource?: 'server' | 'catalog';

  constructor(
    message: string,
    explanation: string,
    status: number,
    opts: {
      nextStep?: NextStep;
      code?: string;
      serverText?: string;
      validNextSteps?: string[];
      validNextStepsFrom?: string[];
      nextStepsSource?: 'server' | 'catalog';
    } = {},
  ) {
    super(message, explanation, opts.nextStep ?? 'none', opts.code ?? `http_${status}`);
    this.status = status;
    if (opts.serverText) this.serverText = opts.serverText;
    if (opts.validNextSteps) this.validNextSteps = opts.validNextSteps;
    if (opts.validNextStepsFrom) this.validNextStepsFrom = opts.validNextStepsFrom;
    if (opts.nextStepsSource) this.nextStepsSource = opts.nextStepsSource;
  }
}

export interface CmuClientOptions {
  http: HttpClient;
  session: Session;
  /** e.g. https://mgmt.auth.adobe.com/cmu/v2 (the environment's) */
  cmuBase: string;
  /** largest decoded report read into memory (panel, CLI table); default DEFAULT_MAX_REPORT_BYTES */
  maxReportBytes?: number;
}

/** A report held in memory (the panel, `--format table`); bigger ones go to a file (`--out`, Save As). */
export const DEFAULT_MAX_REPORT_BYTES = 64 << 20;

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

export class CmuClient {
  readonly cmuBase: string;
  readonly origin: string;
  readonly maxReportBytes: number;
  private readonly http: HttpClient;
  private readonly session: Session;

  constructor(opts: CmuClientOptions) {
    if (!opts.cmuBase) {
      throw new InputError('No CMU base URL is set for this environment', 'Set the CMU base URL (https://…/cmu/v2) in the settings.', 'openSettings', 'no_cmu_base');
    }
    const base = checkEndpoint(opts.cmuBase, 'CMU base URL');
    this.cmuBase = (base.origin + base.pathname).replace(/\/+$/, '');
    this.origin = base.origin;
    this.http = opts.http;
    this.session = opts.session;
    this.maxReportBytes = opts.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES;
    const envBase = opts.session.env?.cmuBase;
    if (envBase && safeOrigin(envBase) !== this.origin) {
      throw new InputError(
        `The CMU base ${this.origin} is not the one of the ${opts.session.env.name} environment (${safeOrigin(envBase)})`,
        "An access token is only sent to its own environment's CMU origin.",
        'openSettings',
        'origin_mismatch',
      );
    }
  }

  /**
   * Absolute URL of a query, a pasted URL, a HAL href (`/cmu/v2/...`, resolved against the base's origin)
   * or a bare path (`tenant/year`, relative to the base). Refuses other origins; drops `access_token`.
   */
  urlFor(q: CmuQuery | string): string {
    if (typeof q !== 'string') return queryToUrl(q, this.cmuBase);
    let s = q.trim();
    const hash = s.indexOf('#');
    if (hash >= 0) s = s.slice(0, hash);
    let url: string;
    if (ABSOLUTE.test(s)) url = s;
    else if (s.startsWith('/')) url = resolveHref(s, this.cmuBase);
    else if (/^cmu\/v2(?=[/.?]|$)/.test(s)) url = resolveHref('/' + s, this.cmuBase);
    else if (s === '' || s.startsWith('?')) url = this.cmuBase + s;
    else url = joinUrl(this.cmuBase, s);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InputError(`Not a CMU URL: ${this.http.redact(redactUrl(q))}`, 'Paste a CMU URL (https://…/cmu/v2/…), a link such as /cmu/v2/tenant/year, or a path such as tenant/year.', 'none', 'bad_url');
    }
    if (parsed.origin !== this.origin) {
      throw new InputError(
        `Refused to send the access token to ${parsed.origin}`,
        `This environment's CMU origin is ${this.origin}; an access token is only ever sent there. ` +
          'Switch to the environment the URL belongs to, or open the path on this one.',
        'openSettings',
        'origin_mismatch',
      );
    }
    if (parsed.username || parsed.password) {
      throw new InputError('A CMU URL must not contain credentials', 'Remove the user:password@ part of the URL.', 'none', 'bad_url');
    }
    if (!isWithinBase(url, this.cmuBase)) {
      throw new InputError(
        `Refused to send the access token outside the CMU API: ${parsed.pathname}`,
        `An access token is only sent under ${this.cmuBase} (a link with ../ or encoded dot segments leaves it). Open a report path instead.`,
        'none',
        'outside_base',
      );
    }
    return stripAccessToken(url);
  }

  /**
   * The 2xx response, unread (the CLI streams big bodies to a file); every other outcome is an error.
   * `ancestorLinks: false`: a 404 without `_links` takes its next steps from the catalog, with no further request.
   */
  async open(q: CmuQuery | string, opts: OpenOptions = {}): Promise<HttpResponse> {
    const url = this.urlFor(q);
    const format: ReportFormat | undefined = typeof q === 'string' ? formatFromUrl(url) : q.format;
    const accept = opts.accept ?? ACCEPT_FOR[format ?? 'json'];
    const state: SendState = { refreshed: false };
    const send = { accept, signal: opts.signal, maxTimeMs: opts.maxTimeMs };
    let res = await this.send(url, send, state);
    if (res.status === 404) {
      const alt = alternateUrl(url, this.cmuBase);
      if (alt) {
        res.discard();
        res = await this.send(alt, send, state);
      }
    }
    if (res.status >= 200 && res.status < 300) return res;
    const path = typeof q === 'string' ? parseQueryUrl(url, this.cmuBase).path : q.path;
    throw await this.errorFor(res, path, url, state.scopes, { walk: opts.ancestorLinks !== false, signal: opts.signal });
  }

  /** GET + parse. The CSV file name comes from Content-Disposition, else it is built from the query. */
  async fetchReport(q: CmuQuery | string, opts: ReportFetchOptions & { ancestorLinks?: boolean } = {}): Promise<ParsedReport> {
    const res = await this.open(q, { signal: opts.signal, maxTimeMs: opts.maxTimeMs, ancestorLinks: opts.ancestorLinks });
    return this.parseAnswer(res, await this.readReport(res, opts.maxBytes), q, opts.signal);
  }

  private parseAnswer(res: HttpResponse, body: string, q: CmuQuery | string, signal?: AbortSignal): ParsedReport {
    if (signal?.aborted) throw new CancelledError();
    const fileName = fileNameFromContentDisposition(res.headers['content-disposition']);
    try {
      const parsed = parseReportBody(body, res.contentType, res.url || this.urlFor(q), fileName);
      parsed.response = { status: res.status, headers: { ...res.headers }, bytes: Buffer.byteLength(body) };
      return parsed;
    } catch (e) {
      if (e instanceof ReportParseError) {
        throw new CmuApiError(e.message, e.explanation, res.status, { nextStep: e.nextStep, code: 'bad_response', serverText: this.http.redact(e.bodyExcerpt) });
      }
      throw e;
    }
  }

  /**
   * A report for a viewer (the panel): its rows fetched as CSV — the same rows as the JSON in about a sixth
   * of the bytes, so a 200k-row report fits the in-memory limit and parses faster — and its HAL links from
   * the same query with `limit=1`, both at once. The result is the query's own: its URL (not the CSV's),
   * the CSV's rows, the JSON's links, the CSV answer's status and headers. A query that asks for CSV or XML,
   * or at most one row, is fetched as it is.
   */
  async fetchReportRows(q: CmuQuery, opts: ReportFetchOptions = {}): Promise<ParsedReport> {
    if (!streamsRows(q)) return this.fetchReport(q, opts);
    const { rows, links } = await this.withLinks(q, opts, (signal) => this.fetchReport({ ...q, format: 'csv' }, { ...opts, signal }));
    return { ...rows, url: this.urlFor(q), links };
  }

  /**
   * fetchReportRows for a viewer that parses the rows as they arrive (the panel, off its thread): the CSV
   * answer's body goes to `read` as a stream of the bytes as they came, still `encoding` (gzip/deflate:
   * the reader decodes them, with core/http's decode(), off this thread too). The stream is bounded by
   * `maxBytes` (default: the in-memory limit); the reader bounds the decoded text by the same and fails
   * with a `csv_too_large` code beyond it (which becomes "too large for the panel: Save As"). The links
   * come from the `limit=1` JSON call meanwhile, and `onMeta` gets the report's
   * metadata as soon as both the links and the CSV's headers are in (the rows may still be arriving).
   * A query fetchReportRows takes as it is, or an answer that is not CSV (the server leads), is read and
   * parsed here: `report` instead of `value`.
   */
  async streamReportRows<T>(
    q: CmuQuery,
    read: (body: NodeJS.ReadableStream, signal: AbortSignal, encoding: BodyEncoding) => Promise<T>,
    opts: ReportFetchOptions & { onMeta?: (meta: StreamedMeta) => void } = {},
  ): Promise<StreamedReport<T>> {
    if (!streamsRows(q)) return { report: await this.fetchReport(q, opts) };
    const csvQuery: CmuQuery = { ...q, format: 'csv' };
    const url = this.urlFor(q);
    const { rows, links } = await this.withLinks(q, opts, async (signal, links) => {
      const res = await this.open(csvQuery, { signal, maxTimeMs: opts.maxTimeMs });
      if (formatFromContentType(res.contentType) !== 'csv') return { report: this.parseAnswer(res, await this.readReport(res, opts.maxBytes), csvQuery, signal) };
      const meta: StreamedMeta = {
        url,
        format: 'csv',
        contentType: res.contentType,
        fileName: fileNameFromContentDisposition(res.headers['content-disposition']),
        links: { rollUp: [], drillDown: [] },
        response: { status: res.status, headers: { ...res.headers }, bytes: 0 },
      };
      links.then((l) => opts.onMeta?.({ ...meta, links: l })).catch(() => undefined);
      const max = opts.maxBytes ?? this.maxReportBytes;
      const { stream: body, encoding } = res.encodedStream({ maxBytes: max });
      // a cancel, or the links call failing, stops the download whatever the reader does
      const drop = (): void => void (body as NodeJS.ReadableStream & { destroy(): void }).destroy();
      signal.addEventListener('abort', drop, { once: true });
      try {
        const value = await read(body, signal, encoding).catch((e: unknown) => {
          throw this.tooLarge(e, max, res.status);
        });
        return { value, meta };
      } finally {
        signal.removeEventListener('abort', drop);
      }
    });
    if (rows.report) return { report: { ...rows.report, url, links } };
    return { value: rows.value as T, meta: { ...rows.meta!, links } };
  }

  /**
   * `fetch` (the rows; it gets the links' promise too) and the query's HAL links (JSON, `limit=1`) at once:
   * one fails, both stop.
   */
  private async withLinks<R>(q: CmuQuery, opts: ReportFetchOptions, fetch: (signal: AbortSignal, links: Promise<ReportLinks>) => Promise<R>): Promise<{ rows: R; links: ReportLinks }> {
    // Promise.all rejects with the first, real error; the other's is the cancellation
    const both = new AbortController();
    const stop = (): void => both.abort();
    if (opts.signal?.aborted) throw new CancelledError();
    opts.signal?.addEventListener('abort', stop, { once: true });
    const signal = both.signal;
    const orStop = <T>(p: Promise<T>): Promise<T> =>
      p.catch((e: unknown) => {
        stop();
        throw e;
      });
    try {
      const links = orStop(this.fetchReport({ ...q, format: undefined, limit: 1 }, { signal, maxTimeMs: opts.maxTimeMs })).then((head) => ({ ...head.links, self: withLimit(head.links.self, q.limit) }));
      const [rows, l] = await Promise.all([orStop(fetch(signal, links)), links]);
      return { rows, links: l };
    } finally {
      opts.signal?.removeEventListener('abort', stop);
    }
  }

  /**
   * The body of a report to hold in memory, at most `maxBytes` decoded (default: this client's limit);
   * a larger one is a clear "too large for the panel/table: use --out / Save As".
   */
  async readReport(res: HttpResponse, maxBytes = this.maxReportBytes): Promise<string> {
    try {
      return await res.text({ maxBytes });
    } catch (e) {
      throw this.tooLarge(e, maxBytes, res.status);
    }
  }

  /** A body over the in-memory limit as "too large for the panel/table: use --out / Save As"; other errors as they are. */
  private tooLarge(e: unknown, maxBytes: number, status: number): unknown {
    // a reader that decodes the body itself says so with the CSV parser's code
    const over = (e instanceof BodyTooLargeError && e.kind === 'size') || (e instanceof Error && (e as { code?: unknown }).code === 'csv_too_large');
    if (!over) return e;
    return new CmuApiError(
      `The report is larger than ${formatBytes(maxBytes)}: too large for the panel or the table`,
      'Save it to a file, which streams it without holding it in memory: Save As… in VS Code, or `cmu report … --out FILE` (json, csv or xml; ' +
        '--max-size MB raises the limit of --format table). Or narrow the query (fewer dimensions, a shorter window, a limit).',
      status,
      { code: 'report_too_large', nextStep: 'none' },
    );
  }

  // -------------------------------------------------------------------------------------------

  private async send(url: string, opts: SendOptions, state: SendState): Promise<HttpResponse> {
    const token = await this.session.getToken({ signal: opts.signal });
    state.scopes = token.scopes;
    const res = await this.get(url, opts, token.accessToken);
    if (res.status !== 401 || state.refreshed) return res;
    // one refresh and one retry: the token may have been revoked or expired early
    res.discard();
    state.refreshed = true;
    const fresh = await this.session.getToken({ forceRefresh: true, signal: opts.signal });
    state.scopes = fresh.scopes;
    return this.get(url, opts, fresh.accessToken);
  }

  private get(url: string, opts: SendOptions, accessToken: string): Promise<HttpResponse> {
    return this.http.request({
      method: 'GET',
      url,
      headers: { Authorization: `Bearer ${accessToken}`, Accept: opts.accept },
      signal: opts.signal,
      ...(opts.maxTimeMs ? { maxTimeMs: opts.maxTimeMs } : {}),
    });
  }

  /**
   * A 404's next steps from the server: the drill-down links of its own `_links` (HAL JSON), else of the
   * closest ancestor that answers — walked up one segment at a time, at most `path.length` requests
   * (`?limit=1`, through this client: origin, base and token checks), none of them walking again. Links
   * that leave the CMU base are dropped. Undefined when no ancestor answers (offline, 403 …): the catalog advises.
   */
  private async serverNextSteps(body: string, contentType: string, path: string[], signal?: AbortSignal): Promise<{ from: string[]; steps: string[] } | undefined> {
    const steps = (from: string[], links: { href: string; name?: string }[]): string[] => {
      const out: string[] = [];
      for (const l of links) {
        if (!resolveHrefWithinBase(l.href, this.cmuBase)) continue;
        const p = hrefPath(l.href);
        const direct = p.length === from.length + 1 && p.slice(0, -1).join('/') === from.join('/');
        const step = direct ? p[p.length - 1] : p.join('/');
        if (step && !out.includes(step)) out.push(step);
      }
      return out;
    };
    const own = halLinksOf(body, contentType);
    if (own && own.drillDown.length > 0) {
      const from = own.self ? hrefPath(own.self) : path.slice(0, -1);
      return { from, steps: steps(from, own.drillDown) };
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const ancestor = path.slice(0, i);
      try {
        const report = await this.fetchReport(`${pathHref(ancestor)}?limit=1`, { signal, ancestorLinks: false });
        return { from: ancestor, steps: steps(ancestor, report.links.drillDown) };
      } catch (e) {
        if (e instanceof CancelledError || signal?.aborted) throw e;
        if (e instanceof CmuApiError && e.status === 404) continue;
        return undefined;
      }
    }
    return undefined;
  }

  private async errorFor(
    res: HttpResponse,
    path: string[],
    url: string,
    granted: string[] = [],
    opts: { walk: boolean; signal?: AbortSignal } = { walk: false },
  ): Promise<CmuApiError> {
    // an error body is read up to 64 KB; the rest is dropped with the connection
    const { text: body } = await res.excerpt(ERROR_BODY_LIMIT).catch(() => ({ text: '' }));
    const status = res.status;
    // the server may echo what it was sent (an opaque token is not caught by the patterns alone)
    const excerpt = jsonErrorText(body, res.contentType) ?? (bodyExcerpt(body, res.contentType, 1000) || undefined);
    const serverText = excerpt === undefined ? undefined : this.http.redact(excerpt);
    const said = serverText ? ` The server said: "${serverText}".` : '';
    const where = '/' + path.join('/');
    if (status === 400) {
      return new CmuApiError(
        `CMU refused the request: ${serverText ?? 'bad request'}`,
        'CMU answers 400 for an invalid date, a filter on a dimension that is not in the projection, or a query too large to aggregate on the fly. ' +
          'Check the start/end values and the filters, or narrow the time window.' + said,
        400,
        { serverText, nextStep: 'none' },
      );
    }
    if (status === 401) {
      return new CmuApiError(
        'CMU did not accept the access token (401), even a freshly issued one',
        'A new token was requested and refused too. The token may come from another environment or DCR server than this CMU, ' +
          'or the registered client was revoked. Run the diagnostics; re-registering the client may help.' + said,
        401,
        { serverText, nextStep: 'diagnose' },
      );
    }
    if (status === 403) {
      // which scope this report needs (billing/… needs cmu:billing:client), and whether the token lists it
      const scope = requiredScope(path);
      const lacks = granted.length > 0 && !granted.includes(scope.name);
      return new CmuApiError(
        lacks ? `The access token lacks the CMU scope ${scope.name} (403)` : 'Not allowed to see this CMU data (403)',
        (lacks
          ? `${where} needs the scope ${scope.name} ("${scope.label}"); the token's scopes are: ${granted.join(', ')}. `
          : `The access token is valid, but the registered application is not entitled to this report: its scopes may not include ${scope.name} ` +
            `("${scope.label}", needed for ${where}), or the data belongs to another tenant than yours (then query your own tenant). `) +
          scopeAdvice(scope) +
          said,
        403,
        { serverText, nextStep: 'contactAdobe', code: lacks ? 'missing_scope' : undefined },
      );
    }
    if (status === 404) {
      const server = opts.walk ? await this.serverNextSteps(body, res.contentType, path, opts.signal) : undefined;
      let ancestor: string[];
      let steps: string[];
      if (server) {
        ({ from: ancestor, steps } = server);
      } else {
        let i = Math.max(0, path.length - 1);
        while (i > 0 && !isKnownPath(path.slice(0, i))) i--;
        ancestor = path.slice(0, i);
        steps = nextSteps(ancestor);
      }
      const whose = server ? "the server's links" : "the catalog's advice; the server could not be asked";
      return new CmuApiError(
        `No pre-aggregation for ${where} (404)`,
        `CMU has no pre-aggregated report for this path and cannot compute it on the fly.` +
          (steps.length > 0 ? ` Valid next steps from /${ancestor.join('/')} are: ${steps.join(', ')} (${whose}).` : '') +
          ' Follow the drill-down links of a report instead of typing paths; the order of the dimensions matters.',
        404,
        { serverText, validNextSteps: steps, validNextStepsFrom: ancestor, nextStepsSource: server ? 'server' : 'catalog', nextStep: 'none' },
      );
    }
    if (status === 406) {
      return new CmuApiError(
        `CMU cannot produce this format (406)${serverText ? `: ${serverText}` : ''}`,
        'The requested media type is not supported. Use json, xml, csv or html (as the path extension).' + said,
        406,
        { serverText, nextStep: 'none' },
      );
    }
    if (status === 405) {
      return new CmuApiError('CMU only accepts GET (405)', 'The request used another method than GET.' + said, 405, { serverText, nextStep: 'showLog' });
    }
    if (status === 429) {
      return new CmuApiError(
        'CMU is throttling requests (429)',
        (retryNote(res) ?? 'Too many requests in a short time; the automatic retries were used up. Wait a minute and try again, one report at a time.') + said,
        429,
        { serverText, nextStep: 'retry' },
      );
    }
    if (status >= 500) {
      return new CmuApiError(
        status === 503 ? 'CMU is unavailable (503)' : `CMU had an internal error (${status})`,
        (status === 503 ? 'The service or one of its dependencies is failing.' : 'The server failed unexpectedly.') +
          ' The request was retried a few times already. Try again later; if it persists, contact Adobe support.' + said,
        status,
        { serverText, nextStep: 'retry' },
      );
    }
    if (status >= 300 && status < 400) {
      const location = res.headers['location'];
      return new CmuApiError(
        `CMU redirected the request (${status})`,
        'Redirects are not followed, so the access token cannot leak to another address.' +
          (location ? ` The server pointed to ${describeLocation(location, url)}.` : '') +
          ' Check the CMU base URL of this environment.',
        status,
        { serverText, nextStep: 'openSettings' },
      );
    }
    return new CmuApiError(`CMU answered HTTP ${status}`, `Unexpected status for a CMU report.${said}`, status, { serverText, nextStep: 'showLog' });
  }
}

interface SendState {
  refreshed: boolean;
  /** the scopes of the token last sent (for a 403: which one is missing) */
  scopes?: string[];
}

/** Removes every `access_token` parameter; the rest of the query string is kept byte for byte. */
export function stripAccessToken(url: string): string {
  const qm = url.indexOf('?');
  if (qm < 0) return url;
  const kept = url
    .slice(qm + 1)
    .split('&')
    .filter((p) => {
      const name = p.split('=')[0];
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return p !== '' && decoded !== 'access_token';
    });
  return url.slice(0, qm) + (kept.length > 0 ? '?' + kept.join('&') : '');
}

/**
 * A JSON error body in one line: Enhanced Error Codes `{status, code, message, details, helpUrl}`, OAuth
 * `{error, error_description}`. Undefined when the body is not such JSON (CMU's own 400s are plain text).
 */
function jsonErrorText(body: string, contentType: string): string | undefined {
  const t = body.trim();
  if (!t.startsWith('{') || (contentType && !/json/i.test(contentType))) return undefined;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(t) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object') return undefined;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const code = str(o.code) ?? str(o.error);
  const message = str(o.message) ?? str(o.error_description) ?? str(o.details);
  const text = code && message ? `${code}: ${message}` : (code ?? message);
  if (!text) return undefined;
  const help = str(o.helpUrl);
  return bodyExcerpt(help ? `${text} (${help})` : text, 'text/plain', 1000);
}

/** A self link with the query's own limit (the `limit=1` of the links-only call taken out; the rest as the server wrote it). */
/** Whether fetchReportRows takes the rows as CSV (+ links): a JSON query of more than one row. */
function streamsRows(q: CmuQuery): boolean {
  return (q.format === undefined || q.format === 'json') && !(q.limit !== undefined && q.limit <= 1);
}

/** A streamed report's metadata: the query's URL, the JSON's links, the CSV answer's headers (bytes: the reader counts them). */
export type StreamedMeta = Omit<ParsedReport, 'rows' | 'raw' | 'columns'>;

/** What streamReportRows gives: the reader's value and the report's metadata, or a report parsed here. */
export type StreamedReport<T> = { value: T; meta: StreamedMeta; report?: undefined } | { report: ParsedReport; value?: undefined; meta?: undefined };

function withLimit(href: string | undefined, limit: number | undefined): string | undefined {
  if (!href) return href;
  const [head, hash = ''] = href.split('#', 2);
  const q = head.indexOf('?');
  const params = q < 0 ? [] : head.slice(q + 1).split('&').filter((p) => p !== '' && !/^limit=/i.test(p));
  if (limit !== undefined) params.push(`limit=${limit}`);
  return (q < 0 ? head : head.slice(0, q)) + (params.length ? `?${params.join('&')}` : '') + (hash ? `#${hash}` : '');
}

function safeOrigin(url: string, base?: string): string | undefined {
  try {
    return new URL(url, base).origin;
  } catch {
    return undefined;
  }
}

export interface OpenOptions {
  signal?: AbortSignal;
  accept?: string;
  maxTimeMs?: number;
  /** false: a 404 without `_links` takes its next steps from the catalog, without asking its ancestors (default true) */
  ancestorLinks?: boolean;
}

/** The `_links` of a HAL JSON error body, when it is one. */
function halLinksOf(body: string, contentType: string): ReturnType<typeof readHalLinks> | undefined {
  const t = body.trim();
  if (!t.startsWith('{') || (contentType && !/json/i.test(contentType))) return undefined;
  try {
    const o = JSON.parse(t) as { _links?: unknown };
    return o && typeof o === 'object' && o._links ? readHalLinks(o._links) : undefined;
  } catch {
    return undefined;
  }
}

interface SendOptions {
  accept: string;
  signal?: AbortSignal;
  maxTimeMs?: number;
}

/** Where a redirect pointed, in words: an origin, or "a javascript: address" (whose origin would be "null"). */
function describeLocation(location: string, base: string): string {
  let u: URL;
  try {
    u = new URL(location, base);
  } catch {
    return 'an address that is not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `a ${/^[a-z][a-z0-9+.-]{0,20}:$/i.test(u.protocol) ? u.protocol : 'non-web'} address, which is never followed`;
  return u.origin;
}
