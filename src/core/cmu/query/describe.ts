/** A query in words, for titles, tooltips and confirmations. */
import { isTimeDimension } from '../catalog';
import { parseWindow, windowName } from '../time/windows';
import type { CmuFilter, CmuQuery } from '../types';

function joinWords(items: string[], last = 'and'): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ` ${last} ` + items[items.length - 1];
}

function filterWords(f: CmuFilter): string {
  const vals = f.values.map((v) => (v === '' ? '(empty)' : v));
  if (f.op === '=') return vals.length === 1 ? `${f.dimension} is ${vals[0]}` : `${f.dimension} is one of ${vals.join(', ')}`;
  return vals.length === 1 ? `${f.dimension} is not ${vals[0]}` : `${f.dimension} is none of ${vals.join(', ')}`;
}

const GRAIN_WORDS: Record<string, string> = { year: 'Yearly', month: 'Monthly', day: 'Daily', hour: 'Hourly', minute: 'Per-minute', second: 'Per-second' };

/** e.g. "Daily active-users and started-sessions by tenant, year, month, day and mvpd, where mvpd is not TempPass, from 2024-11-01 to 2024-11-08, at most 500 rows, as CSV" */
export function describeQuery(q: CmuQuery): string {
  const path = q.path;
  let grain = '';
  for (let i = path.length - 1; i >= 0; i--) {
    if (GRAIN_WORDS[path[i]]) {
      grain = GRAIN_WORDS[path[i]];
      break;
    }
  }
  let s: string;
  if (q.metrics.length > 0) s = grain ? `${grain} ${joinWords(q.metrics)}` : joinWords(q.metrics);
  else s = grain ? `${grain} report (all metrics)` : 'All metrics';
  const groups = [...path, ...q.projections.filter((p) => !path.includes(p))];
  s += groups.length > 0 ? ` by ${joinWords(groups)}` : ' as overall totals';
  if (q.filters.length > 0) s += `, where ${joinWords(q.filters.map(filterWords))}`;
  if (q.window) s += `, ${windowWords(q.window)}`;
  else if (q.start && q.end) s += `, from ${q.start} to ${q.end}`;
  else if (q.start) s += `, from ${q.start} until now`;
  else if (q.end) s += `, from the server's default start to ${q.end}`;
  else if (path.some((p) => isTimeDimension(p))) s += ", over the server's default time window";
  if (q.limit !== undefined) s += `, at most ${q.limit} row${q.limit === 1 ? '' : 's'}`;
  if (q.format && q.format !== 'json') s += `, as ${q.format.toUpperCase()}`;
  return s;
}

/** "over the last 7 days", "yesterday", "today", … : the window's words (resolved when the query runs). */
function windowWords(text: string): string {
  try {
    const w = parseWindow(text);
    if (w.kind === 'server') return "over the server's default time window";
    if (w.kind === 'last' && !(w.count === 1 && w.unit === 'day')) return `over the ${windowName(w).toLowerCase()}`;
    return windowName(w).toLowerCase();
  } catch {
    return `window ${text}`;
  }
}
