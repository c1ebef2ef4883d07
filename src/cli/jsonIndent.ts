/**
 * Pretty-prints a JSON document as it streams (two-space indent, the layout of JSON.stringify(v, null, 2)),
 * so `cmu report --format json --out FILE` never holds a 100 MB report in memory. Tokens are copied as the
 * server wrote them (numbers, string escapes); only whitespace changes. Works on bytes: every structural
 * character is ASCII and never occurs inside a multi-byte UTF-8 sequence, so chunks may split anywhere.
 * A body that is not one JSON object or array, or ends before it is complete, is an error.
 *
 * Hostile nesting: indentation stops growing at INDENT_CAP levels (so the output is at most a constant
 * factor of the input, never depth squared: 60 KB of `[` used to become 1.8 GB), and a document nested
 * deeper than MAX_DEPTH levels (a CMU report has 4) is refused with a message saying so.
 */
import { Transform, type TransformCallback } from 'stream';

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

export class JsonNotADocument extends Error {}

/** deeper levels are written at this level's indent */
export const INDENT_CAP = 32;
/** deeper documents are refused */
export const MAX_DEPTH = 256;

export class JsonIndent extends Transform {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** an opening bracket was written and its newline is held until we know whether the container is empty */
  private openPending = false;
  private started = false;
  private ended = false;
  private out = Buffer.allocUnsafe(1 << 16);
  private len = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.feed(chunk);
    } catch (e) {
      cb(e as Error);
      return;
    }
    this.flushOut();
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (!this.ended) {
      cb(new JsonNotADocument(this.started ? 'the JSON document ends before it is complete' : 'the body is empty, not a JSON document'));
      return;
    }
    this.put(0x0a);
    this.flushOut();
    cb();
  }

  private feed(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.inString) {
        // copy the string up to its closing quote in one go
        let j = i;
        while (j < chunk.length) {
          const c = chunk[j];
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) break;
          j++;
        }
        this.putAll(chunk, i, Math.min(j + 1, chunk.length));
        if (j < chunk.length) this.inString = false;
        i = j;
        continue;
      }
      if (b === SPACE || b === 0x0a || b === 0x0d || b === 0x09) continue;
      if (this.ended) throw new JsonNotADocument('more data after the end of the JSON document');
      if (!this.started) {
        if (b !== 0x7b && b !== 0x5b) throw new JsonNotADocument('the body does not start with { or [');
        this.started = true;
      }
      const close = b === 0x7d || b === 0x5d;
      if (this.openPending) {
        this.openPending = false;
        if (close) {
          this.put(b);
          if (--this.depth === 0) this.ended = true;
          continue;
        }
        this.newline();
      }
      if (b === 0x7b || b === 0x5b) {
        if (this.depth >= MAX_DEPTH) {
          throw new JsonNotADocument(`the JSON document nests deeper than ${MAX_DEPTH} levels (a CMU report has a handful); it is not printed`);
        }
        this.put(b);
        this.depth++;
        this.openPending = true;
      } else if (close) {
        if (--this.depth < 0) throw new JsonNotADocument('a closing bracket without its opening one');
        this.newline();
        this.put(b);
        if (this.depth === 0) this.ended = true;
      } else if (b === COMMA) {
        this.put(b);
        this.newline();
      } else if (b === COLON) {
        this.put(b);
        this.put(SPACE);
      } else {
        if (b === QUOTE) this.inString = true;
        this.put(b);
      }
    }
  }

  private newline(): void {
    this.put(0x0a);
    const levels = Math.min(this.depth, INDENT_CAP);
    for (let k = 0; k < levels; k++) {
      this.put(SPACE);
      this.put(SPACE);
    }
  }

  private put(b: number): void {
    if (this.len === this.out.length) this.grow(1);
    this.out[this.len++] = b;
  }

  private putAll(src: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.len + n > this.out.length) this.grow(n);
    src.copy(this.out, this.len, from, to);
    this.len += n;
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.len + n));
    this.out.copy(next, 0, 0, this.len);
    this.out = next;
  }

  private flushOut(): void {
    if (this.len === 0) return;
    this.push(Buffer.from(this.out.subarray(0, this.len)));
    this.len = 0;
  }
}
