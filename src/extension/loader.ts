/**
 * dist/extension.js, what VS Code loads: it compiles the extension (dist/extensionMain.js) with a V8 code
 * cache (./codeCache.ts), then hands activate() over to it.
 */
import * as path from 'path';
import type * as vscode from 'vscode';
import { loadBundle } from './codeCache';

type Extension = typeof import('./extension');

let extension: Extension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<unknown> {
  const storage = context.globalStorageUri;
  extension = loadBundle(path.join(__dirname, 'extensionMain.js'), storage.scheme === 'file' ? path.join(storage.fsPath, 'code-cache') : undefined).exports as Extension;
  return extension.activate(context);
}

export function deactivate(): void {
  extension?.deactivate();
}
