import * as vscode from 'vscode';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../core/environments';
import { InputError } from '../../core/errors';
import { secretKey } from '../../core/store';
import { writeUserSetting } from '../config';
import type { ServicesImpl } from '../servicesImpl';
import { registerCommand, options, type CommandContext } from './util';

type Scope = 'all' | 'token' | 'credentials' | 'statement';
const SCOPES: readonly Scope[] = ['all', 'token', 'credentials', 'statement'];

export const ENV_DESCRIPTIONS: Record<EnvironmentName, string> = {
  production: 'Adobe Pass production (sp.auth.adobe.com, mgmt.auth.adobe.com)',
  staging: 'Adobe Pass staging (set the CMU base in your user settings)',
  sandbox: 'local emulator on 127.0.0.1 — no licence needed, starts now',
  custom: 'hosts from your user settings (cmu.custom.*)',
};

/** makes `target` the current environment (user setting); the sandbox starts and imports its statement */
export async function switchEnvironment(services: ServicesImpl, target: EnvironmentName) {
  if (target !== 'sandbox') services.environment(target); // throws with a fix when its hosts are not usable
  await writeUserSetting('environment', target);
  services.reloadSettings(); // do not wait for the configuration event
  let env = services.environment(target);
  if (target === 'sandbox') {
    const { session } = await services.startSandbox();
    env = session.env;
  }
  services.extLog.info(`environment: ${target}`);
  services.fire();
  return { environment: target, dcrOrigin: env?.dcrOrigin, cmuBase: env?.cmuBase };
}

export function registerEnvironmentCommands(ctx: CommandContext): void {
  const { services } = ctx;

  registerCommand(ctx, 'cmu.switchEnvironment', async (name?: unknown) => {
    let target: EnvironmentName | undefined;
    if (typeof name === 'string') {
      if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
        throw new InputError(`Unknown environment "${name}"`, `Use one of: ${ENVIRONMENT_NAMES.join(', ')}.`, 'none', 'bad_environment');
      }
      target = name as EnvironmentName;
    } else {
      const current = services.settings().environment;
      services.extLog.trace('asking: environment');
      const pick = await vscode.window.showQuickPick(
        ENVIRONMENT_NAMES.map((n) => ({ label: n, description: n === current ? '(current)' : '', detail: ENV_DESCRIPTIONS[n], n })),
        { title: 'Switch CMU Environment', placeHolder: `Current: ${current}` },
      );
      if (!pick) return undefined;
      target = pick.n;
    }
    return switchEnvironment(services, target);
  });

  registerCommand(ctx, 'cmu.forgetCredentials', async (arg?: unknown) => {
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
    const where = `${environment}/${profile}`;
    if (scope === undefined) {
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
      const ok = await vscode.window.showWarningMessage(
        `Forget ${pick.label.toLowerCase()} for ${where}?`,
        { modal: true, detail: 'They are removed from VS Code secret storage. This cannot be undone.' },
        'Forget',
      );
      if (ok !== 'Forget') return undefined;
      scope = pick.scope;
    }
    const current = services.peekSession();
    if (current && current.env.name === environment && current.profile === profile) {
      await current.forget(scope);
    } else {
      // another environment/profile: remove its entries directly (no session, no network)
      const items: ('statement' | 'credentials' | 'token')[] =
        scope === 'token' ? ['token'] : scope === 'credentials' ? ['credentials', 'token'] : ['statement', 'credentials', 'token'];
      for (const item of items) await services.store.delete(secretKey(environment, profile, item));
    }
    services.extLog.info(`forgot ${scope} for ${where}`);
    services.fire();
    return { environment, profile, scope };
  });
}
