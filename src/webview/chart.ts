/**
 * Time-series chart (uPlot) for reports whose path has time dimensions: the x axis is built from the
 * year…second columns (UTC), one metric at a time, optionally split by one dimension into its top N
 * values plus "other". Colours come from the VS Code theme's CSS variables; the chart is rebuilt when
 * the theme changes. The table stays the accessible view of the same data. uPlot itself is a separate
 * script (dist/chart.js), loaded the first time a chart is drawn.
 */
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { NULL_CODE, type ColumnData, type ColumnView } from '../shared/protocol';
import type { ReportData } from './data';
import { h, setChildren } from './dom';

// The bundle's own <script>: chart.js sits beside it and is allowed by the same nonce (CSP).
const ownScript = document.currentScript as HTMLScriptElement | null;
let uplotLoading: Promise<typeof uPlot> | undefined;

/** Loads dist/chart.js once (a failed load is tried again on the next chart). */
function loadUplot(): Promise<typeof uPlot> {
  const w = window as unknown as { __cmuUplot?: typeof uPlot };
  if (w.__cmuUplot) return Promise.resolve(w.__cmuUplot);
  uplotLoading ??= new Promise<typeof uPlot>((resolve, reject) => {
    const s = document.createElement('script');
    s.nonce = ownScript?.nonce ?? '';
    s.src = new URL('chart.js', ownScript?.src ?? document.baseURI).href;
    s.onload = () => (w.__cmuUplot ? resolve(w.__cmuUplot) : reject(new Error('chart.js did not define uPlot')));
    s.onerror = () => reject(new Error('chart.js could not be loaded'));
    document.head.append(s);
  }).catch((e: unknown) => {
    uplotLoading = undefined;
    throw e;
  });
  return uplotLoading;
}

export const TIME_ORDER = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
const ALL_METRICS = '*';
const NO_SPLIT = '';

export interface ChartSeries {
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

/** Aggregates the rows into time buckets (UTC); pure, exported for tests and the benchmark. */
export function buildSeries(d: ReportData, metric: string, split: string, topN: number): ChartSeries | undefined {
  const columns = d.columns;
  const timeIdx = TIME_ORDER.map((t) => columns.findIndex((c) => c.name === t));
  if (timeIdx.every((i) => i < 0)) return undefined;
  const metrics = metric === ALL_METRICS ? columns.filter((c) => c.kind === 'metric').map((c) => c.name) : [metric];
  const mIdx = metrics.map((m) => columns.findIndex((c) => c.name === m)).filter((i) => i >= 0 && d.data[i].type === 'number');
  if (mIdx.length === 0) return undefined;
  const mVals = mIdx.map((i) => (d.data[i] as Extract<ColumnData, { type: 'number' }>).values);
  const n = d.rowCount;

  // one numeric part per time column: per distinct text value, not per row
  const part = (ci: number, dflt: number): ((r: number) => number) => {
    if (ci < 0) return () => dflt;
    const col = d.data[ci];
    if (col.type === 'number') return (r) => (Number.isNaN(col.values[r]) ? dflt : col.values[r]);
    const nums = col.dict.map((s) => {
      const x = Number(s);
      return Number.isFinite(x) ? x : dflt;
    });
    return (r) => (col.codes[r] === NULL_CODE ? dflt : nums[col.codes[r]]);
  };
  const [y, mo, da, ho, mi, se] = [part(timeIdx[0], 1970), part(timeIdx[1], 1), part(timeIdx[2], 1), part(timeIdx[3], 0), part(timeIdx[4], 0), part(timeIdx[5], 0)];

  const bucketOf = new Map<number, number>();
  const xs: number[] = [];
  const rowBucket = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const t = Date.UTC(y(r), mo(r) - 1, da(r), ho(r), mi(r), se(r)) / 1000;
    let b = bucketOf.get(t);
    if (b === undefined) {
      b = xs.length;
      bucketOf.set(t, b);
      xs.push(t);
    }
    rowBucket[r] = b;
  }
  const perm = Array.from(xs.keys()).sort((a, b) => xs[a] - xs[b]);
  const rank = new Int32Array(xs.length);
  perm.forEach((b, i) => (rank[b] = i));
  const x = perm.map((b) => xs[b]);
  const nb = x.length;

  const sIdx = split ? columns.findIndex((c) => c.name === split) : -1;
  const sCol = sIdx >= 0 ? d.data[sIdx] : undefined;
  if (!sCol || sCol.type !== 'text') {
    const series = mIdx.map((ci, k) => {
      const vals = new Array<number | null>(nb).fill(null);
      const v = mVals[k];
      for (let r = 0; r < n; r++) {
        const m = v[r];
        if (Number.isNaN(m)) continue;
        const b = rank[rowBucket[r]];
        vals[b] = (vals[b] ?? 0) + m;
      }
      return { label: columns[ci].name, values: vals };
    });
    return { x, series };
  }

  // top N values of the split dimension by total, the rest as "other"
  const valueOf = (r: number): number => {
    let s = NaN;
    for (const v of mVals) {
      const m = v[r];
      if (!Number.isNaN(m)) s = Number.isNaN(s) ? m : s + m;
    }
    return s;
  };
  const ncodes = sCol.dict.length + 1; // last slot: empty cells
  const codeOf = (r: number): number => (sCol.codes[r] === NULL_CODE ? ncodes - 1 : sCol.codes[r]);
  const totals = new Float64Array(ncodes);
  const seen = new Uint8Array(ncodes);
  const rowValue = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const v = valueOf(r);
    rowValue[r] = v;
    const k = codeOf(r);
    seen[k] = 1;
    if (!Number.isNaN(v)) totals[k] += v;
  }
  const present = Array.from(totals.keys()).filter((k) => seen[k]);
  present.sort((a, b) => totals[b] - totals[a]);
  const top = present.slice(0, topN);
  const others = present.length - top.length;
  const slot = new Int32Array(ncodes).fill(top.length);
  top.forEach((k, i) => (slot[k] = i));
  const series = top.map((k) => ({ label: k === ncodes - 1 ? '(empty)' : sCol.dict[k] === '' ? '(empty)' : sCol.dict[k], values: new Array<number | null>(nb).fill(null) }));
  if (others > 0) series.push({ label: `other (${others})`, values: new Array<number | null>(nb).fill(null) });
  for (let r = 0; r < n; r++) {
    const v = rowValue[r];
    if (Number.isNaN(v)) continue;
    const arr = series[slot[codeOf(r)]].values;
    const b = rank[rowBucket[r]];
    arr[b] = (arr[b] ?? 0) + v;
  }
  return { x, series };
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
  /** ms spent building the last chart (aggregation + uPlot draw) */
  lastBuildMs = 0;
  /** settles when the chart asked for last is drawn (uPlot loaded on the first one) */
  drawn: Promise<void> = Promise.resolve();

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

  /** Whether the columns allow a time chart. */
  static applies(columns: ColumnView[]): boolean {
    return columns.some((c) => (TIME_ORDER as readonly string[]).includes(c.name)) && columns.some((c) => c.kind === 'metric');
  }

  /** Sets the data; returns whether a chart is shown (drawn when {@link drawn} settles). Keeps the chosen metric/split when still valid. */
  setData(report: ReportData | undefined): boolean {
    this.report = report;
    const columns = report?.columns ?? [];
    if (!report || !ReportChart.applies(columns) || report.rowCount === 0) {
      this.destroy();
      this.el.hidden = true;
      return false;
    }
    this.el.hidden = false;
    const metrics = columns.filter((c) => c.kind === 'metric').map((c) => c.name);
    const splits = columns.filter((c) => c.kind === 'dimension' && !(TIME_ORDER as readonly string[]).includes(c.name)).map((c) => c.name);
    const prevMetric = this.metricSel.value;
    const prevSplit = this.splitSel.value;
    setChildren(this.metricSel, metrics.map((m) => h('option', { value: m, text: m })));
    if (metrics.length > 1) this.metricSel.append(h('option', { value: ALL_METRICS, text: 'all metrics' }));
    this.metricSel.value = metrics.includes(prevMetric) || prevMetric === ALL_METRICS ? prevMetric : metrics[0];
    this.splitSel.replaceChildren(h('option', { value: NO_SPLIT, text: '(none)' }), ...splits.map((s) => h('option', { value: s, text: s })));
    // default: split by the last non-time dimension of the path (what the user drilled into)
    this.splitSel.value = splits.includes(prevSplit) ? prevSplit : (splits[splits.length - 1] ?? NO_SPLIT);
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
    this.data = buildSeries(this.report, this.metricSel.value, this.splitSel.value, Number(this.topSel.value));
    this.destroy();
    if (!this.data) return;
    const colors = palette();
    const fg = cssVar('--vscode-foreground', '#cccccc');
    const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)'));
    const otherColor = opaque(cssVar('--vscode-descriptionForeground', '#999999'));
    const font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font };
    const fmt = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
    const opts: uPlot.Options = {
      ...this.size(),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      // values in the legend only while the pointer is over the plot (no row of "--" otherwise)
      hooks: { setCursor: [(u) => this.plotHost.classList.toggle('hovering', u.cursor.idx != null)] },
      axes: [{ ...axis }, { ...axis, size: 60, values: (_u, vals) => vals.map((v) => (v == null ? '' : fmt.format(v))) }],
      series: [
        { label: 'time (UTC)' },
        ...this.data.series.map((s, i) => ({
          label: s.label,
          stroke: s.label.startsWith('other (') ? otherColor : colors[i % colors.length],
          width: 1.5,
          spanGaps: false,
          points: { show: false },
        })),
      ],
    };
    const aligned = [this.data.x, ...this.data.series.map((s) => s.values)] as uPlot.AlignedData;
    this.plot = new uPlot(opts, aligned, this.plotHost);
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
