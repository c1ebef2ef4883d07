// Issue 9: the server leads. Browse Server and the builder walk the sandbox's real tree from its links;
// an undocumented path and metric the server serves, and year/duration's inherited bstreams-60, go through
// cmu.runQuery and cmu.queries.save/run with what the server served; with the sandbox stopped the catalog advises.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { cmd, testApi } from './helpers';
import type { TestApi } from '../../src/extension/host/testApi';
import type { QueriesApi } from '../../src/extension/queries/commands';
import type { ViewNode } from '../../src/extension/queries/treeProvider';
import type { BrowseNode } from '../../src/extension/queries/browseTree';
import { liveBuilderTree } from '../../src/extension/queries/builder';
import { runQueryBuilderFlow, BACK, type BuilderUi, type PickOptions, type InputOptions, type Back } from '../../src/extension/queries/builderFlow';
import type { CmuQuery, ReportCell, ReportColumn } from '../../src/core/cmu/types';

interface RunResult {
  rows: ReportCell[][];
  columns: ReportColumn[];
  url: string;
}

const EXTRA_PATH = 'year/screen-class';
const EXTRA_METRIC = 'resumed-streams';
const q = (path: string[], metrics: string[] = []): CmuQuery => ({ path, filters: [], projections: [], metrics, start: '2026-01-01', end: '2026-01-08' });

/** A builder UI that answers from a script: each pick chooses the item whose label matches; records what it was offered. */
function scriptedUi(picks: (string | string[] | typeof BACK)[], offered: { title: string; labels: string[]; details: (string | undefined)[] }[]): BuilderUi {
  const answers = [...picks];
  return {
    async pick<T>(o: PickOptions<T>): Promise<T[] | Back | undefined> {
      offered.push({ title: o.title, labels: o.items.map((i) => i.label), details: o.items.map((i) => i.detail) });
      const a = answers.shift();
      if (a === undefined) return undefined;
      if (a === BACK) return BACK;
      const want = Array.isArray(a) ? a : [a];
      return o.items.filter((i) => want.includes(i.label)).map((i) => i.value);
    },
    async input(o: InputOptions): Promise<string | Back | undefined> {
      return o.value ?? '';
    },
    async confirm() {
      return 'Save Anyway';
    },
    info() {},
  };
}

suite('Browse Server and the real tree', function () {
  this.timeout(120_000);
  let api: TestApi;
  let queries: QueriesApi;

  const rootNode = async (): Promise<BrowseNode> => {
    const roots = (await queries.tree.getChildren()) as ViewNode[];
    const root = roots.find((n) => n.kind === 'browse');
    assert.ok(root, 'Browse Server is a root of the Queries view');
    return root as BrowseNode;
  };
  const childrenOf = async (n: BrowseNode) => (await queries.tree.getChildren(n)) as BrowseNode[];
  const named = (nodes: BrowseNode[], name: string) => {
    const n = nodes.find((x) => x.kind === 'browsePath' && x.path[x.path.length - 1] === name);
    assert.ok(n, `${name} among ${JSON.stringify(nodes.map((x) => (x.kind === 'browsePath' ? x.path.join('/') : x.kind)))}`);
    return n as BrowseNode & { kind: 'browsePath' };
  };
  /** what the server itself serves for this query (same client, same URL), to compare with what a command returned */
  const served = async (url: string) => (await api.services.cmuClient()).fetchReport(url);

  suiteSetup(async () => {
    api = await testApi();
    queries = await cmd<QueriesApi>('cmu.queries._internals');
    await queries.ready;
    await cmd('cmu.startSandbox');
    api.sandbox()!.serveExtraReport(EXTRA_PATH, EXTRA_METRIC);
    await cmd('cmu.queries.browseRefresh');
  });
  suiteTeardown(async () => {
    await cmd('cmu.startSandbox');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Browse Server walks the sandbox tree from its links: root → year → duration, with what only the server names', async () => {
    const before = api.sandbox()!.stats.cmu;
    const top = await childrenOf(await rootNode());
    assert.ok(api.sandbox()!.stats.cmu > before, 'the root was asked');
    const year = named(top, 'year');
    assert.strictEqual(year.source, 'server');
    assert.ok(top.some((n) => n.kind === 'browsePath' && n.path.join('/') === 'billing/daily'), 'billing/daily offered');
    const underYear = await childrenOf(year);
    const duration = named(underYear, 'duration');
    // the extra report: in no document and no catalog, linked by the server
    const extra = named(underYear, 'screen-class');
    assert.strictEqual(extra.source, 'server');
    const underDuration = await childrenOf(duration);
    assert.deepStrictEqual(underDuration.map((n) => (n.kind === 'browsePath' ? n.path.join('/') : n.kind)), ['year/duration/occurrences']);
    const item = queries.tree.getTreeItem(duration);
    assert.strictEqual(item.contextValue, 'cmu.browse.node');
    assert.strictEqual(item.description, '/year/duration');

    // each node runs, saves and copies its URL
    const ran = await cmd<RunResult>('cmu.queries.browseRun', EXTRA_PATH);
    assert.deepStrictEqual(ran.columns.map((c) => c.name), ['year', 'screen-class', EXTRA_METRIC]);
    const copied = await cmd<{ url: string }>('cmu.queries.browseCopyUrl', ['year', 'duration']);
    assert.strictEqual(copied.url, api.sandbox()!.cmuBase + '/year/duration');
    const { id } = await cmd<{ id: string }>('cmu.queries.browseSave', 'year/duration', { name: 'Browsed duration', group: 'user' });
    try {
      const saved = (await cmd<{ id: string; url: string }[]>('cmu.queries.list')).find((x) => x.id === id);
      assert.strictEqual(saved?.url, '/cmu/v2/year/duration');
    } finally {
      await cmd('cmu.queries.delete', id);
    }
    // the script form: the server's node
    const node = await cmd<{ source: string; metrics: string[]; drillDown: { name: string }[] }>('cmu.queries.browse', 'year/duration');
    assert.strictEqual(node.source, 'server');
    assert.ok(node.metrics.includes('bstreams-60'), node.metrics.join(','));
  });

  test('the builder offers the server\'s steps and metrics: year → screen-class, and its own metric', async () => {
    const offered: { title: string; labels: string[]; details: (string | undefined)[] }[] = [];
    const ui = scriptedUi(['year', 'screen-class', '$(check) Done', [EXTRA_METRIC]], offered);
    // the rest of the steps (filters, time, limit, format) are cancelled after the metrics: the path and metrics are what matter
    const result = await runQueryBuilderFlow(ui, undefined, new Date(), undefined, { tree: liveBuilderTree(api.services) });
    assert.strictEqual(result, undefined, 'cancelled after the metrics step');
    assert.ok(offered[0].labels.includes('year'));
    assert.ok(offered[1].labels.includes('screen-class'), offered[1].labels.join(','));
    assert.strictEqual(offered[1].details[offered[1].labels.indexOf('screen-class')], 'from the server');
    const metrics = offered.find((o) => o.title.endsWith('metrics'));
    assert.deepStrictEqual(metrics?.labels, [EXTRA_METRIC]);
  });

  test('cmu.runQuery: the undocumented path and metric, and year/duration with bstreams-60, return exactly what the server served (a warning logged, no error)', async () => {
    api.clearLastError();
    for (const query of [q(['year', 'screen-class'], [EXTRA_METRIC]), q(['year', 'duration'], ['bstreams-60'])]) {
      const r = await cmd<RunResult>('cmu.runQuery', query);
      assert.ok(r, `runQuery ${query.path.join('/')}: ${api.lastError()}`);
      const direct = await served(r.url);
      assert.deepStrictEqual(r.columns.map((c) => c.name), [...query.path, ...query.metrics]);
      assert.ok(r.rows.length > 0);
      assert.deepStrictEqual(r.rows, direct.rows);
    }
    assert.strictEqual(api.lastError(), undefined);
    assert.ok(api.logLines().some((l) => /warn/i.test(l) && l.includes('screen-class')), 'the catalog\'s advice is a logged warning');
  });

  test('cmu.queries.save / run: the same two queries through the saved-queries file', async () => {
    for (const query of [q(['year', 'screen-class'], [EXTRA_METRIC]), q(['year', 'duration'], ['bstreams-60'])]) {
      const { id } = await cmd<{ id: string }>('cmu.queries.save', query, { name: `real ${query.path.join('/')}`, group: 'user' });
      try {
        const r = await cmd<RunResult>('cmu.queries.run', id);
        assert.deepStrictEqual(r.columns.map((c) => c.name), [...query.path, ...query.metrics]);
        assert.deepStrictEqual(r.rows, (await served(r.url)).rows);
        assert.ok(r.rows.every((row) => /^\d+$/.test(String(row[row.length - 1]))), 'metric values');
      } finally {
        await cmd('cmu.queries.delete', id);
      }
    }
  });

  test('a 404 without links: the error offers the closest ancestor\'s drill-down children from the server', async () => {
    await assert.rejects(cmd('cmu.runQuery', q(['year', 'bogus'])), (e: { explanation?: string; code?: string }) => {
      assert.match(String(e.explanation), /Valid next steps from \/year are: .*screen-class.*the server's links/);
      return true;
    });
  });

  test('with the sandbox stopped, Browse Server and the builder fall back to the catalog without errors', async () => {
    await cmd('cmu.stopSandbox');
    await cmd('cmu.queries.browseRefresh');
    api.clearLastError();
    const top = await childrenOf(await rootNode());
    assert.strictEqual(top[0].kind, 'browseInfo', 'says it is offline');
    const year = named(top, 'year');
    assert.strictEqual(year.source, 'catalog');
    const underYear = await childrenOf(year);
    named(underYear, 'duration');
    assert.ok(!underYear.some((n) => n.kind === 'browsePath' && n.path.includes('screen-class')), 'the catalog does not know the extra report');
    assert.match(String(queries.tree.getTreeItem(await rootNode()).description), /offline/);
    const offered: { title: string; labels: string[]; details: (string | undefined)[] }[] = [];
    await runQueryBuilderFlow(scriptedUi(['year', 'duration', '$(check) Done', ['bstreams-60']], offered), undefined, new Date(), undefined, { tree: liveBuilderTree(api.services) });
    assert.ok(offered[1].labels.includes('duration'));
    assert.strictEqual(offered[1].details[offered[1].labels.indexOf('duration')], 'from the catalog');
    assert.ok(offered.find((o) => o.title.endsWith('metrics'))?.labels.includes('bstreams-60'));
    assert.strictEqual(api.lastError(), undefined, 'no error shown');
    assert.strictEqual(api.sandbox(), undefined, 'the sandbox stayed stopped');
  });
});
