import * as vscode from 'vscode';
import { Services } from './host/services';
import { ReadonlyDocs } from './host/readonlyDocs';
import { createTestApi, isTestRun } from './host/testApi';
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

  return isTestRun(context) ? { test: createTestApi(services, { statusBar, queries, report }) } : {};
}

export function deactivate(): void {
  // disposables (sandbox, timers, channels) are in context.subscriptions
}
