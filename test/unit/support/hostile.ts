/** Bodies a hostile server writes, for the hostile-server tests (each stops when the client goes away). */
import type * as http from 'http';
import * as zlib from 'zlib';

/** Writes `chunk` into `sink` as fast as the client reads, until the response closes. */
function pumpForever(res: http.ServerResponse, sink: NodeJS.WritableStream, chunk: Buffer): void {
  let open = true;
  res.once('close', () => (open = false));
  const pump = (): void => {
    while (open && sink.write(chunk));
    if (open) sink.once('drain', pump);
  };
  pump();
}

/** gzip-compressed filler without an end: a decompression bomb. */
export function endlessGzip(res: http.ServerResponse, status = 200, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-encoding': 'gzip' });
  const gz = zlib.createGzip({ level: 9 });
  gz.pipe(res);
  res.once('close', () => gz.destroy());
  pumpForever(res, gz, Buffer.alloc(1 << 20, 0x31));
}

/** Plain bytes without an end (a huge body without compression). */
export function endlessPlain(res: http.ServerResponse, status = 200, contentType = 'text/csv'): void {
  res.writeHead(status, { 'content-type': contentType });
  pumpForever(res, res, Buffer.alloc(64 * 1024, 0x32));
}

/** One byte every `ms` forever (a slowloris body). */
export function trickle(res: http.ServerResponse, ms: number): void {
  res.writeHead(200, { 'content-type': 'text/csv' });
  const t = setInterval(() => res.write('a'), ms);
  res.once('close', () => clearInterval(t));
}
