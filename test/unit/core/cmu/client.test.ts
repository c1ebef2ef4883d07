import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { CmuApiError, CmuClient, stripAccessToken, type StreamedMeta } from '../../../../src/core/cmu/client';
import { parseXmlWithLibrary, reportRecords } from '../../../../src/core/cmu/parse';
import { emptyQuery, parseQueryUrl } from '../../../../src/core/cmu/query';
import { parseWindow, resolveWindow } from '../../../../src/core/cmu/time/windows';
import { UTC } from '../../../../src/core/cmu/time/zone';
import type { Environment } from '../../../../src/core/environments';
import { CmuError } from '../../../../src/core/errors';
import { CancelledError, HttpClient } from '../../../../src/core/http';
import { decode } from '../../../../src/core/http/body';
import type { BodyEncoding } from '../../../../src/core/http/types';
import type { Readable } from 'node:stream';
import { Session } from '../../../../src/core/session';
import { MemoryStore, secretKey } from '../../../../src/core/store';
import { Sandbox } from '../../../../src/sandbox/server';
import { CSV_SAME, EXPECTED_COLUMNS, EXPECTED_ROWS, HTML_SAME, JSON_EX5, XML_EX6 } from '../../support/cmuFixtures';

/** A fake CMU origin for shapes the sandbox does not produce (gzip by hand, broken bodies, a staging prefix). */
interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}
async function startFixture(): Promise<{ origin: string; seen: Seen[]; stop: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push({ url, headers: req.headers });
    const path = url.split('?')[0];
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': type, ...headers });
      res.end(body);
    };
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return send(401, 'text/plain', 'no token');
    switch (path) {
      case '/cmu/v2/tenant/year/month/day/mvpd':
      case '/cmu/v2/tenant/year/month/day/mvpd.json':
        return send(200, 'application/json', JSON_EX5);
      case '/cmu/v2/tenant/year/month/day/mvpd.xml':
        return send(200, 'application/xml', XML_EX6);
      case '/cmu/v2/tenant/year/month/day/mvpd.csv':
        return send(200, 'text/csv', CSV_SAME, { 'Content-Disposition': 'attachment; filename="report__2024-11-01_2024-11-08_ACME.csv"' });
      case '/cmu/v2/tenant/year/month/day/mvpd.html':
        return send(200, 'text/html', HTML_SAME);
      case '/cmu/v2/nodisposition.csv':
        return send(200, 'text/csv', 'tenant,active-users\nACME,5\n');
      case '/cmu/v2/gzip': {
        const gz = zlib.gzipSync(JSON_EX5);
        return send(200, 'application/json', gz, { 'Content-Encoding': 'gzip' });
      }
      case '/cmu/v2/htmlpage':
        return send(200, 'text/html', '<html><head><title>Sign in</title></head><body>login</body></html>');
      case '/cmu/v2/truncated':
        return send(200, 'application/json', JSON_EX5.slice(0, 150));
      case '/cmu/v2/gateway':
        return send(502, 'text/html', '<html><head><title>502 Bad Gateway</title></head><body>openresty</body></html>');
      case '/cmu/v2/enhanced':
        return send(401, 'application/json', JSON.stringify({ action: 'application-registration', status: 401, code: 'invalid_access_token_client_application', message: 'The access token is invalid.', helpUrl: 'https://example.com/help' }));
      case '/cmu/v2/redirect':
        return send(302, 'text/plain', '', { Location: 'https://elsewhere.example/cmu/v2/tenant' });
      case '/cmu/v2/slow':
        setTimeout(() => send(200, 'application/json', JSON_EX5), 3000);
        return;
      case '/cmu/v2/year/bogus': // a 404 that carries its own links (one leaves the base: dropped)
        return send(404, 'application/json', JSON.stringify({ _links: { self: { href: '/cmu/v2/year' }, 'drill-down': [{ href: '/cmu/v2/year/month', name: 'month' }, { href: '/cmu/v2/%2E%2E/admin', name: 'admin' }, { href: 'https://elsewhere.example/cmu/v2/year/day', name: 'day' }] } }));
      case '/v2/year/month': // a staging-like base path: only /v2 answers, links say /cmu/v2
        return send(200, 'application/json', '{"_links":{"self":{"href":"/cmu/v2/year/month"}},"report":[{"year":"2024","month":"11","active-users":"1"}]}');
      default:
        return send(404, 'text/plain', 'no such path');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function expectApiError(p: Promise<unknown>, check: (e: CmuApiError) => void): Promise<CmuApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CmuApiError, `expected CmuApiError, got ${String(e)}`);
    assert.ok(e instanceof CmuError);
    check(e);
    return e;
  }
  assert.fail('expected a CmuApiError');
}


function previousMonth(): { start?: string; end?: string } {
  const { start, end } = resolveWindow(parseWindow('previous-month'), UTC, Date.now());
  return { start, end };
}

describe('cmu/client', () => {
  let sandbox: Sandbox;
  let httpClient: HttpClient;

  before(async () => {
    sandbox = await Sandbox.start({ throttle: false });
    httpClient = new HttpClient({ timeoutMs: 10_000, minRetryDelayMs: 20 });
  });
  after(() => sandbox.stop());
  beforeEach(() => {
    sandbox.clearFailures();
    sandbox.setDelay(0);
  });

  async function sessionFor(cmuBase: string, name: Environment['name'] = 'sandbox'): Promise<Session> {
    const env: Environment = { name, dcrOrigin: sandbox.dcrOrigin, cmuBase };
    const s = new Session({ store: new MemoryStore(), env, profile: 'default', http: httpClient });
    await s.importStatement(sandbox.statement);
    return s;
  }

  describe('URLs and origins', () => {
    let client: CmuClient;
    before(async () => {
      client = new CmuClient({ http: httpClient, session: await sessionFor('https://mgmt.auth.adobe.com/cmu/v2', 'production'), cmuBase: 'https://mgmt.auth.adobe.com/cmu/v2' });
    });

    it('builds absolute URLs from a query, an href, a bare path or a pasted URL', () => {
      const q = { ...emptyQuery(['tenant', 'year']), format: 'csv' as const, metrics: ['active-users'] };
      assert.equal(client.urlFor(q), 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year.csv?metrics=active-users');
      assert.equal(client.urlFor('/cmu/v2/tenant/year?start=2024'), 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year?start=2024');
      assert.equal(client.urlFor('tenant/year'), 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year');
      assert.equal(client.urlFor('cmu/v2/tenant'), 'https://mgmt.auth.adobe.com/cmu/v2/tenant');
      assert.equal(client.urlFor(''), 'https://mgmt.auth.adobe.com/cmu/v2');
      assert.equal(client.urlFor('https://mgmt.auth.adobe.com/cmu/v2/tenant#x'), 'https://mgmt.auth.adobe.com/cmu/v2/tenant');
    });

    it('drops access_token from pasted URLs, keeping the rest byte for byte', () => {
      assert.equal(
        client.urlFor('https://mgmt.auth.adobe.com/cmu/v2/tenant?access_token=SECRET&mvpd!=A%20B&platform&access%5Ftoken=X'),
        'https://mgmt.auth.adobe.com/cmu/v2/tenant?mvpd!=A%20B&platform',
      );
      assert.equal(stripAccessToken('https://h/x?access_token=1'), 'https://h/x');
    });

    it('a pasted URL that is not a URL: the error (shown and logged) names it without its access_token', () => {
      const token = 'opaque7c1d9e2f4a6b8c0d';
      for (const u of [`https://mgmt.auth.adobe.com:99999/cmu/v2/tenant?access_token=${token}`, `https://user:${token}@[bad/cmu/v2`]) {
        assert.throws(
          () => client.urlFor(u),
          (e: unknown) => e instanceof CmuError && e.code === 'bad_url' && /^Not a CMU URL: /.test(e.message) && !e.message.includes(token),
          u,
        );
      }
      assert.throws(
        () => new CmuClient({ http: httpClient, session: client['session'], cmuBase: `https://mgmt.auth.adobe.com:99999/cmu/v2?access_token=${token}` }),
        (e: unknown) => e instanceof CmuError && e.code === 'bad_url' && !e.message.includes(token),
      );
    });

    it('refuses another origin than the base (a token only goes to its CMU origin)', () => {
      for (const u of ['https://evil.example/cmu/v2/tenant', 'http://mgmt.auth.adobe.com/cmu/v2/tenant', 'https://mgmt.auth.adobe.com:8443/cmu/v2', '//evil.example/cmu/v2']) {
        assert.throws(() => client.urlFor(u), (e: unknown) => e instanceof CmuError && e.code === 'origin_mismatch', u);
      }
    });

    it('refuses a base that is not the session environment\'s CMU origin, or insecure', async () => {
      const s = await sessionFor('https://mgmt.auth.adobe.com/cmu/v2', 'production');
      assert.throws(() => new CmuClient({ http: httpClient, session: s, cmuBase: 'https://other.example/cmu/v2' }), (e: unknown) => e instanceof CmuError && e.code === 'origin_mismatch');
      assert.throws(() => new CmuClient({ http: httpClient, session: s, cmuBase: 'http://mgmt.auth.adobe.com/cmu/v2' }), (e: unknown) => e instanceof CmuError && e.code === 'insecure_url');
    });
  });

  describe('against a fixture CMU origin', () => {
    let fx: Awaited<ReturnType<typeof startFixture>>;
    let client: CmuClient;
    before(async () => {
      fx = await startFixture();
      const base = fx.origin + '/cmu/v2';
      client = new CmuClient({ http: httpClient, session: await sessionFor(base, 'custom'), cmuBase: base });
    });
    after(() => fx.stop());

    it('sends the token as a Bearer header (never a parameter) and Accept matching the format', async () => {
      fx.seen.length = 0;
      await client.fetchReport(parseQueryUrl('/cmu/v2/tenant/year/month/day/mvpd.xml'));
      await client.fetchReport('/cmu/v2/tenant/year/month/day/mvpd.csv?access_token=LEAK');
      await client.fetchReport('/cmu/v2/tenant/year/month/day/mvpd');
      assert.deepEqual(fx.seen.map((s) => s.headers.accept), ['application/xml', 'text/csv', 'application/json']);
      for (const s of fx.seen) {
        assert.match(s.headers.authorization ?? '', /^Bearer [\w.-]+$/);
        assert.ok(!s.url.includes('access_token'), s.url);
        assert.match(String(s.headers['accept-encoding']), /gzip/);
      }
    });

    it('a 404 with its own _links: its drill-down links are the next steps, those leaving the base dropped, no further request', async () => {
      fx.seen.length = 0;
      await expectApiError(client.open('/cmu/v2/year/bogus'), (e) => {
        assert.equal(e.status, 404);
        assert.equal(e.nextStepsSource, 'server');
        assert.deepEqual(e.validNextStepsFrom, ['year']);
        assert.deepEqual(e.validNextSteps, ['month']);
      });
      assert.equal(fx.seen.length, 1);
    });

    it('parses each format from the wire into the same records', async () => {
      const reports = [];
      for (const ext of ['', '.json', '.xml', '.csv', '.html']) {
        const r = await client.fetchReport(`/cmu/v2/tenant/year/month/day/mvpd${ext}`);
        assert.deepEqual(r.columns, EXPECTED_COLUMNS, ext);
        assert.deepEqual(r.rows, EXPECTED_ROWS, ext);
        reports.push(r);
      }
      assert.deepEqual(reports.map((r) => r.format), ['json', 'json', 'xml', 'csv', 'html']);
      assert.equal(reports[3].fileName, 'report__2024-11-01_2024-11-08_ACME.csv');
      assert.equal(reports[0].url, fx.origin + '/cmu/v2/tenant/year/month/day/mvpd');
      assert.equal(reports[0].links.drillDown.length, 2);
    });

    it('builds a CSV file name from the query without Content-Disposition', async () => {
      const r = await client.fetchReport('/cmu/v2/nodisposition.csv?start=2024-01-01&end=2024-02-01T00:00:00&tenant=ACME');
      assert.equal(r.fileName, 'report__2024-01-01_2024-02-01_ACME.csv');
    });

    it('decodes gzip', async () => {
      const r = await client.fetchReport('/cmu/v2/gzip');
      assert.deepEqual(r.rows, EXPECTED_ROWS);
      assert.equal(r.raw, JSON_EX5);
    });

    it('an HTML page or a truncated body where JSON was expected is a clear error', async () => {
      await expectApiError(client.fetchReport('/cmu/v2/htmlpage'), (e) => {
        assert.equal(e.code, 'bad_response');
        assert.equal(e.status, 200);
        assert.match(e.message, /HTML page instead of a JSON report/);
        assert.match(e.explanation, /Sign in/);
        assert.equal(e.nextStep, 'showLog');
      });
      await expectApiError(client.fetchReport('/cmu/v2/truncated'), (e) => {
        assert.equal(e.code, 'bad_response');
        assert.match(e.message, /incomplete or malformed/);
        assert.equal(e.nextStep, 'retry');
      });
    });

    it('an HTML error page with a 5xx is reduced to its title', async () => {
      await expectApiError(client.fetchReport('/cmu/v2/gateway'), (e) => {
        assert.equal(e.status, 502);
        assert.equal(e.nextStep, 'retry');
        assert.equal(e.serverText, '502 Bad Gateway');
      });
    });

    it('a JSON error body (Enhanced Error Codes) is shown as code: message; a 401 is retried once after a refresh', async () => {
      fx.seen.length = 0;
      await expectApiError(client.fetchReport('/cmu/v2/enhanced'), (e) => {
        assert.equal(e.status, 401);
        assert.equal(e.serverText, 'invalid_access_token_client_application: The access token is invalid. (https://example.com/help)');
      });
      assert.equal(fx.seen.length, 2);
    });

    it('does not follow redirects (the token would leave the origin)', async () => {
      await expectApiError(client.fetchReport('/cmu/v2/redirect'), (e) => {
        assert.equal(e.status, 302);
        assert.match(e.explanation, /https:\/\/elsewhere\.example/);
      });
    });

    it('open() returns the raw 2xx response for streaming', async () => {
      const res = await client.open('/cmu/v2/tenant/year/month/day/mvpd.csv');
      assert.equal(res.status, 200);
      const chunks: Buffer[] = [];
      for await (const c of res.stream() as AsyncIterable<Buffer>) chunks.push(c);
      assert.equal(Buffer.concat(chunks).toString('utf8'), CSV_SAME);
    });

    it('honours cancellation', async () => {
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 100);
      // /slow answers 200 after 3 s: a CancelledError can only come from the abort
      await assert.rejects(client.fetchReport('/cmu/v2/slow', { signal: ctl.signal }), (e: unknown) => e instanceof CancelledError);
      const pre = new AbortController();
      pre.abort();
      await assert.rejects(client.fetchReport('/cmu/v2/tenant', { signal: pre.signal }), (e: unknown) => e instanceof CancelledError);
    });

    it('staging prefix fallback: a /cmu/v2 link on a /v2 base is retried under the base path', async () => {
      const base = fx.origin + '/v2';
      const staging = new CmuClient({ http: httpClient, session: await sessionFor(base, 'staging'), cmuBase: base });
      fx.seen.length = 0;
      const r = await staging.fetchReport('/cmu/v2/year/month');
      assert.deepEqual(fx.seen.map((s) => s.url), ['/cmu/v2/year/month', '/v2/year/month']);
      assert.deepEqual(reportRecords(r), [{ year: '2024', month: '11', 'active-users': 1 }]);
      // a query goes to the base path first
      fx.seen.length = 0;
      await staging.fetchReport(emptyQuery(['year', 'month']));
      assert.deepEqual(fx.seen.map((s) => s.url), ['/v2/year/month']);
    });
  });

  describe('live reports from the sandbox', () => {
    let client: CmuClient;
    before(async () => {
      client = new CmuClient({ http: httpClient, session: await sessionFor(sandbox.cmuBase), cmuBase: sandbox.cmuBase });
    });

    it('both base forms work end to end: …/v2 as well as …/cmu/v2, following the server\'s /cmu/v2 links', async () => {
      const v2 = `${sandbox.origin}/v2`;
      const short = new CmuClient({ http: httpClient, session: await sessionFor(v2), cmuBase: v2 });
      const year = await short.fetchReport(emptyQuery(['year']));
      assert.ok(year.rows.length > 0);
      const link = year.links.drillDown.find((l) => l.name === 'duration');
      assert.equal(link?.href, '/cmu/v2/year/duration');
      const viaLink = await short.fetchReport(link.href);
      assert.deepEqual(viaLink.columns.map((c) => c.name), (await client.fetchReport(emptyQuery(['year', 'duration']))).columns.map((c) => c.name));
      // a host that answers only under its base's /v2 while its links say /cmu/v2: the 404 is retried under /v2
      sandbox.setCmuPrefixes(['/v2']);
      try {
        const before = sandbox.stats.cmu;
        const r = await short.fetchReport(`${link.href}?limit=1`);
        assert.equal(r.rows.length, 1);
        assert.equal(sandbox.stats.cmu - before, 1, 'answered under /v2 (the /cmu/v2 try is a plain 404 outside CMU)');
        await assert.rejects(client.fetchReport(emptyQuery(['year'])), (e: unknown) => e instanceof CmuApiError && e.status === 404);
      } finally {
        sandbox.setCmuPrefixes(['/cmu/v2', '/v2']);
      }
    });

    it('each format is parsed into the same records', async () => {
      const { start, end } = resolveWindow(parseWindow('yesterday'), UTC, Date.now());
      const range = { start, end };
      const base = { ...emptyQuery(['tenant', 'year', 'month', 'day', 'mvpd']), ...range, metrics: ['active-users', 'started-sessions'] };
      const reports = [];
      for (const format of [undefined, 'xml', 'csv', 'html'] as const) {
        const r = await client.fetchReport({ ...base, format });
        assert.equal(r.format, format ?? 'json');
        reports.push(r);
      }
      const json = reports[0];
      assert.deepEqual(json.columns.map((c) => `${c.name}:${c.kind}`), [
        'tenant:dimension', 'year:dimension', 'month:dimension', 'day:dimension', 'mvpd:dimension', 'active-users:metric', 'started-sessions:metric',
      ]);
      assert.ok(json.rows.length >= 2, `rows: ${json.rows.length}`);
      assert.ok(json.rows.every((row) => typeof row[5] === 'number' && typeof row[6] === 'number'));
      for (const r of reports.slice(1)) assert.deepEqual(reportRecords(r), reportRecords(json), r.format);
      const xml = reports[1];
      assert.deepEqual(parseXmlWithLibrary(xml.raw), { links: xml.links, columns: xml.columns, rows: xml.rows }); // fast path = library
      assert.match(reports[2].fileName ?? '', /^report__\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}.*\.csv$/);
      // links: the self link carries the parameters actually used; drill-down/roll-up normalized
      assert.match(json.links.self ?? '', /^\/cmu\/v2\/tenant\/year\/month\/day\/mvpd\?/);
      assert.deepEqual(json.links.rollUp.map((l) => l.name), ['day']);
      assert.ok(json.links.drillDown.length > 0);
      assert.deepEqual(reports[1].links.drillDown, json.links.drillDown);
      assert.deepEqual(reports[1].links.rollUp, json.links.rollUp);
      assert.deepEqual(reports[3].links.drillDown, json.links.drillDown);
    });

    it('fetchReportRows: the rows as CSV and the links from a limit=1 JSON call equal the JSON report; the URL is the query\'s', async () => {
      const q = { ...emptyQuery(['tenant', 'year', 'month', 'day']), ...previousMonth(), metrics: ['started-sessions', 'active-users'] };
      const json = await client.fetchReport(q);
      const before = sandbox.stats.cmu;
      const compact = await client.fetchReportRows(q);
      assert.equal(sandbox.stats.cmu - before, 2, 'one CSV call and one limit=1 call');
      assert.equal(compact.format, 'csv');
      assert.equal(compact.url, client.urlFor(q));
      assert.deepEqual(reportRecords(compact), reportRecords(json));
      assert.deepEqual(compact.columns, json.columns);
      // the links as the full JSON report has them; the self link without the links-only call's limit=1 (and so
      // without the server's default limit, which only the full call would name)
      assert.deepEqual(compact.links, { ...json.links, self: json.links.self?.replace(/&limit=\d+/, '') });
      assert.ok(!/limit=/.test(compact.links.self ?? ''), compact.links.self);
      const limited = await client.fetchReportRows({ ...q, limit: 3 });
      assert.equal(limited.rows.length, 3);
      assert.match(limited.links.self ?? '', /[?&]limit=3(&|$)/);
      assert.equal(compact.response?.headers['content-type']?.startsWith('text/csv'), true);
      // a query that asks for CSV, or one row, is fetched as it is (one call)
      const one = sandbox.stats.cmu;
      await client.fetchReportRows({ ...q, limit: 1 });
      await client.fetchReportRows({ ...q, format: 'csv' });
      assert.equal(sandbox.stats.cmu - one, 2);
    });

    it('fetchReportRows: a failure of either call is the report\'s error (the other is cancelled); the caller can cancel both', async () => {
      await assert.rejects(client.fetchReportRows(emptyQuery(['tenant', 'nosuch-dimension'])), (e: unknown) => e instanceof CmuApiError && e.status === 404);
      sandbox.failNext(1, 400, { endpoint: 'cmu', error: 'Invalid date: 2024-13' });
      await assert.rejects(client.fetchReportRows(emptyQuery(['tenant', 'year'])), (e: unknown) => e instanceof CmuApiError && e.status === 400);
      sandbox.clearFailures();
      const ctl = new AbortController();
      ctl.abort();
      await assert.rejects(client.fetchReportRows(emptyQuery(['tenant']), { signal: ctl.signal }), (e: unknown) => e instanceof CancelledError);
    });

    /** A reader that collects the streamed body, decoded, as text; `encodings` gets how each came. */
    const encodings: BodyEncoding[] = [];
    const collect = (body: NodeJS.ReadableStream, _signal?: AbortSignal, encoding?: BodyEncoding): Promise<string> =>
      new Promise((resolve, reject) => {
        encodings.push(encoding);
        body.once('error', reject);
        const text = decode(body as Readable, encoding).stream;
        const parts: Buffer[] = [];
        text.on('data', (c: Buffer) => parts.push(c));
        text.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        text.once('error', reject);
      });

    it('streamReportRows: the CSV body goes to the reader as a stream; the metadata (links, headers) comes once, before it resolves', async () => {
      const q = { ...emptyQuery(['tenant', 'year', 'month', 'day']), ...previousMonth(), metrics: ['started-sessions', 'active-users'] };
      const rows = await client.fetchReportRows(q);
      const metas: StreamedMeta[] = [];
      const before = sandbox.stats.cmu;
      const s = await client.streamReportRows(q, collect, { onMeta: (m) => metas.push(m) });
      assert.equal(sandbox.stats.cmu - before, 2, 'one CSV call and one limit=1 call');
      assert.equal(s.value, rows.raw, 'the reader got the CSV body, byte for byte once decoded');
      assert.equal(encodings.pop(), 'gzip', 'as it came: gzip, decoded by the reader (off the thread, in the panel)');
      assert.equal(metas.length, 1);
      assert.deepEqual(metas[0].links, rows.links);
      assert.deepEqual(s.meta?.links, rows.links);
      assert.equal(s.meta?.url, client.urlFor(q));
      assert.equal(s.meta?.format, 'csv');
      assert.equal(s.meta?.response?.status, 200);
      assert.match(s.meta?.response?.headers['content-type'] ?? '', /^text\/csv/);
      // a query that asks for another format, or one row, is fetched and parsed as it is: no reader
      const xml = await client.streamReportRows({ ...q, format: 'xml' }, () => assert.fail('no stream for XML'));
      assert.deepEqual(xml.report?.rows, rows.rows);
    });

    it('streamReportRows: a body over the limit is "too large" (Save As…), a cut body and a cancel reject; nothing resolves as success', async () => {
      const q = { ...emptyQuery(['tenant', 'year', 'month', 'day']), ...previousMonth() };
      await assert.rejects(client.streamReportRows(q, collect, { maxBytes: 200 }), (e: unknown) => e instanceof CmuApiError && e.code === 'report_too_large');
      sandbox.failNext(1, 200, { endpoint: 'cmu', cutAfterBytes: 150 });
      const cut = client.streamReportRows({ ...q, format: undefined }, collect);
      await assert.rejects(cut, (e: unknown) => e instanceof CmuError && !(e instanceof CancelledError), 'the cut answer is an error');
      sandbox.clearFailures();
      const ctl = new AbortController();
      let body: NodeJS.ReadableStream | undefined;
      const run = client.streamReportRows(
        q,
        (b) => {
          body = b;
          ctl.abort();
          return collect(b);
        },
        { signal: ctl.signal },
      );
      await assert.rejects(run);
      assert.ok(body && (body as unknown as { destroyed: boolean }).destroyed, 'the body stream is closed after a cancel');
    });

    it('streamReportRows: a reader that throws at once (a worker that could not start) rejects with its error; the closed body crashes nothing', async () => {
      // a month of minutes: the body is still arriving when the links call is stopped
      const q = { ...emptyQuery(['tenant', 'year', 'month', 'day', 'hour', 'minute']), ...previousMonth() };
      const crashes: unknown[] = [];
      const onCrash = (e: unknown) => crashes.push(e);
      const mochaHandlers = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.on('uncaughtException', onCrash);
      try {
        await assert.rejects(
          client.streamReportRows(q, () => {
            throw new Error('no worker');
          }),
          /no worker/,
        );
        await new Promise((r) => setTimeout(r, 200)); // the links call and the body settle
      } finally {
        process.off('uncaughtException', onCrash);
        for (const h of mochaHandlers) process.on('uncaughtException', h);
      }
      assert.deepEqual(crashes, [], 'no unhandled stream error');
    });

    it('the self link opens as the same query, a drill-down link as a report', async () => {
      const first = await client.fetchReport({ ...emptyQuery(['tenant', 'year', 'month']), ...previousMonth(), limit: 5 });
      const again = await client.fetchReport(parseQueryUrl(first.links.self!));
      assert.deepEqual(again.rows, first.rows);
      const down = first.links.drillDown[0];
      const child = await client.fetchReport(down.href);
      assert.ok(child.columns.some((c) => c.name === down.name));
    });

    it('gzip from the sandbox is decoded', async () => {
      const res = await client.open('/cmu/v2/tenant/year/month');
      assert.equal(res.headers['content-encoding'], 'gzip');
      const body = await res.text();
      assert.ok(body.startsWith('{"_links"'));
    });
  });

  describe('status mapping (sandbox)', () => {
    let session: Session;
    let client: CmuClient;
    before(async () => {
      session = await sessionFor(sandbox.cmuBase);
      client = new CmuClient({ http: httpClient, session, cmuBase: sandbox.cmuBase });
      await session.getToken();
    });

    it('401 -> one token refresh and one retry', async () => {
      sandbox.revokeTokens();
      const before = { ...sandbox.stats };
      const r = await client.fetchReport('/cmu/v2/tenant');
      assert.deepEqual(r.rows, [['ACME', ...r.rows[0].slice(1)]]);
      assert.equal(sandbox.stats.token - before.token, 1);
      assert.equal(sandbox.stats.cmu - before.cmu, 2);
    });

    it('a second 401 is an error (no loop)', async () => {
      sandbox.failNext(2, 401, { endpoint: 'cmu' });
      const before = { ...sandbox.stats };
      await expectApiError(client.open('/cmu/v2/tenant'), (e) => {
        assert.equal(e.status, 401);
        assert.equal(e.nextStep, 'diagnose');
      });
      assert.equal(sandbox.stats.cmu - before.cmu, 2);
      assert.equal(sandbox.stats.token - before.token, 1);
    });

    it('403 -> scopes / entitlement', async () => {
      sandbox.failNext(1, 403, { endpoint: 'cmu' });
      await expectApiError(client.open('/cmu/v2/tenant'), (e) => {
        assert.equal(e.status, 403);
        assert.match(e.explanation, /scopes/);
        assert.equal(e.nextStep, 'contactAdobe');
      });
    });

    it('403 for a client registered without the CMU scope', async () => {
      const stmt = await sandbox.issueStatement(undefined, { scopes: ['api:client:v2'] });
      const env: Environment = { name: 'sandbox', dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase };
      const s = new Session({ store: new MemoryStore(), env, profile: 'noscope', http: httpClient });
      await s.importStatement(stmt);
      const c = new CmuClient({ http: httpClient, session: s, cmuBase: sandbox.cmuBase });
      await expectApiError(c.open('/cmu/v2/tenant'), (e) => assert.equal(e.status, 403));
    });

    it('403 on billing/daily for a token without the billing scope names cmu:billing:client and what to ask Adobe for', async () => {
      const stmt = await sandbox.issueStatement(undefined, { scopes: ['cmu:analytics:client'] });
      const env: Environment = { name: 'sandbox', dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase };
      const s = new Session({ store: new MemoryStore(), env, profile: 'nobilling', http: httpClient });
      await s.importStatement(stmt);
      const c = new CmuClient({ http: httpClient, session: s, cmuBase: sandbox.cmuBase });
      await expectApiError(c.open('billing/daily'), (e) => {
        assert.equal(e.status, 403);
        assert.equal(e.code, 'missing_scope');
        assert.match(e.message, /lacks the CMU scope cmu:billing:client/);
        assert.match(e.explanation, /cmu:analytics:client/); // what the token has
        assert.match(e.explanation, /Ask Adobe .*cmu:billing:client/);
        assert.equal(e.nextStep, 'contactAdobe');
      });
      // the analytics reports still work with that token
      assert.equal((await c.open('/cmu/v2/year?limit=1')).status, 200);
    });

    it('404 -> no pre-aggregation + the closest known ancestor\'s next steps', async () => {
      sandbox.failNext(1, 404, { endpoint: 'cmu' });
      await expectApiError(client.open(emptyQuery(['tenant', 'year', 'month', 'day', 'platform'])), (e) => {
        assert.equal(e.status, 404);
        assert.match(e.message, /No pre-aggregation for \/tenant\/year\/month\/day\/platform/);
        assert.deepEqual(e.validNextSteps, ['mvpd', 'channel', 'hour', 'application-id']);
        assert.match(e.explanation, /Valid next steps from \/tenant\/year\/month\/day are: mvpd, channel, hour, application-id/);
      });
      sandbox.failNext(1, 404, { endpoint: 'cmu' });
      await expectApiError(client.open('/cmu/v2/tenant/bogus/deeper'), (e) => {
        assert.deepEqual(e.validNextSteps, ['year']);
        assert.deepEqual(e.validNextStepsFrom, ['tenant']); // the steps continue /tenant, not the parent /tenant/bogus
      });
    });

    it('404 without _links -> the closest answering ancestor\'s links are the next steps (the server leads, not the catalog)', async () => {
      sandbox.serveExtraReport('year/screen-class', 'resumed-streams');
      const before = sandbox.stats.cmu;
      await expectApiError(client.open('/cmu/v2/year/bogus/deeper'), (e) => {
        assert.equal(e.status, 404);
        assert.equal(e.nextStepsSource, 'server');
        assert.deepEqual(e.validNextStepsFrom, ['year']);
        // screen-class is in no document and no catalog: only the server's links name it
        assert.ok(e.validNextSteps?.includes('screen-class'), String(e.validNextSteps));
        assert.ok(e.validNextSteps?.includes('duration'));
        assert.match(e.explanation, /Valid next steps from \/year are: .*screen-class.* \(the server's links\)/);
      });
      // the 404, /year/bogus (404), /year (200): walked up one segment at a time, stopping at the first answer
      assert.equal(sandbox.stats.cmu - before, 3);
    });

    it('404 walk is bounded by the path\'s depth; with no ancestor answering, the catalog advises', async () => {
      sandbox.failNext(10, 404, { endpoint: 'cmu' });
      const before = sandbox.stats.cmu;
      await expectApiError(client.open('/cmu/v2/tenant/year/bogus'), (e) => {
        assert.equal(e.nextStepsSource, 'catalog');
        assert.deepEqual(e.validNextSteps, ['month']);
        assert.match(e.explanation, /the catalog's advice/);
      });
      assert.equal(sandbox.stats.cmu - before, 4); // the 404, then /tenant/year, /tenant, the root
      sandbox.clearFailures();
      // another failure of an ancestor (403 here) stops the walk at once
      sandbox.failNext(1, 404, { endpoint: 'cmu' });
      sandbox.failNext(1, 403, { endpoint: 'cmu' });
      const b2 = sandbox.stats.cmu;
      await expectApiError(client.open('/cmu/v2/tenant/year/month/bogus'), (e) => assert.equal(e.nextStepsSource, 'catalog'));
      assert.equal(sandbox.stats.cmu - b2, 2);
      // ancestorLinks: false asks nothing more
      const b3 = sandbox.stats.cmu;
      await expectApiError(client.open('/cmu/v2/tenant/bogus', { ancestorLinks: false }), (e) => assert.equal(e.nextStepsSource, 'catalog'));
      assert.equal(sandbox.stats.cmu - b3, 1);
    });

    it('400 / 406 -> the server\'s text shown', async () => {
      sandbox.failNext(1, 400, { endpoint: 'cmu', error: 'Invalid date: 2024-13' });
      await expectApiError(client.open('/cmu/v2/tenant/year?start=2024-13'), (e) => {
        assert.equal(e.status, 400);
        assert.equal(e.serverText, 'Invalid date: 2024-13');
        assert.match(e.message, /Invalid date: 2024-13/);
      });
      sandbox.failNext(1, 406, { endpoint: 'cmu', error: 'unsupported media type' });
      await expectApiError(client.open('/cmu/v2/tenant.pdf'), (e) => {
        assert.equal(e.status, 406);
        assert.match(e.message, /unsupported media type/);
      });
    });

    it('503 -> bounded retries by the http module, then an error', async () => {
      sandbox.failNext(10, 503, { endpoint: 'cmu' });
      const before = sandbox.stats.cmu;
      await expectApiError(client.open('/cmu/v2/tenant'), (e) => {
        assert.equal(e.status, 503);
        assert.equal(e.nextStep, 'retry');
        assert.match(e.message, /unavailable/);
      });
      assert.equal(sandbox.stats.cmu - before, 3); // 1 + max5xxRetries (2)
      sandbox.clearFailures();
    });

    it('429 after the http module\'s retries, 405 and 500 are mapped too', async () => {
      sandbox.failNext(10, 429, { endpoint: 'cmu', retryAfterSec: 0 });
      await expectApiError(client.open('/cmu/v2/tenant'), (e) => {
        assert.equal(e.status, 429);
        assert.equal(e.nextStep, 'retry');
        assert.match(e.message, /throttling/);
      });
      sandbox.clearFailures();
      sandbox.failNext(1, 405, { endpoint: 'cmu' });
      await expectApiError(client.open('/cmu/v2/tenant'), (e) => assert.equal(e.status, 405));
      sandbox.failNext(10, 500, { endpoint: 'cmu' });
      await expectApiError(client.open('/cmu/v2/tenant'), (e) => {
        assert.equal(e.status, 500);
        assert.match(e.message, /internal error/);
        assert.equal(e.serverText, 'unexpected server error');
      });
      sandbox.clearFailures();
    });

    it('a transient 503 is retried transparently', async () => {
      sandbox.failNext(1, 503, { endpoint: 'cmu' });
      const before = sandbox.stats.cmu;
      const res = await client.open('/cmu/v2/tenant');
      assert.equal(res.status, 200);
      await res.text();
      assert.equal(sandbox.stats.cmu - before, 2);
    });

    it('a real 404 from the sandbox: its text plus the catalog\'s next steps', async () => {
      await expectApiError(client.open('/cmu/v2/tenant/bogus'), (e) => {
        assert.equal(e.status, 404);
        assert.deepEqual(e.validNextSteps, ['year']);
        assert.match(e.serverText ?? '', /no pre-aggregation/);
      });
    });

    it('real 400 and 406 from the sandbox: the server\'s text shown', async () => {
      await expectApiError(client.open(parseQueryUrl('/cmu/v2/tenant/year?start=2024-13')), (e) => {
        assert.equal(e.status, 400);
        assert.equal(e.serverText, 'start is not a valid date/time: 2024-13');
        assert.match(e.message, /start is not a valid date\/time: 2024-13/);
      });
      await expectApiError(client.open('/cmu/v2/tenant.pdf'), (e) => {
        assert.equal(e.status, 406);
        assert.match(e.message, /unsupported format/);
      });
    });

    it('cancellation while the sandbox is slow', async () => {
      sandbox.setDelay(2000, 'cmu');
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 100);
      await assert.rejects(client.open('/cmu/v2/tenant', { signal: ctl.signal }), (e: unknown) => e instanceof CancelledError);
    });
  });

  it('a 400 body that echoes an opaque access token does not put it in the error', async () => {
    // an opaque (non-JWT) token is not caught by the patterns: the registered secret is
    const token = 'opaque4f9c2b7e1d8a6350ffee';
    const server = http.createServer((req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`invalid start for token ${String(req.headers.authorization).replace(/^Bearer /, '')}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const store = new MemoryStore();
      const now = Date.now();
      await store.set(secretKey('custom', 'default', 'token'), JSON.stringify({ accessToken: token, expiresAt: now + 3_600_000, obtainedAt: now, scopes: [], tokenType: 'Bearer' }));
      const client = new HttpClient({ timeoutMs: 10_000 });
      const env: Environment = { name: 'custom', dcrOrigin: origin, cmuBase: origin + '/cmu/v2' };
      const cmu = new CmuClient({ http: client, session: new Session({ store, env, profile: 'default', http: client }), cmuBase: env.cmuBase! });
      const err = await cmu.fetchReport('tenant/year').then(
        () => assert.fail('expected a 400'),
        (e: unknown) => e as CmuApiError,
      );
      assert.ok(err instanceof CmuApiError, String(err));
      assert.equal(err.status, 400);
      assert.match(err.serverText ?? '', /invalid start for token \[redacted\]/);
      for (const text of [err.message, err.explanation, err.serverText ?? '']) assert.ok(!text.includes(token), text);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
