import { formatInstant, formatRemaining } from '../../core/clock';
import * as vscode from 'vscode';
import type { Services } from '../host/services';
import { registerCommand } from '../host/commands';
import { Cmd, View } from '../host/ids';

/** the neutral first state, until the user chose an environment or stored something */
const SET_UP = 'set up';

/** the user's own value of a cmu.* setting (undefined: never set) */
function userSetting(key: string): unknown {
  return vscode.workspace.getConfiguration('cmu').inspect(key)?.globalValue;
}

const ENV_SHORT: Record<string, string> = { production: 'prod', staging: 'staging', sandbox: 'sandbox', custom: 'custom' };

const ACTIONS: { label: string; command: string; detail?: string }[] = [
  { label: '$(key) Get Access Token', command: Cmd.getAccessToken },
  { label: '$(refresh) Refresh Access Token', command: Cmd.refreshAccessToken },
  { label: '$(eye) Show Access Token', command: Cmd.showAccessToken },
  { label: '$(copy) Copy Authorization Header', command: Cmd.copyAuthorizationHeader },
  { label: '$(pulse) Diagnose Connection', command: Cmd.diagnose },
  { label: '$(server-environment) Switch Environment…', command: Cmd.switchEnvironment },
  { label: '$(file-add) Import Software Statement…', command: Cmd.importSoftwareStatement },
  { label: '$(output) Show Log', command: Cmd.showLog },
];

/**
 * "CMU prod · token 5h 12m" | "no credentials" | "not registered" | "no token" | "expired" | "refreshing…" | "stopped".
 * Updated on every session change and on a timer (the remaining time ticks down). Reads only what
 * is stored (no network, never starts the sandbox).
 */
export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly timer: ReturnType<typeof setInterval>;
  private seq = 0;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly services: Services, intervalMs = 30_000) {
    this.item = vscode.window.createStatusBarItem(View.statusBar, vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'CMU Explorer';
    this.item.command = Cmd.statusBarActions;
    registerCommand(services, Cmd.statusBarActions, async () => {
      const pick = await vscode.window.showQuickPick(ACTIONS, { title: `CMU — ${this.text}`, placeHolder: 'What next?' });
      return pick ? vscode.commands.executeCommand(pick.command) : undefined;
    });
    this.subs.push(services.onDidChangeSession(() => this.update()));
    this.timer = setInterval(() => this.update(), intervalMs);
    // The first reading loads the session chain (~3 ms) and waits for secret storage: it starts once activate()
    // has returned. The item's text comes when the secrets are read, after activation either way.
    const first = setTimeout(() => void this.update(), 0);
    this.subs.push({ dispose: () => clearTimeout(first) });
    this.item.show();
  }

  get text(): string {
    return this.item.text.replace(/^\$\([\w~-]+\)\s*/, '');
  }

  /** Reads the state again; resolves when the text shows it (or a newer reading took over). */
  update(): Promise<void> {
    const seq = ++this.seq;
    return this.compute().then(
      ({ state, warn, tooltip }) => {
        if (seq !== this.seq) return;
        const env = ENV_SHORT[this.services.settings().environment] ?? this.services.settings().environment;
        const icon = state === 'refreshing…' ? '$(sync~spin)' : warn ? '$(warning)' : '$(key)';
        this.item.text = state === SET_UP ? `${icon} CMU: ${SET_UP}` : `${icon} CMU ${env} · ${state}`;
        this.item.tooltip = `${tooltip}\nClick for actions.`;
        this.item.backgroundColor = warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      },
      () => undefined,
    );
  }

  private async compute(): Promise<{ state: string; warn: boolean; tooltip: string }> {
    const s = this.services.settings();
    const where = `${s.environment}/${s.profile}`;
    if (s.environment === 'sandbox' && !this.services.sandboxHost.current) {
      return { state: 'stopped', warn: false, tooltip: `CMU ${where}: the sandbox is not running (CMU: Start Sandbox).` };
    }
    const session = await this.services.peekSession();
    if (!session) return { state: 'not configured', warn: true, tooltip: `CMU ${where}: endpoints not set (user settings cmu.${s.environment}.*).` };
    if (this.services.busy) return { state: 'refreshing…', warn: false, tooltip: `CMU ${where}: getting a new access token…` };
    const token = await session.peekToken();
    if (token) {
      const left = token.expiresAt - Date.now();
      if (left <= 0) return { state: 'expired', warn: true, tooltip: `CMU ${where}: the access token expired; the next call gets a new one.` };
      return {
        state: `token ${formatRemaining(left)}`,
        warn: false,
        tooltip: `CMU ${where}: access token valid until ${formatInstant(token.expiresAt)}.`,
      };
    }
    const creds = await session.peekCredentials();
    if (creds) return { state: 'no token', warn: false, tooltip: `CMU ${where}: client ${creds.clientId} registered, no access token yet.` };
    // a statement and nothing else (the sandbox just started): nothing is wrong, the first query registers
    if (await session.getStatement()) {
      return { state: 'not registered', warn: false, tooltip: `CMU ${where}: software statement imported; the first query registers a client (or CMU: Register Client).` };
    }
    // nothing stored and no environment chosen yet: a newcomer, not a broken setup
    if (userSetting('environment') === undefined) {
      return { state: SET_UP, warn: false, tooltip: 'CMU Explorer: import a software statement, or start the sandbox to try it without a licence.' };
    }
    return { state: 'no credentials', warn: true, tooltip: `CMU ${where}: import a software statement and register a client.` };
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.subs) d.dispose();
    this.item.dispose();
  }
}
