/** The HTML demo format: the first <table>, best effort; and the title of an HTML page. */
import { linksFromRels } from '../hal';
import type { ReportCell, ReportColumn, ReportLinks } from '../types';
import { rowsFromTable } from './table';

// --- HTML (the demo format): the first <table>, best effort

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function stripTags(s: string): string {
  return s.replace(/<[^>]*>/g, '');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3]) : undefined;
}

export function parseHtml(body: string): { links: ReportLinks; columns: ReportColumn[]; rows: ReportCell[][] } {
  const items: { rel?: string; href?: string; name?: string }[] = [];
  const tableAt = body.search(/<table\b/i);
  const head = tableAt >= 0 ? body.slice(0, tableAt) : body;
  const aRe = /<(a|link)\b([^>]*)>(?:([\s\S]*?)<\/a>)?/gi;
  let self: string | undefined;
  // Links with rel= attributes; without one, the words before them say what they are
  // ("self", "roll-up: <a>", "drill-down: <a>, <a>"), as on the sandbox's demo page.
  let mode: string | undefined;
  let last = 0;
  for (let m = aRe.exec(head); m; m = aRe.exec(head)) {
    const between = stripTags(head.slice(last, m.index)).toLowerCase();
    last = aRe.lastIndex;
    if (/roll-?up/.test(between)) mode = 'roll-up';
    else if (/drill-?down/.test(between)) mode = 'drill-down';
    const tag = m[2];
    const href = attr(tag, 'href');
    if (!href) continue;
    const text = m[3] !== undefined ? decodeEntities(stripTags(m[3])).trim() : undefined;
    let rel = attr(tag, 'rel');
    if (!rel) {
      if (text?.toLowerCase() === 'self') rel = 'self';
      else if (mode) rel = mode;
      else continue;
    }
    if (rel.toLowerCase() === 'self') self ??= href;
    items.push({ rel, href, name: attr(tag, 'name') ?? (rel.toLowerCase() === 'self' ? undefined : text || undefined) });
  }
  const links = linksFromRels(items, self);
  const table = /<table\b[\s\S]*?<\/table>/i.exec(body);
  if (!table) return { links, columns: [], rows: [] };
  const trRe = /<tr\b[^>]*>([\s\S]*?)(?=<tr\b|<\/table>|<\/tbody>|<\/thead>)/gi;
  const cellRe = /<t([hd])\b[^>]*>([\s\S]*?)(?=<t[hd]\b|<\/tr>|$)/gi;
  const trs: { th: boolean; cells: string[] }[] = [];
  for (let m = trRe.exec(table[0]); m; m = trRe.exec(table[0])) {
    const cells: string[] = [];
    let th = true;
    cellRe.lastIndex = 0;
    for (let c = cellRe.exec(m[1]); c; c = cellRe.exec(m[1])) {
      if (c[1].toLowerCase() !== 'h') th = false;
      cells.push(decodeEntities(stripTags(c[2].replace(/<\/t[hd]>\s*$/i, ''))).trim());
    }
    if (cells.length > 0) trs.push({ th, cells });
  }
  if (trs.length === 0) return { links, columns: [], rows: [] };
  const headerIdx = Math.max(0, trs.findIndex((r) => r.th));
  const header = trs[headerIdx].cells;
  return { links, ...rowsFromTable(header, trs.slice(headerIdx + 1).map((r) => r.cells)) };
}

export function htmlTitle(body: string): string | undefined {
  const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body) ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body);
  return m ? decodeEntities(stripTags(m[1])).trim() || undefined : undefined;
}
