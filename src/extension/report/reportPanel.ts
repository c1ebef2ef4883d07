/**
 * One WebviewPanel per query (running the same query again reveals and refreshes it). Fetches through
 * the engine, sends the webview plain data (rows once, as arrays), validates every message the webview
 * posts (protocol.ts) and maps its link ids back to queries it built itself.
 */
import * as vscode from 'vscode';
import type { CmuQuery, ParsedReport } from '../../core/cmu/types';
import { CancelledError } from '../../core/http';
import type { Services } from '../host/services';
import { PROTOCOL_VERSION, parseWebviewMessage, type HostMessage, type NavLink, type RenderStats, type WebviewMessage } from '../../shared/protocol';
import { newNonce, renderPanelHtml } from './html';
import { runErrorAction, runPanelAction } from './commands';
import type { ReportDocuments } from './reportDocuments';
import { errorView, navigation, panelTitle, queryKey, queryTitle, queryView, reportView } from './reportView';
import { Ctx, View, VsCmd } from '../host/ids';

export interface RunResult {
  rows: ParsedReport['rows'];
  columns: ParsedReport['columns'];
  url: string;
}

export class ReportPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, ReportPanel>();
  private static active: ReportPanel | undefined;

  private key: string;
  private requestId = 0;
  private abort: AbortController | undefined;
  private targets = new Map<string, CmuQuery>();
  private lastMessage: HostMessage | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private renderWaiters: { requestId: number; resolve: (s: RenderStats) => void }[] = [];
  private disposed = false;
  /** the last report shown (raw body included: Open as JSON, Save As…) */
  report: ParsedReport | undefined;
  lastStats: RenderStats | undefined;
  /** the links last sent (drill-down, breadcrumb, next steps), for tests */
  links: NavLink[] = [];
  /** messages received from the webview that failed validation (for the log and tests) */
  rejectedMessages = 0;

  private constructor(
    readonly services: Services,
    /** the feature's `cmu-report:` documents (Open as JSON/CSV/XML, Save As…) */
    readonly docs: ReportDocuments,
    readonly panel: vscode.WebviewPanel,
    public query: CmuQuery,
  ) {
    this.key = queryKey(query);
    ReportPanel.panels.set(this.key, this);
    const media = vscode.Uri.joinPath(services.context.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(services.context.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist, media] };
    panel.iconPath = vscode.Uri.joinPath(media, 'report.svg');
    const w = panel.webview;
    panel.webview.html = renderPanelHtml({
      cspSource: w.cspSource,
      nonce: newNonce(),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUris: [w.asWebviewUri(vscode.Uri.joinPath(media, 'report.css')).toString(), w.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString()],
      title: queryTitle(query),
    });
    this.updateTitle();
    this.disposables.push(
      w.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) ReportPanel.active = this;
      }),
    );
    ReportPanel.active = this;
    ReportPanel.updateContext();
  }

  /** `cmu.reportOpen` enables the report commands in the palette. */
  private static updateContext(): void {
    void vscode.commands.executeCommand(VsCmd.setContext, Ctx.reportOpen, ReportPanel.panels.size > 0);
  }

  /** Opens (or reveals and refreshes) the panel of this query and loads it. */
  static async show(services: Services, docs: ReportDocuments, query: CmuQuery): Promise<ReportPanel> {
    const existing = ReportPanel.panels.get(queryKey(query));
    if (existing) {
      existing.panel.reveal(undefined, false);
      ReportPanel.active = existing;
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(View.report, panelTitle(query), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      enableScripts: true,
      retainContextWhenHidden: false,
    });
    return new ReportPanel(services, docs, panel, query);
  }

  /** WebviewPanelSerializer: a panel from before the reload, its query from the webview state. */
  static revive(services: Services, docs: ReportDocuments, panel: vscode.WebviewPanel, query: CmuQuery): ReportPanel {
    const existing = ReportPanel.panels.get(queryKey(query));
    if (existing && existing.panel !== panel) existing.panel.dispose();
    return new ReportPanel(services, docs, panel, query);
  }

  static get current(): ReportPanel | undefined {
    return ReportPanel.active && !ReportPanel.active.disposed ? ReportPanel.active : undefined;
  }

  static all(): ReportPanel[] {
    return [...ReportPanel.panels.values()];
  }

  private updateTitle(): void {
    this.panel.title = panelTitle(this.query);
  }

  /** type of the last state sent to the webview (loading/report/error/cancelled), for tests */
  get lastState(): string | undefined {
    return this.lastMessage?.type;
  }

  private post(msg: HostMessage): void {
    if (msg.type !== 'notice') this.lastMessage = msg;
    if (!this.disposed) void this.panel.webview.postMessage(msg);
  }

  notice(text: string): void {
    this.post({ type: 'notice', text });
  }

  /** Points the panel at another query (drill-down/roll-up keep one panel per query). */
  private retarget(query: CmuQuery): void {
    ReportPanel.panels.delete(this.key);
    this.query = query;
    this.key = queryKey(query);
    const other = ReportPanel.panels.get(this.key);
    if (other && other !== this) other.panel.dispose();
    ReportPanel.panels.set(this.key, this);
    this.updateTitle();
  }

  /** Fetches the query and shows it. Resolves with the parsed report; rejects with the engine's error (also shown in the panel). */
  async load(): Promise<ParsedReport> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const id = ++this.requestId;
    const q = this.query;
    let cmuBase = '';
    let env: string | undefined;
    try {
      const client = await this.services.cmuClient();
      const session = await this.services.session();
      cmuBase = session.env.cmuBase ?? '';
      env = session.env.name;
      this.post({ type: 'loading', requestId: id, query: queryView(q, cmuBase, env) });
      const t0 = Date.now();
      const report = await client.fetchReport(q, { signal: abort.signal });
      if (id !== this.requestId) return report;
      this.report = report;
      const nav = navigation(q, report, cmuBase);
      this.targets = nav.targets;
      this.links = [...nav.drillDown, ...nav.breadcrumb];
      this.post({ type: 'report', requestId: id, report: reportView(q, report, nav, { cmuBase, environment: env, elapsedMs: Date.now() - t0 }) });
      return report;
    } catch (e) {
      if (id === this.requestId) {
        let qv;
        try {
          qv = cmuBase ? queryView(q, cmuBase, env) : undefined;
        } catch {
          qv = undefined;
        }
        if (e instanceof CancelledError || abort.signal.aborted) {
          this.post({ type: 'cancelled', requestId: id, query: qv });
        } else {
          const { view, targets } = errorView(e, q, (t) => this.services.http.redact(t));
          const up = qv ? navigation(q, undefined, cmuBase) : undefined;
          for (const b of up?.breadcrumb ?? []) targets.set(b.id, up!.targets.get(b.id)!);
          this.targets = targets;
          this.links = [...view.nextSteps, ...(up?.breadcrumb ?? [])];
          this.post({ type: 'error', requestId: id, query: qv, error: view, breadcrumb: up?.breadcrumb });
          this.services.log.warn(`report ${queryKey(q)}: ${view.message}`);
        }
      }
      throw e;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Resolves when the webview reports it painted the current request (tests, `cmu.runQuery` callers). */
  whenRendered(timeoutMs = 30000): Promise<RenderStats> {
    const id = this.requestId;
    if (this.lastStats && this.lastStats.requestId === id) return Promise.resolve(this.lastStats);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the report webview did not render within ${timeoutMs} ms`)), timeoutMs);
      this.renderWaiters.push({
        requestId: id,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      });
    });
  }

  /** Entry point for everything the webview posts: validated first, then acted on. */
  async onMessage(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.rejectedMessages++;
      this.services.log.warn('report panel: ignored an invalid message from the webview');
      return;
    }
    try {
      await this.handle(msg);
    } catch (e) {
      if (!(e instanceof CancelledError)) await this.services.showError(e);
    }
  }

  private async handle(msg: WebviewMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        // the webview (re)loaded: give it the current state again
        if (this.lastMessage) this.post(this.lastMessage);
        return;
      case 'rendered': {
        this.lastStats = msg.stats;
        const ready = this.renderWaiters.filter((w) => w.requestId <= msg.stats.requestId);
        this.renderWaiters = this.renderWaiters.filter((w) => w.requestId > msg.stats.requestId);
        ready.forEach((w) => w.resolve(msg.stats));
        return;
      }
      case 'navigate': {
        const target = this.targets.get(msg.linkId);
        if (!target) return;
        await this.navigate(target);
        return;
      }
      case 'action':
        if (msg.action === 'cancel') return this.cancel();
        if (msg.action === 'refresh') {
          await this.load().catch(() => undefined);
          return;
        }
        await runPanelAction(this, msg.action);
        return;
      case 'errorAction':
        if (msg.id === 'retry') {
          await this.load().catch(() => undefined);
          return;
        }
        await runErrorAction(this, msg.id);
        return;
    }
  }

  /** Follows a drill-down / roll-up: another open panel of that query is revealed, else this one moves. */
  async navigate(target: CmuQuery): Promise<void> {
    const other = ReportPanel.panels.get(queryKey(target));
    if (other && other !== this) {
      other.panel.reveal();
      await other.load().catch(() => undefined);
      return;
    }
    this.retarget(target);
    await this.load().catch(() => undefined);
  }

  /** What the serializer needs, also what the webview persists. */
  get state(): { v: typeof PROTOCOL_VERSION; query: CmuQuery } {
    return { v: PROTOCOL_VERSION, query: this.query };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort?.abort();
    if (ReportPanel.panels.get(this.key) === this) ReportPanel.panels.delete(this.key);
    if (ReportPanel.active === this) ReportPanel.active = undefined;
    ReportPanel.updateContext();
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
