/** Small response/request helpers shared by the sandbox's endpoints (server side only). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

export type Headers = Record<string, string | number>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  send(res, status, JSON.stringify(body), { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Headers = {}): void {
  send(res, status, text, { 'Content-Type': 'text/plain;charset=UTF-8', ...headers });
}

/** The HTML error page an openresty front end serves (the documented shape of a throttled DCR call). */
export function sendHtmlError(res: ServerResponse, status: number, headers: Headers = {}): void {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  const body =
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
    `<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n`;
  send(res, status, body, { 'Content-Type': 'text/html', Server: 'openresty', ...headers });
}

export function send(res: ServerResponse, status: number, body: string | Buffer, headers: Headers = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Length': buf.length });
  res.end(buf);
}

export class BodyTooLarge extends Error {}

/** Reads the whole request body, refusing more than `max` bytes. */
export function readBody(req: IncomingMessage, max = 256 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > max) {
        failed = true;
        reject(new BodyTooLarge('request body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(e);
      }
    });
  });
}

/** Media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0].trim().toLowerCase();
}

/** `a=1&b=2` → pairs, in order, with `+` as space; undefined when a pair is not decodable. */
export function parsePairs(query: string): [string, string | undefined][] | undefined {
  const out: [string, string | undefined][] = [];
  if (query === '') return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    try {
      const name = decodeURIComponent((i < 0 ? part : part.slice(0, i)).replace(/\+/g, ' '));
      const value = i < 0 ? undefined : decodeURIComponent(part.slice(i + 1).replace(/\+/g, ' '));
      out.push([name, value]);
    } catch {
      return undefined;
    }
  }
  return out;
}
