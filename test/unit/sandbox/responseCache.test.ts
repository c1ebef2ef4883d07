import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ResponseCache } from '../../../src/sandbox/responseCache';
import { Sandbox } from '../../../src/sandbox/server';

const NOW = Date.UTC(2026, 10, 26, 10, 15, 30);
const HOUR = 3_600_000;

describe('sandbox response cache', () => {
  describe('ResponseCache', () => {
    const keep = (c: ResponseCache, key: string, body: string) => {
      const r = c.recorder(key);
      for (const part of body.match(/.{1,3}/g) ?? []) r.add(part);
      r.done();
    };

    it('keeps what was recorded whole, evicts the least recently used to stay within its bytes', () => {
      const c = new ResponseCache({ maxBytes: 10, minBodyBytes: 1 });
      keep(c, 'a', 'aaaa');
      keep(c, 'b', 'bbbb');
      assert.equal(c.get('a')?.toString(), 'aaaa'); // a is now the most recent
      keep(c, 'c', 'cccc');
      assert.equal(c.get('b'), undefined, 'b was the least recently used');
      assert.equal(c.get('a')?.toString(), 'aaaa');
      assert.equal(c.get('c')?.toString(), 'cccc');
      assert.deepEqual(c.stats, { hits: 3, entries: 2, bytes: 8 });
    });

    it('keeps no body cut short, too small or bigger than the whole cache', () => {
      const c = new ResponseCache({ maxBytes: 10, minBodyBytes: 3 });
      c.recorder('cut').add('abcd'); // never done: the client went away
      keep(c, 'small', 'ab');
      keep(c, 'big', 'x'.repeat(11));
      keep(c, 'kept', 'abc');
      assert.deepEqual(c.stats, { hits: 0, entries: 1, bytes: 3 });
    });
  });

  describe('in the sandbox', () => {
    let now = NOW;
    let cached: Sandbox;
    let fresh: Sandbox;
    const tokens = new Map<Sandbox, string>();
    /** The whole exchange, raw: status, headers, the bytes as sent (no decompression). */
    const raw = (sb: Sandbox, href: string, headers: Record<string, string> = {}) =>
      new Promise<{ status?: number; complete: boolean; headers: Record<string, unknown>; body: Buffer }>((resolve) => {
        const chunks: Buffer[] = [];
        const req = request(sb.origin + href, { headers: { Authorization: `Bearer ${tokens.get(sb)}`, ...headers } }, (res) => {
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('close', () => {
            const { date: _date, ...rest } = res.headers; // the only header that changes from one second to the next
            resolve({ status: res.statusCode, complete: res.complete, headers: rest, body: Buffer.concat(chunks) });
          });
        });
        req.on('error', () => resolve({ complete: false, headers: {}, body: Buffer.concat(chunks) }));
        req.end();
      });
    const hits = () => cached.responseCacheStats?.hits;
    /** `href` from the caching sandbox, twice, is the uncached sandbox's answer; `hit`: whether the second came from the cache */
    const same = async (href: string, headers: Record<string, string> = {}, hit = true) => {
      const want = await raw(fresh, href, headers);
      assert.equal(want.status, 200, want.body.toString());
      const before = hits();
      const first = await raw(cached, href, headers);
      const second = await raw(cached, href, headers);
      assert.equal(hits(), (before ?? 0) + (hit ? 1 : 0), `${href}: the second answer ${hit ? 'came' : 'did not come'} from the cache`);
      for (const got of [first, second]) {
        assert.equal(got.complete, true);
        assert.deepEqual(got.headers, want.headers);
        assert.ok(got.body.equals(want.body), `${href} ${JSON.stringify(headers)}: the same bytes`);
      }
      return want.body;
    };

    before(async () => {
      // tiny bodies are kept too, so the tests stay small
      cached = await Sandbox.start({ throttle: false, now: () => now, responseCache: { minBodyBytes: 1 } });
      fresh = await Sandbox.start({ throttle: false, now: () => now, responseCache: false });
      for (const sb of [cached, fresh]) tokens.set(sb, await sb.issueAccessToken());
    });
    after(() => Promise.all([cached.stop(), fresh.stop()]));
    afterEach(() => {
      now = NOW;
      cached.clearFailures();
      cached.setDelay(0);
      cached.setKindChange(undefined);
    });

    it('answers a repeated report with the same bytes as sent without it: every format and encoding', async () => {
      assert.equal(fresh.responseCacheStats, undefined);
      const q = 'start=2026-11-20&end=2026-11-22';
      for (const enc of ['gzip', 'deflate', undefined]) {
        const h: Record<string, string> = enc ? { 'Accept-Encoding': enc } : {};
        await same(`/cmu/v2/tenant/year/month/day/hour.csv?${q}`, h);
        await same(`/cmu/v2/tenant/year/month/day/hour?${q}`, h);
        await same(`/cmu/v2/year/month/day/hour?${q}`, { ...h, Accept: 'application/xml' });
        await same(`/cmu/v2/year/month/day/hour?${q}&format=html`, h);
      }
      // a projection, a filter, other metrics, another limit: each its own answer
      const csv = await same(`/cmu/v2/tenant/year/month/day/hour.csv?${q}&channel`);
      assert.notDeepEqual(csv, await same(`/cmu/v2/tenant/year/month/day/hour.csv?${q}&channel=News`));
      await same(`/cmu/v2/tenant/year/month/day/hour.csv?${q}&metrics=active-users`);
      await same(`/cmu/v2/tenant/year/month/day/hour.csv?${q}&limit=7`);
    });

    it('a moved clock gives a fresh answer: the default window moves, and a window not yet over is never kept', async () => {
      const open = '/cmu/v2/tenant/year/month/day/hour.csv'; // default: today so far
      const before = await same(open);
      now += HOUR;
      const later = await same(open);
      assert.notDeepEqual(later, before);
      // an explicit window whose end is still ahead of the clock: generated each time
      const ahead = `/cmu/v2/tenant/year/month/day/hour.csv?start=2026-11-25&end=2026-11-27`;
      await same(ahead, {}, false);
      // a window over by now is kept; once the clock is moved back before its end, it is generated again
      const past = `/cmu/v2/tenant/year/month/day/hour.csv?start=2026-11-24&end=2026-11-26`;
      const kept = await same(past);
      now = Date.UTC(2026, 10, 25, 20);
      assert.notDeepEqual(await same(past, {}, false), kept);
    });

    it('an extra report served from now on changes its parent\'s links: a fresh answer', async () => {
      const href = '/cmu/v2/year?start=2026-01-01&end=2026-02-01';
      const plain = await same(href);
      for (const sb of [cached, fresh]) sb.serveExtraReport('year/screen-class', 'resumed-streams');
      const linked = await same(href, {}, true); // the first is fresh (asserted below), the second a hit
      assert.match(linked.toString(), /year\/screen-class/);
      assert.doesNotMatch(plain.toString(), /screen-class/);
    });

    it('never answers from the cache or keeps an answer a knob shapes: cut, failing, slow, a column changing kind', async () => {
      const href = '/cmu/v2/tenant/year/month/day.csv?start=2026-11-01&end=2026-11-02';
      const whole = await same(href);
      const h = hits();
      cached.failNext(1, 200, { endpoint: 'cmu', cutAfterBytes: 300 });
      const cut = await raw(cached, href);
      assert.equal(cut.complete, false);
      assert.deepEqual(cut.body, whole.subarray(0, 300));
      cached.failNext(1, 503, { endpoint: 'cmu' });
      assert.equal((await raw(cached, href)).status, 503);
      cached.setDelay(20, 'cmu');
      assert.ok((await raw(cached, href)).body.equals(whole));
      assert.equal(hits(), h, 'none of them from the cache');
      // the slowed request of a report not yet kept does not keep it either
      const other = '/cmu/v2/tenant/year/month/day.csv?start=2026-11-02&end=2026-11-03';
      await raw(cached, other);
      cached.setDelay(0);
      await raw(cached, other);
      assert.equal(hits(), h);
      // a column changing kind: generated each time, and the answer kept before stays as it was
      const hours = '/cmu/v2/tenant/year/month/day/hour.csv?start=2026-11-01&end=2026-11-02';
      const plain = await same(hours);
      const h2 = hits() ?? 0;
      cached.setKindChange({ path: 'tenant/year/month/day/hour', column: 'device-tier', numericRows: 2 });
      const knobbed = await raw(cached, hours);
      assert.match(knobbed.body.toString(), /^tenant,year,month,day,hour,device-tier,[^]*,row-3,/);
      assert.ok((await raw(cached, hours)).body.equals(knobbed.body));
      assert.equal(hits(), h2, 'neither from the cache');
      cached.setKindChange(undefined);
      assert.ok((await raw(cached, hours)).body.equals(plain));
      assert.equal(hits(), h2 + 1, 'the kept answer is the plain one');
    });

    it('by default keeps only bodies of at least 256 KiB', async () => {
      const sb = await Sandbox.start({ throttle: false, now: () => NOW });
      try {
        tokens.set(sb, await sb.issueAccessToken());
        await raw(sb, '/cmu/v2/tenant/year/month/day.csv?start=2026-11-01&end=2026-11-02');
        assert.deepEqual(sb.responseCacheStats, { hits: 0, entries: 0, bytes: 0 });
        const big = await raw(sb, '/cmu/v2/tenant/year/month/day/hour/minute.csv?start=2026-11-01&end=2026-11-04&limit=4000');
        assert.ok(big.body.length >= 256 * 1024, String(big.body.length));
        assert.deepEqual(sb.responseCacheStats, { hits: 0, entries: 1, bytes: big.body.length });
      } finally {
        await sb.stop();
      }
    });
  });
});
