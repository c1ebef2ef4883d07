import * as vscode from 'vscode';
import { DEFAULT_ZONE_ID } from '../../core/cmu/time/zone';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../core/environments';

/**
 * Settings. Endpoint-like settings (hosts, redirect URI, device info) decide where a client secret or a
 * token is sent, so they are read from the user (global) or default value only — never from a workspace
 * or folder — on top of their `machine` scope and `restrictedConfigurations` in the manifest. A cloned
 * repository's .vscode/settings.json cannot redirect a token.
 */
export const SECTION = 'cmu';

/**
 * The section's settings honouring only the user (global) value and the default: one inspect() of the whole
 * section (its values are objects, `production.dcrOrigin` a nested key). An inspect() per key took 5–22 ms of
 * activation in the workbench: each one computes every scope and language override again.
 */
function userValues(): <T>(key: string) => T | undefined {
  const i = vscode.workspace.getConfiguration().inspect<Record<string, unknown>>(SECTION);
  const at = (o: unknown, key: string): unknown => key.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
  return <T>(key: string): T | undefined => {
    const user = at(i?.globalValue, key);
    return (user !== undefined ? user : at(i?.defaultValue, key)) as T | undefined;
  };
}

export interface CmuSettings {
  environment: EnvironmentName;
  profile: string;
  /** per-environment endpoint overrides (production/staging default to Adobe's hosts) */
  endpoints: Record<'production' | 'staging' | 'custom', { dcrOrigin?: string; cmuBase?: string }>;
  timeoutMs: number;
  /** total deadline of one request (report downloads included); 0 = none */
  maxTimeMs: number;
  refreshMarginMs: number;
  redirectUri?: string;
  deviceInfo?: string;
  logLevel: string;
  /** as written; Services.reportZone() reads it */
  reportTimeZone: string;
}

export function readSettings(): CmuSettings {
  const userValue = userValues();
  const str = (key: string): string | undefined => {
    const v = userValue<string>(key);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const num = (key: string, fallback: number): number => {
    const v = userValue<number>(key);
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  const env = userValue<string>('environment');
  const profile = str('profile') ?? 'default';
  return {
    environment: (ENVIRONMENT_NAMES as readonly string[]).includes(env ?? '') ? (env as EnvironmentName) : 'production',
    profile: /^[\w.-]{1,64}$/.test(profile) ? profile : 'default',
    endpoints: {
      production: { dcrOrigin: str('production.dcrOrigin'), cmuBase: str('production.cmuBase') },
      staging: { dcrOrigin: str('staging.dcrOrigin'), cmuBase: str('staging.cmuBase') },
      custom: { dcrOrigin: str('custom.dcrOrigin'), cmuBase: str('custom.cmuBase') },
    },
    timeoutMs: num('requestTimeoutSeconds', 60) * 1000,
    maxTimeMs: num('maxTimeSeconds', 0) * 1000,
    refreshMarginMs: num('tokenRefreshMarginSeconds', 300) * 1000,
    redirectUri: str('redirectUri'),
    deviceInfo: str('deviceInfo'),
    logLevel: str('logLevel') ?? 'inherit',
    reportTimeZone: str('reportTimeZone') ?? DEFAULT_ZONE_ID,
  };
}

/** Writes a user-level setting (and clears a workspace value that would shadow it for window-scoped keys). */
export async function writeUserSetting(key: string, value: unknown): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  await cfg.update(key, value, vscode.ConfigurationTarget.Global);
}

export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}
