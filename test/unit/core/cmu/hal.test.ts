import * as assert from 'node:assert/strict';
import { alternateUrl, asArray, fallbackHref, lastSegment, linksFromRels, normalizeLink, readHalLinks, resolveHref } from '../../../../src/core/cmu/hal';

describe('cmu/hal', () => {
  it('asArray takes one object, an array, or nothing', () => {
    assert.deepEqual(asArray(undefined), []);
    assert.deepEqual(asArray(null), []);
    assert.deepEqual(asArray({ a: 1 }), [{ a: 1 }]);
    assert.deepEqual(asArray([1, 2]), [1, 2]);
  });

  it('names a link from its last path segment when name is missing', () => {
    assert.equal(lastSegment('/cmu/v2/tenant/year/month?start=2024'), 'month');
    assert.equal(lastSegment('/cmu/v2/tenant/year.csv'), 'year');
    assert.equal(lastSegment('/cmu/v2/tenant/'), 'tenant');
    assert.equal(lastSegment('/cmu/v2/application%2Did'), 'application-id');
    assert.deepEqual(normalizeLink({ href: '/cmu/v2/tenant/year' }), { href: '/cmu/v2/tenant/year', name: 'year' });
    assert.deepEqual(normalizeLink({ href: '/cmu/v2/x', name: 'given' }), { href: '/cmu/v2/x', name: 'given' });
    assert.deepEqual(normalizeLink({ href: '/cmu/v2/x', name: '' }), { href: '/cmu/v2/x', name: 'x' });
    assert.equal(normalizeLink({ name: 'no href' }), undefined);
    assert.equal(normalizeLink(42), undefined);
  });

  it('reads the doc shape (single drill-down object, roll-up without name)', () => {
    const links = readHalLinks({
      self: { href: '/cmu/v2/dimensionA?start=2024' },
      'roll-up': { href: '/cmu/v2' },
      'drill-down': { href: '/cmu/v2/dimensionA/dimensionB' },
    });
    assert.deepEqual(links, {
      self: '/cmu/v2/dimensionA?start=2024',
      rollUp: [{ href: '/cmu/v2', name: 'v2' }],
      drillDown: [{ href: '/cmu/v2/dimensionA/dimensionB', name: 'dimensionB' }],
    });
  });

  it('reads the capture shape (array of {href, name}, a link lacking name)', () => {
    const links = readHalLinks({
      self: { href: '/cmu/v2/year/month/day/tenant?tenant=ESPN' },
      'roll-up': { href: '/cmu/v2/year/month/day', name: 'day' },
      'drill-down': [{ href: '/cmu/v2/year/month/day/tenant/occurrences', name: 'occurrences' }, { href: '/cmu/v2/year/month/day/tenant/channel' }, null, 'junk-is-skipped-if-empty', ''],
    });
    assert.deepEqual(links.drillDown.map((l) => l.name), ['occurrences', 'channel', 'junk-is-skipped-if-empty']);
    assert.deepEqual(links.rollUp, [{ href: '/cmu/v2/year/month/day', name: 'day' }]);
    assert.deepEqual(readHalLinks(undefined), { rollUp: [], drillDown: [] });
  });

  it('reads rel-tagged links (XML/HTML)', () => {
    const links = linksFromRels(
      [
        { rel: 'roll-up', href: '/cmu/v2/tenant/year/month/day' },
        { rel: 'drill-down', href: '/cmu/v2/tenant/year/month/day/mvpd/platform' },
        { rel: 'drill-down', href: '/cmu/v2/tenant/year/month/day/mvpd/hour', name: 'Hour' },
        { rel: 'other', href: '/x' },
      ],
      '/cmu/v2/tenant/year/month/day/mvpd?tenant=ACME',
    );
    assert.deepEqual(links, {
      self: '/cmu/v2/tenant/year/month/day/mvpd?tenant=ACME',
      rollUp: [{ href: '/cmu/v2/tenant/year/month/day', name: 'day' }],
      drillDown: [
        { href: '/cmu/v2/tenant/year/month/day/mvpd/platform', name: 'platform' },
        { href: '/cmu/v2/tenant/year/month/day/mvpd/hour', name: 'Hour' },
      ],
    });
  });

  it('resolves hrefs against the origin of the base', () => {
    assert.equal(resolveHref('/cmu/v2/tenant', 'https://mgmt.auth.adobe.com/cmu/v2'), 'https://mgmt.auth.adobe.com/cmu/v2/tenant');
    assert.equal(resolveHref('/cmu/v2/tenant', 'https://stage.example.com/v2'), 'https://stage.example.com/cmu/v2/tenant');
    assert.equal(resolveHref('tenant/year', 'https://mgmt.auth.adobe.com/cmu/v2/'), 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year');
    assert.equal(resolveHref('https://other.example/cmu/v2', 'https://mgmt.auth.adobe.com/cmu/v2'), 'https://other.example/cmu/v2');
  });

  it('offers the staging prefix fallback only when the base path differs', () => {
    assert.equal(fallbackHref('/cmu/v2/year/month?start=2023', 'https://stage.example.com/v2'), 'https://stage.example.com/v2/year/month?start=2023');
    assert.equal(fallbackHref('/cmu/v2', 'https://stage.example.com/v2'), 'https://stage.example.com/v2');
    assert.equal(fallbackHref('/cmu/v2/year', 'https://mgmt.auth.adobe.com/cmu/v2'), undefined);
    assert.equal(fallbackHref('/v2/year', 'https://mgmt.auth.adobe.com/cmu/v2'), 'https://mgmt.auth.adobe.com/cmu/v2/year');
    assert.equal(fallbackHref('/other/path', 'https://stage.example.com/v2'), undefined);
    assert.equal(fallbackHref('/cmu/v2x/y', 'https://stage.example.com/v2'), undefined);
  });
});

describe('cmu/hal: alternateUrl', () => {
  it('swaps the base path and /cmu/v2 on the same origin, never in production', () => {
    assert.equal(alternateUrl('https://s.example/cmu/v2/year/month?x=1', 'https://s.example/v2'), 'https://s.example/v2/year/month?x=1');
    assert.equal(alternateUrl('https://s.example/v2/year.csv', 'https://s.example/v2'), 'https://s.example/cmu/v2/year.csv');
    assert.equal(alternateUrl('https://mgmt.auth.adobe.com/cmu/v2/year', 'https://mgmt.auth.adobe.com/cmu/v2'), undefined);
    assert.equal(alternateUrl('https://other.example/cmu/v2/year', 'https://s.example/v2'), undefined);
  });
});
