import * as vscode from 'vscode';
import { HttpClient } from '../core/http';
import { Session, type SessionEvent } from '../core/session';
import { CmuClient } from '../core/cmu/client';
import { InputError } from '../core/errors';
import { resolveEnvironment, type Environment, type EnvironmentName } from '../core/environments';
import type { Services } from './services';
import { affectsSettings, readSettings, type CmuSettings } from './config';
import { ExtensionLog } from './log';
import { VsCodeSecretStore } from './secrets';
import { SecretIndex } from './secretIndex';
import { SandboxHost } from './sandboxHost';
import { isCancellation, showError } from './errorUi';

interface Current {
  key: string;
  session: Session;
  cmu?: CmuClient;
  unsubscribe: () => void;
}

/** The one place that knows which environment/profile is current and builds the core objects for it. */
export class ServicesImpl implements Services, vscode.Disposable {
  readonly extLog: ExtensionLog;
  readonly log: vscode.LogOutputChannel;
  readonly store: VsCodeSecretStore;
  /** which environment/profile pairs have stored items (names only) */
  readonly secretIndex: SecretIndex;
  readonly sandboxHost: SandboxHost;
  private client: HttpClient;
  private clientTimeout: number;
  private settingsCache: CmuSettings;
  private current?: Current;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeSession = this.emitter.event;
  /** last error message shown (tests read it through the test API) */
  lastError?: string;
  /** when a token request started (status bar "refreshing…"); a failed request emits no event, so it expires */
  private busySince = 0;

  constructor(readonly context: vscode.ExtensionContext) {
    this.extLog = new ExtensionLog();
    this.log = this.extLog.channel;
    this.secretIndex = new SecretIndex(context.globalState);
    this.store = new VsCodeSecretStore(context.secrets, this.secretIndex);
    this.sandboxHost = new SandboxHost(this.extLog);
    this.settingsCache = readSettings();
    this.extLog.setFloor(this.settingsCache.logLevel);
    this.clientTimeout = this.settingsCache.timeoutMs;
    this.client = this.newHttp();
    context.subscriptions.push(
      this,
      this.extLog,
      this.sandboxHost,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e)) this.reloadSettings();
      }),
      this.sandboxHost.onDidChange(() => this.emitter.fire()),
    );
  }

  reloadSettings(): void {
    this.settingsCache = readSettings();
    this.extLog.setFloor(this.settingsCache.logLevel);
    if (this.settingsCache.timeoutMs !== this.clientTimeout) {
      this.clientTimeout = this.settingsCache.timeoutMs;
      this.client = this.newHttp();
    }
    this.emitter.fire();
  }

  private newHttp(): HttpClient {
    const version = (this.context.extension?.packageJSON as { version?: string } | undefined)?.version ?? '0';
    return new HttpClient({ timeoutMs: this.clientTimeout, userAgent: `CMU-Explorer/${version} VSCode/${vscode.version}`, log: this.extLog.exchange });
  }

  get http(): HttpClient {
    return this.client;
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

  private build(env: Environment): Session {
    const s = this.settingsCache;
    const key = JSON.stringify([env, s.profile, s.refreshMarginMs, s.redirectUri, s.deviceInfo, this.clientTimeout]);
    if (this.current?.key === key) return this.current.session;
    this.current?.unsubscribe();
    const session = new Session({
      store: this.store,
      env,
      profile: s.profile,
      http: this.client,
      refreshMarginMs: s.refreshMarginMs,
      ...(s.redirectUri ? { redirectUri: s.redirectUri } : {}),
      ...(s.deviceInfo ? { deviceInfo: s.deviceInfo } : {}),
    });
    const unsubscribe = session.onDidChange((e: SessionEvent) => {
      this.extLog.trace(`session ${session.env.name}/${session.profile}: ${e}`);
      this.busySince = e === 'refreshing' ? Date.now() : 0;
      this.emitter.fire();
    });
    this.current = { key, session, unsubscribe: () => (unsubscribe(), session.dispose()) };
    this.emitter.fire();
    return session;
  }

  /** current session; starts the sandbox (and imports its statement) when the environment is sandbox */
  async session(): Promise<Session> {
    if (this.settingsCache.environment === 'sandbox') return (await this.startSandbox()).session;
    return this.build(this.environment()!);
  }

  /** the current session if it exists without starting anything (status bar, diagnostics) */
  peekSession(): Session | undefined {
    try {
      const env = this.environment();
      return env ? this.build(env) : undefined;
    } catch {
      return undefined; // e.g. custom environment without a DCR origin
    }
  }

  async cmuClient(): Promise<CmuClient> {
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
      cur.cmu = new CmuClient({ http: this.client, session, cmuBase: base });
    }
    return cur.cmu;
  }

  /** starts the in-process sandbox; a new instance gets a clean slate and its own statement imported */
  async startSandbox(): Promise<{ session: Session; fresh: boolean }> {
    const { sandbox, fresh } = await this.sandboxHost.ensure();
    const session = this.build(resolveEnvironment('sandbox', { dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase }));
    if (fresh || !(await session.getStatement())) {
      // clients and tokens of an earlier sandbox instance mean nothing to this one
      await session.forget('all');
      await session.importStatement(sandbox.statement);
      this.extLog.info('sandbox statement imported');
    }
    return { session, fresh };
  }

  /**
   * Answers for the next modal confirmations: integration tests only (a modal dialog cannot be
   * driven from the extension host); empty otherwise.
   */
  readonly confirmAnswers: (string | undefined)[] = [];

  /** a modal warning with one action button; true when the user chose it */
  async confirm(message: string, detail: string, button: string): Promise<boolean> {
    this.extLog.trace(`asking: confirm ${message}`);
    const answer = this.confirmAnswers.length ? this.confirmAnswers.shift() : await vscode.window.showWarningMessage(message, { modal: true, detail }, button);
    return answer === button;
  }

  async showError(e: unknown): Promise<void> {
    await showError(e, this.extLog, (m) => (this.lastError = m), (t) => this.client.redact(t));
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

  /** what the notification's Cancel button does, for every running operation (tests) */
  cancelAll(): number {
    const n = this.inFlight.size;
    for (const ac of this.inFlight) ac.abort();
    return n;
  }

  /** runs a command body: errors become a message with a next step (never a stack), result or undefined */
  async run<T>(body: () => Promise<T>): Promise<T | undefined> {
    try {
      return await body();
    } catch (e) {
      if (!isCancellation(e)) await this.showError(e);
      return undefined;
    } finally {
      if (this.busySince) {
        this.busySince = 0;
        this.emitter.fire();
      }
    }
  }

  /** a token request is running */
  get busy(): boolean {
    return this.busySince > 0 && Date.now() - this.busySince < this.clientTimeout + 5000;
  }

  fire(): void {
    this.emitter.fire();
  }

  dispose(): void {
    this.current?.unsubscribe();
    this.emitter.dispose();
  }
}

export function createServices(context: vscode.ExtensionContext): ServicesImpl {
  return new ServicesImpl(context);
}
