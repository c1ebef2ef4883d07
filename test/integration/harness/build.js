// Bundles the integration suite: test/integration/index.ts (mocha runner) and every
// test/integration/**/*.test.ts, each into out/test/integration/ (same relative path, .js).
// `vscode` and `mocha` stay external (the extension host provides `vscode`; mocha is required from
// the repository's node_modules). A test file that does not build is reported and recorded in
// out/test/integration/build-errors.json so the run counts it as a failure instead of hiding it.
// Env: FILES=a,b (substrings of the test file paths) builds only the matching test files;
//      SUITE_OUT=dir (default out/test/integration).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../../..');
const src = path.join(root, 'test/integration');
// SUITE_OUT: where to write the bundles (integration.sh uses one folder per run, so engineers running
// the suite at the same time do not rebuild each other's suite under a running extension host)
const out = path.resolve(root, process.env.SUITE_OUT || 'out/test/integration');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'harness' || d.name === 'fixtures' ? [] : walk(p);
    return d.name.endsWith('.test.ts') ? [p] : [];
  });
}

async function main() {
  const filters = (process.env.FILES || '').split(',').map((s) => s.trim()).filter(Boolean);
  const tests = walk(src).filter((f) => !filters.length || filters.some((x) => path.relative(src, f).includes(x)));
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const common = {
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline',
    external: ['vscode', 'mocha'], logLevel: 'silent', absWorkingDir: root,
  };
  const errors = [];
  const build = async (entry) => {
    const outfile = path.join(out, path.relative(src, entry).replace(/\.ts$/, '.js'));
    try {
      await esbuild.build({ ...common, entryPoints: [entry], outfile });
    } catch (e) {
      const msg = (e.errors || []).map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`).join('\n') || String(e);
      errors.push({ file: path.relative(root, entry), error: msg });
      console.error(`[build] ${path.relative(root, entry)} does not build:\n${msg}`);
    }
  };
  await build(path.join(src, 'index.ts'));
  await Promise.all(tests.map(build));
  fs.writeFileSync(path.join(out, 'build-errors.json'), JSON.stringify(errors, null, 2));
  if (errors.some((e) => e.file.endsWith('index.ts'))) process.exit(1);
  console.log(`[build] suite: ${tests.length - errors.length}/${tests.length} test files bundled into ${path.relative(root, out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
