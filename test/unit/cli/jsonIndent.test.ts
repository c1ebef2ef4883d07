import * as assert from 'node:assert/strict';
import { INDENT_CAP, JsonIndent, MAX_DEPTH } from '../../../src/cli/jsonIndent';

/** Feeds `src` in chunks of 1..maxChunk bytes (so chunks split strings, escapes and UTF-8 sequences). */
function indent(src: string | Buffer, maxChunk = 7, seed = 1): Promise<string> {
  const buf = Buffer.isBuffer(src) ? src : Buffer.from(src);
  return new Promise((resolve, reject) => {
    const t = new JsonIndent();
    const out: Buffer[] = [];
    t.on('data', (c: Buffer) => out.push(c));
    t.on('end', () => resolve(Buffer.concat(out).toString('utf8')));
    t.on('error', reject);
    let s = seed;
    for (let i = 0; i < buf.length; ) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (s % maxChunk);
      t.write(buf.subarray(i, i + n));
      i += n;
    }
    t.end();
  });
}

describe('cli/jsonIndent: pretty-printing as the body streams', () => {
  it('gives JSON.stringify(v, null, 2) for any layout of the same document, whatever the chunking', async () => {
    let s = 5;
    const rnd = (n: number) => (s = (s * 1103515245 + 12345) & 0x7fffffff) % n;
    const leaf = [1, -2.5e-7, 'a"b\\c', 'é😀 \u2028', '', null, true, false, 'x\n{[,:]}', '\\"'];
    const value = (d: number): unknown => {
      const r = rnd(10);
      if (d > 3 || r < 3) return leaf[rnd(leaf.length)];
      if (r < 6) return Array.from({ length: rnd(4) }, () => value(d + 1));
      return Object.fromEntries(Array.from({ length: rnd(4) }, (_x, i) => [`k${i}${rnd(5) === 0 ? '"\\' : ''}`, value(d + 1)]));
    };
    for (let k = 0; k < 400; k++) {
      const v = { report: value(0), n: k };
      const want = JSON.stringify(v, null, 2) + '\n';
      for (const src of [JSON.stringify(v), JSON.stringify(v, null, '\t'), JSON.stringify(v, null, 1).replace(/\n/g, '\r\n')]) {
        assert.equal(await indent(src, 1 + (k % 9), k), want, src);
      }
    }
    assert.equal(await indent('[]'), '[]\n');
    assert.equal(await indent('{"_links":{},"report":[ ]}'), '{\n  "_links": {},\n  "report": []\n}\n');
  });

  it('hostile nesting: the output stays linear in the input, and too deep a document is refused with a clear message', async () => {
    // as deep as allowed, with many elements at the bottom: every line's indent is capped
    const depth = MAX_DEPTH;
    const src = '['.repeat(depth) + Array.from({ length: 2000 }, () => '1').join(',') + ']'.repeat(depth);
    const out = await indent(src, 4096);
    assert.ok(out.length < src.length * (2 * INDENT_CAP + 3), `${out.length} bytes from ${src.length}`);
    assert.ok(out.includes('\n' + ' '.repeat(2 * INDENT_CAP) + '1,\n'), 'deep lines at the capped indent');
    assert.deepEqual(JSON.parse(out), JSON.parse(src));
    // 200 KB of brackets: refused at once, not gigabytes of spaces
    await assert.rejects(indent('['.repeat(200_000), 65536), new RegExp(`nests deeper than ${MAX_DEPTH} levels`));
  });

  it('keeps tokens as the server wrote them (numbers, escapes)', async () => {
    assert.equal(await indent('{"a":1.0,"b":"\\u00e9\\/"}'), '{\n  "a": 1.0,\n  "b": "\\u00e9\\/"\n}\n');
  });

  it('refuses what is not one complete JSON object or array', async () => {
    for (const [body, msg] of [
      ['', /empty/],
      ['  \n', /empty/],
      ['<html><title>502</title></html>', /does not start with/],
      ['report,users\n', /does not start with/],
      ['{"report":[{"a":"1"}', /ends before it is complete/],
      ['{"a":"unterminated', /ends before it is complete/],
      ['{}}', /after the end/],
      ['{} {}', /after the end/],
    ] as const) {
      await assert.rejects(indent(body), msg, JSON.stringify(body));
    }
  });
});
