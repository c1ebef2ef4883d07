/** HAL JSON reports (the hot path: one JSON.parse, then one pass over the records). */
import { readHalLinks } from '../hal';
import type { ReportCell, ReportColumn, ReportLinks } from '../types';
import { ReportParseError, excerpt } from './errors';
import { rowsFromRecords } from './table';

export function parseJson(body: string): { links: ReportLinks; columns: ReportColumn[]; rows: ReportCell[][] } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    const trimmed = body.trim();
    if (trimmed === '') {
      throw new ReportParseError('CMU sent an empty body where a JSON report was expected', 'The response had no content. Try again; if it persists, look at the log for the exchange.', 'json', '');
    }
    const looksTruncated = trimmed.startsWith('{') || trimmed.startsWith('[');
    throw new ReportParseError(
      looksTruncated ? 'The JSON report from CMU is incomplete or malformed' : 'CMU sent something that is not JSON where a JSON report was expected',
      (looksTruncated
        ? 'The body starts like JSON but could not be parsed (the connection may have been cut, or a proxy truncated it). Try again.'
        : 'The body is not JSON; a proxy or gateway may have answered instead of CMU.') +
        ` (${(e as Error).message}; the body begins: ${excerpt(body, 120)})`,
      'json',
      excerpt(body),
    );
  }
  let records: unknown;
  let links: ReportLinks = { rollUp: [], drillDown: [] };
  if (Array.isArray(doc)) records = doc;
  else if (doc && typeof doc === 'object') {
    const o = doc as Record<string, unknown>;
    links = readHalLinks(o._links ?? o.links);
    const embedded = o._embedded as Record<string, unknown> | undefined;
    records = o.report ?? (embedded && typeof embedded === 'object' ? embedded.report : undefined) ?? o.records ?? [];
  } else {
    throw new ReportParseError('CMU sent JSON that is not a report', `Expected an object with "_links" and "report"; got: ${excerpt(body, 120)}`, 'json', excerpt(body));
  }
  const list = (Array.isArray(records) ? records : records && typeof records === 'object' ? [records] : []).filter(
    (r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r),
  );
  return { links, ...rowsFromRecords(list) };
}

