import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { testApi, cmd, eventually } from './helpers';
import type { QueriesApi } from '../../src/extension/queries/commands';
import type { QueryListItem } from '../../src/extension/queries/queryStore';
import type { QueryNode } from '../../src/extension/queries/treeProvider';
import type { CmuQuery } from '../../src/core/cmu/types';
import { parseWindow, resolveWindow } from '../../src/core/cmu/time/windows';
import { parseZone } from '../../src/core/cmu/time/zone';

const q = (p: string[], extra: Partial<CmuQuery> = {}): CmuQuery => ({ path: p, filters: [], projections: [], metrics: [], ...extra });

suite('saved queries', function () {
  this.timeout(60_000);
  let api: QueriesApi;
  let wsFile: string;
  let userFile: string;

  const list = () => cmd<QueryListItem[]>('cmu.queries.list');
  const mine = async (group: 'workspace' | 'user') => (await list()).filter((x) => x.group === group);
  const names = async (group: 'workspace' | 'user', folder: string | null = null) =>
    (await mine(group)).filter((x) => x.folder === folder).map((x) => x.name);
  const onDisk = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

  async function clean(): Promise<void> {
    for (const f of [wsFile, userFile]) fs.rmSync(f, { force: true });
    await cmd('cmu.queries.refresh');
  }

  suiteSetup(async () => {
    await testApi();
    api = await cmd<QueriesApi>('cmu.queries._internals');
    await api.ready;
    wsFile = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'cmu-queries.json');
    userFile = api.store.user.file!;
    await clean();
  });
  suiteTeardown(async () => {
    await clean();
  });

  test('create through the command API, persisted in .vscode/cmu-queries.json, read back after a reload', async () => {
    await clean();
    const { id } = await cmd<{ id: string }>('cmu.queries.save', q(['tenant', 'year', 'month'], { metrics: ['active-users'], limit: 5 }), {
      name: 'Monthly users',
      group: 'workspace',
    });
    assert.ok(id);
    const item = (await list()).find((x) => x.id === id)!;
    assert.deepStrictEqual(item, { id, name: 'Monthly users', group: 'workspace', folder: null, url: '/cmu/v2/tenant/year/month?metrics=active-users&limit=5' });
    const file = onDisk(wsFile);
    assert.strictEqual(file.queries[0].id, id);
    assert.deepStrictEqual(file.queries[0].query, { path: ['tenant', 'year', 'month'], metrics: ['active-users'], limit: 5 });

    // a reload re-reads the disk: a fresh model sees the same query
    await cmd('cmu.queries.refresh');
    assert.deepStrictEqual((await list()).find((x) => x.id === id), item);

    // no temp files left next to it
    assert.deepStrictEqual(fs.readdirSync(path.dirname(wsFile)).filter((f) => f.includes('cmu-queries')), ['cmu-queries.json']);
  });

  test('Save Query from a report panel ({ interactive: true }) asks the name and the group; a script is never asked', async () => {
    await clean();
    const query = q(['tenant', 'year', 'month'], { metrics: ['active-users'] });
    const quick = async (command: string) => {
      await new Promise((r) => setTimeout(r, 800)); // the input opens in the workbench
      await vscode.commands.executeCommand(command);
    };
    const within = <T>(p: Thenable<T>) => Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);

    // Escape at the name: nothing is written
    const cancelled = cmd('cmu.queries.save', query, { interactive: true });
    await quick('workbench.action.closeQuickOpen');
    assert.strictEqual(await within(cancelled), undefined);
    assert.ok(!fs.existsSync(wsFile), 'nothing written');

    // Enter on the prefilled name, then on the first group (Workspace)
    const pending = cmd<{ id: string }>('cmu.queries.save', query, { interactive: true });
    await quick('workbench.action.acceptSelectedQuickOpenItem');
    await quick('workbench.action.acceptSelectedQuickOpenItem');
    const r = await within(pending);
    if (r === 'timeout') await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(r && r !== 'timeout' && r.id, `prompted save: ${JSON.stringify(r)}`);
    const saved = (await mine('workspace')).find((x) => x.id === r.id)!;
    assert.strictEqual(saved.name, 'Monthly active-users by tenant, year and month');

    // the query of an Example (Run, then Save Query in its panel) starts from the Example's name
    const ex = (await list()).find((x) => x.group === 'examples')!;
    const fromExample = cmd<{ id: string }>('cmu.queries.save', api.store.find(ex.id)!.saved.query, { interactive: true });
    await quick('workbench.action.acceptSelectedQuickOpenItem');
    await quick('workbench.action.acceptSelectedQuickOpenItem');
    const r2 = await within(fromExample);
    if (r2 === 'timeout') await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(r2 !== 'timeout' && r2?.id);
    assert.strictEqual((await list()).find((x) => x.id === r2.id)!.name, ex.name);

    // a script (the query alone, or with options): no prompt (a prompt would time out here)
    const scripted = await within(cmd<{ id: string }>('cmu.queries.save', query, {}));
    assert.ok(scripted !== 'timeout' && scripted.id);
    assert.strictEqual((await list()).find((x) => x.id === scripted.id)!.name, 'tenant / year / month');
    const bare = await within(cmd<{ id: string }>('cmu.queries.save', q(['tenant', 'year'])));
    assert.ok(bare !== 'timeout' && bare.id, 'the query alone saves without asking');
  });

  test('never a token or a host in the file: access_token is stripped, absolute URLs refused', async () => {
    const { id } = await cmd<{ id: string }>('cmu.queries.save', q(['tenant'], { filters: [{ dimension: 'access_token', op: '=', values: ['SECRET-123'] }] }), {
      name: 'with token',
      group: 'workspace',
    });
    const text = fs.readFileSync(wsFile, 'utf8');
    assert.ok(!text.includes('SECRET-123') && !text.includes('access_token'), text);
    await assert.rejects(
      cmd('cmu.queries.save', 'https://mgmt.auth.adobe.com/cmu/v2/tenant', { name: 'x', group: 'workspace' }),
      /URL with a host/,
    );
    await assert.rejects(cmd('cmu.queries.save', q(['tenant'], { filters: [{ dimension: 'mvpd', op: '=', values: ['https://evil.example'] }] }), { name: 'x' }), /host/);
    await cmd('cmu.queries.delete', id);
  });

  test('rename, move between folders and groups, delete (no confirmation with an id)', async () => {
    await clean();
    const a = (await cmd<{ id: string }>('cmu.queries.save', q(['tenant']), { name: 'A', group: 'workspace' })).id;
    const b = (await cmd<{ id: string }>('cmu.queries.save', q(['tenant', 'year']), { name: 'B', group: 'workspace' })).id;
    const c = (await cmd<{ id: string }>('cmu.queries.save', q(['tenant', 'year', 'month']), { name: 'C', group: 'workspace', folder: 'Billing' })).id;

    assert.deepStrictEqual(await cmd('cmu.queries.rename', a, 'A renamed'), { id: a, name: 'A renamed' });
    await cmd('cmu.queries.move', b, { folder: 'Billing', index: 0 });
    assert.deepStrictEqual(await names('workspace', 'Billing'), ['B', 'C']);
    assert.deepStrictEqual(await names('workspace'), ['A renamed']);

    const moved = await cmd<{ id: string }>('cmu.queries.move', c, { group: 'user', folder: null });
    assert.strictEqual(moved.id, c);
    assert.deepStrictEqual(await names('user'), ['C']);
    assert.deepStrictEqual(await names('workspace', 'Billing'), ['B']);
    assert.strictEqual(onDisk(userFile).queries[0].name, 'C');
    assert.ok(!onDisk(wsFile).queries.some((x: { id: string }) => x.id === c));

    await cmd('cmu.queries.delete', c);
    assert.deepStrictEqual(await mine('user'), []);
    await assert.rejects(cmd('cmu.queries.delete', 'no-such-id'), /No saved query/);
    await assert.rejects(cmd('cmu.queries.rename', (await list()).find((x) => x.group === 'examples')!.id, 'x'), /read-only/);
  });

  test('drag and drop through the controller: reorder, into a folder, to the User group; examples are copied', async () => {
    await clean();
    for (const n of ['one', 'two', 'three']) await cmd('cmu.queries.save', q(['tenant']), { name: n, group: 'workspace' });
    await cmd('cmu.queries.newFolder', 'workspace', 'Ops');
    const node = (name: string): QueryNode => {
      const s = api.store.workspace.model.list().find((x) => x.name === name)!;
      return { kind: 'query', group: 'workspace', saved: s };
    };
    const drag = async (source: QueryNode[], target: QueryNode) => {
      const dt = new vscode.DataTransfer();
      await api.dragAndDrop.handleDrag(source, dt);
      await api.dragAndDrop.handleDrop(target, dt);
    };
    // reorder: "three" dropped on "one" goes before it
    await drag([node('three')], node('one'));
    assert.deepStrictEqual(await names('workspace'), ['three', 'one', 'two']);
    // downwards: "three" dropped on "two" lands just before "two"
    await drag([node('three')], node('two'));
    assert.deepStrictEqual(await names('workspace'), ['one', 'three', 'two']);
    // into a folder
    await drag([node('one')], { kind: 'folder', group: 'workspace', folder: 'Ops' });
    assert.deepStrictEqual(await names('workspace', 'Ops'), ['one']);
    // to the other group
    await drag([node('two')], { kind: 'group', group: 'user' });
    assert.deepStrictEqual(await names('user'), ['two']);
    // an example dropped into Workspace is copied, the example stays
    const ex = (await list()).find((x) => x.group === 'examples')!;
    const exNode: QueryNode = { kind: 'query', group: 'examples', saved: api.store.find(ex.id)!.saved };
    await drag([exNode], { kind: 'folder', group: 'workspace', folder: 'Ops' });
    assert.deepStrictEqual(await names('workspace', 'Ops'), ['one', ex.name]);
    assert.ok((await list()).some((x) => x.id === ex.id));
    // nothing can be dropped into Examples
    await drag([node('three')], { kind: 'group', group: 'examples' });
    assert.deepStrictEqual(await names('workspace'), ['three']);
    // the tree shows the same
    const wsChildren = api.tree.getChildren({ kind: 'group', group: 'workspace' }) as QueryNode[];
    assert.deepStrictEqual(
      wsChildren.map((n) => (n.kind === 'folder' ? `folder:${n.folder}` : n.kind === 'query' ? n.saved.name : n.kind)),
      ['folder:Ops', 'three'],
    );
  });

  test('tree actions on a multi-selection apply to every selected query; Edit as JSON opens the file at the query', async () => {
    await clean();
    for (const n of ['one', 'two', 'three']) await cmd('cmu.queries.save', q(['tenant']), { name: n, group: 'workspace' });
    const node = (name: string): QueryNode => ({ kind: 'query', group: 'workspace', saved: api.store.workspace.model.list().find((x) => x.name === name)! });
    // right-click on "one" while "one" and "three" are selected: both move
    const r = await cmd<{ ids: string[] }>('cmu.queries.moveToUser', node('one'), [node('one'), node('three')]);
    assert.strictEqual(r.ids.length, 2);
    assert.deepStrictEqual(await names('user'), ['one', 'three']);
    assert.deepStrictEqual(await names('workspace'), ['two']);
    // right-click outside the selection: only the clicked one (what VS Code does for single items)
    const u = (name: string): QueryNode => ({ kind: 'query', group: 'user', saved: api.store.user.model.list().find((x) => x.name === name)! });
    await cmd('cmu.queries.moveToWorkspace', u('three'), [u('three')]);
    assert.deepStrictEqual(await names('workspace'), ['two', 'three']);

    const second = (await mine('workspace'))[1];
    const opened = await cmd<{ uri: string; line: number }>('cmu.queries.editJson', second.id);
    const lines = fs.readFileSync(wsFile, 'utf8').split('\n');
    assert.match(lines[opened.line - 1], /^\s*\{/);
    assert.ok(lines.slice(opened.line - 1, opened.line + 3).some((l) => l.includes(`"${second.id}"`)), lines.slice(opened.line - 1, opened.line + 3).join('\n'));
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, wsFile);
    assert.strictEqual(vscode.window.activeTextEditor?.selection.active.line, opened.line - 1);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('Duplicate puts the copy right after the original; Copy URL resolves against the current environment', async () => {
    await clean();
    await cmd('cmu.startSandbox');
    const a = (await cmd<{ id: string }>('cmu.queries.save', q(['tenant', 'year'], { metrics: ['active-users'] }), { name: 'A', group: 'workspace', folder: 'F' })).id;
    await cmd('cmu.queries.save', q(['tenant']), { name: 'B', group: 'workspace', folder: 'F' });
    const dup = await cmd<{ id: string }>('cmu.queries.duplicate', a);
    assert.notStrictEqual(dup.id, a);
    assert.deepStrictEqual(await names('workspace', 'F'), ['A', 'A (copy)', 'B']);
    const { url } = await cmd<{ url: string }>('cmu.queries.copyUrl', dup.id);
    const base = (await (await testApi()).services.session()).env.cmuBase!;
    assert.strictEqual(url, base + '/tenant/year?metrics=active-users');
    assert.strictEqual(await vscode.env.clipboard.readText(), url);
    await vscode.env.clipboard.writeText('');
    assert.ok(!fs.readFileSync(wsFile, 'utf8').includes('127.0.0.1'), 'the host stays out of the file');
  });

  test('an edit made outside the extension is picked up by the watcher', async () => {
    await clean();
    await cmd('cmu.queries.save', q(['tenant']), { name: 'before', group: 'workspace' });
    const file = onDisk(wsFile);
    file.queries.push({ name: 'Added by hand', query: { path: ['tenant', 'year'] }, note: 'kept' });
    fs.writeFileSync(wsFile, JSON.stringify(file, null, 2));
    await eventually(async () => (await names('workspace')).includes('Added by hand'), 10_000, 'watcher');
    // the hand-written entry got a stable id from its name, and its unknown field survives a change
    const added = (await mine('workspace')).find((x) => x.name === 'Added by hand')!;
    assert.strictEqual(added.id, 'added-by-hand');
    await cmd('cmu.queries.rename', added.id, 'Renamed');
    const after = onDisk(wsFile).queries.find((x: { id: string }) => x.id === 'added-by-hand');
    assert.strictEqual(after.note, 'kept');
    assert.strictEqual(after.name, 'Renamed');
  });

  test('an invalid file is left untouched, with a visible error at its line', async () => {
    await clean();
    const broken = '{\n  "queries": [\n    { "name": "ok", "query": { "path": ["tenant"] } }\n    { "name": "missing comma" }\n  ]\n}\n';
    fs.mkdirSync(path.dirname(wsFile), { recursive: true });
    fs.writeFileSync(wsFile, broken);
    const uri = vscode.Uri.file(wsFile);
    // the tree shows the problem
    const problem = await eventually(() => {
      const kids = api.tree.getChildren({ kind: 'group', group: 'workspace' }) as QueryNode[];
      return kids.find((n) => n.kind === 'problem');
    }, 10_000, 'problem item') as QueryNode;
    assert.ok(problem.kind === 'problem');
    assert.strictEqual(problem.problem.line, 4);
    const item = api.tree.getTreeItem(problem);
    assert.match(String(item.label), /^Line 4: Comma expected/);
    // a diagnostic marks it in the editor
    const diags = await eventually(() => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'CMU Explorer'), 10_000, 'diagnostics');
    assert.strictEqual(diags[0].range.start.line, 3);
    assert.strictEqual(diags[0].severity, vscode.DiagnosticSeverity.Error);
    // writes refuse, naming the line, and the bytes stay the same
    await assert.rejects(cmd('cmu.queries.save', q(['tenant']), { name: 'new', group: 'workspace' }), /line 4/);
    assert.strictEqual(fs.readFileSync(wsFile, 'utf8'), broken);
    // the User group still works
    const { id } = await cmd<{ id: string }>('cmu.queries.save', q(['tenant']), { name: 'still fine', group: 'user' });
    await cmd('cmu.queries.delete', id);
    assert.strictEqual(fs.readFileSync(wsFile, 'utf8'), broken);
    // fixing the file by hand clears the error
    fs.writeFileSync(wsFile, broken.replace('}\n    {', '},\n    {').replace('{ "name": "missing comma" }', '{ "name": "fixed", "query": { "path": [] } }'));
    await eventually(async () => (await names('workspace')).includes('fixed'), 10_000, 'fixed file');
    await eventually(() => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'CMU Explorer').length === 0, 10_000, 'diagnostics cleared');
  });

  test('URL import round trip: the query comes back as the same href, without host or token', async () => {
    await clean();
    const href = '/cmu/v2/tenant/year/month.csv?start=2024-01&end=2024-03&mvpd!=A&mvpd!=B&platform&metrics=active-users,started-sessions&limit=50';
    const { id } = await cmd<{ id: string }>('cmu.queries.importUrl', 'https://mgmt.auth.adobe.com' + href + '&access_token=SECRET-XYZ', 'Imported');
    const item = (await list()).find((x) => x.id === id)!;
    assert.strictEqual(item.name, 'Imported');
    assert.strictEqual(item.url, href);
    const text = fs.readFileSync(wsFile, 'utf8');
    assert.ok(!text.includes('SECRET-XYZ') && !text.includes('mgmt.auth.adobe.com') && !text.includes('access_token'), text);
    // and an href works the same way
    const again = await cmd<{ id: string }>('cmu.queries.importUrl', href);
    assert.strictEqual((await list()).find((x) => x.id === again.id)!.url, href);
    // Copy as cURL: the token stays a placeholder
    const { curl } = await cmd<{ curl: string }>('cmu.queries.copyCurl', id);
    assert.match(curl, /Authorization: Bearer \$CMU_TOKEN/);
    assert.ok(curl.includes('/cmu/v2/tenant/year/month.csv?start=2024-01'));
  });

  test('Examples: grouped like the docs, read-only, and they run against the sandbox', async function () {
    const examples = (await list()).filter((x) => x.group === 'examples');
    assert.ok(examples.length > 10);
    assert.deepStrictEqual([...new Set(examples.map((x) => x.folder))].sort(), ['concurrency', 'daily', 'hourly', 'monthly']);
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes('cmu.runQuery')) this.skip();
    await cmd('cmu.startSandbox');
    const daily = examples.find((x) => x.folder === 'daily')!;
    const r = await cmd<{ rows: unknown[]; columns: unknown[]; url: string }>('cmu.queries.run', daily.id);
    assert.ok(r && Array.isArray(r.rows) && r.rows.length > 0, JSON.stringify(r)?.slice(0, 300));
    // a saved copy runs the same way
    const { id } = await cmd<{ id: string }>('cmu.queries.saveExample', daily.id, { group: 'user' });
    const r2 = await cmd<{ rows: unknown[] }>('cmu.queries.run', id);
    assert.ok(r2.rows.length > 0);
    await cmd('cmu.queries.delete', id);
  });

  test('a saved "last 7 days" keeps its window and sends the last 7 whole days of the report zone when it runs', async function () {
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes('cmu.runQuery')) this.skip();
    await cmd('cmu.startSandbox');
    const query = { path: ['tenant', 'year', 'month', 'day'], filters: [], projections: [], metrics: ['started-sessions'], window: 'last 7 days' };
    const { id } = await cmd<{ id: string }>('cmu.queries.save', query, { name: 'Weekly', group: 'user' });
    try {
      const expected = () => {
        const w = resolveWindow(parseWindow('7d'), parseZone('-08:00'), Date.now()); // the default cmu.reportTimeZone
        return `start=${w.start}&end=${w.end}`;
      };
      const before = expected();
      const r = await cmd<{ rows: unknown[]; url: string }>('cmu.queries.run', id);
      const after = expected();
      assert.ok(r.url.includes(before) || r.url.includes(after), `${r.url} does not send ${before}`);
      assert.strictEqual(r.rows.length, 7, 'seven whole days');
      // the saved query is still relative: it is resolved again on the next run, not frozen
      const saved = (await list()).find((x) => x.id === id)!;
      assert.ok(!saved.url.includes('start='), saved.url);
    } finally {
      await cmd('cmu.queries.delete', id);
    }
  });
});

suite('Connection view', function () {
  this.timeout(60_000);
  type Summary = {
    state: string;
    environment: string;
    statement: boolean;
    clientId?: string;
    tokenExpiresAt?: number;
    items: { label: string; description: string; contextValue?: string }[];
  };
  const refresh = () => cmd<Summary>('cmu.connection.refresh');
  const item = (s: Summary, label: string) => s.items.find((i) => i.label === label)!;

  suiteSetup(async () => {
    await testApi();
    await cmd('cmu.startSandbox');
  });

  test('follows the chain: nothing (welcome) → statement → client → token, with the countdown', async () => {
    await cmd('cmu.forgetCredentials', 'all');
    let s = await refresh();
    assert.strictEqual(s.state, 'noStatement');
    assert.deepStrictEqual(s.items, [], 'empty: the welcome content shows');

    await cmd('cmu.startSandbox'); // imports the sandbox's statement again
    s = await refresh();
    assert.strictEqual(s.state, 'ready');
    assert.match(item(s, 'Environment').description, /^sandbox · profile /);
    assert.match(item(s, 'Software statement').description, /RS256/);
    assert.strictEqual(item(s, 'Client').description, 'not registered');
    assert.strictEqual(item(s, 'Client').contextValue, 'cmu.conn.client.missing');

    const { clientId } = await cmd<{ clientId: string }>('cmu.registerClient');
    s = await refresh();
    assert.strictEqual(s.clientId, clientId);
    assert.strictEqual(item(s, 'Client').description, clientId);

    await cmd('cmu.getAccessToken');
    s = await refresh();
    assert.ok(s.tokenExpiresAt! > Date.now());
    assert.match(item(s, 'Access token').description, /^expires in \d/);
    assert.strictEqual(item(s, 'Access token').contextValue, 'cmu.conn.token');
    // nothing secret in what the view shows
    const shown = JSON.stringify(s);
    const token = await (await (await testApi()).services.peekSession())!.peekToken();
    assert.ok(token && !shown.includes(token.accessToken));
  });

  test('inline actions run the extension commands; a stopped sandbox shows its welcome', async () => {
    const before = (await refresh()).tokenExpiresAt;
    await new Promise((r) => setTimeout(r, 1100));
    await cmd('cmu.connection.refreshToken');
    const after = await refresh();
    assert.ok(after.tokenExpiresAt! >= before!, 'token refreshed');
    await cmd('cmu.stopSandbox');
    assert.strictEqual((await refresh()).state, 'sandboxStopped');
    await cmd('cmu.startSandbox');
    assert.strictEqual((await refresh()).state, 'ready');
  });
});
