// Driving the real workbench (code-server in headless Chromium, playwright-core) from outside VS Code:
// what the browser check (test/e2e/workbench.e2e.ts) and the README pictures (docs/screenshots.js) share.
const net = require('net');
const { CHROMIUM_ARGS, chromiumPath } = require('./chromium');

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
 * no network but 127.0.0.1 (code-server and the sandbox; ./chromium.js). `chromium` is playwright-core's.
 */
function workbenchBrowser(chromium, profile, { viewport, colorScheme } = {}) {
  return chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport,
    ...(colorScheme ? { colorScheme } : {}),
    // keep chromium out of the real $HOME/$TMPDIR: the browser profile (where secrets live) is fresh per run
    env: { ...process.env, HOME: profile, TMPDIR: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
    args: [...CHROMIUM_ARGS],
  });
}

module.exports = { freePort, openPalette, palette, workbenchBrowser };
