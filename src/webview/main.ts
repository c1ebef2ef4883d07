/**
 * Entry of the report webview (dist/webview.js). Receives HostMessages, renders header, states,
 * chart and table, and posts WebviewMessages back. It persists only the query (setState) so the
 * extension's serializer can re-fetch after a reload.
 */
import type { CompareMode, HostMessage, NavLink, PanelAction, PanelState, QueryView, ReportView, WebviewMessage } from '../shared/protocol';
import { PROTOCOL_VERSION, parseParentTotal } from '../shared/protocol';
import { ReportChart } from './chart';
import { ReportData } from './data';
import { h } from './dom';
import { renderHeader } from './header';
import { renderCancelled, renderEmpty, renderError, renderLoading } from './states';
import { ReportTable, type TableViewState } from './table';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** when this bundle started running (its start-up is reported with `ready`) */
const scriptStart = performance.now();
const vscode = acquireVsCodeApi();
const post = (m: WebviewMessage): void => vscode.postMessage(m);

/** PanelState (all the serializer reads) plus the table's sort and filter for the report at `url`. */
interface SavedState extends PanelState {
  url?: string;
  table?: TableViewState;
}

/** The sort/filter saved before this webview was (re)loaded: applied once, to the same report. */
let restoredView: { url: string; table: TableViewState } | undefined = (() => {
  const s = vscode.getState() as Partial<SavedState> | undefined;
  const t = s?.table;
  if (typeof s?.url !== 'string' || typeof t !== 'object' || t === null) return undefined;
  const sort = t.sort && typeof t.sort.column === 'string' && (t.sort.dir === 'asc' || t.sort.dir === 'desc') ? t.sort : undefined;
  const filter = typeof t.filter === 'string' ? t.filter.slice(0, 500) : undefined;
  return { url: s.url, table: { sort, filter } };
})();

const headerEl = h('header', { class: 'report-header' });
const stateEl = h('div', { class: 'state-host' });
const table = new ReportTable(() => {
  persist(currentQuery);
  filterChart();
});
const chart = new ReportChart();
const contentEl = h('main', { class: 'content' }, chart.el, table.el);
contentEl.hidden = true;
chart.el.hidden = true;
document.body.append(headerEl, stateEl, contentEl);

let currentQuery: QueryView | undefined;
/** the query of the last report shown (a drill-down starts from it even after a loading state) */
let shownBefore: QueryView | undefined;
let currentReport: ReportView | undefined;
/** the roll-up links shown with an error (no drill-down: the path failed) */
let errorNav: { breadcrumb: NavLink[]; drillDown: NavLink[] } | undefined;
let busy = false;
/** the compare toggle as the user left it (the extension fetches accordingly) */
let compareMode: CompareMode | undefined;
let lastRequestId = -1;
/** the URL of the report the table holds: a report of another URL (drill-down, roll-up) starts unfiltered */
let tableUrl: string | undefined;

const handlers = {
  action: (a: PanelAction) => post({ type: 'action', action: a }),
  navigate: (linkId: string) => post({ type: 'navigate', linkId }),
  cancel: () => post({ type: 'action', action: 'cancel' }),
  retry: () => post({ type: 'action', action: 'refresh' }),
  compare: (mode: CompareMode | 'off') => {
    compareMode = mode === 'off' ? undefined : mode;
    post({ type: 'compare', mode });
  },
  errorAction: (id: string) => post({ type: 'errorAction', id }),
};

function persist(q: QueryView | undefined): void {
  if (!q) return;
  const state: SavedState = { v: PROTOCOL_VERSION, query: q.query, url: q.url };
  if (currentReport?.query.url === q.url) state.table = table.viewState;
  vscode.setState(state);
}

function drawHeader(): void {
  if (!currentQuery) {
    headerEl.replaceChildren();
    return;
  }
  const nav = currentReport && currentReport.query === currentQuery ? currentReport : errorNav;
  const shown = currentReport?.query === currentQuery ? currentReport : undefined;
  renderHeader(headerEl, currentQuery, nav, handlers, busy, { mode: compareMode, info: shown?.compare }, shown);
  document.title = currentQuery.title;
}

/** The rows the quick filter shows as a mask for the chart (undefined: every row); the key changes only with the filter. */
let chartFilterKey = '';
function tableMask(): Uint8Array | undefined {
  const data = receiving?.data;
  const view = table.visibleOrder();
  if (!data || view.length === data.rowCount) return undefined;
  const keep = new Uint8Array(data.rowCount);
  for (let i = 0; i < view.length; i++) keep[view[i]] = 1;
  return keep;
}
function filterChart(): void {
  const key = `${table.viewState.filter ?? ''}|${table.rowCount}|${receiving?.data.rowCount ?? 0}`;
  if (key === chartFilterKey || !chart.isShown) return;
  chartFilterKey = key;
  chart.setFilter(tableMask());
}

/** Resolves after the browser has painted the current DOM (rAF, then a task after the frame). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** The report being shown and, while it streams in, where its first paint stood. */
let receiving: { requestId: number; data: ReportData; receivedAt: number; firstPaintMs: number; partial: ReadonlySet<number> } | undefined;

/** the message's arrival and its first paint on the machine's clock (ms since the epoch), for the bench */
function paintTimes(receivedAt: number, firstPaintMs: number): { receivedAt: number; paintedAt: number } {
  return { receivedAt: Math.round(performance.timeOrigin + receivedAt), paintedAt: Math.round(performance.timeOrigin + receivedAt + firstPaintMs) };
}

function domRows(): number {
  return document.querySelectorAll('.grid .body .row:not([hidden])').length;
}

/** The dimension a drill-down added (the new path extends the old one), for the chart's Split by. */
function drilledInto(from: QueryView | undefined, to: QueryView): string | undefined {
  const a = from?.query.path;
  const b = to.query.path;
  if (!a || b.length <= a.length || !a.every((s, i) => s === b[i])) return undefined;
  return b[b.length - 1];
}

async function showReport(requestId: number, report: ReportView, receivedAt: number): Promise<void> {
  busy = false;
  const added = drilledInto(currentReport?.query ?? shownBefore, report.query);
  if (added) chart.preferSplit = added;
  shownBefore = report.query;
  currentQuery = report.query;
  currentReport = report;
  compareMode = report.compare?.mode; // the extension's answer is the truth of the toggle
  persist(report.query);
  drawHeader();
  // a compare view arrives with its ratios computed from both windows: no ratios derived here then
  const data = ReportData.receiving(report.columns, !report.compare, report.totalColumns);
  if (!data.append(report.data, report.rowCount)) {
    receiving = undefined;
    contentEl.hidden = true;
    renderError(stateEl, { message: 'The report could not be shown', explanation: 'The data the extension sent is not valid.', code: 'bad_message', actions: [{ id: 'retry', label: 'Retry' }], nextSteps: [] }, handlers);
    return;
  }
  const partial = new Map((report.partial?.rows ?? []).map((r, i) => [r, report.partial?.reasons[i] ?? 'partial']));
  table.setPartial(partial);
  const more = report.more === true;
  receiving = { requestId, data, receivedAt, firstPaintMs: 0, partial: new Set(partial.keys()) };
  if (data.rowCount === 0 && !more) {
    contentEl.hidden = true;
    chart.setData(undefined);
    table.setData(data, tableUrl !== report.query.url);
    tableUrl = report.query.url;
    renderEmpty(stateEl, report.drillDown, handlers);
    await afterPaint();
    const firstPaintMs = performance.now() - receivedAt;
    post({ type: 'rendered', stats: { requestId, rows: 0, domRows: 0, chart: false, firstPaintMs, chartMs: 0, complete: true, ...paintTimes(receivedAt, firstPaintMs) } });
    return;
  }
  stateEl.replaceChildren();
  contentEl.hidden = false;
  // The table first (what the user reads), the chart once every row is in.
  chart.el.hidden = !ReportChart.applies(report.columns);
  table.setData(data, tableUrl !== report.query.url, more ? { total: report.totalRows } : undefined);
  tableUrl = report.query.url;
  if (restoredView?.url === report.query.url) table.applyViewState(restoredView.table);
  restoredView = undefined;
  await afterPaint();
  if (receiving?.requestId !== requestId) return; // a newer message replaced this one
  receiving.firstPaintMs = performance.now() - receivedAt;
  // the first rows are on screen: say so now when rows or the chart are still to come
  if (more || !chart.el.hidden) post({ type: 'rendered', stats: { requestId, rows: table.rowCount, domRows: domRows(), chart: false, firstPaintMs: receiving.firstPaintMs, chartMs: 0, complete: false, ...paintTimes(receivedAt, receiving.firstPaintMs) } });
  if (!more) await finishReport(requestId);
}

function validPartial(p: unknown): p is { rows: number[]; reasons: string[] } {
  const o = p as { rows?: unknown; reasons?: unknown };
  return Array.isArray(o.rows) && Array.isArray(o.reasons) && o.rows.length === o.reasons.length && o.rows.every((r) => Number.isInteger(r)) && o.reasons.every((w) => typeof w === 'string');
}

/** The next chunk of the report being received: appended, the table updated in place. */
function appendRows(msg: Extract<HostMessage, { type: 'rows' }>): void {
  const r = receiving;
  if (!r || r.requestId !== msg.requestId || msg.requestId !== lastRequestId || msg.start !== r.data.rowCount) return;
  if (!r.data.append(msg.data, msg.rowCount)) return;
  if (msg.partial && validPartial(msg.partial)) {
    // the partial buckets of these rows (the host reads them chunk by chunk)
    const partial = new Map(table.partialRows);
    msg.partial.rows.forEach((row, i) => partial.set(row, msg.partial!.reasons[i]));
    table.setPartial(partial);
    r.partial = new Set(partial.keys());
  }
  table.rowsAdded(msg.more ? { total: currentReport?.totalRows } : undefined);
  if (!msg.more && typeof msg.bytes === 'number' && currentReport?.response) {
    // a streamed answer's size is known at its end
    currentReport.response.bytes = msg.bytes;
    drawHeader();
  }
  if (!msg.more) void finishReport(msg.requestId);
}

async function finishReport(requestId: number): Promise<void> {
  const r = receiving;
  if (!r || r.requestId !== requestId) return;
  const t0 = performance.now();
  chart.zone = currentReport?.query.time?.zone ?? 'UTC';
  chartFilterKey = `${table.viewState.filter ?? ''}|${table.rowCount}|${r.data.rowCount}`;
  const shown = chart.setData(r.data, r.partial, tableMask());
  await chart.drawn;
  const chartMs = shown ? performance.now() - t0 : 0;
  table.render(true);
  await afterPaint();
  if (receiving !== r) return;
  post({ type: 'rendered', stats: { requestId, rows: table.rowCount, domRows: domRows(), chart: shown, firstPaintMs: r.firstPaintMs, chartMs, complete: true, ...paintTimes(r.receivedAt, r.firstPaintMs) } });
}

/** the live region that announces a button's confirmation ("Copied") */
const announcer = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
document.body.append(announcer);

/** Shows `text` on the action's button for a moment (the width stays: no toolbar jump); false when it is not there. */
function confirmOnButton(action: PanelAction, text: string): boolean {
  const b = headerEl.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`);
  if (!b) return false;
  const label = b.dataset.label ?? b.textContent ?? '';
  b.dataset.label = label;
  b.style.minWidth = `${b.offsetWidth}px`;
  b.textContent = `✓ ${text}`;
  b.classList.add('confirmed');
  announcer.textContent = text;
  clearTimeout(Number(b.dataset.timer));
  b.dataset.timer = String(
    setTimeout(() => {
      b.textContent = label;
      b.classList.remove('confirmed');
      announcer.textContent = '';
    }, 2000),
  );
  return true;
}

window.addEventListener('keydown', (e) => {
  if (e.altKey && e.key === 'ArrowLeft' && currentQuery?.back) {
    e.preventDefault();
    handlers.action('back');
  }
});

function onMessage(msg: HostMessage, receivedAt: number): void {
  switch (msg.type) {
    case 'loading':
      lastRequestId = msg.requestId;
      busy = true;
      errorNav = undefined;
      currentQuery = msg.query;
      persist(msg.query);
      drawHeader();
      renderLoading(stateEl, handlers);
      // keep the previous table visible under the loading bar when it is the same query (refresh)
      if (!currentReport || currentReport.query.url !== msg.query.url) contentEl.hidden = true;
      break;
    case 'report':
      lastRequestId = msg.requestId;
      void showReport(msg.requestId, msg.report, receivedAt);
      break;
    case 'rows':
      appendRows(msg);
      break;
    case 'error':
      lastRequestId = msg.requestId;
      busy = false;
      if (msg.query) {
        currentQuery = msg.query;
        persist(msg.query);
      }
      currentReport = undefined;
      errorNav = msg.breadcrumb ? { breadcrumb: msg.breadcrumb, drillDown: [] } : undefined;
      drawHeader();
      contentEl.hidden = true;
      renderError(stateEl, msg.error, handlers);
      break;
    case 'cancelled':
      lastRequestId = msg.requestId;
      busy = false;
      if (msg.query) currentQuery = msg.query;
      drawHeader();
      renderCancelled(stateEl, handlers);
      break;
    case 'parentTotal': {
      // checked like the rows: only a well-formed total for the report on screen reaches the table
      const p = parseParentTotal(msg);
      if (p && p.requestId === lastRequestId && receiving?.requestId === p.requestId) table.setParentTotal(p.total);
      break;
    }
    case 'notice': {
      if (msg.action && confirmOnButton(msg.action, msg.text)) break;
      const n = h('div', { class: 'notice', role: 'status', text: msg.text });
      document.body.append(n);
      setTimeout(() => n.remove(), 2500);
      break;
    }
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const receivedAt = performance.now();
  const data: unknown = e.data;
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
  onMessage(data as HostMessage, receivedAt);
});

// Expose the widgets to the browser tests (read-only use).
(window as unknown as { __cmuReport: unknown }).__cmuReport = { table, chart, ReportData };

post({ type: 'ready', boot: { atMs: Math.round(performance.now()), scriptMs: Math.round(performance.now() - scriptStart), originMs: Math.round(performance.timeOrigin) } });
