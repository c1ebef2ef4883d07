/**
 * Atomic file replacement: write a temp file in the same folder, flush it, then rename it over the
 * target. A failure at any point leaves the old file as it was (and removes the temp file). Only `fs`
 * here (no `vscode`), so unit tests can drive it with a failing file system.
 */
import * as nodeFs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

/** The subset of `fs.promises` this helper uses (tests inject failures through it). */
export interface AtomicFs {
  mkdir(dir: string, opts: { recursive: true }): Promise<unknown>;
  open(file: string, flags: string, mode?: number): Promise<{
    write(data: string, position: number | null, encoding: BufferEncoding): Promise<unknown>;
    sync(): Promise<void>;
    close(): Promise<void>;
  }>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  stat(file: string): Promise<{ mode: number }>;
}

export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}

export async function writeFileAtomic(file: string, data: string, fs: AtomicFs = nodeFs.promises as unknown as AtomicFs): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  let mode = 0o644;
  try {
    mode = (await fs.stat(file)).mode & 0o777;
  } catch {
    // new file
  }
  const tmp = tempPathFor(file);
  let handle: Awaited<ReturnType<AtomicFs['open']>> | undefined;
  try {
    handle = await fs.open(tmp, 'wx', mode);
    await handle.write(data, null, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, file);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}
