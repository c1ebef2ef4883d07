// One fresh Node process of bench/activation.bench.ts: loads a CommonJS bundle (argv[2]) with a stub
// `vscode` module, calls its activate() and prints one JSON line of timings (ms) and what was registered.
// Plain JavaScript on purpose: no esbuild-register hook may sit on the path being measured.
// argv[3]: 'require' (load = require(), as the extension host loads `main`), 'split' (the same load done
// by hand: read, compile, evaluate the top level; argv[5]: a V8 code cache to compile with, as
// src/extension/codeCache.ts does) or 'prepare' (as 'require', then waits until the code cache is written).
// argv[4]: the extension's global storage (where the code cache lives); default a new empty directory.
const Module = require('module');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

// What the extension host has warmed up long before any extension loads (its own IPC, proxy support, timers,
// URLs): without this the first `new URL()` (~10 ms) or setInterval would be counted as ours. zlib is not here:
// if the bundle loads it at activation, that is ours.
for (const m of ['fs', 'fs/promises', 'path', 'os', 'crypto', 'http', 'https', 'net', 'tls', 'url', 'util', 'events', 'stream']) require(m);
new URL('https://example.com/a?b=c');
clearInterval(setInterval(() => undefined, 1000));
new TextDecoder().decode(new TextEncoder().encode('x'));
new AbortController().abort();

const file = path.resolve(process.argv[2]);
const mode = process.argv[3] ?? 'require';
const globalStorage = process.argv[4] || fs.mkdtempSync(path.join(require('os').tmpdir(), 'cmu-bench-storage-'));
const now = () => performance.now();

/** what activate() registered, by kind */
const registered = { commands: [], treeViews: [], statusBarItems: 0, serializers: [], contentProviders: [], outputChannels: 0 };
const disposable = () => ({ dispose() {} });

/** anything the stub does not model: callable, constructible, every property another such value */
function loose(name) {
  return new Proxy(function () {}, {
    get: (_t, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => name : p === Symbol.iterator ? [][Symbol.iterator] : loose(`${name}.${String(p)}`)),
    apply: () => loose(`${name}()`),
    construct: () => loose(`new ${name}`),
  });
}
/**
 * Every top-level name of the real API (@types/vscode: ~190 namespaces, classes, enums): the bundle copies
 * the module's own keys once per importing module (esbuild's __toESM), so their number is part of the cost.
 */
const API_NAMES = [
  ...fs.readFileSync(require.resolve('@types/vscode/index.d.ts', { paths: [process.cwd(), __dirname] }), 'utf8').matchAll(/^\t(?:export )?(?:class|enum|namespace|const|function|let) (\w+)/gm),
].map((m) => m[1]);
/** a vscode namespace: the given members, `loose` for the rest */
const ns = (name, members) => new Proxy(members, { get: (t, p) => (p in t ? t[p] : loose(`vscode.${name}.${String(p)}`)) });

class EventEmitter {
  listeners = new Set();
  event = (l) => (this.listeners.add(l), { dispose: () => this.listeners.delete(l) });
  fire(e) {
    for (const l of this.listeners) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}
class Uri {
  constructor(scheme, p) {
    Object.assign(this, { scheme, authority: '', path: p, query: '', fragment: '', fsPath: p });
  }
  static file = (p) => new Uri('file', p);
  static parse = (s) => new Uri(s.split(':')[0], s.slice(s.indexOf(':') + 1));
  static joinPath = (u, ...parts) => new Uri(u.scheme, path.posix.join(u.path, ...parts));
  static from = (c) => new Uri(c.scheme, c.path ?? '');
  with(c) {
    return Object.assign(new Uri(this.scheme, this.path), c);
  }
  toString() {
    return `${this.scheme}:${this.path}`;
  }
}
const memento = () => {
  const m = new Map();
  return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => void m.set(k, v), keys: () => [...m.keys()], setKeysForSync() {} };
};

const vscode = {
  ...Object.fromEntries(API_NAMES.map((n) => [n, loose(`vscode.${n}`)])),
  version: '1.99.0',
  EventEmitter,
  Uri,
  Disposable: class Disposable {
    constructor(f) {
      this.dispose = f;
    }
    static from = (...d) => ({ dispose: () => d.forEach((x) => x.dispose()) });
  },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  commands: ns('commands', {
    registerCommand: (id) => (registered.commands.push(id), disposable()),
    executeCommand: async () => undefined,
  }),
  window: ns('window', {
    createOutputChannel: () => (registered.outputChannels++, loose('outputChannel')),
    createStatusBarItem: () => (registered.statusBarItems++, { show() {}, hide() {}, dispose() {}, text: '' }),
    createTreeView: (id) => (registered.treeViews.push(id), loose(`treeView:${id}`)),
    registerTreeDataProvider: (id) => (registered.treeViews.push(id), disposable()),
    registerWebviewPanelSerializer: (id) => (registered.serializers.push(id), disposable()),
    tabGroups: { all: [], onDidChangeTabs: () => disposable() },
  }),
  workspace: ns('workspace', {
    getConfiguration: () => ({ get: (_k, d) => d, inspect: () => undefined, has: () => false, update: async () => undefined }),
    onDidChangeConfiguration: () => disposable(),
    registerTextDocumentContentProvider: (scheme) => (registered.contentProviders.push(scheme), disposable()),
    workspaceFolders: undefined,
    isTrusted: true,
  }),
};

const context = {
  subscriptions: [],
  extensionMode: 1,
  extensionUri: Uri.file(path.dirname(path.dirname(file))),
  extensionPath: path.dirname(path.dirname(file)),
  globalState: memento(),
  workspaceState: memento(),
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => disposable() },
  extension: { packageJSON: { version: '0.0.0' } },
  globalStorageUri: Uri.file(globalStorage),
  storageUri: undefined,
  logUri: Uri.file('/tmp/cmu-bench-log'),
};

// `require('vscode')` from the bundle gets the stub (the extension host injects the real one the same way)
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

function loadByHand(cacheFile) {
  const t0 = now();
  const source = fs.readFileSync(file, 'utf8');
  const cachedData = cacheFile ? fs.readFileSync(cacheFile) : undefined;
  const t1 = now();
  // codeCache.ts's wrapper (the cache holds that script) or Node's own compile of a CommonJS file
  const script = cachedData && new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, { filename: file, lineOffset: -1, cachedData });
  if (script?.cachedDataRejected) throw new Error(`${cacheFile}: rejected by V8`);
  const fn = script ? script.runInThisContext() : vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const t2 = now();
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  const t3 = now();
  return { exports: mod.exports, times: { read: t1 - t0, compile: t2 - t1, evaluate: t3 - t2, load: t3 - t0 } };
}

/** CPU time of this process (all its threads), ms: steadier than wall time on a busy machine */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main() {
  const c0 = cpu();
  const t0 = now();
  const { exports, times } = mode === 'split' ? loadByHand(process.argv[5]) : { exports: require(file), times: {} };
  const t1 = now();
  times.load ??= t1 - t0;
  times.loadCpu = cpu() - c0;
  if (typeof exports.activate === 'function') {
    const c1 = cpu();
    const pending = exports.activate(context);
    const t2 = now();
    await pending;
    const t3 = now();
    times.activateCpu = cpu() - c1;
    times.activateSync = t2 - t1;
    times.activate = t3 - t1;
  }
  if (mode === 'prepare') await new Promise((r) => setTimeout(r, 6000)); // codeCache.ts writes 5 s after loading
  process.stdout.write(`${JSON.stringify({ times, registered })}\n`);
  process.exit(0); // the status bar's timer and the like would keep the process alive
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
