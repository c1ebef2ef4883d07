import * as vscode from 'vscode';
import type { EnvironmentName } from '../../core/environments';
import { CmuError, InputError } from '../../core/errors';
import type { StatementInfo } from '../../core/statement';
import type { Session } from '../../core/session';
import type { Services } from '../host/services';
import { ENV_DESCRIPTIONS, switchEnvironment } from './environment';
import { registerCommand, type CommandContext } from '../host/commands';
import { Cmd } from '../host/ids';

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

/** uriOrText (scripts): a vscode.Uri, a file path or URI string, the statement text itself, or { uri } / { text } / { path } */
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
  return undefined;
}

/** the palette's three sources; undefined when the user closes a picker */
async function askForStatement(services: Services, where: string): Promise<{ text: string; from: 'file' | 'clipboard' | 'paste' } | undefined> {
  const title = `Import Software Statement — ${where}`;
  services.log.trace('asking: where is the statement');
  const pick = await vscode.window.showQuickPick(
    [
      { label: '$(file) From a file…', description: 'the .txt the TVE Dashboard downloads', id: 'file' as const },
      { label: '$(clippy) From the clipboard', id: 'clipboard' as const },
      { label: '$(edit) Paste it…', id: 'paste' as const },
    ],
    { title, placeHolder: 'Where is the software statement?' },
  );
  if (!pick) return undefined;
  services.log.trace(`asking: statement ${pick.id}`);
  if (pick.id === 'file') {
    const uris = await vscode.window.showOpenDialog({
      title,
      canSelectMany: false,
      openLabel: 'Import',
      filters: { 'Software statement': ['txt', 'jwt', 'jws'], 'All files': ['*'] },
    });
    return uris?.[0] ? { text: await readUri(uris[0]), from: 'file' } : undefined;
  }
  if (pick.id === 'clipboard') return { text: await vscode.env.clipboard.readText(), from: 'clipboard' };
  const text = await vscode.window.showInputBox({
    title,
    prompt: 'Paste the software statement (a JWT: header.claims.signature)',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() && !JWT_LIKE.test(v) ? 'A software statement has three parts separated by dots' : undefined),
  });
  return text?.trim() ? { text, from: 'paste' } : undefined; // an empty box is a change of mind, not an error
}

/** The statement's parser and checks (with jose): loaded by the first command that reads a statement, not at activation. */
const statements = () => import('../../core/statement');

/** checks the text before anything is stored; a clipboard that holds something else says so */
async function checkStatement(text: string, from: 'file' | 'clipboard' | 'paste'): Promise<StatementInfo> {
  const { parseStatement } = await statements();
  if (from === 'clipboard' && !text.trim()) {
    throw new InputError(
      'The clipboard is empty',
      'Copy the software statement (the content of the .txt file the TVE Dashboard downloads), or import the file itself. Nothing was imported.',
      'importStatement',
      'statement_empty',
    );
  }
  try {
    return parseStatement(text);
  } catch (e) {
    if (from !== 'clipboard' || !(e instanceof CmuError)) throw e;
    const why = e.message.replace(/^The software statement /, 'It ').replace(/ of the software statement/, '');
    throw new InputError(
      `The clipboard does not hold a software statement: ${why.charAt(0).toLowerCase()}${why.slice(1)}`,
      'Copy the whole content of the .txt file the TVE Dashboard downloads (a JWT: header.claims.signature), or import the file itself. Nothing was imported.',
      e.nextStep,
      e.code,
    );
  }
}

/**
 * The sandbox accepts only the statements it signed. A statement downloaded from the TVE Dashboard,
 * imported while the sandbox is selected (e.g. the walkthrough's first step), belongs to a real
 * environment: ask which one instead of storing it under the sandbox and sending it there.
 */
async function targetFor(services: Services, info: StatementInfo): Promise<EnvironmentName | undefined> {
  const current = services.settings().environment;
  if (current !== 'sandbox') return current;
  await services.startSandbox();
  const jwks = services.sandboxHost.current?.jwks;
  const { verifyStatement } = await statements();
  if (jwks && (await verifyStatement(info.compact, JSON.stringify(jwks)).then(() => true, () => false))) return 'sandbox';
  services.log.trace('asking: environment of a statement the sandbox did not sign');
  const pick = await vscode.window.showQuickPick(
    (['production', 'staging', 'custom'] as const).map((n) => ({ label: n, detail: ENV_DESCRIPTIONS[n], n })),
    {
      title: 'Import Software Statement — not a sandbox statement',
      placeHolder: 'The sandbox did not sign this statement (it uses its own). Import it for which environment?',
    },
  );
  if (!pick) return undefined;
  await switchEnvironment(services, pick.n); // refuses (with the fix) an environment whose hosts are not set
  return pick.n;
}

/** palette: ask where the statement is, check it, pick the environment, confirm a replacement, store */
async function importFromPalette(services: Services): Promise<{ alg: string; claims: Record<string, unknown> } | undefined> {
  const s = services.settings();
  const picked = await askForStatement(services, `${s.environment}/${s.profile}`);
  if (!picked) return undefined;
  const checked = await checkStatement(picked.text, picked.from); // nothing stored is touched before this passes
  if (!(await targetFor(services, checked))) return undefined;
  const session = await services.session();
  const where = `${session.env.name}/${session.profile}`;
  await refuseToken(session, checked);
  const previous = await session.getStatement();
  if (previous && previous !== checked.compact) {
    const ok = await vscode.window.showWarningMessage(
      `Replace the software statement of ${where}?`,
      { modal: true, detail: 'The stored access token is discarded; the client registers again with the new statement on the next call.' },
      'Replace',
    );
    if (ok !== 'Replace') return undefined;
  }
  const info = await session.importStatement(checked.compact);
  logImport(services, info, where);
  const msg = `Software statement imported for ${where}.${info.warnings.length ? ` Warning: ${info.warnings[0]}` : ''}`;
  void vscode.window.showInformationMessage(msg, 'Register Client').then((c) => {
    if (c) void vscode.commands.executeCommand(Cmd.registerClient);
  });
  return { alg: info.alg, claims: info.claims };
}

/** the raw access token (CMU: Copy Raw Access Token…) is a JWT too: never store it as the statement */
async function refuseToken(session: Session, info: StatementInfo): Promise<void> {
  const { refuseAccessToken } = await statements();
  refuseAccessToken(info, (await session.peekToken())?.accessToken);
}

function logImport(services: Services, info: StatementInfo, where: string): void {
  services.log.info(`software statement imported for ${where} (alg ${info.alg}${info.kid ? `, kid ${info.kid}` : ''})`);
  for (const w of info.warnings) services.log.warn(`statement: ${w}`);
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

  registerCommand(services, Cmd.importSoftwareStatement, async (uriOrText?: unknown) => {
    const text = await statementText(uriOrText);
    if (text === undefined) return importFromPalette(services); // no argument: ask
    const session = await services.session();
    const { parseStatement } = await statements();
    await refuseToken(session, parseStatement(text));
    const info = await session.importStatement(text);
    logImport(services, info, `${session.env.name}/${session.profile}`);
    return { alg: info.alg, claims: info.claims };
  });

  registerCommand(services, Cmd.showSoftwareStatement, async () => {
    const session = await services.session();
    const where = `${session.env.name}/${session.profile}`;
    const info = await session.describeStatement();
    if (!info) throw noStatementError(where);
    await ctx.docs.open(`software-statement-${session.env.name}-${session.profile}.json`, statementDocument(info, where), 'json');
    return { alg: info.alg, claims: info.claims };
  });
}
