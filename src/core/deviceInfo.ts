/**
 * X-Device-Info (reference (e)): standard, padded Base64 of a UTF-8 JSON object describing the
 * device. Values of restricted keys (osName, osFamily, osVendor) must come from Adobe's lists.
 */
import * as os from 'node:os';

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
