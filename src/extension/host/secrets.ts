import type * as vscode from 'vscode';
import type { SecretStore } from '../../core/store';
import type { SecretIndex } from './secretIndex';

/**
 * The core's SecretStore over VS Code SecretStorage (the OS keychain on desktop, the browser profile
 * in a web workbench). Nothing secret goes to settings, globalState, logs or files; the index records
 * only which keys exist.
 */
export class VsCodeSecretStore implements SecretStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly index?: SecretIndex,
  ) {}
  async get(key: string): Promise<string | undefined> {
    return this.secrets.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    await this.secrets.store(key, value);
    await this.index?.note(key, true);
  }
  async delete(key: string): Promise<void> {
    await this.secrets.delete(key);
    await this.index?.note(key, false);
  }
  /** another window (or this one) changed a key: the session reads its token again only then */
  onDidChange(listener: (key: string) => void): () => void {
    const sub = this.secrets.onDidChange((e) => listener(e.key));
    return () => sub.dispose();
  }
}
