/** Terminal output for the CLI: aligned tables, key/value blocks, errors with a hint. */
import { CmuError, InputError, type NextStep } from '../core/errors';

export type Cell = string | number | null | undefined;

/** Control characters (incl. ESC) from server data must not reach the terminal. */
export function sanitize(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\t' ? ' ' : '\ufffd'));
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return '';
  return sanitize(String(c));
}

export interface TableOptions {
  /** per column; default: right for columns whose non-empty cells are all numbers */
  align?: ('left' | 'right')[];
  /** separator between columns */
  gap?: string;
}

/** Header, a rule, then rows; numeric columns right-aligned. Returns lines without a trailing newline. */
export function formatTable(headers: string[], rows: Cell[][], opts: TableOptions = {}): string {
  const gap = opts.gap ?? '  ';
  const n = headers.length;
  const text: string[][] = rows.map((r) => Array.from({ length: n }, (_, i) => cellText(r[i])));
  const head = headers.map((h) => sanitize(h));
  const widths = head.map((h, i) => text.reduce((w, r) => Math.max(w, r[i].length), h.length));
  const align =
    opts.align ??
    head.map((_, i) => {
      let numeric = false;
      for (const r of rows) {
        const c = r[i];
        if (c === null || c === undefined || c === '') continue;
        if (typeof c === 'number' || /^-?\d+(\.\d+)?$/.test(String(c))) numeric = true;
        else return 'left';
      }
      return numeric ? 'right' : 'left';
    });
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (align[i] === 'right' ? c.padStart(widths[i]) : i === n - 1 ? c : c.padEnd(widths[i])))
      .join(gap)
      .replace(/\s+$/, '');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join(gap)];
  for (const r of text) out.push(line(r));
  return out.join('\n');
}

/** `label  value` lines with the labels padded to one width. */
export function formatPairs(pairs: [string, Cell][]): string {
  const w = pairs.reduce((m, [k]) => Math.max(m, k.length), 0);
  return pairs.map(([k, v]) => `${(k + ':').padEnd(w + 1)}  ${cellText(v)}`).join('\n');
}

/** What the user can type next, for each kind of next step. */
export function hintFor(step: NextStep, ctx: { prefix: string }): string | undefined {
  const p = ctx.prefix;
  switch (step) {
    case 'importStatement':
      return `import a software statement: ${p} statement import FILE`;
    case 'register':
      return `register a client: ${p} register`;
    case 'getToken':
      return `get a new token: ${p} token --refresh`;
    case 'retry':
      return 'try again in a moment';
    case 'showLog':
      return `run again with --verbose to see the HTTP exchanges`;
    case 'diagnose':
      return `check the whole chain: ${p} doctor`;
    case 'openSettings':
      return 'check --dcr-url / --cmu-url (or CMU_DCR_URL / CMU_API_URL)';
    case 'contactAdobe':
      return 'contact Adobe (your Technical Account Manager, or a Zendesk ticket)';
    default:
      return undefined;
  }
}

/** Exit code contract: 2 for bad usage/input, 1 for everything else that failed. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof InputError) return 2;
  if (e instanceof Error && e.name === 'InputError') return 2;
  return 1;
}

/** The error for stderr: message, explanation, hint; a stack only when verbose. */
export function formatError(e: unknown, opts: { verbose?: boolean; prefix: string }): string {
  const lines: string[] = [];
  if (e instanceof CmuError) {
    lines.push(`error: ${sanitize(e.message)}`);
    if (e.explanation) lines.push(`  ${sanitize(e.explanation)}`);
    const hint = hintFor(e.nextStep, opts);
    if (hint) lines.push(`  hint: ${hint}`);
  } else if (e instanceof Error) {
    lines.push(`error: ${sanitize(e.message)}`);
    if (!opts.verbose) lines.push('  hint: run again with --verbose for details');
  } else {
    lines.push(`error: ${sanitize(String(e))}`);
  }
  if (opts.verbose && e instanceof Error && e.stack) lines.push(e.stack);
  return lines.join('\n');
}
