/**
 * `cmu browse [PATH] [--format table|json]`: the drill-down and roll-up of a report node, from the server's
 * HAL links (one `GET PATH?limit=1`), with the node's dimensions and metrics. When the server cannot be
 * reached the catalog's advice is printed instead, marked as such, and the exit code is 1 (the server
 * did not answer); a 4xx from the server is an error as for `cmu report`.
 */
import { catalogEntryPoints, Discovery, type DiscoveredNode } from '../../core/cmu/discovery';
import { hrefPath } from '../../core/cmu/hal';
import { pathHref } from '../../core/cmu/catalog';
import { requiredScope } from '../../core/cmu/scopes';
import { InputError } from '../../core/errors';
import type { CliContext } from '../context';
import { formatPairs, formatTable, sanitize } from '../output';

export const BROWSE_FORMATS = ['table', 'json'] as const;

export async function browse(ctx: CliContext, pathArg: string | undefined, opts: { format?: string }): Promise<number> {
  let format: (typeof BROWSE_FORMATS)[number] = ctx.io.isTTY ? 'table' : 'json';
  if (opts.format !== undefined) {
    const f = opts.format.trim().toLowerCase();
    if (f !== 'table' && f !== 'json') throw new InputError(`Unknown --format ${opts.format}`, `Use one of ${BROWSE_FORMATS.join(', ')}.`, 'none', 'bad_usage');
    format = f;
  }
  const raw = (pathArg ?? '').trim().replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/)[0];
  const path = hrefPath(raw);
  if (raw.replace(/^\/+/, '').includes('//') || path.some((s) => s.trim() === '')) {
    throw new InputError(`Bad path ${pathArg}`, 'A report path is dimension names separated by single slashes, e.g. year/duration or /cmu/v2/year.', 'none', 'bad_usage');
  }
  const node = await new Discovery(ctx.cmu).node(path);
  if (format === 'json') ctx.io.out(JSON.stringify(node, null, 2) + '\n');
  else ctx.io.out(renderNode(node) + '\n');
  if (node.source === 'catalog') {
    ctx.err(`warning: the server did not answer (${sanitize(node.offlineReason ?? 'unknown error')}); this is the catalog's advice, not what the server serves`);
    return 1;
  }
  return 0;
}

export function renderNode(n: DiscoveredNode): string {
  const lines: string[] = [];
  lines.push(
    formatPairs([
      ['node', pathHref(n.path)],
      ['source', n.source === 'server' ? "server (the node's own links)" : 'catalog (offline advice)'],
      ['roll-up', n.rollUp ? `${n.rollUp.name || '(root)'}  ${n.rollUp.href}` : '(none)'],
      ['dimensions', n.dimensions.join(', ') || '(none)'],
      ['metrics', n.metrics.join(', ') || '(none)'],
      ['scope', requiredScope(n.path).name],
    ]),
  );
  lines.push('');
  if (n.drillDown.length) lines.push(formatTable(['drill-down', 'href'], n.drillDown.map((l) => [l.name, l.href])));
  else lines.push('drill-down: (none: a leaf)');
  if (n.path.length === 0) {
    const extra = catalogEntryPoints().filter((p) => !n.drillDown.some((l) => l.path.join('/') === p.join('/')));
    for (const p of extra) lines.push(`also (catalog): ${pathHref(p)}  needs ${requiredScope(p).name}`);
  }
  return lines.join('\n');
}
