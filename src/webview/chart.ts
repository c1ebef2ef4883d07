/**
 * Time-series chart (uPlot) for reports whose path has time dimensions: the x axis is built from the
 * year…second columns (wall clock of the report time zone), one metric at a time, optionally split by one dimension into its top N
 * values plus "other". Colours come from the VS Code theme's CSS variables; the chart is rebuilt when
 * the theme changes. The table stays the accessible view of the same data. uPlot itself is a separate
 * script (dist/chart.js), loaded the first time a chart is drawn.
 */
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { TIME_ORDER } from '../shared/analysis';
import { NULL_CODE, type ColumnData, type ColumnView } from '../shared/protocol';
import type { ReportData } from './data';
import { h, setChildren } from './dom';
import { rowBuckets } from './timeBuckets';

// The bundle's own (inline) <script>: it names chart.js (data-chart) and has the nonce that allows it (CSP).
const ownScript = document.currentScript as HTMLScriptElement | null;
let uplotLoading: Promise<typeof uPlot> | undefined;

/** Loads dist/chart.js once (a failed load is tried again on the next chart). */
function loadUplot(): Promise<typeof uPlot> {
  const w = window as unknown as { __cmuUplot?: typeof uPlot };
  if (w.__cmuUplot) return Promise.resolve(w.__cmuUplot);
  uplotLoading ??= new Promise<typeof uPlot>((resolve, reject) => {
    const s = document.createElement('script');
    s.nonce = ownScript?.nonce ?? '';
    s.src = new URL(ownScript?.dataset.chart ?? 'chart.js', document.baseURI).href;
    s.onload = () => (w.__cmuUplot ? resolve(w.__cmuUplot) : reject(new Error('chart.js did not define uPlot')));
    s.onerror = () => reject(new Error('chart.js could not be loaded'));
    document.head.append(s);
  }).catch((e: unknown) => {
    uplotLoading = undefined;
    throw e;
  });
  return uplotLoading;
}

const ALL_METRICS = '*';
const NO_SPLIT = '';

export interface ChartSeries {
  x: number[];
  series: { label: string; values: (number | null)[] }[];
  /** per x: the bucket holds a partial row (its numbers are not final) */
  partial: boolean[];
}

/**
 * Aggregates the rows into time buckets (UTC); pure, exported for tests and the benchmark. A derived
 * ratio is the ratio of its summed inputs per bucket (never a sum of row ratios).
 */
export function buildSeries(d: ReportData, metric: string, split: string, topN: number, partialRows?: ReadonlySet<number>, keep?: Uint8Array): ChartSeries | undefined {
  const columns = d.columns;
  const timeIdx = TIME_ORDER.map((t) => columns.findIndex((c) => c.name === t));
  if (timeIdx.every((i) => i < 0)) return undefined;
  const metrics = metric === ALL_METRICS ? columns.filter((c) => c.kind === 'metric' && !c.derived).map((c) => c.name) : [metric];
  const mIdx = metrics.map((m) => columns.findIndex((c) => c.name === m)).filter((i) => i >= 0 && d.data[i].type === 'number');
  if (mIdx.length === 0) return undefined;
  const numberCol = (name: string) => {
    const i = columns.findIndex((c) => c.name === name);
    const col = i >= 0 ? d.data[i] : undefined;
    return col?.type === 'number' ? col.values : undefined;
  };
  // per chosen metric: what is summed (numerator) and, for a ratio, what it is divided by
  const parts = mIdx.map((i) => {
    const ratio = columns[i].derived;
    if (!ratio) return { num: [(d.data[i] as Extract<ColumnData, { type: 'number' }>).values], den: undefined };
    const num = ratio.numerator.map(numberCol);
    const den = ratio.denominator.map(numberCol);
    return num.every(Boolean) && den.every(Boolean) ? { num: num as Float64Array[], den: den as Float64Array[] } : undefined;
  });
  if (parts.some((p) => !p)) return undefined;
  const sumOf = (cols: Float64Array[], r: number) => {
    let s = 0;
    for (const c of cols) s += c[r];
    return s;
  };
  const n = d.rowCount;

  const { rowBucket, x } = rowBuckets(d, timeIdx, keep);
  const nb = x.length;
  const partial = new Array<boolean>(nb).fill(false);
  for (const r of partialRows ?? []) if (r < n && rowBucket[r] >= 0) partial[rowBucket[r]] = true;

  /** Sums per (series, bucket), then the ratio when the metric is one. */
  const accumulate = (nseries: number, slotOf: (r: number) => number, k: number) => {
    const p = parts[k] as { num: Float64Array[]; den?: Float64Array[] };
    const num = Array.from({ length: nseries }, () => new Array<number | null>(nb).fill(null));
    const den = p.den ? Array.from({ length: nseries }, () => new Float64Array(nb)) : undefined;
    for (let r = 0; r < n; r++) {
      if (rowBucket[r] < 0) continue;
      const v = sumOf(p.num, r);
      if (Number.isNaN(v)) continue;
      const dv = p.den ? sumOf(p.den, r) : 0;
      if (Number.isNaN(dv)) continue;
      const s = slotOf(r);
      const b = rowBucket[r];
      num[s][b] = (num[s][b] ?? 0) + v;
      if (den) den[s][b] += dv;
    }
    if (den) num.forEach((vals, s) => vals.forEach((v, b) => (vals[b] = v === null || den[s][b] === 0 ? null : v / den[s][b])));
    return num;
  };

  const sIdx = split ? columns.findIndex((c) => c.name === split) : -1;
  const sCol = sIdx >= 0 ? d.data[sIdx] : undefined;
  if (!sCol || sCol.type !== 'text') {
    return { x, series: mIdx.map((ci, k) => ({ label: columns[ci].name, values: accumulate(1, () => 0, k)[0] })), partial };
  }

  // top N values of the split dimension by volume (a ratio: by its denominator), the rest as "other"
  const volume = parts.map((p) => (p?.den ?? p?.num) as Float64Array[]);
  const ncodes = sCol.dict.length + 1; // last slot: empty cells
  const codeOf = (r: number): number => (sCol.codes[r] === NULL_CODE ? ncodes - 1 : sCol.codes[r]);
  const totals = new Float64Array(ncodes);
  const seen = new Uint8Array(ncodes);
  for (let r = 0; r < n; r++) {
    if (rowBucket[r] < 0) continue;
    const k = codeOf(r);
    seen[k] = 1;
    for (const cols of volume) {
      const v = sumOf(cols, r);
      if (!Number.isNaN(v)) totals[k] += v;
    }
  }
  const present = Array.from(totals.keys()).filter((k) => seen[k]);
  present.sort((a, b) => totals[b] - totals[a]);
  const top = present.slice(0, topN);
  const others = present.length - top.length;
  const slot = new Int32Array(ncodes).fill(top.length);
  top.forEach((k, i) => (slot[k] = i));
  const labels = top.map((k) => (k === ncodes - 1 ? '(empty)' : sCol.dict[k] === '' ? '(empty)' : sCol.dict[k]));
  if (others > 0) labels.push(`other (${others})`);
  // one metric per chart when split (the picker's "all metrics" adds them up per split value)
  const sums = mIdx.map((_, k) => accumulate(labels.length, (r) => slot[codeOf(r)], k));
  const values = labels.map((_, s) => {
    const out = new Array<number | null>(nb).fill(null);
    for (const m of sums) m[s].forEach((v, b) => (out[b] = v === null ? out[b] : (out[b] ?? 0) + v));
    return out;
  });
  return { x, series: labels.map((label, s) => ({ label, values: values[s] })), partial };
}

const MIN = 60;
const HOUR = 3600;
const DAY = 86400;
const MONTH = 30 * DAY; // uPlot steps whole calendar months from this size up
const YEAR = 365 * DAY;
const TIME_INCRS = [1, 5, 10, 15, 30, MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR, 6 * HOUR, 8 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 3 * DAY, 4 * DAY, 5 * DAY, 7 * DAY, 10 * DAY, 15 * DAY, MONTH, 2 * MONTH, 3 * MONTH, 4 * MONTH, 6 * MONTH, YEAR, 2 * YEAR, 5 * YEAR, 10 * YEAR];
const GRAIN: Record<(typeof TIME_ORDER)[number], number> = { year: YEAR, month: MONTH, day: DAY, hour: HOUR, minute: MIN, second: 1 };

/** Tick steps no finer than the report's grain: daily data gets day ticks (no 12:00 between two days). */
export function timeIncrs(columns: ColumnView[]): number[] {
  const finest = [...TIME_ORDER].reverse().find((t) => columns.some((c) => c.name === t));
  const min = finest ? GRAIN[finest] : 1;
  return TIME_INCRS.filter((i) => i >= min);
}

/** `color` with alpha `a` (any CSS colour, resolved by the browser). */
function withAlpha(color: string, a: number): string {
  const probe = document.createElement('span');
  probe.style.color = color;
  document.body.append(probe);
  const rgb = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(getComputedStyle(probe).color);
  probe.remove();
  return rgb ? `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${a})` : color;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * The colour without its alpha. Some themes give chart colours transparency (Dark Modern's
 * charts.orange is rgba(234, 92, 0, 0.33)): fine for a fill, a faint line on a chart.
 */
export function opaque(color: string): string {
  const c = color.trim();
  const rgba = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)\s*(?:[,/]\s*[\d.]+%?\s*)?\)$/i.exec(c);
  if (rgba) return `rgb(${rgba[1]}, ${rgba[2]}, ${rgba[3]})`;
  if (/^#[0-9a-f]{8}$/i.test(c)) return c.slice(0, 7);
  if (/^#[0-9a-f]{4}$/i.test(c)) return c.slice(0, 4);
  return c;
}

function palette(): string[] {
  return [
    cssVar('--vscode-charts-blue', '#3794ff'),
    cssVar('--vscode-charts-orange', '#d18616'),
    cssVar('--vscode-charts-green', '#89d185'),
    cssVar('--vscode-charts-purple', '#b180d7'),
    cssVar('--vscode-charts-red', '#f14c4c'),
    cssVar('--vscode-charts-yellow', '#cca700'),
    cssVar('--vscode-terminal-ansiCyan', '#11a8cd'),
    cssVar('--vscode-terminal-ansiMagenta', '#bc3fbc'),
    cssVar('--vscode-terminal-ansiBrightBlue', '#3b8eea'),
    cssVar('--vscode-terminal-ansiBrightGreen', '#23d18b'),
  ].map(opaque);
}

export class ReportChart {
  readonly el: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly metricSel: HTMLSelectElement;
  private readonly splitSel: HTMLSelectElement;
  private readonly topSel: HTMLSelectElement;
  private readonly note: HTMLElement;
  private plot: uPlot | undefined;
  private report: ReportData | undefined;
  private data: ChartSeries | undefined;
  /** rows whose bucket is not final: drawn dashed and greyed */
  private partialRows: ReadonlySet<number> = new Set();
  /** ms spent building the last chart (aggregation + uPlot draw) */
  lastBuildMs = 0;
  /** settles when the chart asked for last is drawn (uPlot loaded on the first one) */
  drawn: Promise<void> = Promise.resolve();
  /** the split the next {@link setData} picks when the report has it (the dimension a drill-down added) */
  preferSplit: string | undefined;
  /** rows the quick filter shows (1 = shown); undefined = every row */
  private keep: Uint8Array | undefined;

  constructor() {
    this.metricSel = h('select', { 'aria-label': 'Metric' });
    this.splitSel = h('select', { 'aria-label': 'Split by dimension' });
    this.topSel = h('select', { 'aria-label': 'Number of series' });
    for (const n of [3, 5, 8, 10]) this.topSel.append(h('option', { value: n, text: `top ${n}` }));
    this.topSel.value = '5';
    this.note = h('span', { class: 'chart-note' });
    this.plotHost = h('div', { class: 'plot', role: 'img' });
    this.el = h(
      'section',
      { class: 'chart-section', 'aria-label': 'Chart' },
      h(
        'div',
        { class: 'chart-controls' },
        h('label', {}, 'Metric ', this.metricSel),
        h('label', {}, 'Split by ', this.splitSel),
        this.topSel,
        this.note,
      ),
      this.plotHost,
    );
    for (const s of [this.metricSel, this.splitSel, this.topSel]) s.addEventListener('change', () => void this.rebuild());
    const resize = (): void => {
      if (this.plot) this.plot.setSize(this.size());
    };
    new ResizeObserver(resize).observe(this.plotHost);
    window.addEventListener('resize', resize); // the height follows the panel's
    // VS Code swaps body classes / data-vscode-theme-* on a theme change: redraw with the new colours
    // (and the variables on <html style>): redraw with the new colours, once per frame
    let pending = false;
    const onTheme = (): void => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        void this.rebuild();
      });
    };
    const mo = new MutationObserver(onTheme);
    mo.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'] });
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  /** the report time zone's label: the x axis shows the buckets' wall clock in it */
  zone = 'UTC';

  /** The rows the table shows after its quick filter (undefined: all): the chart draws only those. */
  setFilter(keep: Uint8Array | undefined): void {
    if (keep === this.keep) return;
    this.keep = keep;
    this.drawn = this.rebuild();
  }

  /** The x-axis ticks (seconds, UTC) of the chart drawn, for tests. */
  xTicks(): number[] {
    return ((this.plot?.axes[0] as { _splits?: number[] } | undefined)?._splits ?? []).slice();
  }

  /** Whether the columns allow a time chart. */
  static applies(columns: ColumnView[]): boolean {
    return columns.some((c) => (TIME_ORDER as readonly string[]).includes(c.name)) && columns.some((c) => c.kind === 'metric');
  }

  /** Sets the data; returns whether a chart is shown (drawn when {@link drawn} settles). Keeps the chosen metric/split when still valid. */
  setData(report: ReportData | undefined, partialRows: ReadonlySet<number> = new Set(), keep?: Uint8Array): boolean {
    this.report = report;
    this.keep = keep;
    this.partialRows = partialRows;
    const columns = report?.columns ?? [];
    if (!report || !ReportChart.applies(columns) || report.rowCount === 0) {
      this.destroy();
      this.el.hidden = true;
      return false;
    }
    this.el.hidden = false;
    // a compare view charts each metric's value, its previous period overlaid
    const metrics = columns.filter((c) => c.kind === 'metric' && (!c.compare || c.compare.role === 'value')).map((c) => c.name);
    const splits = columns.filter((c) => c.kind === 'dimension' && !(TIME_ORDER as readonly string[]).includes(c.name)).map((c) => c.name);
    const prevMetric = this.metricSel.value;
    const prevSplit = this.splitSel.value;
    const derived = new Set(columns.filter((c) => c.derived).map((c) => c.name));
    setChildren(this.metricSel, metrics.map((m) => h('option', { value: m, text: derived.has(m) ? `${m} (derived)` : m })));
    if (metrics.length > 1 && !columns.some((c) => c.compare)) this.metricSel.append(h('option', { value: ALL_METRICS, text: 'all metrics' }));
    this.metricSel.value = metrics.includes(prevMetric) || prevMetric === ALL_METRICS ? prevMetric : metrics[0];
    this.splitSel.replaceChildren(h('option', { value: NO_SPLIT, text: '(none)' }), ...splits.map((s) => h('option', { value: s, text: s })));
    // default: split by the last non-time dimension of the path (what the user drilled into)
    // after a drill-down: the dimension just added
    const prefer = this.preferSplit;
    this.preferSplit = undefined;
    this.splitSel.value = prefer && splits.includes(prefer) ? prefer : splits.includes(prevSplit) ? prevSplit : (splits[splits.length - 1] ?? NO_SPLIT);
    this.drawn = this.rebuild();
    return true;
  }

  async rebuild(): Promise<void> {
    if (this.el.hidden || !this.report) return;
    const t0 = performance.now();
    let uPlot: typeof import('uplot');
    try {
      uPlot = await loadUplot();
    } catch (e) {
      this.destroy();
      this.note.textContent = `The chart could not be drawn (${e instanceof Error ? e.message : String(e)}); the table has the data.`;
      return;
    }
    if (this.el.hidden || !this.report) return;
    this.topSel.hidden = this.splitSel.value === NO_SPLIT;
    const metric = this.metricSel.value;
    this.data = buildSeries(this.report, metric, this.splitSel.value, Number(this.topSel.value), this.partialRows, this.keep);
    const compared = this.report.columns.some((c) => c.compare);
    const prev = compared ? buildSeries(this.report, `${metric} (prev)`, this.splitSel.value, Number(this.topSel.value), undefined, this.keep) : undefined;
    this.destroy();
    if (!this.data) return;
    const colors = palette();
    const fg = cssVar('--vscode-foreground', '#cccccc');
    // the grid a faint tint of the text colour: a theme's border colour (High Contrast: bright cyan/orange) would compete with the series
    const hc = /vscode-high-contrast/.test(document.body.className);
    const grid = withAlpha(fg, hc ? 0.3 : 0.15);
    const otherColor = opaque(cssVar('--vscode-descriptionForeground', '#999999'));
    const font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    const axis = { stroke: fg, grid: { stroke: grid, width: 1, ...(hc ? { dash: [2, 4] } : {}) }, ticks: { stroke: grid, width: 1 }, font };
    const fmt = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
    const opts: uPlot.Options = {
      ...this.size(),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      // values in the legend only while the pointer is over the plot (no row of "--" otherwise)
      hooks: { setCursor: [(u) => this.plotHost.classList.toggle('hovering', u.cursor.idx != null)] },
      axes: [{ ...axis, incrs: timeIncrs(this.report.columns) }, { ...axis, size: 60, values: (_u, vals) => vals.map((v) => (v == null ? '' : fmt.format(v))) }],
      series: [{ label: `time (${this.zone})` }],
    };
    const partialColor = opaque(cssVar('--vscode-disabledForeground', '#888888'));
    const aligned: (number | null)[][] = [this.data.x];
    const add = (label: string, values: (number | null)[], stroke: string, dash?: number[]) => {
      opts.series.push({ label, stroke, width: 1.5, spanGaps: false, points: { show: false }, ...(dash ? { dash } : {}) });
      aligned.push(values);
    };
    const partial = this.data.partial;
    const anyPartial = partial.some(Boolean);
    this.data.series.forEach((s, i) => {
      const color = s.label.startsWith('other (') ? otherColor : colors[i % colors.length];
      if (!anyPartial) return add(s.label, s.values, color);
      // complete buckets solid; a partial bucket dashed and greyed, joined to the bucket before it
      add(s.label, s.values.map((v, b) => (partial[b] ? null : v)), color);
      add(`${s.label} (partial)`, s.values.map((v, b) => (partial[b] || partial[b + 1] ? v : null)), partialColor, [3, 3]);
    });
    // compare view: each series' previous period dashed in its colour (a split matches by value)
    this.data.series.forEach((s, i) => {
      const p = prev?.series.find((x) => x.label === s.label || x.label === `${s.label} (prev)`);
      if (p) add(`${s.label} (previous period)`, p.values, s.label.startsWith('other (') ? otherColor : colors[i % colors.length], [6, 4]);
    });
    this.plot = new uPlot(opts, aligned as uPlot.AlignedData, this.plotHost);
    this.plotHost.setAttribute(
      'aria-label',
      `Chart of ${this.metricSel.value === ALL_METRICS ? 'all metrics' : this.metricSel.value} over time` +
        (this.splitSel.value ? `, split by ${this.splitSel.value}` : '') +
        `; ${this.data.x.length} points. The table below has the same data.`,
    );
    this.lastBuildMs = performance.now() - t0;
    this.note.textContent = `${this.data.x.length.toLocaleString()} time points`;
  }

  private size(): { width: number; height: number } {
    const w = Math.max(300, this.plotHost.clientWidth || this.el.clientWidth || 600);
    // about a quarter of the panel: the table below keeps most of the room
    const height = Math.round(Math.min(240, Math.max(140, window.innerHeight * 0.25)));
    return { width: w, height };
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }

  get isShown(): boolean {
    return !!this.plot && !this.el.hidden;
  }
}
