import * as vscode from 'vscode';
import { createServices } from './servicesImpl';
import { registerCoreCommands } from './commands';
import { ReadonlyDocs } from './readonlyDoc';
import { StatusBar } from './statusBar';
import { createTestApi, isTestRun } from './testApi';
import { registerQueries } from './queries/commands';
import { registerConnectionView } from './views/connectionView';
import { registerReportPanel } from './panels/register';

/** Activation is cheap: it wires objects together; nothing touches the network until a command runs. */
export async function activate(context: vscode.ExtensionContext) {
  const services = createServices(context);
  const docs = new ReadonlyDocs();
  context.subscriptions.push(docs);
  registerCoreCommands(services, docs);
  const statusBar = new StatusBar(services);
  context.subscriptions.push(statusBar);

  // feature registrations (one line each)
  registerQueries(services);
  registerConnectionView(services);
  registerReportPanel(services);

  return isTestRun(context) ? { test: createTestApi(services, statusBar) } : {};
}

export function deactivate(): void {
  // disposables (sandbox, timers, channels) are in context.subscriptions
}
