import * as vscode from 'vscode';
import { CmuError } from '../../core/errors';
import type { Services } from './services';
import type { ReadonlyDocs } from './readonlyDocs';
import type { CmdId } from './ids';
import { isCancellation, logError } from './errorUi';

/**
 * How a command was called decides what a failure does (README, "Scripting contract"):
 * - `ui`: the palette, a keybinding, a menu, a tree item or a resource (no argument, a tree item or a
 *   `vscode.Uri`): the error is shown with its next-step button; the command resolves to undefined.
 * - `script`: `executeCommand(id, …)` with a plain value or object: the promise rejects with a
 *   {@link CommandError} (code, message, nextStep; redacted) and nothing is shown.
 * A cancellation resolves to undefined either way, silently.
 */
export type Caller = 'ui' | 'script';

export function callerOf(args: readonly unknown[], isTreeItem?: (arg: unknown) => boolean): Caller {
  if (args.every((a) => a === undefined)) return 'ui';
  const first = args[0];
  return first instanceof vscode.Uri || (isTreeItem?.(first) ?? false) ? 'ui' : 'script';
}

/** What a script gets when a command fails: never a stack, never a secret. */
export class CommandError extends CmuError {
  /** the HTTP status when a server answered */
  readonly status?: number;

  constructor(e: unknown, redact: (text: string) => string) {
    const first = (s: string) => redact(s.split('\n')[0].trim());
    if (e instanceof CmuError) {
      super(first(e.message), first(e.explanation), e.nextStep, e.code);
      const status = (e as { status?: unknown }).status;
      if (typeof status === 'number') this.status = status;
    } else {
      super(first(e instanceof Error ? e.message : String(e)) || 'Something went wrong', '', 'diagnose', 'error');
    }
  }
}

export interface CommandOptions {
  /** recognises the elements of the view whose menus run this command (they are UI calls) */
  isTreeItem?: (arg: unknown) => boolean;
}

/** The one way to register a command: the call policy above, a plain result, the token-busy state settled. */
export function registerCommand<A extends unknown[], R>(
  services: Services,
  id: CmdId,
  body: (...args: A) => Promise<R> | R,
  opts: CommandOptions = {},
): void {
  const redact = (t: string) => services.redact(t);
  services.context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]): Promise<R | undefined> => {
      const caller = callerOf(args, opts.isTreeItem);
      try {
        try {
          return await body(...(args as A));
        } catch (e) {
          // a secret pinned to the old host: the user is asked (a script gets the typed error); confirmed, it runs again.
          // Only a session throws it, so its module (not loaded at activation) is loaded by then.
          if (caller !== 'ui' || !(e instanceof CmuError && e.code === 'originChanged')) throw e;
          const { OriginChangedError } = await import('../../core/session');
          if (!(e instanceof OriginChangedError) || !(await services.askOriginChange(e))) throw e;
          return await body(...(args as A));
        }
      } catch (e) {
        if (isCancellation(e)) {
          services.log.info(`${id}: cancelled by the user`);
          return undefined;
        }
        if (caller === 'ui') {
          await services.showError(e);
          return undefined;
        }
        logError(e, services.log, redact);
        throw new CommandError(e, redact);
      } finally {
        services.commandEnded();
      }
    }),
  );
}

/** What the connection commands get. */
export interface CommandContext {
  services: Services;
  docs: ReadonlyDocs;
}

/** an object argument, or {} (commands invoked from menus get the clicked item as first argument) */
export function options<T extends object>(arg: unknown): Partial<T> {
  return arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as Partial<T>) : {};
}
