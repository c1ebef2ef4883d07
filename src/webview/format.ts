/** Number and time formatting for the table, the header and the chart (locale of the webview). */
import { formatUtcMs, isoToMillis } from '../shared/time';
import type { ReportCell } from '../shared/protocol';

const intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? intFmt.format(n) : decFmt.format(n);
}

/** `+1,234`, `-3.4`, `0.0`: the sign of what is shown (a change that rounds to zero has none). */
export function formatSigned(n: number, digits: number): string {
  const fmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const rounded = Number(n.toFixed(digits));
  return rounded === 0 ? fmt.format(0) : (rounded > 0 ? '+' : '') + fmt.format(rounded);
}

/** Metric cells are formatted numbers; dimension cells are shown as they came (a year is not "2,024"). */
export function formatCell(v: ReportCell, metric: boolean): string {
  if (v === null || v === undefined) return metric ? '' : '';
  if (typeof v === 'number') return metric ? formatNumber(v) : String(v);
  return v;
}

/** A start/end as a Date, a suffix-less value read as UTC (the product's one ISO reader). */
export function parseIsoUtc(s: string | undefined): Date | undefined {
  const ms = s ? isoToMillis(s) : undefined;
  return ms === undefined ? undefined : new Date(ms);
}

export function formatUtc(d: Date): string {
  return formatUtcMs(d.getTime());
}

export function formatLocal(d: Date): string {
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatLocalTime(d: Date): string {
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** 1,234 B, 45.2 KB, 3.1 MB (1 KB = 1024 bytes, as editors and API clients count). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n.toLocaleString()} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
