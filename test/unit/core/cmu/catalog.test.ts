import assert from 'node:assert/strict';
import reference from '../../../../src/core/cmu/catalog-data.json';
import realHarvest from '../../../../src/core/cmu/real-paths.json';
import {
  billingPath,
  bstreamsMetrics,
  allDimensions,
  freshnessHorizons,
  realPaths,
  realPathsSource,
  yearMetrics,
  freshnessHorizonMs,
  isAdditive,
  isRealPath,
  metricSemantics,
  realColumns,
  durationMetrics,
  generalMetrics,
  knownPaths,
  allMetrics,
  presets,
  TIME_DIMENSIONS,
  treePaths,
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
} from '../../../../src/core/cmu/catalog';

describe('cmu/catalog', () => {
  it('has every path of the CM-tenant tree, each known and on the tree', () => {
    assert.equal(treePaths().length, reference.drill_down_tree_cm_tenants_all_paths.length);
    assert.deepEqual(
      treePaths().map((p) => '/cmu/v2/' + p.join('/')).sort(),
      [...reference.drill_down_tree_cm_tenants_all_paths].sort(),
    );
    for (const p of treePaths()) {
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
    for (const p of knownPaths()) {
      for (const s of nextSteps(p)) assert.ok(isKnownPath([...p, s]), [...p, s].join('/'));
      const up = rollUpPath(p);
      // billing/daily is a named report: no `billing` dimension above it
      if (p.length && p.join('/') !== billingPath().join('/')) assert.ok(up && isKnownPath(up), p.join('/'));
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
    for (const p of knownPaths()) for (const d of filterableDimensions(p)) assert.ok(!isTimeDimension(d));
    // kept per known path: a caller that changes its copy changes nothing for the next one
    filterableDimensions(['tenant', 'year', 'month', 'day', 'mvpd', 'hour']).push('x');
    assert.deepEqual(filterableDimensions(['tenant', 'year', 'month', 'day', 'mvpd', 'hour']), ['tenant', 'mvpd']);
  });

  it('gives the metrics of a path: users for level reports, durations only under tenant/mvpd', () => {
    assert.deepEqual(metricsFor(['year', 'month', 'day', 'activity-level', 'tenant']), ['users']);
    assert.deepEqual(metricsFor(['year', 'month', 'mvpd']), [...generalMetrics()]);
    assert.deepEqual(metricsFor(['tenant', 'year', 'month']), [...generalMetrics(), ...durationMetrics()]);
    assert.deepEqual(metricsFor(['mvpd', 'year', 'month']), [...generalMetrics(), ...durationMetrics()]);
    assert.deepEqual(metricsFor([]), [...generalMetrics()]);
    assert.equal(generalMetrics().length, 7);
    assert.equal(durationMetrics().length, 12);
  });

  it('has the documented presets, normalized and flagged when off the tree', () => {
    const ex = reference.report_examples;
    const documented = presets().filter((p) => p.source === 'documented');
    assert.equal(documented.length, ex.monthly.length + ex.daily.length + ex.hourly.length);
    assert.equal(new Set(presets().map((p) => p.id)).size, presets().length);
    for (const p of documented) {
      assert.ok(isKnownPath(p.path), p.name);
      assert.equal(p.onTree, isOnTree(p.path), p.name);
      assert.deepEqual(p.dimensions, p.path, p.name);
      for (const m of p.metrics) assert.ok(metricsFor(p.path).includes(m), `${p.name}: ${m}`);
      assert.ok(!p.path.includes(''), p.name);
    }
    const flagged = [...ex.monthly, ...ex.daily, ...ex.hourly];
    for (const r of flagged) {
      const p = presets().find((x) => x.name === r.name);
      assert.ok(p, r.name);
      assert.equal(p.onTree, r.path_in_cm_tenant_tree, r.name);
    }
    assert.equal(presets().filter((p) => p.onTree).length, 15);
    const hourlyCross = presets().find((p) => p.name === 'Cross-MVPD hourly stats');
    assert.deepEqual(hourlyCross?.path, ['year', 'month', 'day', 'hour', 'mvpd'], 'trailing slash stripped');
    const conc = documented.filter((p) => p.group === 'concurrency');
    assert.equal(conc.length, 12);
    for (const p of conc) assert.deepEqual(p.metrics, ['users']);
    assert.deepEqual(presets().find((p) => p.id === 'per-tenant-daily-report')?.path, ['tenant', 'year', 'month', 'day']);
    assert.deepEqual(
      presets().find((p) => p.name === 'Mvpd/platform hourly stats with application name')?.path,
      ['year', 'month', 'day', 'hour', 'tenant', 'mvpd', 'platform', 'application-id', 'application'],
      'the URL implied by the documented dimensions',
    );
    assert.deepEqual(new Set(presets().map((p) => p.group)), new Set(['monthly', 'daily', 'hourly', 'concurrency']));
  });

  it('knows metrics and dimensions with descriptions', () => {
    assert.equal(allMetrics().length, 28); // 20 documented + bstreams-15 … bstreams-120 seen on the real backend
    assert.ok(isMetric('active-users') && isMetric('duration_over-1m') && isMetric('users'));
    assert.ok(!isMetric('clients') && !isMetric('mvpd'));
    for (const d of ['tenant', 'mvpd', 'channel', 'platform', 'application', 'application-id', 'year', 'minute', 'concurrency-level', 'activity-level']) {
      assert.ok(isDimension(d), d);
    }
    assert.ok(!isDimension('platfrom'));
    assert.equal(allDimensions().filter((d) => d.name === 'year').length, 1);
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

  describe('the real backend (real-cmu-evidence.md, real-paths.json)', () => {
    it('knows every harvested path, with billing/daily, and names the harvest it came from', () => {
      assert.equal(realPaths().length, 457);
      assert.equal(realHarvest.paths.length, 457);
      assert.match(realPathsSource(), /UNDERPAR/);
      for (const p of realPaths()) assert.ok(isKnownPath(p) && isRealPath(p), p.join('/'));
      assert.ok(isKnownPath(['billing', 'daily']));
      assert.ok(!isKnownPath(['billing']), 'billing alone is no report');
      assert.ok(!nextSteps([]).includes('billing'));
      assert.equal(rollUpPath(['billing', 'daily']), undefined);
    });

    it('has the real segments in their real positions', () => {
      assert.deepEqual(nextSteps(['year']).slice(0, 1), ['duration']);
      assert.deepEqual(nextSteps(['year', 'duration']), ['occurrences']);
      assert.deepEqual(new Set(nextSteps(['year', 'duration', 'occurrences'])), new Set(['activity-level', 'month', 'mvpd']));
      assert.ok(nextSteps(['year', 'duration', 'occurrences', 'month']).includes('concurrency-level'));
      assert.ok(isKnownPath(splitPath('year/duration/occurrences/activity-level/month/tenant')));
      assert.ok(isKnownPath(splitPath('year/duration/occurrences/month/concurrency-level/day/mvpd/tenant')));
      for (const d of ['duration', 'occurrences']) {
        assert.ok(isDimension(d), d);
        assert.equal(allDimensions().find((x) => x.name === d)?.source, 'seen on the real backend');
      }
    });

    it('gives the real metric and column sets per node, derived where the harvest has none', () => {
      assert.deepEqual(metricsFor(['year']), [...yearMetrics()]);
      assert.ok(!metricsFor(['year']).includes('active-users'));
      assert.deepEqual(realColumns(['year'])?.dimensions, ['year', 'tenant']);
      const harvested = splitPath('year/duration/occurrences/activity-level/month/tenant');
      assert.deepEqual(realColumns(harvested), { dimensions: harvested, metrics: ['users'], harvested: true });
      // no columns in the harvest: the node has its parent's metrics, all the way up to year's, plus what the
      // harvested reports below it return (users: the level reports)
      assert.equal(realHarvest.paths.find((p) => p.path === 'year/duration')?.columns.length, 0);
      assert.deepEqual(new Set(metricsFor(['year', 'duration'])), new Set([...yearMetrics(), 'users']));
      assert.deepEqual(new Set(metricsFor(['year', 'duration', 'occurrences', 'activity-level'])), new Set([...yearMetrics(), 'users']));
      assert.equal(realColumns(['year', 'duration'])?.harvested, false);
      assert.deepEqual(metricsFor(splitPath('year/duration/occurrences/month/tenant')), ['users']);
      assert.deepEqual(realColumns(billingPath() as string[])?.dimensions, ['year', 'month', 'day', 'tenant']);
      assert.ok(metricsFor(['billing', 'daily']).includes('bstreams-30'));
      assert.deepEqual(bstreamsMetrics(), ['bstreams-15', 'bstreams-30', 'bstreams-45', 'bstreams-60', 'bstreams-75', 'bstreams-90', 'bstreams-105', 'bstreams-120']);
      for (const m of bstreamsMetrics()) {
        assert.ok(isMetric(m), m);
        assert.equal(allMetrics().find((x) => x.name === m)?.source, 'seen on the real backend');
      }
      assert.equal(allMetrics().find((x) => x.name === 'killed-sessions')?.source, 'documented');
      // every harvested column is a known metric or dimension
      for (const p of realHarvest.paths) for (const c of p.columns) assert.ok(isMetric(c) || isDimension(c), `${p.path}: ${c}`);
    });

    it('leads the examples with the real, year-rooted reports, billing/daily among them', () => {
      for (const group of ['monthly', 'daily', 'hourly', 'concurrency'] as const) {
        const list = presets().filter((p) => p.group === group);
        const firstOther = list.findIndex((p) => p.path[0] !== 'year');
        if (firstOther >= 0) assert.ok(list.slice(firstOther).every((p) => p.path[0] !== 'year'), group);
        assert.equal(list[0].path[0], 'year', group);
      }
      const daily = presets().filter((p) => p.group === 'daily');
      assert.ok(daily.some((p) => p.path.join('/') === 'billing/daily'));
      assert.ok(daily.findIndex((p) => p.path[0] === 'billing') < daily.findIndex((p) => p.path[0] === 'tenant'));
      assert.deepEqual(presets().filter((p) => p.group === 'concurrency')[0].path, splitPath('year/duration/occurrences/activity-level/month/tenant'));
      for (const p of presets().filter((x) => x.source === 'seen on the real backend')) assert.ok(isKnownPath(p.path), p.name);
    });
  });

  it('says which metrics add up over time and over dimensions; unknown ones do not', () => {
    for (const m of ['started-sessions', 'completed-sessions', 'failed-attempts', 'dismissed-sessions', 'killed-sessions']) {
      assert.ok(isAdditive(m, 'time') && isAdditive(m, 'dimensions'), m);
    }
    for (const m of ['active-users', 'users', ...bstreamsMetrics()]) assert.ok(!isAdditive(m, 'time') && !isAdditive(m, 'dimensions'), m);
    assert.deepEqual([isAdditive('active-sessions', 'time'), isAdditive('active-sessions', 'dimensions')], [false, true]);
    assert.match(metricSemantics('active-sessions').why, /both/);
    assert.deepEqual(metricSemantics('no-such-metric'), { additiveOverTime: false, additiveOverDimensions: false, why: metricSemantics('x-y').why });
    assert.equal(metricSemantics('toString').additiveOverTime, false);
    for (const m of allMetrics()) assert.equal(typeof metricSemantics(m.name).why, 'string');
    for (const m of allMetrics()) assert.notEqual(metricSemantics(m.name).why, metricSemantics('no-such-metric').why, m.name);
  });

  it('gives the data-freshness horizon by the finest time dimension, daily for level reports', () => {
    const H = 3_600_000;
    assert.equal(freshnessHorizonMs(['tenant', 'year', 'month']), 48 * H);
    assert.equal(freshnessHorizonMs(['year']), 48 * H);
    assert.equal(freshnessHorizonMs(['tenant', 'year', 'month', 'day']), 3 * H);
    assert.equal(freshnessHorizonMs(['tenant', 'year', 'month', 'day', 'hour']), H);
    assert.equal(freshnessHorizonMs(['tenant', 'year', 'month', 'day', 'hour', 'minute']), 60_000);
    assert.equal(freshnessHorizonMs(splitPath('year/duration/occurrences/month/day/hour/concurrency-level/tenant')), 24 * H);
    assert.equal(freshnessHorizonMs(['tenant']), undefined);
    assert.equal(freshnessHorizons().levels, 24 * H);
  });
});
