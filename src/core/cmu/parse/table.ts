/**
 * Records and tables to the one row shape: columns split into dimensions and metrics (the catalog
 * decides; an unknown all-numeric column is a metric), metric cells as numbers, dimensions first.
 */
import { isDimension, isMetric } from '../catalog';
import type { ReportCell, ReportColumn } from '../types';

/** Catalog names are lower case; CSV headers may be capitalized (`Year, Month, Clients`). */
function canonicalName(raw: string): { name: string; kind?: 'dimension' | 'metric' } {
  const name = raw.trim();
  if (isMetric(name)) return { name, kind: 'metric' };
  if (isDimension(name)) return { name, kind: 'dimension' };
  const lower = name.toLowerCase();
  if (lower !== name) {
    if (isMetric(lower)) return { name: lower, kind: 'metric' };
    if (isDimension(lower)) return { name: lower, kind: 'dimension' };
  }
  return { name };
}

/** A cell an unknown column may hold and still be a metric: a finite number, or empty (which does not decide). */
export function isNumericText(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'string') return v === null || v === undefined;
  if (v === '') return true; // empty does not decide
  const n = +v;
  return n === n && v.trim() !== '' && Number.isFinite(n);
}

interface Plan {
  /** column names as the source spells them (object keys / header cells), in source order */
  sourceNames: string[];
  /** output columns: dimensions first, then metrics */
  columns: ReportColumn[];
  /** output column j reads source column order[j] */
  order: number[];
  /** output column j is a metric */
  metric: boolean[];
}

/** `sample(c)` yields the raw values of source column c (only called for columns the catalog does not know). */
function plan(sourceNames: string[], sample: (c: number) => Iterable<unknown>): Plan {
  const dims: { c: number; name: string }[] = [];
  const mets: { c: number; name: string }[] = [];
  const seen = new Set<string>();
  for (let c = 0; c < sourceNames.length; c++) {
    const { name, kind } = canonicalName(sourceNames[c]);
    if (name.startsWith('#') || seen.has(name)) continue; // XML text nodes, duplicate headers
    seen.add(name);
    let k = kind;
    if (!k) {
      let numeric = true;
      let any = false;
      for (const v of sample(c)) {
        if (v !== '' && v !== null && v !== undefined) any = true;
        if (!isNumericText(v)) {
          numeric = false;
          break;
        }
      }
      k = numeric && any ? 'metric' : 'dimension';
    }
    (k === 'metric' ? mets : dims).push({ c, name });
  }
  const all = [...dims, ...mets];
  return {
    sourceNames,
    columns: all.map((x, i) => ({ name: x.name, kind: i < dims.length ? 'dimension' : 'metric' })),
    order: all.map((x) => x.c),
    metric: all.map((_x, i) => i >= dims.length),
  };
}

function metricCell(v: unknown): ReportCell {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    if (v.length === 0) return null;
    const n = +v;
    if (n !== n) return null; // NaN
    if (n === 0 && v.trim() === '') return null;
    return n;
  }
  return null;
}

function dimensionCell(v: unknown): ReportCell {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return null;
  return String(v);
}

/** Records as objects (HAL JSON `report`, XML `<record a=... />`). */
export function rowsFromRecords(records: readonly Record<string, unknown>[]): { columns: ReportColumn[]; rows: ReportCell[][] } {
  const n = records.length;
  if (n === 0) return { columns: [], rows: [] };
  // Keys: those of the first record, plus any a later record adds. The doc says every record has the same
  // keys in the same order; such records take the fast path (Object.values, converted in place).
  const keys = Object.keys(records[0]);
  const width0 = keys.length;
  let keyIndex: Map<string, number> | undefined;
  let odd: Uint8Array | undefined; // records whose keys differ from the first one's
  for (let r = 1; r < n; r++) {
    const rec = records[r];
    let i = 0;
    let same = true;
    for (const k in rec) {
      if (k !== keys[i++]) {
        same = false;
        break;
      }
    }
    if (same && i === width0) continue;
    odd ??= new Uint8Array(n);
    odd[r] = 1;
    if (!keyIndex) {
      keyIndex = new Map<string, number>();
      for (let c = 0; c < keys.length; c++) keyIndex.set(keys[c], c);
    }
    for (const k of Object.keys(rec)) {
      if (!keyIndex.has(k)) {
        keyIndex.set(k, keys.length);
        keys.push(k);
      }
    }
  }
  const p = plan(keys, function* (c) {
    const key = keys[c];
    for (let r = 0; r < n; r++) yield records[r][key];
  });
  const width = p.order.length;
  const order = p.order;
  const isMetricCol = p.metric;
  let identity = width === width0;
  for (let j = 0; identity && j < width; j++) identity = order[j] === j;
  const srcKeys = order.map((c) => keys[c]);
  const rows: ReportCell[][] = new Array(n);
  for (let r = 0; r < n; r++) {
    const rec = records[r];
    if (odd !== undefined && odd[r] === 1) {
      // slow path: look every column up by name
      const row: ReportCell[] = new Array(width);
      for (let j = 0; j < width; j++) {
        const v = rec[srcKeys[j]];
        row[j] = isMetricCol[j] ? metricCell(v) : dimensionCell(v);
      }
      rows[r] = row;
      continue;
    }
    const vs = Object.values(rec) as unknown[];
    const row: unknown[] = identity ? vs : new Array(width);
    for (let j = 0; j < width; j++) {
      const c = order[j];
      const v = c < width0 ? vs[c] : undefined;
      if (isMetricCol[j]) {
        if (typeof v === 'string') {
          const x = +v;
          row[j] = v.length === 0 || x !== x || (x === 0 && v.trim() === '') ? null : x;
        } else row[j] = metricCell(v);
      } else if (typeof v !== 'string') row[j] = dimensionCell(v);
      else if (!identity) row[j] = v;
    }
    rows[r] = row as ReportCell[];
  }
  return { columns: p.columns, rows };
}

/** Records as arrays under a header (CSV, HTML table). */
export function rowsFromTable(header: readonly string[], data: readonly (readonly unknown[])[]): { columns: ReportColumn[]; rows: ReportCell[][] } {
  if (header.length === 0) return { columns: [], rows: [] };
  const n = data.length;
  const p = plan([...header], function* (c) {
    for (let r = 0; r < n; r++) yield data[r][c];
  });
  const width = p.order.length;
  const src = p.order;
  const isMetricCol = p.metric;
  const rows: ReportCell[][] = new Array(n);
  for (let r = 0; r < n; r++) {
    const rec = data[r];
    const row: ReportCell[] = new Array(width);
    for (let j = 0; j < width; j++) {
      const v = rec[src[j]];
      row[j] = isMetricCol[j] ? metricCell(v) : dimensionCell(v);
    }
    rows[r] = row;
  }
  return { columns: p.columns, rows };
}
