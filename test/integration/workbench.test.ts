/**
 * The report panel measured in the real workbench (`npm run bench:workbench` runs this file in fresh
 * sessions with CMU_TEST_BENCH_ROWS=200000 and summarizes). In the ordinary integration run it is a
 * smoke: a small report, the same figures printed, no timing asserted (speed is not a test result).
 * Figures: `FIGURE <name> <value> <unit>` lines on the extension host's console, each beside its floor
 * measured in the same session (curl of the same URL + JSON.parse of the body, in this process).
 */
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as vscode from 'vscode';
import { cmd, EXTENSION_ID, testApi } from './helpers';

const figure = (name: string, value: number, unit: string) => console.log(`FIGURE ${name} ${Math.round(value * 10) / 10} ${unit}`);

interface PanelInfo {
  rows?: number;
  stats?: { rows: number };
  firstRowsAt?: number;
  readyAt?: number;
}

/** curl to a file, read it, JSON.parse: the least any client can do with the same URL. */
async function floor(url: string, token: string): Promise<{ total: number; curl: number; parse: number }> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-floor-')), 'body.json');
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) =>
    execFile('curl', ['-sS', '--compressed', '-o', file, '-H', `Authorization: Bearer ${token}`, '-H', 'Accept: application/json', url], (e) => (e ? reject(e) : resolve())),
  );
  const t1 = Date.now();
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  const t2 = Date.now();
  assert.ok(parsed);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return { total: t2 - t0, curl: t1 - t0, parse: t2 - t1 };
}

/** Runs the report of `href` in a fresh panel; the longest extension-host block and peak RSS while it loads. */
async function measure(href: string): Promise<{ firstRows: number; webviewReady: number; resolved: number; rendered: number; rows: number; longestBlock: number; peakRss: number; baseRss: number }> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await new Promise((r) => setTimeout(r, 500));
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = Date.now();
  const result = await cmd<{ rows: unknown[] }>('cmu.runQuery', href);
  const resolved = Date.now() - t0;
  const [panel] = await cmd<PanelInfo[]>('cmu._test.reportPanels'); // waits until every row is painted
  const rendered = Date.now() - t0;
  delay.disable();
  clearInterval(sample);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  assert.ok(panel?.stats, 'the webview painted the report');
  assert.strictEqual(panel.stats.rows, result.rows.length, 'every row reached the table');
  return {
    firstRows: (panel.firstRowsAt ?? Date.now()) - t0,
    webviewReady: (panel.readyAt ?? Date.now()) - t0,
    resolved,
    rendered,
    rows: result.rows.length,
    longestBlock: delay.max / 1e6,
    peakRss,
    baseRss,
  };
}

suite('workbench figures', function () {
  this.timeout(600_000);

  test('report panel: command → first rows visible, resolved, every row painted; ext-host block and memory; floor beside', async () => {
    // activation: loading dist/extension.js + activate(), when this session has not activated it yet
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'the extension under development is loaded');
    if (ext.isActive) console.log('# activation: the extension was already active, not measured');
    else {
      const t0 = process.hrtime.bigint();
      await ext.activate();
      figure('activation', Number(process.hrtime.bigint() - t0) / 1e6, 'ms');
    }
    const api = await testApi();
    await cmd('cmu.startSandbox');
    const sandbox = api.sandbox();
    assert.ok(sandbox, 'the sandbox runs');
    const token = (await (await api.services.session()).getToken()).accessToken;
    const big = Number(process.env.CMU_TEST_BENCH_ROWS || 5000);
    for (const [label, rows] of [
      ['1k', 1000],
      [`${Math.round(big / 1000)}k`, big],
    ] as const) {
      const href = sandbox.hugeReportHref(rows, 'json');
      const f = await floor(`${sandbox.origin}${href}`, token);
      const m = await measure(href);
      console.log(`# ${label}: ${m.rows} rows; floor: curl ${f.curl} ms + JSON.parse ${f.parse} ms`);
      figure(`rows_${label}_floor_curl_parse`, f.total, 'ms');
      figure(`rows_${label}_first_rows_visible`, m.firstRows, 'ms');
      figure(`rows_${label}_webview_ready`, m.webviewReady, 'ms');
      figure(`rows_${label}_command_resolves`, m.resolved, 'ms');
      figure(`rows_${label}_all_rows_painted`, m.rendered, 'ms');
      figure(`rows_${label}_exthost_longest_block`, m.longestBlock, 'ms');
      figure(`rows_${label}_exthost_peak_rss`, m.peakRss / 2 ** 20, 'MB');
      figure(`rows_${label}_exthost_rss_before`, m.baseRss / 2 ** 20, 'MB');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
