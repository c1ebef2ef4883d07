/**
 * Time-series chart (uPlot) for reports whose path has time dimensions: the x axis is built from the
 * year…second columns (UTC), one metric at a time, optionally split by one dimension into its top N
 * values plus "other". Colours come from the VS Code theme's CSS variables; the chart is rebuilt when
 * the theme changes. The table stays the accessible view of the same data.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ReportCell } from '../core/cmu/types';
import type { ColumnView } from '../shared/protocol';
import { h } from './dom';

export const TIME_ORDER = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
const ALL_METRICS = '*';
const NO_SPLIT = '';

export interface ChartSeries {
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

/** Aggregates rows into time buckets; pure, exported for tests and the benchmark. */
export function buildSeries(
  columns: ColumnView[],
  rows: ReportCell[][],
  metric: string,
  split: string,
  topN: number,
): ChartSeries | undefined {
  const timeIdx = TIME_ORDER.map((t) => columns.findIndex((c) => c.name === t));
  if (timeIdx.every((i) => i < 0)) return undefined;
  const metrics = metric === ALL_METRICS ? columns.filter((c) => c.kind === 'metric').map((c) => c.name) : [metric];
  const mIdx = metrics.map((m) => columns.findIndex((c) => c.name === m)).filter((i) => i >= 0);
  if (mIdx.length === 0) return undefined;
  const sIdx = split ? columns.findIndex((c) => c.name === split) : -1;
  const [yi, moi, di, hi, mii, si] = timeIdx;
  const num = (r: ReportCell[], i: number, dflt: number): number => {
    if (i < 0) return dflt;
    const v = r[i];
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : dflt;
  };

  // bucket index per row
  const bucketOf = new Map<number, number>();
  const xs: number[] = [];
  const rowBucket = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const t =
      Date.UTC(num(row, yi, 1970), num(row, moi, 1) - 1, num(row, di, 1), num(row, hi, 0), num(row, mii, 0), num(row, si, 0)) / 1000;
    let b = bucketOf.get(t);
    if (b === undefined) {
      b = xs.length;
      bucketOf.set(t, b);
      xs.push(t);
    }
    rowBucket[r] = b;
  }
  // sort buckets by time
  const perm = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const rank = new Int32Array(xs.length);
  perm.forEach((b, i) => (rank[b] = i));
  const x = perm.map((b) => xs[b]);
  const nb = x.length;

  const valueOf = (row: ReportCell[]): number | null => {
    let s = 0;
    let any = false;
    for (const i of mIdx) {
      const v = row[i];
      if (typeof v === 'number') {
        s += v;
        any = true;
      }
    }
    return any ? s : null;
  };

  if (sIdx < 0) {
    const series = mIdx.map((mi) => {
      const vals = new Array<number | null>(nb).fill(null);
      for (let r = 0; r < rows.length; r++) {
        const v = rows[r][mi];
        if (typeof v !== 'number') continue;
        const k = rank[rowBucket[r]];
        vals[k] = (vals[k] ?? 0) + v;
      }
      return { label: columns[mi].name, values: vals };
    });
    return { x, series };
  }

  // top N values of the split dimension by total, the rest as "other"
  const totals = new Map<string, number>();
  for (const row of rows) {
    const key = String(row[sIdx] ?? '');
    totals.set(key, (totals.get(key) ?? 0) + (valueOf(row) ?? 0));
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  const top = ranked.slice(0, topN).map(([k]) => k);
  const hasOther = ranked.length > topN;
  const slot = new Map(top.map((k, i) => [k, i]));
  const series = [...top.map((k) => ({ label: k === '' ? '(empty)' : k, values: new Array<number | null>(nb).fill(null) }))];
  if (hasOther) series.push({ label: `other (${ranked.length - topN})`, values: new Array<number | null>(nb).fill(null) });
  for (let r = 0; r < rows.length; r++) {
    const v = valueOf(rows[r]);
    if (v === null) continue;
    const s = slot.get(String(rows[r][sIdx] ?? '')) ?? top.length;
    const k = rank[rowBucket[r]];
    const arr = series[s].values;
    arr[k] = (arr[k] ?? 0) + v;
  }
  return { x, series };
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
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
  ];
}

export class ReportChart {
  readonly el: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly metricSel: HTMLSelectElement;
  private readonly splitSel: HTMLSelectElement;
  private readonly topSel: HTMLSelectElement;
  private readonly note: HTMLElement;
  private plot: uPlot | undefined;
  private columns: ColumnView[] = [];
  private rows: ReportCell[][] = [];
  private data: ChartSeries | undefined;
  /** ms spent building the last chart (aggregation + uPlot draw) */
  lastBuildMs = 0;

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
    for (const s of [this.metricSel, this.splitSel, this.topSel]) s.addEventListener('change', () => this.rebuild());
    new ResizeObserver(() => {
      if (this.plot) this.plot.setSize(this.size());
    }).observe(this.plotHost);
    // VS Code swaps body classes / data-vscode-theme-* on a theme change: redraw with the new colours
    // (and the variables on <html style>): redraw with the new colours, once per frame
    let pending = false;
    const onTheme = (): void => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        this.rebuild();
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

  /** Sets the data; returns whether a chart is shown. Keeps the chosen metric/split when still valid. */
  setData(columns: ColumnView[], rows: ReportCell[][]): boolean {
    this.columns = columns;
    this.rows = rows;
    if (!ReportChart.applies(columns) || rows.length === 0) {
      this.destroy();
      this.el.hidden = true;
      return false;
    }
    this.el.hidden = false;
    const metrics = columns.filter((c) => c.kind === 'metric').map((c) => c.name);
    const splits = columns.filter((c) => c.kind === 'dimension' && !(TIME_ORDER as readonly string[]).includes(c.name)).map((c) => c.name);
    const prevMetric = this.metricSel.value;
    const prevSplit = this.splitSel.value;
    this.metricSel.replaceChildren(...metrics.map((m) => h('option', { value: m, text: m })));
    if (metrics.length > 1) this.metricSel.append(h('option', { value: ALL_METRICS, text: 'all metrics' }));
    this.metricSel.value = metrics.includes(prevMetric) || prevMetric === ALL_METRICS ? prevMetric : metrics[0];
    this.splitSel.replaceChildren(h('option', { value: NO_SPLIT, text: '(none)' }), ...splits.map((s) => h('option', { value: s, text: s })));
    // default: split by the last non-time dimension of the path (what the user drilled into)
    this.splitSel.value = splits.includes(prevSplit) ? prevSplit : (splits[splits.length - 1] ?? NO_SPLIT);
    this.rebuild();
    return true;
  }

  rebuild(): void {
    if (this.el.hidden || !this.columns.length) return;
    const t0 = performance.now();
    this.topSel.hidden = this.splitSel.value === NO_SPLIT;
    this.data = buildSeries(this.columns, this.rows, this.metricSel.value, this.splitSel.value, Number(this.topSel.value));
    this.destroy();
    if (!this.data) return;
    const colors = palette();
    const fg = cssVar('--vscode-foreground', '#cccccc');
    const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)'));
    const otherColor = cssVar('--vscode-descriptionForeground', '#999999');
    const font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font };
    const fmt = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
    const opts: uPlot.Options = {
      ...this.size(),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
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
    return { width: w, height: 220 };
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }

  get isShown(): boolean {
    return !!this.plot && !this.el.hidden;
  }
}
