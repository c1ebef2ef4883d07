import * as vscode from 'vscode';
import type { Sandbox } from '../../sandbox/server';
import type { ExtensionLog } from '../host/log';
import { Ctx, VsCmd } from '../host/ids';

/** globalState key: Stop Sandbox was the user's last word (kept across reloads until Start Sandbox) */
const STOPPED_KEY = 'cmu.sandbox.stoppedByUser';

/**
 * The "Sandbox" environment: the core's emulator of the Adobe endpoints, run in-process on
 * 127.0.0.1 (random port). It lives as long as the extension host, or until Stop Sandbox; after
 * Stop Sandbox nothing starts it again but the user (Start Sandbox, Switch Environment).
 */
export class SandboxHost implements vscode.Disposable {
  private sandbox?: Sandbox;
  private starting?: Promise<Sandbox>;
  private readonly emitter = new vscode.EventEmitter<Sandbox | undefined>();
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly log: ExtensionLog,
    private readonly state: vscode.Memento,
  ) {}

  /** the user stopped it: a query must not start it again behind their back */
  get stoppedByUser(): boolean {
    return this.state.get<boolean>(STOPPED_KEY, false);
  }

  async setStoppedByUser(stopped: boolean): Promise<void> {
    if (this.stoppedByUser !== stopped) await this.state.update(STOPPED_KEY, stopped);
  }

  get current(): Sandbox | undefined {
    return this.sandbox;
  }

  /** starts it (single-flight) reporting in `timeZone` (a fixed offset); `fresh` is true when this call started a new instance */
  async ensure(timeZone?: string): Promise<{ sandbox: Sandbox; fresh: boolean }> {
    if (this.sandbox) return { sandbox: this.sandbox, fresh: false };
    if (this.starting) return { sandbox: await this.starting, fresh: false };
    // the emulator is loaded when it is first started, not at activation
    this.starting = import('../../sandbox/server').then(({ Sandbox }) => Sandbox.start({ host: '127.0.0.1', ...(timeZone ? { timeZone } : {}) }));
    try {
      this.sandbox = await this.starting;
    } finally {
      this.starting = undefined;
    }
    this.log.info(`sandbox started on ${this.sandbox.origin}`);
    void vscode.commands.executeCommand(VsCmd.setContext, Ctx.sandboxRunning, true);
    this.emitter.fire(this.sandbox);
    return { sandbox: this.sandbox, fresh: true };
  }

  async stop(): Promise<boolean> {
    const s = this.sandbox ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.sandbox = undefined;
    if (!s) return false;
    await s.stop();
    this.log.info('sandbox stopped');
    void vscode.commands.executeCommand(VsCmd.setContext, Ctx.sandboxRunning, false);
    this.emitter.fire(undefined);
    return true;
  }

  dispose(): void {
    void this.stop().catch(() => undefined);
    this.emitter.dispose();
  }
}
