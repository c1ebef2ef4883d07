/**
 * The CMU side of the sandbox (`GET /cmu/v2/...`): WOLAP semantics as the reference documents them —
 * the path is the GROUP BY, query parameters filter (=, IN, !=, NOT IN) or project (bare name),
 * start/end/limit/metrics are reserved, and the answer is HAL JSON, HAL XML, CSV or HTML.
 * It serves both trees: the documented one and the real backend's (catalog: real-paths.json, billing/daily).
 * Errors are plain text: 400 bad request, 401 token, 403 other tenant or a missing scope (named, with what
 * to ask Adobe for), 404 unknown path, 405 method, 406 format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, pipeline, type Writable } from 'node:stream';
import { createDeflate, createGzip } from 'node:zlib';
import {
  CMU_BASE_PATH,
  DEFAULT_LIMIT,
  filterableDimensions,
  isDimension,
  isKnownPath,
  isMetric,
  isTimeDimension,
  metricsFor,
  nextSteps,
  pathHref,
  realColumns,
  RESERVED_PARAMETERS,
  rollUpPath,
  splitPath,
} from '../core/cmu/catalog';
import { requiredScope, scopeAdvice } from '../core/cmu/scopes';
import { Dataset, type Cube, type RowFilter } from './dataset';
import { defaultStart, formatTime, parseTime } from './time';
import type { DcrService, TokenRecord } from './dcr';
import { parsePairs, sendText } from './respond';
import type { ResponseCache } from './responseCache';

export type CmuFormat = 'json' | 'xml' | 'csv' | 'html';
const FORMATS: readonly CmuFormat[] = ['json', 'xml', 'csv', 'html'];
const CONTENT_TYPES: Record<CmuFormat, string> = {
  json: 'application/json',
  xml: 'application/xml',
  csv: 'text/csv',
  html: 'text/html;charset=UTF-8',
};
/** Larger limits are refused as "too large to return" (400). */
export const MAX_LIMIT = 1_000_000;
/** the catalog's one reserved list; each may appear once (metrics, a list, is checked on its own) */
const RESERVED_ONCE = RESERVED_PARAMETERS.filter((n) => n !== 'metrics');

/**
 * A column one report's answers carry on request (Sandbox.setKindChange): a name no document and no catalog
 * names, after the report's dimensions; numbers in its first rows, text in the later ones.
 */
export interface KindChange {
  /** the report (`tenant/year/month/day/hour`): one the sandbox serves */
  path: string;
  /** the column's name (`device-tier`): not a dimension or metric of the catalog, not one of the path's */
  column: string;
  /** rows whose value is their row number (1, 2, …); every later row holds `row-<n>` */
  numericRows: number;
}

/** An undocumented report the sandbox serves on request: a path and a metric no document and no catalog names. */
export interface ExtraReport {
  /** `year/screen-class`: the last segments may be dimensions nobody documents (their values are invented) */
  path: string;
  /** its one metric */
  metric: string;
}

export interface CmuConfig {
  seed: number;
  now: () => number;
  /** the report time zone's fixed offset from UTC (ms; default 0): the sandbox's data and times are its wall clock */
  offsetMs?: number;
  /** big report bodies as sent, for repeated requests (none: every answer is generated) */
  cache?: ResponseCache;
}

/** How a knob shapes one answer (Sandbox.failNext, setDelay). */
export interface KnobbedAnswer {
  /** the connection drops after this many characters of the body (before compression): a truncated answer */
  cutAfterBytes?: number;
  /** generate the answer, neither read nor fill the response cache */
  fresh?: boolean;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A parsed, validated report request. */
export interface CmuRequest {
  path: string[];
  format: CmuFormat;
  filters: RowFilter[];
  /** the report's own GROUP BY: the path, or the real backend's columns (`year` adds tenant; billing/daily is year/month/day/tenant) */
  groupBy: string[];
  projections: string[];
  start: number;
  end: number;
  limit: number;
  metrics: string[];
}

export class CmuService {
  private data?: Dataset;
  /** undocumented reports served besides the catalog's (serveExtraReport), by path */
  private readonly extras = new Map<string, { path: string[]; metric: string }>();
  /** changes with every serveExtraReport: an extra report changes its parent's links (part of the cache key) */
  private extrasVersion = 0;
  /** the column that turns from numbers to text (setKindChange); its path joined with `/` */
  private kindChange: KindChange | undefined;

  constructor(
    private readonly dcr: DcrService,
    private readonly config: CmuConfig,
  ) {}

  /** The synthetic dataset, built on first use (about 0.1 s). */
  get dataset(): Dataset {
    this.data ??= new Dataset(this.config.seed, () => this.wallNow());
    return this.data;
  }

  /**
   * Serves `report.path` with its own metric from now on, as the real server may serve what no document
   * names: its parent's drill-down links lead to it; its unknown dimensions get invented values.
   */
  serveExtraReport(report: ExtraReport): void {
    const path = splitPath(report.path);
    if (path.length === 0 || path.some((s) => !/^[a-z][a-z0-9-]*$/.test(s))) throw new Error(`not a report path: ${report.path}`);
    if (!/^[a-z][a-z0-9_-]*$/.test(report.metric)) throw new Error(`not a metric name: ${report.metric}`);
    this.extras.set(path.join('/'), { path, metric: report.metric });
    this.extrasVersion++;
  }

  /**
   * From now on (undefined: no more), `change.path`'s answers carry `change.column` after their dimensions,
   * its row number in the first `numericRows` rows and `row-<n>` text after them, in every format.
   */
  setKindChange(change: KindChange | undefined): void {
    if (!change) {
      this.kindChange = undefined;
      return;
    }
    const segments = splitPath(change.path);
    if (!isKnownPath(segments) && !this.extraAt(segments)) throw new Error(`not a report the sandbox serves: ${change.path}`);
    const { column, numericRows } = change;
    // a name the catalog knows gets its kind from the catalog, never from its values: nothing would change kind
    if (!/^[a-z][a-z0-9_-]*$/.test(column) || isDimension(column) || isMetric(column) || segments.includes(column)) {
      throw new Error(`not a column name the catalog and the report lack: ${column}`);
    }
    if (!Number.isSafeInteger(numericRows) || numericRows < 1) throw new Error(`numericRows must be a positive integer: ${numericRows}`);
    this.kindChange = { path: segments.join('/'), column, numericRows };
  }

  private extraAt(path: string[]): { path: string[]; metric: string } | undefined {
    return this.extras.get(path.join('/'));
  }

  /** The drill-down steps of a path: the catalog's, then the extra reports directly below it. */
  private stepsBelow(path: string[]): string[] {
    const out = nextSteps(path);
    for (const e of this.extras.values()) {
      if (e.path.length === path.length + 1 && e.path.slice(0, -1).join('/') === path.join('/') && !out.includes(e.path[path.length])) out.push(e.path[path.length]);
    }
    return out;
  }

  private cubeFor(path: string[]): Cube {
    const extra = this.extraAt(path);
    return extra ? this.dataset.extraCube(extra.path, extra.metric) : this.dataset.cubeFor(path);
  }

  async handle(req: IncomingMessage, res: ServerResponse, rawPath: string, query: string, knob: KnobbedAnswer = {}): Promise<void> {
    req.resume();
    try {
      if (req.method !== 'GET') throw new HttpProblem(405, `method ${req.method} not allowed; CMU answers GET only`, { Allow: 'GET' });
      const pairs = parsePairs(query);
      if (!pairs) throw new HttpProblem(400, 'malformed query string (bad percent-encoding)');
      const token = await this.authenticate(req, pairs);
      const request = this.parse(req, rawPath, pairs, token);
      await this.respond(req, res, request, knob);
    } catch (e) {
      if (!(e instanceof HttpProblem)) throw e;
      sendText(res, e.status, e.message + '\n', e.headers);
    }
  }

  /** Now as the report time zone's wall clock (ms): what every time of the sandbox's reports is. */
  private wallNow(): number {
    return this.config.now() + (this.config.offsetMs ?? 0);
  }

  /** `/cmu/v2/tenant/year/month/day/hour/minute.<format>?start&end&limit=rows` with at least `rows` rows. */
  hugeReportHref(rows: number, format: CmuFormat): string {
    const day = 86_400_000;
    const now = this.wallNow();
    const end = now - (now % day) - day;
    const start = end - Math.ceil(rows / 1440) * day;
    const d = (t: number) => new Date(t).toISOString().slice(0, 10);
    return `${pathHref(['tenant', 'year', 'month', 'day', 'hour', 'minute'])}.${format}?start=${d(start)}&end=${d(end)}&limit=${rows}`;
  }

  private async authenticate(req: IncomingMessage, pairs: [string, string | undefined][]): Promise<TokenRecord> {
    const header = req.headers.authorization;
    const inQuery = pairs.filter(([n]) => n === 'access_token');
    const challenge = { 'WWW-Authenticate': 'Bearer realm="cmu"' };
    if (header !== undefined && inQuery.length > 0) throw new HttpProblem(400, 'access token given twice (Authorization header and access_token parameter); use the header');
    if (inQuery.length > 1) throw new HttpProblem(400, 'access_token given more than once');
    let token: string | undefined;
    if (header !== undefined) {
      const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
      if (!m) throw new HttpProblem(401, 'Authorization header is not "Bearer <access token>"', { 'WWW-Authenticate': 'Bearer realm="cmu", error="invalid_request"' });
      token = m[1];
    } else if (inQuery.length === 1) {
      token = inQuery[0][1];
    }
    if (!token) throw new HttpProblem(401, 'missing access token', challenge);
    const rec = await this.dcr.checkToken(token);
    if (!rec) throw new HttpProblem(401, 'invalid, expired or revoked access token', { 'WWW-Authenticate': 'Bearer realm="cmu", error="invalid_token"' });
    return rec;
  }

  parse(req: IncomingMessage, rawPath: string, pairs: [string, string | undefined][], token: TokenRecord): CmuRequest {
    // ---- path and extension
    let rest = rawPath.slice(CMU_BASE_PATH.length);
    let ext: string | undefined;
    const dot = /\.([^./]*)$/.exec(rest);
    if (dot) {
      ext = dot[1].toLowerCase();
      rest = rest.slice(0, dot.index);
    }
    if (rest.endsWith('/') && !ext) rest = rest.slice(0, -1); // the documented example URL with a trailing '/'
    let path: string[];
    try {
      path = rest === '' ? [] : rest.slice(1).split('/').map((s) => decodeURIComponent(s));
    } catch {
      throw new HttpProblem(404, `no such report: ${rawPath}`);
    }
    const extra = this.extraAt(path);
    if (path.some((s) => s === '') || (!isKnownPath(path) && !extra)) {
      let known = path.slice();
      while (known.length && !isKnownPath(known)) known = known.slice(0, -1);
      const steps = this.stepsBelow(known);
      throw new HttpProblem(
        404,
        `no pre-aggregation for ${pathHref(path)}; from ${pathHref(known)} the drill-down steps are: ${steps.join(', ') || '(none)'}`,
      );
    }
    const scope = requiredScope(path);
    if (!token.scopes.includes(scope.name)) {
      throw new HttpProblem(
        403,
        `the access token lacks the scope ${scope.name} ("${scope.label}") that ${pathHref(path)} needs; ` +
          `its scopes: ${token.scopes.join(', ') || '(none)'}. ${scopeAdvice(scope)}`,
      );
    }
    const groupBy = realColumns(path)?.dimensions ?? path;

    // ---- format: extension > format parameter > Accept
    const params = new Map<string, (string | undefined)[]>();
    for (const [n, v] of pairs) params.set(n, [...(params.get(n) ?? []), v]);
    for (const n of RESERVED_ONCE) {
      if ((params.get(n)?.length ?? 0) > 1) throw new HttpProblem(400, `${n} given more than once`);
    }
    for (const n of [...RESERVED_ONCE, 'metrics']) {
      if (params.get(n)?.some((v) => v === undefined)) throw new HttpProblem(400, `${n} needs a value (${n}=...)`);
    }
    let format: CmuFormat;
    if (ext !== undefined) format = checkFormat(ext, `path extension .${ext}`);
    else if (params.has('format')) format = checkFormat(String(params.get('format')?.[0]).toLowerCase(), `format=${params.get('format')?.[0]}`);
    else format = negotiate(req.headers.accept);

    // ---- filters and projections (the dimensions this report's data has)
    const cube = this.cubeFor(path);
    const allowed = [...new Set([...groupBy, ...filterableDimensions(path)])].filter((d) => !isTimeDimension(d) && cube.dimensions.includes(d));
    const filters: RowFilter[] = [];
    const projections: string[] = [];
    for (const [name, value] of pairs) {
      if (name === 'metrics' || RESERVED_ONCE.includes(name)) continue;
      const negated = name.endsWith('!');
      const dim = negated ? name.slice(0, -1) : name;
      if (isTimeDimension(dim)) throw new HttpProblem(400, `${dim} is a time dimension: it cannot be filtered or projected; use start and end`);
      if (!isDimension(dim) && !(extra && cube.dimensions.includes(dim))) throw new HttpProblem(400, `unknown parameter or dimension: ${dim}`);
      if (!allowed.includes(dim)) {
        throw new HttpProblem(400, `${dim} is not a dimension of ${pathHref(path)} or of the paths below it; filterable here: ${allowed.join(', ') || '(none)'}`);
      }
      if (value === undefined) {
        if (negated) throw new HttpProblem(400, `${name} needs a value (${name}=...)`);
        if (!groupBy.includes(dim) && !projections.includes(dim)) projections.push(dim);
        continue;
      }
      const op = negated ? '!=' : '=';
      const existing = filters.find((f) => f.dimension === dim);
      if (existing && existing.op !== op) throw new HttpProblem(400, `${dim} is filtered with both = and !=`);
      if (existing) existing.values.push(value);
      else filters.push({ dimension: dim, op, values: [value] });
    }
    // the client's tenant is implied (Adobe: "the tenant parameter keeps a default value")
    const tenantFilter = filters.find((f) => f.dimension === 'tenant');
    if (tenantFilter?.op === '=' && tenantFilter.values.some((v) => v !== token.tenant)) {
      throw new HttpProblem(403, `this client may only see tenant ${token.tenant}`);
    }
    if (!tenantFilter || tenantFilter.op === '!=') filters.unshift({ dimension: 'tenant', op: '=', values: [token.tenant] });

    // ---- time window
    const now = this.wallNow();
    const offsetMs = this.config.offsetMs ?? 0;
    const startParam = params.get('start')?.[0];
    const endParam = params.get('end')?.[0];
    const start = startParam !== undefined ? timeParam(startParam, 'start', offsetMs) : defaultStart(groupBy, now);
    const end = endParam !== undefined ? timeParam(endParam, 'end', offsetMs) : Math.floor(now / 1000) * 1000;
    if (start >= end) throw new HttpProblem(400, `start (${formatTime(start)}) must be before end (${formatTime(end)})`);

    // ---- limit
    const limitParam = params.get('limit')?.[0];
    let limit = DEFAULT_LIMIT;
    if (limitParam !== undefined) {
      if (!/^\d{1,9}$/.test(limitParam) || Number(limitParam) < 1) throw new HttpProblem(400, `limit must be a positive integer: ${limitParam}`);
      limit = Number(limitParam);
      if (limit > MAX_LIMIT) throw new HttpProblem(400, `limit ${limit} is too large to return; at most ${MAX_LIMIT}`);
    }

    // ---- metrics (comma-separated and/or repeated)
    const available = extra ? [extra.metric] : metricsFor(path);
    let metrics = available;
    const metricParams = params.get('metrics');
    if (metricParams) {
      metrics = [];
      for (const v of metricParams) {
        for (const m of String(v).split(',')) {
          if (!isMetric(m) && !available.includes(m)) throw new HttpProblem(400, `unknown metric: ${m === '' ? '(empty)' : m}`);
          if (!available.includes(m)) throw new HttpProblem(400, `${m} is not a metric of ${pathHref(path)}; metrics here: ${available.join(', ')}`);
          if (!metrics.includes(m)) metrics.push(m);
        }
      }
    }
    return { path, format, filters, groupBy, projections, start, end, limit, metrics };
  }

  /** The self link: the path and every explicit and implicit parameter actually used. */
  selfHref(r: CmuRequest): string {
    const enc = encodeURIComponent;
    const parts: string[] = [];
    for (const f of r.filters) for (const v of f.values) parts.push(`${enc(f.dimension)}${f.op === '!=' ? '!' : ''}=${enc(v)}`);
    for (const p of r.projections) parts.push(enc(p));
    parts.push(`start=${formatTime(r.start)}`, `end=${formatTime(r.end)}`, `limit=${r.limit}`);
    for (const m of r.metrics) parts.push(`metrics=${enc(m)}`);
    return `${pathHref(r.path)}?${parts.join('&')}`;
  }

  /** `report__<start>_<end>_<filter values or limit>.csv` */
  csvFileName(r: CmuRequest): string {
    const values = r.filters.filter((f) => f.op === '=').flatMap((f) => f.values.map((v) => v.replace(/[^A-Za-z0-9._-]+/g, '-')));
    const tail = values.length ? values.join(',') : String(r.limit);
    return `report__${formatTime(r.start).slice(0, 10)}_${formatTime(r.end).slice(0, 10)}_${tail}.csv`;
  }

  private async respond(req: IncomingMessage, res: ServerResponse, r: CmuRequest, knob: KnobbedAnswer): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[r.format], Vary: 'Accept, Accept-Encoding', 'Cache-Control': 'no-store' };
    if (r.format === 'csv') headers['Content-Disposition'] = `attachment; filename="${this.csvFileName(r)}"`;
    const encoding = chooseEncoding(req.headers['accept-encoding']);
    if (encoding) headers['Content-Encoding'] = encoding;
    const kind = this.kindChange?.path === r.path.join('/') ? this.kindChange : undefined;
    // The body is decided by the parsed request, the encoding and the extra reports, and by the clock only
    // until its end has passed: a window still open is never kept.
    const cache = knob.fresh || knob.cutAfterBytes !== undefined || kind || r.end > this.wallNow() ? undefined : this.config.cache;
    const key = cache && JSON.stringify({ ...r, encoding, extras: this.extrasVersion });
    const cached = key ? cache?.get(key) : undefined;
    if (cached) {
      res.writeHead(200, headers);
      res.end(cached);
      return;
    }
    const cube: Cube = this.cubeFor(r.path);
    const columns = [...r.groupBy, ...r.projections];
    const rows = this.dataset.rows(cube, { columns, metrics: r.metrics, filters: r.filters, start: r.start, end: r.end })[Symbol.iterator]();
    const first = rows.next(); // a problem in the query surfaces here, before the status line is sent
    const header = kind ? [...columns, kind.column, ...r.metrics] : [...columns, ...r.metrics];
    const self = this.selfHref(r);
    const up = rollUpPath(r.path);
    const down = this.stepsBelow(r.path).map((s) => ({ href: pathHref([...r.path, s]), name: s }));
    const links = {
      self,
      rollUp: up && { href: pathHref(up), name: up[up.length - 1] },
      down,
    };
    res.writeHead(200, headers);
    const limitedRows = limited(first, rows, r.limit);
    const chunks = kind
      ? render(r.format, header, columns.length + 1, turning(limitedRows, columns.length, kind.numericRows), links)
      : render(r.format, header, columns.length, limitedRows, links);
    const record = key ? cache?.recorder(key) : undefined;
    // the recorder sees the bytes as sent: after compression, or through a pass-through when there is none
    const sink = encoding === 'gzip' ? createGzip() : encoding === 'deflate' ? createDeflate() : record ? new PassThrough() : undefined;
    if (sink && record) {
      sink.on('data', record.add);
      sink.once('end', record.done);
    }
    if (sink) pipeline(sink, res, () => undefined);
    await pump(chunks, sink ?? res, res, knob.cutAfterBytes);
  }
}

/** Writes the chunks with back-pressure; stops when the client goes away, or drops it after `cutAfter` characters. */
async function pump(chunks: Iterator<string>, out: Writable, res: ServerResponse, cutAfter = Infinity): Promise<void> {
  let left = cutAfter;
  for (;;) {
    if (res.destroyed || out.destroyed) return;
    const next = chunks.next();
    if (next.done) break;
    if (next.value.length >= left) {
      // the part reaches the client first (res.write's callback comes after it), then the connection drops
      const drop = () => res.write('', () => res.destroy());
      out.write(next.value.slice(0, left));
      if (out === res) drop();
      else (out as Writable & { flush(cb: () => void): void }).flush(() => setImmediate(drop));
      return;
    }
    left -= next.value.length;
    if (!out.write(next.value)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done);
          res.off('close', done);
          resolve();
        };
        out.on('drain', done);
        res.on('close', done);
      });
    }
  }
  out.end();
}

interface Links {
  self: string;
  rollUp?: { href: string; name?: string };
  down: { href: string; name: string }[];
}

function* limited<T>(first: IteratorResult<T>, rest: Iterator<T>, limit: number): Generator<T> {
  let n = 0;
  for (let r = first; !r.done && n < limit; r = rest.next(), n++) yield r.value;
}

/** The rows with one more cell at `at`: the row number in the first `numericRows` rows, `row-<n>` after them. */
function* turning(rows: Iterable<string[]>, at: number, numericRows: number): Generator<string[]> {
  let n = 0;
  for (const row of rows) {
    n++;
    row.splice(at, 0, n <= numericRows ? String(n) : `row-${n}`);
    yield row;
  }
}

const CHUNK = 64 * 1024;

/**
 * The body as string chunks of about 64 KB. The first `dims` cells of a row are dimension values (escaped);
 * the rest are metric values, which are digits.
 */
function* render(format: CmuFormat, header: string[], dims: number, rows: Iterable<string[]>, links: Links): Generator<string> {
  let buf = '';
  const flush = function* (force = false): Generator<string> {
    if (buf.length >= CHUNK || (force && buf.length)) {
      yield buf;
      buf = '';
    }
  };
  switch (format) {
    case 'json': {
      const keys = header.map((h) => JSON.stringify(h) + ':');
      const halLinks: Record<string, unknown> = { self: { href: links.self } };
      if (links.rollUp) halLinks['roll-up'] = links.rollUp;
      if (links.down.length) halLinks['drill-down'] = links.down;
      buf = `{"_links":${JSON.stringify(halLinks)},"report":[`;
      let first = true;
      for (const row of rows) {
        let rec = first ? '{' : ',{';
        first = false;
        for (let i = 0; i < row.length; i++) rec += (i ? ',' : '') + keys[i] + (i < dims ? jsonString(row[i]) : `"${row[i]}"`);
        buf += rec + '}';
        yield* flush();
      }
      buf += ']}';
      break;
    }
    case 'xml': {
      buf = `<?xml version="1.0" encoding="UTF-8"?>\n<resource href="${xml(links.self)}">\n  <links>\n`;
      if (links.rollUp) buf += `    <link rel="roll-up" href="${xml(links.rollUp.href)}"/>\n`;
      for (const d of links.down) buf += `    <link rel="drill-down" href="${xml(d.href)}"/>\n`;
      buf += '  </links>\n  <report>\n';
      const names = header.map((h) => ' ' + h + '="');
      for (const row of rows) {
        let rec = '    <record';
        for (let i = 0; i < row.length; i++) rec += names[i] + (i < dims ? xml(row[i]) : row[i]) + '"';
        buf += rec + '/>\n';
        yield* flush();
      }
      buf += '  </report>\n</resource>\n';
      break;
    }
    case 'csv': {
      buf = header.map(csv).join(',') + '\r\n';
      for (const row of rows) {
        let line = '';
        for (let i = 0; i < row.length; i++) line += (i ? ',' : '') + (i < dims ? csv(row[i]) : row[i]);
        buf += line + '\r\n';
        yield* flush();
      }
      break;
    }
    case 'html': {
      const a = (href: string, text: string) => `<a href="${xml(href)}">${xml(text)}</a>`;
      buf = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>CMU report</title></head><body>\n<h1>${xml(links.self.split('?')[0])}</h1>\n<p>`;
      buf += a(links.self, 'self');
      if (links.rollUp) buf += ' · roll-up: ' + a(links.rollUp.href, links.rollUp.name ?? 'root');
      if (links.down.length) buf += ' · drill-down: ' + links.down.map((d) => a(d.href, d.name)).join(', ');
      buf += '</p>\n<table border="1">\n<thead><tr>' + header.map((h) => `<th>${xml(h)}</th>`).join('') + '</tr></thead>\n<tbody>\n';
      for (const row of rows) {
        buf += '<tr>' + row.map((v) => `<td>${xml(v)}</td>`).join('') + '</tr>\n';
        yield* flush();
      }
      buf += '</tbody>\n</table>\n</body></html>\n';
      break;
    }
  }
  yield* flush(true);
}

function jsonString(s: string): string {
  return /^[\w .:-]*$/.test(s) ? `"${s}"` : JSON.stringify(s);
}

function xml(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;') : s;
}

function csv(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function checkFormat(value: string, what: string): CmuFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as CmuFormat;
  throw new HttpProblem(406, `unsupported format (${what}); use json, xml, csv or html`);
}

/** Accept header → format (JSON when absent); 406 when nothing acceptable is offered. */
export function negotiate(accept: string | undefined): CmuFormat {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...ps] = part.split(';').map((x) => x.trim().toLowerCase());
      const q = ps.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.type && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const map: Record<string, CmuFormat> = {
    'application/json': 'json',
    'application/hal+json': 'json',
    'application/*': 'json',
    '*/*': 'json',
    'application/xml': 'xml',
    'application/hal+xml': 'xml',
    'text/xml': 'xml',
    'text/csv': 'csv',
    'text/html': 'html',
    'text/*': 'html',
  };
  for (const r of ranges) if (map[r.type]) return map[r.type];
  throw new HttpProblem(406, `none of the accepted media types (${accept}) is available; use application/json, application/xml, text/csv or text/html`);
}

function chooseEncoding(header: string | undefined): 'gzip' | 'deflate' | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...ps] = part.split(';').map((x) => x.trim().toLowerCase());
    const qp = ps.find((p) => p.startsWith('q='));
    q.set(name, qp ? Number(qp.slice(2)) : 1);
  }
  const gzip = q.get('gzip') ?? q.get('*') ?? 0;
  const deflate = q.get('deflate') ?? q.get('*') ?? 0;
  if (gzip > 0 && gzip >= deflate) return 'gzip';
  if (deflate > 0) return 'deflate';
  return undefined;
}

function timeParam(value: string, name: string, offsetMs: number): number {
  const r = parseTime(value, offsetMs);
  if ('t' in r) return r.t;
  throw new HttpProblem(400, r.bad === 'syntax' ? `${name} is not an ISO 8601 date/time: ${value}` : `${name} is not a valid date/time: ${value}`);
}
