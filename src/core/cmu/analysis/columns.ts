/**
 * The report as the analysis modules read it: columns with a cell accessor, so the parsed report
 * (rows of cells), the webview's dictionary-coded columns and a derived column all satisfy it without
 * a copy. Nothing here knows how the report travelled.
 */
import type { ReportCell } from '../types';

export interface AnalysisColumn {
  readonly name: string;
  readonly kind: 'dimension' | 'metric';
  /** the cell of row r: a string or number, null when empty (a NaN number counts as empty) */
  at(row: number): ReportCell;
  /** A dictionary-coded column's numbers at hand (each value of its table read once): numberOf(at(row)) is codedNumber(coded, row). */
  readonly coded?: CodedNumbers;
}

/** Row r's number is `values[codes[offset + r] - 1]`, NaN for code 0 (an empty cell). */
export interface CodedNumbers {
  readonly codes: ArrayLike<number>;
  readonly offset: number;
  /** numberOf() of each value of the column's table */
  readonly values: Float64Array;
}

export function codedNumber(c: CodedNumbers, row: number): number {
  const k = c.codes[c.offset + row];
  return k === 0 ? NaN : c.values[k - 1];
}

export interface ReportColumns {
  readonly rowCount: number;
  readonly columns: readonly AnalysisColumn[];
}

/** Time dimensions, coarse to fine (the order a bucket is built in). */
export const TIME_ORDER = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
export type TimeDimension = (typeof TIME_ORDER)[number];

export function isTimeColumn(name: string): name is TimeDimension {
  return (TIME_ORDER as readonly string[]).includes(name);
}

/** The parsed report (rows of cells aligned with columns) as columns; `kind`: only the dimensions or only the metrics. */
export function columnsOfRows(
  report: { columns: readonly { name: string; kind: 'dimension' | 'metric' }[]; rows: readonly (readonly ReportCell[])[] },
  kind?: 'dimension' | 'metric',
): ReportColumns {
  const rows = report.rows;
  const columns: AnalysisColumn[] = [];
  report.columns.forEach((c, i) => {
    if (!kind || c.kind === kind) columns.push({ name: c.name, kind: c.kind, at: (r: number) => rows[r][i] ?? null });
  });
  return { rowCount: rows.length, columns };
}

/** A number for a cell: metrics, or numeric text ("2024"); NaN when empty or not a number. */
export function numberOf(v: ReportCell): number {
  if (v === null) return NaN;
  if (typeof v === 'number') return v;
  const t = v.trim();
  return t !== '' && /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
}

export function findColumn(report: ReportColumns, name: string): AnalysisColumn | undefined {
  return report.columns.find((c) => c.name === name);
}

/** Every row index, or the given subset (e.g. the rows a filter left). */
export function rowIndices(report: ReportColumns, rows?: ArrayLike<number>): ArrayLike<number> {
  if (rows) return rows;
  const all = new Uint32Array(report.rowCount);
  for (let i = 0; i < all.length; i++) all[i] = i;
  return all;
}

/** Whether a column takes more than one value over the rows (an empty cell is a value of its own). */
export function varies(col: AnalysisColumn, rows: ArrayLike<number>): boolean {
  if (rows.length < 2) return false;
  const first = col.at(rows[0]);
  for (let i = 1; i < rows.length; i++) if (col.at(rows[i]) !== first) return true;
  return false;
}
