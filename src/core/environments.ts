import { InputError } from './errors';
import { redactUrl } from './redact';

export type EnvironmentName = 'production' | 'staging' | 'sandbox' | 'custom';
export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ['production', 'staging', 'sandbox', 'custom'];

/** Where DCR (`/o/client/register`, `/o/client/token`) and CMU live for one environment. */
export interface Environment {
  name: EnvironmentName;
  /** origin only, e.g. https://sp.auth.adobe.com */
  dcrOrigin: string;
  /** base including the path, e.g. https://mgmt.auth.adobe.com/cmu/v2; undefined when unknown */
  cmuBase: string | undefined;
}

export const DEFAULT_HOSTS: Record<'production' | 'staging', { dcrOrigin: string; cmuBase: string | undefined }> = {
  production: { dcrOrigin: 'https://sp.auth.adobe.com', cmuBase: 'https://mgmt.auth.adobe.com/cmu/v2' },
  // No CMU host is documented for staging: the user must set it.
  staging: { dcrOrigin: 'https://sp.auth-staging.adobe.com', cmuBase: undefined },
};

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Parses and checks an endpoint: https only, plain http allowed for loopback (the sandbox).
 * Credentials in the URL are refused so they cannot leak into logs.
 */
export function checkEndpoint(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError(`${what} is not a URL: ${redactUrl(value)}`, 'Use a full URL such as https://sp.auth.adobe.com.', 'openSettings', 'bad_url');
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError(
      `${what} must use https: ${url.origin}`,
      'Tokens and client secrets are only sent over https (plain http is allowed for 127.0.0.1 / localhost only).',
      'openSettings',
      'insecure_url',
    );
  }
  if (url.username || url.password) {
    throw new InputError(`${what} must not contain credentials`, 'Remove the user:password@ part of the URL.', 'openSettings', 'bad_url');
  }
  return url;
}

/** Joins an origin and a path without doubling or dropping the slash (reference, ambiguity 29). */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

export interface EnvironmentOverrides {
  dcrOrigin?: string;
  cmuBase?: string;
}

/** The effective endpoints for an environment; overrides (settings, CLI flags) win over defaults. */
export function resolveEnvironment(name: EnvironmentName, overrides: EnvironmentOverrides = {}): Environment {
  const defaults = name === 'production' || name === 'staging' ? DEFAULT_HOSTS[name] : { dcrOrigin: undefined, cmuBase: undefined };
  const dcr = overrides.dcrOrigin || defaults.dcrOrigin;
  const cmu = overrides.cmuBase || defaults.cmuBase;
  if (!dcr) {
    throw new InputError(
      `No DCR origin is set for the ${name} environment`,
      name === 'sandbox' ? 'Start the sandbox first.' : 'Set the DCR origin (https://…) of this environment.',
      'openSettings',
      'no_dcr_origin',
    );
  }
  return {
    name,
    dcrOrigin: checkEndpoint(dcr, 'DCR origin').origin,
    cmuBase: cmu ? checkEndpoint(cmu, 'CMU base URL').href.replace(/\/+$/, '') : undefined,
  };
}

/** An access token only goes to its environment's CMU origin (and a client secret to its DCR origin). */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
