/**
 * One CSV body parsed as its bytes arrive, as they came (gzip/deflate decoded here with the HTTP module's
 * decoder), into wire column chunks: what the report worker runs (./reportWorker.ts) and what the extension
 * host runs itself for a small body (ReportWorkers in ./workerProtocol.ts). Its output is the worker's
 * messages, the same wherever it runs.
 */
import { PassThrough } from 'node:stream';
import { decode } from '../../core/http/body';
import { CsvColumns, CsvParseError } from '../../core/cmu/parse/csvColumns';
import type { FromWorker, StartJob } from './workerProtocol';

export interface CsvJob {
  /** the body's next bytes, as they came */
  write(bytes: Uint8Array): void;
  /** the body ended */
  end(): void;
  /** nothing more is read or said (the body went elsewhere, or nobody waits for it) */
  stop(): void;
  /** rows parsed so far */
  readonly rows: number;
}

export interface CsvJobOptions {
  /** the decoded bytes so far, after each piece is parsed (or kept, while the parse holds) */
  onDecoded?(bytes: number): void;
  /**
   * Parse at most this many characters per task (a turn of the event loop between two): on a thread others
   * share, a decoded piece (up to 256 KB) parsed cold in one go held it 30–90 ms. Default: a piece at once.
   */
  sliceChars?: number;
  /**
   * Once this many rows are parsed (the first chunk), parse no further until the body ends: the text is
   * decoded, counted (onDecoded) and kept meanwhile, up to the parse's character cap. The host's share of a
   * body it may hand to a worker: a worker parses a large one again from its first byte, so each row the
   * host parsed past its first chunk was work done twice (cold, 5–40 ms per 32 KB slice).
   */
  holdAfterRows?: number;
}

/**
 * Starts a job: `say` gets the header, the chunks, then `done` or one `error`, and nothing after those or
 * after stop().
 */
export function startCsvJob(m: StartJob, say: (m: FromWorker) => void, opts: CsvJobOptions = {}): CsvJob {
  const raw = new PassThrough();
  const text = new TextDecoder('utf-8');
  let over = false;
  const fail = (e: unknown, code?: string): void => {
    if (over) return;
    over = true;
    raw.destroy();
    say({ type: 'error', message: e instanceof Error ? e.message : String(e), code: code ?? (e instanceof CsvParseError ? e.code : 'csv_malformed') });
  };
  const parser = new CsvColumns({
    first: m.first,
    chunk: m.chunk,
    maxChars: m.maxChars,
    maxColumns: m.maxColumns,
    onHeader: (columns) => say({ type: 'header', columns }),
    onChunk: (chunk) => say({ type: 'chunk', chunk }),
  });
  let bytes = 0;
  const body = decode(raw, m.encoding).stream;
  /** text decoded but not parsed yet (sliceChars, holdAfterRows), and whether the body ended meanwhile */
  const queue: string[] = [];
  let queued = 0;
  let ended = false;
  /** a slice is due or being parsed (the body is paused meanwhile) */
  let parsing = false;
  const holding = (): boolean => opts.holdAfterRows !== undefined && !ended && parser.rowCount >= opts.holdAfterRows && queued <= m.maxChars;
  const finish = (): void => {
    if (over) return;
    try {
      parser.push(text.decode());
      parser.end();
    } catch (e) {
      return fail(e);
    }
    over = true;
    say({ type: 'done', rowCount: parser.rowCount, bytes });
  };
  const parseQueued = (): void => {
    if (over) return;
    if (queue.length && !holding()) {
      const t = queue.shift()!;
      queued -= t.length;
      try {
        parser.push(t);
      } catch (e) {
        return fail(e);
      }
      if (queue.length && !holding()) {
        setImmediate(parseQueued);
        return;
      }
    }
    parsing = false;
    opts.onDecoded?.(bytes);
    if (over) return; // the caller stopped the job (the body went to a worker)
    if (!ended) body.resume();
    else if (queue.length === 0) finish();
    else {
      parsing = true;
      setImmediate(parseQueued);
    }
  };
  body.on('data', (c: Buffer) => {
    if (over) return;
    bytes += c.length;
    const t = text.decode(c, { stream: true });
    const slice = opts.sliceChars ?? t.length;
    for (let i = 0; i < t.length; i += slice) queue.push(t.slice(i, i + slice));
    queued += t.length;
    if (parsing) return; // the running parse takes it
    if (holding()) {
      opts.onDecoded?.(bytes); // kept and counted; the body reads on
      return;
    }
    if (queue.length) {
      body.pause(); // the next piece waits until this one is parsed
      parsing = true;
      parseQueued();
    }
  });
  body.once('end', () => {
    ended = true;
    if (parsing || over) return;
    parsing = true;
    parseQueued();
  });
  // zlib's errors (a gzip stream cut short or corrupt), in words the user can act on
  body.on('error', (e: Error & { code?: string }) =>
    fail(new Error(`The report's ${m.encoding} body could not be decoded (${e.code ?? e.message}): it was cut short or is corrupt. Try again; if it keeps failing, the server sends a broken body.`), 'body_decode'),
  );
  return {
    write: (b) => {
      if (!over) raw.write(b);
    },
    end: () => {
      if (!over) raw.end();
    },
    stop: () => {
      over = true;
      raw.destroy();
    },
    get rows() {
      return parser.rowCount;
    },
  };
}
