/**
 * Activation as a component figure (not the workbench's: see bench/workbench.js): the production build loaded
 * in fresh Node processes with a stub `vscode` (bench/activationProcess.js), then activate() called, as the
 * extension host does: dist/extension.js (the loader) compiles dist/extensionMain.js with a V8 code cache
 * (src/extension/codeCache.ts). Medians of N processes (BENCH_ACTIVATION_RUNS, default 15) with min–max,
 * beside the floor: the same for an empty module with an empty activate(). Interleaved, so a busy moment of
 * the machine spreads over all of them.
 * FIGURE activation_total_ms: require() + activate() until its promise resolves, with the code cache (every
 * activation but the first after an install or update); activation_load_ms / activation_activate_ms the two
 * parts (VS Code's marks around loading the code and activate()); activation_cold_total_ms the same without
 * a cache (a new global storage: the first activation, which writes the cache 5 s later).
 * activation_read_ms / activation_compile_ms / activation_evaluate_ms: dist/extensionMain.js loaded by hand
 * without a cache (read, V8 compile, running the top level); activation_compile_cached_ms /
 * activation_evaluate_cached_ms the same with the cache. activation_bundle_kb: dist/extensionMain.js.
 * The child warms up what the extension host has loaded before any extension (Node builtins, URL, timers).
 * It fails when a command of package.json was not registered at activation, or when V8 refuses the cache.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const LOADER = path.join(ROOT, 'dist', 'extension.js');
const BUNDLE = path.join(ROOT, 'dist', 'extensionMain.js');
const RUNS = Number(process.env.BENCH_ACTIVATION_RUNS) || 15;

interface Run {
  times: Record<string, number>;
  registered: { commands: string[]; treeViews: string[]; statusBarItems: number; serializers: string[] };
}

function run(file: string, mode: 'require' | 'split' | 'prepare', storage = '', cacheFile = ''): Run {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'activationProcess.js'), file, mode, storage, cacheFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(file)} (${mode}): exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);
const median = (a: number[]): number => sorted(a)[Math.floor(a.length / 2)];

function figure(name: string, runs: Run[], key: string | ((t: Record<string, number>) => number)): void {
  const v = runs.map((r) => (typeof key === 'string' ? r.times[key] : key(r.times)));
  const s = sorted(v);
  console.log(`FIGURE ${name} ${median(v).toFixed(2)} ms`);
  console.log(`#   ${name}: min ${s[0].toFixed(2)}, max ${s[s.length - 1].toFixed(2)} (${v.length} fresh processes)`);
}

function main(): void {
  // the .vsix's bundle: a dev build (unminified, with a source map) would measure something else
  if (!fs.existsSync(BUNDLE) || fs.readFileSync(BUNDLE, 'utf8').includes('//# sourceMappingURL=')) {
    throw new Error('dist/extensionMain.js is not a production build: run `node esbuild.js --production` first (npm run bench does)');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-bench-activation-'));
  const empty = path.join(dir, 'empty.js');
  fs.writeFileSync(empty, 'exports.activate = async () => ({});\n');
  // a global storage whose code cache a first activation wrote (as VS Code keeps it between sessions)
  const warmStorage = path.join(dir, 'storage');
  fs.mkdirSync(warmStorage);
  const cold: Run[] = [];
  const warm: Run[] = [];
  const split: Run[] = [];
  const splitCached: Run[] = [];
  const floor: Run[] = [];
  try {
    run(LOADER, 'prepare', warmStorage);
    const caches = fs.existsSync(path.join(warmStorage, 'code-cache')) ? fs.readdirSync(path.join(warmStorage, 'code-cache')).filter((f) => f.endsWith('.cache')) : [];
    if (caches.length !== 1) throw new Error(`the first activation wrote no code cache (${caches.join(', ')})`);
    const cacheFile = path.join(warmStorage, 'code-cache', caches[0]);
    console.log(`#   code cache: ${(fs.statSync(cacheFile).size / 1024).toFixed(1)} KB`);
    for (let i = 0; i < RUNS; i++) {
      floor.push(run(empty, 'require'));
      cold.push(run(LOADER, 'require'));
      warm.push(run(LOADER, 'require', warmStorage));
      split.push(run(BUNDLE, 'split'));
      splitCached.push(run(BUNDLE, 'split', '', cacheFile));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const total = (t: Record<string, number>) => t.load + t.activate;
  console.log(`FIGURE activation_bundle_kb ${(fs.statSync(BUNDLE).size / 1024).toFixed(1)} KB`);
  figure('activation_total_ms', warm, total);
  figure('activation_load_ms', warm, 'load');
  figure('activation_activate_ms', warm, 'activate');
  figure('activation_activate_sync_ms', warm, 'activateSync');
  figure('activation_cold_total_ms', cold, total);
  figure('activation_floor_total_ms', floor, total);
  figure('activation_read_ms', split, 'read');
  figure('activation_compile_ms', split, 'compile');
  figure('activation_evaluate_ms', split, 'evaluate');
  figure('activation_compile_cached_ms', splitCached, 'compile');
  figure('activation_evaluate_cached_ms', splitCached, 'evaluate');
  const cpu = (runs: Run[]) => median(runs.map((r) => r.times.loadCpu + r.times.activateCpu)).toFixed(2);
  console.log(`#   CPU time of load + activate() (steadier on a busy machine): median ${cpu(warm)} ms with the cache, ${cpu(cold)} ms without, floor ${cpu(floor)} ms`);
  const reg = warm[0].registered;
  console.log(`#   registered at activation: ${reg.commands.length} commands, views ${reg.treeViews.join(', ')}, ${reg.statusBarItems} status bar item(s), serializers ${reg.serializers.join(', ')}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !reg.commands.includes(c));
  if (missing.length) throw new Error(`not registered at activation: ${missing.join(', ')}`);
}

main();
