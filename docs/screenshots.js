// `node docs/screenshots.js`: the README's report-panel pictures, taken from the packaged extension in the
// real workbench. Builds the .vsix (`npm run package`), installs it into a private code-server (the
// integration harness: test/integration/harness, dark theme), starts the sandbox and runs a day report
// whose window ends now from the command palette, then writes, cropped to the report panel:
//   docs/screenshot-partial.png  the report: today's bucket is partial (greyed in the table, dashed in the chart)
//   docs/screenshot-compare.png  the same report compared with a month earlier (overlaid dashed); the partial
//                                days are left out of a comparison, as its header says
// Env: CMU_VSCODE_TOOLS (the harness tools, default .vscode-test/tools), CHROMIUM (default /usr/bin/chromium).
// Not a test: it asserts only what it needs to take the right picture.
const { spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const HARNESS = path.join(ROOT, 'test/integration/harness');
const MAX_BYTES = 120 * 1024;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout;
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Runs a command from the palette (retried: the palette can open before the extension registered it). */
async function palette(page, label) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    await input.fill(`>${label}`);
    try {
      await row.waitFor({ timeout: 2000 });
      break;
    } catch (e) {
      if (attempt >= 30) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  await page.keyboard.press('Enter');
}

/** The report panel's area of the page (the editor group holding the webview). */
async function panelClip(page) {
  const box = await page.locator('.part.editor').boundingBox();
  if (!box) throw new Error('no editor area to crop to');
  return { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
}

async function shoot(page, file) {
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await page.mouse.move(0, 0); // no hover tooltip in the picture
  await page.waitForTimeout(800);
  await page.screenshot({ path: file, clip: await panelClip(page) });
  const size = fs.statSync(file).size;
  console.log(`${path.relative(ROOT, file)}: ${Math.round(size / 1024)} KB`);
  if (size > MAX_BYTES) throw new Error(`${file} is ${size} bytes, over ${MAX_BYTES}`);
}

async function main() {
  const env = {};
  for (const line of run('bash', [path.join(HARNESS, 'setup.sh')]).split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  const { chromium } = require(path.join(env.PLAYWRIGHT_PATH, 'playwright-core'));

  console.log('packaging the extension (npm run package)…');
  run('npm', ['run', 'package']);
  const vsix = path.join(ROOT, 'cmu-explorer.vsix');

  const dir = fs.mkdtempSync('/tmp/cmu-shots.');
  const ws = path.join(dir, 'ws');
  fs.mkdirSync(ws, { recursive: true });
  fs.cpSync(path.join(ROOT, 'test/integration/fixtures/workspace'), ws, { recursive: true });
  // the harness's quiet workbench settings, in the dark theme
  fs.mkdirSync(path.join(dir, 'ud/User'), { recursive: true });
  const settings = {
    'workbench.colorTheme': 'Default Dark Modern',
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'workbench.enableExperiments': false,
    'chat.disableAIFeatures': true,
    'window.commandCenter': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.activityBar.location': 'hidden',
    'git.enabled': false,
    'typescript.tsserver.enable': false,
  };
  fs.writeFileSync(path.join(dir, 'ud/User/settings.json'), JSON.stringify(settings, null, 2));
  const childEnv = { ...process.env, ...env };
  const home = { HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'home/.config'), XDG_DATA_HOME: path.join(dir, 'home/.local/share'), TMPDIR: path.join(dir, 'tmp') };
  for (const d of Object.values(home)) fs.mkdirSync(d, { recursive: true });
  // installed as a user installs it: the .vsix, into this run's extensions directory
  run(env.CS_BIN, ['--install-extension', vsix, '--extensions-dir', path.join(dir, 'exts'), '--user-data-dir', path.join(dir, 'ud')], {
    env: { ...childEnv, ...home, PATH: `${env.NODE24_BIN}:${process.env.PATH}` },
  });
  fs.rmSync(vsix);

  const port = await freePort();
  run('bash', [path.join(HARNESS, 'start-code-server.sh'), dir, String(port), ws], { env: childEnv, timeout: 120_000 });
  let ctx;
  let page;
  try {
    const profile = path.join(dir, 'chrome');
    fs.mkdirSync(profile);
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1100, height: 720 },
      colorScheme: 'dark',
      env: { ...process.env, HOME: profile, TMPDIR: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
    });
    page = ctx.pages()[0] || (await ctx.newPage());
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await page.locator('.monaco-workbench').click({ position: { x: 550, y: 360 } }).catch(() => undefined);

    await palette(page, 'CMU: Start Sandbox');
    await page.locator('.statusbar-item', { hasText: 'CMU sandbox' }).first().waitFor({ timeout: 60_000 });
    // six whole days and today so far: the last bucket is partial
    const start = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    await palette(page, 'CMU: Run Query');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(`tenant/year/month/day?metrics=started-sessions,failed-attempts,active-users&start=${start}`);
    await page.keyboard.press('Enter');

    await page.locator('iframe.webview.ready').waitFor({ state: 'attached', timeout: 60_000 });
    const inner = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await inner.locator('.grid .body .row.partial').first().waitFor({ timeout: 60_000 });
    await inner.locator('.chart-section .u-legend .u-label', { hasText: '(partial)' }).first().waitFor({ timeout: 30_000 });
    // a clean picture: no toasts, no side bar, no palette
    await palette(page, 'Notifications: Clear All Notifications').catch(() => page.keyboard.press('Escape'));
    for (let i = 0; i < 5 && (await page.locator('.part.sidebar').isVisible()); i++) {
      await palette(page, 'View: Close Primary Side Bar').catch(() => page.keyboard.press('Escape'));
      await page.waitForTimeout(500);
    }
    await shoot(page, path.join(ROOT, 'docs/screenshot-partial.png'));

    // a month earlier: the sandbox's days differ most from the same days a month before (the overlay stands out)
    await inner.locator('select.compare').selectOption('month');
    await inner.locator('.compare-info').waitFor({ timeout: 60_000 });
    await inner.locator('.chart-section .u-legend .u-label', { hasText: '(previous period)' }).first().waitFor({ timeout: 30_000 });
    console.log(`compare: ${(await inner.locator('.compare-info').textContent()).replace(/\s+/g, ' ').trim()}`);
    await shoot(page, path.join(ROOT, 'docs/screenshot-compare.png'));
  } catch (e) {
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    await (page && page.screenshot({ path: path.join(ROOT, 'test-results/screenshots-failure.png') }).catch(() => undefined));
    throw e;
  } finally {
    await (ctx && ctx.close().catch(() => undefined));
    spawnSync('bash', [path.join(HARNESS, 'stop-code-server.sh'), dir], { env: childEnv, encoding: 'utf8', timeout: 60_000 });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
