/**
 * A report's rows as the panel holds them: the wire chunks as they arrive (from the report worker, or
 * encoded here from a report parsed in memory), kept to be posted again when the webview reloads, plus
 * one columnar copy for the host's own reading (partial buckets, the server total, history's seen values,
 * `cmu.runQuery`'s rows, decoded only when asked). No row arrays, no body text: a 200k-row report is a
 * few typed arrays per column. No `vscode` here (unit-tested as it is).
 */
import type { AnalysisColumn, ReportColumns } from '../../core/cmu/analysis/columns';
import type { ReportCell, ReportColumn } from '../../core/cmu/types';
import { cellAt, ColumnDecoder, ColumnEncoder, columnTypes, type ColumnView, type WireColumn } from '../../shared/protocol';

/** Rows whose time bucket is not final, by absolute row index, with why (sparse). */
export interface PartialRows {
  rows: number[];
  reasons: string[];
}

export interface RowChunk {
  /** index of the chunk's first row */
  start: number;
  rowCount: number;
  data: WireColumn[];
  partial?: PartialRows;
}

/** Which of `rows` (the columns of one chunk, rows counted from 0) are partial. */
export type PartialOf = (chunk: ReportColumns) => { rows: number[]; reasons: string[] } | undefined;

export class ReportRowsError extends Error {}

export class ReportRows {
  columns: ReportColumn[] = [];
  /** the columns as the webview shows them, when not derived from `columns` (a comparison's) */
  views: ColumnView[] | undefined;
  readonly chunks: RowChunk[] = [];
  complete = false;
  /** why the rows stopped coming (the body was cut, the worker failed): the rows so far stay */
  failure: unknown;
  private copy: ColumnDecoder | undefined;
  private listeners: (() => void)[] = [];
  private decoded: ReportCell[][] | undefined;
  private partialOf: PartialOf | undefined;

  get rowCount(): number {
    return this.copy?.rowCount ?? 0;
  }

  setColumns(columns: ReportColumn[]): void {
    this.columns = columns;
    this.copy = new ColumnDecoder(columns.length);
  }

  /** The next chunk, in order; its partial rows are read here. */
  add(start: number, rowCount: number, data: WireColumn[]): void {
    const copy = this.copy;
    if (!copy || start !== copy.rowCount || !copy.append(data, rowCount)) throw new ReportRowsError('the report worker sent a chunk out of order or malformed');
    const chunk: RowChunk = { start, rowCount, data };
    this.readPartial(chunk);
    this.chunks.push(chunk);
    this.decoded = undefined;
    this.changed();
  }

  end(failure?: unknown): void {
    if (this.complete) return;
    this.complete = true;
    this.failure = failure;
    this.changed();
  }

  /** Resolves when the first chunk is in, or the end. */
  async started(): Promise<void> {
    while (!this.complete && this.chunks.length === 0) await this.next();
  }

  /** Resolves when every row is in (or the rows stopped: `failure`). */
  async finished(): Promise<void> {
    while (!this.complete) await this.next();
  }

  /** Resolves at the next chunk or the end (the panel's sender waits on it). */
  next(): Promise<void> {
    if (this.complete) return Promise.resolve();
    return new Promise((resolve) => this.listeners.push(resolve));
  }

  private changed(): void {
    const l = this.listeners;
    this.listeners = [];
    l.forEach((f) => f());
  }

  /** How partial buckets are read (it needs the window the server applied: known with the links); reads the chunks so far too. */
  setPartialOf(partialOf: PartialOf | undefined): void {
    this.partialOf = partialOf;
    for (const c of this.chunks) this.readPartial(c);
  }

  private readPartial(chunk: RowChunk): void {
    const flags = this.partialOf?.(this.view(chunk.start, chunk.rowCount, 'dimension'));
    if (flags?.rows.length) chunk.partial = { rows: flags.rows.map((r) => r + chunk.start), reasons: flags.reasons };
    else delete chunk.partial;
  }

  /** The rows (arrays aligned with `columns`), decoded on the first ask and kept until more arrive. */
  get rows(): ReportCell[][] {
    if (this.decoded) return this.decoded;
    const copy = this.copy;
    const out: ReportCell[][] = new Array(this.rowCount);
    if (copy) for (let r = 0; r < out.length; r++) out[r] = copy.columns.map((c) => cellAt(c, r));
    return (this.decoded = out);
  }

  /** The first `n` rows, decoded (history's seen values read no more). */
  head(n: number): ReportCell[][] {
    const copy = this.copy;
    const out: ReportCell[][] = [];
    if (copy) for (let r = 0; r < Math.min(n, copy.rowCount); r++) out.push(copy.columns.map((c) => cellAt(c, r)));
    return out;
  }

  /** The rows so far as the analysis modules read them (no copy). */
  analysis(kind?: 'dimension' | 'metric'): ReportColumns {
    return this.view(0, this.rowCount, kind);
  }

  private view(start: number, rowCount: number, kind?: 'dimension' | 'metric'): ReportColumns {
    const data = this.copy?.columns ?? [];
    const columns: AnalysisColumn[] = [];
    this.columns.forEach((c, i) => {
      const col = data[i];
      if (col && (!kind || c.kind === kind)) columns.push({ name: c.name, kind: c.kind, at: (r: number) => cellAt(col, start + r) });
    });
    return { rowCount, columns };
  }

  /**
   * A report parsed in memory (XML, a comparison, an answer that was not CSV) as chunks: the first `first`
   * rows, then `chunk` rows at a time, each encoded after a turn of the event loop (no long task), or all
   * at once (`sync`: tests, the browser checks).
   */
  static fromRows(columns: ReportColumn[], rows: readonly (readonly ReportCell[])[], sizes: { first: number; chunk: number }, sync = false): ReportRows {
    const out = new ReportRows();
    out.setColumns(columns);
    const encoder = new ColumnEncoder(columnTypes(columns.length, rows));
    const step = (start: number): void => {
      const end = Math.min(rows.length, start + (start === 0 ? sizes.first : sizes.chunk));
      out.add(start, end - start, encoder.encode(rows, start, end));
      if (end >= rows.length) out.end();
      else if (sync) step(end);
      else setImmediate(() => step(end));
    };
    step(0);
    return out;
  }
}
