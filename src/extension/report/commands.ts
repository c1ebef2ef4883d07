/**
 * What the report feature does, for its commands (register.ts) and for the panel's buttons alike:
 * Open in Editor As…, Copy URL, Copy as cURL, Save As…, Save Query, and the error view's next steps.
 */
import * as vscode from 'vscode';
import { parseQueryUrl, queryToUrl } from '../../core/cmu/query';
import { WINDOW_SYNTAX, windowProblem } from '../../core/cmu/time/windows';
import type { CmuQuery } from '../../core/cmu/types';
import { InputError } from '../../core/errors';
import type { Services } from '../host/services';
import { Cmd } from '../host/ids';
import { stepAction } from '../host/nextSteps';
import { parseQuery, type PanelAction } from '../../shared/protocol';
import { DOC_FORMATS, type DocFormat } from './reportDocuments';
import { curlCommand } from '../../core/cmu/query';
import type { ReportPanel } from './reportPanel';

export async function cmuBase(services: Services): Promise<string> {
  const session = await services.session();
  if (!session.env.cmuBase)
    throw new InputError('No CMU base URL is set for this environment', 'Set the CMU base URL in the settings, or switch to the sandbox.', 'openSettings', 'no_cmu_base');
  return session.env.cmuBase;
}

/** A CmuQuery, a URL or href string, or (palette, no argument) what the Run Query… picker returns. */
export async function toQuery(services: Services, arg: unknown, pick: () => Promise<CmuQuery | undefined>): Promise<CmuQuery | undefined> {
  if (typeof arg === 'string') return parseQueryUrl(arg, await cmuBase(services).catch(() => undefined));
  if (arg !== undefined && arg !== null) {
    const q = parseQuery(arg);
    const bad = q ? windowProblem(q) : typeof (arg as { window?: unknown }).window === 'string' ? windowProblem({ path: [], window: (arg as { window: string }).window }) : undefined;
    if (bad) throw new InputError(`cmu.runQuery: ${bad}`, `A window is one of ${WINDOW_SYNTAX}; an absolute range is start/end instead.`, 'none', 'bad_query');
    if (!q) throw new InputError('cmu.runQuery: the argument is not a CMU query', 'Pass a CmuQuery object, a CMU URL or a HAL href such as /cmu/v2/tenant/year.', 'none', 'bad_argument');
    return q;
  }
  return pick();
}

export async function openAs(panel: ReportPanel, format: DocFormat | undefined): Promise<{ uri: string; languageId: string } | undefined> {
  let fmt = format;
  if (!fmt) {
    const pick = await vscode.window.showQuickPick(
      DOC_FORMATS.map((f) => ({ label: f.toUpperCase(), format: f })),
      { title: 'Open the report in an editor as' },
    );
    if (!pick) return undefined;
    fmt = pick.format;
  }
  if (!DOC_FORMATS.includes(fmt)) throw new InputError(`Unknown format: ${String(fmt)}`, 'Use json, csv or xml.', 'none', 'bad_argument');
  const f = fmt;
  const doc = await panel.services.withProgress(`Opening the report as ${f.toUpperCase()}`, () => panel.docs.open(panel.sent ?? panel.query, f));
  return { uri: doc.uri.toString(), languageId: doc.languageId };
}

export async function copyUrl(panel: ReportPanel): Promise<{ url: string }> {
  const url = queryToUrl(panel.sent ?? panel.query, await cmuBase(panel.services));
  await vscode.env.clipboard.writeText(url);
  confirmCopy(panel, 'copyUrl', 'URL copied');
  return { url };
}

/** Copies a curl command; the real token only after the user says so (never returned). */
export async function copyCurl(panel: ReportPanel, opts: { includeToken?: boolean } | undefined): Promise<{ curl: string; includesToken: boolean } | undefined> {
  const url = queryToUrl(panel.sent ?? panel.query, await cmuBase(panel.services));
  let include = opts?.includeToken;
  if (include === undefined) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$CMU_TOKEN placeholder', description: 'recommended', detail: 'export CMU_TOKEN=… in your shell before running it', include: false },
        { label: 'Include my current access token', description: 'secret', detail: 'Anyone who sees the command can read reports until the token expires', include: true },
      ],
      { title: 'Copy as cURL' },
    );
    if (!pick) return undefined;
    include = pick.include;
  }
  const placeholder = curlCommand(url);
  if (include) {
    const token = await (await panel.services.session()).getToken();
    await vscode.env.clipboard.writeText(curlCommand(url, token.accessToken));
    confirmCopy(panel, 'copyCurl', 'cURL command copied (it contains your access token)');
  } else {
    await vscode.env.clipboard.writeText(placeholder);
    confirmCopy(panel, 'copyCurl', 'cURL command copied');
  }
  return { curl: placeholder, includesToken: !!include };
}

/** "Copied" on the panel's button and, for the palette command too, in the status bar. */
function confirmCopy(panel: ReportPanel, action: 'copyUrl' | 'copyCurl', what: string): void {
  panel.notice('Copied', action);
  vscode.window.setStatusBarMessage(`$(check) ${what}`, 3000);
}

/** Save Query: the saved-queries feature asks the name and where (it is `cmu.queries.save` with `{ interactive: true }`). */
export function saveQuery(panel: ReportPanel): Thenable<unknown> {
  return vscode.commands.executeCommand(Cmd.queriesSave, panel.query, { interactive: true });
}

/** A button of the panel's toolbar (cancel and refresh are the panel's own). */
export async function runPanelAction(panel: ReportPanel, action: PanelAction): Promise<void> {
  switch (action) {
    case 'openJson':
      await openAs(panel, 'json');
      return;
    case 'openCsv':
      await openAs(panel, 'csv');
      return;
    case 'openXml':
      await openAs(panel, 'xml');
      return;
    case 'saveAs':
      await panel.docs.saveAs(panel.sent ?? panel.query, panel.report);
      return;
    case 'copyUrl':
      await copyUrl(panel);
      return;
    case 'copyCurl':
      await copyCurl(panel, undefined);
      return;
    case 'saveQuery':
      await saveQuery(panel);
      return;
    default:
      return;
  }
}

/** A next-step button of the error view (the host's table); what can fix the credentials reloads the report after. */
export async function runErrorAction(panel: ReportPanel, id: string): Promise<void> {
  const action = stepAction(id);
  if (!action?.command) return;
  await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
  if (id === 'importStatement' || id === 'register' || id === 'getToken') await panel.load().catch(() => undefined);
}
