import * as assert from 'node:assert/strict';
// diagnose.ts has no runtime dependency on `vscode` (only types), so its verdicts are unit-testable
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Environment } from '../../src/core/environments';
import { HttpClient } from '../../src/core/http';
import { Session } from '../../src/core/session';
import { MemoryStore } from '../../src/core/store';
import { clockStep, diagnose, diagnoseReport } from '../../src/extension/connection/diagnose';
import { parseZone } from '../../src/core/cmu/time/zone';
import type { Services } from '../../src/extension/host/services';
import { Sandbox } from '../../src/sandbox/server';

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

  it('cmu step: a body that echoes the request (token, Authorization header) is redacted in the diagnosis', async () => {
    const sandbox = await Sandbox.start();
    // a CMU host that answers 500 with a debug body echoing what it received
    const cmu = http.createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`debug: got "${auth}"; token ${auth.replace(/^Bearer /, '')}`);
    });
    await new Promise<void>((r) => cmu.listen(0, '127.0.0.1', r));
    try {
      const origin = `http://127.0.0.1:${(cmu.address() as AddressInfo).port}`;
      const client = new HttpClient({ timeoutMs: 10_000, minRetryDelayMs: 10, max5xxRetries: 0 });
      const env: Environment = { name: 'sandbox', dcrOrigin: sandbox.dcrOrigin, cmuBase: origin + '/cmu/v2' };
      const session = new Session({ store: new MemoryStore(), env, profile: 'default', http: client });
      await session.importStatement(sandbox.statement);
      const token = (await session.getToken()).accessToken;
      const services = { settings: () => ({ environment: 'sandbox', profile: 'default' }), session: async () => session, http: client, reportZone: () => parseZone('-08:00') };
      const result = await diagnose(services as unknown as Services);
      const step = result.steps.find((st) => st.name === 'cmu');
      assert.ok(step && !step.ok, JSON.stringify(result.steps));
      assert.match(step.detail, /500: unexpected answer: debug: got/);
      const text = diagnoseReport(result);
      for (const part of token.split('.')) assert.ok(!text.includes(part), 'a part of the access token is in the diagnosis');
      assert.ok(!text.includes(token));
      assert.match(text, /^Report time zone: UTC\u221208:00 \(setting cmu\.reportTimeZone/m);
    } finally {
      await new Promise((r) => cmu.close(r));
      await sandbox.stop();
    }
  });
});
