/**
 * Access tokens: lifetime math and a description for humans. Adobe's tokens are RS256 JWTs, but the
 * docs call them opaque, so claims are only used for display; `expires_in` is authoritative.
 */
import { formatInstant, formatRemaining } from './clock';
import { decodeJwt } from 'jose';
import { isoSeconds } from './statement';

export interface TokenInfo {
  accessToken: string;
  /** local epoch ms */
  expiresAt: number;
  obtainedAt: number;
  scopes: string[];
  tokenType: string;
  claims?: Record<string, unknown>;
}

/** The token endpoint's success body (fields by name; see reference (d)). */
export interface TokenResponseBody {
  access_token: string;
  token_type?: string;
  /** seconds */
  expires_in?: number;
  /** server epoch ms */
  created_at?: number;
  id?: string;
}

/** Claims of a JWT access token, or undefined when it is not one (never verified). */
export function decodeAccessToken(token: string): Record<string, unknown> | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Adobe's `scopes` claim is one comma-separated string; registration returns an array. */
export function parseScopes(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  if (typeof value === 'string') return value.split(/[,\s]+/).filter(Boolean);
  return [];
}

/**
 * Lifetime in ms: `expires_in` (s); else the JWT's exp − iat; else the server's created_at (ms) + the
 * JWT exp. Undefined when nothing says how long the token lives.
 */
export function tokenLifetimeMs(body: TokenResponseBody, claims?: Record<string, unknown>): number | undefined {
  if (typeof body.expires_in === 'number' && body.expires_in > 0) return body.expires_in * 1000;
  const exp = claims?.exp;
  const iat = typeof claims?.iat === 'number' ? claims.iat : typeof claims?.nbf === 'number' ? claims.nbf : undefined;
  if (typeof exp === 'number' && typeof iat === 'number' && exp > iat) return (exp - iat) * 1000;
  if (typeof exp === 'number' && typeof body.created_at === 'number' && exp * 1000 > body.created_at) return exp * 1000 - body.created_at;
  return undefined;
}

/**
 * Builds the cached token. The deadline uses the LOCAL receive time (created_at is server time and the
 * clocks may differ): expiresAt = receivedAt + lifetime.
 */
export function tokenFromResponse(body: TokenResponseBody, receivedAt: number, lifetimeMs: number): TokenInfo {
  const claims = decodeAccessToken(body.access_token);
  return {
    accessToken: body.access_token,
    expiresAt: receivedAt + lifetimeMs,
    obtainedAt: receivedAt,
    scopes: parseScopes(claims?.scopes ?? claims?.scope),
    tokenType: body.token_type || 'bearer',
    ...(claims ? { claims } : {}),
  };
}

export interface TokenDescription {
  expired: boolean;
  remainingMs: number;
  /** "valid for 5h 12m" or "expired 3m 2s ago" */
  status: string;
  expiresAtIso: string;
  obtainedAtIso: string;
  subject?: string;
  issuer?: string;
  scopes: string[];
  fields: { name: string; display: string }[];
}

/** What a user needs to know about a token; never includes the token itself. */
export function describeToken(token: TokenInfo, now: number = Date.now()): TokenDescription {
  const remainingMs = token.expiresAt - now;
  const expired = remainingMs <= 0;
  const claims = token.claims ?? {};
  const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
  const issuer = typeof claims.iss === 'string' ? claims.iss : undefined;
  const status = expired ? `expired ${formatRemaining(-remainingMs)} ago` : `valid for ${formatRemaining(remainingMs)}`;
  const fields: { name: string; display: string }[] = [
    { name: 'status', display: status },
    { name: 'expires', display: formatInstant(token.expiresAt) },
    { name: 'obtained', display: formatInstant(token.obtainedAt) },
    { name: 'type', display: token.tokenType },
    { name: 'scopes', display: token.scopes.join(', ') || '(none stated)' },
  ];
  if (subject) fields.push({ name: 'sub (client id)', display: subject });
  if (issuer) fields.push({ name: 'iss', display: issuer });
  for (const name of ['iat', 'nbf', 'exp']) {
    const iso = isoSeconds(claims[name]);
    if (iso) fields.push({ name, display: iso });
  }
  return {
    expired,
    remainingMs,
    status,
    expiresAtIso: new Date(token.expiresAt).toISOString(),
    obtainedAtIso: new Date(token.obtainedAt).toISOString(),
    subject,
    issuer,
    scopes: token.scopes,
    fields,
  };
}
