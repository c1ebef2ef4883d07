/**
 * Adobe Pass Dynamic Client Registration: POST /o/client/register and POST /o/client/token
 * (reference (c), (d)). Every refusal becomes a DcrError that says what happened and what to do.
 */
import { CmuError, type NextStep } from './errors';
import { buildDeviceInfo } from './deviceInfo';
import { joinUrl } from './environments';
import { ERROR_BODY_LIMIT, type HttpClient, type HttpResponse, bodyExcerpt, formatBytes, retryNote } from './http';
import { redactText } from './redact';
import { type TokenInfo, type TokenResponseBody, decodeAccessToken, tokenFromResponse, tokenLifetimeMs } from './token';

export const REGISTER_PATH = '/o/client/register';
export const TOKEN_PATH = '/o/client/token';
const JSON_TYPE = 'application/json;charset=utf-8';
/** What an Authorization header value can carry: visible ASCII, no space, bounded. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const HEADER_TOKEN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_TOKEN_LENGTH}}$`);
/** The longest a token is cached, whatever the server says (a 401 still refreshes it earlier). */
const MAX_TOKEN_LIFETIME_MS = 30 * 86_400_000;

export class DcrError extends CmuError {
  constructor(
    message: string,
    explanation: string,
    nextStep: NextStep,
    /** the OAuth error code, or 'throttled', 'bad_response' */
    code: string,
    readonly status?: number,
    readonly bodyExcerpt?: string,
  ) {
    super(message, explanation, nextStep, code);
  }
}

/** Plain explanation and next step for every documented error code. */
export const DCR_ERRORS: Record<string, { explanation: string; nextStep: NextStep }> = {
  invalid_request: {
    explanation: 'The server found the request malformed (a missing or repeated parameter, or an unsupported value). This is a bug in the request, not in your setup: look at the log for the exchange.',
    nextStep: 'showLog',
  },
  invalid_redirect_uri: {
    explanation: "The redirect URI is not allowed for this registered application's domains. Clear the redirect URI setting (CMU does not need one) or use a URL on a registered domain.",
    nextStep: 'openSettings',
  },
  invalid_software_statement: {
    explanation: 'The software statement is not valid for this server: it is corrupt, truncated, revoked, or was issued for another environment (production vs staging). Download a fresh one from the TVE Dashboard and import it.',
    nextStep: 'importStatement',
  },
  unapproved_software_statement: {
    explanation: 'The software statement is well formed but Adobe Pass has not approved its registered application for use. Ask your organisation admin or Adobe support (tve-support@adobe.com) to enable it.',
    nextStep: 'contactAdobe',
  },
  invalid_client: {
    explanation: 'The stored client credentials are no longer accepted. Register again with the software statement to get new ones.',
    nextStep: 'register',
  },
  unauthorized_client: {
    explanation: 'This client is not allowed to use the client_credentials grant. The registered application is configured differently: ask Adobe support to check it.',
    nextStep: 'contactAdobe',
  },
  unsupported_grant_type: {
    explanation: 'The server does not support the client_credentials grant at this address. Check the DCR server URL, or ask Adobe support which grant to use.',
    nextStep: 'contactAdobe',
  },
};

/** Credentials as returned by registration, normalised. */
export interface Registration {
  clientId: string;
  clientSecret: string;
  /** epoch ms (the server sends seconds or milliseconds) */
  issuedAt?: number;
  redirectUris: string[];
  grantTypes: string[];
  scopes: string[];
}

export interface DcrClientOptions {
  http: HttpClient;
  /** origin only; the client secret is only ever sent here */
  dcrOrigin: string;
  userAgent?: string;
  /** X-Device-Info value (Base64); default: built for this machine */
  deviceInfo?: string;
}

export class DcrClient {
  constructor(private readonly opts: DcrClientOptions) {}

  get registerUrl(): string {
    return joinUrl(this.opts.dcrOrigin, REGISTER_PATH);
  }
  get tokenUrl(): string {
    return joinUrl(this.opts.dcrOrigin, TOKEN_PATH);
  }

  async register(statement: string, opts: { redirectUri?: string; signal?: AbortSignal } = {}): Promise<Registration> {
    const body: Record<string, string> = { software_statement: statement };
    if (opts.redirectUri) body.redirect_uri = opts.redirectUri;
    const res = await this.opts.http.request({
      method: 'POST',
      url: this.registerUrl,
      headers: this.headers(JSON_TYPE),
      body: JSON.stringify(body),
      signal: opts.signal,
    });
    const json = await readResult(res, 'Registration', [statement]);
    const clientId = json.client_id;
    const clientSecret = json.client_secret;
    if (typeof clientId !== 'string' || !clientId || typeof clientSecret !== 'string' || !clientSecret) {
      throw badResponse(
        `Registration answered ${res.status} without ${typeof clientId === 'string' && clientId ? 'a client_secret' : 'a client_id'}`,
        'The server accepted the statement but its answer lacks the client credentials. Check the DCR server URL points at Adobe Pass, and look at the log.',
        res.status,
      );
    }
    return {
      clientId,
      clientSecret,
      issuedAt: issuedAtMs(json.client_id_issued_at),
      redirectUris: strings(json.redirect_uris),
      grantTypes: strings(json.grant_types),
      scopes: strings(json.scopes),
    };
  }

  /** Parameters go in a form body (never the URL: proxies log URLs). */
  async token(creds: { clientId: string; clientSecret: string }, opts: { signal?: AbortSignal } = {}): Promise<TokenInfo> {
    const form = new URLSearchParams({ client_id: creds.clientId, client_secret: creds.clientSecret, grant_type: 'client_credentials' });
    const res = await this.opts.http.request({
      method: 'POST',
      url: this.tokenUrl,
      headers: this.headers('application/x-www-form-urlencoded'),
      body: form.toString(),
      signal: opts.signal,
    });
    const json = await readResult(res, 'The token request', [creds.clientSecret]);
    if (typeof json.access_token !== 'string' || !json.access_token) {
      throw badResponse(`The token endpoint answered ${res.status} without an access_token`, 'The answer lacks the token. Check the DCR server URL and look at the log.', res.status);
    }
    if (!HEADER_TOKEN.test(json.access_token)) {
      // never echoed: a token with a line break would otherwise reach messages through node's header check
      throw badResponse(
        `The token endpoint answered ${res.status} with an access token that is not a valid HTTP header value`,
        `The token has a line break, a space, a non-ASCII character or more than ${formatBytes(MAX_TOKEN_LENGTH)}, so it cannot be sent in an Authorization header. ` +
          'The DCR server (or a proxy in between) is broken or hostile; the token was not stored. Check the DCR server URL.',
        res.status,
      );
    }
    const body: TokenResponseBody = {
      access_token: json.access_token,
      token_type: typeof json.token_type === 'string' ? json.token_type : undefined,
      expires_in: numeric(json.expires_in),
      created_at: numeric(json.created_at),
    };
    const lifetime = tokenLifetimeMs(body, decodeAccessToken(body.access_token));
    if (lifetime === undefined || !(lifetime > 0)) {
      throw badResponse('The token endpoint did not say how long the token lives', 'The answer has no expires_in and the token has no exp claim, so it cannot be cached safely. Look at the log.', res.status);
    }
    // an absurd lifetime (expires_in: 1e308) would store a deadline no later run can read: cache it for at most 30 days
    return tokenFromResponse(body, res.receivedAt, Math.min(lifetime, MAX_TOKEN_LIFETIME_MS));
  }

  private headers(contentType: string): Record<string, string> {
    const h: Record<string, string> = { 'Content-Type': contentType, Accept: JSON_TYPE };
    if (this.opts.userAgent) h['User-Agent'] = this.opts.userAgent;
    h['X-Device-Info'] = this.opts.deviceInfo ?? buildDeviceInfo();
    return h;
  }
}

/**
 * 2xx JSON object → the object; everything else → DcrError. What the server wrote (error_description,
 * the body excerpt) reaches messages and logs, so the secrets this request sent are redacted from it.
 */
async function readResult(res: HttpResponse, what: string, sent: string[]): Promise<Record<string, unknown>> {
  // a DCR answer is a small JSON object: 64 KB kept at most, the rest dropped with the connection
  const { text, truncated } = await res.excerpt(ERROR_BODY_LIMIT);
  if (truncated && res.status >= 200 && res.status < 300) {
    throw badResponse(
      `${what} succeeded (${res.status}) but the answer is too large (over ${formatBytes(ERROR_BODY_LIMIT)})`,
      'A DCR answer is a small JSON object; this one was dropped unread. A proxy or a wrong server URL is the usual cause; look at the log.',
      res.status,
    );
  }
  const excerpt = () => bodyExcerpt(redactText(text, sent), res.contentType);
  let json: unknown;
  try {
    json = text.trim() ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const obj = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (res.status >= 200 && res.status < 300) {
    if (obj) return obj;
    const explanation =
      json === undefined
        ? notJsonExplanation(res)
        : `The DCR server answered ${res.status} with JSON that is not the documented object (${Array.isArray(json) ? 'an array' : typeof json}). A proxy or a wrong server URL is the usual cause; look at the log.`;
    throw badResponse(`${what} succeeded (${res.status}) but the answer is not a JSON object`, explanation, res.status, excerpt());
  }
  if (res.status === 429) {
    throw new DcrError(
      `${what} was throttled (HTTP 429)`,
      retryNote(res) ??
        'Adobe Pass allows about one request per second per device. The request was retried and still refused: wait a few seconds and try again.',
      'retry',
      'throttled',
      429,
      excerpt(),
    );
  }
  const code = typeof obj?.error === 'string' ? obj.error : undefined;
  if (code) {
    const known = DCR_ERRORS[code];
    const description = typeof obj?.error_description === 'string' ? ` (${redactText(obj.error_description, sent)})` : '';
    // An undocumented code on a 5xx (OAuth's server_error, temporarily_unavailable) is the server's trouble, not a refusal.
    const serverSide = !known && res.status >= 500;
    throw new DcrError(
      `${serverSide ? `${what} failed with HTTP ${res.status}:` : `${what} was refused:`} ${redactText(code, sent)}${description}`,
      known?.explanation ??
        (serverSide
          ? `The DCR server had a problem (status ${res.status}, error "${code}"). It is usually temporary: try again in a moment.`
          : `The server refused the request with the error "${code}", which Adobe does not document. Look at the log.`),
      known?.nextStep ?? (serverSide ? 'retry' : 'showLog'),
      code,
      res.status,
      excerpt(),
    );
  }
  throw badResponse(`${what} failed with HTTP ${res.status}`, notJsonExplanation(res), res.status, excerpt());
}

function notJsonExplanation(res: HttpResponse): string {
  const kind = /html/i.test(res.contentType) ? 'an HTML page' : res.contentType ? `"${res.contentType}"` : 'a body that is not JSON';
  if (res.status === 404 || res.status === 405) {
    return `The server answered with ${kind} and status ${res.status}: the DCR server URL is probably wrong (it must be the origin, e.g. https://sp.auth.adobe.com).`;
  }
  if (res.status >= 500) return `The DCR server had a problem and answered with ${kind} (status ${res.status}). It is usually temporary: try again in a moment.`;
  return `The DCR server answered with ${kind} (status ${res.status}) instead of the JSON it documents. A proxy or a wrong server URL is the usual cause; look at the log.`;
}

function badResponse(message: string, explanation: string, status: number, excerpt?: string): DcrError {
  const next: NextStep = status === 404 || status === 405 ? 'openSettings' : status >= 500 ? 'retry' : 'showLog';
  return new DcrError(message, explanation, next, 'bad_response', status, excerpt);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

/** client_id_issued_at's unit is undocumented (seconds in a doc sample, ms in a capture). */
function issuedAtMs(v: unknown): number | undefined {
  const n = numeric(v);
  if (n === undefined) return undefined;
  return n > 1e12 ? n : n * 1000;
}
