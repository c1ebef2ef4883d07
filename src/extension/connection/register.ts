import type { Services } from '../host/services';
import type { ReadonlyDocs } from '../host/readonlyDocs';
import { registerStatementCommands } from './statement';
import { registerTokenCommands } from './token';
import { registerEnvironmentCommands } from './environment';
import { registerSandboxCommands } from './sandbox';
import { registerDiagnoseCommands } from './diagnoseCommand';
import { registerConnectionView } from './connectionView';
import { StatusBar } from './statusBar';

/**
 * The connection feature: statement, token, environment, sandbox and diagnose commands (ids, arguments
 * and results are a public scripting contract: see README), the Connection view and the status bar.
 */
export function registerConnection(services: Services, docs: ReadonlyDocs): { statusBar: StatusBar } {
  const ctx = { services, docs };
  registerStatementCommands(ctx);
  registerTokenCommands(ctx);
  registerEnvironmentCommands(ctx);
  registerSandboxCommands(ctx);
  registerDiagnoseCommands(ctx);
  const statusBar = new StatusBar(services);
  services.context.subscriptions.push(statusBar);
  registerConnectionView(services);
  return { statusBar };
}
