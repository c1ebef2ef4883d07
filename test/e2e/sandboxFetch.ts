/** Fetches two real reports from a fresh sandbox through the engine and maps them like the panel does. */
import { columnsOfRows } from '../../src/core/cmu/analysis/columns';
import { fetchComparison } from '../../src/core/cmu/analysis/comparison';
import { fetchParentTotal } from '../../src/core/cmu/analysis/parentTotal';
import { metricSemantics } from '../../src/core/cmu/catalog';
import { CmuClient } from '../../src/core/cmu/client';
import { resolveQueryTime } from '../../src/core/cmu/time/queryTime';
import { DEFAULT_ZONE_ID, formatInZone, parseZone } from '../../src/core/cmu/time/zone';
import type { CmuQuery } from '../../src/core/cmu/types';
import { resolveEnvironment } from '../../src/core/environments';
import { HttpClient } from '../../src/core/http';
import { Session } from '../../src/core/session';
import { MemoryStore } from '../../src/core/store';
import { navigation, reportView } from '../../src/extension/report/reportView';
import { Sandbox } from '../../src/sandbox/server';
import type { SandboxReports } from './sandboxData';

/** Runs `fn` with a CmuClient on a fresh sandbox (statement imported, no throttling); stops the sandbox after. */
export async function withSandboxClient<T>(profile: string, fn: (client: CmuClient, sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await Sandbox.start({ throttle: false });
  try {
    const http = new HttpClient();
    const env = resolveEnvironment('sandbox', { dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase });
    const session = new Session({ store: new MemoryStore(), env, profile, http });
    await session.importStatement(sandbox.statement);
    return await fn(new CmuClient({ http, session, cmuBase: sandbox.cmuBase }), sandbox);
  } finally {
    await sandbox.stop();
  }
}

export function fetchSandboxReports(): Promise<SandboxReports> {
  return withSandboxClient('e2e', async (client, sandbox) => {
    // zoned: as the panel does, the time resolved in the report zone (the sandbox's too), so the header and the
    // partial buckets read the rows in it; without, the header's fallback for a panel state that names no zone
    const view = async (q: CmuQuery, zoned = false) => {
      const t0 = Date.now();
      const sent = zoned ? resolveQueryTime(q, parseZone(DEFAULT_ZONE_ID), t0) : undefined;
      const report = await client.fetchReport(sent?.query ?? q);
      return reportView(q, report, navigation(q, report, sandbox.cmuBase), { cmuBase: sandbox.cmuBase, environment: 'sandbox', elapsedMs: Date.now() - t0, sent });
    };
    const time = await view({ path: ['tenant', 'year', 'month', 'day', 'mvpd'], filters: [], projections: [], metrics: ['active-users', 'started-sessions'] });
    const flat = await view({ path: ['mvpd'], filters: [], projections: [], metrics: [] });
    // the last three days up to now: today's bucket is partial; failure rate derivable
    const now = Date.now();
    // days of the sandbox's report zone
    const day = (d: number) => formatInZone(parseZone(DEFAULT_ZONE_ID), now - d * 86_400_000).slice(0, 10);
    const numbers: CmuQuery = { path: ['tenant', 'year', 'month', 'day'], filters: [], projections: [], metrics: ['active-users', 'started-sessions', 'failed-attempts', 'completed-sessions'], start: day(3) };
    const recent = await view(numbers, true);
    const channels = await view({ path: ['tenant', 'year', 'month', 'day', 'channel'], filters: [], projections: [], metrics: ['started-sessions'], start: day(3), end: day(1) });
    const cq: CmuQuery = { ...numbers, path: [...numbers.path, 'mvpd'], start: day(8), end: day(1) };
    const compared = await fetchComparison(client, cq, { mode: 'week', now });
    const report = compared.current.report;
    const compare = reportView(cq, report, navigation(cq, report, sandbox.cmuBase), {
      cmuBase: sandbox.cmuBase,
      environment: 'sandbox',
      elapsedMs: 1,
      compare: { mode: 'week', comparison: compared.comparison, window: compared.current.window, previous: { window: compared.previous.window, url: compared.previous.report.url } },
    });
    // a week of last month (one month: the parent is tenant/year/month), totalled by the server as the panel asks it
    const last = new Date(now);
    const ym = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const wq: CmuQuery = { path: ['tenant', 'year', 'month', 'day', 'mvpd'], filters: [{ dimension: 'tenant', op: '=', values: ['ACME'] }], projections: [], metrics: ['active-users', 'started-sessions'], start: `${ym}-01`, end: `${ym}-08` };
    const weekReport = await client.fetchReport(wq);
    const found = await fetchParentTotal(client, wq, { links: weekReport.links, table: columnsOfRows(weekReport) }, { semantics: metricSemantics });
    if (!found) throw new Error('the sandbox gave no server total for a week of day × mvpd');
    const parentReport = await client.fetchReport({ ...wq, path: ['tenant', 'year', 'month'] });
    const parent = Object.fromEntries(parentReport.columns.map((c, i) => [c.name, parentReport.rows[0][i]]).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    const whole = {
      report: reportView(wq, weekReport, navigation(wq, weekReport, sandbox.cmuBase), { cmuBase: sandbox.cmuBase, environment: 'sandbox', elapsedMs: 1 }),
      total: { path: found.path, values: Object.entries(found.values) },
      parent,
    };
    return { time, flat, recent, channels, compare, whole };
  });
}
