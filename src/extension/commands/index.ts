import type { ServicesImpl } from '../servicesImpl';
import type { ReadonlyDocs } from '../readonlyDoc';
import { registerStatementCommands } from './statement';
import { registerTokenCommands } from './token';
import { registerEnvironmentCommands } from './environment';
import { registerSandboxCommands } from './sandbox';
import { registerDiagnoseCommands } from './diagnose';

/** the issue-4 commands (IDs, arguments and results are a public scripting contract: see README) */
export function registerCoreCommands(services: ServicesImpl, docs: ReadonlyDocs): void {
  const ctx = { services, docs };
  registerStatementCommands(ctx);
  registerTokenCommands(ctx);
  registerEnvironmentCommands(ctx);
  registerSandboxCommands(ctx);
  registerDiagnoseCommands(ctx);
}
