/**
 * Diagnose Connection: renders the core diagnosis chain (src/core/diagnose.ts) for the extension — the
 * `cmu.diagnose` result (each step keeps `ok` beside the core `verdict`) and the Markdown document.
 */
import { runDiagnosis, type DiagnoseStep as CoreStep, type DiagnoseVerdict } from '../../core/diagnose';
import type { NextStep } from '../../core/errors';
import { formatInstant } from '../../core/clock';
import { zoneLabel } from '../../core/cmu/time/zone';
import type { Services } from '../host/services';
import { stepAction } from '../host/nextSteps';
import { boldCommands, markdownText } from '../host/markdown';

export interface DiagnoseStep {
  name: string;
  /** false for a failed or skipped step (kept for scripts written before `verdict`) */
  ok: boolean;
  verdict: DiagnoseVerdict;
  detail: string;
  nextStep?: NextStep;
  why?: string;
  /** what to do about it, in the extension's words */
  fix?: string;
}

export interface DiagnoseResult {
  environment: string;
  profile: string;
  /** the report time zone as shown (cmu.reportTimeZone), or why the setting is unusable */
  timeZone?: string;
  steps: DiagnoseStep[];
}

/** The extension's words for a next step (the one next-step table); `env` names the current environment's settings. */
function fixFor(s: CoreStep, env: string): string | undefined {
  if (s.fix) return s.fix;
  if (s.nextStep === 'openSettings' && s.name === 'cmu') return `Set cmu.${env}.cmuBase in your USER settings to the CMU base Adobe gave you (…/cmu/v2 or …/v2).`;
  // "diagnose" from inside Diagnose: the log says more than running it again
  const step = s.nextStep === 'diagnose' ? 'showLog' : s.nextStep;
  return step ? stepAction(step)?.fix.replace(/<environment>/g, env) : undefined;
}

export function toExtensionStep(s: CoreStep, env: string): DiagnoseStep {
  const out: DiagnoseStep = { name: s.name, ok: s.verdict === 'ok' || s.verdict === 'warn', verdict: s.verdict, detail: s.detail };
  if (s.nextStep) out.nextStep = s.nextStep;
  if (s.why) out.why = s.why;
  const fix = s.verdict === 'ok' || s.verdict === 'skipped' ? undefined : fixFor(s, env);
  if (fix) out.fix = fix;
  return out;
}

/** Runs the core chain on the current environment. The token is only ever sent to the environment's CMU base. */
export async function diagnose(services: Pick<Services, 'settings' | 'session' | 'http' | 'reportZone'>, signal?: AbortSignal): Promise<DiagnoseResult> {
  const settings = services.settings();
  const http = await services.http();
  const steps = await runDiagnosis({ session: () => services.session(), http, signal });
  // a failed step quotes an error, which may quote a server: the session's secrets plus the patterns
  const redact = (t: string) => http.redact(t);
  const redacted = steps.map((s) => ({ ...s, detail: redact(s.detail), ...(s.why ? { why: redact(s.why) } : {}) }));
  return { environment: settings.environment, profile: settings.profile, timeZone: timeZoneText(services), steps: redacted.map((s) => toExtensionStep(s, settings.environment)) };
}

function timeZoneText(services: Pick<Services, 'reportZone'>): string {
  try {
    return zoneLabel(services.reportZone(), Date.now());
  } catch (e) {
    return (e as Error).message;
  }
}

const MARK: Record<DiagnoseVerdict, string> = { ok: '✔', warn: '⚠', fail: '✘', skipped: '·' };

export function diagnoseReport(r: DiagnoseResult, when = new Date()): string {
  const failed = r.steps.filter((s) => s.verdict === 'fail');
  const lines = [
    `# CMU connection diagnosis — ${r.environment}/${r.profile}`,
    '',
    `${formatInstant(when.getTime())} · ${failed.length ? `${failed.length} problem${failed.length > 1 ? 's' : ''} found` : 'everything works'}`,
    '',
  ];
  if (r.timeZone) lines.push(`Report time zone: ${r.timeZone} (setting cmu.reportTimeZone: report start/end and time buckets are read in it)`, '');
  // one list item a step (the preview would join plain lines into one paragraph); details and reasons may
  // quote a server: plain text; a fix names the palette command to run, in bold
  for (const s of r.steps) {
    const detail = markdownText(s.detail);
    lines.push(`- ${MARK[s.verdict]} **${s.name}** — ${s.verdict === 'skipped' ? `not checked: ${detail}` : detail}`);
    if (s.why) lines.push(`  - Why: ${markdownText(s.why)}`);
    if (s.fix) lines.push(`  - Fix: ${boldCommands(markdownText(s.fix))}`);
  }
  lines.push('', 'Secrets are never shown here; the request log (**CMU: Show Log**) is redacted and safe to share.', '');
  return lines.join('\n');
}
