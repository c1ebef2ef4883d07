import * as vscode from 'vscode';
import { VsCmd } from './ids';

/** The Settings editor's filter for this extension's settings. */
export const SETTINGS_QUERY = '@ext:cmu-explorer.cmu-explorer';

/**
 * Opens the settings editor on CMU Explorer's settings, in the tab where they live. The endpoint settings
 * are machine-scoped: in a remote window (Remote-SSH, WSL, Dev Containers, Codespaces, code-server) they
 * are read from the remote machine, so the User tab would show "No Settings Found" — the Remote tab is
 * the one (`openRemoteSettings` takes `{ query }`, not a string).
 */
export async function openCmuSettings(): Promise<{ target: 'remote' | 'user'; query: string }> {
  const remote = !!vscode.env.remoteName;
  await vscode.commands.executeCommand(remote ? VsCmd.openRemoteSettings : VsCmd.openSettings, { query: SETTINGS_QUERY });
  return { target: remote ? 'remote' : 'user', query: SETTINGS_QUERY };
}
