/**
 * The report worker (dist/reportWorker.js, a worker_threads Worker): the CSV body's bytes in, as they
 * arrive; wire column chunks out (their typed arrays transferred, not copied). The extension host
 * thread only moves bytes and forwards the chunks to the webview. Protocol: ./workerProtocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import { CsvColumns, CsvParseError } from '../../core/cmu/parse/csvColumns';
import { transferList, type ToWorker, type FromWorker } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('reportWorker runs as a worker thread');

let parser: CsvColumns | undefined;
let decoder: TextDecoder | undefined;
const post = (m: FromWorker): void => port.postMessage(m, m.type === 'chunk' ? transferList(m.chunk.data) : []);

function fail(e: unknown): void {
  parser = undefined;
  post({ type: 'error', message: e instanceof Error ? e.message : String(e), code: e instanceof CsvParseError ? e.code : 'csv_malformed' });
}

port.on('message', (m: ToWorker) => {
  try {
    if (m.type === 'start') {
      decoder = new TextDecoder('utf-8');
      parser = new CsvColumns({
        first: m.first,
        chunk: m.chunk,
        maxChars: m.maxChars,
        maxColumns: m.maxColumns,
        onHeader: (columns) => post({ type: 'header', columns }),
        onChunk: (chunk) => post({ type: 'chunk', chunk }),
      });
    } else if (!parser || !decoder) {
      return; // after an error: the rest of the body is ignored
    } else if (m.type === 'data') {
      parser.push(decoder.decode(m.bytes, { stream: true }));
    } else {
      parser.push(decoder.decode());
      parser.end();
      post({ type: 'done', rowCount: parser.rowCount });
      parser = undefined;
    }
  } catch (e) {
    fail(e);
  }
});
