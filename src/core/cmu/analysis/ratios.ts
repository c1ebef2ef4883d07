/**
 * Derived ratios, computed here from the columns a report has, labelled as derived and never sent to
 * the server (no CMU metric has these names). A ratio of a total is the ratio of the summed parts, never
 * a sum of ratios.
 */
import { findColumn, numberOf, type AnalysisColumn, type ReportColumns } from './columns';

export interface RatioDefinition {
  name: string;
  label: string;
  /** the formula in words, for a tooltip and the CLI footnote */
  formula: string;
  numerator: readonly string[];
  denominator: readonly string[];
}

/**
 * - failure rate: `failed-attempts` are "session initialization attempts that were denied" and
 *   `started-sessions` the attempts that were let through (the reference: active sessions exclude
 *   "sessions denied at initialization"), so every attempt is one or the other:
 *   attempts = started-sessions + failed-attempts.
 * - completion rate: completed / started in the same bucket. It can exceed 100 % in a bucket where
 *   sessions started earlier end; over a long window it approaches the share that ended normally or by timeout.
 * - dismissed+killed share: sessions ended by the concurrency policy (dismissed on heartbeat, killed by a
 *   newer session) per started session.
 */
export const RATIOS: readonly RatioDefinition[] = [
  {
    name: 'failure-rate',
    label: 'failure rate',
    formula: 'failed-attempts / (started-sessions + failed-attempts)',
    numerator: ['failed-attempts'],
    denominator: ['started-sessions', 'failed-attempts'],
  },
  {
    name: 'completion-rate',
    label: 'completion rate',
    formula: 'completed-sessions / started-sessions',
    numerator: ['completed-sessions'],
    denominator: ['started-sessions'],
  },
  {
    name: 'dismissed-killed-share',
    label: 'dismissed+killed share',
    formula: '(dismissed-sessions + killed-sessions) / started-sessions',
    numerator: ['dismissed-sessions', 'killed-sessions'],
    denominator: ['started-sessions'],
  },
];

/** A ratio as a column: a metric the server never sent (its cells are fractions, NaN-free: null when undefined). */
export interface DerivedColumn extends AnalysisColumn {
  readonly kind: 'metric';
  readonly derived: RatioDefinition;
}

export function isDerived(c: AnalysisColumn): c is DerivedColumn {
  return (c as Partial<DerivedColumn>).derived !== undefined;
}

/** The ratios whose every input column the report has. */
export function derivedColumns(report: ReportColumns, defs: readonly RatioDefinition[] = RATIOS): DerivedColumn[] {
  const out: DerivedColumn[] = [];
  for (const def of defs) {
    const num = columnsOf(report, def.numerator);
    const den = columnsOf(report, def.denominator);
    if (!num || !den) continue;
    out.push({ name: def.name, kind: 'metric', derived: def, at: (r) => ratio(sumAt(num, r), sumAt(den, r)) });
  }
  return out;
}

/** The report with its derived columns appended. */
export function withDerived(report: ReportColumns, defs: readonly RatioDefinition[] = RATIOS): ReportColumns {
  const derived = derivedColumns(report, defs);
  return derived.length === 0 ? report : { rowCount: report.rowCount, columns: [...report.columns, ...derived] };
}

/** A ratio over a set of rows (a total): summed numerator over summed denominator, rows with an empty input left out. */
export function ratioOver(report: ReportColumns, def: RatioDefinition, rows: ArrayLike<number>): number | null {
  const num = columnsOf(report, def.numerator);
  const den = columnsOf(report, def.denominator);
  if (!num || !den) return null;
  let n = 0;
  let d = 0;
  for (let i = 0; i < rows.length; i++) {
    const rn = sumAt(num, rows[i]);
    const rd = sumAt(den, rows[i]);
    if (Number.isNaN(rn) || Number.isNaN(rd)) continue; // as for a row: never half the inputs
    n += rn;
    d += rd;
  }
  return ratio(n, d);
}

function columnsOf(report: ReportColumns, names: readonly string[]): AnalysisColumn[] | undefined {
  const cols = names.map((n) => findColumn(report, n));
  return cols.every((c): c is AnalysisColumn => c !== undefined && c.kind === 'metric') ? cols : undefined;
}

/** NaN when any part is empty: a ratio from half its inputs would be wrong, not approximate. */
function sumAt(cols: AnalysisColumn[], r: number): number {
  let s = 0;
  for (const c of cols) s += numberOf(c.at(r));
  return s;
}

function ratio(n: number, d: number): number | null {
  return Number.isNaN(n) || Number.isNaN(d) || d === 0 ? null : n / d;
}
