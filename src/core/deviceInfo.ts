/**
 * X-Device-Info (reference (e)): standard, padded Base64 of a UTF-8 JSON object describing the
 * device. Values of restricted keys (osName, osFamily, osVendor) must come from Adobe's lists.
 */
import * as os from 'node:os';
import { InputError } from './errors';

/** Keys the reference requires (the server answers invalid_request without them). */
export const REQUIRED_DEVICE_KEYS: readonly string[] = ['model', 'version', 'osName', 'osVersion', 'connectionType'];

export interface DeviceInfo {
  primaryHardwareType: string;
  model: string;
  version: string;
  osName: string;
  osFamily?: string;
  osVendor?: string;
  osVersion: string;
  connectionType: string;
  applicationId: string;
  [key: string]: unknown;
}

type OsTriple = Pick<DeviceInfo, 'osName' | 'osFamily' | 'osVendor'>;

/** Node platform → Adobe's allowed osName / osFamily / osVendor values. */
export function osFields(platform: NodeJS.Platform | string): OsTriple {
  switch (platform) {
    case 'darwin':
      return { osName: 'Mac OS', osFamily: 'macOS', osVendor: 'Apple' };
    case 'win32':
      return { osName: 'Windows', osFamily: 'Windows', osVendor: 'Microsoft' };
    case 'android':
      return { osName: 'Android', osFamily: 'Android', osVendor: 'Google' };
    case 'openbsd':
      return { osName: 'OpenBSD', osFamily: 'BSD' };
    case 'freebsd':
    case 'netbsd':
      // No allowed osName for these; Linux is the closest listed value, the family is exact.
      return { osName: 'Linux', osFamily: 'BSD' };
    default:
      return { osName: 'Linux', osFamily: 'Linux' };
  }
}

export function deviceInfoObject(
  overrides: Partial<DeviceInfo> = {},
  platform: string = process.platform,
  release: string = os.release(),
): DeviceInfo {
  const info: DeviceInfo = {
    primaryHardwareType: 'Desktop',
    model: 'CMU Explorer',
    version: process.versions.node,
    ...osFields(platform),
    osVersion: release,
    // unknown on a desktop; the reference recommends LAN
    connectionType: 'LAN',
    applicationId: 'cmu-explorer',
  };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) info[k] = v;
  return info;
}

/** The header value: Base64 (not base64url) of the JSON. */
export function buildDeviceInfo(overrides: Partial<DeviceInfo> = {}, platform?: string, release?: string): string {
  return Buffer.from(JSON.stringify(deviceInfoObject(overrides, platform, release)), 'utf8').toString('base64');
}

export function decodeDeviceInfo(value: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
}

/** A user's override (setting, CMU_DEVICE_INFO): standard Base64 of a JSON object with the required keys. */
export function checkDeviceInfo(value: string): string {
  const v = value.trim();
  let info: unknown;
  try {
    info = /^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length % 4 === 0 ? JSON.parse(Buffer.from(v, 'base64').toString('utf8')) : undefined;
  } catch {
    info = undefined;
  }
  if (!info || typeof info !== 'object' || Array.isArray(info)) {
    throw new InputError(
      'The X-Device-Info override is not Base64 of a JSON object',
      'Give standard, padded Base64 (not base64url) of the device JSON, e.g. $(printf %s \'{"model":…}\' | base64 -w0), or leave it empty to describe this machine.',
      'none',
      'bad_device_info',
    );
  }
  const rec = info as Record<string, unknown>;
  const missing = REQUIRED_DEVICE_KEYS.filter((k) => typeof rec[k] !== 'string' || !(rec[k] as string).trim());
  if (missing.length) {
    throw new InputError(
      `The X-Device-Info override lacks ${missing.join(', ')}`,
      `Adobe requires ${REQUIRED_DEVICE_KEYS.join(', ')} as non-empty strings; requests without them are refused (invalid_request).`,
      'none',
      'bad_device_info',
    );
  }
  return v;
}
