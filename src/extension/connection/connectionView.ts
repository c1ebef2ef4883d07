/**
 * The Connection view: environment and profile, software statement (summary), client (client_id), token
 * (expiry countdown, scopes), each with inline actions that run the extension's commands; welcome
 * content (package.json viewsWelcome) when there is nothing to show yet.
 *
 * It only peeks (no network, no sandbox start): what is stored for the current environment/profile.
 */
import { formatInstant, formatRemaining, formatUtc } from '../../core/clock';
import * as vscode from 'vscode';
import type { Services } from '../host/services';
import { Cmd, Ctx, View, VsCmd, type CmdId } from '../host/ids';
import { registerCommand } from '../host/commands';

type ConnState = 'ready' | 'noStatement' | 'sandboxStopped' | 'notConfigured';

interface Snapshot {
  state: ConnState;
  environment: string;
  profile: string;
  cmuBase?: string;
  statement?: { alg: string; fields: { name: string; display: string }[]; warnings: string[] };
  client?: { clientId: string; scopes: string[]; grantTypes: string[]; issuedAt?: number };
  token?: { expiresAt: number; obtainedAt: number; scopes: string[]; tokenType: string };
  error?: string;
}

export type ConnNode =
  | { kind: 'environment' }
  | { kind: 'statement' }
  | { kind: 'client' }
  | { kind: 'token' }
  | { kind: 'detail'; parent: 'statement' | 'client' | 'token'; label: string; value: string; icon?: string };

/** Connection actions: each runs one of the extension's commands, with no arguments (it asks / confirms). */
export const CONNECTION_ACTIONS: [CmdId, CmdId][] = [
  [Cmd.connectionImportStatement, Cmd.importSoftwareStatement],
  [Cmd.connectionShowStatement, Cmd.showSoftwareStatement],
  [Cmd.connectionRegisterClient, Cmd.registerClient],
  [Cmd.connectionRefreshToken, Cmd.refreshAccessToken],
  [Cmd.connectionShowToken, Cmd.showAccessToken],
  [Cmd.connectionForgetCredentials, Cmd.forgetCredentials],
  [Cmd.connectionSwitchEnvironment, Cmd.switchEnvironment],
  [Cmd.connectionDiagnose, Cmd.diagnose],
  [Cmd.connectionStartSandbox, Cmd.startSandbox],
];

const NODE_KINDS = new Set(['environment', 'statement', 'client', 'token', 'detail']);
/** an element of this view (its inline and context menus pass it to the command) */
export function isConnNode(v: unknown): v is ConnNode {
  return !!v && typeof v === 'object' && NODE_KINDS.has((v as { kind?: string }).kind ?? '');
}

export class ConnectionTreeProvider implements vscode.TreeDataProvider<ConnNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ConnNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private snap: Snapshot = { state: 'noStatement', environment: '', profile: '' };
  private loading?: Promise<void>;
  private readonly tokenNode: ConnNode = { kind: 'token' };
  private readonly roots: ConnNode[] = [{ kind: 'environment' }, { kind: 'statement' }, { kind: 'client' }, this.tokenNode];

  constructor(private readonly services: Services) {}

  /** Re-reads what is stored (no network). */
  reload(): Promise<void> {
    this.loading = this.load().then(() => {
      const set = (key: string, value: unknown) => void vscode.commands.executeCommand(VsCmd.setContext, key, value);
      set(Ctx.connectionState, this.snap.state);
      // the walkthrough follows state, not only its own buttons (the sandbox imports its statement itself)
      set(Ctx.hasStatement, !!this.snap.statement);
      set(Ctx.hasClient, !!this.snap.client);
      set(Ctx.hasToken, !!this.snap.token);
      this.emitter.fire();
    });
    return this.loading;
  }

  /** Updates the countdown only. */
  tick(): void {
    if (this.snap.token) this.emitter.fire(this.tokenNode);
  }

  get snapshot(): Snapshot {
    return this.snap;
  }

  private async load(): Promise<void> {
    const s = this.services.settings();
    const snap: Snapshot = { state: 'ready', environment: s.environment, profile: s.profile };
    try {
      if (s.environment === 'sandbox' && !this.services.sandboxHost.current) {
        this.snap = { ...snap, state: 'sandboxStopped' };
        return;
      }
      const session = await this.services.peekSession();
      if (!session) {
        this.snap = { ...snap, state: 'notConfigured' };
        return;
      }
      snap.environment = session.env.name;
      snap.profile = session.profile;
      snap.cmuBase = session.env.cmuBase;
      const [info, creds, token] = await Promise.all([session.describeStatement(), session.peekCredentials(), session.peekToken()]);
      if (info) snap.statement = { alg: info.alg, fields: info.fields.map((f) => ({ name: f.name, display: f.display })), warnings: info.warnings };
      if (creds) snap.client = { clientId: creds.clientId, scopes: creds.scopes, grantTypes: creds.grantTypes, issuedAt: creds.issuedAt };
      if (token) snap.token = { expiresAt: token.expiresAt, obtainedAt: token.obtainedAt, scopes: token.scopes, tokenType: token.tokenType };
      if (!info && !creds && !token) snap.state = 'noStatement';
    } catch (e) {
      snap.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
      snap.state = 'notConfigured';
    }
    this.snap = snap;
  }

  async getChildren(node?: ConnNode): Promise<ConnNode[]> {
    if (!this.loading) void this.reload();
    await this.loading;
    const s = this.snap;
    if (!node) return s.state === 'ready' ? this.roots : [];
    switch (node.kind) {
      case 'statement':
        return [
          ...(s.statement?.fields ?? []).map((f) => ({ kind: 'detail' as const, parent: 'statement' as const, label: f.name, value: f.display })),
          ...(s.statement?.warnings ?? []).map((w) => ({ kind: 'detail' as const, parent: 'statement' as const, label: 'warning', value: w, icon: 'warning' })),
        ];
      case 'client':
        if (!s.client) return [];
        return [
          { kind: 'detail', parent: 'client', label: 'client_id', value: s.client.clientId },
          { kind: 'detail', parent: 'client', label: 'scopes', value: s.client.scopes.join(', ') || '(none)' },
          { kind: 'detail', parent: 'client', label: 'grant types', value: s.client.grantTypes.join(', ') || '(none)' },
          ...(s.client.issuedAt ? [{ kind: 'detail' as const, parent: 'client' as const, label: 'issued', value: formatUtc(s.client.issuedAt) }] : []),
        ];
      case 'token':
        if (!s.token) return [];
        return [
          { kind: 'detail', parent: 'token', label: 'expires', value: formatUtc(s.token.expiresAt) },
          { kind: 'detail', parent: 'token', label: 'obtained', value: formatUtc(s.token.obtainedAt) },
          ...s.token.scopes.map((sc) => ({ kind: 'detail' as const, parent: 'token' as const, label: 'scope', value: sc, icon: 'shield' })),
        ];
      default:
        return [];
    }
  }

  getTreeItem(node: ConnNode): vscode.TreeItem {
    const s = this.snap;
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'environment': {
        const item = new vscode.TreeItem('Environment', C.None);
        item.id = 'conn.environment';
        item.description = `${s.environment} · profile ${s.profile}`;
        item.tooltip = `Environment ${s.environment}, profile ${s.profile}${s.cmuBase ? `\nCMU base: ${s.cmuBase}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(s.environment === 'sandbox' ? 'beaker' : 'globe');
        item.contextValue = 'cmu.conn.environment';
        return item;
      }
      case 'statement': {
        const item = new vscode.TreeItem('Software statement', s.statement ? C.Collapsed : C.None);
        item.id = 'conn.statement';
        if (s.statement) {
          const pick = (n: string) => s.statement!.fields.find((f) => f.name === n)?.display;
          const sub = pick('sub');
          item.description = [s.statement.alg, sub ? `sub ${sub.length > 13 ? sub.slice(0, 8) + '…' : sub}` : undefined, pick('iss')].filter(Boolean).join(' · ');
          item.iconPath = new vscode.ThemeIcon(s.statement.warnings.length ? 'warning' : 'verified');
          item.contextValue = 'cmu.conn.statement';
          item.tooltip = s.statement.fields.map((f) => `${f.name}: ${f.display}`).join('\n');
        } else {
          item.description = 'not imported';
          item.iconPath = new vscode.ThemeIcon('circle-large-outline');
          item.contextValue = 'cmu.conn.statement.missing';
        }
        return item;
      }
      case 'client': {
        const item = new vscode.TreeItem('Client', s.client ? C.Collapsed : C.None);
        item.id = 'conn.client';
        if (s.client) {
          item.description = s.client.clientId;
          item.iconPath = new vscode.ThemeIcon('key');
          item.contextValue = 'cmu.conn.client';
          item.tooltip = `client_id ${s.client.clientId}\nscopes: ${s.client.scopes.join(', ') || '(none)'}\nThe client secret stays in SecretStorage.`;
        } else {
          item.description = s.statement ? 'not registered' : 'import a statement first';
          item.iconPath = new vscode.ThemeIcon('circle-large-outline');
          item.contextValue = 'cmu.conn.client.missing';
        }
        return item;
      }
      case 'token': {
        const item = new vscode.TreeItem('Access token', s.token ? C.Collapsed : C.None);
        item.id = 'conn.token';
        if (s.token) {
          const left = s.token.expiresAt - Date.now();
          item.description = left > 0 ? `expires in ${formatRemaining(left)}` : `expired ${formatRemaining(-left)} ago`;
          item.iconPath = new vscode.ThemeIcon(left > 0 ? 'pass' : 'error');
          item.contextValue = left > 0 ? 'cmu.conn.token' : 'cmu.conn.token.expired';
          item.tooltip = `${s.token.tokenType} token, expires ${formatInstant(s.token.expiresAt)}\nscopes: ${s.token.scopes.join(', ') || '(none stated)'}`;
        } else {
          item.description = s.client ? 'none yet' : 'register a client first';
          item.iconPath = new vscode.ThemeIcon('circle-large-outline');
          item.contextValue = 'cmu.conn.token.missing';
        }
        return item;
      }
      case 'detail': {
        const item = new vscode.TreeItem(node.label, C.None);
        item.description = node.value;
        item.tooltip = `${node.label}: ${node.value}`;
        item.contextValue = 'cmu.conn.detail';
        if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function registerConnectionView(services: Services): ConnectionTreeProvider {
  const { context } = services;
  const provider = new ConnectionTreeProvider(services);
  const view = vscode.window.createTreeView(View.connection, { treeDataProvider: provider });
  let timer: ReturnType<typeof setInterval> | undefined;
  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    // the countdown ticks every second in its last hour, else every 30 s; only while the view is visible
    if (!view.visible) return;
    const left = provider.snapshot.token ? provider.snapshot.token.expiresAt - Date.now() : Infinity;
    timer = setInterval(() => {
      provider.tick();
      const l = provider.snapshot.token ? provider.snapshot.token.expiresAt - Date.now() : Infinity;
      if (l < 3_600_000 !== left < 3_600_000) schedule();
    }, left < 3_600_000 ? 1000 : 30_000);
  };
  const reload = () => void provider.reload().then(schedule);
  context.subscriptions.push(
    provider,
    view,
    services.onDidChangeSession(reload),
    view.onDidChangeVisibility(() => (view.visible ? reload() : schedule())),
    { dispose: () => timer && clearInterval(timer) },
  );
  // re-reads what is stored and returns what the view shows (no secret: ids, states, expiry, scopes)
  registerCommand(
    services,
    Cmd.connectionRefresh,
    async () => {
      await provider.reload();
      schedule();
      const roots = await provider.getChildren();
      const s = provider.snapshot;
      return {
        state: s.state,
        environment: s.environment,
        profile: s.profile,
        statement: !!s.statement,
        clientId: s.client?.clientId,
        tokenExpiresAt: s.token?.expiresAt,
        scopes: s.token?.scopes,
        items: roots.map((n) => {
          const it = provider.getTreeItem(n);
          return { label: String(it.label), description: String(it.description ?? ''), contextValue: it.contextValue };
        }),
      };
    },
    { isTreeItem: isConnNode },
  );
  for (const [id, target] of CONNECTION_ACTIONS) {
    registerCommand(
      services,
      id,
      async () => {
        try {
          // no arguments: the target command asks for what it needs (and confirms what it forgets)
          return await vscode.commands.executeCommand(target);
        } finally {
          reload();
        }
      },
      { isTreeItem: isConnNode },
    );
  }
  void vscode.commands.executeCommand(VsCmd.setContext, Ctx.connectionState, 'noStatement');
  return provider;
}
