/**
 * The CLI's SecretStore: one directory (0700), one file per key (0600), atomic writes (temp file +
 * rename), and a corrupted or unreadable file never crashes the CLI: it is reported once and read as
 * absent, so the next save replaces it.
 *
 * A directory owned by another user, or writable by group/others, is refused (someone else could read
 * or replace the secrets). Register/refresh run under a lock file (O_EXCL; a lock whose process is gone
 * or that is older than STALE_LOCK_MS is taken over), so parallel runs on a fresh store register once.
 * Temp files left by a killed run are removed when the store is first used.
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
  /** how long to wait for another process's lock (default 3 min: longer than a request with its retries) */
  lockTimeoutMs?: number;
}

/** A lock older than this is taken over even if its process seems alive (a reused pid). */
export const STALE_LOCK_MS = 10 * 60_000;
/** what writeFileAtomic names its temp files: `.<target>.<pid>.<random>.tmp` */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

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
  private checked: Promise<void> | undefined;
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
    await this.checkExisting();
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

  /** Creates the directory 0700 (parents too), then checks it (see checkDir). */
  ensureDir(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
      } catch (e) {
        this.ready = undefined;
        throw storeError(this.dir, e);
      }
      this.checked = this.checkDir();
      await this.checked;
    })();
    return this.ready;
  }

  /** Runs `work` holding the lock file `.lock-<name>`; other processes wait (see the module comment). */
  async exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    await this.ensureDir();
    const file = path.join(this.dir, '.lock-' + keyToFileName(name).slice(0, -'.json'.length));
    const release = await acquireLock(file, this.opts.lockTimeoutMs ?? 180_000);
    try {
      return await work();
    } finally {
      await release();
    }
  }

  /** The first read of an existing directory checks it too; an absent one is checked when created. */
  private checkExisting(): Promise<void> {
    this.checked ??= fs.promises.stat(this.dir).then(
      () => this.checkDir(),
      () => {
        this.checked = undefined;
      },
    );
    return this.checked;
  }

  /**
   * Refuses a directory owned by another user or writable by group/others (its files could have been
   * replaced); tightens one of ours that others can only read. Removes temp files of dead runs.
   */
  private async checkDir(): Promise<void> {
    const st = await fs.promises.stat(this.dir);
    if (!st.isDirectory()) throw new InputError(`The store ${this.dir} is not a directory`, 'Pass another --store DIR.', 'none', 'bad_store');
    if (process.platform !== 'win32') {
      const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
      if (st.uid !== uid) {
        throw new InputError(
          `The store directory ${this.dir} belongs to another user (uid ${st.uid})`,
          `Secrets are only kept in a directory you own: pass --store with a directory of yours, or take it over (chown -R ${uid} ${this.dir} && chmod 700 ${this.dir}).`,
          'none',
          'store_not_private',
        );
      }
      if ((st.mode & 0o022) !== 0) {
        throw new InputError(
          `The store directory ${this.dir} is writable by other users (mode ${(st.mode & 0o777).toString(8)})`,
          `Someone else could have replaced its files. Check them, then make it private: chmod 700 ${this.dir} (or pass another --store).`,
          'none',
          'store_not_private',
        );
      }
      if ((st.mode & 0o077) !== 0) await fs.promises.chmod(this.dir, 0o700).catch(() => undefined);
    }
    await this.removeStaleTemps();
  }

  /** `.tmp` files of a run that was killed mid-write (its pid is gone, or they are an hour old). */
  private async removeStaleTemps(): Promise<void> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch {
      return;
    }
    for (const n of names) {
      const m = TEMP_FILE.exec(n);
      if (!m) continue;
      const pid = Number(m[1]);
      const file = path.join(this.dir, n);
      const old = await fs.promises.stat(file).then((s) => Date.now() - s.mtimeMs > 3600_000, () => false);
      if (pid !== process.pid && (!processAlive(pid) || old)) await fs.promises.unlink(file).catch(() => undefined);
    }
  }

  private problem(file: string, what: string): void {
    if (this.reported.has(file)) return;
    this.reported.add(file);
    this.opts.onProblem?.(`warning: ${file} ${what}; ignoring it (it is replaced on the next save, or delete it)`);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `file` exclusively (O_CREAT|O_EXCL) with "pid time"; waits while another live process holds
 * it; takes over a lock whose process is gone or that is older than STALE_LOCK_MS. Resolves to release.
 */
export async function acquireLock(file: string, timeoutMs: number): Promise<() => Promise<void>> {
  const mine = `${process.pid} ${Date.now()} ${crypto.randomBytes(6).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await fs.promises.open(file, 'wx', 0o600);
      try {
        await fh.writeFile(mine);
      } finally {
        await fh.close();
      }
      return async () => {
        // only our own lock is removed (a stale-lock takeover may have replaced it)
        const now = await fs.promises.readFile(file, 'utf8').catch(() => undefined);
        if (now === mine) await fs.promises.unlink(file).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw storeError(file, e);
    }
    const held = await fs.promises.readFile(file, 'utf8').catch(() => undefined);
    if (held === undefined) continue; // released meanwhile
    const [pidText, timeText] = held.split(' ');
    const pid = Number(pidText);
    const since = Number(timeText);
    // an empty lock: its writer died between open and write (or is writing now): judged by the file's age
    const age = Number.isFinite(since) && since > 0 ? Date.now() - since : await fs.promises.stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
    const stale = (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) || age > STALE_LOCK_MS || (!held && age > 10_000);
    if (stale) {
      // move it aside atomically; if what we moved is not the stale lock we read, another process got there first
      const aside = `${file}.${process.pid}.stale`;
      if (await fs.promises.rename(file, aside).then(() => true, () => false)) {
        const moved = await fs.promises.readFile(aside, 'utf8').catch(() => undefined);
        if (moved !== held) await fs.promises.link(aside, file).catch(() => undefined);
        await fs.promises.unlink(aside).catch(() => undefined);
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new InputError(
        `The store is locked by another cmu process (pid ${pidText || '?'})`,
        `It is registering a client or getting a token; wait for it to finish. If no cmu is running, delete ${file}.`,
        'retry',
        'store_locked',
      );
    }
    await new Promise((r) => setTimeout(r, 25 + Math.random() * 75));
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
