import * as assert from 'node:assert/strict';
import { formatRemaining } from '../../../src/core/clock';
import { describeToken, parseScopes, tokenFromResponse, tokenLifetimeMs } from '../../../src/core/token';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
// the claims of Adobe's real capture (reference (d))
const claims = { sub: 'a76e8ae2-f61e-4939-b14b-9a0f98a71387', nbf: 1700726648, iss: 'auth.adobe.com', scopes: 'config:client,decisions:client,platform:sso', exp: 1700748248, iat: 1700726648 };
const jwt = `${b64({ alg: 'RS256' })}.${b64(claims)}.c2ln`;

describe('access token', () => {
  it('formats the remaining time', () => {
    const cases: [number, string][] = [
      [(5 * 3600 + 12 * 60 + 59) * 1000, '5h 12m'],
      [(3 * 86400 + 4 * 3600) * 1000, '3d 4h'],
      [(12 * 60 + 5) * 1000 + 999, '12m 5s'],
      [45_000, '45s'],
      [999, '0s'],
      [0, '0s'],
      [-5000, '0s'],
      [Number.NaN, '0s'],
    ];
    for (const [ms, text] of cases) assert.equal(formatRemaining(ms), text, String(ms));
  });

  it('decodes a JWT token: scopes from the comma-separated string, expiry from the LOCAL receive time', () => {
    const receivedAt = 2_000_000_000_000; // the local clock differs from the server's created_at
    const body = { access_token: jwt, expires_in: 21600, created_at: 1700726648017, token_type: 'bearer' };
    const t = tokenFromResponse(body, receivedAt, tokenLifetimeMs(body, claims)!);
    assert.equal(t.expiresAt, receivedAt + 21600_000);
    assert.equal(t.obtainedAt, receivedAt);
    assert.deepEqual(t.scopes, ['config:client', 'decisions:client', 'platform:sso']);
    assert.equal(t.claims?.sub, claims.sub);
  });

  it('an opaque token uses expires_in; without it the JWT exp − iat, or exp − created_at', () => {
    assert.equal(tokenLifetimeMs({ access_token: 'opaque', expires_in: 3600, created_at: 1 }), 3600_000);
    assert.equal(tokenLifetimeMs({ access_token: jwt }, claims), 21600_000);
    assert.equal(tokenLifetimeMs({ access_token: 'x', created_at: 1700726648000 }, { exp: 1700748248 }), 21600_000);
    assert.equal(tokenLifetimeMs({ access_token: 'opaque' }), undefined);
    const t = tokenFromResponse({ access_token: 'opaque', expires_in: 60 }, 1000, 60_000);
    assert.equal(t.claims, undefined);
    assert.deepEqual(t.scopes, []);
    assert.equal(t.tokenType, 'bearer');
  });

  it('parses scopes in either shape', () => {
    assert.deepEqual(parseScopes('a,b, c'), ['a', 'b', 'c']);
    assert.deepEqual(parseScopes(['a', 1, 'b']), ['a', 'b']);
    assert.deepEqual(parseScopes(undefined), []);
  });

  it('describes a token without revealing it', () => {
    const now = 1_800_000_000_000;
    const t = tokenFromResponse({ access_token: jwt, expires_in: 21600 }, now - 48 * 60_000, 21600_000);
    const d = describeToken(t, now);
    assert.equal(d.status, 'valid for 5h 12m');
    assert.equal(d.expired, false);
    assert.equal(d.subject, claims.sub);
    assert.equal(d.issuer, 'auth.adobe.com');
    assert.ok(!JSON.stringify(d).includes(jwt));
    assert.equal(describeToken(t, t.expiresAt + 62_000).status, 'expired 1m 2s ago');
  });
});
