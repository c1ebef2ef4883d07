/**
 * HAL link normalization for CMU responses (reference: "HAL JSON shape", ambiguities 4 and 5).
 *
 * - a link value may be one object or an array of objects; `name` may be missing (then it is the last
 *   path segment of `href`);
 * - hrefs are server-absolute paths (`/cmu/v2/...`) resolved against the ORIGIN of the CMU base;
 * - on a base whose path is not `/cmu/v2` (the staging capture asked `/v2/...` and got `/cmu/v2/...`
 *   links) there is a second candidate: the href rebased onto the configured base path.
 */
import type { HalLink, ReportLinks } from './types';

export function asArray<T>(v: T | T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** `/cmu/v2/tenant/year.csv?start=x` -> `year` (extension and query dropped). */
export function lastSegment(href: string): string {
  const path = href.split(/[?#]/)[0];
  const segs = path.split('/').filter((s) => s !== '');
  const last = segs.length > 0 ? segs[segs.length - 1] : '';
  const stem = last.replace(/\.(json|xml|csv|html)$/i, '');
  try {
    return decodeURIComponent(stem);
  } catch {
    return stem;
  }
}

/** One link from whatever the server sent: `{href, name?}`, a bare string, or junk (-> undefined). */
export function normalizeLink(v: unknown): HalLink | undefined {
  if (typeof v === 'string') return v ? { href: v, name: lastSegment(v) } : undefined;
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const href = typeof o.href === 'string' ? o.href : typeof o['@_href'] === 'string' ? (o['@_href'] as string) : undefined;
  if (!href) return undefined;
  const name = typeof o.name === 'string' && o.name !== '' ? o.name : lastSegment(href);
  return { href, name };
}

export function normalizeLinkList(v: unknown): HalLink[] {
  const out: HalLink[] = [];
  for (const item of asArray(v as unknown)) {
    const l = normalizeLink(item);
    if (l) out.push(l);
  }
  return out;
}

/** `_links` of a HAL JSON resource -> ReportLinks. Tolerates `roll-up`/`rollUp`/`rollup`, `drill-down`/`drillDown`. */
export function readHalLinks(links: unknown): ReportLinks {
  const result: ReportLinks = { rollUp: [], drillDown: [] };
  if (!links || typeof links !== 'object') return result;
  const o = links as Record<string, unknown>;
  const self = normalizeLinkList(o.self)[0];
  if (self) result.self = self.href;
  result.rollUp = normalizeLinkList(o['roll-up'] ?? o.rollUp ?? o.rollup ?? o.up);
  result.drillDown = normalizeLinkList(o['drill-down'] ?? o.drillDown ?? o.drilldown ?? o.down);
  return result;
}

/** `rel`-tagged links (XML `<link rel= href=>`, HTML `<a rel= href=>`) -> ReportLinks. */
export function linksFromRels(items: { rel?: string; href?: string; name?: string }[], self?: string): ReportLinks {
  const result: ReportLinks = { rollUp: [], drillDown: [] };
  if (self) result.self = self;
  for (const it of items) {
    if (!it.href) continue;
    const rel = (it.rel ?? '').toLowerCase().replace(/[_\s]/g, '-');
    const link: HalLink = { href: it.href, name: it.name || lastSegment(it.href) };
    if (rel === 'self') {
      if (!result.self) result.self = it.href;
    } else if (rel === 'roll-up' || rel === 'rollup' || rel === 'up') result.rollUp.push(link);
    else if (rel === 'drill-down' || rel === 'drilldown' || rel === 'down') result.drillDown.push(link);
  }
  return result;
}

/** The origin and the path of a CMU base (`https://h/cmu/v2` -> [`https://h`, `/cmu/v2`]). */
export function splitBase(cmuBase: string): { origin: string; path: string } {
  const u = new URL(cmuBase);
  return { origin: u.origin, path: u.pathname.replace(/\/+$/, '') };
}

/**
 * Absolute URL for an href returned by the server. Absolute hrefs are returned as they are (the
 * caller checks the origin); server-absolute paths resolve against the base's origin; relative
 * paths (no leading `/`) are relative to the base itself.
 */
export function resolveHref(href: string, cmuBase: string): string {
  const h = href.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) return h;
  const { origin, path } = splitBase(cmuBase);
  if (h.startsWith('//')) return new URL(h, origin).href;
  if (h.startsWith('/')) return origin + h;
  return origin + path + '/' + h.replace(/^\.\//, '');
}

/**
 * The staging prefix fallback: when the base path differs from the `/cmu/v2` the server writes in its
 * links, the same resource under the configured base (`https://stage/v2` + `/year/month`).
 * Undefined when there is no other candidate.
 */
export function fallbackHref(href: string, cmuBase: string): string | undefined {
  const h = href.trim();
  let pathAndQuery: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) {
    try {
      const u = new URL(h);
      pathAndQuery = u.pathname + u.search;
    } catch {
      return undefined;
    }
  } else if (h.startsWith('/') && !h.startsWith('//')) pathAndQuery = h;
  else return undefined;
  const { origin, path } = splitBase(cmuBase);
  const m = /^\/cmu\/v2(?=[/.?]|$)/.exec(pathAndQuery) ?? /^\/v2(?=[/.?]|$)/.exec(pathAndQuery);
  if (!m) return undefined;
  if (m[0] === path) return undefined; // already the base's prefix: nothing else to try
  const alt = origin + path + pathAndQuery.slice(m[0].length);
  return alt === resolveHref(h, cmuBase) ? undefined : alt;
}

/**
 * The other candidate for an absolute URL on the base's origin when the base path is not `/cmu/v2`:
 * `<origin><basePath>/rest` <-> `<origin>/cmu/v2/rest`. Undefined when there is none (production).
 */
export function alternateUrl(url: string, cmuBase: string): string | undefined {
  const on = onBaseOrigin(url, cmuBase);
  if (!on || on.base.path === '/cmu/v2') return undefined;
  const { u, base } = on;
  const p = u.pathname;
  const under = (prefix: string) => isUnder(p, prefix);
  let alt: string | undefined;
  if (base.path !== '' && under(base.path)) alt = '/cmu/v2' + p.slice(base.path.length);
  else if (under('/cmu/v2')) alt = base.path + p.slice('/cmu/v2'.length);
  return alt === undefined ? undefined : base.origin + alt + u.search;
}

/**
 * True when `url` stays under the CMU base path once normalized: a HAL href such as
 * `/cmu/v2/%2E%2E/%2E%2E/admin` is on the right origin but leaves the API (URL parsing turns encoded dot
 * segments into `..`), and the access token must not follow it. Accepted prefixes: the base path and
 * the `/cmu/v2` the server writes in its links (the staging fallback). Encoded slashes, backslashes and
 * dot segments a server might decode itself are refused too.
 */
export function isWithinBase(url: string, cmuBase: string): boolean {
  const on = onBaseOrigin(url, cmuBase);
  if (!on) return false;
  const { base } = on;
  const p = on.u.pathname;
  if (/%(2f|5c)/i.test(p)) return false;
  for (const seg of p.split('/')) {
    let decoded = seg;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return false;
    }
    if (decoded === '.' || decoded === '..') return false;
  }
  return base.path === '' || isUnder(p, base.path) || isUnder(p, '/cmu/v2');
}

/** `url` parsed, with the base split, when both parse and share the origin; else undefined. */
function onBaseOrigin(url: string, cmuBase: string): { u: URL; base: { origin: string; path: string } } | undefined {
  try {
    const u = new URL(url);
    const base = splitBase(cmuBase);
    return u.origin === base.origin ? { u, base } : undefined;
  } catch {
    return undefined;
  }
}

/** the path is `prefix` itself, below it, or it with an extension (`/cmu/v2.json`) */
function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/') || path.startsWith(prefix + '.');
}

/** resolveHref, when the result stays under the CMU base path (isWithinBase); undefined otherwise. */
export function resolveHrefWithinBase(href: string, cmuBase: string): string | undefined {
  const url = resolveHref(href, cmuBase);
  return isWithinBase(url, cmuBase) ? url : undefined;
}

/** `/cmu/v2/year/month?x`, `/v2/year/month.json`, `https://host/cmu/v2/year` → `['year', 'month']`. */
export function hrefPath(href: string): string[] {
  let p = href.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/)[0];
  p = p.replace(/\.(json|xml|csv|html)$/i, '').replace(/^\/*(cmu\/)?v2(?=\/|$)/, '');
  return p
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}
