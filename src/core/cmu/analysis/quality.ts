/**
 * A data-quality lens: per dimension, how much of the report has no real value there — `Unknown` (what
 * CMU writes when an application sent no metadata, e.g. channel), empty, or `null`. A jump in that share
 * for one application-id is an app release that stopped sending channel/platform metadata.
 */
import { isTimeColumn, numberOf, rowIndices, type ReportColumns } from './columns';

export interface DimensionQuality {
  dimension: string;
  /** rows whose value is unknown */
  unknownRows: number;
  rows: number;
  rowShare: number;
  /** per metric: the share of its sum in the unknown rows (only metrics with a non-zero sum) */
  massShare: Record<string, number>;
  /** the unknown rows, for a filter */
  rowIndices: Uint32Array;
}

/** `Unknown`, `unknown`, empty, whitespace, `null`, `(null)`: no value. */
export function isUnknownValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== 'string') return false;
  const t = v.trim().toLowerCase();
  return t === '' || t === 'unknown' || t === 'null' || t === '(null)';
}

/** One entry per non-time dimension column (time columns always have a value). */
export function dataQuality(report: ReportColumns, rows?: ArrayLike<number>): DimensionQuality[] {
  const idx = rowIndices(report, rows);
  const metrics = report.columns.filter((c) => c.kind === 'metric');
  const totals = metrics.map((m) => {
    let s = 0;
    for (let i = 0; i < idx.length; i++) {
      const n = numberOf(m.at(idx[i]));
      if (!Number.isNaN(n)) s += n;
    }
    return s;
  });
  const out: DimensionQuality[] = [];
  for (const col of report.columns) {
    if (col.kind !== 'dimension' || isTimeColumn(col.name)) continue;
    const hits: number[] = [];
    const mass = new Float64Array(metrics.length);
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i];
      if (!isUnknownValue(col.at(r))) continue;
      hits.push(r);
      for (let j = 0; j < metrics.length; j++) {
        const n = numberOf(metrics[j].at(r));
        if (!Number.isNaN(n)) mass[j] += n;
      }
    }
    const massShare: Record<string, number> = {};
    metrics.forEach((m, j) => {
      if (totals[j] !== 0) massShare[m.name] = mass[j] / totals[j];
    });
    out.push({
      dimension: col.name,
      unknownRows: hits.length,
      rows: idx.length,
      rowShare: idx.length === 0 ? 0 : hits.length / idx.length,
      massShare,
      rowIndices: Uint32Array.from(hits),
    });
  }
  return out;
}
