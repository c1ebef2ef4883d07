/**
 * The report webview in real Chromium: the bundle loaded in the panel's own HTML (same CSP) with a
 * stubbed acquireVsCodeApi; messages posted in, DOM and posted messages checked.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import type { Browser } from 'playwright-core';
import type { ReportCell } from '../../src/core/cmu/types';
import { ColumnEncoder, columnTypes, type ColumnView, type ReportView } from '../../src/shared/protocol';
import { THEME_KINDS, THEMES, WEBVIEW_DEFAULT_RULES, type ThemeKind } from './themes';
import { columnsOf, dailyMvpdReport, emptied, largeReport, largeRows, MVPDS, mvpdPlatformReport, reportView, rowsOf, XSS, xssReport } from './fixtures';
import { buildWebview, launchBrowser, openReportPage, startPageServer, tmpDir, type PageServer, type ReportPage } from './harness';
import { after, before, test } from './runner';
import { sandboxReports, type SandboxReports } from './sandboxData';

let browser: Browser;
let server: PageServer;
let dist: string;
let rp: ReportPage;
let real: SandboxReports | undefined;
let requestId = 0;

async function show(report: ReportView): Promise<number> {
  const id = ++requestId;
  await rp.post({ type: 'report', requestId: id, report });
  await rp.rendered(id);
  return id;
}

/** Texts of the visible body rows (cells joined by |), in display order. */
async function bodyRows(): Promise<string[][]> {
  return rp.page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.grid .body .row:not([hidden])')]
      .sort((a, b) => Number(a.dataset.v) - Number(b.dataset.v))
      .map((r) => [...r.children].map((c) => c.textContent ?? '')),
  );
}

/** Opaque pixels of the chart canvas in this pure colour (each channel 0 or 255, antialiasing tolerated). */
function chartPixels(rgb: [number, number, number]): Promise<number> {
  return rp.page.$eval(
    '.chart-section canvas',
    (c, rgb) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const near = (v: number, want: number): boolean => (want ? v > 240 : v < 20);
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (near(d[i], rgb[0]) && near(d[i + 1], rgb[1]) && near(d[i + 2], rgb[2]) && d[i + 3] > 200) n++;
      return n;
    },
    rgb,
  );
}

/** Waits (the chart redraws on the next frame) until more than `min` such pixels are drawn. */
async function waitForChartPixels(rgb: [number, number, number], min = 0, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = await chartPixels(rgb).catch(() => 0);
    if (n > min) return;
    if (Date.now() > until) throw new Error(`chart: ${n} pixels of rgb(${rgb.join(', ')}), wanted more than ${min}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

before(async () => {
  dist = tmpDir('cmu-e2e-dist-');
  await buildWebview(dist);
  server = await startPageServer(dist);
  browser = await launchBrowser();
  rp = await openReportPage(browser, server);
  real = await sandboxReports();
  console.log(`  (real sandbox reports: ${real.time.rowCount} + ${real.flat.rowCount} rows from ${real.time.query.url})`);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dist) fs.rmSync(dist, { recursive: true, force: true });
});

test('renders the table: header, rows, row numbers, metric cells right-aligned and formatted', async () => {
  const report = real?.time ?? dailyMvpdReport();
  await show(report);
  const heads = await rp.page.$$eval('.grid .header .cell .name', (els) => els.map((e) => e.textContent));
  assert.deepStrictEqual(heads, report.columns.map((c) => c.name));
  const rows = await bodyRows();
  assert.ok(rows.length > 0 && rows.length < 80, `visible rows ${rows.length}`);
  const mi = report.columns.findIndex((c) => c.kind === 'metric');
  const first = rowsOf(report)[0];
  assert.strictEqual(rows[0][0], '1');
  assert.strictEqual(rows[0][1], String(first[0]));
  assert.strictEqual(rows[0][mi + 1], typeof first[mi] === 'number' ? fmt.format(first[mi] as number) : '');
  const align = await rp.page.$eval(`.grid .body .row:not([hidden]) .cell[data-c="${mi + 1}"]`, (e) => getComputedStyle(e).textAlign);
  assert.strictEqual(align, 'right');
  const dimAlign = await rp.page.$eval('.grid .body .row:not([hidden]) .cell[data-c="1"]', (e) => getComputedStyle(e).textAlign);
  assert.notStrictEqual(dimAlign, 'right');
  const count = await rp.page.textContent('.table-toolbar .count');
  assert.strictEqual(count, `${fmt.format(rowsOf(report).length)} rows`);
});

test('header: query in words, exact URL, time in UTC and local, drill-down and roll-up', async () => {
  const report = real?.time ?? dailyMvpdReport();
  await show(report);
  assert.strictEqual(await rp.page.textContent('.report-header .words'), report.query.words);
  assert.strictEqual(await rp.page.textContent('.report-header .url'), report.query.url);
  const utc = await rp.page.textContent('.time-utc');
  assert.match(utc ?? '', /UTC/);
  assert.ok(await rp.page.isVisible('.time-local'));
  const drills = await rp.page.$$eval('.drill .drill-btn .label', (els) => els.map((e) => e.textContent));
  assert.deepStrictEqual(drills, report.drillDown.map((d) => d.label));
  const crumbs = await rp.page.$$eval('.breadcrumb button', (els) => els.map((e) => e.textContent));
  assert.deepStrictEqual(crumbs, report.breadcrumb.map((b) => b.label));
  const state = await rp.page.evaluate(() => (window as unknown as { __state: unknown }).__state);
  assert.deepStrictEqual(state, { v: 1, query: report.query.query, url: report.query.url, table: {} }, 'setState holds the query (for the serializer) and the view, not the data');
});

test('header: the time window, its range in the report time zone with the zone, and local time; the chart axis names the zone', async () => {
  const base = dailyMvpdReport();
  const report: ReportView = {
    ...base,
    query: {
      ...base.query,
      start: '2024-11-01T00:00:00',
      end: '2024-11-08T00:00:00',
      time: { name: 'Last 7 days', zone: 'UTC\u221208:00', startMs: Date.UTC(2024, 10, 1, 8), endMs: Date.UTC(2024, 10, 8, 8) },
    },
  };
  await show(report);
  assert.strictEqual(await rp.page.textContent('.time-window'), 'Last 7 days: ');
  assert.strictEqual(await rp.page.textContent('.time-zone'), '2024-11-01 00:00 → 2024-11-08 00:00 UTC\u221208:00');
  assert.ok(await rp.page.isVisible('.time-local'));
  assert.strictEqual(await rp.page.$('.time-utc'), null, 'no UTC line when the zone is known');
  await rp.page.waitForSelector('.u-legend .u-series:first-child', { state: 'attached' }); // shown on hover only
  assert.match((await rp.page.textContent('.u-legend .u-series:first-child')) ?? '', /time \(UTC\u221208:00\)/);
});

test('totals row: a sum only for a metric that adds up over what the rows span, else empty with the reason', async () => {
  const report = real?.time ?? dailyMvpdReport();
  await show(report);
  const totals = await rp.page.$$eval('.grid .totals .cell', (els) => els.map((e) => ({ text: e.textContent, title: e.getAttribute('title') })));
  assert.strictEqual(totals[0].text, 'Total');
  let summed = 0;
  let empty = 0;
  report.columns.forEach((c, i) => {
    if (c.kind !== 'metric') return assert.strictEqual(totals[i + 1].text, '');
    if (c.additive?.time && c.additive.dimensions) {
      const sum = rowsOf(report).reduce((s, r) => s + (typeof r[i] === 'number' ? (r[i] as number) : 0), 0);
      assert.strictEqual(totals[i + 1].text, fmt.format(sum), `total of ${c.name}`);
      summed++;
    } else {
      assert.strictEqual(totals[i + 1].text, '—', `no total for ${c.name}`);
      assert.match(totals[i + 1].title ?? '', new RegExp(`^No total: ${c.name} does not add up across`), c.name);
      empty++;
    }
  });
  if (real) assert.ok(summed > 0 && empty > 0, 'the sandbox report has started-sessions (summed) and active-users (not)');
});

test('totals row: none while the rows stream in (the rows so far do not total the report), the whole report\'s once every row is in', async () => {
  const full = real?.time ?? dailyMvpdReport();
  const cells = () => rp.page.$$eval('.grid .totals .cell', (els) => els.map((e) => ({ text: e.textContent, title: e.getAttribute('title') })));
  await show(full);
  const whole = await cells();
  const rows = rowsOf(full);
  const enc = new ColumnEncoder(columnTypes(full.columns.length, rows));
  const half = Math.floor(rows.length / 2);
  const id = ++requestId;
  await rp.post({ type: 'report', requestId: id, report: { ...full, rowCount: half, data: enc.encode(rows, 0, half), more: true } });
  await rp.page.waitForFunction((id) => (window as unknown as { __posted: { type: string; stats?: { requestId: number; complete: boolean } }[] }).__posted.some((m) => m.type === 'rendered' && m.stats?.requestId === id && !m.stats.complete), id);
  const loading = await cells();
  full.columns.forEach((c, i) => {
    if (c.kind !== 'metric') return assert.strictEqual(loading[i + 1].text, '');
    assert.strictEqual(loading[i + 1].text, '…', `no total of ${c.name} while rows are on their way`);
    assert.strictEqual(loading[i + 1].title, 'Totals when every row is in');
  });
  await rp.post({ type: 'rows', requestId: id, start: half, rowCount: rows.length - half, data: enc.encode(rows, half, rows.length), more: false });
  await rp.rendered(id);
  assert.deepStrictEqual(await cells(), whole, 'the totals of the report shown whole');
  if (real) assert.ok(whole.some((t) => /\d/.test(t.text ?? '')), 'the sandbox report has a summed metric');
  assert.deepStrictEqual(rp.pageErrors, []);
});

test('totals row: a distinct count shows the server’s own total for the whole once it arrives, labelled; not under a filter', async () => {
  if (!real) return console.log('  (skipped: no sandbox data)');
  const { report, total, parent } = real.whole;
  const id = await show(report);
  const au = report.columns.findIndex((c) => c.name === 'active-users');
  const ss = report.columns.findIndex((c) => c.name === 'started-sessions');
  const cell = (i: number) => rp.page.$eval(`.grid .totals .cell[aria-colindex="${i + 2}"]`, (e) => ({ text: e.textContent, title: e.getAttribute('title'), server: e.classList.contains('server-total') }));
  assert.strictEqual((await cell(au)).text, '—', 'empty until the server total arrives');
  const summed = (await cell(ss)).text;
  // a stale or malformed message changes nothing
  await rp.post({ type: 'parentTotal', requestId: id - 1, total });
  await rp.post({ type: 'parentTotal', requestId: id, total: { path: total.path, values: [['active-users', 'x']] } } as never);
  // messages are handled in order: once a later one has arrived, both were seen
  await rp.page.evaluate(() => new Promise<void>((resolve) => {
    window.addEventListener('message', () => resolve(), { once: true });
    window.postMessage({ type: 'probe' }, '*');
  }));
  assert.strictEqual((await cell(au)).text, '—');
  await rp.post({ type: 'parentTotal', requestId: id, total });
  await rp.page.waitForFunction((i) => document.querySelector(`.grid .totals .cell[aria-colindex="${i + 2}"]`)?.classList.contains('server-total'), au);
  const shown = await cell(au);
  assert.strictEqual(shown.text, `${fmt.format(parent['active-users'])}server`, 'the parent report’s value, labelled');
  assert.strictEqual(shown.title, "The server's own total for /tenant/year/month; distinct counts do not add up");
  assert.strictEqual(await rp.page.textContent(`.grid .totals .cell[aria-colindex="${au + 2}"] .badge.server`), 'server');
  // the column widens for the value and its label: nothing is cut off, even when every column is at its narrowest
  const size = rp.page.viewportSize();
  await rp.page.setViewportSize({ width: 420, height: size?.height ?? 800 });
  try {
    // a whole whose total is wider than any row's value (a year's distinct users)
    await rp.post({ type: 'parentTotal', requestId: id, total: { path: total.path, values: [['active-users', 123_456_789_012]] } });
    await rp.page.waitForFunction((i) => /123/.test(document.querySelector(`.grid .totals .cell[aria-colindex="${i + 2}"]`)?.textContent ?? ''), au);
    const fits = await rp.page.$eval(`.grid .totals .cell[aria-colindex="${au + 2}"]`, (e) => [e.scrollWidth, e.clientWidth]);
    assert.ok(fits[0] <= fits[1], `the server total and its label fit their cell (${fits[0]} > ${fits[1]} px)`);
  } finally {
    if (size) await rp.page.setViewportSize(size);
    await rp.post({ type: 'parentTotal', requestId: id, total });
  }
  assert.strictEqual((await cell(ss)).text, summed, 'an additive metric keeps the sum of its rows');
  // a filtered view is not the whole: no server total there
  const mvpd = String(rowsOf(report)[0][report.columns.findIndex((c) => c.name === 'mvpd')]);
  await rp.page.fill('.table-toolbar .filter', mvpd);
  await rp.page.waitForFunction(() => / of /.test(document.querySelector('.table-toolbar .count')?.textContent ?? ''));
  assert.deepStrictEqual({ ...(await cell(au)), title: undefined }, { text: '—', title: undefined, server: false });
  await rp.page.fill('.table-toolbar .filter', '');
  await rp.page.waitForFunction((i) => document.querySelector(`.grid .totals .cell[aria-colindex="${i + 2}"]`)?.classList.contains('server-total'), au);
});

test('sort: clicking a metric header sorts descending, again ascending, then original order', async () => {
  const report = real?.time ?? dailyMvpdReport();
  await show(report);
  const mi = report.columns.findIndex((c) => c.kind === 'metric');
  const values = rowsOf(report).map((r) => r[mi] as number);
  const header = rp.page.locator(`.grid .header .cell[data-col="${mi}"]`);
  await header.click();
  assert.strictEqual(await header.getAttribute('aria-sort'), 'descending');
  let rows = await bodyRows();
  assert.strictEqual(rows[0][mi + 1], fmt.format(Math.max(...values)));
  const shown = rows.slice(0, 10).map((r) => Number(r[mi + 1].replace(/,/g, '')));
  assert.deepStrictEqual(shown, [...shown].sort((a, b) => b - a));
  await header.click();
  assert.strictEqual(await header.getAttribute('aria-sort'), 'ascending');
  rows = await bodyRows();
  assert.strictEqual(rows[0][mi + 1], fmt.format(Math.min(...values)));
  await header.click();
  assert.strictEqual(await header.getAttribute('aria-sort'), 'none');
  rows = await bodyRows();
  assert.strictEqual(rows[0][mi + 1], fmt.format(values[0]));
  // dimension column: text sort ascending
  const di = report.columns.findIndex((c) => c.kind === 'dimension' && !c.time && c.name !== 'tenant');
  await rp.page.locator(`.grid .header .cell[data-col="${di}"]`).click();
  rows = await bodyRows();
  const expectedFirst = rowsOf(report).map((r) => String(r[di]).toLowerCase()).sort()[0];
  assert.strictEqual(rows[0][di + 1].toLowerCase(), expectedFirst);
});

test('quick filter: matching rows only, count and totals follow', async () => {
  const report = real?.time ?? dailyMvpdReport();
  await show(report);
  const di = report.columns.findIndex((c) => c.kind === 'dimension' && !c.time && c.name !== 'tenant');
  const needle = String(rowsOf(report)[0][di]);
  const expected = rowsOf(report).filter((r) => r.some((v) => v !== null && String(v).toLowerCase().includes(needle.toLowerCase())));
  await rp.page.fill('.table-toolbar .filter', needle);
  await rp.page.waitForFunction((n) => document.querySelector('.table-toolbar .count')?.textContent?.startsWith(`${n} of`), fmt.format(expected.length));
  const rows = await bodyRows();
  assert.ok(rows.every((r) => r.some((c) => c.toLowerCase().includes(needle.toLowerCase()))));
  // a metric whose total means something (the crafted reports have no semantics: no totals there)
  const mi = report.columns.findIndex((c) => c.kind === 'metric' && c.additive?.time && c.additive.dimensions);
  const sum = expected.reduce((s, r) => s + ((r[mi] as number) ?? 0), 0);
  if (mi >= 0) assert.strictEqual(await rp.page.textContent(`.grid .totals .cell[aria-colindex="${mi + 2}"]`), fmt.format(sum));
  await rp.page.fill('.table-toolbar .filter', 'no-such-value-anywhere');
  await rp.page.waitForFunction(() => document.querySelector('.table-toolbar .count')?.textContent?.startsWith('0 of'));
  assert.strictEqual((await bodyRows()).length, 0);
  await rp.page.fill('.table-toolbar .filter', '');
  await rp.page.waitForFunction((n) => document.querySelector('.table-toolbar .count')?.textContent === `${n} rows`, fmt.format(rowsOf(report).length));
});

test('XSS strings in values, header, links and errors stay text; no dialog, no injected element', async () => {
  const report = xssReport();
  await show(report);
  await rp.page.waitForTimeout(200);
  const cells = await rp.page.$$eval('.grid .body .cell', (els) => els.map((e) => e.textContent));
  for (const x of XSS) assert.ok(cells.includes(x), `"${x}" shown as text`);
  assert.strictEqual(await rp.page.textContent('.report-header .title'), XSS[1]);
  assert.strictEqual(await rp.page.textContent('.report-header .words'), `Filtered by ${XSS[0]}`);
  assert.strictEqual(await rp.page.textContent('.drill-btn .label'), XSS[0]);
  await rp.post({
    type: 'error',
    requestId: ++requestId,
    error: { message: XSS[0], explanation: XSS[1], code: 'http_400', status: 400, serverText: XSS[2], actions: [{ id: 'retry', label: XSS[3] }], nextSteps: [{ id: 'n0', label: XSS[0], href: XSS[1] }] },
  });
  await rp.page.waitForSelector('.state.error');
  assert.strictEqual(await rp.page.textContent('.state.error h2'), XSS[0]);
  assert.strictEqual(await rp.page.textContent('.state.error .server-text'), XSS[2]);
  const injected = await rp.page.evaluate(() => document.querySelectorAll('body img, body svg:not(.uplot svg), body script:not([src]):not([nonce])').length);
  assert.strictEqual(injected, 0, 'no element created from report values');
  await rp.page.waitForTimeout(200);
  assert.deepStrictEqual(rp.dialogs, []);
  assert.deepStrictEqual(await rp.cspViolations(), []);
});

test('chart: drawn for a time path (canvas has pixels), hidden for a non-time path', async () => {
  const report = real?.time ?? dailyMvpdReport();
  const id = await show(report);
  const stats = (await rp.posted()).find((m) => m.type === 'rendered' && m.stats.requestId === id && m.stats.complete);
  assert.ok(stats && stats.type === 'rendered' && stats.stats.chart, 'rendered message says chart shown');
  assert.ok(await rp.page.isVisible('.chart-section canvas'));
  const painted = await rp.page.$eval('.chart-section canvas', (c) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext('2d');
    if (!ctx) return 0;
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(painted > 500, `non-empty canvas (${painted} painted pixels)`);
  const legend = await rp.page.$$eval('.u-legend .u-series .u-label', (els) => els.map((e) => e.textContent));
  assert.ok(legend.length >= 2, `series in the legend: ${legend.join(', ')}`);
  const flat = real?.flat ?? mvpdPlatformReport();
  const id2 = await show(flat);
  assert.ok(await rp.page.isHidden('.chart-section'));
  const m = (await rp.posted()).find((x) => x.type === 'rendered' && x.stats.requestId === id2 && x.stats.complete);
  assert.ok(m && m.type === 'rendered' && !m.stats.chart);
});

test('uPlot (dist/chart.js) is loaded only when a report has a chart, under the same CSP nonce', async () => {
  const fresh = await openReportPage(browser, server);
  try {
    const loaded = () => fresh.page.evaluate(() => ({ script: !!document.querySelector('script[src$="chart.js"]'), uplot: 'uPlot' in window || '__cmuUplot' in window }));
    await fresh.post({ type: 'report', requestId: 1, report: real?.flat ?? mvpdPlatformReport() });
    await fresh.rendered(1);
    assert.deepStrictEqual(await loaded(), { script: false, uplot: false }, 'a report without a chart does not load uPlot');
    await fresh.post({ type: 'report', requestId: 2, report: real?.time ?? dailyMvpdReport() });
    const stats = await fresh.rendered(2);
    assert.ok(stats.chart);
    assert.deepStrictEqual(await loaded(), { script: true, uplot: true });
    assert.ok(await fresh.page.isVisible('.chart-section canvas'));
    assert.deepStrictEqual(await fresh.cspViolations(), []);
    assert.deepStrictEqual(fresh.pageErrors, []);
  } finally {
    await fresh.page.close();
  }
});

test('a streamed report: usable from its first rows; sort and filter hold while the chunks are appended', async () => {
  const n = 5000;
  const { columns, rows } = largeRows(n);
  const enc = new ColumnEncoder(columnTypes(columns.length, rows));
  const base = reportView(['tenant', 'year', 'month', 'day', 'hour', 'mvpd', 'platform'], columns, []);
  const id = ++requestId;
  await rp.post({ type: 'report', requestId: id, report: { ...base, rowCount: 100, data: enc.encode(rows, 0, 100), more: true, totalRows: n } });
  await rp.page.waitForFunction((id) => (window as unknown as { __posted: { type: string; stats?: { requestId: number; complete: boolean } }[] }).__posted.some((m) => m.type === 'rendered' && m.stats?.requestId === id && !m.stats.complete), id);
  assert.match((await rp.page.textContent('.table-toolbar .count')) ?? '', /^100 rows \(loading: 5,000 in all\)/);
  // sort by the last metric (descending) and filter while the rest is on its way
  const mi = columns.length - 1;
  await rp.page.click(`.grid .header .cell[data-col="${mi}"]`);
  const needle = String(rows.find((r) => r[5] !== null)?.[5] ?? '').toLowerCase();
  await rp.page.fill('.table-toolbar .filter', needle);
  await rp.page.waitForTimeout(200);
  for (let start = 100; start < n; start += 2000) {
    const end = Math.min(n, start + 2000);
    await rp.post({ type: 'rows', requestId: id, start, rowCount: end - start, data: enc.encode(rows, start, end), more: end < n });
  }
  const stats = await rp.rendered(id);
  const expected = rows.filter((r) => r.some((v, c) => v !== null && (columns[c].kind === 'metric' ? String(v) : String(v).toLowerCase()).includes(needle)));
  assert.strictEqual(stats.rows, expected.length, 'the filter covers every row');
  assert.strictEqual(await rp.page.getAttribute(`.grid .header .cell[data-col="${mi}"]`, 'aria-sort'), 'descending');
  const top = Math.max(...expected.map((r) => (typeof r[mi] === 'number' ? (r[mi] as number) : -Infinity)));
  const first = (await bodyRows())[0];
  assert.strictEqual(first[mi + 1].replace(/\D/g, ''), String(top), 'the sort covers every row');
  // a chunk that does not follow on (wrong start) or does not validate is dropped
  await rp.post({ type: 'rows', requestId: id, start: 3, rowCount: 1, data: enc.encode(rows, 0, 1), more: false });
  assert.strictEqual(await rp.page.evaluate(() => (window as unknown as { __cmuReport: { table: { rowCount: number } } }).__cmuReport.table.rowCount), expected.length);
  await rp.page.fill('.table-toolbar .filter', '');
  assert.deepStrictEqual(rp.pageErrors, []);
});

test('a report streamed as it is parsed: its length unknown ("loading more…"), partial rows flagged by a later chunk, an empty last chunk ends it', async () => {
  const n = 1000;
  const { columns, rows } = largeRows(n);
  const enc = new ColumnEncoder(columnTypes(columns.length, rows));
  const base = reportView(['tenant', 'year', 'month', 'day', 'hour', 'mvpd', 'platform'], columns, []);
  const id = ++requestId;
  const { totalRows: _unknown, ...head } = { ...base, rowCount: 200, data: enc.encode(rows, 0, 200), more: true, response: { status: 200, statusText: 'OK', headers: [] as [string, string][] } };
  await rp.post({ type: 'report', requestId: id, report: head });
  await rp.page.waitForFunction((id) => (window as unknown as { __posted: { type: string; stats?: { requestId: number; complete: boolean } }[] }).__posted.some((m) => m.type === 'rendered' && m.stats?.requestId === id && !m.stats.complete), id);
  assert.match((await rp.page.textContent('.table-toolbar .count')) ?? '', /^200 rows \(loading more…\)/);
  await rp.post({ type: 'rows', requestId: id, start: 200, rowCount: 800, data: enc.encode(rows, 200, 1000), more: true, partial: { rows: [999], reasons: ['partial: the period is not over yet'] } });
  assert.match((await rp.page.textContent('.table-toolbar .count')) ?? '', /^1,000 rows \(loading more…\)/);
  // the body ended after its last chunk went out: an empty chunk says so
  const empty = enc.encode(rows, 1000, 1000);
  assert.strictEqual(await rp.page.$('.size'), null, 'no size while the body is arriving');
  await rp.post({ type: 'rows', requestId: id, start: 1000, rowCount: 0, data: empty, more: false, bytes: 123_456 });
  const stats = await rp.rendered(id);
  assert.strictEqual(stats.rows, n);
  assert.match((await rp.page.textContent('.table-toolbar .count')) ?? '', /^1,000 rows$/);
  const partialRows = await rp.page.evaluate(() => [...(window as unknown as { __cmuReport: { table: { partialRows: Map<number, string> } } }).__cmuReport.table.partialRows.keys()]);
  assert.deepStrictEqual(partialRows, [999], 'the later chunk’s partial row is marked');
  assert.match((await rp.page.getAttribute('.size', 'title')) ?? '', /^123,456 bytes/, 'the size, known at the end, is in the header');
  assert.deepStrictEqual(rp.pageErrors, []);
});

test('chart: top N + other by the chosen split dimension, and redraws with the theme colours', async () => {
  await show(dailyMvpdReport());
  await rp.page.selectOption('.chart-controls select[aria-label="Number of series"]', '3');
  const legend = await rp.page.$$eval('.u-legend .u-series .u-label', (els) => els.map((e) => e.textContent));
  assert.strictEqual(legend.length, 1 + 3 + 1, legend.join(', '));
  assert.match(legend[legend.length - 1] ?? '', /^other \(6\)$/);
  assert.strictEqual(await chartPixels([255, 0, 0]), 0);
  // what VS Code does on a theme switch: new variables + new body class
  await rp.page.evaluate(() => {
    document.documentElement.style.setProperty('--vscode-charts-blue', '#ff0000');
    document.body.className = 'vscode-light';
  });
  await waitForChartPixels([255, 0, 0]);
  // a theme colour with transparency (Dark Modern's charts.orange is rgba(234, 92, 0, 0.33)) is drawn opaque
  await rp.page.evaluate(() => {
    document.documentElement.style.setProperty('--vscode-charts-blue', 'rgba(0, 0, 255, 0.33)');
    document.body.className = 'vscode-dark';
  });
  await waitForChartPixels([0, 0, 255], 50);
  await rp.page.evaluate(() => {
    document.documentElement.style.removeProperty('--vscode-charts-blue');
    document.body.className = '';
  });
});

test('drill-down, roll-up and actions post the right messages', async () => {
  const report = real?.time ?? dailyMvpdReport();
  await show(report);
  await rp.clearPosted();
  await rp.page.click('.drill .drill-btn >> nth=0');
  if (report.breadcrumb.length) await rp.page.click('.breadcrumb button >> nth=0');
  await rp.page.click('[data-action="openJson"]');
  await rp.page.click('[data-action="copyCurl"]');
  const posted = await rp.posted();
  const expected: unknown[] = [{ type: 'navigate', linkId: report.drillDown[0].id }];
  if (report.breadcrumb.length) expected.push({ type: 'navigate', linkId: report.breadcrumb[0].id });
  expected.push({ type: 'action', action: 'openJson' }, { type: 'action', action: 'copyCurl' });
  assert.deepStrictEqual(posted, expected);
});

test('states: loading with cancel, empty report, error with clickable next steps', async () => {
  const report = dailyMvpdReport();
  await rp.post({ type: 'loading', requestId: ++requestId, query: report.query });
  await rp.page.waitForSelector('.state.loading');
  await rp.clearPosted();
  await rp.page.click('.state.loading [data-action="cancel"]');
  assert.deepStrictEqual(await rp.posted(), [{ type: 'action', action: 'cancel' }]);
  await show(emptied(report));
  assert.ok(await rp.page.isVisible('.state.empty'));
  assert.ok(await rp.page.isHidden('.content'));
  await rp.post({
    type: 'error',
    requestId: ++requestId,
    query: report.query,
    error: {
      message: 'No pre-aggregation for this path',
      explanation: 'CMU has no report for /tenant/year/platfrom.',
      code: 'http_404',
      status: 404,
      actions: [{ id: 'retry', label: 'Retry' }],
      nextSteps: [
        { id: 'n0', label: 'month', href: '/cmu/v2/tenant/year/month' },
        { id: 'n1', label: 'day', href: '/cmu/v2/tenant/year/month/day' },
      ],
    },
    breadcrumb: [
      { id: 'r0', label: 'root', href: '/cmu/v2' },
      { id: 'r1', label: 'tenant', href: '/cmu/v2/tenant' },
    ],
  });
  await rp.page.waitForSelector('.state.error');
  // the failed path can still be rolled up; no stale drill-down from the previous report
  assert.deepStrictEqual(await rp.page.$$eval('.breadcrumb button', (els) => els.map((e) => e.textContent)), ['root', 'tenant']);
  assert.strictEqual(await rp.page.$$eval('.drill .drill-btn', (els) => els.length), 0);
  await rp.clearPosted();
  await rp.page.click('.next-steps button >> nth=1');
  await rp.page.click('[data-error-action="retry"]');
  await rp.page.click('.breadcrumb button >> nth=1');
  assert.deepStrictEqual(await rp.posted(), [
    { type: 'navigate', linkId: 'n1' },
    { type: 'errorAction', id: 'retry' },
    { type: 'navigate', linkId: 'r1' },
  ]);
});

test('wide report in a narrow panel: header, body and totals cells line up; a short table is no taller than its rows', async () => {
  const metrics = ['active-users', 'active-sessions', 'started-sessions', 'completed-sessions', 'failed-attempts', 'dismissed-attempts'];
  const columns = columnsOf(['mvpd'], metrics);
  const rows: ReportCell[][] = ['Comcast_SSO', 'DirecTV', 'Verizon'].map((m, i) => [m, ...metrics.map((_, k) => 1000 * (i + 1) + k)]);
  await rp.page.setViewportSize({ width: 640, height: 800 });
  // VS Code's UI font on Linux: its bold digits are wider than its regular ones (a serif default's are not)
  await rp.page.evaluate(() => document.documentElement.style.setProperty('--vscode-font-family', 'system-ui, "Ubuntu", "Droid Sans", sans-serif'));
  try {
    await show(reportView(['mvpd'], columns, rows));
    const edges = await rp.page.evaluate(() => {
      const rowEdges = (sel: string): number[][] =>
        [...document.querySelector(sel)!.children].map((c) => {
          const r = c.getBoundingClientRect();
          return [Math.round(r.left), Math.round(r.right)];
        });
      const grid = document.querySelector('.grid')!.getBoundingClientRect();
      const foot = document.querySelector('.grid .foot')!.getBoundingClientRect();
      return {
        header: rowEdges('.grid .header'),
        body: rowEdges('.grid .body .row:not([hidden])'),
        totals: rowEdges('.grid .totals'),
        scrolls: document.querySelector('.grid')!.scrollWidth > document.querySelector('.grid')!.clientWidth,
        below: Math.round(grid.bottom - foot.bottom),
      };
    });
    assert.ok(edges.scrolls, 'the columns overflow the narrow panel (horizontal scroll)');
    assert.deepStrictEqual(edges.body, edges.header, 'body cells under their header');
    assert.deepStrictEqual(edges.totals, edges.header, 'totals under their header');
    // a horizontal scrollbar may sit below the totals, never an empty box of rows
    assert.ok(edges.below <= 20, `empty space under the totals: ${edges.below}px`);
  } finally {
    await rp.page.evaluate(() => document.documentElement.style.removeProperty('--vscode-font-family'));
    await rp.page.setViewportSize({ width: 1200, height: 800 });
  }
});

test('short panel: the table keeps a usable height and the page scrolls to it (totals never cut off)', async () => {
  await rp.page.setViewportSize({ width: 1000, height: 460 });
  try {
    await show(dailyMvpdReport());
    const m = await rp.page.evaluate(() => {
      const page = document.scrollingElement!;
      page.scrollTop = page.scrollHeight;
      const grid = document.querySelector('.grid')!.getBoundingClientRect();
      const totals = document.querySelector('.grid .totals')!.getBoundingClientRect();
      return { gridH: grid.height, scrolls: page.scrollHeight > page.clientHeight, totalsBottom: totals.bottom, vh: innerHeight };
    });
    assert.ok(m.scrolls, 'header + chart + table are taller than the panel: the page scrolls');
    assert.ok(m.gridH >= 200, `table height ${m.gridH}px`);
    assert.ok(m.totalsBottom <= m.vh, `totals row visible after scrolling (${m.totalsBottom} > ${m.vh})`);
    assert.ok((await bodyRows()).length >= 8, 'rows rendered in the taller table');
  } finally {
    await rp.page.evaluate(() => (document.scrollingElement!.scrollTop = 0));
    await rp.page.setViewportSize({ width: 1200, height: 800 });
  }
});

test('sort and filter survive the webview being reloaded (tab hidden and shown again, window reload)', async () => {
  const report = dailyMvpdReport();
  await show(report);
  const col = report.columns.findIndex((c) => c.name === 'active-users');
  await rp.page.click(`.grid .header .cell[data-col="${col}"]`);
  await rp.page.fill('.table-toolbar .filter', 'DirecTV');
  await rp.page.press('.table-toolbar .filter', 'Enter');
  const count = await rp.page.textContent('.table-toolbar .count');
  assert.match(count ?? '', /^14 of 126 rows$/);
  const saved = (await rp.page.evaluate(() => (window as unknown as { __state: unknown }).__state)) as {
    query: unknown;
    url: string;
    table: { sort?: { column: string; dir: string }; filter?: string };
  };
  assert.deepStrictEqual(saved.query, report.query.query, 'the serializer still finds the query');
  assert.deepStrictEqual(saved.table, { sort: { column: 'active-users', dir: 'desc' }, filter: 'DirecTV' });
  // VS Code reloads a hidden webview when it is shown again and hands it its state back
  await rp.page.addInitScript((s) => ((window as unknown as { __initialState: unknown }).__initialState = s), saved);
  await rp.page.reload();
  await rp.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  await show(report);
  assert.strictEqual(await rp.page.textContent('.table-toolbar .count'), count);
  assert.strictEqual(await rp.page.inputValue('.table-toolbar .filter'), 'DirecTV');
  assert.strictEqual(await rp.page.getAttribute(`.grid .header .cell[data-col="${col}"]`, 'aria-sort'), 'descending');
  const values = (await bodyRows()).map((r) => Number(r[col + 1].replace(/\D/g, '')));
  assert.deepStrictEqual(values, [...values].sort((a, b) => b - a), 'rows sorted descending');
  // applied once: after another report and a cleared filter, the same report comes back unsorted
  await show(mvpdPlatformReport());
  await rp.page.fill('.table-toolbar .filter', '');
  await rp.page.press('.table-toolbar .filter', 'Enter');
  await show(report);
  assert.strictEqual(await rp.page.textContent('.table-toolbar .count'), '126 rows');
  assert.strictEqual(await rp.page.getAttribute(`.grid .header .cell[data-col="${col}"]`, 'aria-sort'), 'none');
});

test('quick filter: kept on Refresh (same report), cleared when the panel moves to another report', async () => {
  const report = dailyMvpdReport();
  const other = mvpdPlatformReport();
  assert.notStrictEqual(other.query.url, report.query.url);
  await show(report);
  await rp.page.fill('.table-toolbar .filter', 'DirecTV');
  await rp.page.press('.table-toolbar .filter', 'Enter');
  assert.strictEqual(await rp.page.textContent('.table-toolbar .count'), '14 of 126 rows');
  // Refresh: loading (the table stays under the bar), then the same report again
  await rp.post({ type: 'loading', requestId: ++requestId, query: report.query });
  await show(report);
  assert.strictEqual(await rp.page.inputValue('.table-toolbar .filter'), 'DirecTV');
  assert.strictEqual(await rp.page.textContent('.table-toolbar .count'), '14 of 126 rows');
  // drill-down / roll-up: the host loads another query in the same panel
  await rp.post({ type: 'loading', requestId: ++requestId, query: other.query });
  await show(other);
  assert.strictEqual(await rp.page.inputValue('.table-toolbar .filter'), '');
  assert.strictEqual(await rp.page.textContent('.table-toolbar .count'), `${fmt.format(other.rowCount)} rows`);
  const saved = (await rp.page.evaluate(() => (window as unknown as { __state: unknown }).__state)) as { url: string; table: { filter?: string } };
  assert.strictEqual(saved.url, other.query.url);
  assert.strictEqual(saved.table.filter, undefined, 'the persisted view has no filter either');
  // and back (roll-up): still unfiltered
  await show(report);
  assert.strictEqual(await rp.page.inputValue('.table-toolbar .filter'), '');
  assert.strictEqual(await rp.page.textContent('.table-toolbar .count'), '126 rows');
});

test('keyboard: arrows, Page Down, End, Ctrl+End to totals, Enter on a header sorts', async () => {
  const report = dailyMvpdReport();
  await show(report);
  const grid = rp.page.locator('.grid');
  await grid.focus();
  const active = (): Promise<{ row: number; col: number }> =>
    rp.page.evaluate(() => (window as unknown as { __cmuReport: { table: { active: { row: number; col: number } } } }).__cmuReport.table.active);
  assert.deepStrictEqual(await active(), { row: -1, col: 0 });
  await rp.page.keyboard.press('ArrowDown');
  await rp.page.keyboard.press('ArrowDown');
  await rp.page.keyboard.press('ArrowRight');
  assert.deepStrictEqual(await active(), { row: 1, col: 1 });
  assert.strictEqual(await grid.getAttribute('aria-activedescendant'), 'active-cell');
  assert.strictEqual(await rp.page.textContent('#active-cell'), String(rowsOf(report)[1][0]));
  await rp.page.keyboard.press('PageDown');
  assert.ok((await active()).row > 5);
  await rp.page.keyboard.press('End');
  assert.strictEqual((await active()).col, report.columns.length);
  await rp.page.keyboard.press('Control+End');
  assert.strictEqual((await active()).row, rowsOf(report).length);
  assert.match((await rp.page.getAttribute('#active-cell', 'class')) ?? '', /num/);
  assert.ok(await rp.page.evaluate(() => document.querySelector('#active-cell')?.closest('.totals') !== null));
  await rp.page.keyboard.press('Control+Home');
  await rp.page.keyboard.press('Enter'); // header, last column (a metric) → sorts
  const mi = report.columns.length - 1;
  assert.strictEqual(await rp.page.getAttribute(`.grid .header .cell[data-col="${mi}"]`, 'aria-sort'), 'descending');
  // typing a letter on the grid moves to the quick filter
  await rp.page.keyboard.press('c');
  assert.ok(await rp.page.evaluate(() => document.activeElement?.classList.contains('filter')));
  await rp.page.fill('.table-toolbar .filter', '');
});

test('200k rows: virtualized (few DOM rows), first paint fast, scrolls to the last row', async () => {
  const n = 200_000;
  const id = ++requestId;
  // generate in the page: the CDP transfer of 200k rows is not what is measured here
  await rp.page.evaluate(
    ({ n, id, base }) => {
      // columnar, as the extension sends it (protocol.ts WireColumn): text as 8-bit codes into a value table (0 = empty), integers in narrow arrays
      const codes = (f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i) + 1);
      const nums = (f: (i: number) => number) => Uint16Array.from({ length: n }, (_, i) => f(i));
      const data = [
        { type: 'text', dict: ['ACME'], codes: new Uint8Array(n).fill(1) },
        { type: 'text', dict: ['2024'], codes: new Uint8Array(n).fill(1) },
        { type: 'text', dict: Array.from({ length: 12 }, (_, i) => String(i + 1)), codes: codes((i) => i % 12) },
        { type: 'text', dict: Array.from({ length: 28 }, (_, i) => String(i + 1)), codes: codes((i) => i % 28) },
        { type: 'text', dict: Array.from({ length: 97 }, (_, i) => `mvpd-${i}`), codes: codes((i) => i % 97) },
        { type: 'number', values: nums((i) => i % 5000) },
        { type: 'number', values: nums((i) => (i * 7) % 20000) },
      ];
      window.postMessage({ type: 'report', requestId: id, report: { ...base, rowCount: n, data } }, '*');
    },
    { n, id, base: { ...emptied(dailyMvpdReport(1)) } as unknown as Record<string, unknown> },
  );
  const stats = await rp.rendered(id, 60000);
  assert.strictEqual(stats.rows, n);
  assert.ok(stats.domRows < 100, `DOM rows ${stats.domRows}`);
  console.log(`      200k rows: first paint ${stats.firstPaintMs.toFixed(0)} ms after the message, chart ${stats.chartMs.toFixed(0)} ms`);
  await rp.page.$eval('.grid', (g) => (g.scrollTop = g.scrollHeight));
  await rp.page.waitForFunction((n) => [...document.querySelectorAll('.grid .body .row:not([hidden]) .rownum')].some((c) => c.textContent === String(n)), n);
  const domRows = await rp.page.$$eval('.grid .body .row', (els) => els.length);
  assert.ok(domRows < 100);
  assert.deepStrictEqual(rp.pageErrors, []);
});

test('large crafted report with seven dimensions renders and sorts', async () => {
  const report = largeReport(20_000);
  await show(report);
  await rp.page.locator('.grid .header .cell[data-col="7"]').click();
  const rows = await bodyRows();
  const max = Math.max(...rowsOf(report).map((r) => r[7] as number));
  assert.strictEqual(rows[0][8], fmt.format(max));
  assert.deepStrictEqual(rp.pageErrors, []);
  assert.deepStrictEqual(await rp.cspViolations(), []);
});

test('partial last bucket: flagged in the data received, marked in the table, dashed and greyed in the chart', async () => {
  if (!real) return console.log('  (skipped: no sandbox data)');
  const report = real.recent;
  const rows = rowsOf(report);
  const last = rows.length - 1;
  assert.ok(report.partial, 'the report message flags partial rows');
  assert.ok(report.partial.rows.includes(last), `the last bucket (row ${last}) is flagged: ${JSON.stringify(report.partial)}`);
  assert.match(report.partial.reasons[report.partial.rows.indexOf(last)], /not over yet/);
  assert.ok(!report.partial.rows.includes(0), 'the first day is complete');
  await show(report);
  const marked = await rp.page.$$eval('.grid .body .row.partial', (els) => els.map((e) => ({ r: (e as HTMLElement).dataset.r, title: e.firstElementChild?.getAttribute('title') })));
  assert.deepStrictEqual(
    marked.map((m) => Number(m.r)).sort(),
    [...report.partial.rows].sort(),
  );
  assert.match(marked[0].title ?? '', /partial/);
  const style = await rp.page.$eval('.grid .body .row.partial', (e) => getComputedStyle(e).fontStyle);
  assert.strictEqual(style, 'italic');
  const legend = await rp.page.$$eval('.chart-section .u-legend .u-series .u-label', (els) => els.map((e) => e.textContent));
  assert.ok(legend.some((l) => /\(partial\)$/.test(l ?? '')), `a dashed partial series in the legend: ${legend.join(', ')}`);
});

test('derived ratios: failure rate from the server’s columns, labelled derived, in the chart’s metric picker', async () => {
  if (!real) return console.log('  (skipped: no sandbox data)');
  const report = real.recent;
  await show(report);
  const heads = await rp.page.$$eval('.grid .header .cell', (els) => els.map((e) => ({ name: e.querySelector('.name')?.textContent, derived: !!e.querySelector('.badge.derived') })));
  const fr = heads.findIndex((x) => x.name === 'failure-rate');
  assert.ok(fr > 0 && heads[fr].derived, `failure-rate labelled derived: ${JSON.stringify(heads)}`);
  assert.ok(heads.filter((x) => x.derived).every((x) => ['failure-rate', 'completion-rate'].includes(x.name ?? '')));
  const rows = rowsOf(report);
  const cols = report.columns.map((c) => c.name);
  const cells = await bodyRows();
  cells.forEach((cellsOfRow) => {
    const r = rows[Number(cellsOfRow[0]) - 1];
    const f = r[cols.indexOf('failed-attempts')] as number;
    const st = r[cols.indexOf('started-sessions')] as number;
    assert.strictEqual(cellsOfRow[fr], `${((f / (f + st)) * 100).toFixed(1)}%`);
  });
  const options = await rp.page.$$eval('.chart-controls select[aria-label="Metric"] option', (els) => els.map((e) => e.textContent));
  assert.ok(options.includes('failure-rate (derived)'), options.join(', '));
  const total = await rp.page.$$eval('.grid .totals .cell', (els) => els.map((e) => e.textContent));
  const sum = (name: string) => rows.reduce((s, r) => s + (r[cols.indexOf(name)] as number), 0);
  assert.strictEqual(total[fr], `${((sum('failed-attempts') / (sum('failed-attempts') + sum('started-sessions'))) * 100).toFixed(1)}%`, 'the ratio of the sums');
});

test('data-quality badge: the Unknown channel share in the header; a click shows only those rows', async () => {
  if (!real) return console.log('  (skipped: no sandbox data)');
  const report = real.channels;
  await show(report);
  const rows = rowsOf(report);
  const ci = report.columns.findIndex((c) => c.name === 'channel');
  const unknown = rows.filter((r) => r[ci] === 'Unknown').length;
  assert.ok(unknown > 0, 'the sandbox has Unknown channels');
  const badge = await rp.page.textContent(`.grid .header .cell[data-col="${ci}"] .badge.quality`);
  assert.strictEqual(badge, `${Math.round((unknown / rows.length) * 100)}% unknown`);
  const title = await rp.page.getAttribute(`.grid .header .cell[data-col="${ci}"] .badge.quality`, 'title');
  const mi = report.columns.findIndex((c) => c.name === 'started-sessions');
  const mass = rows.filter((r) => r[ci] === 'Unknown').reduce((s, r) => s + (r[mi] as number), 0) / rows.reduce((s, r) => s + (r[mi] as number), 0);
  assert.match(title ?? '', new RegExp(`^${unknown} of ${rows.length} rows have no channel .*, ${(mass * 100).toFixed(1)}% of started-sessions`));
  await rp.page.click(`.grid .header .cell[data-col="${ci}"] .badge.quality`);
  const shown = await bodyRows();
  assert.strictEqual(shown.length, unknown);
  assert.ok(shown.every((r) => r[ci + 1] === 'Unknown'));
  assert.match((await rp.page.textContent('.table-toolbar .count')) ?? '', /only rows with no channel/);
  await rp.page.click(`.grid .header .cell[data-col="${ci}"] .badge.quality`);
  assert.strictEqual((await bodyRows()).length, Math.min(rows.length, (await bodyRows()).length));
  assert.doesNotMatch((await rp.page.textContent('.table-toolbar .count')) ?? '', /only rows/);
});

test('compare view: value, prev, Δ, Δ% per metric, sortable by Δ%, previous period dashed in the chart; the toggle asks the extension', async () => {
  if (!real) return console.log('  (skipped: no sandbox data)');
  const report = real.compare;
  assert.ok(report.compare, 'a compare view');
  await show(report);
  const heads = await rp.page.$$eval('.grid .header .cell .name', (els) => els.map((e) => e.textContent));
  const i = heads.indexOf('started-sessions');
  assert.deepStrictEqual(heads.slice(i, i + 4), ['started-sessions', 'started-sessions (prev)', 'started-sessions Δ', 'started-sessions Δ%']);
  assert.ok(heads.includes('failure-rate Δ'), 'the derived ratio compares too');
  assert.match((await rp.page.textContent('.compare-info')) ?? '', /Compared with\s*\d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2} \(a week earlier\)/);
  assert.strictEqual(await rp.page.$eval('select.compare', (e) => (e as HTMLSelectElement).value), 'week');
  // sort by Δ% (descending first): the biggest rise on top
  await rp.page.click(`.grid .header .cell[data-col="${i + 3}"]`);
  const rows = rowsOf(report);
  const pct = rows.map((r) => r[i + 3]).filter((v): v is number => typeof v === 'number');
  const top = (await bodyRows())[0][i + 4];
  const best = Math.max(...pct);
  assert.strictEqual(top, `${best > 0 ? '+' : ''}${best.toFixed(1)}%`);
  // value − prev = Δ on every row the sandbox sent
  for (const r of rows) if (typeof r[i] === 'number' && typeof r[i + 1] === 'number') assert.strictEqual(r[i + 2], (r[i] as number) - (r[i + 1] as number));
  const legend = await rp.page.$$eval('.chart-section .u-legend .u-series .u-label', (els) => els.map((e) => e.textContent));
  assert.ok(legend.some((l) => /\(previous period\)$/.test(l ?? '')), `previous period overlaid: ${legend.join(', ')}`);
  await rp.clearPosted();
  await rp.page.selectOption('select.compare', 'off');
  assert.deepStrictEqual(await rp.posted(), [{ type: 'compare', mode: 'off' }]);
});

test('compare view: a row only the earlier period has, with no time of this period, stays off the time axis (no 1970)', async () => {
  const m = 'started-sessions';
  const columns: ColumnView[] = [
    ...['year', 'month', 'day'].map((name) => ({ name, kind: 'dimension' as const, time: true })),
    ...(['value', 'previous', 'delta', 'deltaPct'] as const).map((role) => ({
      name: role === 'value' ? m : role === 'previous' ? `${m} (prev)` : role === 'delta' ? `${m} Δ` : `${m} Δ%`,
      kind: 'metric' as const,
      compare: { metric: m, role },
    })),
  ];
  // a month earlier: Oct 31 has no Nov 31 to be labelled with
  const rows: ReportCell[][] = [
    ['2024', '11', '28', 10, 8, 2, 25],
    ['2024', '11', '29', 12, 10, 2, 20],
    ['2024', '11', '30', 11, 11, 0, 0],
    [null, null, null, null, 9, null, null],
  ];
  const compare = { mode: 'month' as const, current: { start: '2024-11-28', end: '2024-12-01' }, previous: { start: '2024-10-28', end: '2024-11-01', url: 'http://127.0.0.1/cmu/v2/year/month/day' }, excludedPartial: 0 };
  await show(reportView(['year', 'month', 'day'], columns, rows, { compare }));
  await rp.page.waitForFunction(() => (window as unknown as { __cmuReport: { chart: { xTicks(): number[] } } }).__cmuReport.chart.xTicks().length > 0);
  const ticks = await rp.page.evaluate(() => (window as unknown as { __cmuReport: { chart: { xTicks(): number[] } } }).__cmuReport.chart.xTicks());
  assert.ok(ticks.every((t) => t >= Date.UTC(2024, 10, 28) / 1000 && t <= Date.UTC(2024, 10, 30) / 1000), `ticks within Nov 28–30: ${ticks.map((t) => new Date(t * 1000).toISOString().slice(0, 10)).join(', ')}`);
  assert.strictEqual((await bodyRows()).length, 4, 'the table keeps the row');
});

/** Applies a theme as VS Code does (variables on <html style>, the kind as the body class) plus its webview page rules. */
async function applyTheme(kind: ThemeKind): Promise<void> {
  await rp.page.evaluate(
    ({ kind, vars, rules }) => {
      const root = document.documentElement;
      root.removeAttribute('style'); // VS Code replaces the whole set on a theme change
      for (const [k, v] of Object.entries(vars)) root.style.setProperty(`--vscode-${k}`, v);
      document.body.className = kind;
      const sheet = document.styleSheets[0];
      if (!(window as unknown as { __rules?: boolean }).__rules) {
        rules.forEach((r) => sheet.insertRule(r, 0));
        (window as unknown as { __rules?: boolean }).__rules = true;
      }
    },
    { kind, vars: THEMES[kind], rules: WEBVIEW_DEFAULT_RULES },
  );
}

/** WCAG contrast of every visible text element against what is painted behind it (alpha composited up the tree). */
function lowContrast(): Promise<string[]> {
  return rp.page.evaluate(() => {
    const parse = (c: string): number[] => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top: number[], under: number[]): number[] => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
    };
    const lum = (c: number[]): number => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const background = (el: Element | null): number[] => {
      const chain: number[][] = [];
      for (let e = el; e; e = e.parentElement) chain.push(parse(getComputedStyle(e).backgroundColor));
      let bg = [255, 255, 255, 1];
      for (let i = chain.length - 1; i >= 0; i--) bg = over(chain[i], bg);
      return bg;
    };
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      if (!([...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim()))) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest('.sr-only, [hidden], :disabled, .uplot')) continue;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden') continue;
      const bg = background(el);
      const fg = over(parse(st.color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      if (ratio < 4.5) out.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent!.trim().slice(0, 30)}": ${ratio.toFixed(2)} (${st.color} on rgb(${bg.slice(0, 3).map(Math.round).join(', ')}))`);
    }
    return out;
  });
}

function withResponse(report: ReportView): ReportView {
  return {
    ...report,
    fetchedAt: new Date(Date.UTC(2026, 11, 2, 6, 20, 14)).toISOString(),
    elapsedMs: 123,
    response: { status: 200, statusText: 'OK', bytes: 46285, headers: [['content-type', 'application/json'], ['date', 'Wed, 02 Dec 2026 06:20:14 GMT'], ['set-cookie', '•••• (hidden)']] },
    query: { ...report.query, back: 'tenant › year › month', environment: 'sandbox' },
  };
}

test('the answer like an API client: status, latency, size, fetched at (UTC and local); the headers behind a disclosure', async () => {
  await show(withResponse(dailyMvpdReport()));
  assert.strictEqual(await rp.page.textContent('.response-line .status'), 'HTTP 200 OK');
  assert.strictEqual(await rp.page.textContent('.response-line .latency'), '123 ms');
  assert.strictEqual(await rp.page.textContent('.response-line .size'), '45 KB');
  assert.match((await rp.page.textContent('.response-line .fetched')) ?? '', /^fetched 2026-12-02 06:20:14 UTC \(.+ local\)$/);
  assert.ok(await rp.page.isHidden('.response-headers dl'), 'collapsed');
  await rp.page.click('.response-headers summary');
  assert.deepStrictEqual(await rp.page.$$eval('.response-headers dt', (els) => els.map((e) => e.textContent)), ['content-type', 'date', 'set-cookie']);
  assert.strictEqual(await rp.page.textContent('.env'), 'sandbox');
});

test('Copy URL confirms "Copied" on its button for a moment; Back posts back (button and Alt+Left)', async () => {
  await show(withResponse(dailyMvpdReport()));
  await rp.post({ type: 'notice', text: 'Copied', action: 'copyUrl' });
  await rp.page.waitForFunction(() => document.querySelector('[data-action="copyUrl"]')?.textContent === '✓ Copied');
  await rp.page.waitForFunction(() => document.querySelector('[data-action="copyUrl"]')?.textContent === 'Copy URL', undefined, { timeout: 5000 });
  await rp.clearPosted();
  await rp.page.click('[data-action="back"]');
  await rp.page.keyboard.press('Alt+ArrowLeft');
  assert.deepStrictEqual(await rp.posted(), [{ type: 'action', action: 'back' }, { type: 'action', action: 'back' }]);
});

test('chart: a drill-down sets Split by to the dimension added; the quick filter filters the chart; daily data has day ticks', async () => {
  const daily = dailyMvpdReport();
  const parent = reportView(['tenant', 'year', 'month', 'day'], columnsOf(['tenant', 'year', 'month', 'day'], ['active-users']), [['ACME', '2024', '11', '1', 5], ['ACME', '2024', '11', '2', 6]]);
  await show(parent);
  await show(daily);
  assert.strictEqual(await rp.page.inputValue('.chart-controls select[aria-label="Split by dimension"]'), 'mvpd');
  const ticks = await rp.page.evaluate(() => (window as unknown as { __cmuReport: { chart: { xTicks(): number[] } } }).__cmuReport.chart.xTicks());
  assert.ok(ticks.length > 0 && ticks.every((t) => t % 86400 === 0), `ticks at midnight UTC: ${ticks.join(', ')}`);
  await rp.page.selectOption('.chart-controls select[aria-label="Split by dimension"]', '');
  await rp.page.selectOption('.chart-controls select[aria-label="Split by dimension"]', 'mvpd');
  await rp.page.fill('.table-toolbar .filter', 'DirecTV');
  await rp.page.waitForFunction(() => [...document.querySelectorAll('.u-legend .u-series .u-label')].map((e) => e.textContent).join('|') === 'time (UTC)|DirecTV');
  await rp.page.fill('.table-toolbar .filter', '');
  await rp.page.waitForFunction(() => document.querySelectorAll('.u-legend .u-series .u-label').length > 2);
});

test('wide report: the dimension columns stay in view while the table scrolls sideways', async () => {
  const metrics = ['active-users', 'active-sessions', 'started-sessions', 'completed-sessions', 'failed-attempts', 'dismissed-attempts', 'killed-sessions', 'bstreams-60'];
  const columns = columnsOf(['mvpd', 'platform'], metrics);
  const rows: ReportCell[][] = MVPDS.map((m, i) => [m, 'android', ...metrics.map((_, k) => 1000 * (i + 1) + k)]);
  await rp.page.setViewportSize({ width: 700, height: 800 });
  try {
    await show(reportView(['mvpd', 'platform'], columns, rows));
    assert.ok(await rp.page.$eval('.grid', (g) => g.classList.contains('sticky')));
    const before = await rp.page.$eval('.grid .body .row:not([hidden]) .cell[data-c="2"]', (c) => c.getBoundingClientRect().left);
    await rp.page.$eval('.grid', (g) => (g.scrollLeft = 400));
    await rp.page.waitForTimeout(100);
    const after = await rp.page.$eval('.grid .body .row:not([hidden]) .cell[data-c="2"]', (c) => c.getBoundingClientRect().left);
    const metricMoved = await rp.page.$eval('.grid .body .row:not([hidden]) .cell[data-c="3"]', (c) => c.getBoundingClientRect().left);
    assert.strictEqual(Math.round(after), Math.round(before), 'platform stays where it was');
    assert.ok(metricMoved < before, 'the metrics scrolled under it');
    const headerLeft = await rp.page.$eval('.grid .header .cell[data-col="1"]', (c) => c.getBoundingClientRect().left);
    assert.strictEqual(Math.round(headerLeft), Math.round(after), 'its header too');
    // (headless Chromium hides scrollbars: their style is checked, not their pixels)
    const bar = await rp.page.$eval('.grid', (g) => getComputedStyle(g, '::-webkit-scrollbar').height);
    assert.strictEqual(bar, '12px', 'a horizontal scrollbar thick enough to see');
  } finally {
    await rp.page.setViewportSize({ width: 1200, height: 800 });
  }
});

test('contrast: every visible text of the panel is at least 4.5:1 in the four theme kinds (screenshots in test-results/)', async () => {
  fs.mkdirSync('test-results', { recursive: true });
  const failures: string[] = [];
  for (const kind of THEME_KINDS) {
    await applyTheme(kind);
    await show(withResponse(dailyMvpdReport()));
    await rp.page.click('.response-headers summary');
    await rp.page.waitForTimeout(100);
    failures.push(...(await lowContrast()).map((f) => `${kind}: ${f}`));
    await rp.page.screenshot({ path: `test-results/panel-${kind}.png` });
  }
  await rp.page.evaluate(() => {
    document.documentElement.removeAttribute('style');
    document.body.className = '';
  });
  if (failures.length) console.log(failures.join('\n'));
  assert.deepStrictEqual(failures, []);
});
