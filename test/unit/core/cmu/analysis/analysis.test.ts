import * as assert from 'node:assert/strict';
import { BucketReader, wallToInstant } from '../../../../../src/core/cmu/analysis/buckets';
import { columnsOfRows, numberOf, type ReportColumns } from '../../../../../src/core/cmu/analysis/columns';
import { compareQuery, compareReports, compareWindow, reportWindow } from '../../../../../src/core/cmu/analysis/compare';
import { partialBuckets } from '../../../../../src/core/cmu/analysis/partial';
import { dataQuality, isUnknownValue } from '../../../../../src/core/cmu/analysis/quality';
import { RATIOS, derivedColumns, ratioOver, withDerived } from '../../../../../src/core/cmu/analysis/ratios';
import type { SemanticsLookup } from '../../../../../src/core/cmu/analysis/semantics';
import { metricTotals, parentTotalQuery, rowSpan } from '../../../../../src/core/cmu/analysis/totals';
import { fetchComparison, windowInstants } from '../../../../../src/core/cmu/analysis/comparison';
import { fetchParentTotal, metricsWithoutTotal } from '../../../../../src/core/cmu/analysis/parentTotal';
import { emptyQuery } from '../../../../../src/core/cmu/query';
import { parseZone } from '../../../../../src/core/cmu/time/zone';
import type { CmuQuery, ParsedReport, ReportCell } from '../../../../../src/core/cmu/types';

const METRICS = new Set(['active-users', 'active-sessions', 'started-sessions', 'completed-sessions', 'failed-attempts', 'dismissed-sessions', 'killed-sessions', 'users']);

/** A report from records, dimensions first, as parse.ts lays it out. */
function report(records: Record<string, string | number | null>[]): ReportColumns {
  const names = Object.keys(records[0] ?? {});
  const columns = names.map((name) => ({ name, kind: METRICS.has(name) ? ('metric' as const) : ('dimension' as const) }));
  const rows: ReportCell[][] = records.map((r) => names.map((n) => r[n] ?? null));
  return columnsOfRows({ columns, rows });
}

const SEMANTICS: SemanticsLookup = (m) =>
  ({
    'started-sessions': { additiveOverTime: true, additiveOverDimensions: true },
    'failed-attempts': { additiveOverTime: true, additiveOverDimensions: true },
    'active-sessions': { additiveOverTime: false, additiveOverDimensions: true, why: 'a session active on two days counts in both' },
    'active-users': { additiveOverTime: false, additiveOverDimensions: false, why: 'distinct users per bucket' },
  })[m] ?? { additiveOverTime: false, additiveOverDimensions: false };

function q(partial: Partial<CmuQuery>): CmuQuery {
  return { ...emptyQuery(), ...partial };
}

describe('cmu/analysis: totals', () => {
  const days = report([
    { tenant: 'ACME', year: '2024', month: '11', day: '1', 'active-users': 10, 'active-sessions': 20, 'started-sessions': 30 },
    { tenant: 'ACME', year: '2024', month: '11', day: '2', 'active-users': 11, 'active-sessions': 21, 'started-sessions': 31 },
  ]);

  it('sums an additive metric and leaves distinct counts empty with the reason across days', () => {
    const t = metricTotals(days, SEMANTICS);
    assert.deepEqual(t.find((x) => x.metric === 'started-sessions'), { metric: 'started-sessions', value: 61 });
    const au = t.find((x) => x.metric === 'active-users');
    assert.equal(au?.value, undefined);
    assert.equal(au?.why, 'active-users does not add up across days: distinct users per bucket');
    assert.match(t.find((x) => x.metric === 'active-sessions')?.why ?? '', /across days/);
  });

  it('a metric additive over dimensions only is summed across mvpds of one day, not across days', () => {
    const mvpds = report([
      { year: '2024', month: '11', day: '1', mvpd: 'A', 'active-sessions': 5, 'active-users': 3 },
      { year: '2024', month: '11', day: '1', mvpd: 'B', 'active-sessions': 7, 'active-users': 4 },
    ]);
    const t = metricTotals(mvpds, SEMANTICS);
    assert.equal(t.find((x) => x.metric === 'active-sessions')?.value, 12);
    assert.equal(t.find((x) => x.metric === 'active-users')?.why, 'active-users does not add up across mvpd values: distinct users per bucket');
    assert.deepEqual(rowSpan(mvpds), { time: [], dimensions: ['mvpd'] });
  });

  it('one row (or a filtered view of one) is its own total, whatever the metric', () => {
    const t = metricTotals(days, SEMANTICS, [1]);
    assert.equal(t.find((x) => x.metric === 'active-users')?.value, 11);
  });

  it('an unknown metric is not summed by default', () => {
    const t = metricTotals(days);
    assert.ok(t.every((x) => x.value === undefined && /treated as not additive/.test(x.why ?? '')));
  });

  it('parentTotalQuery: the longest constant path prefix with the same window and filters', () => {
    const query = q({ path: ['tenant', 'year', 'month', 'day'], start: '2024-11-01', end: '2024-11-03', filters: [{ dimension: 'mvpd', op: '!=', values: ['TempPass'] }], limit: 10 });
    const parent = parentTotalQuery(query, days);
    assert.deepEqual(parent?.path, ['tenant', 'year', 'month']);
    assert.equal(parent?.start, '2024-11-01');
    assert.deepEqual(parent?.filters, query.filters);
    assert.equal(parent?.limit, undefined);
    assert.deepEqual(query.path, ['tenant', 'year', 'month', 'day'], 'the query is not touched');
  });

  it('parentTotalQuery: none when the rows differ in the first segment of a windowed path, or do not differ', () => {
    const years = report([
      { year: '2023', month: '12', 'started-sessions': 1 },
      { year: '2024', month: '1', 'started-sessions': 2 },
    ]);
    assert.equal(parentTotalQuery(q({ path: ['year', 'month'], start: '2023-12' }), years), undefined);
    assert.equal(parentTotalQuery(q({ path: ['tenant', 'year', 'month', 'day'] }), days, [0]), undefined);
    const tenants = report([{ tenant: 'A', 'started-sessions': 1 }, { tenant: 'B', 'started-sessions': 2 }]);
    assert.deepEqual(parentTotalQuery(q({ path: ['tenant'] }), tenants)?.path, [], 'no window: the root is the parent');
  });

  it('parentTotalQuery: a varying projection is dropped, the path kept', () => {
    const r = report([
      { tenant: 'A', year: '2024', platform: 'iOS', 'started-sessions': 1 },
      { tenant: 'A', year: '2024', platform: 'Web', 'started-sessions': 2 },
    ]);
    const parent = parentTotalQuery(q({ path: ['tenant', 'year'], projections: ['platform'] }), r);
    assert.deepEqual(parent?.path, ['tenant', 'year']);
    assert.deepEqual(parent?.projections, []);
  });
});

/** A parsed report as fetchParentTotal reads it. */
const tableOf = (r: ParsedReport) => ({ links: r.links, table: columnsOfRows(r) });

describe('cmu/analysis: the server total of what does not add up (fetchParentTotal)', () => {
  const days: ParsedReport = {
    format: 'json',
    url: 'http://127.0.0.1/cmu/v2/tenant/year/month/day',
    contentType: 'application/json',
    links: { self: '/cmu/v2/tenant/year/month/day?start=2024-11-01T00:00:00&end=2024-11-03T00:00:00', drillDown: [], rollUp: [] },
    columns: [...['tenant', 'year', 'month', 'day'].map((name) => ({ name, kind: 'dimension' as const })), ...['active-users', 'started-sessions'].map((name) => ({ name, kind: 'metric' as const }))],
    rows: [
      ['ACME', '2024', '11', '1', 10, 30],
      ['ACME', '2024', '11', '2', 11, 31],
    ],
    raw: '',
  };
  /** A fetcher that answers `rows` and records what it was asked. */
  const fetcher = (rows: ParsedReport['rows']) => {
    const asked: { q: CmuQuery; opts: unknown }[] = [];
    return {
      asked,
      fetchReport: async (q: CmuQuery, opts?: unknown): Promise<ParsedReport> => {
        asked.push({ q, opts });
        return { ...days, url: `http://127.0.0.1/cmu/v2/${q.path.join('/')}`, columns: [...q.path.map((name) => ({ name, kind: 'dimension' as const })), ...days.columns.slice(4)], rows };
      },
    };
  };
  const sent = q({ path: ['tenant', 'year', 'month', 'day'], start: '2024-11-01', end: '2024-11-03', filters: [{ dimension: 'tenant', op: '=', values: ['ACME'] }] });

  it('asks the parent once, with the window, filters and limits, and keeps only the metrics the rows cannot total', async () => {
    assert.deepEqual(metricsWithoutTotal(columnsOfRows(days), SEMANTICS), ['active-users']);
    const f = fetcher([['ACME', '2024', '11', 17, 61]]);
    const signal = new AbortController().signal;
    const t = await fetchParentTotal(f, sent, tableOf(days), { semantics: SEMANTICS, signal, maxBytes: 1000, maxTimeMs: 5000 });
    assert.deepEqual(t, { path: '/tenant/year/month', url: 'http://127.0.0.1/cmu/v2/tenant/year/month', values: { 'active-users': 17 } });
    assert.equal(f.asked.length, 1);
    assert.deepEqual(f.asked[0].q.path, ['tenant', 'year', 'month']);
    assert.equal(f.asked[0].q.start, '2024-11-01');
    assert.deepEqual(f.asked[0].q.filters, sent.filters);
    assert.deepEqual(f.asked[0].opts, { signal, maxBytes: 1000, maxTimeMs: 5000 });
  });

  it('no call when every total comes from the rows, the rows were cut by the limit, or no parent keeps the window', async () => {
    const f = fetcher([['ACME', '2024', '11', 17, 61]]);
    const additive: SemanticsLookup = () => ({ additiveOverTime: true, additiveOverDimensions: true });
    assert.equal(await fetchParentTotal(f, sent, tableOf(days), { semantics: additive }), undefined);
    assert.equal(await fetchParentTotal(f, { ...sent, limit: 2 }, tableOf(days), { semantics: SEMANTICS }), undefined);
    const years: ParsedReport = { ...days, columns: days.columns.slice(1), rows: [['2023', '12', '31', 1, 1], ['2024', '1', '1', 2, 2]] };
    assert.equal(await fetchParentTotal(f, q({ path: ['year', 'month', 'day'], start: '2023-12-31' }), tableOf(years), { semantics: SEMANTICS }), undefined);
    assert.equal(f.asked.length, 0);
  });

  it('no call when the query has no limit and the rows reach the server default (1000): the server may have cut them', async () => {
    const f = fetcher([['ACME', '2024', '11', 17, 61]]);
    const rows = Array.from({ length: 1000 }, (_, i) => ['ACME', '2024', '11', String((i % 30) + 1), i, i]);
    assert.equal(await fetchParentTotal(f, sent, tableOf({ ...days, rows }), { semantics: SEMANTICS }), undefined);
    assert.equal(f.asked.length, 0);
    assert.ok(await fetchParentTotal(f, sent, tableOf({ ...days, rows: rows.slice(0, 999) }), { semantics: SEMANTICS }), 'fewer rows than the default: the total is asked');
    assert.ok(await fetchParentTotal(f, { ...sent, limit: 5000 }, tableOf({ ...days, rows }), { semantics: SEMANTICS }), 'a limit the rows stay under: the total is asked');
  });

  it('a parent of more than one row, or without the metric, gives nothing', async () => {
    assert.equal(await fetchParentTotal(fetcher([['ACME', '2024', '11', 17, 61], ['ACME', '2024', '12', 1, 1]]), sent, tableOf(days), { semantics: SEMANTICS }), undefined);
    assert.equal(await fetchParentTotal(fetcher([['ACME', '2024', '11', null, 61]]), sent, tableOf(days), { semantics: SEMANTICS }), undefined);
  });

  it('the server default window: the parent is asked for the window the self link names', async () => {
    const f = fetcher([['ACME', '2024', '11', 17, 61]]);
    await fetchParentTotal(f, q({ path: ['tenant', 'year', 'month', 'day'] }), tableOf(days), { semantics: SEMANTICS });
    assert.equal(f.asked[0].q.start, '2024-11-01T00:00:00');
    assert.equal(f.asked[0].q.end, '2024-11-03T00:00:00');
  });
});

describe('cmu/analysis: partial periods', () => {
  const now = Date.UTC(2024, 10, 8, 10, 30); // 2024-11-08T10:30Z
  const daily = report([
    { year: '2024', month: '11', day: '6', 'started-sessions': 100 },
    { year: '2024', month: '11', day: '7', 'started-sessions': 100 },
    { year: '2024', month: '11', day: '8', 'started-sessions': 40 },
  ]);

  it('flags the day that contains now; earlier days are complete', () => {
    const f = partialBuckets(daily, { now });
    assert.deepEqual(f.reasons, [undefined, undefined, 'now']);
    assert.equal(f.count, 1);
  });

  it('flags a bucket that ended within the freshness horizon (day: 3 h)', () => {
    const f = partialBuckets(daily, { now: Date.UTC(2024, 10, 9, 2, 0) });
    assert.deepEqual(f.reasons, [undefined, undefined, 'fresh']);
    assert.deepEqual(partialBuckets(daily, { now: Date.UTC(2024, 10, 9, 3, 1) }).reasons, [undefined, undefined, undefined]);
  });

  it('months use the 2-day horizon; hours 1 h', () => {
    const months = report([{ year: '2024', month: '10', 'started-sessions': 1 }, { year: '2024', month: '11', 'started-sessions': 1 }]);
    assert.deepEqual(partialBuckets(months, { now: Date.UTC(2024, 10, 1, 12) }).reasons, ['fresh', 'now']);
    const hours = report([{ year: '2024', month: '11', day: '8', hour: '9', 'started-sessions': 1 }]);
    assert.deepEqual(partialBuckets(hours, { now: Date.UTC(2024, 10, 8, 10, 30) }).reasons, ['fresh']);
    assert.deepEqual(partialBuckets(hours, { now: Date.UTC(2024, 10, 8, 11, 1) }).reasons, [undefined]);
  });

  it('level reports are recomputed daily whatever their grain', () => {
    const levels = report([{ year: '2024', month: '11', day: '7', 'concurrency-level': '1', users: 5 }]);
    assert.deepEqual(partialBuckets(levels, { now: Date.UTC(2024, 10, 8, 20) }).reasons, ['fresh']);
  });

  it('reads buckets in the report zone: day 8 at −08:00 ends at 08:00Z on the 9th', () => {
    const f = (t: number) => partialBuckets(daily, { now: t, zone: -480, horizonMs: 0 }).reasons[2];
    assert.equal(f(Date.UTC(2024, 10, 9, 7, 59)), 'now');
    assert.equal(f(Date.UTC(2024, 10, 9, 8, 0)), undefined);
    const dst = (ms: number) => (ms >= Date.UTC(2024, 10, 3, 9) ? -480 : -420); // America/Los_Angeles around 2024-11-03
    assert.equal(wallToInstant(Date.UTC(2024, 10, 3, 12), dst), Date.UTC(2024, 10, 3, 20));
    assert.equal(wallToInstant(Date.UTC(2024, 10, 2, 12), dst), Date.UTC(2024, 10, 2, 19));
  });

  it('flags a bucket the window cuts', () => {
    const f = partialBuckets(daily, { now: Date.UTC(2025, 0, 1), window: { start: Date.UTC(2024, 10, 6, 10), end: Date.UTC(2024, 10, 9) } });
    assert.deepEqual(f.reasons, ['window', undefined, undefined]);
  });

  it('buckets far from now and from the window edges are complete without being judged: the same flags as judging every row, any grain, zone, window', () => {
    // the reference: every row judged (what partialBuckets did before it skipped the provably complete ones)
    const judgedAll = (r: ReportColumns, o: Parameters<typeof partialBuckets>[1], horizon: number) => {
      const reader = new BucketReader(r, o.zone ?? 0);
      return Array.from({ length: r.rowCount }, (_, i) => {
        const b = reader.bucket(i);
        if (!b) return undefined;
        if (b.hi > o.now) return 'now';
        if (b.hi > o.now - horizon) return 'fresh';
        if ((o.window?.start !== undefined && o.window.start > b.lo) || (o.window?.end !== undefined && o.window.end < b.hi)) return 'window';
        return undefined;
      });
    };
    const grains = [
      { cols: ['year', 'month'], step: (t: Date) => t.setUTCMonth(t.getUTCMonth() + 1) },
      { cols: ['year', 'month', 'day'], step: (t: Date) => t.setUTCDate(t.getUTCDate() + 1) },
      { cols: ['year', 'month', 'day', 'hour'], step: (t: Date) => t.setUTCHours(t.getUTCHours() + 1) },
      { cols: ['year', 'month', 'day', 'hour', 'minute'], step: (t: Date) => t.setUTCMinutes(t.getUTCMinutes() + 7) },
    ];
    const dst = (ms: number) => (ms >= Date.UTC(2024, 10, 3, 9) && ms < Date.UTC(2025, 2, 9, 10) ? -480 : -420);
    let seed = 7;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    let flagged = 0;
    for (const g of grains) {
      const rows: Record<string, string | number>[] = [];
      for (const t = new Date(Date.UTC(2024, 9, 1)); rows.length < 400; g.step(t)) {
        const parts = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()];
        rows.push({ ...Object.fromEntries(g.cols.map((c, i) => [c, String(parts[i])])), 'started-sessions': 1 });
      }
      const r = report(rows);
      const first = Date.UTC(2024, 9, 1);
      const last = first + (g.cols.length === 2 ? 400 * 31 : g.cols.length === 3 ? 400 : g.cols.length === 4 ? 400 / 24 : (400 * 7) / 1440) * 86_400_000;
      for (let k = 0; k < 25; k++) {
        const at = () => first + rnd() * (last - first);
        const o = { now: at(), zone: [0, -480, 840, -720, dst][k % 5], horizonMs: [0, 3_600_000, 2 * 86_400_000][k % 3], window: k % 4 === 3 ? undefined : { start: at() - 86_400_000, end: at() + 86_400_000 } };
        const got = partialBuckets(r, o).reasons;
        assert.deepEqual(got, judgedAll(r, o, o.horizonMs), `${g.cols.join('/')} #${k}`);
        flagged += got.filter(Boolean).length;
      }
    }
    assert.ok(flagged > 100, `the cases flag rows (${flagged})`);
  });

  it('dictionary-coded time columns (a report chunk): wallStarts() reads the codes in one pass and gives what wallStart() gives row by row, bad values included', () => {
    // tables with good values and every kind of bad one: empty, text, fractions, out of range, a two-digit year
    const tables: Record<string, (string | null)[]> = {
      year: ['2024', '2025', '99', '1999.5', 'x', '-2000', '275760'],
      month: ['1', '2', '12', '0', '13', '2.5', ''],
      day: ['1', '15', '31', '29', '0', '32', ' 7 '],
      hour: ['0', '23', '24', '-1', '12', 'noon', '5'],
      minute: ['0', '59', '60', '30', '-5', '1e1', '7'],
      second: ['0', '59', '60', '1', '30', '2', '3'],
    };
    let seed = 11;
    const rnd = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (const depth of [1, 2, 3, 4, 5, 6]) {
      const names = ['year', 'month', 'day', 'hour', 'minute', 'second'].slice(0, depth);
      const n = 3000;
      const codes = names.map(() => new Uint8Array(n + 5));
      for (const c of codes) for (let i = 0; i < c.length; i++) c[i] = rnd(8); // 0: an empty cell
      const offset = 5; // a chunk's rows read from an offset
      const cell = (col: number, r: number) => {
        const k = codes[col][offset + r];
        return k === 0 ? null : tables[names[col]][k - 1];
      };
      const plain: ReportColumns = { rowCount: n, columns: names.map((name, col) => ({ name, kind: 'dimension' as const, at: (r: number) => cell(col, r) })) };
      const coded: ReportColumns = {
        rowCount: n,
        columns: names.map((name, col) => ({
          name,
          kind: 'dimension' as const,
          at: (r: number) => cell(col, r),
          coded: { codes: codes[col], offset, values: Float64Array.from(tables[name], (v) => numberOf(v)) },
        })),
      };
      const expected = Array.from({ length: n }, (_, r) => new BucketReader(plain).wallStart(r) ?? NaN);
      assert.deepEqual([...new BucketReader(coded).wallStarts()], expected, `${names.join('/')}`);
      assert.deepEqual([...new BucketReader(plain).wallStarts()], expected);
      assert.ok(expected.some((t) => !Number.isNaN(t)) && expected.some((t) => Number.isNaN(t)), 'valid and invalid rows both occur');
      const o = { now: Date.UTC(2025, 1, 15), horizonMs: 86_400_000, window: { start: Date.UTC(2024, 0, 10), end: Date.UTC(2025, 0, 20) } };
      assert.deepEqual(partialBuckets(coded, o), partialBuckets(plain, o));
    }
  });

  it('a chunk shaped like a minute report (rows in time order, a row per tenant, across days and a year): wallStarts() from the codes is the wall clock of each row', () => {
    const names = ['tenant', 'year', 'month', 'day', 'hour', 'minute'];
    const tables: string[][] = names.map(() => []);
    const code = (col: number, v: string) => {
      const i = tables[col].indexOf(v);
      return i >= 0 ? i + 1 : tables[col].push(v);
    };
    const first = Date.UTC(2025, 11, 31, 22, 30);
    const n = 3 * 60 * 2 * 3; // three tenants a minute, three hours across New Year and a day, twice over
    const codes = names.map(() => new Uint16Array(n + 2));
    const expected: number[] = [];
    for (let r = 0; r < n; r++) {
      const t = first + Math.floor((r % (n / 2)) / 3) * 60_000;
      const d = new Date(t);
      const parts = [`t${r % 3}`, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()].map(String);
      parts.forEach((v, col) => (codes[col][r + 2] = code(col, v)));
      expected.push(t);
    }
    const coded: ReportColumns = {
      rowCount: n,
      columns: names.map((name, col) => ({
        name,
        kind: 'dimension' as const,
        at: (r: number) => tables[col][codes[col][r + 2] - 1],
        coded: { codes: codes[col], offset: 2, values: Float64Array.from(tables[col], (v) => numberOf(v)) },
      })),
    };
    assert.deepEqual([...new BucketReader(coded).wallStarts()], expected);
  });

  it('wallStarts() from codes: value tables too large to key a (year, month, day) triple exactly still date each row by its own cells', () => {
    // 210,000 values per table: a triple's key would pass 2^53, where (…, day 3) and (…, day 4) round to one number
    const size = 210_000;
    const tables = [Array.from({ length: size }, () => '2026'), Array.from({ length: size }, (_, i) => String((i % 12) + 1)), Array.from({ length: size }, (_, i) => String((i % 28) + 1))];
    const codes = [Uint32Array.of(size, size), Uint32Array.of(size, size), Uint32Array.of(3, 4)];
    const columns: ReportColumns = {
      rowCount: 2,
      columns: ['year', 'month', 'day'].map((name, col) => ({
        name,
        kind: 'dimension' as const,
        at: (r: number) => tables[col][codes[col][r] - 1],
        coded: { codes: codes[col], offset: 0, values: Float64Array.from(tables[col], (v) => numberOf(v)) },
      })),
    };
    assert.deepEqual([...new BucketReader(columns).wallStarts()], [Date.UTC(2026, 11, 3), Date.UTC(2026, 11, 4)]);
  });

  it('partial flags of a 10k-row minute chunk, from codes and from cells: each row by the rule, row by row', () => {
    const names = ['year', 'month', 'day', 'hour', 'minute'];
    const n = 10_000;
    const first = Date.UTC(2025, 0, 1);
    const cells = Array.from({ length: n }, (_, r) => {
      const d = new Date(first + r * 60_000);
      return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()].map(String);
    });
    const tables = names.map((_, col) => [...new Set(cells.map((c) => c[col]))]);
    const codes = names.map((_, col) => Uint16Array.from(cells, (c) => tables[col].indexOf(c[col]) + 1));
    const plain: ReportColumns = { rowCount: n, columns: names.map((name, col) => ({ name, kind: 'dimension' as const, at: (r: number) => cells[r][col] })) };
    const coded: ReportColumns = {
      rowCount: n,
      columns: names.map((name, col) => ({ ...plain.columns[col], coded: { codes: codes[col], offset: 0, values: Float64Array.from(tables[col], (v) => numberOf(v)) } })),
    };
    // "now" inside the report: the rows from there on are partial, across read blocks
    const o = { now: first + 5000 * 60_000, horizonMs: 3 * 3_600_000, window: { start: first, end: first + 9000 * 60_000 } };
    // each row is the minute [lo, hi) in UTC: the rule of partial.ts, row by row
    const reasons = cells.map((_, r) => {
      const lo = first + r * 60_000;
      const hi = lo + 60_000;
      return hi > o.now ? 'now' : hi > o.now - o.horizonMs ? 'fresh' : o.window.start > lo || o.window.end < hi ? 'window' : undefined;
    });
    const want = { reasons, count: reasons.filter(Boolean).length };
    assert.ok(want.count > 4096, `partial rows span more than a block (${want.count})`);
    assert.deepEqual(partialBuckets(coded, o), want);
    assert.deepEqual(partialBuckets(plain, o), want);
  });

  it('no time chain from year down: no bucket, no flag', () => {
    const hourOnly = report([{ hour: '3', 'started-sessions': 1 }]);
    assert.equal(new BucketReader(hourOnly).bucket(0), undefined);
    assert.equal(partialBuckets(hourOnly, { now }).count, 0);
    assert.equal(partialBuckets(report([{ tenant: 'A', 'started-sessions': 1 }]), { now }).count, 0);
  });
});

describe('cmu/analysis: derived ratios', () => {
  const r = report([
    { mvpd: 'A', 'started-sessions': 90, 'failed-attempts': 10, 'completed-sessions': 81, 'dismissed-sessions': 3, 'killed-sessions': 6 },
    { mvpd: 'B', 'started-sessions': 0, 'failed-attempts': 0, 'completed-sessions': 0, 'dismissed-sessions': 0, 'killed-sessions': 0 },
    { mvpd: 'C', 'started-sessions': 10, 'failed-attempts': null, 'completed-sessions': 5, 'dismissed-sessions': 1, 'killed-sessions': 0 },
  ]);

  it('failure rate is failed per attempt (started + failed); completion and dismissed+killed per started', () => {
    const cols = derivedColumns(r);
    assert.deepEqual(cols.map((c) => c.name), ['failure-rate', 'completion-rate', 'dismissed-killed-share']);
    assert.equal(cols[0].at(0), 0.1);
    assert.equal(cols[1].at(0), 0.9);
    assert.equal(cols[2].at(0), 0.1);
    assert.equal(cols[0].at(1), null, 'no attempts: no rate, not 0 %');
    assert.equal(cols[0].at(2), null, 'an empty input: no rate');
    assert.equal(cols[1].at(2), 0.5);
    assert.ok(cols.every((c) => c.derived && c.kind === 'metric'));
  });

  it('a ratio needs every input column: none without failed-attempts', () => {
    const only = report([{ mvpd: 'A', 'started-sessions': 1, 'completed-sessions': 1 }]);
    assert.deepEqual(derivedColumns(only).map((c) => c.name), ['completion-rate']);
    assert.equal(withDerived(report([{ mvpd: 'A', 'active-users': 1 }])).columns.length, 2);
  });

  it('the ratio of a total is the ratio of the sums, not the sum of the ratios', () => {
    const two = report([
      { mvpd: 'A', 'started-sessions': 90, 'failed-attempts': 10 },
      { mvpd: 'B', 'started-sessions': 1, 'failed-attempts': 99 },
    ]);
    assert.equal(ratioOver(two, RATIOS[0], [0, 1]), 109 / 200);
  });
});

describe('cmu/analysis: compare', () => {
  it('previous window of equal length ends where this one starts, written as precisely as given', () => {
    assert.deepEqual(compareWindow({ start: '2024-11-08', end: '2024-11-15' }, 'previous'), { start: '2024-11-01', end: '2024-11-08' });
    assert.deepEqual(compareWindow({ start: '2024-11-08T12:00:00', end: '2024-11-09T12:00:00' }, 'previous'), { start: '2024-11-07T12:00:00', end: '2024-11-08T12:00:00' });
    assert.deepEqual(compareWindow({ start: '2024-11-08', end: '2024-11-09T12:00:00' }, 'previous'), { start: '2024-11-06T12:00', end: '2024-11-08' });
    assert.deepEqual(compareWindow({ start: '2024-11-08T00:00:00Z', end: '2024-11-09T00:00:00Z' }, 'previous'), { start: '2024-11-07T00:00:00Z', end: '2024-11-08T00:00:00Z' });
  });

  it('previous of a calendar month is the month before (31 days back would land on Sep 30)', () => {
    assert.deepEqual(compareWindow({ start: '2024-10-01', end: '2024-11-01' }, 'previous'), { start: '2024-09-01', end: '2024-10-01' });
    assert.deepEqual(compareWindow({ start: '2024-01', end: '2024-04' }, 'previous'), { start: '2023-10', end: '2024-01' });
  });

  it('week and month shift both ends; the 31st becomes the last day of a shorter month', () => {
    assert.deepEqual(compareWindow({ start: '2024-11-08', end: '2024-11-15' }, 'week'), { start: '2024-11-01', end: '2024-11-08' });
    assert.deepEqual(compareWindow({ start: '2024-03-31', end: '2024-04-01' }, 'month'), { start: '2024-02-29', end: '2024-03-01' });
    assert.deepEqual(compareWindow({ start: '2024-01-15T10:00:00', end: '2024-01-16T10:00:00' }, 'month'), { start: '2023-12-15T10:00:00', end: '2023-12-16T10:00:00' });
  });

  it('compareQuery changes only the window; reportWindow falls back to the self link and now', () => {
    const query = q({ path: ['tenant', 'year', 'month', 'day'], start: '2024-11-08', end: '2024-11-15', metrics: ['started-sessions'] });
    const prev = compareQuery(query, { start: '2024-11-08', end: '2024-11-15' }, 'week');
    assert.deepEqual({ ...prev, start: undefined, end: undefined }, { ...query, start: undefined, end: undefined });
    assert.equal(prev.start, '2024-11-01');
    assert.equal(query.start, '2024-11-08');
    assert.deepEqual(reportWindow(q({}), '/cmu/v2/year/month?start=2024-11-01T00:00:00&end=2024-11-26T10:15:00', () => 'now'), { start: '2024-11-01T00:00:00', end: '2024-11-26T10:15:00' });
    assert.deepEqual(reportWindow(q({ start: '2024-11-01' }), undefined, () => '2024-11-02T00:00:00'), { start: '2024-11-01', end: '2024-11-02T00:00:00' });
    assert.equal(reportWindow(q({}), undefined, () => 'x'), undefined);
  });

  const cur = report([
    { year: '2024', month: '11', day: '8', mvpd: 'A', 'started-sessions': 110, 'failed-attempts': 5 },
    { year: '2024', month: '11', day: '8', mvpd: 'B', 'started-sessions': 50, 'failed-attempts': 0 },
    { year: '2024', month: '11', day: '9', mvpd: 'A', 'started-sessions': 7, 'failed-attempts': 1 },
  ]);
  const prev = report([
    { year: '2024', month: '11', day: '1', mvpd: 'A', 'started-sessions': 100, 'failed-attempts': 10 },
    { year: '2024', month: '11', day: '1', mvpd: 'C', 'started-sessions': 40, 'failed-attempts': 0 },
    { year: '2024', month: '11', day: '2', mvpd: 'A', 'started-sessions': 100, 'failed-attempts': 2 },
  ]);

  it('joins on dimension values with time shifted: value, previous, Δ, Δ%; a full join', () => {
    const c = compareReports(cur, prev, { mode: 'week', window: { start: '2024-11-08', end: '2024-11-10' }, includePartial: true });
    assert.deepEqual(c.dimensions, ['year', 'month', 'day', 'mvpd']);
    assert.deepEqual(c.metrics, ['started-sessions', 'failed-attempts']);
    const a8 = c.rows[0];
    assert.deepEqual(a8.dimensions, ['2024', '11', '8', 'A']);
    assert.deepEqual(a8.previousTime, ['2024', '11', '1']);
    assert.deepEqual(a8.metrics[0], { value: 110, previous: 100, delta: 10, deltaPct: 10 });
    assert.deepEqual(a8.metrics[1], { value: 5, previous: 10, delta: -5, deltaPct: -50 });
    const b8 = c.rows[1];
    assert.deepEqual(b8.metrics[0], { value: 50, previous: null, delta: null, deltaPct: null });
    const c8 = c.rows.find((r) => r.dimensions[3] === 'C');
    assert.deepEqual(c8?.dimensions, ['2024', '11', '8', 'C'], 'a row only the earlier period has gets this period’s labels');
    assert.deepEqual(c8?.metrics[0], { value: null, previous: 40, delta: null, deltaPct: null });
    assert.equal(c.rows.length, 4);
  });

  it('excludes pairs with a partial bucket unless asked', () => {
    const partial = partialBuckets(cur, { now: Date.UTC(2024, 10, 9, 12) });
    assert.deepEqual(partial.reasons, [undefined, undefined, 'now']);
    const c = compareReports(cur, prev, { mode: 'week', window: { start: '2024-11-08', end: '2024-11-10' }, partial: { current: partial.reasons } });
    assert.equal(c.excludedPartial, 1);
    assert.ok(c.rows.every((r) => r.current !== 2));
    assert.ok(c.rows.some((r) => r.previous === 2) === false, 'the earlier row of the excluded pair is not shown alone either');
  });

  it('previous mode shifts rows by the window length; derived ratios compare too', () => {
    const c = compareReports(withDerived(cur), withDerived(prev), { mode: 'previous', window: { start: '2024-11-08', end: '2024-11-15' }, includePartial: true });
    const i = c.metrics.indexOf('failure-rate');
    assert.ok(i >= 0);
    const a8 = c.rows[0];
    assert.equal(a8.metrics[i].value, 5 / 115);
    assert.equal(a8.metrics[i].previous, 10 / 110);
  });
});

describe('cmu/analysis: data quality', () => {
  const r = report([
    { year: '2024', 'application-id': 'app-1', channel: 'Sports', 'started-sessions': 60 },
    { year: '2024', 'application-id': 'app-1', channel: 'Unknown', 'started-sessions': 30 },
    { year: '2024', 'application-id': 'app-2', channel: '', 'started-sessions': 10 },
    { year: '2024', 'application-id': 'app-2', channel: 'News', 'started-sessions': 0 },
  ]);

  it('per dimension: the share of rows and of each metric’s sum with Unknown/empty/null', () => {
    const q2 = dataQuality(r);
    assert.deepEqual(q2.map((d) => d.dimension), ['application-id', 'channel'], 'time columns are skipped');
    const ch = q2[1];
    assert.equal(ch.unknownRows, 2);
    assert.equal(ch.rowShare, 0.5);
    assert.equal(ch.massShare['started-sessions'], 0.4);
    assert.deepEqual([...ch.rowIndices], [1, 2]);
    assert.equal(q2[0].unknownRows, 0);
  });

  it('over a subset of rows (the filtered view)', () => {
    const ch = dataQuality(r, [2, 3])[1];
    assert.equal(ch.rowShare, 0.5);
    assert.equal(ch.massShare['started-sessions'], 1);
  });

  it('what counts as no value', () => {
    for (const v of [null, '', '  ', 'Unknown', 'UNKNOWN', 'null', '(null)']) assert.ok(isUnknownValue(v), String(v));
    for (const v of ['Sports', 'unknowns', 0, '0']) assert.ok(!isUnknownValue(v), String(v));
  });
});

describe('cmu/analysis: a fetched comparison reads its window in the report zone', () => {
  // 01:30 on 2024-11-09 at −08:00: day 8 ended 1.5 h ago in the zone, inside the 3 h freshness delay
  const now = Date.UTC(2024, 10, 9, 9, 30);
  const days = (first: number): ParsedReport => ({
    format: 'json',
    url: 'http://127.0.0.1/cmu/v2/year/month/day',
    contentType: 'application/json',
    links: { drillDown: [], rollUp: [] },
    columns: [
      { name: 'year', kind: 'dimension' },
      { name: 'month', kind: 'dimension' },
      { name: 'day', kind: 'dimension' },
      { name: 'started-sessions', kind: 'metric' },
    ],
    rows: [
      ['2024', '11', String(first), 10],
      ['2024', '11', String(first + 1), 10],
    ],
    raw: '',
  });
  const client = { fetchReport: async (query: CmuQuery) => days(query.start === '2024-11-07' ? 7 : 5) };

  it('the last day is partial (fresh) at −08:00, and complete when the same instants are read as UTC', async () => {
    const query = q({ path: ['year', 'month', 'day'], start: '2024-11-07', end: '2024-11-09' });
    const pst = await fetchComparison(client, query, { mode: 'previous', now, zone: parseZone('-08:00') });
    assert.equal(pst.comparison.excludedPartial, 1);
    assert.equal(pst.comparison.rows.length, 1);
    const utc = await fetchComparison(client, query, { mode: 'previous', now });
    assert.equal(utc.comparison.excludedPartial, 0);
    assert.deepEqual(windowInstants(days(7), query, parseZone('-08:00')), { start: Date.UTC(2024, 10, 7, 8), end: Date.UTC(2024, 10, 9, 8) });
  });
});
