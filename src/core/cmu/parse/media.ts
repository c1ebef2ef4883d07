/** Formats and file names: what a content type, a URL or a Content-Disposition header says. */
import { parseQueryUrl } from '../query';
import type { CmuQuery, ReportFormat } from '../types';

export function formatFromContentType(contentType: string): ReportFormat | undefined {
  const ct = contentType.toLowerCase();
  if (ct === '') return undefined;
  if (ct.includes('json')) return 'json';
  if (ct.includes('html')) return 'html';
  if (ct.includes('xml')) return 'xml';
  if (ct.includes('csv') || ct.includes('comma-separated')) return 'csv';
  return undefined;
}

/** The format the URL asks for (extension first, then `format=`), undefined when it asks none. */
export function formatFromUrl(url: string): ReportFormat | undefined {
  try {
    return parseQueryUrl(url).format;
  } catch {
    return undefined;
  }
}

export const ACCEPT_FOR: Record<ReportFormat, string> = {
  json: 'application/json',
  xml: 'application/xml',
  csv: 'text/csv',
  html: 'text/html',
};

/** `attachment; filename="report__2024-01-01_2024-11-26_ACME.csv"` (also RFC 5987 `filename*=UTF-8''...`). */
export function fileNameFromContentDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let name: string | undefined;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      name = decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''));
    } catch {
      name = undefined;
    }
  }
  if (!name) {
    const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
    const plain = /filename\s*=\s*([^;"\s]+)/i.exec(header);
    name = quoted ? quoted[1].replace(/\\(.)/g, '$1') : plain?.[1];
  }
  if (!name) return undefined;
  return safeFileName(name);
}

/** No directories, no control characters, nothing a shell or a file system would trip on. */
export function safeFileName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f<>:"|?*]/g, '_').trim();
  if (base === '' || base === '.' || base === '..') return undefined;
  return base;
}

/**
 * The documented CSV name pattern built from a query: `report__<start>_<end>_<filter-values>.csv`
 * (the doc's example ends in the limit, `_1000`, when there is no filter).
 */
export function buildReportFileName(q: CmuQuery, ext: string = q.format ?? 'csv'): string {
  const day = (v: string | undefined, dflt: string) => (v ? v.slice(0, 10) : dflt);
  let name = `report__${day(q.start, 'default')}_${day(q.end, 'now')}`;
  const values = q.filters.filter((f) => f.op === '=').flatMap((f) => f.values);
  if (values.length > 0) name += '_' + values.join(',');
  else if (q.limit !== undefined) name += '_' + String(q.limit);
  name = name.replace(/[^A-Za-z0-9._,=-]+/g, '-');
  return `${name}.${ext}`;
}
