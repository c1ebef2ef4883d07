/**
 * Browser harness for the report webview: builds the bundle, serves the panel's own HTML (same CSP,
 * same nonce rule) from a tiny node:http server on 127.0.0.1:0 with a stubbed `acquireVsCodeApi`, and
 * launches Debian's Chromium through playwright-core. Used by the e2e tests and bench/webview.bench.ts.
 */
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { newNonce, renderPanelHtml } from '../../src/extension/report/html';
import type { HostMessage, WebviewMessage } from '../../src/shared/protocol';

export const ROOT = path.resolve(__dirname, '../..');

// the workbench harness's Chromium command line (plain JS: node runs it there)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CHROMIUM_ARGS, chromiumPath } = require('../integration/harness/chromium') as { CHROMIUM_ARGS: readonly string[]; chromiumPath(): string };

/** Builds the webview's bundles like esbuild.js does (iife, es2022: webview.js, chart.js) into `outdir`; returns the paths. */
export async function buildWebview(outdir: string, production = false): Promise<{ js: string; css: string }> {
  const build = (entry: string, out: string) =>
    esbuild.build({
      bundle: true,
      minify: production,
      sourcemap: false,
      logLevel: 'warning',
      legalComments: 'none',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      entryPoints: [path.join(ROOT, entry)],
      outfile: path.join(outdir, out),
    });
  await Promise.all([build('src/webview/main.ts', 'webview.js'), build('src/webview/uplot.ts', 'chart.js')]);
  return { js: path.join(outdir, 'webview.js'), css: path.join(outdir, 'webview.css') };
}

/** The stub the VS Code host would provide: records posted messages and state. */
// __initialState: what VS Code hands a reloaded webview (a test sets it with addInitScript)
const PRELUDE = `window.__posted = []; window.__state = window.__initialState; window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });
function acquireVsCodeApi() { return {
  postMessage: function (m) { window.__posted.push(m); },
  getState: function () { return window.__state; },
  setState: function (s) { window.__state = s; } }; }`;

export interface PageServer {
  origin: string;
  url: string;
  close(): Promise<void>;
}

export async function startPageServer(distDir: string): Promise<PageServer> {
  const files: Record<string, { file: string; type: string }> = {
    '/dist/webview.js': { file: path.join(distDir, 'webview.js'), type: 'text/javascript' },
    '/dist/webview.css': { file: path.join(distDir, 'webview.css'), type: 'text/css' },
    '/dist/chart.js': { file: path.join(distDir, 'chart.js'), type: 'text/javascript' },
    '/media/report.css': { file: path.join(ROOT, 'media/report.css'), type: 'text/css' },
  };
  let origin = '';
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (p === '/' || p === '/index.html') {
      const html = renderPanelHtml({
        cspSource: origin,
        nonce: newNonce(),
        script: fs.readFileSync(path.join(distDir, 'webview.js'), 'utf8'),
        styles: [fs.readFileSync(path.join(ROOT, 'media/report.css'), 'utf8'), fs.readFileSync(path.join(distDir, 'webview.css'), 'utf8')],
        chartUri: `${origin}/dist/chart.js`,
        title: 'CMU report (test page)',
        prelude: PRELUDE,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
      return;
    }
    const f = files[p];
    if (!f || !fs.existsSync(f.file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type });
    fs.createReadStream(f.file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/index.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
}

export interface ReportPage {
  page: Page;
  dialogs: string[];
  pageErrors: string[];
  post(msg: HostMessage): Promise<void>;
  posted(): Promise<WebviewMessage[]>;
  clearPosted(): Promise<void>;
  /** waits for the `rendered` message of requestId */
  rendered(requestId: number, timeoutMs?: number): Promise<Extract<WebviewMessage, { type: 'rendered' }>['stats']>;
  cspViolations(): Promise<string[]>;
}

export async function openReportPage(browser: Browser, server: PageServer, viewport = { width: 1200, height: 800 }): Promise<ReportPage> {
  const page = await browser.newPage({ viewport });
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  const rp: ReportPage = {
    page,
    dialogs,
    pageErrors,
    post: (msg) => page.evaluate((m) => window.postMessage(m, '*'), msg as unknown as Record<string, unknown>),
    posted: () => page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted),
    clearPosted: () => page.evaluate(() => void ((window as unknown as { __posted: unknown[] }).__posted.length = 0)),
    async rendered(requestId, timeoutMs = 30000) {
      const h = await page.waitForFunction(
        // every row painted (a streamed report first says `complete: false` for its first rows)
        (id) => (window as unknown as { __posted: WebviewMessage[] }).__posted.find((m) => m.type === 'rendered' && m.stats.requestId === id && m.stats.complete !== false),
        requestId,
        { timeout: timeoutMs },
      );
      const m = (await h.jsonValue()) as Extract<WebviewMessage, { type: 'rendered' }>;
      return m.stats;
    },
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
  };
  return rp;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
