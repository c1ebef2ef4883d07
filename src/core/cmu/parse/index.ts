/**
 * One parsed shape (ParsedReport) for every CMU format: HAL JSON, HAL XML, CSV and the HTML demo table.
 *
 * Columns are split into dimensions and metrics (the catalog decides; an unknown column whose every
 * non-empty value is numeric is a metric). Metric cells become numbers (the API sends strings such as
 * "205"; numbers are accepted too), dimension cells strings. Rows are arrays aligned with `columns`,
 * dimensions first, then metrics, so every format yields the same records.
 *
 * Hot path (200k-row JSON): one JSON.parse, then one pass over the records with precomputed column
 * keys and kinds; no per-cell regex, no per-cell closure.
 */
import { parseQueryUrl } from '../query';
import type { CmuQuery, ParsedReport, ReportCell, ReportColumn, ReportFormat, ReportLinks } from '../types';
import { parseCsvBody } from './csv';
import { ReportParseError, excerpt } from './errors';
import { htmlTitle, parseHtml } from './html';
import { parseJson } from './json';
import { buildReportFileName, formatFromContentType, formatFromUrl } from './media';
import { parseXml } from './xml';

export { ReportParseError } from './errors';
export * from './media';
export { rowsFromRecords, rowsFromTable } from './table';
export { scanXmlRecords, parseXmlWithLibrary } from './xml';
export { splitUnquotedCsv, parseCsvTable } from './csv';

/**
 * An HTML page where a report in another format was asked for. `head` is the start of the body (enough
 * for the page's title): the CLI checks the first chunk before it streams anything to a file.
 */
export function htmlPageError(head: string, requested: ReportFormat | undefined): ReportParseError {
  const title = htmlTitle(head);
  return new ReportParseError(
    `CMU answered with an HTML page instead of a ${(requested ?? 'json').toUpperCase()} report`,
    `The page${title ? ` ("${title}")` : ''} usually comes from a proxy, a gateway or a login page, not from CMU itself. ` +
      'Check the CMU base URL of this environment and look at the log for the exchange.',
    requested ?? 'json',
    excerpt(head),
    'showLog',
  );
}

/** A body (or its first chunk) that parseReportBody would take for an HTML page. */
export function isHtmlPage(head: string, contentType: string): boolean {
  return sniff(head) === 'html' || formatFromContentType(contentType) === 'html';
}

function sniff(body: string): ReportFormat | undefined {
  let i = 0;
  while (i < body.length && (body.charCodeAt(i) <= 32 || body.charCodeAt(i) === 0xfeff)) i++;
  const c = body[i];
  if (c === '{' || c === '[') return 'json';
  if (c === '<') {
    const head = body.slice(i, i + 512).toLowerCase();
    if (head.startsWith('<!doctype html') || head.startsWith('<html') || /<(body|head|table|title|h1)\b/.test(head)) return 'html';
    return 'xml';
  }
  return undefined;
}

/**
 * Parses a CMU body into the one report shape. The format comes from the Content-Type, else from the
 * body itself, else from what the URL asked for. An HTML page where another format was asked for, or
 * a body that is not what it claims to be, is a ReportParseError (code `bad_response`).
 */
export function parseReportBody(body: string, contentType: string, url: string, fileName?: string): ParsedReport {
  const requested = formatFromUrl(url);
  const declared = formatFromContentType(contentType);
  const sniffed = sniff(body);
  let format: ReportFormat = declared ?? sniffed ?? requested ?? 'json';
  // A JSON/XML content type with an HTML body: a gateway error page mislabelled; trust the body.
  if (sniffed === 'html' && format !== 'html') format = 'html';
  if (format === 'html' && requested !== 'html') throw htmlPageError(body, requested);
  let parsed: { links: ReportLinks; columns: ReportColumn[]; rows: ReportCell[][] };
  switch (format) {
    case 'json':
      parsed = parseJson(body);
      break;
    case 'xml':
      parsed = parseXml(body);
      break;
    case 'csv':
      parsed = parseCsvBody(body);
      break;
    case 'html':
      parsed = parseHtml(body);
      break;
  }
  const report: ParsedReport = {
    format,
    url,
    contentType,
    links: parsed.links,
    columns: parsed.columns,
    rows: parsed.rows,
    raw: body,
  };
  const name = fileName ?? (format === 'csv' ? buildReportFileName(queryOrEmpty(url), 'csv') : undefined);
  if (name) report.fileName = name;
  return report;
}

function queryOrEmpty(url: string): CmuQuery {
  try {
    return parseQueryUrl(url);
  } catch {
    return { path: [], filters: [], projections: [], metrics: [] };
  }
}

/** Rows as records keyed by column name (tests, exports, the CLI's JSON output of parsed data). */
export function reportRecords(report: Pick<ParsedReport, 'columns' | 'rows'>): Record<string, ReportCell>[] {
  const names = report.columns.map((c) => c.name);
  return report.rows.map((row) => {
    const o: Record<string, ReportCell> = {};
    for (let j = 0; j < names.length; j++) o[names[j]] = row[j] ?? null;
    return o;
  });
}
