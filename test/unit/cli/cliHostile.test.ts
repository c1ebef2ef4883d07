/**
 * `cmu report` against a hostile CMU server (the DCR is the sandbox's), as a child process whose peak
 * memory is reported by a preloaded hook: decompression bombs and endless bodies stay bounded, a broken
 * answer never exits 0, a slow body hits --max-time, and --out is left as it was (no .part file).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Sandbox } from '../../../src/sandbox/server';
import { buildCli, runCli, type CliRun } from '../support/cli';
import { endlessGzip, endlessPlain, trickle } from '../support/hostile';

/** Peak RSS of a run, in MB, as printed by the preload hook. */
function peakMb(r: CliRun): number {
  const m = /maxRSS=(\d+)/.exec(r.stderr);
  assert.ok(m, `no maxRSS line in:\n${r.stderr}`);
  return Number(m[1]) / 1024;
}

describe('cli: hostile CMU server (child process, bounded memory)', function () {
  this.timeout(90_000);
  let tmp: string;
  let cli: string;
  let sb: Sandbox;
  let cmuServer: http.Server;
  let rawServer: net.Server;
  let store: string;
  let hook: string;
  let route: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, res) => res.end();

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-hostile-'));
    cli = await buildCli(tmp);
    hook = path.join(tmp, 'rss.js');
    fs.writeFileSync(hook, "process.on('exit', () => require('fs').writeSync(2, '\\nmaxRSS=' + process.resourceUsage().maxRSS + '\\n'));\n");
    sb = await Sandbox.start({ port: 0, throttle: false });
    cmuServer = http.createServer((req, res) => {
      req.resume();
      route(req, res);
    });
    await new Promise<void>((r) => cmuServer.listen(0, '127.0.0.1', r));
    store = path.join(tmp, 'store');
    const imp = await cmu(['statement', 'import', '-'], sb.statement);
    assert.strictEqual(imp.code, 0, imp.stderr);
  });
  after(async () => {
    cmuServer.closeAllConnections();
    await new Promise((r) => cmuServer.close(r));
    if (rawServer) await new Promise((r) => rawServer.close(r));
    await sb.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const cmuBase = () => `http://127.0.0.1:${(cmuServer.address() as AddressInfo).port}/cmu/v2`;

  function cmu(args: string[], stdin?: string, base = cmuBase()): Promise<CliRun> {
    return runCli(cli, ['--store', store, '--dcr-url', sb.dcrOrigin, '--cmu-url', base, ...args], {
      stdin,
      env: { CMU_DEVICE_INFO: '', NODE_OPTIONS: `--require ${hook} --max-old-space-size=256` },
    });
  }

  /** FILE holds its old bytes and no temp file is left beside it. */
  function untouched(file: string, before: string): void {
    assert.strictEqual(fs.readFileSync(file, 'utf8'), before);
    const left = fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.part'));
    assert.deepStrictEqual(left, []);
  }

  it('a gzip bomb with --format table: exit 1 on the compression ratio, bounded memory', async () => {
    route = (_q, res) => endlessGzip(res, 200, 'application/json');
    const r = await cmu(['report', 'tenant/year', '--format', 'table']);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /inflates more than 100 times/);
    assert.ok(peakMb(r) < 400, `peak RSS ${peakMb(r)} MB`);
  });

  it('an endless plain report with --format table: exit 1 "too large … use --out", bounded memory', async () => {
    route = (_q, res) => endlessPlain(res);
    const r = await cmu(['report', 'tenant/year', '--format', 'table', '--max-size', '16']);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /larger than 16 MB: too large for the panel or the table/);
    assert.match(r.stderr, /--out FILE/);
    assert.ok(peakMb(r) < 400, `peak RSS ${peakMb(r)} MB`);
  });

  it('a gzip bomb streamed to --out: exit 1 on the compression ratio, FILE untouched, bounded memory', async () => {
    route = (_q, res) => endlessGzip(res);
    const out = path.join(tmp, 'bomb.csv');
    fs.writeFileSync(out, 'old content\n');
    const r = await cmu(['report', 'tenant/year', '--format', 'csv', '--out', out]);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /inflates more than 100 times/);
    untouched(out, 'old content\n');
    assert.ok(peakMb(r) < 400, `peak RSS ${peakMb(r)} MB`);
  });

  it('an endless plain body with --max-size 8: exit 1 naming the limit, FILE untouched', async () => {
    route = (_q, res) => endlessPlain(res);
    const out = path.join(tmp, 'huge.csv');
    fs.writeFileSync(out, 'kept\n');
    const r = await cmu(['report', 'tenant/year', '--format', 'csv', '--out', out, '--max-size', '8']);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /larger than 8 MB/);
    untouched(out, 'kept\n');
  });

  it('an endless error body (400): exit 1 with an excerpt, bounded memory', async () => {
    route = (_q, res) => endlessGzip(res, 400, 'text/plain');
    const r = await cmu(['report', 'tenant/year', '--format', 'json']);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /CMU refused the request/);
    assert.ok(peakMb(r) < 400, `peak RSS ${peakMb(r)} MB`);
  });

  it('bytes after the Content-Length body: exit 1, never a silent 0, FILE untouched', async () => {
    rawServer = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 4\r\n\r\na,b\nEXTRA BYTES'));
    });
    await new Promise<void>((r) => rawServer.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(rawServer.address() as AddressInfo).port}/cmu/v2`;
    const out = path.join(tmp, 'extra.csv');
    fs.writeFileSync(out, 'before\n');
    // a store of its own: a token is pinned to the CMU origin it was obtained for
    const fresh = path.join(tmp, 'store-raw');
    const imp = await runCli(cli, ['--store', fresh, '--dcr-url', sb.dcrOrigin, '--cmu-url', base, 'statement', 'import', '-'], { stdin: sb.statement, env: { CMU_DEVICE_INFO: '' } });
    assert.strictEqual(imp.code, 0, imp.stderr);
    for (const args of [['--format', 'csv', '--out', out], ['--format', 'table'], ['--format', 'json']]) {
      const r = await runCli(cli, ['--store', fresh, '--dcr-url', sb.dcrOrigin, '--cmu-url', base, 'report', 'tenant/year', ...args], { env: { CMU_DEVICE_INFO: '' } });
      assert.strictEqual(r.code, 1, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, /Malformed HTTP response/);
    }
    untouched(out, 'before\n');
  });

  it('a body trickling 1 byte per 100 ms with --max-time 1: exit 1 naming the total limit', async () => {
    route = (_q, res) => trickle(res, 100);
    const out = path.join(tmp, 'slow.csv');
    fs.writeFileSync(out, 'slow before\n');
    const r = await cmu(['report', 'tenant/year', '--format', 'csv', '--out', out, '--max-time', '1']);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /within 1 s in total/);
    assert.match(r.stderr, /--max-time/);
    untouched(out, 'slow before\n');
  });

  /** The error line of a failed run (the rest is the explanation and the hint). */
  const firstLine = (r: CliRun) => r.stderr.split('\n').find((l) => l.trim() !== '') ?? '';

  it('--compare previous honours --max-size: the size message and exit code of a plain report with the same limit', async () => {
    route = (_q, res) => endlessPlain(res, 200, 'application/json');
    const args = ['report', 'tenant/year/month/day', '--start', '2026-11-01', '--end', '2026-11-08', '--max-size', '0.001'];
    const plain = await cmu([...args, '--format', 'table']);
    assert.strictEqual(plain.code, 1, plain.stderr);
    assert.match(plain.stderr, /The report is larger than 1 KB: too large for the panel or the table/);
    for (const format of ['json', 'table']) {
      const compared = await cmu([...args, '--compare', 'previous', '--format', format]);
      assert.strictEqual(compared.code, plain.code, `${format}: ${compared.stderr}`);
      assert.strictEqual(firstLine(compared), firstLine(plain), format);
      assert.ok(peakMb(compared) < 400, `peak RSS ${peakMb(compared)} MB`);
    }
  });

  it('--compare previous honours --max-time: the total-time message and exit code of a plain report', async () => {
    route = (_q, res) => trickle(res, 100);
    const args = ['report', 'tenant/year/month/day', '--start', '2026-11-01', '--end', '2026-11-08', '--max-time', '1', '--format', 'json'];
    const plain = await cmu(args);
    assert.strictEqual(plain.code, 1, plain.stderr);
    assert.match(plain.stderr, /within 1 s in total/);
    const compared = await cmu([...args, '--compare', 'previous']);
    assert.strictEqual(compared.code, plain.code, compared.stderr);
    assert.strictEqual(firstLine(compared), firstLine(plain));
  });
});

describe('cli: the guard at exit', () => {
  it('a command whose work never settles exits 1 with a message, never a silent 0', async () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-guard-'));
    const stub = path.join(dir, 'stub.js');
    // program.main replaced by work that never settles and keeps nothing alive (what a lost request did)
    fs.writeFileSync(
      stub,
      `const p = require.resolve(${JSON.stringify(path.join(root, 'src/cli/program.ts'))});\n` +
        `require.cache[p] = { id: p, filename: p, loaded: true, exports: { main: () => new Promise(() => {}) } };\n`,
    );
    const { spawnSync } = await import('child_process');
    const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-r', stub, path.join(root, 'src/cli/main.ts'), 'token'], { cwd: root, encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stderr, /stopped before it finished/);
  });
});
