/**
 * Redaction for anything that may reach a log: URLs, headers, request bodies, error excerpts.
 * Secrets in this project: software statement, client secret, access token (and any JWT).
 */

export const REDACTED = '[redacted]';

/** Parameter / JSON-field names whose values are always secret. */
const SECRET_NAMES = [
  'client_secret',
  'access_token',
  'software_statement',
  'refresh_token',
  'id_token',
  'token',
  'password',
  'client_assertion',
  'assertion',
  'sig',
  'signature',
];
const NAMES = SECRET_NAMES.join('|');

const JSON_FIELD = new RegExp(`("(?:${NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const FORM_FIELD = new RegExp(`((?:^|[?&;\\s])(?:${NAMES})=)[^&\\s#"']*`, 'gi');
const AUTH_SCHEME = /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9\-._~+/]+=*/gi;
// JWS (3 parts) and JWE (5 parts) compact forms: base64url of a JSON object starts with "eyJ".
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){1,4}/g;

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

/** Redacts secret-looking values anywhere in free text (bodies, messages, excerpts). */
export function redactText(text: string, known: Iterable<string> = []): string {
  let out = text;
  for (const secret of known) {
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(JSON_FIELD, `$1"${REDACTED}"`)
    .replace(FORM_FIELD, `$1${REDACTED}`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(JWT_LIKE, REDACTED);
}

/** Redacts credentials in the authority and secret query parameters; keeps the rest readable. */
export function redactUrl(url: string, known: Iterable<string> = []): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // not parseable (bad port, bad host): still mask a user:password@ part
    return redactText(url.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, `$1${REDACTED}@`), known);
  }
  if (u.username || u.password) {
    u.username = REDACTED;
    u.password = '';
  }
  for (const [name] of [...u.searchParams]) {
    if (SECRET_NAMES.includes(name.toLowerCase())) u.searchParams.set(name, REDACTED);
  }
  // URLSearchParams encodes the brackets; keep the marker readable.
  return redactText(u.href.replace(/%5Bredacted%5D/g, REDACTED), known);
}

/** Copies headers with secret values replaced (the auth scheme stays visible: it helps diagnosis). */
export function redactHeaders(headers: Record<string, string>, known: Iterable<string> = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (SECRET_HEADERS.has(name.toLowerCase())) {
      const scheme = /^(\w+)\s+\S/.exec(value)?.[1];
      out[name] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else {
      out[name] = redactText(value, known);
    }
  }
  return out;
}
