/**
 * The extension host's CPU profile while a report loads (`BENCH_PROFILE=1 npm run bench:workbench`): V8's
 * sampling profiler through an in-process inspector session, written as a .cpuprofile (Chrome DevTools
 * opens it) and summarized as the host's blocks: a 2 ms interval timer notes every time it fired 30 ms or
 * more late, and the samples of that window say which functions spent it. Tells which task blocks the
 * host, where the event-loop monitor only says how long. (Both clocks are CLOCK_MONOTONIC: V8's profile
 * timestamps and process.hrtime, in µs.)
 */
import * as fs from 'fs';
import { Session } from 'inspector';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HostProfiler {
  /** stops, writes the profile to `file` and returns the long tasks (≥ `longMs`) in words */
  stop(file: string, longMs: number): Promise<string[]>;
}

export async function startHostProfile(): Promise<HostProfiler> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 250 });
  await post('Profiler.start');
  const gaps: [number, number][] = [];
  const us = () => Number(process.hrtime.bigint() / 1000n);
  let last = us();
  const tick = setInterval(() => {
    const now = us();
    if (now - last >= 30_000) gaps.push([last, now]);
    last = now;
  }, 2);
  return {
    async stop(file, longMs) {
      clearInterval(tick);
      const { profile } = await post<{ profile: Profile }>('Profiler.stop');
      session.disconnect();
      fs.writeFileSync(file, JSON.stringify(profile));
      return blocks(profile, gaps.filter(([a, b]) => b - a >= longMs * 1000));
    },
  };
}

function frameName(n: ProfileNode): string {
  const f = n.callFrame;
  const file = f.url ? f.url.split('/').slice(-2).join('/') : '';
  return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
}

/** Each window (µs, the profile's clock) with its top self-time frames and top entry frames. */
export function blocks(p: Profile, windows: [number, number][]): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const root = p.nodes[0].id;
  /** the frame just under the root: which task's entry point this sample is in */
  const entry = (id: number): string => {
    let cur = id;
    for (let up = parent.get(cur); up !== undefined && up !== root; up = parent.get(cur)) cur = up;
    return frameName(byId.get(cur)!);
  };
  const out: string[] = [];
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k, v]) => `${v.toFixed(1)} ${k}`)
      .join('; ');
  const times: number[] = [];
  let t = p.startTime;
  for (const d of p.timeDeltas) times.push((t += d));
  for (const [from, to] of windows) {
    const self = new Map<string, number>();
    const entries = new Map<string, number>();
    for (let i = 0; i < p.samples.length; i++) {
      if (times[i] < from || times[i] > to) continue;
      const n = byId.get(p.samples[i])!;
      const dt = (times[i + 1] ?? times[i]) - times[i];
      self.set(frameName(n), (self.get(frameName(n)) ?? 0) + dt / 1000);
      const e = entry(n.id);
      entries.set(e, (entries.get(e) ?? 0) + dt / 1000);
    }
    out.push(`${((to - from) / 1000).toFixed(1)} ms at +${((from - p.startTime) / 1000).toFixed(0)} ms — self: ${top(self)} — entries: ${top(entries)}`);
  }
  return out;
}
