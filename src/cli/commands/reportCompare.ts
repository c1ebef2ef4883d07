/**
 * `cmu report … --compare previous|week|month`: this window and the earlier one (core: fetchComparison),
 * joined on the dimension values. json: both server documents and the deltas; table: value, prev, Δ, Δ%
 * per metric.
 */
import { isTimeColumn } from '../../core/cmu/analysis/columns';
import { COMPARE_MODES, type CompareMode } from '../../core/cmu/analysis/compare';
import { fetchComparison } from '../../core/cmu/analysis/comparison';
import { RATIOS } from '../../core/cmu/analysis/ratios';
import type { CmuQuery, ParsedReport } from '../../core/cmu/types';
import { InputError } from '../../core/errors';
import type { CliContext } from '../context';
import { renderCompareTable } from './reportTable';

export function compareMode(s: string): CompareMode {
  const m = s.trim().toLowerCase();
  if (!(COMPARE_MODES as readonly string[]).includes(m)) {
    throw new InputError(`Unknown --compare ${s}`, `Use one of ${COMPARE_MODES.join(', ')}: the window just before, or the same window a week / a month earlier.`, 'none', 'bad_usage');
  }
  return m as CompareMode;
}

export async function compareOutput(
  ctx: CliContext,
  q: CmuQuery,
  opts: { mode: CompareMode; format: 'json' | 'table'; includePartial: boolean; signal: AbortSignal; now: number; maxBytes?: number; maxTimeMs?: number },
): Promise<{ text: string; rows: number }> {
  const f = await fetchComparison(ctx.cmu, q, { ...opts, zone: ctx.zone });
  const c = f.comparison;
  const derived = new Set(RATIOS.map((r) => r.name).filter((n) => c.metrics.includes(n)));
  if (opts.format === 'table') return { text: renderCompareTable(c, f.current.window, f.previous.window, derived) + '\n', rows: c.rows.length };

  const record = (names: string[], cells: readonly unknown[]) => Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  const timeNames = c.dimensions.filter(isTimeColumn);
  const document = (r: ParsedReport): unknown => (r.format === 'json' ? JSON.parse(r.raw) : r.raw);
  const doc = {
    compare: opts.mode,
    current: { ...f.current.window, url: f.current.report.url, document: document(f.current.report) },
    previous: { ...f.previous.window, url: f.previous.report.url, document: document(f.previous.report) },
    dimensions: c.dimensions,
    metrics: c.metrics,
    derived: Object.fromEntries(RATIOS.filter((r) => derived.has(r.name)).map((r) => [r.name, r.formula])),
    rows: c.rows.map((row) => ({
      dimensions: record(c.dimensions, row.dimensions),
      ...(row.previousTime ? { previousTime: record(timeNames, row.previousTime) } : {}),
      metrics: record(c.metrics, row.metrics),
    })),
    excludedPartial: c.excludedPartial,
  };
  return { text: JSON.stringify(doc, null, 2) + '\n', rows: c.rows.length };
}
