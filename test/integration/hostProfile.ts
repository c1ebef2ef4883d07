/**
 * The extension host's CPU profile while a report loads (`BENCH_PROFILE=1 npm run bench:workbench`): V8's
 * sampling profiler through an in-process inspector session, written as a .cpuprofile (Chrome DevTools
 * opens it) and summarized as the host's long tasks: runs of samples with no idle between them, each with
 * the functions that spent most of it. Tells which of our tasks blocks the host, where the event-loop
 * monitor only says how long.
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
  return {
    async stop(file, longMs) {
      const { profile } = await post<{ profile: Profile }>('Profiler.stop');
      session.disconnect();
      fs.writeFileSync(file, JSON.stringify(profile));
      return longTasks(profile, longMs);
    },
  };
}

function frameName(n: ProfileNode): string {
  const f = n.callFrame;
  const file = f.url ? f.url.split('/').slice(-2).join('/') : '';
  return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
}

/** Runs of non-idle samples of at least `longMs`, each with its top self-time frames and top entry frames. */
export function longTasks(p: Profile, longMs: number): string[] {
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
  let t = p.startTime;
  let start = -1;
  let samples: { id: number; dt: number }[] = [];
  const close = (end: number) => {
    const ms = (end - start) / 1000;
    if (start >= 0 && ms >= longMs) {
      const self = new Map<string, number>();
      const entries = new Map<string, number>();
      for (const s of samples) {
        const n = byId.get(s.id)!;
        self.set(frameName(n), (self.get(frameName(n)) ?? 0) + s.dt / 1000);
        const e = entry(s.id);
        entries.set(e, (entries.get(e) ?? 0) + s.dt / 1000);
      }
      const top = (m: Map<string, number>) =>
        [...m]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([k, v]) => `${v.toFixed(1)} ${k}`)
          .join('; ');
      out.push(`${ms.toFixed(1)} ms at +${((start - p.startTime) / 1000).toFixed(0)} ms — self: ${top(self)} — entries: ${top(entries)}`);
    }
    start = -1;
    samples = [];
  };
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const n = byId.get(p.samples[i])!;
    if (n.callFrame.functionName === '(idle)') {
      close(t);
      continue;
    }
    if (start < 0) start = t;
    samples.push({ id: n.id, dt: p.timeDeltas[i + 1] ?? 0 });
  }
  close(t);
  return out;
}
