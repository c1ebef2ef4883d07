import { SKEW_RESOLUTION_MS, skewVerdict } from '../../core/clock';
import { zoneLabel } from '../../core/cmu/time/zone';
import { CmuError, describeError, type NextStep } from '../../core/errors';
import { parseStatement } from '../../core/statement';
import { formatRemaining, type TokenInfo } from '../../core/token';
import type { Environment } from '../../core/environments';
import { bodyExcerpt } from '../../core/http';
import type { Session } from '../../core/session';
import type { Services } from '../host/services';

export interface DiagnoseStep {
  name: string;
  ok: boolean;
  detail: string;
  /** what to do about it (failed steps) */
  fix?: string;
}

export interface DiagnoseResult {
  environment: string;
  profile: string;
  /** the report time zone as shown (cmu.reportTimeZone), or why the setting is unusable */
  timeZone?: string;
  steps: DiagnoseStep[];
}

/** the verdict for local time − server Date (ms) */
export function clockStep(skewMs: number): DiagnoseStep {
  const abs = Math.abs(skewMs);
  const detail =
    abs < SKEW_RESOLUTION_MS
      ? 'this machine and the server agree (within the Date header resolution)'
      : `this machine's clock is ${formatRemaining(abs)} ${skewMs > 0 ? 'ahead of' : 'behind'} the server`;
  const verdict = skewVerdict(skewMs);
  if (verdict === 'ok') return { name: 'clock', ok: true, detail };
  return {
    name: 'clock',
    ok: verdict === 'warn',
    detail: verdict === 'warn' ? `${detail} (warning)` : detail,
    fix: 'Synchronise the system clock (NTP): token expiry is computed on it, so a token looks valid after the server stopped accepting it, or expires early.',
  };
}

const FIXES: Partial<Record<NextStep, string>> = {
  importStatement: 'Run "CMU: Import Software Statement…" with the statement downloaded from the TVE Dashboard.',
  register: 'Run "CMU: Register Client".',
  getToken: 'Run "CMU: Get Access Token".',
  openSettings: 'Check the endpoint settings (cmu.<environment>.dcrOrigin / cmu.<environment>.cmuBase) in your USER settings.',
  contactAdobe: 'Ask Adobe (TVE Dashboard owner / support) to check the registered application; attach the output of "CMU: Show Log" (it is redacted).',
  retry: 'Try again in a minute.',
  showLog: 'Look at "CMU: Show Log" for the exchange.',
};

function failure(name: string, e: unknown, fallbackFix: string): DiagnoseStep {
  // a specific next step (import, register, settings, Adobe) wins; generic ones (retry, log) say less than the step's own fix
  const specific = e instanceof CmuError && !['retry', 'showLog', 'diagnose', 'none'].includes(e.nextStep) ? FIXES[e.nextStep] : undefined;
  const fix = specific ?? fallbackFix;
  return { name, ok: false, detail: describeError(e).split('\n')[0], fix };
}

function skipped(name: string, because: string): DiagnoseStep {
  return { name, ok: false, detail: `not checked: ${because}` };
}

/**
 * Runs the chain step by step: environment → statement present and well-formed → client credentials →
 * access token → clock skew (server Date header) → one CMU call. Stops checking what depends on a
 * failed step. The token is only ever sent to the environment's CMU base.
 */
export async function diagnose(services: Services, signal?: AbortSignal): Promise<DiagnoseResult> {
  const settings = services.settings();
  const result: DiagnoseResult = { environment: settings.environment, profile: settings.profile, timeZone: timeZoneText(services), steps: [] };
  const steps = result.steps;
  const all = ['statement', 'credentials', 'token', 'clock', 'cmu'];
  const skipRest = (from: string, because: string) => {
    for (const n of all.slice(all.indexOf(from))) steps.push(skipped(n, because));
    return result;
  };

  // 1. environment
  let session: Session;
  let env: Environment;
  try {
    session = await services.session();
    env = session.env;
    steps.push({
      name: 'environment',
      ok: true,
      detail: `${env.name}/${session.profile}: DCR ${env.dcrOrigin}, CMU ${env.cmuBase ?? '(not set)'}`,
    });
  } catch (e) {
    steps.push(failure('environment', e, FIXES.openSettings!));
    return skipRest('statement', 'no usable environment');
  }

  // 2. statement
  const text = await session.getStatement();
  if (!text) {
    steps.push({
      name: 'statement',
      ok: false,
      detail: `no software statement is stored for ${env.name}/${session.profile}`,
      fix: FIXES.importStatement,
    });
    return skipRest('credentials', 'no software statement');
  }
  try {
    const info = parseStatement(text);
    const id = info.fields.find((f) => /software_id|client_name/.test(f.name));
    steps.push({
      name: 'statement',
      ok: true,
      detail: `well-formed ${info.alg} statement${id ? ` (${id.name} ${id.display})` : ''}${info.warnings.length ? `; warnings: ${info.warnings.join('; ')}` : ''}`,
    });
  } catch (e) {
    steps.push(failure('statement', e, FIXES.importStatement!));
    return skipRest('credentials', 'the software statement is not usable');
  }

  // 3. credentials
  try {
    const cached = await session.peekCredentials();
    const creds = cached ?? (await session.getCredentials({ signal }));
    steps.push({ name: 'credentials', ok: true, detail: `${cached ? 'stored' : 'registered now'}: client id ${creds.clientId}` });
  } catch (e) {
    steps.push(failure('credentials', e, `Check that ${env.dcrOrigin} is Adobe's DCR host for this environment and reachable (proxy, VPN), then run "CMU: Register Client".`));
    return skipRest('token', 'no client credentials');
  }

  // 4. token
  let token: TokenInfo;
  try {
    const cached = await session.peekToken();
    const fresh = cached && cached.expiresAt > Date.now();
    token = fresh ? cached : await session.getToken({ signal });
    steps.push({
      name: 'token',
      ok: true,
      detail: `${fresh ? 'stored' : 'obtained now'}, valid for ${formatRemaining(token.expiresAt - Date.now())}; scopes: ${token.scopes.join(', ') || '(none stated)'}`,
    });
  } catch (e) {
    steps.push(failure('token', e, 'Run "CMU: Register Client", then "CMU: Get Access Token".'));
    return skipRest('clock', 'no access token');
  }

  // 5. clock skew from the server's Date header (no credentials sent)
  try {
    const res = await services.http.request({ method: 'GET', url: env.dcrOrigin + '/', signal, timeoutMs: 15_000 });
    await res.text().catch(() => '');
    if (!res.serverDate) {
      steps.push({ name: 'clock', ok: true, detail: 'the server sent no Date header; skew not measured' });
    } else {
      steps.push(clockStep(res.receivedAt - res.serverDate.getTime()));
    }
  } catch (e) {
    steps.push(failure('clock', e, `Check that ${env.dcrOrigin} is reachable.`));
  }

  // 6. one CMU call: the root, with the token
  if (!env.cmuBase) {
    steps.push({
      name: 'cmu',
      ok: false,
      detail: `no CMU base URL is set for ${env.name}`,
      fix: `Set cmu.${env.name}.cmuBase in your user settings.`,
    });
    return result;
  }
  const call = async (t: TokenInfo) => {
    const t0 = Date.now();
    const res = await services.http.request({
      method: 'GET',
      url: env.cmuBase!,
      headers: { Authorization: `Bearer ${t.accessToken}`, Accept: 'application/json' },
      signal,
    });
    const body = await res.text().catch(() => '');
    return { res, body, ms: Date.now() - t0 };
  };
  try {
    const { res, body, ms } = await call(token);
    const html = /html/i.test(res.contentType) || /^\s*<(!doctype|html)/i.test(body);
    if (res.status >= 200 && res.status < 300 && !html) {
      steps.push({ name: 'cmu', ok: true, detail: `GET ${env.cmuBase} → ${res.status} (${res.contentType || 'no content type'}) in ${ms} ms` });
    } else if (res.status === 401) {
      steps.push({
        name: 'cmu',
        ok: false,
        detail: `GET ${env.cmuBase} → 401: CMU rejected the access token (revoked, expired at the server, or issued for another environment)`,
        fix: 'Run "CMU: Refresh Access Token". Diagnose tried it: see the next step.',
      });
      try {
        const fresh = await session.getToken({ forceRefresh: true, signal });
        const again = await call(fresh);
        const ok = again.res.status >= 200 && again.res.status < 300;
        steps.push({
          name: 'cmu (fresh token)',
          ok,
          detail: ok ? `a new token works (${again.res.status}); the stored token was replaced` : `still ${again.res.status} with a new token`,
          ...(ok ? {} : { fix: FIXES.contactAdobe }),
        });
      } catch (e) {
        steps.push(failure('cmu (fresh token)', e, FIXES.contactAdobe!));
      }
    } else if (html) {
      steps.push({
        name: 'cmu',
        ok: false,
        detail: `GET ${env.cmuBase} → ${res.status} with a web page, not a CMU report: this is not a CMU host`,
        fix: `Check cmu.${env.name}.cmuBase (production: https://mgmt.auth.adobe.com/cmu/v2).`,
      });
    } else {
      const why =
        res.status === 403
          ? 'the token is valid but not allowed to read CMU (scope or tenant)'
          : res.status === 404
            ? 'no CMU API at this path'
            : `unexpected answer: ${services.http.redact(bodyExcerpt(body, res.contentType, 160))}`;
      steps.push({
        name: 'cmu',
        ok: false,
        detail: `GET ${env.cmuBase} → ${res.status}: ${why}`,
        fix: res.status === 403 ? FIXES.contactAdobe : res.status === 404 ? FIXES.openSettings : FIXES.showLog,
      });
    }
  } catch (e) {
    steps.push(failure('cmu', e, `Check that ${env.cmuBase} is reachable and is the CMU base for ${env.name}.`));
  }
  return result;
}

function timeZoneText(services: Services): string {
  try {
    return zoneLabel(services.reportZone(), Date.now());
  } catch (e) {
    return (e as Error).message;
  }
}

export function diagnoseReport(r: DiagnoseResult, when = new Date()): string {
  const failed = r.steps.filter((s) => !s.ok && !s.detail.startsWith('not checked'));
  const lines = [
    `# CMU connection diagnosis — ${r.environment}/${r.profile}`,
    '',
    `${when.toISOString()} · ${failed.length ? `${failed.length} problem${failed.length > 1 ? 's' : ''} found` : 'everything works'}`,
    '',
  ];
  if (r.timeZone) lines.push(`Report time zone: ${r.timeZone} (setting cmu.reportTimeZone: report start/end and time buckets are read in it)`, '');
  for (const s of r.steps) {
    lines.push(`${s.ok ? '✔' : s.detail.startsWith('not checked') ? '·' : '✘'} **${s.name}** — ${s.detail}`);
    if (s.fix) lines.push(`  - Fix: ${s.fix}`);
  }
  lines.push('', 'Secrets are never shown here; the request log ("CMU: Show Log") is redacted and safe to share.', '');
  return lines.join('\n');
}
