/** The CmuQuery value: an empty one, a deep copy, and the names the query model reserves. */
import { RESERVED_PARAMETERS, TIME_DIMENSIONS, isTimeDimension } from '../catalog';
import type { CmuFilter, CmuQuery, ReportFormat } from '../types';

/** Query parameters with a meaning of their own; never dimension names (the catalog's one list). */
export const RESERVED_PARAMS: readonly string[] = RESERVED_PARAMETERS;
export { TIME_DIMENSIONS, isTimeDimension };

export function emptyQuery(path: string[] = []): CmuQuery {
  return { path: [...path], filters: [], projections: [], metrics: [] };
}

/** A deep copy holding only the model's fields, so callers can edit without touching a saved query. */
export function cloneQuery(q: CmuQuery): CmuQuery {
  const out: CmuQuery = {
    path: [...q.path],
    filters: (q.filters ?? []).map((f: CmuFilter) => ({ dimension: f.dimension, op: f.op, values: [...f.values] })),
    projections: [...(q.projections ?? [])],
    metrics: [...(q.metrics ?? [])],
  };
  if (q.start !== undefined) out.start = q.start;
  if (q.end !== undefined) out.end = q.end;
  if (q.window !== undefined) out.window = q.window;
  if (q.limit !== undefined) out.limit = q.limit;
  if (q.format !== undefined) out.format = q.format as ReportFormat;
  return out;
}
