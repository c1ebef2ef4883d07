/**
 * The local emulator of Adobe's endpoints on 127.0.0.1: DCR (`/o/client/register`, `/o/client/token`,
 * JWKS at `/.well-known/jwks.json`) and CMU (`/cmu/v2/...`) on one origin. Shipped to users (`cmu sandbox`,
 * the extension's Sandbox environment) and used by the tests. Strict on purpose: it refuses what Adobe's
 * servers refuse, so client bugs show up here first.
 *
 * This is a server: it never imports the core HTTP client.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DEFAULT_ZONE_ID, parseZone } from '../core/cmu/time/zone';
import type { AddressInfo } from 'node:net';
import { CmuService, type ExtraReport, type KindChange } from './cmu';
import { DcrService, type DcrErrorCode, type StatementPolicy } from './dcr';
import { SigningKey, type Jwks } from './keys';
import { send, sendHtmlError, sendJson, sendText } from './respond';
import { ResponseCache, type ResponseCacheOptions, type ResponseCacheStats } from './responseCache';
import { Throttle, type ThrottleOptions } from './throttle';
import { CMU_BASE_PATH } from '../core/cmu/catalog';

/** Both base forms: Adobe's documented `/cmu/v2` and the CM reports hosts' `/v2`. */
const DEFAULT_CMU_PREFIXES: readonly string[] = [CMU_BASE_PATH, '/v2'];

export { defaultScopes, DEFAULT_TENANT } from './dcr';
export type { ExtraReport, KindChange } from './cmu';
export { TENANTS } from './dataset';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** access-token lifetime (`expires_in`), default 21600 s as in Adobe's samples */
  tokenLifetimeSec?: number;
  /** DCR throttling per client IP; default 1 request/s with a burst of 10; false disables it */
  throttle?: ThrottleOptions | false;
  /** seed of the synthetic CMU dataset (default 1) */
  seed?: number;
  /** domains a registration's redirect_uri must be on (default adobe.com) */
  redirectDomains?: string[];
  /** the server's clock in epoch ms (default Date.now); lets tests move time */
  now?: () => number;
  /**
   * the report time zone, a fixed offset (`-08:00`, `+05:30`, `UTC`; default `-08:00`, as the real service):
   * report times, buckets and start/end without a suffix are its wall clock
   */
  timeZone?: string;
  /**
   * scopes granted to registered applications (the default statement's and any issued without `scopes`);
   * default both CMU scopes, `['cmu:analytics:client']` to see the billing report refused (403)
   */
  scopes?: string[];
  /**
   * the path prefixes CMU answers under: default both base forms, `/cmu/v2` (Adobe's docs) and `/v2` (the CM
   * reports hosts); its links always say `/cmu/v2/…` as the real service's do. `['/v2']` is a host whose
   * links carry another prefix than its base: a client must retry with the base's prefix on a 404.
   */
  cmuPrefixes?: string[];
  /**
   * undocumented reports to serve besides both trees, each a path and its own metric that no document and
   * no catalog names (`[{ path: 'year/screen-class', metric: 'resumed-streams' }]`): the parent's drill-down
   * links lead there, so a client that follows the server finds it; see serveExtraReport
   */
  extraReports?: ExtraReport[];
  /**
   * big report bodies kept as sent (compressed), so a repeated report answers at transfer speed as a
   * pre-aggregated backend does; never for an answer a knob shapes (failNext, setDelay, setKindChange).
   * Default 64 MiB of bodies of at least 256 KiB; false: every answer is generated.
   */
  responseCache?: ResponseCacheOptions | false;
}

export type SandboxEndpoint = 'register' | 'token' | 'cmu';

export interface FailOptions {
  /** only this endpoint (default: whichever of register/token/cmu is called next) */
  endpoint?: SandboxEndpoint;
  /** adds a Retry-After header */
  retryAfterSec?: number;
  /** an openresty-like HTML page (default for 429, and for 5xx on the DCR endpoints) */
  html?: boolean;
  /** a DCR error code: the body is `{"error": code}` (JSON) on DCR endpoints, the code as plain text on CMU */
  error?: DcrErrorCode | string;
  /** CMU: the real report (status 200), but the connection drops after this many characters of the body (before compression) */
  cutAfterBytes?: number;
}

interface Fault {
  remaining: number;
  status: number;
  opts: FailOptions;
}

export interface SandboxStats {
  register: number;
  token: number;
  cmu: number;
}

export class Sandbox {
  readonly origin: string;
  readonly dcrOrigin: string;
  readonly cmuBase: string;
  readonly jwksUrl: string;
  readonly jwks: Jwks;
  /** the default software statement (approved; its clients see tenant ACME with the CMU scopes) */
  readonly statement: string;
  /** request counters per endpoint: every request that reached the endpoint, whatever its answer */
  readonly stats: SandboxStats = { register: 0, token: 0, cmu: 0 };

  private faults: Fault[] = [];
  private delays: { all: number } & Partial<Record<SandboxEndpoint, number>> = { all: 0 };
  private throttle: Throttle | undefined;
  private cmuPrefixes: string[] = [...DEFAULT_CMU_PREFIXES];
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: Server,
    private readonly dcr: DcrService,
    private readonly cmu: CmuService,
    private readonly now: () => number,
    statement: string,
    throttle: ThrottleOptions | false,
    private readonly cache: ResponseCache | undefined,
  ) {
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.origin = `http://${host}:${addr.port}`;
    this.dcrOrigin = this.origin;
    this.cmuBase = this.origin + '/cmu/v2';
    this.jwksUrl = this.origin + '/.well-known/jwks.json';
    this.jwks = dcr.jwks;
    this.statement = statement;
    this.setThrottle(throttle);
  }

  static async start(opts: SandboxOptions = {}): Promise<Sandbox> {
    const now = opts.now ?? Date.now;
    const key = await SigningKey.create();
    const dcr = new DcrService(key, {
      tokenLifetimeSec: opts.tokenLifetimeSec ?? 21600,
      redirectDomains: opts.redirectDomains ?? ['adobe.com'],
      ...(opts.scopes ? { scopes: [...opts.scopes] } : {}),
      now,
    });
    const statement = await dcr.issueStatement();
    const cache = opts.responseCache === false ? undefined : new ResponseCache(opts.responseCache);
    const cmu = new CmuService(dcr, { seed: opts.seed ?? 1, now, offsetMs: sandboxOffsetMs(opts.timeZone), cache });
    const holder: { sandbox?: Sandbox } = {};
    const server = createServer((req, res) => {
      const sandbox = holder.sandbox;
      if (!sandbox) return sendText(res, 503, 'starting');
      sandbox.handle(req, res).catch(() => {
        if (!res.headersSent) sendText(res, 500, 'internal error');
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const s = new Sandbox(server, dcr, cmu, now, statement, opts.throttle ?? { ratePerSec: 1, burst: 10 }, cache);
    if (opts.cmuPrefixes) s.setCmuPrefixes(opts.cmuPrefixes);
    for (const r of opts.extraReports ?? []) s.serveExtraReport(r.path, r.metric);
    holder.sandbox = s;
    server.on('connection', (sock) => {
      s.sockets.add(sock);
      sock.on('close', () => s.sockets.delete(sock));
    });
    return s;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  // ---- knobs -------------------------------------------------------------------------------------

  /** The next `count` calls (to `opts.endpoint`, or to any of register/token/cmu) answer `status`. */
  failNext(count: number, status: number, opts: FailOptions = {}): void {
    if (count > 0) this.faults.push({ remaining: count, status, opts: { ...opts } });
  }

  /** The path prefixes CMU answers under from now on (see SandboxOptions.cmuPrefixes). */
  setCmuPrefixes(prefixes: string[]): void {
    this.cmuPrefixes = [...prefixes];
  }

  /**
   * Serves an undocumented report from now on: `path` (e.g. `year/screen-class`; its unknown dimensions get
   * invented values) with its own `metric`, linked from its parent's drill-down links. What the real server
   * may serve and no document names: a client must send it (with a warning at most) and show what came back.
   */
  serveExtraReport(path: string, metric: string): void {
    this.cmu.serveExtraReport({ path, metric });
  }

  /**
   * From now on (undefined: no more), the answers of `change.path` (every format; the `limit=1` JSON a
   * viewer reads links from too) carry `change.column`, a column no document and no catalog names, after
   * their dimensions: the row number (1, 2, …) in the first `numericRows` rows, text (`row-<n>`) in the
   * later ones. What a server may send for an undocumented dimension whose first values look like numbers:
   * a client that decides a column's kind from the first rows must still show every row and the text.
   * Such an answer is always generated, never the response cache's.
   */
  setKindChange(change: KindChange | undefined): void {
    this.cmu.setKindChange(change && { ...change });
  }

  /** Drops pending failNext faults. */
  clearFailures(): void {
    this.faults = [];
  }

  /** Every answer waits `ms` first (only `endpoint`'s when given). */
  setDelay(ms: number, endpoint?: SandboxEndpoint): void {
    if (endpoint) this.delays[endpoint] = ms;
    else this.delays = { all: ms };
  }

  /** `expires_in` of the tokens issued from now on. */
  setTokenLifetime(sec: number): void {
    this.dcr.config.tokenLifetimeSec = sec;
  }

  /** DCR throttling from now on (false: off). */
  setThrottle(t: ThrottleOptions | false): void {
    this.throttle = t ? new Throttle(t, this.now) : undefined;
  }

  /** Forgets every registered client: the next token call with old credentials gets invalid_client. */
  forgetClients(): void {
    this.dcr.forgetClients();
  }

  /** Revokes every access token issued so far: CMU answers 401 to them. */
  revokeTokens(): void {
    this.dcr.revokeTokens();
  }

  /** Flags a registered client so the token endpoint answers unauthorized_client; false if unknown. */
  setClientUnauthorized(clientId: string, unauthorized = true): boolean {
    return this.dcr.setClientUnauthorized(clientId, unauthorized);
  }

  /**
   * Signs another statement (Adobe's sample claims, `claims` added/overriding). `approved: false` makes
   * registration answer unapproved_software_statement; `scopes`, `tenant` and `unauthorized` set what its
   * clients get (without the scope a report needs → CMU 403 naming it; unauthorized → unauthorized_client at /token).
   */
  issueStatement(claims?: Record<string, unknown>, opts?: Partial<StatementPolicy>): Promise<string> {
    return this.dcr.issueStatement(claims, opts);
  }

  /** What the response cache holds and how often it answered (undefined when it is off). */
  get responseCacheStats(): ResponseCacheStats | undefined {
    return this.cache?.stats;
  }

  /** An access token for a fresh client without any DCR call (for tests and benchmarks of the CMU side). */
  async issueAccessToken(opts: Partial<Pick<StatementPolicy, 'scopes' | 'tenant'>> = {}): Promise<string> {
    const client = this.dcr.createClient(opts);
    return (await this.dcr.issueToken(client)).token;
  }

  /**
   * A report href with at least `rows` rows (one per minute for the client's tenant; `limit=rows`):
   * `/cmu/v2/tenant/year/month/day/hour/minute.<format>?start=..&end=..&limit=<rows>`, ending one day before now.
   */
  hugeReportHref(rows = 200_000, format: 'csv' | 'json' | 'xml' | 'html' = 'csv'): string {
    return this.cmu.hugeReportHref(rows, format);
  }

  // ---- routing -----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    let endpoint: SandboxEndpoint | undefined;
    if (path === '/o/client/register') endpoint = 'register';
    else if (path === '/o/client/token') endpoint = 'token';
    const prefix = this.cmuPrefixes.find((p) => path === p || path.startsWith(p + '/') || path.startsWith(p + '.'));
    if (prefix) endpoint = 'cmu';
    // the CMU service reads its path below `/cmu/v2` whichever base form was asked
    const cmuPath = prefix ? CMU_BASE_PATH + path.slice(prefix.length) : path;

    if (path === '/.well-known/jwks.json') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method Not Allowed', { Allow: 'GET' });
      return sendJson(res, 200, this.jwks);
    }
    if (!endpoint) {
      req.resume();
      return sendText(res, 404, 'Not Found');
    }
    this.stats[endpoint]++;
    const delay = this.delays[endpoint] ?? this.delays.all;
    if (delay > 0) {
      // a client that went away while it waited gets no answer: no token is issued, no state changes
      const gone = await new Promise<boolean>((r) => {
        const timer = setTimeout(() => r(false), delay);
        res.once('close', () => {
          clearTimeout(timer);
          r(true);
        });
      });
      if (gone) return;
    }

    if (endpoint !== 'cmu' && this.throttle) {
      const forwarded = req.headers['x-forwarded-for'];
      const ip = (typeof forwarded === 'string' && forwarded.split(',')[0].trim()) || req.socket.remoteAddress || '';
      const t = this.throttle.take(ip);
      if (!t.ok) {
        req.resume();
        return sendHtmlError(res, 429, { 'Retry-After': t.retryAfterSec });
      }
    }
    const fault = this.takeFault(endpoint);
    if (endpoint === 'cmu' && fault?.opts.cutAfterBytes !== undefined) return this.cmu.handle(req, res, cmuPath, query, { cutAfterBytes: fault.opts.cutAfterBytes });
    if (fault) {
      req.resume();
      return this.sendFault(res, endpoint, fault);
    }
    // a slowed answer stays the generated one: the knob shapes it
    if (endpoint === 'cmu') return this.cmu.handle(req, res, cmuPath, query, { fresh: delay > 0 });
    if (req.method !== 'POST') {
      req.resume();
      return sendText(res, 405, 'Method Not Allowed', { Allow: 'POST' });
    }
    return endpoint === 'register' ? this.dcr.register(req, res) : this.dcr.token(req, res, query);
  }

  private takeFault(endpoint: SandboxEndpoint): Fault | undefined {
    const f = this.faults.find((x) => !x.opts.endpoint || x.opts.endpoint === endpoint);
    if (!f) return undefined;
    if (--f.remaining <= 0) this.faults.splice(this.faults.indexOf(f), 1);
    return f;
  }

  private sendFault(res: ServerResponse, endpoint: SandboxEndpoint, f: Fault): void {
    const headers: Record<string, string | number> = {};
    if (f.opts.retryAfterSec !== undefined) headers['Retry-After'] = f.opts.retryAfterSec;
    if (f.status === 401 && endpoint === 'cmu') headers['WWW-Authenticate'] = 'Bearer realm="cmu"';
    if (f.opts.error !== undefined) {
      if (endpoint === 'cmu') return sendText(res, f.status, f.opts.error, headers);
      return sendJson(res, f.status, { error: f.opts.error }, headers);
    }
    const html = f.opts.html ?? (f.status === 429 || (endpoint !== 'cmu' && f.status >= 500));
    if (html) return sendHtmlError(res, f.status, headers);
    if (endpoint === 'cmu') return sendText(res, f.status, defaultReason(f.status), headers);
    return send(res, f.status, '', headers);
  }
}

function defaultReason(status: number): string {
  switch (status) {
    case 401:
      return 'missing or invalid access token';
    case 403:
      return 'not allowed to see this data';
    case 503:
      return 'service temporarily unavailable';
    default:
      return status >= 500 ? 'unexpected server error' : 'request refused';
  }
}

/** The fixed offset (ms) of the sandbox's report time zone; an IANA name is refused (the sandbox's clock has no DST). */
export function sandboxOffsetMs(timeZone: string = DEFAULT_ZONE_ID): number {
  const zone = parseZone(timeZone);
  if (zone.fixedOffsetMinutes === undefined) throw new Error(`the sandbox reports in a fixed UTC offset (e.g. -08:00 or UTC), not ${zone.id}`);
  return zone.fixedOffsetMinutes * 60_000;
}
