import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DcrService } from './dcr';
import { sendText } from './respond';

export interface CmuConfig {
  seed: number;
  now: () => number;
}

export class CmuService {
  constructor(
    private readonly dcr: DcrService,
    private readonly config: CmuConfig,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, _path: string, _query: string): Promise<void> {
    req.resume();
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (\S+)$/i.exec(auth);
    if (!m || !(await this.dcr.checkToken(m[1]))) return sendText(res, 401, 'missing or invalid access token', { 'WWW-Authenticate': 'Bearer' });
    return sendText(res, 404, 'not implemented yet');
  }

  hugeReportHref(rows: number, format: string): string {
    return `/cmu/v2/tenant/year/month/day/hour/minute.${format}?limit=${rows}`;
  }
}
