/**
 * The one token lifecycle, per environment and profile: stored statement → cached client credentials
 * (kept forever) → cached access token (reused until shortly before expiry). Concurrent callers share
 * one request (single flight); `invalid_client` triggers exactly one re-registration.
 */
import { createHash } from 'node:crypto';
import { DcrClient, DcrError } from './dcr';
import type { Environment } from './environments';
import { CmuError } from './errors';
import { CancelledError, type HttpClient } from './http';
import { type StatementInfo, parseStatement, refuseAccessToken } from './statement';
import { type SecretStore, secretKey } from './store';
import type { TokenInfo } from './token';

export type { TokenInfo } from './token';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  issuedAt?: number;
  scopes: string[];
  grantTypes: string[];
  redirectUris: string[];
  statementHash: string;
  /** the DCR origin that issued them; they are never sent anywhere else */
  dcrOrigin?: string;
}

export interface SessionOptions {
  store: SecretStore;
  env: Environment;
  profile: string;
  http: HttpClient;
  /** default 300000; capped at a tenth of the token lifetime so short-lived tokens stay usable */
  refreshMarginMs?: number;
  redirectUri?: string;
  deviceInfo?: string;
  userAgent?: string;
  now?: () => number;
  /** told (once per item) when a stored value is unreadable and is ignored */
  warn?: (message: string) => void;
}

export type SessionEvent = 'statement' | 'credentials' | 'token' | 'refreshing' | 'forgotten';

interface Flight<T> {
  promise: Promise<T>;
  waiters: number;
  ctl: AbortController;
}

interface StoredToken extends TokenInfo {
  dcrOrigin?: string;
  clientId?: string;
}

export function statementHash(compact: string): string {
  return createHash('sha256').update(compact).digest('hex');
}

export class Session {
  readonly env: Environment;
  readonly profile: string;
  /** messages about stored values that were unreadable and ignored */
  readonly warnings: string[] = [];
  private readonly dcr: DcrClient;
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private tokenFlight?: Flight<TokenInfo>;
  private regFlight?: Flight<ClientCredentials>;

  constructor(private readonly opts: SessionOptions) {
    this.env = opts.env;
    this.profile = opts.profile;
    this.dcr = new DcrClient({ http: opts.http, dcrOrigin: opts.env.dcrOrigin, userAgent: opts.userAgent, deviceInfo: opts.deviceInfo });
  }

  // ---- statement ------------------------------------------------------------------------------------

  async importStatement(text: string): Promise<StatementInfo> {
    const info = parseStatement(text, this.now());
    this.opts.http.addSecret(info.compact);
    refuseAccessToken(info, (await this.peekToken())?.accessToken);
    const previous = await this.opts.store.get(this.key('statement'));
    await this.opts.store.set(this.key('statement'), info.compact);
    // A new statement means new credentials (registered on next use); the old token must not outlive it.
    // The old credentials stay stored until a registration with the new statement succeeds.
    if (previous !== undefined && previous !== info.compact) await this.opts.store.delete(this.key('token'));
    this.emit('statement');
    return info;
  }

  async getStatement(): Promise<string | undefined> {
    return (await this.readStatement())?.compact;
  }

  async describeStatement(): Promise<StatementInfo | undefined> {
    return this.readStatement();
  }

  // ---- credentials ----------------------------------------------------------------------------------

  /** Always asks the server; the stored credentials are replaced only when it succeeds. */
  register(opts: { signal?: AbortSignal } = {}): Promise<ClientCredentials> {
    this.regFlight ??= this.flight(
      (signal) => this.doRegister(signal),
      () => (this.regFlight = undefined),
    );
    return this.join(this.regFlight, opts.signal);
  }

  async getCredentials(opts: { signal?: AbortSignal } = {}): Promise<ClientCredentials> {
    return (await this.credentials(opts.signal)).creds;
  }

  async peekCredentials(): Promise<ClientCredentials | undefined> {
    const creds = await this.readJson('credentials', isCredentials);
    if (!creds || (creds.dcrOrigin && creds.dcrOrigin !== this.env.dcrOrigin)) return undefined;
    this.opts.http.addSecret(creds.clientSecret);
    return creds;
  }

  // ---- token ----------------------------------------------------------------------------------------

  async getToken(opts: { forceRefresh?: boolean; signal?: AbortSignal } = {}): Promise<TokenInfo> {
    if (opts.signal?.aborted) throw new CancelledError();
    if (!opts.forceRefresh && !this.tokenFlight) {
      const cached = await this.peekToken();
      if (cached && this.isFresh(cached)) return cached;
    }
    // a refresh already under way is as fresh as a forced one: join it
    this.tokenFlight ??= this.flight(
      (signal) => this.refresh(signal),
      () => (this.tokenFlight = undefined),
    );
    return this.join(this.tokenFlight, opts.signal);
  }

  async peekToken(): Promise<TokenInfo | undefined> {
    const stored = await this.readJson('token', isToken);
    if (!stored || (stored.dcrOrigin && stored.dcrOrigin !== this.env.dcrOrigin)) return undefined;
    this.opts.http.addSecret(stored.accessToken);
    return publicToken(stored);
  }

  // ---- housekeeping ---------------------------------------------------------------------------------

  async forget(scope: 'all' | 'token' | 'credentials' | 'statement' = 'all'): Promise<void> {
    const items: ('statement' | 'credentials' | 'token')[] =
      scope === 'all' ? ['statement', 'credentials', 'token'] : scope === 'credentials' ? ['credentials', 'token'] : [scope];
    for (const item of items) await this.opts.store.delete(this.key(item));
    this.emit('forgotten');
  }

  onDidChange(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- internals ------------------------------------------------------------------------------------

  private async doRegister(signal: AbortSignal): Promise<ClientCredentials> {
    const statement = await this.getStatement();
    if (!statement) {
      throw new CmuError(
        'No software statement is stored for this environment',
        `Import the software statement (the .txt file downloaded from the TVE Dashboard) for "${this.env.name}" / profile "${this.profile}" before registering.`,
        'importStatement',
        'no_statement',
      );
    }
    const reg = await this.dcr.register(statement, { redirectUri: this.opts.redirectUri, signal });
    const creds: ClientCredentials = { ...reg, statementHash: statementHash(statement), dcrOrigin: this.env.dcrOrigin };
    this.opts.http.addSecret(creds.clientSecret);
    await this.opts.store.set(this.key('credentials'), JSON.stringify(creds));
    // a cached token belongs to the credentials it was obtained with
    await this.opts.store.delete(this.key('token'));
    this.emit('credentials');
    return creds;
  }

  /** Cached credentials when they belong to the stored statement, else a registration. */
  private async credentials(signal?: AbortSignal): Promise<{ creds: ClientCredentials; registered: boolean }> {
    const cached = await this.peekCredentials();
    if (cached) {
      const statement = await this.getStatement();
      if (!statement || statementHash(statement) === cached.statementHash) return { creds: cached, registered: false };
    }
    return { creds: await this.register({ signal }), registered: true };
  }

  private async refresh(signal: AbortSignal): Promise<TokenInfo> {
    this.emit('refreshing');
    const first = await this.credentials(signal);
    let creds = first.creds;
    let token: TokenInfo;
    try {
      token = await this.dcr.token(creds, { signal });
    } catch (e) {
      if (!(e instanceof DcrError && e.code === 'invalid_client') || first.registered) throw e;
      if (!(await this.getStatement())) {
        throw new DcrError(
          e.message,
          'The stored client credentials are no longer accepted, and there is no software statement to register again with. Import the statement.',
          'importStatement',
          'invalid_client',
          e.status,
        );
      }
      // exactly one re-registration with the stored statement, then one more token request
      creds = await this.register({ signal });
      token = await this.dcr.token(creds, { signal });
    }
    // the token deadline is computed on the real clock; move it onto this session's clock
    const skew = this.now() - Date.now();
    const info: TokenInfo = { ...token, obtainedAt: token.obtainedAt + skew, expiresAt: token.expiresAt + skew };
    this.opts.http.addSecret(info.accessToken);
    const stored: StoredToken = { ...info, dcrOrigin: this.env.dcrOrigin, clientId: creds.clientId };
    await this.opts.store.set(this.key('token'), JSON.stringify(stored));
    this.emit('token');
    return info;
  }

  private isFresh(t: TokenInfo): boolean {
    const margin = Math.min(this.opts.refreshMarginMs ?? 300_000, Math.max(0, t.expiresAt - t.obtainedAt) / 10);
    return t.expiresAt - margin > this.now();
  }

  private async readStatement(): Promise<StatementInfo | undefined> {
    const raw = await this.opts.store.get(this.key('statement'));
    if (raw === undefined) return undefined;
    try {
      const info = parseStatement(raw, this.now());
      this.opts.http.addSecret(info.compact);
      return info;
    } catch (e) {
      this.report('statement', (e as Error).message);
      return undefined;
    }
  }

  private async readJson<T>(item: 'credentials' | 'token', valid: (v: unknown) => v is T): Promise<T | undefined> {
    const raw = await this.opts.store.get(this.key(item));
    if (raw === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    if (valid(value)) return value;
    this.report(item, 'it is not in the expected format');
    return undefined;
  }

  private report(item: string, why: string): void {
    const what = item === 'credentials' ? 'client credentials' : item === 'token' ? 'access token' : 'software statement';
    const next = item === 'statement' ? 'Import the statement again.' : 'It will be replaced by a new one when needed.';
    const message = `The stored ${what} for ${this.env.name}/${this.profile} is unreadable (${why}) and was ignored. ${next}`;
    if (this.warnings.includes(message)) return;
    this.warnings.push(message);
    this.opts.warn?.(message);
  }

  /** Starts shared work; it is aborted only when every caller waiting for it has cancelled. */
  private flight<T>(run: (signal: AbortSignal) => Promise<T>, done: () => void): Flight<T> {
    const ctl = new AbortController();
    const promise = run(ctl.signal);
    promise.then(done, done);
    return { promise, waiters: 0, ctl };
  }

  private join<T>(f: Flight<T>, signal?: AbortSignal): Promise<T> {
    f.waiters++;
    return new Promise<T>((resolve, reject) => {
      const leave = (): void => {
        f.waiters--;
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        leave();
        if (f.waiters === 0) f.ctl.abort();
        reject(new CancelledError());
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        (v) => {
          leave();
          resolve(v);
        },
        (e: unknown) => {
          leave();
          reject(e);
        },
      );
    });
  }

  private emit(e: SessionEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a listener's bug must not break the token lifecycle
      }
    }
  }

  private key(item: 'statement' | 'credentials' | 'token'): string {
    return secretKey(this.env.name, this.profile, item);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}

function publicToken(t: StoredToken): TokenInfo {
  const { accessToken, expiresAt, obtainedAt, scopes, tokenType, claims } = t;
  return { accessToken, expiresAt, obtainedAt, scopes, tokenType, ...(claims ? { claims } : {}) };
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const optional = (v: unknown, type: 'string' | 'number'): boolean => v === undefined || typeof v === type;

function isCredentials(v: unknown): v is ClientCredentials {
  return (
    isObject(v) &&
    typeof v.clientId === 'string' &&
    v.clientId !== '' &&
    typeof v.clientSecret === 'string' &&
    v.clientSecret !== '' &&
    typeof v.statementHash === 'string' &&
    isStringArray(v.scopes) &&
    isStringArray(v.grantTypes) &&
    isStringArray(v.redirectUris) &&
    optional(v.issuedAt, 'number') &&
    optional(v.dcrOrigin, 'string')
  );
}

function isToken(v: unknown): v is StoredToken {
  return (
    isObject(v) &&
    typeof v.accessToken === 'string' &&
    v.accessToken !== '' &&
    Number.isFinite(v.expiresAt) &&
    Number.isFinite(v.obtainedAt) &&
    isStringArray(v.scopes) &&
    typeof v.tokenType === 'string' &&
    (v.claims === undefined || isObject(v.claims)) &&
    optional(v.dcrOrigin, 'string') &&
    optional(v.clientId, 'string')
  );
}
