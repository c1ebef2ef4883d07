/** The CLI as a child process, for the end-to-end tests: a fresh bundle and a runner that captures everything. */
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  out: Buffer;
}

/** The CLI bundle exactly as esbuild.js builds it, into `dir` so parallel builds don't race. */
export async function buildCli(dir: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const outfile = path.join(dir, 'cli.js');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    alias: { 'whatwg-url': path.join(ROOT, 'src/core/shims/whatwg-url.ts') },
    outfile,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'error',
    legalComments: 'none',
  });
  return outfile;
}

/** Runs `node cli args`; the CMU_* variables of this process never leak in (only `env`'s). */
export function runCli(cli: string, args: string[], opts: { stdin?: string; env?: Record<string, string>; onSpawn?: (child: ChildProcess) => void } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['CMU_STORE', 'CMU_PROFILE', 'CMU_DCR_URL', 'CMU_API_URL', 'CMU_TZ']) delete env[k];
  Object.assign(env, opts.env ?? {});
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const buf = Buffer.concat(out);
      resolve({ code, out: buf, stdout: buf.toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(opts.stdin ?? '');
    opts.onSpawn?.(child);
  });
}

/** No secret, nor the signature part of one (a JWT printed with line breaks or truncated), in any recorded output. */
export function assertNoSecrets(outputs: { args: string[]; text: string }[], secrets: Iterable<string>): void {
  const all = [...secrets];
  for (const o of outputs) {
    for (const s of all) {
      assert.ok(!o.text.includes(s), `a secret appeared in the output of: cmu ${o.args.join(' ')}`);
      const sig = s.split('.')[2];
      if (sig && sig.length > 20) assert.ok(!o.text.includes(sig), `a secret signature appeared in: cmu ${o.args.join(' ')}`);
    }
  }
}
