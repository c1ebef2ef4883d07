/**
 * The sandbox's synthetic CMU data: deterministic (seeded), consistent at every granularity.
 *
 * Model: a small set of leaf combinations (tenant, mvpd, channel, platform, application-id, application),
 * each in one of a few "families". A family has an integer activity per hour (seeded hash × daily
 * shape), split into minutes exactly (a fixed cumulative pattern, so the minutes of an hour add up to the
 * hour). A combination's metric at any time bucket is `weight(combination, metric) × activity(family, bucket)`,
 * all integers, so every aggregate is an exact sum of its children (the drill-down rows add up to the
 * parent row, whatever the path). Activity sums over long ranges come from per-hour prefix sums, so a
 * month or a year costs the same as an hour, and a 200k-row minute report is produced row by row.
 *
 * The concurrency-level and activity-level reports are two more cubes over (tenant, mvpd, level) at day
 * granularity with the one metric `users`, built the same way. The real backend's level reports
 * (`year/duration/occurrences/…`) are one cube over (tenant, mvpd, duration, occurrences, activity-level,
 * concurrency-level) at hour granularity, metric `users` plus `year`'s metrics for the nodes that inherit them
 * (split from the general cube, so they add up to `year`); the values of `duration` and `occurrences` are
 * invented (the harvest has column names, not values).
 *
 * Every metric is a weighted sum, so children add up to their parent for the additive metrics; for the
 * distinct/peak counts (users, bstreams-*) that is stronger than the real server's "a child is at most
 * its parent", and good enough for a sandbox.
 */
import { bstreamsMetrics, durationMetrics, generalMetrics, levelMetrics, yearMetrics } from '../core/cmu/catalog';
import { TIME_ORDER, buckets, type TimeDim } from './time';

export const TENANTS: readonly string[] = ['ACME', 'Globex', 'Initech'];
export const MVPDS: readonly string[] = ['Charter_Direct', 'Comcast_SSO', 'DirecTV', 'TempPass', 'Verizon'];
export const CHANNELS: readonly string[] = ['Movies', 'News', 'Sports', 'Unknown'];
/** Invented values of the real backend's undocumented `duration` and `occurrences` dimensions. */
export const DURATIONS: readonly string[] = ['0-15', '15-60', '60-240', '240+'];
export const OCCURRENCES: readonly string[] = ['1', '2-5', '6+'];

interface App {
  id: string;
  name: string;
  platforms: string[];
}

const APP_SHAPES: { suffix: string; label: string; platforms: string[] }[] = [
  { suffix: 'apple', label: 'Apple', platforms: ['iOS', 'tvOS'] },
  { suffix: 'android', label: 'Android', platforms: ['Android', 'FireTV'] },
  { suffix: 'web', label: 'Web', platforms: ['Web'] },
  { suffix: 'roku', label: 'Roku', platforms: ['Roku'] },
];


/** Data exists from here to "now". */
export const DATA_START = Date.UTC(2020, 0, 1);
const HOUR = 3_600_000;
const MINUTE = 60_000;
const FAMILIES = 4;

export interface Combination {
  values: Record<string, string>;
  family: number;
  /** one weight per metric of the cube, in cube.metrics order */
  weights: number[];
}

export interface Cube {
  name: 'general' | 'concurrency-level' | 'activity-level' | 'levels' | 'extra';
  dimensions: readonly string[];
  metrics: readonly string[];
  finest: TimeDim;
  combinations: Combination[];
}

export interface RowFilter {
  dimension: string;
  op: '=' | '!=';
  values: string[];
}

export interface ReportSpec {
  /** group-by columns in output order (path dimensions then projected ones) */
  columns: string[];
  /** metric names, each one of the cube's */
  metrics: string[];
  filters: RowFilter[];
  /** epoch ms, [start, end) */
  start: number;
  end: number;
}

interface TrieNode {
  children?: { value: string; node: TrieNode }[];
  /** summed weights [family * metrics + metric], at the leaves */
  weights?: Float64Array;
}

interface Option {
  value: string;
  lo: number;
  hi: number;
  node: TrieNode;
}

export class Dataset {
  readonly general: Cube;
  readonly concurrency: Cube;
  readonly activity: Cube;
  /** the real backend's `year/duration/occurrences/…` reports */
  readonly levels: Cube;
  /** the cubes of undocumented reports (extraCube), by path and metric */
  private readonly extras = new Map<string, Cube>();
  private readonly hours: number;
  /** per family: activity of each hour since DATA_START */
  private readonly hourly: Int32Array[] = [];
  /** per family: prefix sums of `hourly` (length hours + 1) */
  private readonly prefix: Float64Array[] = [];
  /** per family: cumulative minute pattern, 61 entries from 0 to MINUTE_TOTAL */
  private readonly minuteCum: Int32Array[] = [];

  constructor(
    private readonly seed: number,
    private readonly now: () => number,
  ) {
    const endYear = new Date(now()).getUTCFullYear() + 3;
    this.hours = Math.ceil((Date.UTC(endYear, 0, 1) - DATA_START) / HOUR);
    for (let k = 0; k < FAMILIES; k++) {
      const base = 60 + (this.hash(1, k) % 60);
      const shift = this.hash(2, k) % 5;
      const hourly = new Int32Array(this.hours);
      const prefix = new Float64Array(this.hours + 1);
      for (let h = 0; h < this.hours; h++) {
        const hod = (h + shift) % 24;
        const dow = Math.floor(h / 24 + 3) % 7; // 2020-01-01 was a Wednesday; 5, 6 = Sat, Sun
        const daily = 0.25 + 0.75 * Math.pow(Math.sin((Math.PI * Math.max(0, hod - 5)) / 19), 2);
        const weekly = dow >= 5 ? 1.25 : 1;
        const noise = 0.8 + (this.hash(3, k, h) % 400) / 1000;
        hourly[h] = Math.round(base * daily * weekly * noise);
        prefix[h + 1] = prefix[h] + hourly[h];
      }
      this.hourly.push(hourly);
      this.prefix.push(prefix);
      const cum = new Int32Array(61);
      for (let i = 0; i < 60; i++) cum[i + 1] = cum[i] + 1 + (this.hash(4, k, i) % 9);
      this.minuteCum.push(cum);
    }
    this.general = this.buildGeneral();
    this.concurrency = this.buildLevels('concurrency-level', 6, 0.45);
    this.activity = this.buildLevels('activity-level', 8, 0.6);
    this.levels = this.buildRealLevels();
  }

  /**
   * The cube of an undocumented report (Sandbox.serveExtraReport): per tenant, the path's other non-time
   * dimensions with their known values (mvpd, channel) or three invented ones (`<dimension>-a` …), one metric.
   */
  extraCube(path: readonly string[], metric: string): Cube {
    const k = `${path.join('/')}|${metric}`;
    const hit = this.extras.get(k);
    if (hit) return hit;
    const dims = ['tenant', ...path.filter((d) => !isTime(d) && d !== 'tenant')];
    const valuesOf = (d: string): readonly string[] => (d === 'mvpd' ? MVPDS : d === 'channel' ? CHANNELS : ['a', 'b', 'c'].map((x) => `${d}-${x}`));
    let rows: Record<string, string>[] = [{}];
    for (const d of dims) rows = rows.flatMap((r) => (d === 'tenant' ? TENANTS : valuesOf(d)).map((v) => ({ ...r, [d]: v })));
    const combinations = rows.map((values, i) => ({ values, family: this.hash(60, i) % FAMILIES, weights: [1 + (this.hash(61, i, path.length) % 9)] }));
    const cube: Cube = { name: 'extra', dimensions: dims, metrics: [metric], finest: 'minute', combinations };
    this.extras.set(k, cube);
    return cube;
  }

  /** Every application (id, name) of a tenant; for docs, the UI and tests. */
  applications(tenant?: string): { tenant: string; id: string; name: string; platforms: string[] }[] {
    const out: { tenant: string; id: string; name: string; platforms: string[] }[] = [];
    for (const t of TENANTS) if (!tenant || t === tenant) for (const a of this.appsOf(t)) out.push({ tenant: t, ...a });
    return out;
  }

  cubeFor(path: string[]): Cube {
    if (path.includes('duration') || path.includes('occurrences')) return this.levels;
    if (path.includes('concurrency-level')) return this.concurrency;
    if (path.includes('activity-level')) return this.activity;
    return this.general;
  }

  /**
   * The report rows, in GROUP BY order (each column sorted: time ascending, names by code unit), each row
   * being the column values then the metric values, as strings. Lazy: stop iterating at the limit.
   */
  *rows(cube: Cube, spec: ReportSpec): Generator<string[]> {
    const timeCols = spec.columns.filter(isTime) as TimeDim[];
    timeCols.forEach((t, i) => {
      if (TIME_ORDER[i] !== t) throw new Error(`time dimensions must come in order year, month, day, hour, minute: ${spec.columns.join('/')}`);
      if (TIME_ORDER.indexOf(t) > TIME_ORDER.indexOf(cube.finest)) throw new Error(`no ${t} granularity in the ${cube.name} reports`);
    });
    const metricIdx = spec.metrics.map((m) => {
      const i = cube.metrics.indexOf(m);
      if (i < 0) throw new Error(`${m} is not a metric of the ${cube.name} reports`);
      return i;
    });
    const combos = cube.combinations.filter((c) =>
      spec.filters.every((f) => {
        const v = c.values[f.dimension];
        if (v === undefined) throw new Error(`${f.dimension} is not a dimension of the ${cube.name} reports`);
        return f.op === '=' ? f.values.includes(v) : !f.values.includes(v);
      }),
    );
    const nonTime = spec.columns.filter((c) => !isTime(c));
    for (const d of nonTime) if (!cube.dimensions.includes(d)) throw new Error(`${d} is not a dimension of the ${cube.name} reports`);
    const root = this.trie(combos, nonTime, cube.metrics.length);
    const lo = Math.max(spec.start, DATA_START);
    const hi = Math.min(spec.end, this.now());
    const n = spec.columns.length;
    const M = cube.metrics.length;
    const act = new Float64Array(FAMILIES);
    let actLo = NaN;
    let actHi = NaN;
    const J = metricIdx.length;
    /** writes the metric values of a leaf over [a, b) into row[offset..] */
    const fillMetrics = (row: string[], offset: number, node: TrieNode, a: number, b: number): string[] => {
      if (a !== actLo || b !== actHi) {
        for (let k = 0; k < FAMILIES; k++) act[k] = this.activity_(k, a, b);
        actLo = a;
        actHi = b;
      }
      const w = node.weights as Float64Array;
      for (let x = 0; x < J; x++) {
        const j = metricIdx[x];
        let s = 0;
        for (let k = 0; k < FAMILIES; k++) s += w[k * M + j] * act[k];
        row[offset + x] = String(s);
      }
      return row;
    };
    if (n === 0) {
      yield fillMetrics(new Array<string>(J), 0, root, lo, Math.max(lo, hi));
      return;
    }
    const expand = (col: string, parent: Option): Option[] => {
      if (isTime(col)) {
        const list = buckets(col as TimeDim, parent.lo, parent.hi) as Option[];
        for (const b of list) b.node = parent.node;
        return list;
      }
      return (parent.node.children ?? []).map((c) => ({ value: c.value, lo: parent.lo, hi: parent.hi, node: c.node }));
    };
    const opts: Option[][] = new Array(n);
    const idx = new Int32Array(n);
    const start: Option = { value: '', lo, hi: Math.max(lo, hi), node: root };
    opts[0] = expand(spec.columns[0], start);
    let depth = 0;
    while (depth >= 0) {
      const list = opts[depth];
      if (idx[depth] >= list.length) {
        depth--;
        if (depth >= 0) idx[depth]++;
        continue;
      }
      const cur = list[idx[depth]];
      if (depth === n - 1) {
        const row = new Array<string>(n + J);
        for (let i = 0; i < n; i++) row[i] = opts[i][idx[i]].value;
        yield fillMetrics(row, n, cur.node, cur.lo, cur.hi);
        idx[depth]++;
        continue;
      }
      depth++;
      opts[depth] = expand(spec.columns[depth], cur);
      idx[depth] = 0;
    }
  }

  /** Sum of a family's activity over the minutes starting in [a, b) (epoch ms). */
  private activity_(k: number, a: number, b: number): number {
    const m0 = Math.max(0, Math.ceil((a - DATA_START) / MINUTE));
    const m1 = Math.min(this.hours * 60, Math.ceil((b - DATA_START) / MINUTE));
    if (m1 <= m0) return 0;
    const h0 = Math.floor(m0 / 60);
    const h1 = Math.floor(m1 / 60);
    if (h0 === h1) return this.partial(k, h0, m0 % 60, m1 % 60);
    let s = this.partial(k, h0, m0 % 60, 60) + (this.prefix[k][h1] - this.prefix[k][h0 + 1]);
    if (m1 % 60 > 0) s += this.partial(k, h1, 0, m1 % 60);
    return s;
  }

  /** Activity of minutes [i, j) of hour h: the hour's value split by the family's pattern, exactly. */
  private partial(k: number, h: number, i: number, j: number): number {
    const v = this.hourly[k][h];
    const cum = this.minuteCum[k];
    const total = cum[60];
    return Math.floor((v * cum[j]) / total) - Math.floor((v * cum[i]) / total);
  }

  private trie(combos: Combination[], columns: string[], metrics: number): TrieNode {
    if (columns.length === 0) {
      const weights = new Float64Array(FAMILIES * metrics);
      for (const c of combos) for (let j = 0; j < metrics; j++) weights[c.family * metrics + j] += c.weights[j];
      return { weights };
    }
    const [col, ...rest] = columns;
    const groups = new Map<string, Combination[]>();
    for (const c of combos) {
      const v = c.values[col];
      const g = groups.get(v);
      if (g) g.push(c);
      else groups.set(v, [c]);
    }
    const keys = [...groups.keys()].sort(compare);
    return { children: keys.map((value) => ({ value, node: this.trie(groups.get(value) as Combination[], rest, metrics) })) };
  }

  private appsOf(tenant: string): App[] {
    const t = TENANTS.indexOf(tenant);
    const shapes = APP_SHAPES.filter((_, i) => (this.hash(10, t, i) % 4 !== 0 || i === 0) && i < 3 + (t % 2));
    return shapes.map((s) => ({
      id: `${tenant.toLowerCase()}-${s.suffix}-${(this.hash(11, t, s.suffix.length) % 0xffff).toString(16).padStart(4, '0')}`,
      name: `${tenant} ${s.label}`,
      platforms: s.platforms,
    }));
  }

  private buildGeneral(): Cube {
    const metrics = [...generalMetrics(), ...durationMetrics(), ...bstreamsMetrics()];
    const combinations: Combination[] = [];
    TENANTS.forEach((tenant, t) => {
      for (const app of this.appsOf(tenant)) {
        app.platforms.forEach((platform, p) => {
          MVPDS.forEach((mvpd, m) => {
            CHANNELS.forEach((channel, c) => {
              const h = this.hash(20, t, app.id.length + p * 7, m * 5 + c);
              if (h % 100 >= 45 && !(m === 0 && c === 0)) return;
              const values = { tenant, mvpd, channel, platform, 'application-id': app.id, application: app.name };
              combinations.push({ values, family: h % FAMILIES, weights: this.generalWeights(metrics, h) });
            });
          });
        });
      }
    });
    return { name: 'general', dimensions: ['tenant', 'mvpd', 'channel', 'platform', 'application-id', 'application'], metrics, finest: 'minute', combinations };
  }

  private generalWeights(metrics: string[], h: number): number[] {
    const r = (salt: number, mod: number) => this.hash(30, h, salt) % mod;
    const users = 1 + r(1, 12);
    const started = users + Math.floor(users / 3) + r(2, 4);
    const byName: Record<string, number> = {
      'active-users': users,
      'active-sessions': started + Math.floor(users / 2) + r(3, 3),
      'started-sessions': started,
      'completed-sessions': Math.max(0, started - r(4, 2)),
      'failed-attempts': r(5, 3),
      'dismissed-sessions': r(6, 5) === 0 ? 1 : 0,
      'killed-sessions': r(7, 4) === 0 ? 1 : 0,
    };
    // duration buckets: shorter streams are more common
    durationMetrics().forEach((m, i) => {
      byName[m] = Math.max(0, Math.round((started * 6) / (i + 2) / (i + 2)) - r(8 + i, 2));
    });
    // bstreams-15 … bstreams-120: fewer as the window grows
    bstreamsMetrics().forEach((m, i) => {
      byName[m] = Math.max(0, Math.round((started * 2) / (i + 1)) - r(30 + i, 2));
    });
    return metrics.map((m) => byName[m] ?? 0);
  }

  private buildLevels(level: 'concurrency-level' | 'activity-level', levels: number, decay: number): Cube {
    const combinations: Combination[] = [];
    TENANTS.forEach((tenant, t) => {
      MVPDS.forEach((mvpd, m) => {
        const base = 5 + (this.hash(40, t, m, levels) % 20);
        for (let l = 1; l <= levels; l++) {
          const users = Math.round(base * Math.pow(decay, l - 1));
          if (users === 0 && l > 1) break;
          const values = { tenant, mvpd, [level]: String(l) };
          combinations.push({ values, family: this.hash(41, t, m) % FAMILIES, weights: [users] });
        }
      });
    });
    return { name: level, dimensions: ['tenant', 'mvpd', level], metrics: [...levelMetrics()], finest: 'day', combinations };
  }

  /**
   * Users per (tenant, mvpd, duration, occurrences, activity level, concurrency level ≤ activity level), and
   * `year`'s metrics (sessions, bstreams-*) for the nodes without harvested columns, which inherit them: the
   * general cube's weights per (tenant, mvpd, family) split exactly over that tenant and MVPD's level
   * combinations, so `year/duration` adds up to `year` for the additive metrics.
   */
  private buildRealLevels(): Cube {
    const metrics = [...levelMetrics(), ...yearMetrics()];
    const combinations: Combination[] = [];
    const tuples = new Map<string, Record<string, string>[]>();
    TENANTS.forEach((tenant, t) => {
      MVPDS.forEach((mvpd, m) => {
        DURATIONS.forEach((duration, d) => {
          OCCURRENCES.forEach((occurrences, o) => {
            const h = this.hash(50, t, m, d * 8 + o);
            if (h % 100 >= 70) return;
            const base = 4 + (h % 30);
            for (let a = 1; a <= 5; a++) {
              for (let c = 1; c <= a; c++) {
                const users = Math.round(base * Math.pow(0.55, a - 1) * Math.pow(0.6, c - 1));
                if (users === 0) continue;
                const values = { tenant, mvpd, duration, occurrences, 'activity-level': String(a), 'concurrency-level': String(c) };
                combinations.push({ values, family: h % FAMILIES, weights: [users, ...yearMetrics().map(() => 0)] });
                const k = `${tenant}|${mvpd}`;
                tuples.set(k, [...(tuples.get(k) ?? []), values]);
              }
            }
          });
        });
      });
    });
    // year's metrics: summed per (tenant, mvpd, family) from the general cube, then split in three exact parts
    const idx = yearMetrics().map((name) => this.general.metrics.indexOf(name));
    const sums = new Map<string, { tenant: string; mvpd: string; family: number; w: number[] }>();
    for (const g of this.general.combinations) {
      const k = `${g.values.tenant}|${g.values.mvpd}|${g.family}`;
      const acc = sums.get(k) ?? { tenant: g.values.tenant, mvpd: g.values.mvpd, family: g.family, w: yearMetrics().map(() => 0) };
      idx.forEach((i, j) => (acc.w[j] += g.weights[i]));
      sums.set(k, acc);
    }
    for (const s of sums.values()) {
      const list = tuples.get(`${s.tenant}|${s.mvpd}`);
      const targets = list?.length
        ? [0, 1, 2].map((i) => list[this.hash(51, s.family, i, list.length) % list.length])
        : [{ tenant: s.tenant, mvpd: s.mvpd, duration: DURATIONS[0], occurrences: OCCURRENCES[0], 'activity-level': '1', 'concurrency-level': '1' }];
      const shares = targets.length === 3 ? [0.5, 0.3, 0.2] : [1];
      const parts = targets.map(() => yearMetrics().map(() => 0));
      s.w.forEach((w, j) => {
        let left = w;
        for (let i = targets.length - 1; i > 0; i--) {
          parts[i][j] = Math.floor(w * shares[i]);
          left -= parts[i][j];
        }
        parts[0][j] = left;
      });
      targets.forEach((values, i) => combinations.push({ values: { ...values }, family: s.family, weights: [0, ...parts[i]] }));
    }
    const dimensions = ['tenant', 'mvpd', 'duration', 'occurrences', 'activity-level', 'concurrency-level'];
    return { name: 'levels', dimensions, metrics, finest: 'hour', combinations };
  }

  /** A 32-bit integer hash of the seed and the given integers. */
  private hash(...xs: number[]): number {
    let h = (0x811c9dc5 ^ this.seed) >>> 0;
    for (const x of xs) {
      h = Math.imul(h ^ (x & 0xffff), 0x01000193) >>> 0;
      h = Math.imul(h ^ (x >>> 16), 0x01000193) >>> 0;
      h ^= h >>> 15;
      h = Math.imul(h, 0x2c1b3c6d) >>> 0;
      h ^= h >>> 12;
    }
    return h >>> 0;
  }
}

function isTime(d: string): boolean {
  return (TIME_ORDER as readonly string[]).includes(d);
}

function compare(a: string, b: string): number {
  // level values are numbers: order them as numbers
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
