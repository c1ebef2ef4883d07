/**
 * CLI hardening through dist/cli.js as child processes: a new --cmu-url is refused instead of
 * minting a token for it, parallel runs on a fresh store register once (lock file), the store directory
 * must be private, temp files and locks of killed runs are cleaned up, server text cannot drive the terminal.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Sandbox } from '../../../src/sandbox/server';
import { keyToFileName } from '../../../src/cli/fileStore';
import { buildCli, runCli, type CliRun } from '../support/cli';

const posix = process.platform !== 'win32';

describe('cli hardening (child processes)', function () {
  this.timeout(90_000);
  let tmp: string;
  let cli: string;
  let sb: Sandbox;
  let n = 0;
  const newStore = () => path.join(tmp, `store-${++n}`);
  const cmu = (store: string, args: string[], opts: { stdin?: string; dcrUrl?: string } = {}): Promise<CliRun> =>
    runCli(cli, ['--store', store, '--dcr-url', opts.dcrUrl ?? sb.dcrOrigin, ...args], { stdin: opts.stdin });
  /** a pid that is certainly not running */
  const deadPid = (): number => spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout as unknown as number;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-clihard-'));
    cli = await buildCli(tmp);
    sb = await Sandbox.start({ throttle: false });
  });
  after(async () => {
    await sb.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(() => sb.setDelay(0));

  async function imported(): Promise<string> {
    const store = newStore();
    const r = await cmu(store, ['statement', 'import', '-'], { stdin: sb.statement });
    assert.strictEqual(r.code, 0, r.stderr);
    return store;
  }

  it('8 parallel runs on a fresh store register once and get one token (lock file)', async () => {
    const store = await imported();
    sb.setDelay(150, 'register');
    const before = { ...sb.stats };
    const runs = await Promise.all(Array.from({ length: 8 }, () => cmu(store, ['token'])));
    for (const r of runs) assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(sb.stats.register - before.register, 1, 'one registration');
    assert.strictEqual(sb.stats.token - before.token, 1, 'one token');
    assert.deepStrictEqual(
      fs.readdirSync(store).filter((f) => f.startsWith('.')),
      [],
      'no lock or temp file left',
    );
  });

  it('a lock and temp files left by a killed run are taken over / removed', async () => {
    const store = await imported();
    const pid = Number(deadPid());
    const lock = path.join(store, '.lock-' + keyToFileName('sandbox/default').slice(0, -5));
    fs.writeFileSync(lock, `${pid} ${Date.now()} abc\n`);
    const temp = path.join(store, `.${keyToFileName('x')}.${pid}.0123456789ab.tmp`);
    fs.writeFileSync(temp, 'half a secret', { mode: 0o600 });
    const r = await cmu(store, ['token']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(!fs.existsSync(lock), 'stale lock taken over and released');
    assert.ok(!fs.existsSync(temp), 'stale temp file removed');
  });

  (posix ? it : it.skip)('a store directory writable by others, or owned by another user, is refused with how to fix it', async () => {
    const store = await imported();
    fs.chmodSync(store, 0o777);
    const open = await cmu(store, ['token']);
    assert.strictEqual(open.code, 2, open.stderr);
    assert.match(open.stderr, /writable by other users \(mode 777\)/);
    assert.match(open.stderr, new RegExp(`chmod 700 ${store.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    fs.chmodSync(store, 0o700);
    if (process.getuid?.() === 0) {
      fs.chownSync(store, 65534, 65534);
      const other = await cmu(store, ['token']);
      assert.strictEqual(other.code, 2, other.stderr);
      assert.match(other.stderr, /belongs to another user \(uid 65534\)/);
      assert.match(other.stderr, /chown -R 0 /);
    }
  });

  describe('a new --cmu-url', () => {
    let recorder: http.Server;
    let base: string;
    const seen: string[] = [];
    before(async () => {
      recorder = http.createServer((req, res) => {
        seen.push(req.headers.authorization ?? '');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"_embedded":{"report":[]}}');
      });
      await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/cmu/v2`;
    });
    after(() => new Promise((r) => recorder.close(r)));

    it('is refused before anything is sent (no token minted for it); token --refresh is the consent', async () => {
      const store = await imported();
      assert.strictEqual((await cmu(store, ['token'])).code, 0);
      const before = { ...sb.stats };
      const r = await cmu(store, ['--cmu-url', base, 'report', 'tenant/year', '--format', 'json']);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stderr, /error: The stored access token belongs to http:\/\/127\.0\.0\.1:\d+, not to http:\/\/127\.0\.0\.1:\d+/);
      assert.match(r.stderr, /nothing was sent/);
      assert.match(r.stderr, /hint: if the new host is intended, get a token for it: cmu --dcr-url \S+ --cmu-url \S+ --store \S+ token --refresh/);
      assert.deepStrictEqual(seen, []);
      assert.deepStrictEqual({ ...sb.stats }, before, 'no token minted silently');
      const ok = await cmu(store, ['--cmu-url', base, 'token', '--refresh']);
      assert.strictEqual(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /note: the token obtained for \S+ is forgotten; getting one for \S+/);
      const sent = await cmu(store, ['--cmu-url', base, 'report', 'tenant/year', '--format', 'json']);
      assert.strictEqual(seen.length, 1, sent.stderr);
      // and back on the sandbox's own CMU, that token is refused in turn
      const back = await cmu(store, ['report', 'tenant/year', '--format', 'json']);
      assert.strictEqual(back.code, 1, back.stderr);
      assert.match(back.stderr, /originChanged|belongs to/);
    });
  });

  it('--format json of a deeply nested body: a clear message, not "Cannot write FILE", FILE untouched', async () => {
    const deep = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('['.repeat(200_000) + ']'.repeat(200_000));
    });
    await new Promise<void>((r) => deep.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(deep.address() as AddressInfo).port}/cmu/v2`;
      const store = await imported();
      const out = path.join(tmp, 'deep.json');
      for (const args of [['--out', out], []]) {
        const r = await cmu(store, ['--cmu-url', base, 'report', 'tenant', '--format', 'json', ...args]);
        assert.strictEqual(r.code, 1, r.stderr);
        assert.match(r.stderr, /nests deeper than 256 levels/);
        assert.doesNotMatch(r.stderr, /Cannot write/);
        assert.ok(r.stdout.length < 10_000, `${r.stdout.length} bytes on stdout`);
      }
      assert.ok(!fs.existsSync(out));
    } finally {
      deep.close();
    }
  });

  describe('server text on the terminal', () => {
    let hostile: http.Server;
    let origin: string;
    const EVIL = 'abc\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\r\u202etxt.exe';
    before(async () => {
      hostile = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          if (req.url === '/o/client/register') {
            res.writeHead(201, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ client_id: EVIL, client_secret: 's3cr3t-value-xyz', client_id_issued_at: 1, grant_types: ['client_credentials'] }));
          } else {
            res.writeHead(400, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: 'invalid_request', error_description: `bad \u001b[2J\u001b[31m${EVIL}` }));
          }
        });
      });
      await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
      origin = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    });
    after(() => new Promise((r) => hostile.close(r)));

    it('client_id and error text: escapes, \\r and bidi overrides are shown as visible escapes', async () => {
      const store = newStore();
      assert.strictEqual((await cmu(store, ['statement', 'import', '-'], { stdin: sb.statement, dcrUrl: origin })).code, 0);
      const reg = await cmu(store, ['register'], { dcrUrl: origin });
      assert.strictEqual(reg.code, 0, reg.stderr);
      const tok = await cmu(store, ['--verbose', 'token'], { dcrUrl: origin });
      assert.strictEqual(tok.code, 1, tok.stderr);
      for (const r of [reg, tok]) {
        const text = r.stdout + r.stderr;
        assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text), JSON.stringify(text));
        assert.ok(!text.includes('s3cr3t-value-xyz'));
      }
      assert.match(reg.stdout, /client_id: abc\\u001b\]8;;https:\/\/evil\.example\\u0007click/);
      assert.match(reg.stdout, /\\u000d\\u202etxt\.exe/);
    });
  });
});
