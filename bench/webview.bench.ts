/**
 * Report webview in headless Chromium (the production bundle, the panel's own HTML and CSP):
 *  - 200k-row report: ms from posting the data message to the first rows painted (target < 300 ms)
 *  - scripting time per scroll step (CDP ScriptDuration over real scroll + frame cycles)
 *  - the sandbox's 1k-row report posted to a page that has just booted, as a new panel gets it: ms to its first rows
 *    painted (`webview_first_paint_1k_fresh_page`, median of 15 fresh pages: the page's cold first layout)
 *  - chart of 100k points: aggregation + uPlot draw (target < 100 ms)
 *  - .vsix size (`vsce package --no-dependencies` to a temp path), else dist/ + media/ size
 * Prints `FIGURE <name> <value> <unit>`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildWebview, launchBrowser, openReportPage, ROOT, startPageServer, tmpDir } from '../test/e2e/harness';
import { reportView, columnsOf, emptied } from '../test/e2e/fixtures';
import { withSandboxClient } from '../test/e2e/sandboxFetch';
import { parseQueryUrl } from '../src/core/cmu/query';
import { navigation, reportView as toReportView } from '../src/extension/report/reportView';
import type { ReportView } from '../src/shared/protocol';
import type { Page } from 'playwright-core';

/** The sandbox's 200k-row report through the engine, mapped (and encoded) as the panel does. */
function sandboxHugeReport(rows: number): Promise<{ view: ReportView; encodeMs: number }> {
  return withSandboxClient('bench', async (client, sandbox) => {
    const href = sandbox.hugeReportHref(rows, 'json');
    const q = { ...parseQueryUrl(href, sandbox.cmuBase), format: undefined };
    const report = await client.fetchReportRows(q); // as the panel fetches it: rows as CSV, links from limit=1
    const t0 = performance.now();
    const view = toReportView(q, report, navigation(q, report, sandbox.cmuBase), { cmuBase: sandbox.cmuBase, environment: 'sandbox', elapsedMs: 0 });
    return { view, encodeMs: performance.now() - t0 };
  });
}

/** A report view as plain arrays: what page.evaluate can carry (postAndPaint makes typed arrays of them again). */
function plainView(view: ReportView): Record<string, unknown> {
  return {
    ...view,
    data: view.data.map((c) => (c.type === 'text' ? { type: 'text', dict: c.dict, codes: Array.from(c.codes) } : { type: 'number', values: Array.from(c.values), nulls: c.nulls && Array.from(c.nulls) })),
  } as unknown as Record<string, unknown>;
}

/** Posts `plain` to the page as the extension does (typed arrays, transferred); ms from the post to its first rows painted. */
function postAndPaint(page: Page, plain: Record<string, unknown>, id: number): Promise<number> {
  return page.evaluate(
    async ({ plain, id }) => {
      const v = plain as unknown as { data: { type: string; codes?: number[]; values?: number[]; nulls?: number[] }[] };
      const buffers: ArrayBuffer[] = [];
      const data = v.data.map((c) => {
        const arr = c.type === 'text' ? Uint32Array.from(c.codes!) : Float64Array.from(c.values!);
        buffers.push(arr.buffer);
        if (c.type === 'text') return { ...c, codes: arr };
        const nulls = c.nulls ? Uint8Array.from(c.nulls) : undefined;
        return nulls ? { ...c, values: arr, nulls } : { type: 'number', values: arr };
      });
      let receivedAt = 0;
      window.addEventListener('message', () => (receivedAt = performance.now()), { capture: true, once: true });
      await new Promise((res) => setTimeout(res, 100)); // let the garbage of rebuilding the arrays go first
      const posted = (window as unknown as { __posted: { type: string; stats?: { requestId: number; firstPaintMs: number; complete?: boolean } }[] }).__posted;
      const t0 = performance.now();
      window.postMessage({ type: 'report', requestId: id, report: { ...v, data } }, '*', buffers);
      for (;;) {
        const m = posted.find((x) => x.type === 'rendered' && x.stats?.requestId === id && x.stats.complete !== false);
        if (m?.stats) {
          console.log(`sandbox run: clone ${(receivedAt - t0).toFixed(1)} ms + paint ${m.stats.firstPaintMs.toFixed(1)} ms`);
          return receivedAt - t0 + m.stats.firstPaintMs;
        }
        await new Promise((res) => setTimeout(res, 5));
      }
    },
    { plain, id },
  );
}

const figure = (name: string, value: number, unit: string): void => console.log(`FIGURE ${name} ${Number(value.toFixed(2))} ${unit}`);
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const p95 = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.95)];

function dirSize(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirSize(p) : e.name.endsWith('.map') ? 0 : fs.statSync(p).size;
  }
  return n;
}

async function main(): Promise<void> {
  const dist = tmpDir('cmu-bench-dist-');
  await buildWebview(dist, true);
  figure('webview_bundle_js', fs.statSync(path.join(dist, 'webview.js')).size / 1024, 'KB');
  const server = await startPageServer(dist);
  const browser = await launchBrowser();
  try {
    const rp = await openReportPage(browser, server, { width: 1280, height: 900 });
    rp.page.on('console', (m) => {
      if (m.text().startsWith('sandbox run')) console.log(`# ${m.text()}`);
    });
    const base = reportView(['tenant', 'year', 'month', 'day', 'hour', 'mvpd', 'platform'], columnsOf(['tenant', 'year', 'month', 'day', 'hour', 'mvpd', 'platform'], ['active-users', 'started-sessions', 'failed-attempts']), []);
    const baseMsg = emptied(base);

    // --- 200k rows: data message → first rows painted (5 runs, the data generated in the page) ---
    const paints: number[] = [];
    const charts: number[] = [];
    for (let run = 0; run < 5; run++) {
      const r = await rp.page.evaluate(
        async ({ base, id }) => {
          const n = 200_000;
          const mvpds = ['Comcast_SSO', 'Charter_Direct', 'DirecTV', 'Dish', 'Verizon', 'Cox', 'Altice', 'Frontier', 'TempPass'];
          const platforms = ['android', 'ios', 'web', 'roku', 'tvos', 'firetv'];
          // columnar, as the extension sends it (protocol.ts WireColumn): text as 8-bit codes into a value table (0 = empty), integers in narrow arrays
          const codes = (f: (i: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i) + 1);
          const nums = (f: (i: number) => number): Uint16Array => Uint16Array.from({ length: n }, (_, i) => f(i));
          const hour = (i: number): number => Math.floor(i / 54);
          const data = [
            { type: 'text', dict: ['ACME'], codes: new Uint8Array(n).fill(1) },
            { type: 'text', dict: ['2024'], codes: new Uint8Array(n).fill(1) },
            { type: 'text', dict: Array.from({ length: 12 }, (_, i) => String(i + 1)), codes: codes((i) => Math.floor(hour(i) / 672) % 12) },
            { type: 'text', dict: Array.from({ length: 28 }, (_, i) => String(i + 1)), codes: codes((i) => Math.floor(hour(i) / 24) % 28) },
            { type: 'text', dict: Array.from({ length: 24 }, (_, i) => String(i)), codes: codes((i) => hour(i) % 24) },
            { type: 'text', dict: mvpds, codes: codes((i) => i % 9) },
            { type: 'text', dict: platforms, codes: codes((i) => Math.floor(i / 9) % 6) },
            { type: 'number', values: nums((i) => (i * 7919) % 5000) },
            { type: 'number', values: nums((i) => (i * 104729) % 20000) },
            { type: 'number', values: nums((i) => i % 40) },
          ];
          let receivedAt = 0;
          const onMsg = (): void => {
            receivedAt = performance.now();
          };
          window.addEventListener('message', onMsg, { capture: true, once: true });
          const posted = (window as unknown as { __posted: { type: string; stats?: { requestId: number; firstPaintMs: number; chartMs: number; complete?: boolean } }[] }).__posted;
          // VS Code's webview.postMessage transfers ArrayBuffers into the webview frame: so does this post
          const buffers = data.map((c) => ((c as { codes?: Uint8Array }).codes ?? (c as { values: Uint16Array }).values).buffer);
          await new Promise((res) => setTimeout(res, 100)); // let the garbage of building the data go first
          const t0 = performance.now();
          window.postMessage({ type: 'report', requestId: id, report: { ...base, rowCount: n, data } }, '*', buffers);
          for (;;) {
            const m = posted.find((x) => x.type === 'rendered' && x.stats?.requestId === id && x.stats.complete !== false);
            if (m?.stats) return { total: receivedAt - t0 + m.stats.firstPaintMs, clone: receivedAt - t0, chart: m.stats.chartMs };
            await new Promise((res) => setTimeout(res, 5));
          }
        },
        { base: baseMsg as unknown as Record<string, unknown>, id: 1000 + run },
      );
      paints.push(r.total);
      charts.push(r.chart);
      if (run === 0) console.log(`# run 1: structured clone ${r.clone.toFixed(1)} ms, first paint ${r.total.toFixed(1)} ms, chart (top 5 mvpd + other) ${r.chart.toFixed(1)} ms`);
    }
    figure('webview_first_paint_200k_rows', median(paints), 'ms');
    figure('webview_chart_200k_rows_split', median(charts), 'ms');

    // --- the sandbox's 200k-row report (real engine output): encode in the extension host, paint in the page ---
    try {
      const { view, encodeMs } = await sandboxHugeReport(200_000);
      figure('report_encode_columns_200k_rows', encodeMs, 'ms');
      // over CDP as plain arrays (not measured), typed arrays rebuilt in the page, then the measured post
      const plain = plainView(view);
      const times: number[] = [];
      for (let run = 0; run < 3; run++) times.push(await postAndPaint(rp.page, plain, 2000 + run));
      console.log(`# sandbox report: ${view.rowCount} rows × ${view.columns.length} columns (${view.query.url})`);
      figure('webview_first_paint_200k_sandbox_rows', median(times), 'ms');
    } catch (e) {
      console.log(`# sandbox 200k report unavailable: ${(e as Error).message}`);
    }

    // --- the sandbox's 1k-row report into a page that has just booted (as a new panel gets it): its first layout is cold ---
    {
      const plain = plainView((await sandboxHugeReport(1000)).view);
      const fresh: number[] = [];
      for (let run = 0; run < 15; run++) {
        const page = await openReportPage(browser, server, { width: 1280, height: 900 });
        fresh.push(await postAndPaint(page.page, plain, 3000 + run));
        await page.page.close();
      }
      const s = [...fresh].sort((x, y) => x - y);
      figure('webview_first_paint_1k_fresh_page', median(fresh), 'ms');
      console.log(`#   webview_first_paint_1k_fresh_page: min ${s[0].toFixed(1)}, max ${s[s.length - 1].toFixed(1)} (${s.length} fresh pages)`);
    }

    // --- scrolling: real scroll positions, one frame each; CDP ScriptDuration per step ---
    const cdp = await rp.page.context().newCDPSession(rp.page);
    await cdp.send('Performance.enable');
    const script = async (): Promise<number> => {
      const m = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return (m.metrics.find((x) => x.name === 'ScriptDuration')?.value ?? 0) * 1000;
    };
    const steps = 200;
    const s0 = await script();
    const perStep = await rp.page.evaluate(async (steps) => {
      const grid = document.querySelector<HTMLElement>('.grid')!;
      const table = (window as unknown as { __cmuReport: { table: { render(force: boolean): void } } }).__cmuReport.table;
      const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));
      const times: number[] = [];
      for (let i = 0; i < steps; i++) {
        // alternate page-sized steps and long jumps (scrollbar drag)
        grid.scrollTop = i % 2 ? grid.scrollTop + grid.clientHeight : Math.floor(((i * 7919) % 1000) / 1000 * grid.scrollHeight);
        const t = performance.now();
        table.render(false);
        times.push(performance.now() - t);
        await frame();
      }
      return times;
    }, steps);
    const s1 = await script();
    figure('webview_scroll_script_per_step', (s1 - s0) / steps, 'ms');
    figure('webview_scroll_render_p95', p95(perStep), 'ms');
    console.log(`# scroll: render() median ${median(perStep).toFixed(2)} ms, p95 ${p95(perStep).toFixed(2)} ms over ${steps} steps`);

    // --- chart of 100k points: minute buckets, one series ---
    const chartTimes: number[] = [];
    for (let run = 0; run < 5; run++) {
      chartTimes.push(
        await rp.page.evaluate(async () => {
          const n = 100_000;
          const cols = [
            { name: 'year', kind: 'dimension', time: true },
            { name: 'month', kind: 'dimension', time: true },
            { name: 'day', kind: 'dimension', time: true },
            { name: 'hour', kind: 'dimension', time: true },
            { name: 'minute', kind: 'dimension', time: true },
            { name: 'active-users', kind: 'metric' },
          ];
          // minute buckets over ~69 days: time columns as text dictionaries, one metric
          const t0 = Date.UTC(2024, 0, 1);
          const parts = [0, 1, 2, 3, 4].map(() => ({ dict: [] as string[], index: new Map<string, number>(), codes: new Uint32Array(n) }));
          const values = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            const d = new Date(t0 + i * 60000);
            [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()].forEach((v, k) => {
              const p = parts[k];
              const s = String(v);
              let c = p.index.get(s);
              if (c === undefined) {
                c = p.dict.length;
                p.dict.push(s);
                p.index.set(s, c);
              }
              p.codes[i] = c;
            });
            values[i] = 1000 + Math.round(500 * Math.sin(i / 500)) + (i % 37);
          }
          const data = [...parts.map((p) => ({ type: 'text', dict: p.dict, codes: p.codes })), { type: 'number', values }];
          const report = { columns: cols, data, rowCount: n };
          const w = window as unknown as { __cmuReport: { chart: { setData(d: unknown): boolean; drawn: Promise<void>; destroy(): void }; ReportData: new (c: unknown, d: unknown, n: number) => unknown } };
          const chart = w.__cmuReport.chart;
          chart.destroy();
          const t = performance.now();
          chart.setData(new w.__cmuReport.ReportData(report.columns, report.data, report.rowCount));
          await chart.drawn;
          await new Promise<void>((r) => queueMicrotask(r)); // uPlot commits its draw in a microtask
          const ms = performance.now() - t;
          const canvas = document.querySelector<HTMLCanvasElement>('.chart-section canvas');
          if (!canvas || canvas.width === 0) throw new Error('no chart canvas');
          return ms;
        }),
      );
    }
    figure('webview_chart_100k_points', median(chartTimes), 'ms');
    if (rp.pageErrors.length) console.log(`# page errors: ${rp.pageErrors.join('; ')}`);
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dist, { recursive: true, force: true });
  }

  // --- .vsix size ---
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-vsix-')), 'cmu-explorer.vsix');
  const vsce = path.join(ROOT, 'node_modules/.bin/vsce');
  const r = spawnSync(vsce, ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (r.status === 0 && fs.existsSync(out)) {
    figure('vsix_size', fs.statSync(out).size / 1024, 'KB');
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  } else {
    console.log(`# vsce package failed (${(r.stderr || r.stdout || '').trim().split('\n').pop()}); reporting dist/ + media/ instead`);
    figure('dist_media_size', (dirSize(path.join(ROOT, 'dist')) + dirSize(path.join(ROOT, 'media'))) / 1024, 'KB');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
