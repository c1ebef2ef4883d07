/** A minimal sequential test runner for the browser checks: prints each result and `N passed, M failed`. */
export type TestFn = () => Promise<void> | void;
interface Entry {
  name: string;
  fn: TestFn;
  skip?: string;
}
const tests: Entry[] = [];
const befores: TestFn[] = [];
const afters: TestFn[] = [];

export function test(name: string, fn: TestFn): void {
  tests.push({ name, fn });
}
export function skip(name: string, reason: string): void {
  tests.push({ name, fn: () => undefined, skip: reason });
}
export function before(fn: TestFn): void {
  befores.push(fn);
}
export function after(fn: TestFn): void {
  afters.push(fn);
}

export async function run(): Promise<number> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    for (const b of befores) await b();
  } catch (e) {
    console.log(`  ✗ setup failed: ${(e as Error).stack ?? e}`);
    for (const a of afters) await Promise.resolve(a()).catch(() => undefined);
    console.log(`0 passed, ${tests.length} failed`);
    return 1;
  }
  for (const t of tests) {
    if (t.skip) {
      skipped++;
      console.log(`  - ${t.name} (skipped: ${t.skip})`);
      continue;
    }
    const t0 = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`  ✓ ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`  ✗ ${t.name}\n      ${String((e as Error).stack ?? e).split('\n').slice(0, 6).join('\n      ')}`);
    }
  }
  for (const a of afters) await Promise.resolve(a()).catch((e) => console.log(`  teardown: ${(e as Error).message}`));
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed ? 1 : 0;
}
