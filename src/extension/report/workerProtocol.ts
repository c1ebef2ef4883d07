/** Messages between the extension host and the report worker (./reportWorker.ts), and its host side. */
import type { CsvChunk } from '../../core/cmu/parse/csvColumns';
import type { ReportColumn } from '../../core/cmu/types';
import type { WireColumn } from '../../shared/protocol';

export type ToWorker = { type: 'start'; first: number; chunk: number; maxChars: number } | { type: 'data'; bytes: Uint8Array } | { type: 'end' };

export type FromWorker =
  | { type: 'header'; columns: ReportColumn[] }
  | { type: 'chunk'; chunk: CsvChunk }
  | { type: 'done'; rowCount: number }
  | { type: 'error'; message: string; code: string };

/** The buffers of a chunk's typed arrays: moved to the receiver, not copied. */
export function transferList(data: WireColumn[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const c of data) {
    const arrays = c.type === 'text' ? [c.codes] : c.nulls ? [c.values, c.nulls] : [c.values];
    for (const a of arrays) if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  }
  return [...out];
}

export class WorkerParseError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface OffThreadOptions {
  /** the bundled worker (dist/reportWorker.js) */
  workerFile: string;
  first: number;
  chunk: number;
  maxChars: number;
  onHeader(columns: ReportColumn[]): void;
  /** called in order; the chunk's arrays are this thread's now (post them on as they are) */
  onChunk(chunk: CsvChunk): void;
  signal?: AbortSignal;
}

/**
 * Parses a CSV body in a fresh worker thread as its bytes arrive: this thread only hands the bytes
 * over and receives column chunks. Resolves with the row count when the body
 * is parsed; rejects with the body stream's error (size cap, cut connection), a WorkerParseError, or
 * the abort reason of the caller's signal (the worker is terminated either way).
 */
export async function parseCsvOffThread(body: NodeJS.ReadableStream, opts: OffThreadOptions): Promise<{ rowCount: number }> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(opts.workerFile);
  return new Promise<{ rowCount: number }>((resolve, reject) => {
    let settled = false;
    const finish = (e: unknown, rowCount = 0): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      body.removeListener('data', onData);
      void worker.terminate();
      if (e) {
        const destroy = (body as { destroy?: () => void }).destroy;
        if (typeof destroy === 'function') destroy.call(body); // stop downloading what nobody will read
        reject(e);
      } else resolve({ rowCount });
    };
    const onAbort = (): void => finish(opts.signal?.reason ?? new Error('cancelled'));
    const onData = (c: Buffer): void => {
      // copied (a memcpy) then moved: the stream's Buffer may share its memory with others (pools, slices)
      const bytes = new Uint8Array(c);
      worker.postMessage({ type: 'data', bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('error', (e) => finish(e));
    worker.on('exit', (code) => finish(new WorkerParseError(`the report worker exited (${code})`, 'worker_exit')));
    worker.on('message', (m: FromWorker) => {
      if (settled) return;
      try {
        if (m.type === 'header') opts.onHeader(m.columns);
        else if (m.type === 'chunk') opts.onChunk(m.chunk);
        else if (m.type === 'done') finish(undefined, m.rowCount);
        else finish(new WorkerParseError(m.message, m.code));
      } catch (e) {
        finish(e);
      }
    });
    worker.postMessage({ type: 'start', first: opts.first, chunk: opts.chunk, maxChars: opts.maxChars } satisfies ToWorker);
    body.on('data', onData);
    body.once('error', (e) => finish(e));
    body.once('end', () => {
      if (!settled) worker.postMessage({ type: 'end' } satisfies ToWorker);
    });
  });
}
