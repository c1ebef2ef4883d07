/** Shapes shared by the query model, the CMU client, the sandbox, the webview and saved queries. */

export type ReportFormat = 'json' | 'xml' | 'csv' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'xml', 'csv', 'html'];

/** `=` with one value is equals, with several IN; `!=` with one value is not-equals, with several NOT IN. */
export interface CmuFilter {
  dimension: string;
  op: '=' | '!=';
  values: string[];
}

/** One CMU request as data. Saved queries store this, never a URL string. */
export interface CmuQuery {
  /** dimension path segments, e.g. ['tenant', 'year', 'month']; [] is the root */
  path: string[];
  filters: CmuFilter[];
  /** dimensions forced into the GROUP BY (a bare `?platform`) */
  projections: string[];
  /** ISO 8601, prefixes allowed (`2024`, `2024-11`, `2024-11-01T10`): wall clock in the report time zone */
  start?: string;
  end?: string;
  /**
   * a relative window as text (`7d`, `today`, `server`: see time/windows.ts), resolved at run time into
   * start/end; never together with them. Text, so the file, command arguments and webview state agree.
   */
  window?: string;
  /** empty: every metric of the projection */
  metrics: string[];
  limit?: number;
  /** undefined: JSON (the server's default) */
  format?: ReportFormat;
}

export interface HalLink {
  href: string;
  /** from the link, else the last path segment of href */
  name: string;
}

export interface ReportLinks {
  self?: string;
  rollUp: HalLink[];
  drillDown: HalLink[];
}

export interface ReportColumn {
  name: string;
  kind: 'dimension' | 'metric';
}

/** A metric cell is a number (parsed from the API's strings) or null when empty/unparseable. */
export type ReportCell = string | number | null;

/** The one parsed shape for every format. Rows are arrays aligned with `columns` (compact for 200k rows). */
export interface ParsedReport {
  format: ReportFormat;
  url: string;
  contentType: string;
  links: ReportLinks;
  columns: ReportColumn[];
  rows: ReportCell[][];
  /** CSV file name from Content-Disposition, else one built from the query */
  fileName?: string;
  /** the server's body, decoded text */
  raw: string;
  /** the HTTP answer it came in (fetchReport): status, headers (lower-case names, unredacted), decoded bytes */
  response?: ReportResponse;
}

/** How one report is fetched into memory: cancel signal and the run's limits (absent: the client's defaults). */
export interface ReportFetchOptions {
  signal?: AbortSignal;
  /** largest decoded body held in memory (default: the CmuClient's maxReportBytes) */
  maxBytes?: number;
  /** total deadline of the request, body included (default: the HttpClient's) */
  maxTimeMs?: number;
}

export interface ReportResponse {
  status: number;
  headers: Record<string, string>;
  /** decoded body size */
  bytes: number;
}
