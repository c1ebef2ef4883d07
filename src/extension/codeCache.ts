/**
 * The extension's bundle compiled with a V8 code cache (dist/extension.js, ./loader.ts, loads
 * dist/extensionMain.js this way). With the cache V8 neither parses the ~600 KB bundle nor
 * compiles the functions activation runs: it reads their bytecode (ARCHITECTURE.md, "What runs at
 * activation"). Without a usable cache (the first activation after an install or update, another V8, no
 * private directory for it) the bundle is compiled from its source, as `require` would, and the cache is
 * written a few seconds later, with what activation and the first reads compiled by then.
 *
 * A cache file is code: whoever can write it runs code in the extension host. It lives only in a directory
 * of the extension's global storage that this user owns and nobody else may open (0700), is read only when
 * this user owns it and nobody else may read or write it (0600, one link, not a symlink), and is named by
 * the bundle's SHA-1 (V8 itself checks only the source's length) and the V8 version. Where owners and modes
 * cannot be checked (Windows) there is no cache. Nothing process-wide changes: only this bundle is compiled
 * this way.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import Module, { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';

/** When the cache is written after activation: by then the first reads (status bar, views) have compiled too. */
const WRITE_DELAY_MS = 5000;
/** A cache file larger than this is not ours (a cache of the whole bundle is ~250 KB). */
const MAX_CACHE_BYTES = 32 << 20;
/** Caches of another V8 (a VS Code of another version on the same machine) are removed a month after they were written. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/** How the code cache served a load: used; none yet (written later); refused by V8 (rewritten later); no private directory. */
export type CacheUse = 'used' | 'missing' | 'rejected' | 'off';

/**
 * Compiles and runs a CommonJS bundle as Node's loader would (its own `require`, `module`, `__filename`,
 * `__dirname`), with the code cache of `cacheDir` when there is a valid one; returns its exports.
 */
export function loadBundle(file: string, cacheDir: string | undefined, writeDelayMs = WRITE_DELAY_MS): { exports: unknown; cache: CacheUse } {
  const bytes = fs.readFileSync(file);
  const dir = cacheDir !== undefined && privateDir(cacheDir) ? cacheDir : undefined;
  const cacheFile = dir && path.join(dir, `${path.basename(file, '.js')}-${createHash('sha1').update(bytes).digest('hex').slice(0, 20)}-v8-${process.versions.v8}.cache`);
  const cachedData = cacheFile ? readPrivate(cacheFile) : undefined;
  // the wrapper's own line keeps the bundle's line and column numbers (stack traces, source maps)
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${bytes.toString('utf8')}\n})`, {
    filename: file,
    lineOffset: -1,
    cachedData,
  });
  const mod = new Module(file);
  mod.filename = file;
  (script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  const cache: CacheUse = !dir || !cacheFile ? 'off' : !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  if (cache === 'missing' || cache === 'rejected') setTimeout(() => writeCache(dir!, cacheFile!, script), writeDelayMs).unref();
  return { exports: mod.exports, cache };
}

/** `dir` exists (made here), is a directory (not a link) of this user, and nobody else may open it. */
function privateDir(dir: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return false;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    let st = fs.lstatSync(dir);
    if (!st.isDirectory() || st.uid !== uid) return false;
    if (st.mode & 0o077) {
      fs.chmodSync(dir, 0o700); // ours, made before with the umask's mode
      st = fs.lstatSync(dir);
    }
    return (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The file's bytes when it is a regular file of this user, with one link, that nobody else may read or write. */
function readPrivate(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== process.getuid?.() || st.mode & 0o077 || st.nlink !== 1 || st.size > MAX_CACHE_BYTES) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined; // none yet, or not readable: compiled from the source
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes the cache (a new file, 0600, renamed into place) and removes the caches of earlier bundles. */
function writeCache(dir: string, cacheFile: string, script: vm.Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, cacheFile);
    const v8 = `-v8-${process.versions.v8}.cache`;
    for (const name of fs.readdirSync(dir)) {
      const f = path.join(dir, name);
      if (f === cacheFile || !/\.cache$|\.tmp$/.test(name)) continue;
      // an earlier bundle on this V8; another V8's (a VS Code of another version) a month after it was written
      if (name.endsWith(v8) || Date.now() - fs.statSync(f).mtimeMs > STALE_MS) fs.rmSync(f, { force: true });
    }
  } catch {
    fs.rmSync(tmp, { force: true }); // no cache this time: the next activation compiles from the source again
  }
}
