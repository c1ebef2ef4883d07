/**
 * The live next-segment provider for the query pickers and the builder: what may follow `path`, from the
 * server's drill-down links when connected, from the catalog offline. One place so every picker agrees.
 */
import type { Services } from '../host/services';

export interface NextSegment {
  /** the dimension to append */
  name: string;
  /** `server`: a drill-down link of the live answer; `catalog`: the catalog's advice (offline) */
  source: 'server' | 'catalog';
}

/**
 * The steps below `path` (`[]`: the root's, plus billing/daily's first segment when the catalog offers it).
 * A 4xx from the server (no such report, missing scope) is thrown: the caller shows it.
 */
export async function nextSegments(
  services: Pick<Services, 'discover'>,
  path: readonly string[],
  opts: { refresh?: boolean; signal?: AbortSignal } = {},
): Promise<NextSegment[]> {
  const node = await services.discover(path, opts);
  const out: NextSegment[] = [];
  for (const link of node.drillDown) {
    // a link names its step; one that does not lead directly below `path` is not a next segment
    const name = link.path.length === path.length + 1 ? link.path[path.length] : link.name;
    if (name && !out.some((s) => s.name === name)) out.push({ name, source: node.source });
  }
  return out;
}
