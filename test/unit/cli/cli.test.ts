/**
 * The CLI end to end: dist/cli.js as a child process against a sandbox started in this process.
 * Every output of every command is checked for secrets (statement, client secret, access token),
 * except `token --print`, whose whole job is to print the token.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { queryToUrl, parseQueryUrl } from '../../../src/core/cmu/query';
import { parseWindow, resolveWindow } from '../../../src/core/cmu/time/windows';
import { parseZone } from '../../../src/core/cmu/time/zone';
import { HttpClient } from '../../../src/core/http';
import { DEFAULT_TENANT, Sandbox } from '../../../src/sandbox/server';
import { assertNoSecrets, buildCli, runCli, type CliRun } from '../support/cli';

const posix = process.platform !== 'win32';

describe('cli end to end (child process)', function () {
  this.timeout(60_000);
  let tmp: string;
  let cli: string;
  let sb: Sandbox;
  let store: string;
  const secrets = new Set<string>();
  const outputs: { args: string[]; text: string }[] = [];

  async function run(args: string[], opts: { stdin?: string; store?: string; env?: Record<string, string>; noUrl?: boolean; record?: boolean } = {}): Promise<CliRun> {
    const base = ['--store', opts.store ?? store];
    if (!opts.noUrl) base.push('--dcr-url', sb.dcrOrigin);
    const all = [...base, ...args];
    const r = await runCli(cli, all, opts);
    if (opts.record !== false) outputs.push({ args: all, text: r.stdout + '\n' + r.stderr });
    return r;
  }

  /** The client secret as the session stored it (whatever its JSON shape). */
  function collectStoredSecrets(dir: string): void {
    for (const f of fs.readdirSync(dir)) {
      const env = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { value: string };
      try {
        const v = JSON.parse(env.value) as Record<string, unknown>;
        for (const k of ['clientSecret', 'client_secret', 'accessToken', 'access_token']) if (typeof v[k] === 'string') secrets.add(v[k] as string);
      } catch {
        if (env.value.split('.').length === 3) secrets.add(env.value);
      }
    }
  }

  async function serverBody(href: string, token: string): Promise<{ body: Buffer; contentType: string }> {
    const http = new HttpClient();
    const res = await http.request({ method: 'GET', url: queryToUrl(parseQueryUrl(href), sb.cmuBase), headers: { Authorization: `Bearer ${token}` } });
    assert.strictEqual(res.status, 200, `server answered ${res.status}`);
    return { body: await res.buffer(), contentType: res.contentType };
  }

  const day = (d: number) => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - d)).toISOString().slice(0, 10);
  // the report zone (the CLI's and the sandbox's default, fixed UTC−8): its days and hours decide partial buckets
  const zoneNow = () => new Date(Date.now() - 8 * 3_600_000);
  const zday = (d: number) => new Date(Date.UTC(zoneNow().getUTCFullYear(), zoneNow().getUTCMonth(), zoneNow().getUTCDate() - d)).toISOString().slice(0, 10);
  const zoneHours = () => zoneNow().getUTCHours();
  const START = day(7);
  const END = day(1);
  const REPORT = '/cmu/v2/tenant/year/month/day';

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-cli-'));
    cli = await buildCli(tmp);
    sb = await Sandbox.start({ port: 0, throttle: false });
    store = path.join(tmp, 'store'); // created by the CLI
    secrets.add(sb.statement);
  });

  after(async () => {
    await sb?.stop();
    assertNoSecrets(outputs, secrets); // token --print is not recorded
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('usage errors exit 2', () => {
    it('no command, unknown command, unknown option, missing argument', async () => {
      for (const args of [[], ['frobnicate'], ['token', '--nope'], ['report'], ['statement', 'import']]) {
        const r = await run(args);
        assert.strictEqual(r.code, 2, `cmu ${args.join(' ')} → ${r.code}\n${r.stderr}`);
        assert.ok(r.stderr.length > 0 || r.stdout.includes('Usage'), `no message for ${args.join(' ')}`);
      }
    });

    it('--help and --version exit 0', async () => {
      const h = await run(['--help']);
      assert.strictEqual(h.code, 0);
      for (const c of ['statement', 'register', 'token', 'sandbox', 'doctor', 'report', 'demo']) assert.ok(h.stdout.includes(c), c);
      const v = await run(['--version']);
      assert.strictEqual(v.code, 0);
      assert.match(v.stdout, /^\d+\.\d+\.\d+/);
    });

    it('refuses plain http to a non-loopback host, a DCR URL with a path, a bad profile', async () => {
      let r = await run(['--dcr-url', 'http://example.com', 'statement', 'show'], { noUrl: true });
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /https/);
      r = await run(['--dcr-url', `${sb.dcrOrigin}/o/client/register`, 'statement', 'show'], { noUrl: true });
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /origin/);
      r = await run(['--profile', '../x', 'statement', 'show']);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /profile/i);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack');
    });

    it('commands that need a statement say so (exit 2) before one is imported', async () => {
      for (const args of [['statement', 'show'], ['register'], ['token']]) {
        const r = await run(args, { store: path.join(tmp, 'empty') });
        assert.strictEqual(r.code, 2, args.join(' '));
        assert.match(r.stderr, /statement import/);
      }
    });
  });

  describe('statement → register → token', () => {
    it('rejects a malformed statement with exit 2 and a specific message', async () => {
      const bad = path.join(tmp, 'bad.jwt');
      fs.writeFileSync(bad, 'not-a-jws\n');
      let r = await run(['statement', 'import', bad]);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /^error: /m);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack');
      r = await run(['statement', 'import', '-'], { stdin: 'a.b.c.d.e' });
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /JWE|five/i);
      r = await run(['statement', 'import', path.join(tmp, 'missing.jwt')]);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /Cannot read/);
    });

    it('imports from a file (with line breaks and a trailing newline)', async () => {
      const file = path.join(tmp, 'statement.txt');
      fs.writeFileSync(file, sb.statement.replace(/(.{60})/g, '$1\n') + '\n');
      const r = await run(['statement', 'import', file]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /imported/);
      assert.match(r.stdout, /RS256/);
    });

    (posix ? it : it.skip)('keeps the store 0700 and its files 0600', () => {
      assert.strictEqual(fs.statSync(store).mode & 0o777, 0o700);
      const files = fs.readdirSync(store);
      assert.ok(files.length >= 1);
      for (const f of files) assert.strictEqual(fs.statSync(path.join(store, f)).mode & 0o777, 0o600, f);
    });

    it('imports from stdin (-)', async () => {
      const other = path.join(tmp, 'stdin-store');
      const r = await run(['statement', 'import', '-'], { stdin: `  ${sb.statement}\n`, store: other });
      assert.strictEqual(r.code, 0, r.stderr);
      const show = await run(['statement', 'show'], { store: other });
      assert.strictEqual(show.code, 0, show.stderr);
    });

    it('statement show prints the decoded header and claims, signature elided', async () => {
      const r = await run(['statement', 'show']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /header:/);
      assert.match(r.stdout, /alg:\s+RS256/);
      assert.match(r.stdout, /claims:/);
      assert.match(r.stdout, /sub:/);
      assert.match(r.stdout, /signature: \(elided\)/);
    });

    it('register prints the client_id only', async () => {
      const before = sb.stats.register;
      const r = await run(['register']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /^client_id: \S+\n$/);
      assert.strictEqual(sb.stats.register, before + 1);
      collectStoredSecrets(store);
    });

    it('token prints expiry, remaining time and scopes; reuses the cached token; --refresh gets a new one', async () => {
      const t0 = sb.stats.token;
      let r = await run(['token']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /expires:\s+\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC \(.+ local\)/);
      assert.match(r.stdout, /valid for \d+h \d+m/);
      assert.match(r.stdout, /scopes:\s+\S/);
      assert.strictEqual(sb.stats.token, t0 + 1);
      r = await run(['token']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(sb.stats.token, t0 + 1, 'cached token reused');
      r = await run(['token', '--refresh']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(sb.stats.token, t0 + 2, '--refresh gets a new token');
      collectStoredSecrets(store);
    });

    it('token --print prints the raw access token only', async () => {
      const r = await run(['token', '--print'], { record: false });
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
      assert.strictEqual(r.stderr, '');
      secrets.add(r.stdout.trim());
    });

    it('exit 1 when the server refuses or fails, with the explanation and a hint, no stack', async () => {
      sb.failNext(1, 503, { endpoint: 'token' });
      const r = await run(['token', '--refresh']);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stderr, /^error: /m);
      assert.ok(r.stderr.split('\n').length >= 2, 'explanation line');
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack');
      assert.strictEqual(r.stdout, '');
    });

    it('a corrupted store file does not crash the CLI', async () => {
      const files = fs.readdirSync(store).filter((f) => /token/.test(f));
      assert.strictEqual(files.length, 1, files.join(','));
      fs.writeFileSync(path.join(store, files[0]), '{garbage');
      const r = await run(['token']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stderr, /corrupted/);
      assert.match(r.stdout, /valid for/);
      collectStoredSecrets(store);
    });

    it('--verbose prints the redacted HTTP exchanges on stderr', async () => {
      const r = await run(['--verbose', 'token', '--refresh']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stderr, /\[http\] POST http:\/\/127\.0\.0\.1:\d+\/o\/client\/token -> 20\d/);
      assert.ok(!r.stdout.includes('[http]'));
      collectStoredSecrets(store);
    });
  });

  describe('report', () => {
    let token = '';
    before(async () => {
      const r = await run(['token', '--print'], { record: false });
      token = r.stdout.trim();
      secrets.add(token);
    });
    const flags = ['--start', START, '--end', END];

    it('json: the server document pretty-printed', async () => {
      const r = await run(['report', REPORT, ...flags, '--format', 'json']);
      assert.strictEqual(r.code, 0, r.stderr);
      const { body } = await serverBody(`${REPORT}?start=${START}&end=${END}`, token);
      assert.strictEqual(r.stdout, JSON.stringify(JSON.parse(body.toString('utf8')), null, 2) + '\n');
      assert.ok((JSON.parse(r.stdout) as { report: unknown[] }).report.length > 0);
    });

    for (const fmt of ['csv', 'xml'] as const) {
      it(`${fmt}: the server's bytes unchanged`, async () => {
        const r = await run(['report', REPORT, ...flags, '--format', fmt]);
        assert.strictEqual(r.code, 0, r.stderr);
        const { body } = await serverBody(`${REPORT}.${fmt}?start=${START}&end=${END}`, token);
        assert.ok(body.length > 100);
        assert.ok(r.out.equals(body), `${fmt} bytes differ`);
      });
    }

    it('a path extension picks the format; filters, dimensions, metrics and limit reach the server', async () => {
      const r = await run(['report', 'tenant/year/month/day/mvpd.csv', ...flags, '--filter', 'mvpd!=nope', '--metrics', 'active-users', '--limit', '3']);
      assert.strictEqual(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split(/\r?\n/);
      assert.ok(lines.length <= 4, `limit 3: ${lines.length} lines`);
      assert.match(lines[0], /active-users/);
      assert.ok(!/started-sessions/.test(lines[0]));
    });

    it('table: aligned columns', async () => {
      const r = await run(['report', REPORT, ...flags, '--format', 'table']);
      assert.strictEqual(r.code, 0, r.stderr);
      const all = r.stdout.split('\n');
      assert.strictEqual(all[0], `time: Custom range · ${START} → ${END} (UTC\u221208:00)`);
      const lines = all.slice(2);
      assert.match(lines[0], /^tenant\s+year\s+month\s+day\s+/);
      assert.match(lines[1], /^-+( +-+)+$/);
      // every data row ends its columns where the rule does
      const rule = lines[1];
      const ends = [...rule.matchAll(/-+/g)].map((m) => m.index! + m[0].length);
      const data = lines.slice(2, lines.indexOf('', 2));
      assert.ok(data.length >= 5, `${data.length} rows`);
      for (const l of data) assert.strictEqual(l.length, ends[ends.length - 1], `ragged row: ${JSON.stringify(l)}`);
      assert.match(r.stdout, /\n\d+ rows/);
    });

    it('table: derived ratios from the server’s columns, marked as derived; the bucket that contains now flagged partial', async () => {
      const today = zday(0);
      const r = await run(['report', REPORT, '--start', zday(2), '--format', 'table']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout.split('\n')[0], /^time: Custom range · .* \(UTC\u221208:00\)$/);
      const lines = r.stdout.split('\n').slice(2);
      const head = lines[0].split(/\s{2,}/);
      assert.ok(head.includes('failure-rate*') && head.includes('completion-rate*') && head.includes('dismissed-killed-share*'), lines[0]);
      assert.strictEqual(head[head.length - 1], 'note');
      assert.match(r.stdout, /^\* failure-rate = failed-attempts \/ \(started-sessions \+ failed-attempts\) \(derived here, not sent by CMU\)$/m);
      assert.match(r.stdout, /^partial: 1 row\(s\), the period is not over yet$/m);
      // yesterday is still within the day reports' 3-hour freshness delay until 03:00 in the report zone
      const fresh = zoneHours() < 3 ? String(Number(zday(1).slice(8))) : undefined;
      const { body } = await serverBody(`${REPORT}?start=${zday(2)}`, token);
      const records = (JSON.parse(body.toString('utf8')) as { report: Record<string, string>[] }).report;
      const data = lines.slice(2, lines.indexOf('', 2)).map((l) => l.trim().split(/\s+/));
      assert.strictEqual(data.length, records.length);
      data.forEach((cells, i) => {
        const f = Number(records[i]['failed-attempts']);
        const s = Number(records[i]['started-sessions']);
        assert.strictEqual(cells[head.indexOf('failure-rate*')], `${((f / (f + s)) * 100).toFixed(1)}%`);
        const partial = records[i].day === String(Number(today.slice(8))) || records[i].day === fresh;
        assert.strictEqual(cells[cells.length - 1] === 'partial', partial, `row ${i}: ${cells.join(' ')}`);
      });
    });

    it('--compare previous --format json: both periods as the server sent them, and the deltas', async () => {
      const [s, e] = [day(4), day(1)];
      const r = await run(['report', `${REPORT}/mvpd`, '--start', s, '--end', e, '--metrics', 'started-sessions,failed-attempts,active-users', '--compare', 'previous', '--format', 'json']);
      assert.strictEqual(r.code, 0, r.stderr);
      type Delta = { value: number | null; previous: number | null; delta: number | null; deltaPct: number | null };
      const doc = JSON.parse(r.stdout) as {
        compare: string;
        current: { start: string; end: string; document: unknown };
        previous: { start: string; end: string; document: unknown };
        metrics: string[];
        rows: { dimensions: Record<string, string>; previousTime: Record<string, string>; metrics: Record<string, Delta> }[];
        excludedPartial: number;
      };
      assert.strictEqual(doc.compare, 'previous');
      assert.deepStrictEqual([doc.current.start, doc.current.end, doc.previous.start, doc.previous.end], [s, e, day(7), s]);
      const metrics = 'metrics=started-sessions,failed-attempts,active-users';
      const cur = JSON.parse((await serverBody(`${REPORT}/mvpd?start=${s}&end=${e}&${metrics}`, token)).body.toString('utf8')) as { report: Record<string, string>[] };
      const prev = JSON.parse((await serverBody(`${REPORT}/mvpd?start=${day(7)}&end=${s}&${metrics}`, token)).body.toString('utf8')) as { report: Record<string, string>[] };
      assert.deepStrictEqual(doc.current.document, cur);
      assert.deepStrictEqual(doc.previous.document, prev);
      assert.deepStrictEqual(doc.metrics, ['started-sessions', 'failed-attempts', 'active-users', 'failure-rate']);
      assert.strictEqual(doc.rows.length, cur.report.length);
      assert.strictEqual(doc.excludedPartial, 0);
      for (const row of doc.rows) {
        const c = cur.report.find((x) => x.day === row.dimensions.day && x.mvpd === row.dimensions.mvpd);
        const p = prev.report.find((x) => x.day === row.previousTime.day && x.month === row.previousTime.month && x.mvpd === row.dimensions.mvpd);
        assert.ok(c && p, JSON.stringify(row.dimensions));
        const d = row.metrics['started-sessions'];
        assert.deepStrictEqual([d.value, d.previous, d.delta], [Number(c['started-sessions']), Number(p['started-sessions']), Number(c['started-sessions']) - Number(p['started-sessions'])]);
        assert.ok(Math.abs((d.deltaPct as number) - ((d.delta as number) / (d.previous as number)) * 100) < 1e-9);
      }
      // the earlier bucket is three days earlier (a three-day window)
      const first = doc.rows[0];
      assert.strictEqual(Date.UTC(+first.dimensions.year, +first.dimensions.month - 1, +first.dimensions.day) - Date.UTC(+first.previousTime.year, +first.previousTime.month - 1, +first.previousTime.day), 3 * 86_400_000);
    });

    it('--compare week --format table: value, prev, Δ, Δ%; the partial bucket left out unless asked', async () => {
            let r = await run(['report', REPORT, '--start', zday(2), '--metrics', 'started-sessions', '--compare', 'week', '--format', 'table']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout.split('\n')[0], /^tenant\s+year\s+month\s+day\s+started-sessions\s+started-sessions prev\s+started-sessions Δ\s+started-sessions Δ%$/);
      const partial = zoneHours() < 3 ? 2 : 1; // yesterday is within the 3-hour freshness delay until 03:00 in the report zone
      assert.match(r.stdout, new RegExp(`^${3 - partial} rows?: .* \\(week\\)$`, 'm'));
      assert.match(r.stdout, new RegExp(`^${partial} row\\(s\\) with a partial bucket left out`, 'm'));
      r = await run(['report', REPORT, '--start', zday(2), '--metrics', 'started-sessions', '--compare', 'week', '--include-partial', '--format', 'table']);
      assert.match(r.stdout, /^3 rows: /m);
      for (const args of [['--compare', 'year'], ['--compare', 'week', '--format', 'csv'], ['--include-partial']]) {
        r = await run(['report', REPORT, '--start', zday(2), ...args]);
        assert.strictEqual(r.code, 2, args.join(' '));
      }
    });

    it('--out streams the body to a file (csv bytes as sent), nothing on stdout', async () => {
      const file = path.join(tmp, 'out.csv');
      const r = await run(['report', REPORT, ...flags, '--format', 'csv', '--out', file]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(r.stdout, '');
      assert.match(r.stderr, /wrote \d+ bytes/);
      const { body } = await serverBody(`${REPORT}.csv?start=${START}&end=${END}`, token);
      assert.ok(fs.readFileSync(file).equals(body));
      assert.deepStrictEqual(
        fs.readdirSync(tmp).filter((f) => f.endsWith('.part')),
        [],
      );
    });

    /** The start/end the server echoed in its self link, and the window resolved just before and after the run. */
    async function sentWindow(args: string[], window: string, zone: string): Promise<{ sent: string[]; expected: string[][]; stdout: string }> {
      const resolve = () => {
        const w = resolveWindow(parseWindow(window), parseZone(zone), Date.now());
        return [w.start ?? '', w.end ?? ''];
      };
      const before = resolve();
      const r = await run(['report', ...args, '--format', 'json']);
      const after = resolve();
      assert.strictEqual(r.code, 0, r.stderr);
      const self = parseQueryUrl((JSON.parse(r.stdout) as { _links: { self: { href: string } } })._links.self.href);
      return { sent: [self.start ?? '', self.end ?? ''], expected: [before, after], stdout: r.stdout };
    }

    it('--window is resolved at run time in the report time zone: today at -08:00 (the default) is 08:00Z → 08:00Z', async () => {
      const { sent, expected } = await sentWindow(['tenant/year/month/day/hour', '--window', 'today'], 'today', '-08:00');
      assert.ok(expected.some((e) => e.join() === sent.join()), `sent ${sent.join(' → ')}, expected ${expected[0].join(' → ')}`);
      assert.match(sent[0], /T00:00:00$/);
      const startZ = new Date(sent[0] + '-08:00').toISOString();
      assert.match(startZ, /T08:00:00\.000Z$/);
      assert.strictEqual(new Date(sent[1] + '-08:00').getTime() - new Date(startZ).getTime(), 24 * 3_600_000);
    });

    it('--tz UTC (and CMU_TZ) make everything UTC again; a day report without --window gets the last 7 whole days', async () => {
      const utc = await sentWindow(['tenant/year/month/day/hour', '--window', 'today', '--tz', 'UTC'], 'today', 'UTC');
      assert.ok(utc.expected.some((e) => e.join() === utc.sent.join()), utc.sent.join());
      const env = await run(['report', REPORT, '--format', 'table'], { env: { CMU_TZ: 'UTC' } });
      assert.strictEqual(env.code, 0, env.stderr);
      const header = env.stdout.split('\n')[0];
      assert.match(header, /^time: Last 7 days · \d{4}-\d{2}-\d{2} 00:00 → \d{4}-\d{2}-\d{2} 00:00 \(UTC\)$/);
      const [from, to] = header.match(/\d{4}-\d{2}-\d{2}/g)!;
      assert.strictEqual(Date.parse(to) - Date.parse(from), 7 * 86_400_000);
    });

    it('--window server sends no start/end; the table shows the range the server applied', async () => {
      const r = await run(['report', REPORT, '--window', 'server', '--format', 'table', '--tz', 'America/Los_Angeles']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout.split('\n')[0], /^time: Server default · \S+ \S+ → \S+ \S+ \(America\/Los_Angeles \(P[SD]T\)\)$/);
    });

    it('bad zones and windows are usage errors (exit 2) that show the syntax', async () => {
      let r = await run(['--tz', 'Mars/Olympus', 'report', REPORT, '--format', 'json']);
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, /Bad --tz: `Mars\/Olympus` is not a time zone; use an offset such as -08:00/);
      r = await run(['report', REPORT, '--format', 'json'], { env: { CMU_TZ: 'PDT' } });
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, /Bad CMU_TZ/);
      r = await run(['report', REPORT, '--window', '30m', '--format', 'json']);
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, /30min for minutes or 30mo for months/);
      r = await run(['report', REPORT, '--window', '7d', '--start', START, '--format', 'json']);
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, /--window and --start\/--end/);
    });

    it('structural problems are usage errors (exit 2), refused before any request', async () => {
      const before = sb.stats.cmu;
      for (const args of [
        ['report', 'tenant/tenant', '--format', 'json'],
        ['report', 'tenant/limit', '--format', 'json'],
        ['report', REPORT, '--start', '2024-02-31', '--format', 'json'],
        ['report', REPORT, '--filter', 'mvpd', '--format', 'json'],
        ['report', REPORT, '--filter', 'start=2024', '--format', 'json'],
        ['report', REPORT, '--limit', '-1', '--format', 'json'],
      ]) {
        const r = await run(args);
        assert.strictEqual(r.code, 2, args.join(' ') + '\n' + r.stderr);
      }
      const r = await run(['report', REPORT, '--format', 'pdf']);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /json, csv, xml, table/);
      assert.strictEqual(sb.stats.cmu, before, 'no request reached CMU');
    });

    // the catalog advises, the server decides
    it('paths, metrics and filter dimensions the catalog does not know reach the server; its answer and exit code are printed', async () => {
      for (const args of [
        ['report', 'tenant/yaer'],
        ['report', 'billing/daily'],
        ['report', 'year/duration/occurrences/activity-level/month/tenant', '--filter', 'tenant=X'],
        ['report', 'year/duration', '--metrics', 'bstreams-60'],
        ['report', REPORT, '--filter', 'no-such-dim=X', ...flags],
      ]) {
        const before = sb.stats.cmu;
        const r = await run([...args, '--format', 'json']);
        assert.ok(sb.stats.cmu > before, `${args.join(' ')}: no request reached CMU\n${r.stderr}`);
        assert.notStrictEqual(r.code, 2, `${args.join(' ')}: refused locally\n${r.stderr}`);
        // exit 0 with the document, or exit 1 with the server's own text (the sandbox may not serve it)
        if (r.code === 0) JSON.parse(r.stdout);
        else assert.match(r.stderr, /^error: /m);
      }
      // the real backend's tree: served by the sandbox as it is, exit 0, exactly the server's document, and no
      // wrong catalog advice (the sandbox's client sees only its own tenant: another tenant is the server's 403, above)
      for (const [args, href] of [
        [['report', 'billing/daily'], `/cmu/v2/billing/daily?start=${START}&end=${END}`],
        [
          ['report', 'year/duration/occurrences/activity-level/month/tenant', '--filter', `tenant=${DEFAULT_TENANT}`],
          `/cmu/v2/year/duration/occurrences/activity-level/month/tenant?tenant=${DEFAULT_TENANT}&start=${START}&end=${END}`,
        ],
        // a node without harvested columns has its parent's (year's) metrics
        [['report', 'year/duration', '--metrics', 'bstreams-60'], `/cmu/v2/year/duration?start=${START}&end=${END}&metrics=bstreams-60`],
      ] as const) {
        const r = await run([...args, ...flags, '--format', 'json']);
        assert.strictEqual(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
        assert.doesNotMatch(r.stderr, /warning:/, `${args.join(' ')}: wrong advice\n${r.stderr}`);
        const { body } = await serverBody(href, token);
        const served = JSON.parse(body.toString('utf8')) as { report: Record<string, string>[] };
        assert.ok(served.report.length > 0, href);
        assert.strictEqual(r.stdout, JSON.stringify(served, null, 2) + '\n', args.join(' '));
      }
      const bstreams = JSON.parse((await run(['report', 'year/duration', '--metrics', 'bstreams-60', ...flags, '--format', 'json'])).stdout) as { report: Record<string, string>[] };
      assert.deepStrictEqual(Object.keys(bstreams.report[0]), ['year', 'duration', 'bstreams-60']);
      const typo = await run(['report', 'tenant/yaer', '--format', 'json']);
      assert.match(typo.stderr, /warning: .*`yaer`.*did you mean `year`/);
    });

    it('a path and a metric no document and no catalog names, that the server serves: sent with a warning, exit 0, exactly what it served', async () => {
      sb.serveExtraReport('year/screen-class', 'resumed-streams');
      const before = sb.stats.cmu;
      const r = await run(['report', 'year/screen-class', '--metrics', 'resumed-streams', ...flags, '--format', 'json']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(sb.stats.cmu, before + 1, 'one request');
      assert.match(r.stderr, /warning: .*`screen-class`/);
      assert.match(r.stderr, /warning: .*`resumed-streams`/);
      assert.doesNotMatch(r.stderr, /error:/);
      const { body } = await serverBody(`/cmu/v2/year/screen-class?start=${START}&end=${END}&metrics=resumed-streams`, token);
      assert.strictEqual(r.stdout, JSON.stringify(JSON.parse(body.toString('utf8')), null, 2) + '\n');
      const doc = JSON.parse(r.stdout) as { report: Record<string, string>[] };
      assert.deepStrictEqual(Object.keys(doc.report[0]), ['year', 'screen-class', 'resumed-streams']);
      // the table shows the server's columns too
      const table = await run(['report', 'year/screen-class', '--metrics', 'resumed-streams', ...flags, '--format', 'table']);
      assert.strictEqual(table.code, 0, table.stderr);
      assert.match(table.stdout, /screen-class.*resumed-streams/);
      assert.match(table.stdout, /screen-class-b/);
    });

    it('a 404 without links: the hint offers the closest answering ancestor\'s drill-down children, from the server', async () => {
      sb.serveExtraReport('year/screen-class', 'resumed-streams');
      const before = sb.stats.cmu;
      const r = await run(['report', 'year/bogus', ...flags, '--format', 'json']);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.strictEqual(sb.stats.cmu - before, 2, 'the 404, then /year');
      assert.match(r.stderr, /^error: No pre-aggregation for \/year\/bogus \(404\)/m);
      const hint = r.stderr.split('\n').find((l) => l.includes('hint: next steps from /year'));
      assert.ok(hint, r.stderr);
      assert.match(hint, /the server's links/);
      // screen-class only the server names; each step is a command to type
      assert.match(hint, /report year\/screen-class/);
      assert.match(hint, /report year\/duration/);
    });

    it('a CMU refusal is exit 1 with the explanation on stderr', async () => {
      sb.failNext(1, 403, { endpoint: 'cmu' });
      const r = await run(['report', REPORT, ...flags, '--format', 'json']);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stderr, /^error: .*403|scope/im);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack');
    });
  });

  describe('report: --out for each format, and every failure leaves FILE as it was', () => {
    const flags = ['--start', START, '--end', END];
    let token = '';
    before(async () => {
      token = (await run(['token', '--print'], { record: false })).stdout.trim();
      secrets.add(token);
    });
    const parts = () => fs.readdirSync(tmp).filter((f) => f.endsWith('.part'));
    /** FILE holds `old`; after a failed run it must still hold it, with no temp file around. */
    async function failing(args: string[], file: string): Promise<CliRun> {
      fs.writeFileSync(file, 'old');
      const r = await run(['report', REPORT, ...flags, ...args, '--out', file]);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'old', 'FILE unchanged');
      assert.deepStrictEqual(parts(), []);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack');
      return r;
    }

    it('json --out: the pretty-printed document, the same as on stdout; xml --out: the bytes as sent', async () => {
      const file = path.join(tmp, 'out.json');
      const r = await run(['report', REPORT, ...flags, '--format', 'json', '--out', file]);
      assert.strictEqual(r.code, 0, r.stderr);
      const stdout = await run(['report', REPORT, ...flags, '--format', 'json']);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), stdout.stdout);
      const { body } = await serverBody(`${REPORT}?start=${START}&end=${END}`, token);
      assert.strictEqual(stdout.stdout, JSON.stringify(JSON.parse(body.toString('utf8')), null, 2) + '\n');
      const xml = path.join(tmp, 'out.xml');
      assert.strictEqual((await run(['report', REPORT, ...flags, '--format', 'xml', '--out', xml])).code, 0);
      assert.ok(fs.readFileSync(xml).equals((await serverBody(`${REPORT}.xml?start=${START}&end=${END}`, token)).body));
      const table = path.join(tmp, 'out.txt');
      assert.strictEqual((await run(['report', REPORT, ...flags, '--format', 'table', '--out', table])).code, 0);
      assert.match(fs.readFileSync(table, 'utf8'), /^time: Custom range · .+\n\ntenant\s+year\s+month\s+day/);
      assert.deepStrictEqual(parts(), []);
    });

    it('404: no pre-aggregation, with the valid next steps', async () => {
      sb.failNext(1, 404, { endpoint: 'cmu' });
      const r = await failing(['--format', 'csv'], path.join(tmp, 'f404.csv'));
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /No pre-aggregation for \/tenant\/year\/month\/day/);
      assert.match(r.stderr, /next steps from \/tenant\/year\/month are: day/);
    });

    it('400: the server\'s text', async () => {
      sb.failNext(1, 400, { endpoint: 'cmu', error: 'start must be before end' });
      const r = await failing(['--format', 'json'], path.join(tmp, 'f400.json'));
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /start must be before end/);
    });

    it('401: one token refresh, then the report', async () => {
      sb.revokeTokens();
      const tokens = sb.stats.token;
      const file = path.join(tmp, 'f401.csv');
      const r = await run(['report', REPORT, ...flags, '--format', 'csv', '--out', file]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(sb.stats.token - tokens, 1);
      assert.match(fs.readFileSync(file, 'utf8'), /^tenant,year,month,day,/);
    });

    it('403: a message about scopes', async () => {
      sb.failNext(1, 403, { endpoint: 'cmu' });
      const r = await failing(['--format', 'xml'], path.join(tmp, 'f403.xml'));
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /scopes/);
    });

    it('503: retried a bounded number of times, then an error; a transient one is invisible', async () => {
      sb.failNext(10, 503, { endpoint: 'cmu', retryAfterSec: 0 });
      const before = sb.stats.cmu;
      const r = await failing(['--format', 'csv'], path.join(tmp, 'f503.csv'));
      sb.clearFailures();
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /unavailable \(503\)/);
      assert.strictEqual(sb.stats.cmu - before, 3);
      sb.failNext(1, 503, { endpoint: 'cmu', retryAfterSec: 0 });
      assert.strictEqual((await run(['report', REPORT, ...flags, '--format', 'csv'])).code, 0);
    });

    it('an HTML page (200 or 502) instead of the report: refused, nothing written', async () => {
      for (const [status, format] of [[200, 'csv'], [200, 'json'], [502, 'xml']] as const) {
        sb.failNext(status === 502 ? 3 : 1, status, { endpoint: 'cmu', html: true, retryAfterSec: 0 });
        const r = await failing(['--format', format], path.join(tmp, `fhtml.${format}`));
        assert.strictEqual(r.code, 1, r.stderr);
        assert.match(r.stderr, status === 200 ? /HTML page instead of a (CSV|JSON) report/ : /\(502\).*\n.*Bad Gateway/);
      }
      sb.failNext(1, 200, { endpoint: 'cmu', html: true });
      const r = await run(['report', REPORT, ...flags, '--format', 'csv']);
      assert.strictEqual(r.code, 1);
      assert.strictEqual(r.stdout, '', 'no HTML on stdout');
    });

    it('a body cut short: an error that says to retry, no partial file', async () => {
      for (const format of ['csv', 'json'] as const) {
        sb.failNext(1, 200, { endpoint: 'cmu', cutAfterBytes: 500 });
        const r = await failing(['--format', format], path.join(tmp, `fcut.${format}`));
        assert.strictEqual(r.code, 1, r.stderr);
        assert.match(r.stderr, /closed before the whole (answer|response) arrived|cut short/);
        assert.match(r.stderr, /Try again/);
      }
    });

    it('Ctrl+C in the middle of a 200k-row download: exit 130, no partial file, FILE unchanged', async function () {
      const file = path.join(tmp, 'huge.csv');
      fs.writeFileSync(file, 'old');
      let sent = false;
      const r = await runCli(cli, ['--store', store, '--dcr-url', sb.dcrOrigin, 'report', sb.hugeReportHref(200_000, 'csv'), '--out', file], {
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (parts().length > 0 && !sent) {
              sent = true;
              child.kill('SIGINT');
            }
          }, 5);
          child.once('close', () => clearInterval(poll));
        },
      });
      assert.ok(sent, 'the download had started');
      assert.strictEqual(r.code, 130, r.stderr);
      assert.match(r.stderr, /cancelled/);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'old');
      assert.deepStrictEqual(parts(), []);
    });
  });

  it('demo: statement → client → token summary → a CMU report as a table, exit 0', async () => {
    const r = await run(['demo'], { store: path.join(tmp, 'demo-store'), noUrl: true });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /client_id [0-9a-f-]{8,}/);
    assert.match(r.stdout, /valid for \d+h \d+m/);
    assert.match(r.stdout, /^tenant\s+year\s+month\s+day\s+active-users/m);
    assert.match(r.stdout, /^\d+ rows/m);
    assert.ok(fs.existsSync(path.join(tmp, 'demo-store')), 'uses the given --store');
  });

  describe('sandbox', () => {
    it('runs in the foreground, writes its statement 0600, imports it, and stops on SIGTERM with exit 0', async () => {
      const dir = path.join(tmp, 'sandbox-store');
      const stFile = path.join(tmp, 'sandbox-statement.jwt');
      const child = spawn(process.execPath, [cli, '--store', dir, 'sandbox', '--port', '0', '--statement-out', stFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const origin = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          const m = /dcr origin:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m && /drop the two URL flags/.test(stdout)) resolve(m[1]);
        });
        child.on('close', () => reject(new Error(`sandbox exited: ${stderr}`)));
      });
      try {
        const statement = fs.readFileSync(stFile, 'utf8').trim();
        secrets.add(statement);
        if (posix) assert.strictEqual(fs.statSync(stFile).mode & 0o777, 0o600);
        assert.match(stdout, /cmu base:\s+http:\/\/127\.0\.0\.1:\d+\/cmu\/v2/);
        assert.match(stdout, new RegExp(`cmu --dcr-url ${origin} --store \\S+ register`));
        assert.ok(!stdout.includes(statement));
        // the statement is already in the store for that sandbox: register works right away
        const reg = await run(['--dcr-url', origin, 'register'], { store: dir, noUrl: true });
        assert.strictEqual(reg.code, 0, reg.stderr);
        assert.match(reg.stdout, /^client_id: /);
        collectStoredSecrets(dir);
      } finally {
        child.kill('SIGTERM');
      }
      assert.strictEqual(await exited, 0, stderr);
      outputs.push({ args: ['sandbox'], text: stdout + stderr });
    });
  });

  describe('doctor', () => {
    it('a good chain: every step ok, exit 0', async () => {
      const r = await run(['doctor']);
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^ {2}time zone: {2}UTC\u221208:00 \(/m);
      for (const step of ['statement', 'credentials', 'token', 'clock', 'cmu']) assert.match(r.stdout, new RegExp(`^\\[ok\\]\\s+${step}\\b`, 'm'), step);
    });

    it('no statement: fails at the first step with the fix, exit 2', async () => {
      const r = await run(['doctor'], { store: path.join(tmp, 'doctor-empty') });
      assert.strictEqual(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, /^\[FAIL\] statement/m);
      assert.match(r.stdout, /fix: .*statement import/);
      assert.match(r.stdout, /^\[skip\] credentials/m);
      assert.match(r.stdout, /^\[skip\] cmu/m);
    });

    it('a statement the server did not sign: fails at credentials with the explanation, exit 1', async () => {
      const other = await Sandbox.start({ port: 0, throttle: false });
      try {
        secrets.add(other.statement);
        const dir = path.join(tmp, 'doctor-foreign');
        const imp = await run(['statement', 'import', '-'], { store: dir, stdin: other.statement });
        assert.strictEqual(imp.code, 0, imp.stderr);
        const r = await run(['doctor'], { store: dir });
        assert.strictEqual(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /^\[ok\]\s+statement/m);
        assert.match(r.stdout, /^\[FAIL\] credentials/m);
        assert.match(r.stdout, /why: /);
        assert.match(r.stdout, /^\[skip\] token/m);
      } finally {
        await other.stop();
      }
    });

    it('CMU failing: fails at the last step, exit 1', async () => {
      sb.failNext(1, 403, { endpoint: 'cmu' });
      const r = await run(['doctor']);
      assert.strictEqual(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /^\[ok\]\s+token/m);
      assert.match(r.stdout, /^\[FAIL\] cmu/m);
    });
  });
});
