import assert from 'node:assert/strict';
import { realPaths, yearMetrics, isAdditive, isDimension, isMetric, metricsFor, nextSteps, pathHref, realColumns, rollUpPath, splitPath } from '../../../src/core/cmu/catalog';
import { Sandbox } from '../../../src/sandbox/server';

type Rec = Record<string, string>;
interface Hal {
  _links: { self: { href: string }; 'roll-up'?: { href: string; name?: string }; 'drill-down'?: { href: string; name: string }[] };
  report: Rec[];
}

const NOW = Date.UTC(2026, 10, 26, 10, 15, 30);
const WINDOW = 'start=2026-09-01&end=2026-11-01';

describe('sandbox CMU: the real backend tree and scopes', () => {
  let sb: Sandbox;
  let token: string;
  const get = (href: string, t = token) => fetch(sb.origin + href, { headers: { Authorization: `Bearer ${t}` } });
  const json = async (href: string): Promise<Hal> => {
    const r = await get(href);
    assert.equal(r.status, 200, `${href}: ${r.status} ${await r.clone().text()}`);
    return (await r.json()) as Hal;
  };
  /** rows keyed by the given dimensions, one metric summed */
  const sumBy = (rows: Rec[], dims: string[], metric: string): Map<string, number> => {
    const out = new Map<string, number>();
    for (const r of rows) {
      const k = dims.map((d) => r[d]).join('|');
      out.set(k, (out.get(k) ?? 0) + Number(r[metric]));
    }
    return out;
  };

  before(async () => {
    sb = await Sandbox.start({ throttle: false, now: () => NOW });
    token = await sb.issueAccessToken();
  });
  after(() => sb.stop());

  it('serves every harvested path with the real columns, and links that follow the real tree', async () => {
    for (const p of realPaths()) {
      const body = await json(`${pathHref(p)}?start=2026-11-25T10&end=2026-11-25T11&limit=1`);
      const cols = realColumns(p);
      assert.ok(cols, p.join('/'));
      assert.ok(body.report.length > 0, p.join('/'));
      assert.deepEqual(Object.keys(body.report[0]), [...cols.dimensions, ...cols.metrics], p.join('/'));
      assert.deepEqual((body._links['drill-down'] ?? []).map((d) => d.name), nextSteps(p), p.join('/'));
      const up = rollUpPath(p);
      assert.equal(body._links['roll-up']?.href, up && pathHref(up), p.join('/'));
    }
  });

  it('year/duration/occurrences/activity-level/month/tenant: users per level, filterable by tenant', async () => {
    const body = await json(`/cmu/v2/year/duration/occurrences/activity-level/month/tenant?${WINDOW}&tenant=ACME`);
    assert.ok(body.report.length > 0);
    for (const r of body.report) {
      assert.deepEqual(Object.keys(r), ['year', 'duration', 'occurrences', 'activity-level', 'month', 'tenant', 'users']);
      assert.equal(r.tenant, 'ACME');
      assert.match(r.users, /^\d+$/);
    }
    assert.deepEqual(new Set(body.report.map((r) => r.month)), new Set(['9', '10']));
    assert.equal(body._links['roll-up']?.href, '/cmu/v2/year/duration/occurrences/activity-level/month');
  });

  it('the year report has the real metrics (bstreams, no active-users) and a tenant column', async () => {
    const body = await json(`/cmu/v2/year?${WINDOW}`);
    assert.deepEqual(Object.keys(body.report[0]), ['year', 'tenant', ...yearMetrics()]);
    assert.deepEqual(metricsFor(['year']), [...yearMetrics()]);
    const r = await get(`/cmu/v2/year?${WINDOW}&metrics=bstreams-60`);
    assert.deepEqual(Object.keys(((await r.json()) as Hal).report[0]), ['year', 'tenant', 'bstreams-60']);
    assert.ok((body._links['drill-down'] ?? []).some((d) => d.name === 'duration'));
  });

  it('a node without harvested columns inherits its parent\'s metrics (and users from the level reports below): year/duration has year\'s, and adds up to it', async () => {
    const body = await json(`/cmu/v2/year/duration?${WINDOW}&metrics=bstreams-60`);
    assert.ok(body.report.length > 1);
    for (const r of body.report) assert.deepEqual(Object.keys(r), ['year', 'duration', 'bstreams-60']);
    const all = await json(`/cmu/v2/year/duration?${WINDOW}`);
    assert.deepEqual(Object.keys(all.report[0]), ['year', 'duration', ...metricsFor(['year', 'duration'])]);
    assert.deepEqual(new Set(metricsFor(['year', 'duration'])), new Set([...yearMetrics(), 'users']), "year's metrics and the users of the level reports below");
    assert.ok(all.report.every((r) => Number(r.users) >= 0), 'users served as a number');
    const year = await json(`/cmu/v2/year?${WINDOW}`);
    for (const m of ['started-sessions', 'completed-sessions', 'killed-sessions']) {
      assert.ok(isAdditive(m, 'dimensions'), m);
      assert.deepEqual(sumBy(all.report, ['year'], m), sumBy(year.report, ['year'], m), m);
    }
    // one level further, still inherited; the harvested reports below return users only
    const occ = await json(`/cmu/v2/year/duration/occurrences/activity-level?${WINDOW}&metrics=started-sessions`);
    assert.deepEqual(sumBy(occ.report, ['year'], 'started-sessions'), sumBy(year.report, ['year'], 'started-sessions'));
    const r = await get(`/cmu/v2/year/duration/occurrences/month/tenant?${WINDOW}&metrics=bstreams-60`);
    assert.equal(r.status, 400);
    assert.match(await r.text(), /metrics here: users/);
  });

  it('the extra-report knob serves a path and a metric no document and no catalog names, linked from its parent', async () => {
    assert.ok(!isMetric('resumed-streams') && !isDimension('screen-class'));
    assert.equal((await get(`/cmu/v2/year/screen-class?${WINDOW}`)).status, 404);
    sb.serveExtraReport('year/screen-class', 'resumed-streams');
    const body = await json(`/cmu/v2/year/screen-class?${WINDOW}&metrics=resumed-streams`);
    assert.deepEqual(Object.keys(body.report[0]), ['year', 'screen-class', 'resumed-streams']);
    assert.deepEqual([...new Set(body.report.map((r) => r['screen-class']))], ['screen-class-a', 'screen-class-b', 'screen-class-c']);
    for (const r of body.report) assert.match(r['resumed-streams'], /^\d+$/);
    assert.equal(body._links['roll-up']?.href, '/cmu/v2/year');
    // filterable by its own dimension; only its own metric
    const one = await json(`/cmu/v2/year/screen-class?${WINDOW}&screen-class=screen-class-b`);
    assert.deepEqual([...new Set(one.report.map((r) => r['screen-class']))], ['screen-class-b']);
    const bad = await get(`/cmu/v2/year/screen-class?${WINDOW}&metrics=users`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /metrics here: resumed-streams/);
    const year = await json(`/cmu/v2/year?${WINDOW}`);
    assert.deepEqual((year._links['drill-down'] ?? []).map((d) => d.name), [...nextSteps(['year']), 'screen-class']);
  });

  it('billing/daily: one row per day and tenant, no roll-up', async () => {
    const body = await json(`/cmu/v2/billing/daily?start=2026-10-01&end=2026-10-08`);
    assert.equal(body.report.length, 7);
    assert.deepEqual(Object.keys(body.report[0]), ['year', 'month', 'day', 'tenant', ...metricsFor(['billing', 'daily'])]);
    assert.ok(Object.keys(body.report[0]).includes('bstreams-30'));
    assert.equal(body._links['roll-up'], undefined);
    assert.match(body._links.self.href, /^\/cmu\/v2\/billing\/daily\?tenant=ACME&start=2026-10-01T00:00:00/);
  });

  it('children add up to their parent for additive metrics, on three drill-downs; a child never exceeds its parent for the others', async () => {
    // 1. documented tree: tenant/year/month -> .../day, started-sessions
    assert.ok(isAdditive('started-sessions', 'time'));
    const months = await json(`/cmu/v2/tenant/year/month?${WINDOW}`);
    const days = await json(`/cmu/v2/tenant/year/month/day?${WINDOW}&limit=100000`);
    assert.deepEqual(sumBy(days.report, ['tenant', 'year', 'month'], 'started-sessions'), sumBy(months.report, ['tenant', 'year', 'month'], 'started-sessions'));
    // 2. year/month -> year/month/mvpd, failed-attempts (over dimension values)
    assert.ok(isAdditive('failed-attempts', 'dimensions'));
    const ym = await json(`/cmu/v2/year/month?${WINDOW}`);
    const ymm = await json(`/cmu/v2/year/month/mvpd?${WINDOW}`);
    assert.deepEqual(sumBy(ymm.report, ['year', 'month'], 'failed-attempts'), sumBy(ym.report, ['year', 'month'], 'failed-attempts'));
    // 3. billing/daily -> the same days as tenant/year/month/day, completed-sessions
    const billing = await json(`/cmu/v2/billing/daily?${WINDOW}&limit=1000`);
    const k = ['year', 'month', 'day'];
    assert.deepEqual(sumBy(billing.report, k, 'completed-sessions'), sumBy(days.report, k, 'completed-sessions'));
    const bMonths = sumBy(billing.report, ['year', 'month'], 'killed-sessions');
    assert.deepEqual(bMonths, sumBy(months.report, ['year', 'month'], 'killed-sessions'));
    // the real level tree: users is a distinct count (not additive), but a child never exceeds its parent
    assert.ok(!isAdditive('users', 'dimensions'));
    const parent = await json(`/cmu/v2/year/duration/occurrences/month/tenant?${WINDOW}`);
    const child = await json(`/cmu/v2/year/duration/occurrences/activity-level/month/tenant?${WINDOW}`);
    const key = ['year', 'duration', 'occurrences', 'month', 'tenant'];
    const parents = sumBy(parent.report, key, 'users');
    assert.ok(child.report.length > parent.report.length);
    for (const r of child.report) assert.ok(Number(r.users) <= (parents.get(key.map((d) => r[d]).join('|')) ?? -1), JSON.stringify(r));
  });

  it('a token without cmu:billing:client gets a 403 on billing/daily that names the scope; the reports still answer', async () => {
    const analyticsOnly = await sb.issueAccessToken({ scopes: ['cmu:analytics:client'] });
    const r = await get('/cmu/v2/billing/daily', analyticsOnly);
    assert.equal(r.status, 403);
    const text = await r.text();
    assert.match(text, /cmu:billing:client/);
    assert.match(text, /CM Usage Billing/);
    assert.match(text, /tve-support@adobe\.com|Technical Account Manager/);
    assert.equal((await get('/cmu/v2/year', analyticsOnly)).status, 200);
    const billingOnly = await sb.issueAccessToken({ scopes: ['cmu:billing:client'] });
    assert.equal((await get('/cmu/v2/billing/daily', billingOnly)).status, 200);
    const r2 = await get('/cmu/v2/tenant', billingOnly);
    assert.equal(r2.status, 403);
    assert.match(await r2.text(), /cmu:analytics:client/);
  });

  it('the scopes knob: a sandbox that grants only the analytics scope', async () => {
    const only = await Sandbox.start({ throttle: false, now: () => NOW, scopes: ['cmu:analytics:client'] });
    try {
      const t = await only.issueAccessToken();
      const res = await fetch(only.cmuBase + '/billing/daily', { headers: { Authorization: `Bearer ${t}` } });
      assert.equal(res.status, 403);
      assert.match(await res.text(), /lacks the scope cmu:billing:client/);
      const ok = await fetch(only.cmuBase + '/year', { headers: { Authorization: `Bearer ${t}` } });
      assert.equal(ok.status, 200);
    } finally {
      await only.stop();
    }
  });

  it('still refuses what it does not serve (404 with the steps from the closest known path)', async () => {
    const r = await get('/cmu/v2/year/duration/bogus');
    assert.equal(r.status, 404);
    assert.match(await r.text(), /occurrences/);
    assert.equal((await get('/cmu/v2/billing')).status, 404);
    assert.deepEqual(splitPath('/cmu/v2/billing/daily'), ['billing', 'daily']);
  });
});
