/** A HAL href that climbs out of the CMU base path on the same origin never gets the token. */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CmuClient } from '../../../../src/core/cmu/client';
import { isWithinBase, resolveHrefWithinBase } from '../../../../src/core/cmu/hal';
import { CmuError } from '../../../../src/core/errors';
import { HttpClient } from '../../../../src/core/http';
import { Session } from '../../../../src/core/session';
import { MemoryStore } from '../../../../src/core/store';
import { Sandbox } from '../../../../src/sandbox/server';

const CLIMBS = [
  '/cmu/v2/%2E%2E/%2E%2E/admin',
  '/cmu/v2/%2e%2e/secret',
  '/cmu/v2/.%2E/x',
  '/cmu/v2/../../admin',
  '/cmu/v2/tenant/..%2F..%2F..%2Fadmin',
  '/cmu/v2/tenant/..%5C..%5Cadmin',
  '/cmu/v2\\..\\admin',
  '/admin',
  '/cmu/v2evil/x',
];

describe('cmu/hal: hrefs stay under the CMU base path', () => {
  it('isWithinBase / resolveHrefWithinBase', () => {
    const base = 'https://mgmt.auth.adobe.com/cmu/v2';
    for (const href of CLIMBS) assert.equal(resolveHrefWithinBase(href, base), undefined, href);
    assert.equal(resolveHrefWithinBase('/cmu/v2/tenant/year.csv?x=%2E%2E', base), 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year.csv?x=%2E%2E');
    assert.equal(resolveHrefWithinBase('tenant/year', base), 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year');
    assert.equal(isWithinBase('https://mgmt.auth.adobe.com/cmu/v2', base), true);
    assert.equal(isWithinBase('https://mgmt.auth.adobe.com/cmu/v2.json', base), true);
    // staging: base /v2, links written as /cmu/v2
    assert.equal(isWithinBase('https://stage.example/cmu/v2/year', 'https://stage.example/v2'), true);
    assert.equal(isWithinBase('https://stage.example/v2/%2e%2e/x', 'https://stage.example/v2'), false);
    assert.equal(isWithinBase('https://other.example/cmu/v2', base), false);
  });

  describe('CmuClient against a recording server', () => {
    let sb: Sandbox;
    let server: http.Server;
    const seen: { url: string; auth: string }[] = [];
    let client: CmuClient;
    before(async () => {
      sb = await Sandbox.start({ throttle: false });
      server = http.createServer((req, res) => {
        seen.push({ url: req.url ?? '', auth: req.headers.authorization ?? '' });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"_embedded":{"report":[]}}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cmu/v2`;
      const httpClient = new HttpClient({ timeoutMs: 5000 });
      const session = new Session({ store: new MemoryStore(), env: { name: 'custom', dcrOrigin: sb.dcrOrigin, cmuBase: base }, profile: 'default', http: httpClient });
      await session.importStatement(sb.statement);
      client = new CmuClient({ http: httpClient, session, cmuBase: base });
    });
    after(async () => {
      await sb.stop();
      await new Promise((r) => server.close(r));
    });

    it('a drill-down href with %2E%2E segments is refused before the request; a normal one is sent', async () => {
      for (const href of CLIMBS) {
        await assert.rejects(client.fetchReport(href), (e: unknown) => e instanceof CmuError && (e.code === 'outside_base' || e.code === 'origin_mismatch'), href);
      }
      assert.equal(seen.length, 0, `nothing reached the server: ${JSON.stringify(seen)}`);
      await client.fetchReport('/cmu/v2/tenant').catch(() => undefined);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].url, '/cmu/v2/tenant');
    });
  });
});
