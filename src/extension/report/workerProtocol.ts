/** Messages between the extension host and the report worker (./reportWorker.ts), and its host side. */
import type { Worker } from 'node:worker_threads';
import type { CsvChunk } from '../../core/cmu/parse/csvColumns';
import type { ReportColumn } from '../../core/cmu/types';
import type { WireColumn } from '../../shared/protocol';
import type { BodyEncoding } from '../../core/http/types';

/** `data`: the body's bytes as they came (`encoding`: gzip/deflate, decoded in the worker) */
export type ToWorker = { type: 'start'; first: number; chunk: number; maxChars: number; maxColumns?: number; encoding?: BodyEncoding } | { type: 'data'; bytes: Uint8Array } | { type: 'end' };

export type FromWorker =
  | { type: 'header'; columns: ReportColumn[] }
  | { type: 'chunk'; chunk: CsvChunk }
  /** `bytes`: the decoded body's */
  | { type: 'done'; rowCount: number; bytes: number }
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

/** How long a parse may go on after the body ended (a 64 MB report parses in a few seconds). */
const AFTER_BODY_MS = 60_000;

export class WorkerParseError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface OffThreadOptions {
  first: number;
  chunk: number;
  maxChars: number;
  /** columns in the chunks (the first ones) */
  maxColumns?: number;
  /** how the body is encoded (HttpResponse.encodedStream): the worker decodes it */
  encoding?: BodyEncoding;
  onHeader(columns: ReportColumn[]): void;
  /** called in order; the chunk's arrays are this thread's now (post them on as they are) */
  onChunk(chunk: CsvChunk): void;
  signal?: AbortSignal;
}

/**
 * The report workers of the extension host: one kept warm between reports (a worker's start-up and the
 * bundle's compile cost tens of ms, a small report's whole parse less), more started while several
 * panels load at once. A worker is reused only after it finished a body; one that failed, was cancelled
 * or was cut off is terminated.
 */
export class ReportWorkers {
  private idle: Worker | undefined;
  private disposed = false;

  /**
   * `workerFile`: the bundled worker (dist/reportWorker.js). `afterBodyMs`: how long a parse may go on once
   * the body has ended (the network side has its own limits) before the worker is stopped.
   */
  constructor(
    private readonly workerFile: string,
    private readonly opts: { afterBodyMs?: number } = {},
  ) {}

  /** Starts the idle worker ahead of the first report (a panel opening: its webview boots meanwhile). */
  warm(): void {
    if (!this.idle && !this.disposed) this.idle = this.spawn();
  }

  private spawn(): Worker {
    // worker_threads loads with the first worker, not with the extension (Services makes this object at activation)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const w = new Worker(this.workerFile);
    w.on('error', () => undefined); // a job's worker failing: the job sees it exit
    // an idle worker that exits is dropped (a job handed a dead worker would never hear back)
    w.once('exit', () => {
      if (this.idle === w) this.idle = undefined;
    });
    return w;
  }

  private give(w: Worker): void {
    if (this.idle || this.disposed) void w.terminate();
    else this.idle = w;
  }

  /**
   * Parses a CSV body in a worker thread as its bytes arrive: this thread only hands the bytes over and
   * receives column chunks. Resolves with the row count and the decoded body's bytes when it is parsed; rejects
   * with the body stream's error (size cap, cut connection), a WorkerParseError, or the abort reason of
   * the caller's signal.
   */
  parse(body: NodeJS.ReadableStream, opts: OffThreadOptions): Promise<{ rowCount: number; bytes: number }> {
    if (this.disposed) return Promise.reject(new WorkerParseError('the extension is shutting down', 'worker_exit'));
    const worker = this.idle ?? this.spawn();
    this.idle = undefined;
    return new Promise((resolve, reject) => {
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      const finish = (e: unknown, rowCount = 0, bytes = 0): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        opts.signal?.removeEventListener('abort', onAbort);
        body.removeListener('data', onData);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        if (e) {
          void worker.terminate();
          const destroy = (body as { destroy?: () => void }).destroy;
          if (typeof destroy === 'function') destroy.call(body); // stop downloading what nobody will read
          reject(e);
        } else {
          this.give(worker);
          resolve({ rowCount, bytes });
        }
      };
      const onAbort = (): void => finish(opts.signal?.reason ?? new Error('cancelled'));
      const onData = (c: Buffer): void => {
        // copied (a memcpy) then moved: the stream's Buffer may share its memory with others (pools, slices)
        const copy = new Uint8Array(c);
        worker.postMessage({ type: 'data', bytes: copy } satisfies ToWorker, [copy.buffer as ArrayBuffer]);
      };
      const onExit = (code: number): void => finish(new WorkerParseError(`the report worker exited (${code})`, 'worker_exit'));
      const onMessage = (m: FromWorker): void => {
        if (settled) return;
        try {
          if (m.type === 'header') opts.onHeader(m.columns);
          else if (m.type === 'chunk') opts.onChunk(m.chunk);
          else if (m.type === 'done') finish(undefined, m.rowCount, m.bytes);
          else finish(new WorkerParseError(m.message, m.code));
        } catch (e) {
          finish(e);
        }
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('exit', onExit);
      worker.on('message', onMessage);
      worker.postMessage({ type: 'start', first: opts.first, chunk: opts.chunk, maxChars: opts.maxChars, maxColumns: opts.maxColumns, encoding: opts.encoding } satisfies ToWorker);
      body.on('data', onData);
      body.once('error', (e) => finish(e));
      body.once('end', () => {
        if (settled) return;
        worker.postMessage({ type: 'end' } satisfies ToWorker);
        // a worker that hangs on what it was given must not keep the panel loading forever
        const ms = this.opts.afterBodyMs ?? AFTER_BODY_MS;
        deadline = setTimeout(() => finish(new WorkerParseError(`The report worker did not finish within ${Math.round(ms / 1000)} s after the body arrived. Try again; if it keeps happening, Save As… keeps the report without parsing it.`, 'worker_timeout')), ms);
      });
    });
  }

  dispose(): void {
    this.disposed = true;
    void this.idle?.terminate();
    this.idle = undefined;
  }
}
