import * as assert from 'assert';
import { CmuApiError } from '../../src/core/cmu/client';
import { redactText } from '../../src/core/redact';
import type { CmuQuery, ParsedReport } from '../../src/core/cmu/types';
import { contentSecurityPolicy, newNonce, renderPanelHtml } from '../../src/extension/report/html';
import { curlCommand } from '../../src/extension/report/curl';
import { errorView, followQuery, navigation, panelTitle, queryKey, reportView } from '../../src/extension/report/reportView';
import { documentName, documentText } from '../../src/extension/report/reportText';
import { cellAt, decodeRows, encodeColumns, parsePanelState, parseQuery, parseWebviewMessage } from '../../src/shared/protocol';

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
    assert.deepStrictEqual(parseWebviewMessage({ type: 'navigate', linkId: 'd0' }), { type: 'navigate', linkId: 'd0' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'action', action: 'openJson' }), { type: 'action', action: 'openJson' });
    const bad = [null, 'ready', [], { type: 'navigate' }, { type: 'navigate', linkId: 3 }, { type: 'navigate', linkId: 'x'.repeat(500) },
      { type: 'action', action: 'rm -rf' }, { type: 'action', action: 'constructor' }, { type: 'errorAction', id: '' }, { type: '__proto__' },
      { type: 'rendered', stats: { requestId: -1, rows: 1, domRows: 1, chart: true, firstPaintMs: 1 } }];
    for (const b of bad) assert.strictEqual(parseWebviewMessage(b), undefined, JSON.stringify(b));
    const r = parseWebviewMessage({ type: 'rendered', stats: { requestId: 2, rows: 10, domRows: 5, chart: false, firstPaintMs: 3.5, evil: 1 } });
    assert.deepStrictEqual(r, { type: 'rendered', stats: { requestId: 2, rows: 10, domRows: 5, chart: false, firstPaintMs: 3.5, chartMs: 0 } });
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

  it('encodes rows as columns (dictionary text, Float64 numbers) and back', () => {
    const rows = [
      ['ACME', '2024', 5, null],
      ['ACME', '2025', 7.5, 2],
      [null, '2024', null, 3],
    ];
    const data = encodeColumns(4, rows);
    assert.strictEqual(data[0].type, 'text');
    assert.strictEqual(data[2].type, 'number');
    assert.ok(data[0].type === 'text' && data[0].dict.length === 1 && data[0].codes instanceof Uint32Array);
    assert.ok(data[2].type === 'number' && data[2].values instanceof Float64Array);
    assert.deepStrictEqual(decodeRows(data, 3), rows);
    assert.strictEqual(cellAt(data[3], 0), null);
    const mixed = encodeColumns(1, [[1], ['x']]);
    assert.strictEqual(mixed[0].type, 'text');
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
    assert.ok(view.actions.some((a) => a.id === 'retry'));
    // the steps continue the deepest known ancestor, which is not always the parent
    const deep = new CmuApiError('No pre-aggregation for /tenant/bogus/deeper', '', 404, { validNextSteps: ['year'], validNextStepsFrom: ['tenant'] });
    const d = errorView(deep, { path: ['tenant', 'bogus', 'deeper'], filters: [], projections: [], metrics: [] });
    assert.deepStrictEqual(d.view.nextSteps.map((s) => s.label), ['tenant/year']);
    assert.deepStrictEqual(d.targets.get(d.view.nextSteps[0].id)?.path, ['tenant', 'year']);
    const plain = errorView(new Error('boom'), undefined).view;
    assert.strictEqual(plain.explanation, 'boom');
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
    assert.strictEqual(panelTitle(Q), 'CMU: …/month/day (2 filters, 2024-11-01…2024-11-08)');
    const one = q(['tenant', 'mvpd'], { filters: [{ dimension: 'platform', op: '!=', values: ['a-very-long-platform-name', 'web'] }], start: '2024-11' });
    assert.strictEqual(panelTitle(one), 'CMU: tenant/mvpd (platform!=a-very-long-pla… +1, 2024-11…)');
    assert.strictEqual(panelTitle(q(['tenant'], { projections: ['platform'] })), 'CMU: tenant (+platform)');
    // what VS Code shows in the tab stays short, and the same query (a restored panel) gets the same title
    assert.ok(panelTitle(one).length <= 60);
    assert.strictEqual(panelTitle(JSON.parse(JSON.stringify(one)) as CmuQuery), panelTitle(one));
    const titles = [q(['tenant', 'year', 'month', 'day', 'mvpd']), q(['mvpd']), q(['year', 'mvpd']), q(['mvpd'], { start: '2024-11' }), q(['mvpd'], { filters: [{ dimension: 'mvpd', op: '=', values: ['Comcast'] }] })].map(panelTitle);
    assert.strictEqual(new Set(titles).size, titles.length, titles.join(' | '));
  });

  it('one panel per query whatever the format', () => {
    assert.strictEqual(queryKey({ ...Q, format: 'csv' }), queryKey(Q));
    assert.notStrictEqual(queryKey({ ...Q, limit: 5 }), queryKey(Q));
  });
});

describe('report panel: html, curl, documents', () => {
  it('CSP: nothing by default, scripts by nonce, a fresh random nonce per panel', () => {
    const a = newNonce();
    const b = newNonce();
    assert.notStrictEqual(a, b);
    assert.ok(Buffer.from(a, 'base64').length === 16);
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', a);
    assert.match(csp, /^default-src 'none'; /);
    assert.ok(csp.includes(`script-src 'nonce-${a}'`) && !csp.includes('unsafe'));
    const html = renderPanelHtml({ cspSource: 'https://x', nonce: a, scriptUri: 'https://x/dist/webview.js', styleUris: ['https://x/media/report.css'], title: '<b>t</b>' });
    assert.ok(html.includes(`<script nonce="${a}" src="https://x/dist/webview.js">`));
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
