import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { nextSteps, pathHref } from '../../../../src/core/cmu/catalog';
import { CmuClient } from '../../../../src/core/cmu/client';
import { Discovery, DiscoveryRegistry, catalogNode } from '../../../../src/core/cmu/discovery';
import { hrefPath } from '../../../../src/core/cmu/hal';
import { grantedScopes, missingScopes, requiredScope } from '../../../../src/core/cmu/scopes';
import { HttpClient } from '../../../../src/core/http';
import { Session } from '../../../../src/core/session';
import { MemoryStore } from '../../../../src/core/store';
import { main } from '../../../../src/cli/program';
import type { Io } from '../../../../src/cli/context';
import { Sandbox } from '../../../../src/sandbox/server';

describe('cmu/discovery: the server leads, the catalog advises offline', () => {
  let sb: Sandbox;
  let client: CmuClient;
  const http = new HttpClient({ timeoutMs: 10_000, max5xxRetries: 0 });

  before(async () => {
    sb = await Sandbox.start({ throttle: false });
    const session = new Session({ store: new MemoryStore(), env: { name: 'sandbox', dcrOrigin: sb.dcrOrigin, cmuBase: sb.cmuBase }, profile: 'd', http });
    await session.importStatement(sb.statement);
    client = new CmuClient({ http, session, cmuBase: sb.cmuBase });
  });
  after(() => sb.stop());

  it("walks the real tree from the server's links: drill-down, roll-up, columns", async () => {
    const d = new Discovery(client);
    const root = await d.node([]);
    assert.equal(root.source, 'server');
    assert.ok(root.drillDown.some((l) => l.name === 'year'));
    const year = await d.node(['year']);
    assert.deepEqual(year.rollUp?.path, []);
    assert.ok(year.metrics.includes('bstreams-60') && !year.metrics.includes('active-users'));
    assert.deepEqual(year.dimensions, ['year', 'tenant']);
    let node = year;
    for (const step of ['duration', 'occurrences', 'activity-level', 'month', 'tenant']) {
      const link = node.drillDown.find((l) => l.name === step);
      assert.ok(link, `${node.path.join('/')} -> ${step}`);
      node = await d.node(link.path);
      assert.equal(node.source, 'server');
    }
    assert.deepEqual(node.path, ['year', 'duration', 'occurrences', 'activity-level', 'month', 'tenant']);
    assert.deepEqual(node.metrics, ['users']);
    assert.equal(node.rollUp?.href, pathHref(['year', 'duration', 'occurrences', 'activity-level', 'month']));
    const billing = await d.node(['billing', 'daily']);
    assert.equal(billing.rollUp, undefined);
    assert.ok(billing.metrics.includes('bstreams-30'));
  });

  it('caches per environment and refreshes on demand (one request per node until then)', async () => {
    const registry = new DiscoveryRegistry();
    const d = registry.for('sandbox', client);
    assert.equal(registry.for('sandbox', client), d);
    const before = sb.stats.cmu;
    await d.node(['year', 'duration']);
    await d.node(['year', 'duration']);
    assert.equal(sb.stats.cmu - before, 1);
    assert.ok(d.cached(['year', 'duration']));
    await d.node(['year', 'duration'], { refresh: true });
    assert.equal(sb.stats.cmu - before, 2);
    registry.clear('sandbox');
    assert.notEqual(registry.for('sandbox', client), d);
  });

  it('falls back to the catalog when the server cannot be reached, marked as such and not cached', async () => {
    const d = new Discovery(client);
    sb.failNext(1, 503, { endpoint: 'cmu' });
    const n = await d.node(['year', 'duration']);
    assert.equal(n.source, 'catalog');
    assert.match(n.offlineReason ?? '', /503|unavailable/i);
    assert.deepEqual(n.drillDown.map((l) => l.name), nextSteps(['year', 'duration']));
    assert.equal(d.cached(['year', 'duration']), undefined);
    assert.equal((await d.node(['year', 'duration'])).source, 'server');
    // the server's 4xx is its answer: not masked by the catalog
    await assert.rejects(d.node(['year', 'nope']), (e: Error & { status?: number }) => e.status === 404);
  });

  it('catalog nodes, href paths and scopes', () => {
    assert.deepEqual(catalogNode(['year']).drillDown[0].path, ['year', 'duration']);
    assert.deepEqual(hrefPath('/cmu/v2/year/month.json?x=1'), ['year', 'month']);
    assert.deepEqual(hrefPath('https://cm-reports.adobeprimetime.com/v2/billing/daily'), ['billing', 'daily']);
    assert.equal(requiredScope('/v2/billing/daily?x').name, 'cmu:billing:client');
    assert.equal(requiredScope(['year', 'duration']).name, 'cmu:analytics:client');
    assert.deepEqual(grantedScopes({ scopes: 'cmu:analytics:client,profile:client' }), ['cmu:analytics:client', 'profile:client']);
    assert.deepEqual(grantedScopes(undefined), []);
    assert.deepEqual(missingScopes(['cmu:analytics:client']).map((s) => s.name), ['cmu:billing:client']);
  });
});

describe('cli: cmu browse', () => {
  let sb: Sandbox;
  let dir: string;
  const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const io: Io = { out: (s) => (out += s), err: (s) => (err += s), outStream: new PassThrough(), isTTY: false, env: {} };
    const code = await main(['--store', dir, '--dcr-url', sb.dcrOrigin, ...args], io);
    return { code, out, err };
  };

  before(async () => {
    sb = await Sandbox.start({ throttle: false });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-browse-'));
    const file = path.join(dir, 'statement.txt');
    fs.writeFileSync(file, sb.statement);
    assert.equal((await run(['statement', 'import', file])).code, 0);
  });
  after(async () => {
    await sb.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the drill-down and roll-up of a node as a table, exit 0', async () => {
    const r = await run(['browse', 'year/duration/occurrences', '--format', 'table']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /node:\s+\/cmu\/v2\/year\/duration\/occurrences/);
    assert.match(r.out, /source:\s+server/);
    assert.match(r.out, /roll-up:\s+duration\s+\/cmu\/v2\/year\/duration\n/);
    // no harvested columns there: year's metrics, inherited (the columns the server returned)
    assert.match(r.out, /metrics:\s+active-sessions, .*bstreams-60/);
    for (const s of ['activity-level', 'month', 'mvpd']) assert.match(r.out, new RegExp(`^${s}\\s+/cmu/v2/year/duration/occurrences/${s}$`, 'm'));
  });

  it('as JSON (the default off a terminal); the root lists billing/daily from the catalog in the table', async () => {
    const r = await run(['browse', '/cmu/v2/year']);
    assert.equal(r.code, 0, r.err);
    const n = JSON.parse(r.out) as { path: string[]; drillDown: { name: string }[]; rollUp?: { path: string[] }; source: string };
    assert.deepEqual(n.path, ['year']);
    assert.equal(n.source, 'server');
    assert.deepEqual(n.rollUp?.path, []);
    assert.ok(n.drillDown.some((l) => l.name === 'duration'));
    const root = await run(['browse', '--format', 'table']);
    assert.match(root.out, /also \(catalog\): \/cmu\/v2\/billing\/daily\s+needs cmu:billing:client/);
  });

  it('exit 1 with the server\'s 404; exit 1 with the catalog\'s advice when the server fails; exit 2 for bad usage', async () => {
    const nf = await run(['browse', 'year/bogus']);
    assert.equal(nf.code, 1);
    assert.match(nf.err, /404/);
    sb.failNext(3, 503, { endpoint: 'cmu' });
    const off = await run(['browse', 'year', '--format', 'json']);
    assert.equal(off.code, 1);
    assert.equal((JSON.parse(off.out) as { source: string }).source, 'catalog');
    assert.match(off.err, /catalog's advice/);
    sb.clearFailures();
    assert.equal((await run(['browse', 'year', '--format', 'xml'])).code, 2);
    assert.equal((await run(['browse', 'year//month'])).code, 2);
  });
});
