/**
 * The report worker (dist/reportWorker.js, a worker_threads Worker): the CSV body's bytes in, as they
 * arrive and as they came; wire column chunks out (their typed arrays transferred, not copied), parsed by
 * ./csvJob.ts. The extension host thread only moves the encoded bytes and forwards the chunks to the
 * webview. Protocol: ./workerProtocol.ts.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { startCsvJob, type CsvJob } from './csvJob';
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

/** the body being parsed; after its done or error, the rest of what arrives for it is ignored */
let job: CsvJob | undefined;
const post = (m: FromWorker): void => port.postMessage(m, m.type === 'chunk' ? transferList(m.chunk.data) : []);

port.on('message', (m: ToWorker) => {
  if (m.type === 'start') {
    const j: CsvJob = startCsvJob(m, (out) => {
      if (out.type === 'done' || out.type === 'error') job = job === j ? undefined : job;
      post(out);
    });
    job = j;
  } else if (m.type === 'data') job?.write(m.bytes);
  else job?.end();
});
