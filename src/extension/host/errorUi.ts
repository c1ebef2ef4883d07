import * as vscode from 'vscode';
import { CmuError, describeError } from '../../core/errors';
import { redactText } from '../../core/redact';
import type { ExtensionLog } from './log';
import { STEP_ACTIONS, type StepAction } from './nextSteps';
import { notificationText } from './notificationText';

export { notificationText };

export function isCancellation(e: unknown): boolean {
  return (
    (e instanceof CmuError && e.code === 'cancelled') ||
    e instanceof vscode.CancellationError ||
    (e instanceof Error && e.name === 'AbortError')
  );
}

/** first line only: a message never carries a stack */
function oneLine(s: string): string {
  return s.split('\n')[0].trim();
}

type Button = StepAction & { command: string };

/** What the user sees for a failure: what happened, what it means, one button for the next step (plus Show Log). */
export function errorText(e: unknown): { message: string; buttons: Button[] } {
  const buttons: Button[] = [];
  const add = (a: StepAction | undefined) => {
    if (a?.command && !buttons.some((b) => b.command === a.command)) buttons.push(a as Button);
  };
  let message: string;
  if (e instanceof CmuError) {
    message = `${oneLine(e.message)}${e.explanation ? ` — ${oneLine(e.explanation)}` : ''}`;
    if (e.nextStep !== 'none') add(STEP_ACTIONS[e.nextStep]);
  } else {
    message = oneLine(e instanceof Error ? e.message : String(e)) || 'Something went wrong';
    add(STEP_ACTIONS.diagnose);
  }
  add(STEP_ACTIONS.showLog);
  return { message, buttons };
}

/** Logs a failure (first line, redacted; a stack only at debug level for what is not a CmuError). */
export function logError(e: unknown, log: ExtensionLog, redact: (text: string) => string = redactText): void {
  log.error(redact(describeError(e).split('\n')[0]));
  if (!(e instanceof CmuError) && e instanceof Error && e.stack) log.debug(redact(e.stack));
}

/**
 * Shows the error without waiting for the user (a command must not hang on a notification); the
 * chosen button runs its command.
 */
export async function showError(
  e: unknown,
  log: ExtensionLog,
  onShown?: (message: string) => void,
  // an error may quote input or a body (a pasted URL, a server's text): the patterns plus, from the caller, known secrets
  redact: (text: string) => string = redactText,
): Promise<void> {
  if (isCancellation(e)) {
    log.info('cancelled by the user');
    return;
  }
  logError(e, log, redact);
  const shown = errorText(e);
  // server text in the message: redacted, and never a clickable link
  const message = notificationText(redact(shown.message));
  const buttons = shown.buttons;
  onShown?.(message);
  void vscode.window.showErrorMessage(message, ...buttons.map((b) => b.label)).then(
    (choice) => {
      const b = buttons.find((x) => x.label === choice);
      if (b) void vscode.commands.executeCommand(b.command, ...(b.args ?? []));
    },
    () => undefined,
  );
}
