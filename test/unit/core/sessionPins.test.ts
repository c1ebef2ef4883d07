/**
 * Secrets pinned to their hosts and the token kept in memory: two sandboxes on 127.0.0.1 play host A and host B; every request each receives is counted.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CmuClient } from '../../../src/core/cmu/client';
import type { Environment } from '../../../src/core/environments';
import { HttpClient } from '../../../src/core/http';
import { OriginChangedError, Session } from '../../../src/core/session';
import { MemoryStore, secretKey } from '../../../src/core/store';
import { Sandbox } from '../../../src/sandbox/server';

describe('session: secrets pinned to their hosts', () => {
  let a: Sandbox;
  let b: Sandbox;
  let store: MemoryStore;
  /** a CMU host B that records the Authorization header of every request */
  let recorder: http.Server;
  let recorderBase: string;
  const seen: string[] = [];

  before(async () => {
    a = await Sandbox.start({ throttle: false });
    b = await Sandbox.start({ throttle: false });
    recorder = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"report":[]}');
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
    recorderBase = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/cmu/v2`;
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await new Promise((r) => recorder.close(r));
  });
  beforeEach(() => {
    store = new MemoryStore();
    seen.length = 0;
  });

  const envA = (): Environment => ({ name: 'custom', dcrOrigin: a.dcrOrigin, cmuBase: a.cmuBase });
  const session = (env: Environment): Session => new Session({ store, env, profile: 'default', http: new HttpClient({ timeoutMs: 5000 }) });
  const counts = (s: Sandbox) => ({ ...s.stats });

  it('a token obtained for CMU origin A is never sent to origin B after a settings change; confirmOriginChange gets a new one', async () => {
    const first = session(envA());
    await first.importStatement(a.statement);
    const tokenA = await first.getToken();
    const envB: Environment = { ...envA(), cmuBase: recorderBase };
    const second = session(envB);
    const cmu = new CmuClient({ http: new HttpClient({ timeoutMs: 5000 }), session: second, cmuBase: recorderBase });
    const before = counts(a);
    await assert.rejects(cmu.fetchReport('tenant/year'), (e: unknown) => {
      assert.ok(e instanceof OriginChangedError, String(e));
      assert.equal(e.code, 'originChanged');
      assert.equal(e.nextStep, 'openSettings');
      assert.deepEqual(e.changes, [{ item: 'token', pinned: new URL(a.cmuBase).origin, current: new URL(recorderBase).origin }]);
      assert.doesNotMatch(e.message + e.explanation, new RegExp(tokenA.accessToken.slice(-20)));
      return true;
    });
    assert.deepEqual(seen, [], 'nothing reached host B');
    assert.deepEqual(counts(a), before, 'nothing was minted silently');
    // a forced refresh is refused the same way (the CLI's `token --refresh` confirms first)
    await assert.rejects(second.getToken({ forceRefresh: true }), OriginChangedError);
    assert.deepEqual(await second.originChanges(), [{ item: 'token', pinned: new URL(a.cmuBase).origin, current: new URL(recorderBase).origin }]);

    assert.equal((await second.confirmOriginChange()).length, 1);
    await cmu.fetchReport('tenant/year').catch(() => undefined);
    assert.equal(seen.length, 1);
    assert.match(seen[0], /^Bearer \S+$/);
    assert.deepEqual(counts(a), { ...before, token: before.token + 1 }, 'a new token from the same DCR, no registration');
    const stored = JSON.parse(store.data.get(secretKey('custom', 'default', 'token'))!) as Record<string, unknown>;
    assert.equal(stored.cmuOrigin, new URL(recorderBase).origin, 'the new token is pinned to B');
    // and the first session, back on host A, now sees a token that belongs to B: refused too
    await assert.rejects(first.getToken(), OriginChangedError);
  });

  it('a statement imported for DCR A is not POSTed to DCR B (nor A’s credentials) until the change is confirmed', async () => {
    const first = session(envA());
    await first.importStatement(a.statement);
    await first.getToken();
    const envB: Environment = { name: 'custom', dcrOrigin: b.dcrOrigin, cmuBase: b.cmuBase };
    const second = session(envB);
    const before = counts(b);
    await assert.rejects(second.getToken(), (e: unknown) => e instanceof OriginChangedError && e.changes[0].item === 'token');
    await assert.rejects(second.register(), (e: unknown) => e instanceof OriginChangedError && e.changes[0].item === 'statement');
    assert.equal(await second.peekCredentials(), undefined, 'credentials of DCR A are not offered for B');
    assert.deepEqual(counts(b), before, 'DCR B received nothing');
    const changes = await second.originChanges();
    assert.deepEqual(
      changes.map((c) => c.item),
      ['statement', 'credentials', 'token'],
    );
    await second.confirmOriginChange();
    assert.deepEqual(await second.originChanges(), []);
    // now the statement goes to B (B's sandbox refuses A's signature: the point is that it was asked)
    await second.getToken().catch(() => undefined);
    assert.equal(b.stats.register, before.register + 1);
  });

  it('importing a statement is consent for the current DCR origin', async () => {
    await session(envA()).importStatement(a.statement);
    const s = session({ name: 'custom', dcrOrigin: b.dcrOrigin, cmuBase: b.cmuBase });
    await s.importStatement(b.statement);
    const t = await s.getToken();
    assert.ok(t.accessToken);
  });

  it('values stored before pins are adopted for the current hosts once (no data loss, no new request)', async () => {
    const s = session(envA());
    await s.importStatement(a.statement);
    const t = await s.getToken();
    const creds = JSON.parse(store.data.get(secretKey('custom', 'default', 'credentials'))!) as Record<string, unknown>;
    const token = JSON.parse(store.data.get(secretKey('custom', 'default', 'token'))!) as Record<string, unknown>;
    delete creds.dcrOrigin;
    delete token.dcrOrigin;
    delete token.cmuOrigin;
    const legacy = new MemoryStore();
    legacy.data.set(secretKey('custom', 'default', 'statement'), a.statement);
    legacy.data.set(secretKey('custom', 'default', 'credentials'), JSON.stringify(creds));
    legacy.data.set(secretKey('custom', 'default', 'token'), JSON.stringify(token));
    const before = counts(a);
    const adopted = new Session({ store: legacy, env: envA(), profile: 'default', http: new HttpClient() });
    assert.equal((await adopted.getToken()).accessToken, t.accessToken);
    assert.equal((await adopted.getCredentials()).clientId, creds.clientId);
    assert.equal(await adopted.getStatement(), a.statement);
    assert.deepEqual(counts(a), before);
    const pinned = (k: 'statement' | 'credentials' | 'token') => JSON.parse(legacy.data.get(secretKey('custom', 'default', k))!) as Record<string, unknown>;
    assert.equal(pinned('statement').dcrOrigin, a.dcrOrigin);
    assert.equal(pinned('credentials').dcrOrigin, a.dcrOrigin);
    assert.equal(pinned('token').cmuOrigin, new URL(a.cmuBase).origin);
    // adopted once: another host is now a change
    const other = new Session({ store: legacy, env: { ...envA(), cmuBase: recorderBase }, profile: 'default', http: new HttpClient() });
    await assert.rejects(other.getToken(), OriginChangedError);
  });
});

describe('session: the token kept in memory', () => {
  let sb: Sandbox;
  before(async () => (sb = await Sandbox.start({ throttle: false })));
  after(() => sb.stop());

  it('does not read the store while the cached token is valid; reads it again when the store says it changed', async () => {
    const store = new MemoryStore();
    const env: Environment = { name: 'sandbox', dcrOrigin: sb.dcrOrigin, cmuBase: sb.cmuBase };
    const s = new Session({ store, env, profile: 'default', http: new HttpClient() });
    await s.importStatement(sb.statement);
    const t = await s.getToken();
    const key = secretKey('sandbox', 'default', 'token');
    const reads = () => store.reads.get(key) ?? 0;
    const n = reads();
    for (let i = 0; i < 5; i++) assert.equal((await s.getToken()).accessToken, t.accessToken);
    assert.equal(await s.peekToken().then((x) => x?.accessToken), t.accessToken);
    assert.equal(reads(), n, 'no store read for a valid cached token');
    // another window stored another token: the store tells, the session reads once
    const stored = JSON.parse(store.data.get(key)!) as Record<string, unknown>;
    const events: string[] = [];
    s.onDidChange((e) => events.push(e));
    await store.set(key, JSON.stringify({ ...stored, accessToken: 'token-from-another-window' }));
    assert.deepEqual(events, ['token'], 'listeners (status bar) are told after the cache is dropped');
    assert.equal((await s.getToken()).accessToken, 'token-from-another-window');
    const m = reads();
    assert.equal(m, n + 1);
    await s.getToken();
    assert.equal(reads(), m);
    s.dispose();
  });
});
