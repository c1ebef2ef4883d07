import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { CsvColumns, CsvParseError, type CsvChunk } from '../../../../../src/core/cmu/parse/csvColumns';
import { parseCsvBody } from '../../../../../src/core/cmu/parse/csv';
import type { ReportCell, ReportColumn } from '../../../../../src/core/cmu/types';
import { ColumnDecoder, cellAt, decodeRows } from '../../../../../src/shared/protocol';
import { ReportWorkers, WorkerParseError } from '../../../../../src/extension/report/workerProtocol';
import { Sandbox } from '../../../../../src/sandbox/server';

interface Parsed {
  columns: ReportColumn[];
  rows: ReportCell[][];
  chunks: CsvChunk[];
}

/** Decodes chunks as the webview does, back to rows. */
function rowsOf(columns: ReportColumn[], chunks: CsvChunk[]): ReportCell[][] {
  const dec = new ColumnDecoder(columns.length);
  let n = 0;
  for (const c of chunks) {
    assert.equal(c.start, n, 'chunks in order, none missing');
    assert.ok(dec.append(c.data, c.rowCount), "a valid chunk");
    n += c.rowCount;
  }
  const rows: ReportCell[][] = [];
  for (let r = 0; r < n; r++) rows.push(columns.map((_c, j) => cellAt(dec.columns[j], r)));
  return rows;
}

/** Parses `text` pushed in pieces of `piece` characters (1: every boundary is a chunk boundary). */
function parse(text: string, piece = text.length || 1, opts: { first?: number; chunk?: number; maxChars?: number } = {}): Parsed {
  let columns: ReportColumn[] | undefined;
  const chunks: CsvChunk[] = [];
  const p = new CsvColumns({
    first: opts.first ?? 2,
    chunk: opts.chunk ?? 3,
    maxChars: opts.maxChars ?? 1e9,
    onHeader: (c) => {
      assert.equal(columns, undefined, 'one header');
      columns = c;
    },
    onChunk: (c) => chunks.push(c),
  });
  for (let i = 0; i < text.length; i += piece) p.push(text.slice(i, i + piece));
  p.end();
  assert.ok(columns);
  return { columns, rows: rowsOf(columns, chunks), chunks };
}

describe('CsvColumns (streaming CSV → wire columns)', () => {
  it('gives the same columns and cells as parseCsvBody, whatever the chunk boundaries', () => {
    const text = 'Year,Month,active-users,"mvpd",extra\r\n2024,1,10,"A, Inc.",x\r\n2024,2,,"say ""hi""",\r\n\r\n2024,3,7,B\r\n2024,4,8,"multi\nline",y\r\n';
    const want = parseCsvBody(text);
    for (const piece of [1, 2, 3, 7, text.length]) {
      const got = parse(text, piece);
      assert.deepEqual(got.columns.map((c) => c.name), want.columns.map((c) => c.name), `piece ${piece}`);
      assert.deepEqual(got.columns, want.columns);
      assert.deepEqual(got.rows, want.rows, `piece ${piece}`);
    }
  });

  it('matches parseCsvBody on 1500 random bodies (numbers of every shape, quotes, short and long rows, empty lines), in random pieces and chunk sizes', () => {
    let seed = 20261203;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    // -0 is left out: the wire's integer arrays carry it as 0 (as they always have)
    const cells = ['', '0', '7', '-3', '12345678901234', '123456789012345', '1234567890123456', '99999999999999999', '1.5', '1e3', ' 4 ', '+5', '-', '0x10', 'Infinity', '300', '70000', '-200', '4294967296', 'abc', 'A, Inc.', '"q"', 'x"y', 'été', 'two\nlines'];
    const names = ['mvpd', 'platform', 'active-users', 'started-sessions', 'zz-count', 'note', 'year', 'Month'];
    const cell = (): string => {
      const v = pick(cells);
      return /[",\r\n]/.test(v) || rnd() < 0.1 ? `"${v.replace(/"/g, '""')}"` : v;
    };
    for (let t = 0; t < 1500; t++) {
      const width = 1 + Math.floor(rnd() * 5);
      const lines = [Array.from({ length: width }, () => pick(names)).join(',')];
      for (let r = Math.floor(rnd() * (rnd() < 0.2 ? 60 : 12)); r > 0; r--) {
        lines.push(Array.from({ length: rnd() < 0.15 ? Math.floor(rnd() * (width + 2)) : width }, cell).join(','));
        if (rnd() < 0.05) lines.push('');
      }
      const eol = pick(['\n', '\r\n']);
      const text = lines.join(eol) + eol;
      // a column the catalog does not know: every row in the first chunk, so that it is decided on all of them, as parseCsvBody does
      const unknown = /zz-count|note/.test(lines[0]);
      const got = parse(text, pick([1, 2, 3, 7, text.length]), { first: unknown ? 200 : pick([1, 2, 3]), chunk: pick([1, 2, 5, 40]) });
      const want = parseCsvBody(text);
      assert.deepEqual({ columns: got.columns, rows: got.rows }, { columns: want.columns, rows: want.rows }, JSON.stringify(text));
    }
  });

  it('keeps empty cells as parseCsvBody does (empty text, null metric; quoted too), and a BOM out of the header', () => {
    const body = '\ufeffmvpd,active-users\n"",\n,5\nA,""\n';
    const got = parse(body);
    assert.deepEqual(got.rows, parseCsvBody(body).rows);
    assert.deepEqual(got.columns, [
      { name: 'mvpd', kind: 'dimension' },
      { name: 'active-users', kind: 'metric' },
    ]);
    assert.deepEqual(got.rows, [
      ['', null],
      ['', 5],
      ['A', null],
    ]);
  });

  it('maxColumns: the chunks carry the first columns only, the header names them all', () => {
    let header: ReportColumn[] = [];
    const chunks: CsvChunk[] = [];
    const p = new CsvColumns({ first: 10, chunk: 10, maxChars: 1e6, maxColumns: 2, onHeader: (c) => (header = c), onChunk: (c) => chunks.push(c) });
    p.push('mvpd,platform,active-users\r\nA,web,1\r\nB,ios,2\r\n');
    p.end();
    assert.deepEqual(header.map((c) => c.name), ['mvpd', 'platform', 'active-users']);
    assert.equal(chunks[0].data.length, 2);
    assert.deepEqual(decodeRows(chunks[0].data, 2), [
      ['A', 'web'],
      ['B', 'ios'],
    ]);
  });

  it('a column the catalog does not know is a metric when its first rows are numbers (as parseCsvBody says); a later text fails the parse', () => {
    const text = 'year,screen-class,zz-count,note\r\n2026,a,51090,x\r\n2026,b,,y\r\n2026,c,71708,12\r\n';
    const want = parseCsvBody(text);
    const got = parse(text);
    assert.deepEqual(got.columns, want.columns);
    assert.deepEqual(got.rows, want.rows);
    assert.deepEqual(got.rows[0], ['2026', 'a', 'x', 51090]);
    const later = 'year,zz-count\r\n2026,1\r\n2026,2\r\n2026,n/a\r\n';
    const p = new CsvColumns({ first: 2, chunk: 10, maxChars: 1e6, onHeader: () => undefined, onChunk: () => undefined });
    assert.throws(
      () => {
        p.push(later);
        p.end();
      },
      (e: unknown) => e instanceof CsvParseError && e.code === 'csv_kind' && /zz-count/.test(e.message),
    );
  });

  it('sends the first rows alone, then chunks of the chunk size', () => {
    const body = 'mvpd,active-users\n' + Array.from({ length: 10 }, (_v, i) => `m${i},${i}`).join('\n');
    const got = parse(body, 5, { first: 2, chunk: 3 });
    assert.deepEqual(got.chunks.map((c) => c.rowCount), [2, 3, 3, 2]);
    assert.equal(got.rows[9][0], 'm9');
  });

  it('refuses a body cut inside a quoted field or inside a row', () => {
    assert.throws(() => parse('mvpd,active-users\n"A,', 1), (e: unknown) => e instanceof CsvParseError && e.code === 'csv_truncated');
    assert.throws(() => parse('mvpd,active-users,started-sessions\nA,1,2\nB,1', 4), (e: unknown) => e instanceof CsvParseError && e.code === 'csv_truncated');
    // a complete last row without a final line end is fine
    assert.deepEqual(parse('mvpd,active-users\nA,1').rows, [['A', 1]]);
  });

  it('refuses a body over the cap as soon as it goes over', () => {
    const p = new CsvColumns({ first: 1, chunk: 1, maxChars: 10, onHeader: () => undefined, onChunk: () => undefined });
    p.push('mvpd,');
    assert.throws(() => p.push('active-users\n'), (e: unknown) => e instanceof CsvParseError && e.code === 'csv_too_large');
  });

  it('has no header and no rows for an empty body', () => {
    assert.deepEqual(parse('', 1), { columns: [], rows: [], chunks: [] });
  });

  describe('in the report worker or on the host, on the sandbox CSV', function () {
    this.timeout(120_000);
    let sb: Sandbox;
    let token: string;
    let dir: string;
    let workerFile: string;
    /** every body goes to a worker */
    let workers: ReportWorkers;
    /** the default: a small body is parsed on the host; its worker file exits at once, so a worker started shows */
    let host: ReportWorkers;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cmu-worker-'));
      workerFile = join(dir, 'reportWorker.js');
      buildSync({ entryPoints: ['src/extension/report/reportWorker.ts'], outfile: workerFile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
      writeFileSync(join(dir, 'dying.js'), 'process.exit(3);');
      workers = new ReportWorkers(workerFile, { inThreadBytes: 0 });
      host = new ReportWorkers(join(dir, 'dying.js'));
      sb = await Sandbox.start({ port: 0, throttle: false });
      token = await sb.issueAccessToken();
    });
    after(async () => {
      workers.dispose();
      host.dispose();
      await sb?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function body(rows: number): Promise<{ stream: PassThrough; text: Promise<string> }> {
      const res = await fetch(sb.origin + sb.hugeReportHref(rows, 'csv'), { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      const bytes = Buffer.from(await res.arrayBuffer());
      const stream = new PassThrough();
      // in pieces that cut rows and multi-byte characters anywhere
      setImmediate(() => {
        for (let i = 0; i < bytes.length; i += 4093) stream.write(bytes.subarray(i, i + 4093));
        stream.end();
      });
      return { stream, text: Promise.resolve(bytes.toString('utf8')) };
    }

    async function parsed(pool: ReportWorkers, rows: number, opts: { first: number; chunk: number }): Promise<{ rowCount: number; columns: ReportColumn[]; chunks: CsvChunk[]; want: Parsed | ReturnType<typeof parseCsvBody> }> {
      const { stream, text } = await body(rows);
      let columns: ReportColumn[] = [];
      const chunks: CsvChunk[] = [];
      const { rowCount } = await pool.parse(stream, { ...opts, maxChars: 1e9, onHeader: (c) => (columns = c), onChunk: (c) => chunks.push(c) });
      return { rowCount, columns, chunks, want: parseCsvBody(await text) };
    }

    it('parses the sandbox report into the same rows as parseCsvBody, in a worker', async () => {
      const { rowCount, columns, chunks, want } = await parsed(workers, 5000, { first: 200, chunk: 2000 });
      assert.equal(rowCount, 5000);
      assert.deepEqual(chunks.map((c) => c.rowCount), [200, 2000, 2000, 800]);
      assert.deepEqual(columns, want.columns);
      assert.deepEqual(rowsOf(columns, chunks), want.rows);
    });

    it('parses a small body on the host: the same rows, no worker started', async () => {
      const before = host.started;
      const { rowCount, columns, chunks, want } = await parsed(host, 1000, { first: 200, chunk: 300 });
      assert.equal(rowCount, 1000);
      assert.deepEqual(chunks.map((c) => c.rowCount), [200, 300, 300, 200]);
      assert.deepEqual(columns, want.columns);
      assert.deepEqual(rowsOf(columns, chunks), want.rows);
      assert.equal(host.started, before, 'no worker was started');
    });

    it('on the host, a large decoded piece is parsed a slice per turn: other work runs in between', async () => {
      const pool = new ReportWorkers(join(dir, 'dying.js'), { inThreadBytes: 1e9 });
      const { stream, text } = await body(8000);
      stream.resume();
      const one = new PassThrough();
      one.end(Buffer.from(await text)); // ~650 KB in one piece
      let turns = 0;
      let ticking = true;
      const tick = (): void => {
        if (!ticking) return;
        turns++;
        setImmediate(tick);
      };
      setImmediate(tick);
      try {
        const r = await pool.parse(one, { first: 200, chunk: 2000, maxChars: 1e9, onHeader: () => undefined, onChunk: () => undefined });
        assert.equal(r.rowCount, 8000);
        assert.ok(turns >= 15, `other work ran between the slices (${turns} turns)`);
        assert.equal(pool.started, 0);
      } finally {
        ticking = false;
        pool.dispose();
      }
    });

    it('a body that grows past the host\'s share goes to a worker: the first rows are not given twice, the rest come from the worker', async () => {
      const pool = new ReportWorkers(workerFile, { inThreadBytes: 100_000 });
      try {
        const { rowCount, columns, chunks, want } = await parsed(pool, 5000, { first: 200, chunk: 2000 });
        assert.equal(pool.started, 1, 'a worker took over');
        assert.equal(rowCount, 5000);
        assert.deepEqual(chunks.map((c) => c.start), [0, 200, 2200, 4200], 'each chunk once, in order');
        assert.deepEqual(columns, want.columns);
        assert.deepEqual(rowsOf(columns, chunks), want.rows);
      } finally {
        pool.dispose();
      }
    });

    /** A pool that hands a body past 100 kB to a worker once open() is called. */
    function gatedPool(): { pool: ReportWorkers; gate: Promise<void>; open(): void } {
      let open = (): void => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      return { pool: new ReportWorkers(workerFile, { inThreadBytes: 100_000 }), gate, open: () => open() };
    }

    it('a body past the host\'s share waits for handOverAfter (the panel\'s page booting): no worker starts before it settles, then one parses it all', async () => {
      const { pool, gate, open } = gatedPool();
      try {
        const { stream, text } = await body(5000);
        let columns: ReportColumn[] = [];
        const chunks: CsvChunk[] = [];
        let settled = false;
        const run = pool.parse(stream, { first: 200, chunk: 2000, maxChars: 1e9, handOverAfter: () => gate, onHeader: (c) => (columns = c), onChunk: (c) => chunks.push(c) });
        void run.then(() => (settled = true));
        await new Promise((resolve) => setTimeout(resolve, 300)); // the whole body has arrived meanwhile
        assert.equal(pool.started, 0, 'no worker before the gate');
        assert.equal(settled, false);
        assert.deepEqual(chunks.map((c) => c.rowCount), [200], 'the first rows were given at once');
        open();
        const { rowCount } = await run;
        assert.equal(pool.started, 1, 'a worker took over once the gate opened');
        assert.equal(rowCount, 5000);
        assert.deepEqual(rowsOf(columns, chunks), parseCsvBody(await text).rows);
      } finally {
        pool.dispose();
      }
    });

    it('a body within the host\'s share never asks handOverAfter (no wait is armed for a small report); a larger one asks it once', async () => {
      const { pool, gate, open } = gatedPool();
      try {
        let asked = 0;
        const handOverAfter = () => (asked++, gate);
        const small = await body(300);
        const { rowCount } = await pool.parse(small.stream, { first: 200, chunk: 2000, maxChars: 1e9, handOverAfter, onHeader: () => undefined, onChunk: () => undefined });
        assert.equal(rowCount, 300);
        assert.equal(asked, 0, 'a small body did not ask');
        const large = await body(5000);
        const run = pool.parse(large.stream, { first: 200, chunk: 2000, maxChars: 1e9, handOverAfter, onHeader: () => undefined, onChunk: () => undefined });
        await new Promise((resolve) => setTimeout(resolve, 300));
        open();
        assert.equal((await run).rowCount, 5000);
        assert.equal(asked, 1, 'asked once, when the body passed the share');
      } finally {
        pool.dispose();
      }
    });

    it('handOverAfter settling while the body still arrives: the worker takes it over then, and the end that comes later settles the parse', async () => {
      const { pool, gate, open } = gatedPool();
      try {
        const res = await fetch(sb.origin + sb.hugeReportHref(5000, 'csv'), { headers: { Authorization: `Bearer ${token}` } });
        const bytes = Buffer.from(await res.arrayBuffer());
        const stream = new PassThrough();
        let columns: ReportColumn[] = [];
        const chunks: CsvChunk[] = [];
        const run = pool.parse(stream, { first: 200, chunk: 2000, maxChars: 1e9, handOverAfter: () => gate, onHeader: (c) => (columns = c), onChunk: (c) => chunks.push(c) });
        const half = bytes.length >> 1;
        stream.write(bytes.subarray(0, half)); // past the host's share: the hand-over waits
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(pool.started, 0);
        open();
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(pool.started, 1, 'the worker took over when the gate opened');
        stream.end(bytes.subarray(half));
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the parse did not settle')), 5000));
        const { rowCount } = await Promise.race([run, timeout]);
        assert.equal(rowCount, 5000);
        assert.deepEqual(rowsOf(columns, chunks), parseCsvBody(bytes.toString('utf8')).rows);
      } finally {
        pool.dispose();
      }
    });

    it('a body that grows past the host\'s share: the host parses its first chunk only, then counts the decoded text until it knows where the body goes', async () => {
      const pool = new ReportWorkers(workerFile, { inThreadBytes: 100_000 });
      try {
        const { rowCount, chunks, want } = await parsed(pool, 5000, { first: 200, chunk: 2000 });
        assert.equal(pool.started, 1, 'a worker took over');
        assert.equal(rowCount, 5000);
        assert.deepEqual(rowsOf(chunks.length ? want.columns : [], chunks), want.rows);
        // the rows of one 32 KB slice (~400) at most: parsing on up to 100 KB (~1200 rows) was work the worker did again
        assert.ok(pool.rowsParsedHere > 0 && pool.rowsParsedHere < 600, `rows parsed on this thread: ${pool.rowsParsedHere}`);
      } finally {
        pool.dispose();
      }
    });

    for (const where of ['worker', 'host'] as const) {
      const pool = (): ReportWorkers => (where === 'worker' ? workers : host);

      it(`decodes a gzip or deflate body itself (the bytes as they came), ${where}: the same rows, the decoded size`, async () => {
        const { stream, text } = await body(600);
        const plain = Buffer.from(await text);
        const want = parseCsvBody(await text);
        for (const [encoding, encoded] of [
          ['gzip', gzipSync(plain)],
          ['deflate', deflateSync(plain)],
          ['deflate', deflateRawSync(plain)], // raw deflate, as some servers send it
        ] as const) {
          const s = new PassThrough();
          setImmediate(() => {
            for (let i = 0; i < encoded.length; i += 1021) s.write(encoded.subarray(i, i + 1021));
            s.end();
          });
          let columns: ReportColumn[] = [];
          const chunks: CsvChunk[] = [];
          const r = await pool().parse(s, { encoding, first: 200, chunk: 2000, maxChars: 1e9, onHeader: (c) => (columns = c), onChunk: (c) => chunks.push(c) });
          assert.equal(r.rowCount, 600, encoding);
          assert.equal(r.bytes, plain.length, 'the decoded size');
          assert.deepEqual(rowsOf(columns, chunks), want.rows);
        }
        stream.resume();
      });

      it(`a gzip body cut short or corrupt fails with a message that says so; one that inflates over the cap is too large (${where})`, async () => {
        const { stream, text } = await body(600);
        stream.resume();
        const gz = gzipSync(Buffer.from(await text));
        const opts = { encoding: 'gzip' as const, first: 10, chunk: 100, maxChars: 1e9, onHeader: () => undefined, onChunk: () => undefined };
        const cut = new PassThrough();
        cut.end(gz.subarray(0, gz.length - 100));
        await assert.rejects(pool().parse(cut, opts), (e: unknown) => e instanceof WorkerParseError && e.code === 'body_decode' && /cut short or is corrupt/.test(e.message));
        const bad = new PassThrough();
        bad.end(Buffer.concat([gz.subarray(0, 10), Buffer.alloc(500, 7)]));
        await assert.rejects(pool().parse(bad, opts), (e: unknown) => e instanceof WorkerParseError && e.code === 'body_decode');
        const bomb = new PassThrough();
        bomb.end(gzipSync(Buffer.alloc(50_000_000, 'a')));
        await assert.rejects(pool().parse(bomb, { ...opts, maxChars: 200_000 }), (e: unknown) => e instanceof WorkerParseError && e.code === 'csv_too_large');
      });

      it(`rejects a body over the cap, and one cut short (${where})`, async () => {
        const big = await body(600);
        await assert.rejects(
          pool().parse(big.stream, { first: 10, chunk: 100, maxChars: 20_000, onHeader: () => undefined, onChunk: () => undefined }),
          (e: unknown) => e instanceof WorkerParseError && e.code === 'csv_too_large',
        );
        const cut = new PassThrough();
        cut.end('mvpd,active-users,started-sessions\r\nA,1,2\r\n"B');
        await assert.rejects(
          pool().parse(cut, { first: 10, chunk: 100, maxChars: 1e6, onHeader: () => undefined, onChunk: () => undefined }),
          (e: unknown) => e instanceof WorkerParseError && e.code === 'csv_truncated',
        );
      });

      it(`settles on cancel: rejects with the abort reason and stops reading the body (${where})`, async () => {
        const stream = new PassThrough();
        stream.write('mvpd,active-users\r\nA,1\r\n'); // never ended: only the cancel can settle it
        const ac = new AbortController();
        const run = pool().parse(stream, { first: 1, chunk: 1, maxChars: 1e6, signal: ac.signal, onHeader: () => undefined, onChunk: () => ac.abort(new Error('cancelled by the test')) });
        await assert.rejects(run, /cancelled by the test/);
        assert.ok(stream.destroyed, 'the body is destroyed');
      });
    }
    it('the host\'s parse of a small body found no worker started in all of the above', () => {
      assert.equal(host.started, 0);
    });

    it('reuses its worker after a body, not after a cancel; two bodies at once each get their own', async () => {
      const pool = new ReportWorkers(workerFile, { inThreadBytes: 0 });
      const parse = async (rows: number) => {
        const { rowCount, columns, chunks, want } = await parsed(pool, rows, { first: 50, chunk: 500 });
        assert.deepEqual(rowsOf(columns, chunks), want.rows);
        return rowCount;
      };
      /** two bodies parsed at once: both parses start before either ends */
      const both = async (a: number, b: number) => {
        const bodies = await Promise.all([body(a), body(b)]);
        const runs = bodies.map(async ({ stream, text }) => {
          let columns: ReportColumn[] = [];
          const chunks: CsvChunk[] = [];
          const r = await pool.parse(stream, { first: 50, chunk: 500, maxChars: 1e9, onHeader: (c) => (columns = c), onChunk: (c) => chunks.push(c) });
          assert.deepEqual(rowsOf(columns, chunks), parseCsvBody(await text).rows);
          return r.rowCount;
        });
        return Promise.all(runs);
      };
      try {
        assert.equal(await parse(700), 700);
        assert.equal(await parse(1200), 1200, 'the same worker, fresh state');
        assert.equal(pool.started, 1, 'one worker for both');
        const ac = new AbortController();
        const stream = new PassThrough();
        stream.write('mvpd,active-users\r\nA,1\r\n');
        const cancelled = pool.parse(stream, { first: 1, chunk: 1, maxChars: 1e6, signal: ac.signal, onHeader: () => undefined, onChunk: () => ac.abort(new Error('stop')) });
        await assert.rejects(cancelled, /stop/);
        assert.deepEqual(await both(900, 300), [900, 300]);
        assert.equal(pool.started, 3, 'the cancelled one was not reused; the two at once had one each');
      } finally {
        pool.dispose();
      }
    });

    it('a worker that died while idle is not handed a body: the parse gets a new one and settles', async () => {
      // answers its first body (no rows) and exits 100 ms later, idle
      const once = join(dir, 'once.js');
      writeFileSync(once, "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => { if (m.type === 'end') { parentPort.postMessage({ type: 'done', rowCount: 0, bytes: 0 }); setTimeout(() => process.exit(3), 100); } });");
      const pool = new ReportWorkers(once, { inThreadBytes: 0 });
      const run = () => {
        const stream = new PassThrough();
        stream.end('mvpd,active-users\r\nA,1\r\n');
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the parse did not settle')), 5000));
        return Promise.race([pool.parse(stream, { first: 1, chunk: 1, maxChars: 1e6, onHeader: () => undefined, onChunk: () => undefined }), timeout]);
      };
      try {
        await run();
        await new Promise((resolve) => setTimeout(resolve, 400)); // it has exited by now
        await run();
        assert.equal(pool.started, 2, 'the dead one was dropped, a new one started');
      } finally {
        pool.dispose();
      }
    });

    it('a worker that exits while parsing fails the parse with worker_exit', async () => {
      const pool = new ReportWorkers(join(dir, 'dying.js'), { inThreadBytes: 0 });
      const stream = new PassThrough();
      stream.end('mvpd,active-users\r\nA,1\r\n');
      try {
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('the parse did not settle')), 5000));
        await assert.rejects(Promise.race([pool.parse(stream, { first: 1, chunk: 1, maxChars: 1e6, onHeader: () => undefined, onChunk: () => undefined }), timeout]), (e: unknown) => e instanceof WorkerParseError && e.code === 'worker_exit');
      } finally {
        pool.dispose();
      }
    });

    it('a worker that never finishes after the body ended is stopped at its deadline: the parse settles with a clear error', async () => {
      const hanging = join(dir, 'hanging.js');
      writeFileSync(hanging, "require('node:worker_threads').parentPort.on('message', () => undefined);"); // takes every byte, never answers
      const pool = new ReportWorkers(hanging, { afterBodyMs: 300, inThreadBytes: 0 });
      const stream = new PassThrough();
      stream.end('mvpd,active-users\r\nA,1\r\n');
      try {
        const run = pool.parse(stream, { first: 1, chunk: 1, maxChars: 1e6, onHeader: () => undefined, onChunk: () => undefined });
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('the parse did not settle')), 5000));
        await assert.rejects(Promise.race([run, timeout]), (e: unknown) => e instanceof WorkerParseError && e.code === 'worker_timeout' && /did not finish/.test(e.message));
      } finally {
        pool.dispose();
      }
    });
  });
});
