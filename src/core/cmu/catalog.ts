/**
 * The one CMU catalog: the CM-tenant drill-down tree, metrics, dimensions, the concurrency/activity-level
 * reports and the documented report presets, read from catalog-data.json (the project's copy of
 * shared/reference/cmu-catalog.json, bundled by esbuild). The query builder, validation, the tree view's
 * examples and the sandbox all answer their questions here.
 *
 * Paths are arrays of dimension segments without the `/cmu/v2` base: `['tenant', 'year', 'month']`; `[]` is the root.
 */
import raw from './catalog-data.json';

export interface NamedItem {
  name: string;
  description: string;
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

const generalMetrics: NamedItem[] = raw.metrics.general_reports.map(copyItem);
const levelMetrics: NamedItem[] = raw.metrics.concurrency_and_activity_level_reports.map(copyItem);

/** The seven session metrics every general report has. */
export const GENERAL_METRICS: readonly string[] = generalMetrics.map((m) => m.name).filter((n) => !n.startsWith('duration_'));
/** Stream-duration histogram buckets; documented only on paths that start with `tenant` or `mvpd`. */
export const DURATION_METRICS: readonly string[] = generalMetrics.map((m) => m.name).filter((n) => n.startsWith('duration_'));
/** The metric of the concurrency-level and activity-level reports. */
export const LEVEL_METRICS: readonly string[] = levelMetrics.map((m) => m.name);

export const METRICS: NamedItem[] = [...generalMetrics, ...levelMetrics];

export const DIMENSIONS: NamedItem[] = (() => {
  const out: NamedItem[] = [];
  const seen = new Set<string>();
  const add = (items: { name: string; description: string }[]) => {
    for (const it of items) {
      if (!seen.has(it.name)) {
        seen.add(it.name);
        out.push(copyItem(it));
      }
    }
  };
  add(raw.dimensions.general_reports);
  add(raw.dimensions.used_but_not_in_dimension_tables);
  add(raw.dimensions.concurrency_and_activity_level_reports);
  return out;
})();

/** The CM-tenant drill-down tree (root node `tenant`). */
export const TREE: TreeNode = raw.drill_down_tree_cm_tenants as TreeNode;

/** Every root-to-node path of the CM-tenant tree, in depth-first order. */
export const TREE_PATHS: readonly string[][] = (() => {
  const out: string[][] = [];
  const walk = (node: TreeNode, prefix: string[]) => {
    const p = [...prefix, node.dimension];
    out.push(p);
    for (const c of node.children) walk(c, p);
  };
  walk(TREE, []);
  return out;
})();

const treeKeys = new Set(TREE_PATHS.map(key));

/** Documented concurrency/activity-level report paths. */
export const LEVEL_REPORT_PATHS: readonly string[][] = raw.concurrency_activity_level_reports.example_paths.map(splitPath);

export const PRESETS: ReportPreset[] = (() => {
  const out: ReportPreset[] = [];
  const ids = new Set<string>();
  const groups = raw.report_examples as Record<string, RawExample[]>;
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
        onTree: treeKeys.has(key(path)),
      });
    }
  }
  return out;
})();

/**
 * Known paths: the tree, the documented presets and concurrency/activity paths, and every ancestor of
 * those (the roll-up links of documented reports point there, e.g. the capture's `/year/month/day`).
 * Children are kept in discovery order: tree first, then presets, then level reports.
 */
const children = new Map<string, string[]>();
const known = new Set<string>();
(function index() {
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
  for (const p of TREE_PATHS) addPath(p);
  for (const p of PRESETS) addPath(p.path);
  for (const p of LEVEL_REPORT_PATHS) addPath(p);
})();

/** All known paths (see isKnownPath), root first. */
export const KNOWN_PATHS: readonly string[][] = [...known].map((k) => (k === '' ? [] : k.split('/')));

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
  return treeKeys.has(key(path));
}

/** On the CM-tenant tree, a documented preset/concurrency path, or an ancestor of one (its roll-up); `[]` is the root. */
export function isKnownPath(path: string[]): boolean {
  return known.has(key(path));
}

/** Valid drill-down children of a path (each leads to a known path). */
export function nextSteps(path: string[]): string[] {
  return [...(children.get(key(path)) ?? [])];
}

/** The parent path; undefined at the root. */
export function rollUpPath(path: string[]): string[] | undefined {
  return path.length === 0 ? undefined : path.slice(0, -1);
}

/**
 * Non-time dimensions on the path or on any known path below it (filters and projections may name them).
 * The concurrency/activity levels belong to their own reports: below a general path they are not offered.
 */
export function filterableDimensions(path: string[]): string[] {
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

/** Metrics a report at this path has: `users` for level reports; the duration buckets only under `tenant`/`mvpd`. */
export function metricsFor(path: string[]): string[] {
  if (isLevelPath(path)) return [...LEVEL_METRICS];
  if (path[0] === 'tenant' || path[0] === 'mvpd') return [...GENERAL_METRICS, ...DURATION_METRICS];
  return [...GENERAL_METRICS];
}

/** Names seen in Adobe's live capture but in no documentation (reference, ambiguity 25): tolerated, with a warning. */
const observed = (kind: string): readonly string[] => raw.observed_but_undocumented.filter((o) => o.kind === kind).map((o) => o.name);
export const UNDOCUMENTED_METRICS: readonly string[] = observed('metric');
export const UNDOCUMENTED_SEGMENTS: readonly string[] = observed('drill-down segment');

export function isMetric(name: string): boolean {
  return METRICS.some((m) => m.name === name);
}

export function isDimension(name: string): boolean {
  return DIMENSIONS.some((d) => d.name === name);
}

export function describe(name: string): string | undefined {
  return (METRICS.find((m) => m.name === name) ?? DIMENSIONS.find((d) => d.name === name))?.description;
}

export function presetById(id: string): ReportPreset | undefined {
  return PRESETS.find((p) => p.id === id);
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

function key(path: string[]): string {
  return path.join('/');
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function copyItem(it: { name: string; description: string }): NamedItem {
  return { name: it.name, description: it.description };
}
