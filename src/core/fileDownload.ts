/**
 * A bounded streamed download to a local file: through a temp file renamed at the end, so a failed or
 * cancelled download leaves FILE as it was and no partial file (`cmu report --out`, the extension's Save As).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Writable, type Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { InputError } from './errors';

export function tempNameFor(file: string): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.part`);
}

export function outError(file: string, e: unknown): InputError {
  return new InputError(`Cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Check that the directory exists and is writable.', 'none', 'out_unwritable');
}

/**
 * A file sink with synchronous writes: the page cache takes a 16 KB chunk in microseconds, and the
 * thread-pool round trip per chunk of fs.WriteStream costs more than the write itself here.
 */
class FileSink extends Writable {
  bytes = 0;
  failed = false;
  constructor(private readonly fd: number) {
    super({ highWaterMark: 1 << 20 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      let off = 0;
      while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
      this.bytes += chunk.length;
      cb();
    } catch (e) {
      this.failed = true;
      cb(e as Error);
    }
  }
}

/** Streams a body into FILE (temp file + rename, never held in memory); returns the byte count. */
export async function streamToFile(body: Readable, file: string): Promise<number> {
  const tmp = tempNameFor(file);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o666);
  } catch (e) {
    body.destroy();
    throw outError(file, e);
  }
  const sink = new FileSink(fd);
  let ok = false;
  try {
    await pipeline(body, sink);
    fs.closeSync(fd);
    fd = -1;
    await fs.promises.rename(tmp, file);
    ok = true;
  } catch (e) {
    if (sink.failed || (e as NodeJS.ErrnoException).syscall === 'rename') throw outError(file, e);
    throw e; // the body failed (a CmuError from the HTTP module): no partial file is left
  } finally {
    if (fd >= 0) fs.closeSync(fd);
    if (!ok) await fs.promises.unlink(tmp).catch(() => undefined);
  }
  return sink.bytes;
}

