import * as vscode from 'vscode';
import { Services } from './host/services';
import { ReadonlyDocs } from './host/readonlyDocs';
import { registerConnection } from './connection/register';
import { registerQueries } from './queries/commands';
import { registerReportPanel } from './report/register';
import { registerHistory } from './queries/historyCommands';

/** Activation is cheap: it wires objects together; nothing touches the network until a command runs. */
export async function activate(context: vscode.ExtensionContext) {
  const services = new Services(context);
  const docs = new ReadonlyDocs();
  context.subscriptions.push(docs);

  // feature registrations (one line each)
  const { statusBar } = registerConnection(services, docs);
  const queries = registerQueries(services);
  const report = registerReportPanel(services, { pickQuery: queries.pickQuery });
  registerHistory(services, queries, report);

  // the test seams load only under the integration tests
  if (!isTestRun(context)) return {};
  const { createTestApi } = await import('./host/testApi');
  return { test: createTestApi(services, { statusBar, queries, report }) };
}

function isTestRun(context: vscode.ExtensionContext): boolean {
  return context.extensionMode === vscode.ExtensionMode.Test || process.env.CMU_EXPLORER_TEST === '1';
}

export function deactivate(): void {
  // disposables (sandbox, timers, channels) are in context.subscriptions
}
