/**
 * Virtualized report table: one scroll container holding a sticky header row, a body whose height is
 * rows × ROW_HEIGHT with only the visible rows in the DOM (a recycled pool), and a sticky totals row.
 * Sort by any column (click or Enter on a header), quick filter, keyboard navigation over an ARIA grid
 * (arrow keys, Page Up/Down, Home/End, Ctrl+Home/End; focus stays on the grid, the active cell is
 * announced through aria-activedescendant). Plain DOM: with 200k rows a pool of ~40 rows of divs is
 * faster than any component library.
 */
import { dataQuality, metricTotals, ratioOver, type DimensionQuality, type SemanticsLookup } from '../shared/analysis';
import type { ColumnView, ParentTotalView } from '../shared/protocol';
import { ReportData, formatMetric } from './data';
import { h, setChildren } from './dom';
import { formatNumber } from './format';

export const ROW_HEIGHT = 22;
const OVERSCAN = 6;

export type SortDir = 'asc' | 'desc';

/** What the webview keeps (vscode.setState) so a sort and filter survive the panel being hidden or reloaded. */
export interface TableViewState {
  sort?: { column: string; dir: SortDir };
  filter?: string;
}

export interface TableStats {
  rows: number;
  domRows: number;
}

export class ReportTable {
  readonly el: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly countEl: HTMLElement;
  /** columns of the report beyond MAX_PANEL_COLUMNS, not shown */
  private hiddenColumns = 0;
  private readonly grid: HTMLElement;
  private readonly headerRow: HTMLElement;
  private readonly body: HTMLElement;
  private readonly totalsRow: HTMLElement;
  private readonly live: HTMLElement;

  private columns: ColumnView[] = [];
  private data: ReportData = ReportData.empty();
  /** full row order after sorting (indices into rows) */
  private order: Uint32Array = new Uint32Array(0);
  /** rows shown: order filtered by the quick filter */
  private view: Uint32Array = new Uint32Array(0);
  private sortCol = -1;
  private sortDir: SortDir = 'asc';
  private filterText = '';
  /** rows in the whole report while it is still arriving (the count says so) */
  /** set while rows are still on their way; `total`: how many there will be, when the host knows */
  private loading: { total?: number } | undefined;
  private pool: HTMLElement[] = [];
  private renderedFirst = -1;
  private renderedCount = -1;
  private rafPending = false;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  /** the server's own total of the whole report for the metrics whose rows do not add up (a new report clears it) */
  private parentTotal: { path: string; values: Map<string, number> } | undefined;
  /** rows whose time bucket is not final → why (set before setData) */
  private partial: ReadonlyMap<number, string> = new Map();
  /** per dimension column: its Unknown/empty share (the header badge) */
  private quality = new Map<number, DimensionQuality>();
  /** the badge filter: only the rows with no value in this column */
  private only: { col: number; mask: Uint8Array } | undefined;
  /** active cell: row -1 = header, 0..n-1 = view rows, n = totals; col 0 = row number column */
  private activeRow = -1;
  /** cells per row that stay in view when scrolling sideways (row number + leading dimensions), and their widths in ch */
  private stickCount = 1;
  private stickWidths: number[] = [];
  private activeCol = 0;

  constructor(private readonly onChange?: (stats: TableStats) => void) {
    this.filterInput = h('input', {
      type: 'search',
      class: 'filter',
      placeholder: 'Filter rows',
      'aria-label': 'Filter rows (matches any cell)',
      spellcheck: 'false',
    });
    this.countEl = h('span', { class: 'count', 'aria-live': 'polite' });
    this.live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
    this.headerRow = h('div', { class: 'row header', role: 'row', 'aria-rowindex': 1 });
    this.body = h('div', { class: 'body', role: 'rowgroup' });
    this.totalsRow = h('div', { class: 'row totals', role: 'row' });
    this.grid = h(
      'div',
      { class: 'grid', role: 'grid', tabindex: 0, 'aria-label': 'Report records', 'aria-readonly': 'true' },
      h('div', { role: 'rowgroup', class: 'head' }, this.headerRow),
      this.body,
      h('div', { role: 'rowgroup', class: 'foot' }, this.totalsRow),
    );
    this.el = h(
      'section',
      { class: 'table-section', 'aria-label': 'Table' },
      h('div', { class: 'table-toolbar' }, this.filterInput, this.countEl),
      this.grid,
      this.live,
    );
    this.filterInput.addEventListener('input', () => {
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.setFilter(this.filterInput.value), this.data.rowCount > 20000 ? 120 : 40);
    });
    this.filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' || e.key === 'Enter') {
        e.preventDefault();
        clearTimeout(this.filterTimer);
        this.setFilter(this.filterInput.value);
        this.activeRow = this.view.length ? 0 : -1;
        this.grid.focus();
        this.ensureActiveVisible();
        this.render(true);
      }
    });
    this.grid.addEventListener('scroll', () => this.schedule());
    this.grid.addEventListener('keydown', (e) => this.onKey(e));
    this.grid.addEventListener('focus', () => this.render(true));
    this.headerRow.addEventListener('click', (e) => {
      const badge = (e.target as HTMLElement).closest<HTMLElement>('[data-quality]');
      if (badge) {
        e.stopPropagation();
        this.toggleOnly(Number(badge.dataset.quality));
        return;
      }
      const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-col]');
      if (!cell) return;
      const col = Number(cell.dataset.col);
      this.activeRow = -1;
      this.activeCol = col + 1;
      this.toggleSort(col);
    });
    this.body.addEventListener('click', (e) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-c]');
      const row = cell?.parentElement;
      if (!cell || !row?.dataset.v) return;
      this.activeRow = Number(row.dataset.v);
      this.activeCol = Number(cell.dataset.c);
      this.render(true);
    });
    new ResizeObserver(() => {
      this.updateSticky();
      this.schedule();
    }).observe(this.grid);
  }

  /**
   * Replaces the data. The sort is kept when the columns are the same; the filter text too unless
   * `clearFilter` (another report: a filter typed for one report would hide rows of the next).
   */
  setData(data: ReportData, clearFilter = false, loading?: { total?: number }): void {
    this.loading = loading;
    this.parentTotal = undefined;
    // beyond MAX_PANEL_COLUMNS the data holds the first ones and the table says so (Save As… has them all)
    const columns = data.columns;
    this.hiddenColumns = data.hiddenColumns;
    const sameCols = columns.length === this.columns.length && columns.every((c, i) => c.name === this.columns[i].name);
    this.columns = columns;
    this.data = data;
    if (!sameCols) {
      this.sortCol = -1;
      this.activeCol = 0;
    }
    if (clearFilter) {
      clearTimeout(this.filterTimer);
      this.filterInput.value = '';
      this.filterText = '';
    }
    this.only = undefined;
    this.computeQuality();
    this.activeRow = -1;
    this.buildHeader();
    this.layoutColumns();
    this.computeOrder();
    this.applyFilter();
    this.grid.scrollTop = 0;
    this.refresh();
  }

  get rowCount(): number {
    return this.view.length;
  }

  /** The Unknown/empty share per dimension (the compare view's rows are a join, not the server's: none there). */
  private computeQuality(): void {
    this.quality = new Map();
    const names = this.columns.map((c) => c.name);
    if (!this.columns.some((c) => c.compare)) for (const q of dataQuality(this.data.asColumns())) if (q.unknownRows > 0) this.quality.set(names.indexOf(q.dimension), q);
    if (this.only) {
      const col = this.only.col;
      this.only = undefined;
      if (this.quality.has(col)) this.toggleOnly(col);
    }
  }

  /** The server's total of the whole (the parent report's one row), for the cells the rows cannot total. */
  setParentTotal(total: ParentTotalView): void {
    this.parentTotal = { path: total.path, values: new Map(total.values) };
    this.layoutColumns();
    this.updateTotals();
  }

  /** Marks rows whose time bucket is not final (call before setData, or before rowsAdded for the new rows). */
  setPartial(partial: ReadonlyMap<number, string>): void {
    this.partial = partial;
  }

  get partialRows(): ReadonlyMap<number, string> {
    return this.partial;
  }

  /** The header badges' numbers, by dimension name (tests). */
  get qualityBadges(): Record<string, { unknownRows: number; rowShare: number; massShare: Record<string, number> }> {
    const out: Record<string, { unknownRows: number; rowShare: number; massShare: Record<string, number> }> = {};
    for (const q of this.quality.values()) out[q.dimension] = { unknownRows: q.unknownRows, rowShare: q.rowShare, massShare: q.massShare };
    return out;
  }

  /** The badge's filter: only the rows with no value in column `col`; again to show every row. */
  toggleOnly(col: number): void {
    const q = this.quality.get(col);
    if (!q || this.only?.col === col) this.only = undefined;
    else {
      const mask = new Uint8Array(this.data.rowCount);
      for (const r of q.rowIndices) mask[r] = 1;
      this.only = { col, mask };
    }
    this.applyFilter();
    this.activeRow = Math.min(this.activeRow, this.view.length - 1);
    this.grid.scrollTop = 0;
    this.buildHeaderBadges();
    this.refresh();
  }

  /**
   * More rows were appended to the data (a report streaming in): the sort and the filter take them in,
   * the scroll position and the active cell stay. `loading`: rows are still on their way (for the count).
   */
  rowsAdded(loading?: { total?: number }): void {
    this.loading = loading;
    const old = this.order.length;
    const n = this.data.rowCount;
    if (this.sortCol >= 0) {
      this.computeOrder();
      this.applyFilter();
    } else {
      // server order: only the new rows are numbered and filtered
      const order = new Uint32Array(n);
      order.set(this.order);
      for (let i = old; i < n; i++) order[i] = i;
      this.order = order;
      if (this.only) this.applyFilter();
      else if (this.filterText) {
        const added = this.data.filter(order.subarray(old), this.filterText);
        const view = new Uint32Array(this.view.length + added.length);
        view.set(this.view);
        view.set(added, this.view.length);
        this.view = view;
      } else this.view = order;
    }
    if (!loading) {
      // every row is in: the quality badges count them all
      this.computeQuality();
      this.buildHeaderBadges();
      this.layoutColumns();
    }
    this.refresh();
  }

  /** Row indices (into the data) in display order; for tests and the chart. */
  visibleOrder(): Uint32Array {
    return this.view;
  }

  setFilter(text: string): void {
    if (this.filterInput.value !== text) this.filterInput.value = text;
    const t = text.trim().toLowerCase();
    if (t === this.filterText) return;
    this.filterText = t;
    this.applyFilter();
    this.activeRow = Math.min(this.activeRow, this.view.length - 1);
    this.grid.scrollTop = 0;
    this.refresh();
  }

  sortBy(col: number, dir: SortDir | undefined): void {
    if (dir === undefined) this.sortCol = -1;
    else {
      this.sortCol = col;
      this.sortDir = dir;
    }
    this.computeOrder();
    this.applyFilter();
    this.refresh();
  }

  get viewState(): TableViewState {
    const s: TableViewState = {};
    if (this.sortCol >= 0) s.sort = { column: this.columns[this.sortCol].name, dir: this.sortDir };
    if (this.filterText) s.filter = this.filterInput.value;
    return s;
  }

  /** Re-applies a saved sort (when its column is still there) and filter. */
  applyViewState(s: TableViewState): void {
    const col = s.sort ? this.columns.findIndex((c) => c.name === s.sort?.column) : -1;
    if (col >= 0) {
      this.sortCol = col;
      this.sortDir = s.sort?.dir === 'desc' ? 'desc' : 'asc';
      this.computeOrder();
    }
    if (s.filter) {
      this.filterInput.value = s.filter;
      this.filterText = s.filter.trim().toLowerCase();
    }
    this.applyFilter();
    this.refresh();
  }

  private toggleSort(col: number): void {
    if (this.sortCol !== col) this.sortBy(col, this.columns[col].kind === 'metric' ? 'desc' : 'asc');
    else if (this.sortDir === (this.columns[col].kind === 'metric' ? 'desc' : 'asc'))
      this.sortBy(col, this.sortDir === 'asc' ? 'desc' : 'asc');
    else this.sortBy(col, undefined);
    const c = this.columns[col];
    this.live.textContent =
      this.sortCol === -1 ? `Original order` : `Sorted by ${c.name}, ${this.sortDir === 'asc' ? 'ascending' : 'descending'}`;
  }

  private buildHeader(): void {
    const cells: HTMLElement[] = [h('div', { class: 'cell num rownum', role: 'columnheader', 'aria-colindex': 1, text: '#' })];
    this.columns.forEach((c, i) => {
      cells.push(
        h(
          'div',
          {
            class: `cell ${c.kind}${c.kind === 'metric' ? ' num' : ''}`,
            role: 'columnheader',
            'aria-colindex': i + 2,
            'data-col': i,
            title: c.description ? `${c.name} — ${c.description}` : c.name,
          },
          h('span', { class: 'name', text: c.name }),
          c.derived ? h('span', { class: 'badge derived', text: 'derived', title: `Computed here from the report's columns, never sent by CMU: ${c.derived.formula}` }) : undefined,
          h('span', { class: 'badges' }),
          h('span', { class: 'sort', 'aria-hidden': 'true' }),
        ),
      );
    });
    this.stickCount = 1;
    while (this.stickCount <= this.columns.length && this.columns[this.stickCount - 1].kind === 'dimension') this.stickCount++;
    this.stick(cells);
    setChildren(this.headerRow, cells);
    this.buildHeaderBadges();
    const tcells: HTMLElement[] = [h('div', { class: 'cell rownum', role: 'rowheader', 'aria-colindex': 1, text: 'Total' })];
    this.columns.forEach((c, i) =>
      tcells.push(h('div', { class: `cell ${c.kind}${c.kind === 'metric' ? ' num' : ''}`, role: 'gridcell', 'aria-colindex': i + 2 })),
    );
      this.stick(tcells);
      setChildren(this.totalsRow, tcells);
    this.pool.forEach((r) => r.remove());
    this.pool = [];
    this.grid.setAttribute('aria-colcount', String(this.columns.length + 1));
  }

  /** The data-quality badge of each dimension with Unknown/empty values: its share of rows, a click filters to them. */
  private buildHeaderBadges(): void {
    const cells = this.headerRow.children;
    this.columns.forEach((c, i) => {
      const slot = (cells[i + 1] as HTMLElement | undefined)?.querySelector('.badges');
      if (!slot) return;
      const q = this.quality.get(i);
      if (!q) return slot.replaceChildren();
      const main = 'started-sessions' in q.massShare ? 'started-sessions' : Object.keys(q.massShare)[0];
      const mass = main !== undefined ? `, ${(q.massShare[main] * 100).toFixed(1)}% of ${main}` : '';
      const active = this.only?.col === i;
      slot.replaceChildren(
        h('span', {
          class: `badge quality${active ? ' active' : ''}`,
          role: 'button',
          tabindex: -1,
          'data-quality': i,
          'aria-pressed': active ? 'true' : 'false',
          text: `${percentText(q.rowShare)} unknown`,
          title:
            `${formatNumber(q.unknownRows)} of ${formatNumber(q.rows)} rows have no ${c.name} (Unknown, empty or null)${mass}. ` +
            (active ? 'Click to show every row.' : 'Click to show only those rows.'),
        }),
      );
    });
  }

  /** The row-number and leading dimension cells of a row stay in view while a wide report scrolls sideways. */
  private stick(cells: HTMLElement[]): void {
    for (let i = 0; i < this.stickCount && i < cells.length; i++) {
      cells[i].classList.add('stick');
      cells[i].style.left = `var(--stick-${i})`;
      if (i === this.stickCount - 1) cells[i].classList.add('stick-last');
    }
  }

  /**
   * Offsets of the sticky columns (px: the template's ch is the rows' font, a bold header cell's ch is
   * wider) and whether they stick at all: not when they would take most of the panel (nothing left to scroll).
   */
  private updateSticky(): void {
    const probe = h('span', { class: 'ch-probe' });
    probe.style.width = '100ch';
    this.body.append(probe);
    const ch = probe.getBoundingClientRect().width / 100;
    probe.remove();
    let left = 0;
    for (let i = 0; i < this.stickCount; i++) {
      this.grid.style.setProperty(`--stick-${i}`, `${left}px`);
      left += (this.stickWidths[i] ?? 0) * ch;
    }
    const on = this.stickCount > 1 && ch > 0 && left < this.grid.clientWidth * 0.5 && this.grid.scrollWidth > this.grid.clientWidth;
    this.grid.classList.toggle('sticky', on);
  }

  /** Column widths in ch from the header and a sample of values; one CSS grid template for every row. */
  private layoutColumns(): void {
    const rowCount = this.data.rowCount;
    const sample = Math.min(rowCount, 500);
    const step = Math.max(1, Math.floor(rowCount / sample));
    const widths = this.columns.map((c, ci) => {
      let w = c.name.length + 2;
      // the server's total of the whole (bold) and its "server" label (about 7ch with its padding) must fit too
      const whole = this.parentTotal?.values.get(c.name);
      if (whole !== undefined) w = Math.max(w, formatMetric(c, whole).length + 9);
      for (let i = 0, n = 0; i < rowCount && n < sample; i += step, n++) {
        const len = this.data.text(i, ci).length;
        if (len > w) w = len;
      }
      return Math.min(Math.max(w, 6), 48);
    });
    const rowNum = Math.max(5, formatNumber(rowCount).length);
    // the sticky columns have a fixed width (their offsets add up); the others share what is left
    this.stickWidths = [rowNum + 2, ...widths.slice(0, this.stickCount - 1).map((w) => w + 2)];
    const tpl = [`${rowNum + 2}ch`, ...widths.map((w, i) => (i < this.stickCount - 1 ? `${w + 2}ch` : `minmax(${w + 2}ch, ${w + 2}fr)`))].join(' ');
    this.grid.style.setProperty('--cols', tpl);
    this.grid.style.setProperty('--min-width', `${rowNum + 2 + widths.reduce((a, b) => a + b + 2, 0)}ch`);
    this.updateSticky();
  }

  private computeOrder(): void {
    const n = this.data.rowCount;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (this.sortCol >= 0 && this.sortCol < this.columns.length) {
      const keys = this.data.sortKeys(this.sortCol);
      const dir = this.sortDir === 'asc' ? 1 : -1;
      order.sort((a, b) => {
        // empty cells last whatever the direction; ties keep the server's order
        const ka = keys[a];
        const kb = keys[b];
        const ea = Number.isNaN(ka);
        const eb = Number.isNaN(kb);
        if (ea || eb) return ea === eb ? a - b : ea ? 1 : -1;
        return ka === kb ? a - b : (ka - kb) * dir;
      });
    }
    this.order = order;
  }

  private applyFilter(): void {
    const view = this.filterText ? this.data.filter(this.order, this.filterText) : this.order;
    if (!this.only) {
      this.view = view;
      return;
    }
    const mask = this.only.mask;
    const out = new Uint32Array(view.length);
    let n = 0;
    for (let i = 0; i < view.length; i++) if (mask[view[i]] === 1) out[n++] = view[i];
    this.view = out.subarray(0, n);
  }

  private refresh(): void {
    this.body.style.height = `${this.view.length * ROW_HEIGHT}px`;
    this.grid.setAttribute('aria-rowcount', String(this.view.length + 2));
    this.totalsRow.setAttribute('aria-rowindex', String(this.view.length + 2));
    this.updateHeader();
    this.updateTotals();
    const total = this.data.rowCount;
    this.countEl.textContent =
      this.view.length === total
        ? `${formatNumber(total)} ${total === 1 ? 'row' : 'rows'}`
        : `${formatNumber(this.view.length)} of ${formatNumber(total)} rows`;
    if (this.only) this.countEl.textContent += ` (only rows with no ${this.columns[this.only.col].name})`;
    if (this.loading) this.countEl.textContent += this.loading.total !== undefined && this.loading.total > total ? ` (loading: ${formatNumber(this.loading.total)} in all)` : ' (loading more…)';
    if (this.hiddenColumns) {
      const all = this.data.totalColumns;
      this.countEl.textContent += ` · showing ${formatNumber(all - this.hiddenColumns)} of ${formatNumber(all)} columns — Save As… or Open as CSV for all of them`;
    }
    this.render(true);
    this.onChange?.({ rows: this.view.length, domRows: this.pool.length });
  }

  private updateHeader(): void {
    const cells = this.headerRow.children;
    for (let i = 0; i < this.columns.length; i++) {
      const cell = cells[i + 1] as HTMLElement;
      const sorted = this.sortCol === i;
      cell.setAttribute('aria-sort', sorted ? (this.sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
      (cell.lastElementChild as HTMLElement).textContent = sorted ? (this.sortDir === 'asc' ? '▲' : '▼') : '';
    }
  }

  /**
   * Totals only where they mean something (metricTotals: additive over what the shown rows span), an
   * empty cell with the reason otherwise; a ratio's total is the ratio of the summed inputs, a Δ%'s
   * the change of the totals.
   */
  private updateTotals(): void {
    const cells = this.totalsRow.children;
    const view = this.view;
    const cols = this.columns;
    if (this.loading) {
      // the rows so far do not total the report; and a pass over every row per chunk was most of the page's work while 200k rows streamed in
      for (let c = 0; c < cols.length; c++) {
        const cell = cells[c + 1] as HTMLElement;
        cell.classList.remove('server-total');
        cell.classList.toggle('no-total', cols[c].kind === 'metric');
        cell.textContent = cols[c].kind === 'metric' ? '…' : '';
        if (cols[c].kind === 'metric') cell.title = 'Totals when every row is in';
        else cell.removeAttribute('title');
      }
      (cells[0] as HTMLElement).title = 'Totals when every row is in';
      return;
    }
    const lookup: SemanticsLookup = (name) => {
      const c = cols.find((x) => x.name === name);
      if (c?.additive && c.compare?.role !== 'deltaPct') return { additiveOverTime: c.additive.time, additiveOverDimensions: c.additive.dimensions, why: c.additive.why };
      return { additiveOverTime: false, additiveOverDimensions: false, why: c?.derived ? 'a ratio' : c?.compare?.role === 'deltaPct' ? 'a percentage' : 'not a metric the catalog knows: treated as not additive' };
    };
    const report = this.data.asColumns();
    const totals = new Map(metricTotals(report, lookup, view).map((t) => [t.metric, t]));
    // the parent report's value is the total of every row, so only while every row is in and shown
    const whole = this.parentTotal && !this.filterText && !this.only && view.length === this.data.rowCount ? this.parentTotal : undefined;
    const valueOf = new Map<string, number | undefined>();
    for (let c = 0; c < cols.length; c++) {
      const cell = cells[c + 1] as HTMLElement;
      const col = cols[c];
      cell.removeAttribute('title');
      cell.classList.remove('no-total');
      if (col.kind !== 'metric') {
        cell.textContent = '';
        continue;
      }
      cell.classList.remove('server-total');
      let value: number | undefined;
      let why: string | undefined;
      let server: string | undefined;
      if (col.derived && !col.compare) {
        const r = ratioOver(report, { name: col.name, label: col.name, ...col.derived }, view);
        value = r ?? undefined;
        why = r === null ? 'no inputs to divide' : undefined;
      } else if (col.compare?.role === 'deltaPct') {
        const v = valueOf.get(`${col.compare.metric}:value`);
        const p = valueOf.get(`${col.compare.metric}:previous`);
        value = v !== undefined && p !== undefined && p !== 0 ? ((v - p) / p) * 100 : undefined;
        why = value === undefined ? 'needs the totals of this and the previous period' : undefined;
      } else if (col.derived) {
        why = `${col.compare?.metric ?? col.name} is a ratio: its total is not the sum of its rows`;
      } else {
        const t = totals.get(col.name);
        value = t?.value;
        why = t?.why;
        const own = col.compare ? undefined : whole?.values.get(col.name);
        if (value === undefined && own !== undefined) {
          value = own;
          server = whole?.path;
        }
      }
      if (col.compare) valueOf.set(`${col.compare.metric}:${col.compare.role}`, value);
      if (value === undefined) {
        cell.textContent = '—';
        cell.classList.add('no-total');
        cell.title = `No total: ${why ?? 'no values'}`;
      } else if (server !== undefined) {
        // labelled: not the sum of the rows but what the server counts for the whole
        cell.replaceChildren(formatMetric(col, value), h('span', { class: 'badge server', text: 'server' }));
        cell.classList.add('server-total');
        cell.title = `The server's own total for ${server}; distinct counts do not add up`;
      } else {
        cell.textContent = formatMetric(col, value);
        if (col.derived) cell.title = `${col.derived.formula} over the rows shown`;
      }
    }
    (cells[0] as HTMLElement).title = 'Totals over the rows shown (the quick filter applies); a metric that does not add up has none';
  }

  private schedule(): void {
    if (this.rafPending) return;
    this.rafPending = true;
    requestAnimationFrame(() => {
      this.rafPending = false;
      this.render(false);
    });
  }

  /** Renders the rows in the scroll window. `force` redraws even when the window did not move. */
  render(force: boolean): void {
    const viewportH = Math.max(this.grid.clientHeight, ROW_HEIGHT * 10);
    const scrollTop = this.grid.scrollTop;
    const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.min(this.view.length - first, Math.ceil(viewportH / ROW_HEIGHT) + 2 * OVERSCAN);
    if (!force && first === this.renderedFirst && count === this.renderedCount) return;
    this.renderedFirst = first;
    this.renderedCount = count;
    while (this.pool.length < count) {
      const row = h('div', { class: 'row', role: 'row' });
      const cells: HTMLElement[] = [h('div', { class: 'cell num rownum', role: 'rowheader', 'aria-colindex': 1, 'data-c': 0 })];
      this.columns.forEach((c, i) =>
        cells.push(
          h('div', {
            class: `cell ${c.kind}${c.kind === 'metric' ? ' num' : ''}`,
            role: 'gridcell',
            'aria-colindex': i + 2,
            'data-c': i + 1,
          }),
        ),
      );
      this.stick(cells);
      setChildren(row, cells);
      this.body.append(row);
      this.pool.push(row);
    }
    for (let p = 0; p < this.pool.length; p++) {
      const row = this.pool[p];
      if (p >= count) {
        if (!row.hidden) row.hidden = true;
        continue;
      }
      const v = first + p;
      const r = this.view[v];
      if (row.hidden) row.hidden = false;
      const key = String(v);
      if (force || row.dataset.v !== key || row.dataset.r !== String(r)) {
        row.dataset.v = key;
        row.dataset.r = String(r);
        row.style.transform = `translateY(${v * ROW_HEIGHT}px)`;
        row.setAttribute('aria-rowindex', String(v + 2));
        row.classList.toggle('odd', (v & 1) === 1);
        const why = this.partial.get(r);
        row.classList.toggle('partial', why !== undefined);
        const cells = row.children;
        (cells[0] as HTMLElement).textContent = String(v + 1);
        if (why) (cells[0] as HTMLElement).title = why;
        else (cells[0] as HTMLElement).removeAttribute('title');
        for (let c = 0; c < this.columns.length; c++) {
          const text = this.data.text(r, c);
          const cell = cells[c + 1] as HTMLElement;
          if (cell.textContent !== text) cell.textContent = text;
        }
      }
    }
    this.markActive();
  }

  private markActive(): void {
    const prev = this.grid.querySelectorAll('.cell.active');
    prev.forEach((p) => {
      p.classList.remove('active');
      p.removeAttribute('id');
    });
    let row: Element | undefined;
    if (this.activeRow === -1) row = this.headerRow;
    else if (this.activeRow >= this.view.length) row = this.totalsRow;
    else row = this.pool.find((r) => !r.hidden && r.dataset.v === String(this.activeRow));
    const cell = row?.children[this.activeCol] as HTMLElement | undefined;
    if (cell && document.activeElement === this.grid) {
      cell.classList.add('active');
      cell.id = 'active-cell';
      this.grid.setAttribute('aria-activedescendant', 'active-cell');
    } else this.grid.removeAttribute('aria-activedescendant');
  }

  private ensureActiveVisible(): void {
    if (this.activeRow < 0 || this.activeRow >= this.view.length) return;
    const top = this.activeRow * ROW_HEIGHT;
    const headerH = this.headerRow.offsetHeight || ROW_HEIGHT;
    const footH = this.totalsRow.offsetHeight || ROW_HEIGHT;
    const visTop = this.grid.scrollTop;
    const visH = this.grid.clientHeight - headerH - footH;
    if (top < visTop) this.grid.scrollTop = top;
    else if (top + ROW_HEIGHT > visTop + visH) this.grid.scrollTop = top + ROW_HEIGHT - visH;
    const cell = this.pool.find((r) => r.dataset.v === String(this.activeRow))?.children[this.activeCol] as HTMLElement | undefined;
    if (cell) {
      const left = cell.offsetLeft;
      if (left < this.grid.scrollLeft) this.grid.scrollLeft = left;
      else if (left + cell.offsetWidth > this.grid.scrollLeft + this.grid.clientWidth)
        this.grid.scrollLeft = left + cell.offsetWidth - this.grid.clientWidth;
    }
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.view.length;
    const cols = this.columns.length + 1;
    const page = Math.max(1, Math.floor(this.grid.clientHeight / ROW_HEIGHT) - 2);
    let r = this.activeRow;
    let c = this.activeCol;
    switch (e.key) {
      case 'ArrowDown':
        r = Math.min(r + 1, n);
        break;
      case 'ArrowUp':
        r = Math.max(r - 1, -1);
        break;
      case 'ArrowRight':
        c = Math.min(c + 1, cols - 1);
        break;
      case 'ArrowLeft':
        c = Math.max(c - 1, 0);
        break;
      case 'PageDown':
        r = Math.min(r + page, n);
        break;
      case 'PageUp':
        r = Math.max(r - page, -1);
        break;
      case 'Home':
        if (e.ctrlKey || e.metaKey) r = -1;
        else c = 0;
        break;
      case 'End':
        if (e.ctrlKey || e.metaKey) r = n;
        else c = cols - 1;
        break;
      case 'Enter':
      case ' ':
        if (r === -1 && c > 0) {
          e.preventDefault();
          this.toggleSort(c - 1);
        }
        return;
      default:
        if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
          // typing on the grid goes to the quick filter
          this.filterInput.focus();
        }
        return;
    }
    e.preventDefault();
    this.activeRow = r;
    this.activeCol = c;
    if (r >= n) this.grid.scrollTop = this.grid.scrollHeight;
    else if (r === -1) this.grid.scrollTop = Math.min(this.grid.scrollTop, this.grid.scrollTop);
    this.ensureActiveVisible();
    this.render(true);
  }

  /** The active cell, for tests: row -1 = header, rowCount = totals. */
  get active(): { row: number; col: number } {
    return { row: this.activeRow, col: this.activeCol };
  }
}

function percentText(share: number): string {
  const p = share * 100;
  return `${p > 0 && p < 1 ? '<1' : Math.round(p)}%`;
}
