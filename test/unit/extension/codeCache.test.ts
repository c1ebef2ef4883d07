/**
 * The extension's bundle loaded with a V8 code cache (src/extension/codeCache.ts): loaded as Node's loader
 * would, the cache written only into a private directory and read only from a private file, named by the
 * bundle's content (V8 accepts another source of the same length and runs the old code).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundle } from '../../../src/extension/codeCache';

const posix = process.platform !== 'win32';
const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * loadBundle in a fresh process (V8 reuses a script it compiled before in the same process without looking
 * at the cache); it waits for the cache to be written. The bundle's answer() and how the cache served.
 */
function load(bundle: string, cacheDir: string): { cache: string; answer: number } {
  const code = `const { loadBundle } = require(${JSON.stringify(path.join(ROOT, 'src/extension/codeCache.ts'))});
    const r = loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify(cacheDir)}, 0);
    setTimeout(() => console.log(JSON.stringify({ cache: r.cache, answer: r.exports.answer() })), 100);`;
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { cache: string; answer: number };
}

/** a CommonJS bundle: requires a sibling file and a builtin, exports what it saw, throws on line 4 when asked */
const BUNDLE = [
  '"use strict";',
  'const sibling = require("./sibling.js");',
  'exports.seen = { sibling, filename: __filename, dirname: __dirname, os: typeof require("os").platform, self: module.exports === exports };',
  'exports.fail = () => { throw new Error("line 4"); };',
  'exports.answer = () => 42;',
].join('\n');

describe('code cache: the extension bundle loaded with a V8 code cache', function () {
  let tmp: string;
  let bundle: string;
  let cacheDir: string;
  const caches = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.endsWith('.cache')) : []);

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-code-cache-'));
    bundle = path.join(tmp, 'dist', 'main.js');
    fs.mkdirSync(path.dirname(bundle));
    fs.writeFileSync(bundle, BUNDLE);
    fs.writeFileSync(path.join(tmp, 'dist', 'sibling.js'), 'module.exports = "sibling";');
    cacheDir = path.join(tmp, 'storage', 'code-cache');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('runs the bundle as Node loads a CommonJS file: its require, module, __filename, __dirname; stack lines are the file\'s', () => {
    const { exports, cache } = loadBundle(bundle, undefined);
    const m = exports as { seen: Record<string, unknown>; fail: () => void };
    assert.deepStrictEqual(m.seen, { sibling: 'sibling', filename: bundle, dirname: path.dirname(bundle), os: 'function', self: true });
    assert.strictEqual(cache, 'off');
    assert.throws(m.fail, (e: Error) => e.stack!.includes(`${bundle}:4:`));
  });

  it('writes the cache after the delay into a 0700 directory as a 0600 file, then loads with it', function () {
    if (!posix) this.skip();
    assert.deepStrictEqual(load(bundle, cacheDir), { cache: 'missing', answer: 42 });
    assert.strictEqual(caches().length, 1);
    assert.strictEqual(fs.statSync(cacheDir).mode & 0o777, 0o700);
    const file = path.join(cacheDir, caches()[0]);
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
    const written = fs.statSync(file).mtimeMs;
    assert.deepStrictEqual(load(bundle, cacheDir), { cache: 'used', answer: 42 });
    assert.strictEqual(fs.statSync(file).mtimeMs, written, 'a used cache is not written again');
  });

  it('another bundle of the same length gets its own cache (V8 would run the old code), and the old one is removed', function () {
    if (!posix) this.skip();
    load(bundle, cacheDir);
    const old = caches()[0];
    fs.writeFileSync(bundle, BUNDLE.replace('=> 42', '=> 43'));
    assert.deepStrictEqual(load(bundle, cacheDir), { cache: 'missing', answer: 43 });
    assert.strictEqual(caches().length, 1);
    assert.notStrictEqual(caches()[0], old);
    assert.deepStrictEqual(load(bundle, cacheDir), { cache: 'used', answer: 43 });
  });

  it('a cache file others may read or write, a symlink or a second link is not used (and is replaced by a private one)', function () {
    if (!posix) this.skip();
    load(bundle, cacheDir);
    const file = path.join(cacheDir, caches()[0]);
    const good = fs.readFileSync(file);
    const elsewhere = path.join(tmp, 'elsewhere.cache');
    const cases: [string, () => void][] = [
      ['group/other may read it', () => fs.chmodSync(file, 0o644)],
      ['a symlink', () => (fs.rmSync(file), fs.writeFileSync(elsewhere, good, { mode: 0o600 }), fs.symlinkSync(elsewhere, file))],
      ['two links', () => fs.linkSync(file, elsewhere)],
    ];
    for (const [what, spoil] of cases) {
      fs.rmSync(file, { force: true });
      fs.rmSync(elsewhere, { force: true });
      fs.writeFileSync(file, good, { mode: 0o600 });
      spoil();
      assert.deepStrictEqual(load(bundle, cacheDir), { cache: 'missing', answer: 42 }, what);
      const st = fs.lstatSync(file);
      assert.ok(st.isFile() && (st.mode & 0o777) === 0o600 && st.nlink === 1, `${what}: replaced by a private file`);
      assert.deepStrictEqual(load(bundle, cacheDir), { cache: 'used', answer: 42 }, `${what}: then used`);
    }
  });

  it('a directory others may open is made private when it is ours; a symlinked directory is not used', function () {
    if (!posix) this.skip();
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.chmodSync(cacheDir, 0o755);
    assert.strictEqual(load(bundle, cacheDir).cache, 'missing');
    assert.strictEqual(fs.statSync(cacheDir).mode & 0o777, 0o700);
    const linked = path.join(tmp, 'storage', 'linked');
    fs.symlinkSync(cacheDir, linked);
    assert.strictEqual(load(bundle, linked).cache, 'off');
  });

  it('a cache V8 refuses (garbage) is reported and rewritten; the bundle still loads', function () {
    if (!posix) this.skip();
    load(bundle, cacheDir);
    const file = path.join(cacheDir, caches()[0]);
    fs.writeFileSync(file, Buffer.alloc(4096, 7));
    assert.deepStrictEqual(load(bundle, cacheDir), { cache: 'rejected', answer: 42 });
    assert.deepStrictEqual(load(bundle, cacheDir), { cache: 'used', answer: 42 });
  });
});
