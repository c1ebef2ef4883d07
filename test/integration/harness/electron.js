// `npm run test:electron`: the same suite (out/test/integration) in VS Code desktop (Electron) through
// @vscode/test-electron, for machines that can download VS Code (not these CI machines: the download
// host is unreachable here — use `npm run test:integration`). Ends with `N passed, M failed`.
// Env: FILES, GREP as for test:integration; VSCODE_VERSION (default 'stable').
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runTests } = require('@vscode/test-electron');

const root = path.resolve(__dirname, '../../..');

(async () => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-it-'));
  const ws = path.join(run, 'ws');
  fs.cpSync(path.join(root, 'test/integration/fixtures/workspace'), ws, { recursive: true });
  const results = path.join(run, 'results.json');
  const env = { CMU_TEST_RESULTS: results, CMU_EXPLORER_TEST: '1' };
  if (process.env.GREP) env.CMU_TEST_GREP = process.env.GREP;
  if (process.env.FILES) env.CMU_TEST_FILES = process.env.FILES;
  let code = 0;
  try {
    await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/integration/index.js'),
      extensionTestsEnv: env,
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', path.join(run, 'ud')],
    });
  } catch (e) {
    console.error('[electron]', e && e.message ? e.message : e);
    code = 1;
  }
  let r;
  try { r = JSON.parse(fs.readFileSync(results, 'utf8')); } catch { r = undefined; }
  fs.rmSync(run, { recursive: true, force: true });
  if (!r) { console.log('0 passed, 1 failed (no results)'); process.exit(1); }
  for (const f of r.failed) console.log(`  FAILED ${f.title}\n    ${f.error}`);
  console.log(`${r.passed.length} passed, ${r.failed.length} failed`);
  process.exit(r.failed.length || code ? 1 : 0);
})();
