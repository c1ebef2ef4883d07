/**
 * Report messages for the browser checks: crafted reports (time / non-time / XSS / large) with a
 * deterministic generator. `sandboxReports()` (in sandboxData.ts) adds real sandbox data when the
 * engine is available.
 */
import type { CmuQuery, ReportCell } from '../../src/core/cmu/types';
import { decodeRows, encodeColumns, type ColumnView, type NavLink, type QueryView, type ReportView } from '../../src/shared/protocol';

const TIME = ['year', 'month', 'day', 'hour', 'minute', 'second'];

export const XSS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert("x")</script>',
  '"><svg onload=alert(2)>',
  "javascript:alert('3')",
  '&lt;b&gt;entity&lt;/b&gt;',
];

export function queryView(query: CmuQuery, extra: Partial<QueryView> = {}): QueryView {
  const href = `/cmu/v2/${query.path.join('/')}`;
  return {
    query,
    title: query.path.length ? query.path.join(' › ') : 'CMU root',
    words: `Report grouped by ${query.path.join(', ') || 'nothing'}`,
    url: `http://127.0.0.1:9/cmu/v2${query.path.length ? '/' : ''}${query.path.join('/')}${query.start ? `?start=${query.start}` : ''}`,
    start: query.start,
    end: query.end,
    filters: query.filters,
    metrics: query.metrics,
    limit: query.limit,
    environment: 'sandbox',
    ...extra,
    ...(extra.url ? {} : { url: `http://127.0.0.1:9${href}` }),
  };
}

export function columnsOf(dims: string[], metrics: string[]): ColumnView[] {
  return [
    ...dims.map((d) => ({ name: d, kind: 'dimension' as const, time: TIME.includes(d) })),
    ...metrics.map((m) => ({ name: m, kind: 'metric' as const, description: `the ${m} metric` })),
  ];
}

function link(id: string, label: string, href: string, detail?: string): NavLink {
  return { id, label, href, detail };
}

export function reportView(path: string[], columns: ColumnView[], rows: ReportCell[][], extra: Partial<ReportView> = {}): ReportView {
  const query: CmuQuery = { path, filters: [], projections: [], metrics: [], start: '2024-11-01', end: '2024-11-08' };
  return {
    query: queryView(query),
    columns,
    rowCount: rows.length,
    data: encodeColumns(columns.length, rows),
    drillDown: [link('d0', 'platform', `/cmu/v2/${path.join('/')}/platform`, 'then by platform'), link('d1', 'hour', `/cmu/v2/${path.join('/')}/hour`)],
    breadcrumb: path.slice(0, -1).map((_, i) => link(`r${i}`, path[i], `/cmu/v2/${path.slice(0, i + 1).join('/')}`)),
    formats: ['json', 'csv', 'xml'],
    fetchedAt: new Date(0).toISOString(),
    elapsedMs: 12,
    ...extra,
  };
}

/** Seeded PRNG so every run has the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MVPDS = ['Comcast_SSO', 'Charter_Direct', 'DirecTV', 'Dish', 'Verizon', 'Cox', 'Altice', 'Frontier', 'TempPass'];

/** tenant/year/month/day/mvpd over `days` days. */
export function dailyMvpdReport(days = 14): ReportView {
  const r = rng(7);
  const columns = columnsOf(['tenant', 'year', 'month', 'day', 'mvpd'], ['active-users', 'started-sessions']);
  const rows: ReportCell[][] = [];
  for (let d = 1; d <= days; d++)
    for (const m of MVPDS) rows.push(['ACME', '2024', '11', String(d), m, Math.floor(r() * 9000) + 100, Math.floor(r() * 30000)]);
  return reportView(['tenant', 'year', 'month', 'day', 'mvpd'], columns, rows);
}

/** A non-time path: mvpd/platform. */
export function mvpdPlatformReport(): ReportView {
  const r = rng(11);
  const columns = columnsOf(['mvpd', 'platform'], ['active-users', 'failed-attempts']);
  const rows: ReportCell[][] = [];
  for (const m of MVPDS) for (const p of ['android', 'ios', 'web', 'roku']) rows.push([m, p, Math.floor(r() * 5000), Math.floor(r() * 50) || null]);
  const v = reportView(['mvpd', 'platform'], columns, rows);
  v.query.start = undefined;
  v.query.end = undefined;
  v.query.query.start = undefined;
  v.query.query.end = undefined;
  return v;
}

export function xssReport(): ReportView {
  const columns = columnsOf(['tenant', 'year', 'month', 'mvpd'], ['active-users']);
  const rows: ReportCell[][] = XSS.map((x, i) => [x, '2024', String(i + 1), x, 100 * (i + 1)]);
  const v = reportView(['tenant', 'year', 'month', 'mvpd'], columns, rows, {
    drillDown: [{ id: 'dx', label: XSS[0], href: XSS[1], detail: XSS[2] }],
  });
  v.query.words = `Filtered by ${XSS[0]}`;
  v.query.title = XSS[1];
  v.query.url = `http://127.0.0.1:9/cmu/v2/x?mvpd=${XSS[0]}`;
  v.query.filters = [{ dimension: 'mvpd', op: '=', values: [XSS[0]] }];
  return v;
}

/** Large report: tenant/year/month/day/hour/mvpd/platform-ish rows, `n` of them. */
export function largeRows(n: number): { columns: ColumnView[]; rows: ReportCell[][] } {
  const r = rng(42);
  const columns = columnsOf(['tenant', 'year', 'month', 'day', 'hour', 'mvpd', 'platform'], ['active-users', 'started-sessions', 'failed-attempts']);
  const platforms = ['android', 'ios', 'web', 'roku', 'tvos', 'firetv'];
  const rows: ReportCell[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const hourIdx = Math.floor(i / (MVPDS.length * platforms.length));
    const day = 1 + (Math.floor(hourIdx / 24) % 28);
    const month = 1 + (Math.floor(hourIdx / (24 * 28)) % 12);
    rows[i] = [
      'ACME',
      '2024',
      String(month),
      String(day),
      String(hourIdx % 24),
      MVPDS[i % MVPDS.length],
      platforms[Math.floor(i / MVPDS.length) % platforms.length],
      Math.floor(r() * 5000),
      Math.floor(r() * 20000),
      Math.floor(r() * 40),
    ];
  }
  return { columns, rows };
}

export function largeReport(n: number): ReportView {
  const { columns, rows } = largeRows(n);
  return reportView(['tenant', 'year', 'month', 'day', 'hour', 'mvpd', 'platform'], columns, rows);
}

/** The rows of a view (what the table should show, in the server's order). */
export function rowsOf(v: ReportView): ReportCell[][] {
  return decodeRows(v.data, v.rowCount);
}

/** The same report with no rows. */
export function emptied(v: ReportView): ReportView {
  return { ...v, rowCount: 0, data: encodeColumns(v.columns.length, []) };
}
