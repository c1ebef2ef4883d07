/**
 * The DCR side of the sandbox: `POST /o/client/register` and `POST /o/client/token`, strictly as the
 * reference documents them (content types, required fields and headers, status codes, `{"error"}` bodies).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cmuScopes } from '../core/cmu/scopes';
import type { Jwks, SigningKey } from './keys';
import { BodyTooLarge, mediaType, parsePairs, readBody, sendJson } from './respond';

/**
 * The scopes a registered application gets unless told otherwise: both CMU scopes seen on the real backend
 * (`cmu:analytics:client` for the reports, `cmu:billing:client` for billing/daily).
 */
export function defaultScopes(): string[] {
  return cmuScopes().map((s) => s.name);
}
export const DEFAULT_TENANT = 'ACME';
export const ISSUER = 'auth.adobe.com';
export const DEVICE_INFO_REQUIRED_KEYS: readonly string[] = ['model', 'version', 'osName', 'osVersion', 'connectionType'];

export type DcrErrorCode =
  | 'invalid_request'
  | 'invalid_redirect_uri'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  | 'invalid_client'
  | 'unauthorized_client'
  | 'unsupported_grant_type';

/** What the sandbox knows about a statement it issued (Adobe keeps this in its registered application). */
export interface StatementPolicy {
  approved: boolean;
  scopes: string[];
  /** the CM tenant the registered application belongs to; CMU reports are limited to it */
  tenant: string;
  /** clients registered with it get `unauthorized_client` at the token endpoint */
  unauthorized: boolean;
}

export interface ClientRecord {
  clientId: string;
  clientSecret: string;
  issuedAt: number;
  redirectUris: string[];
  scopes: string[];
  tenant: string;
  unauthorized: boolean;
}

export interface TokenRecord {
  clientId: string;
  scopes: string[];
  tenant: string;
  expiresAt: number;
}

export interface DcrConfig {
  tokenLifetimeSec: number;
  /** registered-application domains a `redirect_uri` host must be on (the domain itself or a subdomain) */
  redirectDomains: string[];
  /** what registered applications are granted when a statement does not say (default: defaultScopes()) */
  scopes?: readonly string[];
  now: () => number;
}

export class DcrService {
  private readonly statements = new Map<string, StatementPolicy>();
  readonly clients = new Map<string, ClientRecord>();
  readonly tokens = new Map<string, TokenRecord>();

  constructor(
    private readonly key: SigningKey,
    readonly config: DcrConfig,
  ) {}

  get jwks(): Jwks {
    return this.key.jwks;
  }

  /** Signs a statement with Adobe's sample claims (sub UUID, iss, iat = nbf, no exp), `claims` added/overriding. */
  async issueStatement(claims: Record<string, unknown> = {}, policy: Partial<StatementPolicy> = {}): Promise<string> {
    const iat = Math.floor(this.config.now() / 1000);
    const compact = await this.key.sign({ sub: randomUUID(), nbf: iat, iss: ISSUER, iat, ...claims });
    this.statements.set(hash(compact), {
      approved: policy.approved ?? true,
      scopes: [...(policy.scopes ?? this.config.scopes ?? defaultScopes())],
      tenant: policy.tenant ?? DEFAULT_TENANT,
      unauthorized: policy.unauthorized ?? false,
    });
    return compact;
  }

  /** Creates a client directly (no HTTP), e.g. for a test that needs a token without the DCR calls. */
  createClient(policy: Partial<StatementPolicy> = {}, redirectUris: string[] = []): ClientRecord {
    const client: ClientRecord = {
      clientId: randomUUID(),
      clientSecret: randomUUID(),
      issuedAt: this.config.now(),
      redirectUris,
      scopes: [...(policy.scopes ?? this.config.scopes ?? defaultScopes())],
      tenant: policy.tenant ?? DEFAULT_TENANT,
      unauthorized: policy.unauthorized ?? false,
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  async issueToken(client: ClientRecord): Promise<{ body: Record<string, unknown>; token: string }> {
    const createdAt = this.config.now();
    const iat = Math.floor(createdAt / 1000);
    const lifetime = this.config.tokenLifetimeSec;
    const token = await this.key.sign({
      sub: client.clientId,
      nbf: iat,
      iss: ISSUER,
      scopes: client.scopes.join(','),
      exp: iat + lifetime,
      iat,
    });
    this.tokens.set(token, { clientId: client.clientId, scopes: client.scopes, tenant: client.tenant, expiresAt: createdAt + lifetime * 1000 });
    return {
      token,
      body: { id: randomUUID(), access_token: token, created_at: createdAt, expires_in: lifetime, token_type: 'bearer' },
    };
  }

  /** The live record of an access token this sandbox issued: undefined when unknown, revoked or expired. */
  async checkToken(token: string): Promise<TokenRecord | undefined> {
    const rec = this.tokens.get(token);
    if (!rec) return undefined;
    if (this.config.now() >= rec.expiresAt) return undefined;
    if (!(await this.key.verify(token))) return undefined;
    return rec;
  }

  forgetClients(): void {
    this.clients.clear();
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  setClientUnauthorized(clientId: string, unauthorized = true): boolean {
    const c = this.clients.get(clientId);
    if (c) c.unauthorized = unauthorized;
    return !!c;
  }

  async register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fail = (error: DcrErrorCode) => sendJson(res, 400, { error });
    if (mediaType(req.headers['content-type']) !== 'application/json') return fail('invalid_request');
    if (!deviceInfoOk(req.headers['x-device-info'])) return fail('invalid_request');
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8'));
    } catch (e) {
      if (e instanceof BodyTooLarge) return fail('invalid_request');
      return fail('invalid_request');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return fail('invalid_request');
    const { software_statement: statement, redirect_uri: redirectUri } = body as Record<string, unknown>;
    if (typeof statement !== 'string' || statement === '') return fail('invalid_request');
    if (redirectUri !== undefined && typeof redirectUri !== 'string') return fail('invalid_request');
    // the statement is an opaque string: no trimming, it must be exactly what was issued
    const claims = await this.key.verify(statement);
    const policy = this.statements.get(hash(statement));
    if (!claims || !policy || claims.iss !== ISSUER || typeof claims.sub !== 'string') return fail('invalid_software_statement');
    if (!policy.approved) return fail('unapproved_software_statement');
    if (redirectUri !== undefined && !this.redirectAllowed(redirectUri)) return fail('invalid_redirect_uri');
    const client = this.createClient(policy, redirectUri === undefined ? [] : [redirectUri]);
    sendJson(
      res,
      201,
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        client_id_issued_at: client.issuedAt,
        redirect_uris: client.redirectUris,
        grant_types: ['client_credentials'],
        scopes: client.scopes,
      },
      { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    );
  }

  async token(req: IncomingMessage, res: ServerResponse, query: string): Promise<void> {
    const fail = (error: DcrErrorCode) => sendJson(res, 400, { error });
    if (!deviceInfoOk(req.headers['x-device-info'])) return fail('invalid_request');
    let raw: Buffer;
    try {
      raw = await readBody(req, 16 * 1024);
    } catch {
      return fail('invalid_request');
    }
    const fromQuery = parsePairs(query);
    if (!fromQuery) return fail('invalid_request');
    let pairs = fromQuery;
    if (raw.length > 0) {
      if (mediaType(req.headers['content-type']) !== 'application/x-www-form-urlencoded') return fail('invalid_request');
      const fromBody = parsePairs(raw.toString('utf8'));
      if (!fromBody) return fail('invalid_request');
      // the documented body form; credentials (or any of the parameters) also in the URL means "supplied twice"
      if (fromQuery.some(([n]) => TOKEN_PARAMS.includes(n))) return fail('invalid_request');
      pairs = fromBody;
    }
    const params = new Map<string, string>();
    for (const [n, v] of pairs) {
      if (params.has(n) || v === undefined) return fail('invalid_request');
      params.set(n, v);
    }
    // a second client-authentication mechanism next to the parameters
    if (req.headers.authorization !== undefined) return fail('invalid_request');
    const clientId = params.get('client_id');
    const secret = params.get('client_secret');
    const grant = params.get('grant_type');
    if (!clientId || !secret || !grant) return fail('invalid_request');
    const client = this.clients.get(clientId);
    if (!client || !safeEqual(client.clientSecret, secret)) return fail('invalid_client');
    if (grant !== 'client_credentials') return fail('unsupported_grant_type');
    if (client.unauthorized) return fail('unauthorized_client');
    const { body } = await this.issueToken(client);
    sendJson(res, 201, body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  }

  private redirectAllowed(uri: string): boolean {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return false;
    }
    const host = url.hostname.toLowerCase();
    if (!host) return false;
    return this.config.redirectDomains.some((d) => host === d.toLowerCase() || host.endsWith('.' + d.toLowerCase()));
  }
}

const TOKEN_PARAMS = ['client_id', 'client_secret', 'grant_type'];

/** X-Device-Info: one standard (padded) Base64 value of a JSON object with the required keys as strings. */
export function deviceInfoOk(header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const v = header.trim();
  if (v === '' || v.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return false;
  const buf = Buffer.from(v, 'base64');
  if (buf.toString('base64') !== v) return false;
  let info: unknown;
  try {
    info = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf));
  } catch {
    return false;
  }
  if (!info || typeof info !== 'object' || Array.isArray(info)) return false;
  const rec = info as Record<string, unknown>;
  return DEVICE_INFO_REQUIRED_KEYS.every((k) => typeof rec[k] === 'string' && (rec[k] as string).trim() !== '');
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  return hash(a) === hash(b);
}
