/**
 * The session's redaction: the pattern rules of ../redact plus every secret value registered here (a client
 * secret or an opaque access token the patterns would not recognise). The HTTP client's log hook and the
 * error messages built from server text both go through one Redactor.
 */
import { redactHeaders, redactText, redactUrl } from '../redact';

const KNOWN_SECRET_LIMIT = 64;

export class Redactor {
  private readonly secrets: string[] = [];

  /** Registers a secret value (the oldest is forgotten beyond 64). */
  add(value: string | undefined): void {
    if (!value || this.secrets.includes(value)) return;
    this.secrets.push(value);
    if (this.secrets.length > KNOWN_SECRET_LIMIT) this.secrets.shift();
  }

  text(text: string): string {
    return redactText(text, this.secrets);
  }

  url(url: string): string {
    return redactUrl(url, this.secrets);
  }

  headers(headers: Record<string, string>): Record<string, string> {
    return redactHeaders(headers, this.secrets);
  }
}
