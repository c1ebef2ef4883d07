/**
 * Activation as a component figure (not the workbench's: see bench/workbench.js): the production bundle
 * dist/extension.js (`npm run bench` builds it) loaded in fresh Node processes with a stub `vscode`
 * (bench/activationProcess.js), then activate() called. Medians of N processes (BENCH_ACTIVATION_RUNS,
 * default 15) with min–max, beside the floor: the same for an empty module with an empty activate().
 * FIGURE activation_load_ms (require(), what VS Code calls code loading), activation_activate_ms (until
 * activate()'s promise resolves; _sync: until it returns), activation_compile_ms / activation_evaluate_ms
 * (the same load done by hand: V8 compile vs running the top level), activation_bundle_kb, and the floors.
 * The child warms up what the extension host has loaded before any extension (Node builtins, URL, timers).
 * It fails when a command of package.json was not registered at activation.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const BUNDLE = path.join(ROOT, 'dist', 'extension.js');
const RUNS = Number(process.env.BENCH_ACTIVATION_RUNS) || 15;

interface Run {
  times: Record<string, number>;
  registered: { commands: string[]; treeViews: string[]; statusBarItems: number; serializers: string[] };
}

function run(file: string, mode: 'require' | 'split'): Run {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'activationProcess.js'), file, mode], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(file)} (${mode}): exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);
const median = (a: number[]): number => sorted(a)[Math.floor(a.length / 2)];

function figure(name: string, runs: Run[], key: string): void {
  const v = runs.map((r) => r.times[key]);
  const s = sorted(v);
  console.log(`FIGURE ${name} ${median(v).toFixed(2)} ms`);
  console.log(`#   ${name}: min ${s[0].toFixed(2)}, max ${s[s.length - 1].toFixed(2)} (${v.length} fresh processes)`);
}

function main(): void {
  // the .vsix's bundle: a dev build (unminified, with a source map) would measure something else
  if (!fs.existsSync(BUNDLE) || fs.readFileSync(BUNDLE, 'utf8').includes('//# sourceMappingURL=')) {
    throw new Error('dist/extension.js is not a production build: run `node esbuild.js --production` first (npm run bench does)');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-bench-activation-'));
  const empty = path.join(dir, 'empty.js');
  fs.writeFileSync(empty, 'exports.activate = async () => ({});\n');
  const load: Run[] = [];
  const split: Run[] = [];
  const floor: Run[] = [];
  try {
    // interleaved, so a busy moment of the machine spreads over all three
    for (let i = 0; i < RUNS; i++) {
      floor.push(run(empty, 'require'));
      load.push(run(BUNDLE, 'require'));
      split.push(run(BUNDLE, 'split'));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`FIGURE activation_bundle_kb ${(fs.statSync(BUNDLE).size / 1024).toFixed(1)} KB`);
  figure('activation_load_ms', load, 'load');
  figure('activation_load_floor_ms', floor, 'load');
  figure('activation_activate_ms', load, 'activate');
  figure('activation_activate_sync_ms', load, 'activateSync');
  figure('activation_activate_floor_ms', floor, 'activate');
  figure('activation_read_ms', split, 'read');
  figure('activation_compile_ms', split, 'compile');
  figure('activation_evaluate_ms', split, 'evaluate');
  console.log(`#   load CPU time (steadier on a busy machine): median ${median(load.map((r) => r.times.loadCpu)).toFixed(2)} ms, floor ${median(floor.map((r) => r.times.loadCpu)).toFixed(2)} ms`);
  const reg = load[0].registered;
  console.log(`#   registered at activation: ${reg.commands.length} commands, views ${reg.treeViews.join(', ')}, ${reg.statusBarItems} status bar item(s), serializers ${reg.serializers.join(', ')}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !reg.commands.includes(c));
  if (missing.length) throw new Error(`not registered at activation: ${missing.join(', ')}`);
}

main();
