/**
 * One WebviewPanel per query (running the same query again reveals and refreshes it). Fetches through
 * the engine, sends the webview plain data (the first screenful of rows, then the rest in compact
 * chunks: reportMessages), validates every message the webview posts (protocol.ts) and maps its link
 * ids back to queries it built itself.
 *
 * Nothing is posted before the webview says `ready` (a message posted earlier would reach it and be
 * posted again on `ready`: every report rendered twice); a webview that is hidden is dropped by VS Code
 * (no retainContextWhenHidden) and gets the current state again, once, when it is shown and ready.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CompareMode } from '../../core/cmu/analysis/compare';
import { fetchComparison } from '../../core/cmu/analysis/comparison';
import { fetchParentTotal } from '../../core/cmu/analysis/parentTotal';
import { metricSemantics } from '../../core/cmu/catalog';
import { resolveQueryTime } from '../../core/cmu/time/queryTime';
import type { CmuQuery, ParsedReport, ReportCell, ReportColumn } from '../../core/cmu/types';
import type { CmuClient, StreamedMeta } from '../../core/cmu/client';
import { CancelledError } from '../../core/http';
import { InputError } from '../../core/errors';
import type { Services } from '../host/services';
import { MAX_PANEL_COLUMNS, PROTOCOL_VERSION, parseWebviewMessage, type HostMessage, type NavLink, type PanelAction, type ParentTotalView, type RenderStats, type WebviewMessage } from '../../shared/protocol';
import { newNonce, renderPanelHtml } from './html';
import { appliedQueryView, CHUNK_ROWS, errorView, FIRST_ROWS, navigation, panelTitle, partialOf, queryKey, queryTitle, queryView, reportViewOf, rowsMessage, rowsOf, type Navigation, type ReportMeta, type ReportViewOptions, type SentQuery } from './reportView';
import { ReportRows } from './reportRows';
import { WorkerParseError } from './workerProtocol';
import { runErrorAction, runPanelAction } from './commands';
import type { ReportDocuments } from './reportDocuments';
import { Ctx, View, VsCmd } from '../host/ids';

/** What the webview shows: a small message, or the report (its rows are in `panel.report.rows`, sent chunk by chunk). */
type PanelView = Exclude<HostMessage, { type: 'report' | 'rows' | 'notice' | 'parentTotal' }> | { type: 'report'; requestId: number; nav: Navigation; opts: ReportViewOptions };

/** What `cmu.runQuery` resolves with. */
export interface RunResult {
  /** decoded when first read; not enumerable, so it does not travel when the workbench runs the command */
  rows: ReportCell[][];
  /** the columns the rows hold: the report's, up to the first MAX_PANEL_COLUMNS */
  columns: ReportColumn[];
  url: string;
  rowCount: number;
}

/** The report a panel shows: the answer's metadata and its rows as they arrived. */
export interface PanelReport extends ReportMeta {
  url: string;
  format: ParsedReport['format'];
  fileName?: string;
  rows: ReportRows;
}

/** The result of a run: the rows are decoded when a caller reads them (a script), never for the palette. */
export function runResult(report: PanelReport): RunResult {
  const rows = report.rows;
  const result = { columns: rows.shownColumns, url: report.url, rowCount: rows.rowCount } as RunResult;
  Object.defineProperty(result, 'rows', { get: () => rows.rows, enumerable: false });
  return result;
}

/** The environment and profile a panel belongs to; a query from another one opens another panel. */
export interface PanelScope {
  key: string;
  /** "sandbox", "staging · profile team2" */
  label: string;
}

/** The scope of the settings now (no sandbox start, no session: only what the user chose). */
export function currentScope(services: Services): PanelScope {
  const s = services.settings();
  const base = s.environment === 'sandbox' ? '' : (s.endpoints[s.environment]?.cmuBase ?? '');
  return { key: JSON.stringify([s.environment, s.profile, base]), label: s.profile === 'default' ? s.environment : `${s.environment} · profile ${s.profile}` };
}

/** The page's bundle and styles (inlined into every panel's HTML), read once per extension folder. */
const pages = new Map<string, { script: string; styles: string[] }>();
function pageAssets(root: string): { script: string; styles: string[] } {
  let page = pages.get(root);
  if (!page) {
    const read = (...p: string[]) => fs.readFileSync(path.join(root, ...p), 'utf8');
    page = { script: read('dist', 'webview.js'), styles: [read('media', 'report.css'), read('dist', 'webview.css')] };
    pages.set(root, page);
  }
  return page;
}

/** How many earlier reports Back can return to. */
const MAX_HISTORY = 50;
/** How long a large body waits for the panel's page to boot before a report worker takes it anyway (a hidden panel's page does not boot). */
const PAGE_BOOT_WAIT_MS = 1000;

export class ReportPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, ReportPanel>();
  private static active: ReportPanel | undefined;

  private key: string;
  /** the reports this panel showed before a drill-down / roll-up moved it (Back) */
  private history: CmuQuery[] = [];
  private requestId = 0;
  private abort: AbortController | undefined;
  private targets = new Map<string, CmuQuery>();
  private view: PanelView | undefined;
  /** the webview said `ready` and has not been hidden since */
  private webviewReady = false;
  /** bumped on every send: a newer send (or a hide) stops the chunks of an older one */
  private sendGen = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private renderWaiters: { requestId: number; resolve: (s: RenderStats) => void }[] = [];
  /** pageBooted() callers waiting for `ready` */
  private bootWaiters: (() => void)[] = [];
  private disposed = false;
  /** the last report shown */
  report: PanelReport | undefined;
  /** the query as last sent: its window resolved (Copy URL, cURL, Open As and Save As use it) */
  sent: CmuQuery | undefined;
  lastStats: RenderStats | undefined;
  /** when the host heard that the first rows of the current request were painted (Date.now()), for the benchmark */
  firstRowsAt: number | undefined;
  /** the webview's own account of that request's first paint: when its message came and when the rows were painted (its clock, ms since the epoch) */
  firstPaint: { receivedAt: number; paintedAt: number } | undefined;
  /** when the webview first said it was ready, and its own account of its start (the bench splits the wait for the first rows with them) */
  readyAt: number | undefined;
  webviewBoot: { atMs: number; scriptMs: number; originMs: number } | undefined;
  /** when the current request's first rows and links were in, and when its report message was posted (Date.now()), for the benchmark */
  firstRowsInAt: number | undefined;
  reportPostedAt: number | undefined;
  /** when the webview panel was created (Date.now()), for the benchmark */
  readonly createdAt = Date.now();
  /** messages posted for the current request, by type; `rendered` messages (all rows in) received for it; for tests */
  posted: Record<string, number> = {};
  renders = 0;
  readyMessages = 0;
  /** the links last sent (drill-down, breadcrumb, next steps), for tests */
  links: NavLink[] = [];
  /** messages received from the webview that failed validation (for the log and tests) */
  rejectedMessages = 0;
  /** compare mode: the earlier window fetched beside this one (the webview's toggle) */
  compareMode: CompareMode | undefined;
  /** the server's total of the report shown where its rows do not add up (fetched after the report is on screen) */
  parentTotal: { requestId: number; url: string; total: ParentTotalView } | undefined;

  private constructor(
    readonly services: Services,
    /** the feature's `cmu-report:` documents (Open as JSON/CSV/XML, Save As…) */
    readonly docs: ReportDocuments,
    readonly panel: vscode.WebviewPanel,
    public query: CmuQuery,
    readonly scope: PanelScope,
  ) {
    this.key = ReportPanel.keyOf(scope, query);
    ReportPanel.panels.set(this.key, this);
    const media = vscode.Uri.joinPath(services.context.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(services.context.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist, media] };
    panel.iconPath = vscode.Uri.joinPath(media, 'report.svg');
    const w = panel.webview;
    const page = pageAssets(services.context.extensionUri.fsPath);
    panel.webview.html = renderPanelHtml({
      cspSource: w.cspSource,
      nonce: newNonce(),
      script: page.script,
      styles: page.styles,
      chartUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'chart.js')).toString(),
      title: queryTitle(query),
    });
    this.updateTitle();
    this.disposables.push(
      w.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) ReportPanel.active = this;
        if (!e.webviewPanel.visible) this.webviewReady = false; // its document is gone; `ready` comes when shown again
      }),
    );
    ReportPanel.active = this;
    ReportPanel.updateContext();
  }

  /** `cmu.reportOpen` enables the report commands in the palette. */
  private static updateContext(): void {
    void vscode.commands.executeCommand(VsCmd.setContext, Ctx.reportOpen, ReportPanel.panels.size > 0);
  }

  private static keyOf(scope: PanelScope, q: CmuQuery): string {
    return `${scope.key}|${queryKey(q)}`;
  }

  /** Opens (or reveals and refreshes) the panel of this query in the current environment and loads it. */
  static async show(services: Services, docs: ReportDocuments, query: CmuQuery): Promise<ReportPanel> {
    const scope = currentScope(services);
    const existing = ReportPanel.panels.get(ReportPanel.keyOf(scope, query));
    if (existing) {
      existing.panel.reveal(undefined, false);
      ReportPanel.active = existing;
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(View.report, panelTitle(query), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      enableScripts: true,
      retainContextWhenHidden: false,
    });
    return new ReportPanel(services, docs, panel, query, scope);
  }

  /** WebviewPanelSerializer: a panel from before the reload, its query from the webview state. */
  static revive(services: Services, docs: ReportDocuments, panel: vscode.WebviewPanel, query: CmuQuery, scope = currentScope(services)): ReportPanel {
    const existing = ReportPanel.panels.get(ReportPanel.keyOf(scope, query));
    if (existing && existing.panel !== panel) existing.panel.dispose();
    return new ReportPanel(services, docs, panel, query, scope);
  }

  static get current(): ReportPanel | undefined {
    return ReportPanel.active && !ReportPanel.active.disposed ? ReportPanel.active : undefined;
  }

  static all(): ReportPanel[] {
    return [...ReportPanel.panels.values()];
  }

  /** the panel the report commands act on: the active one, else the first open */
  static target(): ReportPanel {
    const p = ReportPanel.current ?? ReportPanel.all()[0];
    if (!p) throw new InputError('No CMU report is open', 'Run a query first (CMU: Run Query).', 'none', 'no_report');
    return p;
  }

  private updateTitle(): void {
    this.panel.title = panelTitle(this.query);
  }

  /** the earlier window's URL when the report shown is a comparison (tests) */
  get comparedWith(): string | undefined {
    return this.view?.type === 'report' ? this.view.opts.compare?.previous.url : undefined;
  }

  /** type of the last state sent to the webview (loading/report/error/cancelled), for tests */
  get lastState(): string | undefined {
    return this.view?.type;
  }

  /** Posts when the webview can take it; resolves false when it could not be delivered. */
  private async post(msg: HostMessage): Promise<boolean> {
    if (this.disposed || !this.webviewReady) return false;
    this.posted[msg.type] = (this.posted[msg.type] ?? 0) + 1;
    return this.panel.webview.postMessage(msg).then(
      (ok) => ok,
      () => false,
    );
  }

  /** Makes `view` the panel's state and sends it (now, or when the webview is ready). */
  private show(view: PanelView): void {
    this.view = view;
    void this.send();
  }

  /** Sends the current state; a report streams chunk by chunk, each encoded after the previous one was posted. */
  private async send(): Promise<void> {
    const gen = ++this.sendGen;
    const v = this.view;
    if (!v || !this.webviewReady) return;
    if (v.type !== 'report') {
      await this.post(v);
      return;
    }
    const report = this.report;
    if (!report) return;
    // the first chunk with the metadata, then each chunk as it arrives; an empty last one when the end comes after it
    const rows = report.rows;
    const more = (i: number): boolean => i + 1 < rows.chunks.length || !rows.complete;
    // `said`: what the last message told the webview (the rows keep arriving while it is posted)
    let said = more(0);
    this.reportPostedAt ??= Date.now();
    if (!(await this.post({ type: 'report', requestId: v.requestId, report: reportViewOf(this.query, report, rows, v.nav, v.opts, said) }))) return;
    for (let i = 1; said; i++) {
      while (!rows.complete && rows.chunks.length <= i) await rows.next();
      // one chunk per task: a resolved post does not yield, and rows that are all in would be read and posted in one go
      await new Promise((resolve) => setImmediate(resolve));
      if (gen !== this.sendGen) return;
      const chunk = rows.chunks[i] ? rows.withPartial(rows.chunks[i]) : rows.endChunk();
      said = more(i);
      if (!(await this.post(rowsMessage(v.requestId, chunk, said, report.response?.bytes)))) return;
    }
    if (rows.failure || gen !== this.sendGen) return;
    const p = this.parentTotal;
    if (p?.requestId === v.requestId) await this.post({ type: 'parentTotal', requestId: p.requestId, total: p.total });
  }

  /** A confirmation in the panel; with `action`, on that button ("Copied"). */
  notice(text: string, action?: PanelAction): void {
    void this.post(action ? { type: 'notice', text, action } : { type: 'notice', text });
  }

  /** Points the panel at another query (drill-down/roll-up keep one panel per query). */
  private retarget(query: CmuQuery): void {
    ReportPanel.panels.delete(this.key);
    this.query = query;
    this.key = ReportPanel.keyOf(this.scope, query);
    const other = ReportPanel.panels.get(this.key);
    if (other && other !== this) other.panel.dispose();
    ReportPanel.panels.set(this.key, this);
    this.updateTitle();
  }

  /** Fetches the query and shows it. Resolves with the report when every row is in; rejects with the engine's error (also shown in the panel). */
  async load(): Promise<PanelReport> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const id = ++this.requestId;
    this.posted = {};
    this.parentTotal = undefined;
    this.renders = 0;
    this.firstRowsAt = undefined;
    this.firstPaint = undefined;
    this.firstRowsInAt = undefined;
    this.reportPostedAt = undefined;
    const q = this.query;
    let cmuBase = '';
    const env = this.scope.label;
    let sent: SentQuery | undefined;
    const back = this.history.length ? queryTitle(this.history[this.history.length - 1]) : undefined;
    const view = (base: string) => ({ ...queryView(q, base, env, sent), ...(back ? { back } : {}) });
    /** set when the request is sent: a run that never left (no session, a wrong setting) is not history */
    let t0: number | undefined;
    try {
      if (currentScope(this.services).key !== this.scope.key) throw this.otherScopeError();
      // A page still booting: VS Code writes its HTML to the workbench on a timer, so one turn first lets the
      // webview start while the report loads (a first report's lazy modules held the host ~100 ms before it).
      if (!this.webviewReady) await new Promise((resolve) => setTimeout(resolve, 0));
      const client = await this.services.cmuClient();
      const session = await this.services.session();
      cmuBase = session.env.cmuBase ?? '';
      // the time is decided now: a saved "Last 7 days" sends the last 7 days of today
      sent = resolveQueryTime(q, this.services.reportZone(), Date.now());
      this.sent = sent.query;
      this.show({ type: 'loading', requestId: id, query: view(cmuBase) });
      const started = Date.now();
      t0 = started;
      const mode = this.compareMode;
      const opts: ReportViewOptions = { cmuBase, environment: env, back, redact: (t) => this.services.redact(t), elapsedMs: 0, now: t0, sent };
      let report: PanelReport;
      /** settles when every row is in (rejects with why they stopped); with the report that replaces the one shown */
      let complete: Promise<PanelReport | void>;
      if (mode) {
        const compared = await fetchComparison(client, sent.query, { mode, now: t0, signal: abort.signal, zone: this.services.reportZone() });
        opts.compare = { mode, comparison: compared.comparison, window: compared.current.window, previous: { window: compared.previous.window, url: compared.previous.report.url } };
        report = this.inMemory(compared.current.report, opts);
        complete = report.rows.finished();
      } else {
        ({ report, complete } = await this.stream(client, sent.query, opts, abort.signal));
      }
      if (id !== this.requestId) return report;
      const nav = navigation(q, report, cmuBase);
      this.targets = nav.targets;
      this.links = [...nav.drillDown, ...nav.breadcrumb];
      const show = (r: PanelReport): void => {
        this.report = r;
        r.rows.setPartialOf(partialOf(appliedQueryView(q, r, opts), opts));
        this.show({ type: 'report', requestId: id, nav, opts: { ...opts, elapsedMs: Date.now() - started, fetchedAt: new Date() } });
      };
      this.firstRowsInAt = Date.now();
      show(report);
      const replacement = await complete;
      if (id !== this.requestId) return report;
      if (replacement) {
        report = replacement;
        show(report);
        await report.rows.finished();
        if (id !== this.requestId) return report;
      }
      const rows = report.rows;
      this.services.reportRan({
        record: { query: q, environment: env, status: report.response?.status ?? 200, rows: rows.rowCount, bytes: report.response?.bytes, durationMs: Date.now() - t0, at: t0 },
        dimensions: rows.analysis('dimension'),
      });
      // a comparison's columns are two windows: one parent call cannot total both
      if (!mode) void this.loadParentTotal(id, sent.query, report, abort.signal);
      return report;
    } catch (e) {
      if (id === this.requestId) {
        let qv;
        try {
          qv = cmuBase ? view(cmuBase) : undefined;
        } catch {
          qv = undefined;
        }
        if (e instanceof CancelledError || abort.signal.aborted) {
          this.show({ type: 'cancelled', requestId: id, query: qv });
        } else {
          if (t0 !== undefined) {
            const status = (e as { status?: unknown }).status;
            const message = this.services.redact(e instanceof Error ? e.message : String(e));
            this.services.reportRan({ record: { query: q, environment: env, status: typeof status === 'number' ? status : undefined, durationMs: Date.now() - t0, at: t0, error: message } });
          }
          const { view, targets } = errorView(e, q, (t) => this.services.redact(t));
          const up = qv ? navigation(q, undefined, cmuBase) : undefined;
          for (const b of up?.breadcrumb ?? []) targets.set(b.id, up!.targets.get(b.id)!);
          this.targets = targets;
          this.links = [...view.nextSteps, ...(up?.breadcrumb ?? [])];
          this.show({ type: 'error', requestId: id, query: qv, error: view, breadcrumb: up?.breadcrumb });
          this.services.log.warn(`report ${queryKey(q)}: ${view.message}`);
        }
      }
      throw e;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  /**
   * Settles once the page has said `ready` (at once when it has), or after PAGE_BOOT_WAIT_MS. A report worker
   * waits for it: its start (~100 ms of CPU at normal priority before it lowers its own) competed with the
   * page's boot for the same cores. Workbench A/B, 200k rows, 5 pairs: first rows visible 570 → 498 ms, the
   * page ready 412 → 321 ms; the command resolves later (1019 → 1095 ms: the worker starts later).
   */
  private pageBooted(): Promise<void> {
    if (this.webviewReady || this.disposed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, PAGE_BOOT_WAIT_MS);
      this.bootWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** A report parsed in memory as the panel's rows (encoded chunk by chunk, between turns of the event loop). */
  private inMemory(parsed: ParsedReport, opts: ReportViewOptions): PanelReport {
    const { url, format, fileName, links, response } = parsed;
    return { url, format, fileName, links, response, rows: rowsOf(parsed, opts, { first: FIRST_ROWS, chunk: CHUNK_ROWS }) };
  }

  /**
   * Fetches the rows as CSV, parsed in a report worker as they arrive, and the links beside them;
   * resolves when the first rows and the links are in (the rest keeps coming: `complete`).
   */
  private async stream(client: CmuClient, q: CmuQuery, opts: ReportViewOptions, signal: AbortSignal): Promise<{ report: PanelReport; complete: Promise<PanelReport | void> }> {
    const rows = new ReportRows();
    let meta: StreamedMeta | undefined;
    let gotMeta = (): void => undefined;
    const metaIn = new Promise<void>((resolve) => (gotMeta = resolve));
    let bodyBytes = 0;
    const streamed = client.streamReportRows(
      q,
      (body, stop, encoding) =>
        this.services.reportWorkers
          .parse(body, {
            encoding,
            first: FIRST_ROWS,
            chunk: CHUNK_ROWS,
            maxChars: client.maxReportBytes,
            maxColumns: MAX_PANEL_COLUMNS,
            signal: stop,
            handOverAfter: () => this.pageBooted(),
            onHeader: (columns) => rows.setColumns(columns, MAX_PANEL_COLUMNS),
            onChunk: (c) => rows.add(c.start, c.rowCount, c.data),
          })
          .then((r) => (bodyBytes = r.bytes)),
      {
        signal,
        onMeta: (m) => {
          meta = m;
          gotMeta();
        },
      },
    ).catch(async (e: unknown) => {
      // a column the first rows showed as numbers held text later: read the report whole (the server leads)
      if (!(e instanceof WorkerParseError && e.code === 'csv_kind')) throw e;
      this.services.log.info(`report ${queryKey(q)}: ${this.services.redact(e.message)}; read whole instead`);
      return { report: await client.fetchReportRows(q, { signal }) };
    });
    const settled = await Promise.race([streamed, Promise.all([metaIn, rows.started()]).then(() => undefined)]);
    if (settled?.report) {
      rows.end();
      const report = this.inMemory(settled.report, opts);
      return { report, complete: report.rows.finished() };
    }
    const report: PanelReport = { ...(settled?.meta ?? meta!), rows };
    const complete = streamed.then(
      (s) => {
        rows.end();
        if (s.report) return this.inMemory(s.report, opts); // read whole after the first rows were shown: it replaces them
        if (report.response) report.response = { ...report.response, bytes: bodyBytes };
      },
      (e: unknown) => {
        rows.end(e);
        throw e;
      },
    );
    complete.catch(() => undefined); // a load that was replaced before it waited for the rest
    return { report, complete };
  }

  /**
   * The empty total cells of distinct counts filled with the server's value for the whole: one more call
   * once the report is on screen, cancelled with it (a new load, Cancel, closing the panel); a failure
   * only leaves the cells empty, with a line in the log.
   */
  private async loadParentTotal(id: number, q: CmuQuery, report: PanelReport, signal: AbortSignal): Promise<void> {
    try {
      await this.whenRendered().catch(() => undefined); // not shown yet (hidden panel): the call still goes, the send follows on `ready`
      if (id !== this.requestId || signal.aborted) return;
      const client = await this.services.cmuClient();
      const found = await fetchParentTotal(client, q, { links: report.links, table: report.rows.analysis() }, { signal, semantics: metricSemantics });
      if (!found || id !== this.requestId || signal.aborted) return;
      const total: ParentTotalView = { path: found.path, values: Object.entries(found.values) };
      this.parentTotal = { requestId: id, url: found.url, total };
      await this.post({ type: 'parentTotal', requestId: id, total });
    } catch (e) {
      if (!signal.aborted) this.services.log.info(`report ${queryKey(q)}: no server total (${this.services.redact(e instanceof Error ? e.message : String(e))})`);
    }
  }

  private otherScopeError(): InputError {
    return new InputError(
      `This report belongs to ${this.scope.label}`,
      `The current environment is ${currentScope(this.services).label}. A panel keeps its environment: switch back to refresh it here, or run the query again to open it in ${currentScope(this.services).label}.`,
      'none',
      'other_environment',
    );
  }

  /** Back: the report this panel showed before its last drill-down / roll-up. */
  async back(): Promise<void> {
    const prev = this.history.pop();
    if (!prev) return;
    this.retarget(prev);
    await this.load().catch(() => undefined);
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
        // the webview (re)loaded: it gets the current state, once
        this.readyMessages++;
        this.readyAt ??= Date.now();
        this.webviewBoot ??= msg.boot;
        this.webviewReady = true;
        {
          const sending = this.send(); // the report message goes out first: a worker's start holds this thread ~20 ms
          for (const booted of this.bootWaiters.splice(0)) booted();
          await sending;
        }
        return;
      case 'rendered': {
        if (msg.stats.requestId === this.requestId) {
          if (this.firstRowsAt === undefined) {
            this.firstRowsAt = Date.now();
            const { receivedAt, paintedAt } = msg.stats;
            if (receivedAt !== undefined && paintedAt !== undefined) this.firstPaint = { receivedAt, paintedAt };
          }
          if (msg.stats.complete) this.renders++;
        }
        if (!msg.stats.complete) return;
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
        if (msg.action === 'back') return this.back();
        if (msg.action === 'refresh') {
          await this.load().catch(() => undefined);
          return;
        }
        await runPanelAction(this, msg.action);
        return;
      case 'compare':
        this.compareMode = msg.mode === 'off' ? undefined : msg.mode;
        await this.load().catch(() => undefined);
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
    this.history.push(this.query);
    if (this.history.length > MAX_HISTORY) this.history.shift();
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
    for (const booted of this.bootWaiters.splice(0)) booted();
    this.abort?.abort();
    if (ReportPanel.panels.get(this.key) === this) ReportPanel.panels.delete(this.key);
    if (ReportPanel.active === this) ReportPanel.active = undefined;
    ReportPanel.updateContext();
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
