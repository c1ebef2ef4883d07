import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DCR_ERRORS, DcrClient, DcrError } from '../../../src/core/dcr';
import { decodeDeviceInfo } from '../../../src/core/deviceInfo';
import { HttpClient } from '../../../src/core/http';
import { Sandbox } from '../../../src/sandbox/server';

const isDcr = (code: string, nextStep?: string) => (e: unknown) =>
  e instanceof DcrError && e.code === code && e.explanation.length > 20 && (!nextStep || e.nextStep === nextStep);

describe('DCR client (against the sandbox)', () => {
  let sandbox: Sandbox;
  let dcr: DcrClient;

  before(async () => {
    sandbox = await Sandbox.start({ throttle: false });
    dcr = new DcrClient({ http: new HttpClient({ timeoutMs: 5000 }), dcrOrigin: sandbox.dcrOrigin });
  });
  after(() => sandbox.stop());
  beforeEach(() => {
    sandbox.clearFailures();
    sandbox.setThrottle(false);
  });

  it('registers (201) and gets a token with the documented fields', async () => {
    const reg = await dcr.register(sandbox.statement);
    assert.match(reg.clientId, /^[0-9a-f-]{36}$/);
    assert.ok(reg.clientSecret);
    assert.deepEqual(reg.grantTypes, ['client_credentials']);
    assert.deepEqual(reg.scopes, ['cmu:analytics:client', 'cmu:billing:client']);
    assert.ok(reg.issuedAt && Math.abs(reg.issuedAt - Date.now()) < 60_000, 'issued_at in ms');
    const before = Date.now();
    const tok = await dcr.token(reg);
    assert.equal(tok.claims?.sub, reg.clientId);
    assert.deepEqual(tok.scopes, ['cmu:analytics:client', 'cmu:billing:client']);
    assert.ok(tok.expiresAt >= before + 21600_000 && tok.expiresAt <= Date.now() + 21600_000);
  });

  it('surfaces every documented error code with its explanation and next step', async () => {
    // real refusals from the sandbox
    await assert.rejects(dcr.register(sandbox.statement, { redirectUri: 'https://evil.example.com/cb' }), isDcr('invalid_redirect_uri', 'openSettings'));
    const tampered = sandbox.statement.slice(0, -4) + (sandbox.statement.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await assert.rejects(dcr.register(tampered), isDcr('invalid_software_statement', 'importStatement'));
    const unapproved = await sandbox.issueStatement({}, { approved: false });
    await assert.rejects(dcr.register(unapproved), isDcr('unapproved_software_statement', 'contactAdobe'));
    await assert.rejects(dcr.token({ clientId: 'nobody', clientSecret: 'nothing' }), isDcr('invalid_client', 'register'));
    const reg = await dcr.register(sandbox.statement);
    sandbox.setClientUnauthorized(reg.clientId);
    await assert.rejects(dcr.token(reg), isDcr('unauthorized_client', 'contactAdobe'));
    // the rest through the fault knob
    for (const code of ['invalid_request', 'unsupported_grant_type']) {
      sandbox.failNext(1, 400, { endpoint: 'token', error: code });
      await assert.rejects(dcr.token(reg), (e: unknown) => isDcr(code)(e) && (e as DcrError).explanation === DCR_ERRORS[code].explanation && (e as DcrError).status === 400);
    }
    assert.deepEqual(Object.keys(DCR_ERRORS).sort(), [
      'invalid_client',
      'invalid_redirect_uri',
      'invalid_request',
      'invalid_software_statement',
      'unapproved_software_statement',
      'unauthorized_client',
      'unsupported_grant_type',
    ]);
  });

  it('an undocumented error code is still surfaced by name', async () => {
    sandbox.failNext(1, 400, { endpoint: 'register', error: 'temporarily_unavailable' });
    await assert.rejects(dcr.register(sandbox.statement), (e: unknown) => e instanceof DcrError && e.code === 'temporarily_unavailable' && /does not document/.test(e.explanation));
  });

  it('an undocumented error code on a 5xx is a server failure to retry, not a refusal', async () => {
    sandbox.failNext(1, 500, { endpoint: 'token', error: 'server_error' });
    await assert.rejects(
      dcr.token({ clientId: 'a', clientSecret: 'b' }),
      (e: unknown) => isDcr('server_error', 'retry')(e) && /failed with HTTP 500: server_error/.test((e as Error).message) && /temporary/.test((e as DcrError).explanation),
    );
  });

  it('429 (HTML page): waits at least 1 s, retries and succeeds', async () => {
    sandbox.failNext(1, 429, { endpoint: 'register' });
    const t0 = Date.now();
    const before = sandbox.stats.register;
    await dcr.register(sandbox.statement);
    assert.ok(Date.now() - t0 >= 1000, `waited ${Date.now() - t0} ms`);
    assert.equal(sandbox.stats.register - before, 2);
  });

  it('429 through the real throttle (burst exhausted) also recovers', async () => {
    sandbox.setThrottle({ ratePerSec: 1, burst: 2 });
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) await dcr.register(sandbox.statement);
    assert.ok(Date.now() - t0 >= 1000);
  });

  it('429 that persists becomes a "throttled" DcrError', async () => {
    const impatient = new DcrClient({ http: new HttpClient({ max429Retries: 0 }), dcrOrigin: sandbox.dcrOrigin });
    sandbox.failNext(1, 429, { endpoint: 'token', retryAfterSec: 1 });
    await assert.rejects(impatient.token({ clientId: 'a', clientSecret: 'b' }), (e: unknown) => isDcr('throttled', 'retry')(e) && (e as DcrError).bodyExcerpt === '429 Too Many Requests');
  });

  it('an HTML error page becomes bad_response, never a JSON parse crash', async () => {
    sandbox.failNext(1, 502, { endpoint: 'register', html: true });
    await assert.rejects(dcr.register(sandbox.statement), (e: unknown) => isDcr('bad_response', 'retry')(e) && /HTML page/.test((e as DcrError).explanation));
    const wrong = new DcrClient({ http: new HttpClient(), dcrOrigin: `${sandbox.origin}/nothing-here` });
    await assert.rejects(wrong.register(sandbox.statement), (e: unknown) => isDcr('bad_response', 'openSettings')(e) && /DCR server URL/.test((e as DcrError).explanation));
  });
});

describe('DCR client (wire format, local server)', () => {
  let server: http.Server;
  let origin: string;
  let reply: { status: number; type: string; body: string };
  let seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(reply.status, { 'content-type': reply.type });
        res.end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => server.close(r)));
  beforeEach(() => (seen = []));

  const client = () => new DcrClient({ http: new HttpClient(), dcrOrigin: origin, userAgent: 'cmu-test/1' });

  it('sends the documented register request and accepts 200', async () => {
    reply = { status: 200, type: 'application/json', body: JSON.stringify({ client_id: 'id', client_secret: 'sec', client_id_issued_at: 1723227212 }) };
    const reg = await client().register('a.b.c', { redirectUri: 'https://www.adobe.com' });
    assert.equal(reg.issuedAt, 1723227212_000, 'seconds are converted to ms');
    assert.deepEqual(reg.scopes, []);
    const r = seen[0];
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/o/client/register');
    assert.equal(r.headers['content-type'], 'application/json;charset=utf-8');
    assert.equal(r.headers.accept, 'application/json;charset=utf-8');
    assert.equal(r.headers['user-agent'], 'cmu-test/1');
    assert.equal(decodeDeviceInfo(String(r.headers['x-device-info'])).primaryHardwareType, 'Desktop');
    assert.deepEqual(JSON.parse(r.body), { software_statement: 'a.b.c', redirect_uri: 'https://www.adobe.com' });
  });

  it('sends the token request as a form body, never in the URL', async () => {
    reply = { status: 200, type: 'application/json', body: JSON.stringify({ access_token: 'opaque', expires_in: 3600, created_at: Date.now() }) };
    const tok = await client().token({ clientId: 'id 1', clientSecret: 's&ecret' });
    assert.equal(tok.accessToken, 'opaque');
    assert.equal(tok.claims, undefined);
    assert.ok(Math.abs(tok.expiresAt - tok.obtainedAt - 3600_000) < 1);
    assert.equal(seen[0].url, '/o/client/token');
    assert.equal(seen[0].headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(seen[0].body)), { client_id: 'id 1', client_secret: 's&ecret', grant_type: 'client_credentials' });
  });

  it('never repeats a secret the server echoes in its error', async () => {
    const secret = 'S3cret-value-42';
    reply = { status: 401, type: 'application/json', body: JSON.stringify({ error: 'invalid_client', error_description: `client secret ${secret} is unknown` }) };
    await assert.rejects(client().token({ clientId: 'id', clientSecret: secret }), (e: unknown) => {
      assert.ok(isDcr('invalid_client')(e));
      const d = e as DcrError;
      assert.match(d.message, /invalid_client \(client secret \[redacted\] is unknown\)/);
      assert.ok(!JSON.stringify({ m: d.message, x: d.bodyExcerpt, s: d.explanation }).includes(secret));
      return true;
    });
    const statement = 'abcdef.ghijkl.mnopqr';
    reply = { status: 400, type: 'text/plain', body: `cannot parse ${statement}` };
    await assert.rejects(client().register(statement), (e: unknown) => isDcr('bad_response')(e) && !(e as DcrError).bodyExcerpt!.includes(statement));
  });

  it('validates success bodies', async () => {
    reply = { status: 201, type: 'application/json', body: JSON.stringify({ client_secret: 'sec' }) };
    await assert.rejects(client().register('a.b.c'), (e: unknown) => isDcr('bad_response')(e) && /client_id/.test((e as Error).message));
    reply = { status: 201, type: 'text/plain', body: 'created' };
    await assert.rejects(client().register('a.b.c'), isDcr('bad_response'));
    reply = { status: 201, type: 'application/json', body: '[]' };
    await assert.rejects(client().register('a.b.c'), (e: unknown) => isDcr('bad_response')(e) && /JSON that is not the documented object \(an array\)/.test((e as DcrError).explanation));
    reply = { status: 201, type: 'application/json', body: JSON.stringify({ token_type: 'bearer' }) };
    await assert.rejects(client().token({ clientId: 'a', clientSecret: 'b' }), (e: unknown) => isDcr('bad_response')(e) && /access_token/.test((e as Error).message));
    reply = { status: 201, type: 'application/json', body: JSON.stringify({ access_token: 'opaque' }) };
    await assert.rejects(client().token({ clientId: 'a', clientSecret: 'b' }), (e: unknown) => isDcr('bad_response')(e) && /how long/.test((e as Error).message));
  });
});
