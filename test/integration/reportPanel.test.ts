import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { parseQueryUrl, queryToUrl } from '../../src/core/cmu/query';
import type { CmuQuery, ReportCell, ReportColumn } from '../../src/core/cmu/types';
import type { NavLink, RenderStats } from '../../src/shared/protocol';
import { CHUNK_ROWS, FIRST_ROWS } from '../../src/extension/report/reportView';
import type { TestApi } from '../../src/extension/host/testApi';
import { cmd, eventually, testApi } from './helpers';

interface RunResult {
  rows: ReportCell[][];
  columns: ReportColumn[];
  rowCount: number;
  url: string;
}
interface PanelInfo {
  title: string;
  query: CmuQuery;
  url?: string;
  rows?: number;
  state?: string;
  links: NavLink[];
  stats?: RenderStats;
  rejectedMessages: number;
  /** messages posted for the current request, by type */
  posted: Record<string, number>;
  /** `rendered` messages (every row painted) received for the current request */
  renders: number;
  readyMessages: number;
  active: boolean;
  compare?: string;
  comparedWith?: string;
  parentTotal?: { requestId: number; url: string; total: { path: string; values: [string, number][] } };
}

const panels = () => cmd<PanelInfo[]>('cmu._test.reportPanels');
const activePanel = async (): Promise<PanelInfo> => {
  const all = await panels();
  const p = all.find((x) => x.active) ?? all[0];
  assert.ok(p, 'a report panel is open');
  return p;
};

const DAILY: CmuQuery = {
  path: ['tenant', 'year', 'month', 'day'],
  filters: [{ dimension: 'mvpd', op: '!=', values: ['TempPass'] }],
  projections: [],
  metrics: ['active-users', 'started-sessions'],
};

const DAY = 86_400_000;
const MINUTES = ['tenant', 'year', 'month', 'day', 'hour', 'minute'];

/** `path` over `days` whole UTC days ending `ago` days before today: a window already over. */
function pastDays(path: string[], days: number, ago: number, limit?: number): CmuQuery {
  const end = Date.now() - (Date.now() % DAY) - ago * DAY;
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return { path: [...path], filters: [], projections: [], metrics: [], start: iso(end - days * DAY), end: iso(end), ...(limit ? { limit } : {}) };
}

function closeAllPanels(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** The CSV the sandbox sends for a panel's report URL, fetched without the extension (with its token). */
async function sandboxCsv(api: TestApi, reportUrl: string): Promise<{ status: number; body: Buffer }> {
  const sandbox = api.sandbox();
  assert.ok(sandbox);
  const url = queryToUrl({ ...parseQueryUrl(reportUrl, sandbox.cmuBase), format: 'csv' }, sandbox.cmuBase);
  const token = (await (await api.services.session()).getToken()).accessToken;
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.once('error', reject);
      })
      .once('error', reject);
  });
}

suite('report panel', function () {
  this.timeout(120_000);

  suiteSetup(async () => {
    await testApi();
    await cmd('cmu.startSandbox');
    await closeAllPanels();
  });

  suiteTeardown(async () => {
    await closeAllPanels();
  });

  test('cmu.runQuery with a query: returns the records and the panel renders all of them', async () => {
    const r = await cmd<RunResult>('cmu.runQuery', DAILY);
    assert.ok(r.rows.length > 0, 'rows');
    assert.ok(r.columns.some((c) => c.kind === 'metric' && c.name === 'active-users'));
    assert.match(r.url, /\/cmu\/v2\/tenant\/year\/month\/day\?/);
    assert.match(r.url, /mvpd!=TempPass/);
    const p = await activePanel();
    assert.strictEqual(p.state, 'report');
    assert.ok(p.stats, 'the webview reported painting the data');
    assert.strictEqual(p.stats.rows, r.rows.length, 'every record reached the webview');
    assert.ok(p.stats.domRows > 0);
    assert.strictEqual(p.stats.chart, true, 'a time path shows the chart');
    assert.strictEqual(p.rejectedMessages, 0);
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('cmu.report'));
    assert.ok(tab, 'a webview tab of type cmu.report');
  });

  test('a new panel gets its report posted once and renders it once (nothing re-posted on the webview\'s ready)', async () => {
    await closeAllPanels();
    const r = await cmd<RunResult>('cmu.runQuery', DAILY);
    const p = await activePanel(); // waits for the webview to report every row painted
    assert.ok(p.readyMessages >= 1, 'the webview said ready before it rendered');
    assert.strictEqual(p.posted.report, 1, `posted: ${JSON.stringify(p.posted)}`);
    assert.strictEqual(p.renders, 1);
    assert.strictEqual(p.stats?.rows, r.rows.length);
  });

  test('a panel hidden before its page booted gets its report when shown again, rendered once', async () => {
    await closeAllPanels();
    const running = cmd<RunResult>('cmu.runQuery', DAILY);
    // another editor in the panel's group hides it (VS Code drops a hidden webview's document)
    await new Promise((r) => setTimeout(r, 30));
    const file = path.join(os.tmpdir(), `cmu-hides-the-panel-${process.pid}.txt`);
    fs.writeFileSync(file, 'hides the panel\n');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false });
    const panelTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('cmu.report'));
    assert.ok(panelTab() && !panelTab()!.isActive, 'the panel is hidden behind the document');
    await cmd('workbench.action.previousEditor');
    const r = await running;
    const p = await activePanel();
    assert.strictEqual(p.stats?.rows, r.rows.length, 'every row reached the webview shown again');
    assert.strictEqual(p.renders, 1);
    // the DAILY panel stays for the tests after this one
    const fileTab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === file);
    if (fileTab) await vscode.window.tabGroups.close(fileTab);
    fs.rmSync(file, { force: true });
  });

  test("the catalog's advice reaches the log, for a report served and for one refused", async () => {
    const api = await testApi();
    let since = api.logLines().length;
    // minute data: served by the sandbox, advised on by the catalog (most tenants do not have it)
    const r = await cmd<RunResult>('cmu.runQuery', pastDays(MINUTES, 1, 3, 50));
    assert.strictEqual(r.rowCount, 50);
    const p = await activePanel();
    assert.ok(p.stats, 'painted');
    await eventually(() => api.logLines().slice(since).some((l) => /query: minute-level data is off/.test(l)), 10_000, 'the advice in the log');
    since = api.logLines().length;
    // a metric no server has: refused (HTTP 400), and the log already says what the catalog knows
    await assert.rejects(cmd('cmu.runQuery', { ...DAILY, metrics: ['active-user'] }));
    const lines = api.logLines().slice(since);
    assert.ok(lines.some((l) => /query: `active-user` is not a metric the catalog knows.*did you mean `active-users`/.test(l)), JSON.stringify(lines));
  });

  test('a large report streams: the first rows, then chunks the webview appends; every row reaches the table', async () => {
    // the sandbox's minute report: 1440 rows a day
    const big = pastDays(MINUTES, 40, 1, 50_000);
    const r = await cmd<RunResult>('cmu.runQuery', big);
    assert.ok(r.rows.length > 40_000, `rows: ${r.rows.length}`);
    assert.strictEqual(r.rowCount, r.rows.length);
    // what crosses to the workbench when the palette runs it: no rows (they are decoded only for a caller that reads them)
    assert.deepStrictEqual(Object.keys(JSON.parse(JSON.stringify(r)) as object).sort(), ['columns', 'rowCount', 'url']);
    const p = await activePanel();
    assert.strictEqual(p.posted.report, 1);
    assert.ok((p.posted.rows ?? 0) >= 2, `posted: ${JSON.stringify(p.posted)}`);
    assert.strictEqual(p.stats?.rows, r.rows.length, 'every row reached the webview');
    assert.strictEqual(p.renders, 1);
  });

  test('a body cut mid-way is an error in the panel (also when its first rows were already on screen), never a shorter report', async () => {
    const api = await testApi();
    const sandbox = api.sandbox();
    assert.ok(sandbox);
    const q = pastDays(MINUTES, 20, 2, 30_000);
    await cmd<RunResult>('cmu.runQuery', q); // the panel and its webview are up: the run below can paint before the cut
    await activePanel();
    // both requests of the run get the fault; only the CSV is longer than 300 kB (the links call's body is a few kB)
    sandbox.failNext(2, 200, { endpoint: 'cmu', cutAfterBytes: 300_000 });
    try {
      await assert.rejects(cmd('cmu.runQuery', q), (e: Error) => !/cancel/i.test(e.message), 'the run fails (not as a cancel)');
    } finally {
      sandbox.clearFailures();
    }
    const p = await activePanel();
    assert.strictEqual(p.state, 'error');
    // whether the first rows were painted before the cut depends on the links call's timing; the end is the error either way
    assert.ok((p.posted.report ?? 0) <= 1 && p.posted.error === 1, `posted: ${JSON.stringify(p.posted)}`);
  });

  test('a column the first rows show as numbers holds text later: the report is read whole, the panel ends with every row and the text, nothing refused', async () => {
    const api = await testApi();
    const sandbox = api.sandbox();
    assert.ok(sandbox);
    const runs = [
      // text in the first row past the rows the worker decides on (720 hours)
      { q: pastDays(MINUTES.slice(0, 5), 30, 2), numericRows: FIRST_ROWS },
      // text in a later chunk: the first rows are on screen by then (not asserted: timing), the report read whole replaces them
      { q: pastDays(MINUTES, 25, 2, 30_000), numericRows: FIRST_ROWS + CHUNK_ROWS + 1000 },
    ];
    for (const { q, numericRows } of runs) {
      const what = `${q.path.join('/')}, text after ${numericRows} rows`;
      api.clearLastError();
      const since = api.logLines().length;
      sandbox.setKindChange({ path: q.path.join('/'), column: 'device-tier', numericRows });
      try {
        const r = await cmd<RunResult>('cmu.runQuery', q);
        const served = await sandboxCsv(api, r.url);
        assert.strictEqual(served.status, 200);
        const [head, ...lines] = served.body.toString('utf8').trim().split('\r\n');
        const at = head.split(',').indexOf('device-tier');
        assert.ok(at > 0 && lines.length > numericRows, `${what}: the sandbox served the column (${head}) past its numbers (${lines.length} rows)`);
        const servedValues = lines.map((l) => l.split(',')[at]);
        assert.strictEqual(servedValues[numericRows], `row-${numericRows + 1}`);
        // cmu.runQuery: every row served, the column a dimension holding the server's values (not NaN, not empty)
        assert.strictEqual(r.rowCount, lines.length, what);
        assert.strictEqual(r.rows.length, lines.length, what);
        const c = r.columns.findIndex((x) => x.name === 'device-tier');
        assert.deepStrictEqual(r.columns[c], { name: 'device-tier', kind: 'dimension' }, what);
        const values = r.rows.map((row) => row[c]);
        assert.deepStrictEqual(values.slice(numericRows - 2, numericRows + 2), [String(numericRows - 1), String(numericRows), `row-${numericRows + 1}`, `row-${numericRows + 2}`], what);
        assert.deepStrictEqual(values, servedValues, `${what}: every value as served`);
        // the panel: the report (not an error), every row painted, nothing refused, no error message
        const p = await activePanel();
        assert.strictEqual(p.state, 'report', what);
        assert.strictEqual(p.rows, lines.length, what);
        assert.strictEqual(p.stats?.rows, lines.length, `${what}: every row reached the webview (${JSON.stringify(p.stats)})`);
        assert.strictEqual(p.posted.error, undefined, `${what}: posted ${JSON.stringify(p.posted)}`);
        assert.strictEqual(p.rejectedMessages, 0);
        assert.strictEqual(api.lastError(), undefined, what);
        // it went the way under test: the stream refused the column's text, the report was read whole
        assert.ok(api.logLines().slice(since).some((l) => /"device-tier".*read whole instead/.test(l)), `${what}: log ${JSON.stringify(api.logLines().slice(since))}`);
      } finally {
        sandbox.setKindChange(undefined);
      }
    }
  });

  test('running the same query again reuses its panel; a URL string works too', async () => {
    const before = (await panels()).length;
    await cmd<RunResult>('cmu.runQuery', DAILY);
    assert.strictEqual((await panels()).length, before);
    const href = '/cmu/v2/tenant/year/month/day?mvpd!=TempPass&metrics=active-users,started-sessions';
    const r = await cmd<RunResult>('cmu.runQuery', href);
    assert.ok(r.rows.length > 0);
    assert.strictEqual((await panels()).length, before, 'the href is the same query');
  });

  test('drill-down opens the child report and keeps the filters that still apply', async () => {
    await cmd<RunResult>('cmu.runQuery', DAILY);
    const p = await activePanel();
    const link = p.links.find((l) => l.id.startsWith('d') && l.label === 'mvpd') ?? p.links.find((l) => l.id.startsWith('d'));
    assert.ok(link, `drill-down links: ${JSON.stringify(p.links)}`);
    await cmd('cmu._test.reportPanelMessage', { type: 'navigate', linkId: link.id });
    const child = await activePanel();
    assert.strictEqual(child.query.path.length, DAILY.path.length + 1);
    assert.deepStrictEqual(child.query.path.slice(0, 4), DAILY.path);
    assert.deepStrictEqual(child.query.filters, DAILY.filters, 'mvpd is still filterable below day');
    assert.strictEqual(child.state, 'report');
    assert.ok(child.stats && child.stats.rows === child.rows && child.rows > 0, `child rows ${child.rows}, rendered ${child.stats?.rows}`);
    // roll-up back through the breadcrumb
    const up = child.links.find((l) => l.id.startsWith('r') && l.label === 'day');
    assert.ok(up, 'breadcrumb link to day');
    await cmd('cmu._test.reportPanelMessage', { type: 'navigate', linkId: up.id });
    assert.deepStrictEqual((await activePanel()).query.path, DAILY.path);
  });

  test('tab titles tell panels apart (…/day/mvpd vs mvpd), follow navigation and are short', async () => {
    await closeAllPanels();
    const deep: CmuQuery = { path: ['tenant', 'year', 'month', 'day', 'mvpd'], filters: [], projections: [], metrics: [] };
    const flat: CmuQuery = { path: ['mvpd'], filters: [], projections: [], metrics: [] };
    await cmd<RunResult>('cmu.runQuery', deep);
    await cmd<RunResult>('cmu.runQuery', flat);
    await cmd<RunResult>('cmu.runQuery', DAILY);
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview).map((t) => t.label);
    assert.deepStrictEqual(labels().sort(), ['CMU: …/day/mvpd', 'CMU: …/month/day (mvpd!=TempPass)', 'CMU: mvpd'].sort());
    assert.deepStrictEqual((await panels()).map((p) => p.title).sort(), labels().sort(), 'panel.title is what the tab shows');
    // a drill-down retitles the panel it moves: the same path as another panel, told apart by the filter
    const link = (await activePanel()).links.find((l) => l.id.startsWith('d') && l.label === 'mvpd');
    assert.ok(link, 'drill-down to mvpd');
    await cmd('cmu._test.reportPanelMessage', { type: 'navigate', linkId: link.id });
    assert.strictEqual((await activePanel()).title, 'CMU: …/day/mvpd (mvpd!=TempPass)');
    assert.deepStrictEqual(labels().sort(), ['CMU: …/day/mvpd', 'CMU: …/day/mvpd (mvpd!=TempPass)', 'CMU: mvpd'].sort());
    await cmd<RunResult>('cmu.runQuery', DAILY); // the next tests start from the daily report
  });

  test('messages from the webview are validated before anything acts on them', async () => {
    const before = (await activePanel()).rejectedMessages;
    for (const bad of [{ type: 'navigate', linkId: 5 }, { type: 'action', action: 'deleteEverything' }, { type: 'evil' }, 'navigate', null]) {
      await cmd('cmu._test.reportPanelMessage', bad);
    }
    const after = await activePanel();
    assert.strictEqual(after.rejectedMessages, before + 5);
    // an unknown link id is ignored (no navigation)
    await cmd('cmu._test.reportPanelMessage', { type: 'navigate', linkId: 'https://evil.example/cmu/v2' });
    assert.deepStrictEqual((await activePanel()).query.path, DAILY.path);
  });

  test('compare toggle: the earlier window is fetched beside this one and the joined rows are rendered; off goes back', async () => {
    const day = (d: number) => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - d)).toISOString().slice(0, 10);
    const q: CmuQuery = { ...DAILY, start: day(8), end: day(1) };
    const r = await cmd<RunResult>('cmu.runQuery', q);
    assert.strictEqual(r.rows.length, 7);
    await cmd('cmu._test.reportPanelMessage', { type: 'compare', mode: 'week' });
    let p = await activePanel();
    assert.strictEqual(p.compare, 'week');
    assert.strictEqual(p.state, 'report');
    assert.strictEqual(p.stats?.rows, 7, 'seven days joined with the seven a week earlier');
    assert.match(p.comparedWith ?? '', new RegExp(`start=${day(15)}&end=${day(8)}`), 'the window a week earlier');
    assert.strictEqual(p.rows, 7, 'Open as JSON / Save As still give the report of this window');
    await cmd('cmu._test.reportPanelMessage', { type: 'compare', mode: 'off' });
    p = await activePanel();
    assert.strictEqual(p.compare, undefined);
    assert.strictEqual(p.comparedWith, undefined);
    assert.strictEqual(p.stats?.rows, 7);
    await cmd<RunResult>('cmu.runQuery', DAILY); // the next tests start from the daily report
  });

  test('the total cell of a distinct count gets the server total: one more call after the report is painted, posted to the webview', async () => {
    // a week of last month: the days share their month, so the parent is tenant/year/month over the same week
    const now = new Date();
    const ym = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const q: CmuQuery = { ...DAILY, start: `${ym}-01`, end: `${ym}-08` };
    const r = await cmd<RunResult>('cmu.runQuery', q);
    assert.strictEqual(r.rows.length, 7);
    let p = await activePanel();
    for (const until = Date.now() + 20_000; !p.parentTotal && Date.now() < until; p = await activePanel()) await new Promise((res) => setTimeout(res, 100));
    assert.ok(p.parentTotal, 'a server total was fetched');
    assert.strictEqual(p.parentTotal.total.path, '/tenant/year/month');
    assert.strictEqual(p.posted.parentTotal, 1, 'posted once to the webview');
    const parent = await cmd<RunResult>('cmu.runQuery', { ...q, path: ['tenant', 'year', 'month'] });
    assert.strictEqual(parent.rows.length, 1);
    const au = parent.columns.findIndex((c) => c.name === 'active-users');
    assert.deepStrictEqual(p.parentTotal.total.values, [['active-users', parent.rows[0][au]]]);
    assert.strictEqual(p.parentTotal.url, parent.url);
    await cmd<RunResult>('cmu.runQuery', DAILY); // the next tests start from the daily report
  });

  test('Open as JSON: a read-only json document whose content parses and equals the report', async () => {
    const r = await cmd<RunResult>('cmu.runQuery', DAILY);
    const opened = await cmd<{ uri: string; languageId: string }>('cmu.openReportAs', 'json');
    assert.strictEqual(opened.languageId, 'json');
    const uri = vscode.Uri.parse(opened.uri);
    assert.strictEqual(uri.scheme, 'cmu-report');
    assert.match(uri.path, /tenant-year-month-day\.json$/);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === opened.uri);
    assert.ok(doc);
    const json = JSON.parse(doc.getText()) as { report: Record<string, unknown>[]; _links: unknown };
    assert.ok(json._links, 'HAL links kept');
    assert.strictEqual(json.report.length, r.rows.length);
    json.report.forEach((rec, i) => {
      r.columns.forEach((c, j) => {
        const v = r.rows[i][j];
        const raw = rec[c.name];
        if (c.kind === 'metric') assert.strictEqual(raw === undefined || raw === null || raw === '' ? null : Number(raw), v, `${c.name} row ${i}`);
        else assert.strictEqual(String(raw), String(v), `${c.name} row ${i}`);
      });
    });
    assert.ok(doc.getText().includes('\n  "'), 'pretty-printed');
    // refreshable
    await cmd('cmu.refreshReportDocument', uri);
    assert.deepStrictEqual(JSON.parse(doc.getText()).report.length, r.rows.length);
  });

  test('Open as CSV, Save As writes the server bytes, copy URL and cURL with the placeholder', async () => {
    await cmd<RunResult>('cmu.runQuery', DAILY);
    const csv = await cmd<{ uri: string }>('cmu.openReportAs', 'csv');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === csv.uri);
    assert.ok(doc && /^tenant,year,month,day/i.test(doc.getText()), doc?.getText().slice(0, 80));
    await cmd('cmu.runQuery', DAILY); // back to the panel
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-save-')), 'report.csv');
    const saved = await cmd<{ path: string; bytes: number }>('cmu.saveReportAs', file, 'csv');
    assert.ok(saved.bytes > 0);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), doc.getText(), 'the same bytes the server sent');
    const { url } = await cmd<{ url: string }>('cmu.copyReportUrl');
    assert.strictEqual(await vscode.env.clipboard.readText(), url);
    const c = await cmd<{ curl: string; includesToken: boolean }>('cmu.copyReportCurl', { includeToken: false });
    assert.ok(c.curl.includes('$CMU_TOKEN') && c.curl.includes(url) && !c.includesToken);
    assert.strictEqual(await vscode.env.clipboard.readText(), c.curl);
  });

  test("Save As… (the panel's button, the save dialog answered): the file holds exactly the bytes the sandbox sends, the old file replaced, no .part left", async () => {
    const api = await testApi();
    const fixed: CmuQuery = { ...DAILY, start: '2024-11-01', end: '2024-11-08' };
    await cmd<RunResult>('cmu.runQuery', fixed);
    const p = await activePanel();
    assert.strictEqual(p.state, 'report');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-saveas-'));
    const file = path.join(dir, 'daily.csv');
    fs.writeFileSync(file, 'an older report\n');
    api.saveDialogAnswers.push(vscode.Uri.file(file));
    await cmd('cmu._test.reportPanelMessage', { type: 'action', action: 'saveAs' });
    assert.strictEqual(api.saveDialogAnswers.length, 0, 'the panel asked where to save');
    const asked = api.saveDialogsAsked[api.saveDialogsAsked.length - 1];
    assert.match(asked.defaultUri?.path ?? '', /\.json$/, 'the proposed name has the format of the panel');
    const saved = await eventually(
      () => {
        const b = fs.readFileSync(file);
        return b.toString('utf8') === 'an older report\n' ? undefined : b;
      },
      10_000,
      'Save As wrote the file',
    );
    assert.ok(saved);
    // the same report asked as CSV straight from the sandbox, without the extension
    assert.ok(p.url);
    const direct = await sandboxCsv(api, p.url);
    assert.strictEqual(direct.status, 200);
    assert.match(direct.body.toString('utf8'), /^tenant,year,month,day/i);
    assert.ok(saved.equals(direct.body), `the saved file (${saved.length} bytes) is the server's body (${direct.body.length} bytes)`);
    assert.deepStrictEqual(fs.readdirSync(dir), ['daily.csv'], 'no .part file left');
  });

  test('an error is shown in the panel with the valid next steps as links', async () => {
    const bad: CmuQuery = { path: ['tenant', 'year', 'platfrom'], filters: [], projections: [], metrics: [] };
    await assert.rejects(cmd('cmu.runQuery', bad));
    const p = (await panels()).find((x) => x.query.path.join('/') === 'tenant/year/platfrom');
    assert.ok(p);
    assert.strictEqual(p.state, 'error');
    assert.ok(p.links.some((l) => l.id.startsWith('n')), `next steps: ${JSON.stringify(p.links)}`);
    await cmd('cmu._test.reportPanelMessage', { type: 'navigate', linkId: p.links[0].id });
    const fixed = await activePanel();
    assert.strictEqual(fixed.state, 'report');
    assert.deepStrictEqual(fixed.query.path, ['tenant', 'year', 'month']);
    // deeper than the parent: the links continue the closest known ancestor, and the roll-up works
    await assert.rejects(cmd('cmu.runQuery', { path: ['tenant', 'bogus', 'deeper'], filters: [], projections: [], metrics: [] }));
    const deep = (await panels()).find((x) => x.query.path.join('/') === 'tenant/bogus/deeper');
    assert.ok(deep && deep.state === 'error');
    assert.deepStrictEqual(deep.links.filter((l) => l.id.startsWith('n')).map((l) => l.label), ['tenant/year']);
    const up = deep.links.find((l) => l.id.startsWith('r') && l.label === 'tenant');
    assert.ok(up, `roll-up links: ${JSON.stringify(deep.links)}`);
    await cmd('cmu._test.reportPanelMessage', { type: 'navigate', linkId: up.id });
    const rolled = await activePanel();
    assert.deepStrictEqual(rolled.query.path, ['tenant']);
    assert.strictEqual(rolled.state, 'report');
  });

  test('the serializer restores a panel from its state (the query) and fetches again', async () => {
    await cmd<RunResult>('cmu.runQuery', DAILY);
    const title = (await activePanel()).title;
    const restored = await cmd<{ title: string; query: CmuQuery; rows?: number; stats?: RenderStats } | undefined>('cmu._test.restoreReportPanel', { v: 1, query: DAILY });
    assert.ok(restored);
    assert.strictEqual(restored.title, title, 'the restored panel gets the title it had');
    assert.deepStrictEqual(restored.query.path, DAILY.path);
    assert.ok(restored.rows && restored.rows > 0);
    assert.strictEqual(restored.stats?.rows, restored.rows);
    const none = await cmd('cmu._test.restoreReportPanel', { v: 1, query: { path: ['<script>'] } });
    assert.strictEqual(none, undefined, 'an invalid state is dropped');
  });
});
