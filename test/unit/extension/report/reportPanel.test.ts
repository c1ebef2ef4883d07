import * as assert from 'assert';
import { CmuApiError } from '../../../../src/core/cmu/client';
import { NetworkError, TimeoutError } from '../../../../src/core/http';
import { redactText } from '../../../../src/core/redact';
import type { CmuQuery, ParsedReport } from '../../../../src/core/cmu/types';
import { contentSecurityPolicy, newNonce, renderPanelHtml } from '../../../../src/extension/report/html';
import { curlCommand } from '../../../../src/core/cmu/query';
import { errorView, followQuery, navigation, panelTitle, queryKey, reportMessages, reportView, responseView } from '../../../../src/extension/report/reportView';
import { documentName, documentText } from '../../../../src/extension/report/reportText';
import { resolveQueryTime } from '../../../../src/core/cmu/time/queryTime';
import { parseZone } from '../../../../src/core/cmu/time/zone';
import { cellAt, ColumnDecoder, ColumnEncoder, columnTypes, decodeRows, encodeColumns, MAX_PANEL_COLUMNS, parseParentTotal, parsePanelState, parseQuery, parseWebviewMessage } from '../../../../src/shared/protocol';

const BASE = 'https://mgmt.auth.adobe.com/cmu/v2';
const Q: CmuQuery = {
  path: ['tenant', 'year', 'month', 'day'],
  filters: [
    { dimension: 'mvpd', op: '!=', values: ['TempPass'] },
    { dimension: 'platform', op: '=', values: ['web', 'ios'] },
  ],
  projections: [],
  metrics: ['active-users', 'users'],
  start: '2024-11-01',
  end: '2024-11-08',
  limit: 500,
};

function parsed(links: ParsedReport['links'], rows: ParsedReport['rows'] = []): ParsedReport {
  return {
    format: 'json',
    url: `${BASE}/tenant/year/month/day`,
    contentType: 'application/json',
    links,
    columns: [
      { name: 'tenant', kind: 'dimension' },
      { name: 'day', kind: 'dimension' },
      { name: 'active-users', kind: 'metric' },
    ],
    rows,
    raw: '{}',
  };
}

describe('report panel: protocol', () => {
  it('accepts exactly the webview messages it knows, as fresh objects', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready', boot: { atMs: 120, scriptMs: 14, originMs: 1796279023376, x: 1 } }), { type: 'ready', boot: { atMs: 120, scriptMs: 14, originMs: 1796279023376 } });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready', boot: { atMs: 120, scriptMs: 14 } }), { type: 'ready' }, 'a boot without its time origin is dropped');
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready', boot: { atMs: -1, scriptMs: 'x' } }), { type: 'ready' }, 'a malformed boot timing is dropped, the ready kept');
    assert.deepStrictEqual(parseWebviewMessage({ type: 'navigate', linkId: 'd0' }), { type: 'navigate', linkId: 'd0' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'action', action: 'openJson' }), { type: 'action', action: 'openJson' });
    const bad = [null, 'ready', [], { type: 'navigate' }, { type: 'navigate', linkId: 3 }, { type: 'navigate', linkId: 'x'.repeat(500) },
      { type: 'action', action: 'rm -rf' }, { type: 'action', action: 'constructor' }, { type: 'errorAction', id: '' }, { type: '__proto__' },
      { type: 'rendered', stats: { requestId: -1, rows: 1, domRows: 1, chart: true, firstPaintMs: 1 } }];
    for (const b of bad) assert.strictEqual(parseWebviewMessage(b), undefined, JSON.stringify(b));
    const r = parseWebviewMessage({ type: 'rendered', stats: { requestId: 2, rows: 10, domRows: 5, chart: false, firstPaintMs: 3.5, evil: 1 } });
    assert.deepStrictEqual(r, { type: 'rendered', stats: { requestId: 2, rows: 10, domRows: 5, chart: false, firstPaintMs: 3.5, chartMs: 0, complete: true } });
    const at = { receivedAt: 1_796_000_000_000, paintedAt: 1_796_000_000_040 };
    const timed = parseWebviewMessage({ type: 'rendered', stats: { requestId: 2, rows: 10, domRows: 5, chart: false, firstPaintMs: 40, ...at } });
    assert.deepStrictEqual(timed, { type: 'rendered', stats: { requestId: 2, rows: 10, domRows: 5, chart: false, firstPaintMs: 40, chartMs: 0, complete: true, ...at } });
    const halfTimed = parseWebviewMessage({ type: 'rendered', stats: { requestId: 2, rows: 10, domRows: 5, chart: false, firstPaintMs: 40, receivedAt: 5, paintedAt: 'soon' } });
    assert.deepStrictEqual(halfTimed, r && { ...r, stats: { ...r.stats, firstPaintMs: 40 } }, 'paint times are kept only when both are counts');
  });

  it('validates the restored state: the query, nothing else', () => {
    assert.deepStrictEqual(parsePanelState({ v: 1, query: Q }), { v: 1, query: Q });
    assert.strictEqual(parsePanelState({ v: 2, query: Q }), undefined);
    assert.strictEqual(parsePanelState({ v: 1, query: { ...Q, path: ['<img src=x>'] } }), undefined);
    assert.strictEqual(parsePanelState({ v: 1, query: { ...Q, filters: [{ dimension: 'mvpd', op: '<>', values: [] }] } }), undefined);
    assert.strictEqual(parseQuery({ ...Q, limit: -1 }), undefined);
    assert.strictEqual(parseQuery({ ...Q, format: 'exe' }), undefined);
    assert.deepStrictEqual(parseQuery({ path: ['tenant'] }), { path: ['tenant'], filters: [], projections: [], metrics: [] });
  });

  it('encodes rows as columns (dictionary text, narrowest integer arrays, Float64 otherwise) and back', () => {
    const rows = [
      ['ACME', '2024', 5, null, 2024, -3, 70000],
      ['ACME', '2025', 7.5, 2, 2025, 100, 1],
      [null, '2024', null, 3, 2026, 0, 4e9],
    ];
    const data = encodeColumns(7, rows);
    assert.ok(data[0].type === 'text' && data[0].dict.length === 1 && data[0].codes instanceof Uint8Array);
    assert.deepStrictEqual(data[0].type === 'text' && [...data[0].codes], [1, 1, 0], '0 = empty, k = value k-1');
    assert.ok(data[2].type === 'number' && data[2].values instanceof Float64Array, 'a fraction: Float64');
    assert.ok(data[3].type === 'number' && data[3].values instanceof Uint8Array && data[3].nulls instanceof Uint8Array);
    assert.ok(data[4].type === 'number' && data[4].values instanceof Uint16Array && data[4].nulls === undefined);
    assert.ok(data[5].type === 'number' && data[5].values instanceof Int8Array);
    assert.ok(data[6].type === 'number' && data[6].values instanceof Uint32Array);
    assert.deepStrictEqual(decodeRows(data, 3), rows);
    const mixed = encodeColumns(1, [[1], ['x']]);
    assert.strictEqual(mixed[0].type, 'text');
  });

  it('chunks carry only new dictionary values; the decoder appends them and refuses what does not fit', () => {
    const rows = Array.from({ length: 700 }, (_, i) => [`v${i % 300}`, i % 3 === 0 ? null : i]);
    const enc = new ColumnEncoder(columnTypes(2, rows));
    const a = enc.encode(rows, 0, 200);
    const b = enc.encode(rows, 200, 700);
    assert.ok(a[0].type === 'text' && a[0].dict.length === 200 && a[0].codes instanceof Uint8Array);
    assert.ok(b[0].type === 'text' && b[0].dict.length === 100 && b[0].codes instanceof Uint16Array, '300 values: 16-bit codes');
    const d = new ColumnDecoder(2);
    assert.ok(d.append(a, 200) && d.append(b, 500));
    assert.strictEqual(d.rowCount, 700);
    for (const r of [0, 199, 200, 699]) assert.deepStrictEqual(d.columns.map((c) => cellAt(c, r)), rows[r], `row ${r}`);
    // invalid chunks change nothing
    const bad: unknown[] = [
      [a[0]], // a column missing
      [{ type: 'text', dict: [], codes: new Uint8Array([255]) }, a[1]], // a code beyond the table
      [a[0], { type: 'text', dict: [], codes: new Uint8Array(200) }], // a number column turned text
      [a[0], { type: 'number', values: [1, 2] }], // not a typed array
      [{ ...a[0], dict: [1] }, a[1]],
    ];
    for (const x of bad) assert.strictEqual(d.append(x, x === bad[1] ? 1 : 200), false, JSON.stringify(x).slice(0, 80));
    assert.strictEqual(d.append(a, 199), false, 'lengths must match the row count');
    assert.strictEqual(d.rowCount, 700);
  });

  it('a report streams as the first rows with the metadata, then chunks that add up to every row', () => {
    const q: CmuQuery = { path: ['tenant', 'day'], filters: [], projections: [], metrics: [] };
    const rows = Array.from({ length: 1234 }, (_, i) => ['ACME', String(i % 31), i * 7]);
    const r = parsed({ drillDown: [], rollUp: [] }, rows);
    const msgs = [...reportMessages(7, q, r, navigation(q, r, BASE), { cmuBase: BASE, elapsedMs: 1 }, { first: 100, chunk: 500 })];
    assert.deepStrictEqual(msgs.map((m) => m.type), ['report', 'rows', 'rows', 'rows']);
    const first = msgs[0].type === 'report' ? msgs[0].report : assert.fail();
    assert.deepStrictEqual([first.rowCount, first.more, first.totalRows], [100, true, 1234]);
    const d = new ColumnDecoder(3);
    assert.ok(d.append(first.data, first.rowCount));
    for (const m of msgs.slice(1)) {
      assert.ok(m.type === 'rows' && m.requestId === 7 && m.start === d.rowCount);
      assert.ok(d.append(m.data, m.rowCount));
    }
    assert.deepStrictEqual(msgs.map((m) => (m.type === 'rows' ? m.more : undefined)), [undefined, true, true, false]);
    assert.deepStrictEqual(Array.from({ length: 1234 }, (_, i) => d.columns.map((c) => cellAt(c, i))), rows);
    const small = [...reportMessages(1, q, parsed({ drillDown: [], rollUp: [] }, rows.slice(0, 50)), navigation(q, r, BASE), { cmuBase: BASE, elapsedMs: 1 })];
    assert.strictEqual(small.length, 1, 'a small report is one message');
  });

  it('a report of 200,000 columns: only the first MAX_PANEL_COLUMNS are described and encoded, in every message, with how many there are', () => {
    const wide = 200_000;
    const q: CmuQuery = { path: ['tenant', 'day'], filters: [], projections: [], metrics: [] };
    const r = parsed({ drillDown: [], rollUp: [] });
    r.columns = [r.columns[0], r.columns[1], ...Array.from({ length: wide }, (_, i) => ({ name: `m${i}`, kind: 'metric' as const }))];
    // five distinct rows of 200k cells, repeated (250 rows without 50M cells)
    const templates = Array.from({ length: 5 }, (_, t) => ['ACME', String(t + 1), ...Array.from({ length: wide }, (_, i) => (i + t) % 1000)]);
    r.rows = Array.from({ length: 250 }, (_, i) => templates[i % 5]);
    const msgs = [...reportMessages(3, q, r, navigation(q, r, BASE), { cmuBase: BASE, elapsedMs: 1 }, { first: 100, chunk: 100 })];
    assert.deepStrictEqual(msgs.map((m) => m.type), ['report', 'rows', 'rows']);
    const first = msgs[0].type === 'report' ? msgs[0].report : assert.fail();
    assert.strictEqual(first.columns.length, MAX_PANEL_COLUMNS);
    assert.deepStrictEqual(first.columns.slice(0, 3).map((c) => [c.name, c.kind]), [['tenant', 'dimension'], ['day', 'dimension'], ['m0', 'metric']]);
    assert.strictEqual(first.columns[MAX_PANEL_COLUMNS - 1].name, `m${MAX_PANEL_COLUMNS - 3}`);
    assert.strictEqual(first.totalColumns, wide + 2);
    const d = new ColumnDecoder(MAX_PANEL_COLUMNS);
    assert.ok(d.append(first.data, first.rowCount));
    for (const m of msgs.slice(1)) assert.ok(m.type === 'rows' && d.append(m.data, m.rowCount), 'each chunk has the same columns');
    assert.strictEqual(d.rowCount, 250);
    assert.deepStrictEqual(d.columns.map((c) => cellAt(c, 249)), templates[249 % 5].slice(0, MAX_PANEL_COLUMNS));
    // a report within the cap says nothing more
    const narrow = reportView(q, parsed({ drillDown: [], rollUp: [] }, [['ACME', '1', 5]]), navigation(q, r, BASE), { cmuBase: BASE, elapsedMs: 1 });
    assert.strictEqual(narrow.totalColumns, undefined);
  });
});

describe('report panel: navigation and views', () => {
  it('following a link keeps the time range, limit, allowed filters and metrics', () => {
    const child = followQuery(Q, [...Q.path, 'mvpd']);
    assert.deepStrictEqual(child.path, [...Q.path, 'mvpd']);
    assert.strictEqual(child.start, Q.start);
    assert.strictEqual(child.end, Q.end);
    assert.strictEqual(child.limit, 500);
    assert.deepStrictEqual(child.filters.map((f) => f.dimension), ['mvpd', 'platform']);
    assert.deepStrictEqual(child.metrics, ['active-users'], '`users` is a level-report metric');
    const up = followQuery(Q, ['tenant', 'year']);
    assert.deepStrictEqual(up.path, ['tenant', 'year']);
  });

  it('drill-down from the HAL links (else the catalog), breadcrumb root … parent', () => {
    const nav = navigation(Q, parsed({ drillDown: [{ href: '/cmu/v2/tenant/year/month/day/mvpd', name: 'mvpd' }], rollUp: [] }), BASE);
    assert.deepStrictEqual(nav.drillDown.map((l) => l.label), ['mvpd']);
    assert.deepStrictEqual(nav.targets.get(nav.drillDown[0].id)?.path, [...Q.path, 'mvpd']);
    assert.deepStrictEqual(nav.breadcrumb.map((l) => l.label), ['root', 'tenant', 'year', 'month']);
    assert.deepStrictEqual(nav.targets.get(nav.breadcrumb[0].id)?.path, []);
    const fromCatalog = navigation(Q, parsed({ drillDown: [], rollUp: [] }), BASE);
    assert.ok(fromCatalog.drillDown.some((l) => l.label === 'hour'));
  });

  it('report view: the query in words, exact URL, server defaults from the self link, columnar rows', () => {
    const q: CmuQuery = { path: ['tenant', 'year', 'month', 'day'], filters: [], projections: [], metrics: [] };
    const r = parsed({ self: '/cmu/v2/tenant/year/month/day?start=2024-11-01T00:00:00&end=2024-11-26T10:00:00&limit=1000', drillDown: [], rollUp: [] }, [
      ['ACME', '1', 10],
      ['ACME', '2', 12],
    ]);
    const v = reportView(q, r, navigation(q, r, BASE), { cmuBase: BASE, elapsedMs: 5 });
    assert.strictEqual(v.query.url, `${BASE}/tenant/year/month/day`);
    assert.match(v.query.words, /tenant, year, month and day|tenant, year, month, day/);
    assert.strictEqual(v.query.start, '2024-11-01T00:00:00');
    assert.strictEqual(v.query.limit, 1000);
    assert.strictEqual(v.rowCount, 2);
    assert.deepStrictEqual(decodeRows(v.data, v.rowCount), r.rows);
    assert.strictEqual(v.columns.find((c) => c.name === 'day')?.time, true);
  });

  it('errors carry their explanation, actions and (404) next steps as links', () => {
    const e = new CmuApiError('No pre-aggregation for /tenant/year/platfrom', 'CMU has no report for this path.', 404, { validNextSteps: ['month'] });
    const { view, targets } = errorView(e, { path: ['tenant', 'year', 'platfrom'], filters: [], projections: [], metrics: [] });
    assert.strictEqual(view.status, 404);
    assert.deepStrictEqual(view.nextSteps.map((s) => s.label), ['tenant/year/month']);
    assert.deepStrictEqual(targets.get(view.nextSteps[0].id)?.path, ['tenant', 'year', 'month']);
    assert.ok(!view.actions.some((a) => a.id === 'retry'), 'no Retry on a 404: asking again gets the same answer');
    // Retry where it can help: the server failing, throttling, the network
    for (const [err, want] of [
      [new CmuApiError('CMU had an internal error (500)', '', 500), true],
      [new CmuApiError('CMU is unavailable (503)', '', 503), true],
      [new CmuApiError('Slow down', '', 429), true],
      [new NetworkError('ECONNRESET', 'The connection was reset.'), true],
      [new TimeoutError('No answer', 'The server did not answer in time.'), true],
      [new CmuApiError('CMU refused the request', '', 400), false],
      [new CmuApiError('Forbidden', '', 403), false],
    ] as const)
      assert.strictEqual(errorView(err, undefined).view.actions.some((a) => a.id === 'retry'), want, err.message);
    // the steps continue the deepest known ancestor, which is not always the parent
    const deep = new CmuApiError('No pre-aggregation for /tenant/bogus/deeper', '', 404, { validNextSteps: ['year'], validNextStepsFrom: ['tenant'] });
    const d = errorView(deep, { path: ['tenant', 'bogus', 'deeper'], filters: [], projections: [], metrics: [] });
    assert.deepStrictEqual(d.view.nextSteps.map((s) => s.label), ['tenant/year']);
    assert.deepStrictEqual(d.targets.get(d.view.nextSteps[0].id)?.path, ['tenant', 'year']);
    // the server's links (a 404's own, or its closest ancestor's): a step that is not a direct child is a whole path
    const server = new CmuApiError('No pre-aggregation for /year/bogus', '', 404, { validNextSteps: ['screen-class', 'year/month/day'], validNextStepsFrom: ['year'], nextStepsSource: 'server' });
    const sv = errorView(server, { path: ['year', 'bogus'], filters: [], projections: [], metrics: [] });
    assert.deepStrictEqual(sv.view.nextSteps.map((s) => s.label), ['year/screen-class', 'year/month/day']);
    const plain = errorView(new Error('boom'), undefined).view;
    assert.strictEqual(plain.explanation, 'boom');
  });

  it('the response as the panel shows it: status text, size, headers sorted; no Authorization, cookies and credentials masked, values redacted', () => {
    const v = responseView(
      {
        status: 200,
        bytes: 2048,
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer abc',
          'set-cookie': 'sid=s3cr3t; HttpOnly',
          'x-api-key': 'k-123',
          'x-echo': 'token opaque-secret-42 seen',
          date: 'Wed, 02 Dec 2026 06:00:00 GMT',
        },
      },
      (t) => redactText(t, ['opaque-secret-42']),
    );
    assert.strictEqual(v.statusText, 'OK');
    assert.strictEqual(v.bytes, 2048);
    assert.deepStrictEqual(v.headers.map(([k]) => k), ['content-type', 'date', 'set-cookie', 'x-api-key', 'x-echo']);
    const text = JSON.stringify(v);
    for (const secret of ['abc', 's3cr3t', 'k-123', 'opaque-secret-42']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.strictEqual(responseView({ status: 404, bytes: 0, headers: {} }, (t) => t).statusText, 'Not Found');
  });

  it('the error view is redacted with the session secrets (an error may quote the token)', () => {
    const e = new CmuApiError('Bad token opaque-secret-42', 'Sent Bearer opaque-secret-42', 400, { serverText: 'echo opaque-secret-42' });
    const v = errorView(e, undefined, (t) => redactText(t, ['opaque-secret-42'])).view;
    assert.ok(!JSON.stringify(v).includes('opaque-secret-42'), JSON.stringify(v));
    const plain = errorView(new Error('fetch failed: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'), undefined).view;
    assert.ok(!plain.explanation.includes('eyJhbGciOiJIUzI1NiJ9'), 'patterns by default');
  });

  it('tab titles: last two path segments, a filter and time hint; distinct for different queries, same for the same query', () => {
    const q = (path: string[], more: Partial<CmuQuery> = {}): CmuQuery => ({ path, filters: [], projections: [], metrics: [], ...more });
    assert.strictEqual(panelTitle(q([])), 'CMU: root');
    assert.strictEqual(panelTitle(q(['mvpd'])), 'CMU: mvpd');
    assert.strictEqual(panelTitle(q(['tenant', 'year'])), 'CMU: tenant/year');
    assert.strictEqual(panelTitle(q(['tenant', 'year', 'month', 'day', 'mvpd'])), 'CMU: …/day/mvpd');
    assert.strictEqual(panelTitle(q(['year', 'mvpd'])), 'CMU: year/mvpd');
    assert.strictEqual(panelTitle(Q), 'CMU: …/month/day (2 filters, 2024-11-01…');
    const one = q(['tenant', 'mvpd'], { filters: [{ dimension: 'platform', op: '!=', values: ['a-very-long-platform-name', 'web'] }], start: '2024-11' });
    assert.strictEqual(panelTitle(one), 'CMU: tenant/mvpd (platform!=a-very-long…');
    assert.strictEqual(panelTitle(q(['tenant'], { projections: ['platform'] })), 'CMU: tenant (+platform)');
    // what VS Code shows in the tab stays short, and the same query (a restored panel) gets the same title
    assert.ok(panelTitle(one).length <= 40);
    assert.strictEqual(panelTitle(JSON.parse(JSON.stringify(one)) as CmuQuery), panelTitle(one));
    const titles = [q(['tenant', 'year', 'month', 'day', 'mvpd']), q(['mvpd']), q(['year', 'mvpd']), q(['mvpd'], { start: '2024-11' }), q(['mvpd'], { filters: [{ dimension: 'mvpd', op: '=', values: ['Comcast'] }] })].map(panelTitle);
    assert.strictEqual(new Set(titles).size, titles.length, titles.join(' | '));
  });

  it('a relative window: kept in the query (state, drill-down, title, one panel per window), resolved in what is sent and shown', () => {
    const weekly: CmuQuery = { path: ['year', 'month', 'day'], filters: [], projections: [], metrics: [], window: 'last 7 days' };
    const fromState = parseQuery(JSON.parse(JSON.stringify(weekly)))!;
    assert.strictEqual(fromState.window, '7d', 'normalised');
    assert.strictEqual(parseQuery({ ...weekly, window: '30m' }), undefined);
    assert.strictEqual(followQuery(fromState, ['year', 'month', 'day', 'hour']).window, '7d');
    assert.strictEqual(panelTitle(fromState), 'CMU: …/month/day (Last 7 days)');
    assert.notStrictEqual(queryKey(fromState), queryKey({ ...fromState, window: 'today' }));
    assert.notStrictEqual(queryKey(fromState), queryKey({ ...fromState, window: undefined }));

    const sent = resolveQueryTime(fromState, parseZone('-08:00'), Date.UTC(2024, 2, 12, 18));
    const r = parsed({ self: '/cmu/v2/year/month/day?start=2024-03-05T00:00:00&end=2024-03-12T00:00:00', drillDown: [], rollUp: [] });
    const v = reportView(fromState, r, navigation(fromState, r, BASE), { cmuBase: BASE, elapsedMs: 1, sent });
    assert.strictEqual(v.query.url, `${BASE}/year/month/day?start=2024-03-05T00:00:00&end=2024-03-12T00:00:00`);
    assert.strictEqual(v.query.query.window, '7d', 'the webview persists the relative window, not the dates');
    assert.deepStrictEqual([v.query.start, v.query.end], ['2024-03-05T00:00:00', '2024-03-12T00:00:00']);
    assert.deepStrictEqual(v.query.time, { name: 'Last 7 days', defaulted: undefined, zone: 'UTC\u221208:00', startMs: Date.UTC(2024, 2, 5, 8), endMs: Date.UTC(2024, 2, 12, 8) });
    assert.match(v.query.words, /from 2024-03-05T00:00:00 to 2024-03-12T00:00:00 \(Last 7 days\)$/);
  });

  it('the server default window: nothing sent, the applied range from the self link read in the zone', () => {
    const q: CmuQuery = { path: ['year', 'month', 'day'], filters: [], projections: [], metrics: [], window: 'server' };
    const sent = resolveQueryTime(q, parseZone('UTC'), Date.UTC(2024, 2, 12, 18));
    const r = parsed({ self: '/cmu/v2/year/month/day?start=2024-03-01T00:00:00&end=2024-03-12T18:00:00', drillDown: [], rollUp: [] });
    const v = reportView(q, r, navigation(q, r, BASE), { cmuBase: BASE, elapsedMs: 1, sent });
    assert.strictEqual(v.query.url, `${BASE}/year/month/day`);
    assert.deepStrictEqual(v.query.time, { name: 'Server default', defaulted: undefined, zone: 'UTC', startMs: Date.UTC(2024, 2, 1), endMs: Date.UTC(2024, 2, 12, 18) });
  });

  it('one panel per query whatever the format', () => {
    assert.strictEqual(queryKey({ ...Q, format: 'csv' }), queryKey(Q));
    assert.notStrictEqual(queryKey({ ...Q, limit: 5 }), queryKey(Q));
  });
});

describe('report panel: html, curl, documents', () => {
  it('CSP: nothing by default, scripts and styles by nonce (inline, nothing else), a fresh random nonce per panel', () => {
    const a = newNonce();
    const b = newNonce();
    assert.notStrictEqual(a, b);
    assert.ok(Buffer.from(a, 'base64').length === 16);
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', a);
    assert.match(csp, /^default-src 'none'; /);
    assert.ok(csp.includes(`script-src 'nonce-${a}'`) && csp.includes(`style-src 'nonce-${a}'`) && !csp.includes('unsafe'));
    const html = renderPanelHtml({ cspSource: 'https://x', nonce: a, script: 'window.x = "</script><b>";', styles: ['body{}'], chartUri: 'https://x/dist/chart.js', title: '<b>t</b>' });
    assert.ok(html.includes(`<script nonce="${a}" data-chart="https://x/dist/chart.js">window.x = "<\\/script><b>";</script>`), html);
    assert.ok(html.includes(`<style nonce="${a}">body{}</style>`));
    assert.strictEqual(html.match(/<\/script>/g)?.length, 1, 'the bundle cannot end its element early');
    assert.ok(html.includes('&lt;b&gt;t&lt;/b&gt;') && !html.includes('<b>t</b>'));
  });

  it('cURL: $CMU_TOKEN placeholder by default, the URL single-quoted', () => {
    const url = `${BASE}/tenant?mvpd!=O'Brien&metrics=a,b`;
    const c = curlCommand(url);
    assert.strictEqual(c, `curl -sS --compressed -H "Authorization: Bearer $CMU_TOKEN" '${BASE}/tenant?mvpd!=O'\\''Brien&metrics=a,b'`);
    assert.ok(curlCommand(url, 'tok').includes(`'Authorization: Bearer tok'`));
  });

  it('documents: named after the query, JSON pretty-printed, other formats as sent', () => {
    assert.strictEqual(documentName(Q, 'json'), 'tenant-year-month-day.json');
    assert.strictEqual(documentName({ ...Q, path: [] }, 'csv'), 'root.csv');
    assert.strictEqual(documentText('{"a":[1,{"b":2}]}', 'json'), '{\n  "a": [\n    1,\n    {\n      "b": 2\n    }\n  ]\n}\n');
    assert.strictEqual(documentText('a,b\n1,2\n', 'csv'), 'a,b\n1,2\n');
    assert.strictEqual(documentText('not json', 'json'), 'not json');
  });
});

describe('report panel: numbers that mean what they say (the data the webview receives)', () => {
  const q: CmuQuery = { path: ['tenant', 'year', 'month', 'day'], filters: [], projections: [], metrics: [], start: '2024-11-06' };
  const report: ParsedReport = {
    format: 'json',
    url: `${BASE}/tenant/year/month/day`,
    contentType: 'application/json',
    links: { self: '/cmu/v2/tenant/year/month/day?start=2024-11-06T00:00:00&end=2024-11-08T10:30:00', rollUp: [], drillDown: [] },
    columns: [...q.path.map((name) => ({ name, kind: 'dimension' as const })), ...['active-users', 'started-sessions'].map((name) => ({ name, kind: 'metric' as const }))],
    rows: [
      ['ACME', '2024', '11', '6', 10, 100],
      ['ACME', '2024', '11', '7', 11, 110],
      ['ACME', '2024', '11', '8', 5, 40],
    ],
    raw: '',
  };

  it('flags the bucket that contains now, with why; metric columns carry whether they add up', () => {
    const v = reportView(q, report, navigation(q, report, BASE), { cmuBase: BASE, elapsedMs: 1, now: Date.UTC(2024, 10, 8, 10, 30) });
    assert.deepStrictEqual(v.partial, { rows: [2], reasons: ['partial: the period is not over yet'] });
    const au = v.columns.find((c) => c.name === 'active-users');
    assert.deepStrictEqual({ ...au?.additive, why: undefined }, { time: false, dimensions: false, why: undefined });
    assert.match(au?.additive?.why ?? '', /distinct/);
    assert.deepStrictEqual(v.columns.find((c) => c.name === 'started-sessions')?.additive?.time, true);
    const later = reportView(q, report, navigation(q, report, BASE), { cmuBase: BASE, elapsedMs: 1, now: Date.UTC(2024, 10, 12) });
    assert.deepStrictEqual(later.partial, { rows: [2], reasons: ['partial: the time window covers only part of this period'] }, 'later, the window (ending 10:30, from the self link) still cuts the day');
  });

  it('the compare toggle message is validated', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'compare', mode: 'week' }), { type: 'compare', mode: 'week' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'compare', mode: 'off', extra: 1 }), { type: 'compare', mode: 'off' });
    assert.strictEqual(parseWebviewMessage({ type: 'compare', mode: 'year' }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'compare' }), undefined);
  });

  it('the server total message is validated where the webview receives it: a fresh object, finite values of well-named metrics', () => {
    const ok = { type: 'parentTotal', requestId: 3, total: { path: '/tenant/year/month', values: [['active-users', 152], ['users', 7.5]], extra: 1 }, extra: 2 };
    assert.deepStrictEqual(parseParentTotal(ok), { type: 'parentTotal', requestId: 3, total: { path: '/tenant/year/month', values: [['active-users', 152], ['users', 7.5]] } });
    const bad = (total: unknown, requestId: unknown = 3) => parseParentTotal({ type: 'parentTotal', requestId, total });
    assert.strictEqual(bad({ path: '/tenant', values: [['active-users', Infinity]] }), undefined);
    assert.strictEqual(bad({ path: '/tenant', values: [['active-users', '152']] }), undefined);
    assert.strictEqual(bad({ path: '/tenant', values: [['<img src=x>', 1]] }), undefined);
    assert.strictEqual(bad({ path: '/tenant', values: [['active-users', 1, 2]] }), undefined);
    assert.strictEqual(bad({ path: 'tenant', values: [] }), undefined, 'a path starts at the root');
    assert.strictEqual(bad({ path: '/tenant', values: {} }), undefined);
    assert.strictEqual(bad({ path: '/tenant', values: [] }, -1), undefined);
    assert.strictEqual(parseParentTotal({ ...ok, type: 'report' }), undefined);
  });
});
