/**
 * Software statement: the JWS Adobe signs for a registered application, downloaded as a text file.
 * We accept the file as it is, check it is a plausible JWS, and describe it; we never re-encode it.
 */
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, importJWK, importSPKI, importX509, type JWK } from 'jose';
import { InputError } from './errors';
import { formatUtc } from './clock';

export interface StatementField {
  name: string;
  value: unknown;
  display: string;
}

export interface StatementInfo {
  compact: string;
  alg: string;
  kid?: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  fields: StatementField[];
  warnings: string[];
}

export const MAX_STATEMENT_BYTES = 64 * 1024;
const TIME_CLAIMS = new Set(['iat', 'nbf', 'exp']);
const PART_NAMES = ['header', 'claims', 'signature'];

function reject(message: string, explanation: string, code: string): never {
  throw new InputError(message, explanation, 'importStatement', code);
}

/** Strips what a download or a paste adds: BOM, surrounding whitespace and quotes, line breaks inside. */
export function normalizeStatement(text: string): string {
  let s = text.replace(/^\uFEFF/, '').trim();
  if (s.length >= 2 && /^(["']).*\1$/s.test(s)) s = s.slice(1, -1);
  return s.replace(/\s+/g, '');
}

export function parseStatement(text: string, now: number = Date.now()): StatementInfo {
  if (Buffer.byteLength(text, 'utf8') > MAX_STATEMENT_BYTES) {
    reject(
      `The software statement file is larger than 64 KB (${Math.round(Buffer.byteLength(text, 'utf8') / 1024)} KB)`,
      'A software statement is a short text (about 1 KB). This is probably not the file downloaded from the TVE Dashboard.',
      'statement_too_large',
    );
  }
  const compact = normalizeStatement(text);
  if (!compact) {
    reject('The software statement is empty', 'Pick the .txt file downloaded from the TVE Dashboard (Registered Applications → Download), or paste its content.', 'statement_empty');
  }
  const parts = compact.split('.');
  if (parts.length === 5) {
    reject(
      'This is an encrypted token (JWE, five parts), not a software statement',
      'A software statement is a signed JWT with three parts separated by dots (header.claims.signature). Download it again from the TVE Dashboard.',
      'statement_jwe',
    );
  }
  if (parts.length !== 3) {
    reject(
      `The software statement must have three parts separated by dots; this text has ${parts.length}`,
      'A software statement is a signed JWT (header.claims.signature). The file may be truncated or be something else.',
      'statement_not_jws',
    );
  }
  checkBase64url(parts, 0);
  const header = decodeJsonPart(parts[0], 'header');
  // before the signature part: an unsecured JWT ("alg": "none") has an empty one, and that is the real problem
  if (typeof header.alg === 'string' && header.alg.toLowerCase() === 'none') rejectAlgNone();
  checkBase64url(parts, 1);
  decodeJsonPart(parts[1], 'claims');
  checkBase64url(parts, 2);
  // jose does the canonical decoding (our checks above give the specific messages).
  let joseHeader: Record<string, unknown>;
  let joseClaims: Record<string, unknown>;
  try {
    joseHeader = decodeProtectedHeader(compact) as Record<string, unknown>;
    joseClaims = decodeJwt(compact) as Record<string, unknown>;
  } catch (e) {
    reject(`The software statement could not be decoded: ${(e as Error).message}`, 'Download the statement again from the TVE Dashboard.', 'statement_invalid');
  }
  const alg = joseHeader.alg;
  if (typeof alg !== 'string' || !alg) {
    reject('The software statement header has no "alg"', 'A signed statement names its signature algorithm (Adobe uses RS256).', 'statement_no_alg');
  }
  if (alg.toLowerCase() === 'none') rejectAlgNone();
  const kid = typeof joseHeader.kid === 'string' ? joseHeader.kid : undefined;
  return { compact, alg, kid, header: joseHeader, claims: joseClaims, fields: describeFields(joseHeader, joseClaims), warnings: timeWarnings(joseClaims, now) };
}

function checkBase64url(parts: string[], i: number): void {
  if (!/^[A-Za-z0-9_-]+$/.test(parts[i])) {
    reject(
      `The ${PART_NAMES[i]} part of the software statement is ${parts[i] ? 'not valid base64url' : 'empty'}`,
      'Each part must use only the characters A–Z a–z 0–9 - _. The text may have been altered or truncated; download it again.',
      'statement_bad_base64url',
    );
  }
}

function rejectAlgNone(): never {
  reject(
    'The software statement is unsigned ("alg": "none")',
    'Adobe signs software statements (RS256). An unsigned one is not genuine and would be refused.',
    'statement_alg_none',
  );
}

function decodeJsonPart(part: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    reject(`The ${name} part of the software statement is not JSON`, 'The text decodes, but not to a JSON object: it is not a JWT. Download the statement again.', 'statement_not_json');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    reject(`The ${name} part of the software statement is not a JSON object`, 'A JWT header and claims are JSON objects. Download the statement again.', 'statement_not_json');
  }
  return value as Record<string, unknown>;
}

export function isoSeconds(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const ms = value * 1000;
  return Number.isNaN(new Date(ms).getTime()) ? undefined : formatUtc(ms);
}

function display(name: string, value: unknown): string {
  if (TIME_CLAIMS.has(name)) return isoSeconds(value) ?? String(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** alg, kid first, then the well-known claims in a stable order, then every other claim. */
function describeFields(header: Record<string, unknown>, claims: Record<string, unknown>): StatementField[] {
  const fields: StatementField[] = [];
  for (const name of ['alg', 'kid', 'typ']) {
    if (header[name] !== undefined) fields.push({ name, value: header[name], display: display(name, header[name]) });
  }
  const order = ['sub', 'iss', 'iat', 'nbf', 'exp'];
  const names = [...order.filter((n) => n in claims), ...Object.keys(claims).filter((n) => !order.includes(n))];
  for (const name of names) fields.push({ name, value: claims[name], display: display(name, claims[name]) });
  return fields;
}

function timeWarnings(claims: Record<string, unknown>, now: number): string[] {
  const warnings: string[] = [];
  const nbf = claims.nbf;
  const exp = claims.exp;
  if (typeof nbf === 'number' && nbf * 1000 > now) {
    warnings.push(`The statement is not valid before ${isoSeconds(nbf)} (in the future): check this computer's clock, or wait.`);
  }
  if (typeof exp === 'number' && exp * 1000 <= now) {
    warnings.push(`The statement expired on ${isoSeconds(exp)}: registration will probably be refused; ask for a new one.`);
  }
  return warnings;
}

/** Checks the signature with a PEM public key / certificate, a JWK, or a JWKS (times are not checked). */
export async function verifyStatement(compact: string, key: string): Promise<void> {
  const jws = normalizeStatement(compact);
  const { alg } = parseStatement(jws);
  const text = key.trim();
  let verify: () => Promise<unknown>;
  try {
    if (text.startsWith('-----BEGIN CERTIFICATE')) {
      const k = await importX509(text, alg);
      verify = () => compactVerify(jws, k);
    } else if (text.startsWith('-----BEGIN')) {
      const k = await importSPKI(text, alg);
      verify = () => compactVerify(jws, k);
    } else {
      const json = JSON.parse(text) as { keys?: JWK[] } & JWK;
      if (Array.isArray(json.keys)) {
        const set = createLocalJWKSet({ keys: json.keys });
        verify = () => compactVerify(jws, set);
      } else {
        const k = await importJWK(json, alg);
        verify = () => compactVerify(jws, k);
      }
    }
  } catch (e) {
    throw new InputError(
      `The key could not be read: ${(e as Error).message}`,
      'Give a public key as PEM (-----BEGIN PUBLIC KEY-----), a certificate, a JWK or a JWKS ({"keys":[…]}) matching the statement algorithm.',
      'none',
      'bad_key',
    );
  }
  try {
    await verify();
  } catch (e) {
    throw new InputError(
      'The software statement signature does not match the key',
      `The statement was not signed by this key (${(e as Error).message}). Check you have the right key for this environment, or download the statement again.`,
      'importStatement',
      'bad_signature',
    );
  }
}

/**
 * The one "this is the access token, not the statement" check: the access token is a JWS too (`cmu token
 * --print > file`, a copied token), and storing it would replace the statement.
 */
export function refuseAccessToken(info: Pick<StatementInfo, 'compact'>, storedAccessToken: string | undefined): void {
  if (storedAccessToken === undefined || storedAccessToken !== info.compact) return;
  throw new InputError(
    'This is the access token, not the software statement',
    'Import the .txt file the TVE Dashboard downloads (Registered Applications → Download); the stored statement is unchanged.',
    'importStatement',
    'statement_is_token',
  );
}
