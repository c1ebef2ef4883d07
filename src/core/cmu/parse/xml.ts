/** HAL XML reports: a fast scan of the record section, the library as the reference and fallback. */
import { XMLParser } from 'fast-xml-parser';
import { linksFromRels } from '../hal';
import type { ReportCell, ReportColumn, ReportLinks } from '../types';
import { ReportParseError, unreadable } from './errors';
import { rowsFromRecords, rowsFromTable } from './table';

let xmlParser: XMLParser | undefined;

function getXmlParser(): XMLParser {
  xmlParser ??= new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    // attribute values as written (like JSON and CSV), character references decoded
    trimValues: false,
    htmlEntities: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => name === 'record' || name === 'link',
  });
  return xmlParser;
}

/**
 * Fast path for the documented record shape (fast-xml-parser needs ~50 µs per 25-attribute record, 10-25 s
 * for 200k rows): the `<report>` element holds nothing but `<record a="v" .../>` elements with double-quoted
 * attributes, all with the same attribute names in the same order, and values with no CR and no reference
 * other than the five XML entities and character references to valid characters. Returns undefined for
 * anything else (comments, CDATA, children, other quoting, ragged records, HTML entities such as `&nbsp;`,
 * line ends the parser normalizes), and the caller uses the library: the result is always the library's.
 */
export function scanXmlRecords(section: string): { header: string[]; rows: string[][] } | undefined {
  const recRe = /\s*<record((?:\s+[^\s=/>"'<]+\s*=\s*"[^"<]*")*)\s*\/>/y;
  const attrRe = /([^\s=/>"'<]+)\s*=\s*"([^"<]*)"/g;
  const header: string[] = [];
  const rows: string[][] = [];
  let pos = 0;
  for (;;) {
    recRe.lastIndex = pos;
    const m = recRe.exec(section);
    if (!m) break;
    pos = recRe.lastIndex;
    const first = rows.length === 0;
    const attrs = m[1];
    const row: string[] = [];
    let i = 0;
    attrRe.lastIndex = 0;
    for (let a = attrRe.exec(attrs); a; a = attrRe.exec(attrs), i++) {
      if (first) {
        if (header.includes(a[1])) return undefined; // a duplicate attribute: malformed, the library says so
        header.push(a[1]);
      } else if (a[1] !== header[i]) return undefined;
      let v: string | undefined = a[2];
      if (v.includes('\r')) return undefined;
      if (v.includes('&')) v = decodeXmlEntities(v);
      if (v === undefined) return undefined;
      row.push(v);
    }
    if (!first && i !== header.length) return undefined;
    rows.push(row);
  }
  if (section.slice(pos).trim() !== '') return undefined;
  return { header, rows };
}

export function parseXml(body: string): { links: ReportLinks; columns: ReportColumn[]; rows: ReportCell[][] } {
  const open = /<report(?:\s[^>]*)?>/.exec(body);
  const close = body.lastIndexOf('</report>');
  if (open && !open[0].endsWith('/>') && close > open.index) {
    const scanned = scanXmlRecords(body.slice(open.index + open[0].length, close));
    if (scanned && scanned.rows.length > 0) {
      // The rest of the document, with an empty report in place, is small: the library reads the links and
      // says whether the report is where it would look for records (a direct child of the root element).
      const root = readXmlRoot(body.slice(0, open.index) + '<report/>' + body.slice(close + '</report>'.length));
      if (root && root.report === '') return { links: xmlLinks(root), ...rowsFromTable(scanned.header, scanned.rows) };
    }
  }
  return parseXmlWithLibrary(body);
}

/** The root element of an XML document (fast-xml-parser), undefined when there is none. */
function readXmlRoot(body: string): Record<string, unknown> | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = getXmlParser().parse(body, true) as Record<string, unknown>;
  } catch (e) {
    throw unreadable('The XML report from CMU is incomplete or malformed', 'xml', e, body);
  }
  const rootKey = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  const root = rootKey ? doc[rootKey] : undefined;
  return root && typeof root === 'object' ? (root as Record<string, unknown>) : undefined;
}

function xmlLinks(root: Record<string, unknown>): ReportLinks {
  const linkHolder = root.links as Record<string, unknown> | undefined;
  const linkItems = [
    ...((linkHolder && typeof linkHolder === 'object' ? (linkHolder.link as unknown[]) : undefined) ?? []),
    ...((root.link as unknown[]) ?? []),
  ] as { rel?: string; href?: string; name?: string }[];
  return linksFromRels(linkItems, typeof root.href === 'string' ? root.href : undefined);
}

/** The whole document through fast-xml-parser (any shape it can read). */
export function parseXmlWithLibrary(body: string): { links: ReportLinks; columns: ReportColumn[]; rows: ReportCell[][] } {
  const root = readXmlRoot(body);
  if (!root) {
    if (body.trim() === '') throw new ReportParseError('CMU sent an empty body where an XML report was expected', 'Try again; if it persists, look at the log for the exchange.', 'xml', '');
    return { links: { rollUp: [], drillDown: [] }, columns: [], rows: [] };
  }
  const report = root.report as Record<string, unknown> | undefined;
  let records = (report && typeof report === 'object' ? (report.record as unknown[]) : undefined) ?? (root.record as unknown[]) ?? [];
  records = records.filter((r) => r && typeof r === 'object');
  return { links: xmlLinks(root), ...rowsFromRecords(records as Record<string, unknown>[]) };
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The five XML entities and character references to XML 1.0 characters (no C0 control but TAB, LF, CR;
 * no lone surrogate);
 * undefined for any other `&` (the library has its own rules for those, e.g. HTML entities).
 */
function decodeXmlEntities(s: string): string | undefined {
  let ok = true;
  const out = s.replace(/&([^;&]*);?/g, (m, e: string) => {
    if (!m.endsWith(';')) ok = false;
    else if (XML_ENTITIES[e] !== undefined) return XML_ENTITIES[e];
    else {
      const code = /^#[0-9]{1,7}$/.test(e) ? parseInt(e.slice(1), 10) : /^#x[0-9a-f]{1,6}$/i.test(e) ? parseInt(e.slice(2), 16) : NaN;
      if (isXmlChar(code)) return String.fromCodePoint(code);
      ok = false;
    }
    return m;
  });
  return ok ? out : undefined;
}

function isXmlChar(code: number): boolean {
  if (code < 0x20) return code === 0x09 || code === 0x0a || code === 0x0d;
  return code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
}
