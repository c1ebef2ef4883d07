import * as vscode from 'vscode';

export const READONLY_SCHEME = 'cmu-info';

/** true once a Markdown preview is the active tab of the active group; false after `ms` */
function whenPreviewActive(ms: number): Promise<boolean> {
  const active = () => {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return input instanceof vscode.TabInputWebview && /markdown\.preview/.test(input.viewType);
  };
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(timer);
      subs.forEach((d) => d.dispose());
      resolve(v);
    };
    const check = () => {
      if (active()) done(true);
    };
    const timer = setTimeout(() => done(false), ms);
    const subs = [vscode.window.tabGroups.onDidChangeTabs(check), vscode.window.tabGroups.onDidChangeTabGroups(check)];
  });
}

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

  /**
   * Opens (or refreshes) `name` (e.g. `statement.json`, `diagnose.md`) with this content. `preview`: a Markdown
   * document also opens rendered beside it (the built-in Markdown preview; it follows later refreshes), and
   * the document keeps the focus.
   */
  async open(name: string, content: string, language?: string, opts: { preview?: boolean } = {}): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: READONLY_SCHEME, path: `/${name}` });
    this.docs.set(uri.toString(), content);
    this.emitter.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (language && doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    if (opts.preview && doc.languageId === 'markdown') {
      // the preview takes the focus when the workbench shows it, after the command returned: give it back then
      const previewShown = whenPreviewActive(10_000); // the Markdown extension activates on first use (seconds in code-server)
      try {
        await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
      } catch {
        return doc; // the built-in Markdown extension is disabled: the document alone
      }
      if (await previewShown) await vscode.window.showTextDocument(doc, { viewColumn: editor.viewColumn, preview: false });
    }
    return doc;
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
    this.docs.clear();
  }
}
