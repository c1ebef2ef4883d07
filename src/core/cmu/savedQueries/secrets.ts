/** Secrets and hosts never belong in the queries file: the names and values that look like one. */
import type { JSONPath } from 'jsonc-parser';
import type { RawProblem } from './types';

/** Property names that hold a credential (compared lower-case, without "-", "_" and spaces). */
export const SECRET_KEYS: readonly string[] = [
  'accesstoken', 'token', 'bearer', 'authorization', 'clientsecret', 'secret', 'password', 'refreshtoken',
  'softwarestatement', 'apikey', 'idtoken',
];
/** Property names that name a host (same comparison). */
export const HOST_KEYS: readonly string[] = ['host', 'hostname', 'origin', 'baseurl', 'cmubase', 'dcrorigin'];
const SECRET_SET = new Set(SECRET_KEYS);
const HOST_SET = new Set(HOST_KEYS);
const normKey = (k: string) => k.toLowerCase().replace(/[-_\s]/g, '');

export function isSecretName(name: string): boolean {
  return SECRET_SET.has(normKey(name));
}
/** An absolute URL (`scheme://…`) or a protocol-relative one (`//host/…`). */
export function hasHost(value: string): boolean {
  const v = value.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith('//');
}
export function looksLikeSecretValue(value: string): boolean {
  return /^\s*bearer\s+\S/i.test(value) || /^eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*$/.test(value.trim());
}

/**
 * The same name rule as a JSON-schema regex (no flags there): every letter in both cases, "-", "_" and
 * spaces allowed anywhere. media/cmu-queries.schema.json uses it; a unit test keeps the two equal.
 */
export function keyRegexSource(keys: readonly string[]): string {
  const sep = '[-_\\s]*';
  const letter = (c: string) => (/[a-z]/.test(c) ? `[${c.toUpperCase()}${c}]` : c);
  return '(?:' + keys.map((k) => sep + [...k].map(letter).join(sep) + sep).join('|') + ')';
}


/** Walks any JSON value: secret-looking property names or values, host keys, absolute URLs. */
export function scanForSecretsAndHosts(value: unknown, path: JSONPath, out: RawProblem[]): void {
  if (typeof value === 'string') {
    if (looksLikeSecretValue(value)) out.push({ path, message: 'This looks like a token. The queries file must never hold a token or a secret: remove it.' });
    else if (hasHost(value)) out.push({ path, message: `An absolute URL with a host (${redactHost(value)}) is not allowed in the queries file: store the query, not the URL (hosts come from the environment settings).` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => scanForSecretsAndHosts(v, [...path, i], out));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (isSecretName(k)) {
        out.push({ path: [...path, k], atKey: true, message: `"${k}" looks like a secret. The queries file must never hold a token or a secret: remove this property.` });
      } else if (HOST_SET.has(normKey(k))) {
        out.push({ path: [...path, k], atKey: true, message: `"${k}" names a host. The queries file holds queries only; hosts come from the environment settings: remove this property.` });
      } else {
        scanForSecretsAndHosts(v, [...path, k], out);
      }
    }
  }
}
function redactHost(v: string): string {
  try {
    return new URL(v.trim().startsWith('//') ? 'https:' + v.trim() : v.trim()).origin;
  } catch {
    return v.slice(0, 40);
  }
}
