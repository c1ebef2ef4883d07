import assert from 'node:assert/strict';
import { HISTORY_LIMIT, SeenValues, addRun, historyKey, outcomeText, parseHistory, relativeTime, shortQuery, type HistoryEntry, type RunRecord } from '../../../../src/core/cmu/history';
import { emptyQuery, parseQueryUrl } from '../../../../src/core/cmu/query';
import { columnsOfRows } from '../../../../src/core/cmu/analysis/columns';
import { Redactor } from '../../../../src/core/http/redactor';

const run = (href: string, over: Partial<RunRecord> = {}): RunRecord => ({
  query: parseQueryUrl(href),
  environment: 'sandbox',
  status: 200,
  rows: 3,
  durationMs: 12.4,
  bytes: 345,
  at: 1_700_000_000_000,
  ...over,
});

describe('core: run history', () => {
  const redactor = new Redactor();
  const redact = (t: string) => redactor.text(t);

  it('keeps the newest first, at most 100: the 101st run drops the oldest', () => {
    let list: HistoryEntry[] = [];
    for (let i = 1; i <= HISTORY_LIMIT + 1; i++) list = addRun(list, run(`tenant/year?limit=${i}`, { at: 1_700_000_000_000 + i }), redact);
    assert.equal(list.length, HISTORY_LIMIT);
    assert.equal(list[0].query.limit, HISTORY_LIMIT + 1);
    assert.equal(list[list.length - 1].query.limit, 2, 'the first run is the one dropped');
    assert.equal(new Set(list.map((e) => e.id)).size, HISTORY_LIMIT, 'ids are unique');
  });

  it('records the shape: query with its window, environment, status, rows, duration, size, time', () => {
    const q = { ...parseQueryUrl('tenant/year/month/day?mvpd=Comcast&metrics=active-users'), window: '7d' };
    const [e] = addRun([], { query: q, environment: 'staging · profile team2', status: 200, rows: 7, durationMs: 81.6, bytes: 2048, at: 5 }, redact);
    assert.deepEqual(
      { query: e.query, environment: e.environment, status: e.status, rows: e.rows, durationMs: e.durationMs, bytes: e.bytes, at: e.at, runs: e.runs },
      { query: q, environment: 'staging · profile team2', status: 200, rows: 7, durationMs: 82, bytes: 2048, at: 5, runs: 1 },
    );
    const failed = addRun([], run('tenant/nope', { status: 404, rows: undefined, bytes: undefined, error: 'Not Found\nat line 2' }), redact)[0];
    assert.deepEqual([failed.status, failed.rows, failed.error, outcomeText(failed)], [404, undefined, 'Not Found', '404']);
    assert.equal(outcomeText(e), '200 · 7 rows');
    assert.equal(outcomeText({}), 'no answer');
  });

  it('the same query in the same environment is one entry, moved to the top and counted; another window or environment is another', () => {
    let list = addRun([], run('tenant/year', { at: 1 }), redact);
    list = addRun(list, run('tenant/year/month', { at: 2 }), redact);
    list = addRun(list, run('tenant/year', { at: 3, rows: 9 }), redact);
    assert.deepEqual(list.map((e) => [shortQuery(e.query), e.runs, e.rows]), [['/tenant/year', 2, 9], ['/tenant/year/month', 1, 3]]);
    list = addRun(list, run('tenant/year', { at: 4, environment: 'production' }), redact);
    list = addRun(list, { ...run('tenant/year', { at: 5 }), query: { ...parseQueryUrl('tenant/year'), window: '30d' } }, redact);
    assert.equal(list.length, 4);
    assert.notEqual(historyKey(list[0]), historyKey(list[2]));
  });

  it('no secret in an entry: token-like values, values the session knows, secret-named parameters', () => {
    const opaque = 'opaque-access-token-value-123';
    const r = new Redactor();
    r.add(opaque);
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const q = parseQueryUrl(`tenant/year?mvpd=${jwt}&requestor=${opaque}&client_secret=hunter2&access_token=${opaque}&channel=web`);
    const [e] = addRun([], { ...run('x'), query: q, error: `401 for Bearer ${opaque}` }, (t) => r.text(t));
    const text = JSON.stringify(e);
    for (const secret of [jwt, opaque, 'hunter2']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.deepEqual(
      e.query.filters.map((f) => [f.dimension, f.values]),
      [['mvpd', ['[redacted]']], ['requestor', ['[redacted]']], ['client_secret', ['[redacted]']], ['channel', ['web']]],
    );
  });

  it('reads back what it stored; drops what does not read; bounds and dedupes a tampered list', () => {
    let list: HistoryEntry[] = [];
    for (let i = 0; i < 3; i++) list = addRun(list, run(`tenant/year?limit=${i + 1}`, { at: 10 + i }), redact);
    const stored = JSON.parse(JSON.stringify(list)) as unknown;
    assert.deepEqual(parseHistory(stored), list);
    assert.deepEqual(parseHistory(undefined), []);
    assert.deepEqual(parseHistory([{ id: 'x' }, 42, null, { ...list[0], query: { path: 'tenant' } }, list[1]]), [list[1]]);
    const many = Array.from({ length: 150 }, (_, i) => ({ ...list[0], id: `i${i}`, query: { ...emptyQuery(['tenant']), limit: i + 1 } }));
    assert.equal(parseHistory(many).length, HISTORY_LIMIT);
    assert.equal(parseHistory([list[0], { ...list[0], id: 'copy' }]).length, 1);
  });

  it('short query and relative time for the tree', () => {
    assert.equal(shortQuery({ ...emptyQuery(['tenant', 'year', 'month', 'day']), window: '7d' }), '/tenant/year/month/day · Last 7 days');
    assert.equal(shortQuery(emptyQuery()), '/');
    assert.ok(shortQuery(parseQueryUrl(`tenant?mvpd=${'x'.repeat(100)}`)).length <= 60);
    const now = Date.UTC(2026, 0, 10, 12);
    assert.deepEqual(
      [now - 5_000, now - 5 * 60_000, now - 3 * 3600_000, now - 26 * 3600_000, now - 4 * 86400_000, now - 90 * 86400_000].map((t) => relativeTime(t, now)),
      ['just now', '5 min ago', '3 h ago', 'yesterday', '4 days ago', '2025-10-12'],
    );
  });
});

describe('core: filter values seen in a session', () => {
  it('collects dimension values of reports and filters, newest first, without time dimensions or secrets', () => {
    const seen = new SeenValues((t) => t.replace(/eyJ\S+/g, '[redacted]'));
    seen.addReport(
      columnsOfRows({
        columns: [{ name: 'day', kind: 'dimension' }, { name: 'mvpd', kind: 'dimension' }, { name: 'active-users', kind: 'metric' }],
        rows: [['2024-01-01', 'Comcast', 5], ['2024-01-02', 'Charter', 7], ['2024-01-03', 'Comcast', 1], ['2024-01-04', null, 1]],
      }),
    );
    assert.deepEqual(seen.values('mvpd'), ['Comcast', 'Charter']);
    assert.deepEqual(seen.values('day'), [], 'time dimensions are chosen by the window');
    assert.deepEqual(seen.values('active-users'), []);
    seen.addQuery(parseQueryUrl('tenant?mvpd=Dish&requestor=eyJhbGciOi.x.y&access_token=z'));
    assert.deepEqual(seen.values('mvpd'), ['Dish', 'Comcast', 'Charter']);
    assert.deepEqual(seen.values('requestor'), [], 'a value the redaction changes is not offered');
  });
});
