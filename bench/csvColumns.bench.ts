/**
 * The report panel's CSV path vs the in-thread JSON path on the 200k-row sandbox report: bytes on the wire
 * (CSV vs HAL JSON), time to every column chunk (CSV streamed through ReportWorkers as the panel does: the
 * first 256 KB parsed on this thread, then dist/reportWorker.js parses it all) vs parseReportBody of the
 * JSON, and the longest block of this (the "extension host") thread meanwhile.
 * FIGURE csv_bytes, json_bytes, sandbox_csv_200k_ms (serving + reading, was a test's timing assertion),
 * worker_csv_200k_ms, host_longest_block_worker_ms, json_parse_report_200k_ms.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReportBody } from '../src/core/cmu/parse';
import { ReportWorkers } from '../src/extension/report/workerProtocol';
import { Sandbox } from '../src/sandbox/server';

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cmu-bench-worker-'));
  const workerFile = join(dir, 'reportWorker.js');
  buildSync({ entryPoints: ['src/extension/report/reportWorker.ts'], outfile: workerFile, bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  const sb = await Sandbox.start({ port: 0, throttle: false });
  try {
    const token = await sb.issueAccessToken();
    const get = (format: 'csv' | 'json') => fetch(sb.origin + sb.hugeReportHref(200_000, format), { headers: { Authorization: `Bearer ${token}` } });
    let t0 = process.hrtime.bigint();
    const csv = Buffer.from(await (await get('csv')).arrayBuffer());
    console.log(`FIGURE sandbox_csv_200k_ms ${ms(t0).toFixed(0)} ms`);
    const jsonRes = await get('json');
    const json = await jsonRes.text();
    console.log(`FIGURE csv_bytes ${csv.length} bytes`);
    console.log(`FIGURE json_bytes ${Buffer.byteLength(json)} bytes`);

    // the body arrives in 64 KB pieces, as from the socket; past the host's share the worker parses while this thread only moves bytes
    const h = monitorEventLoopDelay({ resolution: 5 });
    const body = new PassThrough();
    h.enable();
    t0 = process.hrtime.bigint();
    let chunks = 0;
    const workers = new ReportWorkers(workerFile);
    const done = workers.parse(body, { first: 200, chunk: 20_000, maxChars: 512 * 2 ** 20, onHeader: () => undefined, onChunk: () => chunks++ });
    for (let i = 0; i < csv.length; i += 65536) {
      body.write(csv.subarray(i, i + 65536));
      await new Promise((r) => setImmediate(r));
    }
    body.end();
    const { rowCount } = await done;
    workers.dispose();
    const workerMs = ms(t0);
    h.disable();
    console.log(`# ${rowCount} rows in ${chunks} chunks`);
    console.log(`FIGURE worker_csv_200k_ms ${workerMs.toFixed(0)} ms`);
    console.log(`FIGURE host_longest_block_worker_ms ${(h.max / 1e6).toFixed(1)} ms`);

    t0 = process.hrtime.bigint();
    parseReportBody(json, jsonRes.headers.get('content-type') ?? 'application/json', 'x');
    console.log(`FIGURE json_parse_report_200k_ms ${ms(t0).toFixed(0)} ms (in-thread: all of it blocks)`);
  } finally {
    await sb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
