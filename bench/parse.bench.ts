/**
 * parseReportBody (parse + normalize into columns/rows with numeric metrics) of a 200k-row JSON report
 * vs a bare JSON.parse of the same string; alternating runs, medians.
 * FIGURE parse_vs_jsonparse_ratio (target ≤ 2), parse_200k_ms, jsonparse_200k_ms.
 */
import { parseReportBody } from '../src/core/cmu/parse';
import { HttpClient } from '../src/core/http';
import { Sandbox } from '../src/sandbox/server';

const RUNS = Number(process.env.BENCH_REPS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function time(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const sb = await Sandbox.start({ port: 0, throttle: false });
  let body: string;
  let contentType: string;
  let url: string;
  try {
    const token = await sb.issueAccessToken();
    url = sb.origin + sb.hugeReportHref(200_000, 'json');
    const res = await new HttpClient({ timeoutMs: 300_000 }).request({ method: 'GET', url, headers: { Authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`sandbox answered ${res.status}`);
    contentType = res.contentType;
    body = await res.text({ maxBytes: 512 * 2 ** 20 }); // the JSON of 200k rows is ~100 MB: above the panel's limit on purpose
  } finally {
    await sb.stop();
  }
  const rows = parseReportBody(body, contentType, url).rows.length;
  console.log(`# ${rows} rows, ${(body.length / 1e6).toFixed(1)} MB of JSON, ${RUNS} alternating runs`);
  if (rows < 200_000) throw new Error(`expected 200k rows, got ${rows}`);

  const parseMs: number[] = [];
  const jsonMs: number[] = [];
  let sink = 0;
  for (let i = 0; i < RUNS; i++) {
    const a = () => (sink += parseReportBody(body, contentType, url).rows.length);
    const b = () => (sink += (JSON.parse(body) as { report: unknown[] }).report.length);
    if (i % 2 === 0) {
      parseMs.push(time(a));
      jsonMs.push(time(b));
    } else {
      jsonMs.push(time(b));
      parseMs.push(time(a));
    }
  }
  if (sink === 0) throw new Error('nothing parsed');
  const p = median(parseMs);
  const j = median(jsonMs);
  console.log(`# parse ms: ${parseMs.map((x) => x.toFixed(0)).join(' ')}; JSON.parse ms: ${jsonMs.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`FIGURE parse_vs_jsonparse_ratio ${(p / j).toFixed(2)} x`);
  console.log(`FIGURE parse_200k_ms ${p.toFixed(0)} ms`);
  console.log(`FIGURE jsonparse_200k_ms ${j.toFixed(0)} ms`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
