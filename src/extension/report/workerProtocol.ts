/** Messages between the extension host and the report worker (./reportWorker.ts), and its host side. */
import type { Worker } from 'node:worker_threads';
import type { CsvChunk } from '../../core/cmu/parse/csvColumns';
import type { ReportColumn } from '../../core/cmu/types';
import type { WireColumn } from '../../shared/protocol';
import type { BodyEncoding } from '../../core/http/types';

/** A body's parse: chunk sizes, limits, and how its bytes are encoded (gzip/deflate: decoded by the parse). */
export type StartJob = { type: 'start'; first: number; chunk: number; maxChars: number; maxColumns?: number; encoding?: BodyEncoding };
/** `data`: the body's bytes as they came */
export type ToWorker = StartJob | { type: 'data'; bytes: Uint8Array } | { type: 'end' };

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
  /**
   * A worker takes a large body over no sooner than what this returns settles (asked when the body passes
   * this thread's share, never for a small body); meanwhile the body's bytes are kept (as they came) and
   * nothing more is parsed here. The panel passes "its page has booted": a worker starting while the page
   * boots held the page back on the same cores (see ReportPanel.pageBooted).
   */
  handOverAfter?: () => Promise<unknown>;
}

/**
 * How much of a body (decoded) the extension host parses itself before a worker takes it over: ~3k rows of a
 * minute report (a 1k-row report, ~80 KB, never starts a worker).
 */
const IN_THREAD_BYTES = 256 * 1024;
/** What the host parses per task (~400 rows): the rest of the piece waits a turn. */
const HOST_SLICE_CHARS = 32 * 1024;

/**
 * The report workers of the extension host. A small body is parsed on the host's thread, in the pieces it
 * arrives in (a 1k-row report is ~80 KB: a few ms, where starting a worker costs ~100 ms of CPU while the
 * panel's webview boots on the same cores). A larger one is handed to a worker once its decoded size passes
 * `inThreadBytes` and `handOverAfter` has settled: the worker parses it again from its first byte (the host keeps the bytes until then) and
 * the chunks the host already gave are skipped, so the first rows are not held back meanwhile. One worker is
 * kept between reports, more start while several panels load at once; one is reused only after it finished
 * a body (one that failed, was cancelled or was cut off is terminated).
 */
export class ReportWorkers {
  private idle: Worker | undefined;
  private disposed = false;
  private spawned = 0;
  private hostRows = 0;

  /**
   * `workerFile`: the bundled worker (dist/reportWorker.js). `afterBodyMs`: how long a worker's parse may go
   * on once the body has ended (the network side has its own limits) before it is stopped. `inThreadBytes`:
   * the decoded size up to which the host parses a body itself (0: every body goes to a worker).
   */
  constructor(
    private readonly workerFile: string,
    private readonly opts: { afterBodyMs?: number; inThreadBytes?: number } = {},
  ) {}

  /** workers started so far (tests) */
  get started(): number {
    return this.spawned;
  }

  /** rows this thread parsed itself, over every body (tests) */
  get rowsParsedHere(): number {
    return this.hostRows;
  }

  private spawn(): Worker {
    // worker_threads loads with the first worker, not with the extension (Services makes this object at activation)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const w = new Worker(this.workerFile);
    this.spawned++;
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
   * Parses a CSV body as its bytes arrive, on this thread while it is small, else in a worker thread (this
   * thread then only hands the bytes over and receives column chunks). Resolves with the row count and the
   * decoded body's bytes when it is parsed; rejects with the body stream's error (size cap, cut connection),
   * a WorkerParseError, or the abort reason of the caller's signal.
   */
  parse(body: NodeJS.ReadableStream, opts: OffThreadOptions): Promise<{ rowCount: number; bytes: number }> {
    if (this.disposed) return Promise.reject(new WorkerParseError('the extension is shutting down', 'worker_exit'));
    // the parser loads with the first report, not with the extension (Services makes this object at activation)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startCsvJob } = require('./csvJob') as typeof import('./csvJob');
    const start: StartJob = { type: 'start', first: opts.first, chunk: opts.chunk, maxChars: opts.maxChars, maxColumns: opts.maxColumns, encoding: opts.encoding };
    const inThreadBytes = this.opts.inThreadBytes ?? IN_THREAD_BYTES;
    return new Promise((resolve, reject) => {
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      let ended = false;
      /** the body's bytes so far while this thread parses it (a worker taking over starts from them) */
      let held: Uint8Array[] | undefined = [];
      let worker: Worker | undefined;
      /** what the caller was given: a worker that takes over says the header and the first chunks again */
      let headerGiven = false;
      let rowsGiven = 0;
      /** handOverAfter has settled; `waiting`: the body is past this thread's share and waits for it */
      let gateOpen = !opts.handOverAfter;
      let waiting = false;
      const open = (): void => {
        gateOpen = true;
        if (waiting) handOver();
      };
      const finish = (e: unknown, rowCount = 0, bytes = 0): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        this.hostRows += local.rows; // final: a stopped job parses no more
        local.stop();
        opts.signal?.removeEventListener('abort', onAbort);
        body.removeListener('data', onData);
        worker?.off('message', onMessage);
        worker?.off('exit', onExit);
        if (e) {
          if (worker) void worker.terminate();
          const destroy = (body as { destroy?: () => void }).destroy;
          if (typeof destroy === 'function') destroy.call(body); // stop downloading what nobody will read
          reject(e);
        } else {
          if (worker) this.give(worker);
          resolve({ rowCount, bytes });
        }
      };
      const onAbort = (): void => finish(opts.signal?.reason ?? new Error('cancelled'));
      const onMessage = (m: FromWorker): void => {
        if (settled) return;
        try {
          if (m.type === 'header') {
            if (!headerGiven) opts.onHeader(m.columns);
            headerGiven = true;
          } else if (m.type === 'chunk') {
            if (m.chunk.start < rowsGiven) return;
            rowsGiven = m.chunk.start + m.chunk.rowCount;
            opts.onChunk(m.chunk);
          } else if (m.type === 'done') finish(undefined, m.rowCount, m.bytes);
          else finish(new WorkerParseError(m.message, m.code));
        } catch (e) {
          finish(e);
        }
      };
      const onExit = (code: number): void => finish(new WorkerParseError(`the report worker exited (${code})`, 'worker_exit'));
      const whenEnded = (): void => {
        worker?.postMessage({ type: 'end' } satisfies ToWorker);
        // a worker that hangs on what it was given must not keep the panel loading forever
        const ms = this.opts.afterBodyMs ?? AFTER_BODY_MS;
        deadline = setTimeout(() => finish(new WorkerParseError(`The report worker did not finish within ${Math.round(ms / 1000)} s after the body arrived. Try again; if it keeps happening, Save As… keeps the report without parsing it.`, 'worker_timeout')), ms);
      };
      const handOver = (): void => {
        if (!held || settled) return;
        if (this.disposed) return finish(new WorkerParseError('the extension is shutting down', 'worker_exit'));
        local.stop();
        if (!gateOpen) {
          if (!waiting) opts.handOverAfter!().then(open, open);
          waiting = true;
          return;
        }
        waiting = false; // from here the body's end goes to the worker
        const w = this.idle ?? this.spawn();
        this.idle = undefined;
        worker = w;
        w.on('exit', onExit);
        w.on('message', onMessage);
        w.postMessage(start);
        // copied, not moved: this thread's stopped parse may still hold them
        for (const bytes of held) w.postMessage({ type: 'data', bytes } satisfies ToWorker);
        held = undefined;
        if (ended) whenEnded();
      };
      const local = startCsvJob(start, onMessage, {
        sliceChars: HOST_SLICE_CHARS,
        holdAfterRows: opts.first,
        onDecoded: (decoded) => {
          if (decoded > inThreadBytes) handOver();
        },
      });
      const onData = (c: Buffer): void => {
        // copied (a memcpy): the stream's Buffer may share its memory with others (pools, slices)
        const copy = new Uint8Array(c);
        if (held) {
          held.push(copy);
          local.write(copy);
        } else worker?.postMessage({ type: 'data', bytes: copy } satisfies ToWorker, [copy.buffer as ArrayBuffer]);
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (inThreadBytes <= 0) handOver();
      body.on('data', onData);
      body.once('error', (e) => finish(e));
      body.once('end', () => {
        if (settled) return;
        ended = true;
        if (waiting) return; // the hand-over says the end
        if (held) local.end();
        else whenEnded();
      });
    });
  }

  dispose(): void {
    this.disposed = true;
    void this.idle?.terminate();
    this.idle = undefined;
  }
}
