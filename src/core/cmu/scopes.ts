/**
 * Which CMU scope a report needs, and which scopes an access token carries. The names come from the real
 * backend's evidence (catalog-data.json `real_backend.scopes`): `cmu:analytics:client` ("CM Usage
 * Analytics") for every report but billing, `cmu:billing:client` ("CM Usage Billing") for `billing/…`.
 * Advisory: the server's 403 decides; these help say what to ask Adobe for.
 */
import { catalogData } from './catalogData';
import { hrefPath } from './hal';
import { parseScopes } from '../token';

export interface CmuScope {
  name: string;
  /** the name Adobe's tooling shows for it */
  label: string;
}

/** Every scope CMU reports may need: analytics, then billing (read from the data on first use). */
export function cmuScopes(): readonly CmuScope[] {
  return [analyticsScope(), billingScope()];
}

function scope(name: string): CmuScope {
  const s = catalogData().real_backend.scopes.find((x) => x.name === name) as CmuScope;
  return { name: s.name, label: s.label };
}

export function analyticsScope(): CmuScope {
  return scope('cmu:analytics:client');
}

export function billingScope(): CmuScope {
  return scope('cmu:billing:client');
}

/** The scope a report path needs: a segment array, `billing/daily`, `/cmu/v2/billing/daily?…` or a URL. */
export function requiredScope(path: readonly string[] | string): CmuScope {
  const segs = typeof path === 'string' ? hrefPath(path) : path;
  return segs[0] === 'billing' ? billingScope() : analyticsScope();
}

/**
 * The scopes an access token grants, from its decoded claims (`scopes`: Adobe's comma-separated string, or
 * an array; `scope`: OAuth's space-separated string). Empty when the claims say nothing (an opaque token).
 */
export function grantedScopes(claims: Record<string, unknown> | undefined): string[] {
  return parseScopes(claims?.scopes ?? claims?.scope);
}

/** The CMU scopes the granted list lacks (e.g. to show in diagnose: what to ask Adobe for). */
export function missingScopes(granted: readonly string[], needed: readonly CmuScope[] = cmuScopes()): CmuScope[] {
  return needed.filter((s) => !granted.includes(s.name));
}

/** What to tell a user whose token lacks `scope` for `path`. */
export function scopeAdvice(scope: CmuScope): string {
  return (
    `Ask Adobe (tve-support@adobe.com or your Technical Account Manager) to grant the scope ${scope.name} ("${scope.label}") ` +
    'to the registered application of your software statement, then get a new access token (register again if the new token still lacks it).'
  );
}
