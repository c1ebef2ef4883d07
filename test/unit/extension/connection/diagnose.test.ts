import * as assert from 'node:assert/strict';
// diagnose.ts has no runtime dependency on `vscode` (only types), so its verdicts are unit-testable
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Environment } from '../../../../src/core/environments';
import { CmuError } from '../../../../src/core/errors';
import { HttpClient } from '../../../../src/core/http';
import { Session } from '../../../../src/core/session';
import { MemoryStore } from '../../../../src/core/store';
import { diagnose, diagnoseReport } from '../../../../src/extension/connection/diagnose';
import { parseZone } from '../../../../src/core/cmu/time/zone';
import type { Services } from '../../../../src/extension/host/services';
import { Sandbox } from '../../../../src/sandbox/server';

describe('extension diagnose: verdicts', () => {
  it('report: a verdict per step with its fix; skipped steps are marked, not counted', () => {
    const text = diagnoseReport(
      {
        environment: 'custom',
        profile: 'default',
        steps: [
          { name: 'environment', ok: true, verdict: 'ok', detail: 'custom/default: DCR https://x, CMU https://x/cmu/v2' },
          { name: 'statement', ok: false, verdict: 'fail', detail: 'no software statement is stored', fix: 'Run "CMU: Import Software Statement…"' },
          { name: 'credentials', ok: false, verdict: 'skipped', detail: 'needs a software statement' },
        ],
      },
      new Date('2026-01-02T03:04:05Z'),
    );
    assert.match(text, /^# CMU connection diagnosis — custom\/default/);
    assert.match(text, /2026-01-02 03:04:05 UTC \(.+ local\) · 1 problem found/);
    assert.match(text, /^- ✔ \*\*environment\*\*/m, 'a list item a step: the preview keeps them apart');
    assert.match(text, /✘ \*\*statement\*\* — no software statement is stored\n {2}- Fix: Run \*\*CMU: Import Software Statement…\*\*/);
    assert.match(text, /· \*\*credentials\*\* — not checked/);
  });

  it('report: what a server said stays text in the rendered document (no image fetched, no link, no HTML)', () => {
    const text = diagnoseReport({
      environment: 'custom',
      profile: 'default',
      steps: [{ name: 'cmu', ok: false, verdict: 'fail', detail: 'HTTP 500: ![x](https://attacker.invalid/t.png)', why: '<img src=x>\n# pwned', fix: 'Run "CMU: Show Log".' }],
    });
    assert.match(text, /— HTTP 500: \\!\\\[x\\\]\(https:\/\/attacker\.invalid\/t\.png\)\n/);
    assert.match(text, /\n {2}- Why: \\<img src=x\\> # pwned\n/);
    assert.match(text, /- Fix: Run \*\*CMU: Show Log\*\*\./);
    assert.ok(!/^#\s*pwned/m.test(text));
  });

  it('report: everything works', () => {
    const text = diagnoseReport({ environment: 'sandbox', profile: 'p', steps: [{ name: 'cmu', ok: true, verdict: 'ok', detail: 'GET … → 200' }] });
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
      const services = { settings: () => ({ environment: 'sandbox', profile: 'default' }), session: async () => session, http: async () => client, reportZone: () => parseZone('-08:00') };
      const result = await diagnose(services as unknown as Services);
      const step = result.steps.find((st) => st.name === 'cmu');
      assert.ok(step && !step.ok && step.verdict === 'fail', JSON.stringify(result.steps));
      assert.match(step.detail, /500/);
      assert.match(step.why ?? '', /debug: got/);
      const text = diagnoseReport(result);
      for (const part of token.split('.')) assert.ok(!text.includes(part), 'a part of the access token is in the diagnosis');
      assert.ok(!text.includes(token));
      assert.match(text, /^Report time zone: UTC\u221208:00 \(setting cmu\.reportTimeZone/m);
    } finally {
      await new Promise((r) => cmu.close(r));
      await sandbox.stop();
    }
  });

  /** A CMU host answering every request with `status`; counts requests. */
  async function withCmuHost(status: number, body: (client: HttpClient, session: Session, seen: { n: number; auth: string[] }) => Promise<void>): Promise<void> {
    const sandbox = await Sandbox.start();
    const seen = { n: 0, auth: [] as string[] };
    const cmu = http.createServer((req, res) => {
      seen.n++;
      seen.auth.push(req.headers.authorization ?? '');
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end('{"error":"nope"}');
    });
    await new Promise<void>((r) => cmu.listen(0, '127.0.0.1', r));
    try {
      const client = new HttpClient({ timeoutMs: 10_000, minRetryDelayMs: 10, max5xxRetries: 0 });
      const env: Environment = { name: 'sandbox', dcrOrigin: sandbox.dcrOrigin, cmuBase: `http://127.0.0.1:${(cmu.address() as AddressInfo).port}/cmu/v2` };
      const session = new Session({ store: new MemoryStore(), env, profile: 'default', http: client });
      await session.importStatement(sandbox.statement);
      await body(client, session, seen);
    } finally {
      await new Promise((r) => cmu.close(r));
      await sandbox.stop();
    }
  }
  const run = (session: Session, client: HttpClient) => diagnose({ settings: () => ({ environment: 'sandbox', profile: 'default' }), session: async () => session, http: async () => client } as never);

  it('a failed step that quotes a secret the session has seen is redacted (opaque, no pattern would catch it)', async () => {
    const secret = 'opaque-7f3a9c2e5b1d4a6f8e0c';
    const http = new HttpClient();
    http.addSecret(secret);
    const services = {
      settings: () => ({ environment: 'custom', profile: 'p' }),
      session: () => Promise.reject(new CmuError(`server said: ${secret} is wrong`, `it echoed ${secret}`, 'openSettings', 'x')),
      http: async () => http,
      reportZone: () => parseZone('-08:00'),
    } as unknown as Pick<Services, 'settings' | 'session' | 'http' | 'reportZone'>;
    const r = await diagnose(services);
    const text = JSON.stringify(r) + diagnoseReport(r);
    assert.ok(!text.includes(secret), text);
    assert.match(r.steps[0].detail, /server said: .+ is wrong/);
  });

  it('a good chain against the sandbox: every step ok, with verdict and ok side by side', async () => {
    const sandbox = await Sandbox.start();
    try {
      const client = new HttpClient({ timeoutMs: 10_000 });
      const session = new Session({ store: new MemoryStore(), env: { name: 'sandbox', dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase }, profile: 'default', http: client });
      await session.importStatement(sandbox.statement);
      const r = await diagnose({ settings: () => ({ environment: 'sandbox', profile: 'default' }), session: async () => session, http: async () => client } as never);
      assert.deepEqual(r.steps.map((s) => s.name), ['environment', 'statement', 'credentials', 'token', 'clock', 'cmu']);
      for (const s of r.steps) assert.ok(s.ok && s.verdict === 'ok', JSON.stringify(s));
    } finally {
      await sandbox.stop();
    }
  });

  it('the token step shows the granted scopes against what CMU needs: a missing billing scope is a warning with what to ask Adobe for', async () => {
    for (const [scopes, verdict, re] of [
      [['cmu:analytics:client', 'cmu:billing:client'], 'ok', /token scopes: cmu:analytics:client, cmu:billing:client; CMU needs cmu:analytics:client and cmu:billing:client: granted/],
      [['cmu:analytics:client'], 'warn', /token scopes: cmu:analytics:client; missing cmu:billing:client \(billing\/daily needs it\)/],
    ] as const) {
      const sandbox = await Sandbox.start({ scopes: [...scopes] });
      try {
        const client = new HttpClient({ timeoutMs: 10_000 });
        const session = new Session({ store: new MemoryStore(), env: { name: 'sandbox', dcrOrigin: sandbox.dcrOrigin, cmuBase: sandbox.cmuBase }, profile: 'default', http: client });
        await session.importStatement(sandbox.statement);
        const token = (await run(session, client)).steps.find((s) => s.name === 'token');
        assert.equal(token?.verdict, verdict, JSON.stringify(token));
        assert.match(token.detail, re);
        if (verdict === 'warn') assert.match(token.fix ?? '', /Ask Adobe .* cmu:billing:client \("CM Usage Billing"\)/);
      } finally {
        await sandbox.stop();
      }
    }
  });

  it('the CMU call goes through CmuClient: a 401 is retried once with a fresh token, then says Adobe may use another CMU host', async () => {
    await withCmuHost(401, async (client, session, seen) => {
      const r = await run(session, client);
      const step = r.steps.find((s) => s.name === 'cmu')!;
      assert.equal(step.verdict, 'fail');
      assert.equal(seen.n, 2, 'one retry after a forced token refresh (CmuClient)');
      assert.match(step.why ?? '', /another CMU host/);
      assert.match(step.fix ?? '', /cmu\.sandbox\.cmuBase/);
      assert.equal(step.nextStep, 'openSettings');
    });
  });

  it('a 404 at the CMU root says Adobe may have given the account another CMU host; skipped steps are skipped, not failed', async () => {
    await withCmuHost(404, async (client, session) => {
      const r = await run(session, client);
      const step = r.steps.find((s) => s.name === 'cmu')!;
      assert.equal(step.verdict, 'fail');
      assert.match(step.why ?? '', /another CMU host.*both base forms/);
    });
    const none = new HttpClient();
    const empty = new Session({ store: new MemoryStore(), env: { name: 'sandbox', dcrOrigin: 'http://127.0.0.1:9', cmuBase: 'http://127.0.0.1:9/cmu/v2' }, profile: 'default', http: none });
    const r = await run(empty, none);
    assert.deepEqual(r.steps.map((s) => s.verdict), ['ok', 'fail', 'skipped', 'skipped', 'skipped', 'skipped']);
    assert.ok(r.steps.slice(2).every((s) => !s.ok && !s.fix));
  });
});
