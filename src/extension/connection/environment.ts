import * as vscode from 'vscode';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../core/environments';
import { InputError } from '../../core/errors';
import { secretKey } from '../../core/store';
import type { SecretItem } from '../host/secretIndex';
import { writeUserSetting } from '../host/config';
import type { Services } from '../host/services';
import { registerCommand, options, type CommandContext } from '../host/commands';
import { Cmd } from '../host/ids';

type Scope = 'all' | 'token' | 'credentials' | 'statement';
const SCOPES: readonly Scope[] = ['all', 'token', 'credentials', 'statement'];

export const ENV_DESCRIPTIONS: Record<EnvironmentName, string> = {
  production: 'Adobe Pass production (sp.auth.adobe.com, mgmt.auth.adobe.com)',
  staging: 'Adobe Pass staging (set the CMU base in your user settings)',
  sandbox: 'local emulator on 127.0.0.1 — no licence needed, starts now',
  custom: 'hosts from your user settings (cmu.custom.*)',
};

/** makes `target` the current environment (user setting); the sandbox starts and imports its statement */
export async function switchEnvironment(services: Services, target: EnvironmentName) {
  if (target !== 'sandbox') services.environment(target); // throws with a fix when its hosts are not usable
  await writeUserSetting('environment', target);
  services.reloadSettings(); // do not wait for the configuration event
  let env = services.environment(target);
  if (target === 'sandbox') {
    const { session } = await services.startSandbox({ byUser: true });
    env = session.env;
  }
  services.log.info(`environment: ${target}`);
  services.notifySessionChanged();
  return { environment: target, dcrOrigin: env?.dcrOrigin, cmuBase: env?.cmuBase };
}

export function registerEnvironmentCommands(ctx: CommandContext): void {
  const { services } = ctx;

  registerCommand(services, Cmd.switchEnvironment, async (name?: unknown) => {
    let target: EnvironmentName | undefined;
    if (typeof name === 'string') {
      if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
        throw new InputError(`Unknown environment "${name}"`, `Use one of: ${ENVIRONMENT_NAMES.join(', ')}.`, 'none', 'bad_environment');
      }
      target = name as EnvironmentName;
    } else {
      const current = services.settings().environment;
      services.log.trace('asking: environment');
      const pick = await vscode.window.showQuickPick(
        ENVIRONMENT_NAMES.map((n) => ({ label: n, description: n === current ? '(current)' : '', detail: ENV_DESCRIPTIONS[n], n })),
        { title: 'Switch CMU Environment', placeHolder: `Current: ${current}` },
      );
      if (!pick) return undefined;
      target = pick.n;
    }
    return switchEnvironment(services, target);
  });

  registerCommand(services, Cmd.forgetCredentials, async (arg?: unknown) => {
    const settings = services.settings();
    let scope: Scope | undefined;
    let environment: EnvironmentName = settings.environment;
    let profile = settings.profile;
    const o = options<{ scope: Scope; environment: EnvironmentName; profile: string }>(arg);
    if (typeof arg === 'string') scope = arg as Scope;
    else if (o.scope) scope = o.scope;
    if (o.environment) environment = o.environment;
    if (o.profile) profile = o.profile;
    if (scope !== undefined && !SCOPES.includes(scope)) {
      throw new InputError(`Unknown scope "${scope}"`, `Use one of: ${SCOPES.join(', ')}.`, 'none', 'bad_scope');
    }
    if (!(ENVIRONMENT_NAMES as readonly string[]).includes(environment)) {
      throw new InputError(`Unknown environment "${environment}"`, `Use one of: ${ENVIRONMENT_NAMES.join(', ')}.`, 'none', 'bad_environment');
    }
    if (scope === undefined) {
      // the palette (or a caller that named only where): where, then what, then a modal confirmation
      if (!o.environment && !o.profile) {
        const target = await pickForgetTarget(services, environment, profile);
        if (!target) return undefined;
        ({ environment, profile } = target);
      }
      const where = `${environment}/${profile}`;
      services.log.trace(`asking: forget what (${where})`);
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Everything', detail: 'statement, client credentials and token', scope: 'all' as Scope },
          { label: 'Access token only', detail: 'the next call gets a new one', scope: 'token' as Scope },
          { label: 'Client credentials and token', detail: 'the next call registers again', scope: 'credentials' as Scope },
          { label: 'Software statement', detail: 'and what was obtained with it', scope: 'statement' as Scope },
        ],
        { title: `Forget Credentials — ${where}`, placeHolder: 'What should be forgotten?' },
      );
      if (!pick) return undefined;
      const ok = await services.confirm(`Forget ${pick.label.toLowerCase()} for ${where}?`, 'They are removed from VS Code secret storage. This cannot be undone.', 'Forget');
      if (!ok) return undefined;
      scope = pick.scope;
    }
    const where = `${environment}/${profile}`;
    const current = await services.peekSession();
    if (current && current.env.name === environment && current.profile === profile) {
      await current.forget(scope);
    } else {
      // another environment/profile: remove its entries directly (no session, no network)
      const items: SecretItem[] = scope === 'token' ? ['token'] : scope === 'credentials' ? ['credentials', 'token'] : ['statement', 'credentials', 'token'];
      for (const item of items) await services.store.delete(secretKey(environment, profile, item));
    }
    services.log.info(`forgot ${scope} for ${where}`);
    services.notifySessionChanged();
    return { environment, profile, scope };
  });
}

const ITEM_WORDS: Record<SecretItem, string> = { statement: 'statement', credentials: 'client credentials', token: 'token' };

/**
 * Asks which environment/profile to forget: the current one first, then every other pair that has
 * something stored (from the secret index, checked against SecretStorage). No question when the
 * current pair is the only one.
 */
async function pickForgetTarget(services: Services, environment: EnvironmentName, profile: string) {
  const index = services.secretIndex;
  const isCurrent = (e: { environment: string; profile: string }) => e.environment === environment && e.profile === profile;
  // the current profile in every environment too: secrets stored before the index existed
  const pairs = [{ environment, profile }, ...ENVIRONMENT_NAMES.map((n) => ({ environment: n, profile })), ...index.entries()];
  const seen = new Set<string>();
  const targets: { environment: EnvironmentName; profile: string; items: SecretItem[] }[] = [];
  for (const p of pairs) {
    const id = JSON.stringify([p.environment, p.profile]);
    if (seen.has(id) || !(ENVIRONMENT_NAMES as readonly string[]).includes(p.environment)) continue;
    seen.add(id);
    const items = await index.refresh(services.store, p.environment, p.profile);
    if (items.length || isCurrent(p)) targets.push({ environment: p.environment as EnvironmentName, profile: p.profile, items });
  }
  const order = (e: { environment: string }) => ENVIRONMENT_NAMES.indexOf(e.environment as EnvironmentName);
  const others = targets.filter((t) => !isCurrent(t)).sort((a, b) => order(a) - order(b) || a.profile.localeCompare(b.profile));
  const current = targets.find(isCurrent)!;
  if (!others.length) return current;
  const choices = [current, ...others].map((t) => ({
    label: `${t.environment}/${t.profile}`,
    description: isCurrent(t) ? '(current)' : '',
    detail: t.items.length ? `stored: ${t.items.map((i) => ITEM_WORDS[i]).join(', ')}` : 'nothing stored',
    t,
  }));
  services.log.trace(`asking: forget where (${choices.map((c) => c.label).join(', ')})`);
  const pick = await vscode.window.showQuickPick(choices, { title: 'Forget Credentials', placeHolder: 'For which environment/profile?' });
  return pick?.t;
}
