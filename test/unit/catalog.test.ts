import assert from 'node:assert/strict';
import reference from '../../src/core/cmu/catalog-data.json';
import {
  DIMENSIONS,
  DURATION_METRICS,
  GENERAL_METRICS,
  KNOWN_PATHS,
  METRICS,
  PRESETS,
  TIME_DIMENSIONS,
  TREE_PATHS,
  describe as describeName,
  filterableDimensions,
  isDimension,
  isKnownPath,
  isMetric,
  isOnTree,
  isTimeDimension,
  metricsFor,
  nextSteps,
  rollUpPath,
  splitPath,
} from '../../src/core/cmu/catalog';

describe('cmu/catalog', () => {
  it('has every path of the CM-tenant tree, each known and on the tree', () => {
    assert.equal(TREE_PATHS.length, reference.drill_down_tree_cm_tenants_all_paths.length);
    assert.deepEqual(
      TREE_PATHS.map((p) => '/cmu/v2/' + p.join('/')).sort(),
      [...reference.drill_down_tree_cm_tenants_all_paths].sort(),
    );
    for (const p of TREE_PATHS) {
      assert.ok(isKnownPath(p), p.join('/'));
      assert.ok(isOnTree(p), p.join('/'));
    }
    assert.ok(isKnownPath([]), 'the root');
    assert.ok(!isOnTree(['year', 'month', 'mvpd']));
    assert.ok(!isKnownPath(['tenant', 'month']));
    assert.ok(!isKnownPath(['platfrom']));
  });

  it('gives the drill-down steps of the tree, plus the documented off-tree reports', () => {
    assert.deepEqual(nextSteps(['tenant', 'year', 'month', 'day']), ['mvpd', 'channel', 'hour', 'application-id']);
    assert.deepEqual(nextSteps(['tenant', 'year', 'month', 'day', 'hour', 'minute', 'channel']), ['platform']);
    assert.deepEqual(nextSteps(['tenant', 'year', 'month', 'day', 'mvpd', 'platform', 'application-id', 'application']), []);
    assert.deepEqual(nextSteps(['tenant', 'year']), ['month']);
    // /tenant/year/month/application-id etc. are documented presets that are not on the tree
    assert.deepEqual(nextSteps(['tenant', 'year', 'month']), ['day', 'application-id', 'mvpd', 'channel']);
    assert.ok(nextSteps([]).includes('tenant'));
    assert.deepEqual(nextSteps(['year', 'month', 'concurrency-level']), ['tenant']);
    assert.deepEqual(nextSteps(['nope']), []);
  });

  it('every step and every roll-up of a known path leads to a known path', () => {
    for (const p of KNOWN_PATHS) {
      for (const s of nextSteps(p)) assert.ok(isKnownPath([...p, s]), [...p, s].join('/'));
      const up = rollUpPath(p);
      if (p.length) assert.ok(up && isKnownPath(up), p.join('/'));
      // time dimensions come in their natural order
      const time = p.filter(isTimeDimension);
      assert.deepEqual(time, TIME_DIMENSIONS.slice(0, time.length), p.join('/'));
    }
  });

  it('rolls up to the parent path, nothing above the root', () => {
    assert.deepEqual(rollUpPath(['tenant', 'year', 'month']), ['tenant', 'year']);
    assert.deepEqual(rollUpPath(['tenant']), []);
    assert.equal(rollUpPath([]), undefined);
  });

  it('lists the non-time dimensions on the path or below it as filterable', () => {
    assert.deepEqual(filterableDimensions(['tenant', 'year', 'month', 'day', 'hour', 'minute']).sort(), [
      'application',
      'application-id',
      'channel',
      'mvpd',
      'platform',
      'tenant',
    ]);
    assert.deepEqual(filterableDimensions(['tenant', 'year', 'month', 'day', 'hour', 'minute', 'application-id']), [
      'tenant',
      'application-id',
      'application',
    ]);
    assert.deepEqual(filterableDimensions(['tenant', 'year', 'month', 'day', 'mvpd', 'hour']), ['tenant', 'mvpd']);
    assert.deepEqual(filterableDimensions(['year', 'month', 'concurrency-level']), ['concurrency-level', 'tenant', 'mvpd']);
    // levels belong to their own reports
    assert.ok(!filterableDimensions([]).includes('concurrency-level'));
    assert.ok(!filterableDimensions(['year', 'month']).includes('activity-level'));
    for (const p of KNOWN_PATHS) for (const d of filterableDimensions(p)) assert.ok(!isTimeDimension(d));
  });

  it('gives the metrics of a path: users for level reports, durations only under tenant/mvpd', () => {
    assert.deepEqual(metricsFor(['year', 'month', 'day', 'activity-level', 'tenant']), ['users']);
    assert.deepEqual(metricsFor(['year', 'month', 'mvpd']), [...GENERAL_METRICS]);
    assert.deepEqual(metricsFor(['tenant', 'year', 'month']), [...GENERAL_METRICS, ...DURATION_METRICS]);
    assert.deepEqual(metricsFor(['mvpd', 'year', 'month']), [...GENERAL_METRICS, ...DURATION_METRICS]);
    assert.deepEqual(metricsFor([]), [...GENERAL_METRICS]);
    assert.equal(GENERAL_METRICS.length, 7);
    assert.equal(DURATION_METRICS.length, 12);
  });

  it('has the documented presets, normalized and flagged when off the tree', () => {
    const ex = reference.report_examples;
    assert.equal(PRESETS.length, ex.monthly.length + ex.daily.length + ex.hourly.length);
    assert.equal(new Set(PRESETS.map((p) => p.id)).size, PRESETS.length);
    for (const p of PRESETS) {
      assert.ok(isKnownPath(p.path), p.name);
      assert.equal(p.onTree, isOnTree(p.path), p.name);
      assert.deepEqual(p.dimensions, p.path, p.name);
      for (const m of p.metrics) assert.ok(metricsFor(p.path).includes(m), `${p.name}: ${m}`);
      assert.ok(!p.path.includes(''), p.name);
    }
    const flagged = [...ex.monthly, ...ex.daily, ...ex.hourly];
    for (const r of flagged) {
      const p = PRESETS.find((x) => x.name === r.name);
      assert.ok(p, r.name);
      assert.equal(p.onTree, r.path_in_cm_tenant_tree, r.name);
    }
    assert.equal(PRESETS.filter((p) => p.onTree).length, 15);
    const hourlyCross = PRESETS.find((p) => p.name === 'Cross-MVPD hourly stats');
    assert.deepEqual(hourlyCross?.path, ['year', 'month', 'day', 'hour', 'mvpd'], 'trailing slash stripped');
    const conc = PRESETS.filter((p) => p.group === 'concurrency');
    assert.equal(conc.length, 12);
    for (const p of conc) assert.deepEqual(p.metrics, ['users']);
    assert.deepEqual(PRESETS.find((p) => p.id === 'per-tenant-daily-report')?.path, ['tenant', 'year', 'month', 'day']);
    assert.deepEqual(
      PRESETS.find((p) => p.name === 'Mvpd/platform hourly stats with application name')?.path,
      ['year', 'month', 'day', 'hour', 'tenant', 'mvpd', 'platform', 'application-id', 'application'],
      'the URL implied by the documented dimensions',
    );
    assert.deepEqual(new Set(PRESETS.map((p) => p.group)), new Set(['monthly', 'daily', 'hourly', 'concurrency']));
  });

  it('knows metrics and dimensions with descriptions', () => {
    assert.equal(METRICS.length, 20);
    assert.ok(isMetric('active-users') && isMetric('duration_over-1m') && isMetric('users'));
    assert.ok(!isMetric('clients') && !isMetric('mvpd'));
    for (const d of ['tenant', 'mvpd', 'channel', 'platform', 'application', 'application-id', 'year', 'minute', 'concurrency-level', 'activity-level']) {
      assert.ok(isDimension(d), d);
    }
    assert.ok(!isDimension('platfrom'));
    assert.equal(DIMENSIONS.filter((d) => d.name === 'year').length, 1);
    assert.match(describeName('channel') ?? '', /Unknown/);
    assert.match(describeName('killed-sessions') ?? '', /X-Terminate/);
    assert.equal(describeName('nope'), undefined);
    assert.ok(isTimeDimension('second') && !isTimeDimension('tenant'));
  });

  it('splits paths with or without the base and a trailing slash', () => {
    assert.deepEqual(splitPath('/cmu/v2/year/month/day/hour/mvpd/'), ['year', 'month', 'day', 'hour', 'mvpd']);
    assert.deepEqual(splitPath('cmu/v2/tenant'), ['tenant']);
    assert.deepEqual(splitPath('/cmu/v2'), []);
    assert.deepEqual(splitPath('tenant/year'), ['tenant', 'year']);
  });
});
