/**
 * A report's rows as the panel holds them: the wire chunks as they arrive (from the report worker, or
 * encoded here from a report parsed in memory), kept to be posted again when the webview reloads and
 * read in place by the host (partial buckets, the server total, history's seen values, `cmu.runQuery`'s
 * rows, decoded only when asked). No row arrays, no body text, no second copy: a 200k-row report is a few
 * typed arrays per column and chunk (growing one array per column meant copying it all at each
 * doubling: a 300 ms task at 160k rows). No `vscode` here (unit-tested as it is).
 */
import { numberOf, type AnalysisColumn, type CodedNumbers, type ReportColumns } from '../../core/cmu/analysis/columns';
import type { ReportCell, ReportColumn } from '../../core/cmu/types';
import { ColumnEncoder, columnTypes, type ColumnView, type WireColumn } from '../../shared/protocol';

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
  /** read by {@link ReportRows.withPartial} */
  partial?: PartialRows;
  /** the setPartialOf generation `partial` was read with */
  partialGen?: number;
}

/** Which of `rows` (the columns of one chunk, rows counted from 0) are partial. */
export type PartialOf = (chunk: ReportColumns) => { rows: number[]; reasons: string[] } | undefined;

export class ReportRowsError extends Error {}

export class ReportRows {
  /** every column of the report; the chunks hold the first `width` of them */
  columns: ReportColumn[] = [];
  width = 0;
  /** the columns as the webview shows them, when not derived from `columns` (a comparison's) */
  views: ColumnView[] | undefined;
  readonly chunks: RowChunk[] = [];
  complete = false;
  /** why the rows stopped coming (the body was cut, the worker failed): the rows so far stay */
  failure: unknown;
  /** per column: the value table of a text column (a chunk's codes index it, 1-based), accumulated over the chunks */
  private dicts: string[][] = [];
  /** per text column: numberOf() of each value of its table, as far as read (partial buckets read time columns as numbers) */
  private dictNumbers: Float64Array[] = [];
  private count = 0;
  private listeners: (() => void)[] = [];
  private decoded: ReportCell[][] | undefined;
  private partialOf: PartialOf | undefined;
  private partialGen = 0;

  get rowCount(): number {
    return this.count;
  }

  /** The report's columns; `width`: how many of them (the first) the chunks carry (a panel shows no more). */
  setColumns(columns: ReportColumn[], width = columns.length): void {
    this.columns = columns;
    this.width = Math.min(width, columns.length);
    this.dicts = Array.from({ length: this.width }, () => []);
    this.dictNumbers = [];
  }

  /** The columns the chunks carry (the rows' cells are aligned with them). */
  get shownColumns(): ReportColumn[] {
    return this.width < this.columns.length ? this.columns.slice(0, this.width) : this.columns;
  }

  /** The next chunk, in order (its partial rows are read when it is sent: {@link withPartial}). */
  add(start: number, rowCount: number, data: WireColumn[]): void {
    const ok = start === this.count && data.length === this.width && data.every((c) => (c.type === 'text' ? c.codes : c.values).length === rowCount);
    if (!ok) throw new ReportRowsError('the report worker sent a chunk out of order or malformed');
    data.forEach((c, i) => {
      if (c.type === 'text') for (const v of c.dict) this.dicts[i].push(v);
    });
    this.count += rowCount;
    this.chunks.push({ start, rowCount, data });
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

  /** The end of a report whose last chunk went out before the body was known to end: no rows, each column's type. */
  endChunk(): RowChunk {
    const types = this.chunks[0]?.data ?? [];
    return { start: this.count, rowCount: 0, data: types.map((c) => (c.type === 'text' ? { type: 'text', dict: [], codes: new Uint8Array(0) } : { type: 'number', values: new Uint8Array(0) })) };
  }

  /** How partial buckets are read (it needs the window the server applied: known with the links). */
  setPartialOf(partialOf: PartialOf | undefined): void {
    this.partialOf = partialOf;
    this.partialGen++;
  }

  /**
   * The chunk with its partial rows read (absolute row numbers), as it is about to be sent: one chunk's
   * read per call, so a sender spreads them over its turns (reading every chunk that arrived before the
   * links was one 100 ms task on the host's thread).
   */
  withPartial(chunk: RowChunk): RowChunk {
    if (chunk.partialGen === this.partialGen) return chunk;
    chunk.partialGen = this.partialGen;
    const flags = chunk.rowCount ? this.partialOf?.(this.view(chunk.start, chunk.rowCount, 'dimension')) : undefined;
    if (flags?.rows.length) chunk.partial = { rows: flags.rows.map((r) => r + chunk.start), reasons: flags.reasons };
    else delete chunk.partial;
    return chunk;
  }

  /** The rows (arrays aligned with `columns`), decoded on the first ask and kept until more arrive (`cmu.runQuery`'s result). */
  get rows(): ReportCell[][] {
    if (this.decoded) return this.decoded;
    const out: ReportCell[][] = [];
    for (const chunk of this.chunks) for (let i = 0; i < chunk.rowCount; i++) out.push(chunk.data.map((c, col) => this.cell(c, col, i)));
    return (this.decoded = out);
  }

  /** Row `i` of a chunk's column `col`: a number, a value of the column's table, or null when empty. */
  private cell(w: WireColumn, col: number, i: number): ReportCell {
    if (w.type === 'text') {
      const k = w.codes[i];
      return k === 0 ? null : (this.dicts[col][k - 1] ?? null);
    }
    if (w.nulls?.[i]) return null;
    const v = w.values[i];
    return Number.isNaN(v) ? null : v;
  }

  /** The bytes of the rows' column arrays so far: what the panel posts, less the value tables (the bench's floor). */
  get wireBytes(): number {
    let n = 0;
    for (const c of this.chunks) for (const w of c.data) n += w.type === 'text' ? w.codes.byteLength : w.values.byteLength + (w.nulls?.byteLength ?? 0);
    return n;
  }

  /** The rows so far as the analysis modules read them (no copy). */
  analysis(kind?: 'dimension' | 'metric'): ReportColumns {
    return this.view(0, this.count, kind);
  }

  /** Rows start … start + rowCount − 1 as columns, rows counted from 0; a cell is found in its chunk. */
  private view(start: number, rowCount: number, kind?: 'dimension' | 'metric'): ReportColumns {
    const chunks = this.chunks;
    let last = 0; // the chunk of the previous read: the analysis reads rows in order
    const one = chunks.find((c) => c.start <= start && start + rowCount <= c.start + c.rowCount);
    const chunkOf = (row: number): RowChunk => {
      let c = chunks[last];
      if (c && row >= c.start && row < c.start + c.rowCount) return c;
      let lo = 0;
      let hi = chunks.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (chunks[mid].start <= row) lo = mid;
        else hi = mid - 1;
      }
      last = lo;
      c = chunks[lo];
      return c;
    };
    const columns: AnalysisColumn[] = [];
    this.shownColumns.forEach((c, col) => {
      if (kind && c.kind !== kind) return;
      const w = one?.data[col];
      const coded = w?.type === 'text' ? this.textNumbers(w, col, start - one!.start) : undefined;
      columns.push({
        name: c.name,
        kind: c.kind,
        ...(coded ? { coded } : {}),
        // within one chunk (a chunk's partial rows), no search per cell
        at: one
          ? (r: number) => this.cell(one.data[col], col, start - one.start + r)
          : (r: number) => {
              const row = start + r;
              const chunk = chunkOf(row);
              return this.cell(chunk.data[col], col, row - chunk.start);
            },
      });
    });
    return { rowCount, columns };
  }

  /** A text column of one chunk read as numbers (row r is row offset + r of the chunk): each value of the table is parsed once. */
  private textNumbers(w: Extract<WireColumn, { type: 'text' }>, col: number, offset: number): CodedNumbers {
    const dict = this.dicts[col];
    let nums = this.dictNumbers[col];
    if (!nums || nums.length < dict.length) {
      const grown = new Float64Array(dict.length);
      if (nums) grown.set(nums);
      for (let i = nums?.length ?? 0; i < dict.length; i++) grown[i] = numberOf(dict[i]);
      this.dictNumbers[col] = nums = grown;
    }
    return { codes: w.codes, offset, values: nums };
  }

  /**
   * A report parsed in memory (XML, a comparison, an answer that was not CSV) as chunks: the first `first`
   * rows, then `chunk` rows at a time, each encoded after a turn of the event loop (no long task), or all
   * at once (`sync`: tests, the browser checks).
   */
  static fromRows(columns: ReportColumn[], rows: readonly (readonly ReportCell[])[], sizes: { first: number; chunk: number; maxColumns?: number }, sync = false): ReportRows {
    const out = new ReportRows();
    out.setColumns(columns, sizes.maxColumns);
    const encoder = new ColumnEncoder(columnTypes(out.width, rows));
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
