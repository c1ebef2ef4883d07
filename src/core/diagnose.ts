/**
 * The one diagnosis chain: environment → statement → credentials → token → clock → one CMU call through
 * CmuClient (its origin check, 401 refresh-and-retry and alternate base prefix apply). `cmu doctor` and
 * the extension's Diagnose Connection only render these steps; each front words `nextStep` its own way.
 * A step that depends on a failed one is `skipped`, never checked.
 */
import { SKEW_RESOLUTION_MS, formatRemaining, skewVerdict } from './clock';
import { CmuClient } from './cmu/client';
import { emptyQuery } from './cmu/query';
import { billingScope, cmuScopes, missingScopes, scopeAdvice, type CmuScope } from './cmu/scopes';
import { CmuError, InputError, type NextStep } from './errors';
import type { HttpClient } from './http';
import type { Session } from './session';

export type DiagnoseVerdict = 'ok' | 'warn' | 'fail' | 'skipped';

export interface DiagnoseStep {
  name: string;
  verdict: DiagnoseVerdict;
  detail: string;
  /** what the user can do, for the front's own wording (a button, a command line) */
  nextStep?: NextStep;
  /** why it matters, in plain words */
  why?: string;
  /** a fix the front-specific table has no words for (e.g. synchronise the clock) */
  fix?: string;
  /** the failure itself (exit code of `cmu doctor`); never shown as such */
  error?: unknown;
}

export interface DiagnoseOptions {
  /** the session of the current environment; throws when the settings give no usable environment */
  session: () => Promise<Session>;
  http: HttpClient;
  signal?: AbortSignal;
}

export const DIAGNOSE_STEPS = ['environment', 'statement', 'credentials', 'token', 'clock', 'cmu'] as const;

const CLOCK_WHY =
  'Token expiry is computed on the local clock and tokens are refreshed 5 minutes before they expire; a skew this large makes a token look valid after the server stopped accepting it (or expire too early).';

/** The verdict for this machine's clock minus the server's Date (ms): positive means this machine is ahead. */
export function clockStep(skewMs: number): DiagnoseStep {
  const abs = Math.abs(skewMs);
  const detail =
    abs < SKEW_RESOLUTION_MS
      ? "this machine's clock matches the server (within the Date header resolution)"
      : `this machine's clock is ${formatRemaining(abs)} ${skewMs > 0 ? 'ahead of' : 'behind'} the server`;
  const verdict = skewVerdict(skewMs);
  if (verdict === 'ok') return { name: 'clock', verdict, detail };
  return { name: 'clock', verdict, detail, why: CLOCK_WHY, fix: 'synchronise the system clock (NTP), e.g. `timedatectl set-ntp true` or the OS date & time settings' };
}

/**
 * Issue 9 (host guidance): the docs name https://mgmt.auth.adobe.com/cmu/v2, Adobe's own DCR sample call
 * went to a CM reports host (…/v2); which one serves an account is not public.
 */
export const HOST_GUIDANCE =
  'Adobe may have given your account another CMU host than the documented https://mgmt.auth.adobe.com/cmu/v2 (Adobe\'s own DCR sample used a CM reports host ending in /v2): ' +
  'ask Adobe which CMU base serves your registered application and set it; both base forms (…/cmu/v2 and …/v2) work.';

function failed(name: string, e: unknown, fallback: NextStep = 'showLog'): DiagnoseStep {
  const ce = e instanceof CmuError ? e : undefined;
  // a specific next step (import, register, settings, Adobe) wins over a generic one (retry, log)
  const specific = ce && !['retry', 'showLog', 'diagnose', 'none'].includes(ce.nextStep) ? ce.nextStep : undefined;
  return { name, verdict: 'fail', detail: e instanceof Error ? e.message : String(e), why: ce?.explanation, nextStep: specific ?? fallback, error: e };
}

/** A CMU root failure that a wrong host explains: 404, a 401 that a fresh token did not cure, an unresolvable name. */
function wrongHostLikely(e: unknown): boolean {
  if (!(e instanceof CmuError)) return false;
  const status = (e as { status?: number }).status;
  if (status === 404 || status === 401) return true;
  if (e.code === 'bad_response' && /HTML page/.test(e.message)) return true; // a web page, not a CMU host
  return e.code === 'network' && /could not be resolved/.test(e.explanation);
}

/** Runs the chain; never throws (a failure is a step). */
export async function runDiagnosis(opts: DiagnoseOptions): Promise<DiagnoseStep[]> {
  const { signal, http } = opts;
  const steps: DiagnoseStep[] = [];
  const skipRest = (because: string): DiagnoseStep[] => {
    for (const n of DIAGNOSE_STEPS.slice(steps.length)) steps.push({ name: n, verdict: 'skipped', detail: because });
    return steps;
  };

  // 1. environment
  let session: Session;
  try {
    session = await opts.session();
    const env = session.env;
    steps.push({ name: 'environment', verdict: 'ok', detail: `${env.name}/${session.profile}: DCR ${env.dcrOrigin}, CMU ${env.cmuBase ?? '(not set)'}` });
  } catch (e) {
    steps.push(failed('environment', e, 'openSettings'));
    return skipRest('needs a usable environment');
  }
  const env = session.env;

  // 2. statement
  try {
    const info = (await session.getStatement()) ? await session.describeStatement() : undefined;
    if (!info) {
      steps.push(
        failed(
          'statement',
          new InputError(`no software statement is stored for ${env.name}/${session.profile}`, 'Every other step needs it: it is what registers a client.', 'importStatement', 'no_statement'),
        ),
      );
      return skipRest('needs a software statement');
    }
    const sub = typeof info.claims.sub === 'string' ? info.claims.sub : JSON.stringify(info.claims.sub);
    const detail = `${info.alg} statement for sub ${sub}${info.kid ? `, kid ${info.kid}` : ''}`;
    if (info.warnings?.length) steps.push({ name: 'statement', verdict: 'warn', detail, why: info.warnings.join('; '), nextStep: 'importStatement' });
    else steps.push({ name: 'statement', verdict: 'ok', detail });
  } catch (e) {
    steps.push(failed('statement', e, 'importStatement'));
    return skipRest('needs a usable software statement');
  }

  // 3. credentials (registers when none are stored, or they belong to another statement)
  try {
    const stored = await session.peekCredentials();
    const creds = await session.getCredentials({ signal });
    steps.push({ name: 'credentials', verdict: 'ok', detail: `client_id ${creds.clientId} (${stored?.clientId === creds.clientId ? 'stored' : 'registered now'})` });
  } catch (e) {
    // an unreachable DCR host is a settings question; anything else is fixed by registering again
    steps.push(failed('credentials', e, e instanceof CmuError && (e.code === 'network' || e.code === 'timeout') ? 'openSettings' : 'register'));
    return skipRest('needs client credentials');
  }

  // 4. token
  let tokenBefore: string;
  try {
    const stored = await session.peekToken();
    const t = await session.getToken({ signal });
    tokenBefore = t.accessToken;
    const how = stored?.accessToken === t.accessToken ? 'stored' : 'obtained now';
    const valid = `${how}, valid for ${formatRemaining(t.expiresAt - Date.now())}`;
    // the scopes against what CMU needs: advice (the server's 403 decides), a warning when one is missing
    const missing = t.scopes.length ? missingScopes(t.scopes) : [];
    const needs = (m: CmuScope) => `${m.name} (${m.name === billingScope().name ? 'billing/daily needs it' : 'every report but billing/daily needs it'})`;
    steps.push({
      name: 'token',
      verdict: missing.length ? 'warn' : 'ok',
      detail:
        `${valid}; token scopes: ${t.scopes.join(', ') || '(none stated; the server\'s 403 will name a missing one)'}` +
        (missing.length ? `; missing ${missing.map(needs).join(', ')}` : t.scopes.length ? `; CMU needs ${cmuScopes().map((c) => c.name).join(' and ')}: granted` : ''),
      ...(missing.length ? { fix: missing.map(scopeAdvice).join(' ') } : {}),
    });
  } catch (e) {
    steps.push(failed('token', e, 'getToken'));
    return skipRest('needs an access token');
  }

  // 5. clock: the DCR server's Date header (no credentials sent)
  try {
    const res = await http.request({ method: 'GET', url: env.dcrOrigin + '/', signal, timeoutMs: 15_000 });
    await res.text().catch(() => '');
    if (!res.serverDate) steps.push({ name: 'clock', verdict: 'skipped', detail: 'the server sent no Date header; skew not measured' });
    else steps.push(clockStep(res.receivedAt - res.serverDate.getTime()));
  } catch (e) {
    steps.push({ ...failed('clock', e, 'retry'), verdict: 'warn' });
  }

  // 6. one CMU call: the root, through CmuClient
  if (!env.cmuBase) {
    steps.push(failed('cmu', new InputError(`no CMU base URL is set for ${env.name}`, `Reports are served from the CMU base (…/cmu/v2). ${HOST_GUIDANCE}`, 'openSettings', 'no_cmu_base')));
    return steps;
  }
  try {
    const cmu = new CmuClient({ http, session, cmuBase: env.cmuBase });
    const r = await cmu.fetchReport(emptyQuery(), { signal });
    const replaced = (await session.peekToken())?.accessToken !== tokenBefore ? '; the stored token was refused and replaced by a fresh one' : '';
    steps.push({
      name: 'cmu',
      verdict: 'ok',
      detail:
        `GET ${cmu.cmuBase} answered with ${r.rows.length} row${r.rows.length === 1 ? '' : 's'}` +
        (r.links.drillDown.length ? `; drill down: ${r.links.drillDown.map((l) => l.name).join(', ')}` : '') +
        replaced,
    });
  } catch (e) {
    const step = failed('cmu', e);
    if (wrongHostLikely(e)) {
      step.why = [step.why, HOST_GUIDANCE].filter(Boolean).join(' ');
      step.nextStep = 'openSettings';
    }
    steps.push(step);
  }
  return steps;
}
