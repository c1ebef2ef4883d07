/**
 * The report as the webview holds it: columnar (see ColumnData in protocol.ts), read cell by cell.
 * It grows while the report streams in ({@link ReportData.receiving}, {@link ReportData.append}).
 */
import { RATIOS, type RatioDefinition, type ReportColumns } from '../shared/analysis';
import { ColumnDecoder, MAX_PANEL_COLUMNS, NULL_CODE, type ColumnData, type ColumnView, type ReportCell } from '../shared/protocol';
import { formatNumber, formatSigned } from './format';

export class ReportData {
  private decoder: ColumnDecoder | undefined;
  /** ratios derived here, appended after the received columns and filled as rows arrive */
  private derived: { def: RatioDefinition; num: number[]; den: number[]; values: Float64Array }[] = [];
  /** columns each chunk carries (more than the kept ones when a message is wider than the panel shows) */
  private received = 0;
  /** columns of the report (the server's, derived ones not counted) and how many of them are not kept here (beyond MAX_PANEL_COLUMNS) */
  totalColumns = 0;
  hiddenColumns = 0;

  constructor(
    readonly columns: ColumnView[],
    public data: ColumnData[],
    public rowCount: number,
  ) {}

  static empty(): ReportData {
    return new ReportData([], [], 0);
  }

  /**
   * An empty report of these columns that chunks from the extension are appended to. `derive`: append
   * the ratios the columns allow (failure rate…), labelled derived, never sent to CMU (not for a compare
   * view: its ratios come computed from both windows).
   */
  static receiving(all: ColumnView[], derive = false, totalColumns?: unknown): ReportData {
    // the host sends at most MAX_PANEL_COLUMNS; a wider message keeps its first ones all the same (no O(columns) work beyond)
    const columns = all.length > MAX_PANEL_COLUMNS ? all.slice(0, MAX_PANEL_COLUMNS) : all;
    const metric = (name: string) => columns.findIndex((c) => c.name === name && c.kind === 'metric');
    const defs = derive ? RATIOS.filter((r) => [...r.numerator, ...r.denominator].every((n) => metric(n) >= 0)) : [];
    const views: ColumnView[] = defs.map((r) => ({
      name: r.name,
      kind: 'metric',
      description: `${r.label} (derived here, not sent by CMU): ${r.formula}`,
      derived: { formula: r.formula, numerator: [...r.numerator], denominator: [...r.denominator] },
    }));
    const d = new ReportData([...columns, ...views], [], 0);
    d.decoder = new ColumnDecoder(columns.length);
    d.received = all.length;
    const total = typeof totalColumns === 'number' && Number.isSafeInteger(totalColumns) && totalColumns > all.length ? totalColumns : all.length;
    d.totalColumns = total;
    d.hiddenColumns = total - columns.length;
    d.derived = defs.map((def) => ({ def, num: def.numerator.map(metric), den: def.denominator.map(metric), values: new Float64Array(0) }));
    d.data = d.decoder.columns;
    return d;
  }

  /** Appends a chunk of wire columns (validated); false when it is not a valid chunk of this report. */
  append(wire: unknown, rowCount: unknown): boolean {
    const decoder = this.decoder;
    if (!decoder) return false;
    const chunk = Array.isArray(wire) && wire.length === this.received && wire.length > decoder.ncols ? wire.slice(0, decoder.ncols) : wire;
    if (!decoder.append(chunk, rowCount)) return false;
    const from = this.rowCount;
    this.rowCount = decoder.rowCount;
    if (this.derived.length === 0) return true;
    this.data = decoder.columns; // the received columns first: the ratios read them
    const sum = (cols: number[], r: number) => cols.reduce((s, c) => s + this.number(r, c), 0);
    for (const d of this.derived) {
      if (d.values.length < this.rowCount) {
        const grown = new Float64Array(Math.max(this.rowCount, d.values.length * 2));
        grown.set(d.values.subarray(0, from));
        d.values = grown;
      }
      for (let r = from; r < this.rowCount; r++) {
        const n = sum(d.num, r);
        const den = sum(d.den, r);
        d.values[r] = Number.isNaN(n) || Number.isNaN(den) || den === 0 ? NaN : n / den; // never from half the inputs
      }
    }
    this.data = [...decoder.columns, ...this.derived.map((d): ColumnData => ({ type: 'number', values: d.values }))];
    return true;
  }

  /** The columns as the core analysis reads them (no copy). */
  asColumns(): ReportColumns {
    return { rowCount: this.rowCount, columns: this.columns.map((c, i) => ({ name: c.name, kind: c.kind, at: (r: number) => this.cell(r, i) })) };
  }

  cell(r: number, c: number): ReportCell {
    const col = this.data[c];
    if (col.type === 'number') {
      const v = col.values[r];
      return Number.isNaN(v) ? null : v;
    }
    const k = col.codes[r];
    return k === NULL_CODE ? null : col.dict[k];
  }

  /** The text shown: metrics formatted ("12,345"), dimensions as they came (a year is not "2,024"). */
  text(r: number, c: number): string {
    const col = this.data[c];
    if (col.type === 'number') {
      const v = col.values[r];
      if (Number.isNaN(v)) return '';
      return this.columns[c].kind === 'metric' ? formatMetric(this.columns[c], v) : String(v);
    }
    const k = col.codes[r];
    return k === NULL_CODE ? '' : col.dict[k];
  }

  /** A number for the cell when it has one (metrics; numeric text such as "2024"), else NaN. */
  number(r: number, c: number): number {
    const col = this.data[c];
    if (col.type === 'number') return col.values[r];
    const k = col.codes[r];
    if (k === NULL_CODE) return NaN;
    const s = col.dict[k];
    return /^\s*-?\d+(\.\d+)?\s*$/.test(s) ? Number(s) : NaN;
  }

  /**
   * Sort keys (NaN = empty, sorted last): numbers as themselves; text by its rank in the sorted
   * dictionary (numeric text first in numeric order, then text case-insensitively) — one sort of
   * the distinct values instead of comparing 200k strings.
   */
  sortKeys(c: number): Float64Array {
    const col = this.data[c];
    if (col.type === 'number') return col.values;
    const numOf = col.dict.map((s) => (/^\s*-?\d+(\.\d+)?\s*$/.test(s) ? Number(s) : NaN));
    const low = col.dict.map((s) => s.toLowerCase());
    const idx = col.dict.map((_, i) => i);
    idx.sort((a, b) => {
      const na = numOf[a];
      const nb = numOf[b];
      const ia = !Number.isNaN(na);
      const ib = !Number.isNaN(nb);
      if (ia && ib) return na - nb;
      if (ia !== ib) return ia ? -1 : 1;
      return low[a] < low[b] ? -1 : low[a] > low[b] ? 1 : 0;
    });
    const rank = new Float64Array(col.dict.length);
    idx.forEach((d, i) => (rank[d] = i));
    const keys = new Float64Array(this.rowCount);
    for (let r = 0; r < this.rowCount; r++) {
      const k = col.codes[r];
      keys[r] = k === NULL_CODE ? NaN : rank[k];
    }
    return keys;
  }

  /**
   * Rows of `order` where any cell contains `needle` (lower case). Text columns are tested once per
   * distinct value; numbers against their digits (the needle's group separators removed).
   */
  filter(order: Uint32Array, needle: string): Uint32Array {
    const digits = needle.replace(/[\s,.'’\u00a0\u202f]/g, '');
    const numericNeedle = /^-?\d+$/.test(digits) ? digits : needle;
    const tests = this.data.map((col) => {
      if (col.type === 'text') {
        const hit = new Uint8Array(col.dict.length);
        col.dict.forEach((s, i) => (hit[i] = s.toLowerCase().includes(needle) ? 1 : 0));
        return hit;
      }
      return undefined;
    });
    const out = new Uint32Array(order.length);
    let n = 0;
    for (let i = 0; i < order.length; i++) {
      const r = order[i];
      for (let c = 0; c < this.data.length; c++) {
        const col = this.data[c];
        let ok: boolean;
        if (col.type === 'text') {
          const k = col.codes[r];
          ok = k !== NULL_CODE && (tests[c] as Uint8Array)[k] === 1;
        } else {
          const v = col.values[r];
          ok = !Number.isNaN(v) && String(v).includes(numericNeedle);
        }
        if (ok) {
          out[n++] = r;
          break;
        }
      }
    }
    return out.subarray(0, n);
  }
}

/** A metric value as shown: ratios as percentages, compare deltas signed (a ratio's Δ in points). */
export function formatMetric(col: ColumnView, v: number): string {
  const role = col.compare?.role;
  if (role === 'deltaPct') return formatSigned(v, 1) + '%';
  if (col.derived) return role === 'delta' ? formatSigned(v * 100, 1) + ' pt' : `${(v * 100).toFixed(1)}%`;
  return role === 'delta' ? formatSigned(v, 0) : formatNumber(v);
}
