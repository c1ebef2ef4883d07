/** The analysis modules on the sandbox's real data, checked against what the server itself answers. */
import * as assert from 'node:assert/strict';
import { columnsOfRows } from '../../../../../src/core/cmu/analysis/columns';
import { partialBuckets } from '../../../../../src/core/cmu/analysis/partial';
import { dataQuality } from '../../../../../src/core/cmu/analysis/quality';
import { RATIOS, derivedColumns, ratioOver } from '../../../../../src/core/cmu/analysis/ratios';
import type { SemanticsLookup } from '../../../../../src/core/cmu/analysis/semantics';
import { fetchParentTotal } from '../../../../../src/core/cmu/analysis/parentTotal';
import { metricTotals, parentTotalQuery } from '../../../../../src/core/cmu/analysis/totals';
import { metricSemantics } from '../../../../../src/core/cmu/catalog';
import { CmuClient } from '../../../../../src/core/cmu/client';
import { emptyQuery, isoToMillis } from '../../../../../src/core/cmu/query';
import type { CmuQuery, ParsedReport } from '../../../../../src/core/cmu/types';
import { HttpClient } from '../../../../../src/core/http';
import { Session } from '../../../../../src/core/session';
import { MemoryStore } from '../../../../../src/core/store';
import { Sandbox } from '../../../../../src/sandbox/server';

const NOW = Date.UTC(2026, 10, 26, 10, 15, 30);
// the product's own semantics (the catalog): these five add up over time and dimensions, active-users does not
const ADDITIVE = ['started-sessions', 'completed-sessions', 'failed-attempts', 'dismissed-sessions', 'killed-sessions'];
const semantics: SemanticsLookup = metricSemantics;

describe('cmu/analysis on the sandbox', () => {
  let sandbox: Sandbox;
  let client: CmuClient;
  before(async () => {
    sandbox = await Sandbox.start({ throttle: false, now: () => NOW });
    const http = new HttpClient({ timeoutMs: 10_000, minRetryDelayMs: 20 });
    const session = new Session({ store: new MemoryStore(), env: { name: 'sandbox', dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase }, profile: 'default', http });
    await session.importStatement(sandbox.statement);
    client = new CmuClient({ http, session, cmuBase: sandbox.cmuBase });
  });
  after(() => sandbox.stop());

  const query = (path: string[], more: Partial<CmuQuery>): CmuQuery => ({ ...emptyQuery(path), ...more });
  const valueOf = (r: ParsedReport, metric: string, row = 0) => r.rows[row][r.columns.findIndex((c) => c.name === metric)];

  const drillDowns: [string, CmuQuery][] = [
    ['days of a week', query(['tenant', 'year', 'month', 'day'], { filters: [{ dimension: 'tenant', op: '=', values: ['ACME'] }], start: '2026-11-01', end: '2026-11-08' })],
    ['mvpds of a day', query(['tenant', 'year', 'month', 'day', 'mvpd'], { filters: [{ dimension: 'tenant', op: '=', values: ['ACME'] }, { dimension: 'mvpd', op: '!=', values: ['TempPass'] }], start: '2026-11-10', end: '2026-11-11' })],
    ['hours × channels of six hours', query(['tenant', 'year', 'month', 'day', 'hour', 'channel'], { filters: [{ dimension: 'tenant', op: '=', values: ['ACME'] }], start: '2026-11-20T06:00:00', end: '2026-11-20T12:00:00' })],
  ];
  for (const [name, q] of drillDowns) {
    it(`totals of additive metrics equal the server's parent report: ${name}`, async () => {
      const child = await client.fetchReport(q);
      assert.ok(child.rows.length > 2, `rows: ${child.rows.length}`);
      const cols = columnsOfRows(child);
      const parentQ = parentTotalQuery(q, cols);
      assert.ok(parentQ, 'a parent query exists');
      const parent = await client.fetchReport(parentQ);
      assert.equal(parent.rows.length, 1, `one parent row at /${parentQ.path.join('/')}`);
      const totals = metricTotals(cols, semantics);
      for (const m of ADDITIVE) assert.ok(metricSemantics(m).additiveOverTime && metricSemantics(m).additiveOverDimensions, m);
      for (const m of ADDITIVE) {
        const t = totals.find((x) => x.metric === m);
        assert.equal(t?.value, valueOf(parent, m), m);
      }
      assert.equal(totals.find((x) => x.metric === 'active-users')?.value, undefined, 'no total for a distinct count');
      // the derived failure rate of the whole equals the parent's own
      const failed = valueOf(parent, 'failed-attempts') as number;
      const started = valueOf(parent, 'started-sessions') as number;
      const all = Array.from({ length: cols.rowCount }, (_, i) => i);
      assert.equal(ratioOver(cols, RATIOS[0], all), failed / (started + failed));
    });
  }

  // each drill-down's parent written out by hand: the report one level up, same filters and window
  const parents: CmuQuery[] = [
    query(['tenant', 'year', 'month'], { filters: drillDowns[0][1].filters, start: '2026-11-01', end: '2026-11-08' }),
    query(['tenant', 'year', 'month', 'day'], { filters: drillDowns[1][1].filters, start: '2026-11-10', end: '2026-11-11' }),
    query(['tenant', 'year', 'month', 'day'], { filters: drillDowns[2][1].filters, start: '2026-11-20T06:00:00', end: '2026-11-20T12:00:00' }),
  ];
  drillDowns.forEach(([name, q], i) => {
    it(`the total of a distinct count is the server's own value for the whole: ${name}`, async () => {
      const child = await client.fetchReport(q);
      const total = await fetchParentTotal(client, q, { links: child.links, table: columnsOfRows(child) }, { semantics });
      assert.ok(total, 'a server total');
      assert.equal(total.path, '/' + parents[i].path.join('/'));
      const empty = metricTotals(columnsOfRows(child), semantics).filter((t) => t.value === undefined).map((t) => t.metric);
      assert.ok(empty.includes('active-users') && !empty.includes('started-sessions'), empty.join());
      assert.deepEqual(Object.keys(total.values), empty, 'exactly the metrics the rows cannot total');
      const parent = await client.fetchReport(parents[i]);
      assert.equal(parent.rows.length, 1);
      for (const m of empty) assert.equal(total.values[m], valueOf(parent, m), m);
      assert.equal(total.url, parent.url);
    });
  });

  it('failure rate per row from the server’s columns', async () => {
    const r = await client.fetchReport(query(['tenant', 'year', 'month', 'day', 'mvpd'], { start: '2026-11-10', end: '2026-11-11' }));
    const cols = columnsOfRows(r);
    const failure = derivedColumns(cols).find((c) => c.name === 'failure-rate');
    assert.ok(failure);
    let checked = 0;
    for (let i = 0; i < r.rows.length; i++) {
      const f = valueOf(r, 'failed-attempts', i) as number;
      const s = valueOf(r, 'started-sessions', i) as number;
      assert.equal(failure.at(i), f + s === 0 ? null : f / (f + s));
      if (f > 0) checked++;
    }
    assert.ok(checked > 0, 'some rows have failures');
  });

  it('data quality: the Unknown channel share matches the server’s own filtered report', async () => {
    const base = query(['tenant', 'year', 'month', 'day', 'channel'], { filters: [{ dimension: 'tenant', op: '=', values: ['ACME'] }], start: '2026-11-10', end: '2026-11-11' });
    const r = await client.fetchReport(base);
    const ch = dataQuality(columnsOfRows(r)).find((d) => d.dimension === 'channel');
    assert.ok(ch && ch.unknownRows > 0, 'the sandbox has Unknown channels');
    assert.equal(ch.rowShare, ch.unknownRows / r.rows.length);
    const day = query(['tenant', 'year', 'month', 'day'], { filters: base.filters, start: base.start, end: base.end });
    const unknown = await client.fetchReport({ ...day, filters: [...day.filters, { dimension: 'channel', op: '=', values: ['Unknown'] }] });
    const total = await client.fetchReport(day);
    const share = (valueOf(unknown, 'started-sessions') as number) / (valueOf(total, 'started-sessions') as number);
    assert.ok(Math.abs(ch.massShare['started-sessions'] - share) < 1e-12, `${ch.massShare['started-sessions']} vs ${share}`);
  });

  it('the last day of a window that ends now is partial; the days before are not', async () => {
    const r = await client.fetchReport(query(['tenant', 'year', 'month', 'day'], { filters: [{ dimension: 'tenant', op: '=', values: ['ACME'] }], start: '2026-11-20' }));
    const flags = partialBuckets(columnsOfRows(r), { now: NOW, window: { start: isoToMillis('2026-11-20') } });
    const days = r.rows.map((row) => row[3]);
    assert.equal(days[days.length - 1], '26');
    assert.deepEqual(flags.reasons, [...days.slice(0, -1).map(() => undefined), 'now']);
  });
});
