import * as vscode from 'vscode';
import { CmuError, describeError, type NextStep } from '../../core/errors';
import { redactText } from '../../core/redact';
import type { ExtensionLog } from './log';

const STEP_BUTTONS: Partial<Record<NextStep, { label: string; command: string; args?: unknown[] }>> = {
  importStatement: { label: 'Import…', command: 'cmu.importSoftwareStatement' },
  register: { label: 'Register', command: 'cmu.registerClient' },
  getToken: { label: 'Get Token', command: 'cmu.getAccessToken' },
  diagnose: { label: 'Diagnose', command: 'cmu.diagnose' },
  openSettings: { label: 'Open Settings', command: 'workbench.action.openSettings', args: ['cmu.'] },
  showLog: { label: 'Show Log', command: 'cmu.showLog' },
  contactAdobe: { label: 'Diagnose', command: 'cmu.diagnose' },
};

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

/** What the user sees for a failure: what happened, what it means, one button for the next step. */
export function errorText(e: unknown): { message: string; buttons: { label: string; command: string; args?: unknown[] }[] } {
  const buttons: { label: string; command: string; args?: unknown[] }[] = [];
  let message: string;
  if (e instanceof CmuError) {
    message = `${oneLine(e.message)}${e.explanation ? ` — ${oneLine(e.explanation)}` : ''}`;
    const b = STEP_BUTTONS[e.nextStep];
    if (b) buttons.push(b);
  } else {
    message = oneLine(e instanceof Error ? e.message : String(e)) || 'Something went wrong';
    buttons.push(STEP_BUTTONS.diagnose!);
  }
  if (!buttons.some((b) => b.command === 'cmu.showLog')) buttons.push(STEP_BUTTONS.showLog!);
  return { message, buttons };
}

/**
 * Shows the error without waiting for the user (a command called from a script must not hang on a
 * notification); the chosen button runs its command.
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
  log.error(redact(describeError(e).split('\n')[0]));
  if (!(e instanceof CmuError) && e instanceof Error && e.stack) log.debug(redact(e.stack));
  const shown = errorText(e);
  const message = redact(shown.message);
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
