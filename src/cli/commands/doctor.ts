/**
 * `cmu doctor`: the chain step by step — statement present and well-formed → client credentials →
 * access token → clock skew (server Date header) → one CMU call — each with a verdict and the fix.
 */
import { SKEW_RESOLUTION_MS, skewVerdict } from '../../core/clock';
import { emptyQuery } from '../../core/cmu/query';
import { zoneLabel } from '../../core/cmu/time/zone';
import { CmuError, InputError } from '../../core/errors';
import type { CliContext } from '../context';
import { formatRemaining } from '../../core/token';
import { exitCodeFor, hintFor, sanitize } from '../output';

export type Verdict = 'ok' | 'warn' | 'fail' | 'skip';
export interface Step {
  name: string;
  verdict: Verdict;
  detail: string;
  why?: string;
  fix?: string;
  error?: unknown;
}

const LABEL: Record<Verdict, string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

export function formatStep(s: Step): string {
  const lines = [`${LABEL[s.verdict]} ${s.name.padEnd(11)} ${sanitize(s.detail)}`];
  if (s.why) lines.push(`       why: ${sanitize(s.why)}`);
  if (s.fix) lines.push(`       fix: ${sanitize(s.fix)}`);
  return lines.join('\n');
}

/** The verdict for server Date − local time (ms). */
export function clockStep(skewMs: number): Step {
  const abs = Math.abs(skewMs);
  const dir = skewMs > 0 ? 'behind' : 'ahead of';
  const detail = abs < SKEW_RESOLUTION_MS ? 'local clock matches the server (within the Date header resolution)' : `local clock is ${formatRemaining(abs)} ${dir} the server`;
  const verdict = skewVerdict(skewMs);
  if (verdict === 'ok') return { name: 'clock', verdict, detail };
  return {
    name: 'clock',
    verdict,
    detail,
    why: 'Token expiry is computed on the local clock and tokens are refreshed 5 minutes before they expire; a skew this large makes a token look valid after the server stopped accepting it (or expired too early).',
    fix: 'synchronise the clock (NTP), e.g. `timedatectl set-ntp true` or the OS date & time settings',
  };
}

export async function doctor(ctx: CliContext): Promise<number> {
  const env = ctx.env;
  const prefix = ctx.commandPrefix;
  ctx.out(`cmu doctor: ${env.name} environment, profile ${ctx.profile}`);
  ctx.out(`  dcr origin: ${env.dcrOrigin}`);
  ctx.out(`  cmu base:   ${env.cmuBase ?? '(none)'}`);
  ctx.out(`  store:      ${ctx.storeDir}`);
  ctx.out(`  time zone:  ${zoneLabel(ctx.zone, Date.now())} (reports' start/end and time buckets; --tz or CMU_TZ to change)`);
  const steps: Step[] = [];
  const print = (s: Step): void => {
    steps.push(s);
    ctx.out(ctx.redact(formatStep(s)));
  };
  const failed = (name: string, e: unknown, fix?: string): Step => {
    const ce = e instanceof CmuError ? e : undefined;
    return {
      name,
      verdict: 'fail',
      detail: e instanceof Error ? e.message : String(e),
      why: ce?.explanation,
      fix: fix ?? (ce ? hintFor(ce.nextStep, { prefix }) : `run again with --verbose to see the HTTP exchanges`),
      error: e,
    };
  };
  const session = ctx.session;
  const skip = (name: string, why: string): void => print({ name, verdict: 'skip', detail: why });

  // 1. statement
  let ok = false;
  try {
    const compact = await session.getStatement();
    if (!compact) {
      print(
        failed(
          'statement',
          new InputError('no software statement is stored', 'Every other step needs it: it is what registers a client.', 'importStatement', 'no_statement'),
          `${prefix} statement import FILE (the file downloaded from the Adobe Pass TVE Dashboard)`,
        ),
      );
    } else {
      const info = await session.describeStatement();
      if (!info) throw new InputError('the stored statement cannot be read', 'The store file may be damaged.', 'importStatement', 'bad_statement');
      const sub = typeof info.claims.sub === 'string' ? info.claims.sub : JSON.stringify(info.claims.sub);
      const detail = `${info.alg} statement for sub ${sub}${info.kid ? `, kid ${info.kid}` : ''}`;
      if (info.warnings?.length) {
        print({ name: 'statement', verdict: 'warn', detail, why: info.warnings.join('; '), fix: `download a current statement and run ${prefix} statement import FILE` });
      } else print({ name: 'statement', verdict: 'ok', detail });
      ok = true;
    }
  } catch (e) {
    print(failed('statement', e, `import it again: ${prefix} statement import FILE`));
  }

  // 2. credentials
  if (ok) {
    ok = false;
    try {
      const stored = await session.peekCredentials();
      const creds = await session.getCredentials(); // registers when none are stored (or they belong to another statement)
      const how = stored?.clientId === creds.clientId ? 'stored' : 'just registered';
      print({ name: 'credentials', verdict: 'ok', detail: `client_id ${creds.clientId} (${how})` });
      ok = true;
    } catch (e) {
      print(failed('credentials', e));
    }
  } else skip('credentials', 'needs a software statement');

  // 3. token
  let tokenOk = false;
  if (ok) {
    try {
      const t = await session.getToken();
      const left = t.expiresAt - Date.now();
      print({ name: 'token', verdict: 'ok', detail: `valid for ${formatRemaining(left)}, scopes: ${t.scopes.join(', ') || '(none)'}` });
      tokenOk = true;
    } catch (e) {
      print(failed('token', e));
    }
  } else skip('token', 'needs client credentials');

  // 5 (measured before 4 is printed: it also gives a server Date when everything came from the store)
  let cmuStep: Step;
  if (!tokenOk) cmuStep = { name: 'cmu', verdict: 'skip', detail: 'needs an access token' };
  else if (!env.cmuBase) cmuStep = failed('cmu', new InputError('no CMU base URL is set', 'Reports are served from the CMU base (…/cmu/v2).', 'openSettings', 'no_cmu_base'), 'pass --cmu-url https://…/cmu/v2 or set CMU_API_URL');
  else {
    try {
      const r = await ctx.cmu.fetchReport(emptyQuery([]));
      cmuStep = { name: 'cmu', verdict: 'ok', detail: `GET ${env.cmuBase} answered with ${r.rows.length} row${r.rows.length === 1 ? '' : 's'}` + (r.links.drillDown.length ? `; drill down: ${r.links.drillDown.map((l) => l.name).join(', ')}` : '') };
    } catch (e) {
      cmuStep = failed('cmu', e);
    }
  }

  // 4. clock skew
  const skews = ctx.http.skews;
  if (skews.length === 0) print({ name: 'clock', verdict: 'skip', detail: 'no server answered with a Date header' });
  else print(clockStep(skews[skews.length - 1].skewMs));
  print(cmuStep);

  const firstFail = steps.find((s) => s.verdict === 'fail');
  if (!firstFail) {
    ctx.out(steps.some((s) => s.verdict === 'warn') ? 'The chain works, with warnings.' : 'Everything works.');
    return 0;
  }
  ctx.out(`The chain breaks at: ${firstFail.name}.`);
  return firstFail.error ? exitCodeFor(firstFail.error) : 1;
}
