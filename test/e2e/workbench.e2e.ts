/**
 * One end-to-end check in the real workbench (code-server from the integration harness, Debian
 * Chromium): start the sandbox and run a query from the command palette, wait for rows inside the
 * report webview, take a screenshot (test-results/). The README's pictures come from the packaged
 * extension instead: `node docs/screenshots.js`.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './harness';
import { skip, test } from './runner';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { freePort, palette, workbenchBrowser } = require('../integration/harness/workbench') as {
  freePort(): Promise<number>;
  palette(page: Page, label: string): Promise<void>;
  workbenchBrowser(chromium: typeof import('playwright-core').chromium, profile: string, opts: { viewport: { width: number; height: number } }): Promise<BrowserContext>;
};

const HARNESS = path.join(ROOT, 'test/integration/harness');
const QUERY = 'tenant/year/month/day/mvpd?metrics=active-users,started-sessions,failed-attempts';

function harnessEnv(): Record<string, string> | undefined {
  if (!fs.existsSync(path.join(HARNESS, 'setup.sh')) || !fs.existsSync(path.join(HARNESS, 'start-code-server.sh'))) return undefined;
  const r = spawnSync('bash', [path.join(HARNESS, 'setup.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`harness setup failed: ${r.stderr.trim().split('\n').pop()}`);
  const env: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

if (process.env.SKIP_WORKBENCH === '1') {
  skip('workbench: palette → Run Query → rows in the report webview → screenshot', 'SKIP_WORKBENCH=1');
} else {
  test('workbench: palette → Run Query → rows in the report webview → screenshot', async () => {
    const env = harnessEnv();
    if (!env) throw new Error('the integration harness (test/integration/harness) is missing');
    const build = spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, encoding: 'utf8' });
    assert.strictEqual(build.status, 0, `build failed: ${build.stderr}`);
    const run = fs.mkdtempSync('/tmp/cmu-e2e.');
    const ws = path.join(run, 'ws');
    fs.mkdirSync(ws, { recursive: true });
    fs.cpSync(path.join(ROOT, 'test/integration/fixtures/workspace'), ws, { recursive: true });
    const port = await freePort();
    const childEnv = { ...process.env, ...env };
    const started = spawnSync('bash', [path.join(HARNESS, 'start-code-server.sh'), run, String(port), ws], { env: childEnv, encoding: 'utf8', timeout: 120_000 });
    let ctx: BrowserContext | undefined;
    let page: Page | undefined;
    try {
      assert.strictEqual(started.status, 0, `code-server did not start: ${started.stderr || started.stdout}`);
      const base = `http://127.0.0.1:${port}`;
      const payload = [
        ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${ROOT}`],
        ['skipWelcome', 'true'],
      ];
      const profile = path.join(run, 'chrome');
      fs.mkdirSync(profile);
      ctx = await workbenchBrowser(chromium, profile, { viewport: { width: 1280, height: 800 } });
      page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(`${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'README.txt' }).first().waitFor({ timeout: 90_000 });
      await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } }).catch(() => undefined);

      await palette(page, 'CMU: Start Sandbox');
      await page.locator('.statusbar-item', { hasText: 'CMU sandbox' }).first().waitFor({ timeout: 60_000 });
      await palette(page, 'CMU: Run Query');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill(QUERY);
      await page.keyboard.press('Enter');

      await page.locator('.tab', { hasText: 'CMU: …/day/mvpd' }).waitFor({ timeout: 60_000 });
      await page.locator('iframe.webview.ready').waitFor({ state: 'attached', timeout: 60_000 });
      const inner = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await inner.locator('.grid .body .row').first().waitFor({ timeout: 60_000 });
      await inner.locator('.chart-section canvas').first().waitFor({ timeout: 30_000 });
      const count = await inner.locator('.table-toolbar .count').textContent();
      assert.match(count ?? '', /^\d[\d,]* rows$/);
      const firstCell = await inner.locator('.grid .body .row .cell[data-c="1"]').first().textContent();
      assert.ok(firstCell && firstCell.length > 0);
      // the report's main actions also sit in the editor title bar, as in any VS Code editor
      for (const label of ['Refresh Report', 'Open Report in Editor As…'])
        await page.locator(`.editor-actions .action-label[aria-label^="${label}"]`).first().waitFor({ timeout: 10_000 });

      // a clean picture: no toasts, no side bar
      await palette(page, 'Notifications: Clear All Notifications').catch(() => undefined);
      await palette(page, 'View: Close Primary Side Bar').catch(() => undefined);
      await page.waitForTimeout(800);
      const outDir = path.join(ROOT, 'test-results');
      fs.mkdirSync(outDir, { recursive: true });
      const shot = path.join(outDir, 'screenshot-report.png');
      await page.screenshot({ path: shot });
      const size = fs.statSync(shot).size;
      console.log(`      screenshot ${shot} (${Math.round(size / 1024)} KB, ${count})`);
      assert.ok(size < 300 * 1024, `screenshot ${size} bytes`);
    } catch (e) {
      fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
      await page?.screenshot({ path: path.join(ROOT, 'test-results/workbench-failure.png') }).catch(() => undefined);
      throw e;
    } finally {
      await ctx?.close().catch(() => undefined);
      spawnSync('bash', [path.join(HARNESS, 'stop-code-server.sh'), run], { env: childEnv, encoding: 'utf8', timeout: 60_000 });
      fs.rmSync(run, { recursive: true, force: true });
    }
  });
}
