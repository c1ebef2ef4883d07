import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import {
  CancelledError,
  type ExchangeLog,
  type RetryWait,
  HttpClient,
  HttpStatusError,
  NetworkError,
  TimeoutError,
  redactText,
  redactUrl,
} from '../../../../src/core/http';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

describe('http', () => {
  let server: http.Server;
  let base: string;
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const seen: { headers: http.IncomingHttpHeaders; body: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0];
        hits.set(path, (hits.get(path) ?? 0) + 1);
        seen.push({ headers: req.headers, body });
        const h = routes.get(path);
        if (h) h(req, res, body);
        else {
          res.writeHead(404);
          res.end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    routes.clear();
    hits.clear();
    seen.length = 0;
  });

  const payload = JSON.stringify({ hello: 'world', list: Array.from({ length: 200 }, (_, i) => i) });

  it('decodes gzip and deflate (zlib and raw) and sends Accept-Encoding + User-Agent', async () => {
    routes.set('/gzip', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(payload));
    });
    routes.set('/deflate', (_q, res) => {
      res.writeHead(200, { 'content-encoding': 'deflate' });
      res.end(zlib.deflateSync(payload));
    });
    routes.set('/raw', (_q, res) => {
      res.writeHead(200, { 'content-encoding': 'deflate' });
      res.end(zlib.deflateRawSync(payload));
    });
    const client = new HttpClient({ userAgent: 'test-agent/1' });
    for (const p of ['/gzip', '/deflate', '/raw']) {
      const res = await client.request({ method: 'GET', url: base + p });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), payload, p);
    }
    assert.equal(seen[0].headers['accept-encoding'], 'gzip, deflate');
    assert.equal(seen[0].headers['user-agent'], 'test-agent/1');
  });

  it('streams a decoded body', async () => {
    routes.set('/gzip', (_q, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', date: new Date(0).toUTCString() });
      res.end(zlib.gzipSync(payload));
    });
    const res = await new HttpClient().request({ method: 'GET', url: `${base}/gzip` });
    assert.equal(res.serverDate?.getTime(), 0);
    let text = '';
    for await (const chunk of res.stream()) text += chunk.toString();
    assert.equal(text, payload);
  });

  it('times out waiting for headers, and waiting for the body', async () => {
    routes.set('/slow', (_q, res) => setTimeout(() => res.end('late'), 3000).unref());
    routes.set('/slowbody', (_q, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
    });
    const client = new HttpClient({ timeoutMs: 150 });
    // the server answers after 3 s: a rejection with TimeoutError can only come from the client's timer
    await assert.rejects(client.request({ method: 'GET', url: `${base}/slow` }), (e: unknown) => e instanceof TimeoutError && e.code === 'timeout');
    const res = await client.request({ method: 'GET', url: `${base}/slowbody` });
    await assert.rejects(res.text(), (e: unknown) => e instanceof TimeoutError && e.code === 'timeout' && e.nextStep === 'retry');
  });

  it('honours caller cancellation, before and during the request', async () => {
    routes.set('/hang', () => undefined);
    const client = new HttpClient();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(client.request({ method: 'GET', url: `${base}/hang`, signal: ac.signal }), CancelledError);
    await assert.rejects(client.request({ method: 'GET', url: `${base}/hang`, signal: AbortSignal.abort() }), (e: unknown) => e instanceof CancelledError && e.code === 'cancelled');
  });

  it('on 429 waits at least 1 s (no Retry-After) then retries, for POST too', async () => {
    routes.set('/throttle', (_q, res) => {
      if (hits.get('/throttle') === 1) {
        res.writeHead(429, { 'content-type': 'text/html' });
        res.end('<html><head><title>429 Too Many Requests</title></head></html>');
      } else res.end('ok');
    });
    const waits: RetryWait[] = [];
    const res = await new HttpClient({ onWait: (w) => waits.push(w) }).request({ method: 'POST', url: `${base}/throttle`, body: 'x' });
    assert.equal(res.status, 200);
    assert.equal(waits.length, 1);
    assert.ok(waits[0].ms >= 1000 && waits[0].ms <= 1200, `the client chose to wait ${waits[0].ms} ms (1 s + up to 20% jitter)`);
    assert.deepEqual([waits[0].status, waits[0].attempt], [429, 1]);
    assert.equal(hits.get('/throttle'), 2);
  });

  it('on 429 honours a longer Retry-After, and returns the 429 once retries are exhausted', async () => {
    routes.set('/ra', (_q, res) => {
      res.writeHead(429, { 'retry-after': '2' });
      res.end();
    });
    const logs: ExchangeLog[] = [];
    const waits: RetryWait[] = [];
    const client = new HttpClient({ max429Retries: 1, log: (e) => logs.push(e), onWait: (w) => waits.push(w) });
    const res = await client.request({ method: 'GET', url: `${base}/ra` });
    assert.equal(res.status, 429);
    assert.deepEqual(waits.map((w) => w.ms >= 2000 && w.ms <= 2400), [true], `waits ${waits.map((w) => w.ms)}: Retry-After 2 s beats the 1 s backoff`);
    assert.equal(hits.get('/ra'), 2);
    assert.deepEqual(
      logs.map((l) => [l.attempt, l.status]),
      [
        [1, 429],
        [2, 429],
      ],
    );
  });

  it('on 429 without Retry-After honours Expires, measured against the server Date (its clock may be off)', async () => {
    const serverNow = Date.UTC(2020, 0, 1, 0, 0, 0); // a server clock years behind ours
    routes.set('/exp', (_q, res) => {
      if (hits.get('/exp') === 1) {
        res.writeHead(429, { date: new Date(serverNow).toUTCString(), expires: new Date(serverNow + 2000).toUTCString() });
        res.end();
      } else res.end('ok');
    });
    const waits: RetryWait[] = [];
    const res = await new HttpClient({ onWait: (w) => waits.push(w) }).request({ method: 'GET', url: `${base}/exp` });
    assert.equal(res.status, 200);
    // Expires is 2 s after the server's Date: read against our clock it would be years ago (no wait beyond the backoff)
    assert.equal(waits.length, 1);
    assert.ok(waits[0].ms >= 1900 && waits[0].ms <= 2400, `the client chose to wait ${waits[0].ms} ms`);
  });

  it('retries 5xx with backoff for GET only', async () => {
    routes.set('/fail', (_q, res) => {
      res.writeHead(hits.get('/fail')! < 3 ? 503 : 200);
      res.end('x');
    });
    const client = new HttpClient({ minRetryDelayMs: 20, max5xxRetries: 2 });
    const get = await client.request({ method: 'GET', url: `${base}/fail` });
    assert.equal(get.status, 200);
    assert.equal(hits.get('/fail'), 3);
    hits.clear();
    const post = await client.request({ method: 'POST', url: `${base}/fail`, body: '' });
    assert.equal(post.status, 503);
    assert.equal(hits.get('/fail'), 1);
  });

  it('turns a refused connection, a dropped connection and a truncated body into NetworkError', async () => {
    const client = new HttpClient({ timeoutMs: 5000 });
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await assert.rejects(client.request({ method: 'GET', url: `http://127.0.0.1:${deadPort}/` }), (e: unknown) => e instanceof NetworkError && /Nothing is listening/.test(e.explanation));

    routes.set('/drop', (q) => q.socket.destroy());
    await assert.rejects(client.request({ method: 'POST', url: `${base}/drop`, body: 'a' }), NetworkError);

    routes.set('/cut', (_q, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 30);
    });
    routes.set('/cutchunked', (_q, res) => {
      res.writeHead(200);
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 30);
    });
    routes.set('/cutgzip', (_q, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(payload).subarray(0, 40));
    });
    for (const p of ['/cut', '/cutchunked', '/cutgzip']) {
      const res = await client.request({ method: 'GET', url: base + p });
      // a network error, not the 5 s idle timeout: the cut is noticed when it happens
      await assert.rejects(res.text(), (e: unknown) => e instanceof NetworkError && e.code === 'network', p);
      // streamed, the same mapped error (not the stream library's raw "Premature close")
      const streamed = await client.request({ method: 'GET', url: base + p });
      await assert.rejects(
        (async () => {
          for await (const _chunk of streamed.stream()) void _chunk;
        })(),
        (e: unknown) => e instanceof NetworkError && e.code === 'network' && /Try again/.test(e.explanation),
        `${p} streamed`,
      );
    }
  });

  it('resolves for error statuses; HttpStatusError gives an HTML page as its title', async () => {
    routes.set('/html', (_q, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>oops</h1></body></html>');
    });
    const res = await new HttpClient({ max5xxRetries: 0 }).request({ method: 'GET', url: `${base}/html` });
    assert.equal(res.status, 502);
    const err = await HttpStatusError.fromResponse(res);
    assert.equal(err.status, 502);
    assert.equal(err.contentType, 'text/html');
    assert.equal(err.bodyExcerpt, '502 Bad Gateway');
    assert.equal(err.code, 'http_502');
    assert.match(err.explanation, /temporary/);
  });

  it('HttpStatusError redacts the client\'s registered secrets too, not only the patterns', async () => {
    const opaque = 'opaque-secret-0123456789abcdef';
    routes.set('/echo', (_q, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`bad request: token ${opaque} rejected`);
    });
    const client = new HttpClient({ max5xxRetries: 0 });
    client.addSecret(opaque);
    const err = await HttpStatusError.fromResponse(await client.request({ method: 'GET', url: `${base}/echo` }));
    assert.ok(!err.message.includes(opaque), err.message);
    assert.ok(!err.bodyExcerpt.includes(opaque), err.bodyExcerpt);
    assert.match(err.bodyExcerpt, /bad request: token \S+ rejected/);
  });

  it('does not follow redirects (a secret must not travel to another origin)', async () => {
    routes.set('/moved', (_q, res) => {
      res.writeHead(302, { location: 'http://example.invalid/steal' });
      res.end();
    });
    const res = await new HttpClient().request({ method: 'GET', url: `${base}/moved`, headers: { Authorization: 'Bearer abc' } });
    assert.equal(res.status, 302);
  });

  it('logs every exchange redacted', async () => {
    routes.set('/x', (_q, res) => res.end('{}'));
    const logs: ExchangeLog[] = [];
    const client = new HttpClient({ log: (e) => logs.push(e) });
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlLXZhbHVl';
    client.addSecret('uuid-shaped-secret-1234');
    await client.request({
      method: 'POST',
      url: `${base}/x?access_token=tok-in-query&client_secret=sec-in-query&keep=1`,
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ software_statement: jwt, client_secret: 'json-secret', note: 'uuid-shaped-secret-1234' }),
    });
    await client.request({ method: 'POST', url: `${base}/x`, body: 'client_id=id&client_secret=form-secret&grant_type=client_credentials' });
    const text = JSON.stringify(logs);
    for (const secret of [jwt, 'tok-in-query', 'sec-in-query', 'json-secret', 'form-secret', 'uuid-shaped-secret-1234', 'c2lnbmF0dXJlLXZhbHVl']) {
      assert.ok(!text.includes(secret), `leaked ${secret}: ${text}`);
    }
    assert.equal(logs[0].requestHeaders.Authorization, 'Bearer [redacted]');
    assert.match(logs[0].url, /keep=1/);
    assert.match(logs[1].requestBody ?? '', /client_id=id&client_secret=\[redacted\]&grant_type=client_credentials/);
    assert.equal(logs[0].status, 200);
  });

  it('redactUrl / redactText', () => {
    assert.equal(redactUrl('https://h/p?token=abc&x=1'), 'https://h/p?token=[redacted]&x=1');
    assert.equal(redactUrl('https://u:p@h/'), 'https://[redacted]@h/');
    assert.equal(redactText('{"access_token":"abc","expires_in":5}'), '{"access_token":"[redacted]","expires_in":5}');
    assert.equal(redactText('Authorization: Bearer abc.def'), 'Authorization: Bearer [redacted]');
    assert.equal(redactText('see eyJhbGciOiJub25lIn0.eyJhIjoxfQ. here'), 'see [redacted] here');
  });
});
