// Usage: node run.js <baseUrl> <workspaceFolder> <resultsFile> [timeoutSec]
// Opens code-server's workbench in headless Debian chromium with VS Code's `payload` URL parameter:
// extensionDevelopmentPath = the repository root, extensionTestsPath = out/test/integration/index.js
// (both as vscode-remote:// URIs), extensionEnvironment = CMU_TEST_* variables. The suite runs inside
// the REAL (Node) extension host; when it settles VS Code calls window.codeAutomationExit(code), which
// is exposed here. Prints the extension host's console (mocha's reporter) and, last, `N passed, M failed`.
// Exit code: 0 all passed; 1 failures; 124 timeout; 2 harness error. Env: SUITE_OUT (the bundled suite's
// folder, default out/test/integration), PLAYWRIGHT_PATH, CHROMIUM, VERBOSE, SCREENSHOT=file.png.
const fs = require('fs');
const path = require('path');
const util = require('util');
const { workbenchBrowser } = require('./workbench');

function loadPlaywright() {
  const tried = [process.env.PLAYWRIGHT_PATH && path.join(process.env.PLAYWRIGHT_PATH, 'playwright-core'), 'playwright-core'].filter(Boolean);
  for (const p of tried) {
    try { return require(p); } catch { /* next */ }
  }
  throw new Error(`playwright-core not found (tried ${tried.join(', ')}); run test/integration/harness/setup.sh`);
}

const [,, base, folder, resultsFile, timeoutSec = '900'] = process.argv;
if (!resultsFile) { console.error('usage: run.js <baseUrl> <workspaceFolder> <resultsFile> [timeoutSec]'); process.exit(64); }
const root = path.resolve(__dirname, '../../..');
const t0 = Date.now();
const lap = (m) => console.log(`[harness ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

function summary(code) {
  let r;
  try { r = JSON.parse(fs.readFileSync(resultsFile, 'utf8')); } catch { r = undefined; }
  if (!r) {
    console.log(`0 passed, 1 failed (${code === 124 ? 'timeout' : `no results, exit ${code}`})`);
    return 1;
  }
  for (const f of r.failed) console.log(`  FAILED ${f.title}\n    ${String(f.error).split('\n').join('\n    ')}`);
  // the suite writes its results as it goes: on a timeout, what passed still counts and the hung test is named
  if (code === 124) console.log(`  TIMED OUT ${r.running || '(between tests)'}\n    the extension host stopped answering; see .vscode-test/last-run`);
  const failed = r.failed.length + (code === 124 ? 1 : 0);
  console.log(`${r.passed.length} passed, ${failed} failed${code === 124 ? ' (timeout)' : ''}`);
  return failed > 0 || code !== 0 ? (code === 124 ? 124 : 1) : 0;
}

(async () => {
  const { chromium } = loadPlaywright();
  const authority = new URL(base).host; // code-server's remote authority = host:port
  const remote = (p) => `vscode-remote://${authority}${path.resolve(p)}`;
  const extEnv = { CMU_TEST_RESULTS: path.resolve(resultsFile), CMU_EXPLORER_TEST: '1' };
  for (const k of ['GREP', 'FILES']) if (process.env[k]) extEnv[`CMU_TEST_${k}`] = process.env[k];
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('CMU_TEST_')) extEnv[k] = v;
  const payload = [
    ['extensionDevelopmentPath', remote(root)],
    ['extensionTestsPath', remote(path.join(path.resolve(root, process.env.SUITE_OUT || 'out/test/integration'), 'index.js'))],
    ['skipWelcome', 'true'],
    ['extensionEnvironment', JSON.stringify(extEnv)],
  ];
  const url = `${base}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const profile = process.env.CHROME_PROFILE || fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'chrome-'));
  fs.mkdirSync(profile, { recursive: true });
  const ctx = await workbenchBrowser(chromium, profile, { viewport: { width: 1280, height: 800 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base }).catch(() => {});
  let finish;
  const done = new Promise((r) => { finish = r; });
  const noise = /ECONNREFUSED 127\.0\.0\.1:9|AccountPolicyGate|socket|connection token|grace time|Service Worker|AgentHost|builtin extensions cache|\[perf\]|authentication provider .github.|DEP0169|trace-deprecation/;
  await ctx.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(args || []));
    // mocha's own lines (test titles may contain anything) are never filtered
    if (!process.env.VERBOSE && noise.test(line) && !/^\s+(✔|\d+\) )/.test(line)) return;
    console.log(type === 'log' || type === 'info' ? line : `[exthost ${type}] ${line}`);
  });
  await ctx.exposeFunction('codeAutomationExit', (code) => { lap(`extension host exited with ${code}`); finish(code); });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.on('pageerror', (e) => { if (process.env.VERBOSE) console.log('[pageerror]', e.message.split('\n')[0]); });
  page.on('crash', () => { lap('page crashed'); finish(3); });
  lap('opening the workbench');
  await page.goto(url);
  const timer = setTimeout(() => { lap(`TIMEOUT after ${timeoutSec}s`); finish(124); }, Number(timeoutSec) * 1000);
  const code = await done;
  clearTimeout(timer);
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT }).catch(() => {});
  await ctx.close().catch(() => {});
  if (!process.env.CHROME_PROFILE) fs.rmSync(profile, { recursive: true, force: true });
  process.exit(summary(typeof code === 'number' ? code : 1));
})().catch((e) => {
  console.error('[harness]', e && e.message ? e.message : e);
  summary(2);
  process.exit(2);
});
