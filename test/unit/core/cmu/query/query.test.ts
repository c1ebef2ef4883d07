import * as assert from 'node:assert/strict';
import {
  describeQuery,
  didYouMean,
  emptyQuery,
  isoToMillis,
  parseQueryUrl,
  queryToHref,
  queryToUrl,
  readIsoTime,
  validateQuery,
} from '../../../../../src/core/cmu/query';
import { parseTime } from '../../../../../src/sandbox/time';
import { parseIsoUtc } from '../../../../../src/webview/format';
import type { CmuQuery } from '../../../../../src/core/cmu/types';
import { parseWindow, resolveWindow } from '../../../../../src/core/cmu/time/windows';
import { parseZone } from '../../../../../src/core/cmu/time/zone';

function q(partial: Partial<CmuQuery>): CmuQuery {
  return { ...emptyQuery(), ...partial };
}

describe('cmu/query: query -> URL', () => {
  it('builds the contract example: extension, start, != filter, comma metrics, limit', () => {
    const href = queryToHref(
      q({
        path: ['tenant', 'year'],
        format: 'csv',
        start: '2024-01',
        filters: [{ dimension: 'mvpd', op: '!=', values: ['X'] }],
        metrics: ['active-users', 'started-sessions'],
        limit: 5,
      }),
    );
    assert.equal(href, '/cmu/v2/tenant/year.csv?start=2024-01&mvpd!=X&metrics=active-users,started-sessions&limit=5');
  });

  it('repeats names for IN / NOT IN, keeps `!` unencoded and projections bare', () => {
    const href = queryToHref(
      q({
        path: ['tenant', 'year', 'month', 'day'],
        filters: [
          { dimension: 'mvpd', op: '=', values: ['Comcast', 'Verizon'] },
          { dimension: 'channel', op: '!=', values: ['A&B', 'C D'] },
        ],
        projections: ['platform'],
      }),
    );
    assert.equal(href, '/cmu/v2/tenant/year/month/day?mvpd=Comcast&mvpd=Verizon&channel!=A%26B&channel!=C%20D&platform');
    assert.ok(!href.includes('%21'));
    assert.ok(!href.includes('platform='));
  });

  it('keeps ISO colons readable and encodes `+` of a zone offset', () => {
    const href = queryToHref(q({ path: ['year'], start: '2024-11-01T10:00:00+01:00', end: '2024-11-02T00:00:00' }));
    assert.equal(href, '/cmu/v2/year?start=2024-11-01T10:00:00%2B01:00&end=2024-11-02T00:00:00');
  });

  it('uses the format parameter at the root (no segment to carry an extension)', () => {
    assert.equal(queryToHref(q({ format: 'xml' })), '/cmu/v2?format=xml');
    assert.equal(queryToHref(q({})), '/cmu/v2');
  });

  it('resolves against the base, whatever its path (production, staging /v2, trailing slash)', () => {
    const query = q({ path: ['tenant', 'year'], metrics: ['active-users'] });
    assert.equal(queryToUrl(query, 'https://mgmt.auth.adobe.com/cmu/v2'), 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year?metrics=active-users');
    assert.equal(queryToUrl(query, 'https://mgmt.auth.adobe.com/cmu/v2/'), 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year?metrics=active-users');
    assert.equal(queryToUrl(query, 'https://stage.example.com/v2'), 'https://stage.example.com/v2/tenant/year?metrics=active-users');
    assert.equal(queryToUrl(q({}), 'http://127.0.0.1:9/cmu/v2'), 'http://127.0.0.1:9/cmu/v2');
  });

  it('never emits access_token', () => {
    const parsed = parseQueryUrl('https://mgmt.auth.adobe.com/cmu/v2/tenant?access_token=SECRET&limit=3');
    assert.ok(!queryToHref(parsed).includes('access_token'));
    assert.ok(!JSON.stringify(parsed).includes('SECRET'));
  });
});

describe('cmu/query: URL -> query', () => {
  it('reads the capture self link: repeated metrics, implicit tenant filter, start/end, limit', () => {
    const parsed = parseQueryUrl(
      '/cmu/v2/year/month/day/tenant?tenant=ESPN&start=2023-11-01T00:00:00&end=2023-11-28T22:51:36&limit=1000&metrics=active-users&metrics=active-sessions&metrics=bstreams-30',
    );
    assert.deepEqual(parsed, {
      path: ['year', 'month', 'day', 'tenant'],
      filters: [{ dimension: 'tenant', op: '=', values: ['ESPN'] }],
      projections: [],
      start: '2023-11-01T00:00:00',
      end: '2023-11-28T22:51:36',
      metrics: ['active-users', 'active-sessions', 'bstreams-30'],
      limit: 1000,
    });
  });

  it('reads metrics in comma form and mixed forms without duplicates', () => {
    assert.deepEqual(parseQueryUrl('tenant/year?metrics=a,b&metrics=b&metrics=c').metrics, ['a', 'b', 'c']);
  });

  it('reads a pasted URL: extension, != filters, NOT IN, projection, access_token dropped', () => {
    const parsed = parseQueryUrl(
      'https://mgmt.auth.adobe.com/cmu/v2/tenant/year/month/day/mvpd.csv?start=2024-11-01&mvpd!=TempPass&mvpd!=Other&platform&access_token=XYZ#frag',
    );
    assert.deepEqual(parsed, {
      path: ['tenant', 'year', 'month', 'day', 'mvpd'],
      filters: [{ dimension: 'mvpd', op: '!=', values: ['TempPass', 'Other'] }],
      projections: ['platform'],
      start: '2024-11-01',
      metrics: [],
      format: 'csv',
    });
  });

  it('extension wins over the format parameter; the parameter is used without one', () => {
    assert.equal(parseQueryUrl('/cmu/v2/tenant.xml?format=json').format, 'xml');
    assert.equal(parseQueryUrl('/cmu/v2/tenant?format=CSV').format, 'csv');
    assert.equal(parseQueryUrl('/cmu/v2.html').format, 'html');
    assert.deepEqual(parseQueryUrl('/cmu/v2.html').path, []);
  });

  it('accepts a bare path and strips trailing slashes (doc defect: a URL ending with /)', () => {
    assert.deepEqual(parseQueryUrl('tenant/year').path, ['tenant', 'year']);
    assert.deepEqual(parseQueryUrl('/cmu/v2/year/month/day/hour/mvpd/').path, ['year', 'month', 'day', 'hour', 'mvpd']);
    assert.deepEqual(parseQueryUrl('cmu/v2/tenant/').path, ['tenant']);
    assert.deepEqual(parseQueryUrl('https://mgmt.auth.adobe.com/cmu/v2').path, []);
    assert.deepEqual(parseQueryUrl('https://mgmt.auth.adobe.com/cmu/v2/').path, []);
  });

  it('strips a staging /v2 prefix and a custom base path', () => {
    assert.deepEqual(parseQueryUrl('https://cm-cmu-or2.stage.cm.adobeprimetime.com/v2/year/month').path, ['year', 'month']);
    assert.deepEqual(parseQueryUrl('https://h.example/api/reports/tenant', 'https://h.example/api/reports').path, ['tenant']);
  });

  it('an encoded %21 still means not-equals; `name=` is an empty equals filter, not a projection', () => {
    const parsed = parseQueryUrl('/cmu/v2/tenant?mvpd%21=X&channel=');
    assert.deepEqual(parsed.filters, [
      { dimension: 'mvpd', op: '!=', values: ['X'] },
      { dimension: 'channel', op: '=', values: [''] },
    ]);
    assert.deepEqual(parsed.projections, []);
  });

  it('decodes values (%20, + as space) but keeps + in ISO offsets', () => {
    const parsed = parseQueryUrl('/cmu/v2/year?mvpd=Comcast%20SSO&channel=A+B&start=2024-11-01T00:00:00+01:00');
    assert.deepEqual(parsed.filters.map((f) => f.values[0]), ['Comcast SSO', 'A B']);
    assert.equal(parsed.start, '2024-11-01T00:00:00+01:00');
  });

  it('tolerates malformed percent escapes', () => {
    assert.deepEqual(parseQueryUrl('/cmu/v2/tenant?mvpd=100%').filters[0].values, ['100%']);
  });

  it('round-trips query -> href -> query', () => {
    const cases: CmuQuery[] = [
      q({}),
      q({ format: 'xml' }),
      q({ path: ['tenant', 'year', 'month'], format: 'csv', start: '2024-01', end: '2024-11-26T10:15:00', limit: 500 }),
      q({
        path: ['tenant', 'year', 'month', 'day', 'mvpd'],
        filters: [
          { dimension: 'mvpd', op: '!=', values: ['TempPass', 'Weird & Co', 'a,b', 'ü/ß'] },
          { dimension: 'tenant', op: '=', values: ['ACME'] },
        ],
        projections: ['platform', 'channel'],
        metrics: ['active-users', 'started-sessions'],
        start: '2024-11-01T00:00:00Z',
      }),
      q({ path: ['year', 'month', 'concurrency-level', 'tenant'], format: 'html', start: '2024-10', end: '2024-11' }),
    ];
    for (const c of cases) {
      assert.deepEqual(parseQueryUrl(queryToHref(c)), c, queryToHref(c));
      assert.deepEqual(parseQueryUrl(queryToUrl(c, 'https://mgmt.auth.adobe.com/cmu/v2')), c);
      assert.deepEqual(parseQueryUrl(queryToUrl(c, 'https://stage.example.com/v2')), c);
    }
  });

  it('round-trips href -> query -> href for canonical hrefs', () => {
    for (const href of [
      '/cmu/v2/tenant/year.csv?start=2024-01&mvpd!=X&metrics=a,b&limit=5',
      '/cmu/v2/tenant/year/month/day?mvpd=Comcast&mvpd=Verizon&platform',
      '/cmu/v2?format=json',
    ]) {
      assert.equal(queryToHref(parseQueryUrl(href)), href);
    }
  });
});

describe('cmu/query: validation', () => {
  const ok = (query: CmuQuery) => {
    const v = validateQuery(query, new Date('2024-11-26T10:00:00Z'));
    assert.deepEqual(v.errors, [], v.errors.join('\n'));
    return v;
  };
  const errs = (query: CmuQuery) => validateQuery(query, new Date('2024-11-26T10:00:00Z')).errors;

  it('accepts documented queries', () => {
    ok(parseQueryUrl('/cmu/v2/tenant/year/month/day/mvpd?start=2024-11-01&end=2024-11-08&mvpd!=TempPass&metrics=active-users,started-sessions&limit=500'));
    ok(parseQueryUrl('/cmu/v2/year/month/concurrency-level/tenant?start=2024-10&end=2024-11'));
    ok(q({}));
    const v = ok(parseQueryUrl('/cmu/v2/tenant/year/month/day?platform'));
    assert.deepEqual(v.warnings, []);
  });

  it('tolerates what only the live capture shows (bstreams-30, occurrences) with a warning, not an error', () => {
    const self = ok(parseQueryUrl('/cmu/v2/year/month/day/tenant?tenant=ESPN&start=2024-11-01T00:00:00&end=2024-11-26T09:51:36&limit=1000&metrics=active-users&metrics=bstreams-30'));
    // bstreams-30 was seen on the real backend's year report: the catalog knows it as a metric now
    assert.doesNotMatch(self.warnings.join('\n'), /`bstreams-30` is (an undocumented|not a) metric/);
    const link = ok(parseQueryUrl('/cmu/v2/year/month/day/tenant/occurrences'));
    assert.match(link.warnings.join('\n'), /`occurrences` is an undocumented drill-down step/);
  });

  // the catalog advises, the server decides
  it('the real backend\'s paths and metrics get no wrong advice (billing/daily, year/duration/occurrences/…, bstreams-60)', () => {
    assert.deepEqual(ok(q({ path: ['billing', 'daily'] })).warnings, []);
    const level = ok(q({ path: ['year', 'duration', 'occurrences', 'activity-level', 'month', 'tenant'], filters: [{ dimension: 'tenant', op: '=', values: ['X'] }] }));
    assert.deepEqual(level.warnings, []);
    assert.deepEqual(ok(q({ path: ['year', 'duration'], metrics: ['bstreams-60'] })).warnings, []);
    assert.deepEqual(ok(q({ path: ['year'], metrics: ['bstreams-60', 'killed-sessions'] })).warnings, []);
    assert.deepEqual(ok(q({ path: ['billing', 'daily'], start: '2024-11-01', end: '2024-11-02' })).warnings, []);
    // a node that was harvested with its columns still advises on a metric it does not return
    assert.match(ok(q({ path: ['year'], metrics: ['users'] })).warnings.join('\n'), /not documented for \/year/);
  });

  it('an unknown path segment is a warning with a did-you-mean and the next steps, never an error', () => {
    const v = ok(q({ path: ['tenant', 'year', 'month', 'day', 'platfrom'] }));
    assert.equal(v.warnings.length, 1);
    assert.match(v.warnings[0], /`platfrom` is not a dimension the catalog knows here \(did you mean `platform`\?\)/);
    assert.match(v.warnings[0], /from \/tenant\/year\/month\/day: mvpd, channel, hour, application-id; the request is sent/);
    assert.match(ok(q({ path: ['tenant', 'year', 'month', 'day', 'mvdp'] })).warnings[0], /did you mean `mvpd`\?/);
    assert.match(ok(q({ path: ['year', 'month', 'day', 'platfrom'] })).warnings[0], /did you mean `platform`\?/);
    // paths of the real backend that no document names
    ok(parseQueryUrl('billing/daily'));
    ok(parseQueryUrl('year/duration/occurrences/activity-level/month/tenant?tenant=X'));
  });

  it('warns (not errors) on a real dimension off the documented tree', () => {
    const v = validateQuery(q({ path: ['tenant', 'platform'] }));
    assert.deepEqual(v.errors, []);
    assert.match(v.warnings.join('\n'), /`platform` does not follow \/tenant .*next steps there are: year/);
  });

  it('an unknown metric is a warning with a suggestion', () => {
    const v = ok(q({ path: ['tenant', 'year'], metrics: ['active-user', 'nonsense-thing'] }));
    assert.equal(v.warnings.length, 2);
    assert.match(v.warnings[0], /`active-user` is not a metric the catalog knows \(did you mean `active-users`\?\)/);
    assert.match(v.warnings[1], /`nonsense-thing` is not a metric the catalog knows; metrics it documents here: active-users/);
    ok(q({ path: ['year', 'duration'], metrics: ['bstreams-60'] }));
  });

  it('filters on time dimensions, unknown dimensions and dimensions not below the path are warnings', () => {
    const w = (query: CmuQuery) => ok(query).warnings.join('\n');
    assert.match(w(q({ path: ['tenant', 'year', 'month'], filters: [{ dimension: 'month', op: '=', values: ['11'] }] })), /`month` is a time dimension.*start\/end/);
    assert.match(w(q({ path: ['tenant', 'year'], filters: [{ dimension: 'mvdp', op: '!=', values: ['X'] }] })), /did you mean `mvpd`/);
    const e = w(q({ path: ['tenant', 'year', 'month', 'day', 'hour', 'application-id'], filters: [{ dimension: 'mvpd', op: '=', values: ['X'] }] }));
    assert.match(e, /`mvpd` is neither on \/tenant\/year\/month\/day\/hour\/application-id nor below it.*filterable here: tenant, application-id, application/);
    // a projected dimension may be filtered
    assert.deepEqual(ok(q({ path: ['tenant', 'year', 'month', 'day', 'hour', 'application-id'], projections: ['mvpd'], filters: [{ dimension: 'mvpd', op: '=', values: ['X'] }] })).warnings, []);
  });

  it('refuses what no server could serve: an empty segment, a reserved parameter as a dimension, a dimension twice, a filter without value', () => {
    assert.match(errs(q({ path: ['tenant', '', 'year'] }))[0], /empty segment/);
    assert.match(errs(q({ path: ['tenant', 'start'] }))[0], /`start` is a reserved query parameter/);
    assert.match(errs(q({ path: ['tenant', 'year', 'tenant'] }))[0], /`tenant` appears twice/);
    assert.match(errs(q({ path: ['tenant'], filters: [{ dimension: 'limit', op: '=', values: ['3'] }] }))[0], /`limit` is a reserved query parameter/);
    assert.match(errs(q({ path: ['tenant'], projections: ['metrics'] }))[0], /reserved query parameter/);
    assert.match(errs(q({ path: ['tenant'], filters: [{ dimension: 'mvpd', op: '=', values: [] }] }))[0], /has no value/);
    assert.match(errs(q({ path: ['tenant'], format: 'pdf' as never }))[0], /format `pdf` is not supported/);
  });

  it('rejects a bad limit', () => {
    for (const limit of [0, -3, 1.5, NaN]) assert.match(errs(q({ path: ['tenant'], limit }))[0], /limit must be a whole number greater than 0/);
    assert.match(errs(parseQueryUrl('/cmu/v2/tenant?limit=abc'))[0], /limit/);
  });

  it('rejects bad ISO values (with the colon-instead-of-T doc typo explained) and start after end', () => {
    assert.match(errs(q({ path: ['tenant', 'year'], start: '2012-01-01:00:00:00' }))[0], /separated by `T`.*start=2012-01-01T00:00:00/);
    assert.match(errs(q({ path: ['tenant', 'year'], start: '2024-13' }))[0], /`start=2024-13` is not a valid ISO 8601 value/);
    assert.match(errs(q({ path: ['tenant', 'year'], end: '2024-02-30' }))[0], /`end=2024-02-30`/);
    assert.match(errs(q({ path: ['tenant', 'year'], end: 'yesterday' }))[0], /`end=yesterday`/);
    assert.match(errs(q({ path: ['tenant', 'year'], start: '2024-11-08', end: '2024-11-01' }))[0], /start \(2024-11-08\) is after end \(2024-11-01\)/);
    ok(q({ path: ['tenant', 'year'], start: '2024', end: '2024-11-01T10:00:00.123Z' }));
    ok(q({ path: ['tenant', 'year'], start: '2024-11-01T10', end: '2024-11-01T10:30-02:00' }));
  });

  it('warns when start/end cannot apply (no time dimension) and about old data', () => {
    const v = validateQuery(q({ path: ['tenant'], start: '2024-11-01' }), new Date('2024-11-26T00:00:00Z'));
    assert.match(v.warnings.join('\n'), /only apply when the path contains a time dimension/);
    const old = validateQuery(q({ path: ['tenant', 'year'], start: '2021-01' }), new Date('2024-11-26T00:00:00Z'));
    assert.match(old.warnings.join('\n'), /more than 25 months ago/);
  });

  it('a time dimension as a projection is a warning', () => {
    const v = validateQuery(q({ path: ['tenant', 'year'], projections: ['month'] }));
    assert.match(v.warnings.join('\n'), /`month` is a time dimension/);
  });

  it('a metric given as a projection is explained (a warning)', () => {
    assert.match(ok(q({ path: ['tenant'], projections: ['active-users'] })).warnings.join('\n'), /it is a metric: put it in metrics/);
  });

  it('didYouMean is conservative', () => {
    assert.equal(didYouMean('platfrom', ['mvpd', 'platform']), 'platform');
    assert.equal(didYouMean('xyz', ['mvpd', 'platform']), undefined);
  });

  it('isoToMillis completes prefixes with the minimum', () => {
    assert.equal(isoToMillis('2012'), Date.UTC(2012, 0, 1));
    assert.equal(isoToMillis('2012-07-15T10'), Date.UTC(2012, 6, 15, 10));
    assert.equal(isoToMillis('2012-07-15T10:00:00-02:00'), Date.UTC(2012, 6, 15, 12));
    assert.equal(isoToMillis('2012-7-15'), undefined);
  });

  it('one time reader: calendar-checked, zones Z, ±hh, ±hhmm and ±hh:mm, epoch ms', () => {
    for (const bad of ['2024-02-31', '2023-02-29', '2024-04-31', '2024-13', '2024-11-01T24', '2024-11-01T10:60', '2024-11-01T10+25', '24-11-01', '2024/11/01', 'yesterday'])
      assert.equal(isoToMillis(bad), undefined, bad);
    const at = Date.UTC(2024, 10, 1, 5);
    for (const same of ['2024-11-01T10+05', '2024-11-01T10+0500', '2024-11-01T10:00+05:00', '2024-11-01T05Z', '2024-11-01T00-05', String(at)]) assert.equal(isoToMillis(same), at, same);
    assert.equal(isoToMillis('2024-02-29'), Date.UTC(2024, 1, 29));
    // the validator and the saved-queries file agree with it
    assert.match(errs(q({ path: ['tenant', 'year'], start: '2024-02-31' }))[0], /`start=2024-02-31` is not a valid ISO 8601 value/);
    ok(q({ path: ['tenant', 'year'], start: '2024-11-01T10+05' }));
  });
});

describe('cmu/query: describeQuery', () => {
  it('says the query in words', () => {
    const text = describeQuery(
      parseQueryUrl('/cmu/v2/tenant/year/month/day/mvpd.csv?start=2024-11-01&end=2024-11-08&mvpd!=TempPass&metrics=active-users,started-sessions&limit=500'),
    );
    assert.equal(
      text,
      'Daily active-users and started-sessions by tenant, year, month, day and mvpd, where mvpd is not TempPass, from 2024-11-01 to 2024-11-08, at most 500 rows, as CSV',
    );
    assert.equal(describeQuery(q({})), 'All metrics as overall totals');
    assert.equal(
      describeQuery(parseQueryUrl('/cmu/v2/tenant/year/month?mvpd=A&mvpd=B&platform')),
      "Monthly report (all metrics) by tenant, year, month and platform, where mvpd is one of A, B, over the server's default time window",
    );
  });
});

describe('cmu/query: windows in the model', () => {
  const now = new Date('2024-03-01T10:15:30.456Z');
  it('every window the builder offers resolves to values that pass validation', () => {
    for (const text of ['today', '1d', '24h', '7d', '30d', 'month-to-date', '1mo', '3mo']) {
      const { start, end } = resolveWindow(parseWindow(text), parseZone('-08:00'), now);
      assert.deepEqual(validateQuery(q({ path: ['tenant', 'year', 'month', 'day'], start, end }), now).errors, [], text);
    }
  });
  it('a window is described in words, refused when unreadable or beside start/end', () => {
    assert.match(describeQuery(q({ path: ['year', 'month', 'day'], window: '7d' })), /, over the last 7 days$/);
    assert.match(describeQuery(q({ path: ['year', 'month', 'day'], window: '1d' })), /, yesterday$/);
    assert.match(validateQuery(q({ path: ['day'], window: '30m' })).errors.join(), /ambiguous/);
    assert.match(validateQuery(q({ path: ['day'], window: '7d', end: '2024' })).errors.join(), /both say when/);
  });
});

describe('cmu/query: one time reader for every layer', () => {
  // the sandbox, the webview header and compare read through readIsoTime: they cannot disagree on what a time is
  const cases: [string, number | 'syntax' | 'value'][] = [
    ['2024', Date.UTC(2024, 0, 1)],
    ['2024-11-01T10', Date.UTC(2024, 10, 1, 10)],
    ['2024-11-01T10:30:00.250', Date.UTC(2024, 10, 1, 10, 30, 0, 250)],
    ['2024-11-01T10:00:00+05', Date.UTC(2024, 10, 1, 5)],
    ['2024-11-01T10:00:00-08:00', Date.UTC(2024, 10, 1, 18)],
    ['1730455200000', 1730455200000],
    ['2024-02-31', 'value'],
    ['2024-11-01T24', 'value'],
    ['2024-11-01:10:00', 'syntax'],
    ['yesterday', 'syntax'],
  ];
  for (const [text, want] of cases) {
    it(`${text} → ${typeof want === 'number' ? new Date(want).toISOString() : want}`, () => {
      const r = readIsoTime(text);
      if (typeof want === 'number') {
        assert.ok(!('bad' in r), text);
        assert.equal(isoToMillis(text), want);
        assert.equal(parseIsoUtc(text)?.getTime(), want, 'the webview header');
        assert.deepEqual(parseTime(text), { t: want }, 'the sandbox (UTC)');
      } else {
        assert.deepEqual(r, { bad: want });
        assert.equal(parseIsoUtc(text), undefined, 'the webview header');
        assert.deepEqual(parseTime(text), { bad: want }, 'the sandbox');
      }
    });
  }
  it('a suffix-less value is the zone’s wall clock in the sandbox; an offset is an instant', () => {
    assert.deepEqual(parseTime('2024-11-01T10', -8 * 3_600_000), { t: Date.UTC(2024, 10, 1, 10) });
    assert.deepEqual(parseTime('2024-11-01T10Z', -8 * 3_600_000), { t: Date.UTC(2024, 10, 1, 2) });
  });
});
