// Issue 4, the palette flows a user goes through (no arguments: the commands ask), answered through the
// real quick input of the workbench: a bad clipboard never replaces what is stored, and a statement the
// sandbox did not sign is imported for the environment the user names, never stored under the sandbox.
import * as assert from 'assert';
import { SignJWT, generateKeyPair } from 'jose';
import * as vscode from 'vscode';
import { secretKey } from '../../src/core/store';
import type { TestApi } from '../../src/extension/host/testApi';
import { answerQuickPick, cmd, eventually, resetUserSettings, setUserSetting, statusBarIs, testApi } from './helpers';

const CLIPBOARD = 1; // "From a file…", "From the clipboard", "Paste it…"
const PASTE = 2;

suite('extension: palette flows', function () {
  this.timeout(60_000);
  let api: TestApi;
  const stored = (env: string, item: 'statement' | 'credentials' | 'token') => api.secrets.get(secretKey(env, 'default', item));
  /** the statement itself: the session stores it with the DCR origin it is for ({ statement, dcrOrigin }) */
  const storedStatement = async (env: string) => {
    const raw = await stored(env, 'statement');
    try {
      const o = JSON.parse(raw ?? '') as { statement?: unknown };
      return typeof o.statement === 'string' ? o.statement : raw;
    } catch {
      return raw;
    }
  };

  /** runs Import Software Statement with no argument and picks the source `down` items below the first */
  const importFromPalette = async (down: number, more?: (since: number) => Promise<unknown>) => {
    const since = api.logLines().length;
    const pending = cmd<{ alg: string } | undefined>('cmu.importSoftwareStatement');
    const at = await answerQuickPick(api, /where is the statement/, down, since);
    if (more) await more(at);
    return pending;
  };

  const statusIs = (re: RegExp) => statusBarIs(api, re);

  suiteSetup(async () => {
    api = await testApi();
    await resetUserSettings();
    await cmd('cmu.startSandbox');
    api.sandbox()!.setThrottle(false);
    assert.ok(await cmd('cmu.getAccessToken'), `token: ${api.lastError()}`);
  });

  suiteTeardown(async () => {
    await vscode.env.clipboard.writeText('');
    await cmd('cmu.forgetCredentials', { scope: 'all', environment: 'production' });
    await resetUserSettings();
  });

  test('a clipboard that holds something else: a clear message, the stored statement and token are kept', async () => {
    const before = { statement: await stored('sandbox', 'statement'), token: await stored('sandbox', 'token') };
    assert.ok(before.statement && before.token);
    // what CMU: Copy Authorization Header leaves on the clipboard
    await cmd('cmu.copyAuthorizationHeader', { confirmed: true });
    api.clearLastError();
    assert.strictEqual(await importFromPalette(CLIPBOARD), undefined);
    const err = api.lastError() ?? '';
    assert.match(err, /^The clipboard does not hold a software statement: the header part is not valid base64url — Copy the whole content/);
    assert.ok(!/\n\s+at /.test(err), 'no stack');
    assert.deepStrictEqual({ statement: await stored('sandbox', 'statement'), token: await stored('sandbox', 'token') }, before);

    await vscode.env.clipboard.writeText('   ');
    api.clearLastError();
    assert.strictEqual(await importFromPalette(CLIPBOARD), undefined);
    assert.match(api.lastError() ?? '', /^The clipboard is empty — Copy the software statement/);
    assert.strictEqual(await stored('sandbox', 'statement'), before.statement);
  });

  test('the raw access token on the clipboard is refused, not stored as the statement', async () => {
    const before = await stored('sandbox', 'statement');
    assert.ok(await cmd('cmu.copyAccessToken', { confirmed: true }));
    api.clearLastError();
    assert.strictEqual(await importFromPalette(CLIPBOARD), undefined);
    assert.match(api.lastError() ?? '', /^This is the access token, not the software statement/);
    assert.strictEqual(await stored('sandbox', 'statement'), before);
    await vscode.env.clipboard.writeText('');
  });

  test('an empty paste box is a change of mind: nothing happens, no error', async () => {
    const before = await stored('sandbox', 'statement');
    api.clearLastError();
    const r = await importFromPalette(PASTE, (since) => answerQuickPick(api, /statement paste/, 0, since));
    assert.strictEqual(r, undefined);
    assert.strictEqual(api.lastError(), undefined);
    assert.strictEqual(await stored('sandbox', 'statement'), before);
  });

  test('with the sandbox selected, a statement it did not sign is imported for the environment picked, never for the sandbox', async () => {
    await cmd('cmu.forgetCredentials', { scope: 'all', environment: 'production' });
    // a statement as Adobe's (RS256, Adobe's sample claims), signed by a key the sandbox does not have
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const foreign = await new SignJWT({ sub: 'b1e6a0b2-0000-4000-8000-000000000001', iss: 'auth.adobe.com', iat: now, nbf: now })
      .setProtectedHeader({ alg: 'RS256', kid: 'adobe-like' })
      .sign(privateKey);
    const sandboxStatement = await storedStatement('sandbox');
    const registrations = api.sandbox()!.stats.register;
    await vscode.env.clipboard.writeText(`${foreign}\n`);
    api.clearLastError();
    // the second question lists production, staging, custom: take production
    const r = await importFromPalette(CLIPBOARD, (since) => answerQuickPick(api, /did not sign/, 0, since));
    assert.strictEqual(r?.alg, 'RS256', `import: ${api.lastError() ?? 'no result'}`);
    assert.strictEqual(vscode.workspace.getConfiguration('cmu').get('environment'), 'production');
    assert.strictEqual(await storedStatement('production'), foreign);
    assert.strictEqual(await storedStatement('sandbox'), sandboxStatement, 'the sandbox keeps its own statement');
    assert.strictEqual(api.sandbox()!.stats.register, registrations, 'nothing was sent to the sandbox');
    await statusIs(/^CMU prod · not registered$/); // a statement, no client yet

    // and the sandbox's own statement, imported while the sandbox is selected, stays there without a question
    await cmd('cmu.switchEnvironment', 'sandbox');
    await vscode.env.clipboard.writeText(sandboxStatement!);
    const own = await importFromPalette(CLIPBOARD);
    assert.strictEqual(own?.alg, 'RS256', `import: ${api.lastError() ?? 'no result'}`);
    assert.strictEqual(await storedStatement('production'), foreign);
    assert.strictEqual(await storedStatement('sandbox'), sandboxStatement);
  });

  test("the progress notification's Cancel button aborts the running request", async () => {
    await cmd('cmu.switchEnvironment', 'sandbox');
    const sb = api.sandbox()!;
    await vscode.commands.executeCommand('notifications.clearAll');
    sb.setDelay(8000);
    api.clearLastError();
    const before = await stored('sandbox', 'token');
    const seen = api.logLines().length;
    const t0 = Date.now();
    const pending = cmd('cmu.refreshAccessToken');
    try {
      await eventually(() => api.logLines().slice(seen).some((l) => /refreshing/.test(l)), 5000, 'refresh started');
      await new Promise((r) => setTimeout(r, 500)); // the notification renders
      // Cancel is the primary action of a cancellable progress notification (what a click on it runs)
      await vscode.commands.executeCommand('notification.acceptPrimaryAction');
      assert.strictEqual(await pending, undefined);
      assert.ok(Date.now() - t0 < 6000, `returned after ${Date.now() - t0} ms, before the server answered`);
      assert.strictEqual(api.lastError(), undefined, 'a cancellation is not an error');
      assert.strictEqual(await stored('sandbox', 'token'), before, 'the stored token is kept');
    } finally {
      sb.setDelay(0);
      await pending;
    }
  });

  test('Switch Environment… to an environment without hosts explains what to set and stays where it was', async () => {
    await cmd('cmu.switchEnvironment', 'sandbox');
    api.clearLastError();
    const since = api.logLines().length;
    const pending = cmd('cmu.switchEnvironment');
    await answerQuickPick(api, /asking: environment$/, 3, since); // production, staging, sandbox, custom
    assert.strictEqual(await pending, undefined);
    assert.match(api.lastError() ?? '', /No DCR origin is set for the custom environment/);
    assert.strictEqual(vscode.workspace.getConfiguration('cmu').get('environment'), 'sandbox');
    await statusIs(/^CMU sandbox · /);
    // the same environment chosen in the settings editor: the status bar says what is missing
    await setUserSetting('environment', 'custom');
    await statusIs(/^CMU custom · not configured$/);
    await setUserSetting('environment', 'sandbox');
    await statusIs(/^CMU sandbox · /);
  });

  test('Forget Credentials…: picks the environment/profile (current first, then those with something stored), the scope, then confirms', async () => {
    const index = () => api.services.secretIndex.entries();
    const entry = (env: string, profile: string) => index().find((e) => e.environment === env && e.profile === profile)?.items;
    const get = (env: string, profile: string, item: 'statement' | 'credentials' | 'token') => api.secrets.get(secretKey(env, profile, item));
    // start from the sandbox alone (other files of the run may have stored elsewhere)
    for (const e of index()) if (e.environment !== 'sandbox') await cmd('cmu.forgetCredentials', { scope: 'all', environment: e.environment, profile: e.profile });
    await cmd('cmu.forgetCredentials', { scope: 'all', environment: 'production' });
    await cmd('cmu.switchEnvironment', 'sandbox');
    api.sandbox()!.setThrottle(false);
    assert.ok(await cmd('cmu.getAccessToken'), `token: ${api.lastError()}`);
    // a second profile: the session stores its own statement, credentials and token, and the index follows
    await setUserSetting('profile', 'second');
    assert.ok(await cmd('cmu.getAccessToken'), `token (second): ${api.lastError()}`);
    assert.deepStrictEqual(entry('sandbox', 'default'), ['statement', 'credentials', 'token']);
    assert.deepStrictEqual(entry('sandbox', 'second'), ['statement', 'credentials', 'token']);
    assert.strictEqual(entry('production', 'default'), undefined, 'forgotten everything: not in the index');
    // the index holds names only: no stored value appears in globalState
    const raw = JSON.stringify(api.globalState.keys().map((k) => api.globalState.get(k)));
    for (const p of ['default', 'second']) {
      for (const item of ['statement', 'credentials', 'token'] as const) {
        const v = await get('sandbox', p, item);
        assert.ok(v, `${p} ${item} stored`);
        for (const piece of [v, ...v.split(/[".:,{}]/).filter((x) => x.length >= 16)]) assert.ok(!raw.includes(piece), `no ${item} value in globalState`);
      }
    }

    const forgetFromPalette = async (where: number | undefined, what: number, answer: string | undefined) => {
      const since = api.logLines().length;
      api.confirmAnswers.push(answer);
      const pending = cmd<{ environment: string; profile: string; scope: string } | undefined>('cmu.forgetCredentials');
      let at = since;
      if (where !== undefined) at = await answerQuickPick(api, /forget where/, where, since);
      await answerQuickPick(api, /forget what/, what, at);
      const r = await pending;
      return { r, asked: api.logLines().slice(since).filter((l) => /asking: /.test(l)) };
    };

    // the other profile (second in the list), the token only, confirmed
    const first = await forgetFromPalette(1, 1, 'Forget');
    assert.match(first.asked[0], /asking: forget where \(sandbox\/second, sandbox\/default\)$/, 'current first, then the others with something stored');
    assert.match(first.asked[1], /asking: forget what \(sandbox\/default\)$/);
    assert.match(first.asked[2], /asking: confirm Forget access token only for sandbox\/default\?$/);
    assert.deepStrictEqual(first.r, { environment: 'sandbox', profile: 'default', scope: 'token' });
    assert.strictEqual(await get('sandbox', 'default', 'token'), undefined);
    assert.ok(await get('sandbox', 'default', 'credentials'));
    assert.ok(await get('sandbox', 'second', 'token'), 'the current profile keeps its token');
    assert.deepStrictEqual(entry('sandbox', 'default'), ['statement', 'credentials']);

    // declined at the confirmation: nothing forgotten
    const declined = await forgetFromPalette(0, 0, undefined);
    assert.strictEqual(declined.r, undefined);
    assert.match(declined.asked[2], /asking: confirm Forget everything for sandbox\/second\?$/);
    assert.ok(await get('sandbox', 'second', 'token'));
    assert.deepStrictEqual(entry('sandbox', 'second'), ['statement', 'credentials', 'token']);

    // the argument contract is unchanged and asks nothing
    assert.deepStrictEqual(await cmd('cmu.forgetCredentials', { scope: 'all', environment: 'sandbox', profile: 'default' }), { environment: 'sandbox', profile: 'default', scope: 'all' });
    assert.strictEqual(entry('sandbox', 'default'), undefined);
    assert.deepStrictEqual(await cmd('cmu.forgetCredentials', 'token'), { environment: 'sandbox', profile: 'second', scope: 'token' });
    assert.deepStrictEqual(entry('sandbox', 'second'), ['statement', 'credentials']);

    // only the current pair has something: no question about where
    const only = await forgetFromPalette(undefined, 2, 'Forget');
    assert.deepStrictEqual(only.r, { environment: 'sandbox', profile: 'second', scope: 'credentials' });
    assert.ok(!only.asked.some((l) => /forget where/.test(l)), only.asked.join(' | '));
    assert.deepStrictEqual(entry('sandbox', 'second'), ['statement']);
    assert.strictEqual(api.confirmAnswers.length, 0);
    await setUserSetting('profile', undefined);
  });
});
