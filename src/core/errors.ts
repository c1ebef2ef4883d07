/**
 * Every failure the core reports is a CmuError: a short message, a plain explanation and the next
 * step the user can take. Front ends map `nextStep` to a button (extension) or a hint line (CLI).
 */
export type NextStep =
  | 'importStatement'
  | 'register'
  | 'getToken'
  | 'retry'
  | 'showLog'
  | 'diagnose'
  | 'openSettings'
  | 'contactAdobe'
  /** the local sandbox is stopped: start it */
  | 'startSandbox'
  | 'none';

export class CmuError extends Error {
  constructor(
    message: string,
    /** what it means and what to do, in plain words */
    readonly explanation: string,
    readonly nextStep: NextStep = 'none',
    /** machine-readable reason, e.g. `invalid_client`, `timeout`, `http_404` */
    readonly code: string = 'error',
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input from the user (a malformed statement, an unknown dimension): CLI exit code 2. */
export class InputError extends CmuError {}

export function isCmuError(e: unknown): e is CmuError {
  return e instanceof CmuError;
}

/** One line for a log or a terminal, never a stack. */
export function describeError(e: unknown): string {
  if (e instanceof CmuError) return `${e.message} — ${e.explanation}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
