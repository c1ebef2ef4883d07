/**
 * The one query model: a CmuQuery value to a CMU URL and back (a pasted CMU URL, a HAL href, a bare
 * path), validation against the catalog, the query in words, and UTC time-range presets.
 *
 * Query strings are built by hand with encodeURIComponent, never URLSearchParams: it would encode the
 * `!` of `mvpd!=X` as %21 and turn a bare projection `platform` into `platform=` (an empty filter).
 */
import {
  DIMENSIONS,
  METRICS,
  filterableDimensions,
  isDimension,
  isKnownPath,
  isMetric,
  isTimeDimension,
  metricsFor,
  nextSteps,
  UNDOCUMENTED_METRICS,
  UNDOCUMENTED_SEGMENTS,
} from './catalog';
import type { CmuFilter, CmuQuery, ReportFormat } from './types';
import { REPORT_FORMATS } from './types';

/** Query parameters with a meaning of their own; never dimension names. */
export const RESERVED_PARAMS: readonly string[] = ['access_token', 'start', 'end', 'format', 'limit', 'metrics'];

/** The path prefix of CMU hrefs (`/cmu/v2/...`) as the server writes them in HAL links. */
export const CMU_PATH_PREFIX = '/cmu/v2';

export function emptyQuery(path: string[] = []): CmuQuery {
  return { path: [...path], filters: [], projections: [], metrics: [] };
}

/** A deep copy, so callers can edit without touching a saved query. */
export function cloneQuery(q: CmuQuery): CmuQuery {
  return {
    ...q,
    path: [...q.path],
    filters: q.filters.map((f) => ({ dimension: f.dimension, op: f.op, values: [...f.values] })),
    projections: [...q.projections],
    metrics: [...q.metrics],
  };
}

// ---------------------------------------------------------------------------------------------
// query -> URL

/** encodeURIComponent, but `:` stays readable (`2024-11-01T10:00:00`, as CMU echoes it). */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/%3A/gi, ':');
}

/** The path part relative to the CMU base: `tenant/year/month.csv` ('' for the root). */
export function queryPath(q: CmuQuery): string {
  const segs = q.path.filter((s) => s !== '').map(enc);
  if (segs.length === 0) return '';
  return segs.join('/') + (q.format ? '.' + q.format : '');
}

/** The query string without `?`: start, end, filters, projections, metrics (comma form), limit. */
export function queryString(q: CmuQuery): string {
  const parts: string[] = [];
  if (q.start) parts.push('start=' + enc(q.start));
  if (q.end) parts.push('end=' + enc(q.end));
  for (const f of q.filters) {
    const name = enc(f.dimension) + (f.op === '!=' ? '!' : '');
    for (const v of f.values) parts.push(name + '=' + enc(v));
  }
  for (const p of q.projections) parts.push(enc(p));
  if (q.metrics.length > 0) parts.push('metrics=' + q.metrics.map(enc).join(','));
  if (q.limit !== undefined && q.limit !== null) parts.push('limit=' + String(q.limit));
  // The root has no last segment to carry an extension: use the `format` parameter there.
  if (q.format && q.path.filter((s) => s !== '').length === 0) parts.push('format=' + q.format);
  return parts.join('&');
}

/** `/cmu/v2/tenant/year.csv?start=..&mvpd!=X&metrics=a,b&limit=5` */
export function queryToHref(q: CmuQuery): string {
  const p = queryPath(q);
  const qs = queryString(q);
  return CMU_PATH_PREFIX + (p ? '/' + p : '') + (qs ? '?' + qs : '');
}

/** Absolute URL: the query's path appended to the base (whatever its own path prefix is). */
export function queryToUrl(q: CmuQuery, cmuBase: string): string {
  const base = cmuBase.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const p = queryPath(q);
  const qs = queryString(q);
  return base + (p ? '/' + p : '') + (qs ? '?' + qs : '');
}

// ---------------------------------------------------------------------------------------------
// URL -> query

function dec(s: string, plusIsSpace: boolean): string {
  const t = plusIsSpace ? s.replace(/\+/g, ' ') : s;
  try {
    return decodeURIComponent(t);
  } catch {
    return t;
  }
}

const EXT_RE = /\.(json|xml|csv|html)$/i;

/** The path segments after the CMU prefix (`/cmu/v2`, `/v2`, or the given base's path). */
function pathSegments(pathname: string, basePath?: string): string[] {
  let segs = pathname.split('/').filter((s) => s !== '');
  const baseSegs = basePath ? basePath.split('/').filter((s) => s !== '') : [];
  const startsWith = (prefix: string[]) =>
    prefix.length > 0 && prefix.length <= segs.length && prefix.every((p, i) => (i === prefix.length - 1 ? stripExt(segs[i]) : segs[i]) === p);
  if (startsWith(baseSegs)) {
    segs = rootExt(segs, baseSegs.length);
  } else {
    // `.../cmu/v2/...` anywhere, else `/v2/...` at the start (the staging capture's `/v2/billing/daily`)
    const i = segs.findIndex((s, k) => s === 'cmu' && k + 1 < segs.length && stripExt(segs[k + 1]) === 'v2');
    if (i >= 0) segs = rootExt(segs, i + 2);
    else if (segs.length > 0 && stripExt(segs[0]) === 'v2') segs = rootExt(segs, 1);
  }
  return segs;
}

function stripExt(s: string): string {
  return s.replace(EXT_RE, '');
}

/** Drops the prefix; an extension on the prefix's last segment (`/cmu/v2.csv`) is kept as a pseudo-segment. */
function rootExt(segs: string[], n: number): string[] {
  const m = EXT_RE.exec(segs[n - 1]);
  const rest = segs.slice(n);
  if (m && rest.length === 0) return [m[0]];
  return rest;
}

/**
 * A pasted CMU URL (`https://mgmt.auth.adobe.com/cmu/v2/tenant/year.csv?...`), a HAL href
 * (`/cmu/v2/year/month?start=...&metrics=a&metrics=b`) or a bare path (`tenant/year`) as a query.
 * `access_token` is dropped; repeated `dim=`/`dim!=` become IN / NOT IN; a bare name is a projection;
 * `metrics` is read in both comma and repeated forms; the path extension wins over `format`.
 * `cmuBase` (optional) names a base whose own path prefix should be stripped (e.g. a staging `/v2`).
 */
export function parseQueryUrl(urlOrHref: string, cmuBase?: string): CmuQuery {
  let s = urlOrHref.trim();
  const hash = s.indexOf('#');
  if (hash >= 0) s = s.slice(0, hash);
  const qm = s.indexOf('?');
  let pathPart = qm >= 0 ? s.slice(0, qm) : s;
  const search = qm >= 0 ? s.slice(qm + 1) : '';
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(pathPart);
  if (scheme) {
    pathPart = pathPart.slice(scheme[0].length) || '/';
  }
  let basePath: string | undefined;
  if (cmuBase) {
    try {
      basePath = new URL(cmuBase).pathname;
    } catch {
      basePath = undefined;
    }
  }
  const q = emptyQuery();
  const segs = pathSegments(pathPart, basePath).map((x) => dec(x, false));
  let extFormat: ReportFormat | undefined;
  if (segs.length > 0) {
    const last = segs[segs.length - 1];
    const m = EXT_RE.exec(last);
    if (m) {
      extFormat = m[1].toLowerCase() as ReportFormat;
      const stem = last.slice(0, -m[0].length);
      if (stem) segs[segs.length - 1] = stem;
      else segs.pop();
    }
  }
  q.path = segs;

  let formatParam: ReportFormat | undefined;
  const filterIndex = new Map<string, CmuFilter>();
  const metricSeen = new Set<string>();
  for (const part of search.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      const name = dec(part, true).trim();
      if (name === '' || RESERVED_PARAMS.includes(name)) continue;
      if (!q.projections.includes(name)) q.projections.push(name);
      continue;
    }
    let name = dec(part.slice(0, eq), true).trim();
    const rawValue = part.slice(eq + 1);
    let op: '=' | '!=' = '=';
    if (name.endsWith('!')) {
      op = '!=';
      name = name.slice(0, -1).trim();
    }
    if (name === '') continue;
    if (op === '=' && RESERVED_PARAMS.includes(name)) {
      switch (name) {
        case 'access_token':
          break; // never kept: a token does not belong in a saved query or a URL
        case 'start':
          q.start = dec(rawValue, false);
          break;
        case 'end':
          q.end = dec(rawValue, false);
          break;
        case 'limit': {
          const v = dec(rawValue, true).trim();
          q.limit = v === '' ? undefined : Number(v);
          break;
        }
        case 'format': {
          const v = dec(rawValue, true).trim().toLowerCase();
          if ((REPORT_FORMATS as readonly string[]).includes(v)) formatParam = v as ReportFormat;
          break;
        }
        case 'metrics':
          for (const m of dec(rawValue, true).split(',')) {
            const t = m.trim();
            if (t && !metricSeen.has(t)) {
              metricSeen.add(t);
              q.metrics.push(t);
            }
          }
          break;
      }
      continue;
    }
    const value = dec(rawValue, true);
    const key = name + op;
    let f = filterIndex.get(key);
    if (!f) {
      f = { dimension: name, op, values: [] };
      filterIndex.set(key, f);
      q.filters.push(f);
    }
    if (!f.values.includes(value)) f.values.push(value);
  }
  const format = extFormat ?? formatParam;
  if (format) q.format = format;
  return q;
}

// ---------------------------------------------------------------------------------------------
// validation

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

/** `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `…THH`, `…THH:mm`, `…THH:mm:ss(.sss)`, with an optional Z or ±hh:mm. */
const ISO_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds of an ISO 8601 value or prefix, completed with the minimum (start=2012 -> 2012-01-01T00:00:00). */
export function isoToMillis(value: string): number | undefined {
  const m = ISO_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) : 1;
  const day = d ? Number(d) : 1;
  const hour = h ? Number(h) : 0;
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, frac ? Math.floor(Number('0.' + frac) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60000;
  }
  return ms;
}

function isoProblem(name: 'start' | 'end', value: string): string | undefined {
  if (isoToMillis(value) !== undefined) return undefined;
  const colon = /^(\d{4}-\d{2}-\d{2}):(\d{2}:\d{2}(?::\d{2})?)$/.exec(value.trim());
  const example = colon ? `${colon[1]}T${colon[2]}` : '2024-11-01 or 2024-11-01T10:00:00';
  const why = colon ? 'the date and the time are separated by `T`, not `:`' : 'use an ISO 8601 date or date-time (a prefix such as 2024 or 2024-11 is allowed)';
  return `\`${name}=${value}\` is not a valid ISO 8601 value: ${why}; e.g. ${name}=${example}`;
}

const RETENTION_MONTHS = 25;

/**
 * Checks a query against the catalog. Errors: the server would certainly refuse it (or it is not a
 * well-formed query). Warnings: it may work but probably not as intended (the documented tree is
 * illustrative, so an off-tree path is a warning, not an error).
 */
export function validateQuery(q: CmuQuery, now: Date = new Date()): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];

  // --- path
  const path = q.path;
  let known: string[] = []; // the longest prefix of valid dimensions
  let pathBroken = false;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const prefix = path.slice(0, i);
    const steps = nextSteps(prefix);
    if (RESERVED_PARAMS.includes(seg)) {
      errors.push(`\`${seg}\` is a reserved query parameter, not a dimension; next steps from ${pathText(prefix)} are: ${listText(steps)}`);
      pathBroken = true;
      break;
    }
    if (UNDOCUMENTED_SEGMENTS.includes(seg)) {
      // a server's own drill-down link in the capture: let it through; its meaning is unknown
      warnings.push(`\`${seg}\` is an undocumented drill-down step (seen in a CMU drill-down link); the catalog knows nothing below ${pathText(path.slice(0, i + 1))}`);
      pathBroken = true;
      break;
    }
    if (!isDimension(seg)) {
      const guess = didYouMean(seg, steps.length > 0 ? steps : []) ?? didYouMean(seg, allDimensionNames(steps));
      errors.push(
        `\`${seg}\` is not a dimension here` +
          (guess ? ` (did you mean \`${guess}\`?)` : '') +
          `; next steps from ${pathText(prefix)} are: ${listText(steps)}`,
      );
      pathBroken = true;
      break;
    }
    if (prefix.includes(seg)) {
      errors.push(`\`${seg}\` appears twice in the path ${pathText(path)}; a dimension can only be grouped once`);
      pathBroken = true;
      break;
    }
    known = path.slice(0, i + 1);
  }
  const onTree = !pathBroken && isKnownPath(path);
  if (!pathBroken && path.length > 0 && !onTree) {
    // find where it leaves the documented tree
    let i = 0;
    while (i < path.length && isKnownPath(path.slice(0, i + 1))) i++;
    const prefix = path.slice(0, i);
    const steps = nextSteps(prefix);
    warnings.push(
      `${pathText(path)} is not a documented report path: \`${path[i]}\` does not follow ${pathText(prefix)} on the drill-down tree ` +
        `(next steps there are: ${listText(steps)}); the server may answer 404 (no pre-aggregation)`,
    );
  }
  const hasTime = path.some((p) => isTimeDimension(p));

  // --- filters
  const filterable = onTree ? new Set(filterableDimensions(path)) : undefined;
  for (const f of q.filters) {
    const d = f.dimension;
    const shown = `\`${d}${f.op}\``;
    if (RESERVED_PARAMS.includes(d)) {
      errors.push(`${shown} cannot be a filter: \`${d}\` is a reserved query parameter`);
      continue;
    }
    if (isTimeDimension(d)) {
      errors.push(`\`${d}\` is a time dimension and cannot be filtered with ${f.op}; use start/end to choose the time window`);
      continue;
    }
    if (!isDimension(d)) {
      const guess = didYouMean(d, filterable ? [...filterable] : allDimensionNames([]));
      errors.push(
        `${shown} filters \`${d}\`, which is not a dimension` +
          (guess ? ` (did you mean \`${guess}\`?)` : '') +
          (filterable ? `; filterable here: ${listText([...filterable])}` : ''),
      );
      continue;
    }
    if (f.values.length === 0) errors.push(`the filter on \`${d}\` has no value`);
    else if (f.values.some((v) => v === '')) warnings.push(`the filter \`${d}${f.op}\` has an empty value (for a projection, use the bare name \`${d}\` instead)`);
    if (filterable && !filterable.has(d) && !q.projections.includes(d)) {
      errors.push(
        `\`${d}\` cannot be filtered on ${pathText(path)}: it is neither on the path nor below it (the server answers 400); ` +
          `filterable here: ${listText([...filterable])}`,
      );
    }
  }
  const eqDims = new Set(q.filters.filter((f) => f.op === '=').map((f) => f.dimension));
  for (const f of q.filters) {
    if (f.op === '!=' && eqDims.has(f.dimension)) warnings.push(`\`${f.dimension}\` has both = and != filters; the result may be empty`);
  }

  // --- projections
  for (const p of q.projections) {
    if (!isDimension(p)) {
      const guess = didYouMean(p, allDimensionNames([])) ?? (isMetric(p) ? undefined : didYouMean(p, metricNames(path)));
      errors.push(
        `\`${p}\` (a bare name asks for a projection) is not a dimension` +
          (isMetric(p) ? `; it is a metric: put it in metrics` : guess ? ` (did you mean \`${guess}\`?)` : ''),
      );
    } else if (path.includes(p)) {
      warnings.push(`\`${p}\` is already on the path; projecting it again changes nothing`);
    } else if (isTimeDimension(p)) {
      warnings.push(`\`${p}\` is a time dimension: the time granularity comes from the path (add it as a segment), and the server may refuse it as a projection`);
    }
  }

  // --- metrics
  const pathMetrics = metricsFor(known);
  for (const m of q.metrics) {
    if (UNDOCUMENTED_METRICS.includes(m)) {
      warnings.push(`\`${m}\` is an undocumented metric (seen in a CMU self link); the server may refuse it`);
      continue;
    }
    if (!isMetric(m)) {
      const guess = didYouMean(m, pathMetrics.length > 0 ? pathMetrics : metricNames([]));
      errors.push(`\`${m}\` is not a known metric` + (guess ? ` (did you mean \`${guess}\`?)` : '') + (pathMetrics.length ? `; metrics here: ${listText(pathMetrics)}` : ''));
    } else if (onTree && pathMetrics.length > 0 && !pathMetrics.includes(m)) {
      warnings.push(`\`${m}\` is not documented for ${pathText(path)}; metrics here: ${listText(pathMetrics)}`);
    }
  }

  // --- limit
  if (q.limit !== undefined && q.limit !== null) {
    if (!Number.isInteger(q.limit) || q.limit <= 0) errors.push(`limit must be a whole number greater than 0 (got ${String(q.limit)})`);
  }

  // --- time window
  let startMs: number | undefined;
  let endMs: number | undefined;
  if (q.start !== undefined && q.start !== '') {
    const p = isoProblem('start', q.start);
    if (p) errors.push(p);
    else startMs = isoToMillis(q.start);
  }
  if (q.end !== undefined && q.end !== '') {
    const p = isoProblem('end', q.end);
    if (p) errors.push(p);
    else endMs = isoToMillis(q.end);
  }
  if (startMs !== undefined && endMs !== undefined) {
    if (startMs > endMs) errors.push(`start (${q.start}) is after end (${q.end})`);
    else if (startMs === endMs) warnings.push(`start and end are the same instant (${q.start}); the report will be empty`);
  }
  if ((q.start || q.end) && !pathBroken && !hasTime) {
    warnings.push(`start/end only apply when the path contains a time dimension (year, month, day, hour, minute); ${pathText(path)} has none`);
  }
  if (startMs !== undefined) {
    const cutoff = new Date(now.getTime());
    cutoff.setUTCMonth(cutoff.getUTCMonth() - RETENTION_MONTHS);
    if (startMs < cutoff.getTime()) warnings.push(`start (${q.start}) is more than ${RETENTION_MONTHS} months ago; CMU deletes older data`);
  }
  if (path.includes('minute')) warnings.push('minute-level data is off unless Adobe support enabled it for your tenant');

  // --- format
  if (q.format !== undefined && !(REPORT_FORMATS as readonly string[]).includes(q.format)) {
    errors.push(`format \`${String(q.format)}\` is not supported; use one of ${REPORT_FORMATS.join(', ')}`);
  }
  return { errors, warnings };
}

function allDimensionNames(extra: readonly string[]): string[] {
  const names = new Set<string>(extra);
  for (const d of DIMENSIONS) names.add(d.name);
  return [...names];
}

function metricNames(path: string[]): string[] {
  const fromPath = metricsFor(path);
  return fromPath.length > 0 ? fromPath : METRICS.map((m) => m.name);
}

// ---------------------------------------------------------------------------------------------
// the query in words

function joinWords(items: string[], last = 'and'): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ` ${last} ` + items[items.length - 1];
}

function filterWords(f: CmuFilter): string {
  const vals = f.values.map((v) => (v === '' ? '(empty)' : v));
  if (f.op === '=') return vals.length === 1 ? `${f.dimension} is ${vals[0]}` : `${f.dimension} is one of ${vals.join(', ')}`;
  return vals.length === 1 ? `${f.dimension} is not ${vals[0]}` : `${f.dimension} is none of ${vals.join(', ')}`;
}

const GRAIN_WORDS: Record<string, string> = { year: 'Yearly', month: 'Monthly', day: 'Daily', hour: 'Hourly', minute: 'Per-minute', second: 'Per-second' };

/** e.g. "Daily active-users and started-sessions by tenant, year, month, day and mvpd, where mvpd is not TempPass, from 2024-11-01 to 2024-11-08, at most 500 rows, as CSV" */
export function describeQuery(q: CmuQuery): string {
  const path = q.path;
  let grain = '';
  for (let i = path.length - 1; i >= 0; i--) {
    if (GRAIN_WORDS[path[i]]) {
      grain = GRAIN_WORDS[path[i]];
      break;
    }
  }
  let s: string;
  if (q.metrics.length > 0) s = grain ? `${grain} ${joinWords(q.metrics)}` : joinWords(q.metrics);
  else s = grain ? `${grain} report (all metrics)` : 'All metrics';
  const groups = [...path, ...q.projections.filter((p) => !path.includes(p))];
  s += groups.length > 0 ? ` by ${joinWords(groups)}` : ' as overall totals';
  if (q.filters.length > 0) s += `, where ${joinWords(q.filters.map(filterWords))}`;
  if (q.start && q.end) s += `, from ${q.start} to ${q.end}`;
  else if (q.start) s += `, from ${q.start} until now`;
  else if (q.end) s += `, from the server's default start to ${q.end}`;
  else if (path.some((p) => isTimeDimension(p))) s += ", over the server's default time window";
  if (q.limit !== undefined) s += `, at most ${q.limit} row${q.limit === 1 ? '' : 's'}`;
  if (q.format && q.format !== 'json') s += `, as ${q.format.toUpperCase()}`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// time-range presets

export type TimePreset = 'today' | 'yesterday' | 'last24h' | 'last7d' | 'thisMonth' | 'lastMonth';
export const TIME_PRESETS: readonly { id: TimePreset; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: 'last24h', label: 'Last 24 hours' },
  { id: 'last7d', label: 'Last 7 days' },
  { id: 'thisMonth', label: 'This month' },
  { id: 'lastMonth', label: 'Last month' },
];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** UTC wall-clock ISO 8601 to the second, without a zone suffix (the form CMU echoes in self links). */
export function toIsoUtc(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/**
 * The start/end that will be sent for a preset, computed in UTC. `today`, `thisMonth`, `last24h` and
 * `last7d` end now (to the second); `yesterday` and `lastMonth` end at the start of the next period
 * (a whole day / month). `last24h` and `last7d` are rolling windows.
 */
export function timeRange(preset: TimePreset, now: Date = new Date()): { start: string; end: string } {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const day = d.getUTCDate();
  const midnight = Date.UTC(y, mo, day);
  const DAY = 86_400_000;
  switch (preset) {
    case 'today':
      return { start: toIsoUtc(midnight), end: toIsoUtc(t) };
    case 'yesterday':
      return { start: toIsoUtc(midnight - DAY), end: toIsoUtc(midnight) };
    case 'last24h':
      return { start: toIsoUtc(t - DAY), end: toIsoUtc(t) };
    case 'last7d':
      return { start: toIsoUtc(t - 7 * DAY), end: toIsoUtc(t) };
    case 'thisMonth':
      return { start: toIsoUtc(Date.UTC(y, mo, 1)), end: toIsoUtc(t) };
    case 'lastMonth':
      return { start: toIsoUtc(Date.UTC(y, mo - 1, 1)), end: toIsoUtc(Date.UTC(y, mo, 1)) };
    default:
      throw new Error(`unknown time preset: ${String(preset)}`);
  }
}
