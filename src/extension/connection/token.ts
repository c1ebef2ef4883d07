import * as vscode from 'vscode';
import type { TokenInfo } from '../../core/token';
import { formatRemaining } from '../../core/clock';
import { registerCommand, options, type CommandContext } from '../host/commands';
import { Cmd } from '../host/ids';
import { InputError } from '../../core/errors';
import { notificationText } from '../host/errorUi';
import { markdownText } from '../host/markdown';

/** what a command may return about a token: never the token */
export function tokenResult(t: TokenInfo): { expiresAt: number; scopes: string[] } {
  return { expiresAt: t.expiresAt, scopes: [...t.scopes] };
}

/** Token descriptions (core/token.ts, with jose's decoder): loaded by the first command that shows a token, not at activation. */
const tokens = () => import('../../core/token');

async function tokenDocument(t: TokenInfo, where: string): Promise<string> {
  const d = (await tokens()).describeToken(t);
  const lines = [
    `# Access token — ${where}`,
    '',
    ...d.fields.map((f) => `- **${f.name}**: ${markdownText(f.display)}`), // scopes, client id: the server's words
    '',
    'The raw token is not shown here. To copy it, run **CMU: Copy Raw Access Token…** (asks first), or',
    '**CMU: Copy Authorization Header** for a ready-made `Authorization: Bearer …` value.',
  ];
  if (t.claims && Object.keys(t.claims).length) {
    lines.push('', '## Decoded claims (not verified)', '', '```json', JSON.stringify(t.claims, null, 2), '```');
  }
  return lines.join('\n') + '\n';
}

export function registerTokenCommands(ctx: CommandContext): void {
  const { services } = ctx;

  registerCommand(services, Cmd.registerClient, async () => {
    const session = await services.session();
    const creds = await services.withProgress(`Registering a client with ${session.env.dcrOrigin}…`, (signal) => session.register({ signal }));
    services.log.info(`client registered for ${session.env.name}/${session.profile}: ${creds.clientId}`);
    void vscode.window.showInformationMessage(notificationText(`Client registered (${creds.clientId}).`), 'Get Access Token').then((c) => {
      if (c) void vscode.commands.executeCommand(Cmd.getAccessToken);
    });
    return { clientId: creds.clientId };
  });

  const getToken = async (forceRefresh: boolean) => {
    const session = await services.session();
    const t = await services.withProgress(forceRefresh ? 'Refreshing the access token…' : 'Getting an access token…', (signal) =>
      session.getToken({ forceRefresh, signal }),
    );
    // one visible result and the natural next step
    void vscode.window.showInformationMessage(`Access token valid for ${formatRemaining(t.expiresAt - Date.now())}. Run a query?`, 'Run Query…').then((c) => {
      if (c) void vscode.commands.executeCommand(Cmd.runQuery);
    });
    return tokenResult(t);
  };
  registerCommand(services, Cmd.getAccessToken, () => getToken(false));
  registerCommand(services, Cmd.refreshAccessToken, () => getToken(true));

  registerCommand(services, Cmd.showAccessToken, async () => {
    const session = await services.session();
    // showing never requests a token (which could register a client as a side effect)
    const t = await session.peekToken();
    if (!t) throw new InputError('No access token yet', 'Showing never requests one: get it first.', 'getToken', 'no_token');
    await ctx.docs.open(`access-token-${session.env.name}-${session.profile}.md`, await tokenDocument(t, `${session.env.name}/${session.profile}`), 'markdown', { preview: true });
    return tokenResult(t);
  });

  registerCommand(services, Cmd.copyAccessToken, async (arg?: unknown) => {
    const session = await services.session();
    const t = await services.withProgress('Getting an access token…', (signal) => session.getToken({ signal }));
    if (!options<{ confirmed: boolean }>(arg).confirmed) {
      const ok = await vscode.window.showWarningMessage(
        'Copy the raw access token to the clipboard?',
        {
          modal: true,
          detail: `Anyone who gets it can read your CMU reports until it expires (in ${formatRemaining(t.expiresAt - Date.now())}). Do not paste it into tickets or chats.`,
        },
        'Copy Token',
      );
      if (ok !== 'Copy Token') return undefined;
    }
    await vscode.env.clipboard.writeText(t.accessToken);
    return { copied: true, ...tokenResult(t) };
  });

  // the header holds the raw token: asked like Copy Raw Access Token, unless a script passes { confirmed: true }
  registerCommand(services, Cmd.copyAuthorizationHeader, async (arg?: unknown) => {
    const session = await services.session();
    const t = await services.withProgress('Getting an access token…', (signal) => session.getToken({ signal }));
    if (
      !options<{ confirmed: boolean }>(arg).confirmed &&
      !(await services.confirm(
        'Copy the Authorization header (with the raw access token) to the clipboard?',
        `Anyone who gets it can read your CMU reports until it expires (in ${formatRemaining(t.expiresAt - Date.now())}). Do not paste it into tickets or chats.`,
        'Copy Header',
      ))
    ) {
      return undefined;
    }
    await vscode.env.clipboard.writeText(`Authorization: Bearer ${t.accessToken}`);
    void vscode.window.setStatusBarMessage(
      `CMU: Authorization header copied (valid for ${formatRemaining(t.expiresAt - Date.now())})`,
      5000,
    );
    return tokenResult(t);
  });
}
