/** `cmu statement import <FILE|-> [--key KEY]` and `cmu statement show`. Never prints the compact statement. */
import * as fs from 'fs';
import { checkEndpoint } from '../../core/environments';
import { InputError } from '../../core/errors';
import { HttpStatusError } from '../../core/http';
import { verifyStatement, type StatementInfo } from '../../core/statement';
import type { CliContext } from '../context';
import { formatPairs, sanitize, type Cell } from '../output';

/** Bigger than any statement (parseStatement rejects > 64 KB with its own message); bounds memory. */
const READ_LIMIT = 1024 * 1024;

export async function readInput(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of stdin) {
      const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
      size += b.length;
      if (size > READ_LIMIT) throw new InputError('The input on stdin is too large for a software statement', 'A software statement is a few KB of text.', 'importStatement', 'statement_too_large');
      chunks.push(b);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (e) {
    throw new InputError(
      `Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      'Give the path of the software statement file downloaded from the Adobe Pass TVE Dashboard, or - for stdin.',
      'importStatement',
      'no_file',
    );
  }
  if (!st.isFile()) throw new InputError(`${file} is not a file`, 'Give the path of the software statement file, or - for stdin.', 'importStatement', 'no_file');
  if (st.size > READ_LIMIT) throw new InputError(`${file} is too large for a software statement (${st.size} bytes)`, 'A software statement is a few KB of text.', 'importStatement', 'statement_too_large');
  return fs.promises.readFile(file, 'utf8');
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Header and claims, decoded; the signature is elided. */
export function describeStatementInfo(info: StatementInfo): string {
  const lines: string[] = [];
  lines.push('header:');
  lines.push(indent(formatPairs(Object.entries(info.header).map(([k, v]) => [k, show(v)] as [string, Cell]))));
  lines.push('claims:');
  // `fields` describes header and claims for humans (dates as ISO); keep the claims here
  const display = new Map((info.fields ?? []).map((f) => [f.name, f.display]));
  const fields = Object.entries(info.claims).map(([k, v]) => [k, display.get(k) ?? show(v)] as [string, Cell]);
  lines.push(indent(formatPairs(fields)));
  lines.push('signature: (elided)');
  for (const w of info.warnings ?? []) lines.push(`warning: ${sanitize(w)}`);
  return lines.join('\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => (l ? '  ' + l : l))
    .join('\n');
}

/** The public key for --key: a JWKS URL (https, or http on loopback: the sandbox's) fetched through the one HTTP client, else a file. */
export async function readKey(ctx: CliContext, key: string): Promise<string> {
  if (!/^https?:\/\//i.test(key)) {
    try {
      return await fs.promises.readFile(key, 'utf8');
    } catch (e) {
      throw new InputError(
        `Cannot read the key ${key} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        'Give a file with a PEM public key or certificate, a JWK or a JWKS, or the URL of a JWKS.',
        'none',
        'bad_key',
      );
    }
  }
  const url = checkEndpoint(key, 'The key URL (--key)');
  const res = await ctx.http.request({ method: 'GET', url: url.href, headers: { Accept: 'application/json' } });
  if (res.status !== 200) throw await HttpStatusError.fromResponse(res, `The key URL ${url.origin}${url.pathname}`);
  return res.text();
}

export async function statementImport(ctx: CliContext, file: string, opts: { key?: string } = {}): Promise<void> {
  const text = await readInput(file);
  // checked before anything is stored: a statement that fails the check never replaces the stored one
  if (opts.key) await verifyStatement(text, await readKey(ctx, opts.key));
  const info = await ctx.session.importStatement(text);
  const sub = info.claims.sub;
  ctx.out(`Software statement imported for ${ctx.env.name} (${ctx.env.dcrOrigin}), profile ${ctx.profile}.`);
  ctx.out(formatPairs([
    ['alg', info.alg],
    ['kid', info.kid ?? '(none)'],
    ['sub', typeof sub === 'string' ? sub : show(sub)],
    ['iss', show(info.claims.iss ?? '(none)')],
  ]));
  if (opts.key) ctx.out(`signature verified with ${sanitize(opts.key)}`);
  for (const w of info.warnings ?? []) ctx.err(`warning: ${sanitize(w)}`);
  ctx.out(`next: ${ctx.commandPrefix} register`);
}

export async function statementShow(ctx: CliContext): Promise<void> {
  const info = await ctx.session.describeStatement();
  if (!info) throw noStatement(ctx);
  ctx.out(`Software statement for ${ctx.env.name} (${ctx.env.dcrOrigin}), profile ${ctx.profile}`);
  ctx.out(describeStatementInfo(info));
}

export function noStatement(ctx: CliContext): InputError {
  return new InputError(
    `No software statement is stored for ${ctx.env.name} (${ctx.env.dcrOrigin}), profile ${ctx.profile}`,
    'Download it from the Adobe Pass TVE Dashboard (or take the sandbox one) and import it first.',
    'importStatement',
    'no_statement',
  );
}
