import * as assert from 'node:assert/strict';
import { DcrError } from '../../../src/core/dcr';
import { type ExchangeLog, HttpClient } from '../../../src/core/http';
import { Session } from '../../../src/core/session';
import { verifyStatement } from '../../../src/core/statement';
import { MemoryStore } from '../../../src/core/store';
import { Sandbox } from '../../../src/sandbox/server';

describe('redaction over a whole flow', () => {
  let sandbox: Sandbox;
  before(async () => (sandbox = await Sandbox.start({ throttle: false })));
  after(() => sandbox.stop());

  it('no statement, client secret or access token appears anywhere in the log', async () => {
    const log: ExchangeLog[] = [];
    const http = new HttpClient({ log: (e) => log.push(e), minRetryDelayMs: 1000 });
    const store = new MemoryStore();
    const env = { name: 'sandbox' as const, dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase };
    const session = new Session({ store, env, profile: 'p', http });
    const secrets = new Set<string>();
    const errors: string[] = [];

    await session.importStatement(sandbox.statement);
    secrets.add(sandbox.statement);
    for (const part of sandbox.statement.split('.').slice(1)) secrets.add(part);
    const t1 = await session.getToken();
    secrets.add(t1.accessToken);
    secrets.add((await session.peekCredentials())!.clientSecret);
    // invalid_client → re-registration (new secret, new token), a throttled call, a refused one
    sandbox.forgetClients();
    sandbox.failNext(1, 429, { endpoint: 'token' });
    const t2 = await session.getToken({ forceRefresh: true });
    secrets.add(t2.accessToken);
    secrets.add((await session.peekCredentials())!.clientSecret);
    sandbox.failNext(1, 400, { endpoint: 'register', error: 'invalid_software_statement' });
    await session.register().catch((e: DcrError) => errors.push(`${e.message} ${e.explanation} ${e.bodyExcerpt}`));
    // the token on its way to CMU, in the header and (a client bug) in the query string
    const res = await http.request({ method: 'GET', url: `${sandbox.cmuBase}?access_token=${t2.accessToken}`, headers: { Authorization: `Bearer ${t2.accessToken}` } });
    await res.text();

    const text = JSON.stringify(log);
    assert.ok(log.length >= 7, `${log.length} exchanges logged`);
    assert.match(text, /\/o\/client\/register/);
    assert.match(text, /\/o\/client\/token/);
    assert.ok(log.some((e) => e.status === 429));
    for (const secret of secrets) {
      assert.ok(secret.length > 8);
      assert.ok(!text.includes(secret), `the log leaks a secret (${secret.slice(0, 12)}…)`);
      for (const e of errors) assert.ok(!e.includes(secret), 'an error message leaks a secret');
    }
    // client ids are not secret and help diagnosis
    assert.match(text, /client_id=[0-9a-f-]{36}/);
  });

  it('the sandbox statement verifies against its published JWKS', async () => {
    await verifyStatement(sandbox.statement, JSON.stringify(sandbox.jwks));
  });
});
