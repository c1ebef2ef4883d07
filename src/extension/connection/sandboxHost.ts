import * as vscode from 'vscode';
import { Sandbox } from '../../sandbox/server';
import type { ExtensionLog } from '../host/log';
import { Ctx, VsCmd } from '../host/ids';

/**
 * The "Sandbox" environment: the core's emulator of the Adobe endpoints, run in-process on
 * 127.0.0.1 (random port). It lives as long as the extension host, or until Stop Sandbox.
 */
export class SandboxHost implements vscode.Disposable {
  private sandbox?: Sandbox;
  private starting?: Promise<Sandbox>;
  private readonly emitter = new vscode.EventEmitter<Sandbox | undefined>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: ExtensionLog) {}

  get current(): Sandbox | undefined {
    return this.sandbox;
  }

  /** starts it (single-flight) reporting in `timeZone` (a fixed offset); `fresh` is true when this call started a new instance */
  async ensure(timeZone?: string): Promise<{ sandbox: Sandbox; fresh: boolean }> {
    if (this.sandbox) return { sandbox: this.sandbox, fresh: false };
    if (this.starting) return { sandbox: await this.starting, fresh: false };
    this.starting = Sandbox.start({ host: '127.0.0.1', ...(timeZone ? { timeZone } : {}) });
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
