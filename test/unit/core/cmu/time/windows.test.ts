import * as assert from 'node:assert/strict';
import { resolveQueryTime, toZoneWallClock } from '../../../../../src/core/cmu/time/queryTime';
import { canonicalWindow, defaultWindow, parseWindow, windowProblem, rangeText, resolveWindow, windowHeader, windowName, windowText, type TimeWindow } from '../../../../../src/core/cmu/time/windows';
import { parseZone, UTC } from '../../../../../src/core/cmu/time/zone';
import type { TimedQuery } from '../../../../../src/core/cmu/time/windows';

const HOUR = 3_600_000;
const pacific = parseZone('-08:00');
const la = parseZone('America/Los_Angeles');
const at = (isoZ: string) => new Date(isoZ);
const iso = (ms: number | undefined) => new Date(ms as number).toISOString().replace('.000', '');

/** start/end as sent, and the instants they denote */
function sent(window: string, zone = pacific, now: string): [string | undefined, string | undefined, string, string] {
  const r = resolveWindow(parseWindow(window), zone, at(now));
  return [r.start, r.end, r.startMs === undefined ? '' : iso(r.startMs), r.endMs === undefined ? '' : iso(r.endMs)];
}

describe('cmu/time/windows: text syntax', () => {
  it('reads the compact and the spelled-out forms', () => {
    const cases: [string, TimeWindow][] = [
      ['7d', { kind: 'last', count: 7, unit: 'day' }],
      ['last 7 days', { kind: 'last', count: 7, unit: 'day' }],
      ['last-7d', { kind: 'last', count: 7, unit: 'day' }],
      ['24h', { kind: 'last', count: 24, unit: 'hour' }],
      ['24 hours', { kind: 'last', count: 24, unit: 'hour' }],
      ['90min', { kind: 'last', count: 90, unit: 'minute' }],
      ['3mo', { kind: 'last', count: 3, unit: 'month' }],
      ['3 Months', { kind: 'last', count: 3, unit: 'month' }],
      ['last hour', { kind: 'last', count: 1, unit: 'hour' }],
      ['yesterday', { kind: 'last', count: 1, unit: 'day' }],
      ['previous-month', { kind: 'last', count: 1, unit: 'month' }],
      ['previousMonth', { kind: 'last', count: 1, unit: 'month' }],
      ['last month', { kind: 'last', count: 1, unit: 'month' }],
      ['today', { kind: 'today' }],
      ['Today', { kind: 'today' }],
      ['month-to-date', { kind: 'monthToDate' }],
      ['monthToDate', { kind: 'monthToDate' }],
      ['mtd', { kind: 'monthToDate' }],
      ['this month', { kind: 'monthToDate' }],
      ['server', { kind: 'server' }],
    ];
    for (const [text, w] of cases) assert.deepEqual(parseWindow(text), w, text);
  });

  it('refuses the ambiguous `m` and explains weeks, years and bad counts', () => {
    assert.throws(() => parseWindow('30m'), /`30m` is ambiguous: write 30min for minutes or 30mo for months/);
    assert.throws(() => parseWindow('2w'), /weeks are not a unit; write 14d/);
    assert.throws(() => parseWindow('1y'), /years are not a unit; write 12mo/);
    assert.throws(() => parseWindow('0d'), /from 1 to 1000 for days/);
    assert.throws(() => parseWindow('121mo'), /from 1 to 120 for months/);
    assert.throws(() => parseWindow('days'), /is not a time window; use 7d, 24h/);
    assert.throws(() => parseWindow('-7d'), /is not a time window/);
    assert.throws(() => parseWindow('1.5h'), /is not a time window/);
    assert.throws(() => parseWindow(''), /is not a time window/);
  });

  it('writes a canonical text that reads back the same, and a human name', () => {
    const names: [string, string, string][] = [
      ['7d', '7d', 'Last 7 days'],
      ['1d', '1d', 'Yesterday'],
      ['24 hours', '24h', 'Last 24 hours'],
      ['1h', '1h', 'Previous hour'],
      ['90 minutes', '90min', 'Last 90 minutes'],
      ['previous month', '1mo', 'Previous month'],
      ['3mo', '3mo', 'Last 3 months'],
      ['today', 'today', 'Today'],
      ['mtd', 'month-to-date', 'Month to date'],
      ['server', 'server', 'Server default'],
    ];
    for (const [text, canonical, name] of names) {
      const w = parseWindow(text);
      assert.equal(windowText(w), canonical);
      assert.deepEqual(parseWindow(windowText(w)), w);
      assert.equal(windowName(w), name);
    }
  });
});

describe('cmu/time/windows: resolution in the report zone', () => {
  it('today at -08:00 is 08:00Z to 08:00Z, sent as the wall clock without a suffix', () => {
    assert.deepEqual(sent('today', pacific, '2026-12-02T05:07:36Z'), ['2026-12-01T00:00:00', '2026-12-02T00:00:00', '2026-12-01T08:00:00Z', '2026-12-02T08:00:00Z']);
    assert.deepEqual(sent('today', pacific, '2026-12-02T08:00:00Z'), ['2026-12-02T00:00:00', '2026-12-03T00:00:00', '2026-12-02T08:00:00Z', '2026-12-03T08:00:00Z']);
  });

  it('with UTC everything is UTC again', () => {
    assert.deepEqual(sent('today', UTC, '2026-12-02T05:07:36Z'), ['2026-12-02T00:00:00', '2026-12-03T00:00:00', '2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z']);
    assert.deepEqual(sent('24h', UTC, '2026-12-02T05:07:36Z'), ['2026-12-01T05:00:00', '2026-12-02T05:00:00', '2026-12-01T05:00:00Z', '2026-12-02T05:00:00Z']);
  });

  it('a saved "last 7 days" run on two different days sends two different whole-day windows', () => {
    const w = parseWindow(windowText(parseWindow('last 7 days'))); // as read back from a file
    const monday = resolveWindow(w, pacific, at('2024-03-11T18:00:00Z'));
    const tuesday = resolveWindow(w, pacific, at('2024-03-12T18:00:00Z'));
    assert.deepEqual([monday.start, monday.end], ['2024-03-04T00:00:00', '2024-03-11T00:00:00']);
    assert.deepEqual([tuesday.start, tuesday.end], ['2024-03-05T00:00:00', '2024-03-12T00:00:00']);
    // 07:59Z on Wednesday is still Tuesday in the zone: the same window as Tuesday's
    const lateTuesday = resolveWindow(w, pacific, at('2024-03-13T07:59:59Z'));
    assert.deepEqual([lateTuesday.start, lateTuesday.end], [tuesday.start, tuesday.end]);
    assert.equal(iso(tuesday.startMs), '2024-03-05T08:00:00Z');
  });

  it('hours and minutes end at the last whole unit of the zone', () => {
    assert.deepEqual(sent('24h', pacific, '2024-03-12T18:20:15Z'), ['2024-03-11T10:00:00', '2024-03-12T10:00:00', '2024-03-11T18:00:00Z', '2024-03-12T18:00:00Z']);
    assert.deepEqual(sent('90min', pacific, '2024-03-12T18:20:15.500Z'), ['2024-03-12T08:50:00', '2024-03-12T10:20:00', '2024-03-12T16:50:00Z', '2024-03-12T18:20:00Z']);
    // a half-hour zone: its whole hours are :30 in UTC
    assert.deepEqual(sent('1h', parseZone('+05:30'), '2024-01-01T00:10:00Z'), ['2024-01-01T04:00:00', '2024-01-01T05:00:00', '2023-12-31T22:30:00Z', '2023-12-31T23:30:00Z']);
  });

  it('month boundaries: the last second of February in the zone is still February', () => {
    assert.deepEqual(sent('today', pacific, '2024-03-01T07:59:59Z').slice(0, 2), ['2024-02-29T00:00:00', '2024-03-01T00:00:00']);
    assert.deepEqual(sent('mtd', pacific, '2024-03-01T07:59:59Z').slice(0, 2), ['2024-02-01T00:00:00', '2024-03-01T00:00:00']);
    assert.deepEqual(sent('previous-month', pacific, '2024-03-01T07:59:59Z').slice(0, 2), ['2024-01-01T00:00:00', '2024-02-01T00:00:00']);
    assert.deepEqual(sent('previous-month', pacific, '2024-03-01T08:00:00Z').slice(0, 2), ['2024-02-01T00:00:00', '2024-03-01T00:00:00']);
    assert.deepEqual(sent('mtd', pacific, '2024-03-01T08:00:00Z').slice(0, 2), ['2024-03-01T00:00:00', '2024-03-02T00:00:00']);
    assert.deepEqual(sent('3mo', pacific, '2025-01-15T12:00:00Z').slice(0, 2), ['2024-10-01T00:00:00', '2025-01-01T00:00:00']);
    assert.deepEqual(sent('13mo', UTC, '2025-01-01T00:00:00Z').slice(0, 2), ['2023-12-01T00:00:00', '2025-01-01T00:00:00']);
    assert.deepEqual(sent('yesterday', UTC, '2025-01-01T00:00:00Z').slice(0, 2), ['2024-12-31T00:00:00', '2025-01-01T00:00:00']);
  });

  it('leap years: 7 days back from 2 March crosses 29 February only in a leap year', () => {
    assert.deepEqual(sent('7d', UTC, '2024-03-02T12:00:00Z').slice(0, 2), ['2024-02-24T00:00:00', '2024-03-02T00:00:00']);
    assert.deepEqual(sent('7d', UTC, '2023-03-02T12:00:00Z').slice(0, 2), ['2023-02-23T00:00:00', '2023-03-02T00:00:00']);
    assert.deepEqual(sent('today', UTC, '2024-02-29T23:59:59Z').slice(0, 2), ['2024-02-29T00:00:00', '2024-03-01T00:00:00']);
    assert.deepEqual(sent('12mo', UTC, '2024-02-29T10:00:00Z').slice(0, 2), ['2023-02-01T00:00:00', '2024-02-01T00:00:00']);
  });

  it('DST in America/Los_Angeles: the spring-forward day is 23 hours, the fall-back day 25', () => {
    assert.deepEqual(sent('today', la, '2024-03-10T20:00:00Z'), ['2024-03-10T00:00:00', '2024-03-11T00:00:00', '2024-03-10T08:00:00Z', '2024-03-11T07:00:00Z']);
    const spring = resolveWindow(parseWindow('1d'), la, at('2024-03-11T18:00:00Z'));
    assert.equal((spring.endMs! - spring.startMs!) / HOUR, 23);
    assert.deepEqual(sent('today', la, '2024-11-03T20:00:00Z'), ['2024-11-03T00:00:00', '2024-11-04T00:00:00', '2024-11-03T07:00:00Z', '2024-11-04T08:00:00Z']);
    const fall = resolveWindow(parseWindow('7d'), la, at('2024-11-05T18:00:00Z'));
    assert.deepEqual([fall.start, fall.end], ['2024-10-29T00:00:00', '2024-11-05T00:00:00']);
    assert.equal((fall.endMs! - fall.startMs!) / HOUR, 7 * 24 + 1);
  });

  it('DST in America/Los_Angeles: hour windows count elapsed hours', () => {
    // 12:30 PDT on the spring-forward day: 24 real hours back is 11:00 PST the day before
    assert.deepEqual(sent('24h', la, '2024-03-10T19:30:00Z'), ['2024-03-09T11:00:00', '2024-03-10T12:00:00', '2024-03-09T19:00:00Z', '2024-03-10T19:00:00Z']);
    // 10:30 PST on the fall-back day: 24 real hours back is 11:00 PDT the day before
    assert.deepEqual(sent('24h', la, '2024-11-03T18:30:00Z'), ['2024-11-02T11:00:00', '2024-11-03T10:00:00', '2024-11-02T18:00:00Z', '2024-11-03T18:00:00Z']);
    // in the repeated hour both ends read 01:00 (documented: the wall clock cannot tell them apart)
    assert.deepEqual(sent('1h', la, '2024-11-03T09:30:00Z'), ['2024-11-03T01:00:00', '2024-11-03T01:00:00', '2024-11-03T08:00:00Z', '2024-11-03T09:00:00Z']);
    // the fixed default has no such hour
    assert.deepEqual(sent('1h', pacific, '2024-11-03T09:30:00Z').slice(0, 2), ['2024-11-03T00:00:00', '2024-11-03T01:00:00']);
  });

  it('server sends nothing and still says its zone', () => {
    const r = resolveWindow({ kind: 'server' }, pacific, at('2024-03-12T18:00:00Z'));
    assert.deepEqual(r, { window: { kind: 'server' }, name: 'Server default', zone: '-08:00', zoneLabel: 'UTC\u221208:00' });
  });

  it('headers name the window, its range and its zone', () => {
    const r = resolveWindow(parseWindow('7d'), pacific, at('2024-03-12T18:00:00Z'));
    assert.equal(windowHeader(r), 'Last 7 days · 2024-03-05 00:00 → 2024-03-12 00:00 (UTC\u221208:00)');
    assert.equal(rangeText({ start: '2024-03-05T00:00:30', end: '2024-03-05T01:00:00' }), '2024-03-05 00:00:30 → 2024-03-05 01:00');
    assert.equal(windowHeader(resolveWindow(parseWindow('today'), la, at('2024-07-04T18:00:00Z'))), 'Today · 2024-07-04 00:00 → 2024-07-05 00:00 (America/Los_Angeles (PDT))');
    assert.equal(windowHeader(resolveWindow({ kind: 'server' }, UTC, 0)), 'Server default (UTC)');
  });
});

describe('cmu/time/windows: the default window by grain', () => {
  it('follows the finest time dimension of the path', () => {
    const text = (path: string[]) => windowText(defaultWindow(path));
    assert.equal(text(['tenant', 'year', 'month', 'day', 'hour', 'minute']), '60min');
    assert.equal(text(['year', 'month', 'day', 'hour', 'mvpd']), '24h');
    assert.equal(text(['year', 'month', 'day']), '7d');
    assert.equal(text(['year', 'duration', 'occurrences', 'month', 'tenant']), '12mo');
    assert.equal(text(['year']), 'server');
    assert.equal(text(['tenant']), 'server');
    assert.equal(text([]), 'server');
  });
});

describe('cmu/time/windows: a query at run time', () => {
  const now = at('2024-03-12T18:20:00Z'); // 10:20 at -08:00

  it('resolves a relative window into the start/end sent and drops the window from what is sent', () => {
    const { query, time } = resolveQueryTime({ path: ['year', 'month', 'day'], window: 'last 7 days', limit: 5 }, pacific, now);
    assert.deepEqual(query, { path: ['year', 'month', 'day'], start: '2024-03-05T00:00:00', end: '2024-03-12T00:00:00', limit: 5 });
    assert.equal(time.name, 'Last 7 days');
    assert.equal(time.defaulted, undefined);
  });

  it('gives a query without time the default window of its grain, marked as such', () => {
    const hourly = resolveQueryTime<TimedQuery>({ path: ['year', 'month', 'day', 'hour'] }, pacific, now);
    assert.deepEqual([hourly.query.start, hourly.query.end, hourly.time.name, hourly.time.defaulted], ['2024-03-11T10:00:00', '2024-03-12T10:00:00', 'Last 24 hours', true]);
    const root = resolveQueryTime({ path: [] }, pacific, now);
    assert.deepEqual(root.query, { path: [] });
    assert.equal(root.time.name, 'Server default');
  });

  it('server sends no start/end even for a day report', () => {
    const { query } = resolveQueryTime({ path: ['year', 'month', 'day'], window: 'server' }, pacific, now);
    assert.deepEqual(query, { path: ['year', 'month', 'day'] });
  });

  it('keeps an absolute wall-clock range and converts values with an explicit zone to the zone', () => {
    const plain = resolveQueryTime({ path: ['year', 'month', 'day'], start: '2024-11', end: '2024-11-08T10:00' }, pacific, now);
    assert.deepEqual([plain.query.start, plain.query.end, plain.time.name], ['2024-11', '2024-11-08T10:00', 'Custom range']);
    assert.equal(iso(plain.time.startMs), '2024-11-01T08:00:00Z');
    const zoned = resolveQueryTime({ path: ['day'], start: '2024-11-01T08:00:00Z', end: '2024-11-02T00:00:00-07:00' }, pacific, now);
    assert.deepEqual([zoned.query.start, zoned.query.end], ['2024-11-01T00:00:00', '2024-11-01T23:00:00']);
    const utc = resolveQueryTime<TimedQuery>({ path: ['day'], start: '2024-11-01T08:00:00Z' }, UTC, now);
    assert.deepEqual([utc.query.start, utc.query.end, rangeText(utc.time)], ['2024-11-01T08:00:00', undefined, '2024-11-01 08:00 → now']);
  });

  it('checks and normalises the window text a file or a command argument carries', () => {
    assert.equal(canonicalWindow('Last 7 Days'), '7d');
    assert.equal(canonicalWindow('previousMonth'), '1mo');
    assert.equal(windowProblem({ path: [], window: '7d' }), undefined);
    assert.equal(windowProblem({ path: [] }), undefined);
    assert.match(windowProblem({ path: [], window: '30m' })!, /ambiguous/);
    assert.match(windowProblem({ path: [], window: '7d', start: '2024' })!, /the window `7d` and start\/end both say when/);
  });

  it('converts one value: offsets, Z and epoch milliseconds; leaves wall clock and unreadable text alone', () => {
    assert.deepEqual(toZoneWallClock('2024-03-10T10:00:00Z', la), { value: '2024-03-10T03:00:00', instant: Date.UTC(2024, 2, 10, 10) });
    assert.equal(toZoneWallClock('2024-03-10T10:00:00+0100', pacific).value, '2024-03-10T01:00:00');
    assert.equal(toZoneWallClock(String(Date.UTC(2024, 2, 10, 8)), pacific).value, '2024-03-10T00:00:00');
    assert.equal(toZoneWallClock('2024-03-10T10:00', la).value, '2024-03-10T10:00');
    assert.equal(toZoneWallClock('2024', pacific).value, '2024');
    assert.deepEqual(toZoneWallClock('yesterday-ish', pacific), { value: 'yesterday-ish' });
  });
});
