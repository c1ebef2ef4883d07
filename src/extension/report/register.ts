/**
 * The report feature: `cmu.runQuery`, `cmu.openReportAs`, the panel's actions as commands (refresh,
 * copy URL, copy as cURL, Save As…, Save Query), the `cmu-report:` documents, and the serializer that
 * restores panels after a reload (from the query in the webview state; the data is fetched again).
 */
import * as vscode from 'vscode';
import { parseQueryUrl, queryToUrl } from '../../core/cmu/query';
import { WINDOW_SYNTAX, windowProblem } from '../../core/cmu/time/windows';
import type { CmuQuery } from '../../core/cmu/types';
import { InputError } from '../../core/errors';
import type { Services } from '../host/services';
import { parsePanelState, parseQuery, type PanelAction } from '../../shared/protocol';
import { DOC_FORMATS, ReportDocuments, REPORT_SCHEME, type DocFormat } from './reportDocuments';
import { curlCommand } from './curl';
import { REPORT_VIEW_TYPE, ReportPanel, type PanelActions, type RunResult } from './reportPanel';

function isTestRun(context: vscode.ExtensionContext): boolean {
  return context.extensionMode === vscode.ExtensionMode.Test || process.env.CMU_EXPLORER_TEST === '1';
}

export { curlCommand };

export function registerReportPanel(services: Services): void {
  const ctx = services.context;
  const docs = new ReportDocuments(services);
  ctx.subscriptions.push(docs);

  async function cmuBase(): Promise<string> {
    const session = await services.session();
    if (!session.env.cmuBase)
      throw new InputError('No CMU base URL is set for this environment', 'Set the CMU base URL in the settings, or switch to the sandbox.', 'openSettings', 'no_cmu_base');
    return session.env.cmuBase;
  }

  /** A CmuQuery, a URL or href string, or (palette) an input box. */
  async function toQuery(arg: unknown): Promise<CmuQuery | undefined> {
    if (typeof arg === 'string') return parseQueryUrl(arg, await cmuBase().catch(() => undefined));
    if (arg !== undefined && arg !== null) {
      const q = parseQuery(arg);
      const bad = q ? windowProblem(q) : typeof (arg as { window?: unknown }).window === 'string' ? windowProblem({ path: [], window: (arg as { window: string }).window }) : undefined;
      if (bad) throw new InputError(`cmu.runQuery: ${bad}`, `A window is one of ${WINDOW_SYNTAX}; an absolute range is start/end instead.`, 'none', 'bad_argument');
      if (!q) throw new InputError('cmu.runQuery: the argument is not a CMU query', 'Pass a CmuQuery object, a CMU URL or a HAL href such as /cmu/v2/tenant/year.', 'none', 'bad_argument');
      return q;
    }
    const text = await vscode.window.showInputBox({
      title: 'Run CMU Query',
      prompt: 'A CMU path (tenant/year/month), a HAL href (/cmu/v2/...?start=...) or a full CMU URL',
      placeHolder: 'tenant/year/month/day?start=2024-11-01&metrics=active-users',
      ignoreFocusOut: true,
      validateInput: (v) => {
        if (!v.trim()) return 'Type a path or paste a URL';
        try {
          parseQueryUrl(v);
          return undefined;
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      },
    });
    if (!text) return undefined;
    return parseQueryUrl(text, await cmuBase().catch(() => undefined));
  }

  function activePanel(): ReportPanel {
    const p = ReportPanel.current ?? ReportPanel.all()[0];
    if (!p) throw new InputError('No CMU report is open', 'Run a query first (CMU: Run Query).', 'none', 'no_report');
    return p;
  }

  async function openAs(format: DocFormat | undefined, panel = activePanel()): Promise<{ uri: string; languageId: string } | undefined> {
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
    const doc = await services.withProgress(`Opening the report as ${f.toUpperCase()}`, () => docs.open(panel.sent ?? panel.query, f, panel.report));
    return { uri: doc.uri.toString(), languageId: doc.languageId };
  }

  async function copyUrl(panel = activePanel()): Promise<{ url: string }> {
    const url = queryToUrl(panel.sent ?? panel.query, await cmuBase());
    await vscode.env.clipboard.writeText(url);
    panel.notice('URL copied');
    return { url };
  }

  /** Copies a curl command; the real token only after the user says so (never returned). */
  async function copyCurl(opts: { includeToken?: boolean } | undefined, panel = activePanel()): Promise<{ curl: string; includesToken: boolean } | undefined> {
    const url = queryToUrl(panel.sent ?? panel.query, await cmuBase());
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
      const token = await (await services.session()).getToken();
      await vscode.env.clipboard.writeText(curlCommand(url, token.accessToken));
      panel.notice('cURL command copied (contains your access token)');
    } else {
      await vscode.env.clipboard.writeText(placeholder);
      panel.notice('cURL command copied');
    }
    return { curl: placeholder, includesToken: !!include };
  }

  async function saveQuery(panel = activePanel()): Promise<unknown> {
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes('cmu.queries.save')) {
      const choice = await vscode.window.showInformationMessage('Saved queries are not available in this build. You can copy the URL and keep it instead.', 'Copy URL');
      if (choice === 'Copy URL') await copyUrl(panel);
      return undefined;
    }
    return vscode.commands.executeCommand('cmu.queries.save', panel.query, { interactive: true });
  }

  const actions: PanelActions = {
    async run(action: PanelAction, panel: ReportPanel) {
      switch (action) {
        case 'openJson':
          await openAs('json', panel);
          return;
        case 'openCsv':
          await openAs('csv', panel);
          return;
        case 'openXml':
          await openAs('xml', panel);
          return;
        case 'saveAs':
          await docs.saveAs(panel.sent ?? panel.query, panel.report);
          return;
        case 'copyUrl':
          await copyUrl(panel);
          return;
        case 'copyCurl':
          await copyCurl(undefined, panel);
          return;
        case 'saveQuery':
          await saveQuery(panel);
          return;
        default:
          return;
      }
    },
    async errorAction(id: string, panel: ReportPanel) {
      const command: Record<string, [string, ...unknown[]]> = {
        importStatement: ['cmu.importSoftwareStatement'],
        register: ['cmu.registerClient'],
        getToken: ['cmu.getAccessToken'],
        diagnose: ['cmu.diagnose'],
        showLog: ['cmu.showLog'],
        openSettings: ['workbench.action.openSettings', 'cmu'],
      };
      const c = command[id];
      if (!c) return;
      await vscode.commands.executeCommand(...c);
      if (id === 'importStatement' || id === 'register' || id === 'getToken') await panel.load().catch(() => undefined);
    },
  };

  async function runQuery(arg?: unknown): Promise<RunResult | undefined> {
    const q = await toQuery(arg);
    if (!q) return undefined;
    const panel = await ReportPanel.show(services, q, actions);
    try {
      const report = await panel.load();
      return { rows: report.rows, columns: report.columns, url: report.url };
    } catch (e) {
      // shown in the panel; a caller with an argument gets the rejection, the palette does not get a second message
      if (arg !== undefined) throw e;
      return undefined;
    }
  }

  const reg = (id: string, fn: (...args: never[]) => unknown): void => {
    ctx.subscriptions.push(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown));
  };
  /** Palette-facing commands: errors go to services.showError and the result is undefined. */
  const regUi = (id: string, fn: (...args: never[]) => Promise<unknown>): void => {
    reg(id, async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        await services.showError(e);
        if (args.length) throw e;
        return undefined;
      }
    });
  };

  reg('cmu.runQuery', async (arg?: unknown) => {
    try {
      return await runQuery(arg);
    } catch (e) {
      if (arg === undefined) await services.showError(e);
      throw e;
    }
  });
  regUi('cmu.openReportAs', (format?: DocFormat) => openAs(format));
  regUi('cmu.refreshReport', async () => {
    const p = activePanel();
    await p.load().catch(() => undefined);
  });
  regUi('cmu.copyReportUrl', () => copyUrl());
  regUi('cmu.copyReportCurl', (opts?: { includeToken?: boolean }) => copyCurl(opts));
  regUi('cmu.saveReportAs', async (target?: vscode.Uri | string, format?: DocFormat) => {
    const p = activePanel();
    const uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
    return docs.saveAs(p.sent ?? p.query, p.report, uri, format);
  });
  regUi('cmu.saveReportQuery', () => saveQuery());
  regUi('cmu.refreshReportDocument', async (uri?: vscode.Uri) => {
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
    const p = ReportPanel.revive(services, panel, s.query, actions);
    await p.load().catch(() => undefined);
  }
  ctx.subscriptions.push(vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, { deserializeWebviewPanel: restore }));
  ctx.subscriptions.push({ dispose: () => ReportPanel.all().forEach((p) => p.dispose()) });

  if (isTestRun(ctx)) {
    /** State of the open report panels, waiting for a visible webview to paint the current request (a hidden one cannot). */
    reg('cmu._test.reportPanels', async () => {
      const out = [];
      for (const p of ReportPanel.all()) {
        const stats = p.lastState === 'report' && p.panel.visible ? await p.whenRendered(30000).catch(() => undefined) : p.lastStats;
        out.push({
          title: p.panel.title,
          query: p.query,
          url: p.report?.url,
          rows: p.report?.rows.length,
          state: p.lastState,
          links: p.links,
          stats,
          rejectedMessages: p.rejectedMessages,
          active: p === ReportPanel.current,
          visible: p.panel.visible,
        });
      }
      return out;
    });
    /** Hands a message to the active panel exactly as if its webview had posted it (validation included). */
    reg('cmu._test.reportPanelMessage', async (msg: unknown) => {
      const p = activePanel();
      await p.onMessage(msg);
      return { title: p.panel.title, query: p.query };
    });
    /** Runs the serializer on a new panel with the given webview state (what VS Code does after a reload). */
    reg('cmu._test.restoreReportPanel', async (state: unknown) => {
      for (const p of ReportPanel.all()) p.dispose();
      const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, 'CMU report', vscode.ViewColumn.Active, { enableScripts: true });
      await restore(panel, state);
      const p = ReportPanel.current;
      const stats = p ? await p.whenRendered(30000).catch(() => undefined) : undefined;
      return p ? { title: p.panel.title, query: p.query, rows: p.report?.rows.length, stats } : undefined;
    });
  }
}
