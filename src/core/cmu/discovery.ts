/**
 * Discovery: what follows a report path, from the server's own HAL links and columns (the truth when
 * connected), else from the catalog (marked `source: 'catalog'`, with the reason). One Discovery per
 * environment holds a cache of the nodes it has seen; `refresh: true` (or `clear()`) asks the server again.
 *
 * A node costs one `GET <path>?limit=1` through the CmuClient (token, origin checks, 401 refresh, the
 * staging prefix fallback): the cheapest call that returns the node's `_links` and its columns.
 * Fronts: `cmu browse` prints a node; the extension's "Browse Server" tree expands a node's `drillDown`
 * lazily and the builder offers its `drillDown` steps and `metrics`, both through `discoveryFor(env)`.
 */
import { CmuError } from '../errors';
import { CancelledError } from '../http';
import { billingPath, isKnownPath, metricsFor, nextSteps, pathHref, realColumns, rollUpPath } from './catalog';
import type { CmuClient } from './client';
import { CmuApiError } from './client';
import { hrefPath, lastSegment } from './hal';
import type { ParsedReport } from './types';

export interface DiscoveredLink {
  /** the step's dimension (the link's name, else its last segment) */
  name: string;
  /** the path it leads to, without the base */
  path: string[];
  /** as the server sent it (a `/cmu/v2/…` href), or the catalog's */
  href: string;
}

export interface DiscoveredNode {
  path: string[];
  drillDown: DiscoveredLink[];
  rollUp?: DiscoveredLink;
  /** the report's dimension columns (the server's when it returned any, else the catalog's) */
  dimensions: string[];
  metrics: string[];
  /** `server`: from the live answer; `catalog`: the catalog's advice (offline, or the server failed) */
  source: 'server' | 'catalog';
  /** why the catalog answered (the error's message), when source is `catalog` */
  offlineReason?: string;
  /** epoch ms of the answer */
  at: number;
}

/** The part of CmuClient discovery uses (a fake in tests is enough). */
export type DiscoveryClient = Pick<CmuClient, 'fetchReport'>;

export interface DiscoveryOptions {
  /** false: a failed request throws instead of answering from the catalog (default true) */
  fallback?: boolean;
  now?: () => number;
}

export class Discovery {
  private readonly cache = new Map<string, DiscoveredNode>();
  private readonly pending = new Map<string, Promise<DiscoveredNode>>();
  private readonly now: () => number;

  constructor(
    private readonly client: DiscoveryClient,
    private readonly opts: DiscoveryOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * The node at `path` (`[]` is the root): cached when seen before (unless `refresh`), else fetched.
   * A 4xx from the server (404 no such report, 403 scope, 401) is thrown: the server has spoken. Anything
   * else that fails (network, timeout, 5xx, no token yet) answers from the catalog, not cached.
   */
  async node(path: readonly string[], opts: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<DiscoveredNode> {
    const k = path.join('/');
    if (!opts.refresh) {
      const hit = this.cache.get(k);
      if (hit) return copy(hit);
      const inFlight = this.pending.get(k);
      if (inFlight) return copy(await inFlight);
    }
    const p = this.fetch([...path], opts.signal);
    this.pending.set(k, p);
    try {
      const node = await p;
      this.cache.set(k, node);
      return copy(node);
    } catch (e) {
      if (this.opts.fallback === false || !isOffline(e)) throw e;
      return catalogNode(path, { reason: e instanceof Error ? e.message : String(e), at: this.now() });
    } finally {
      if (this.pending.get(k) === p) this.pending.delete(k);
    }
  }

  /** The cached node, without a request. */
  cached(path: readonly string[]): DiscoveredNode | undefined {
    const hit = this.cache.get(path.join('/'));
    return hit && copy(hit);
  }

  /** Forgets every node (e.g. after switching the token, or on "Refresh"). */
  clear(): void {
    this.cache.clear();
  }

  private async fetch(path: string[], signal?: AbortSignal): Promise<DiscoveredNode> {
    const report = await this.client.fetchReport(`${pathHref(path)}?limit=1`, { signal });
    return nodeFromReport(path, report, this.now());
  }
}

/** One Discovery per environment key (e.g. the environment name + CMU base), created on first use. */
export class DiscoveryRegistry {
  private readonly byEnv = new Map<string, Discovery>();

  constructor(private readonly opts: DiscoveryOptions = {}) {}

  /** The environment's Discovery; `client` is used when it is created (same environment, same client). */
  for(envKey: string, client: DiscoveryClient): Discovery {
    let d = this.byEnv.get(envKey);
    if (!d) {
      d = new Discovery(client, this.opts);
      this.byEnv.set(envKey, d);
    }
    return d;
  }

  /** Drops one environment's cache, or all of them. */
  clear(envKey?: string): void {
    if (envKey === undefined) this.byEnv.clear();
    else this.byEnv.delete(envKey);
  }
}

/** A node from a parsed report: the server's links and columns; the catalog fills in columns it did not return. */
export function nodeFromReport(path: string[], report: ParsedReport, at: number): DiscoveredNode {
  const link = (href: string, name?: string): DiscoveredLink => ({ name: name || lastSegment(href), path: hrefPath(href), href });
  const drillDown = report.links.drillDown.map((l) => link(l.href, l.name));
  const up = report.links.rollUp[0];
  const dims = report.columns.filter((c) => c.kind === 'dimension').map((c) => c.name);
  const metrics = report.columns.filter((c) => c.kind === 'metric').map((c) => c.name);
  const fallback = catalogColumns(path);
  return {
    path: [...path],
    drillDown,
    ...(up ? { rollUp: link(up.href, up.name) } : {}),
    dimensions: report.columns.length ? dims : fallback.dimensions,
    metrics: report.columns.length ? metrics : fallback.metrics,
    source: 'server',
    at,
  };
}

/** What the catalog advises for a path (offline): its known steps, parent and columns. */
export function catalogNode(path: readonly string[], opts: { reason?: string; at?: number } = {}): DiscoveredNode {
  const p = [...path];
  const up = rollUpPath(p);
  const cols = catalogColumns(p);
  return {
    path: p,
    drillDown: nextSteps(p).map((name) => ({ name, path: [...p, name], href: pathHref([...p, name]) })),
    ...(up ? { rollUp: { name: up[up.length - 1] ?? '', path: up, href: pathHref(up) } } : {}),
    dimensions: cols.dimensions,
    metrics: cols.metrics,
    source: 'catalog',
    ...(opts.reason ? { offlineReason: opts.reason } : {}),
    at: opts.at ?? Date.now(),
  };
}

/** Root-level entry points the catalog knows besides the drill-down tree (billing/daily). */
export function catalogEntryPoints(): string[][] {
  return isKnownPath([...billingPath()]) ? [[...billingPath()]] : [];
}

function catalogColumns(path: string[]): { dimensions: string[]; metrics: string[] } {
  const real = realColumns(path);
  return real ? { dimensions: real.dimensions, metrics: real.metrics } : { dimensions: [...path], metrics: metricsFor(path) };
}

/** Network trouble, a timeout, a 5xx or no usable session: the catalog may advise. The server's 4xx may not. */
function isOffline(e: unknown): boolean {
  if (e instanceof CancelledError) return false;
  if (e instanceof CmuApiError) return e.status >= 500 || e.code === 'bad_response';
  if (e instanceof CmuError) return true;
  return !(e instanceof Error && e.name === 'AbortError');
}

function copy(n: DiscoveredNode): DiscoveredNode {
  return {
    ...n,
    path: [...n.path],
    drillDown: n.drillDown.map((l) => ({ ...l, path: [...l.path] })),
    ...(n.rollUp ? { rollUp: { ...n.rollUp, path: [...n.rollUp.path] } } : {}),
    dimensions: [...n.dimensions],
    metrics: [...n.metrics],
  };
}
