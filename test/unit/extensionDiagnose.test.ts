import * as assert from 'node:assert/strict';
// diagnose.ts has no runtime dependency on `vscode` (only types), so its verdicts are unit-testable
import { clockStep, diagnoseReport } from '../../src/extension/diagnose';

describe('extension diagnose: verdicts', () => {
  it('clock: within 30 s is fine, up to 5 min a warning, beyond a failure with the fix', () => {
    assert.equal(clockStep(0).ok, true);
    assert.match(clockStep(800).detail, /agree/);
    const slow = clockStep(-20_000);
    assert.equal(slow.ok, true);
    assert.match(slow.detail, /20s behind/);
    const warn = clockStep(120_000);
    assert.equal(warn.ok, true);
    assert.match(warn.detail, /2m 0s ahead of the server \(warning\)/);
    assert.match(warn.fix ?? '', /NTP/);
    const fail = clockStep(-3_600_000);
    assert.equal(fail.ok, false);
    assert.match(fail.detail, /1h 0m behind/);
  });

  it('report: a verdict per step with its fix; skipped steps are marked, not counted', () => {
    const text = diagnoseReport(
      {
        environment: 'custom',
        profile: 'default',
        steps: [
          { name: 'environment', ok: true, detail: 'custom/default: DCR https://x, CMU https://x/cmu/v2' },
          { name: 'statement', ok: false, detail: 'no software statement is stored', fix: 'Run "CMU: Import Software Statement…"' },
          { name: 'credentials', ok: false, detail: 'not checked: no software statement' },
        ],
      },
      new Date('2026-01-02T03:04:05Z'),
    );
    assert.match(text, /^# CMU connection diagnosis — custom\/default/);
    assert.match(text, /2026-01-02T03:04:05.000Z · 1 problem found/);
    assert.match(text, /✔ \*\*environment\*\*/);
    assert.match(text, /✘ \*\*statement\*\* — no software statement is stored\n {2}- Fix: Run "CMU: Import Software Statement…"/);
    assert.match(text, /· \*\*credentials\*\* — not checked/);
  });

  it('report: everything works', () => {
    const text = diagnoseReport({ environment: 'sandbox', profile: 'p', steps: [{ name: 'cmu', ok: true, detail: 'GET … → 200' }] });
    assert.match(text, /everything works/);
  });
});
