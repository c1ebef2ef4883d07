// Issue 4, proven inside a real VS Code extension host against the in-process sandbox: every command
// through executeCommand, secrets in SecretStorage only, status bar states, restricted configuration,
// diagnose on a broken chain.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as vscode from 'vscode';
import { secretKey } from '../../src/core/store';
import type { TestApi } from '../../src/extension/host/testApi';
import { answerQuickPick, cmd, eventually, filesUnder, resetUserSettings, setUserSetting, statusBarIs, testApi, tmpFile } from './helpers';

interface Step { name: string; ok: boolean; verdict: 'ok' | 'warn' | 'fail' | 'skipped'; detail: string; why?: string; fix?: string }
interface TokenResult { expiresAt: number; scopes: string[] }

const CONNECTION_COMMANDS = [
  'cmu.importSoftwareStatement', 'cmu.showSoftwareStatement', 'cmu.registerClient', 'cmu.getAccessToken',
  'cmu.refreshAccessToken', 'cmu.showAccessToken', 'cmu.copyAuthorizationHeader', 'cmu.diagnose',
  'cmu.switchEnvironment', 'cmu.forgetCredentials', 'cmu.startSandbox', 'cmu.stopSandbox', 'cmu.showLog',
];

function plain(o: unknown): void {
  assert.deepStrictEqual(JSON.parse(JSON.stringify(o)), o, 'a command result is a plain JSON object');
}

function step(steps: Step[], name: string): Step {
  const s = steps.find((x) => x.name === name);
  assert.ok(s, `no "${name}" step in ${JSON.stringify(steps)}`);
  return s;
}

suite('extension: commands against the sandbox', function () {
  this.timeout(60_000);
  let api: TestApi;
  let statementFile: string;
  /** every secret seen during the suite, checked at the end against settings, logs and files */
  const secrets = new Set<string>();

  const sb = () => {
    const s = api.sandbox();
    assert.ok(s, 'sandbox running');
    return s;
  };
  const currentSession = () => api.services.session();
  const statusIs = (re: RegExp) => statusBarIs(api, re);

  suiteSetup(async () => {
    api = await testApi();
    await resetUserSettings();
  });

  suiteTeardown(async () => {
    await resetUserSettings();
  });

  test('activates on demand (no "*") and registers every contributed command', async () => {
    const pkg = vscode.extensions.getExtension('cmu-explorer.cmu-explorer')!.packageJSON as {
      activationEvents: string[];
      contributes: { commands: { command: string; category: string }[] };
    };
    assert.ok(!pkg.activationEvents.includes('*'));
    // onWebviewPanel: the report panel's serializer restores panels after a reload
    assert.ok(pkg.activationEvents.every((e) => /^on(Command|View|WebviewPanel):/.test(e)), pkg.activationEvents.join());
    const all = await vscode.commands.getCommands(true);
    // every contributed command (palette, menus, walkthrough links) has a handler once activate() returned
    const missing = pkg.contributes.commands.map((c) => c.command).filter((id) => !all.includes(id));
    assert.deepStrictEqual(missing, [], 'contributed but not registered');
    for (const id of CONNECTION_COMMANDS) {
      assert.ok(all.includes(id), `${id} registered`);
      const c = pkg.contributes.commands.find((x) => x.command === id);
      assert.strictEqual(c?.category, 'CMU', `${id} has category CMU`);
    }
  });

  test('cmu.startSandbox starts it on 127.0.0.1, switches environment, imports its statement', async () => {
    const r = await cmd<{ dcrOrigin: string; cmuBase: string }>('cmu.startSandbox');
    assert.ok(r, `startSandbox failed: ${api.lastError()}`);
    plain(r);
    assert.match(r.dcrOrigin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.strictEqual(r.cmuBase, `${r.dcrOrigin}/cmu/v2`);
    assert.strictEqual(vscode.workspace.getConfiguration('cmu').get('environment'), 'sandbox');
    sb().setThrottle(false);
    const session = await currentSession();
    assert.strictEqual(session.env.name, 'sandbox');
    assert.ok(await session.getStatement(), 'statement imported automatically');
    // a statement and no client yet is a normal state, not a warning: the first query registers
    await statusIs(/^CMU sandbox · not registered$/);
    assert.strictEqual(api.statusBarWarns(), false, 'no warning colour');
  });

  test('cmu.importSoftwareStatement from a file (Uri and path), from text; a broken file is explained', async () => {
    const statement = sb().statement;
    secrets.add(statement);
    statementFile = tmpFile('software-statement.txt', `${statement}\n`); // as the TVE Dashboard downloads it
    const r = await cmd<{ alg: string; claims: Record<string, unknown> }>('cmu.importSoftwareStatement', vscode.Uri.file(statementFile));
    assert.ok(r, `import failed: ${api.lastError()}`);
    plain(r);
    assert.strictEqual(r.alg, 'RS256');
    assert.ok(Object.keys(r.claims).length > 0);
    assert.ok(!JSON.stringify(r).includes(statement.split('.')[2]), 'no signature in the result');
    const byPath = await cmd<{ alg: string }>('cmu.importSoftwareStatement', statementFile);
    assert.strictEqual(byPath?.alg, 'RS256');
    const byText = await cmd<{ alg: string }>('cmu.importSoftwareStatement', statement);
    assert.strictEqual(byText?.alg, 'RS256');

    api.clearLastError();
    const broken = tmpFile('broken.txt', 'this is not a statement');
    const bad = await cmd('cmu.importSoftwareStatement', vscode.Uri.file(broken));
    assert.strictEqual(bad, undefined);
    const err = api.lastError() ?? '';
    assert.match(err, /statement|JWT|part/i);
    assert.ok(!/\n\s+at /.test(err), 'no stack in the message');
  });

  test('from the palette (no argument) it asks: the clipboard choice of the quick pick imports', async () => {
    await vscode.env.clipboard.writeText(sb().statement);
    const since = api.logLines().length;
    const pending = cmd<{ alg: string }>('cmu.importSoftwareStatement');
    await answerQuickPick(api, /where is the statement/, 1, since); // "From the clipboard"
    const r = await Promise.race([pending, new Promise<undefined>((res) => setTimeout(() => res(undefined), 10_000))]);
    await vscode.env.clipboard.writeText('');
    if (!r) await vscode.commands.executeCommand('workbench.action.closeQuickOpen'); // don't leave it open for the next tests
    assert.strictEqual(r?.alg, 'RS256', `palette import: ${api.lastError() ?? 'no result'}`);
  });

  test('cmu.showSoftwareStatement opens the decoded statement, signature elided', async () => {
    const r = await cmd<{ alg: string }>('cmu.showSoftwareStatement');
    assert.strictEqual(r?.alg, 'RS256');
    const doc = (await eventually(() => vscode.window.activeTextEditor?.document, 5000, 'editor'))!;
    assert.strictEqual(doc.uri.scheme, 'cmu-info');
    const text = doc.getText();
    assert.match(text, /"signature": "\(elided\)"/);
    assert.ok(!text.includes(sb().statement.split('.')[2]));
  });

  test('cmu.registerClient registers; credentials live in SecretStorage only', async () => {
    const before = sb().stats.register;
    const r = await cmd<{ clientId: string }>('cmu.registerClient');
    assert.ok(r, `register failed: ${api.lastError()}`);
    plain(r);
    assert.deepStrictEqual(Object.keys(r), ['clientId']);
    assert.strictEqual(sb().stats.register, before + 1);
    const creds = await (await currentSession()).peekCredentials();
    assert.strictEqual(creds?.clientId, r.clientId);
    secrets.add(creds!.clientSecret);
    const stored = await api.secrets.get(secretKey('sandbox', 'default', 'credentials'));
    assert.ok(stored && stored.includes(creds!.clientSecret), 'client secret in context.secrets');
    await statusIs(/^CMU sandbox · no token$/);
  });

  test('cmu.getAccessToken / cmu.refreshAccessToken return { expiresAt, scopes }; token in SecretStorage', async () => {
    const t = await cmd<TokenResult>('cmu.getAccessToken');
    assert.ok(t, `token failed: ${api.lastError()}`);
    plain(t);
    assert.deepStrictEqual(Object.keys(t).sort(), ['expiresAt', 'scopes']);
    assert.ok(t.expiresAt > Date.now() + 60 * 60_000);
    assert.ok(Array.isArray(t.scopes));
    const token = (await (await currentSession()).peekToken())!.accessToken;
    secrets.add(token);
    assert.ok((await api.secrets.get(secretKey('sandbox', 'default', 'token')))?.includes(token));
    await statusIs(/^CMU sandbox · token 5h \d+m$/);

    const tokensBefore = sb().stats.token;
    const cached = await cmd<TokenResult>('cmu.getAccessToken');
    assert.strictEqual(cached.expiresAt, t.expiresAt, 'cached token reused');
    assert.strictEqual(sb().stats.token, tokensBefore);
    const r = await cmd<TokenResult>('cmu.refreshAccessToken');
    assert.ok(r && r.expiresAt >= t.expiresAt);
    assert.strictEqual(sb().stats.token, tokensBefore + 1);
    secrets.add((await (await currentSession()).peekToken())!.accessToken);
  });

  test('cmu.showAccessToken shows claims and expiry, never the token', async () => {
    const r = await cmd<TokenResult>('cmu.showAccessToken');
    assert.ok(r, `show failed: ${api.lastError()}`);
    const doc = (await eventually(() => {
      const d = vscode.window.activeTextEditor?.document;
      return d && /access-token-/.test(d.uri.path) ? d : undefined;
    }, 5000, 'token document'))!;
    const token = (await (await currentSession()).peekToken())!.accessToken;
    assert.match(doc.getText(), /expires/);
    assert.ok(!doc.getText().includes(token));
    assert.ok(!doc.getText().includes(token.split('.')[2]));
  });

  test('cmu.copyAuthorizationHeader asks first (declined: nothing copied), copies the header and returns no secret', async () => {
    await vscode.env.clipboard.writeText('');
    const since = api.logLines().length;
    api.confirmAnswers.push(undefined);
    assert.strictEqual(await cmd('cmu.copyAuthorizationHeader'), undefined);
    assert.ok(api.logLines().slice(since).some((l) => /asking: confirm Copy the Authorization header/.test(l)), 'asked');
    assert.strictEqual(await vscode.env.clipboard.readText(), '', 'declined: nothing on the clipboard');
    api.confirmAnswers.push('Copy Header');
    const asked = await cmd<TokenResult>('cmu.copyAuthorizationHeader');
    assert.ok(asked, `copy failed: ${api.lastError()}`);
    // a script that already asked its user: no prompt
    const r = await cmd<TokenResult>('cmu.copyAuthorizationHeader', { confirmed: true });
    assert.ok(r, `copy failed: ${api.lastError()}`);
    plain(r);
    const token = (await (await currentSession()).peekToken())!.accessToken;
    assert.ok(!JSON.stringify(r).includes(token));
    const clip = await vscode.env.clipboard.readText();
    assert.ok(clip === `Authorization: Bearer ${token}`, 'the clipboard holds the Authorization header');
    await vscode.env.clipboard.writeText('');
  });

  test('status bar: refreshing… while a token request runs, expired after expiry', async () => {
    sb().setDelay(1500);
    const pending = cmd<TokenResult>('cmu.refreshAccessToken');
    await statusIs(/^CMU sandbox · refreshing…$/);
    await pending;
    sb().setDelay(0);
    await statusIs(/^CMU sandbox · token \dh \d+m$/);

    sb().setTokenLifetime(2);
    const short = await cmd<TokenResult>('cmu.refreshAccessToken');
    assert.ok(short && short.expiresAt < Date.now() + 5000);
    secrets.add((await (await currentSession()).peekToken())!.accessToken);
    await new Promise((r) => setTimeout(r, Math.max(0, short.expiresAt - Date.now()) + 200));
    await statusIs(/^CMU sandbox · expired$/);
    sb().setTokenLifetime(21600);
    await cmd('cmu.refreshAccessToken');
    await statusIs(/^CMU sandbox · token 5h \d+m$/);
    assert.strictEqual(await cmd('cmu._test.statusBarText'), await api.statusBarText());
  });

  test('a secret changed in another window (SecretStorage only) updates the status bar without a command', async () => {
    await cmd('cmu.getAccessToken');
    await statusIs(/^CMU sandbox · token /);
    const key = secretKey('sandbox', 'default', 'token');
    const stored = await api.secrets.get(key);
    assert.ok(stored, 'a stored token');
    // what another window's Forget does: only SecretStorage changes; this window learns it from onDidChange
    await api.secrets.delete(key);
    await eventually(() => /^CMU sandbox · no token$/.test(api.statusBarShown()), 10_000, 'status bar follows the deletion');
    await api.secrets.store(key, stored);
    await eventually(() => /^CMU sandbox · token /.test(api.statusBarShown()), 10_000, 'status bar follows the store');
  });

  test('cancelling a long operation aborts its request; no error message', async () => {
    sb().setDelay(5000);
    api.clearLastError();
    const seen = api.logLines().length;
    const t0 = Date.now();
    const pending = cmd('cmu.refreshAccessToken');
    await eventually(() => api.logLines().slice(seen).some((l) => /session sandbox\/default: refreshing/.test(l)), 5000, 'refresh started');
    assert.strictEqual(api.cancelProgress(), 1, 'one operation in progress');
    const r = await pending;
    sb().setDelay(0);
    assert.strictEqual(r, undefined);
    assert.ok(Date.now() - t0 < 4000, 'returned before the server answered');
    assert.strictEqual(api.lastError(), undefined, 'a cancellation is not an error');
    assert.ok((await (await currentSession()).peekToken()) !== undefined, 'the stored token is kept');
  });

  test('cmu.diagnose on a working chain: every step ok, report opened', async () => {
    const r = await cmd<{ steps: Step[] }>('cmu.diagnose');
    assert.ok(r, `diagnose failed: ${api.lastError()}`);
    plain(r);
    for (const n of ['environment', 'statement', 'credentials', 'token', 'clock', 'cmu']) assert.ok(step(r.steps, n).ok, `${n}: ${step(r.steps, n).detail}`);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && /diagnose-/.test(doc.uri.path));
    assert.match(doc.getText(), /everything works/);
  });

  test('Diagnose and Show Access Token open beside their rendered Markdown preview; the document keeps the focus', async () => {
    const previews = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.ok(await cmd('cmu.diagnose'), `diagnose failed: ${api.lastError()}`);
    await eventually(() => previews().some((t) => /diagnose-/.test(t.label)), 10_000, `a preview of the diagnosis (tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', ')})`);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && /diagnose-/.test(doc.uri.path), 'the diagnosis document is the active editor');
    assert.match(doc.getText(), /the request log \(\*\*CMU: Show Log\*\*\)/, 'palette commands in bold: the preview has no command links');
    const beside = previews().find((t) => /diagnose-/.test(t.label))!;
    assert.notStrictEqual(beside.group.viewColumn, vscode.window.activeTextEditor!.viewColumn, 'the preview is beside the document');
    // again: the same preview follows, no second one
    assert.ok(await cmd('cmu.diagnose'));
    assert.strictEqual(previews().filter((t) => /diagnose-/.test(t.label)).length, 1);

    assert.ok(await cmd('cmu.showAccessToken'), `show failed: ${api.lastError()}`);
    await eventually(() => previews().some((t) => /access-token-/.test(t.label)), 10_000, 'a preview of the token document');
    assert.match(vscode.window.activeTextEditor?.document.uri.path ?? '', /access-token-/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('cmu.diagnose with a revoked token: the CMU call (through the CMU client) gets a 401, a fresh token fixes it and says so', async () => {
    const seen = api.logLines().length;
    sb().revokeTokens();
    const r = await cmd<{ steps: Step[] }>('cmu.diagnose', { show: false });
    // on failure, say what happened: which token the chain started from and what went over the wire
    const story = () => `token step: ${step(r.steps, 'token').detail}\nlog:\n${api.logLines().slice(seen).join('\n')}`;
    assert.ok(step(r.steps, 'token').ok, 'the stored token still looks valid locally');
    assert.match(step(r.steps, 'token').detail, /^stored/, story());
    const call = step(r.steps, 'cmu');
    assert.strictEqual(call.ok, true, call.detail);
    assert.strictEqual(call.verdict, 'ok');
    assert.match(call.detail, /refused and replaced by a fresh one/, story());
    secrets.add((await (await currentSession()).peekToken())!.accessToken);
  });

  test('cmu.forgetCredentials(scope) removes secrets from SecretStorage; status bar follows', async () => {
    const token = await cmd<{ scope: string }>('cmu.forgetCredentials', 'token');
    assert.deepStrictEqual(token, { environment: 'sandbox', profile: 'default', scope: 'token' });
    assert.strictEqual(await api.secrets.get(secretKey('sandbox', 'default', 'token')), undefined);
    assert.ok(await api.secrets.get(secretKey('sandbox', 'default', 'credentials')));
    await statusIs(/^CMU sandbox · no token$/);

    await cmd('cmu.forgetCredentials', 'credentials');
    assert.strictEqual(await api.secrets.get(secretKey('sandbox', 'default', 'credentials')), undefined);
    await statusIs(/^CMU sandbox · not registered$/);

    await cmd('cmu.forgetCredentials', { scope: 'all' });
    assert.strictEqual(await api.secrets.get(secretKey('sandbox', 'default', 'statement')), undefined);
    // the sandbox environment re-imports its own statement on the next use
    const t = await cmd<TokenResult>('cmu.getAccessToken');
    assert.ok(t, `token after forget failed: ${api.lastError()}`);
    secrets.add((await (await currentSession()).peekToken())!.accessToken);
    secrets.add((await (await currentSession()).peekCredentials())!.clientSecret);
  });

  test('restricted configuration: workspace endpoint settings are ignored', async () => {
    // the fixture workspace's .vscode/settings.json points every endpoint at attacker.invalid
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'a workspace folder is open');
    const file = path.join(ws.uri.fsPath, '.vscode', 'settings.json');
    assert.match(fs.readFileSync(file, 'utf8'), /attacker\.invalid/);
    const prod = api.services.environment('production')!;
    assert.strictEqual(prod.dcrOrigin, 'https://sp.auth.adobe.com');
    assert.strictEqual(prod.cmuBase, 'https://mgmt.auth.adobe.com/cmu/v2');
    const origin = sb().origin;
    await setUserSetting('custom.dcrOrigin', origin);
    await setUserSetting('custom.cmuBase', `${origin}/cmu/v2`);
    const sw = await cmd<{ environment: string; dcrOrigin: string; cmuBase: string }>('cmu.switchEnvironment', 'custom');
    assert.ok(sw, `switch failed: ${api.lastError()}`);
    assert.deepStrictEqual(sw, { environment: 'custom', dcrOrigin: origin, cmuBase: `${origin}/cmu/v2` });
    // a workspace value written through the API is not honoured either (VS Code may refuse it outright)
    try {
      await vscode.workspace.getConfiguration('cmu').update('custom.dcrOrigin', 'https://dcr.attacker.invalid', vscode.ConfigurationTarget.Workspace);
    } catch {
      /* machine-scoped settings cannot be written to a workspace */
    }
    assert.strictEqual(api.services.environment('custom')!.dcrOrigin, origin);
    assert.strictEqual((await currentSession()).env.dcrOrigin, origin);
    const sbx = await cmd<{ environment: string }>('cmu.switchEnvironment', 'sandbox');
    assert.strictEqual(sbx?.environment, 'sandbox');
  });

  test('cmu.diagnose with no statement: the statement step fails with the import fix; commands explain', async () => {
    const origin = sb().origin;
    await setUserSetting('custom.dcrOrigin', origin);
    await setUserSetting('custom.cmuBase', `${origin}/cmu/v2`);
    await setUserSetting('profile', 'empty');
    await cmd('cmu.switchEnvironment', 'custom');
    const r = await cmd<{ steps: Step[] }>('cmu.diagnose', { show: false });
    assert.ok(step(r.steps, 'environment').ok);
    const s = step(r.steps, 'statement');
    assert.strictEqual(s.ok, false);
    assert.match(s.fix ?? '', /Import Software Statement/);
    assert.strictEqual(step(r.steps, 'token').verdict, 'skipped');
    assert.strictEqual(step(r.steps, 'token').ok, false);

    // from the palette: the explanation is shown, the result is undefined
    api.clearLastError();
    const t = await cmd('cmu.getAccessToken');
    assert.strictEqual(t, undefined);
    assert.match(api.lastError() ?? '', /software statement/i);
    // from a script (an argument): a typed rejection, nothing shown
    api.clearLastError();
    await assert.rejects(cmd('cmu.copyAccessToken', { confirmed: true }), (e: { code?: unknown; nextStep?: unknown; message?: unknown }) => {
      assert.strictEqual(e.code, 'no_statement');
      assert.strictEqual(e.nextStep, 'importStatement');
      assert.match(String(e.message), /software statement/i);
      return true;
    });
    assert.strictEqual(api.lastError(), undefined, 'a script gets no notification');
    await statusIs(/^CMU custom · no credentials$/);
    await setUserSetting('profile', undefined);
  });

  test('cmu.diagnose with a wrong host: DCR unreachable, or a CMU base that is not CMU', async () => {
    // a DCR origin where nothing listens
    const closed = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await setUserSetting('custom.dcrOrigin', `http://127.0.0.1:${closed}`);
    await setUserSetting('custom.cmuBase', `http://127.0.0.1:${closed}/cmu/v2`);
    await setUserSetting('profile', 'wronghost');
    await cmd('cmu.switchEnvironment', 'custom');
    await cmd('cmu.importSoftwareStatement', statementFile);
    const r = await cmd<{ steps: Step[] }>('cmu.diagnose', { show: false });
    assert.ok(step(r.steps, 'statement').ok);
    const c = step(r.steps, 'credentials');
    assert.strictEqual(c.ok, false);
    assert.match(c.fix ?? '', /127\.0\.0\.1|DCR|reachable|settings/i);

    // a CMU base that answers with a web page
    const html = http.createServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html', date: new Date().toUTCString() });
      res.end('<!doctype html><title>Welcome</title>');
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (html.address() as { port: number }).port;
      await setUserSetting('custom.dcrOrigin', sb().origin);
      await setUserSetting('custom.cmuBase', `http://127.0.0.1:${port}/cmu/v2`);
      // the statement was imported for the closed DCR: it is not sent to the new one until imported again (or confirmed)
      const pinned = await cmd<{ steps: Step[] }>('cmu.diagnose', { show: false });
      assert.match(JSON.stringify(pinned.steps), /belongs to http:\/\/127\.0\.0\.1:\d+, not to/);
      await cmd('cmu.importSoftwareStatement', statementFile);
      const r2 = await cmd<{ steps: Step[] }>('cmu.diagnose', { show: false });
      assert.ok(step(r2.steps, 'token').ok, JSON.stringify(r2.steps));
      const call = step(r2.steps, 'cmu');
      assert.strictEqual(call.ok, false);
      assert.match(call.detail, /HTML page/);
      assert.match(call.why ?? '', /another CMU host/);
      assert.match(call.fix ?? '', /cmu\.custom\.cmuBase/);
      const session = await currentSession();
      secrets.add((await session.peekToken())!.accessToken);
      secrets.add((await session.peekCredentials())!.clientSecret);
    } finally {
      html.close();
      await setUserSetting('profile', undefined);
      await cmd('cmu.switchEnvironment', 'sandbox');
    }
  });

  test('a settings change to a new host: nothing is sent there until confirmed (script: typed error; palette: asks)', async () => {
    // the new host records every request it gets
    const seen: string[] = [];
    const recorder = http.createServer((q, res) => {
      seen.push(`${q.method} ${q.url} ${q.headers.authorization ? 'with Authorization' : ''}`);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', () => resolve()));
    const other = `http://127.0.0.1:${(recorder.address() as { port: number }).port}`;
    const asked = (since: number) => api.logLines().slice(since).filter((l) => /asking: confirm The (CMU|DCR) host/.test(l));
    const originChanged = (e: { code?: unknown }) => e.code === 'originChanged';
    try {
      await setUserSetting('profile', 'moved');
      await setUserSetting('custom.dcrOrigin', sb().origin);
      await setUserSetting('custom.cmuBase', `${sb().origin}/cmu/v2`);
      await cmd('cmu.switchEnvironment', 'custom');
      await cmd('cmu.importSoftwareStatement', statementFile);
      assert.ok(await cmd('cmu.getAccessToken'), `token: ${api.lastError()}`);

      // the CMU host changes between two calls
      await setUserSetting('custom.cmuBase', `${other}/cmu/v2`);
      let since = api.logLines().length;
      const pinned = await cmd<{ steps: Step[] }>('cmu.diagnose', { show: false });
      assert.match(JSON.stringify(pinned.steps), /belongs to http:\/\/127\.0\.0\.1:\d+, not to/);
      await assert.rejects(cmd('cmu.getAccessToken', {}), originChanged);
      assert.deepStrictEqual(asked(since), [], 'a script is never asked');
      api.confirmAnswers.push(undefined); // dismissed
      assert.strictEqual(await cmd('cmu.getAccessToken'), undefined);
      assert.match(asked(since)[0] ?? '', new RegExp(`The CMU host for custom changed from ${sb().origin} to ${other}\\. Send your access token there\\?`));
      assert.deepStrictEqual(seen, [], 'nothing reached the new host before the user confirmed');
      api.confirmAnswers.push('Use the new host');
      since = api.logLines().length;
      assert.ok(await cmd('cmu.getAccessToken'), `after confirming: ${api.lastError()}`);
      assert.strictEqual(asked(since).length, 1);
      await cmd('cmu.diagnose', { show: false });
      assert.ok(seen.some((l) => /^GET \/cmu\/v2.* with Authorization$/.test(l)), `confirmed: the new host gets the token ${JSON.stringify(seen)}`);

      // the DCR host changes: the statement is not POSTed there until confirmed
      seen.length = 0;
      await setUserSetting('custom.dcrOrigin', other);
      since = api.logLines().length;
      await assert.rejects(cmd('cmu.refreshAccessToken', {}), originChanged);
      api.confirmAnswers.push(undefined);
      assert.strictEqual(await cmd('cmu.refreshAccessToken'), undefined);
      assert.match(asked(since)[0] ?? '', /The DCR host for custom changed from .* Send your software statement there\?/);
      assert.deepStrictEqual(seen, [], 'no statement, no client secret sent to the new DCR');
      api.confirmAnswers.push('Use the new host');
      assert.strictEqual(await cmd('cmu.refreshAccessToken'), undefined, 'the recorder is no DCR: it fails, after asking');
      assert.ok(seen.some((l) => /^POST \/o\/client\/register/.test(l)), `confirmed: registered at the new DCR ${JSON.stringify(seen)}`);
    } finally {
      recorder.close();
      await setUserSetting('profile', undefined);
      await cmd('cmu.switchEnvironment', 'sandbox');
    }
  });

  test('throttling: the wait is shown ("waiting 5 s: the server asked to slow down") and Cancel stops it', async () => {
    sb().setThrottle({ ratePerSec: 0.2, burst: 1 });
    await cmd('cmu.refreshAccessToken', {}); // takes the one request the bucket holds: the next waits 5 s
    const since = api.logLines().length;
    const pending = cmd('cmu.refreshAccessToken', {});
    try {
      await eventually(() => api.logLines().slice(since).some((l) => /CMU: waiting \d+ s: the server asked to slow down/.test(l)), 20_000, 'the wait is shown');
      assert.ok(api.cancelProgress() >= 1, 'the operation runs under a cancellable progress');
      assert.strictEqual(await pending, undefined, 'cancelled: settles at once, silently');
    } finally {
      sb().setThrottle(false);
    }
  });

  test('cmu.stopSandbox stops it; status bar says so; cmu.showLog works', async () => {
    const r = await cmd<{ stopped: boolean }>('cmu.stopSandbox');
    assert.deepStrictEqual(r, { stopped: true });
    assert.strictEqual(api.sandbox(), undefined);
    await statusIs(/^CMU sandbox · stopped$/);
    assert.deepStrictEqual(await cmd('cmu.showLog'), {});
  });

  test('no secret in settings, globalState, the log, or any file of the run', async () => {
    assert.ok(secrets.size >= 4, `collected ${secrets.size} secrets`);
    const lines = api.logLines();
    assert.ok(lines.some((l) => /POST \S+\/o\/client\/register/.test(l)), 'HTTP exchanges are logged');
    assert.ok(lines.some((l) => /POST \S+\/o\/client\/token/.test(l)));
    const places: { where: string; text: string }[] = [
      { where: 'log', text: lines.join('\n') },
      { where: 'settings', text: JSON.stringify(vscode.workspace.getConfiguration('cmu')) },
      { where: 'globalState', text: JSON.stringify(api.globalState.keys().map((k) => [k, api.globalState.get(k)])) },
    ];
    const run = process.env.CMU_TEST_RUN_DIR;
    if (run) {
      for (const f of filesUnder(run)) {
        const rel = path.relative(run, f.file);
        // the browser profile IS SecretStorage in a web workbench; cmu-test-* are this suite's own inputs
        if (/(^|\/)(chrome-[^/]+|cmu-test-[^/]+)\//.test(rel)) continue;
        places.push({ where: rel, text: f.text });
      }
      assert.ok(places.some((p) => /CMU Explorer/.test(p.where)), 'the output channel log file was scanned');
    }
    for (const s of secrets) {
      for (const p of places) {
        assert.ok(!p.text.includes(s), `a secret (${s.slice(0, 6)}…) leaked into ${p.where}`);
        const sig = s.split('.')[2];
        if (sig && sig.length > 20) assert.ok(!p.text.includes(sig), `a JWT signature leaked into ${p.where}`);
      }
    }
  });
});
