/**
 * Real report data for the browser checks: the sandbox (src/sandbox/server.ts) queried through the
 * engine (session + CmuClient), mapped to the webview's ReportView by the panel's own mapping.
 * Required: a check that silently fell back to crafted data could not fail on the engine's output.
 */
import type { ParentTotalView, ReportView } from '../../src/shared/protocol';
import { fetchSandboxReports } from './sandboxFetch';

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
  /** day × mvpd of a week of one month, the server total the panel fetches for it, and the parent report's own values */
  whole: { report: ReportView; total: ParentTotalView; parent: Record<string, number> };
}

export function sandboxReports(): Promise<SandboxReports> {
  return fetchSandboxReports();
}
