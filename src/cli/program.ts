/**
 * The `cmu` CLI program (entry: main.ts): a thin front end on the core (argument parsing with commander, one module per
 * command group under ./commands). Exit codes: 0 ok, 1 the server refused or failed, 2 bad usage/input.
 */
import { Command, CommanderError, Option } from 'commander';
import { CLI_VERSION, CliContext, processIo, type GlobalOptions, type Io } from './context';
import { exitCodeFor, formatError } from './output';
import { browse } from './commands/browse';
import { demo } from './commands/demo';
import { doctor } from './commands/doctor';
import { report, type ReportOptions } from './commands/report';
import { sandbox } from './commands/sandbox';
import { statementImport, statementShow } from './commands/statement';
import { register, token } from './commands/token';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Builds the program; `run` receives the chosen command's work and maps its outcome to an exit code. */
export function buildProgram(
  io: Io,
  setExit: (code: number) => void,
  state: { prefix: string; redact?: (text: string) => string } = { prefix: 'cmu' },
): Command {
  const program = new Command('cmu');
  const ctxOf = (cmd: Command): CliContext => new CliContext(cmd.optsWithGlobals<GlobalOptions>(), io);
  const run =
    <A extends unknown[]>(fn: (ctx: CliContext, ...args: A) => Promise<number | void>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const ctx = ctxOf(cmd);
      state.redact = ctx.redact; // the error printed below knows the secrets this run has seen
      try {
        state.prefix = ctx.commandPrefix; // hints in error messages repeat the flags that were used
      } catch {
        /* a bad URL: reported by the command itself */
      }
      const code = await fn(ctx, ...(args.slice(0, -1) as A));
      setExit(typeof code === 'number' ? code : 0);
    };

  program
    .description('Adobe Pass CMU reports from the command line: software statement, client registration, access token, reports.')
    .version(CLI_VERSION, '-V, --version')
    .option('--store <dir>', 'directory for the stored secrets (env CMU_STORE; default: $XDG_CONFIG_HOME or ~/.config, or %APPDATA%, + /cmu-explorer)')
    .option('--profile <name>', 'profile name (env CMU_PROFILE; default: default)')
    .option('--dcr-url <url>', 'DCR origin, e.g. https://sp.auth.adobe.com (env CMU_DCR_URL; default: production)')
    .option('--cmu-url <url>', 'CMU base URL, e.g. https://mgmt.auth.adobe.com/cmu/v2 (env CMU_API_URL)')
    .option('--verbose', 'print the redacted HTTP exchanges (and error stacks) on stderr')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run cmu --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Environment: no URL = production (https://sp.auth.adobe.com, https://mgmt.auth.adobe.com/cmu/v2);
a loopback --dcr-url = sandbox (CMU base defaults to <origin>/cmu/v2); https://sp.auth-staging.adobe.com =
staging (give --cmu-url for reports); any other URL = custom.
CMU_DEVICE_INFO: Base64 X-Device-Info to send instead of the one built for this machine.
Exit codes: 0 ok, 1 the server refused or failed, 2 bad usage or input.`,
    );

  const statement = program.command('statement').description('import or show the software statement');
  statement
    .command('import')
    .argument('<file>', 'the statement file, or - for stdin')
    .description('validate and store a software statement')
    .option('--key <file|url>', 'also check its signature: PEM public key/certificate, JWK or JWKS file, or a JWKS URL (cmu sandbox prints its own)')
    .action(run((ctx, file: string, opts: { key?: string }) => statementImport(ctx, file, opts)));
  statement
    .command('show')
    .description('print the decoded header and claims (signature elided)')
    .action(run((ctx) => statementShow(ctx)));

  program
    .command('register')
    .description('register a client with the stored statement (prints client_id)')
    .action(run((ctx) => register(ctx)));

  program
    .command('token')
    .description('get (or reuse) an access token and print its expiry and scopes')
    .option('--refresh', 'get a new token even if the stored one is still valid')
    .option('--print', 'print the raw access token only (for scripts)')
    .action(run((ctx, opts: { refresh?: boolean; print?: boolean }) => token(ctx, opts)));

  program
    .command('sandbox')
    .description('run the local sandbox in the foreground until Ctrl+C')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)')
    .option('--statement-out <file>', 'write the sandbox software statement to this file (0600)')
    .option('--scopes <list>', 'scopes its application is granted: analytics, billing or full names, comma-separated (default: both CMU scopes)')
    .action(run((ctx, opts: { port?: string; statementOut?: string; scopes?: string }) => sandbox(ctx, opts)));

  program
    .command('doctor')
    .description('check statement → credentials → token → clock → CMU, step by step, with fixes')
    .action(run((ctx) => doctor(ctx)));

  program
    .command('report')
    .argument('<path>', 'report path (tenant/year/month, /cmu/v2/tenant/year, or a pasted CMU URL)')
    .description('fetch a CMU report')
    .option('--filter <dim=value>', 'filter DIM=VALUE or DIM!=VALUE (repeat: IN / NOT IN)', collect)
    .option('--dimension <dim>', 'add a dimension to the GROUP BY (projection; repeatable)', collect)
    .option('--start <iso>', 'start, ISO 8601 (prefixes allowed)')
    .option('--end <iso>', 'end, ISO 8601 (prefixes allowed)')
    .option('--metrics <m1,m2>', 'comma-separated metrics')
    .option('--limit <n>', 'row cap')
    .addOption(new Option('--format <format>', 'json|csv|xml|table (default: table on a terminal, json otherwise)'))
    .option('--out <file>', 'write to FILE, streamed (csv/xml: the server bytes as sent; json: pretty-printed)')
    .option('--compare <mode>', 'also fetch an earlier window and show value, previous, Δ, Δ%: previous (the window before, same length), week or month (the same window a week / a month earlier)')
    .option('--include-partial', 'with --compare: keep rows whose time bucket is not complete (left out by default)')
    .option('--max-size <mb>', 'largest report accepted, decoded, in MB (default: 64 for --format table, 4096 when streamed)')
    .option('--max-time <seconds>', 'total time limit of the download (default: none; a body slower than 1 KB/s fails anyway)')
    .action(run((ctx, p: string, opts: ReportOptions) => report(ctx, p, opts)));

  program
    .command('browse')
    .argument('[path]', 'report path (year/duration, /cmu/v2/year, or empty for the root)')
    .description("show a report node's drill-down and roll-up links, dimensions and metrics, as the server returns them")
    .addOption(new Option('--format <format>', 'table|json (default: table on a terminal, json otherwise)'))
    .action(run((ctx, p: string | undefined, opts: { format?: string }) => browse(ctx, p, opts)));

  program
    .command('demo')
    .description('the whole flow against an embedded sandbox (temporary store unless --store)')
    .action(run((ctx) => demo(ctx)));

  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const verbose = argv.includes('--verbose');
  const state: { prefix: string; redact?: (text: string) => string } = { prefix: 'cmu' };
  const program = buildProgram(io, (c) => (code = c), state);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help / --version exit 0; everything else (help shown for a missing command included) is usage: 2.
      // commander already printed the message.
      return e.exitCode === 0 ? 0 : 2;
    }
    io.err(formatError(e, { verbose, prefix: state.prefix, redact: state.redact }) + '\n');
    return exitCodeFor(e);
  }
}
