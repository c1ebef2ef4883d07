import * as vscode from 'vscode';
import type { HttpClient, RetryWait } from '../../core/http';
import { formatDuration } from '../../core/http/errors';
import { redactText } from '../../core/redact';
import type { OriginChangedError, Session, SessionEvent } from '../../core/session';
import type { CmuClient } from '../../core/cmu/client';
import { fixedZoneId, parseZone, type ReportZone } from '../../core/cmu/time/zone';
import type { DiscoveredNode, DiscoveryRegistry } from '../../core/cmu/discovery';
import { InputError } from '../../core/errors';
import { resolveEnvironment, type Environment, type EnvironmentName } from '../../core/environments';
import { affectsSettings, readSettings, type CmuSettings } from './config';
import { ExtensionLog } from './log';
import { VsCodeSecretStore } from './secrets';
import { SecretIndex } from './secretIndex';
import { SandboxHost } from '../connection/sandboxHost';
import { ReportWorkers } from '../report/workerProtocol';
import { showError } from './errorUi';
import type { RunRecord } from '../../core/cmu/history';
import type { ReportColumns } from '../../core/cmu/analysis/columns';

/** A report run (panel, cmu.runQuery, saved queries, the builder): what the history records. */
export interface ReportRun {
  record: RunRecord;
  /** the report's dimension columns, when it came (the builder offers their values in the first rows as filter values) */
  dimensions?: ReportColumns;
}

interface Current {
  key: string;
  session: Session;
  /** the client the session was built with */
  http: HttpClient;
  cmu?: CmuClient;
  unsubscribe: () => void;
}

/**
 * What every feature gets: the one place that knows which environment/profile is current and builds the
 * core objects for it (session, CMU client, HTTP client), the settings, the log, secret storage, the
 * sandbox and the UI helpers (progress, confirmation, errors). Features export `register<Feature>(services)`
 * and push their disposables to `services.context.subscriptions`.
 */
export class Services implements vscode.Disposable {
  /** "CMU Explorer"; HTTP exchanges arrive already redacted */
  readonly log: ExtensionLog;
  readonly store: VsCodeSecretStore;
  /** which environment/profile pairs have stored items (names only) */
  readonly secretIndex: SecretIndex;
  readonly sandboxHost: SandboxHost;
  /** the threads that parse report bodies off this one (one kept warm) */
  readonly reportWorkers: ReportWorkers;
  /** made on first use (the session's first read, a request): the HTTP stack and the session chain load then */
  private client?: HttpClient;
  private clientLimits: string;
  private settingsCache: CmuSettings;
  private current?: Current;
  private readonly emitter = new vscode.EventEmitter<void>();
  /** environment/profile switched, settings changed, or what is stored for the session changed */
  readonly onDidChangeSession = this.emitter.event;
  private readonly errorEmitter = new vscode.EventEmitter<string>();
  /** an error message was shown (redacted, as the user saw it) */
  readonly onDidShowError = this.errorEmitter.event;
  private readonly runEmitter = new vscode.EventEmitter<ReportRun>();
  /** a report request settled (not cancelled): the run history listens */
  readonly onDidRunReport = this.runEmitter.event;
  /** what follows what, per environment + profile + CMU base (the server's links; the catalog offline); made on first use */
  private discoveries?: DiscoveryRegistry;
  /** when a token request started (status bar "refreshing…"); a failed request emits no event, so it expires */
  private busySince = 0;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = new ExtensionLog();
    this.secretIndex = new SecretIndex(context.globalState);
    this.store = new VsCodeSecretStore(context.secrets, this.secretIndex);
    this.sandboxHost = new SandboxHost(this.log, context.globalState);
    this.reportWorkers = new ReportWorkers(vscode.Uri.joinPath(context.extensionUri, 'dist', 'reportWorker.js').fsPath);
    this.settingsCache = readSettings();
    this.log.setFloor(this.settingsCache.logLevel);
    this.clientLimits = limitsOf(this.settingsCache);
    context.subscriptions.push(
      this,
      this.log,
      this.sandboxHost,
      this.reportWorkers,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e)) this.reloadSettings();
      }),
      this.sandboxHost.onDidChange(() => this.notifySessionChanged()),
      // another window stored or deleted a secret of ours: the status bar and the views re-read it
      context.secrets.onDidChange((e) => {
        if (e.key.startsWith('cmu/')) this.notifySessionChanged();
      }),
    );
  }

  reloadSettings(): void {
    this.settingsCache = readSettings();
    this.log.setFloor(this.settingsCache.logLevel);
    if (limitsOf(this.settingsCache) !== this.clientLimits) {
      this.clientLimits = limitsOf(this.settingsCache);
      this.client = undefined; // the next use makes one with the new limits
    }
    this.notifySessionChanged();
  }

  /** The shared HTTP client (its module, node-fetch and zlib load with the first one). */
  async http(): Promise<HttpClient> {
    const { HttpClient } = await import('../../core/http/client');
    if (this.client) return this.client;
    const version = (this.context.extension?.packageJSON as { version?: string } | undefined)?.version ?? '0';
    const { timeoutMs, maxTimeMs } = this.settingsCache;
    return (this.client = new HttpClient({
      timeoutMs,
      maxTimeMs,
      userAgent: `CMU-Explorer/${version} VSCode/${vscode.version}`,
      log: this.log.exchange,
      onWait: (w) => this.showWait(w),
    }));
  }

  /** A retry wait (429 throttling, 5xx backoff) is shown, not silent; its Cancel stops the running operations. */
  private showWait(w: RetryWait): void {
    const title = `CMU: waiting ${formatDuration(w.ms)}: ${w.reason}`;
    this.log.info(title);
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, w.ms);
        token.onCancellationRequested(() => {
          clearTimeout(timer);
          this.cancelAll();
          resolve();
        });
      }),
    );
  }

  settings(): CmuSettings {
    return this.settingsCache;
  }

  /** the endpoints of an environment from the user's settings; undefined for a sandbox that is not running */
  environment(name: EnvironmentName = this.settingsCache.environment): Environment | undefined {
    if (name === 'sandbox') {
      const sb = this.sandboxHost.current;
      return sb ? resolveEnvironment('sandbox', { dcrOrigin: sb.dcrOrigin, cmuBase: sb.cmuBase }) : undefined;
    }
    return resolveEnvironment(name, this.settingsCache.endpoints[name]);
  }

  /** The session of an environment: the current one while nothing it depends on changed. */
  private async build(env: Environment): Promise<Session> {
    const [{ Session }, http] = await Promise.all([import('../../core/session'), this.http()]); // the session chain loads with the first session
    const s = this.settingsCache;
    const key = JSON.stringify([env, s.profile, s.refreshMarginMs, s.redirectUri, s.deviceInfo, this.clientLimits]);
    if (this.current?.key === key) return this.current.session;
    // settings changed while the client was made: the next call builds with the new one
    if (http !== this.client) return this.build(env);
    this.current?.unsubscribe();
    const session = new Session({
      store: this.store,
      env,
      profile: s.profile,
      http,
      refreshMarginMs: s.refreshMarginMs,
      ...(s.redirectUri ? { redirectUri: s.redirectUri } : {}),
      ...(s.deviceInfo ? { deviceInfo: s.deviceInfo } : {}),
    });
    // another environment, profile or base: what an earlier one's server said no longer applies
    this.discoveries?.clear();
    const unsubscribe = session.onDidChange((e: SessionEvent) => {
      this.log.trace(`session ${session.env.name}/${session.profile}: ${e}`);
      // a new token may carry other scopes (what the server shows may differ)
      if (e === 'token' || e === 'forgotten' || e === 'credentials' || e === 'statement') this.discoveries?.clear();
      this.busySince = e === 'refreshing' ? Date.now() : 0;
      this.notifySessionChanged();
    });
    this.current = { key, session, http, unsubscribe: () => (unsubscribe(), session.dispose()) };
    this.notifySessionChanged();
    return session;
  }

  /**
   * current session; starts the sandbox (and imports its statement) when the environment is sandbox,
   * unless the user stopped it (then `sandbox_stopped`, with Start Sandbox as the next step)
   */
  async session(): Promise<Session> {
    if (this.settingsCache.environment === 'sandbox') return (await this.startSandbox()).session;
    return this.build(this.environment()!);
  }

  /** the current environment's endpoints without starting anything; undefined when not usable (a custom one without a DCR origin) */
  peekEnvironment(): Environment | undefined {
    try {
      return this.environment();
    } catch {
      return undefined;
    }
  }

  /** the current session if it exists without starting anything (status bar, diagnostics) */
  async peekSession(): Promise<Session | undefined> {
    const env = this.peekEnvironment();
    if (!env) return undefined;
    try {
      return await this.build(env);
    } catch {
      return undefined; // as an environment that cannot be resolved
    }
  }

  /** The report time zone (cmu.reportTimeZone); a value that is not a zone is an error that opens the settings. */
  reportZone(): ReportZone {
    try {
      return parseZone(this.settingsCache.reportTimeZone);
    } catch (e) {
      throw new InputError(`The setting cmu.reportTimeZone is wrong: ${(e as Error).message}`, 'Reports are read in this zone; fix the setting (default -08:00).', 'openSettings', 'bad_zone');
    }
  }

  async cmuClient(): Promise<CmuClient> {
    // the client and its parsers load with the first report, not at activation (and before the check below, which must not await)
    const { CmuClient } = await import('../../core/cmu/client');
    const session = await this.session();
    const cur = this.current!;
    if (cur.session !== session) return this.cmuClient();
    if (!cur.cmu) {
      const base = session.env.cmuBase;
      if (!base) {
        throw new InputError(
          `No CMU base URL is set for the ${session.env.name} environment`,
          `Adobe documents no CMU host for ${session.env.name}: set cmu.${session.env.name}.cmuBase in your user settings.`,
          'openSettings',
          'no_cmu_base',
        );
      }
      cur.cmu = new CmuClient({ http: cur.http, session, cmuBase: base });
    }
    return cur.cmu;
  }

  /**
   * The report node at `path` (`[]`: the root) from the current server's HAL links and columns, cached per
   * environment; from the catalog (`source: 'catalog'`, with the reason) when not connected: nothing is
   * started for it (a stopped sandbox stays stopped), and a network failure falls back too.
   */
  async discover(path: readonly string[], opts: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<DiscoveredNode> {
    const { DiscoveryRegistry, catalogNode } = await import('../../core/cmu/discovery');
    const session = await this.peekSession();
    const base = session?.env.cmuBase;
    if (!session || !base) return catalogNode(path, { reason: session ? `no CMU base URL is set for ${session.env.name}` : 'not connected' });
    let client: CmuClient;
    try {
      client = await this.cmuClient();
    } catch (e) {
      return catalogNode(path, { reason: this.redact(e instanceof Error ? e.message : String(e)) });
    }
    return (this.discoveries ??= new DiscoveryRegistry()).for(JSON.stringify([session.env.name, session.profile, base]), client).node(path, opts);
  }

  /** Forgets what the servers said (the Browse Server tree's Refresh). */
  clearDiscovery(): void {
    this.discoveries?.clear();
  }

  /**
   * starts the in-process sandbox; a new instance gets a clean slate and its own statement imported.
   * `byUser`: Start Sandbox / Switch Environment, which lift a Stop Sandbox; anything else respects it.
   */
  async startSandbox(opts: { byUser?: boolean } = {}): Promise<{ session: Session; fresh: boolean }> {
    if (opts.byUser) await this.sandboxHost.setStoppedByUser(false);
    else if (!this.sandboxHost.current && this.sandboxHost.stoppedByUser) {
      throw new InputError(
        'The sandbox is stopped',
        'You stopped it; it stays stopped until you start it again.',
        'startSandbox',
        'sandbox_stopped',
      );
    }
    const { sandbox, fresh } = await this.sandboxHost.ensure(fixedZoneId(this.reportZone()));
    const session = await this.build(resolveEnvironment('sandbox', { dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase }));
    if (fresh || !(await session.getStatement())) {
      // clients and tokens of an earlier sandbox instance mean nothing to this one
      await session.forget('all');
      await session.importStatement(sandbox.statement);
      this.log.info('sandbox statement imported');
    }
    return { session, fresh };
  }

  /** the save dialog (Save As…); a seam the integration tests answer (testApi `saveDialogAnswers`) */
  saveDialog(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined> {
    return vscode.window.showSaveDialog(options);
  }

  /** a modal warning with one action button; true when the user chose it */
  async confirm(message: string, detail: string, button: string): Promise<boolean> {
    this.log.trace(`asking: confirm ${message}`);
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) === button;
  }

  /**
   * A stored secret belongs to another host than the settings now name (OriginChangedError): asks before
   * anything goes there. "Use the new host" confirms the change in the session (true: run again);
   * "Open Settings" opens the setting that changed.
   */
  async askOriginChange(e: OriginChangedError): Promise<boolean> {
    const session = await this.session();
    const c = e.changes[0];
    const dcr = c.current === session.env.dcrOrigin;
    const host = dcr ? 'DCR' : 'CMU';
    const what = dcr ? 'software statement' : 'access token';
    const setting = `cmu.${session.env.name}.${dcr ? 'dcrOrigin' : 'cmuBase'}`;
    const use = 'Use the new host';
    if (
      await this.confirm(
        `The ${host} host for ${session.env.name} changed from ${c.pinned} to ${c.current}. Send your ${what} there?`,
        `Nothing has been sent to ${c.current} yet. If the new host is intended, the token and client of the old host are forgotten and a new one is obtained there. Otherwise restore ${setting}.`,
        use,
      )
    ) {
      await session.confirmOriginChange();
      this.log.info(`origin change confirmed for ${session.env.name}/${session.profile}: ${c.pinned} → ${c.current}`);
      return true;
    }
    void vscode.window.showInformationMessage(`Nothing was sent to ${c.current}.`, 'Open Settings').then((b) => {
      if (b) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    });
    return false;
  }

  /** message with explanation + next-step button, never a stack */
  async showError(e: unknown): Promise<void> {
    await showError(e, this.log, (m) => this.errorEmitter.fire(m), (t) => this.redact(t));
  }

  /** the patterns plus the secrets the HTTP client has seen */
  redact(text: string): string {
    return this.client ? this.client.redact(text) : redactText(text);
  }

  /** controllers of the operations running under withProgress (Cancel aborts them) */
  private readonly inFlight = new Set<AbortController>();

  withProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
        const ac = new AbortController();
        this.inFlight.add(ac);
        const sub = token.onCancellationRequested(() => ac.abort());
        try {
          return await task(ac.signal);
        } finally {
          sub.dispose();
          this.inFlight.delete(ac);
        }
      }),
    );
  }

  /** what the notification's Cancel button does, for every running operation (also on dispose) */
  cancelAll(): number {
    const n = this.inFlight.size;
    for (const ac of this.inFlight) ac.abort();
    return n;
  }

  /** a report request settled: tells the history (and whoever else listens) */
  reportRan(run: ReportRun): void {
    this.runEmitter.fire(run);
  }

  /** a command ended: a token request that failed emitted no event, so the busy state ends here */
  commandEnded(): void {
    if (!this.busySince) return;
    this.busySince = 0;
    this.notifySessionChanged();
  }

  /** a token request is running */
  get busy(): boolean {
    return this.busySince > 0 && Date.now() - this.busySince < this.settingsCache.timeoutMs + 5000;
  }

  /** what is stored, the environment or the sandbox changed: the views and the status bar re-read it */
  notifySessionChanged(): void {
    this.emitter.fire();
  }

  dispose(): void {
    this.cancelAll();
    this.current?.unsubscribe();
    this.emitter.dispose();
    this.errorEmitter.dispose();
    this.runEmitter.dispose();
  }
}

/** The settings the HTTP client is built with: a change makes a new client. */
function limitsOf(s: CmuSettings): string {
  return `${s.timeoutMs}/${s.maxTimeMs}`;
}
