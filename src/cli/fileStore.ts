/**
 * The CLI's SecretStore: one directory (0700), one file per key (0600), atomic writes (temp file +
 * rename), and a corrupted or unreadable file never crashes the CLI: it is reported once and read as
 * absent, so the next save replaces it.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError } from '../core/errors';
import type { SecretStore } from '../core/store';

/** What every file holds: the key (so a renamed file is detected) and the value. */
interface Envelope {
  v: 1;
  key: string;
  value: string;
}

export interface FileStoreOptions {
  /** called when a file cannot be used (corrupted, unreadable); the value is then treated as absent */
  onProblem?: (message: string) => void;
}

/** `$XDG_CONFIG_HOME/cmu-explorer`, else `~/.config/cmu-explorer`; `%APPDATA%\cmu-explorer` on Windows. */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const appData = env.APPDATA || path.join(os.homedir(), 'AppData', 'Roaming');
    return path.join(appData, 'cmu-explorer');
  }
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(base, 'cmu-explorer');
}

/** A key (`cmu/production/default/token`) as a portable file name: letters, digits, `-`, `_`, `.`; the rest %XX. */
export function keyToFileName(key: string): string {
  const encoded = Array.from(Buffer.from(key, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_-]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
    })
    .join('');
  return encoded + '.json';
}

export class FileStore implements SecretStore {
  private ready: Promise<void> | undefined;
  private readonly reported = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly opts: FileStoreOptions = {},
  ) {}

  /** Path of the file that holds `key`. */
  fileFor(key: string): string {
    return path.join(this.dir, keyToFileName(key));
  }

  async get(key: string): Promise<string | undefined> {
    const file = this.fileFor(key);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      this.problem(file, `cannot be read (${code ?? (e as Error).message})`);
      return undefined;
    }
    const value = parseEnvelope(text, key);
    if (value === undefined) {
      this.problem(file, 'is corrupted (not a CMU Explorer store file)');
      return undefined;
    }
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.ensureDir();
    const envelope: Envelope = { v: 1, key, value };
    await writeFileAtomic(this.fileFor(key), JSON.stringify(envelope) + '\n');
  }

  async delete(key: string): Promise<void> {
    try {
      await fs.promises.unlink(this.fileFor(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw storeError(this.fileFor(key), e);
    }
  }

  /** Every key with a readable file (diagnostics). */
  async keys(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      try {
        out.push(decodeURIComponent(n.slice(0, -'.json'.length)));
      } catch {
        /* not ours */
      }
    }
    return out.sort();
  }

  /** Creates the directory 0700 (parents too); warns when an existing one is open to others. */
  ensureDir(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
      } catch (e) {
        this.ready = undefined;
        throw storeError(this.dir, e);
      }
      const st = await fs.promises.stat(this.dir);
      if (!st.isDirectory()) throw new InputError(`The store ${this.dir} is not a directory`, 'Pass another --store DIR.', 'none', 'bad_store');
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
        // Tighten it when it is ours; otherwise say so.
        if (typeof process.getuid === 'function' && st.uid === process.getuid()) {
          await fs.promises.chmod(this.dir, 0o700).catch(() => undefined);
        } else {
          this.opts.onProblem?.(`warning: the store directory ${this.dir} is readable by other users`);
        }
      }
    })();
    return this.ready;
  }

  private problem(file: string, what: string): void {
    if (this.reported.has(file)) return;
    this.reported.add(file);
    this.opts.onProblem?.(`warning: ${file} ${what}; ignoring it (it is replaced on the next save, or delete it)`);
  }
}

function parseEnvelope(text: string, key: string): string | undefined {
  try {
    const o = JSON.parse(text) as Partial<Envelope>;
    if (o && typeof o === 'object' && o.v === 1 && o.key === key && typeof o.value === 'string') return o.value;
  } catch {
    /* fall through */
  }
  return undefined;
}

/** Writes to a 0600 temp file in the same directory, fsyncs, then renames over the target. */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(tmp, 'wx', mode);
    await fh.writeFile(data);
    await fh.chmod(mode); // in case the umask or the platform ignored the mode
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw storeError(file, e);
  }
}

function storeError(file: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new InputError(
    `Cannot write ${file} (${code})`,
    'The CLI keeps its secrets in one directory it must be able to write (0700, files 0600).',
    'none',
    'store_unwritable',
  );
}
