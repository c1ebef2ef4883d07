// `npm run bench:workbench`: the report panel in the real workbench (code-server + headless Chromium,
// test/integration/harness), over N fresh sessions (BENCH_SESSIONS, default 5; the first activates without the
// extension's code cache, as after an install, and writes it; the others start with it: CMU_CODE_CACHE) of
// test/integration/workbench.test.ts with BENCH_ROWS rows (default 200000), on the production bundle
// (CMU_BUILD=production: what the .vsix ships), then the .vsix size. What each figure measures: the test
// file's header. Prints `FIGURE <name> <median> <unit> (min … max, n)` per figure, floors beside.
// Not part of `npm test` (the integration run has the test file as a smoke).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const sessions = Number(process.env.BENCH_SESSIONS || 5);
const rows = String(process.env.BENCH_ROWS || 200000);
const figures = new Map();
// BENCH_PROFILE=1: the extension host's CPU profile of each report load, in .vscode-test/profiles (test/integration/hostProfile.ts)
const profileDir = path.join(root, '.vscode-test', 'profiles');
if (process.env.BENCH_PROFILE) fs.mkdirSync(profileDir, { recursive: true });
const codeCache = fs.mkdtempSync(path.join(require('os').tmpdir(), 'cmu-bench-code-cache-'));
for (let s = 1; s <= sessions; s++) {
  const r = spawnSync('bash', [path.join(root, 'test/integration/harness/integration.sh')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FILES: 'workbench.test', CMU_BUILD: 'production', CMU_TEST_BENCH_ROWS: rows, TEST_TIMEOUT: '900', CMU_CODE_CACHE: codeCache, ...(process.env.BENCH_PROFILE ? { CMU_TEST_BENCH_PROFILE: profileDir } : {}) },
    maxBuffer: 64 * 2 ** 20,
  });
  const out = `${r.stdout}${r.stderr}`;
  const lines = out.split('\n').filter((l) => /^(FIGURE|# )/.test(l.trim()));
  console.log(`# session ${s}/${sessions}: ${out.trim().split('\n').pop()}`);
  for (const l of lines) {
    const m = /^FIGURE (\S+) (\S+) (\S+)/.exec(l.trim());
    if (!m) {
      console.log(`  ${l.trim()}`);
      continue;
    }
    const f = figures.get(m[1]) || { unit: m[3], values: [] };
    f.values.push(Number(m[2]));
    figures.set(m[1], f);
  }
}
fs.rmSync(codeCache, { recursive: true, force: true });
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const [name, f] of figures) {
  console.log(`FIGURE ${name} ${Math.round(median(f.values) * 10) / 10} ${f.unit} (${Math.min(...f.values)} … ${Math.max(...f.values)}, n=${f.values.length})`);
}
// the .vsix as published
const pkg = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8' });
const vsix = path.join(root, 'cmu-explorer.vsix');
if (pkg.status === 0 && fs.existsSync(vsix)) {
  console.log(`FIGURE vsix_size ${Math.round(fs.statSync(vsix).size / 102.4) / 10} KB`);
  fs.rmSync(vsix);
} else console.log(`# npm run package failed: ${pkg.stderr.slice(-500)}`);
process.exit(figures.size ? 0 : 1);
