/**
 * `cmu report <PATH> [--filter DIM=VALUE]... [--filter DIM!=VALUE]... [--dimension DIM]... [--start ISO]
 * [--end ISO] [--metrics M1,M2] [--limit N] [--format json|csv|xml|table] [--out FILE]`
 *
 * json: the server's document pretty-printed; csv/xml: the server's bytes unchanged; table: aligned
 * columns. With --out, json/csv/xml stream the server's body to the file as it arrives (never held in
 * memory), through a temp file renamed at the end so a failed download leaves no partial file.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { fileNameFromContentDisposition, parseReportBody } from '../../core/cmu/parse';
import { parseQueryUrl, validateQuery } from '../../core/cmu/query';
import type { CmuFilter, CmuQuery, ParsedReport } from '../../core/cmu/types';
import { sameOrigin } from '../../core/environments';
import { InputError } from '../../core/errors';
import type { HttpResponse } from '../../core/http';
import type { CliContext } from '../context';
import { formatTable, sanitize } from '../output';

export const CLI_FORMATS = ['json', 'csv', 'xml', 'table'] as const;
export type CliFormat = (typeof CLI_FORMATS)[number];

export interface ReportOptions {
  filter?: string[];
  dimension?: string[];
  start?: string;
  end?: string;
  metrics?: string;
  limit?: string;
  format?: string;
  out?: string;
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

export async function report(ctx: CliContext, pathArg: string, opts: ReportOptions): Promise<void> {
  const cmuBase = ctx.cmuBase;
  const built = buildQuery(pathArg, opts, cmuBase);
  // Default: a table for a person at a terminal, the JSON document for scripts and files.
  const format: CliFormat = built.format ?? (!opts.out && ctx.io.isTTY ? 'table' : 'json');
  const q = built.query;
  q.format = format === 'csv' || format === 'xml' ? format : undefined;
  const { errors, warnings } = validateQuery(q);
  if (errors.length) {
    throw new InputError(errors.length === 1 ? errors[0] : `The query has ${errors.length} problems:\n  - ${errors.join('\n  - ')}`, 'Fix the path or the flags and run again.', 'none', 'bad_query');
  }
  for (const w of warnings) ctx.err(`warning: ${sanitize(w)}`);

  const res = await ctx.cmu.open(q);
  if (opts.out && format !== 'table') {
    const n = await streamToFile(res, opts.out);
    const name = fileNameFromContentDisposition(res.headers['content-disposition']);
    ctx.err(`wrote ${n} bytes to ${opts.out}${name ? ` (server file name: ${sanitize(name)})` : ''}`);
    return;
  }
  if (format === 'csv' || format === 'xml') {
    await streamToStdout(res, ctx.io.outStream);
    return;
  }
  const body = await res.text();
  if (format === 'json') {
    let text: string;
    try {
      text = JSON.stringify(JSON.parse(body), null, 2) + '\n';
    } catch {
      text = body; // not JSON after all: the server's bytes, as they came
    }
    ctx.io.out(text);
    return;
  }
  const parsed = parseReportBody(body, res.contentType, res.url);
  const text = renderTable(parsed) + '\n';
  if (opts.out) {
    await writeTextFile(opts.out, text);
    ctx.err(`wrote ${parsed.rows.length} rows to ${opts.out}`);
  } else ctx.io.out(text);
}

/** The aligned table, then the row count, the self link and where one can drill down. */
export function renderTable(r: ParsedReport): string {
  const lines = [formatTable(r.columns.map((c) => c.name), r.rows)];
  lines.push('');
  lines.push(`${r.rows.length} row${r.rows.length === 1 ? '' : 's'}` + (r.links.self ? `  ${sanitize(r.links.self)}` : ''));
  if (r.links.drillDown.length) lines.push(`drill down: ${r.links.drillDown.map((l) => sanitize(l.name)).join(', ')}`);
  if (r.links.rollUp.length) lines.push(`roll up: ${r.links.rollUp.map((l) => sanitize(l.href)).join(', ')}`);
  return lines.join('\n');
}

function tempNameFor(file: string): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.part`);
}

function outError(file: string, e: unknown): InputError {
  return new InputError(`Cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Check that the directory exists and is writable.', 'none', 'out_unwritable');
}

/**
 * A file sink with synchronous writes: the page cache takes a 16 KB chunk in microseconds, and the
 * thread-pool round trip per chunk of fs.WriteStream costs more than the write itself here.
 */
class FileSink extends Writable {
  bytes = 0;
  failed = false;
  constructor(private readonly fd: number) {
    super({ highWaterMark: 1 << 20 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      let off = 0;
      while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
      this.bytes += chunk.length;
      cb();
    } catch (e) {
      this.failed = true;
      cb(e as Error);
    }
  }
}

/** Streams the decoded body into FILE (temp file + rename, never held in memory); returns the byte count. */
export async function streamToFile(res: HttpResponse, file: string): Promise<number> {
  const tmp = tempNameFor(file);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o666);
  } catch (e) {
    res.stream().resume();
    throw outError(file, e);
  }
  const sink = new FileSink(fd);
  let ok = false;
  try {
    await pipeline(res.stream(), sink);
    fs.closeSync(fd);
    fd = -1;
    await fs.promises.rename(tmp, file);
    ok = true;
  } catch (e) {
    if (sink.failed || (e as NodeJS.ErrnoException).syscall === 'rename') throw outError(file, e);
    throw e; // the body failed (a CmuError from the HTTP module): no partial file is left
  } finally {
    if (fd >= 0) fs.closeSync(fd);
    if (!ok) await fs.promises.unlink(tmp).catch(() => undefined);
  }
  return sink.bytes;
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
export function streamToStdout(res: HttpResponse, out: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const src = res.stream();
    src.once('error', reject);
    src.once('end', () => resolve());
    src.pipe(out, { end: false });
  });
}
