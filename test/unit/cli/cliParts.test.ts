/** CLI pieces without a process: environment resolution, key scoping, report flags, output formatting. */
import * as assert from 'assert';
import { clockStep } from '../../../src/core/diagnose';
import { buildQuery, parseFilter } from '../../../src/cli/commands/report';
import { ScopedStore, environmentFrom, formatExchange } from '../../../src/cli/context';
import { exitCodeFor, formatError, formatTable, sanitize } from '../../../src/cli/output';
import { CmuError, InputError } from '../../../src/core/errors';
import { redactText } from '../../../src/core/redact';
import { OriginChangedError } from '../../../src/core/session';
import { MemoryStore, secretKey } from '../../../src/core/store';

describe('cli parts', () => {
  describe('environmentFrom', () => {
    it('no URL is production', () => {
      const e = environmentFrom(undefined, undefined);
      assert.strictEqual(e.name, 'production');
      assert.strictEqual(e.dcrOrigin, 'https://sp.auth.adobe.com');
      assert.strictEqual(e.cmuBase, 'https://mgmt.auth.adobe.com/cmu/v2');
    });
    it('a loopback DCR origin is the sandbox, with its CMU base on the same origin', () => {
      const e = environmentFrom('http://127.0.0.1:4567', undefined);
      assert.strictEqual(e.name, 'sandbox');
      assert.strictEqual(e.dcrOrigin, 'http://127.0.0.1:4567');
      assert.strictEqual(e.cmuBase, 'http://127.0.0.1:4567/cmu/v2');
      assert.strictEqual(environmentFrom('http://localhost:1/', 'http://localhost:2/x/cmu/v2/').cmuBase, 'http://localhost:2/x/cmu/v2');
    });
    it('any other URL is custom; a custom DCR origin has no CMU base unless given', () => {
      const e = environmentFrom('https://sp.example.com', undefined);
      assert.strictEqual(e.name, 'custom');
      assert.strictEqual(e.cmuBase, undefined);
      const c = environmentFrom(undefined, 'https://cmu.example.com/cmu/v2');
      assert.strictEqual(c.name, 'custom');
      assert.strictEqual(c.dcrOrigin, 'https://sp.auth.adobe.com');
    });
    it("Adobe's hosts given explicitly keep their environment names", () => {
      assert.deepStrictEqual(environmentFrom('https://sp.auth.adobe.com/', undefined), environmentFrom(undefined, undefined));
      assert.strictEqual(environmentFrom('https://sp.auth.adobe.com', 'https://mgmt.auth.adobe.com/cmu/v2').name, 'production');
      assert.strictEqual(environmentFrom('https://sp.auth.adobe.com', 'https://cmu.example.com/cmu/v2').name, 'custom');
      const staging = environmentFrom('https://sp.auth-staging.adobe.com', undefined);
      assert.deepStrictEqual(staging, { name: 'staging', dcrOrigin: 'https://sp.auth-staging.adobe.com', cmuBase: undefined });
      assert.strictEqual(environmentFrom('https://sp.auth-staging.adobe.com', 'https://cmu-stage.example.com/cmu/v2').cmuBase, 'https://cmu-stage.example.com/cmu/v2');
    });
    it('refuses http off loopback, paths on the DCR origin, queries on the CMU base', () => {
      assert.throws(() => environmentFrom('http://sp.example.com', undefined), InputError);
      assert.throws(() => environmentFrom('https://sp.example.com/o/client/register', undefined), /origin/);
      assert.throws(() => environmentFrom(undefined, 'https://cmu.example.com/cmu/v2?x=1'), /without a query/);
      assert.throws(() => environmentFrom('https://u:p@sp.example.com', undefined), InputError);
    });
  });

  it('ScopedStore keeps secrets of different custom endpoints apart; production keys unchanged', async () => {
    const mem = new MemoryStore();
    const a = new ScopedStore(mem, environmentFrom('http://127.0.0.1:1', undefined));
    const b = new ScopedStore(mem, environmentFrom('http://127.0.0.1:2', undefined));
    const p = new ScopedStore(mem, environmentFrom(undefined, undefined));
    const key = (env: string) => secretKey(env, 'default', 'token');
    await a.set(key('sandbox'), 'A');
    await b.set(key('sandbox'), 'B');
    await p.set(key('production'), 'P');
    assert.strictEqual(await a.get(key('sandbox')), 'A');
    assert.strictEqual(await b.get(key('sandbox')), 'B');
    assert.strictEqual(mem.data.get(key('production')), 'P');
    assert.strictEqual(mem.data.size, 3);
  });

  it('ScopedStore: statement, credentials and token follow the DCR origin (the session pins the CMU origin); old token keys are read once', async () => {
    const mem = new MemoryStore();
    const dcr = 'https://sp.example.com';
    const without = new ScopedStore(mem, environmentFrom(dcr, undefined));
    const withCmu = new ScopedStore(mem, environmentFrom(dcr, 'https://cmu.example.com/cmu/v2'));
    const other = new ScopedStore(mem, environmentFrom(dcr, 'https://other.example.com/cmu/v2'));
    for (const item of ['statement', 'credentials'] as const) {
      await without.set(secretKey('custom', 'default', item), item);
      assert.strictEqual(await withCmu.get(secretKey('custom', 'default', item)), item, `${item} found once --cmu-url is added`);
    }
    const token = secretKey('custom', 'default', 'token');
    // the key of versions before 0.2 named the CMU origin too
    const legacy = `cmu/custom@${dcr} https://cmu.example.com/default/token`;
    mem.data.set(legacy, 'OLD');
    assert.strictEqual(await withCmu.get(token), 'OLD');
    assert.strictEqual(await other.get(token), undefined, 'an old key is only read for its own CMU origin');
    await withCmu.set(token, 'T');
    assert.strictEqual(mem.data.has(legacy), false, 'moved');
    assert.strictEqual(await other.get(token), 'T', 'one token per DCR origin: the session refuses it for another CMU origin');
  });

  describe('report flags', () => {
    it('parses = and != filters (values may contain =)', () => {
      assert.deepStrictEqual(parseFilter('mvpd=Comcast'), { dimension: 'mvpd', op: '=', values: ['Comcast'] });
      assert.deepStrictEqual(parseFilter('mvpd!=A=B'), { dimension: 'mvpd', op: '!=', values: ['A=B'] });
      assert.throws(() => parseFilter('mvpd'), InputError);
      assert.throws(() => parseFilter('=x'), InputError);
      assert.throws(() => parseFilter('mvpd='), /--dimension/);
    });
    it('merges repeated filters into IN / NOT IN and adds projections, metrics, limit', () => {
      const { query, format } = buildQuery('/cmu/v2/tenant/year/month?mvpd=A', {
        filter: ['mvpd=B', 'mvpd!=C', 'mvpd!=D', 'mvpd=A'],
        dimension: ['platform'],
        metrics: 'active-users, started-sessions',
        limit: '10',
        start: '2024-11',
      });
      assert.strictEqual(format, undefined);
      assert.deepStrictEqual(query.path, ['tenant', 'year', 'month']);
      assert.deepStrictEqual(query.filters, [
        { dimension: 'mvpd', op: '=', values: ['A', 'B'] },
        { dimension: 'mvpd', op: '!=', values: ['C', 'D'] },
      ]);
      assert.deepStrictEqual(query.projections, ['platform']);
      assert.deepStrictEqual(query.metrics, ['active-users', 'started-sessions']);
      assert.strictEqual(query.limit, 10);
      assert.strictEqual(query.start, '2024-11');
    });
    it('a pasted URL must be on the CMU origin of the environment', () => {
      const base = 'http://127.0.0.1:9/cmu/v2';
      assert.deepStrictEqual(buildQuery('http://127.0.0.1:9/cmu/v2/tenant/year?mvpd=A', {}, base).query.path, ['tenant', 'year']);
      assert.throws(() => buildQuery('https://evil.example.com/cmu/v2/tenant/year', {}, base), /evil\.example\.com/);
    });
    it('--window: the relative window replaces a pasted range; never with --start/--end; bad text refused', () => {
      const { query } = buildQuery('/cmu/v2/year/month/day?start=2024-01-01&end=2024-02-01', { window: 'last 7 days' });
      assert.strictEqual(query.window, '7d');
      assert.strictEqual(query.start, undefined);
      assert.strictEqual(query.end, undefined);
      assert.throws(() => buildQuery('year/month/day', { window: '7d', end: '2024' }), /--window and --start\/--end/);
      assert.throws(() => buildQuery('year/month/day', { window: '30m' }), (e: InputError) => e instanceof InputError && /ambiguous/.test(e.message));
    });
    it('format: --format wins over the path extension; html and unknown formats are refused', () => {
      assert.strictEqual(buildQuery('tenant/year.csv', {}).format, 'csv');
      assert.strictEqual(buildQuery('tenant/year.csv', { format: 'TABLE' }).format, 'table');
      assert.throws(() => buildQuery('tenant/year', { format: 'pdf' }), InputError);
      assert.throws(() => buildQuery('tenant/year.html', {}), InputError);
      assert.throws(() => buildQuery('tenant/year', { limit: '0' }), InputError);
      assert.throws(() => buildQuery('tenant/year', { limit: '1e3' }), InputError);
      assert.throws(() => buildQuery('tenant/year', { metrics: ' , ' }), InputError);
    });
  });

  it('clock verdicts (core, one sign: local − server, positive = ahead): ok within 30 s, warn up to 5 min, fail beyond', () => {
    assert.strictEqual(clockStep(800).verdict, 'ok');
    assert.match(clockStep(800).detail, /matches/);
    assert.strictEqual(clockStep(-20_000).verdict, 'ok');
    const warn = clockStep(90_000);
    assert.strictEqual(warn.verdict, 'warn');
    assert.match(warn.detail, /1m 30s ahead of the server/);
    assert.ok(warn.fix && warn.why);
    const fail = clockStep(-600_000);
    assert.strictEqual(fail.verdict, 'fail');
    assert.match(fail.detail, /10m 0s behind the server/);
  });

  describe('output', () => {
    it('aligns columns, right-aligns numbers, strips control characters', () => {
      const t = formatTable(['name', 'n'], [
        ['a', 1],
        ['long name', 12345],
        ['x\u001b[31my', null],
      ]);
      assert.strictEqual(
        t,
        ['name              n', '------------  -----', 'a                 1', 'long name     12345', 'x\\u001b[31my'].join('\n'),
      );
      assert.strictEqual(sanitize('a\u0007b\tc'), 'a\\u0007b c');
      // a carriage return, an OSC 8 hyperlink and a bidi override are shown, not obeyed
      assert.strictEqual(sanitize('ok\rEVIL \u001b]8;;https://x\u0007y \u202eexe.txt'), 'ok\\u000dEVIL \\u001b]8;;https://x\\u0007y \\u202eexe.txt');
    });
    it('errors are redacted with the secrets of the run and sanitized, the --verbose stack too', () => {
      const e = new CmuError('server said: opaque-secret-123 \u001b[2J', 'Bearer abc.def \u202e', 'none', 'x');
      const text = formatError(e, { prefix: 'cmu', verbose: true, redact: (t) => redactText(t, ['opaque-secret-123']) });
      assert.ok(!text.includes('opaque-secret-123'), text);
      assert.ok(!text.includes('abc.def'), text);
      assert.ok(!/[\u001b\u202e]/.test(text), text);
      assert.match(text, /\\u001b\[2J/);
      const plain = formatError(new Error('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig \u001b[31m'), { prefix: 'cmu', verbose: true });
      assert.ok(!plain.includes('eyJhbGciOiJIUzI1NiJ9'), 'patterns without a session');
      assert.ok(!plain.includes('\u001b'), 'the stack (which repeats the message) is sanitized');
    });
    it('an origin change names the consent command', () => {
      const text = formatError(new OriginChangedError([{ item: 'token', pinned: 'https://a', current: 'https://b' }]), { prefix: 'cmu --cmu-url https://b/cmu/v2' });
      assert.match(text, /belongs to https:\/\/a, not to https:\/\/b/);
      assert.match(text, /hint: if the new host is intended, get a token for it: cmu --cmu-url https:\/\/b\/cmu\/v2 token --refresh/);
    });
    it('errors: message, explanation, hint; a stack only when verbose; exit codes 2 for input, 1 otherwise', () => {
      const e = new CmuError('Token refused', 'The client is unknown.', 'register', 'invalid_client');
      const text = formatError(e, { prefix: 'cmu' });
      assert.strictEqual(text, 'error: Token refused\n  The client is unknown.\n  hint: register a client: cmu register');
      assert.ok(!formatError(new Error('boom'), { prefix: 'cmu' }).includes('    at '));
      assert.ok(formatError(new Error('boom'), { prefix: 'cmu', verbose: true }).includes('    at '));
      assert.strictEqual(exitCodeFor(new InputError('x', 'y')), 2);
      assert.strictEqual(exitCodeFor(e), 1);
      assert.strictEqual(exitCodeFor(new Error('x')), 1);
    });
    it('formats an exchange log entry on one line per header', () => {
      const s = formatExchange({ method: 'GET', url: 'http://h/x', status: 200, durationMs: 5, attempt: 1, requestHeaders: { Authorization: '[redacted]' } });
      assert.strictEqual(s, '[http] GET http://h/x -> 200 (5 ms, attempt 1)\n[http]   Authorization: [redacted]\n');
    });
  });
});
