/**
 * `cmu doctor`: renders the core diagnosis chain (src/core/diagnose.ts) — environment → statement →
 * credentials → token → clock → one CMU call — one line per step with why and the fix in CLI words.
 */
import { zoneLabel } from '../../core/cmu/time/zone';
import { runDiagnosis, type DiagnoseStep, type DiagnoseVerdict } from '../../core/diagnose';
import type { NextStep } from '../../core/errors';
import type { CliContext } from '../context';
import { exitCodeFor, hintFor, sanitize } from '../output';

const LABEL: Record<DiagnoseVerdict, string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skipped: '[skip]' };

/** The CLI's words for a step's next step (the rest of the CLI uses the same hints). */
function fixFor(s: DiagnoseStep, prefix: string): string | undefined {
  if (s.fix) return s.fix;
  if (!s.nextStep) return undefined;
  const words: Partial<Record<NextStep, string>> = {
    importStatement: `${prefix} statement import FILE (the file downloaded from the Adobe Pass TVE Dashboard)`,
    openSettings: s.name === 'cmu' ? 'pass the CMU base Adobe gave you: --cmu-url https://…/cmu/v2 (or …/v2), or set CMU_API_URL' : undefined,
  };
  return words[s.nextStep] ?? hintFor(s.nextStep, { prefix });
}

export function formatStep(s: DiagnoseStep, prefix = 'cmu'): string {
  const lines = [`${LABEL[s.verdict]} ${s.name.padEnd(11)} ${sanitize(s.detail)}`];
  if (s.why) lines.push(`       why: ${sanitize(s.why)}`);
  const fix = s.verdict === 'ok' || s.verdict === 'skipped' ? undefined : fixFor(s, prefix);
  if (fix) lines.push(`       fix: ${sanitize(fix)}`);
  return lines.join('\n');
}

export async function doctor(ctx: CliContext): Promise<number> {
  const env = ctx.env;
  ctx.out(`cmu doctor: ${env.name} environment, profile ${ctx.profile}`);
  ctx.out(`  dcr origin: ${env.dcrOrigin}`);
  ctx.out(`  cmu base:   ${env.cmuBase ?? '(none)'}`);
  ctx.out(`  store:      ${ctx.storeDir}`);
  ctx.out(`  time zone:  ${zoneLabel(ctx.zone, Date.now())} (reports' start/end and time buckets; --tz or CMU_TZ to change)`);
  const steps = await runDiagnosis({ session: async () => ctx.session, http: ctx.http });
  // the environment step is the header above: the CLI resolved it before running
  for (const s of steps) if (s.name !== 'environment') ctx.out(ctx.redact(formatStep(s, ctx.commandPrefix)));

  const firstFail = steps.find((s) => s.verdict === 'fail');
  if (!firstFail) {
    ctx.out(steps.some((s) => s.verdict === 'warn') ? 'The chain works, with warnings.' : 'Everything works.');
    return 0;
  }
  ctx.out(`The chain breaks at: ${firstFail.name}.`);
  return firstFail.error ? exitCodeFor(firstFail.error) : 1;
}
