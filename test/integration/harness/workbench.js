// Driving the real workbench (code-server in headless Chromium, playwright-core) from outside VS Code:
// what the browser check (test/e2e/workbench.e2e.ts) and the README pictures (docs/screenshots.js) share.
const net = require('net');

/** A TCP port free on 127.0.0.1 now (for code-server). */
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * Opens the command palette on `label`'s row; retried, because the palette can open before the extension
 * host registered the commands.
 */
async function openPalette(page, label) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    await input.fill(`>${label}`);
    try {
      await row.waitFor({ timeout: 2000 });
      return;
    } catch (e) {
      if (attempt >= 30) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
}

/** Runs a command from the palette. */
async function palette(page, label) {
  await openPalette(page, label);
  await page.keyboard.press('Enter');
}

/**
 * Debian's Chromium, headless, on a throw-away profile that keeps everything (HOME, caches) inside it, with
 * no network but 127.0.0.1 (code-server and the sandbox). `chromium` is playwright-core's.
 */
function workbenchBrowser(chromium, profile, { viewport, colorScheme } = {}) {
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport,
    ...(colorScheme ? { colorScheme } : {}),
    env: { ...process.env, HOME: profile, TMPDIR: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

module.exports = { freePort, openPalette, palette, workbenchBrowser };
