/** The one error of the report parser, and the body excerpts it carries. */
import { CmuError, type NextStep } from '../../errors';
import type { ReportFormat } from '../types';

/** The body could not be read as the report it claims to be (HTML error page, truncated JSON...). */
export class ReportParseError extends CmuError {
  constructor(
    message: string,
    explanation: string,
    readonly format: ReportFormat | undefined,
    readonly bodyExcerpt: string,
    nextStep: NextStep = 'retry',
  ) {
    super(message, explanation, nextStep, 'bad_response');
  }
}

export function excerpt(body: string, max = 300): string {
  const s = body.length > max ? body.slice(0, max) + '…' : body;
  return s.replace(/\s+/g, ' ').trim();
}

/** A library's parse error on a body, with the start of the body. */
export function unreadable(message: string, format: 'xml' | 'csv', e: unknown, body: string): ReportParseError {
  const why = `The body could not be parsed as ${format.toUpperCase()} (${(e as Error).message}); the body begins: ${excerpt(body, 120)}`;
  return new ReportParseError(message, why, format, excerpt(body));
}
