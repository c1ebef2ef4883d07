import * as vscode from 'vscode';
import { buildDeviceInfo } from '../../core/deviceInfo';
import { httpFileRequest, type HttpFileFlavor } from '../../core/httpFiles';
import { describeQuery, queryToUrl } from '../../core/cmu/query';
import type { CmuQuery } from '../../core/cmu/types';
import type { Services } from '../host/services';

const TOOL: Record<HttpFileFlavor, string> = { httpyac: 'httpYac', restClient: 'REST Client' };

/**
 * Copy as httpYac / REST Client request, for a report panel and a saved query alike: the current
 * environment's hosts (left as variables when it has none, e.g. a stopped sandbox: nothing is started
 * for this), the client-credentials token request and the report call; secrets stay `{{variables}}`.
 */
export async function copyHttpFile(services: Services, q: CmuQuery, flavor: HttpFileFlavor, opts: { title?: string; quiet?: boolean } = {}): Promise<{ text: string }> {
  let env: { dcrOrigin?: string; cmuBase?: string } = {};
  try {
    env = services.environment() ?? {};
  } catch {
    // endpoints not set: variables in the file
  }
  const text = httpFileRequest(flavor, {
    ...(env.dcrOrigin ? { dcrOrigin: env.dcrOrigin } : {}),
    ...(env.cmuBase ? { cmuBase: env.cmuBase } : {}),
    href: queryToUrl(q, ''),
    deviceInfo: services.settings().deviceInfo || buildDeviceInfo(),
    title: opts.title ?? describeQuery(q),
  });
  await vscode.env.clipboard.writeText(text);
  if (!opts.quiet) {
    void vscode.window.setStatusBarMessage(`CMU: copied as ${TOOL[flavor]} request — set clientId and clientSecret in its environment`, 5000);
  }
  return { text };
}
