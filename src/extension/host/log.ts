import * as vscode from 'vscode';
import type { ExchangeLog } from '../../core/http';

export const LOG_NAME = 'CMU Explorer';

const LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'off'] as const;
type Level = (typeof LEVELS)[number];

/**
 * The "CMU Explorer" LogOutputChannel (levels from VS Code: Developer: Set Log Level…). Every HTTP
 * exchange arrives through the http module's log hook ALREADY REDACTED; this module only formats it.
 * `cmu.logLevel` can raise the floor further. A bounded in-memory copy of what was written is kept so
 * the integration tests can prove that no secret reaches the log (exposed only under tests). Every
 * feature writes through this one handle (`services.log`).
 */

export class ExtensionLog implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly recent: string[] = [];
  private floor: Level | 'inherit' = 'inherit';

  constructor(private readonly keep = 2000) {
    this.channel = vscode.window.createOutputChannel(LOG_NAME, { log: true });
  }

  private remember(level: string, message: string): void {
    this.recent.push(`${level} ${message}`);
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
  }

  setFloor(level: string): void {
    this.floor = (LEVELS as readonly string[]).includes(level) ? (level as Level) : 'inherit';
  }

  private allowed(level: Level): boolean {
    if (this.floor === 'inherit') return true;
    return LEVELS.indexOf(level) >= LEVELS.indexOf(this.floor);
  }

  private write(level: Exclude<Level, 'off'>, message: string): void {
    this.remember(level === 'warning' ? 'warn' : level, message); // recorded even below the floor: the tests' secret scan
    if (!this.allowed(level)) return;
    switch (level) {
      case 'trace': this.channel.trace(message); break;
      case 'debug': this.channel.debug(message); break;
      case 'info': this.channel.info(message); break;
      case 'warning': this.channel.warn(message); break;
      case 'error': this.channel.error(message); break;
    }
  }

  trace(m: string): void { this.write('trace', m); }
  debug(m: string): void { this.write('debug', m); }
  info(m: string): void { this.write('info', m); }
  warn(m: string): void { this.write('warning', m); }
  error(m: string): void { this.write('error', m); }

  /** the http module's log hook: one info line per exchange, headers/body at debug */
  readonly exchange = (e: ExchangeLog): void => {
    const outcome = e.error ? `failed: ${e.error}` : `${e.status ?? '?'}`;
    const attempt = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
    const line = `${e.method} ${e.url} → ${outcome} in ${Math.round(e.durationMs)} ms${attempt}`;
    if (e.error || (e.status !== undefined && e.status >= 400)) this.warn(line);
    else this.info(line);
    const headers = Object.entries(e.requestHeaders ?? {}).map(([k, v]) => `${k}: ${v}`).join('; ');
    if (headers) this.debug(`  request headers: ${headers}`);
    if (e.requestBody) this.debug(`  request body: ${e.requestBody}`);
    if (e.responseContentType) this.debug(`  response content-type: ${e.responseContentType}`);
  };

  /** what was written so far (tests only; everything in it is already redacted) */
  lines(): string[] {
    return [...this.recent];
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
