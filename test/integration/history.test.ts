// Issue 11: the run history (recorded, shown in the Queries view, kept in globalState, re-run from an item)
// and Run Query… as a QuickPick (path completion from the live links, recent and saved sections, the
// builder's checks), against the in-process sandbox.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { HistoryEntry } from '../../src/core/cmu/history';
import type { CmuQuery, ReportCell } from '../../src/core/cmu/types';
import type { QueriesApi } from '../../src/extension/queries/commands';
import type { RunQueryItem } from '../../src/extension/queries/runQueryPicker';
import type { TestApi } from '../../src/extension/host/testApi';
import { cmd, eventually, resetUserSettings, testApi } from './helpers';

interface RunResult {
  rows: ReportCell[][];
  url: string;
  comparedWith?: string;
}

const MONTHLY: CmuQuery = { path: ['tenant', 'year', 'month'], filters: [], projections: [], metrics: ['active-users'] };
const closeAll = () => vscode.commands.executeCommand('workbench.action.closeAllEditors');

suite('history and Run Query…', function () {
  this.timeout(120_000);
  let api: TestApi;
  let queries: QueriesApi;
  const top = (): HistoryEntry => api.history.list()[0];

  suiteSetup(async () => {
    api = await testApi();
    queries = await cmd<QueriesApi>('cmu.queries._internals');
    await resetUserSettings();
    await cmd('cmu.startSandbox');
    api.sandbox()!.setThrottle(false);
    assert.ok(await cmd('cmu.getAccessToken'), `token: ${api.lastError()}`);
    await cmd('cmu.history.clear', { confirmed: true });
    await closeAll();
  });

  suiteTeardown(async () => {
    api.runQueryPicker()?.qp.hide();
    await closeAll();
  });

  test('a run is recorded with status, rows, duration and size, without secrets, shown in the Queries view, and read back after a reload', async () => {
    const r = await cmd<RunResult>('cmu.runQuery', MONTHLY);
    assert.ok(r.rows.length > 0);
    const e = top();
    assert.deepStrictEqual(e.query, MONTHLY);
    assert.deepStrictEqual([e.environment, e.status, e.rows, e.runs], ['sandbox', 200, r.rows.length, 1]);
    assert.ok(e.bytes! > 0 && e.durationMs >= 0 && Math.abs(Date.now() - e.at) < 60_000, JSON.stringify(e));

    // a failed report is history too, with the server's status
    await assert.rejects(cmd('cmu.runQuery', { path: ['tenant', 'bogus', 'deeper'], filters: [], projections: [], metrics: [] }));
    assert.deepStrictEqual(top().query.path, ['tenant', 'bogus', 'deeper']);
    assert.ok(top().status! >= 400 && top().rows === undefined, JSON.stringify(top()));

    // nothing secret in what globalState holds
    const token = (await (await api.services.peekSession())!.peekToken())!.accessToken;
    const stored = JSON.stringify(api.globalState.get('cmu.history'));
    assert.ok(stored.includes('"tenant","year","month"'), stored.slice(0, 200));
    assert.ok(!stored.includes(token) && !/Bearer|client_secret|authorization/i.test(stored), 'no token, header or client secret');

    // the Queries view: History, newest first, env · status · rows · age
    const entries = await queries.tree.getChildren({ kind: 'history' });
    assert.deepStrictEqual(entries.map((n) => (n.kind === 'historyEntry' ? n.entry.id : '')), api.history.list().map((x) => x.id));
    const item = queries.tree.getTreeItem(entries[1]);
    assert.strictEqual(item.label, '/tenant/year/month?metrics=active-users');
    assert.strictEqual(item.description, `sandbox · 200 · ${r.rows.length} rows · just now`);
    assert.strictEqual(item.command?.command, 'cmu.history.run');

    // a reload reads the same list back from globalState
    assert.deepStrictEqual(await api.reloadHistory(), api.history.list());
  });

  test('a history item runs again on click (its default command); compare, save and copy URL act on it', async () => {
    const entry = api.history.list().find((x) => x.query.path.join('/') === 'tenant/year/month')!;
    const node = (await queries.tree.getChildren({ kind: 'history' })).find((n) => n.kind === 'historyEntry' && n.entry.id === entry.id)!;
    const click = queries.tree.getTreeItem(node).command!;
    const r = await cmd<RunResult>(click.command, ...(click.arguments ?? []));
    assert.ok(r && r.rows.length > 0, `re-run: ${api.lastError()}`);
    assert.deepStrictEqual([top().query, top().runs], [MONTHLY, 2], 'the same query moved to the top, counted twice');

    const compared = await cmd<RunResult>('cmu.history.compare', top().id);
    assert.ok(compared.comparedWith && compared.comparedWith !== compared.url, JSON.stringify(compared).slice(0, 300));
    const panels = await cmd<{ compare?: string; active: boolean }[]>('cmu._test.reportPanels');
    assert.strictEqual(panels.find((p) => p.active)?.compare, 'previous');

    const { url } = await cmd<{ url: string }>('cmu.history.copyUrl', top().id);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/.*\/tenant\/year\/month\?metrics=active-users$/);
    assert.strictEqual(await vscode.env.clipboard.readText(), url);

    const { id } = await cmd<{ id: string }>('cmu.history.save', top().id, { name: 'From history', group: 'user' });
    try {
      const saved = (await cmd<{ id: string; name: string; url: string }[]>('cmu.queries.list')).find((x) => x.id === id);
      assert.deepStrictEqual([saved?.name, saved?.url], ['From history', '/cmu/v2/tenant/year/month?metrics=active-users']);
    } finally {
      await cmd('cmu.queries.delete', id);
    }
  });

  test('Run Query… completes the path from the live links, lists history and saved queries, checks like the builder, and Enter runs', async () => {
    const pending = cmd<RunResult | undefined>('cmu.runQuery');
    const picker = (await eventually(() => api.runQueryPicker(), 10_000, 'the Run Query picker'))!;
    await picker.whenUpdated();
    const labels = (kind: string) => picker.items.filter((i) => i.action?.kind === kind).map((i) => i.label);
    const separators = () => picker.items.filter((i) => i.kind === vscode.QuickPickItemKind.Separator).map((i) => i.label);
    const sections = separators();
    assert.ok(sections.includes('recent') && sections.indexOf('recent') < sections.indexOf('examples'), sections.join(' | '));
    assert.ok(labels('history').includes('/tenant/year/month?metrics=active-users'), labels('history').join(' | '));
    assert.ok(labels('saved').length > 10, 'the Examples');

    // typing completes the next segment, from the server's drill-down links (connected)
    await picker.setValue('tenant/ye');
    const year = picker.items.find((i) => i.action?.kind === 'complete' && i.label === 'tenant/year');
    assert.ok(year, labels('complete').join(' | '));
    assert.match(year.description ?? '', /server/);
    await picker.accept(year);
    assert.strictEqual(picker.qp.value, 'tenant/year/');
    assert.ok(labels('complete').includes('tenant/year/month'), labels('complete').join(' | '));

    const runItem = (): RunQueryItem => picker.items.find((i) => i.action?.kind === 'run')!;
    // an unknown segment is advice with a did-you-mean, never a refusal
    await picker.setValue('tenant/yaer');
    assert.match(runItem().detail ?? '', /did you mean year/);
    assert.ok(runItem().action?.kind === 'run' && !('blocked' in runItem().action!), 'it may run');
    // a dimension twice is refused: Enter does not send it
    await picker.setValue('tenant/year/year');
    assert.match(runItem().detail ?? '', /appears twice/);
    await picker.accept(runItem());
    assert.strictEqual(api.runQueryPicker(), picker, 'still open');

    // Enter (the workbench's accept) runs the typed path
    const runs = api.history.list().length;
    await picker.setValue('tenant/year');
    await eventually(() => picker.qp.activeItems[0]?.action?.kind === 'run', 5_000, 'the typed query is the active item');
    await new Promise((r) => setTimeout(r, 300));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const r = await pending;
    assert.ok(r && r.rows.length > 0 && /\/tenant\/year(\?|$)/.test(r.url), JSON.stringify(r)?.slice(0, 200));
    assert.strictEqual(api.runQueryPicker(), undefined, 'closed');
    assert.deepStrictEqual([top().query.path, api.history.list().length], [['tenant', 'year'], runs + 1]);
  });

  test('Run Query…: Enter right after pasting runs the pasted query, not the item that was active before', async () => {
    const pending = cmd<RunResult | undefined>('cmu.runQuery');
    const picker = (await eventually(() => api.runQueryPicker(), 10_000, 'the Run Query picker'))!;
    await picker.whenUpdated();
    // what the workbench still has as the active item when Enter comes before the new items arrived
    const before = picker.items.find((i) => i.action?.kind === 'history' || i.action?.kind === 'complete');
    assert.ok(before, 'an item of the empty box');
    await picker.setValue('tenant/year?metrics=started-sessions');
    await picker.accept(before);
    const r = await pending;
    assert.ok(r && /\/tenant\/year\?metrics=started-sessions$/.test(r.url), JSON.stringify(r)?.slice(0, 200));
  });

  test('Run Query…: a recent run is picked from its section and runs', async () => {
    const pending = cmd<RunResult | undefined>('cmu.runQuery');
    const picker = (await eventually(() => api.runQueryPicker(), 10_000, 'the Run Query picker'))!;
    await picker.whenUpdated();
    const recent = picker.items.find((i) => i.action?.kind === 'history' && i.label === '/tenant/year/month?metrics=active-users')!;
    await picker.accept(recent);
    const r = await pending;
    assert.ok(r && r.rows.length > 0);
    assert.deepStrictEqual(top().query, MONTHLY);
  });

  test('101 runs keep 100: the oldest goes; Clear History (asked first) empties it', async () => {
    api.confirmAnswers.push('Clear History');
    await cmd('cmu.history.clear');
    assert.strictEqual(api.history.list().length, 0);
    const t0 = Date.now() - 3600_000;
    for (let i = 1; i <= 100; i++) {
      await api.history.record({ query: { ...MONTHLY, limit: i }, environment: 'sandbox', status: 200, rows: 1, durationMs: 5, bytes: 10, at: t0 + i });
    }
    assert.strictEqual(api.history.list().length, 100);
    const r = await cmd<RunResult>('cmu.runQuery', { ...MONTHLY, path: ['tenant', 'year'] }); // the 101st
    assert.ok(r.rows.length > 0);
    const list = api.history.list();
    assert.strictEqual(list.length, 100);
    assert.deepStrictEqual(list[0].query.path, ['tenant', 'year']);
    assert.ok(!list.some((e) => e.query.limit === 1), 'the oldest run was dropped');
    assert.strictEqual(list[99].query.limit, 2);
    assert.strictEqual((await api.reloadHistory()).length, 100);
    await cmd('cmu.history.clear', { confirmed: true });
    assert.deepStrictEqual(await api.reloadHistory(), []);
  });
});
