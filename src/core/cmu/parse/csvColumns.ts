/**
 * A CSV report straight into wire columns, as the text arrives: no whole-body string, no row arrays.
 * Runs in the report worker (src/extension/report/reportWorker.ts), and on the extension host for a
 * small body (src/extension/report/csvJob.ts).
 *
 * Same grammar as parseCsvTable (RFC 4180 quoting, BOM dropped, empty lines skipped, ragged rows kept)
 * and the same columns as parseCsvBody, with one difference: a column the catalog does not know (the
 * server leads: a metric no document names) is a metric when its values in the first chunk are all
 * numbers — parseCsvBody looks at the whole column, a stream cannot wait for it. A later value that is
 * not a number in such a column fails the parse (`csv_kind`): the caller reads the report whole instead.
 */
import { ColumnEncoder, packNumbers, type WireColumn } from '../../../shared/protocol';
import { isDimension, isMetric } from '../catalog';
import type { ReportCell, ReportColumn } from '../types';
import { isNumericText } from './table';

export interface CsvChunk {
  /** index of the chunk's first row */
  start: number;
  rowCount: number;
  /** aligned with the columns of `header` */
  data: WireColumn[];
}

export interface CsvColumnsOptions {
  /** rows of the first chunk (a screenful: it is posted ahead of the rest) */
  first: number;
  /** rows of every later chunk */
  chunk: number;
  /** text (UTF-16 code units) beyond which the body is refused */
  maxChars: number;
  /** columns encoded into the chunks: the first ones (a viewer shows no more); onHeader still gets them all */
  maxColumns?: number;
  onHeader(columns: ReportColumn[]): void;
  onChunk(chunk: CsvChunk): void;
}

export class CsvParseError extends Error {
  constructor(
    message: string,
    readonly code: 'csv_truncated' | 'csv_too_large' | 'csv_malformed' | 'csv_kind',
  ) {
    super(message);
  }
}

/** The catalog's name and kind of a header cell; no kind when the catalog does not know it. */
function kindOf(raw: string): { name: string; kind?: ReportColumn['kind'] } {
  const name = raw.trim();
  const lower = name.toLowerCase();
  if (isMetric(name) || isMetric(lower)) return { name: isMetric(name) ? name : lower, kind: 'metric' };
  if (isDimension(name)) return { name, kind: 'dimension' };
  if (isDimension(lower)) return { name: lower, kind: 'dimension' };
  return { name };
}

function metricCell(v: string): ReportCell {
  if (v.length === 0) return null;
  const n = +v;
  if (n !== n || (n === 0 && v.trim() === '')) return null;
  return n;
}

/**
 * push() text as it arrives, then end(). Calls onHeader once, then onChunk per `first`/`chunk` rows
 * (columns: dimensions first, then metrics, as parseCsvBody). Throws CsvParseError when the body is over
 * `maxChars`, or ends inside a quoted field or a row (no final line end and fewer cells than the header).
 *
 * Once the columns are decided, each cell goes straight into its column of the chunk being built: a
 * metric's digits are read without making a string, a text cell becomes its code. No row array, no cell
 * array: on a 200k-row report the per-row arrays and strings were about a third of the parse in
 * garbage collection.
 */
export class CsvColumns {
  private chars = 0;
  private bomChecked = false;
  /** the current field's text when it is quoted or spans two pushes (else it is read where it lies) */
  private field = '';
  /** `inQuotes`: inside "…", `quoteSeen`: a `"` that may be the first of `""` */
  private inQuotes = false;
  private quoteSeen = false;
  private fieldQuoted = false;
  /** the current row's cells so far */
  private col = 0;
  /** the current row's cells, as text, until the columns are decided (the header, the first rows) */
  private row: string[] = [];
  /** the last character was a \r (a \n right after it is the same line end) */
  private afterCr = false;
  private header: string[] | undefined;
  private columns: ReportColumn[] = [];
  /** output column j reads source column order[j] */
  private order: number[] = [];
  /** source column c goes to output column slot[c]; -1: none (a duplicate name) */
  private slot = new Int32Array(0);
  /** per output column: a metric by the first chunk's values, not by the catalog */
  private guessed: boolean[] = [];
  /** the first rows, as text, while the kinds of unknown columns are not decided */
  private pending: string[][] | undefined;
  private headerKinds: { name: string; kind?: ReportColumn['kind'] }[] = [];
  private encoder: ColumnEncoder | undefined;
  /** the output columns the chunks carry (maxColumns) */
  private width = 0;
  /** the chunk being built, per carried column: its numbers (NaN: empty) or its text codes (0: empty) */
  private nums: (Float64Array | undefined)[] = [];
  private codes: (Uint32Array | undefined)[] = [];
  /** rows in the chunk being built, and room for them */
  private n = 0;
  private room = 0;
  private emitted = 0;
  private ended = false;

  constructor(private readonly opts: CsvColumnsOptions) {}

  /** rows parsed so far */
  get rowCount(): number {
    return this.emitted + this.n;
  }

  push(text: string): void {
    if (this.ended) throw new Error('push after end');
    this.chars += text.length;
    if (this.chars > this.opts.maxChars) throw new CsvParseError(`The CSV report is larger than the limit (${this.opts.maxChars} characters)`, 'csv_too_large');
    let i = 0;
    if (!this.bomChecked && text.length) {
      this.bomChecked = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    const n = text.length;
    while (i < n) {
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (text.charCodeAt(i) === 34) {
            this.field += '"';
            i++;
            continue;
          }
          this.inQuotes = false; // the quote closed the field; fall through to the unquoted grammar
          continue;
        }
        this.afterCr = false;
        const q = text.indexOf('"', i);
        if (q < 0) {
          this.field += text.slice(i);
          return;
        }
        this.field += text.slice(i, q);
        this.quoteSeen = true;
        i = q + 1;
        continue;
      }
      // unquoted: scan to the next delimiter in one go (the common case: whole rows without quotes)
      let j = i;
      let c = 0;
      while (j < n) {
        c = text.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13 || c === 34) break;
        j++;
      }
      const afterCr = this.afterCr;
      this.afterCr = false;
      if (j === n) {
        this.field += text.slice(i, j);
        return;
      }
      if (c === 34) {
        // a quote opens a quoted field only at its start; elsewhere it is a literal (relax_quotes)
        if (j === i && this.field.length === 0 && !this.fieldQuoted) {
          this.inQuotes = true;
          this.fieldQuoted = true;
        } else this.field += text.slice(i, j) + '"';
      } else if (c === 44) this.cell(text, i, j);
      else if (c === 13) {
        this.lineEnd(text, i, j);
        this.afterCr = true; // the \n of a \r\n ends nothing more
      } else if (!(afterCr && j === i)) this.lineEnd(text, i, j);
      i = j + 1;
    }
  }

  /** The body is complete: flushes the last rows. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.inQuotes && !this.quoteSeen) throw new CsvParseError('The CSV report ends inside a quoted field: the body was cut short', 'csv_truncated');
    if (this.field.length || this.col || this.fieldQuoted) {
      const width = this.header?.length ?? 0;
      if (this.header && this.col + 1 < width) {
        throw new CsvParseError(`The CSV report ends inside a row (${this.col + 1} of ${width} cells): the body was cut short`, 'csv_truncated');
      }
    }
    this.lineEnd('', 0, 0);
    if (!this.header) this.opts.onHeader([]);
    else if (this.pending) this.decide();
    this.flush(true);
  }

  /** A cell ends: the text held in `field` (quoted, or begun in an earlier push) and text[i, j). */
  private cell(text: string, i: number, j: number): void {
    if (this.field.length || this.fieldQuoted) {
      const s = this.field + text.slice(i, j);
      this.field = '';
      this.fieldQuoted = false;
      if (this.encoder) this.put(s, 0, s.length);
      else this.row.push(s);
    } else if (this.encoder) this.put(text, i, j);
    else this.row.push(text.slice(i, j));
    this.col++;
  }

  /** A line ends after text[i, j): a row ends, unless the line is empty. */
  private lineEnd(text: string, i: number, j: number): void {
    if (this.col === 0 && i === j && this.field.length === 0 && !this.fieldQuoted) return; // an empty line
    this.cell(text, i, j);
    this.endRow();
  }

  /** Source column `col`'s cell text[i, j) into its output column of the chunk being built. */
  private put(text: string, i: number, j: number): void {
    const k = this.col < this.slot.length ? this.slot[this.col] : -1;
    if (k < 0) return; // past the header, or a duplicate name
    if (k >= this.width) {
      if (this.guessed[k]) this.metricOf(text.slice(i, j), k); // not carried, still a number or the parse fails
      return;
    }
    const nums = this.nums[k];
    if (nums) nums[this.n] = this.number(text, i, j, k);
    else this.codes[k]![this.n] = this.encoder!.code(k, text.slice(i, j));
  }

  /** A metric cell's value (NaN: empty); plain integers are read from the characters, anything else as `+text`. */
  private number(text: string, i: number, j: number, k: number): number {
    let p = i;
    const neg = p < j && text.charCodeAt(p) === 45;
    if (neg) p++;
    if (p < j && j - p <= 15) {
      let v = 0;
      for (; p < j; p++) {
        const d = text.charCodeAt(p) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (p === j) return neg ? -v : v;
    }
    return this.metricOf(text.slice(i, j), k);
  }

  private metricOf(v: string, k: number): number {
    const n = metricCell(v);
    if (n !== null) return n as number;
    if (this.guessed[k] && !isNumericText(v)) {
      throw new CsvParseError(`The column "${this.columns[k].name}" held numbers in its first rows, then "${v.slice(0, 40)}"`, 'csv_kind');
    }
    return NaN;
  }

  private endRow(): void {
    const cells = this.col;
    this.col = 0;
    if (!this.encoder) {
      const row = this.row;
      this.row = [];
      if (!this.header) return this.setHeader(row);
      this.pending!.push(row);
      if (this.pending!.length >= this.opts.first) this.decide();
      return;
    }
    if (cells < this.slot.length) {
      // a short row: its missing cells are empty
      for (let k = 0; k < this.width; k++) {
        if (this.order[k] < cells) continue;
        const nums = this.nums[k];
        if (nums) nums[this.n] = NaN;
        else this.codes[k]![this.n] = 0;
      }
    }
    this.n++;
    if (this.n >= (this.emitted === 0 ? this.opts.first : this.opts.chunk)) this.flush(false);
    else if (this.n === this.room) this.grow();
  }

  /**
   * Twice the room for the chunk being built, up to a chunk's rows (it is flushed when full). From 256 rows:
   * fresh memory costs on a thread others share (a 20k-row room for every column of a 1k-row report took
   * 11 ms of the extension host's longest task in a workbench profile).
   */
  private grow(): void {
    this.room = Math.min(Math.max(256, this.room * 2), Math.max(this.opts.first, this.opts.chunk));
    for (let k = 0; k < this.width; k++) {
      const nums = this.nums[k];
      if (nums) (this.nums[k] = new Float64Array(this.room)).set(nums);
      else {
        const codes = this.codes[k]!;
        (this.codes[k] = new Uint32Array(this.room)).set(codes);
      }
    }
  }

  private setHeader(cells: string[]): void {
    this.header = cells;
    this.headerKinds = cells.map(kindOf);
    this.pending = [];
    // a column the catalog does not know waits for the first rows to say what it holds
    if (this.headerKinds.every((k) => k.kind)) this.decide();
  }

  /** Decides the kinds (the catalog's, else the first rows'), says the header, then takes the rows held so far. */
  private decide(): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    const dims: number[] = [];
    const mets: number[] = [];
    const seen = new Set<string>();
    const all: ReportColumn[] = [];
    const guessed = new Set<number>();
    this.headerKinds.forEach((k, c) => {
      let kind = k.kind;
      if (!kind) {
        const numeric = pending.every((row) => isNumericText(row[c] ?? ''));
        kind = numeric && pending.some((row) => (row[c] ?? '') !== '') ? 'metric' : 'dimension';
        if (kind === 'metric') guessed.add(c);
      }
      all.push({ name: k.name, kind });
      if (seen.has(k.name)) return; // duplicate header: the first wins
      seen.add(k.name);
      (kind === 'metric' ? mets : dims).push(c);
    });
    this.order = [...dims, ...mets];
    this.columns = this.order.map((c) => all[c]);
    this.guessed = this.order.map((c) => guessed.has(c));
    this.slot = new Int32Array(this.headerKinds.length).fill(-1);
    this.order.forEach((c, k) => (this.slot[c] = k));
    const metric = this.columns.map((c) => c.kind === 'metric').slice(0, this.opts.maxColumns);
    this.width = metric.length;
    this.encoder = new ColumnEncoder(metric.map((m) => (m ? 'number' : 'text')));
    this.nums = metric.map((m) => (m ? new Float64Array(0) : undefined));
    this.codes = metric.map((m) => (m ? undefined : new Uint32Array(0)));
    this.grow();
    this.opts.onHeader(this.columns.map((c) => ({ ...c })));
    for (const row of pending) {
      for (const cell of row) {
        this.put(cell, 0, cell.length);
        this.col++;
      }
      this.endRow();
    }
  }

  private flush(last: boolean): void {
    if (!this.encoder || (this.n === 0 && !last)) return;
    if (this.n === 0 && this.emitted > 0) return;
    const n = this.n;
    const data: WireColumn[] = [];
    for (let k = 0; k < this.width; k++) {
      const nums = this.nums[k];
      data.push(nums ? packNumbers(nums, n) : this.encoder.packText(k, this.codes[k]!, n));
    }
    this.n = 0;
    this.opts.onChunk({ start: this.emitted, rowCount: n, data });
    this.emitted += n;
  }
}
