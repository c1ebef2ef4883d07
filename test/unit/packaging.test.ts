/**
 * What ships: `esbuild.js --production` (minified, no source maps, nothing left from an earlier build)
 * and `.vscodeignore` (the .vsix holds dist/ bundles, media/, README, CHANGELOG, LICENSE, package.json).
 * Both run on copies in a temp dir so the repository's dist/ is never touched.
 */
import * as assert from 'assert';
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

function write(dir: string, rel: string, text = 'x'): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

describe('packaging', function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-pack-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('esbuild.js --production empties dist/, minifies, writes no source maps; a dev build links maps', () => {
    const dir = path.join(tmp, 'build');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(ROOT, 'esbuild.js'), path.join(dir, 'esbuild.js'));
    for (const d of ['src', 'node_modules']) fs.symlinkSync(path.join(ROOT, d), path.join(dir, d), 'dir');
    const build = (...args: string[]) => execFileSync(process.execPath, ['esbuild.js', ...args], { cwd: dir, stdio: 'pipe' });
    const dist = path.join(dir, 'dist');

    build();
    const devSize = fs.statSync(path.join(dist, 'cli.js')).size;
    assert.ok(fs.existsSync(path.join(dist, 'extension.js.map')), 'dev build: maps');
    assert.match(fs.readFileSync(path.join(dist, 'extensionMain.js'), 'utf8'), /\/\/# sourceMappingURL=extensionMain\.js\.map\s*$/);
    write(dir, 'dist/test/suite.js'); // a leftover of another build

    build('--production');
    assert.deepStrictEqual(fs.readdirSync(dist).sort(), ['chart.js', 'cli.js', 'extension.js', 'extensionMain.js', 'reportWorker.js', 'webview.css', 'webview.js']);
    for (const f of fs.readdirSync(dist)) {
      const text = fs.readFileSync(path.join(dist, f), 'utf8');
      assert.ok(!text.includes('sourceMappingURL'), `${f} points at a map`);
    }
    const cli = fs.readFileSync(path.join(dist, 'cli.js'), 'utf8');
    assert.ok(cli.startsWith('#!/usr/bin/env node\n'), 'shebang');
    assert.ok(cli.length < devSize * 0.75, `minified (${cli.length} vs ${devSize} bytes)`);
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(path.join(dist, 'cli.js')).mode & 0o111, 0o111, 'cli.js executable');
    assert.ok(fs.readFileSync(path.join(dist, 'extensionMain.js'), 'utf8').includes('require("vscode")'), 'vscode stays external');
    assert.match(execFileSync(process.execPath, [path.join(dist, 'cli.js'), '--version'], { encoding: 'utf8' }), /^\d+\.\d+\.\d+/);
  });

  it('esbuild.js --watch builds every bundle, then rebuilds on a change (cli.js stays executable)', async () => {
    const dir = path.join(tmp, 'watch');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(ROOT, 'esbuild.js'), path.join(dir, 'esbuild.js'));
    fs.cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true }); // a copy: the change must not touch the repository
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const child = spawn(process.execPath, ['esbuild.js', '--watch'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const until = async (what: string, ok: () => boolean) => {
      for (let t = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() - t > 60_000 || child.exitCode !== null) assert.fail(`${what}; log:\n${log}`);
      }
    };
    try {
      await until('initial build', () => (log.match(/: built/g) ?? []).length >= 6);
      assert.match(log, /watching 6 bundles/);
      assert.ok(fs.existsSync(path.join(dir, 'dist/cli.js.map')), 'watch builds are dev builds');
      fs.appendFileSync(path.join(dir, 'src/cli/main.ts'), "\nexport const watchProbe = 'probe-7f3a';\n");
      const cli = path.join(dir, 'dist/cli.js');
      await until('rebuild after a change', () => fs.readFileSync(cli, 'utf8').includes('probe-7f3a'));
      if (process.platform !== 'win32') assert.strictEqual(fs.statSync(cli).mode & 0o111, 0o111, 'cli.js executable');
    } finally {
      child.kill();
    }
  });

  it('.vscodeignore: the .vsix lists only the bundles the extension loads, media/, README, CHANGELOG, LICENSE and package.json', async () => {
    const dir = path.join(tmp, 'pkg');
    fs.mkdirSync(dir);
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    const shipped = ['dist/extension.js', 'dist/extensionMain.js', 'dist/webview.js', 'dist/chart.js', 'dist/reportWorker.js', 'dist/webview.css', 'media/cmu.svg', 'media/walkthrough/import.md'];
    // dist/cli.js: the `cmu` bin runs from the repository / npm link, the extension never loads it; docs/: README-only images
    const kept = ['dist/cli.js', 'docs/screenshot-report.png', 'docs/first-run.gif', 'docs/themes/hc-light.png', 'docs/screenshots.js', 'dist/extension.js.map', 'dist/extensionMain.js.map', 'dist/webview.css.map', 'dist/test/suite.js', 'src/core/http.ts', 'test/unit/x.test.ts', 'bench/run.js', 'esbuild.js', 'tsconfig.json', '.ci/run', '.gitignore', 'out/test/it.js', 'cmu-explorer.vsix', 'test-results/a.png'];
    for (const f of [...shipped, ...kept]) write(dir, f);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vsce = require('@vscode/vsce') as { listFiles(o: { cwd: string; packageManager: number }): Promise<string[]> };
    const files = (await vsce.listFiles({ cwd: dir, packageManager: 2 /* None: no node_modules */ })).map((f) => f.split(path.sep).join('/'));
    assert.deepStrictEqual(files.sort(), [...shipped, 'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].sort());
  });

  it('npm run package through a pseudo-terminal (a person\'s terminal) asks nothing and writes the .vsix', function () {
    // vsce prompts ("repository field missing… [y/N]", "LICENSE not found…") only on a TTY, where Enter aborts.
    if (process.platform === 'win32' || spawnSync('script', ['--version']).error) this.skip(); // util-linux `script` gives the TTY
    const dir = path.join(tmp, 'tty');
    fs.mkdirSync(dir);
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'esbuild.js']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    fs.cpSync(path.join(ROOT, 'media'), path.join(dir, 'media'), { recursive: true });
    for (const d of ['src', 'node_modules']) fs.symlinkSync(path.join(ROOT, d), path.join(dir, d), 'dir');
    const run = spawnSync('script', ['-qc', 'npm run package', '/dev/null'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 240_000 });
    const out = `${run.stdout}${run.stderr}`;
    assert.ok(!/\[y\/N\]/i.test(out), `vsce asked a question:\n${out}`);
    assert.strictEqual(run.status, 0, `exit ${run.status} ${run.signal ?? ''}:\n${out}`);
    assert.ok(fs.statSync(path.join(dir, 'cmu-explorer.vsix')).size > 0, 'the .vsix is written');
  });

  it('the manifest carries what the Marketplace shows: a PNG icon of at least 128 px, categories, keywords, banner', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    const png = fs.readFileSync(path.join(ROOT, String(pkg.icon)));
    assert.strictEqual(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.readUInt32BE(16) >= 128 && png.readUInt32BE(20) >= 128, 'at least 128×128');
    assert.ok(png.length < 64 * 1024, 'small');
    assert.ok(Array.isArray(pkg.categories) && Array.isArray(pkg.keywords) && (pkg.keywords as unknown[]).length > 0);
    assert.match(String((pkg.galleryBanner as { color?: string } | undefined)?.color), /^#[0-9a-f]{6}$/i);
  });
});

