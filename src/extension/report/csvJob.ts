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
}

/**
 * Starts a job: `say` gets the header, the chunks, then `done` or one `error`, and nothing after those or
 * after stop(). `onDecoded` gets the decoded bytes so far after each piece is parsed.
 */
export function startCsvJob(m: StartJob, say: (m: FromWorker) => void, onDecoded?: (bytes: number) => void): CsvJob {
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
  body.on('data', (c: Buffer) => {
    if (over) return;
    bytes += c.length;
    try {
      parser.push(text.decode(c, { stream: true }));
    } catch (e) {
      return fail(e);
    }
    onDecoded?.(bytes);
  });
  body.once('end', () => {
    if (over) return;
    try {
      parser.push(text.decode());
      parser.end();
    } catch (e) {
      return fail(e);
    }
    over = true;
    say({ type: 'done', rowCount: parser.rowCount, bytes });
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
  };
}
