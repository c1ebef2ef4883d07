import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  parseQueryFile,
  QueryFileModel,
  sanitizeQuery,
  formatProblems,
  stringify,
  hasHost,
  looksLikeSecretValue,
  keyRegexSource,
  SECRET_KEYS,
  HOST_KEYS,
} from '../../../../../src/core/cmu/savedQueries';
import { writeFileAtomic, type AtomicFs } from '../../../../../src/extension/queries/atomicWrite';
import { InputError } from '../../../../../src/core/errors';
import type { CmuQuery } from '../../../../../src/core/cmu/types';
import { runQueryBuilderFlow, BACK, type BuilderUi, type PickOptions, type InputOptions, type Back } from '../../../../../src/extension/queries/builderFlow';
import { nextSteps, metricsFor, filterableDimensions, allDimensions, allMetrics } from '../../../../../src/core/cmu/catalog';
import { queryToHref, isIsoTime, RESERVED_PARAMS, TIME_SHAPE_SOURCE } from '../../../../../src/core/cmu/query';
import { resolveQueryTime } from '../../../../../src/core/cmu/time/queryTime';
import { NAMED_WINDOWS, WINDOW_COUNT_PATTERN, parseWindow } from '../../../../../src/core/cmu/time/windows';
import { parseZone } from '../../../../../src/core/cmu/time/zone';

const q = (path: string[], extra: Partial<CmuQuery> = {}): CmuQuery => ({ path, filters: [], projections: [], metrics: [], ...extra });
let n = 0;
const seqId = () => `id${++n}`;

describe('saved queries: file model', () => {
  beforeEach(() => (n = 0));

  describe('parsing and validation', () => {
    it('reads an empty text and an empty object as a valid, empty file', () => {
      for (const t of ['', '  \n', '{}', '{"version": 1, "queries": []}']) {
        const r = parseQueryFile(t);
        assert.strictEqual(r.valid, true, t);
        assert.deepStrictEqual(r.model.list(), []);
      }
    });

    it('reads entries into the CmuQuery model, with comments and trailing commas', () => {
      const text = `// shared with the team
{
  "version": 1,
  "queries": [
    /* billing */
    { "id": "a1", "name": "Monthly", "folder": "Billing",
      "query": { "path": ["tenant", "year", "month"], "filters": [{ "dimension": "mvpd", "op": "!=", "values": ["X", "Y"] }],
                 "metrics": ["active-users"], "start": "2024-01", "end": "2024-06-30T00:00:00Z", "limit": 50, "format": "csv" } },
    { "id": "b2", "name": "Root", "query": { "path": [] } },
  ],
}`;
      const r = parseQueryFile(text);
      assert.deepStrictEqual(r.problems, []);
      assert.strictEqual(r.valid, true);
      const [a, b] = r.model.list();
      assert.deepStrictEqual(a, {
        id: 'a1',
        name: 'Monthly',
        folder: 'Billing',
        query: {
          path: ['tenant', 'year', 'month'],
          filters: [{ dimension: 'mvpd', op: '!=', values: ['X', 'Y'] }],
          projections: [],
          metrics: ['active-users'],
          start: '2024-01',
          end: '2024-06-30T00:00:00Z',
          limit: 50,
          format: 'csv',
        },
      });
      assert.deepStrictEqual(b, { id: 'b2', name: 'Root', query: q([]) });
      assert.deepStrictEqual(r.model.folders(), ['Billing']);
    });

    it('reports broken JSON with the line and column of the problem', () => {
      const text = '{\n  "queries": [\n    { "name": "x", "query": { "path": [] } }\n    { "name": "y" }\n  ]\n}\n';
      const r = parseQueryFile(text);
      assert.strictEqual(r.valid, false);
      assert.ok(r.problems.length >= 1);
      assert.strictEqual(r.problems[0].line, 4);
      assert.strictEqual(r.problems[0].column, 5);
      assert.match(r.problems[0].message, /Comma expected/);
      assert.match(formatProblems(r.problems), /^\.vscode\/cmu-queries\.json:4:5: error: Comma expected/);
    });

    it('reports schema errors at the line of the offending value', () => {
      const text = [
        '{', //1
        '  "queries": [', //2
        '    { "id": "a", "name": "ok", "query": { "path": ["tenant"] } },', //3
        '    { "id": "b", "name": "bad op",', //4
        '      "query": { "path": ["tenant"],', //5
        '                 "filters": [{ "dimension": "mvpd", "op": "~", "values": ["X"] }] } },', //6
        '    { "id": "c", "name": "bad limit", "query": {', //7
        '        "path": ["tenant"],', //8
        '        "limit": -3 } },', //9
        '    { "id": "d", "query": { "path": ["tenant/year"] } },', //10
        '    { "id": "a", "name": "dup", "query": { "path": [], "start": "2024-13" } }', //11
        '  ]', //12
        '}',
      ].join('\n');
      const r = parseQueryFile(text);
      assert.strictEqual(r.valid, false);
      const byLine = r.problems.map((p) => `${p.line}: ${p.message}`);
      assert.ok(byLine.some((l) => /^6: .*"op" must be "=" or "!="/.test(l)), byLine.join('\n'));
      assert.ok(byLine.some((l) => /^9: .*limit must be a whole number/i.test(l)), byLine.join('\n'));
      assert.ok(byLine.some((l) => /^10: .*needs a "name"/.test(l)), byLine.join('\n'));
      assert.ok(byLine.some((l) => /^10: .*"tenant\/year" is not a valid name/.test(l)), byLine.join('\n'));
      assert.ok(byLine.some((l) => /^11: .*Duplicate id "a"/.test(l)), byLine.join('\n'));
      assert.ok(byLine.some((l) => /^11: .*"start=2024-13" is not a valid ISO 8601/.test(l)), byLine.join('\n'));
      // the valid entry is still readable (best effort, for display)
      assert.deepStrictEqual(r.model.list().map((s) => s.id), ['a']);
    });

    it('refuses a file that is not an object, or whose queries is not an array', () => {
      assert.strictEqual(parseQueryFile('[]').valid, false);
      const r = parseQueryFile('{\n "queries": {}\n}');
      assert.strictEqual(r.valid, false);
      assert.strictEqual(r.problems[0].line, 2);
    });

    it('gives hand-written entries without an id a stable id from their name', () => {
      const text = '{"queries": [{"name": "Daily MVPD", "query": {"path": []}}, {"name": "Daily MVPD", "query": {"path": []}}]}';
      const ids1 = parseQueryFile(text).model.list().map((s) => s.id);
      const ids2 = parseQueryFile(text).model.list().map((s) => s.id);
      assert.deepStrictEqual(ids1, ['daily-mvpd', 'daily-mvpd-2']);
      assert.deepStrictEqual(ids1, ids2);
    });

    it('checks ISO times', () => {
      for (const ok of ['2024', '2024-11', '2024-11-01', '2024-11-01T10', '2024-11-01T10:30', '2024-11-01T10:30:00Z', '2024-11-01T10:30:00.123+02:00', '1700000000000'])
        assert.ok(isIsoTime(ok), ok);
      for (const bad of ['yesterday', '2024-13', '2024-02-32', '2024-11-01T25', '24-11-01', '2024/11/01']) assert.ok(!isIsoTime(bad), bad);
    });
  });

  describe('secrets and hosts', () => {
    it('marks a file holding a token, a secret or a host as invalid, at the line of the property', () => {
      const text = [
        '{',
        '  "queries": [',
        '    { "id": "a", "name": "x", "query": { "path": [] },',
        '      "access_token": "abc" },',
        '    { "id": "b", "name": "y", "query": { "path": [], "filters": [{ "dimension": "access_token", "op": "=", "values": ["abc"] }] } },',
        '    { "id": "c", "name": "z", "query": { "path": [] }, "host": "mgmt.auth.adobe.com" },',
        '    { "id": "d", "name": "w", "query": { "path": [] }, "link": "https://mgmt.auth.adobe.com/cmu/v2/tenant" },',
        '    { "id": "e", "name": "v", "query": { "path": [] }, "note": "Bearer eyJhbGciOi.eyJzdWIiOi.sig" }',
        '  ]',
        '}',
      ].join('\n');
      const r = parseQueryFile(text);
      assert.strictEqual(r.valid, false);
      const lines = r.problems.map((p) => p.line);
      assert.deepStrictEqual([...new Set(lines)].sort(), [4, 5, 6, 7, 8]);
      assert.ok(r.problems.some((p) => p.line === 4 && /secret/.test(p.message)));
      assert.ok(r.problems.some((p) => p.line === 7 && /https:\/\/mgmt\.auth\.adobe\.com/.test(p.message)));
      // the message never repeats the secret itself
      assert.ok(r.problems.every((p) => !p.message.includes('abc') && !p.message.includes('eyJzdWIiOi')));
    });

    it('strips access_token from a query being saved', () => {
      const { query, stripped } = sanitizeQuery(
        q(['tenant'], { filters: [{ dimension: 'access_token', op: '=', values: ['t0k3n'] }, { dimension: 'mvpd', op: '=', values: ['A'] }], projections: ['access_token'] }),
      );
      assert.deepStrictEqual(query.filters, [{ dimension: 'mvpd', op: '=', values: ['A'] }]);
      assert.deepStrictEqual(query.projections, []);
      assert.deepStrictEqual(stripped, ['access_token', 'access_token']);
    });

    it('refuses absolute URLs with hosts and strings when saving', () => {
      assert.throws(() => sanitizeQuery('https://mgmt.auth.adobe.com/cmu/v2/tenant'), (e: unknown) => e instanceof InputError && /URL with a host/.test(e.message));
      assert.throws(() => sanitizeQuery('/cmu/v2/tenant'), InputError);
      assert.throws(() => sanitizeQuery(q(['tenant'], { filters: [{ dimension: 'mvpd', op: '=', values: ['https://evil.example/x'] }] })), /host/);
      assert.throws(() => sanitizeQuery(q(['tenant'], { filters: [{ dimension: 'mvpd', op: '=', values: ['//evil.example/x'] }] })), /host/);
      assert.throws(() => sanitizeQuery({ path: 'tenant' }), /"path" must be an array/);
      const m = new QueryFileModel(seqId);
      assert.throws(() => m.add({ name: 'https://x.example', query: q([]) }), InputError);
      assert.strictEqual(m.size, 0);
    });
  });

  describe('round trip', () => {
    it('keeps unknown fields on every level through a change', () => {
      const text = JSON.stringify(
        {
          version: 1,
          owner: 'team-video',
          queries: [
            {
              id: 'a',
              name: 'A',
              tags: ['billing'],
              query: { path: ['tenant', 'year'], note: 'keep me', filters: [{ dimension: 'mvpd', op: '=', values: ['X'], comment: 'why' }] },
            },
            { id: 'b', name: 'B', query: { path: [] }, x: { nested: [1, 2] } },
          ],
        },
        null,
        2,
      );
      const r = parseQueryFile(text, seqId);
      assert.ok(r.valid, formatProblems(r.problems));
      r.model.rename('a', 'A renamed');
      r.model.update('a', { query: q(['tenant', 'year', 'month'], { filters: [{ dimension: 'mvpd', op: '=', values: ['X', 'Y'] }] }) });
      r.model.move('b', undefined, 0);
      const out = JSON.parse(r.model.serialize(text));
      assert.strictEqual(out.owner, 'team-video');
      assert.deepStrictEqual(out.queries[0], { id: 'b', name: 'B', query: { path: [] }, x: { nested: [1, 2] } });
      assert.deepStrictEqual(out.queries[1].tags, ['billing']);
      assert.strictEqual(out.queries[1].name, 'A renamed');
      assert.strictEqual(out.queries[1].query.note, 'keep me');
      assert.deepStrictEqual(out.queries[1].query.filters, [{ dimension: 'mvpd', op: '=', values: ['X', 'Y'], comment: 'why' }]);
      assert.deepStrictEqual(out.queries[1].query.path, ['tenant', 'year', 'month']);
      // and it reads back to the same model
      assert.deepStrictEqual(parseQueryFile(r.model.serialize(text)).model.list(), r.model.list());
    });

    it('keeps comments and unknown properties outside the queries when rewriting over the old text', () => {
      const text = '{\n  // team queries, reviewed in PRs\n  "owner": "video", /* inline */\n  "queries": []\n}\n';
      const r = parseQueryFile(text, seqId);
      r.model.add({ name: 'Daily', query: q(['tenant', 'year', 'month', 'day'], { metrics: ['active-users'] }) });
      const out = r.model.serialize(text);
      assert.ok(out.includes('// team queries, reviewed in PRs'), out);
      assert.ok(out.includes('"owner": "video", /* inline */'), out);
      assert.ok(out.includes('"path": ["tenant", "year", "month", "day"]'), out);
      const back = parseQueryFile(out);
      assert.ok(back.valid, formatProblems(back.problems));
      assert.strictEqual(back.model.list()[0].name, 'Daily');
    });

    it('writes a folder given to a hand-written entry before its query', () => {
      const r = parseQueryFile('{"queries": [{"id": "a", "name": "A", "query": {"path": ["tenant"]}, "note": "x"}]}');
      r.model.move('a', 'Billing');
      assert.deepStrictEqual(Object.keys((r.model.toJSON().queries as object[])[0]), ['id', 'name', 'folder', 'query', 'note']);
    });

    it('reads and rewrites a file saved with a byte order mark (BOM kept, comments kept, positions as the editor shows them)', () => {
      const text = '\uFEFF// team queries\n{\n  "version": 1,\n  "queries": [\n    { "id": "a", "name": "A", "query": { "path": ["tenant"] } }\n  ]\n}\n';
      const r = parseQueryFile(text, seqId);
      assert.strictEqual(r.valid, true, formatProblems(r.problems));
      r.model.add({ name: 'B', query: q(['tenant', 'year']) });
      const out = r.model.serialize(text);
      assert.ok(out.startsWith('\uFEFF// team queries\n{'), out);
      assert.deepStrictEqual(parseQueryFile(out).model.list().map((x) => x.name), ['A', 'B']);
      const bad = parseQueryFile('\uFEFF{\n  "queries": [1]\n}');
      assert.deepStrictEqual([bad.problems[0].line, bad.problems[0].column], [2, 15]);
    });

    it('writes a new file readable by humans: one-line arrays, no empty keys', () => {
      const m = new QueryFileModel(seqId);
      m.add({ name: 'Monthly', query: q(['tenant', 'year', 'month'], { metrics: ['active-users', 'started-sessions'], format: 'csv' }) });
      const text = m.serialize();
      assert.strictEqual(
        text,
        '{\n  "version": 1,\n  "queries": [\n    {\n      "id": "id1",\n      "name": "Monthly",\n      "query": {\n        "path": ["tenant", "year", "month"],\n        "metrics": ["active-users", "started-sessions"],\n        "format": "csv"\n      }\n    }\n  ]\n}\n',
      );
      assert.strictEqual(stringify({ a: [] }), '{\n  "a": []\n}');
    });

    it('keeps unknown fields when an entry moves to another file (Workspace <-> User)', () => {
      const ws = parseQueryFile('{"queries": [{"id": "a", "name": "A", "query": {"path": []}, "owner": "me"}]}', seqId).model;
      const user = parseQueryFile('{"queries": [{"id": "a", "name": "Other with same id", "query": {"path": []}}]}', seqId).model;
      const d = ws.remove('a');
      const placed = user.put(d, 'Mine', 0);
      assert.notStrictEqual(placed.id, 'a', 'an id already used in the target gets a new one');
      const out = JSON.parse(user.serialize());
      assert.strictEqual(out.queries.find((x: { id: string }) => x.id === placed.id).owner, 'me');
      assert.strictEqual(ws.size, 0);
    });
  });

  describe('ids, folders and ordering', () => {
    it('assigns unique ids and keeps a given free id', () => {
      let calls = 0;
      const m = new QueryFileModel(() => (++calls < 3 ? 'same' : `r${calls}`));
      assert.strictEqual(m.add({ name: 'one', query: q([]) }).id, 'same');
      assert.strictEqual(m.add({ name: 'two', query: q([]) }).id, 'r3');
      assert.strictEqual(m.add({ name: 'three', query: q([]), id: 'mine' }).id, 'mine');
      assert.notStrictEqual(m.add({ name: 'four', query: q([]), id: 'mine' }).id, 'mine');
    });

    it('orders entries inside folders and moves between folders at an index', () => {
      const m = new QueryFileModel(seqId);
      const a = m.add({ name: 'a', query: q([]) }).id;
      const b = m.add({ name: 'b', query: q([]), folder: 'F' }).id;
      const c = m.add({ name: 'c', query: q([]) }).id;
      const d = m.add({ name: 'd', query: q([]), folder: 'F' }).id;
      const names = (f?: string) => m.inFolder(f).map((s) => s.name);
      assert.deepStrictEqual(names(), ['a', 'c']);
      assert.deepStrictEqual(names('F'), ['b', 'd']);
      m.move(c, undefined, 0);
      assert.deepStrictEqual(names(), ['c', 'a']);
      m.move(a, 'F', 1);
      assert.deepStrictEqual(names('F'), ['b', 'a', 'd']);
      m.move(d, 'F', 0);
      assert.deepStrictEqual(names('F'), ['d', 'b', 'a']);
      m.move(b, 'G');
      assert.deepStrictEqual(m.folders(), ['F', 'G']);
      m.move(b, null, 99);
      assert.deepStrictEqual(names(), ['c', 'b']);
      assert.deepStrictEqual(m.folders(), ['F', 'G'], 'an emptied folder stays until removed');
      m.moveFolder('G', 0);
      assert.deepStrictEqual(m.folders(), ['G', 'F']);
      m.renameFolder('F', 'Billing');
      assert.deepStrictEqual(names('Billing'), ['d', 'a']);
      m.removeFolder('Billing');
      assert.deepStrictEqual(names(), ['c', 'b', 'd', 'a'].filter((x) => names().includes(x)));
      assert.deepStrictEqual(m.folders(), ['G']);
      // order survives a serialize/parse round trip
      const back = parseQueryFile(m.serialize()).model;
      assert.deepStrictEqual(back.list().map((s) => s.name), m.list().map((s) => s.name));
      assert.deepStrictEqual(back.folders(), ['G']);
    });

    it('refuses unknown ids with an InputError', () => {
      const m = new QueryFileModel(seqId);
      assert.throws(() => m.rename('nope', 'x'), (e: unknown) => e instanceof InputError && e.code === 'not_found');
      assert.throws(() => m.remove('nope'), InputError);
    });
  });
});

describe('saved queries: atomic write', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmu-atomic-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaces the file and leaves no temp file behind', async () => {
    const file = path.join(dir, '.vscode', 'cmu-queries.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'two');
    assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ['cmu-queries.json']);
  });

  function failing(at: 'write' | 'sync' | 'rename'): AtomicFs {
    const real = fs.promises;
    return {
      mkdir: (d, o) => real.mkdir(d, o),
      stat: (f) => real.stat(f),
      unlink: (f) => real.unlink(f),
      rename: async (a, b) => {
        if (at === 'rename') throw Object.assign(new Error('EXDEV: simulated'), { code: 'EXDEV' });
        return real.rename(a, b);
      },
      open: async (f, flags, mode) => {
        const h = await real.open(f, flags, mode);
        return {
          write: async (data: string, pos: number | null, enc: BufferEncoding) => {
            if (at === 'write') {
              await h.write(data.slice(0, Math.floor(data.length / 2)), pos, enc); // half written, then the disk fills up
              throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' });
            }
            return h.write(data, pos, enc);
          },
          sync: async () => {
            if (at === 'sync') throw Object.assign(new Error('EIO: simulated'), { code: 'EIO' });
            return h.sync();
          },
          close: () => h.close(),
        };
      },
    };
  }

  for (const at of ['write', 'sync', 'rename'] as const) {
    it(`a failure during ${at} leaves the old file intact and removes the temp file`, async () => {
      const file = path.join(dir, 'cmu-queries.json');
      const old = '{"queries": [{"id": "a", "name": "old", "query": {"path": []}}]}\n';
      fs.writeFileSync(file, old);
      await assert.rejects(writeFileAtomic(file, '{"queries": [' + 'x'.repeat(100000) + ']}', failing(at)), /simulated/);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), old);
      assert.deepStrictEqual(fs.readdirSync(dir), ['cmu-queries.json']);
    });
  }
});

describe('saved queries: the query builder steps', () => {
  type Step =
    | { kind: 'pick'; o: PickOptions<unknown> }
    | { kind: 'input'; o: InputOptions };
  /** A UI that answers from a script; input answers must pass the step's own validation, like the real box. */
  function scripted(answers: ((s: Step) => unknown)[]): BuilderUi & { seen: Step[] } {
    const seen: Step[] = [];
    const next = (s: Step) => {
      seen.push(s);
      const a = answers.shift();
      if (!a) throw new Error(`no scripted answer for ${s.o.title} (step ${s.o.step})`);
      return a(s);
    };
    return {
      seen,
      async pick<T>(o: PickOptions<T>) {
        return next({ kind: 'pick', o: o as PickOptions<unknown> }) as T[] | Back | undefined;
      },
      async input(o: InputOptions) {
        const v = next({ kind: 'input', o });
        if (typeof v === 'string' && o.validate?.(v)) throw new Error(`scripted input "${v}" refused: ${o.validate(v)}`);
        return v as string | Back | undefined;
      },
      async confirm() {
        return 'Save Anyway';
      },
      info() {},
    };
  }
  const pickLabel = (label: string) => (s: Step) => {
    assert.strictEqual(s.kind, 'pick');
    const it = (s.o as PickOptions<unknown>).items.find((i) => i.label === label || i.label.endsWith(' ' + label));
    assert.ok(it, `no item "${label}" in ${(s.o as PickOptions<unknown>).items.map((i) => i.label).join(' | ')}`);
    return [it.value];
  };
  const pickMany = (labels: string[]) => (s: Step) => (s.o as PickOptions<unknown>).items.filter((i) => labels.includes(i.label)).map((i) => i.value);
  const type = (text: string) => (s: Step) => {
    assert.strictEqual(s.kind, 'input');
    return text;
  };
  const dimsOffered = (s: Step) => (s.o as PickOptions<{ kind: string; name?: string }>).items.filter((i) => i.value.kind === 'dim').map((i) => i.label);
  const now = new Date('2026-11-26T15:00:00Z');

  it('walks the drill-down tree offering only valid next steps, then metrics, filters (NOT IN), time, limit, format, name', async () => {
    const ui = scripted([
      pickLabel('tenant'),
      pickLabel('year'),
      pickLabel('month'),
      pickLabel('day'),
      pickLabel('mvpd'),
      pickLabel('Done'),
      pickMany(['active-users', 'started-sessions']),
      pickLabel('Add a filter…'),
      pickLabel('mvpd'),
      pickLabel('!='),
      type('TempPass'),
      type('Other'),
      type(''),
      pickLabel('Continue'),
      pickLabel('Last 7 days'),
      type('50'),
      pickLabel('CSV'),
      type('Daily MVPD users'),
    ]);
    const r = await runQueryBuilderFlow(ui, undefined, now);
    assert.ok(r);
    assert.deepStrictEqual(r.query, {
      path: ['tenant', 'year', 'month', 'day', 'mvpd'],
      filters: [{ dimension: 'mvpd', op: '!=', values: ['TempPass', 'Other'] }],
      projections: [],
      metrics: ['active-users', 'started-sessions'],
      window: '7d',
      limit: 50,
      format: 'csv',
    });
    assert.strictEqual(r.name, 'Daily MVPD users');
    assert.ok(queryToHref(r.query).includes('mvpd!=TempPass&mvpd!=Other'));
    // each path step offered exactly the catalog's next steps, with descriptions
    const pathSteps = ui.seen.slice(0, 6);
    const paths = [[], ['tenant'], ['tenant', 'year'], ['tenant', 'year', 'month'], ['tenant', 'year', 'month', 'day'], ['tenant', 'year', 'month', 'day', 'mvpd']];
    pathSteps.forEach((st, i) => assert.deepStrictEqual(dimsOffered(st), nextSteps(paths[i]), `step ${i}`));
    assert.ok((pathSteps[0].o as PickOptions<unknown>).items.filter((i) => i.label === 'tenant').every((i) => !!i.description));
    // metrics of that path, filterable dimensions of that path
    assert.deepStrictEqual((ui.seen[6].o as PickOptions<unknown>).items.map((i) => i.label), metricsFor(paths[5]));
    assert.deepStrictEqual((ui.seen[8].o as PickOptions<unknown>).items.map((i) => i.label), filterableDimensions(paths[5]));
  });

  it('validates a custom ISO range, goes Back a step, and can be cancelled', async () => {
    let refused: string | undefined;
    const ui = scripted([
      pickLabel('tenant'),
      pickLabel('Done'),
      () => BACK, // from metrics back to the path
      pickLabel('year'),
      pickLabel('Done'),
      () => [],
      pickLabel('Continue'),
      pickLabel('Custom…'),
      (s) => {
        refused = (s.o as InputOptions).validate!('yesterday');
        return '2024-11-01';
      },
      (s) => {
        assert.match((s.o as InputOptions).validate!('2024-10-01') ?? '', /after the start/);
        assert.match((s.o as InputOptions).validate!('2024-13') ?? '', /ISO 8601/);
        return '2024-11-08T00:00:00Z';
      },
      type(''),
      pickLabel('JSON (HAL, the default)'),
      () => undefined, // cancel at the name
    ]);
    assert.strictEqual(await runQueryBuilderFlow(ui, undefined, now), undefined);
    assert.match(refused ?? '', /ISO 8601/);
  });

  it('offers the filter values seen in this session first; "Another value…" still types one', async () => {
    const seen = (d: string) => (d === 'mvpd' ? ['Comcast', 'Charter'] : []);
    let offered: string[] = [];
    const ui = scripted([
      pickLabel('tenant'),
      pickLabel('year'),
      pickLabel('month'),
      pickLabel('mvpd'),
      pickLabel('Done'),
      () => [],
      pickLabel('Add a filter…'),
      pickLabel('mvpd'),
      pickLabel('='),
      (s) => {
        offered = (s.o as PickOptions<unknown>).items.map((i) => i.label);
        return pickMany(['Charter'])(s);
      },
      pickLabel('Add a filter…'),
      pickLabel('mvpd'),
      pickLabel('!='),
      pickMany(['Comcast', '$(edit) Another value…']),
      type('Dish'),
      type(''),
      pickLabel('Continue'),
      pickLabel('Server default'),
      type(''),
      pickLabel('JSON (HAL, the default)'),
      type('Seen'),
    ]);
    const r = await runQueryBuilderFlow(ui, undefined, now, undefined, { seenValues: seen });
    assert.deepStrictEqual(offered, ['Comcast', 'Charter', '$(edit) Another value…']);
    assert.deepStrictEqual(r?.query.filters, [
      { dimension: 'mvpd', op: '=', values: ['Charter'] },
      { dimension: 'mvpd', op: '!=', values: ['Comcast', 'Dish'] },
    ]);
  });

  it('edits an existing query: starts on Done, keeps what is not changed', async () => {
    const initial = q(['tenant', 'year'], { metrics: ['active-users'], start: '2024-01', limit: 10 });
    const ui = scripted([
      (s) => {
        assert.deepStrictEqual(
          (s.o as PickOptions<{ kind: string }>).items.filter((i) => (s.o as PickOptions<{ kind: string }>).active?.(i.value)).map((i) => i.label)[0],
          '$(check) Done',
        );
        return [{ kind: 'done' }];
      },
      pickMany(['active-users']),
      pickLabel('Continue'),
      pickLabel('Keep'),
      type('10'),
      pickLabel('CSV'),
      type('Yearly'),
    ]);
    const r = await runQueryBuilderFlow(ui, { query: initial, name: 'Old' }, now);
    assert.deepStrictEqual(r, { query: { ...initial, format: 'csv' }, name: 'Yearly' });
  });
});

describe('saved queries: relative time windows', () => {
  const file = (query: string) => `{ "version": 1, "queries": [ { "id": "w", "name": "Weekly", "query": ${query} } ] }`;

  it('a saved "last 7 days" run on two different days sends two different, correct windows', () => {
    const r = parseQueryFile(file('{ "path": ["year", "month", "day"], "window": "last 7 days" }'));
    assert.deepStrictEqual(r.problems, []);
    const saved = r.model.get('w')!.query;
    assert.strictEqual(saved.window, '7d');
    const zone = parseZone('-08:00');
    const monday = resolveQueryTime(saved, zone, Date.UTC(2024, 2, 11, 18)).query;
    const tuesday = resolveQueryTime(saved, zone, Date.UTC(2024, 2, 12, 18)).query;
    assert.strictEqual(queryToHref(monday), '/cmu/v2/year/month/day?start=2024-03-04T00:00:00&end=2024-03-11T00:00:00');
    assert.strictEqual(queryToHref(tuesday), '/cmu/v2/year/month/day?start=2024-03-05T00:00:00&end=2024-03-12T00:00:00');
    assert.strictEqual(r.model.get('w')!.query.window, '7d', 'running never freezes the saved window');
  });

  it('writes the window back as its canonical text; old files with start/end still load', () => {
    const text = file('{ "path": ["year", "month", "day"], "window": "previousMonth" }');
    const r = parseQueryFile(text);
    const out = JSON.parse(r.model.serialize(text)) as { queries: { query: Record<string, unknown> }[] };
    assert.strictEqual(out.queries[0].query.window, '1mo');
    const old = parseQueryFile(file('{ "path": ["year", "month", "day"], "start": "2024-11-01", "end": "2024-11-08" }'));
    assert.deepStrictEqual(old.problems, []);
    assert.deepStrictEqual([old.model.get('w')!.query.start, old.model.get('w')!.query.window], ['2024-11-01', undefined]);
  });

  it('refuses an unreadable window, and a window beside start/end, at the line of the window', () => {
    for (const [query, message] of [
      ['{ "path": ["day"], "window": "30m" }', /30min for minutes or 30mo for months/],
      ['{ "path": ["day"], "window": 7 }', /"window" must be text/],
      ['{ "path": ["day"], "window": "7d", "start": "2024" }', /both say when/],
    ] as const) {
      const r = parseQueryFile(file(query));
      assert.strictEqual(r.valid, false, query);
      assert.ok(r.problems.some((p) => message.test(p.message)), JSON.stringify(r.problems));
    }
  });

  it('the schema offers exactly the canonical forms, and every one of them reads', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../../media/cmu-queries.schema.json'), 'utf8'));
    const w = schema.definitions.query.properties.window;
    assert.deepStrictEqual(w.anyOf[0].enum, [...NAMED_WINDOWS]);
    assert.strictEqual(w.anyOf[1].pattern, WINDOW_COUNT_PATTERN);
    for (const text of [...NAMED_WINDOWS, '7d', '24h', '90min', '3mo']) assert.doesNotThrow(() => parseWindow(text), text);
    assert.ok(!new RegExp(WINDOW_COUNT_PATTERN).test('30m'));
  });
});

describe('saved queries: the JSON schema (media/cmu-queries.schema.json)', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../../media/cmu-queries.schema.json'), 'utf8'));
  const enumOf = (def: { anyOf?: { enum?: string[] }[] }) => def.anyOf?.find((a) => a.enum)?.enum ?? [];

  it('offers every catalog dimension and metric for completion (with descriptions), and still allows others', () => {
    const qdef = schema.definitions.query.properties;
    assert.deepStrictEqual([...enumOf(qdef.path.items)].sort(), allDimensions().map((d) => d.name).sort());
    assert.deepStrictEqual([...enumOf(qdef.metrics.items)].sort(), allMetrics().map((m) => m.name).sort());
    assert.strictEqual(qdef.path.items.anyOf[0].markdownEnumDescriptions.length, allDimensions().length);
  });

  it('describes what the model writes: names, ops, formats, and refuses secret property names', () => {
    assert.deepStrictEqual(schema.definitions.filter.properties.op.enum, ['=', '!=']);
    assert.deepStrictEqual(schema.definitions.query.properties.format.enum, ['json', 'xml', 'csv', 'html']);
    const names = new RegExp(schema.definitions.safeName.pattern);
    for (const bad of ['access_token', 'accessToken', 'client_secret', 'token', 'host']) assert.ok(!names.test(bad), bad);
    for (const ok of ['id', 'name', 'folder', 'query', 'owner', 'tokens-note']) assert.ok(names.test(ok), ok);
    const iso = new RegExp(schema.definitions.isoTime.pattern);
    for (const v of ['2024', '2024-11-01T10:00:00Z', '2024-11-01T10+05', '1700000000000']) assert.ok(iso.test(v), v);
    assert.ok(!iso.test('yesterday'));
    assert.strictEqual(schema.definitions.isoTime.pattern, TIME_SHAPE_SOURCE, 'definitions.isoTime.pattern is not the query model\'s time shape');
  });
  // every spelling people use: accessToken, ACCESS_TOKEN, access-token, Access Token…
  const spellings = (key: string): string[] => {
    const out = new Set([key, key.toUpperCase(), key[0].toUpperCase() + key.slice(1)]);
    for (let i = 1; i < key.length; i++) {
      out.add(key.slice(0, i) + key[i].toUpperCase() + key.slice(i + 1));
      for (const sep of ['_', '-', ' ']) out.add((key.slice(0, i) + sep + key.slice(i)).toUpperCase()).add(key.slice(0, i) + sep + key.slice(i));
    }
    return [...out];
  };
  const entryWith = (extra: Record<string, unknown>, query: Record<string, unknown> = { path: ['tenant'] }) =>
    JSON.stringify({ version: 1, queries: [{ id: 'a', name: 'A', query, ...extra }] });

  it('refuses exactly the property names the model refuses (generated from the model, compared spelling by spelling)', () => {
    const keys = [...SECRET_KEYS, ...HOST_KEYS];
    // after a change to the model's key lists, paste the expected value shown by this assertion into the schema
    assert.strictEqual(schema.definitions.safeName.pattern, `^(?!${keyRegexSource(keys)}$)`, 'definitions.safeName.pattern is not generated from SECRET_KEYS + HOST_KEYS');
    for (const where of [schema, schema.definitions.savedQuery, schema.definitions.query, schema.definitions.filter])
      assert.deepStrictEqual(where.propertyNames, { $ref: '#/definitions/safeName' });
    const allowed = new RegExp(schema.definitions.safeName.pattern);
    for (const key of keys)
      for (const name of spellings(key)) {
        assert.ok(!allowed.test(name), `schema allows "${name}"`);
        assert.strictEqual(parseQueryFile(entryWith({ [name]: 'x' })).valid, false, `model allows "${name}"`);
      }
    for (const name of ['id', 'name', 'folder', 'query', 'note', 'owner', 'tokens-note', 'x-team', 'hosted-by', 'description']) {
      assert.ok(allowed.test(name), `schema refuses "${name}"`);
      if (!['id', 'name', 'folder', 'query'].includes(name)) assert.strictEqual(parseQueryFile(entryWith({ [name]: 'x' })).valid, true, `model refuses "${name}"`);
    }
  });

  it('an unknown path segment, metric, projection or filter dimension never makes the file invalid (the server decides); structural problems do', () => {
    const file = (query: Record<string, unknown>) => parseQueryFile(entryWith({}, query));
    for (const query of [
      { path: ['billing', 'daily'] },
      { path: ['year', 'duration', 'occurrences', 'activity-level', 'month', 'tenant'], filters: [{ dimension: 'tenant', op: '=', values: ['X'] }] },
      { path: ['year', 'duration'], metrics: ['bstreams-60'] },
      { path: ['tenant', 'year'], filters: [{ dimension: 'no-such-dim', op: '=', values: ['X'] }], projections: ['other-dim'] },
      { path: ['tenant', 'year'], start: '2024-11-01T10+05' },
    ]) {
      const r = file(query);
      assert.strictEqual(r.valid, true, JSON.stringify(query) + ' ' + formatProblems(r.problems));
      assert.deepStrictEqual(r.problems, []);
    }
    for (const [query, message] of [
      [{ path: ['tenant', 'tenant'] }, /appears twice/],
      [{ path: ['tenant', 'limit'] }, /reserved query parameter/],
      [{ path: ['tenant', 'year'], start: '2024-02-31' }, /"start=2024-02-31" is not a valid ISO 8601/],
      [{ path: ['tenant', 'year'], start: '2024-11-08', end: '2024-11-01' }, /is after end/],
    ] as const) {
      const r = file(query);
      assert.strictEqual(r.valid, false, JSON.stringify(query));
      assert.match(formatProblems(r.problems), message);
    }
  });

  it('refuses the same filter dimensions and the same values as the model', () => {
    const dimOk = new RegExp(schema.definitions.filter.properties.dimension.allOf[1].pattern);
    const filterFile = (dimension: string, value = 'X') => entryWith({}, { path: ['tenant', 'year'], filters: [{ dimension, op: '=', values: [value] }] });
    const badDims = [...SECRET_KEYS.flatMap((k) => spellings(k).filter((d) => /^[A-Za-z0-9_-]+$/.test(d))), ...RESERVED_PARAMS];
    for (const d of badDims) {
      assert.ok(!dimOk.test(d), `schema allows dimension "${d}"`);
      assert.strictEqual(parseQueryFile(filterFile(d)).valid, false, `model allows dimension "${d}"`);
    }
    for (const d of [...allDimensions().map((x) => x.name), 'custom-dim', 'tokenized', 'started']) {
      assert.ok(dimOk.test(d), `schema refuses dimension "${d}"`);
      assert.strictEqual(parseQueryFile(filterFile(d)).valid, true, `model refuses dimension "${d}"`);
    }
    const okValue = new RegExp(schema.definitions.safeString.pattern);
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    const values = ['https://mgmt.auth.adobe.com/cmu/v2', ' //cdn.example/x', 'HTTP://A', 'ftp://h', 'Bearer abc', ' bearer  x', jwt, `${jwt} `,
      'Comcast', 'http', 'a//b', 'Bearer', 'eyJ', 'mailto:x@y', 'Bearer-TV', 'x https://y'];
    for (const v of values) {
      const modelBad = hasHost(v) || looksLikeSecretValue(v);
      assert.strictEqual(!okValue.test(v), modelBad, `schema and model disagree on "${v}"`);
      assert.strictEqual(parseQueryFile(filterFile('mvpd', v)).valid, !modelBad, `file with value "${v}"`);
      assert.strictEqual(parseQueryFile(entryWith({ name: v.trim() || 'x' })).valid, !modelBad, `name "${v}"`);
    }
    // editors show these instead of the (generated) regular expressions
    for (const d of [schema.definitions.safeName, schema.definitions.safeString, schema.definitions.filter.properties.dimension.allOf[1]])
      assert.ok(d.patternErrorMessage && !d.patternErrorMessage.includes('['), JSON.stringify(d.patternErrorMessage));
    for (const where of [schema.definitions.savedQuery.properties.name, schema.definitions.savedQuery.properties.folder, schema.properties.folders.items, schema.definitions.filter.properties.values.items])
      assert.deepStrictEqual(where.allOf, [{ $ref: '#/definitions/safeString' }]);
  });
});
