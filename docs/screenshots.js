// `node docs/screenshots.js [--only first-run,report,themes,partial]`: the README's pictures, taken from the
// packaged extension in the real workbench. Builds the .vsix (`npm run package`), installs it into a private
// code-server (the integration harness: test/integration/harness; code-server is a remote-style window, its
// extension host runs on the server), then, driving the workbench from the command palette as a user does:
//   first-run  docs/first-run.gif          a fresh profile: Start Sandbox, Run Query… (typed, with its
//                                          completion), the report panel; an animated GIF (gifenc)
//   report     docs/screenshot-report.png  a report split by MVPD (chart and table) with the CMU side bar
//                                          (Connection, Queries: saved queries, History, Browse Server)
//   themes     docs/themes/{dark,light,hc-dark,hc-light}.png  the same panel in Default Dark Modern, Default
//                                          Light Modern, Default High Contrast, Default High Contrast Light
//   partial    docs/screenshot-partial.png a day report whose window ends now: today's bucket is partial
//                                          (greyed in the table, dashed in the chart), and
//              docs/screenshot-compare.png the same report compared with a month earlier (overlaid dashed)
// Without --only it takes them all; `--frames DIR` also keeps the GIF's frames there as PNGs. Panel pictures
// are cropped to the editor area; each stays under its size budget (120 KB; the whole window 150 KB), in 256
// colours when the browser's PNG is bigger. Themes are picked as a user picks them (Preferences: Color Theme,
// which writes `workbench.colorTheme` to the user settings). The workspace holds a `.vscode/cmu-queries.json`
// of three queries, so the Queries view shows a team's saved queries.
// Needs `npm install` (gifenc, a devDependency, encodes the GIF and the 256-colour PNGs).
// Env: CMU_VSCODE_TOOLS (the harness tools, default .vscode-test/tools), CHROMIUM (default /usr/bin/chromium).
// Not a test: it asserts only what it needs to take the right picture.
const { spawnSync } = require('child_process');
const fs = require('fs');
const { freePort, openPalette, palette, workbenchBrowser } = require('../test/integration/harness/workbench');
const path = require('path');
const zlib = require('zlib');

const ROOT = path.resolve(__dirname, '..');
const HARNESS = path.join(ROOT, 'test/integration/harness');
const DOCS = path.join(ROOT, 'docs');
const STEPS = ['first-run', 'report', 'themes', 'partial'];
const THEMES = [
  // theme: the `workbench.colorTheme` value; label: its name in the Color Theme picker
  { file: 'dark', theme: 'Default Dark Modern', label: 'Dark Modern', workbench: 'vs-dark' },
  { file: 'light', theme: 'Default Light Modern', label: 'Light Modern', workbench: 'vs' },
  { file: 'hc-dark', theme: 'Default High Contrast', label: 'Dark High Contrast', workbench: 'hc-black' },
  { file: 'hc-light', theme: 'Default High Contrast Light', label: 'Light High Contrast', workbench: 'hc-light' },
];
/** The report of the main picture, the themes and the first run: four whole weeks of days split by MVPD. */
const day = (daysAgo) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const MVPD_REPORT = `tenant/year/month/day/mvpd?metrics=active-users,started-sessions,failed-attempts&start=${day(29)}&end=${day(1)}`;
const KB = 1024;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout;
}

function parseSteps(argv) {
  const i = argv.indexOf('--only');
  if (i < 0) return new Set(STEPS);
  const wanted = (argv[i + 1] || '').split(',').filter(Boolean);
  const unknown = wanted.filter((s) => !STEPS.includes(s));
  if (!wanted.length || unknown.length) throw new Error(`--only takes a comma-separated list of: ${STEPS.join(', ')}`);
  return new Set(wanted);
}

/** The harness's quiet workbench settings, in the given theme (the workbench follows this file live). */
function writeSettings(dir, theme) {
  const settings = {
    'workbench.colorTheme': theme,
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
    'git.enabled': false,
    'typescript.tsserver.enable': false,
  };
  fs.mkdirSync(path.join(dir, 'ud/User'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ud/User/settings.json'), JSON.stringify(settings, null, 2));
}

/** A clean picture: no toasts, no palette, no hover. */
async function tidy(page) {
  await palette(page, 'Notifications: Clear All Notifications').catch(() => page.keyboard.press('Escape'));
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await page.mouse.move(0, 0);
  await page.waitForTimeout(800);
}

async function sideBar(page, visible) {
  if (visible) {
    await palette(page, 'View: Show CMU');
    await page.locator('.part.sidebar .pane-header', { hasText: 'Queries' }).first().waitFor({ timeout: 20_000 });
    return;
  }
  for (let i = 0; i < 5 && (await page.locator('.part.sidebar').isVisible()) !== visible; i++) {
    await palette(page, visible ? 'View: Show CMU' : 'View: Close Primary Side Bar').catch(() => page.keyboard.press('Escape'));
    await page.waitForTimeout(500);
  }
}

/**
 * Picks a colour theme as a user does (Preferences: Color Theme, which writes `workbench.colorTheme` to the
 * user settings); code-server's workbench does not follow an edit of its settings file made behind its back.
 */
async function colourTheme(page, t) {
  const exactly = (label) => page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
  await openPalette(page, 'Preferences: Color Theme');
  await exactly('Preferences: Color Theme').click({ timeout: 20_000 }); // not "Browse Color Themes…"
  await page.locator('.quick-input-widget input[placeholder*="Color Theme"]').fill(t.label);
  await exactly(t.label).click({ timeout: 20_000 });
  await page.locator(`.monaco-workbench.${t.workbench}`).waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1500); // the chart repaints in the theme's colours
}

/** The report panel's area of the page (the editor group holding the webview). */
async function panelClip(page) {
  const box = await page.locator('.part.editor').boundingBox();
  if (!box) throw new Error('no editor area to crop to');
  return { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
}

/** Decodes (and scales) a PNG to RGBA pixels in the browser: a canvas does what an image library would. */
async function image(helper, png, scale) {
  return helper.evaluate(
    async ({ b64, scale }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const width = Math.round(img.width * scale);
      const height = Math.round(img.height * scale);
      const c = document.createElement('canvas');
      c.width = width;
      c.height = height;
      const g = c.getContext('2d');
      g.imageSmoothingQuality = 'high';
      g.drawImage(img, 0, 0, width, height);
      const d = g.getImageData(0, 0, width, height).data;
      let s = '';
      for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
      return { width, height, b64: btoa(s) };
    },
    { b64: png.toString('base64'), scale },
  );
}

/** A PNG of 256 colours (palette of gifenc's quantizer): a workbench picture at full size, a third the bytes. */
function indexedPng(width, height, rgba) {
  const { quantize, applyPalette } = require('gifenc');
  const colours = quantize(rgba, 256);
  const index = applyPalette(rgba, colours);
  const raw = Buffer.alloc((width + 1) * height); // each row: filter 0, then its indices
  for (let y = 0; y < height; y++) raw.set(index.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // indexed colour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', Buffer.from(colours.flat())),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A picture of the page (cropped to the panel unless `whole`) under `maxBytes`: as the browser took it, else
 * in 256 colours, else scaled down as well.
 */
async function shoot(page, helper, file, { maxBytes = 120 * KB, whole = false } = {}) {
  await tidy(page);
  const shot = await page.screenshot(whole ? {} : { clip: await panelClip(page) });
  let png = shot;
  let how = '';
  for (let scale = 1; png.length > maxBytes; scale = Math.round((scale - 0.05) * 100) / 100) {
    if (scale < 0.75) throw new Error(`${file} is ${png.length} bytes in 256 colours at scale ${scale + 0.05}, over ${maxBytes}`);
    const r = await image(helper, shot, scale);
    png = indexedPng(r.width, r.height, new Uint8Array(Buffer.from(r.b64, 'base64')));
    how = ` (256 colours${scale < 1 ? `, scaled to ${scale}` : ''})`;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, png);
  console.log(`${path.relative(ROOT, file)}: ${Math.round(png.length / KB)} KB${how}`);
}

/**
 * An animated GIF from whole-window frames: one palette for all frames (255 colours), and each frame after
 * the first draws only the pixels that changed (the rest transparent over the previous frame), which keeps
 * a workbench sequence small.
 */
function writeGif(file, frames) {
  const { GIFEncoder, quantize, applyPalette } = require('gifenc');
  const { width, height } = frames[0];
  const all = new Uint8Array(frames.length * width * height * 4);
  frames.forEach((f, i) => all.set(f.rgba, i * width * height * 4));
  const colours = quantize(all, 255, { format: 'rgb565' });
  const keep = 255; // "unchanged": transparent, never chosen by applyPalette (it duplicates colour 0)
  while (colours.length < 256) colours.push(colours[0]);
  const gif = GIFEncoder();
  let prev;
  for (const [i, f] of frames.entries()) {
    const index = applyPalette(f.rgba, colours, 'rgb565');
    let out = index;
    if (prev) {
      out = Uint8Array.from(index, (v, p) => (v === prev[p] ? keep : v));
    }
    gif.writeFrame(out, width, height, { palette: i === 0 ? colours : undefined, delay: f.delay, transparent: i > 0, transparentIndex: keep, dispose: 1 });
    prev = index;
  }
  gif.finish();
  fs.writeFileSync(file, gif.bytes());
  console.log(`${path.relative(ROOT, file)}: ${frames.length} frames, ${width}×${height}, ${Math.round(gif.bytes().length / KB)} KB`);
}

async function reportShown(inner, { partial = false } = {}) {
  await inner.locator('.grid .body .row').first().waitFor({ timeout: 60_000 });
  if (partial) await inner.locator('.grid .body .row.partial').first().waitFor({ timeout: 60_000 });
  await inner.locator('.chart-section .u-legend .u-label:visible').first().waitFor({ timeout: 30_000 });
}

async function runQuery(page, query) {
  await palette(page, 'CMU: Run Query');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill(query);
  await page.keyboard.press('Enter');
}

/** The report panel's content (the active webview). */
function reportFrame(page) {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
}

async function startSandbox(page) {
  await palette(page, 'CMU: Start Sandbox');
  await page.locator('.statusbar-item', { hasText: 'CMU sandbox' }).first().waitFor({ timeout: 60_000 });
}

async function main() {
  const steps = parseSteps(process.argv.slice(2));
  const f = process.argv.indexOf('--frames');
  const framesDir = f >= 0 ? path.resolve(process.argv[f + 1] || '') : undefined; // also keep the GIF's frames as PNGs
  if (framesDir) fs.mkdirSync(framesDir, { recursive: true });
  const env = {};
  for (const line of run('bash', [path.join(HARNESS, 'setup.sh')]).split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  const { chromium } = require(path.join(env.PLAYWRIGHT_PATH, 'playwright-core'));
  if (steps.has('first-run')) require.resolve('gifenc'); // before the long part: `npm install` brings it

  console.log('packaging the extension (npm run package)…');
  run('npm', ['run', 'package']);
  const vsix = path.join(ROOT, 'cmu-explorer.vsix');

  const dir = fs.mkdtempSync('/tmp/cmu-shots.');
  const ws = path.join(dir, 'ws');
  fs.mkdirSync(ws, { recursive: true });
  fs.cpSync(path.join(ROOT, 'test/integration/fixtures/workspace'), ws, { recursive: true });
  // a team's shared queries, for the Queries view in the main picture
  const q = (id, name, query, folder) => ({ id, name, ...(folder ? { folder } : {}), query });
  const saved = {
    version: 1,
    folders: ['Weekly review'],
    queries: [
      q('shotmvpd', 'Daily by MVPD', { path: ['tenant', 'year', 'month', 'day', 'mvpd'], metrics: ['active-users', 'started-sessions', 'failed-attempts'] }, 'Weekly review'),
      q('shotfail', 'Failed attempts by platform', { path: ['tenant', 'year', 'month', 'day', 'platform'], metrics: ['failed-attempts'] }, 'Weekly review'),
      q('shotmonth', 'Monthly active users', { path: ['tenant', 'year', 'month'], metrics: ['active-users'] }),
    ],
  };
  fs.writeFileSync(path.join(ws, '.vscode/cmu-queries.json'), JSON.stringify(saved, null, 2));
  writeSettings(dir, 'Default Dark Modern');
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
    ctx = await workbenchBrowser(chromium, profile, { viewport: { width: 1152, height: 720 }, colorScheme: 'dark' });
    page = ctx.pages()[0] || (await ctx.newPage());
    const helper = await ctx.newPage(); // decodes and scales pictures (a canvas)
    await page.bringToFront();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await page.locator('.monaco-workbench').click({ position: { x: 500, y: 300 } }).catch(() => undefined);

    if (steps.has('first-run')) {
      const frames = [];
      const scale = 0.75;
      const frame = async (delay) => {
        await page.mouse.move(0, 0);
        await page.waitForTimeout(600);
        const png = await page.screenshot();
        if (framesDir) fs.writeFileSync(path.join(framesDir, `first-run-${frames.length + 1}.png`), png);
        const r = await image(helper, png, scale);
        frames.push({ width: r.width, height: r.height, rgba: new Uint8Array(Buffer.from(r.b64, 'base64')), delay });
      };
      await page.waitForTimeout(3000); // the workbench settles
      await frame(1800); // a fresh profile: the extension waits for its first command
      await openPalette(page, 'CMU: Start Sandbox');
      await frame(1500);
      await page.keyboard.press('Enter');
      await page.locator('.statusbar-item', { hasText: 'CMU sandbox' }).first().waitFor({ timeout: 60_000 });
      // its result (headless code-server files it in the notification centre without a toast): shown there
      await palette(page, 'Notifications: Show Notifications');
      await page.locator('.notifications-center .notification-list-item', { hasText: 'CMU sandbox running' }).first().waitFor({ timeout: 30_000 });
      await frame(2500); // started: the notification and the status bar
      await palette(page, 'Notifications: Hide Notifications');
      await openPalette(page, 'CMU: Run Query');
      await page.keyboard.press('Enter');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForTimeout(800);
      await frame(1500); // the picker: saved and example queries
      await input.pressSequentially('tenant/year/month/day/', { delay: 20 });
      await page.waitForTimeout(1500);
      await frame(1800); // completion of the path from the server's links
      await input.fill(MVPD_REPORT);
      await page.waitForTimeout(800);
      await frame(1500);
      await page.keyboard.press('Enter');
      await reportShown(reportFrame(page));
      await palette(page, 'Notifications: Clear All Notifications').catch(() => page.keyboard.press('Escape'));
      await frame(4000); // the report
      writeGif(path.join(DOCS, 'first-run.gif'), frames);
    }

    if (!steps.has('first-run')) await startSandbox(page);
    if (steps.has('report') || steps.has('themes')) {
      await page.setViewportSize({ width: 1280, height: 880 });
      if (!steps.has('first-run')) await runQuery(page, MVPD_REPORT);
      await reportShown(reportFrame(page));
    }
    if (steps.has('report')) {
      await sideBar(page, true);
      for (const label of ['Weekly review', 'History']) {
        await page.locator('.part.sidebar .monaco-list-row', { hasText: label }).first().click();
        await page.locator('.part.sidebar .monaco-list-row[aria-expanded="true"]', { hasText: label }).first().waitFor({ timeout: 10_000 });
      }
      await palette(page, 'View: Focus Active Editor Group'); // the tree's selection not in focus colours
      await shoot(page, helper, path.join(DOCS, 'screenshot-report.png'), { whole: true, maxBytes: 150 * KB });
    }
    if (steps.has('themes')) {
      await sideBar(page, false);
      await page.setViewportSize({ width: 1100, height: 720 });
      for (const t of THEMES) {
        await colourTheme(page, t);
        await shoot(page, helper, path.join(DOCS, 'themes', `${t.file}.png`));
      }
      await colourTheme(page, THEMES[0]);
    }

    if (steps.has('partial')) {
      await palette(page, 'View: Close All Editors');
      await sideBar(page, false);
      await page.setViewportSize({ width: 1100, height: 720 });
      // six whole days and today so far: the last bucket is partial
      await runQuery(page, `tenant/year/month/day?metrics=started-sessions,failed-attempts,active-users&start=${day(6)}`);
      const inner = reportFrame(page);
      await reportShown(inner, { partial: true });
      await inner.locator('.chart-section .u-legend .u-label', { hasText: '(partial)' }).first().waitFor({ timeout: 30_000 });
      await shoot(page, helper, path.join(DOCS, 'screenshot-partial.png'));

      // a month earlier: the sandbox's days differ most from the same days a month before (the overlay stands out)
      await inner.locator('select.compare').selectOption('month');
      await inner.locator('.compare-info').waitFor({ timeout: 60_000 });
      await inner.locator('.chart-section .u-legend .u-label', { hasText: '(previous period)' }).first().waitFor({ timeout: 30_000 });
      console.log(`compare: ${(await inner.locator('.compare-info').textContent()).replace(/\s+/g, ' ').trim()}`);
      await shoot(page, helper, path.join(DOCS, 'screenshot-compare.png'));
    }
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
