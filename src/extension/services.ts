import * as vscode from 'vscode';
import type { HttpClient } from '../core/http';
import type { Session } from '../core/session';
import type { CmuClient } from '../core/cmu/client';

/**
 * What feature modules get (CONTRACTS.md). Feature modules export `register<Feature>(services)` and
 * push their disposables to `services.context.subscriptions`.
 */
export interface Services {
  context: vscode.ExtensionContext;
  /** "CMU Explorer"; HTTP exchanges already redacted */
  log: vscode.LogOutputChannel;
  /** the one client, log hook wired to `log` */
  http: HttpClient;
  /** current environment + profile (starts the sandbox when env = sandbox) */
  session(): Promise<Session>;
  /** CmuClient on the current session/environment */
  cmuClient(): Promise<CmuClient>;
  /** environment/profile switched, or session state changed */
  onDidChangeSession: vscode.Event<void>;
  /** message with explanation + next-step button, never a stack */
  showError(e: unknown): Promise<void>;
  /** cancellable; the signal aborts when the user cancels */
  withProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T>;
}
