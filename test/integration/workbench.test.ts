/**
 * The report panel measured in the real workbench (`npm run bench:workbench` runs this file in fresh
 * sessions, on the production bundle, with CMU_TEST_BENCH_ROWS=200000, and summarizes). In the ordinary
 * integration run it is a smoke: a 5k-row report, the same figures printed, no timing asserted.
 *
 * The fake Adobe server is `cmu sandbox` (dist/cli.js) in a child process, as a real server is another
 * process: its report generation and compression neither block the extension host's thread nor count in its
 * memory. The extension reaches it through the `custom` environment and gets its token through its own
 * commands (import statement, register, token); the extension's in-process sandbox is not used. The
 * sandbox's response cache answers a repeated report with the bytes it sent before, as a pre-aggregated
 * backend answers; every URL measured is fetched once, untimed, before anything is measured.
 *
 * Figures, `FIGURE <name> <value> <unit>` lines on the extension host's console:
 * - `activation`: loading dist/extension.js (require) + activate() until its promise settles, from VS Code's
 *   own marks around both (`code/extHost/{will,did}{LoadExtensionCode,ActivateExtension}/<id>`); not the
 *   extension context's setup nor the activation queue before it. The same again as `activation_cached`
 *   when the loader compiled dist/extensionMain.js with a code cache an earlier session wrote (a user's
 *   every activation but the first after an install or update; CMU_CODE_CACHE of the harness), else as
 *   `activation_uncached`. Whoever activated it: this test after
 *   a 2 s pause (when the suite starts the workbench is still loading; a user's first command comes
 *   later), unless a view or an event did first.
 * - `webview_first_boot`: the session's first webview (a plain panel with a tiny page) from
 *   createWebviewPanel until its script says it painted (two animation frames): the workbench booting
 *   webviews, paid once per session. The old `rows_1k_*` figures included it (the 1k report showed the
 *   session's first webview); they are now measured on the warm workbench as `rows_1k_warm_*`.
 * - `webview_empty_paint`: the same empty panel again, on the warm workbench: the floor of a small report;
 *   `webview_empty_document_start` when its document started (its time origin, from createWebviewPanel).
 * - `webview_report_page_ready`: the report panel's own page (its HTML, as a panel sets it; nothing fetched,
 *   nothing posted) from createWebviewPanel until it says `ready`, and `webview_report_page_document_start`:
 *   the floor of `rows_1k_warm_webview_ready` and `_document_start` (the same page, booting while a report loads).
 * - `rows_<size>_floor_curl_parse`: curl of the report as JSON to a file, read + JSON.parse (in another node
 *   process, its start-up not counted): the least any client can do with the same URL. Floor and ours
 *   alternate, one each per size.
 * - `rows_<size>_*`: `cmu.runQuery` of the report in a fresh panel → first rows visible (the webview said
 *   it painted rows), webview ready, command resolves, every row painted, the longest extension-host
 *   event-loop block, its longest garbage collection (V8's pauses of 20 ms or more are printed with their
 *   kind and flags) and their sum (`exthost_gc_total`), how long its thread was busy (`exthost_busy`: not
 *   waiting for events, from the event loop's utilization; includes the test's own light sampling), and
 *   its peak RSS meanwhile, RSS before. On Linux, the longest gap of a 5 ms timer on the host's thread
 *   (`exthost_longest_gap`: the longest block + 5 ms) split by the kernel's counters into the time the thread
 *   ran (`_running`) and the time it was ready but waited for a CPU (`_waiting_cpu`: the machine's other
 *   processes and threads; the rest it slept) and when it ended (`_at`, ms from the start of the watch, which starts right before the command), and over the whole load its waits for a CPU
 *   (`exthost_waiting_cpu_total`) and its CPU time (`exthost_running_total`; `exthost_busy` counts both)
 *   (watchThreadSchedule()). Sizes: 1k (`1k_warm`) and CMU_TEST_BENCH_ROWS. For the large one,
 *   the floor of those host figures, `rows_<size>_floor_post_*`: VS Code moving the same column bytes in the
 *   same number of messages to an empty webview, nothing fetched, parsed or rendered (postFloor()).
 *   Where the wait for the first rows goes: the panel created, the first rows and the links in the host
 *   (`first_rows_in_host`), the webview ready, the report message posted, and the webview's own time from
 *   receiving it to painting (`webview_first_paint_own`, its clock); the rest is the message's way. On the
 *   machine's clock from the webview's own account: when the report message reached the page
 *   (`webview_report_received`) and when its first rows were painted (`first_rows_painted`: on screen,
 *   before the host hears of it in `first_rows_visible`). The
 *   webview's own start: `webview_document_start` (its document's time origin, on the machine's clock,
 *   from the command), `webview_ready_own` (ms from that time origin to `ready`) and
 *   `webview_script_own` (the bundle's run until `ready`).
 * - With CMU_TEST_BENCH_PROFILE=<dir> (`BENCH_PROFILE=1 npm run bench:workbench`): the extension host's CPU
 *   profile of each load, written there, and its tasks of 30 ms or more with what spent them (./hostProfile.ts);
 *   and of the activation when this test activates the extension.
 */
import * as assert from 'assert';
import { execFile, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { constants as perfConstants, monitorEventLoopDelay, performance, PerformanceObserver, type PerformanceEntry } from 'perf_hooks';
import * as vscode from 'vscode';
import { startHostProfile } from './hostProfile';
import { newNonce, renderPanelHtml } from '../../src/extension/report/html';
import { cmd, EXTENSION_ID, resetUserSettings, setUserSetting, testApi } from './helpers';

const figure = (name: string, value: number, unit: string) => console.log(`FIGURE ${name} ${Math.round(value * 10) / 10} ${unit}`);
/** the sandbox's report time zone, pinned: the report hrefs are its wall-clock dates */
const ZONE_OFFSET_MS = -8 * 3_600_000;

interface PanelInfo {
  rows?: number;
  wireBytes?: number;
  posted?: Record<string, number>;
  stats?: { rows: number; firstPaintMs: number };
  firstRowsAt?: number;
  firstPaint?: { receivedAt: number; paintedAt: number };
  firstRowsInAt?: number;
  webviewBoot?: { atMs: number; scriptMs: number; originMs: number };
  reportPostedAt?: number;
  readyAt?: number;
  createdAt?: number;
}

/** `cmu sandbox` in a child process: its origins once it says them, and how to stop it. */
async function startServer(extensionPath: string, dir: string): Promise<{ origin: string; cmuBase: string; statementFile: string; stop: () => Promise<void> }> {
  const statementFile = path.join(dir, 'statement.jwt');
  const child: ChildProcess = spawn(process.execPath, [path.join(extensionPath, 'dist/cli.js'), '--store', path.join(dir, 'store'), '--tz=-08:00', 'sandbox', '--port', '0', '--statement-out', statementFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killed);
  };
  let out = '';
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  try {
    const said = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cmu sandbox did not say its origins in 20 s: ${out}`)), 20_000);
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (/cmu base: .*\n/.test(out)) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      child.once('exit', (code) => reject(new Error(`cmu sandbox exited (${code}): ${out}`)));
    });
    const origin = /dcr origin: (\S+)/.exec(said)?.[1];
    const cmuBase = /cmu base: +(\S+)/.exec(said)?.[1];
    assert.ok(origin && cmuBase, `the sandbox's origins in ${said}`);
    return { origin, cmuBase, statementFile, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** What Sandbox.hugeReportHref gives: a minute report of at least `rows` rows (`limit=rows`), ending one day before now. */
function hugeReportHref(rows: number, format: 'csv' | 'json'): string {
  const day = 86_400_000;
  const now = Date.now() + ZONE_OFFSET_MS;
  const end = now - (now % day) - day;
  const start = end - Math.ceil(rows / 1440) * day;
  const d = (t: number) => new Date(t).toISOString().slice(0, 10);
  return `/cmu/v2/tenant/year/month/day/hour/minute.${format}?start=${d(start)}&end=${d(end)}&limit=${rows}`;
}

function curl(url: string, token: string, file: string): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    execFile('curl', ['-sS', '--fail', '--compressed', '-o', file, '-H', `Authorization: Bearer ${token}`, '-H', 'Accept: application/json', url], (e) => (e ? reject(e) : resolve())),
  );
}

/** Reads the file named by its argument and JSON.parses it; prints both times (ms). */
const READ_AND_PARSE = `const t0 = performance.now(); const s = require('fs').readFileSync(process.argv[1], 'utf8'); const t1 = performance.now();
JSON.parse(s); console.log(JSON.stringify({ read: t1 - t0, parse: performance.now() - t1 }));`;

/**
 * curl to a file, read it, JSON.parse: the least any client can do with the same URL. Read and parse run in
 * another node process, so the floor's 100 MB of garbage is neither in the extension host's memory nor in
 * its GC pauses while ours is measured; node's start-up is not counted.
 */
async function floor(url: string, token: string): Promise<{ total: number; curl: number; read: number; parse: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-floor-'));
  const file = path.join(dir, 'body.json');
  try {
    const t0 = Date.now();
    await curl(url, token, file);
    const ms = Date.now() - t0;
    const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['-e', READ_AND_PARSE, file], (e, stdout) => (e ? reject(e) : resolve(stdout))));
    const { read, parse } = JSON.parse(out) as { read: number; parse: number };
    return { total: ms + read + parse, curl: ms, read: Math.round(read), parse: Math.round(parse) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One GET as the extension sends it (gzip), the body drained: fills the sandbox's response cache. */
function warm(url: string, token: string, accept: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = http.get(url, { headers: { Authorization: `Bearer ${token}`, Accept: accept, 'Accept-Encoding': 'gzip, deflate' } }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.once('error', reject);
  });
}

/** No editor open, and the workbench given half a second to settle: each measurement starts alike. */
async function closeEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await new Promise((r) => setTimeout(r, 500));
}

/** A tiny page for a bench panel: `text` and `script` (which gets `vscode`), nothing else allowed. */
function plainPage(text: string, script: string): string {
  const nonce = Math.random().toString(36).slice(2);
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';">` +
    `</head><body><p>${text}</p><script nonce="${nonce}">const vscode = acquireVsCodeApi();${script}</script></body></html>`
  );
}

/**
 * A bench panel with `html(webview)`: ms from createWebviewPanel until the page's first message (`at`) and until
 * its document started (`documentStart`: the time origin `originOf` reads from that message).
 */
async function timePanel(what: string, html: (w: vscode.Webview) => string, originOf: (message: unknown) => number): Promise<{ at: number; documentStart: number }> {
  await closeEditors();
  const t0 = Date.now();
  const panel = vscode.window.createWebviewPanel(`cmuBench.${what}`, what, vscode.ViewColumn.Active, { enableScripts: true });
  try {
    const said = new Promise<{ at: number; origin: number }>((resolve) => panel.webview.onDidReceiveMessage((m: unknown) => resolve({ at: Date.now(), origin: originOf(m) })));
    panel.webview.html = html(panel.webview);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the ${what} page said nothing in 60 s`)), 60_000));
    const { at, origin } = await Promise.race([said, timeout]);
    return { at: at - t0, documentStart: origin - t0 };
  } finally {
    panel.dispose();
  }
}

/** A plain webview panel with a tiny page: ms until its script says it painted (two animation frames), and until its document started. */
async function emptyWebviewPaint(): Promise<{ painted: number; documentStart: number }> {
  const script = 'requestAnimationFrame(() => requestAnimationFrame(() => vscode.postMessage(Math.round(performance.timeOrigin))));';
  const { at, documentStart } = await timePanel('empty', () => plainPage('empty', script), Number);
  return { painted: at, documentStart };
}

/** The report panel's own page (its HTML as a panel sets it; nothing fetched or posted): ms until it says `ready` (its first message), and until its document started. */
async function reportPageBoot(extensionPath: string): Promise<{ ready: number; documentStart: number }> {
  const read = (...p: string[]) => fs.readFileSync(path.join(extensionPath, ...p), 'utf8');
  const styles = [read('media', 'report.css'), read('dist', 'webview.css')];
  const html = (w: vscode.Webview) => renderPanelHtml({ cspSource: w.cspSource, nonce: newNonce(), script: read('dist', 'webview.js'), styles, chartUri: '', title: 'page' });
  const { at, documentStart } = await timePanel('page', html, (m) => Number((m as { boot?: { originMs?: unknown } }).boot?.originMs));
  return { ready: at, documentStart };
}

/**
 * The floor of the extension host's share of a large load: VS Code moving the same bytes to a webview in the
 * same number of messages, each posted once the previous post resolved (as the panel does), one array per
 * message (values 0–63 from a fixed PRNG, as compressible as codes and small counts), with no fetch, no parse
 * and no rendering. Its longest extension-host block, GC pauses and busy time, and ms until the page said it
 * had them all.
 */
async function postFloor(bytes: number, messages: number): Promise<{ ms: number; longestBlock: number; gcTotal: number; busy: number }> {
  await closeEditors();
  const size = Math.max(1, Math.ceil(bytes / messages));
  let seed = 7;
  const arrays = Array.from({ length: messages }, () => {
    const a = new Uint8Array(size);
    for (let i = 0; i < size; i++) a[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 26;
    return a;
  });
  const html = plainPage(
    'floor',
    `let n = 0; addEventListener('message', (e) => { n += e.data.data.byteLength; if (e.data.last) vscode.postMessage({ done: n }); }); vscode.postMessage({ ready: true });`,
  );
  const panel = vscode.window.createWebviewPanel('cmuBench.floor', 'floor', vscode.ViewColumn.Active, { enableScripts: true });
  try {
    const said = (key: 'ready' | 'done') => new Promise<number>((resolve) => panel.webview.onDidReceiveMessage((m: Record<string, number>) => key in m && resolve(Number(m[key]))));
    const ready = said('ready');
    panel.webview.html = html;
    await ready;
    const done = said('done');
    const host = watchHost();
    const t0 = Date.now();
    for (let i = 0; i < messages; i++) await panel.webview.postMessage({ last: i === messages - 1, data: arrays[i] });
    const received = await done;
    const ms = Date.now() - t0;
    const h = host.stop();
    assert.strictEqual(received, size * messages, 'the page got every byte');
    return { ms, longestBlock: h.longestBlock, gcTotal: h.gc.total, busy: h.busy };
  } finally {
    panel.dispose();
  }
}

/** V8's garbage collections in the extension host from now until `stop()`: the longest pause, their sum, and the pauses of 20 ms or more in words. */
function watchGc(): { stop(): { longest: number; total: number; long: string[] } } {
  const kinds: Record<number, string> = { [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks' };
  const flagNames: [number, string][] = [
    [perfConstants.NODE_PERFORMANCE_GC_FLAGS_FORCED, 'forced'],
    [perfConstants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY, 'external memory'],
    [perfConstants.NODE_PERFORMANCE_GC_FLAGS_ALL_AVAILABLE_GARBAGE, 'all available garbage'],
    [perfConstants.NODE_PERFORMANCE_GC_FLAGS_SCHEDULE_IDLE, 'idle'],
    [perfConstants.NODE_PERFORMANCE_GC_FLAGS_SYNCHRONOUS_PHANTOM_PROCESSING, 'synchronous phantom'],
  ];
  const entries: PerformanceEntry[] = [];
  const obs = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  return {
    stop() {
      obs.disconnect();
      const long = entries
        .filter((e) => e.duration >= 20)
        .map((e) => {
          const d = (e as PerformanceEntry & { detail?: { kind?: number; flags?: number } }).detail ?? {};
          const flags = flagNames.filter(([f]) => ((d.flags ?? 0) & f) !== 0).map(([, n]) => n);
          return `gc ${kinds[d.kind ?? -1] ?? d.kind} ${e.duration.toFixed(1)} ms at +${(e.startTime - t0).toFixed(0)} ms${flags.length ? ` (${flags.join(', ')})` : ''}`;
        });
      return { longest: Math.max(0, ...entries.map((e) => e.duration)), total: entries.reduce((t, e) => t + e.duration, 0), long };
    },
  };
}

/** The longest gap of the watch's 5 ms timer on this thread, split by Linux's scheduler counters; the sum of its waits for a CPU. */
interface ThreadSchedule {
  /** ms between two ticks: the longest block plus the 5 ms period, as monitorEventLoopDelay sees it */
  gap: number;
  /** ms of that gap the thread ran (JS, VS Code's code and ours, GC on this thread) */
  running: number;
  /** ms of that gap it was ready to run and waited for a CPU (the machine's other work) */
  waitingForCpu: number;
  /** ms from the start of the watch to the end of that gap */
  at: number;
  /** ms it waited for a CPU over the whole watch */
  waitingTotal: number;
  /** ms it ran over the whole watch (its CPU time) */
  runningTotal: number;
}

/**
 * Where the extension host thread's time went while a report loads, from /proc/thread-self/schedstat (ns on a
 * CPU, ns waiting in the run queue, per thread; Linux only: undefined elsewhere). The rest of a gap, neither
 * running nor waiting for a CPU, the thread slept (on a lock, or on GC helper threads that wait for a CPU).
 * One read per tick (~16 µs here).
 */
function watchThreadSchedule(): { stop(): ThreadSchedule | undefined } {
  const read = (): { run: number; wait: number } | undefined => {
    try {
      const [run, wait] = fs.readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
      return Number.isFinite(run) && Number.isFinite(wait) ? { run: run / 1e6, wait: wait / 1e6 } : undefined;
    } catch {
      return undefined;
    }
  };
  const first = read();
  if (!first) return { stop: () => undefined };
  const start = performance.now();
  let last = { at: start, ...first };
  let worst = { gap: 0, running: 0, waitingForCpu: 0, at: 0 };
  const tick = (): void => {
    const now = read();
    if (!now) return;
    const at = performance.now();
    if (at - last.at > worst.gap) worst = { gap: at - last.at, running: now.run - last.run, waitingForCpu: now.wait - last.wait, at: at - start };
    last = { at, ...now };
  };
  const timer = setInterval(tick, 5);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { ...worst, waitingTotal: last.wait - first.wait, runningTotal: last.run - first.run };
    },
  };
}

/** What the extension host's thread did while watched: its longest block, V8's pauses, its busy time and (Linux) where its longest block went. */
interface HostWatch {
  /** ms, from monitorEventLoopDelay (5 ms resolution) */
  longestBlock: number;
  gc: { longest: number; total: number; long: string[] };
  /** ms not waiting for events (the event loop's utilization) */
  busy: number;
  schedule?: ThreadSchedule;
}

/** Starts watching the extension host's thread (a load, the floor's posts): the same figures for both. */
function watchHost(): { stop(): HostWatch } {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const gc = watchGc();
  const schedule = watchThreadSchedule();
  const elu0 = performance.eventLoopUtilization();
  return {
    stop() {
      const busy = performance.eventLoopUtilization(elu0).active;
      delay.disable();
      return { longestBlock: delay.max / 1e6, gc: gc.stop(), busy, schedule: schedule.stop() };
    },
  };
}

/** Runs the report of `href` in a fresh panel; the longest extension-host block and peak RSS while it loads. */
async function measure(href: string, label: string): Promise<{ firstRows: number; webviewReady: number; panelCreated: number; firstRowsIn: number; reportPosted: number; webviewPaint: number; painted?: { received: number; painted: number }; webviewBoot?: { atMs: number; scriptMs: number; originMs: number }; started: number; resolved: number; rendered: number; rows: number; host: HostWatch; wireBytes?: number; messages: number; peakRss: number; baseRss: number }> {
  await closeEditors();
  const baseRss = process.memoryUsage.rss();
  let peakRss = baseRss;
  // memoryUsage.rss(), not memoryUsage(): that one gathers heap statistics, a 10–48 ms task in the host profile
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  const profileDir = process.env.CMU_TEST_BENCH_PROFILE;
  const profiler = profileDir ? await startHostProfile() : undefined;
  const watch = watchHost();
  const t0 = Date.now();
  const result = await cmd<{ rowCount: number }>('cmu.runQuery', href);
  const resolved = Date.now() - t0;
  const [panel] = await cmd<PanelInfo[]>('cmu._test.reportPanels'); // waits until every row is painted
  const rendered = Date.now() - t0;
  const host = watch.stop();
  for (const g of host.gc.long) console.log(`# ${label}: ${g}`);
  clearInterval(sample);
  if (profiler && profileDir) {
    const file = path.join(profileDir, `exthost-${label}-${Date.now()}.cpuprofile`);
    const tasks = await profiler.stop(file, 30);
    console.log(`# ${label}: extension-host profile ${file}; blocks of 30 ms or more: ${tasks.length}`);
    for (const t of tasks) console.log(`#   ${t}`);
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  assert.ok(panel?.stats, 'the webview painted the report');
  assert.strictEqual(panel.stats.rows, result.rowCount, 'every row reached the table');
  return {
    firstRows: (panel.firstRowsAt ?? Date.now()) - t0,
    webviewReady: (panel.readyAt ?? Date.now()) - t0,
    panelCreated: (panel.createdAt ?? Date.now()) - t0,
    firstRowsIn: (panel.firstRowsInAt ?? Date.now()) - t0,
    reportPosted: (panel.reportPostedAt ?? Date.now()) - t0,
    webviewPaint: panel.stats.firstPaintMs,
    painted: panel.firstPaint && { received: panel.firstPaint.receivedAt - t0, painted: panel.firstPaint.paintedAt - t0 },
    webviewBoot: panel.webviewBoot,
    started: t0,
    resolved,
    rendered,
    rows: result.rowCount,
    host,
    wireBytes: panel.wireBytes,
    messages: (panel.posted?.report ?? 0) + (panel.posted?.rows ?? 0),
    peakRss,
    baseRss,
  };
}

/** Whether the code cache the loader used was written before this extension host started (an earlier session's). */
function codeCacheFromEarlierSession(globalStorage: string): boolean {
  const dir = path.join(globalStorage, 'code-cache');
  const started = performance.timeOrigin;
  return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.cache') && fs.statSync(path.join(dir, f)).mtimeMs < started);
}

/** Loading the extension's module and its activate() (ms), from VS Code's performance marks. */
function activationMarks(): { load: number; activate: number } | undefined {
  const perf = (globalThis as { MonacoPerformanceMarks?: { getMarks(): { name: string; startTime: number }[] } }).MonacoPerformanceMarks;
  const marks = perf?.getMarks() ?? [];
  const at = (what: string) => marks.find((m) => m.name === `code/extHost/${what}/${EXTENSION_ID}`)?.startTime;
  const [willLoad, didLoad, willActivate, didActivate] = ['willLoadExtensionCode', 'didLoadExtensionCode', 'willActivateExtension', 'didActivateExtension'].map(at);
  if (willLoad === undefined || didLoad === undefined || willActivate === undefined || didActivate === undefined) return undefined;
  return { load: didLoad - willLoad, activate: didActivate - willActivate };
}

suite('workbench figures', function () {
  this.timeout(600_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-bench-'));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server?.stop();
    await resetUserSettings();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('report panel against `cmu sandbox` in a child process: first rows visible, resolved, every row painted; ext-host block and memory; floors beside', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'the extension under development is loaded');
    const wasActive = ext.isActive;
    if (!wasActive) await new Promise((r) => setTimeout(r, 2000));
    const ext0 = process.hrtime.bigint();
    const profileDir = process.env.CMU_TEST_BENCH_PROFILE;
    const profiler = profileDir && !ext.isActive ? await startHostProfile() : undefined;
    const api = await testApi();
    if (profiler && profileDir) {
      const file = path.join(profileDir, `exthost-activation-${Date.now()}.cpuprofile`);
      await profiler.stop(file, 30);
      console.log(`# activation: extension-host profile ${file}`);
    }
    const activation = activationMarks();
    if (activation) {
      figure('activation', activation.load + activation.activate, 'ms');
      figure(codeCacheFromEarlierSession(api.services.context.globalStorageUri.fsPath) ? 'activation_cached' : 'activation_uncached', activation.load + activation.activate, 'ms');
      console.log(`# activation: load ${activation.load.toFixed(1)} ms + activate() ${activation.activate.toFixed(1)} ms; ${wasActive ? 'already active when the test started' : `ext.activate() took ${(Number(process.hrtime.bigint() - ext0) / 1e6).toFixed(0)} ms in all`}`);
    } else console.log('# activation: no VS Code activation marks in this extension host, not measured');

    server = await startServer(ext.extensionPath, dir);
    const { origin, cmuBase, statementFile } = server;
    await setUserSetting('custom.dcrOrigin', origin);
    await setUserSetting('custom.cmuBase', cmuBase);
    assert.ok(await cmd('cmu.switchEnvironment', 'custom'), `switch: ${api.lastError()}`);
    assert.ok(await cmd('cmu.importSoftwareStatement', statementFile), `import: ${api.lastError()}`);
    assert.ok(await cmd('cmu.registerClient'), `register: ${api.lastError()}`);
    assert.ok(await cmd('cmu.getAccessToken'), `token: ${api.lastError()}`);
    const token = (await (await api.services.session()).getToken()).accessToken;

    const big = Number(process.env.CMU_TEST_BENCH_ROWS || 5000);
    const sizes = [
      { label: '1k_warm', rows: 1000 },
      { label: `${Math.round(big / 1000)}k`, rows: big },
    ];
    // every URL measured, once, untimed: the floor's JSON, the extension's rows as CSV and its links
    // (the same query as JSON with limit=1; CmuClient.fetchReportRows)
    for (const { rows } of sizes) {
      await curl(`${origin}${hugeReportHref(rows, 'json')}`, token, path.join(dir, 'warm.json'));
      await warm(`${origin}${hugeReportHref(rows, 'csv')}`, token, 'text/csv');
      await warm(`${origin}${hugeReportHref(rows, 'json').replace(/limit=\d+/, 'limit=1')}`, token, 'application/json');
    }
    fs.rmSync(path.join(dir, 'warm.json'), { force: true });

    figure('webview_first_boot', (await emptyWebviewPaint()).painted, 'ms');
    const emptyPage = await emptyWebviewPaint();
    const empty = emptyPage.painted;
    figure('webview_empty_paint', empty, 'ms');
    figure('webview_empty_document_start', emptyPage.documentStart, 'ms');
    const page = await reportPageBoot(ext.extensionPath);
    figure('webview_report_page_document_start', page.documentStart, 'ms');
    figure('webview_report_page_ready', page.ready, 'ms');
    for (const { label, rows } of sizes) {
      const href = hugeReportHref(rows, 'json');
      const f = await floor(`${origin}${href}`, token);
      const m = await measure(href, label);
      /** one figure of this size: rows_<label>_<name> */
      const put = (name: string, value: number, unit = 'ms'): void => figure(`rows_${label}_${name}`, value, unit);
      console.log(`# ${label}: ${m.rows} rows; floor: curl ${f.curl} ms + read ${f.read} ms + JSON.parse ${f.parse} ms${rows <= 1000 ? `; empty webview paints in ${empty} ms` : ''}`);
      put('floor_curl_parse', f.total);
      put('first_rows_visible', m.firstRows);
      put('panel_created', m.panelCreated);
      put('first_rows_in_host', m.firstRowsIn);
      put('webview_ready', m.webviewReady);
      put('report_posted', m.reportPosted);
      put('webview_first_paint_own', m.webviewPaint);
      if (m.painted) {
        put('webview_report_received', m.painted.received);
        put('first_rows_painted', m.painted.painted);
      }
      if (m.webviewBoot) {
        put('webview_document_start', m.webviewBoot.originMs - m.started);
        put('webview_ready_own', m.webviewBoot.atMs);
        put('webview_script_own', m.webviewBoot.scriptMs);
      }
      put('command_resolves', m.resolved);
      put('all_rows_painted', m.rendered);
      put('exthost_longest_block', m.host.longestBlock);
      put('exthost_longest_gc', m.host.gc.longest);
      put('exthost_gc_total', m.host.gc.total);
      put('exthost_busy', m.host.busy);
      const sched = m.host.schedule;
      if (sched) {
        put('exthost_longest_gap', sched.gap);
        put('exthost_longest_gap_running', sched.running);
        put('exthost_longest_gap_waiting_cpu', sched.waitingForCpu);
        put('exthost_longest_gap_at', sched.at);
        put('exthost_waiting_cpu_total', sched.waitingTotal);
        put('exthost_running_total', sched.runningTotal);
      }
      put('exthost_peak_rss', m.peakRss / 2 ** 20, 'MB');
      put('exthost_rss_before', m.baseRss / 2 ** 20, 'MB');
      if (rows > 1000 && m.wireBytes && m.messages) {
        const p = await postFloor(m.wireBytes, m.messages);
        console.log(`# ${label}: floor of the host's share: ${(m.wireBytes / 2 ** 20).toFixed(1)} MB in ${m.messages} messages to an empty webview in ${p.ms} ms`);
        put('floor_post_longest_block', p.longestBlock);
        put('floor_post_gc_total', p.gcTotal);
        put('floor_post_busy', p.busy);
        put('floor_post_ms', p.ms);
      }
    }
  });
});
