/**
 * The one query validator. The server decides what exists; the catalog only advises:
 * - errors: what cannot be a valid request whatever the server knows (an empty segment, a reserved
 *   parameter used as a dimension, a dimension twice, an unreadable date, a bad limit or format);
 *   every front refuses these before sending;
 * - warnings: the catalog's advice (an unknown segment, metric or filter dimension with a did-you-mean,
 *   a path off the documented tree, old data…); the request is sent and the server's answer shown.
 */
import {
  allDimensions,
  allMetrics,
  filterableDimensions,
  isDimension,
  isKnownPath,
  isMetric,
  metricsFor,
  nextSteps,
  realColumns,
  undocumentedMetrics,
  undocumentedSegments,
} from '../catalog';
import { windowProblem } from '../time/windows';
import { InputError } from '../../errors';
import type { CmuQuery } from '../types';
import { REPORT_FORMATS } from '../types';
import { isoProblem, isoToMillis } from './iso';
import { RESERVED_PARAMS, isTimeDimension } from './model';

/** A structural problem and where it is inside the query value (e.g. ['filters', 0, 'dimension']). */
export interface QueryProblem {
  field: (string | number)[];
  message: string;
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions counted as one. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  const d: number[][] = [];
  for (let i = 0; i <= m; i++) {
    d.push(new Array<number>(n + 1).fill(0));
    d[i][0] = i;
  }
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  }
  return d[m][n];
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(Math.max(name.length, best.length) / 3)));
  return bestD <= limit ? best : undefined;
}

function pathText(path: string[]): string {
  return '/' + path.join('/');
}

function listText(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : '(none)';
}

const guessText = (guess: string | undefined) => (guess ? ` (did you mean \`${guess}\`?)` : '');
const SENT = 'the request is sent as written and the server decides';

/**
 * What cannot be a valid request whatever the server knows. Used as is by the saved-queries file (with
 * the field to point at) and through {@link validateQuery} by the CLI, `cmu.runQuery` and the builder.
 */
export function structuralProblems(q: CmuQuery): QueryProblem[] {
  const out: QueryProblem[] = [];
  const reserved = (name: string) => RESERVED_PARAMS.includes(name);
  q.path.forEach((seg, i) => {
    const field = ['path', i];
    if (seg.trim() === '') out.push({ field, message: `the path ${pathText(q.path)} has an empty segment` });
    else if (reserved(seg)) out.push({ field, message: `\`${seg}\` is a reserved query parameter, not a dimension; it cannot be a path segment` });
    else if (q.path.indexOf(seg) < i) out.push({ field, message: `\`${seg}\` appears twice in the path ${pathText(q.path)}; a dimension can only be grouped once` });
  });
  q.filters.forEach((f, i) => {
    const d = f.dimension;
    if (d.trim() === '') out.push({ field: ['filters', i, 'dimension'], message: 'a filter needs a dimension name' });
    else if (reserved(d)) out.push({ field: ['filters', i, 'dimension'], message: `\`${d}${f.op}\` cannot be a filter: \`${d}\` is a reserved query parameter (set it on the query instead)` });
    if (f.values.length === 0) out.push({ field: ['filters', i, 'values'], message: `the filter on \`${d}\` has no value` });
  });
  q.projections.forEach((p, i) => {
    if (p.trim() === '') out.push({ field: ['projections', i], message: 'a projection needs a dimension name' });
    else if (reserved(p)) out.push({ field: ['projections', i], message: `\`${p}\` is a reserved query parameter, not a dimension to project` });
  });
  q.metrics.forEach((m, i) => {
    if (m.trim() === '') out.push({ field: ['metrics', i], message: 'a metric name cannot be empty' });
  });
  if (q.limit !== undefined && q.limit !== null && (!Number.isInteger(q.limit) || q.limit <= 0)) {
    out.push({ field: ['limit'], message: `limit must be a whole number greater than 0 (got ${String(q.limit)})` });
  }
  const when: Partial<Record<'start' | 'end', number>> = {};
  for (const k of ['start', 'end'] as const) {
    const v = q[k];
    if (v === undefined || v === '') continue;
    const problem = isoProblem(k, v);
    if (problem) out.push({ field: [k], message: problem });
    else when[k] = isoToMillis(v);
  }
  if (when.start !== undefined && when.end !== undefined && when.start > when.end) {
    out.push({ field: ['start'], message: `start (${q.start}) is after end (${q.end})` });
  }
  const windowBad = windowProblem(q);
  if (windowBad) out.push({ field: ['window'], message: windowBad });
  if (q.format !== undefined && !(REPORT_FORMATS as readonly string[]).includes(q.format)) {
    out.push({ field: ['format'], message: `format \`${String(q.format)}\` is not supported; use one of ${REPORT_FORMATS.join(', ')}` });
  }
  return out;
}

const RETENTION_MONTHS = 25;

/** The catalog's advice on a structurally valid query: never a reason to refuse it. */
export function catalogAdvice(q: CmuQuery, now: Date): string[] {
  const warnings: string[] = [];
  const path = q.path;

  // --- path: advice stops at the first segment the catalog does not know
  // a known path (the documented tree, a preset, the real backend's tree, billing/daily) needs no segment advice
  let known: string[] = isKnownPath(path) ? [...path] : [];
  let leftCatalog = false;
  for (let i = known.length; i < path.length; i++) {
    const seg = path[i];
    const prefix = path.slice(0, i);
    const steps = nextSteps(prefix);
    if (isKnownPath(path.slice(0, i + 1))) {
      known = path.slice(0, i + 1);
      continue;
    }
    if (undocumentedSegments().includes(seg)) {
      warnings.push(`\`${seg}\` is an undocumented drill-down step (seen in a CMU drill-down link); the catalog knows nothing below ${pathText(path.slice(0, i + 1))}`);
      leftCatalog = true;
      break;
    }
    if (!isDimension(seg)) {
      const guess = didYouMean(seg, steps) ?? didYouMean(seg, allDimensionNames(steps));
      warnings.push(`\`${seg}\` is not a dimension the catalog knows here${guessText(guess)}; next steps it knows from ${pathText(prefix)}: ${listText(steps)}; ${SENT}`);
      leftCatalog = true;
      break;
    }
    known = path.slice(0, i + 1);
  }
  const onTree = !leftCatalog && isKnownPath(path);
  if (!leftCatalog && path.length > 0 && !onTree) {
    let i = 0;
    while (i < path.length && isKnownPath(path.slice(0, i + 1))) i++;
    const prefix = path.slice(0, i);
    warnings.push(
      `${pathText(path)} is not a documented report path: \`${path[i]}\` does not follow ${pathText(prefix)} on the drill-down tree ` +
        `(next steps there are: ${listText(nextSteps(prefix))}); the server may answer 404 (no pre-aggregation)`,
    );
  }

  // --- filters
  const filterable = onTree ? filterableDimensions(path) : undefined;
  for (const f of q.filters) {
    const d = f.dimension;
    if (d.trim() === '' || RESERVED_PARAMS.includes(d)) continue;
    if (isTimeDimension(d)) {
      warnings.push(`\`${d}\` is a time dimension: the documented way to choose the time window is start/end, and the server may refuse ${d}${f.op}`);
    } else if (!isDimension(d)) {
      const guess = didYouMean(d, filterable ?? allDimensionNames([]));
      warnings.push(`\`${d}${f.op}\` filters \`${d}\`, which the catalog does not know as a dimension${guessText(guess)}${filterable ? `; filterable here: ${listText(filterable)}` : ''}; ${SENT}`);
    } else if (filterable && !filterable.includes(d) && !q.projections.includes(d)) {
      warnings.push(`\`${d}\` is neither on ${pathText(path)} nor below it in the catalog, so the server may answer 400; filterable here: ${listText(filterable)}`);
    }
    if (f.values.some((v) => v === '')) warnings.push(`the filter \`${d}${f.op}\` has an empty value (for a projection, use the bare name \`${d}\` instead)`);
  }
  const eqDims = new Set(q.filters.filter((f) => f.op === '=').map((f) => f.dimension));
  for (const f of q.filters) {
    if (f.op === '!=' && eqDims.has(f.dimension)) warnings.push(`\`${f.dimension}\` has both = and != filters; the result may be empty`);
  }

  // --- projections
  for (const p of q.projections) {
    if (p.trim() === '' || RESERVED_PARAMS.includes(p)) continue;
    if (!isDimension(p)) {
      const hint = isMetric(p) ? '; it is a metric: put it in metrics' : guessText(didYouMean(p, allDimensionNames([])));
      warnings.push(`\`${p}\` (a bare name asks for a projection) is not a dimension the catalog knows${hint}`);
    } else if (path.includes(p)) {
      warnings.push(`\`${p}\` is already on the path; projecting it again changes nothing`);
    } else if (isTimeDimension(p)) {
      warnings.push(`\`${p}\` is a time dimension: the time granularity comes from the path (add it as a segment), and the server may refuse it as a projection`);
    }
  }

  // --- metrics
  const pathMetrics = metricsFor(known);
  // the real backend's nodes without harvested columns have guessed metrics: no "not documented here" advice
  const real = realColumns(known);
  const metricsKnownHere = onTree && pathMetrics.length > 0 && (!real || real.harvested);
  for (const m of q.metrics) {
    if (m.trim() === '') continue;
    if (undocumentedMetrics().includes(m) && !isMetric(m)) {
      warnings.push(`\`${m}\` is an undocumented metric (seen in a CMU self link); the server may refuse it`);
    } else if (!isMetric(m)) {
      const guess = didYouMean(m, pathMetrics.length > 0 ? pathMetrics : allMetrics().map((x) => x.name));
      warnings.push(`\`${m}\` is not a metric the catalog knows${guessText(guess)}${pathMetrics.length ? `; metrics it documents here: ${listText(pathMetrics)}` : ''}; ${SENT}`);
    } else if (metricsKnownHere && !pathMetrics.includes(m)) {
      warnings.push(`\`${m}\` is not documented for ${pathText(path)}; metrics here: ${listText(pathMetrics)}`);
    }
  }

  // --- time window
  const startMs = q.start ? isoToMillis(q.start) : undefined;
  const endMs = q.end ? isoToMillis(q.end) : undefined;
  if (startMs !== undefined && startMs === endMs) warnings.push(`start and end are the same instant (${q.start}); the report will be empty`);
  const timed = (realColumns(path)?.dimensions ?? path).some((p) => isTimeDimension(p));
  if ((q.start || q.end) && !leftCatalog && !timed) {
    warnings.push(`start/end only apply when the path contains a time dimension (year, month, day, hour, minute); ${pathText(path)} has none`);
  }
  if (startMs !== undefined) {
    const cutoff = new Date(now.getTime());
    cutoff.setUTCMonth(cutoff.getUTCMonth() - RETENTION_MONTHS);
    if (startMs < cutoff.getTime()) warnings.push(`start (${q.start}) is more than ${RETENTION_MONTHS} months ago; CMU deletes older data`);
  }
  if (path.includes('minute')) warnings.push('minute-level data is off unless Adobe support enabled it for your tenant');
  return warnings;
}

/** Errors (refuse before sending) and warnings (show, then send). */
export function validateQuery(q: CmuQuery, now: Date = new Date()): { errors: string[]; warnings: string[] } {
  const errors = structuralProblems(q).map((p) => p.message);
  return { errors, warnings: catalogAdvice(q, now) };
}

/**
 * The gate every front puts before a request: throws InputError (`bad_query`) for structural errors,
 * returns the catalog's warnings for the front to show; the request is then sent.
 */
export function checkQuery(q: CmuQuery, now: Date = new Date()): string[] {
  checkStructure(q);
  return catalogAdvice(q, now);
}

/**
 * checkQuery's gate alone (throws InputError `bad_query` for structural errors), for a front that reads
 * the catalog's advice (catalogAdvice) later: its first call builds the catalog's indexes.
 */
export function checkStructure(q: CmuQuery): void {
  const errors = structuralProblems(q).map((p) => p.message);
  if (errors.length) {
    throw new InputError(errors.length === 1 ? errors[0] : `The query has ${errors.length} problems:\n  - ${errors.join('\n  - ')}`, 'Fix the path or the parameters and run again.', 'none', 'bad_query');
  }
}

function allDimensionNames(extra: readonly string[]): string[] {
  const names = new Set<string>(extra);
  for (const d of allDimensions()) names.add(d.name);
  return [...names];
}
