/**
 * `cmu demo` (what `npm run demo` runs): the whole flow against the embedded sandbox, in-process —
 * import its statement, register, get a token, print the token summary, fetch a real CMU report and
 * print it as a table, stop the sandbox. Uses a temporary store unless --store is given.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emptyQuery, queryToHref, timeRange } from '../../core/cmu/query';
import { resolveEnvironment } from '../../core/environments';
import { Sandbox } from '../../sandbox/server';
import { CliContext } from '../context';
import { renderTable } from './reportTable';
import { tokenSummary } from './token';

export async function demo(ctx: CliContext): Promise<void> {
  const tmp = ctx.opts.store ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-demo-'));
  const sb = await Sandbox.start({ port: 0, host: '127.0.0.1' });
  try {
    const env = resolveEnvironment('sandbox', { dcrOrigin: sb.dcrOrigin, cmuBase: sb.cmuBase });
    const c = new CliContext({ ...ctx.opts, store: ctx.opts.store ?? path.join(tmp!, 'store') }, ctx.io, env);
    c.out(`1. Sandbox started: DCR ${sb.dcrOrigin}, CMU ${sb.cmuBase}`);
    c.out(`   store: ${c.storeDir}${tmp ? ' (temporary)' : ''}`);

    const info = await c.session.importStatement(sb.statement);
    c.out(`2. Software statement imported: ${info.alg}, sub ${String(info.claims.sub)}${info.kid ? `, kid ${info.kid}` : ''}`);

    const creds = await c.session.register();
    c.out(`3. Client registered: client_id ${creds.clientId}`);

    const t = await c.session.getToken();
    c.out('4. Access token obtained:');
    c.out(indent(tokenSummary(t)));

    const q = emptyQuery(['tenant', 'year', 'month', 'day']);
    const range = timeRange('last7d');
    q.start = range.start;
    q.end = range.end;
    q.metrics = ['active-users', 'active-sessions', 'started-sessions', 'completed-sessions', 'failed-attempts'];
    c.out(`5. CMU report ${queryToHref(q)}`);
    const r = await c.cmu.fetchReport(q);
    c.out('');
    c.out(renderTable(r, { query: q }));
    c.out('');
    c.out('Next: `node dist/cli.js sandbox` keeps a sandbox running for every other command (see `node dist/cli.js --help`).');
  } finally {
    await sb.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => '   ' + l)
    .join('\n');
}
