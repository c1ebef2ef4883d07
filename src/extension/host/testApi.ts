import * as vscode from 'vscode';
import type { Services } from './services';
import { TestCmd, View } from './ids';
import type { StatusBar } from '../connection/statusBar';
import type { QueriesApi } from '../queries/commands';
import type { ReportFeature } from '../report/register';
import { ReportPanel } from '../report/reportPanel';
import { HistoryStore } from '../queries/historyStore';
import { RunQueryPicker } from '../queries/runQueryPicker';

/**
 * What the integration tests may look at and drive — the only test seams of the extension (exported
 * from activate() and `cmu._test.*` commands, only under tests): the status bar text, what was logged,
 * the last error shown, answers for modal confirmations and save dialogs, the real SecretStorage, the
 * report panels, the saved queries' internals, the run history and the Run Query… picker on screen.
 */
export function createTestApi(services: Services, parts: { statusBar: StatusBar; queries: QueriesApi; report: ReportFeature }) {
  const { statusBar, queries, report } = parts;
  const subs = services.context.subscriptions;
  let lastError: string | undefined;
  subs.push(services.onDidShowError((m) => (lastError = m)));
  /** answers for the next modal confirmations (a modal dialog cannot be driven from the extension host) */
  const confirmAnswers: (string | undefined)[] = [];
  const confirm = services.confirm.bind(services);
  services.confirm = async (message, detail, button) => {
    if (!confirmAnswers.length) return confirm(message, detail, button);
    services.log.trace(`asking: confirm ${message}`);
    return confirmAnswers.shift() === button;
  };
  /** answers for the next save dialogs (Save As…), and the dialogs asked (their proposed file) */
  const saveDialogAnswers: (vscode.Uri | undefined)[] = [];
  const saveDialogsAsked: vscode.SaveDialogOptions[] = [];
  const saveDialog = services.saveDialog.bind(services);
  services.saveDialog = async (options) => {
    if (!saveDialogAnswers.length) return saveDialog(options);
    saveDialogsAsked.push(options);
    return saveDialogAnswers.shift();
  };
  const api = {
    services,
    secrets: services.context.secrets,
    globalState: services.context.globalState,
    sandbox: () => services.sandboxHost.current,
    /** waits for pending status bar updates, then returns its text ("CMU prod · token 5h 12m") */
    statusBarText: async () => {
      await statusBar.update();
      return statusBar.text;
    },
    /** what the status bar shows now, without asking it to update (it must follow events on its own) */
    statusBarShown: () => statusBar.text,
    /** whether the status bar is drawn as a warning now */
    statusBarWarns: () => statusBar.item.backgroundColor !== undefined,
    logLines: () => services.log.lines(),
    confirmAnswers,
    saveDialogAnswers,
    saveDialogsAsked,
    /** aborts the operations under withProgress, as the notification's Cancel button does */
    cancelProgress: () => services.cancelAll(),
    /** the run history the Queries view shows */
    history: queries.history,
    /** the history as a reload reads it: a new store over globalState, once the pending writes are done */
    reloadHistory: async () => {
      await queries.history.flushed();
      const fresh = new HistoryStore(services.context.globalState, (t) => services.redact(t));
      fresh.dispose();
      return fresh.list();
    },
    /** the Run Query… picker on screen (setValue types into it, items are what it shows, accept is Enter) */
    runQueryPicker: () => RunQueryPicker.current,
    lastError: () => lastError,
    clearLastError: () => {
      lastError = undefined;
    },
  };
  subs.push(
    vscode.commands.registerCommand(TestCmd.statusBarText, api.statusBarText),
    // in-process access to the Queries view (drag and drop through the controller)
    vscode.commands.registerCommand(TestCmd.queriesInternals, () => queries),
    /** State of the open report panels, waiting for a visible webview to paint the current request (a hidden one cannot). */
    vscode.commands.registerCommand(TestCmd.reportPanels, async () => {
      const out = [];
      for (const p of ReportPanel.all()) {
        const stats = p.lastState === 'report' && p.panel.visible ? await p.whenRendered(30000).catch(() => undefined) : p.lastStats;
        out.push({
          title: p.panel.title,
          query: p.query,
          url: p.report?.url,
          rows: p.report?.rows.rowCount,
          wireBytes: p.report?.rows.wireBytes,
          state: p.lastState,
          links: p.links,
          stats,
          rejectedMessages: p.rejectedMessages,
          posted: p.posted,
          renders: p.renders,
          readyMessages: p.readyMessages,
          firstRowsAt: p.firstRowsAt,
          firstPaint: p.firstPaint,
          readyAt: p.readyAt,
          webviewBoot: p.webviewBoot,
          createdAt: p.createdAt,
          firstRowsInAt: p.firstRowsInAt,
          reportPostedAt: p.reportPostedAt,
          active: p === ReportPanel.current,
          compare: p.compareMode,
          comparedWith: p.comparedWith,
          parentTotal: p.parentTotal,
          visible: p.panel.visible,
        });
      }
      return out;
    }),
    /** Hands a message to the active panel exactly as if its webview had posted it (validation included). */
    vscode.commands.registerCommand(TestCmd.reportPanelMessage, async (msg: unknown) => {
      const p = ReportPanel.target();
      await p.onMessage(msg);
      return { title: p.panel.title, query: p.query };
    }),
    /** Runs the serializer on a new panel with the given webview state (what VS Code does after a reload). */
    vscode.commands.registerCommand(TestCmd.restoreReportPanel, async (state: unknown) => {
      for (const p of ReportPanel.all()) p.dispose();
      const panel = vscode.window.createWebviewPanel(View.report, 'CMU report', vscode.ViewColumn.Active, { enableScripts: true });
      await report.restore(panel, state);
      const p = ReportPanel.current;
      const stats = p ? await p.whenRendered(30000).catch(() => undefined) : undefined;
      return p ? { title: p.panel.title, query: p.query, rows: p.report?.rows.rowCount, stats } : undefined;
    }),
  );
  return api;
}

export type TestApi = ReturnType<typeof createTestApi>;
