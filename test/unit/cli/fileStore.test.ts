import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileStore, defaultStoreDir, keyToFileName, writeFileAtomic } from '../../../src/cli/fileStore';
import { secretKey } from '../../../src/core/store';

const posix = process.platform !== 'win32';

describe('cli FileStore', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-fs-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('round-trips values, deletes, and reads absent keys as undefined', async () => {
    const store = new FileStore(path.join(root, 'store'));
    const key = secretKey('production', 'default', 'token');
    assert.strictEqual(await store.get(key), undefined);
    await store.set(key, 'v1 ünïcødé\nline');
    assert.strictEqual(await store.get(key), 'v1 ünïcødé\nline');
    await store.set(key, 'v2');
    assert.strictEqual(await store.get(key), 'v2');
    assert.deepStrictEqual(await store.keys(), [key]);
    await store.delete(key);
    await store.delete(key); // idempotent
    assert.strictEqual(await store.get(key), undefined);
  });

  it('keeps keys apart, including odd profile names', async () => {
    const store = new FileStore(path.join(root, 'store'));
    const a = secretKey('custom', 'a/../../b', 'token');
    const b = secretKey('custom', 'a', 'token');
    await store.set(a, 'A');
    await store.set(b, 'B');
    assert.strictEqual(await store.get(a), 'A');
    assert.strictEqual(await store.get(b), 'B');
    for (const f of fs.readdirSync(path.join(root, 'store'))) assert.match(f, /^[A-Za-z0-9_%-]+\.json$/);
    assert.ok(!keyToFileName(a).includes('/'));
  });

  (posix ? it : it.skip)('creates the directory 0700 and files 0600 whatever the umask', async () => {
    const old = process.umask(0o000);
    try {
      const dir = path.join(root, 'deep', 'store');
      const store = new FileStore(dir);
      await store.set('k', 'secret');
      assert.strictEqual(fs.statSync(dir).mode & 0o777, 0o700);
      assert.strictEqual(fs.statSync(store.fileFor('k')).mode & 0o777, 0o600);
      // an existing file with loose permissions is replaced by a 0600 one
      fs.chmodSync(store.fileFor('k'), 0o644);
      await store.set('k', 'secret2');
      assert.strictEqual(fs.statSync(store.fileFor('k')).mode & 0o777, 0o600);
    } finally {
      process.umask(old);
    }
  });

  (posix ? it : it.skip)('tightens an existing store directory it owns', async () => {
    const dir = path.join(root, 'loose');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    await new FileStore(dir).set('k', 'v');
    assert.strictEqual(fs.statSync(dir).mode & 0o777, 0o700);
  });

  it('writes atomically: no temp files left, a concurrent reader never sees a partial value', async () => {
    const store = new FileStore(path.join(root, 'store'));
    const big = 'x'.repeat(200_000);
    await store.set('k', 'y'.repeat(200_000));
    const writes: Promise<void>[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      writes.push(store.set('k', i % 2 ? big : 'y'.repeat(200_000)));
      const v = await store.get('k');
      if (v !== undefined) seen.add(v[0] + v.length);
    }
    await Promise.all(writes);
    for (const s of seen) assert.ok(s === 'x200000' || s === 'y200000', s);
    assert.deepStrictEqual(
      fs.readdirSync(path.join(root, 'store')).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('a failed write leaves the previous value intact', async () => {
    const dir = path.join(root, 'store');
    const store = new FileStore(dir);
    await store.set('k', 'good');
    // make the rename target a directory so rename fails after the temp file is written
    const target = path.join(dir, 'blocked.json');
    fs.mkdirSync(target);
    await assert.rejects(writeFileAtomic(target, 'x'), /Cannot write/);
    assert.strictEqual(await store.get('k'), 'good');
    assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  it('reads a corrupted file as absent, reports it once, and the next save repairs it', async () => {
    const problems: string[] = [];
    const store = new FileStore(path.join(root, 'store'), { onProblem: (m) => problems.push(m) });
    await store.set('k', 'v');
    for (const garbage of ['{not json', '', '{"v":1,"key":"other","value":"v"}', '"just a string"', '\u0000\u0001']) {
      fs.writeFileSync(store.fileFor('k'), garbage);
      assert.strictEqual(await store.get('k'), undefined);
    }
    assert.strictEqual(problems.length, 1);
    assert.match(problems[0], /corrupted/);
    assert.ok(problems[0].includes(store.fileFor('k')));
    await store.set('k', 'fixed');
    assert.strictEqual(await store.get('k'), 'fixed');
  });

  it('an unwritable store fails with a clear InputError', async () => {
    const file = path.join(root, 'afile');
    fs.writeFileSync(file, 'x');
    const store = new FileStore(path.join(file, 'store'));
    await assert.rejects(store.set('k', 'v'), (e: Error) => e.name === 'InputError' && /Cannot write/.test(e.message));
    assert.strictEqual(await store.get('k'), undefined);
  });

  it('picks the platform config directory', () => {
    assert.strictEqual(defaultStoreDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux'), path.join('/x/cfg', 'cmu-explorer'));
    assert.strictEqual(defaultStoreDir({}, 'linux'), path.join(os.homedir(), '.config', 'cmu-explorer'));
    assert.strictEqual(defaultStoreDir({ XDG_CONFIG_HOME: 'relative' }, 'linux'), path.join(os.homedir(), '.config', 'cmu-explorer'));
    assert.strictEqual(defaultStoreDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32'), path.join('C:\\Users\\u\\AppData\\Roaming', 'cmu-explorer'));
  });
});
