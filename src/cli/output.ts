/** Terminal output for the CLI: aligned tables, key/value blocks, errors with a hint. */
import { CmuError, InputError, type NextStep } from '../core/errors';
import { redactText } from '../core/redact';

export type Cell = string | number | null | undefined;

/**
 * Server text must not drive the terminal: control characters (ESC for ANSI/OSC sequences, `\r` that
 * overwrites a line, BEL…), bidi controls that reorder what is shown (U+202E) and line/paragraph
 * separators become visible escapes (`\u001b`, `\u202e`); a tab becomes a space.
 */
export function sanitize(s: string): string {
  return s.replace(UNSAFE, (c) => (c === '\t' ? ' ' : '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')));
}
// C0, DEL, C1; ALM, LRM/RLM, LRE…RLO, LRI…PDI; LS/PS
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Multi-line text (a stack) sanitized line by line, keeping its line breaks. */
export function sanitizeLines(s: string): string {
  return s.split('\n').map(sanitize).join('\n');
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
    case 'startSandbox':
      return `start the sandbox: ${p} sandbox`;
    case 'contactAdobe':
      return 'contact Adobe (your Technical Account Manager, or a Zendesk ticket)';
    default:
      return undefined;
  }
}

/**
 * A 404's next steps as commands to type: the drill-down children of the closest ancestor (from the
 * server's links, or the catalog's advice when no ancestor answered), e.g. `cmu report year/duration`.
 */
function nextStepsHint(e: CmuError, prefix: string): string | undefined {
  const { validNextSteps: steps, validNextStepsFrom: from, nextStepsSource: source } = e as CmuError & {
    validNextSteps?: string[];
    validNextStepsFrom?: string[];
    nextStepsSource?: string;
  };
  if (!Array.isArray(steps) || steps.length === 0) return undefined;
  const base = Array.isArray(from) ? from : [];
  const paths = steps.map((s) => (s.includes('/') ? s : [...base, s].join('/')));
  const shown = paths.slice(0, 8).map((p) => `${prefix} report ${p}`);
  const more = paths.length > shown.length ? ` (and ${paths.length - shown.length} more)` : '';
  const whose = source === 'server' ? "the server's links" : "the catalog's advice";
  return `next steps from /${base.join('/')} (${whose}): ${shown.join(', ')}${more}`;
}

/** Exit code contract: 2 for bad usage/input, 1 for everything else that failed. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof InputError) return 2;
  if (e instanceof Error && e.name === 'InputError') return 2;
  return 1;
}

/**
 * The error for stderr: message, explanation, hint; a stack only when verbose. Everything is redacted
 * (`redact`: the session's known secrets plus the patterns) and sanitized: an error may quote a server.
 */
export function formatError(e: unknown, opts: { verbose?: boolean; prefix: string; redact?: (text: string) => string }): string {
  const lines: string[] = [];
  if (e instanceof CmuError) {
    lines.push(`error: ${sanitize(e.message)}`);
    if (e.explanation) lines.push(`  ${sanitize(e.explanation)}`);
    const hint = e.code === 'originChanged' ? `if the new host is intended, get a token for it: ${opts.prefix} token --refresh` : hintFor(e.nextStep, opts);
    if (hint) lines.push(`  hint: ${hint}`);
    const next = nextStepsHint(e, opts.prefix);
    if (next) lines.push(`  hint: ${sanitize(next)}`);
  } else if (e instanceof Error) {
    lines.push(`error: ${sanitize(e.message)}`);
    if (!opts.verbose) lines.push('  hint: run again with --verbose for details');
  } else {
    lines.push(`error: ${sanitize(String(e))}`);
  }
  if (opts.verbose && e instanceof Error && e.stack) lines.push(sanitizeLines(e.stack));
  return (opts.redact ?? redactText)(lines.join('\n'));
}
