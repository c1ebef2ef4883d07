/** Fetches two real reports from a fresh sandbox through the engine and maps them like the panel does. */
import { fetchComparison } from '../../src/core/cmu/analysis/comparison';
import { CmuClient } from '../../src/core/cmu/client';
import { toIsoUtc } from '../../src/core/cmu/query';
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
    const view = async (q: CmuQuery) => {
      const t0 = Date.now();
      const report = await client.fetchReport(q);
      return reportView(q, report, navigation(q, report, sandbox.cmuBase), { cmuBase: sandbox.cmuBase, environment: 'sandbox', elapsedMs: Date.now() - t0 });
    };
    const time = await view({ path: ['tenant', 'year', 'month', 'day', 'mvpd'], filters: [], projections: [], metrics: ['active-users', 'started-sessions'] });
    const flat = await view({ path: ['mvpd'], filters: [], projections: [], metrics: [] });
    // the last three days up to now: today's bucket is partial; failure rate derivable
    const now = Date.now();
    const day = (d: number) => toIsoUtc(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() - d)).slice(0, 10);
    const numbers: CmuQuery = { path: ['tenant', 'year', 'month', 'day'], filters: [], projections: [], metrics: ['active-users', 'started-sessions', 'failed-attempts', 'completed-sessions'], start: day(3) };
    const recent = await view(numbers);
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
    return { time, flat, recent, channels, compare };
  });
}
