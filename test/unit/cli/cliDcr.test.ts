/**
 * The CLI as a demanding user meets it: every documented DCR refusal, throttling, an HTML page, a wrong
 * host, a dead server and every statement validation message — through dist/cli.js as a child process
 * against the sandbox's knobs. Each case checks the exit code (0 / 1 server / 2 input), the plain
 * explanation and the hint on stderr, that stored credentials survive, and that no secret is printed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { buildDeviceInfo, decodeDeviceInfo } from '../../../src/core/deviceInfo';
import { Sandbox } from '../../../src/sandbox/server';
import { assertNoSecrets, buildCli, runCli, type CliRun } from '../support/cli';

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe('cli: DCR errors and statement validation (child process)', function () {
  this.timeout(60_000);
  let tmp: string;
  let cli: string;
  let sb: Sandbox;
  let n = 0;
  const secrets = new Set<string>();
  const outputs: { args: string[]; text: string }[] = [];

  /** A new store for one scenario. */
  const newStore = () => path.join(tmp, `store-${++n}`);

  async function cmu(store: string, args: string[], opts: { stdin?: string; dcrUrl?: string; deviceInfo?: string } = {}): Promise<CliRun> {
    const all = ['--store', store, '--dcr-url', opts.dcrUrl ?? sb.dcrOrigin, ...args];
    const r = await runCli(cli, all, { stdin: opts.stdin, env: { CMU_DEVICE_INFO: opts.deviceInfo ?? '' } });
    outputs.push({ args: all, text: r.stdout + r.stderr });
    return r;
  }

  /** Every secret the store holds (statement, client secret, access token), for the final check. */
  function harvest(store: string): void {
    if (!fs.existsSync(store)) return;
    for (const f of fs.readdirSync(store)) {
      const text = fs.readFileSync(path.join(store, f), 'utf8');
      for (const m of text.matchAll(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g)) secrets.add(m[0]);
      for (const m of text.matchAll(/\\?"(?:clientSecret|client_secret)\\?"\s*:\s*\\?"([^"\\]+)/g)) secrets.add(m[1]);
    }
  }

  /** statement imported and client registered in a new store; returns the store and the client id. */
  async function registered(statement = sb.statement): Promise<{ store: string; clientId: string }> {
    const store = newStore();
    const imp = await cmu(store, ['statement', 'import', '-'], { stdin: statement });
    assert.strictEqual(imp.code, 0, imp.stderr);
    const reg = await cmu(store, ['register']);
    assert.strictEqual(reg.code, 0, reg.stderr);
    const size = secrets.size;
    harvest(store);
    assert.ok(secrets.size > size, 'the client secret was collected from the store');
    return { store, clientId: /client_id: (\S+)/.exec(reg.stdout)![1] };
  }

  function snapshot(store: string): Record<string, string> {
    return Object.fromEntries(fs.readdirSync(store).map((f) => [f, fs.readFileSync(path.join(store, f), 'utf8')]));
  }

  /** exit 1, `error: …<message>`, an explanation line, the hint, nothing on stdout, no stack. */
  function refused(r: CliRun, message: RegExp, explanation: RegExp, hint: RegExp): void {
    assert.strictEqual(r.code, 1, `exit ${r.code}\n${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], message);
    assert.match(r.stderr, explanation);
    assert.match(lines[lines.length - 1], /^ {2}hint: /);
    assert.match(lines[lines.length - 1], hint);
    assert.strictEqual(r.stdout, '');
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack');
  }

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-clidcr-'));
    cli = await buildCli(tmp);
    sb = await Sandbox.start({ port: 0, throttle: false });
    secrets.add(sb.statement);
  });
  beforeEach(() => {
    sb.clearFailures();
    sb.setThrottle(false);
  });
  after(async () => {
    await sb?.stop();
    assertNoSecrets(outputs, secrets);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('statement import: each malformed input has its own message (exit 2), the stored one is kept', () => {
    const header = b64url({ alg: 'RS256', typ: 'JWT' });
    const cases: [string, string, RegExp][] = [
      ['an empty file', '\n  \n', /empty/],
      ['two parts', `${header}.${b64url({ sub: 'x' })}`, /three parts.*has 2/],
      ['a JWE (five parts)', `${header}.a.b.c.d`, /encrypted token \(JWE, five parts\)/],
      ['bad base64url', `${header}.${b64url({ sub: 'x' })}.si+g/`, /signature part .* not valid base64url/],
      ['an empty part', `${header}..sig`, /claims part .* empty/],
      ['a header that is not JSON', `${b64url('hello')}.${b64url({})}.sig`, /header part .* not JSON/],
      ['claims that are not an object', `${header}.${b64url([1, 2])}.sig`, /claims part .* not a JSON object/],
      ['alg none', `${b64url({ alg: 'none' })}.${b64url({ sub: 'x' })}.sig`, /unsigned \("alg": "none"\)/],
      ['an unsecured JWT (alg none, empty signature)', `${b64url({ alg: 'none' })}.${b64url({ sub: 'x' })}.`, /unsigned \("alg": "none"\)/],
      ['a file over 64 KB', `${header}.${'A'.repeat(70 * 1024)}.sig`, /larger than 64 KB/],
    ];
    let store: string;
    before(async () => {
      store = newStore();
      const r = await cmu(store, ['statement', 'import', '-'], { stdin: sb.statement });
      assert.strictEqual(r.code, 0, r.stderr);
    });
    for (const [name, text, message] of cases) {
      it(name, async () => {
        const file = path.join(tmp, `bad-${name.replace(/\W+/g, '-')}.txt`);
        fs.writeFileSync(file, text);
        const before = snapshot(store);
        const r = await cmu(store, ['statement', 'import', file]);
        assert.strictEqual(r.code, 2, `exit ${r.code}\n${r.stderr}`);
        assert.match(r.stderr.split('\n')[0], /^error: /);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /hint: import a software statement/);
        assert.strictEqual(r.stdout, '');
        assert.deepStrictEqual(snapshot(store), before, 'the stored statement is untouched');
      });
    }

    it('a statement not valid yet, or expired, is imported with a warning on stderr (exit 0)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const future = await sb.issueStatement({ nbf: now + 3600, iat: now + 3600 });
      let r = await cmu(newStore(), ['statement', 'import', '-'], { stdin: future });
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stderr, /^warning: The statement is not valid before \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC.*clock/m);
      const expired = await sb.issueStatement({ exp: now - 60 });
      r = await cmu(newStore(), ['statement', 'import', '-'], { stdin: expired });
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stderr, /^warning: The statement expired on \d{4}-/m);
      secrets.add(future).add(expired);
    });
  });

  it('statement import --key: the signature is checked against a JWKS URL or a key file before anything is stored', async () => {
    const store = newStore();
    let r = await cmu(store, ['statement', 'import', '-', '--key', sb.jwksUrl], { stdin: sb.statement });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /signature verified with http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json/);
    const before = snapshot(store);
    const jwksFile = path.join(tmp, 'jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify(sb.jwks));
    const other = await Sandbox.start({ port: 0, throttle: false }); // another signer: same claims, other key
    try {
      secrets.add(other.statement);
      r = await cmu(store, ['statement', 'import', '-', '--key', jwksFile], { stdin: other.statement });
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: The software statement signature does not match the key/);
      assert.deepStrictEqual(snapshot(store), before, 'the stored statement is kept');
      r = await cmu(store, ['statement', 'import', '-', '--key', other.jwksUrl], { stdin: other.statement });
      assert.strictEqual(r.code, 0, r.stderr);
    } finally {
      await other.stop();
    }
    r = await cmu(store, ['statement', 'import', '-', '--key', path.join(tmp, 'no-such-key.pem')], { stdin: sb.statement });
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /Cannot read the key/);
    r = await cmu(store, ['statement', 'import', '-', '--key', 'http://example.com/jwks.json'], { stdin: sb.statement });
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /must use https/);
    r = await cmu(store, ['statement', 'import', '-', '--key', `${sb.origin}/no-jwks-here`], { stdin: sb.statement });
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /HTTP 404/);
  });

  it('the access token imported as the statement by mistake is refused (exit 2); the store is unchanged', async () => {
    const { store } = await registered();
    const printed = await runCli(cli, ['--store', store, '--dcr-url', sb.dcrOrigin, 'token', '--print']); // not recorded: it prints the token
    assert.strictEqual(printed.code, 0, printed.stderr);
    secrets.add(printed.stdout.trim());
    const before = snapshot(store);
    const file = path.join(tmp, 'token.txt');
    fs.writeFileSync(file, printed.stdout);
    const r = await cmu(store, ['statement', 'import', file]);
    assert.strictEqual(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: This is the access token, not the software statement/);
    assert.deepStrictEqual(snapshot(store), before);
  });

  describe('registration refused (exit 1); credentials that worked are kept', () => {
    it('invalid_software_statement: a statement the server did not sign', async () => {
      const tampered = sb.statement.slice(0, -6) + (sb.statement.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
      secrets.add(tampered);
      const store = newStore();
      assert.strictEqual((await cmu(store, ['statement', 'import', '-'], { stdin: tampered })).code, 0);
      const r = await cmu(store, ['register']);
      refused(r, /Registration was refused: invalid_software_statement/, /Download a fresh one/, /statement import FILE/);
    });

    it('unapproved_software_statement', async () => {
      const unapproved = await sb.issueStatement({}, { approved: false });
      secrets.add(unapproved);
      const store = newStore();
      assert.strictEqual((await cmu(store, ['statement', 'import', '-'], { stdin: unapproved })).code, 0);
      refused(await cmu(store, ['register']), /unapproved_software_statement/, /not approved/, /contact Adobe/);
    });

    it('invalid_redirect_uri and invalid_request keep the registered client; token still works', async () => {
      const { store } = await registered();
      const before = snapshot(store);
      sb.failNext(1, 400, { endpoint: 'register', error: 'invalid_redirect_uri' });
      refused(await cmu(store, ['register']), /invalid_redirect_uri/, /redirect URI is not allowed/, /--dcr-url/);
      sb.failNext(1, 400, { endpoint: 'register', error: 'invalid_request' });
      refused(await cmu(store, ['register']), /invalid_request/, /malformed/, /--verbose/);
      assert.deepStrictEqual(snapshot(store), before, 'credentials untouched');
      const regs = sb.stats.register;
      const t = await cmu(store, ['token']);
      assert.strictEqual(t.code, 0, t.stderr);
      assert.strictEqual(sb.stats.register, regs, 'no re-registration needed');
      harvest(store);
    });
  });

  describe('token refused', () => {
    it('unauthorized_client', async () => {
      const { store, clientId } = await registered();
      assert.ok(sb.setClientUnauthorized(clientId));
      refused(await cmu(store, ['token']), /The token request was refused: unauthorized_client/, /client_credentials grant/, /contact Adobe/);
    });

    it('unsupported_grant_type', async () => {
      const { store } = await registered();
      sb.failNext(1, 400, { endpoint: 'token', error: 'unsupported_grant_type' });
      refused(await cmu(store, ['token']), /unsupported_grant_type/, /client_credentials grant/, /contact Adobe/);
    });

    it('invalid_client (server forgot the client): exactly one re-registration, then a token (exit 0)', async () => {
      const { store } = await registered();
      sb.forgetClients();
      const [regs, toks] = [sb.stats.register, sb.stats.token];
      const r = await cmu(store, ['token']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /valid for \d+h \d+m/);
      assert.strictEqual(sb.stats.register - regs, 1);
      assert.strictEqual(sb.stats.token - toks, 2);
      harvest(store);
    });

    it('invalid_client and the re-registration refused too: exit 1 with the registration error', async () => {
      const { store } = await registered();
      sb.forgetClients();
      sb.failNext(1, 400, { endpoint: 'register', error: 'invalid_software_statement' });
      const regs = sb.stats.register;
      refused(await cmu(store, ['token']), /invalid_software_statement/, /Download a fresh one/, /statement import FILE/);
      assert.strictEqual(sb.stats.register - regs, 1, 'one re-registration only');
    });
  });

  describe('throttling, broken answers, wrong or dead servers', () => {
    it('429 once: the CLI waits at least 1 s, retries, succeeds (exit 0)', async () => {
      const { store } = await registered();
      sb.failNext(1, 429, { endpoint: 'token' });
      const t0 = Date.now();
      const r = await cmu(store, ['token', '--refresh']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.ok(Date.now() - t0 >= 1000, `waited ${Date.now() - t0} ms`);
      harvest(store);
    });

    it('429 that persists: exit 1 "throttled", try again later', async () => {
      const { store } = await registered();
      sb.failNext(10, 429, { endpoint: 'token' });
      refused(await cmu(store, ['token', '--refresh']), /throttled \(HTTP 429\)/, /one request per second/, /try again in a moment/);
    });

    it('an HTML error page (502) is explained, not a JSON parse error', async () => {
      const { store } = await registered();
      sb.failNext(1, 502, { endpoint: 'token', html: true });
      const r = await cmu(store, ['token', '--refresh']);
      refused(r, /failed with HTTP 502/, /HTML page/, /try again/);
      assert.ok(!/JSON|Unexpected token/.test(r.stderr.split('\n')[0]));
    });

    it('a wrong host (404 HTML for the DCR paths) points at --dcr-url', async () => {
      const server = http.createServer((req, res) => {
        req.resume();
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><body>Not Found</body></html>');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const store = newStore();
        assert.strictEqual((await cmu(store, ['statement', 'import', '-'], { stdin: sb.statement, dcrUrl: origin })).code, 0);
        refused(await cmu(store, ['register'], { dcrUrl: origin }), /HTTP 404/, /DCR server URL is probably wrong/, /check --dcr-url/);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });

    it('nothing listening: exit 1 with a network explanation', async () => {
      const server = http.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await new Promise((r) => server.close(r));
      const store = newStore();
      assert.strictEqual((await cmu(store, ['statement', 'import', '-'], { stdin: sb.statement, dcrUrl: origin })).code, 0);
      const r = await cmu(store, ['register'], { dcrUrl: origin });
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stderr, /^error: .*(connect|reach|refused)/im);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack');
    });
  });

  it('--verbose: the exchanges are logged redacted, with X-Device-Info for this machine', async () => {
    const store = newStore();
    assert.strictEqual((await cmu(store, ['statement', 'import', '-'], { stdin: sb.statement })).code, 0);
    const r = await cmu(store, ['--verbose', 'register']);
    assert.strictEqual(r.code, 0, r.stderr);
    const t = await cmu(store, ['--verbose', 'token']);
    assert.strictEqual(t.code, 0, t.stderr);
    harvest(store);
    assert.match(r.stderr, /\[http\] POST http:\/\/127\.0\.0\.1:\d+\/o\/client\/register -> 201/);
    assert.match(r.stderr, /body: .*software_statement.*\[redacted\]/);
    assert.match(t.stderr, /body: .*client_secret=\[redacted\]/);
    const header = /X-Device-Info: (\S+)/i.exec(r.stderr);
    assert.ok(header, 'X-Device-Info logged');
    const info = decodeDeviceInfo(header[1]);
    assert.strictEqual(info.primaryHardwareType, 'Desktop');
    assert.ok(['Linux', 'Mac OS', 'Windows', 'OpenBSD', 'Android'].includes(String(info.osName)), String(info.osName));
    for (const k of ['model', 'version', 'osVersion', 'connectionType']) assert.ok(typeof info[k] === 'string' && info[k], k);
  });

  it('CMU_DEVICE_INFO overrides X-Device-Info; a malformed one is a usage error (exit 2) before any request', async () => {
    const store = newStore();
    assert.strictEqual((await cmu(store, ['statement', 'import', '-'], { stdin: sb.statement })).code, 0);
    const custom = buildDeviceInfo({ model: 'CI runner', connectionType: 'WiFi' });
    const r = await cmu(store, ['--verbose', 'register'], { deviceInfo: custom });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(/X-Device-Info: (\S+)/i.exec(r.stderr)?.[1], custom);
    harvest(store);
    const regs = sb.stats.register;
    const bad = await cmu(store, ['register'], { deviceInfo: Buffer.from('{"model":"x"}').toString('base64') });
    assert.strictEqual(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^error: The X-Device-Info override lacks version, osName, osVersion, connectionType/);
    assert.strictEqual(sb.stats.register, regs, 'nothing sent');
  });
});
