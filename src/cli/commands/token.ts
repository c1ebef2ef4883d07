/** `cmu register` (prints client_id only) and `cmu token [--refresh] [--print]`. */
import { describeToken, type TokenInfo } from '../../core/token';
import type { CliContext } from '../context';
import { formatPairs, sanitize } from '../output';
import { noStatement } from './statement';

export async function register(ctx: CliContext): Promise<void> {
  if (!(await ctx.session.getStatement())) throw noStatement(ctx);
  const creds = await ctx.session.register();
  ctx.out(`client_id: ${sanitize(creds.clientId)}`);
}

/** expiry, "valid for 5h 12m", scopes — never the token itself. */
export function tokenSummary(t: TokenInfo, now = Date.now()): string {
  return formatPairs(describeToken(t, now).fields.map((f) => [f.name, f.display] as [string, string]));
}

export async function token(ctx: CliContext, opts: { refresh?: boolean; print?: boolean }): Promise<void> {
  if (!(await ctx.session.getStatement()) && !(await ctx.session.peekCredentials())) throw noStatement(ctx);
  if (opts.refresh) {
    // `token --refresh` with a new --cmu-url is the explicit consent to get a token for that host (the
    // statement and credentials are stored per DCR origin, so only the token can be pinned elsewhere)
    const changes = await ctx.session.originChanges();
    if (changes.length > 0 && changes.every((c) => c.item === 'token')) {
      await ctx.session.confirmOriginChange();
      for (const c of changes) ctx.err(`note: the token obtained for ${c.pinned} is forgotten; getting one for ${c.current}`);
    }
  }
  const t = await ctx.session.getToken({ forceRefresh: !!opts.refresh });
  if (opts.print) {
    ctx.io.out(t.accessToken + '\n');
    return;
  }
  ctx.out(tokenSummary(t));
}
