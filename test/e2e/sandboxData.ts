/**
 * Real report data for the browser checks: the sandbox (src/sandbox/server.ts) queried through the
 * engine (session + CmuClient), mapped to the webview's ReportView by the panel's own mapping.
 * Loaded lazily so the webview checks still run while the engine is being written.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ReportView } from '../../src/shared/protocol';
import { ROOT } from './harness';

export interface SandboxReports {
  /** a path with time dimensions */
  time: ReportView;
  /** a path without time dimensions */
  flat: ReportView;
  /** day by day up to now (today partial), with the inputs of the failure rate */
  recent: ReportView;
  /** per channel (the sandbox has Unknown channels) */
  channels: ReportView;
  /** day × mvpd compared with a week earlier */
  compare: ReportView;
}

const NEEDED = ['src/sandbox/server.ts', 'src/core/cmu/client.ts', 'src/core/session.ts', 'src/core/http.ts', 'src/extension/report/reportView.ts'];

export async function sandboxReports(): Promise<SandboxReports> {
  const missing = NEEDED.filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length) throw new Error(`not written yet: ${missing.join(', ')}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (f: string): Record<string, unknown> => require(path.join(ROOT, f));
  const { fetchSandboxReports } = load('test/e2e/sandboxFetch.ts') as { fetchSandboxReports: () => Promise<SandboxReports> };
  return fetchSandboxReports();
}
