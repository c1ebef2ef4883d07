/**
 * The report feature: `cmu.runQuery`, `cmu.openReportAs`, the panel's actions as commands (refresh,
 * copy URL, copy as cURL, Save As…, Save Query), the `cmu-report:` documents, and the serializer that
 * restores panels after a reload (from the query in the webview state; the data is fetched again).
 */
import * as vscode from 'vscode';
import { warmCatalog } from '../../core/cmu/catalog';
import { catalogAdvice, checkStructure } from '../../core/cmu/query';
import type { CompareMode } from '../../core/cmu/analysis/compare';
import type { CmuQuery } from '../../core/cmu/types';
import { InputError } from '../../core/errors';
import type { Services } from '../host/services';
import { registerCommand } from '../host/commands';
import { Cmd, View } from '../host/ids';
import { ReportDocuments, REPORT_SCHEME, type DocFormat } from './reportDocuments';
import type { RunResult } from './reportPanel';

export interface ReportFeature {
  /** what the serializer does with a panel VS Code restores after a reload */
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
  /** opens the query's panel in compare mode (the earlier window beside this one: the panel's toggle) */
  compare(query: CmuQuery, mode?: CompareMode): Promise<RunResult & { comparedWith?: string }>;
}

export interface ReportFeatureDeps {
  /** Run Query… without an argument: the query the user picked or typed (undefined: dismissed) */
  pickQuery(): Promise<CmuQuery | undefined>;
}

/** When the report feature gets ready for a first report (after codeCache.ts writes the cache, at 5 s). */
const WARM_AFTER_MS = 6000;

export function registerReportPanel(services: Services, deps: ReportFeatureDeps): ReportFeature {
  const ctx = services.context;
  const docs = new ReportDocuments(services);
  ctx.subscriptions.push(docs);
  // the panel (its view mapping, the wire format, the analysis) and its actions load with the first report, not at activation
  let loaded: typeof import('./reportPanel') | undefined;
  const panelModule = async () => (loaded ??= await import('./reportPanel'));
  const panels = async () => (await panelModule()).ReportPanel;
  const target = async () => (await panels()).target();
  const actions = () => import('./commands');
  /**
   * A query is refused only when no server could serve it. The catalog's advice goes to the log once the
   * report is loaded (the caller gets it before the command's result): its first reading builds the
   * catalog's indexes, ~20 ms that held back the panel's HTML.
   */
  const gate = (q: CmuQuery): (() => void) => {
    checkStructure(q);
    const now = new Date();
    return () => {
      for (const w of catalogAdvice(q, now)) services.log.warn(`query: ${w}`);
    };
  };

  registerCommand(services, Cmd.runQuery, async (arg?: unknown): Promise<RunResult | undefined> => {
    const q = await (await actions()).toQuery(services, arg, deps.pickQuery);
    if (!q) return undefined;
    const advise = gate(q);
    const panel = await (await panels()).show(services, docs, q);
    try {
      const report = await panel.load();
      return (await panelModule()).runResult(report);
    } catch (e) {
      // shown in the panel: a script gets the rejection, the palette no second message
      if (arg !== undefined) throw e;
      return undefined;
    } finally {
      advise();
    }
  });
  registerCommand(services, Cmd.openReportAs, async (format?: DocFormat) => (await actions()).openAs(await target(), format));
  registerCommand(services, Cmd.refreshReport, async () => {
    await (await target()).load().catch(() => undefined);
  });
  registerCommand(services, Cmd.copyReportUrl, async () => (await actions()).copyUrl(await target()));
  registerCommand(services, Cmd.copyReportCurl, async (opts?: { includeToken?: boolean }) => (await actions()).copyCurl(await target(), opts));
  // the .http builder (with the DCR client's request shapes) loads when it is first asked for
  const copyHttpFile = async (flavor: 'httpyac' | 'restClient') => (await import('./httpFile')).copyHttpFile(services, (await target()).query, flavor);
  registerCommand(services, Cmd.copyReportAsHttpYac, async () => copyHttpFile('httpyac'));
  registerCommand(services, Cmd.copyReportAsRestClient, async () => copyHttpFile('restClient'));
  registerCommand(services, Cmd.saveReportAs, async (file?: vscode.Uri | string, format?: DocFormat) => {
    const p = await target();
    const uri = typeof file === 'string' ? vscode.Uri.file(file) : file;
    return docs.saveAs(p.sent ?? p.query, p.report, uri, format);
  });
  registerCommand(services, Cmd.saveReportQuery, async () => (await actions()).saveQuery(await target()));
  registerCommand(services, Cmd.refreshReportDocument, async (uri?: vscode.Uri) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== REPORT_SCHEME) throw new InputError('No CMU report document is active', 'Open a report as JSON, CSV or XML first.', 'none', 'no_report');
    await docs.refresh(target);
  });

  async function restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s = (await import('../../shared/protocol')).parsePanelState(state);
    if (!s) {
      // nothing usable in the state: say so in the tab instead of fetching anything
      panel.webview.options = { enableScripts: false, localResourceRoots: [] };
      panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>This CMU report could not be restored. Run the query again (CMU: Run Query…).</p></body></html>`;
      return;
    }
    const p = (await panels()).revive(services, docs, panel, s.query);
    await p.load().catch(() => undefined);
  }
  async function compare(query: CmuQuery, mode: CompareMode = 'previous'): Promise<RunResult & { comparedWith?: string }> {
    const advise = gate(query);
    const panel = await (await panels()).show(services, docs, query);
    panel.compareMode = mode;
    try {
      const report = await panel.load();
      return Object.assign((await panelModule()).runResult(report), { comparedWith: panel.comparedWith });
    } finally {
      advise();
    }
  }
  // A first report's own work on this thread holds its panel's page back nearly ms for ms on a machine with few
  // cores (the workbench boots the page meanwhile): the panel's modules and the catalog's indexes are made
  // ready a while after activation instead, in two turns, after the code cache took what activation compiled.
  const warm = setTimeout(() => {
    // a module that cannot load fails the first report with its own message; here it is not worth a rejection
    panelModule().then(() => setTimeout(warmCatalog, 0).unref(), () => undefined);
  }, WARM_AFTER_MS);
  warm.unref();
  ctx.subscriptions.push({ dispose: () => clearTimeout(warm) });
  ctx.subscriptions.push(vscode.window.registerWebviewPanelSerializer(View.report, { deserializeWebviewPanel: restore }));
  ctx.subscriptions.push({ dispose: () => loaded?.ReportPanel.all().forEach((p) => p.dispose()) });
  return { restore, compare };
}
