// Issue 11, the stumbles outside the report panel, in a real workbench (code-server: a remote window).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension/host/testApi';
import type { QueriesApi } from '../../src/extension/queries/commands';
import type { QueryNode } from '../../src/extension/queries/treeProvider';
import { cmd, eventually, resetUserSettings, setUserSetting, statusBarIs, testApi } from './helpers';

suite('ux: settings, sandbox, status bar', function () {
  this.timeout(60_000);
  let api: TestApi;
  const sb = () => {
    const s = api.sandbox();
    assert.ok(s, 'sandbox running');
    return s;
  };

  suiteSetup(async () => {
    api = await testApi();
    await resetUserSettings();
    await cmd('cmu.startSandbox');
    sb().setThrottle(false);
    assert.ok(await cmd('cmu.getAccessToken'), `token: ${api.lastError()}`);
  });

  suiteTeardown(async () => {
    await cmd('cmu.startSandbox'); // leave it as the other suites expect it
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await resetUserSettings();
  });

  test('Open Settings in a remote window opens the Remote tab of the settings editor on our settings', async () => {
    assert.ok(vscode.env.remoteName, 'code-server is a remote window');
    const r = await cmd<{ target: string; query: string }>('cmu.openSettings');
    assert.deepStrictEqual(r, { target: 'remote', query: '@ext:cmu-explorer.cmu-explorer' });
    await eventually(() => /settings/i.test(vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? ''), 10_000, 'the settings editor is active');
  });

  test('a failed token request clears "refreshing…" when it settles, not a timeout later', async () => {
    sb().setDelay(1500, 'token');
    sb().failNext(1, 500, { endpoint: 'token' });
    // the report panel's path: the session directly, no command around it to end the busy state
    const failed = (await api.services.session()).getToken({ forceRefresh: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await eventually(() => /refreshing…$/.test(api.statusBarShown()), 10_000, 'refreshing while the request runs');
    assert.ok(await failed, 'the token request failed');
    sb().setDelay(0);
    await eventually(() => !/refreshing…$/.test(api.statusBarShown()), 5_000, `the status bar cleared (shows "${api.statusBarShown()}")`);
  });

  test('Stop Sandbox sticks: the next query does not start it again; the error offers Start Sandbox', async () => {
    assert.deepStrictEqual(await cmd('cmu.stopSandbox'), { stopped: true });
    api.clearLastError();
    assert.strictEqual(await cmd('cmu.getAccessToken'), undefined);
    assert.match(api.lastError() ?? '', /sandbox is stopped/i);
    await assert.rejects(api.services.cmuClient(), (e: { code?: string; nextStep?: string }) => e.code === 'sandbox_stopped' && e.nextStep === 'startSandbox');
    assert.strictEqual(api.sandbox(), undefined, 'still stopped');
    await eventually(() => /· stopped$/.test(api.statusBarShown()), 10_000, 'status bar says stopped');
    const started = await cmd<{ dcrOrigin: string }>('cmu.startSandbox');
    assert.ok(started?.dcrOrigin && api.sandbox(), 'Start Sandbox starts it');
    assert.ok(await cmd('cmu.getAccessToken'), `token after start: ${api.lastError()}`);
  });

  test('a query in the Queries view runs on Enter (its default command)', async () => {
    const q = await cmd<QueriesApi>('cmu.queries._internals');
    await q.ready;
    const folders = (await q.tree.getChildren({ kind: 'group', group: 'examples' })) as QueryNode[];
    const queries = (await q.tree.getChildren(folders[0])) as QueryNode[];
    const node = queries.find((n) => n.kind === 'query');
    assert.ok(node, 'an example query');
    const item = q.tree.getTreeItem(node);
    assert.strictEqual(item.command?.command, 'cmu.queries.run');
    await vscode.commands.executeCommand('workbench.view.extension.cmu');
    await q.view.reveal(node, { select: true, focus: true });
    await vscode.commands.executeCommand('list.select'); // what Enter does in a focused tree
    const panels = await eventually(async () => {
      const ps = await cmd<{ state: string }[]>('cmu._test.reportPanels');
      return ps.length ? ps : undefined;
    }, 20_000, 'a report panel opened');
    assert.ok(panels && panels.length >= 1);
  });

  test('the status bar starts neutral ("CMU: set up") until an environment is chosen or something stored', async () => {
    await cmd('cmu.forgetCredentials', { scope: 'all', environment: 'production' });
    await setUserSetting('environment', undefined);
    await statusBarIs(api, /^CMU: set up$/);
    await setUserSetting('environment', 'production');
    await statusBarIs(api, /^CMU prod · no credentials$/);
  });
});

