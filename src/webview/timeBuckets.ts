/**
 * The chart's time axis: which bucket each row falls in (no DOM here: unit-tested in Node).
 */
import { NULL_CODE, type ColumnData } from '../shared/protocol';

/** What a missing time column stands for (no month: January; no hour: 00), per TIME_ORDER. */
const TIME_DEFAULTS = [1970, 1, 1, 0, 0, 0];

/**
 * The chart's x axis and each row's place on it: `x`, the distinct times of the rows (s, wall clock read as
 * UTC, ascending) and `rowBucket`, each row's index into `x` (-1: the quick filter hides it, or a time cell
 * is empty — a compare row only the earlier period has, when no bucket of this period corresponds, e.g.
 * Oct 31 a month before Nov 30: the table shows it, the chart does not — or its date is out of range).
 * A row's time is Date.UTC of its year…second cells. When year, month and day arrive as dictionary codes
 * (as the extension sends dimensions), each distinct (year, month, day) is dated once and a row's whole hours,
 * minutes and seconds are added as Date.UTC adds them (ECMA-262 MakeTime/MakeDate are linear in them;
 * TimeClip kept); any other cell takes Date.UTC itself. The distinct times come from one sort of the rows'
 * times, not a Map of them and a sort of its keys (a 200k-row minute report: 158 → 59 ms in Node).
 */
export function rowBuckets(d: { data: ColumnData[]; rowCount: number }, timeIdx: number[], keep?: Uint8Array): { rowBucket: Int32Array; x: number[] } {
  const n = d.rowCount;
  const cols = timeIdx.map((ci) => (ci >= 0 ? d.data[ci] : undefined));
  // per column, the number a cell stands for: per distinct text value, not per row
  const part = (j: number): ((r: number) => number) => {
    const col = cols[j];
    const dflt = TIME_DEFAULTS[j];
    if (!col) return () => dflt;
    if (col.type === 'number') return (r) => (Number.isNaN(col.values[r]) ? dflt : col.values[r]);
    const nums = col.dict.map((s) => {
      const x = Number(s);
      return Number.isFinite(x) ? x : dflt;
    });
    return (r) => (col.codes[r] === NULL_CODE ? dflt : nums[col.codes[r]]);
  };
  const [y, mo, da, ho, mi, se] = TIME_DEFAULTS.map((_, j) => part(j));
  const present = cols.filter((c): c is ColumnData => c !== undefined);
  const untimed = (r: number) => present.some((c) => (c.type === 'number' ? Number.isNaN(c.values[r]) : c.codes[r] === NULL_CODE));
  // (year, month, day) as one number from their codes, when none of the three is a number column
  const dateCols = cols.slice(0, 3);
  const radix = dateCols.map((c) => (c?.type === 'text' ? c.dict.length : 1));
  // the key must be exact: past 2^53 two dates could share one (a hostile server's value tables)
  const byCodes = dateCols.every((c) => c?.type !== 'number') && radix[0] * radix[1] * radix[2] <= Number.MAX_SAFE_INTEGER;
  const dateKey = (r: number): number => {
    let key = 0;
    for (let j = 0; j < 3; j++) {
      const c = dateCols[j];
      key = key * radix[j] + (c?.type === 'text' ? c.codes[r] : 0);
    }
    return key;
  };
  const dayMs = new Map<number, number>();
  const timeOf = (r: number): number => {
    const h = ho(r);
    const m = mi(r);
    const sec = se(r);
    if (byCodes && Number.isInteger(h) && Number.isInteger(m) && Number.isInteger(sec)) {
      const key = dateKey(r);
      let day = dayMs.get(key);
      if (day === undefined) dayMs.set(key, (day = Date.UTC(y(r), mo(r) - 1, da(r))));
      if (Number.isFinite(day)) {
        const t = day + h * 3_600_000 + m * 60_000 + sec * 1000;
        return Math.abs(t) <= 8.64e15 ? t : NaN;
      }
    }
    return Date.UTC(y(r), mo(r) - 1, da(r), h, m, sec);
  };
  const times = new Float64Array(n);
  for (let r = 0; r < n; r++) times[r] = (keep && !keep[r]) || untimed(r) ? NaN : timeOf(r) / 1000;
  const sorted = times.slice().sort(); // numbers ascending, NaN last
  const x: number[] = [];
  for (let i = 0; i < n && !Number.isNaN(sorted[i]); i++) if (i === 0 || sorted[i] !== sorted[i - 1]) x.push(sorted[i]);
  const rowBucket = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const t = times[r];
    if (Number.isNaN(t)) {
      rowBucket[r] = -1;
      continue;
    }
    let lo = 0;
    let hi = x.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    rowBucket[r] = lo;
  }
  return { rowBucket, x };
}
