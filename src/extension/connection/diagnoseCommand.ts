import { registerCommand, options, type CommandContext } from '../host/commands';
import { Cmd } from '../host/ids';

export function registerDiagnoseCommands(ctx: CommandContext): void {
  const { services } = ctx;
  /** cmu.diagnose({ show?: boolean }) → { steps: [{ name, ok, verdict, detail, nextStep?, why?, fix? }] }; the report opens as a document beside its preview */
  registerCommand(services, Cmd.diagnose, async (arg?: unknown) => {
    const { diagnose, diagnoseReport } = await import('./diagnose'); // the diagnosis chain loads when it runs
    const r = await services.withProgress('Diagnosing the CMU connection…', (signal) => diagnose(services, signal));
    for (const s of r.steps) services.log.info(`diagnose ${s.name}: ${s.verdict} — ${s.detail}`);
    if (options<{ show: boolean }>(arg).show !== false) {
      await ctx.docs.open(`diagnose-${r.environment}-${r.profile}.md`, diagnoseReport(r), 'markdown', { preview: true });
    }
    return { environment: r.environment, profile: r.profile, steps: r.steps };
  });
}
