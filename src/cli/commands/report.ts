/**
 * `cmu report <PATH> [--filter DIM=VALUE]... [--filter DIM!=VALUE]... [--dimension DIM]... [--window W |
 * --start ISO --end ISO] [--metrics M1,M2] [--limit N] [--format json|csv|xml|table] [--out FILE] [--max-size MB] [--max-time S]
 * [--compare previous|week|month [--include-partial]]`
 *
 * The time sent is decided at run time in the report time zone (--tz): the window, the absolute range
 * (offsets converted to the zone), or the grain's default window; the table says which and in what zone.
 *
 * json: the server's document pretty-printed; csv/xml: the server's bytes unchanged; table: aligned
 * columns plus the ratios derived here and partial-bucket notes (reportTable.ts); --compare: see
 * reportCompare.ts. json/csv/xml stream as the body arrives (never held in memory); with --out through a temp
 * file renamed at the end, so a failed or cancelled download leaves no partial file.
 */
import * as fs from 'fs';
import { Transform, type Readable, type TransformCallback } from 'stream';
import { ReportParseError, fileNameFromContentDisposition, htmlPageError, isHtmlPage, parseReportBody } from '../../core/cmu/parse';
import { checkQuery, parseQueryUrl } from '../../core/cmu/query';
import { resolveQueryTime } from '../../core/cmu/time/queryTime';
import { canonicalWindow, type ResolvedWindow } from '../../core/cmu/time/windows';
import type { CmuFilter, CmuQuery } from '../../core/cmu/types';
import { sameOrigin } from '../../core/environments';
import { InputError } from '../../core/errors';
import { outError, streamToFile, tempNameFor } from '../../core/fileDownload';
import type { CliContext } from '../context';
import { JsonNotADocument, JsonIndent } from '../jsonIndent';
import { sanitize } from '../output';
import { compareMode, compareOutput } from './reportCompare';
import { renderTable } from './reportTable';

export const CLI_FORMATS = ['json', 'csv', 'xml', 'table'] as const;
export type CliFormat = (typeof CLI_FORMATS)[number];

export interface ReportOptions {
  filter?: string[];
  dimension?: string[];
  window?: string;
  start?: string;
  end?: string;
  metrics?: string;
  limit?: string;
  format?: string;
  out?: string;
  compare?: string;
  includePartial?: boolean;
  /** MB, decoded */
  maxSize?: string;
  /** seconds */
  maxTime?: string;
}

/** What --max-size / --max-time mean for one run (undefined: the defaults of the CMU and HTTP clients). */
interface Limits {
  maxBytes?: number;
  maxTimeMs?: number;
}

function positiveNumber(flag: string, v: string | undefined, example: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  if (!v.trim() || !Number.isFinite(n) || n <= 0) throw usage(`${flag} must be a number greater than 0 (got ${v})`, `e.g. ${flag} ${example}`);
  return n;
}

function usage(message: string, explanation: string): InputError {
  return new InputError(message, explanation, 'none', 'bad_usage');
}

/** `DIM=VALUE` or `DIM!=VALUE` (the value may itself contain `=`). */
export function parseFilter(s: string): CmuFilter {
  const m = /^([^=!]+?)\s*(!?=)(.*)$/s.exec(s);
  if (!m || !m[1].trim()) throw usage(`Bad --filter ${s}`, 'Write --filter DIM=VALUE (equals; repeat for IN) or --filter DIM!=VALUE (not equals; repeat for NOT IN).');
  if (m[3] === '') throw usage(`--filter ${s} has no value (to group by ${m[1].trim()} without filtering it, use --dimension ${m[1].trim()})`, 'A filter is DIM=VALUE or DIM!=VALUE.');
  return { dimension: m[1].trim(), op: m[2] as '=' | '!=', values: [m[3]] };
}

/** The query from PATH (a path, a HAL href or a pasted CMU URL) plus the flags. */
export function buildQuery(pathArg: string, opts: ReportOptions, cmuBase?: string): { query: CmuQuery; format: CliFormat | undefined } {
  // A pasted URL must be on this environment's CMU origin: the token only ever goes there.
  if (cmuBase && /^[a-z][a-z0-9+.-]*:\/\//i.test(pathArg.trim()) && !sameOrigin(pathArg.trim(), cmuBase)) {
    let origin = pathArg.trim();
    try {
      origin = new URL(origin).origin;
    } catch {
      /* shown as given */
    }
    throw new InputError(
      `The URL is on ${origin}, but this environment's CMU base is ${cmuBase}`,
      'The access token is only sent to the CMU origin of its environment. Pass a path (e.g. /cmu/v2/tenant/year), or choose the environment with --dcr-url/--cmu-url.',
      'openSettings',
      'other_origin',
    );
  }
  const q = parseQueryUrl(pathArg, cmuBase);
  for (const s of opts.filter ?? []) {
    const f = parseFilter(s);
    const same = q.filters.find((x) => x.dimension === f.dimension && x.op === f.op);
    if (same) {
      if (!same.values.includes(f.values[0])) same.values.push(f.values[0]);
    } else q.filters.push(f);
  }
  for (const d of opts.dimension ?? []) {
    const name = d.trim();
    if (!name) throw usage('--dimension needs a dimension name', 'e.g. --dimension platform');
    if (!q.projections.includes(name)) q.projections.push(name);
  }
  if (opts.window !== undefined) {
    if (opts.start !== undefined || opts.end !== undefined) throw usage('--window and --start/--end both say when', 'Give a relative --window (e.g. 7d) or an absolute --start/--end, not both.');
    try {
      q.window = canonicalWindow(opts.window);
    } catch (e) {
      throw usage(`Bad --window: ${(e as Error).message}`, 'e.g. --window 7d (the last 7 whole days), --window today, --window server (the server default)');
    }
    // the window replaces the range of a pasted URL, as --start/--end replace its values
    delete q.start;
    delete q.end;
  }
  if (opts.start !== undefined) q.start = opts.start;
  if (opts.end !== undefined) q.end = opts.end;
  if (opts.metrics !== undefined) {
    q.metrics = opts.metrics
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    if (q.metrics.length === 0) throw usage('--metrics needs at least one metric name', 'e.g. --metrics active-users,started-sessions');
  }
  if (opts.limit !== undefined) {
    if (!/^\d+$/.test(opts.limit.trim()) || Number(opts.limit) <= 0) throw usage(`--limit must be a whole number greater than 0 (got ${opts.limit})`, 'e.g. --limit 1000');
    q.limit = Number(opts.limit);
  }
  let format: CliFormat | undefined;
  if (opts.format !== undefined) {
    const f = opts.format.trim().toLowerCase();
    if (!(CLI_FORMATS as readonly string[]).includes(f)) throw usage(`Unknown --format ${opts.format}`, `Use one of ${CLI_FORMATS.join(', ')}.`);
    format = f as CliFormat;
  } else if (q.format === 'json' || q.format === 'csv' || q.format === 'xml') {
    format = q.format;
  } else if (q.format === 'html') {
    throw usage('The html format is a demo format of the server', `Use --format ${CLI_FORMATS.join('|')}.`);
  }
  return { query: q, format };
}

export async function report(ctx: CliContext, pathArg: string, opts: ReportOptions): Promise<number | void> {
  const cmuBase = ctx.cmuBase;
  const built = buildQuery(pathArg, opts, cmuBase);
  // Default: a table for a person at a terminal, the JSON document for scripts and files.
  const format: CliFormat = built.format ?? (!opts.out && ctx.io.isTTY ? 'table' : 'json');
  const mode = opts.compare !== undefined ? compareMode(opts.compare) : undefined;
  if (mode && format !== 'json' && format !== 'table') throw usage(`--compare gives json or a table, not ${format}`, 'Use --format json or --format table with --compare.');
  if (opts.includePartial && !mode) throw usage('--include-partial only applies with --compare', 'e.g. --compare previous --include-partial');
  built.query.format = format === 'csv' || format === 'xml' ? format : undefined;
  // the time is decided now, in the report time zone; then only what no server could serve is refused,
  // the catalog's advice is printed and the request sent
  const { query: q, time } = resolveQueryTime(built.query, ctx.zone, Date.now());
  for (const w of checkQuery(q)) ctx.err(`warning: ${sanitize(w)}`);
  const maxMb = positiveNumber('--max-size', opts.maxSize, '512');
  const maxSeconds = positiveNumber('--max-time', opts.maxTime, '600');
  const limits: Limits = {
    ...(maxMb !== undefined ? { maxBytes: Math.round(maxMb * (1 << 20)) } : {}),
    ...(maxSeconds !== undefined ? { maxTimeMs: Math.round(maxSeconds * 1000) } : {}),
  };

  // Ctrl+C / SIGTERM cancel the request and the download: the temp file goes, FILE stays as it was.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (mode) {
      const c = await compareOutput(ctx, q, { mode, format: format as 'json' | 'table', includePartial: opts.includePartial === true, signal: stop.signal, now: Date.now(), ...limits });
      await writeText(ctx, c.text, opts.out, c.rows);
    } else await fetchAndWrite(ctx, q, time, format, opts.out, stop.signal, limits);
  } catch (e) {
    if (!stop.signal.aborted) throw e;
    ctx.err(`cancelled${opts.out ? ` (${opts.out} was not written)` : ''}`);
    return 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function fetchAndWrite(ctx: CliContext, q: CmuQuery, time: ResolvedWindow, format: CliFormat, out: string | undefined, signal: AbortSignal, limits: Limits): Promise<void> {
  const res = await ctx.cmu.open(q, { signal, maxTimeMs: limits.maxTimeMs });
  if (format === 'table') {
    // held in memory: bounded (64 MB unless --max-size), "too large: use --out" beyond
    const parsed = parseReportBody(await ctx.cmu.readReport(res, limits.maxBytes), res.contentType, res.url);
    await writeText(ctx, renderTable(parsed, { query: q, time, zone: ctx.zone }) + '\n', out, parsed.rows.length);
    return;
  }
  // json: the server's document pretty-printed as it streams; csv/xml: the server's bytes unchanged.
  // Either way an HTML page (a proxy's, a login page) is refused before anything is written.
  // streamed: bounded by --max-size (default 4 GB), the compression ratio, the rate and --max-time
  const body = chain(res.stream({ maxBytes: limits.maxBytes }) as Readable, new HtmlGuard(format, res.contentType), ...(format === 'json' ? [new JsonIndent()] : []));
  try {
    if (out) {
      const n = await streamToFile(body, out);
      const name = fileNameFromContentDisposition(res.headers['content-disposition']);
      ctx.err(`wrote ${n} bytes to ${out}${name ? ` (server file name: ${sanitize(name)})` : ''}`);
    } else await streamToStdout(body, ctx.io.outStream);
  } catch (e) {
    if (e instanceof JsonNotADocument) {
      throw new ReportParseError('CMU sent something that is not a JSON report', `${e.message}. Try again; if it persists, run with --verbose to see the exchange.`, 'json', '');
    }
    throw e;
  }
}

/** src piped through each transform; an error anywhere ends the last stream with that error. */
function chain(src: Readable, ...transforms: Transform[]): Readable {
  let cur = src;
  for (const t of transforms) {
    cur.once('error', (e) => t.destroy(e));
    cur = cur.pipe(t);
  }
  return cur;
}

/** Holds the first bytes back until it knows the body is not an HTML page where a report was asked for. */
class HtmlGuard extends Transform {
  private head: Buffer[] = [];
  private size = 0;
  private checked = false;
  constructor(
    private readonly format: 'json' | 'csv' | 'xml',
    private readonly contentType: string,
  ) {
    super({ highWaterMark: 1 << 20 }); // as the sink: no pause/resume per 64 KB chunk
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.checked) return cb(null, chunk);
    this.head.push(chunk);
    this.size += chunk.length;
    cb(this.size >= 1024 ? this.release() : null);
  }
  override _flush(cb: TransformCallback): void {
    cb(this.checked ? null : this.release());
  }
  private release(): Error | null {
    this.checked = true;
    const head = Buffer.concat(this.head);
    this.head = [];
    if (isHtmlPage(head.toString('utf8', 0, Math.min(head.length, 4096)), this.contentType)) return htmlPageError(head.toString('utf8'), this.format);
    this.push(head);
    return null;
  }
}

async function writeText(ctx: CliContext, text: string, out: string | undefined, rows: number): Promise<void> {
  if (!out) return ctx.io.out(text);
  await writeTextFile(out, text);
  ctx.err(`wrote ${rows} rows to ${out}`);
}

async function writeTextFile(file: string, text: string): Promise<void> {
  const tmp = tempNameFor(file);
  try {
    await fs.promises.writeFile(tmp, text, { flag: 'wx' });
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw outError(file, e);
  }
}

/** Body bytes to stdout unchanged, honouring back-pressure; stdout stays open. */
export function streamToStdout(src: Readable, out: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    src.once('error', reject);
    src.once('end', () => resolve());
    src.pipe(out, { end: false });
  });
}
