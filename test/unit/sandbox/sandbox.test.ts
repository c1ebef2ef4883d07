import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { Sandbox } from '../../../src/sandbox/server';

const DEVICE_INFO = Buffer.from(
  JSON.stringify({ primaryHardwareType: 'Desktop', model: 'Visual Studio Code', version: '1.95.3', osName: 'Linux', osVersion: '6.1', connectionType: 'LAN' }),
).toString('base64');

function register(sb: Sandbox, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(sb.dcrOrigin + '/o/client/register', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json;charset=utf-8', Accept: 'application/json', 'X-Device-Info': DEVICE_INFO, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function token(sb: Sandbox, form: string, opts: { headers?: Record<string, string>; query?: string } = {}): Promise<Response> {
  return fetch(sb.dcrOrigin + '/o/client/token' + (opts.query ? '?' + opts.query : ''), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Device-Info': DEVICE_INFO, ...opts.headers },
    body: form,
  });
}

async function errorOf(r: Response): Promise<string> {
  assert.equal(r.status, 400);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  return ((await r.json()) as { error: string }).error;
}

async function credentials(sb: Sandbox, statement = sb.statement): Promise<{ client_id: string; client_secret: string }> {
  const r = await register(sb, { software_statement: statement });
  assert.equal(r.status, 201);
  return (await r.json()) as { client_id: string; client_secret: string };
}

function form(c: { client_id: string; client_secret: string }, grant = 'client_credentials'): string {
  return `client_id=${encodeURIComponent(c.client_id)}&client_secret=${encodeURIComponent(c.client_secret)}&grant_type=${grant}`;
}

describe('sandbox DCR', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await Sandbox.start({ throttle: false });
  });
  after(() => sb.stop());

  it('listens on 127.0.0.1 and exposes its URLs', () => {
    assert.match(sb.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sb.dcrOrigin, sb.origin);
    assert.equal(sb.cmuBase, sb.origin + '/cmu/v2');
    assert.equal(sb.jwksUrl, sb.origin + '/.well-known/jwks.json');
  });

  it('signs a statement like Adobe (RS256, sub/iss/iat/nbf, no exp) that verifies against its JWKS', async () => {
    const header = decodeProtectedHeader(sb.statement);
    assert.equal(header.alg, 'RS256');
    const claims = decodeJwt(sb.statement);
    assert.match(String(claims.sub), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(claims.iss, 'auth.adobe.com');
    assert.equal(claims.iat, claims.nbf);
    assert.equal(claims.exp, undefined);
    const jwks = (await (await fetch(sb.jwksUrl)).json()) as { keys: object[] };
    assert.deepEqual(jwks, sb.jwks);
    await jwtVerify(sb.statement, createLocalJWKSet(jwks as never), { algorithms: ['RS256'] });
  });

  it('registers a client: 201 with the documented fields', async () => {
    const r = await register(sb, { software_statement: sb.statement });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/json;charset=UTF-8');
    const body = (await r.json()) as Record<string, unknown>;
    assert.equal(typeof body.client_id, 'string');
    assert.equal(typeof body.client_secret, 'string');
    assert.ok(Math.abs((body.client_id_issued_at as number) - Date.now()) < 60_000, 'client_id_issued_at in ms');
    assert.deepEqual(body.redirect_uris, []);
    assert.deepEqual(body.grant_types, ['client_credentials']);
    assert.ok(Array.isArray(body.scopes) && body.scopes.length > 0);
  });

  it('accepts plain application/json and a redirect_uri on an allowed domain', async () => {
    const r = await register(sb, { software_statement: sb.statement, redirect_uri: 'https://www.adobe.com' }, { 'Content-Type': 'application/json' });
    assert.equal(r.status, 201);
    assert.deepEqual(((await r.json()) as { redirect_uris: string[] }).redirect_uris, ['https://www.adobe.com']);
  });

  it('register errors: invalid_request for a wrong content type, a bad body, a missing statement or X-Device-Info', async () => {
    assert.equal(await errorOf(await register(sb, { software_statement: sb.statement }, { 'Content-Type': 'text/plain' })), 'invalid_request');
    assert.equal(
      await errorOf(await register(sb, `software_statement=${sb.statement}`, { 'Content-Type': 'application/x-www-form-urlencoded' })),
      'invalid_request',
    );
    assert.equal(await errorOf(await register(sb, '{"software_statement":')), 'invalid_request');
    assert.equal(await errorOf(await register(sb, {})), 'invalid_request');
    assert.equal(await errorOf(await register(sb, { software_statement: 42 })), 'invalid_request');
    assert.equal(await errorOf(await register(sb, { software_statement: sb.statement }, { 'X-Device-Info': '' })), 'invalid_request');
    assert.equal(await errorOf(await register(sb, { software_statement: sb.statement }, { 'X-Device-Info': 'not base64!' })), 'invalid_request');
    const missingKeys = Buffer.from(JSON.stringify({ model: 'x', version: '1', osName: 'Linux' })).toString('base64');
    assert.equal(await errorOf(await register(sb, { software_statement: sb.statement }, { 'X-Device-Info': missingKeys })), 'invalid_request');
    const notJson = Buffer.from('{"model":"x" "version":"1"}').toString('base64');
    assert.equal(await errorOf(await register(sb, { software_statement: sb.statement }, { 'X-Device-Info': notJson })), 'invalid_request');
  });

  it('register errors: invalid_redirect_uri, invalid_software_statement, unapproved_software_statement', async () => {
    assert.equal(
      await errorOf(await register(sb, { software_statement: sb.statement, redirect_uri: 'https://evil.example.net/cb' })),
      'invalid_redirect_uri',
    );
    assert.equal(await errorOf(await register(sb, { software_statement: sb.statement, redirect_uri: 'not a url' })), 'invalid_redirect_uri');
    const [h, p, s] = sb.statement.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'x', iss: 'auth.adobe.com' })).toString('base64url')}.${s}`;
    for (const bad of ['abc', `${h}.${p}`, tampered, sb.statement + '\n', `${h}.${p}.${s}x`]) {
      assert.equal(await errorOf(await register(sb, { software_statement: bad })), 'invalid_software_statement', bad);
    }
    // signed by someone else
    const other = await Sandbox.start({ throttle: false });
    try {
      assert.equal(await errorOf(await register(sb, { software_statement: other.statement })), 'invalid_software_statement');
    } finally {
      await other.stop();
    }
    const unapproved = await sb.issueStatement({}, { approved: false });
    assert.equal(await errorOf(await register(sb, { software_statement: unapproved })), 'unapproved_software_statement');
    const custom = await sb.issueStatement({ sub: '08664e7d-8b7a-476d-8071-2d753a0b3432' });
    assert.equal(decodeJwt(custom).sub, '08664e7d-8b7a-476d-8071-2d753a0b3432');
    assert.equal((await register(sb, { software_statement: custom })).status, 201);
  });

  it('issues an access token: 201, a JWT with sub = client_id, comma-separated scopes and exp', async () => {
    const c = await credentials(sb);
    const r = await token(sb, form(c));
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/json;charset=UTF-8');
    const body = (await r.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 21600);
    assert.equal(typeof body.id, 'string');
    assert.ok(Math.abs((body.created_at as number) - Date.now()) < 60_000);
    const { payload, protectedHeader } = await jwtVerify(body.access_token as string, createLocalJWKSet(sb.jwks as never));
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, c.client_id);
    assert.equal(payload.iss, 'auth.adobe.com');
    assert.equal(typeof payload.scopes, 'string');
    assert.equal((payload.exp as number) - (payload.iat as number), 21600);
    assert.equal(payload.nbf, payload.iat);
  });

  it('accepts the credentials in the query string when the body is empty (Postman variant)', async () => {
    const c = await credentials(sb);
    const r = await fetch(sb.dcrOrigin + '/o/client/token?' + form(c), { method: 'POST', headers: { 'X-Device-Info': DEVICE_INFO } });
    assert.equal(r.status, 201);
  });

  it('token errors: invalid_request, invalid_client, unsupported_grant_type, unauthorized_client', async () => {
    const c = await credentials(sb);
    assert.equal(await errorOf(await token(sb, form(c), { query: form(c) })), 'invalid_request', 'credentials twice');
    assert.equal(await errorOf(await token(sb, form(c), { headers: { 'Content-Type': 'application/json' } })), 'invalid_request');
    assert.equal(await errorOf(await token(sb, `client_id=${c.client_id}&grant_type=client_credentials`)), 'invalid_request');
    assert.equal(await errorOf(await token(sb, form(c) + '&grant_type=client_credentials')), 'invalid_request', 'repeated');
    assert.equal(await errorOf(await token(sb, form(c), { headers: { 'X-Device-Info': '' } })), 'invalid_request');
    assert.equal(await errorOf(await token(sb, form({ ...c, client_secret: 'wrong' }))), 'invalid_client');
    assert.equal(await errorOf(await token(sb, form({ ...c, client_id: 'nobody' }))), 'invalid_client');
    assert.equal(await errorOf(await token(sb, form(c, 'password'))), 'unsupported_grant_type');
    const st = await sb.issueStatement({}, { unauthorized: true });
    assert.equal(await errorOf(await token(sb, form(await credentials(sb, st)))), 'unauthorized_client');
    assert.ok(sb.setClientUnauthorized(c.client_id));
    assert.equal(await errorOf(await token(sb, form(c))), 'unauthorized_client');
    sb.setClientUnauthorized(c.client_id, false);
    assert.equal((await token(sb, form(c))).status, 201);
  });

  it('answers 405 to other methods and 404 elsewhere', async () => {
    assert.equal((await fetch(sb.dcrOrigin + '/o/client/register')).status, 405);
    assert.equal((await fetch(sb.dcrOrigin + '/o/client/token', { method: 'PUT', body: '' })).status, 405);
    assert.equal((await fetch(sb.origin + '/nope')).status, 404);
  });

  it('knobs: forgetClients → invalid_client; setTokenLifetime; failNext with a DCR error; stats', async () => {
    const c = await credentials(sb);
    sb.setTokenLifetime(5);
    const t = (await (await token(sb, form(c))).json()) as { expires_in: number; access_token: string };
    assert.equal(t.expires_in, 5);
    assert.equal((decodeJwt(t.access_token).exp as number) - (decodeJwt(t.access_token).iat as number), 5);
    sb.setTokenLifetime(21600);
    sb.forgetClients();
    assert.equal(await errorOf(await token(sb, form(c))), 'invalid_client');
    const before = { ...sb.stats };
    sb.failNext(1, 400, { endpoint: 'register', error: 'invalid_software_statement' });
    assert.equal(await errorOf(await register(sb, { software_statement: sb.statement })), 'invalid_software_statement');
    assert.equal((await register(sb, { software_statement: sb.statement })).status, 201);
    assert.equal(sb.stats.register, before.register + 2);
    assert.equal(sb.stats.token, before.token);
  });

  it('knobs: failNext 503/429 with Retry-After and an HTML body, then normal answers', async () => {
    const c = await credentials(sb);
    sb.failNext(2, 503, { endpoint: 'token', retryAfterSec: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await token(sb, form(c));
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '2');
      assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await r.text(), /<title>503 Service Unavailable<\/title>/);
    }
    sb.failNext(1, 429);
    const r = await token(sb, form(c));
    assert.equal(r.status, 429);
    assert.match(await r.text(), /429 Too Many Requests/);
    assert.equal((await token(sb, form(c))).status, 201);
  });

  it('knobs: setDelay delays answers', async () => {
    sb.setDelay(150);
    const t0 = Date.now();
    await fetch(sb.jwksUrl);
    await register(sb, { software_statement: sb.statement });
    sb.setDelay(0);
    assert.ok(Date.now() - t0 >= 140);
  });

  it('knobs: a client that goes away during a delay changes nothing (its pending fault is kept for the next one)', async () => {
    sb.setDelay(300);
    sb.failNext(1, 503);
    const ac = new AbortController();
    const gone = fetch(sb.dcrOrigin + '/o/client/register', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Device-Info': DEVICE_INFO }, body: JSON.stringify({ software_statement: sb.statement }), signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(gone);
    await new Promise((r) => setTimeout(r, 400));
    sb.setDelay(0);
    assert.equal((await register(sb, { software_statement: sb.statement })).status, 503);
  });
});

describe('sandbox DCR throttling', () => {
  it('answers 429 with an openresty HTML page after a burst of 10, then recovers after ~1 s', async () => {
    const sb = await Sandbox.start();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await register(sb, { software_statement: sb.statement })).status);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(201));
      const r = await register(sb, { software_statement: sb.statement });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('content-type'), 'text/html');
      assert.equal(r.headers.get('server'), 'openresty');
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.match(await r.text(), /<title>429 Too Many Requests<\/title>/);
      await new Promise((res) => setTimeout(res, 1100));
      assert.equal((await register(sb, { software_statement: sb.statement })).status, 201);
    } finally {
      await sb.stop();
    }
  });
});
