import * as vscode from 'vscode';
import { CmuError, InputError } from '../../core/errors';
import type { StatementInfo } from '../../core/statement';
import { registerCommand, type CommandContext } from './util';

const JWT_LIKE = /^\s*["']?[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_\-\s]*["']?\s*$/;

export function noStatementError(where: string): CmuError {
  return new CmuError(
    `No software statement for ${where}`,
    'Import the software statement downloaded from the TVE Dashboard (Registered Applications → Download) first.',
    'importStatement',
    'no_statement',
  );
}

async function readUri(uri: vscode.Uri): Promise<string> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    throw new InputError(
      `Cannot read ${uri.scheme === 'file' ? uri.fsPath : uri.toString()}`,
      `${e instanceof Error ? e.message.split('\n')[0] : String(e)}. Pick the .txt file downloaded from the TVE Dashboard.`,
      'importStatement',
      'statement_unreadable',
    );
  }
}

/** uriOrText: a vscode.Uri, a file path or URI string, the statement text itself, or { uri } / { text } */
async function statementText(arg: unknown): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return readUri(arg);
  if (arg && typeof arg === 'object') {
    const o = arg as { uri?: unknown; text?: unknown; path?: unknown };
    if (typeof o.text === 'string') return o.text;
    if (o.uri instanceof vscode.Uri) return readUri(o.uri);
    if (typeof o.uri === 'string') return statementText(o.uri);
    if (typeof o.path === 'string') return readUri(vscode.Uri.file(o.path));
  }
  if (typeof arg === 'string' && arg.trim()) {
    if (JWT_LIKE.test(arg)) return arg;
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(arg.trim())) return readUri(vscode.Uri.parse(arg.trim()));
    return readUri(vscode.Uri.file(arg.trim()));
  }
  return askForStatement();
}

async function askForStatement(): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: '$(file) From a file…', description: 'the .txt the TVE Dashboard downloads', id: 'file' },
      { label: '$(clippy) From the clipboard', id: 'clipboard' },
      { label: '$(edit) Paste it…', id: 'paste' },
    ],
    { title: 'Import Software Statement', placeHolder: 'Where is the software statement?' },
  );
  if (!pick) return undefined;
  if (pick.id === 'file') {
    const uris = await vscode.window.showOpenDialog({
      title: 'Software statement',
      canSelectMany: false,
      openLabel: 'Import',
      filters: { 'Software statement': ['txt', 'jwt', 'jws'], 'All files': ['*'] },
    });
    return uris?.[0] ? readUri(uris[0]) : undefined;
  }
  if (pick.id === 'clipboard') return vscode.env.clipboard.readText();
  return vscode.window.showInputBox({
    title: 'Import Software Statement',
    prompt: 'Paste the software statement (a JWT: header.claims.signature)',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() && !JWT_LIKE.test(v) ? 'A software statement has three parts separated by dots' : undefined),
  });
}

function statementDocument(info: StatementInfo, where: string): string {
  return JSON.stringify(
    {
      environment: where,
      header: info.header,
      claims: info.claims,
      signature: '(elided)',
      ...(info.warnings.length ? { warnings: info.warnings } : {}),
    },
    null,
    2,
  );
}

export function registerStatementCommands(ctx: CommandContext): void {
  const { services } = ctx;

  registerCommand(ctx, 'cmu.importSoftwareStatement', async (uriOrText?: unknown) => {
    const text = await statementText(uriOrText);
    if (text === undefined) return undefined; // the user closed the picker
    const session = await services.session();
    const info = await session.importStatement(text);
    const where = `${session.env.name}/${session.profile}`;
    services.extLog.info(`software statement imported for ${where} (alg ${info.alg}${info.kid ? `, kid ${info.kid}` : ''})`);
    for (const w of info.warnings) services.extLog.warn(`statement: ${w}`);
    if (uriOrText === undefined) {
      const msg = `Software statement imported for ${where}.${info.warnings.length ? ` Warning: ${info.warnings[0]}` : ''}`;
      void vscode.window.showInformationMessage(msg, 'Register Client').then((c) => {
        if (c) void vscode.commands.executeCommand('cmu.registerClient');
      });
    }
    return { alg: info.alg, claims: info.claims };
  });

  registerCommand(ctx, 'cmu.showSoftwareStatement', async () => {
    const session = await services.session();
    const where = `${session.env.name}/${session.profile}`;
    const info = await session.describeStatement();
    if (!info) throw noStatementError(where);
    await ctx.docs.open(`software-statement-${session.env.name}-${session.profile}.json`, statementDocument(info, where), 'json');
    return { alg: info.alg, claims: info.claims };
  });
}
