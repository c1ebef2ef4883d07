/**
 * The one token lifecycle, per environment and profile: stored statement → cached client credentials
 * (kept forever) → cached access token (reused until shortly before expiry). Concurrent callers share
 * one request (single flight); `invalid_client` triggers exactly one re-registration.
 *
 * Every secret is pinned to the hosts it was obtained for/with, stored beside it and checked before it is
 * used: the statement and the client credentials to the DCR origin, the token to the DCR origin and the
 * CMU origin. A settings change never carries a secret to a new host: the session refuses with an
 * OriginChangedError before anything is sent, until the front asks and calls `confirmOriginChange()`.
 * Values stored before pins existed are adopted for the current hosts once.
 *
 * The token is kept in memory: the store is read on first use and again only when it says the token
 * changed (another window) — not on every request.
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

/** `refreshing` is always followed by `token` or, when the request failed or was cancelled, `refreshFailed` */
export type SessionEvent = 'statement' | 'credentials' | 'token' | 'refreshing' | 'refreshFailed' | 'forgotten';

type Item = 'statement' | 'credentials' | 'token';

/** A stored secret pinned to another host than the current settings would send it to. */
export interface OriginChange {
  item: Item;
  /** the origin it was obtained for/with */
  pinned: string;
  /** the origin the current settings name */
  current: string;
}

const ITEM_NAME: Record<Item, string> = { statement: 'software statement', credentials: 'client credentials', token: 'access token' };

/** Raised before anything is sent when a stored secret belongs to another host than the current settings. */
export class OriginChangedError extends CmuError {
  constructor(readonly changes: OriginChange[]) {
    const c = changes[0];
    super(
      `The stored ${ITEM_NAME[c.item]} belongs to ${c.pinned}, not to ${c.current}`,
      `The settings changed since it was obtained; nothing was sent to ${c.current}. A secret only goes to the host it was obtained for. ` +
        'If the new host is intended, confirm the change (the secrets of the old host are then forgotten and the statement is registered with the new one); otherwise restore the previous setting.',
      'openSettings',
      'originChanged',
    );
  }
}

interface Flight<T> {
  promise: Promise<T>;
  waiters: number;
  ctl: AbortController;
}

interface StoredToken extends TokenInfo {
  dcrOrigin?: string;
  /** the CMU origin it may be sent to (absent: obtained before one was set; adopted on first use) */
  cmuOrigin?: string;
  clientId?: string;
}

/** The statement as stored: its text and the DCR origin it was imported for (a bare JWS: stored before pins). */
interface StoredStatement {
  statement: string;
  dcrOrigin: string;
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
  /** the stored token as last read or written; undefined = read the store */
  private tokenCache?: { value: StoredToken | undefined };
  /** this session's own write is under way (the store tells about it too) */
  private writingToken = false;
  private readonly unwatch?: () => void;

  constructor(private readonly opts: SessionOptions) {
    this.env = opts.env;
    this.profile = opts.profile;
    this.dcr = new DcrClient({ http: opts.http, dcrOrigin: opts.env.dcrOrigin, userAgent: opts.userAgent, deviceInfo: opts.deviceInfo });
    this.unwatch = opts.store.onDidChange?.((key) => {
      if (key !== this.key('token') || this.writingToken) return;
      // changed elsewhere (another window): read it again, and tell the listeners after the cache is gone
      this.tokenCache = undefined;
      this.emit('token');
    });
  }

  /** Redacts text for any message shown at an edge (CLI errors, the panel, diagnose): patterns plus this session's secrets. */
  readonly redact = (text: string): string => this.opts.http.redact(text);

  /** Stops watching the store (a session replaced after a settings change). */
  dispose(): void {
    this.unwatch?.();
  }

  // ---- statement ------------------------------------------------------------------------------------

  async importStatement(text: string): Promise<StatementInfo> {
    const info = parseStatement(text, this.now());
    this.opts.http.addSecret(info.compact);
    refuseAccessToken(info, (await this.peekToken())?.accessToken);
    const previous = await this.readStatement();
    // importing is consent to register the statement with the current DCR origin
    await this.writeStatement(info.compact);
    // A new statement means new credentials (registered on next use); the old token must not outlive it,
    // nor a token obtained with another host. The old credentials stay stored until a registration with
    // the new statement succeeds (credentials of another DCR are never sent here).
    const token = await this.storedToken();
    if ((previous !== undefined && previous.compact !== info.compact) || (token && this.tokenChange(token))) await this.deleteToken();
    this.emit('statement');
    return info;
  }

  async getStatement(): Promise<string | undefined> {
    return (await this.readStatement())?.compact;
  }

  async describeStatement(): Promise<StatementInfo | undefined> {
    const st = await this.readStatement();
    if (!st) return undefined;
    const { dcrOrigin: _pin, ...info } = st;
    return info;
  }

  // ---- credentials ----------------------------------------------------------------------------------

  /** Always asks the server; the stored credentials are replaced only when it succeeds. */
  register(opts: { signal?: AbortSignal } = {}): Promise<ClientCredentials> {
    // a flight every caller left is being aborted: a new caller starts its own instead of joining the abort
    if (this.regFlight?.ctl.signal.aborted) this.regFlight = undefined;
    this.regFlight ??= this.flight(
      (signal) => this.exclusive(() => this.doRegister(signal)),
      (f) => this.regFlight === f && (this.regFlight = undefined),
    );
    return this.join(this.regFlight, opts.signal);
  }

  async getCredentials(opts: { signal?: AbortSignal } = {}): Promise<ClientCredentials> {
    return (await this.credentials(opts.signal)).creds;
  }

  /** The stored credentials when they belong to the current DCR origin (others are never sent here). */
  async peekCredentials(): Promise<ClientCredentials | undefined> {
    const creds = await this.readJson('credentials', isCredentials);
    if (!creds) return undefined;
    this.opts.http.addSecret(creds.clientSecret);
    if (creds.dcrOrigin === undefined) {
      // stored before pins: adopted for the current DCR origin, once
      creds.dcrOrigin = this.env.dcrOrigin;
      await this.opts.store.set(this.key('credentials'), JSON.stringify(creds));
    }
    return creds.dcrOrigin === this.env.dcrOrigin ? creds : undefined;
  }

  // ---- token ----------------------------------------------------------------------------------------

  async getToken(opts: { forceRefresh?: boolean; signal?: AbortSignal } = {}): Promise<TokenInfo> {
    if (opts.signal?.aborted) throw new CancelledError();
    // a flight every caller left is being aborted: a new caller starts its own instead of joining the abort
    if (this.tokenFlight?.ctl.signal.aborted) this.tokenFlight = undefined;
    if (!opts.forceRefresh && !this.tokenFlight) {
      const cached = await this.storedToken();
      if (cached) {
        const change = this.tokenChange(cached);
        if (change) throw new OriginChangedError([change]);
        if (this.isFresh(cached)) return publicToken(cached);
      }
    }
    // a refresh already under way is as fresh as a forced one: join it
    const force = !!opts.forceRefresh;
    this.tokenFlight ??= this.flight(
      (signal) => this.exclusive(() => this.refresh(signal, force)),
      (f) => this.tokenFlight === f && (this.tokenFlight = undefined),
    );
    return this.join(this.tokenFlight, opts.signal);
  }

  /** The stored token when it belongs to the current hosts (status, display); never asks a server. */
  async peekToken(): Promise<TokenInfo | undefined> {
    const stored = await this.storedToken();
    return stored && !this.tokenChange(stored) ? publicToken(stored) : undefined;
  }

  // ---- pins -----------------------------------------------------------------------------------------

  /** The stored secrets that belong to other hosts than the current settings (what a front asks about). */
  async originChanges(): Promise<OriginChange[]> {
    const out: OriginChange[] = [];
    const statement = await this.readStatement();
    if (statement && statement.dcrOrigin !== this.env.dcrOrigin) out.push({ item: 'statement', pinned: statement.dcrOrigin, current: this.env.dcrOrigin });
    const creds = await this.readJson('credentials', isCredentials);
    if (creds?.dcrOrigin && creds.dcrOrigin !== this.env.dcrOrigin) out.push({ item: 'credentials', pinned: creds.dcrOrigin, current: this.env.dcrOrigin });
    const token = await this.storedToken();
    const change = token && this.tokenChange(token);
    if (change) out.push(change);
    return out;
  }

  /**
   * The user agreed to use the current hosts: the token and credentials of the old ones are forgotten
   * and the statement is pinned to the current DCR origin (registered there on next use).
   */
  async confirmOriginChange(): Promise<OriginChange[]> {
    const changes = await this.originChanges();
    for (const c of changes) {
      if (c.item === 'token') await this.deleteToken();
      else if (c.item === 'credentials') await this.opts.store.delete(this.key('credentials'));
      else {
        const st = await this.readStatement();
        if (st) await this.writeStatement(st.compact);
      }
    }
    if (changes.length) this.emit('forgotten');
    return changes;
  }

  // ---- housekeeping ---------------------------------------------------------------------------------

  async forget(scope: 'all' | 'token' | 'credentials' | 'statement' = 'all'): Promise<void> {
    const items: ('statement' | 'credentials' | 'token')[] =
      scope === 'all' ? ['statement', 'credentials', 'token'] : scope === 'credentials' ? ['credentials', 'token'] : [scope];
    for (const item of items) {
      if (item === 'token') await this.deleteToken();
      else await this.opts.store.delete(this.key(item));
    }
    this.emit('forgotten');
  }

  onDidChange(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- internals ------------------------------------------------------------------------------------

  private async doRegister(signal: AbortSignal): Promise<ClientCredentials> {
    const stored = await this.readStatement();
    const statement = stored?.compact;
    if (stored && stored.dcrOrigin !== this.env.dcrOrigin) {
      throw new OriginChangedError([{ item: 'statement', pinned: stored.dcrOrigin, current: this.env.dcrOrigin }]);
    }
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
    await this.deleteToken();
    this.emit('credentials');
    return creds;
  }

  /**
   * Cached credentials when they belong to the stored statement, else a registration. `locked`: called
   * by refresh, which already holds the store's lock (and is single-flighted itself).
   */
  private async credentials(signal?: AbortSignal, locked = false): Promise<{ creds: ClientCredentials; registered: boolean }> {
    const cached = await this.peekCredentials();
    if (cached) {
      const statement = await this.getStatement();
      if (!statement || statementHash(statement) === cached.statementHash) return { creds: cached, registered: false };
    }
    return { creds: locked && signal ? await this.doRegister(signal) : await this.register({ signal }), registered: true };
  }

  private async refresh(signal: AbortSignal, force: boolean): Promise<TokenInfo> {
    // another process may have refreshed while this one waited for the lock: read the store again
    this.tokenCache = undefined;
    const current = await this.storedToken();
    if (current) {
      const change = this.tokenChange(current);
      if (change) throw new OriginChangedError([change]);
      if (!force && this.isFresh(current)) return publicToken(current);
    }
    this.emit('refreshing');
    try {
      return await this.obtainToken(signal);
    } catch (e) {
      // whoever shows "refreshing…" learns that it ended, whatever the outcome
      this.emit('refreshFailed');
      throw e;
    }
  }

  /** client credentials (registering when needed), then a token from the DCR server, stored */
  private async obtainToken(signal: AbortSignal): Promise<TokenInfo> {
    const first = await this.credentials(signal, true);
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
      creds = await this.doRegister(signal);
      token = await this.dcr.token(creds, { signal });
    }
    // the token deadline is computed on the real clock; move it onto this session's clock
    const skew = this.now() - Date.now();
    const info: TokenInfo = { ...token, obtainedAt: token.obtainedAt + skew, expiresAt: token.expiresAt + skew };
    this.opts.http.addSecret(info.accessToken);
    const stored: StoredToken = { ...info, dcrOrigin: this.env.dcrOrigin, ...(this.cmuOrigin ? { cmuOrigin: this.cmuOrigin } : {}), clientId: creds.clientId };
    await this.writeToken(stored);
    this.emit('token');
    return info;
  }

  private isFresh(t: TokenInfo): boolean {
    const margin = Math.min(this.opts.refreshMarginMs ?? 300_000, Math.max(0, t.expiresAt - t.obtainedAt) / 10);
    return t.expiresAt - margin > this.now();
  }

  /** The stored statement and the DCR origin it is pinned to (a bare one, stored before pins, is adopted here). */
  private async readStatement(): Promise<(StatementInfo & { dcrOrigin: string }) | undefined> {
    const raw = await this.opts.store.get(this.key('statement'));
    if (raw === undefined) return undefined;
    let text = raw;
    let dcrOrigin: string | undefined;
    if (raw.trimStart().startsWith('{')) {
      const o = parseJson(raw);
      if (!isObject(o) || typeof o.statement !== 'string' || typeof o.dcrOrigin !== 'string') {
        this.report('statement', 'it is not in the expected format');
        return undefined;
      }
      text = o.statement;
      dcrOrigin = o.dcrOrigin;
    }
    let info: StatementInfo;
    try {
      info = parseStatement(text, this.now());
    } catch (e) {
      this.report('statement', (e as Error).message);
      return undefined;
    }
    this.opts.http.addSecret(info.compact);
    if (dcrOrigin === undefined) {
      dcrOrigin = this.env.dcrOrigin;
      await this.writeStatement(info.compact);
    }
    return { ...info, dcrOrigin };
  }

  private async writeStatement(compact: string): Promise<void> {
    const stored: StoredStatement = { statement: compact, dcrOrigin: this.env.dcrOrigin };
    await this.opts.store.set(this.key('statement'), JSON.stringify(stored));
  }

  /** The token from memory; the store is read on first use and after it said the token changed. */
  private async storedToken(): Promise<StoredToken | undefined> {
    if (this.tokenCache) return this.tokenCache.value;
    const value = await this.readJson('token', isToken);
    if (value) {
      this.opts.http.addSecret(value.accessToken);
      if (value.dcrOrigin === undefined || (value.cmuOrigin === undefined && this.cmuOrigin)) {
        // stored before pins (or before a CMU base was set): adopted for the current hosts, once
        value.dcrOrigin ??= this.env.dcrOrigin;
        value.cmuOrigin ??= this.cmuOrigin;
        await this.writeToken(value);
        return value;
      }
    }
    this.tokenCache = { value };
    return value;
  }

  private async writeToken(t: StoredToken | undefined): Promise<void> {
    this.writingToken = true;
    try {
      if (t) await this.opts.store.set(this.key('token'), JSON.stringify(t));
      else await this.opts.store.delete(this.key('token'));
    } finally {
      this.writingToken = false;
    }
    this.tokenCache = { value: t };
  }

  private deleteToken(): Promise<void> {
    return this.writeToken(undefined);
  }

  /** Where the token would go now versus where it was obtained for; undefined when they agree. */
  private tokenChange(t: StoredToken): OriginChange | undefined {
    if (t.dcrOrigin !== undefined && t.dcrOrigin !== this.env.dcrOrigin) return { item: 'token', pinned: t.dcrOrigin, current: this.env.dcrOrigin };
    const cmu = this.cmuOrigin;
    if (t.cmuOrigin !== undefined && cmu !== undefined && t.cmuOrigin !== cmu) return { item: 'token', pinned: t.cmuOrigin, current: cmu };
    return undefined;
  }

  private get cmuOrigin(): string | undefined {
    return this.env.cmuBase ? new URL(this.env.cmuBase).origin : undefined;
  }

  /** Register/refresh under the store's cross-process lock, when it has one. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.opts.store.exclusive ? this.opts.store.exclusive(`${this.env.name}/${this.profile}`, work) : work();
  }

  private async readJson<T>(item: 'credentials' | 'token', valid: (v: unknown) => v is T): Promise<T | undefined> {
    const raw = await this.opts.store.get(this.key(item));
    if (raw === undefined) return undefined;
    const value = parseJson(raw);
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
  private flight<T>(run: (signal: AbortSignal) => Promise<T>, done: (f: Flight<T>) => void): Flight<T> {
    const ctl = new AbortController();
    const promise = run(ctl.signal);
    const f: Flight<T> = { promise, waiters: 0, ctl };
    const end = (): void => done(f);
    promise.then(end, end);
    return f;
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

  private key(item: Item): string {
    return secretKey(this.env.name, this.profile, item);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
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
    optional(v.cmuOrigin, 'string') &&
    optional(v.clientId, 'string')
  );
}
