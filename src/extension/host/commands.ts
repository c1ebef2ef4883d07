import * as vscode from 'vscode';
import type { Services } from './services';
import type { ReadonlyDocs } from './readonlyDocs';

export interface CommandContext {
  services: Services;
  docs: ReadonlyDocs;
}

/**
 * Registers a command whose failures are shown as a message with a next-step button (never a
 * stack) and which returns its plain result object, or undefined when it failed or was cancelled.
 */
export function registerCommand<A extends unknown[], R>(ctx: CommandContext, id: string, body: (...args: A) => Promise<R>): void {
  ctx.services.context.subscriptions.push(
    vscode.commands.registerCommand(id, (...args: unknown[]) => ctx.services.run(() => body(...(args as A)))),
  );
}

/** an object argument, or {} (commands invoked from menus get the clicked item as first argument) */
export function options<T extends object>(arg: unknown): Partial<T> {
  return arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as Partial<T>) : {};
}

export const ENV_SHORT: Record<string, string> = { production: 'prod', staging: 'staging', sandbox: 'sandbox', custom: 'custom' };
