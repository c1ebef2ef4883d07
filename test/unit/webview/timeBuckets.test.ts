import * as assert from 'assert';
import { NULL_CODE, type ColumnData } from '../../../src/shared/protocol';
import { rowBuckets } from '../../../src/webview/timeBuckets';

type Cell = string | number | null;

/** A column as the webview holds it: text as dictionary codes, numbers as Float64 with NaN for empty. */
function column(cells: Cell[], asNumbers: boolean): ColumnData {
  if (asNumbers) return { type: 'number', values: Float64Array.from(cells, (v) => (v === null ? NaN : Number(v))) };
  const dict = [...new Set(cells.filter((v): v is string => v !== null).map(String))];
  return { type: 'text', dict, codes: Uint32Array.from(cells, (v) => (v === null ? NULL_CODE : dict.indexOf(String(v)))) };
}

/**
 * The rule written out: Date.UTC of each row's year…second. A missing column stands for 1970, January, the
 * 1st, 00:00:00, and so does a text cell that is not a finite number; an empty cell (a number column's NaN
 * too) or a date out of range puts the row on no bucket.
 */
function expected(rows: Cell[][], present: boolean[], asNumbers: boolean[], keep?: Uint8Array): { x: number[]; at: (number | undefined)[] } {
  const dflt = [1970, 1, 1, 0, 0, 0];
  const times = rows.map((r, i) => {
    const empty = (v: Cell, j: number) => v === null || (asNumbers[j] && Number.isNaN(Number(v)));
    if ((keep && !keep[i]) || r.some((v, j) => present[j] && empty(v, j))) return undefined;
    const v = dflt.map((d, j) => {
      if (!present[j]) return d;
      const x = Number(r[j]);
      return asNumbers[j] || Number.isFinite(x) ? x : d;
    });
    const t = Date.UTC(v[0], v[1] - 1, v[2], v[3], v[4], v[5]) / 1000;
    return Number.isNaN(t) ? undefined : t;
  });
  return { x: [...new Set(times.filter((t): t is number => t !== undefined))].sort((a, b) => a - b), at: times };
}

function check(rows: Cell[][], present: boolean[], asNumbers: boolean[], keep?: Uint8Array): number[] {
  const data = present.map((p, j) => (p ? column(rows.map((r) => r[j]), asNumbers[j]) : undefined));
  const cols = data.filter((c): c is ColumnData => c !== undefined);
  let k = 0;
  const timeIdx = present.map((p) => (p ? k++ : -1));
  const got = rowBuckets({ data: cols, rowCount: rows.length }, timeIdx, keep);
  const want = expected(rows, present, asNumbers, keep);
  assert.deepStrictEqual(got.x, want.x);
  assert.deepStrictEqual(
    [...got.rowBucket].map((b) => (b < 0 ? undefined : got.x[b])),
    want.at,
  );
  return got.x;
}

describe('the chart\'s time buckets (rowBuckets)', () => {
  let seed = 5;
  const rnd = (k: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % k;
  const randomRows = (n: number): Cell[][] =>
    Array.from({ length: n }, () => {
      const day = rnd(40) === 0 ? null : rnd(31) + 1; // a day past the month's end rolls over, as Date.UTC does
      return [
        rnd(30) === 0 ? '1999' : '2026',
        rnd(25) === 0 ? '13' : String(rnd(12) + 1),
        day === null ? null : rnd(4) === 0 ? `0${day}` : String(day),
        rnd(30) === 0 ? '6.5' : rnd(30) === 0 ? '25' : rnd(30) === 0 ? '-1' : String(rnd(24)),
        rnd(30) === 0 ? '75' : rnd(50) === 0 ? 'x' : String(rnd(60)),
        rnd(20) === 0 ? '1e400' : String(rnd(60)),
      ];
    });

  it('gives each row Date.UTC of its cells, as codes (a date per year, month and day) or as numbers', () => {
    const rows = randomRows(3000);
    const all = [true, true, true, true, true, true];
    const coded = check(rows, all, [false, false, false, false, false, false]);
    assert.ok(coded.length > 500, `${coded.length} distinct times`);
    check(rows, all, [true, true, true, true, true, true]);
    // a date column as numbers and the rest as codes, and the other way round
    check(rows, all, [false, true, false, false, false, false]);
    check(rows, all, [false, false, false, true, true, false]);
  });

  it('reads the columns a report has (no minute: 00) and leaves out the rows the filter hides', () => {
    const rows = randomRows(2000);
    const keep = Uint8Array.from(rows, (_, i) => (i % 5 === 2 ? 0 : 1));
    check(rows, [true, true, true, true, false, false], [false, false, false, false, false, false], keep);
    check(rows, [true, true, false, false, false, false], [false, false, false, false, false, false]);
    check(rows, [false, false, true, true, false, false], [false, false, false, false, false, false], keep);
  });

  it('value tables too large to key a (year, month, day) triple exactly: each row is still dated by its own cells', () => {
    // 210,000 values per table: a triple's key would pass 2^53, where (…, day 4) and (…, day 5) round to one number
    const size = 210_000;
    const dict = (f: (i: number) => string) => Array.from({ length: size }, (_, i) => f(i));
    const data: ColumnData[] = [
      { type: 'text', dict: dict(() => '2026'), codes: Uint32Array.of(size - 1, size - 1) },
      { type: 'text', dict: dict((i) => String((i % 12) + 1)), codes: Uint32Array.of(size - 1, size - 1) },
      { type: 'text', dict: dict((i) => String(i + 1)), codes: Uint32Array.of(3, 4) },
    ];
    const { x, rowBucket } = rowBuckets({ data, rowCount: 2 }, [0, 1, 2, -1, -1, -1]);
    assert.deepStrictEqual([...rowBucket].map((b) => x[b]), [Date.UTC(2026, 11, 4) / 1000, Date.UTC(2026, 11, 5) / 1000]);
  });

  it('a minute report: a bucket per minute in time order; a date out of range has none', () => {
    const rows: Cell[][] = [];
    for (let m = 0; m < 2 * 1440; m++) rows.push(['2026', '12', String(31 + Math.floor(m / 1440)), String(Math.floor(m / 60) % 24), String(m % 60), '0']);
    rows.push(['275761', '1', '1', '0', '0', '0']); // past the last day Date can hold
    const x = check(rows.reverse(), [true, true, true, true, true, false], [false, false, false, false, false, false]);
    assert.strictEqual(x.length, 2 * 1440);
    assert.strictEqual(x[0], Date.UTC(2026, 11, 31) / 1000);
    assert.strictEqual(x[x.length - 1], Date.UTC(2027, 0, 1, 23, 59) / 1000, 'Dec 32 is Jan 1, as Date.UTC says');
  });
});
