import * as vscode from 'vscode';
import { createServices } from './servicesImpl';

/** Activation is cheap: it wires objects together; nothing touches the network until a command runs. */
export async function activate(context: vscode.ExtensionContext) {
  const services = createServices(context);

  // feature registrations (one line each)

  return services;
}

export function deactivate(): void {
  // disposables (sandbox, timers, channels) are in context.subscriptions
}
