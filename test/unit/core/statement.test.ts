import * as assert from 'node:assert/strict';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { InputError } from '../../../src/core/errors';
import { parseStatement, verifyStatement } from '../../../src/core/statement';

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const rejectsWith = (code: string, message: RegExp) => (e: unknown) => e instanceof InputError && e.code === code && message.test(e.message) && e.nextStep === 'importStatement';

describe('software statement', () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let other: Awaited<ReturnType<typeof generateKeyPair>>;
  let adobeLike: string;
  const iat = 1700667057;

  before(async () => {
    keys = await generateKeyPair('RS256', { extractable: true });
    other = await generateKeyPair('RS256', { extractable: true });
    // Adobe's sample claims: sub, nbf, iss, iat; header {"alg":"RS256"} with no typ/kid
    adobeLike = await new SignJWT({ sub: '08664e7d-8b7a-476d-8071-2d753a0b3432', nbf: iat, iss: 'auth.adobe.com', iat }).setProtectedHeader({ alg: 'RS256' }).sign(keys.privateKey);
  });

  it('accepts the downloaded file as it is and describes it', () => {
    const file = `\uFEFF  ${adobeLike.slice(0, 40)}\r\n${adobeLike.slice(40, 90)}\n${adobeLike.slice(90)}\n\n`;
    const info = parseStatement(file, iat * 1000 + 1);
    assert.equal(info.compact, adobeLike);
    assert.equal(info.alg, 'RS256');
    assert.equal(info.kid, undefined);
    assert.deepEqual(info.warnings, []);
    const byName = Object.fromEntries(info.fields.map((f) => [f.name, f.display]));
    assert.deepEqual(byName, {
      alg: 'RS256',
      sub: '08664e7d-8b7a-476d-8071-2d753a0b3432',
      iss: 'auth.adobe.com',
      iat: '2023-11-22 15:30:57 UTC',
      nbf: '2023-11-22 15:30:57 UTC',
    });
    assert.deepEqual(
      info.fields.map((f) => f.name),
      ['alg', 'sub', 'iss', 'iat', 'nbf'],
    );
  });

  it('describes kid and any other claim', async () => {
    const jws = await new SignJWT({ software_id: 'X1', scopes: ['a'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime(iat + 60).sign(keys.privateKey);
    const info = parseStatement(jws, iat * 1000);
    assert.equal(info.kid, 'k1');
    const byName = Object.fromEntries(info.fields.map((f) => [f.name, f.display]));
    assert.equal(byName.kid, 'k1');
    assert.equal(byName.software_id, 'X1');
    assert.equal(byName.scopes, '["a"]');
    assert.equal(byName.exp, '2023-11-22 15:31:57 UTC');
  });

  it('warns (does not reject) when nbf is in the future or exp has passed', async () => {
    const future = parseStatement(adobeLike, iat * 1000 - 5000);
    assert.equal(future.warnings.length, 1);
    assert.match(future.warnings[0], /not valid before 2023-11-22 15:30:57 UTC/);
    const expiring = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setExpirationTime(iat).sign(keys.privateKey);
    const expired = parseStatement(expiring, iat * 1000 + 1000);
    assert.match(expired.warnings.join(), /expired on 2023-11-22 15:30:57 UTC/);
  });

  it('rejects with a specific message', () => {
    const h = b64({ alg: 'RS256' });
    const c = b64({ sub: 'x' });
    const cases: [string, string, RegExp][] = [
      ['', 'statement_empty', /empty/],
      [' \n\t\n', 'statement_empty', /empty/],
      [`${h}.${c}`, 'statement_not_jws', /three parts.*has 2/],
      [`${h}.${c}.sig.more`, 'statement_not_jws', /has 4/],
      [`${h}.${b64({ enc: 'x' })}.iv.ct.tag`, 'statement_jwe', /encrypted.*JWE/],
      [`${h}.c+/=.sig`, 'statement_bad_base64url', /claims part .* not valid base64url/],
      [`${h}.${c}.`, 'statement_bad_base64url', /signature part .* empty/],
      [`${b64('not json')}.${c}.sig`, 'statement_not_json', /header part .* not JSON/],
      [`${h}.${b64('[1,2]')}.sig`, 'statement_not_json', /claims part .* not a JSON object/],
      [`${b64({ alg: 'none' })}.${c}.sig`, 'statement_alg_none', /unsigned/],
      [`${b64({ alg: 'none' })}.${c}.`, 'statement_alg_none', /unsigned/], // an unsecured JWT as it is written
      [`${b64({ alg: 'NONE' })}.c+/.`, 'statement_alg_none', /unsigned/],
      [`${b64({ typ: 'JWT' })}.${c}.sig`, 'statement_no_alg', /no "alg"/],
      [`${h}.${c}.${'A'.repeat(70_000)}`, 'statement_too_large', /larger than 64 KB/],
    ];
    for (const [text, code, message] of cases) {
      assert.throws(() => parseStatement(text), rejectsWith(code, message), `${code}: ${text.slice(0, 40)}`);
    }
  });

  it('verifies the signature with a PEM key, a JWK or a JWKS', async () => {
    const pem = await exportSPKI(keys.publicKey);
    const jwk = await exportJWK(keys.publicKey);
    await verifyStatement(adobeLike, pem);
    await verifyStatement(`${adobeLike}\n`, JSON.stringify(jwk));
    await verifyStatement(adobeLike, JSON.stringify({ keys: [{ ...jwk, alg: 'RS256' }] }));
    const wrong = await exportSPKI(other.publicKey);
    await assert.rejects(verifyStatement(adobeLike, wrong), (e: unknown) => e instanceof InputError && e.code === 'bad_signature');
    const wrongSet = JSON.stringify({ keys: [{ ...(await exportJWK(other.publicKey)), alg: 'RS256' }] });
    await assert.rejects(verifyStatement(adobeLike, wrongSet), (e: unknown) => e instanceof InputError && e.code === 'bad_signature');
    await assert.rejects(verifyStatement(adobeLike, 'not a key'), (e: unknown) => e instanceof InputError && e.code === 'bad_key');
  });
});
