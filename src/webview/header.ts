/**
 * The report header: the query in words (path, filters, time range in UTC and local time, metrics,
 * limit), the exact URL, the actions, the roll-up breadcrumb and the drill-down buttons.
 */
import { isTimeColumn } from '../shared/analysis';
import type { CompareInfo, CompareMode, NavLink, PanelAction, QueryView, ReportView } from '../shared/protocol';
import { button, h, linkButton } from './dom';
import { formatBytes, formatLocal, formatLocalTime, formatUtc, parseIsoUtc } from './format';

export interface HeaderHandlers {
  action(a: PanelAction): void;
  navigate(linkId: string): void;
  compare(mode: CompareMode | 'off'): void;
}

const COMPARE_OPTIONS: { value: CompareMode | 'off'; label: string }[] = [
  { value: 'off', label: 'Compare: off' },
  { value: 'previous', label: 'Compare: previous period' },
  { value: 'week', label: 'Compare: a week earlier' },
  { value: 'month', label: 'Compare: a month earlier' },
];

const ACTIONS: { id: PanelAction; label: string; title: string }[] = [
  { id: 'refresh', label: 'Refresh', title: 'Fetch the report again' },
  { id: 'openJson', label: 'Open as JSON', title: 'Open the report as JSON in an editor tab' },
  { id: 'openCsv', label: 'CSV', title: 'Open the report as CSV in an editor tab' },
  { id: 'openXml', label: 'XML', title: 'Open the report as XML in an editor tab' },
  { id: 'saveAs', label: 'Save As…', title: "Save the server's bytes to a file" },
  { id: 'copyUrl', label: 'Copy URL', title: 'Copy the exact URL' },
  { id: 'copyCurl', label: 'Copy as cURL', title: 'Copy a curl command (token as $CMU_TOKEN unless you choose otherwise)' },
  { id: 'saveQuery', label: 'Save Query', title: 'Keep this query in Saved Queries' },
];

/** `2024-03-05 00:00` from the wall-clock `2024-03-05T00:00:00` (a prefix as it was written). */
const wall = (s: string): string => s.replace('T', ' ').replace(/:00$/, '');

/** The window's name, its range as the report time zone's wall clock with the zone, and the same in local time. */
function zonedTimeLine(q: QueryView): HTMLElement | undefined {
  const t = q.time;
  if (!t) return undefined;
  const range = q.start || q.end ? `${q.start ? wall(q.start) : 'server default'} → ${q.end ? wall(q.end) : 'now'} ${t.zone}` : t.zone;
  const local = t.startMs !== undefined || t.endMs !== undefined ? `${t.startMs !== undefined ? formatLocal(new Date(t.startMs)) : '…'} → ${t.endMs !== undefined ? formatLocal(new Date(t.endMs)) : 'now'} local time` : '';
  return h(
    'div',
    { class: 'meta-row' },
    h('span', { class: 'k', text: 'Time' }),
    h('span', { class: 'time-window', text: `${t.name}${t.defaulted ? ' (default)' : ''}: ` }),
    h('span', { class: 'time-zone', text: range }),
    local ? h('span', { class: 'time-local', text: ` (${local})` }) : undefined,
  );
}

/** Before the zone was known (a state saved by an older version): read as UTC. */
function timeLine(start?: string, end?: string): HTMLElement | undefined {
  if (!start && !end) return undefined;
  const s = parseIsoUtc(start);
  const e = parseIsoUtc(end);
  const utc = `${s ? formatUtc(s) : start ?? 'server default'} → ${e ? formatUtc(e) : end ?? 'now'}`;
  const local = s || e ? `${s ? formatLocal(s) : '…'} → ${e ? formatLocal(e) : 'now'} local time` : '';
  return h('div', { class: 'meta-row' }, h('span', { class: 'k', text: 'Time' }), h('span', { class: 'time-utc', text: utc }), local ? h('span', { class: 'time-local', text: ` (${local})` }) : undefined);
}

/** The answer as an API client shows it: status, time, size, when; the headers in a collapsed section. */
function responseLine(r: Pick<ReportView, 'response' | 'fetchedAt' | 'elapsedMs'>): HTMLElement[] {
  const parts: HTMLElement[] = [];
  const res = r.response;
  if (res) {
    const ok = res.status >= 200 && res.status < 300;
    parts.push(h('span', { class: `status ${ok ? 'ok' : 'bad'}`, text: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` }));
  }
  parts.push(h('span', { class: 'latency', title: 'From sending the request to the parsed report', text: `${Math.round(r.elapsedMs).toLocaleString()} ms` }));
  if (res?.bytes !== undefined) parts.push(h('span', { class: 'size', title: `${res.bytes.toLocaleString()} bytes (decoded)`, text: formatBytes(res.bytes) }));
  const at = new Date(r.fetchedAt);
  if (!Number.isNaN(at.getTime())) parts.push(h('span', { class: 'fetched', text: `fetched ${formatUtc(at)} (${formatLocalTime(at)} local)` }));
  const line = h('div', { class: 'response-line', role: 'group', 'aria-label': 'Response' });
  parts.forEach((p, i) => line.append(...(i ? [h('span', { class: 'dot', 'aria-hidden': 'true', text: ' · ' }), p] : [p])));
  const out: HTMLElement[] = [line];
  if (res?.headers.length) {
    const list = h('dl', { class: 'headers' });
    for (const [k, v] of res.headers) list.append(h('dt', { text: k }), h('dd', { text: v }));
    out.push(h('details', { class: 'response-headers' }, h('summary', { text: `Response headers (${res.headers.length})` }), list));
  }
  return out;
}

export function renderHeader(
  host: HTMLElement,
  q: QueryView,
  nav: { breadcrumb: NavLink[]; drillDown: NavLink[] } | undefined,
  handlers: HeaderHandlers,
  busy: boolean,
  compare: { mode?: CompareMode; info?: CompareInfo } = {},
  answer?: Pick<ReportView, 'response' | 'fetchedAt' | 'elapsedMs'>,
): void {
  const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Roll up' });
  if (q.back)
    crumbs.append(
      button('← Back', () => handlers.action('back'), { class: 'back secondary', title: `Back to ${q.back} (Alt+Left)`, 'aria-keyshortcuts': 'Alt+ArrowLeft', 'data-action': 'back' }),
    );
  for (const link of nav?.breadcrumb ?? []) {
    crumbs.append(linkButton(link.label, () => handlers.navigate(link.id), { title: `Roll up to ${link.href}`, 'data-link': link.id }), h('span', { class: 'sep', 'aria-hidden': 'true', text: '›' }));
  }
  crumbs.append(h('span', { class: 'current', 'aria-current': 'page', text: q.query.path.length ? q.query.path[q.query.path.length - 1] : 'root' }));

  const meta = h('div', { class: 'meta' });
  const tl = zonedTimeLine(q) ?? timeLine(q.start, q.end);
  if (tl) meta.append(tl);
  if (q.filters.length)
    meta.append(
      h('div', { class: 'meta-row' }, h('span', { class: 'k', text: 'Filters' }), h('span', { text: q.filters.map((f) => `${f.dimension} ${f.values.length > 1 ? (f.op === '=' ? 'in' : 'not in') : f.op} ${f.values.join(', ')}`).join('; ') })),
    );
  meta.append(h('div', { class: 'meta-row' }, h('span', { class: 'k', text: 'Metrics' }), h('span', { text: q.metrics.length ? q.metrics.join(', ') : 'all metrics of the path' })));
  if (q.limit !== undefined) meta.append(h('div', { class: 'meta-row' }, h('span', { class: 'k', text: 'Limit' }), h('span', { text: String(q.limit) })));

  const actions = h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Report actions' });
  for (const a of ACTIONS) {
    const b = button(a.label, () => handlers.action(a.id), { title: a.title, 'data-action': a.id, class: a.id === 'refresh' ? 'primary' : 'secondary' });
    if (busy && a.id !== 'copyUrl' && a.id !== 'copyCurl' && a.id !== 'saveQuery') b.disabled = true;
    actions.append(b);
  }

  if (q.query.path.some(isTimeColumn)) {
    const sel = h('select', { class: 'compare', 'aria-label': 'Compare with an earlier window', title: 'Fetch an earlier window beside this one: value, previous, Δ and Δ% per metric; the chart overlays it dashed' });
    for (const o of COMPARE_OPTIONS) sel.append(h('option', { value: o.value, text: o.label }));
    sel.value = compare.mode ?? 'off';
    sel.disabled = busy;
    sel.addEventListener('change', () => handlers.compare(sel.value as CompareMode | 'off'));
    actions.append(sel);
  }
  const info = compare.info;
  if (info) {
    const left = info.excludedPartial > 0 ? `; ${info.excludedPartial} row${info.excludedPartial === 1 ? '' : 's'} with a partial bucket left out` : '';
    meta.append(
      h(
        'div',
        { class: 'meta-row compare-info' },
        h('span', { class: 'k', text: 'Compared with' }),
        h('span', { text: `${info.previous.start} → ${info.previous.end} (${info.mode === 'previous' ? 'the previous period' : `a ${info.mode} earlier`})${left}`, title: info.previous.url }),
      ),
    );
  }

  const drill = h('div', { class: 'drill', role: 'group', 'aria-label': 'Drill down' });
  if (nav?.drillDown.length) {
    drill.append(h('span', { class: 'k', text: 'Drill down' }));
    for (const link of nav.drillDown) {
      const b = button('', () => handlers.navigate(link.id), { title: link.title ?? link.href, class: 'drill-btn', 'data-link': link.id });
      b.append(h('span', { class: 'label', text: link.label }));
      if (link.detail) b.append(h('span', { class: 'detail', text: link.detail }));
      drill.append(b);
    }
  }

  host.replaceChildren(
    crumbs,
    h('div', { class: 'title-row' }, h('h1', { class: 'title', text: q.title }), q.environment ? h('span', { class: 'env', title: 'The environment this panel belongs to (a query in another one opens another panel)', text: q.environment }) : undefined),
    h('p', { class: 'words', text: q.words }),
    meta,
    h('div', { class: 'url-row' }, h('code', { class: 'url', text: q.url, title: 'The exact URL requested' })),
    ...(answer ? responseLine(answer) : []),
    // actions and drill-down share a line when the panel is wide enough: more room for the table
    h('div', { class: 'toolbar-row' }, actions, drill),
  );
}
