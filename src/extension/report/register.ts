/**
 * The report feature: `cmu.runQuery`, `cmu.openReportAs`, the panel's actions as commands (refresh,
 * copy URL, copy as cURL, Save As…, Save Query), the `cmu-report:` documents, and the serializer that
 * restores panels after a reload (from the query in the webview state; the data is fetched again).
 */
import * as vscode from 'vscode';
import { checkQuery } from '../../core/cmu/query';
import type { CompareMode } from '../../core/cmu/analysis/compare';
import type { CmuQuery } from '../../core/cmu/types';
import { InputError } from '../../core/errors';
import type { Services } from '../host/services';
import { registerCommand } from '../host/commands';
import { Cmd, View } from '../host/ids';
import { parsePanelState } from '../../shared/protocol';
import { ReportDocuments, REPORT_SCHEME, type DocFormat } from './reportDocuments';
import { ReportPanel, runResult, type RunResult } from './reportPanel';
import { copyHttpFile } from './httpFile';
import { copyCurl, copyUrl, openAs, saveQuery, toQuery } from './commands';

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

export function registerReportPanel(services: Services, deps: ReportFeatureDeps): ReportFeature {
  const ctx = services.context;
  const docs = new ReportDocuments(services);
  ctx.subscriptions.push(docs);

  registerCommand(services, Cmd.runQuery, async (arg?: unknown): Promise<RunResult | undefined> => {
    const q = await toQuery(services, arg, deps.pickQuery);
    if (!q) return undefined;
    // refused only when no server could serve it; the catalog's advice goes to the log and the request is sent
    for (const w of checkQuery(q)) services.log.warn(`query: ${w}`);
    const panel = await ReportPanel.show(services, docs, q);
    try {
      const report = await panel.load();
      return runResult(report);
    } catch (e) {
      // shown in the panel: a script gets the rejection, the palette no second message
      if (arg !== undefined) throw e;
      return undefined;
    }
  });
  registerCommand(services, Cmd.openReportAs, (format?: DocFormat) => openAs(ReportPanel.target(), format));
  registerCommand(services, Cmd.refreshReport, async () => {
    await ReportPanel.target().load().catch(() => undefined);
  });
  registerCommand(services, Cmd.copyReportUrl, () => copyUrl(ReportPanel.target()));
  registerCommand(services, Cmd.copyReportCurl, (opts?: { includeToken?: boolean }) => copyCurl(ReportPanel.target(), opts));
  registerCommand(services, Cmd.copyReportAsHttpYac, () => copyHttpFile(services, ReportPanel.target().query, 'httpyac'));
  registerCommand(services, Cmd.copyReportAsRestClient, () => copyHttpFile(services, ReportPanel.target().query, 'restClient'));
  registerCommand(services, Cmd.saveReportAs, async (target?: vscode.Uri | string, format?: DocFormat) => {
    const p = ReportPanel.target();
    const uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
    return docs.saveAs(p.sent ?? p.query, p.report, uri, format);
  });
  registerCommand(services, Cmd.saveReportQuery, () => saveQuery(ReportPanel.target()));
  registerCommand(services, Cmd.refreshReportDocument, async (uri?: vscode.Uri) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== REPORT_SCHEME) throw new InputError('No CMU report document is active', 'Open a report as JSON, CSV or XML first.', 'none', 'no_report');
    await docs.refresh(target);
  });

  async function restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s = parsePanelState(state);
    if (!s) {
      // nothing usable in the state: say so in the tab instead of fetching anything
      panel.webview.options = { enableScripts: false, localResourceRoots: [] };
      panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>This CMU report could not be restored. Run the query again (CMU: Run Query…).</p></body></html>`;
      return;
    }
    const p = ReportPanel.revive(services, docs, panel, s.query);
    await p.load().catch(() => undefined);
  }
  async function compare(query: CmuQuery, mode: CompareMode = 'previous'): Promise<RunResult & { comparedWith?: string }> {
    for (const w of checkQuery(query)) services.log.warn(`query: ${w}`);
    const panel = await ReportPanel.show(services, docs, query);
    panel.compareMode = mode;
    const report = await panel.load();
    return Object.assign(runResult(report), { comparedWith: panel.comparedWith });
  }
  ctx.subscriptions.push(vscode.window.registerWebviewPanelSerializer(View.report, { deserializeWebviewPanel: restore }));
  ctx.subscriptions.push({ dispose: () => ReportPanel.all().forEach((p) => p.dispose()) });
  return { restore, compare };
}
