/**
 * A CmuQuery to a CMU URL and back (a pasted CMU URL, a HAL href, a bare path).
 *
 * Query strings are built by hand with encodeURIComponent, never URLSearchParams: it would encode the
 * `!` of `mvpd!=X` as %21 and turn a bare projection `platform` into `platform=` (an empty filter).
 */
import type { CmuFilter, CmuQuery, ReportFormat } from '../types';
import { REPORT_FORMATS } from '../types';
import { RESERVED_PARAMS, emptyQuery } from './model';

/** The path prefix of CMU hrefs (`/cmu/v2/...`) as the server writes them in HAL links. */
export const CMU_PATH_PREFIX = '/cmu/v2';

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
