/**
 * Save As / `cmu report --out` write path (src/core/fileDownload.ts) against servers on 127.0.0.1: the
 * body of CmuClient.open streamed to FILE — bounded memory for a body much larger than any buffer, and
 * FILE byte-identical with no `.part` left when the body is cut, too large or a decompression bomb.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { CmuClient } from '../../../src/core/cmu/client';
import type { CmuQuery } from '../../../src/core/cmu/types';
import { streamToFile } from '../../../src/core/fileDownload';
import { BodyTooLargeError, HttpClient, NetworkError } from '../../../src/core/http';
import type { Session } from '../../../src/core/session';
import { endlessGzip, endlessPlain } from '../support/hostile';

const MB = 1 << 20;
const CSV: CmuQuery = { path: ['tenant', 'year'], filters: [], projections: [], metrics: [], format: 'csv' };

/**
 * `total` bytes of CSV generated on the fly in 64 KB chunks (each chunk numbered, so a lost or repeated
 * chunk changes the hash), with Content-Length; `cutAt`: the connection is dropped after that many bytes.
 */
function generatedCsv(res: http.ServerResponse, total: number, hash: crypto.Hash, cutAt = Infinity): void {
  const line = Buffer.from('ACME,2024,11,1,Comcast_SSO,web,12345,67890\n');
  const template = Buffer.alloc(64 * 1024);
  for (let off = 0; off < template.length; off += line.length) line.copy(template, off);
  res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(total) });
  let sent = 0;
  let n = 0;
  const pump = (): void => {
    while (sent < total) {
      if (sent >= cutAt) {
        res.socket?.destroy();
        return;
      }
      const chunk = Buffer.from(template.subarray(0, Math.min(template.length, total - sent)));
      chunk.write(`${String(n++).padStart(10, '0')},`, 0, 'latin1');
      hash.update(chunk);
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('data', (c) => h.update(c))
      .once('error', reject)
      .once('end', () => resolve(h.digest('hex')));
  });
}

describe('streamToFile: a report body to a local file (Save As, cmu report --out)', function () {
  this.timeout(60_000);
  let server: http.Server;
  let base: string;
  let tmp: string;
  let answer: (res: http.ServerResponse) => void = (res) => res.end();

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-download-'));
    server = http.createServer((req, res) => {
      req.resume();
      req.once('end', () => answer(res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function client(opts: ConstructorParameters<typeof HttpClient>[0] = {}): CmuClient {
    const env = { name: 'custom' as const, dcrOrigin: base, cmuBase: base + '/cmu/v2' };
    // only what CmuClient uses of a session: the environment and a token
    const session = { env, getToken: async () => ({ accessToken: 'tok-en', expiresAt: Date.now() + 3600_000, obtainedAt: Date.now(), scopes: [], tokenType: 'bearer' }) } as unknown as Session;
    return new CmuClient({ http: new HttpClient({ timeoutMs: 10_000, ...opts }), session, cmuBase: env.cmuBase });
  }

  /** What the extension's Save As does with a local target. */
  async function saveAs(c: CmuClient, file: string): Promise<number> {
    const res = await c.open(CSV);
    return streamToFile(res.stream() as Readable, file);
  }

  /** FILE holds exactly its old bytes and nothing else was left beside it. */
  function untouched(file: string, before: Buffer): void {
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(path.dirname(file)).filter((f) => f !== path.basename(file)), []);
  }

  it('300 MB generated on the fly: written byte for byte, the heap and buffers stay bounded', async () => {
    const total = 300 * MB;
    const hash = crypto.createHash('sha256');
    answer = (res) => generatedCsv(res, total, hash);
    const file = path.join(tmp, 'big.csv');
    const base0 = process.memoryUsage();
    let peak = { heap: 0, external: 0, rss: 0 };
    const sample = setInterval(() => {
      const m = process.memoryUsage();
      peak = { heap: Math.max(peak.heap, m.heapUsed - base0.heapUsed), external: Math.max(peak.external, m.external - base0.external), rss: Math.max(peak.rss, m.rss - base0.rss) };
    }, 10);
    let bytes: number;
    try {
      bytes = await saveAs(client(), file);
    } finally {
      clearInterval(sample);
    }
    assert.equal(bytes, total);
    assert.equal(fs.statSync(file).size, total);
    assert.equal(await sha256File(file), hash.digest('hex'), 'exactly the bytes the server sent, in order');
    assert.deepEqual(fs.readdirSync(tmp), ['big.csv'], 'no .part left');
    const mb = (n: number) => Math.round(n / MB);
    console.log(`      300 MB body: peak growth heap ${mb(peak.heap)} MB, external buffers ${mb(peak.external)} MB, RSS ${mb(peak.rss)} MB`);
    // held in memory it would take ≥ 300 MB of buffers (and twice that as a string)
    assert.ok(peak.heap + peak.external < 100 * MB, `heap + buffers grew by ${mb(peak.heap + peak.external)} MB`);
    fs.rmSync(file);
  });

  describe('a failed download leaves the target byte-identical and no .part file', () => {
    const before = Buffer.from('the report saved yesterday\n');
    let file: string;
    beforeEach(() => {
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp);
      file = path.join(tmp, 'report.csv');
      fs.writeFileSync(file, before);
    });

    it('a body cut mid-way (the connection dropped before Content-Length)', async () => {
      answer = (res) => generatedCsv(res, 40 * MB, crypto.createHash('sha256'), 5 * MB);
      await assert.rejects(saveAs(client(), file), (e: unknown) => e instanceof NetworkError);
      untouched(file, before);
    });

    it('a body over the size cap', async () => {
      answer = (res) => endlessPlain(res);
      await assert.rejects(saveAs(client({ maxStreamBytes: 8 * MB }), file), (e: unknown) => e instanceof BodyTooLargeError && /8 MB/.test(e.message));
      untouched(file, before);
    });

    it('a gzip bomb (fails on its compression ratio)', async () => {
      answer = (res) => endlessGzip(res, 200, 'text/csv');
      await assert.rejects(saveAs(client({ maxCompressionRatio: 50 }), file), (e: unknown) => e instanceof BodyTooLargeError && /compress/i.test(e.message));
      untouched(file, before);
    });
  });
});
