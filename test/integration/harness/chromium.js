// The one Chromium command line of the browser checks: Debian's chromium, headless through playwright-core,
// started by the workbench harness (workbench.js: the integration run, the workbench browser check, the
// README pictures) and the webview harness (test/e2e/harness.ts: the e2e checks, bench/webview.bench.ts).
// Plain CommonJS so that node (the harness scripts) and esbuild-register (the TypeScript) both require it.

/** Debian's Chromium (the CHROMIUM variable points elsewhere). */
function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

/**
 * No sandbox and no GPU (containers, CI), no QUIC, no first-run and no background traffic (updates, sync,
 * components), /tmp instead of a small /dev/shm, and no host name resolved but 127.0.0.1 (code-server, the
 * sandbox, the test pages): a browser check never reaches the network.
 */
const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
]);

module.exports = { CHROMIUM_ARGS, chromiumPath };
