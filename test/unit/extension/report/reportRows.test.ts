import * as assert from 'assert';
import { columnsOfRows } from '../../../../src/core/cmu/analysis/columns';
import type { ReportCell, ReportColumn } from '../../../../src/core/cmu/types';
import { ReportRows, ReportRowsError } from '../../../../src/extension/report/reportRows';
import { cellAt, ColumnDecoder, ColumnEncoder } from '../../../../src/shared/protocol';

const COLUMNS: ReportColumn[] = [
  { name: 'mvpd', kind: 'dimension' },
  { name: 'day', kind: 'dimension' },
  { name: 'active-users', kind: 'metric' },
  { name: 'ratio', kind: 'metric' },
];

/** 1000 rows: a few repeating text values (tables carried over chunks), empty cells, ints and floats. */
function sample(n = 1000): ReportCell[][] {
  const rows: ReportCell[][] = [];
  for (let r = 0; r < n; r++) rows.push([r % 7 === 0 ? null : `mvpd-${r % 13}`, `2024-11-${String(1 + (r % 30)).padStart(2, '0')}`, r % 11 === 0 ? null : r * 3, r % 5 === 0 ? null : r / 8]);
  return rows;
}

describe('ReportRows (the panel’s rows: wire chunks read in place)', () => {
  it('holds the chunks it was given and reads every cell back: rows, head, analysis columns', () => {
    const rows = sample();
    const r = ReportRows.fromRows(COLUMNS, rows, { first: 10, chunk: 300 }, true);
    assert.deepStrictEqual(
      r.chunks.map((c) => [c.start, c.rowCount]),
      [
        [0, 10],
        [10, 300],
        [310, 300],
        [610, 300],
        [910, 90],
      ],
    );
    assert.ok(r.complete);
    assert.strictEqual(r.rowCount, 1000);
    assert.deepStrictEqual(r.rows, rows);
    // the analysis view reads the same cells, in any order (a binary search over the chunks)
    const want = columnsOfRows({ columns: COLUMNS, rows });
    const got = r.analysis();
    for (const row of [999, 0, 9, 10, 309, 310, 500, 911, 1]) {
      for (let c = 0; c < COLUMNS.length; c++) assert.strictEqual(got.columns[c].at(row), want.columns[c].at(row), `row ${row} column ${c}`);
    }
    assert.deepStrictEqual(
      r.analysis('metric').columns.map((c) => c.name),
      ['active-users', 'ratio'],
    );
    // what the webview decodes from the same chunks, in order (a chunk's text codes index the values of every chunk so far)
    const webview = new ColumnDecoder(COLUMNS.length);
    for (const c of r.chunks) assert.ok(webview.append(c.data, c.rowCount));
    assert.deepStrictEqual(
      Array.from({ length: 1000 }, (_, row) => webview.columns.map((col) => cellAt(col, row))),
      rows,
    );
    // the end of a stream whose last chunk already went out: no rows, the same column types
    const end = r.endChunk();
    assert.strictEqual(end.start, 1000);
    assert.ok(webview.append(end.data, 0));
  });

  it('takes the worker’s chunks in order only; the rows decoded before more arrive are read again', () => {
    const rows = sample(50);
    const enc = new ColumnEncoder(['text', 'text', 'number', 'number']);
    const r = new ReportRows();
    r.setColumns(COLUMNS);
    r.add(0, 20, enc.encode(rows, 0, 20));
    assert.strictEqual(r.rows.length, 20);
    // (refused chunks come from another encoder: encoding moves an encoder's value tables on)
    const other = new ColumnEncoder(['text', 'text', 'number', 'number']);
    assert.throws(() => r.add(25, 5, other.encode(rows, 25, 30)), ReportRowsError, 'a gap');
    assert.throws(() => r.add(20, 5, other.encode(rows, 20, 30)), ReportRowsError, 'lengths that do not match');
    r.add(20, 30, enc.encode(rows, 20, 50));
    assert.deepStrictEqual(r.rows, rows);
  });

  it('reads partial buckets chunk by chunk as each is sent, with absolute row numbers, also for the chunks before it knew how', () => {
    const rows = sample(100);
    const r = ReportRows.fromRows(COLUMNS, rows, { first: 10, chunk: 40 }, true);
    const reads: number[] = [];
    // "partial": the rows of day 2024-11-30 (what a report's last day looks like)
    r.setPartialOf((cols) => {
      reads.push(cols.rowCount);
      const day = cols.columns.find((c) => c.name === 'day')!;
      const out: number[] = [];
      for (let i = 0; i < cols.rowCount; i++) if (day.at(i) === '2024-11-30') out.push(i);
      return { rows: out, reasons: out.map(() => 'fresh') };
    });
    assert.deepStrictEqual(reads, [], 'nothing read before a chunk is sent');
    const flagged = r.chunks.flatMap((c) => r.withPartial(c).partial?.rows ?? []);
    assert.deepStrictEqual(flagged, [29, 59, 89]);
    assert.strictEqual(r.chunks[0].partial, undefined, 'no partial row in the first chunk');
    assert.deepStrictEqual(reads, [10, 40, 40, 10], 'one read per chunk');
    r.chunks.forEach((c) => r.withPartial(c));
    assert.strictEqual(reads.length, 4, 'a chunk is read once per setPartialOf');
    r.setPartialOf(undefined);
    assert.strictEqual(r.withPartial(r.chunks[1]).partial, undefined, 'a new setPartialOf is read again');
  });

  it('a report of 200k columns and two rows costs two rows per column (no reserve per column)', () => {
    const columns: ReportColumn[] = Array.from({ length: 200_000 }, (_, i) => ({ name: `m${i}`, kind: 'metric' as const }));
    const rows: ReportCell[][] = [columns.map((_, i) => i), columns.map(() => 1)];
    const before = process.memoryUsage().arrayBuffers;
    const r = ReportRows.fromRows(columns, rows, { first: 200, chunk: 20_000 }, true);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.strictEqual(r.rowCount, 2);
    assert.ok(grown < 64 << 20, `typed arrays grew ${(grown / 2 ** 20).toFixed(1)} MB`);
    assert.strictEqual(r.analysis().columns[199_999].at(0), 199_999);
  });

  it('next() wakes at a chunk and at the end; finished() when every row is in; a failure is kept', async () => {
    const r = new ReportRows();
    r.setColumns(COLUMNS);
    const enc = new ColumnEncoder(['text', 'text', 'number', 'number']);
    const started = r.started();
    r.add(0, 3, enc.encode(sample(3)));
    await started;
    const finished = r.finished();
    let done = false;
    void finished.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.strictEqual(done, false);
    const cut = new Error('cut');
    r.end(cut);
    await finished;
    assert.strictEqual(r.failure, cut);
    assert.strictEqual(r.rowCount, 3, 'the rows so far stay');
  });
});
