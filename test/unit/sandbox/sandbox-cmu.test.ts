import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { knownPaths, nextSteps, rollUpPath } from '../../../src/core/cmu/catalog';
import { parseCsvBody } from '../../../src/core/cmu/parse/csv';
import { CsvColumns, CsvParseError } from '../../../src/core/cmu/parse/csvColumns';
import { Sandbox, sandboxOffsetMs } from '../../../src/sandbox/server';

type Rec = Record<string, string>;
interface Hal {
  _links: { self: { href: string }; 'roll-up'?: { href: string; name?: string }; 'drill-down'?: { href: string; name: string }[] };
  report: Rec[];
}

const DEVICE_INFO = Buffer.from(JSON.stringify({ model: 'm', version: '1', osName: 'Linux', osVersion: '6', connectionType: 'LAN' })).toString('base64');
/** a fixed "now" so defaults and data are deterministic */
const NOW = Date.UTC(2026, 10, 26, 10, 15, 30);

describe('sandbox CMU', () => {
  let sb: Sandbox;
  let token: string;
  const get = (href: string, headers: Record<string, string> = {}) =>
    fetch(sb.origin + href, { headers: { Authorization: `Bearer ${token}`, ...headers } });
  const json = async (href: string): Promise<Hal> => {
    const r = await get(href);
    assert.equal(r.status, 200, `${href}: ${r.status} ${await r.clone().text()}`);
    assert.equal(r.headers.get('content-type'), 'application/json');
    return (await r.json()) as Hal;
  };
  const plain = async (href: string, status: number, headers: Record<string, string> = {}): Promise<string> => {
    const r = await get(href, headers);
    const text = await r.text();
    assert.equal(r.status, status, `${href}: ${text}`);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    return text;
  };

  before(async () => {
    sb = await Sandbox.start({ throttle: false, now: () => NOW });
    // the real flow: register with the statement, then a token
    const reg = await fetch(sb.dcrOrigin + '/o/client/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Device-Info': DEVICE_INFO },
      body: JSON.stringify({ software_statement: sb.statement }),
    });
    const c = (await reg.json()) as { client_id: string; client_secret: string };
    const tok = await fetch(sb.dcrOrigin + '/o/client/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Device-Info': DEVICE_INFO },
      body: `client_id=${c.client_id}&client_secret=${c.client_secret}&grant_type=client_credentials`,
    });
    token = ((await tok.json()) as { access_token: string }).access_token;
  });
  after(() => sb.stop());

  describe('authentication and status codes', () => {
    it('401 without a token, with a foreign or malformed token, with a revoked or expired token', async () => {
      const r = await fetch(sb.cmuBase + '/tenant');
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      await plain('/cmu/v2/tenant', 401, { Authorization: 'Bearer abc.def.ghi' });
      await plain('/cmu/v2/tenant', 401, { Authorization: `Basic ${token}` });
      const other = await Sandbox.start({ throttle: false });
      try {
        await plain('/cmu/v2/tenant', 401, { Authorization: `Bearer ${await other.issueAccessToken()}` });
      } finally {
        await other.stop();
      }
      let now = NOW;
      const timed = await Sandbox.start({ throttle: false, now: () => now });
      try {
        timed.setTokenLifetime(60);
        const t = await timed.issueAccessToken();
        const at = (tk: string) => fetch(timed.cmuBase + '/tenant', { headers: { Authorization: `Bearer ${tk}` } });
        assert.equal((await at(t)).status, 200);
        now += 60_000;
        assert.equal((await at(t)).status, 401, 'expired');
        const t2 = await timed.issueAccessToken();
        assert.equal((await at(t2)).status, 200);
        timed.revokeTokens();
        assert.equal((await at(t2)).status, 401, 'revoked');
      } finally {
        await timed.stop();
      }
    });

    it('accepts the access_token query parameter, but not together with the header', async () => {
      const r = await fetch(`${sb.cmuBase}/tenant?access_token=${encodeURIComponent(token)}`);
      assert.equal(r.status, 200);
      const body = (await r.json()) as Hal;
      assert.doesNotMatch(body._links.self.href, /access_token/);
      await plain(`/cmu/v2/tenant?access_token=${encodeURIComponent(token)}`, 400);
    });

    it('403 for another tenant or a client without the CMU scopes', async () => {
      assert.match(await plain('/cmu/v2/tenant?tenant=Globex', 403), /ACME/);
      await plain('/cmu/v2/tenant?tenant=ACME&tenant=Globex', 403);
      const saved = token;
      token = await sb.issueAccessToken({ scopes: ['profile:client'] });
      try {
        await plain('/cmu/v2/tenant', 403);
      } finally {
        token = saved;
      }
      const globex = await sb.issueAccessToken({ tenant: 'Globex' });
      const r = await fetch(sb.cmuBase + '/tenant', { headers: { Authorization: `Bearer ${globex}` } });
      assert.deepEqual(((await r.json()) as Hal).report.map((x) => x.tenant), ['Globex']);
    });

    it('404 with plain text for a path that is not pre-aggregated', async () => {
      assert.match(await plain('/cmu/v2/tenant/month', 404), /tenant\/year|year/);
      await plain('/cmu/v2/platfrom', 404);
      await plain('/cmu/v2/tenant//year', 404);
    });

    it('every known path answers 200 and its links lead to known paths', async () => {
      for (const p of knownPaths()) {
        const href = '/cmu/v2' + p.map((s) => '/' + s).join('') + '?start=2026-11-25T10&end=2026-11-25T11&limit=2';
        const body = await json(href);
        const down = body._links['drill-down'] ?? [];
        assert.deepEqual(down.map((d) => d.name), nextSteps(p), href);
        for (const d of down) assert.doesNotMatch(d.href, /\?/);
        const up = rollUpPath(p); // none at the root and for billing/daily (a named report)
        if (up) assert.equal(body._links['roll-up']?.href, '/cmu/v2' + up.map((s) => '/' + s).join(''));
        else assert.equal(body._links['roll-up'], undefined);
      }
    });

    it('400 with plain text for bad filters, dates, limits and metrics', async () => {
      assert.match(await plain('/cmu/v2/tenant/year?platfrom=x', 400), /platfrom/);
      assert.match(await plain('/cmu/v2/tenant/year?year=2026', 400), /time dimension/);
      assert.match(await plain('/cmu/v2/year/month/concurrency-level?channel=News', 400), /channel/);
      await plain('/cmu/v2/tenant/year/month/day/mvpd/hour?platform=iOS', 400);
      await plain('/cmu/v2/tenant?mvpd!', 400);
      await plain('/cmu/v2/tenant?mvpd=a&mvpd!=b', 400);
      await plain('/cmu/v2/tenant/year?start=2026-13', 400);
      await plain('/cmu/v2/tenant/year?start=2026-02-30', 400);
      await plain('/cmu/v2/tenant/year?start=yesterday', 400);
      await plain('/cmu/v2/tenant/year?start=2026-11-02&end=2026-11-01', 400);
      await plain('/cmu/v2/tenant/year?start=2026&start=2025', 400);
      await plain('/cmu/v2/tenant/year?limit=0', 400);
      await plain('/cmu/v2/tenant/year?limit=ten', 400);
      await plain('/cmu/v2/tenant/year?limit=5000000', 400);
      await plain('/cmu/v2/tenant/year?metrics=clients', 400);
      await plain('/cmu/v2/tenant/year?metrics=active-users,', 400);
      await plain('/cmu/v2/tenant/year?metrics=users', 400);
      await plain('/cmu/v2/year/month/mvpd?metrics=duration_0-15', 400);
      await plain('/cmu/v2/tenant/year?start', 400);
    });

    it('405 for other methods, 406 for unsupported formats', async () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
        const r = await fetch(sb.cmuBase + '/tenant', { method, headers: { Authorization: `Bearer ${token}` } });
        assert.equal(r.status, 405, method);
        assert.equal(r.headers.get('allow'), 'GET');
      }
      await plain('/cmu/v2/tenant.txt', 406);
      await plain('/cmu/v2/tenant?format=pdf', 406);
      await plain('/cmu/v2/tenant', 406, { Accept: 'image/png' });
    });

    it('failNext and setDelay apply to CMU', async () => {
      sb.failNext(1, 503, { endpoint: 'cmu', retryAfterSec: 3 });
      const r = await get('/cmu/v2/tenant');
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '3');
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
      sb.failNext(1, 500, { endpoint: 'cmu', html: true });
      assert.match(await (await get('/cmu/v2/tenant')).text(), /<html>/);
      sb.setDelay(120, 'cmu');
      const t0 = Date.now();
      assert.equal((await get('/cmu/v2/tenant')).status, 200);
      assert.ok(Date.now() - t0 >= 110);
      sb.setDelay(0);
      const before = sb.stats.cmu;
      await get('/cmu/v2/tenant');
      assert.equal(sb.stats.cmu, before + 1);
    });
  });

  describe('a body cut short (failNext with cutAfterBytes)', () => {
    /** The raw exchange: status, whether the message completed, the body bytes that arrived. */
    const raw = (href: string, headers: Record<string, string> = {}) =>
      new Promise<{ status?: number; complete: boolean; body: Buffer }>((resolve) => {
        const chunks: Buffer[] = [];
        let status: number | undefined;
        const req = request(sb.origin + href, { headers: { Authorization: `Bearer ${token}`, ...headers } }, (res) => {
          status = res.statusCode;
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('close', () => resolve({ status, complete: res.complete, body: Buffer.concat(chunks) }));
        });
        req.on('error', () => resolve({ status, complete: false, body: Buffer.concat(chunks) }));
        req.end();
      });

    it('sends the first N characters of the real report with 200, then drops the connection', async () => {
      const href = '/cmu/v2/tenant/year/month/day.csv?start=2026-11-01';
      const whole = await raw(href);
      assert.equal(whole.complete, true);
      sb.failNext(1, 200, { endpoint: 'cmu', cutAfterBytes: 300 });
      const cut = await raw(href);
      assert.equal(cut.status, 200);
      assert.equal(cut.complete, false);
      assert.deepEqual(cut.body, whole.body.subarray(0, 300));
      sb.failNext(1, 200, { endpoint: 'cmu', cutAfterBytes: 300 });
      const gz = await raw(href, { 'Accept-Encoding': 'gzip' });
      assert.equal(gz.complete, false);
      assert.ok(gz.body.length > 0, 'some compressed bytes arrived');
      assert.throws(() => gunzipSync(gz.body), /unexpected end/);
      assert.equal((await raw(href)).complete, true, 'only the next call');
    });
  });

  describe('a column that turns from numbers to text (setKindChange)', () => {
    const PATH = '/cmu/v2/tenant/year/month/day/hour';
    const WINDOW = 'start=2026-11-01&end=2026-11-03'; // 48 hours
    const CHANGE = { path: 'tenant/year/month/day/hour', column: 'device-tier', numericRows: 30 };
    const DIMS = ['tenant', 'year', 'month', 'day', 'hour'];
    /** the record with the column after the dimensions */
    const withColumn = (r: Rec, value: string): Rec => {
      const out: Rec = {};
      for (const [k, v] of Object.entries(r)) {
        out[k] = v;
        if (k === 'hour') out['device-tier'] = value;
      }
      return out;
    };
    const expected = (i: number) => (i < CHANGE.numericRows ? String(i + 1) : `row-${i + 1}`);
    const csvRecords = (text: string): Rec[] => {
      const [head, ...lines] = text.trim().split('\r\n');
      const cols = head.split(',');
      return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
    };
    afterEach(() => sb.setKindChange(undefined));

    it("the report's answers carry the column after its dimensions, the row number in the first rows and text after them, in JSON, CSV, XML and HTML; other reports, and this one once cleared, are as before", async () => {
      const plain = (await json(`${PATH}?${WINDOW}`)).report;
      assert.equal(plain.length, 48);
      const day = await (await get(`/cmu/v2/tenant/year/month/day.csv?${WINDOW}`)).text();
      sb.setKindChange(CHANGE);
      const want = plain.map((r, i) => withColumn(r, expected(i)));
      const body = await json(`${PATH}?${WINDOW}`);
      assert.deepEqual(Object.keys(body.report[0]).slice(0, 6), [...DIMS, 'device-tier']);
      assert.deepEqual(body.report, want);
      assert.deepEqual(body.report.slice(28, 32).map((r) => r['device-tier']), ['29', '30', 'row-31', 'row-32']);
      // the links call a viewer makes beside the rows
      assert.deepEqual((await json(`${PATH}?${WINDOW}&limit=1`)).report, want.slice(0, 1));
      assert.deepEqual(csvRecords(await (await get(`${PATH}.csv?${WINDOW}`)).text()), want);
      const xml = await (await get(`${PATH}.xml?${WINDOW}`)).text();
      const fromXml = [...xml.matchAll(/<record ([^>]*)\/>/g)].map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
      assert.deepEqual(fromXml, want);
      const html = await (await get(`${PATH}.html?${WINDOW}`)).text();
      assert.deepEqual([...html.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]).slice(0, 6), [...DIMS, 'device-tier']);
      assert.match(html, /<td>30<\/td><td>\d+<\/td>[^]*<td>row-31<\/td>/);
      // only that report
      assert.equal(await (await get(`/cmu/v2/tenant/year/month/day.csv?${WINDOW}`)).text(), day);
      sb.setKindChange(undefined);
      assert.deepEqual((await json(`${PATH}?${WINDOW}`)).report, plain);
    });

    it('is what a viewer deciding on the first rows meets: the streaming parse fails with csv_kind past them, the whole body makes the column a dimension holding every value', async () => {
      sb.setKindChange(CHANGE);
      const text = await (await get(`${PATH}.csv?${WINDOW}`)).text();
      const stream = new CsvColumns({ first: CHANGE.numericRows, chunk: 100, maxChars: 1e7, onHeader: () => undefined, onChunk: () => undefined });
      assert.throws(
        () => {
          stream.push(text);
          stream.end();
        },
        (e: unknown) => e instanceof CsvParseError && e.code === 'csv_kind' && /device-tier.*row-31/.test(e.message),
      );
      const whole = parseCsvBody(text);
      const c = whole.columns.findIndex((x) => x.name === 'device-tier');
      assert.deepEqual(whole.columns[c], { name: 'device-tier', kind: 'dimension' });
      assert.deepEqual(
        whole.rows.map((r) => r[c]),
        Array.from({ length: 48 }, (_, i) => expected(i)),
      );
    });

    it('refuses a column the catalog or the path names, a report it does not serve, a count of rows that is not positive', () => {
      assert.throws(() => sb.setKindChange({ ...CHANGE, column: 'mvpd' }), /not a column name/);
      assert.throws(() => sb.setKindChange({ ...CHANGE, column: 'active-users' }), /not a column name/);
      assert.throws(() => sb.setKindChange({ ...CHANGE, column: 'hour' }), /not a column name/);
      assert.throws(() => sb.setKindChange({ ...CHANGE, column: 'Device Tier' }), /not a column name/);
      assert.throws(() => sb.setKindChange({ ...CHANGE, path: 'tenant/bogus' }), /not a report the sandbox serves/);
      for (const n of [0, -1, 1.5, NaN]) assert.throws(() => sb.setKindChange({ ...CHANGE, numericRows: n }), /positive integer/);
    });
  });

  describe('reports', () => {
    it('reports in its time zone (default -08:00): hours of the zone, Z values converted; timeZone UTC is UTC again', async () => {
      const hourValues = (body: Hal) => (body.report as { hour: string }[]).map((r) => r.hour);
      // 10:15:30Z is 02:15:30 at -08:00: today so far has the hours 0, 1 and 2 of the zone
      const today = await json('/cmu/v2/tenant/year/month/day/hour?start=2026-11-26T00:00:00&end=2026-11-27T00:00:00');
      assert.deepEqual(hourValues(today), ['0', '1', '2']);
      const z = await json('/cmu/v2/tenant/year/month/day/hour?start=2026-11-26T08:00:00Z&end=2026-11-26T10:00:00Z');
      assert.match(z._links.self.href, /start=2026-11-26T00:00:00&end=2026-11-26T02:00:00/);
      assert.deepEqual(hourValues(z), ['0', '1']);
      const utc = await Sandbox.start({ throttle: false, now: () => NOW, timeZone: 'UTC' });
      try {
        const t = await utc.issueAccessToken();
        const r = await fetch(utc.origin + '/cmu/v2/tenant/year/month/day/hour?start=2026-11-26T00:00:00&end=2026-11-27T00:00:00', { headers: { Authorization: `Bearer ${t}` } });
        assert.deepEqual(hourValues((await r.json()) as Hal), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      } finally {
        await utc.stop();
      }
      assert.equal(sandboxOffsetMs(), -8 * 3_600_000);
      assert.equal(sandboxOffsetMs('+05:30'), 5.5 * 3_600_000);
      assert.throws(() => sandboxOffsetMs('America/Los_Angeles'), /fixed UTC offset/);
    });

    it('reports the applied defaults in the self link: start by granularity, end = now, limit 1000, all metrics', async () => {
      const day = await json('/cmu/v2/tenant/year/month/day');
      const self = day._links.self.href;
      // NOW is 10:15:30Z: 02:15:30 in the sandbox's default zone, -08:00
      assert.match(self, /^\/cmu\/v2\/tenant\/year\/month\/day\?tenant=ACME&start=2026-11-01T00:00:00&end=2026-11-26T02:15:30&limit=1000&metrics=active-users&/);
      assert.equal(day.report.length, 26);
      assert.match((await json('/cmu/v2/tenant/year/month/day/hour'))._links.self.href, /start=2026-11-26T00:00:00/);
      assert.match((await json('/cmu/v2/tenant/year/month'))._links.self.href, /start=2026-01-01T00:00:00/);
      assert.match((await json('/cmu/v2'))._links.self.href, /^\/cmu\/v2\?tenant=ACME&start=2026-11-01T00:00:00&end=2026-11-26T02:15:30&limit=1000/);
      // prefixes are completed
      assert.match((await json('/cmu/v2/tenant/year?start=2025&end=2026-02-03T04'))._links.self.href, /start=2025-01-01T00:00:00&end=2026-02-03T04:00:00/);
    });

    it('returns values as strings, records with the dimensions then the metrics, sorted', async () => {
      const body = await json('/cmu/v2/tenant/year/month/day/mvpd?start=2026-11-01&end=2026-11-03&metrics=active-users,started-sessions');
      assert.deepEqual(Object.keys(body.report[0]), ['tenant', 'year', 'month', 'day', 'mvpd', 'active-users', 'started-sessions']);
      for (const r of body.report) for (const v of Object.values(r)) assert.equal(typeof v, 'string');
      assert.deepEqual([...new Set(body.report.map((r) => r.day))], ['1', '2']);
      const mvpds = body.report.filter((r) => r.day === '1').map((r) => r.mvpd);
      assert.deepEqual(mvpds, [...mvpds].sort());
      assert.equal(body._links['roll-up']?.name, 'day');
    });

    it('is deterministic for a seed', async () => {
      const href = '/cmu/v2/tenant/year/month/day?start=2026-10-01&end=2026-10-05';
      const a = await (await get(href)).text();
      const other = await Sandbox.start({ throttle: false, now: () => NOW, seed: 2 });
      try {
        const t = await other.issueAccessToken();
        const b = await (await fetch(other.origin + href, { headers: { Authorization: `Bearer ${t}` } })).text();
        assert.notEqual(a, b);
      } finally {
        await other.stop();
      }
      assert.equal(await (await get(href)).text(), a);
    });

    it('limits the rows (default 1000) and echoes the limit', async () => {
      const body = await json('/cmu/v2/tenant/year/month/day/hour/minute?start=2026-11-20&end=2026-11-21');
      assert.equal(body.report.length, 1000);
      assert.match(body._links.self.href, /limit=1000/);
      const five = await json('/cmu/v2/tenant/year/month/day/hour/minute?start=2026-11-20&end=2026-11-21&limit=5');
      assert.deepEqual(five.report.map((r) => r.minute), ['0', '1', '2', '3', '4']);
      assert.deepEqual(five.report, body.report.slice(0, 5));
    });

    it('selects metrics in the comma form and the repeated form', async () => {
      const a = await json('/cmu/v2/tenant/year/month?start=2026-10&metrics=killed-sessions,active-users');
      const b = await json('/cmu/v2/tenant/year/month?start=2026-10&metrics=killed-sessions&metrics=active-users');
      assert.deepEqual(a.report, b.report);
      assert.deepEqual(Object.keys(a.report[0]), ['tenant', 'year', 'month', 'killed-sessions', 'active-users']);
      assert.match(a._links.self.href, /&metrics=killed-sessions&metrics=active-users$/);
    });

    it('serves the same records as JSON, XML, CSV and HTML', async () => {
      const q = '?start=2026-11-01&end=2026-11-04&mvpd!=TempPass&metrics=active-users,failed-attempts';
      const path = '/cmu/v2/tenant/year/month/day/mvpd';
      const fromJson = (await json(path + q)).report;
      assert.ok(fromJson.length > 3);

      const xr = await get(path + '.xml' + q);
      assert.equal(xr.headers.get('content-type'), 'application/xml');
      const xml = await xr.text();
      assert.match(xml, /<resource href="\/cmu\/v2\/tenant\/year\/month\/day\/mvpd\?tenant=ACME&amp;mvpd!=TempPass&amp;start=/);
      assert.match(xml, /<link rel="roll-up" href="\/cmu\/v2\/tenant\/year\/month\/day"\/>/);
      assert.match(xml, /<link rel="drill-down" href="\/cmu\/v2\/tenant\/year\/month\/day\/mvpd\/platform"\/>/);
      const fromXml = [...xml.matchAll(/<record ([^>]*)\/>/g)].map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
      assert.deepEqual(fromXml, fromJson);

      const cr = await get(path + '.csv' + q);
      assert.equal(cr.headers.get('content-type'), 'text/csv');
      assert.equal(cr.headers.get('content-disposition'), 'attachment; filename="report__2026-11-01_2026-11-04_ACME.csv"');
      const [head, ...lines] = (await cr.text()).trim().split('\r\n');
      const cols = head.split(',');
      assert.deepEqual(cols, ['tenant', 'year', 'month', 'day', 'mvpd', 'active-users', 'failed-attempts']);
      assert.deepEqual(lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v]))), fromJson);

      const hr = await get(path + '.html' + q);
      assert.match(hr.headers.get('content-type') ?? '', /^text\/html/);
      const html = await hr.text();
      const hcols = [...html.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
      const fromHtml = [...html.matchAll(/<tr>((?:<td>[^<]*<\/td>)+)<\/tr>/g)].map((m) =>
        Object.fromEntries([...m[1].matchAll(/<td>([^<]*)<\/td>/g)].map((c, i) => [hcols[i], c[1]])),
      );
      assert.deepEqual(fromHtml, fromJson);
    });

    it('escapes values in HTML and XML', async () => {
      const q = '?mvpd=%3Cscript%3Ealert(1)%3C%2Fscript%3E&start=2026-11-01&end=2026-11-02';
      const html = await (await get('/cmu/v2/tenant/year/month/day/mvpd.html' + q)).text();
      assert.doesNotMatch(html, /<script>/);
      assert.match(html, /&lt;script&gt;|%3Cscript%3E/);
      const xml = await (await get('/cmu/v2/tenant/year/month/day/mvpd.xml' + q)).text();
      assert.doesNotMatch(xml, /<script>/);
    });

    it('negotiates: path extension > format parameter > Accept header', async () => {
      const ct = async (href: string, accept?: string) => (await get(href, accept ? { Accept: accept } : {})).headers.get('content-type');
      assert.equal(await ct('/cmu/v2/tenant.xml?format=csv', 'text/html'), 'application/xml');
      assert.equal(await ct('/cmu/v2/tenant?format=csv', 'text/html'), 'text/csv');
      assert.equal(await ct('/cmu/v2/tenant', 'application/xml'), 'application/xml');
      assert.equal(await ct('/cmu/v2/tenant', 'text/csv;q=0.5, text/html'), 'text/html;charset=UTF-8');
      assert.equal(await ct('/cmu/v2/tenant', '*/*'), 'application/json');
      assert.equal(await ct('/cmu/v2/tenant'), 'application/json');
    });

    it('compresses with gzip or deflate when asked', async () => {
      const raw = (href: string, enc: string) =>
        new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
          const req = request(sb.origin + href, { headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': enc } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
          });
          req.on('error', reject);
          req.end();
        });
      const href = '/cmu/v2/tenant/year/month/day/hour.csv?start=2026-11-01&end=2026-11-10';
      const plainBody = await raw(href, 'identity');
      assert.equal(plainBody.encoding, undefined);
      const gz = await raw(href, 'gzip, deflate');
      assert.equal(gz.encoding, 'gzip');
      assert.ok(gz.body.length < plainBody.body.length);
      assert.deepEqual(gunzipSync(gz.body), plainBody.body);
      const df = await raw(href, 'deflate');
      assert.equal(df.encoding, 'deflate');
      assert.deepEqual(inflateSync(df.body), plainBody.body);
    });
  });

  describe('aggregates', () => {
    const METRICS = 'metrics=active-users,active-sessions,started-sessions,completed-sessions,failed-attempts,dismissed-sessions,killed-sessions,duration_0-15,duration_over-1m';
    const sum = (rows: Rec[], metric: string) => rows.reduce((s, r) => s + Number(r[metric]), 0);
    const metricsOf = (r: Rec) => METRICS.slice(8).split(',').map((m) => [m, Number(r[m])]);
    const assertSums = (children: Rec[], parent: Rec, what: string) => {
      assert.ok(children.length > 1, what);
      for (const [m, v] of metricsOf(parent)) assert.equal(sum(children, m as string), v, `${what}: ${m}`);
    };

    it('days add up to their month, hours to their day, minutes to their hour', async () => {
      const month = (await json(`/cmu/v2/tenant/year/month?start=2026-10&end=2026-11&${METRICS}`)).report;
      assert.equal(month.length, 1);
      const days = (await json(`/cmu/v2/tenant/year/month/day?start=2026-10&end=2026-11&${METRICS}`)).report;
      assert.equal(days.length, 31);
      assertSums(days, month[0], 'days → month');
      const hours = (await json(`/cmu/v2/tenant/year/month/day/hour?start=2026-10-07&end=2026-10-08&${METRICS}`)).report;
      assert.equal(hours.length, 24);
      assertSums(hours, days[6], 'hours → day');
      const minutes = (await json(`/cmu/v2/tenant/year/month/day/hour/minute?start=2026-10-07T13&end=2026-10-07T14&${METRICS}`)).report;
      assert.equal(minutes.length, 60);
      assertSums(minutes, hours[13], 'minutes → hour');
      const general = 'metrics=active-users,started-sessions,killed-sessions';
      const root = (await json(`/cmu/v2?start=2026-10&end=2026-11&${general}`)).report;
      const tenant = (await json(`/cmu/v2/tenant?start=2026-10&end=2026-11&${general}`)).report;
      assert.deepEqual(tenant, [{ tenant: 'ACME', ...root[0] }], 'the root is the tenant total');
    });

    it('a drill-down by mvpd, then platform, then application-id adds up to its parent row', async () => {
      const q = `start=2026-11-03&end=2026-11-04&${METRICS}`;
      const day = (await json(`/cmu/v2/tenant/year/month/day?${q}`)).report[0];
      const mvpds = (await json(`/cmu/v2/tenant/year/month/day/mvpd?${q}`)).report;
      assertSums(mvpds, day, 'mvpd → day');
      const first = mvpds[0].mvpd;
      const platforms = (await json(`/cmu/v2/tenant/year/month/day/mvpd/platform?${q}&mvpd=${first}`)).report;
      assertSums(platforms, mvpds[0], 'platform → mvpd');
      const apps = (await json(`/cmu/v2/tenant/year/month/day/mvpd/platform/application-id?${q}&mvpd=${first}&platform=${platforms[0].platform}`)).report;
      assert.ok(apps.length >= 1);
      for (const [m, v] of metricsOf(platforms[0])) assert.equal(sum(apps, m as string), v, m as string);
      const channels = (await json(`/cmu/v2/tenant/year/month/day/channel?${q}`)).report;
      assertSums(channels, day, 'channel → day');
      const hourMvpd = (await json(`/cmu/v2/tenant/year/month/day/hour/mvpd?${q}`)).report;
      assertSums(hourMvpd, day, 'hour/mvpd → day');
    });

    it('filters: =, IN, != and NOT IN partition the totals; a projection adds a column that sums up', async () => {
      const q = `start=2026-11-03&end=2026-11-04&${METRICS}`;
      const day = (await json(`/cmu/v2/tenant/year/month/day?${q}`)).report[0];
      const only = (await json(`/cmu/v2/tenant/year/month/day?${q}&mvpd=Verizon`)).report[0];
      const except = (await json(`/cmu/v2/tenant/year/month/day?${q}&mvpd!=Verizon`)).report[0];
      assertSums([only, except], day, '= and != partition');
      const inTwo = (await json(`/cmu/v2/tenant/year/month/day?${q}&mvpd=Verizon&mvpd=DirecTV`)).report[0];
      const notInTwo = (await json(`/cmu/v2/tenant/year/month/day?${q}&mvpd!=Verizon&mvpd!=DirecTV`)).report[0];
      assertSums([inTwo, notInTwo], day, 'IN and NOT IN partition');
      const byMvpd = (await json(`/cmu/v2/tenant/year/month/day/mvpd?${q}&mvpd=Verizon&mvpd=DirecTV`)).report;
      assert.deepEqual(byMvpd.map((r) => r.mvpd), ['DirecTV', 'Verizon']);
      const projected = await json(`/cmu/v2/tenant/year/month/day?${q}&platform`);
      assert.deepEqual(Object.keys(projected.report[0]).slice(0, 5), ['tenant', 'year', 'month', 'day', 'platform']);
      assert.match(projected._links.self.href, /&platform&/);
      assertSums(projected.report, day, 'projection');
      assert.equal((await json(`/cmu/v2/tenant/year/month/day?${q}&mvpd=`)).report.length, 0, 'an empty equals filter is a filter');
    });

    it('concurrency-level reports: levels per tenant add up across mvpds', async () => {
      const q = 'start=2026-10&end=2026-11';
      const byLevel = (await json(`/cmu/v2/year/month/concurrency-level/tenant?${q}`)).report;
      assert.ok(byLevel.length >= 3);
      assert.deepEqual(Object.keys(byLevel[0]), ['year', 'month', 'concurrency-level', 'tenant', 'users']);
      const byMvpd = (await json(`/cmu/v2/year/month/concurrency-level/tenant/mvpd?${q}`)).report;
      const level1 = byMvpd.filter((r) => r['concurrency-level'] === '1');
      assert.equal(sum(level1, 'users'), Number(byLevel[0].users));
      const days = (await json(`/cmu/v2/year/month/day/activity-level?${q}`)).report;
      assert.ok(days.length > 31);
    });
  });

  describe('a huge report', () => {
    // speed: `npm run bench` (bench/csvColumns.bench.ts); no timing assertion here
    it('produces a 200k-row CSV report', async function () {
      this.timeout(120_000);
      const href = sb.hugeReportHref(200_000, 'csv');
      assert.match(href, /^\/cmu\/v2\/tenant\/year\/month\/day\/hour\/minute\.csv\?start=\d{4}-\d\d-\d\d&end=\d{4}-\d\d-\d\d&limit=200000$/);
      const r = await get(href);
      assert.equal(r.status, 200);
      const text = await r.text();
      const lines = text.split('\r\n');
      assert.equal(lines[0].split(',').length, 6 + 19);
      assert.equal(lines.length, 200_002, 'header, 200000 rows, the final empty string');
    });
  });
});
