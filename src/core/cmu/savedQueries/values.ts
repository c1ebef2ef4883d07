/**
 * The values of the queries file and of a query being saved: the JSON shape (types, name rules, no
 * secrets), then the query model's structural check. The catalog is never consulted here: an unknown
 * dimension or metric is the server's to judge, never a reason for an invalid file.
 */
import type { JSONPath } from 'jsonc-parser';
import { canonicalWindow } from '../time/windows';
import { InputError } from '../../errors';
import { structuralProblems } from '../query/validate';
import { REPORT_FORMATS } from '../types';
import type { CmuFilter, CmuQuery, ReportFormat } from '../types';
import { hasHost, isSecretName, looksLikeSecretValue, scanForSecretsAndHosts } from './secrets';
import type { RawProblem } from './types';

const SEGMENT = /^[A-Za-z0-9_-]+$/;
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export function checkStringArray(v: unknown, path: JSONPath, what: string, out: RawProblem[], pattern?: RegExp): v is string[] {
  if (!Array.isArray(v)) {
    out.push({ path, message: `${what} must be an array of strings.` });
    return false;
  }
  let ok = true;
  v.forEach((s, i) => {
    if (typeof s !== 'string' || s.length === 0) {
      out.push({ path: [...path, i], message: `${what} must contain non-empty strings.` });
      ok = false;
    } else if (pattern && !pattern.test(s)) {
      out.push({ path: [...path, i], message: `"${s}" is not a valid name here (letters, digits, "-" and "_" only).` });
      ok = false;
    }
  });
  return ok;
}

/** Checks a CmuQuery-shaped value. Paths in problems are relative to `base`. */
export function checkQueryValue(q: unknown, base: JSONPath, out: RawProblem[]): boolean {
  const before = out.length;
  if (!q || typeof q !== 'object' || Array.isArray(q)) {
    out.push({ path: base, message: '"query" must be an object with at least a "path" (e.g. {"path": ["tenant", "year", "month"]}).' });
    return false;
  }
  const o = q as Record<string, unknown>;
  if (!('path' in o)) out.push({ path: base, message: 'The query has no "path" (use [] for the root).' });
  else checkStringArray(o.path, [...base, 'path'], '"path"', out, SEGMENT);
  if ('filters' in o) {
    if (!Array.isArray(o.filters)) out.push({ path: [...base, 'filters'], message: '"filters" must be an array of {dimension, op, values}.' });
    else
      o.filters.forEach((f, i) => {
        const fp = [...base, 'filters', i];
        if (!f || typeof f !== 'object' || Array.isArray(f)) {
          out.push({ path: fp, message: 'A filter must be an object {"dimension": "mvpd", "op": "=", "values": ["X"]}.' });
          return;
        }
        const fo = f as Record<string, unknown>;
        if (typeof fo.dimension !== 'string' || !SEGMENT.test(fo.dimension))
          out.push({ path: 'dimension' in fo ? [...fp, 'dimension'] : fp, message: 'A filter needs a "dimension" name (letters, digits, "-" and "_").' });
        else if (isSecretName(fo.dimension))
          out.push({ path: [...fp, 'dimension'], message: `"${fo.dimension}" is a credential, not a dimension: the queries file must never hold a token. Remove this filter.` });
        if (fo.op !== '=' && fo.op !== '!=') out.push({ path: 'op' in fo ? [...fp, 'op'] : fp, message: 'A filter "op" must be "=" or "!=".' });
        if (!('values' in fo)) out.push({ path: fp, message: 'A filter needs "values" (one value, or several for IN / NOT IN).' });
        else checkStringArray(fo.values, [...fp, 'values'], '"values"', out);
      });
  }
  if ('projections' in o && checkStringArray(o.projections, [...base, 'projections'], '"projections"', out, SEGMENT)) {
    (o.projections as string[]).forEach((p, i) => {
      if (isSecretName(p)) out.push({ path: [...base, 'projections', i], message: `"${p}" is a credential, not a dimension: remove it.` });
    });
  }
  if ('metrics' in o) checkStringArray(o.metrics, [...base, 'metrics'], '"metrics"', out, SEGMENT);
  for (const k of ['start', 'end'] as const) {
    if (k in o && o[k] !== undefined && typeof o[k] !== 'string')
      out.push({ path: [...base, k], message: `"${k}" must be a string: an ISO 8601 date/time such as 2024-11 or 2024-11-01T10:00:00Z.` });
  }
  if ('window' in o && o.window !== undefined && typeof o.window !== 'string') out.push({ path: [...base, 'window'], message: `"window" must be text such as 7d, today or server.` });
  if ('limit' in o && o.limit !== undefined && typeof o.limit !== 'number') out.push({ path: [...base, 'limit'], message: '"limit" must be a whole number of rows, 1 or more.' });
  if ('format' in o && o.format !== undefined && typeof o.format !== 'string') out.push({ path: [...base, 'format'], message: `"format" must be one of ${REPORT_FORMATS.join(', ')}.` });
  // the well-typed value: the query model's one structural check (what no server could serve)
  if (out.length === before) {
    for (const p of structuralProblems(toCmuQuery(o))) out.push({ path: [...base, ...p.field], message: sentence(p.message) });
  }
  return out.length === before;
}

/** A problem of the query model as a sentence of the file's problem list. */
function sentence(message: string): string {
  const text = message.replace(/`/g, '"');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

export function toCmuQuery(o: Record<string, unknown>): CmuQuery {
  const q: CmuQuery = {
    path: [...(o.path as string[])],
    filters: ((o.filters as CmuFilter[] | undefined) ?? []).map((f) => ({ dimension: f.dimension, op: f.op, values: [...f.values] })),
    projections: [...((o.projections as string[] | undefined) ?? [])],
    metrics: [...((o.metrics as string[] | undefined) ?? [])],
  };
  if (typeof o.start === 'string') q.start = o.start;
  if (typeof o.end === 'string') q.end = o.end;
  if (typeof o.window === 'string') {
    try {
      q.window = canonicalWindow(o.window);
    } catch {
      q.window = o.window; // the structural check reports it
    }
  }
  if (typeof o.limit === 'number') q.limit = o.limit;
  if (typeof o.format === 'string') q.format = o.format as ReportFormat;
  return q;
}

/**
 * Makes a query fit to be saved: a deep copy with `access_token` filters/projections removed (reported
 * in `stripped`); throws InputError when it is not a valid CmuQuery, or when any value carries a host
 * or a secret.
 */
export function sanitizeQuery(input: unknown): { query: CmuQuery; stripped: string[] } {
  if (typeof input === 'string') {
    throw new InputError(
      hasHost(input) ? 'A saved query cannot be a URL with a host' : 'A saved query must be a query object, not a string',
      'Saved queries store the query model (path, filters, metrics…), never a URL or a host. Use "New Query from URL" (cmu.queries.importUrl) to turn a URL into a query.',
      'none',
      'bad_query',
    );
  }
  const stripped: string[] = [];
  let value = input as Record<string, unknown>;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    value = { ...value };
    if (Array.isArray(value.filters)) {
      value.filters = (value.filters as unknown[]).filter((f) => {
        const secret = !!f && typeof f === 'object' && typeof (f as CmuFilter).dimension === 'string' && isSecretName((f as CmuFilter).dimension);
        if (secret) stripped.push((f as CmuFilter).dimension);
        return !secret;
      });
    }
    if (Array.isArray(value.projections)) {
      value.projections = (value.projections as unknown[]).filter((p) => {
        const secret = typeof p === 'string' && isSecretName(p);
        if (secret) stripped.push(p as string);
        return !secret;
      });
    }
  }
  const problems: RawProblem[] = [];
  if (checkQueryValue(value, [], problems)) scanForSecretsAndHosts(toCmuQuery(value), [], problems);
  if (problems.length) {
    throw new InputError(
      `Cannot save this query: ${problems[0].message}`,
      problems.map((p) => (p.path.length ? `${p.path.join('.')}: ` : '') + p.message).join('\n'),
      'none',
      'bad_query',
    );
  }
  return { query: toCmuQuery(value), stripped };
}

export function checkName(name: unknown, what = 'A query name'): string {
  if (typeof name !== 'string' || !name.trim()) throw new InputError(`${what} cannot be empty`, 'Give it a short name.', 'none', 'bad_name');
  const n = name.trim();
  if (n.length > 200) throw new InputError(`${what} is too long`, 'Keep it under 200 characters.', 'none', 'bad_name');
  if (hasHost(n) || looksLikeSecretValue(n)) throw new InputError(`${what} cannot hold a URL or a token`, 'Names are shared with the team through the repository.', 'none', 'bad_name');
  return n;
}

/** '' / null / undefined → top level; otherwise a trimmed folder name. */
export function normFolder(folder: unknown): string | undefined {
  if (folder === undefined || folder === null || folder === '') return undefined;
  return checkName(folder, 'A folder name');
}
