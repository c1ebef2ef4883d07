/**
 * `cmu sandbox [--port N] [--statement-out FILE] [--scopes S1,S2]`: the local emulator of the Adobe endpoints in the
 * foreground until SIGINT/SIGTERM. Its statement goes into the store (profile of this run) and, with
 * --statement-out, into a 0600 file; the commands to use it are printed.
 */
import { resolveEnvironment } from '../../core/environments';
import { fixedZoneId, parseZone, zoneLabel } from '../../core/cmu/time/zone';
import { cmuScopes } from '../../core/cmu/scopes';
import { InputError } from '../../core/errors';
import { Sandbox } from '../../sandbox/server';
import { CliContext } from '../context';
import { writeFileAtomic } from '../fileStore';

export function parsePort(s: string | undefined): number {
  if (s === undefined) return 0;
  if (!/^\d+$/.test(s.trim()) || Number(s) > 65535) {
    throw new InputError(`Bad --port ${s}`, 'Give a port number between 0 and 65535 (0 picks a free one).', 'none', 'bad_usage');
  }
  return Number(s);
}

/**
 * `--scopes analytics,billing` or full names (`cmu:billing:client`, any other scope too): what the
 * sandbox's registered application is granted. Undefined: both CMU scopes.
 */
export function parseScopesOption(s: string | undefined): string[] | undefined {
  if (s === undefined) return undefined;
  const names = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => cmuScopes().find((c) => c.name === `cmu:${x}:client`)?.name ?? x);
  if (names.length === 0 || names.some((n) => !/^[\w:.-]+$/.test(n))) {
    throw new InputError(`Bad --scopes ${s}`, `Give scope names separated by commas: analytics, billing, or full names such as ${cmuScopes().map((c) => c.name).join(', ')}.`, 'none', 'bad_usage');
  }
  return [...new Set(names)];
}

export async function sandbox(ctx: CliContext, opts: { port?: string; statementOut?: string; scopes?: string }, signals: NodeJS.EventEmitter = process): Promise<void> {
  const port = parsePort(opts.port);
  const scopes = parseScopesOption(opts.scopes);
  let sb: Sandbox;
  try {
    sb = await Sandbox.start({ port, host: '127.0.0.1', timeZone: fixedZoneId(ctx.zone), ...(scopes ? { scopes } : {}) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new InputError(`Cannot listen on 127.0.0.1:${port} (${code})`, 'Pick another --port, or --port 0 for a free one.', 'none', 'port_unavailable');
    }
    throw e;
  }
  const stopped = new Promise<string>((resolve) => {
    signals.once('SIGINT', () => resolve('SIGINT'));
    signals.once('SIGTERM', () => resolve('SIGTERM'));
  });
  try {
    const env = resolveEnvironment('sandbox', { dcrOrigin: sb.dcrOrigin, cmuBase: sb.cmuBase });
    // The statement is ready in the store for this endpoint pair, so `register` works right away.
    const scoped = new CliContext({ ...ctx.opts, dcrUrl: sb.dcrOrigin, cmuUrl: sb.cmuBase }, ctx.io, env);
    await scoped.session.importStatement(sb.statement);
    if (opts.statementOut) {
      try {
        await writeFileAtomic(opts.statementOut, sb.statement + '\n', 0o600);
      } catch {
        throw new InputError(`Cannot write ${opts.statementOut}`, 'Check that the directory exists and is writable.', 'none', 'out_unwritable');
      }
    }
    const prefix = scoped.commandPrefix;
    ctx.out(`Sandbox running (Ctrl+C to stop)`);
    ctx.out(`  dcr origin: ${sb.dcrOrigin}`);
    ctx.out(`  cmu base:   ${sb.cmuBase}`);
    ctx.out(`  jwks:       ${sb.jwksUrl}`);
    ctx.out(`  scopes:     ${(scopes ?? cmuScopes().map((c) => c.name)).join(', ')}`);
    ctx.out(`  time zone:  ${zoneLabel(parseZone(fixedZoneId(ctx.zone)), Date.now())} (report times and start/end without a suffix; --tz to change)`);
    if (opts.statementOut) ctx.out(`  statement:  ${opts.statementOut} (0600)`);
    ctx.out(`Its statement is already imported into ${scoped.storeDir} (profile ${scoped.profile}). Use it with:`);
    if (opts.statementOut) ctx.out(`  ${prefix} statement import ${opts.statementOut}   (already done)`);
    ctx.out(`  ${prefix} register`);
    ctx.out(`  ${prefix} token`);
    ctx.out(`  ${prefix} report year/month/day --format table`);
    ctx.out(`  ${prefix} browse year/duration`);
    ctx.out(`  ${prefix} doctor`);
    ctx.out(`(or export CMU_DCR_URL=${sb.dcrOrigin} CMU_API_URL=${sb.cmuBase} and drop the two URL flags)`);
    const sig = await stopped;
    ctx.err(`${sig}: stopping the sandbox`);
  } finally {
    await sb.stop();
  }
}
