// Mocha (TDD UI) inside the VS Code extension host. VS Code calls run() once the extension under
// development is loaded (payload `extensionTestsPath`); resolving = success, rejecting = failure, and
// the host then exits with that code. Results also go to a JSON file the harness turns into
// `N passed, M failed`. Env (through the payload's extensionEnvironment):
//   CMU_TEST_RESULTS  path of the results JSON
//   CMU_TEST_GREP     only tests whose full title matches this regular expression
//   CMU_TEST_FILES    comma-separated substrings: only the test files whose path contains one
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

interface Outcome { title: string; file?: string; durationMs?: number; error?: string }

function testFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return testFiles(p);
    return d.name.endsWith('.test.js') ? [p] : [];
  });
}

export function run(): Promise<void> {
  const resultsFile = process.env.CMU_TEST_RESULTS;
  const grep = process.env.CMU_TEST_GREP;
  const only = (process.env.CMU_TEST_FILES || '').split(',').map((s) => s.trim()).filter(Boolean);
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec', ...(grep ? { grep: new RegExp(grep) } : {}) });
  const files = testFiles(__dirname).filter((f) => !only.length || only.some((x) => path.relative(__dirname, f).includes(x)));
  for (const f of files.sort()) mocha.addFile(f);

  const passed: Outcome[] = [];
  const failed: Outcome[] = [];
  // test files that did not even build count as failures (see harness/build.js)
  try {
    const errs = JSON.parse(fs.readFileSync(path.join(__dirname, 'build-errors.json'), 'utf8')) as { file: string; error: string }[];
    for (const e of errs) failed.push({ title: `build ${e.file}`, file: e.file, error: e.error });
  } catch {
    /* no build report */
  }
  // what runs now: if the extension host stops answering, the harness's timeout names it
  let running: string | undefined;
  const write = () => {
    if (!resultsFile) return;
    fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed, running, files: files.map((f) => path.relative(__dirname, f)) }, null, 2));
  };

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      try {
        write();
      } catch (e) {
        console.error('could not write the results file', e);
      }
      if (err) reject(err);
      else resolve();
    };
    try {
      const runner = mocha.run((failures) => {
        // guarded: an exception here would leave VS Code waiting forever
        try {
          const n = Math.max(failures, failed.length);
          settle(n > 0 ? new Error(`${n} tests failed`) : undefined);
        } catch (e) {
          settle(e instanceof Error ? e : new Error(String(e)));
        }
      });
      // written as the run goes (a few KB, synchronous), so a hung host still leaves what had passed
      const record = (f: () => void) => {
        try {
          f();
          write();
        } catch (e) {
          console.error('could not write the results file', e);
        }
      };
      runner.on('test', (t) => record(() => (running = t.fullTitle())));
      runner.on('hook', (h) => record(() => (running = h.fullTitle())));
      runner.on('pass', (t) => record(() => passed.push({ title: t.fullTitle(), file: t.file && path.basename(t.file), durationMs: t.duration })));
      runner.on('fail', (t, err: Error) =>
        record(() => failed.push({ title: t.fullTitle(), file: t.file && path.basename(t.file), error: `${err?.message ?? err}`.slice(0, 2000) })),
      );
      runner.on('end', () => (running = undefined));
    } catch (e) {
      settle(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
