/**
 * The report worker (dist/reportWorker.js, a worker_threads Worker): the CSV body's bytes in, as they
 * arrive and as they came (gzip/deflate: decoded here, with the HTTP module's decoder); wire column chunks
 * out (their typed arrays transferred, not copied). The extension host thread only moves the encoded bytes
 * and forwards the chunks to the webview. Protocol: ./workerProtocol.ts.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { PassThrough } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { decode } from '../../core/http/body';
import { CsvColumns, CsvParseError } from '../../core/cmu/parse/csvColumns';
import { transferList, type ToWorker, type FromWorker } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('reportWorker runs as a worker thread');

/**
 * This thread yields the CPU to the extension host's thread and the workbench: on a machine with few cores a
 * parse at full priority kept the host's thread waiting for a core (its timers fired 50–70 ms late with
 * nothing of its own running). Linux keeps a nice value per thread (setpriority on the thread's id);
 * elsewhere, or when it cannot be read, the thread keeps its priority.
 */
function runInBackground(): void {
  if (process.platform !== 'linux') return;
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, 10);
  } catch {
    // no /proc, or not allowed: the parse runs at the host's priority
  }
}
runInBackground();

/** One body being parsed: encoded bytes into `raw`, decoded text into the parser. */
interface Job {
  raw: PassThrough;
  parser: CsvColumns;
  failed: boolean;
}
let job: Job | undefined;
const post = (m: FromWorker): void => port.postMessage(m, m.type === 'chunk' ? transferList(m.chunk.data) : []);

function fail(j: Job, e: unknown, code?: string): void {
  if (j.failed) return;
  j.failed = true;
  j.raw.destroy();
  if (job === j) job = undefined;
  post({ type: 'error', message: e instanceof Error ? e.message : String(e), code: code ?? (e instanceof CsvParseError ? e.code : 'csv_malformed') });
}

function start(m: Extract<ToWorker, { type: 'start' }>): void {
  const raw = new PassThrough();
  const text = new TextDecoder('utf-8');
  const j: Job = {
    raw,
    failed: false,
    parser: new CsvColumns({
      first: m.first,
      chunk: m.chunk,
      maxChars: m.maxChars,
      maxColumns: m.maxColumns,
      onHeader: (columns) => post({ type: 'header', columns }),
      onChunk: (chunk) => post({ type: 'chunk', chunk }),
    }),
  };
  job = j;
  let bytes = 0;
  const body = decode(raw, m.encoding).stream;
  body.on('data', (c: Buffer) => {
    if (j.failed) return;
    bytes += c.length;
    try {
      j.parser.push(text.decode(c, { stream: true }));
    } catch (e) {
      fail(j, e);
    }
  });
  body.once('end', () => {
    if (j.failed) return;
    try {
      j.parser.push(text.decode());
      j.parser.end();
      post({ type: 'done', rowCount: j.parser.rowCount, bytes });
      if (job === j) job = undefined;
    } catch (e) {
      fail(j, e);
    }
  });
  // zlib's errors (a gzip stream cut short or corrupt), in words the user can act on
  body.once('error', (e: Error & { code?: string }) =>
    fail(j, new Error(`The report's ${m.encoding} body could not be decoded (${e.code ?? e.message}): it was cut short or is corrupt. Try again; if it keeps failing, the server sends a broken body.`), 'body_decode'),
  );
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'start') return start(m);
  const j = job;
  if (!j || j.failed) return; // after an error: the rest of the body is ignored
  if (m.type === 'data') j.raw.write(m.bytes);
  else j.raw.end();
});
