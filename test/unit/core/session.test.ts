import * as assert from 'node:assert/strict';
import { DcrError } from '../../../src/core/dcr';
import type { Environment } from '../../../src/core/environments';
import { CmuError } from '../../../src/core/errors';
import { CancelledError, HttpClient } from '../../../src/core/http';
import { Session, type SessionEvent } from '../../../src/core/session';
import { MemoryStore, secretKey } from '../../../src/core/store';
import { Sandbox } from '../../../src/sandbox/server';

describe('session (against the sandbox)', () => {
  let sandbox: Sandbox;
  let store: MemoryStore;
  let env: Environment;
  let offset: number;

  before(async () => {
    sandbox = await Sandbox.start({ throttle: false });
    env = { name: 'sandbox', dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase };
  });
  after(() => sandbox.stop());
  beforeEach(() => {
    store = new MemoryStore();
    offset = 0;
    sandbox.clearFailures();
    sandbox.setTokenLifetime(21600);
    sandbox.setDelay(0);
  });

  const stats = (): { register: number; token: number } => ({ register: sandbox.stats.register, token: sandbox.stats.token });
  const delta = (before: { register: number; token: number }): { register: number; token: number } => ({
    register: sandbox.stats.register - before.register,
    token: sandbox.stats.token - before.token,
  });
  const session = (extra: Partial<ConstructorParameters<typeof Session>[0]> = {}): Session =>
    new Session({ store, env, profile: 'default', http: new HttpClient({ timeoutMs: 5000 }), now: () => Date.now() + offset, ...extra });

  async function ready(extra?: Partial<ConstructorParameters<typeof Session>[0]>): Promise<Session> {
    const s = session(extra);
    await s.importStatement(`\n  ${sandbox.statement}\n`);
    return s;
  }

  it('registers once, gets a token, then reuses both from the store', async () => {
    const s = await ready();
    const s0 = stats();
    const t1 = await s.getToken();
    assert.deepEqual(delta(s0), { register: 1, token: 1 });
    const creds = await s.peekCredentials();
    assert.ok(creds);
    assert.equal(t1.claims?.sub, creds.clientId);
    assert.deepEqual(t1.scopes, ['cmu:analytics:client', 'cmu:billing:client']);
    assert.equal(t1.tokenType, 'bearer');
    assert.ok(Math.abs(t1.expiresAt - (Date.now() + 21600_000)) < 5000);
    // a second Session on the same store (e.g. the CLI run again) reuses everything
    const t2 = await session().getToken();
    assert.equal(t2.accessToken, t1.accessToken);
    assert.deepEqual(delta(s0), { register: 1, token: 1 });
  });

  it('refuses the access token offered as the statement; nothing stored changes', async () => {
    const s = await ready();
    const t = await s.getToken();
    const before = new Map(store.data);
    await assert.rejects(s.importStatement(`${t.accessToken}\n`), (e: unknown) => e instanceof CmuError && e.code === 'statement_is_token' && e.nextStep === 'importStatement');
    assert.deepEqual(new Map(store.data), before);
    assert.equal((await s.peekToken())?.accessToken, t.accessToken);
  });

  it('10 concurrent getToken calls cause exactly one token request', async () => {
    const s = await ready();
    await s.getCredentials();
    sandbox.setDelay(100, 'token');
    const s0 = stats();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => s.getToken()));
    assert.deepEqual(delta(s0), { register: 0, token: 1 });
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
  });

  it('10 concurrent first calls register once and request one token', async () => {
    const s = await ready();
    const s0 = stats();
    await Promise.all(Array.from({ length: 10 }, () => s.getToken()));
    assert.deepEqual(delta(s0), { register: 1, token: 1 });
  });

  it('gets a new token near expiry without registering again', async () => {
    const s = await ready();
    const t1 = await s.getToken();
    const s0 = stats();
    offset = 21600_000 - 299_000; // inside the 5-minute margin
    const t2 = await s.getToken();
    // (the sandbox may sign an identical JWT within the same second: compare when it was obtained)
    assert.ok(t2.obtainedAt >= t1.obtainedAt + 21600_000 - 299_000);
    assert.deepEqual(delta(s0), { register: 0, token: 1 });
    offset = 21600_000 - 400_000; // fresh again relative to the new token
    await s.getToken();
    assert.deepEqual(delta(s0), { register: 0, token: 1 });
  });

  it('short-lived tokens are refreshed on real expiry (sandbox lifetime)', async () => {
    sandbox.setTokenLifetime(1);
    const s = await ready();
    const t1 = await s.getToken();
    assert.ok(t1.expiresAt - Date.now() <= 1000);
    const same = await s.getToken();
    assert.equal(same.accessToken, t1.accessToken, 'the margin is capped to a tenth of the lifetime');
    await new Promise((r) => setTimeout(r, 1100));
    const s0 = stats();
    const t2 = await s.getToken();
    assert.notEqual(t2.accessToken, t1.accessToken);
    assert.deepEqual(delta(s0), { register: 0, token: 1 });
  });

  it('forceRefresh always asks for a new token', async () => {
    const s = await ready();
    await s.getToken();
    const s0 = stats();
    await s.getToken({ forceRefresh: true });
    assert.deepEqual(delta(s0), { register: 0, token: 1 });
  });

  it('after invalid_client registers again exactly once and retries the token request', async () => {
    const s = await ready();
    const old = await s.getCredentials();
    await s.getToken();
    sandbox.forgetClients();
    const s0 = stats();
    const t = await s.getToken({ forceRefresh: true });
    assert.deepEqual(delta(s0), { register: 1, token: 2 });
    const fresh = await s.peekCredentials();
    assert.notEqual(fresh?.clientId, old.clientId);
    assert.equal(t.claims?.sub, fresh?.clientId);
  });

  it('a persistent invalid_client stops after one re-registration', async () => {
    const s = await ready();
    await s.getCredentials();
    sandbox.failNext(5, 400, { endpoint: 'token', error: 'invalid_client' });
    const s0 = stats();
    await assert.rejects(s.getToken(), (e: unknown) => e instanceof DcrError && e.code === 'invalid_client');
    assert.deepEqual(delta(s0), { register: 1, token: 2 });
  });

  it('a failed registration never erases credentials that worked', async () => {
    const s = await ready();
    const good = await s.getCredentials();
    const token = await s.getToken();
    sandbox.failNext(1, 400, { endpoint: 'register', error: 'invalid_software_statement' });
    await assert.rejects(s.register(), (e: unknown) => e instanceof DcrError && e.code === 'invalid_software_statement' && e.nextStep === 'importStatement');
    assert.deepEqual(await s.peekCredentials(), good);
    assert.deepEqual(await s.peekToken(), token);
    // and after invalid_client, a failed re-registration keeps them too
    sandbox.failNext(1, 400, { endpoint: 'token', error: 'invalid_client' });
    sandbox.failNext(1, 400, { endpoint: 'register', error: 'unapproved_software_statement' });
    await assert.rejects(s.getToken({ forceRefresh: true }), (e: unknown) => e instanceof DcrError && e.code === 'unapproved_software_statement');
    assert.deepEqual(await s.peekCredentials(), good);
    assert.ok(await s.getToken({ forceRefresh: true }));
  });

  it('a newly imported statement is registered on next use; its failure keeps the old credentials', async () => {
    const s = await ready();
    const old = await s.getCredentials();
    await s.getToken();
    const other = await sandbox.issueStatement();
    await s.importStatement(other);
    assert.equal(await s.peekToken(), undefined, 'the old token does not outlive its statement');
    sandbox.failNext(1, 400, { endpoint: 'register', error: 'unapproved_software_statement' });
    await assert.rejects(s.getToken(), (e: unknown) => e instanceof DcrError && e.code === 'unapproved_software_statement');
    assert.deepEqual(await s.peekCredentials(), old);
    const s0 = stats();
    const t = await s.getToken();
    assert.deepEqual(delta(s0), { register: 1, token: 1 });
    assert.notEqual(t.claims?.sub, old.clientId);
    // importing the same statement again changes nothing
    await s.importStatement(`${other}\n`);
    assert.deepEqual(await s.peekToken(), t);
  });

  it('without a statement, asks for one', async () => {
    const s = session();
    await assert.rejects(s.getToken(), (e: unknown) => e instanceof CmuError && e.code === 'no_statement' && e.nextStep === 'importStatement');
  });

  it('a corrupted stored value is treated as absent, with a clear message', async () => {
    const warned: string[] = [];
    const s = await ready({ warn: (m) => warned.push(m) });
    await store.set(secretKey('sandbox', 'default', 'credentials'), '{"clientId": 42');
    await store.set(secretKey('sandbox', 'default', 'token'), JSON.stringify({ accessToken: 7 }));
    assert.equal(await s.peekCredentials(), undefined);
    assert.equal(await s.peekToken(), undefined);
    assert.equal(warned.length, 2);
    assert.match(warned[0], /stored client credentials for sandbox\/default is unreadable/);
    const s0 = stats();
    await s.getToken();
    assert.deepEqual(delta(s0), { register: 1, token: 1 });
    await store.set(secretKey('sandbox', 'default', 'statement'), 'not a jwt');
    assert.equal(await s.getStatement(), undefined);
    assert.match(s.warnings.at(-1) ?? '', /software statement/);
  });

  it('never uses credentials issued by another DCR origin', async () => {
    const s = await ready();
    const creds = await s.getCredentials();
    await store.set(secretKey('sandbox', 'default', 'credentials'), JSON.stringify({ ...creds, dcrOrigin: 'https://other.example' }));
    assert.equal(await s.peekCredentials(), undefined);
    const s0 = stats();
    await s.getToken({ forceRefresh: true });
    assert.deepEqual(delta(s0), { register: 1, token: 1 });
  });

  it('forget(scope) and change events', async () => {
    const s = await ready();
    const events: SessionEvent[] = [];
    const off = s.onDidChange((e) => events.push(e));
    await s.getToken();
    assert.deepEqual(events, ['refreshing', 'credentials', 'token']);
    await s.forget('token');
    assert.equal(await s.peekToken(), undefined);
    assert.ok(await s.peekCredentials());
    await s.forget('credentials');
    assert.equal(await s.peekCredentials(), undefined);
    assert.ok(await s.getStatement());
    await s.forget();
    assert.equal(await s.getStatement(), undefined);
    off();
    await s.importStatement(sandbox.statement);
    assert.deepEqual(events, ['refreshing', 'credentials', 'token', 'forgotten', 'forgotten', 'forgotten']);
  });

  it('a failed token request ends its "refreshing" with "refreshFailed" (the status bar must not stay busy)', async () => {
    const s = await ready();
    await s.getCredentials();
    const events: SessionEvent[] = [];
    const off = s.onDidChange((e) => events.push(e));
    sandbox.failNext(1, 500, { endpoint: 'token' });
    await assert.rejects(s.getToken({ forceRefresh: true }));
    off();
    assert.deepEqual(events, ['refreshing', 'refreshFailed']);
  });

  it('a cancelled caller stops waiting; the shared request is aborted once nobody waits', async () => {
    const s = await ready();
    await s.getCredentials();
    await assert.rejects(s.getToken({ signal: AbortSignal.abort() }), CancelledError);
    sandbox.setDelay(400, 'token');
    const ac = new AbortController();
    const p = s.getToken({ signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, CancelledError);
    assert.equal(await s.peekToken(), undefined);
    sandbox.setDelay(0);
    assert.ok(await s.getToken());
  });

  it('a caller that comes right after every earlier caller left starts a new request instead of joining the aborted one', async () => {
    // what a report panel does when a second load replaces the first during a newcomer's first registration
    const s = await ready();
    sandbox.setDelay(300, 'register');
    const first = new AbortController();
    const a = s.getToken({ signal: first.signal });
    const b = s.getToken({ signal: first.signal });
    await new Promise((r) => setTimeout(r, 50));
    first.abort(); // both leave: the shared registration is aborted
    const c = s.getToken(); // at once, before the aborted flight has settled
    await assert.rejects(a, CancelledError);
    await assert.rejects(b, CancelledError);
    const t = await c;
    assert.ok(t.accessToken, 'the new caller got a token');
    assert.ok(await s.peekCredentials(), 'and the client it registered is stored');
  });

  it('the statement is kept normalised and described', async () => {
    const s = session();
    const info = await s.importStatement(`\uFEFF${sandbox.statement.slice(0, 30)}\r\n${sandbox.statement.slice(30)}\n`);
    assert.equal(info.compact, sandbox.statement);
    assert.equal(await s.getStatement(), sandbox.statement);
    const d = await s.describeStatement();
    assert.equal(d?.alg, 'RS256');
    assert.equal(d?.claims.iss, 'auth.adobe.com');
  });
});
