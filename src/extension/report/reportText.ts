/** Names and text of the `cmu-report:` documents (no `vscode` here: unit-tested). */
import type { CmuQuery, ReportFormat } from '../../core/cmu/types';

export type DocFormat = Extract<ReportFormat, 'json' | 'csv' | 'xml'>;
export const DOC_FORMATS: readonly DocFormat[] = ['json', 'csv', 'xml'];

/** `tenant-year-month.json`: the document's name in the tab. */
export function documentName(q: CmuQuery, format: DocFormat): string {
  const base = q.path.length ? q.path.join('-') : 'root';
  return `${base.replace(/[^A-Za-z0-9._-]+/g, '-')}.${format}`;
}

/** The server's JSON, pretty-printed (2 spaces); other formats as the server sent them. */
export function documentText(raw: string, format: DocFormat): string {
  if (format !== 'json') return raw;
  try {
    return JSON.stringify(JSON.parse(raw), null, 2) + '\n';
  } catch {
    return raw;
  }
}
