import * as vscode from 'vscode';

export const READONLY_SCHEME = 'cmu-info';

/**
 * Read-only documents (decoded statement, token description, diagnose report): the user can read,
 * select and copy them, nothing is written to disk.
 */
export class ReadonlyDocs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(READONLY_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }

  /** opens (or refreshes) `name` (e.g. `statement.json`, `diagnose.md`) with this content */
  async open(name: string, content: string, language?: string): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: READONLY_SCHEME, path: `/${name}` });
    this.docs.set(uri.toString(), content);
    this.emitter.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (language && doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
    this.docs.clear();
  }
}
