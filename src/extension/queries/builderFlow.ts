/**
 * The guided query builder's steps, free of `vscode` (the UI comes in through BuilderUi, so unit tests
 * drive it with scripted answers). It offers what the server's links and columns say when connected, the
 * catalog's advice offline (BuilderTree): the path step by step
 * (each step lists the valid next dimensions with their descriptions, plus "done"), metrics
 * (multi-select with descriptions), filters (a dimension valid on the path, = or !=, values — several
 * values make IN / NOT IN; the values this session's reports showed are offered first), time range (presets or custom ISO, validated), limit, format, name.
 * Back returns to the previous step; cancel (undefined) ends the builder.
 */
import { describe, filterableDimensions, metricsFor, nextSteps, isKnownPath } from '../../core/cmu/catalog';
import { cloneQuery, describeQuery, emptyQuery, isoToMillis, queryToHref, validateQuery } from '../../core/cmu/query';
import { defaultWindow, parseWindow, rangeText, resolveWindow, windowName, type TimeWindow } from '../../core/cmu/time/windows';
import { DEFAULT_ZONE_ID, parseZone, zoneLabel, type ReportZone } from '../../core/cmu/time/zone';
import { REPORT_FORMATS, type CmuFilter, type CmuQuery, type ReportFormat } from '../../core/cmu/types';

export interface BuilderResult {
  query: CmuQuery;
  name: string;
}

export const BACK = Symbol('back');
export type Back = typeof BACK;

export interface Item<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

export const TOTAL_STEPS = 7;

export interface PickOptions<T> {
  title: string;
  step: number;
  placeholder: string;
  items: Item<T>[];
  many?: boolean;
  selected?: (v: T) => boolean;
  active?: (v: T) => boolean;
  /** show a Back button (default true) */
  back?: boolean;
}

export interface InputOptions {
  title: string;
  step: number;
  prompt: string;
  value?: string;
  placeholder?: string;
  validate?: (v: string) => string | undefined;
}

/** What the steps need from a UI: a pick list, an input box, a confirmation, a notice. */
export interface BuilderUi {
  /** the picked values (one for a single pick), BACK, or undefined when cancelled */
  pick<T>(o: PickOptions<T>): Promise<T[] | Back | undefined>;
  /** the accepted text (already valid), BACK, or undefined when cancelled */
  input(o: InputOptions): Promise<string | Back | undefined>;
  confirm(message: string, detail: string, buttons: string[]): Promise<string | undefined>;
  info(message: string): void;
}

const pathLabel = (p: string[]) => '/' + p.join('/');

/** What may follow a path and the metrics of its report: the server's links and columns, else the catalog's. */
export interface BuilderNode {
  steps: string[];
  metrics: string[];
  /** `server`: the live answer (connected); `catalog`: the catalog's advice (offline, or the server refused the node) */
  source: 'server' | 'catalog';
}

/** Where the builder's steps and metrics come from (the extension passes the live one: builder.ts). */
export interface BuilderTree {
  node(path: readonly string[]): Promise<BuilderNode>;
}

/** The catalog alone (offline; the unit tests). */
export const CATALOG_TREE: BuilderTree = {
  node: async (path) => ({ steps: nextSteps([...path]), metrics: metricsFor([...path]), source: 'catalog' }),
};

/** Runs the builder; undefined when cancelled. `initial` pre-fills every step (Edit). */
export async function runQueryBuilderFlow(
  ui: BuilderUi,
  initial?: { query?: CmuQuery; name?: string; title?: string },
  now: Date = new Date(),
  zone: ReportZone = parseZone(DEFAULT_ZONE_ID),
  opts: {
    /** where the path's steps and metrics come from (the live server, or the catalog) */
    tree?: BuilderTree;
    /** the values a dimension had in this session's reports (the filter step offers them) */
    seenValues?: (dimension: string) => string[];
  } = {},
): Promise<BuilderResult | undefined> {
  const tree = opts.tree ?? CATALOG_TREE;
  const seenValues = opts.seenValues ?? (() => []);
  const q: CmuQuery = initial?.query ? cloneQuery(initial.query) : emptyQuery();
  let name = initial?.name;
  const title = initial?.title ?? (initial?.query ? 'Edit CMU Query' : 'New CMU Query');
  let step = 1;
  for (;;) {
    let r: 'next' | Back | undefined;
    switch (step) {
      case 1:
        r = await pathStep(ui, title, q, !!initial?.query, tree);
        break;
      case 2:
        r = await metricsStep(ui, title, q, tree);
        break;
      case 3:
        r = await filtersStep(ui, title, q, seenValues);
        break;
      case 4:
        r = await timeStep(ui, title, q, now, zone);
        break;
      case 5:
        r = await limitStep(ui, title, q);
        break;
      case 6:
        r = await formatStep(ui, title, q);
        break;
      default: {
        const v = await ui.input({
          title,
          step: 7,
          prompt: `Name of the saved query — ${describeQuery(q)}`,
          value: name ?? defaultQueryName(q),
          validate: (s) => (s.trim() ? undefined : 'Give the query a name'),
        });
        if (v === undefined) return undefined;
        if (v === BACK) {
          step = 6;
          continue;
        }
        name = v.trim();
        const { errors } = validateQuery(q);
        if (errors.length) {
          const choice = await ui.confirm(
            `This query has problems: ${errors[0].replace(/`/g, '')}`,
            errors.map((e) => e.replace(/`/g, '')).join('\n'),
            ['Save Anyway', 'Change Path'],
          );
          if (choice === 'Change Path') {
            step = 1;
            continue;
          }
          if (choice !== 'Save Anyway') return undefined;
        }
        return { query: q, name };
      }
    }
    if (r === undefined) return undefined;
    if (r === BACK) step = Math.max(1, step - 1);
    else step++;
  }
}

/** The query in words, without the default-window clause (true of every query without dates). */
export function defaultQueryName(q: CmuQuery): string {
  const d = describeQuery(q).replace(/, over the server's default time window$/, '');
  if (d.length <= 80) return d;
  const cut = d.slice(0, 79);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), 40)).replace(/[\s,]+$/, '') + '…';
}

async function pathStep(ui: BuilderUi, title: string, q: CmuQuery, editing: boolean, tree: BuilderTree): Promise<'next' | Back | undefined> {
  let first = true;
  for (;;) {
    type V = { kind: 'dim'; name: string } | { kind: 'done' } | { kind: 'up' };
    const items: Item<V>[] = [];
    const node = await tree.node(q.path);
    const doneItem: Item<V> = {
      label: '$(check) Done',
      description: pathLabel(q.path),
      detail:
        node.source === 'server' ? 'use this path (the server serves it)' : isKnownPath(q.path) ? 'use this path' : 'this path is not on the documented drill-down tree',
      value: { kind: 'done' },
    };
    items.push(doneItem);
    // the server's drill-down links when connected (a step no document names has no description), else the catalog's
    const from = node.source === 'server' ? 'from the server' : 'from the catalog';
    for (const d of node.steps) items.push({ label: d, description: describe(d) ?? '', detail: from, value: { kind: 'dim', name: d } });
    if (q.path.length) items.push({ label: '$(arrow-up) Up one level', description: pathLabel(q.path.slice(0, -1)), value: { kind: 'up' } });
    const r = await ui.pick<V>({
      title: `${title}: path ${pathLabel(q.path)}`,
      step: 1,
      placeholder: q.path.length ? 'Drill down further, or Done' : 'Pick the first dimension of the report path',
      items,
      // when editing, start on "Done" so Enter keeps the path
      active: (v) => (editing && first ? v.kind === 'done' : v.kind === 'dim'),
      back: q.path.length > 0,
    });
    first = false;
    if (r === undefined) return undefined;
    if (r === BACK || r[0]?.kind === 'up') {
      q.path.pop();
      continue;
    }
    const v = r[0];
    if (!v) continue;
    if (v.kind === 'done') {
      // filters/metrics that no longer fit the path are dropped
      const valid = new Set(filterableDimensions(q.path));
      q.filters = q.filters.filter((f) => valid.has(f.dimension));
      const metrics = new Set((await tree.node(q.path)).metrics);
      q.metrics = q.metrics.filter((m) => metrics.has(m));
      return 'next';
    }
    if (v.kind === 'dim') q.path.push(v.name);
  }
}

async function metricsStep(ui: BuilderUi, title: string, q: CmuQuery, tree: BuilderTree): Promise<'next' | Back | undefined> {
  // the columns the server returned for this node when connected (a metric no document names included)
  const items: Item<string>[] = (await tree.node(q.path)).metrics.map((m) => ({ label: m, detail: describe(m), value: m }));
  const r = await ui.pick<string>({
    title: `${title}: metrics`,
    step: 2,
    placeholder: 'Pick the metrics (none picked = every metric of the report)',
    items,
    many: true,
    selected: (m) => q.metrics.includes(m),
  });
  if (r === undefined || r === BACK) return r;
  q.metrics = r;
  return 'next';
}

function filterText(f: CmuFilter): string {
  if (f.values.length === 1) return `${f.dimension} ${f.op} ${f.values[0]}`;
  return `${f.dimension} ${f.op === '=' ? 'IN' : 'NOT IN'} (${f.values.join(', ')})`;
}

async function filtersStep(ui: BuilderUi, title: string, q: CmuQuery, seenValues: (dimension: string) => string[]): Promise<'next' | Back | undefined> {
  for (;;) {
    type V = { kind: 'continue' } | { kind: 'add' } | { kind: 'remove'; index: number };
    const items: Item<V>[] = [
      { label: '$(arrow-right) Continue', description: q.filters.length ? `${q.filters.length} filter(s)` : 'no filters', value: { kind: 'continue' } },
      { label: '$(add) Add a filter…', description: 'dimension = / != value (several values: IN / NOT IN)', value: { kind: 'add' } },
      ...q.filters.map((f, index) => ({ label: `$(trash) ${filterText(f)}`, description: 'remove this filter', value: { kind: 'remove' as const, index } })),
    ];
    const r = await ui.pick<V>({ title: `${title}: filters`, step: 3, placeholder: 'Filters narrow the report to some values', items });
    if (r === undefined || r === BACK) return r;
    const v = r[0];
    if (!v || v.kind === 'continue') return 'next';
    if (v.kind === 'remove') {
      q.filters.splice(v.index, 1);
      continue;
    }
    const dims = filterableDimensions(q.path);
    if (!dims.length) {
      ui.info(`No dimension can be filtered on ${pathLabel(q.path)}: drill down first.`);
      continue;
    }
    const d = await ui.pick<string>({
      title: `${title}: filter on…`,
      step: 3,
      placeholder: `Dimensions valid on ${pathLabel(q.path)} (on the path or below it)`,
      items: dims.map((x) => ({ label: x, description: (q.path.includes(x) ? 'on the path — ' : 'below the path — ') + (describe(x) ?? ''), value: x })),
    });
    if (d === undefined) return undefined;
    if (d === BACK || !d[0]) continue;
    const dimension = d[0];
    const op = await ui.pick<'=' | '!='>({
      title: `${title}: ${dimension}`,
      step: 3,
      placeholder: 'Operator',
      items: [
        { label: '=', description: 'is (several values: IN)', value: '=' },
        { label: '!=', description: 'is not (several values: NOT IN)', value: '!=' },
      ],
    });
    if (op === undefined) return undefined;
    if (op === BACK || !op[0]) continue;
    const values: string[] = [];
    const seen = seenValues(dimension);
    if (seen.length) {
      type S = { kind: 'value'; value: string } | { kind: 'other' };
      const picked = await ui.pick<S>({
        title: `${title}: ${dimension} ${op[0]} …`,
        step: 3,
        placeholder: `Values of ${dimension} seen in your reports — pick one or more, or type another`,
        items: [
          ...seen.map((value) => ({ label: value, description: 'seen in a report', value: { kind: 'value' as const, value } })),
          { label: '$(edit) Another value…', value: { kind: 'other' } },
        ],
        many: true,
      });
      if (picked === undefined) return undefined;
      if (picked === BACK) continue;
      for (const p of picked) if (p.kind === 'value') values.push(p.value);
      // only seen values picked: done; "Another value…" (or nothing) goes on to type one
      if (values.length && !picked.some((p) => p.kind === 'other')) {
        addFilter(q, dimension, op[0], values);
        continue;
      }
    }
    for (;;) {
      const val = await ui.input({
        title: `${title}: ${dimension} ${op[0]} …`,
        step: 3,
        prompt: values.length
          ? `Another value for ${dimension} ${op[0] === '=' ? 'IN' : 'NOT IN'} (${values.join(', ')}) — leave empty to finish`
          : `Value of ${dimension} (e.g. an MVPD id); you can add more values next`,
        validate: (s) => (!values.length && !s.trim() ? 'Enter a value' : values.includes(s.trim()) ? 'Already in the list' : undefined),
      });
      if (val === undefined) return undefined;
      if (val === BACK) break;
      if (!val.trim()) break;
      values.push(val.trim());
    }
    if (!values.length) continue;
    addFilter(q, dimension, op[0], values);
  }
}

/** A filter on the same dimension and operator takes the new values (IN / NOT IN). */
function addFilter(q: CmuQuery, dimension: string, op: '=' | '!=', values: string[]): void {
  const same = q.filters.find((f) => f.dimension === dimension && f.op === op);
  if (same) same.values = [...new Set([...same.values, ...values])];
  else q.filters.push({ dimension, op, values });
}

/** The windows the builder offers, in this order (saved as text: resolved each time the query runs). */
export const BUILDER_WINDOWS = ['today', '1d', '24h', '7d', '30d', 'month-to-date', '1mo', '3mo', 'server'] as const;

async function timeStep(ui: BuilderUi, title: string, q: CmuQuery, now: Date, zone: ReportZone): Promise<'next' | Back | undefined> {
  type V = { kind: 'keep' } | { kind: 'default' } | { kind: 'window'; text: string } | { kind: 'custom' };
  const describe = (w: TimeWindow) => {
    const r = resolveWindow(w, zone, now);
    const range = rangeText(r);
    return `${range ? `now: ${range}` : 'no start/end sent'} (${r.zoneLabel})`;
  };
  const items: Item<V>[] = [];
  if (q.window) items.push({ label: `$(check) Keep: ${windowName(parseWindow(q.window))}`, description: describe(parseWindow(q.window)), value: { kind: 'keep' } });
  else if (q.start || q.end) items.push({ label: '$(check) Keep', description: `${q.start ?? '…'} → ${q.end ?? 'now'} (${zoneLabel(zone, now.getTime())})`, value: { kind: 'keep' } });
  const byGrain = defaultWindow(q.path);
  items.push({ label: `Report default (${windowName(byGrain)})`, description: describe(byGrain), value: { kind: 'default' } });
  for (const text of BUILDER_WINDOWS) {
    const w = parseWindow(text);
    items.push({ label: windowName(w), description: describe(w), value: { kind: 'window', text } });
  }
  items.push({ label: 'Custom…', description: 'fixed start and end, e.g. 2024-11 or 2024-11-01T10:00:00', value: { kind: 'custom' } });
  const r = await ui.pick<V>({ title: `${title}: time range`, step: 4, placeholder: `Time window (relative ones are resolved each time the query runs, in ${zoneLabel(zone, now.getTime())})`, items });
  if (r === undefined || r === BACK) return r;
  const v = r[0];
  if (!v || v.kind === 'keep') return 'next';
  delete q.window;
  delete q.start;
  delete q.end;
  if (v.kind === 'default') return 'next';
  if (v.kind === 'window') {
    q.window = v.text;
    return 'next';
  }
  const isoCheck = (s: string, optional: boolean) =>
    !s.trim() ? (optional ? undefined : 'Enter a start') : isoToMillis(s.trim()) !== undefined ? undefined : 'Not an ISO 8601 date/time: try 2024-11-01 or 2024-11-01T10:00:00Z';
  const start = await ui.input({ title: `${title}: start`, step: 4, prompt: `Start (ISO 8601, wall clock in ${zoneLabel(zone, now.getTime())} unless a zone is given)`, value: q.start ?? '', validate: (s) => isoCheck(s, false) });
  if (start === undefined) return undefined;
  if (start === BACK) return timeStep(ui, title, q, now, zone);
  const end = await ui.input({
    title: `${title}: end`,
    step: 4,
    prompt: 'End (ISO 8601) — leave empty for "now"',
    value: q.end ?? '',
    validate: (s) => isoCheck(s, true) ?? (s.trim() && isoToMillis(s.trim())! <= isoToMillis(start.trim())! ? 'The end must be after the start' : undefined),
  });
  if (end === undefined) return undefined;
  if (end === BACK) return timeStep(ui, title, q, now, zone);
  q.start = start.trim();
  if (end.trim()) q.end = end.trim();
  else delete q.end;
  return 'next';
}

async function limitStep(ui: BuilderUi, title: string, q: CmuQuery): Promise<'next' | Back | undefined> {
  const v = await ui.input({
    title: `${title}: limit`,
    step: 5,
    prompt: 'Maximum number of rows — leave empty for the server default (1000)',
    value: q.limit !== undefined ? String(q.limit) : '',
    validate: (s) => (!s.trim() || /^[1-9]\d{0,8}$/.test(s.trim()) ? undefined : 'A whole number of rows, 1 or more'),
  });
  if (v === undefined || v === BACK) return v;
  if (v.trim()) q.limit = Number(v.trim());
  else delete q.limit;
  return 'next';
}

async function formatStep(ui: BuilderUi, title: string, q: CmuQuery): Promise<'next' | Back | undefined> {
  const label: Record<ReportFormat, string> = { json: 'JSON (HAL, the default)', csv: 'CSV', xml: 'XML', html: 'HTML' };
  const r = await ui.pick<ReportFormat>({
    title: `${title}: format`,
    step: 6,
    placeholder: `Format — ${queryToHref(q)}`,
    items: REPORT_FORMATS.map((f) => ({ label: label[f], value: f })),
    active: (f) => f === (q.format ?? 'json'),
  });
  if (r === undefined || r === BACK) return r;
  if (!r[0] || r[0] === 'json') delete q.format;
  else q.format = r[0];
  return 'next';
}
