import * as vscode from 'vscode';
import type { Services } from './services';
import type { StatusBar } from '../connection/statusBar';

/** true only when the extension runs under the integration tests */
export function isTestRun(context: vscode.ExtensionContext): boolean {
  return context.extensionMode === vscode.ExtensionMode.Test || process.env.CMU_EXPLORER_TEST === '1';
}

/**
 * What the integration tests may look at (exported from activate() and `cmu._test.*` commands only
 * under tests): the status bar text, what was logged, the last error shown, the real SecretStorage.
 */
export function createTestApi(services: Services, statusBar: StatusBar) {
  let lastError: string | undefined;
  services.context.subscriptions.push(services.onDidShowError((m) => (lastError = m)));
  /** answers for the next modal confirmations (a modal dialog cannot be driven from the extension host) */
  const confirmAnswers: (string | undefined)[] = [];
  const confirm = services.confirm.bind(services);
  services.confirm = async (message, detail, button) => {
    if (!confirmAnswers.length) return confirm(message, detail, button);
    services.log.trace(`asking: confirm ${message}`);
    return confirmAnswers.shift() === button;
  };
  const api = {
    services,
    secrets: services.context.secrets,
    globalState: services.context.globalState,
    sandbox: () => services.sandboxHost.current,
    /** waits for pending status bar updates, then returns its text ("CMU prod · token 5h 12m") */
    statusBarText: async () => {
      await statusBar.update();
      return statusBar.text;
    },
    logLines: () => services.log.lines(),
    confirmAnswers,
    /** aborts the operations under withProgress, as the notification's Cancel button does */
    cancelProgress: () => services.cancelAll(),
    lastError: () => lastError,
    clearLastError: () => {
      lastError = undefined;
    },
  };
  services.context.subscriptions.push(vscode.commands.registerCommand('cmu._test.statusBarText', api.statusBarText));
  return api;
}

export type TestApi = ReturnType<typeof createTestApi>;
