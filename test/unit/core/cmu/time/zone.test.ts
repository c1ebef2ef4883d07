import * as assert from 'node:assert/strict';
import {
  DEFAULT_ZONE_ID,
  formatInZone,
  formatWall,
  instantToWall,
  offsetAt,
  parseZone,
  UTC,
  wallToInstant,
  zoneLabel,
  type WallTime,
} from '../../../../../src/core/cmu/time/zone';

const HOUR = 3_600_000;

function wall(text: string): WallTime {
  const [d, t = '00:00:00'] = text.split('T');
  const [year, month, day] = d.split('-').map(Number);
  const [hour, minute, second = 0] = t.split(':').map(Number);
  return { year, month, day, hour, minute, second };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');

describe('cmu/time/zone: parsing', () => {
  it('reads fixed offsets in every spelling a person types or copies from a label', () => {
    for (const text of ['-08:00', '-0800', '-8', '-08', 'UTC-8', 'UTC\u221208:00', 'GMT-08:00', ' -08:00 ', 'PST', 'pst']) {
      assert.deepEqual(parseZone(text), { id: '-08:00', fixedOffsetMinutes: -480 }, text);
    }
    assert.deepEqual(parseZone('+05:30'), { id: '+05:30', fixedOffsetMinutes: 330 });
    assert.deepEqual(parseZone('+0545'), { id: '+05:45', fixedOffsetMinutes: 345 });
    assert.deepEqual(parseZone('+14:00'), { id: '+14:00', fixedOffsetMinutes: 840 });
    assert.equal(DEFAULT_ZONE_ID, '-08:00');
  });

  it('reads UTC in every spelling, a zero offset included', () => {
    for (const text of ['UTC', 'utc', 'Z', 'z', 'GMT', '+00:00', '-00:00', 'Etc/UTC', 'etc/gmt']) assert.deepEqual(parseZone(text), UTC, text);
  });

  it('reads IANA names in any letter case and keeps an alias as spelled', () => {
    assert.deepEqual(parseZone('America/Los_Angeles'), { id: 'America/Los_Angeles' });
    assert.deepEqual(parseZone('america/los_angeles'), { id: 'America/Los_Angeles' });
    assert.deepEqual(parseZone('Asia/Kolkata'), { id: 'Asia/Kolkata' });
    assert.equal(parseZone('Europe/London').fixedOffsetMinutes, undefined);
  });

  it('refuses what is not a zone, saying what is', () => {
    assert.throws(() => parseZone('Mars/Olympus_Mons'), /`Mars\/Olympus_Mons` is not a time zone; use an offset such as -08:00/);
    assert.throws(() => parseZone('+15:00'), /not a UTC offset/);
    assert.throws(() => parseZone('-08:75'), /not a UTC offset/);
    assert.throws(() => parseZone('PDT'), /daylight-time abbreviation/);
    assert.throws(() => parseZone(''), /is not a time zone/);
  });
});

describe('cmu/time/zone: offsets and conversions', () => {
  const la = parseZone('America/Los_Angeles');
  const pacific = parseZone('-08:00');

  it('gives the offset in force at an instant', () => {
    assert.equal(offsetAt(la, Date.UTC(2024, 0, 15)), -8 * HOUR);
    assert.equal(offsetAt(la, Date.UTC(2024, 6, 15)), -7 * HOUR);
    assert.equal(offsetAt(pacific, Date.UTC(2024, 6, 15)), -8 * HOUR);
    assert.equal(offsetAt(parseZone('+05:30'), 0), 5.5 * HOUR);
    // spring forward at 10:00Z on 2024-03-10: 01:59:59 PST, then 03:00:00 PDT
    assert.equal(offsetAt(la, Date.UTC(2024, 2, 10, 9, 59, 59)), -8 * HOUR);
    assert.equal(offsetAt(la, Date.UTC(2024, 2, 10, 10)), -7 * HOUR);
  });

  it('reads an instant as the wall clock of the zone, milliseconds dropped', () => {
    assert.equal(formatInZone(la, Date.UTC(2024, 2, 10, 10)), '2024-03-10T03:00:00');
    assert.equal(formatInZone(la, Date.UTC(2024, 2, 10, 9, 59, 59, 999)), '2024-03-10T01:59:59');
    assert.equal(formatInZone(pacific, Date.UTC(2024, 2, 1, 7, 59, 59)), '2024-02-29T23:59:59');
    assert.equal(formatInZone(UTC, Date.UTC(2024, 2, 1, 7, 59, 59)), '2024-03-01T07:59:59');
    assert.equal(formatInZone(parseZone('+05:30'), Date.UTC(2023, 11, 31, 18, 30)), '2024-01-01T00:00:00');
    assert.deepEqual(instantToWall(la, Date.UTC(2024, 10, 3, 9, 30)), wall('2024-11-03T01:30'));
  });

  it('turns a wall clock into its instant: fixed offsets and ordinary IANA times', () => {
    assert.equal(iso(wallToInstant(pacific, wall('2024-07-01T00:00'))), '2024-07-01T08:00:00Z');
    assert.equal(iso(wallToInstant(la, wall('2024-07-01T00:00'))), '2024-07-01T07:00:00Z');
    assert.equal(iso(wallToInstant(la, wall('2024-01-01T00:00'))), '2024-01-01T08:00:00Z');
    assert.equal(iso(wallToInstant(UTC, wall('2024-02-29T12:34:56'))), '2024-02-29T12:34:56Z');
  });

  it('DST spring forward: a wall time in the gap moves forward by the gap (Temporal "compatible")', () => {
    // 2024-03-10 02:00–02:59 does not exist in Los Angeles
    assert.equal(iso(wallToInstant(la, wall('2024-03-10T02:30'))), '2024-03-10T10:30:00Z'); // = 03:30 PDT
    assert.equal(iso(wallToInstant(la, wall('2024-03-10T02:00'))), '2024-03-10T10:00:00Z'); // the transition
    assert.equal(iso(wallToInstant(la, wall('2024-03-10T01:59:59'))), '2024-03-10T09:59:59Z');
    assert.equal(iso(wallToInstant(la, wall('2024-03-10T03:00'))), '2024-03-10T10:00:00Z');
  });

  it('DST fall back: a wall time that occurs twice is the earlier instant', () => {
    // 2024-11-03 01:00–01:59 happens in PDT (08:xxZ) and again in PST (09:xxZ)
    assert.equal(iso(wallToInstant(la, wall('2024-11-03T01:30'))), '2024-11-03T08:30:00Z');
    assert.equal(iso(wallToInstant(la, wall('2024-11-03T00:59'))), '2024-11-03T07:59:00Z');
    assert.equal(iso(wallToInstant(la, wall('2024-11-03T02:00'))), '2024-11-03T10:00:00Z');
  });

  it('a day that begins at 01:00 (a midnight transition) begins at its first instant', () => {
    // Chile springs forward at 24:00 on 2024-09-07: 00:00 on the 8th never happens
    const santiago = parseZone('America/Santiago');
    assert.equal(iso(wallToInstant(santiago, wall('2024-09-08T00:00'))), '2024-09-08T04:00:00Z');
    assert.equal(formatInZone(santiago, Date.UTC(2024, 8, 8, 4)), '2024-09-08T01:00:00');
  });

  it('round-trips every hour of both transition months in Los Angeles', () => {
    const hours = (from: number, to: number) => Array.from({ length: (to - from) / HOUR }, (_, i) => from + i * HOUR);
    for (const t of [...hours(Date.UTC(2024, 2, 1), Date.UTC(2024, 3, 1)), ...hours(Date.UTC(2024, 10, 1), Date.UTC(2024, 11, 1))]) {
      const w = instantToWall(la, t);
      const back = wallToInstant(la, w);
      // in the repeated hour the earlier instant wins; everywhere else the instant comes back
      assert.ok(back === t || back === t - HOUR, `${iso(t)} -> ${formatWall(w)} -> ${iso(back)}`);
      if (back !== t) assert.equal(formatWall(w).slice(0, 13), '2024-11-03T01');
    }
  });
});

describe('cmu/time/zone: labels and the wall-clock form', () => {
  it('formats a wall clock without a suffix, as CMU self links do', () => {
    assert.equal(formatWall(wall('2024-03-05T07:08:09')), '2024-03-05T07:08:09');
    assert.equal(formatWall(wall('0999-01-01T00:00')), '0999-01-01T00:00:00');
  });

  it('labels fixed offsets with a typographic minus, IANA zones with their abbreviation at the instant', () => {
    assert.equal(zoneLabel(parseZone('-08:00'), 0), 'UTC\u221208:00');
    assert.equal(zoneLabel(parseZone('+05:30'), 0), 'UTC+05:30');
    assert.equal(zoneLabel(UTC, 0), 'UTC');
    const la = parseZone('America/Los_Angeles');
    assert.equal(zoneLabel(la, Date.UTC(2024, 0, 15)), 'America/Los_Angeles (PST)');
    assert.equal(zoneLabel(la, Date.UTC(2024, 6, 15)), 'America/Los_Angeles (PDT)');
    assert.equal(zoneLabel(parseZone('Asia/Kolkata'), 0), 'Asia/Kolkata (GMT+5:30)');
  });
});
