/**
 * `cmu report <200k-row path> --format csv --out FILE` vs `curl` of the same URL with the same token,
 * same sandbox (throttle off), alternating repetitions; medians of wall time, and the CLI's peak RSS.
 * FIGURE cli_vs_curl_ratio (target ≤ 1.3), cli_report_ms, curl_ms, cli_peak_rss_mb (target ≤ 250).
 * Start-up detail (same alternation, median): node_startup_ms (`node -e 0`, what no JavaScript change can
 * remove; NODE_EXTRA_CA_CERTS, when set, is loaded here) and cli_startup_ms (`node dist/cli.js --version`:
 * node + loading the bundle + commander).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Sandbox } from '../src/sandbox/server';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const REPS = Number(process.env.BENCH_REPS ?? 5);
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Timed {
  ms: number;
  code: number | null;
  peakKb?: number;
  stdout: string;
  stderr: string;
}

/** Runs a command (under /usr/bin/time -f %M when present); wall time around the whole child. */
function timed(cmd: string, args: string[], input?: string): Promise<Timed> {
  const marker = '__PEAK_KB__';
  const [file, argv] = TIME ? [TIME, ['-f', `${marker}%M`, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let vmHwmKb = 0;
    const poll = TIME
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) vmHwmKb = Math.max(vmHwmKb, Number(m[1]));
          } catch {
            /* gone */
          }
        }, 10);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (poll) clearInterval(poll);
      const m = new RegExp(`${marker}(\\d+)`).exec(stderr);
      resolve({ ms, code, peakKb: m ? Number(m[1]) : vmHwmKb || undefined, stdout, stderr: stderr.replace(new RegExp(`${marker}\\d+\\n?`), '') });
    });
    child.stdin.end(input ?? '');
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js'), '--production'], { cwd: ROOT, stdio: 'inherit' });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-bench-cli-'));
  const sb = await Sandbox.start({ port: 0, throttle: false });
  try {
    const base = ['--store', path.join(tmp, 'store'), '--dcr-url', sb.dcrOrigin];
    const cli = (args: string[], input?: string) => timed(process.execPath, [CLI, ...base, ...args], input);
    for (const step of [['statement', 'import', '-'], ['register'], ['token']]) {
      const r = await cli(step, step[0] === 'statement' ? sb.statement : undefined);
      if (r.code !== 0) throw new Error(`cmu ${step.join(' ')} failed: ${r.stderr}`);
    }
    const tok = await cli(['token', '--print']);
    const token = tok.stdout.trim();
    const href = sb.hugeReportHref(200_000, 'csv');
    const url = sb.origin + href;
    const cliOut = path.join(tmp, 'cli.csv');
    const curlOut = path.join(tmp, 'curl.csv');
    const runCli = () => cli(['report', href, '--format', 'csv', '--out', cliOut]);
    const runCurl = () =>
      timed('curl', ['-s', '-f', '-H', `Authorization: Bearer ${token}`, '-H', 'Accept-Encoding: gzip', '--compressed', '-o', curlOut, url]);

    // warm-up (and a correctness check: the same bytes)
    const w1 = await runCli();
    if (w1.code !== 0) throw new Error(`cmu report failed: ${w1.stderr}`);
    const w2 = await runCurl();
    if (w2.code !== 0) throw new Error(`curl failed (${w2.code}): ${w2.stderr}`);
    const a = fs.readFileSync(cliOut);
    const b = fs.readFileSync(curlOut);
    if (!a.equals(b)) throw new Error(`cli and curl files differ (${a.length} vs ${b.length} bytes)`);
    const rows = a.toString('utf8').split('\n').filter(Boolean).length - 1;
    console.log(`# ${url.replace(/\?.*/, '')}?…: ${rows} rows, ${(a.length / 1e6).toFixed(1)} MB csv, ${REPS} alternating repetitions`);

    const cliMs: number[] = [];
    const curlMs: number[] = [];
    let peakKb = w1.peakKb ?? 0;
    for (let i = 0; i < REPS; i++) {
      const first = i % 2 === 0;
      const r1 = first ? await runCli() : await runCurl();
      const r2 = first ? await runCurl() : await runCli();
      const [c, k] = first ? [r1, r2] : [r2, r1];
      if (c.code !== 0 || k.code !== 0) throw new Error(`a run failed: ${c.stderr} ${k.stderr}`);
      cliMs.push(c.ms);
      curlMs.push(k.ms);
      peakKb = Math.max(peakKb, c.peakKb ?? 0);
    }
    const cm = median(cliMs);
    const km = median(curlMs);
    console.log(`# cli ms: ${cliMs.map((x) => x.toFixed(0)).join(' ')}; curl ms: ${curlMs.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`FIGURE cli_vs_curl_ratio ${(cm / km).toFixed(2)} x`);
    console.log(`FIGURE cli_report_ms ${cm.toFixed(0)} ms`);
    console.log(`FIGURE curl_ms ${km.toFixed(0)} ms`);
    console.log(`FIGURE cli_peak_rss_mb ${(peakKb / 1024).toFixed(1)} MB`);

    const nodeMs: number[] = [];
    const startMs: number[] = [];
    for (let i = 0; i < REPS * 2; i++) {
      const first = i % 2 === 0;
      const n = () => timed(process.execPath, ['-e', '0']);
      const v = () => timed(process.execPath, [CLI, '--version']);
      const r1 = first ? await n() : await v();
      const r2 = first ? await v() : await n();
      const [nr, vr] = first ? [r1, r2] : [r2, r1];
      if (nr.code !== 0 || vr.code !== 0) throw new Error(`a start-up run failed: ${nr.stderr} ${vr.stderr}`);
      nodeMs.push(nr.ms);
      startMs.push(vr.ms);
    }
    if (process.env.NODE_EXTRA_CA_CERTS) console.log('# NODE_EXTRA_CA_CERTS is set: every node start-up (the CLI\'s included) loads it');
    console.log(`FIGURE node_startup_ms ${median(nodeMs).toFixed(0)} ms`);
    console.log(`FIGURE cli_startup_ms ${median(startMs).toFixed(0)} ms`);
  } finally {
    await sb.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
