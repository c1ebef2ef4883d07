/**
 * The one CMU catalog: the CM-tenant drill-down tree, metrics, dimensions, the concurrency/activity-level
 * reports and the documented report presets, read from catalog-data.json (the project's copy of
 * shared/reference/cmu-catalog.json plus the real backend's facts from real-cmu-evidence.md), and the real
 * backend's report tree from real-paths.json (457 harvested paths with their columns). Both are bundled
 * and parsed on first use (catalogData.ts). The query builder, validation, the tree view's examples and the
 * sandbox all answer their questions here. The catalog advises: the server's HAL links and columns are the truth when connected.
 *
 * Paths are arrays of dimension segments without the `/cmu/v2` base: `['tenant', 'year', 'month']`; `[]` is the root.
 */
import { catalogData, realPathsData } from './catalogData';

/** Where a fact comes from: Adobe's pages, or public code that talked to the real backend (the evidence wins). */
export type FactSource = 'documented' | 'seen on the real backend';

export interface NamedItem {
  name: string;
  description: string;
  source: FactSource;
}

export interface ReportPreset {
  /** stable slug of the documented name, e.g. `per-tenant-daily-report` */
  id: string;
  name: string;
  group: 'monthly' | 'daily' | 'hourly' | 'concurrency';
  path: string[];
  dimensions: string[];
  metrics: string[];
  /** true when the path is on the CM-tenant drill-down tree */
  onTree: boolean;
  source: FactSource;
}

interface TreeNode {
  dimension: string;
  children: TreeNode[];
}

interface RawExample {
  name: string;
  dimensions: string[];
  url: string;
  normalized_path: string;
  metrics: string[];
  metric_names_only?: string[];
  dimensions_vs_url_mismatch?: boolean;
}

export const TIME_DIMENSIONS: readonly string[] = ['year', 'month', 'day', 'hour', 'minute', 'second'];
export const CONCURRENCY_DIMENSIONS: readonly string[] = ['concurrency-level', 'activity-level'];
/** Query parameters that are never dimension names. */
export const RESERVED_PARAMETERS: readonly string[] = ['access_token', 'start', 'end', 'format', 'limit', 'metrics'];
/** The server default `limit` observed in Adobe's capture (echoed in the self link). */
export const DEFAULT_LIMIT = 1000;
export const CMU_BASE_PATH = '/cmu/v2';

/**
 * What comes from the bundled data is built on its first use, not when the module loads (catalogData.ts):
 * each accessor below computes its value once.
 */
function once<T>(build: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: build() }).v;
}

const generalItems = once((): readonly NamedItem[] => catalogData().metrics.general_reports.map(copyItem));

/** The seven session metrics every general report has. */
export const generalMetrics = once((): readonly string[] => generalItems().map((m) => m.name).filter((n) => !n.startsWith('duration_')));
/** Stream-duration histogram buckets; documented only on paths that start with `tenant` or `mvpd`. */
export const durationMetrics = once((): readonly string[] => generalItems().map((m) => m.name).filter((n) => n.startsWith('duration_')));
/** The metric of the concurrency-level and activity-level reports. */
export const levelMetrics = once((): readonly string[] => catalogData().metrics.concurrency_and_activity_level_reports.map((m) => m.name));

/** Undocumented metrics the real backend returns at `/v2/year`: `bstreams-15` … `bstreams-120`. */
export const bstreamsMetrics = once((): readonly string[] => catalogData().real_backend.metrics.map((m) => m.name).filter((n) => n.startsWith('bstreams-')));
/** The metrics of the real backend's `year` report (no `active-users` there). */
export const yearMetrics = once((): readonly string[] => [...catalogData().real_backend.year_metrics]);

/** Every metric: documented (general, then level reports), then the real backend's. */
export const allMetrics = once((): readonly NamedItem[] => {
  const raw = catalogData();
  return uniqueItems([generalItems(), raw.metrics.concurrency_and_activity_level_reports.map(copyItem), raw.real_backend.metrics.map(copyItem)]);
});

/** Every dimension: documented, then the real backend's. */
export const allDimensions = once((): readonly NamedItem[] => {
  const raw = catalogData();
  return uniqueItems(
    [raw.dimensions.general_reports, raw.dimensions.used_but_not_in_dimension_tables, raw.dimensions.concurrency_and_activity_level_reports, raw.real_backend.dimensions].map((list) =>
      list.map(copyItem),
    ),
  );
});

/** Every root-to-node path of the CM-tenant drill-down tree (root node `tenant`), in depth-first order. */
export const treePaths = once((): readonly string[][] => {
  const out: string[][] = [];
  const walk = (node: TreeNode, prefix: string[]) => {
    const p = [...prefix, node.dimension];
    out.push(p);
    for (const c of node.children) walk(c, p);
  };
  walk(catalogData().drill_down_tree_cm_tenants as TreeNode, []);
  return out;
});

const treeKeys = once(() => new Set(treePaths().map(key)));

/** Each metric's place in allMetrics() and each dimension by name: isMetric/isDimension/describe are asked per column and per header cell. */
const metricRank = once(() => new Map(allMetrics().map((m, i) => [m.name, i])));
const dimensionByName = once(() => new Map(allDimensions().map((d) => [d.name, d])));

/** Documented concurrency/activity-level report paths. */
const levelReportPaths = once((): readonly string[][] => catalogData().concurrency_activity_level_reports.example_paths.map(splitPath));

/** The daily billing report (Adobe's own DCR sample call); needs the billing scope. */
export const billingPath = once((): readonly string[] => splitPath(catalogData().real_backend.billing.path));

interface RealNode {
  /** dimensions the server returns beyond the path's (the `year` report also returns `tenant`) */
  extraDimensions: string[];
  metrics: string[];
  /** false: the harvest recorded no columns here; dimensions and metrics are derived (see buildRealNodes) */
  harvested: boolean;
}

/** The source named in real-paths.json (the public harvest it was copied from). */
export function realPathsSource(): string {
  return realPathsData().source;
}

/**
 * What is derived from the harvest and the examples (real nodes, presets, known paths) is built on first use:
 * ~30 ms of code that runs once, which the extension's activation and most CLI commands never need.
 */
interface Index {
  realPaths: string[][];
  realNodes: Map<string, RealNode>;
  presets: ReportPreset[];
  children: Map<string, string[]>;
  known: Set<string>;
}
const index = once((): Index => {
  const paths = realPathsData().paths.map((p) => splitPath(p.path));
  const realNodes = buildRealNodes(paths);
  const list = buildPresets(realNodes);
  return { realPaths: paths, realNodes, presets: list, ...buildKnown(paths, list) };
});

/** Every report path harvested from the real CM reports backend (billing/daily included), in harvest order. */
export function realPaths(): readonly string[][] {
  return index().realPaths;
}

/**
 * Columns per real path. Where the harvest recorded none, the node has its parent's metrics plus those
 * the harvested reports below it return (so `year/duration` has `year`'s sessions and `bstreams-*`, and a
 * column-less level node such as `year/duration/occurrences/activity-level` has `users` too: level reports
 * return `users`); billing/daily has the columns of Adobe's capture.
 */
function buildRealNodes(paths: string[][]): Map<string, RealNode> {
  const out = new Map<string, RealNode>();
  const harvest = realPathsData().paths;
  harvest.forEach((p, i) => {
    const path = paths[i];
    if (!p.columns.length) return;
    out.set(key(path), {
      extraDimensions: p.columns.filter((c) => isDimension(c) && !path.includes(c) && c !== 'tenant'),
      metrics: inCatalogOrder(p.columns.filter((c) => !isDimension(c))),
      harvested: true,
    });
    // the `year` report returns a tenant column without naming it in the path
    if (path.length === 1 && p.columns.includes('tenant')) out.get(key(path))?.extraDimensions.push('tenant');
  });
  const billing = catalogData().real_backend.billing;
  out.set(key(billingPath()), { extraDimensions: billing.dimensions.slice(), metrics: billing.metrics.slice(), harvested: false });
  const realKeys = new Set(paths.map(key));
  // what the harvested reports below a node return (`users` under year/duration/occurrences)
  const below = new Map<string, Set<string>>();
  harvest.forEach((p, n) => {
    const path = paths[n];
    const metrics = p.columns.filter((c) => !isDimension(c));
    for (let i = 1; i < path.length && metrics.length; i++) {
      const k = key(path.slice(0, i));
      const set = below.get(k) ?? new Set<string>();
      for (const m of metrics) set.add(m);
      below.set(k, set);
    }
  });
  const inherit = (path: readonly string[]): RealNode | undefined => {
    const k = key(path);
    const hit = out.get(k);
    if (hit || path.length === 0 || !realKeys.has(k)) return hit;
    const metrics = new Set([...(inherit(path.slice(0, -1))?.metrics ?? []), ...(below.get(k) ?? [])]);
    const node: RealNode = { extraDimensions: [], metrics: inCatalogOrder([...metrics]), harvested: false };
    out.set(k, node);
    return node;
  };
  for (const path of paths) inherit(path);
  return out;
}

/** A path of the real backend's tree (harvested, or billing/daily). */
export function isRealPath(path: readonly string[]): boolean {
  return index().realNodes.has(key(path));
}

/**
 * The columns the real backend returns at a path of its tree: the path's dimensions, any extra ones
 * (`tenant` at `year`, the capture's `year/month/day/tenant` at billing/daily) and the metrics.
 * Undefined off the real tree.
 */
export function realColumns(path: readonly string[]): { dimensions: string[]; metrics: string[]; harvested: boolean } | undefined {
  return columnsOf(index().realNodes, path);
}

function columnsOf(realNodes: Map<string, RealNode>, path: readonly string[]): { dimensions: string[]; metrics: string[]; harvested: boolean } | undefined {
  const n = realNodes.get(key(path));
  if (!n) return undefined;
  const own = key(path) === key(billingPath()) ? [] : [...path];
  return { dimensions: [...own, ...n.extraDimensions], metrics: [...n.metrics], harvested: n.harvested };
}

/** Report presets of the real backend: year-rooted, as Adobe's examples lead. */
const REAL_PRESETS: { name: string; group: ReportPreset['group']; path: string }[] = [
  { name: 'Daily billing report', group: 'daily', path: 'billing/daily' },
  { name: 'Users per activity level, monthly per tenant', group: 'concurrency', path: 'year/duration/occurrences/activity-level/month/tenant' },
  { name: 'Users per concurrency level, daily per tenant', group: 'concurrency', path: 'year/duration/occurrences/month/day/concurrency-level/tenant' },
  { name: 'Users per concurrency level, daily per MVPD and tenant', group: 'concurrency', path: 'year/duration/occurrences/month/concurrency-level/day/mvpd/tenant' },
];

/** The report presets: the real backend's, then Adobe's documented examples. */
export function presets(): readonly ReportPreset[] {
  return index().presets;
}

function buildPresets(realNodes: Map<string, RealNode>): ReportPreset[] {
  const out: ReportPreset[] = [];
  const ids = new Set<string>();
  for (const r of REAL_PRESETS) {
    const path = splitPath(r.path);
    const cols = columnsOf(realNodes, path);
    const id = slug(r.name);
    ids.add(id);
    out.push({ id, name: r.name, group: r.group, path, dimensions: cols?.dimensions ?? [...path], metrics: cols?.metrics ?? [], onTree: false, source: 'seen on the real backend' });
  }
  const groups = catalogData().report_examples as Record<string, RawExample[]>;
  for (const group of ['monthly', 'daily', 'hourly'] as const) {
    for (const ex of groups[group] ?? []) {
      // One documented example ("Mvpd/platform hourly stats with application name") lists mvpd among its
      // dimensions but its URL omits it (its URL equals another example's); the dimensions are the intent.
      const path = ex.dimensions_vs_url_mismatch ? [...ex.dimensions] : splitPath(ex.normalized_path);
      const level = path.some(isLevelDimension);
      const metrics = ex.metric_names_only ? [...ex.metric_names_only] : ex.metrics.filter((m) => !ex.dimensions.includes(m));
      let id = slug(ex.name);
      for (let i = 2; ids.has(id); i++) id = `${slug(ex.name)}-${i}`;
      ids.add(id);
      out.push({
        id,
        name: ex.name,
        group: level ? 'concurrency' : group,
        path,
        dimensions: [...ex.dimensions],
        metrics,
        onTree: isOnTree(path),
        source: 'documented',
      });
    }
  }
  // Adobe's examples page leads with year-rooted paths; so do ours, within each group (stable order):
  // the real backend's year-rooted reports, the documented ones, billing/daily, then tenant/… and mvpd/…
  const rank = (p: ReportPreset) => (p.path[0] === 'year' ? (p.source === 'documented' ? 1 : 0) : p.path[0] === billingPath()[0] ? 2 : 3);
  return out.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map((x) => x.p);
}

/**
 * Known paths: the tree, the documented presets and concurrency/activity paths, and every ancestor of
 * those (the roll-up links of documented reports point there, e.g. the capture's `/year/month/day`).
 * Children are kept in discovery order: tree first, then presets, then level reports.
 */
function buildKnown(paths: string[][], list: ReportPreset[]): { children: Map<string, string[]>; known: Set<string> } {
  const children = new Map<string, string[]>();
  const known = new Set<string>();
  const addPath = (path: string[]) => {
    for (let i = 0; i <= path.length; i++) {
      const k = key(path.slice(0, i));
      known.add(k);
      if (i < path.length) {
        const list = children.get(k) ?? [];
        if (!list.includes(path[i])) list.push(path[i]);
        children.set(k, list);
      }
    }
  };
  const billing = key(billingPath());
  for (const p of treePaths()) addPath(p);
  for (const p of list) if (key(p.path) !== billing) addPath(p.path);
  for (const p of levelReportPaths()) addPath(p);
  for (const p of paths) if (key(p) !== billing) addPath(p);
  // billing/daily is a named report, not a drill-down below a `billing` dimension
  known.add(billing);
  return { children, known };
}

/** All known paths (see isKnownPath), root first. */
export function knownPaths(): string[][] {
  return [...index().known].map((k) => (k === '' ? [] : k.split('/')));
}

export function isTimeDimension(d: string): boolean {
  return TIME_DIMENSIONS.includes(d);
}

export function isLevelDimension(d: string): boolean {
  return CONCURRENCY_DIMENSIONS.includes(d);
}

/** A concurrency-level or activity-level report path (metric `users`). */
export function isLevelPath(path: string[]): boolean {
  return path.some(isLevelDimension);
}

/** On the CM-tenant tree (every root-to-node prefix). */
export function isOnTree(path: string[]): boolean {
  return treeKeys().has(key(path));
}

/**
 * On the CM-tenant tree, a documented preset/concurrency path, a path of the real backend, or an ancestor
 * of one (its roll-up); `[]` is the root.
 */
export function isKnownPath(path: string[]): boolean {
  return index().known.has(key(path));
}

/** Valid drill-down children of a path (each leads to a known path). */
export function nextSteps(path: string[]): string[] {
  return [...(index().children.get(key(path)) ?? [])];
}

/** The parent path; undefined at the root and for billing/daily (a named report, not a drill-down). */
export function rollUpPath(path: string[]): string[] | undefined {
  return path.length === 0 || key(path) === key(billingPath()) ? undefined : path.slice(0, -1);
}

/**
 * Non-time dimensions on the path or on any known path below it (filters and projections may name them).
 * The concurrency/activity levels belong to their own reports: below a general path they are not offered.
 */
/** filterableDimensions of known paths (a report view asks on every message; a walk below `tenant` visits hundreds of nodes) */
const filterable = new Map<string, readonly string[]>();

export function filterableDimensions(path: string[]): string[] {
  const k = key(path);
  const hit = filterable.get(k);
  if (hit) return [...hit];
  const out = walkFilterable(path);
  if (isKnownPath(path)) filterable.set(k, out); // bounded: the known paths are the catalog's
  return [...out];
}

function walkFilterable(path: string[]): string[] {
  const level = isLevelPath(path);
  const out: string[] = [];
  const add = (d: string) => {
    if (!isTimeDimension(d) && !out.includes(d)) out.push(d);
  };
  path.forEach(add);
  const queue = [path];
  while (queue.length) {
    const p = queue.shift() as string[];
    for (const c of nextSteps(p)) {
      if (!level && isLevelDimension(c)) continue;
      add(c);
      queue.push([...p, c]);
    }
  }
  return out;
}

/**
 * Metrics a report at this path has: the real backend's where it was seen there (`year`: sessions and
 * bstreams; harvested nodes below `year/duration`: `users`; a node without harvested columns: its parent's;
 * billing/daily: the capture's); else `users` for level reports;
 * the duration buckets only under `tenant`/`mvpd`.
 */
export function metricsFor(path: string[]): string[] {
  const real = index().realNodes.get(key(path));
  if (real?.metrics.length) return [...real.metrics];
  if (isLevelPath(path) || path.includes('duration') || path.includes('occurrences')) return [...levelMetrics()];
  if (path[0] === 'tenant' || path[0] === 'mvpd') return [...generalMetrics(), ...durationMetrics()];
  return [...generalMetrics()];
}

/** Names seen in Adobe's live capture but in no documentation (reference, ambiguity 25): tolerated, with a warning. */
const observed = (kind: string): readonly string[] => catalogData().observed_but_undocumented.filter((o) => o.kind === kind).map((o) => o.name);
export const undocumentedMetrics = once(() => observed('metric'));
export const undocumentedSegments = once(() => observed('drill-down segment'));

/**
 * Builds what the catalog's questions read (its bundled data parsed, its indexes: ~20-30 ms), for a front
 * that would rather pay it before a first question is asked while the user waits.
 */
export function warmCatalog(): void {
  index();
  treeKeys();
  metricRank();
  dimensionByName();
}

export function isMetric(name: string): boolean {
  return metricRank().has(name);
}

export function isDimension(name: string): boolean {
  return dimensionByName().has(name);
}

export function describe(name: string): string | undefined {
  const rank = metricRank().get(name);
  return (rank !== undefined ? allMetrics()[rank] : dimensionByName().get(name))?.description;
}

export interface MetricSemantics {
  /** the value of a longer period is the sum of its buckets */
  additiveOverTime: boolean;
  /** a parent row is the sum of its drill-down rows */
  additiveOverDimensions: boolean;
  /** one line: why (shown as the reason a total is empty) */
  why: string;
}

/**
 * Whether a metric may be summed over time buckets and over dimension values. Sessions started/completed/
 * failed/dismissed/killed: yes; distinct or peak counts (`active-users`, `users`, `bstreams-*`): no;
 * `active-sessions`: over dimensions only. Unknown metrics: not additive (a sum could be meaningless).
 */
export function metricSemantics(name: string): MetricSemantics {
  const semantics = catalogData().metric_semantics.metrics as Record<string, MetricSemantics>;
  const s = Object.prototype.hasOwnProperty.call(semantics, name) ? semantics[name] : undefined;
  return s ? { ...s } : { additiveOverTime: false, additiveOverDimensions: false, why: 'not a metric the catalog knows: treated as not additive' };
}

export function isAdditive(name: string, over: 'time' | 'dimensions'): boolean {
  const s = metricSemantics(name);
  return over === 'time' ? s.additiveOverTime : s.additiveOverDimensions;
}

type Horizons = Readonly<Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'levels', number>>;

/**
 * How far behind "now" the server's data may be for a report at this path (ms): by its finest time
 * dimension (year/month 2 days, day 3 h, hour 1 h, minute 1 min), a day for concurrency/activity-level
 * reports whatever the granularity; undefined without a time dimension.
 */
export function freshnessHorizonMs(path: readonly string[]): number | undefined {
  const horizon: Horizons = catalogData().freshness_horizon.ms;
  if (path.some(isLevelDimension)) return horizon.levels;
  const finest = [...TIME_DIMENSIONS].reverse().find((t) => path.includes(t));
  return finest && finest in horizon ? horizon[finest as keyof typeof horizon] : undefined;
}

/** The data-freshness horizon per time dimension and for level reports, in ms. */
export function freshnessHorizons(): Horizons {
  return { ...catalogData().freshness_horizon.ms };
}

export function presetById(id: string): ReportPreset | undefined {
  return presets().find((p) => p.id === id);
}

/**
 * `/cmu/v2/tenant/year/`, `cmu/v2/tenant/year`, `tenant/year` → `['tenant', 'year']`.
 * No query string or extension handling: pass a path only.
 */
export function splitPath(path: string): string[] {
  let p = path.trim().replace(/^\/+/, '');
  const base = CMU_BASE_PATH.slice(1);
  if (p === base || p.startsWith(base + '/')) p = p.slice(base.length);
  return p.split('/').filter((s) => s.length > 0);
}

/** `['tenant', 'year']` → `/cmu/v2/tenant/year` (segments are dimension names; encoded defensively). */
export function pathHref(path: string[]): string {
  return [CMU_BASE_PATH, ...path.map(encodeURIComponent)].join('/');
}

function key(path: readonly string[]): string {
  return path.join('/');
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function copyItem(it: { name: string; description: string; source?: string }): NamedItem {
  return { name: it.name, description: it.description, source: it.source === 'seen on the real backend' ? 'seen on the real backend' : 'documented' };
}

/** Known metrics in catalog order (the harvest lists columns alphabetically), then unknown ones. */
function inCatalogOrder(metrics: string[]): string[] {
  const ranks = metricRank();
  const rank = (m: string) => ranks.get(m) ?? ranks.size;
  return metrics.map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map((x) => x.m);
}

/** The first item of each name wins (the documented description), in list order. */
function uniqueItems(lists: (readonly NamedItem[])[]): NamedItem[] {
  const out: NamedItem[] = [];
  for (const list of lists) for (const it of list) if (!out.some((o) => o.name === it.name)) out.push(it);
  return out;
}
