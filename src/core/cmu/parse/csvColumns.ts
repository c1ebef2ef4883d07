/**
 * A CSV report straight into wire columns, as the text arrives: no whole-body string, no row arrays
 * beyond the chunk being built. Runs in the report worker (src/extension/report/reportWorker.ts) so the
 * extension host never parses; the CLI's table may use it too.
 *
 * Same grammar as parseCsvTable (RFC 4180 quoting, BOM dropped, empty lines skipped, ragged rows kept)
 * and the same columns as parseCsvBody, with one difference: a column the catalog does not know (the
 * server leads: a metric no document names) is a metric when its values in the first chunk are all
 * numbers — parseCsvBody looks at the whole column, a stream cannot wait for it. A later value that is
 * not a number in such a column fails the parse (`csv_kind`): the caller reads the report whole instead.
 */
import { ColumnEncoder, type WireColumn } from '../../../shared/protocol';
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
 */
export class CsvColumns {
  private chars = 0;
  private bomChecked = false;
  /** the current field's text; `inQuotes`: inside "…", `quoteSeen`: a `"` that may be the first of `""` */
  private field = '';
  private inQuotes = false;
  private quoteSeen = false;
  private fieldQuoted = false;
  private row: string[] = [];
  /** the last character was a \r (a \n right after it is the same line end) */
  private afterCr = false;
  private header: string[] | undefined;
  private columns: ReportColumn[] = [];
  /** output column j reads source column order[j] */
  private order: number[] = [];
  private metric: boolean[] = [];
  /** per output column: a metric by the first chunk's values, not by the catalog */
  private guessed: boolean[] = [];
  /** the first rows, as text, while the kinds of unknown columns are not decided */
  private pending: string[][] | undefined;
  private headerKinds: { name: string; kind?: ReportColumn['kind'] }[] = [];
  private encoder: ColumnEncoder | undefined;
  private rows: ReportCell[][] = [];
  private emitted = 0;
  private ended = false;

  constructor(private readonly opts: CsvColumnsOptions) {}

  /** rows parsed so far */
  get rowCount(): number {
    return this.emitted + this.rows.length;
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
      if (j > i) this.field += text.slice(i, j);
      if (j === n) return;
      if (c === 34) {
        // a quote opens a quoted field only at its start; elsewhere it is a literal (relax_quotes)
        if (this.field.length === 0 && !this.fieldQuoted) {
          this.inQuotes = true;
          this.fieldQuoted = true;
        } else this.field += '"';
      } else if (c === 44) {
        this.row.push(this.field);
        this.field = '';
        this.fieldQuoted = false;
      } else if (c === 13) {
        this.endRow();
        this.afterCr = true; // the \n of a \r\n ends nothing more
      } else if (!(afterCr && j === i)) this.endRow();
      i = j + 1;
    }
  }

  /** The body is complete: flushes the last rows. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.inQuotes && !this.quoteSeen) throw new CsvParseError('The CSV report ends inside a quoted field: the body was cut short', 'csv_truncated');
    if (this.field.length || this.row.length || this.fieldQuoted) {
      const width = this.header?.length ?? 0;
      if (this.header && this.row.length + 1 < width) {
        throw new CsvParseError(`The CSV report ends inside a row (${this.row.length + 1} of ${width} cells): the body was cut short`, 'csv_truncated');
      }
    }
    this.endRow();
    if (!this.header) this.opts.onHeader([]);
    else if (this.pending) this.decide();
    this.flush(true);
  }

  private endRow(): void {
    if (this.field.length || this.fieldQuoted || this.row.length) this.row.push(this.field);
    this.field = '';
    this.fieldQuoted = false;
    const cells = this.row;
    if (cells.length === 0) return; // empty line
    this.row = [];
    if (!this.header) return this.setHeader(cells);
    if (this.pending) {
      this.pending.push(cells);
      if (this.pending.length >= this.opts.first) this.decide();
      return;
    }
    this.addRow(cells);
  }

  private addRow(cells: string[]): void {
    const out: ReportCell[] = new Array(this.order.length);
    for (let j = 0; j < this.order.length; j++) {
      const v = cells[this.order[j]];
      if (v === undefined) out[j] = null;
      else if (!this.metric[j]) out[j] = v;
      else {
        out[j] = metricCell(v);
        if (out[j] === null && this.guessed[j] && !isNumericText(v)) {
          throw new CsvParseError(`The column "${this.columns[j].name}" held numbers in its first rows, then "${v.slice(0, 40)}"`, 'csv_kind');
        }
      }
    }
    this.rows.push(out);
    if (this.rows.length >= (this.emitted === 0 ? this.opts.first : this.opts.chunk)) this.flush(false);
  }

  private setHeader(cells: string[]): void {
    this.header = cells;
    this.headerKinds = cells.map(kindOf);
    // a column the catalog does not know waits for the first rows to say what it holds
    if (this.headerKinds.some((k) => !k.kind)) this.pending = [];
    else this.decide();
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
    this.metric = this.columns.map((c) => c.kind === 'metric');
    this.guessed = this.order.map((c) => guessed.has(c));
    this.encoder = new ColumnEncoder(this.metric.slice(0, this.opts.maxColumns).map((m) => (m ? 'number' : 'text')));
    this.opts.onHeader(this.columns.map((c) => ({ ...c })));
    for (const row of pending) this.addRow(row);
  }

  private flush(last: boolean): void {
    if (!this.encoder || (this.rows.length === 0 && !last)) return;
    if (this.rows.length === 0 && this.emitted > 0) return;
    const rows = this.rows;
    this.rows = [];
    this.opts.onChunk({ start: this.emitted, rowCount: rows.length, data: this.encoder.encode(rows) });
    this.emitted += rows.length;
  }
}
