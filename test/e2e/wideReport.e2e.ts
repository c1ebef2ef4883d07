/**
 * A hostile report in real Chromium: 200,000 metric columns and a few rows, mapped by the panel's own
 * host-side mapping (reportMessages) and posted to the webview as the extension posts it. The panel
 * must not overflow the stack or hang: the table shows the first columns and says how to get all of them.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import type { Browser } from 'playwright-core';
import type { CmuQuery, ParsedReport, ReportCell } from '../../src/core/cmu/types';
import { navigation, reportMessages } from '../../src/extension/report/reportView';
import { MAX_PANEL_COLUMNS as MAX_COLUMNS, type HostMessage } from '../../src/shared/protocol';
import { buildWebview, launchBrowser, openReportPage, startPageServer, tmpDir, type PageServer, type ReportPage } from './harness';
import { after, before, test } from './runner';

let browser: Browser;
let server: PageServer;
let dist: string;
let rp: ReportPage;

const CMU_BASE = 'http://127.0.0.1:9/cmu/v2';
const WIDE = 200_000;

/** tenant/year/month/day by 3 days, then WIDE metric columns (m0 … m199999). */
function wideReport(): { q: CmuQuery; report: ParsedReport } {
  const dims = ['tenant', 'year', 'month', 'day'];
  const q: CmuQuery = { path: dims, filters: [], projections: [], metrics: [] };
  const columns = [...dims.map((name) => ({ name, kind: 'dimension' as const })), ...Array.from({ length: WIDE }, (_, i) => ({ name: `m${i}`, kind: 'metric' as const }))];
  const rows: ReportCell[][] = [1, 2, 3].map((d) => {
    const row: ReportCell[] = ['ACME', '2024', '11', String(d)];
    for (let i = 0; i < WIDE; i++) row.push((i * 7 + d) % 1000);
    return row;
  });
  return { q, report: { format: 'csv', url: `${CMU_BASE}/${dims.join('/')}`, contentType: 'text/csv', links: { rollUp: [], drillDown: [] }, columns, rows, raw: '' } };
}

before(async () => {
  dist = tmpDir('cmu-e2e-wide-');
  await buildWebview(dist);
  server = await startPageServer(dist);
  browser = await launchBrowser();
  rp = await openReportPage(browser, server);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dist) fs.rmSync(dist, { recursive: true, force: true });
});

test('200,000 metric columns: no stack overflow, the first columns shown with what to do for all, the chart and its picker do not hang', async () => {
  const { q, report } = wideReport();
  const t0 = performance.now();
  const messages = [...reportMessages(1, q, report, navigation(q, report, CMU_BASE), { cmuBase: CMU_BASE, elapsedMs: 1 })];
  const hostMs = performance.now() - t0;
  assert.strictEqual(messages.length, 1, 'three rows: one message');
  const msg = messages[0] as Extract<HostMessage, { type: 'report' }>;
  // the host describes and encodes only the columns the panel shows, and says how many there are
  assert.strictEqual(msg.report.columns.length, MAX_COLUMNS);
  assert.strictEqual(msg.report.data.length, MAX_COLUMNS);
  assert.strictEqual(msg.report.totalColumns, WIDE + 4);
  await rp.post(msg);
  const stats = await rp.rendered(1, 60_000);
  console.log(`      ${WIDE.toLocaleString('en-US')} columns: host mapping ${hostMs.toFixed(0)} ms, first paint ${stats.firstPaintMs.toFixed(0)} ms after the message, chart ${stats.chartMs.toFixed(0)} ms`);
  assert.deepStrictEqual(rp.pageErrors, [], 'no page error (a spread of 200k nodes overflowed the stack)');
  assert.strictEqual(stats.rows, 3);

  // the table: at most MAX_COLUMNS columns (plus the row number) in the header, the totals and every row
  const widths = await rp.page.evaluate(() => ({
    header: document.querySelectorAll('.grid .header .cell').length,
    totals: document.querySelector('.grid .totals')?.children.length ?? 0,
    rows: [...document.querySelectorAll('.grid .body .row:not([hidden])')].map((r) => r.children.length),
    cells: document.querySelectorAll('.grid .cell').length,
  }));
  assert.strictEqual(widths.header, MAX_COLUMNS + 1);
  assert.ok(widths.totals <= MAX_COLUMNS + 1, `totals row: ${widths.totals} cells`);
  assert.deepStrictEqual(widths.rows, [MAX_COLUMNS + 1, MAX_COLUMNS + 1, MAX_COLUMNS + 1]);
  const first = await rp.page.$$eval('.grid .header .cell .name', (els) => els.slice(0, 6).map((e) => e.textContent));
  assert.deepStrictEqual(first, ['tenant', 'year', 'month', 'day', 'm0', 'm1']);

  // the cap is said where the row count is, with what to do
  const count = rp.page.locator('.table-toolbar .count');
  assert.ok(await count.isVisible());
  const text = (await count.textContent()) ?? '';
  assert.match(text, new RegExp(`showing ${MAX_COLUMNS} of ${(WIDE + 4).toLocaleString('en-US')} columns`));
  assert.match(text, /Save As/);
  assert.match(text, /CSV/);

  // the chart is drawn; its metric picker does not hold 200k options; choosing another metric, or all of them, redraws
  assert.strictEqual(stats.chart, true);
  const options = await rp.page.$$eval('.chart-section select', (sels) => sels.map((s) => (s as HTMLSelectElement).options.length));
  assert.ok(Math.max(...options) <= MAX_COLUMNS + 2, `chart pickers: ${options.join(', ')} options`);
  const metricSel = rp.page.locator('.chart-section select').first();
  assert.strictEqual(await metricSel.inputValue(), 'm0');
  await metricSel.selectOption('m3');
  await rp.page.waitForFunction(() => /Chart of m3 over time/.test(document.querySelector('.chart-section .plot')?.getAttribute('aria-label') ?? ''), undefined, { timeout: 10_000 });
  const t1 = Date.now();
  await metricSel.selectOption('*');
  await rp.page.waitForFunction(() => /Chart of all metrics over time/.test(document.querySelector('.chart-section .plot')?.getAttribute('aria-label') ?? ''), undefined, { timeout: 10_000 });
  console.log(`      "all metrics" (the ${MAX_COLUMNS - 4} metrics received) drawn in ${Date.now() - t1} ms`);

  // the quick filter and a sort still answer
  await rp.page.fill('.table-toolbar .filter', '1');
  await rp.page.waitForFunction(() => /of 3 rows|3 rows/.test(document.querySelector('.table-toolbar .count')?.textContent ?? ''), undefined, { timeout: 10_000 });
  await rp.page.fill('.table-toolbar .filter', '');
  // a metric sorts descending first: m0 is (i * 7 + day) % 1000 = day, so day 3 on top
  await rp.page.click('.grid .header .cell[data-col="4"]');
  await rp.page.waitForFunction(() => document.querySelector('.grid .header .cell[data-col="4"]')?.getAttribute('aria-sort') === 'descending', undefined, { timeout: 10_000 });
  const days = await rp.page.$$eval('.grid .body .row:not([hidden])', (rows) =>
    rows.sort((a, b) => Number((a as HTMLElement).dataset.v) - Number((b as HTMLElement).dataset.v)).map((r) => r.children[4].textContent),
  );
  assert.deepStrictEqual(days, ['3', '2', '1']);
  assert.deepStrictEqual(rp.pageErrors, []);
  assert.deepStrictEqual(await rp.cspViolations(), []);
});

test('a message wider than the host sends (200,000 columns posted as they are) keeps the first columns, no stack overflow; a ratio derived here is not counted as a report column', async () => {
  const id = 2;
  // built in the page: the CDP transfer of 200k columns is not what is checked here
  await rp.page.evaluate(
    ({ id, wide, base }) => {
      const columns = [
        { name: 'tenant', kind: 'dimension' },
        { name: 'day', kind: 'dimension', time: true },
        { name: 'failed-attempts', kind: 'metric' },
        { name: 'started-sessions', kind: 'metric' },
        ...Array.from({ length: wide }, (_, i) => ({ name: `w${i}`, kind: 'metric' })),
      ];
      const data = [
        { type: 'text', dict: ['ACME'], codes: Uint8Array.of(1, 1) },
        { type: 'text', dict: ['1', '2'], codes: Uint8Array.of(1, 2) },
        { type: 'number', values: Uint16Array.of(5, 10) },
        { type: 'number', values: Uint16Array.of(100, 100) },
        ...Array.from({ length: wide }, (_, i) => ({ type: 'number', values: Uint16Array.of(i % 60000, (i + 1) % 60000) })),
      ];
      window.postMessage({ type: 'report', requestId: id, report: { ...base, columns, rowCount: 2, data } }, '*');
    },
    { id, wide: WIDE, base: { query: (await baseQuery()).query, drillDown: [], breadcrumb: [], formats: ['csv'], fetchedAt: new Date(0).toISOString(), elapsedMs: 1 } },
  );
  const stats = await rp.rendered(id, 60_000);
  console.log(`      ${WIDE.toLocaleString('en-US')} columns posted as they are: first paint ${stats.firstPaintMs.toFixed(0)} ms, chart ${stats.chartMs.toFixed(0)} ms`);
  assert.deepStrictEqual(rp.pageErrors, []);
  assert.strictEqual(stats.rows, 2);
  // the first MAX_COLUMNS columns, then the failure rate derived from two of them
  const heads = await rp.page.$$eval('.grid .header .cell .name', (els) => els.map((e) => e.textContent));
  assert.strictEqual(heads.length, MAX_COLUMNS + 1);
  assert.strictEqual(heads[MAX_COLUMNS - 1], `w${MAX_COLUMNS - 5}`);
  assert.strictEqual(heads[MAX_COLUMNS], 'failure-rate');
  assert.match((await rp.page.textContent('.table-toolbar .count')) ?? '', new RegExp(`showing ${MAX_COLUMNS} of ${(WIDE + 4).toLocaleString('en-US')} columns — Save As`));
});

/** A QueryView for a crafted message (the first test's query, mapped by the host). */
async function baseQuery(): Promise<{ query: unknown }> {
  const { q, report } = wideReport();
  report.columns = report.columns.slice(0, 5);
  report.rows = report.rows.map((r) => r.slice(0, 5));
  const [m] = [...reportMessages(0, q, report, navigation(q, report, CMU_BASE), { cmuBase: CMU_BASE, elapsedMs: 1 })];
  return { query: (m as Extract<HostMessage, { type: 'report' }>).report.query };
}
