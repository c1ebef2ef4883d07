/**
 * What every CLI command gets: the resolved environment, the store, the one HttpClient (with the
 * redacted log on stderr under --verbose), the Session and the CmuClient — built lazily.
 */
import { CmuClient } from '../core/cmu/client';
import { DEFAULT_ZONE_ID, parseZone, type ReportZone } from '../core/cmu/time/zone';
import { DEFAULT_HOSTS, checkEndpoint, isLoopbackHost, resolveEnvironment, type Environment } from '../core/environments';
import { checkDeviceInfo } from '../core/deviceInfo';
import { InputError } from '../core/errors';
import { redactText } from '../core/redact';
import { HttpClient, formatDuration, type ExchangeLog } from '../core/http';
import { Session } from '../core/session';
import type { SecretStore } from '../core/store';
import { FileStore, defaultStoreDir } from './fileStore';
import { sanitize } from './output';

export const CLI_VERSION = '0.1.0';

export interface GlobalOptions {
  store?: string;
  profile?: string;
  dcrUrl?: string;
  cmuUrl?: string;
  tz?: string;
  verbose?: boolean;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stdout as a stream, for bodies piped through unchanged */
  outStream: NodeJS.WritableStream;
  /** stdout is a terminal (a person is reading) */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  outStream: process.stdout,
  isTTY: !!process.stdout.isTTY,
  env: process.env,
};

const PROFILE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The environment from flags/env vars. No URL: production. A URL: `sandbox` when the DCR origin is
 * loopback (its CMU base then defaults to origin + /cmu/v2, as the embedded sandbox serves both),
 * else `custom` (a custom CMU base must be given with --cmu-url to run reports).
 */
export function environmentFrom(dcrUrl: string | undefined, cmuUrl: string | undefined): Environment {
  const env = endpointsFrom(dcrUrl, cmuUrl);
  // Adobe's own hosts given explicitly keep their names (and so the secrets stored for them).
  const prod = DEFAULT_HOSTS.production;
  if (env.name === 'custom' && env.dcrOrigin === prod.dcrOrigin && (env.cmuBase ?? prod.cmuBase) === prod.cmuBase) return resolveEnvironment('production');
  if (env.name === 'custom' && env.dcrOrigin === DEFAULT_HOSTS.staging.dcrOrigin) return resolveEnvironment('staging', { cmuBase: env.cmuBase });
  return env;
}

function endpointsFrom(dcrUrl: string | undefined, cmuUrl: string | undefined): Environment {
  if (!dcrUrl && !cmuUrl) return resolveEnvironment('production');
  let dcrOrigin = DEFAULT_HOSTS.production.dcrOrigin;
  if (dcrUrl) {
    const u = checkEndpoint(dcrUrl, 'The DCR origin (--dcr-url)');
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
      throw new InputError(
        `--dcr-url is an origin, not a URL with a path: ${u.origin}${u.pathname}`,
        `Pass only scheme://host[:port] (here: ${u.origin}); the CLI appends /o/client/register and /o/client/token itself.`,
        'openSettings',
        'bad_url',
      );
    }
    dcrOrigin = u.origin;
  }
  const loopback = isLoopbackHost(new URL(dcrOrigin).hostname);
  let cmuBase = cmuUrl;
  if (!cmuBase && loopback) cmuBase = `${dcrOrigin}/cmu/v2`;
  if (cmuBase) {
    const u = checkEndpoint(cmuBase, 'The CMU base URL (--cmu-url)');
    if (u.search || u.hash) {
      throw new InputError(
        `--cmu-url is a base URL without a query: ${u.origin}${u.pathname}`,
        'Pass the CMU base, e.g. https://mgmt.auth.adobe.com/cmu/v2; put report paths and parameters on `cmu report`.',
        'openSettings',
        'bad_url',
      );
    }
  }
  return resolveEnvironment(loopback ? 'sandbox' : 'custom', { dcrOrigin, cmuBase });
}

/**
 * Keys of non-production environments are further scoped by their DCR origin, so a client secret or a
 * token stored for one server is never even read for another one that happens to share the profile. The
 * token's CMU origin is pinned by the session (stored with the token, checked before use): a new
 * --cmu-url is refused with "originChanged" instead of silently minting a token for it. Tokens stored
 * by earlier versions under a key that also named the CMU origin are read from there (and moved) once.
 */
export class ScopedStore implements SecretStore {
  constructor(
    private readonly inner: SecretStore,
    private readonly env: Environment,
  ) {}
  map(key: string, scope: string = this.env.dcrOrigin): string {
    if (this.env.name === 'production') return key;
    const prefix = `cmu/${this.env.name}/`;
    return key.startsWith(prefix) ? `cmu/${this.env.name}@${scope}/${key.slice(prefix.length)}` : `${scope} ${key}`;
  }
  /** where versions before 0.2 kept a token: scoped by the DCR and the CMU origin */
  private legacyTokenKey(key: string): string | undefined {
    if (this.env.name === 'production' || !key.endsWith('/token')) return undefined;
    const cmuOrigin = this.env.cmuBase ? new URL(this.env.cmuBase).origin : '-';
    return this.map(key, `${this.env.dcrOrigin} ${cmuOrigin}`);
  }
  async get(key: string): Promise<string | undefined> {
    const value = await this.inner.get(this.map(key));
    const legacy = this.legacyTokenKey(key);
    return value === undefined && legacy ? this.inner.get(legacy) : value;
  }
  async set(key: string, value: string): Promise<void> {
    await this.inner.set(this.map(key), value);
    const legacy = this.legacyTokenKey(key);
    if (legacy) await this.inner.delete(legacy);
  }
  async delete(key: string): Promise<void> {
    await this.inner.delete(this.map(key));
    const legacy = this.legacyTokenKey(key);
    if (legacy) await this.inner.delete(legacy);
  }
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.inner.exclusive ? this.inner.exclusive(name, work) : work();
  }
}

export function formatExchange(e: ExchangeLog): string {
  const lines = [
    `[http] ${e.method} ${e.url} -> ${e.status ?? 'no response'} (${e.durationMs} ms, attempt ${e.attempt})` +
      (e.responseContentType ? ` ${e.responseContentType}` : '') +
      (e.error ? ` error: ${e.error}` : ''),
  ];
  for (const [k, v] of Object.entries(e.requestHeaders)) lines.push(`[http]   ${k}: ${v}`);
  if (e.requestBody !== undefined) lines.push(`[http]   body: ${e.requestBody}`);
  return lines.map(sanitize).join('\n') + '\n';
}

export class CliContext {
  readonly profile: string;
  readonly verbose: boolean;
  readonly storeDir: string;
  private envCache?: Environment;
  private storeCache?: FileStore;
  private httpCache?: HttpClient;
  private sessionCache?: Session;
  private cmuCache?: CmuClient;
  private zoneCache?: ReportZone;

  constructor(
    readonly opts: GlobalOptions,
    readonly io: Io = processIo,
    /** set by `demo` / tests: use this environment instead of the flags */
    envOverride?: Environment,
  ) {
    this.verbose = !!opts.verbose;
    this.profile = opts.profile ?? io.env.CMU_PROFILE ?? 'default';
    if (!PROFILE_RE.test(this.profile)) {
      throw new InputError(
        `Invalid profile name: ${sanitize(this.profile)}`,
        'A profile name is 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
        'none',
        'bad_profile',
      );
    }
    this.storeDir = opts.store ?? io.env.CMU_STORE ?? defaultStoreDir(io.env);
    this.envCache = envOverride;
  }

  get env(): Environment {
    this.envCache ??= environmentFrom(this.opts.dcrUrl ?? (this.io.env.CMU_DCR_URL || undefined), this.opts.cmuUrl ?? (this.io.env.CMU_API_URL || undefined));
    return this.envCache;
  }

  /** The report time zone: --tz, else CMU_TZ, else fixed UTC−8 (what Adobe's services log in). */
  get zone(): ReportZone {
    if (!this.zoneCache) {
      const text = this.opts.tz ?? (this.io.env.CMU_TZ || undefined);
      try {
        this.zoneCache = parseZone(text ?? DEFAULT_ZONE_ID);
      } catch (e) {
        throw new InputError(`Bad ${this.opts.tz !== undefined ? '--tz' : 'CMU_TZ'}: ${sanitize((e as Error).message)}`, 'The report time zone is the zone CMU reads start/end and buckets times in.', 'none', 'bad_zone');
      }
    }
    return this.zoneCache;
  }

  /** `cmu [--dcr-url X --cmu-url Y] [--profile P]` — the prefix the hints print. */
  get commandPrefix(): string {
    const parts = ['cmu'];
    const env = this.env;
    const fromFlags = this.opts.dcrUrl || this.opts.cmuUrl;
    if (env.name !== 'production' && fromFlags) {
      parts.push(`--dcr-url ${env.dcrOrigin}`);
      const implied = env.name === 'sandbox' && env.cmuBase === `${env.dcrOrigin}/cmu/v2`;
      if (env.cmuBase && !implied) parts.push(`--cmu-url ${env.cmuBase}`);
    }
    if (this.opts.store) parts.push(`--store ${this.opts.store}`);
    if (this.opts.tz) parts.push(`--tz ${this.opts.tz}`);
    if (this.opts.profile) parts.push(`--profile ${this.profile}`);
    return parts.join(' ');
  }

  get fileStore(): FileStore {
    this.storeCache ??= new FileStore(this.storeDir, { onProblem: (m) => this.io.err(`${sanitize(m)}\n`) });
    return this.storeCache;
  }

  get http(): HttpClient {
    if (!this.httpCache) {
      this.httpCache = new HttpClient({
        timeoutMs: 120_000,
        userAgent: `cmu-explorer-cli/${CLI_VERSION} (node ${process.version}; ${process.platform})`,
        // a long throttling wait is said (Ctrl+C stops it); the short backoff steps (1, 2, 4 s) are not
        onWait: (w) => {
          if (w.ms >= 5000) this.io.err(`waiting ${formatDuration(w.ms)}: ${w.reason} (Ctrl+C to stop)\n`);
        },
      });
      if (this.verbose) this.httpCache.setLog((e) => this.io.err(formatExchange(e)));
    }
    return this.httpCache;
  }

  get session(): Session {
    const deviceInfo = this.io.env.CMU_DEVICE_INFO ? checkDeviceInfo(this.io.env.CMU_DEVICE_INFO) : undefined;
    this.sessionCache ??= new Session({
      store: new ScopedStore(this.fileStore, this.env),
      env: this.env,
      profile: this.profile,
      http: this.http,
      userAgent: this.http.userAgent,
      deviceInfo,
      warn: (m) => this.io.err(`warning: ${sanitize(m)}\n`),
    });
    return this.sessionCache;
  }

  /** Throws a usage error when the environment has no CMU base. */
  get cmuBase(): string {
    const base = this.env.cmuBase;
    if (!base) {
      throw new InputError(
        `No CMU base URL is set for the ${this.env.name} environment (${this.env.dcrOrigin})`,
        'Pass --cmu-url https://…/cmu/v2 or set CMU_API_URL.',
        'openSettings',
        'no_cmu_base',
      );
    }
    return base;
  }

  get cmu(): CmuClient {
    this.cmuCache ??= new CmuClient({ http: this.http, session: this.session, cmuBase: this.cmuBase });
    return this.cmuCache;
  }

  /** Redacts a message for the terminal: the patterns plus every secret this run has seen. */
  readonly redact = (text: string): string => (this.httpCache ? this.httpCache.redact(text) : redactText(text));

  out(s: string): void {
    this.io.out(s.endsWith('\n') ? s : s + '\n');
  }
  /** stderr: warnings and progress may quote a server, so they are redacted */
  err(s: string): void {
    const text = this.redact(s);
    this.io.err(text.endsWith('\n') ? text : text + '\n');
  }
}
