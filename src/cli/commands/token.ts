/** `cmu register` (prints client_id only) and `cmu token [--refresh] [--print]`. */
import { describeToken, type TokenInfo } from '../../core/token';
import type { CliContext } from '../context';
import { formatPairs } from '../output';
import { noStatement } from './statement';

export async function register(ctx: CliContext): Promise<void> {
  if (!(await ctx.session.getStatement())) throw noStatement(ctx);
  const creds = await ctx.session.register();
  ctx.out(`client_id: ${creds.clientId}`);
}

/** expiry, "valid for 5h 12m", scopes — never the token itself. */
export function tokenSummary(t: TokenInfo, now = Date.now()): string {
  return formatPairs(describeToken(t, now).fields.map((f) => [f.name, f.display] as [string, string]));
}

export async function token(ctx: CliContext, opts: { refresh?: boolean; print?: boolean }): Promise<void> {
  if (!(await ctx.session.getStatement()) && !(await ctx.session.peekCredentials())) throw noStatement(ctx);
  const t = await ctx.session.getToken({ forceRefresh: !!opts.refresh });
  if (opts.print) {
    ctx.io.out(t.accessToken + '\n');
    return;
  }
  ctx.out(tokenSummary(t));
}
