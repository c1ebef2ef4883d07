/**
 * Hostile and broken servers on 127.0.0.1 against the one HTTP module and its callers (DCR, CMU): endless
 * and compressed bodies, bytes after Content-Length, a slowloris body, a token that is not a header value,
 * absurd lifetimes, throttling and odd redirects. Every exchange must settle, bounded, with a typed error.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CmuApiError, CmuClient } from '../../../../src/core/cmu/client';
import { DcrClient, DcrError } from '../../../../src/core/dcr';
import { CmuError } from '../../../../src/core/errors';
import { BodyTooLargeError, CancelledError, HttpClient, HttpStatusError, NetworkError, TimeoutError, type RetryWait } from '../../../../src/core/http';
import type { Session } from '../../../../src/core/session';
import { endlessGzip, endlessPlain, trickle } from '../../support/hostile';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzY29wZXMiOiJjbXU6Y2xpZW50In0.c2lnbmF0dXJlLXBhcnQtdGhhdC1pcy1sb25n';

describe('hostile servers (http layer)', function () {
  this.timeout(15_000);
  let server: http.Server;
  let raw: net.Server;
  let base: string;
  let rawBase: string;
  const routes = new Map<string, Handler>();
  /** what the raw TCP server answers (bytes written verbatim) */
  let rawAnswer = '';

  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.once('end', () => {
        const h = routes.get((req.url ?? '/').split('?')[0]);
        if (h) h(req, res);
        else {
          res.writeHead(404);
          res.end();
        }
      });
    });
    raw = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.write(rawAnswer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    rawBase = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => raw.close(r));
  });
  beforeEach(() => routes.clear());

  const extraBytes = (body: string, extra = 'GARBAGE AFTER THE BODY') =>
    `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}${extra}`;

  describe('bytes after the Content-Length body', () => {
    it('text() fails with a NetworkError instead of never settling', async () => {
      rawAnswer = extraBytes('{}');
      const client = new HttpClient({ timeoutMs: 5000 });
      await assert.rejects(
        (async () => (await client.request({ method: 'GET', url: rawBase + '/' })).text())(),
        (e: unknown) => e instanceof NetworkError && /malformed|after the end/i.test(e.message),
      );
    });
    it('stream() fails too', async () => {
      rawAnswer = extraBytes('{"a":1}');
      const client = new HttpClient({ timeoutMs: 5000 });
      await assert.rejects(
        (async () => {
          const res = await client.request({ method: 'GET', url: rawBase + '/' });
          const s = res.stream();
          for await (const _ of s) void _;
        })(),
        NetworkError,
      );
    });
    it('the DCR token endpoint fails (the single flight of the session cannot wedge), and again on the next call', async () => {
      rawAnswer = extraBytes(JSON.stringify({ access_token: TOKEN, expires_in: 3600 }));
      const http1 = new HttpClient({ timeoutMs: 5000 });
      const dcr = new DcrClient({ http: http1, dcrOrigin: rawBase, deviceInfo: 'eA==' });
      await assert.rejects(dcr.token({ clientId: 'c1', clientSecret: 'secret-value-1' }), NetworkError);
      // a second call settles as well (nothing is left holding a single flight)
      await assert.rejects(dcr.token({ clientId: 'c1', clientSecret: 'secret-value-1' }), NetworkError);
    });
  });

  describe('bounded bodies', () => {
    it('a buffered read of an endless gzip body stops at the limit with BodyTooLargeError', async () => {
      routes.set('/bomb', (_q, res) => endlessGzip(res));
      const client = new HttpClient({ timeoutMs: 5000, maxBufferedBytes: 4 << 20 });
      const res = await client.request({ method: 'GET', url: base + '/bomb' });
      await assert.rejects(res.text(), (e: unknown) => e instanceof BodyTooLargeError && e.limitBytes === 4 << 20);
    });
    it('an error body is read up to a small excerpt, the rest dropped (HttpStatusError settles)', async () => {
      routes.set('/err', (_q, res) => endlessGzip(res, 500, 'text/plain'));
      const client = new HttpClient({ timeoutMs: 5000, max5xxRetries: 0 });
      const res = await client.request({ method: 'GET', url: base + '/err' });
      const e = await HttpStatusError.fromResponse(res);
      assert.equal(e.status, 500);
      assert.ok(e.bodyExcerpt.length <= 501, `excerpt ${e.bodyExcerpt.length}`);
    });
    it('a streamed gzip bomb fails on its compression ratio; a plain endless stream on its size cap', async () => {
      routes.set('/bomb', (_q, res) => endlessGzip(res));
      routes.set('/huge', (_q, res) => endlessPlain(res));
      const client = new HttpClient({ timeoutMs: 5000, maxCompressionRatio: 50 });
      const drain = async (url: string, maxBytes?: number) => {
        const res = await client.request({ method: 'GET', url });
        for await (const _ of res.stream({ maxBytes })) void _;
      };
      await assert.rejects(drain(base + '/bomb'), (e: unknown) => e instanceof BodyTooLargeError && /compress/i.test(e.message));
      await assert.rejects(drain(base + '/huge', 8 << 20), (e: unknown) => e instanceof BodyTooLargeError && /8 MB/.test(e.message));
    });
    it('encodedStream() (a reader that decodes elsewhere): an endless gzip body stops at the cap on the bytes as they came; bytes after the body fail it', async () => {
      routes.set('/bomb', (_q, res) => endlessGzip(res));
      const client = new HttpClient({ timeoutMs: 5000 });
      const res = await client.request({ method: 'GET', url: base + '/bomb' });
      const { stream, encoding } = res.encodedStream({ maxBytes: 1 << 20 });
      assert.equal(encoding, 'gzip');
      let got = 0;
      await assert.rejects(
        (async () => {
          for await (const c of stream) got += (c as Buffer).length;
        })(),
        (e: unknown) => e instanceof BodyTooLargeError && /1 MB/.test(e.message),
      );
      assert.ok(got <= 1 << 20, `${got} encoded bytes passed`);
      rawAnswer = extraBytes('{"a":1}');
      await assert.rejects(
        (async () => {
          const cut = await client.request({ method: 'GET', url: rawBase + '/' });
          for await (const _ of cut.encodedStream().stream) void _;
        })(),
        NetworkError,
      );
    });
    it('DCR: an endless registration answer is refused as too large, the statement never echoed', async () => {
      routes.set('/o/client/register', (_q, res) => endlessGzip(res, 201));
      const dcr = new DcrClient({ http: new HttpClient({ timeoutMs: 5000 }), dcrOrigin: base, deviceInfo: 'eA==' });
      await assert.rejects(dcr.register('statement-secret-xyz'), (e: unknown) => e instanceof DcrError && /too large/i.test(e.message) && !e.message.includes('statement-secret-xyz'));
    });
    it('CMU: an endless error body and an endless report both settle; the report names cmu report --out', async () => {
      routes.set('/cmu/v2/bad', (_q, res) => endlessPlain(res, 400));
      routes.set('/cmu/v2/big', (_q, res) => endlessGzip(res, 200, 'application/json'));
      const http1 = new HttpClient({ timeoutMs: 5000 });
      const cmu = cmuClient(http1, base);
      await assert.rejects(cmu.fetchReport('bad'), (e: unknown) => e instanceof CmuApiError && e.status === 400 && (e.serverText?.length ?? 0) <= 1001);
      const small = cmuClient(http1, base, 2 << 20);
      await assert.rejects(small.fetchReport('big'), (e: unknown) => e instanceof CmuError && /too large/i.test(e.message) && /--out FILE/.test(e.explanation));
    });
  });

  describe('slow bodies and deadlines', () => {
    it('a body trickling 1 byte per 50 ms fails on the minimum transfer rate', async () => {
      routes.set('/slow', (_q, res) => trickle(res, 50));
      const client = new HttpClient({ timeoutMs: 400, minBytesPerSecond: 1024 });
      const res = await client.request({ method: 'GET', url: base + '/slow' });
      await assert.rejects(
        (async () => {
          for await (const _ of res.stream()) void _;
        })(),
        (e: unknown) => e instanceof TimeoutError && /slower than 1 KB\/s/.test(e.message),
      );
    });
    it('maxTimeMs is a total deadline for the whole exchange, named in the message', async () => {
      routes.set('/slow', (_q, res) => trickle(res, 20));
      const client = new HttpClient({ timeoutMs: 5000, minBytesPerSecond: 0 });
      const res = await client.request({ method: 'GET', url: base + '/slow', maxTimeMs: 600 });
      await assert.rejects(res.text(), (e: unknown) => e instanceof TimeoutError && /0\.6 s in total/.test(e.message));
    });
    it('timeoutMs 0 (a setting of 0) does not fail every request: it means the default', async () => {
      routes.set('/ok', (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
      const client = new HttpClient({ timeoutMs: 0 });
      assert.equal(await (await client.request({ method: 'GET', url: base + '/ok' })).text(), 'ok');
      assert.equal(await (await client.request({ method: 'GET', url: base + '/ok', timeoutMs: 0 })).text(), 'ok');
    });
  });

  describe('throttling (429)', () => {
    it('backs off growing (x2 with jitter), tells the caller each wait, at most 4 attempts', async () => {
      let n = 0;
      routes.set('/busy', (_q, res) => {
        n++;
        res.writeHead(429);
        res.end();
      });
      const waits: RetryWait[] = [];
      const client = new HttpClient({ minRetryDelayMs: 20 });
      const res = await client.request({ method: 'GET', url: base + '/busy', onWait: (w) => waits.push(w) });
      assert.equal(res.status, 429);
      assert.equal(n, 4);
      assert.equal(waits.length, 3);
      assert.ok(waits[0].ms >= 20 && waits[1].ms >= 40 && waits[2].ms >= 80, JSON.stringify(waits));
      assert.match(waits[0].reason, /asked to slow down/);
    });
    it('a Retry-After over 60 s is not slept on: the CMU error says when to try again', async () => {
      routes.set('/o/client/token', (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: TOKEN, expires_in: 3600 }));
      });
      let n = 0;
      routes.set('/cmu/v2/busy', (_q, res) => {
        n++;
        res.writeHead(429, { 'retry-after': '600' });
        res.end();
      });
      const cmu = cmuClient(new HttpClient({}), base);
      await assert.rejects(cmu.fetchReport('busy'), (e: unknown) => e instanceof CmuApiError && e.status === 429 && /10 min/.test(e.explanation) && /try again after/i.test(e.explanation));
      assert.equal(n, 1);
    });
    it('cancelling during a throttling wait settles at once with CancelledError', async () => {
      routes.set('/busy', (_q, res) => {
        res.writeHead(429, { 'retry-after': '30' });
        res.end();
      });
      const ctl = new AbortController();
      const client = new HttpClient({});
      const p = client.request({ method: 'GET', url: base + '/busy', signal: ctl.signal, onWait: () => setTimeout(() => ctl.abort(), 10) });
      await assert.rejects(p, CancelledError);
    });
  });

  describe('DCR token answers', () => {
    it('a token with a newline is refused with a DCR error that never echoes it', async () => {
      const evil = `${TOKEN}\nX-Injected: 1`;
      routes.set('/o/client/token', (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: evil, expires_in: 3600 }));
      });
      const dcr = new DcrClient({ http: new HttpClient({ timeoutMs: 5000 }), dcrOrigin: base, deviceInfo: 'eA==' });
      await assert.rejects(dcr.token({ clientId: 'c', clientSecret: 'secret-value-2' }), (e: unknown) => {
        assert.ok(e instanceof DcrError, String(e));
        assert.match(e.message, /not a valid HTTP header value|cannot be sent/);
        for (const t of [e.message, e.explanation, e.bodyExcerpt ?? '']) assert.ok(!t.includes('c2lnbmF0dXJl'), t);
        return true;
      });
    });
    it('expires_in 1e308 is clamped: the cached deadline stays a finite, storable date', async () => {
      routes.set('/o/client/token', (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"access_token":"${TOKEN}","expires_in":1e308}`);
      });
      const dcr = new DcrClient({ http: new HttpClient({ timeoutMs: 5000 }), dcrOrigin: base, deviceInfo: 'eA==' });
      const t = await dcr.token({ clientId: 'c', clientSecret: 'secret-value-3' });
      assert.ok(Number.isFinite(t.expiresAt) && t.expiresAt <= Date.now() + 366 * 86400_000, String(t.expiresAt));
      assert.equal(typeof JSON.parse(JSON.stringify(t)).expiresAt, 'number');
    });
  });

  it("node's own error text (a header value it refuses) goes through the Redactor: no token in the message", async () => {
    const client = new HttpClient({ timeoutMs: 5000 });
    client.addSecret('opaque-secret-token-1234');
    await assert.rejects(client.request({ method: 'GET', url: base + '/x', headers: { Authorization: 'Bearer opaque-secret-token-1234\nX-Evil: 1' } }), (e: unknown) => {
      assert.ok(e instanceof CmuError, String(e));
      assert.ok(!e.message.includes('opaque-secret-token-1234'), e.message);
      return true;
    });
  });

  describe('redirects', () => {
    for (const location of ['javascript:alert(1)', 'file:///etc/passwd']) {
      it(`a redirect to ${location.split(':')[0]}: is named as such, not "null"`, async () => {
        routes.set('/o/client/token', (_q, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ access_token: TOKEN, expires_in: 3600 }));
        });
        routes.set('/cmu/v2/moved', (_q, res) => {
          res.writeHead(302, { location });
          res.end();
        });
        const cmu = cmuClient(new HttpClient({}), base);
        await assert.rejects(cmu.fetchReport('moved'), (e: unknown) => {
          assert.ok(e instanceof CmuApiError);
          assert.ok(!/\bnull\b/.test(e.explanation), e.explanation);
          assert.match(e.explanation, new RegExp(`${location.split(':')[0]}: address`));
          return true;
        });
      });
    }
  });
});

function cmuClient(http1: HttpClient, origin: string, maxReportBytes?: number): CmuClient {
  const env = { name: 'custom' as const, dcrOrigin: origin, cmuBase: origin + '/cmu/v2' };
  // only what CmuClient uses of a session: the environment and a token
  const session = { env, getToken: async () => ({ accessToken: TOKEN, expiresAt: Date.now() + 3600_000, obtainedAt: Date.now(), scopes: [], tokenType: 'bearer' }) } as unknown as Session;
  return new CmuClient({ http: http1, session, cmuBase: env.cmuBase, ...(maxReportBytes ? { maxReportBytes } : {}) });
}
