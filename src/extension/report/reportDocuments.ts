/**
 * Reports in the editor: a read-only `cmu-report:` document per query and format (JSON pretty-printed
 * with the json language, CSV, XML), named after the query, refreshable; and Save As…, which writes the
 * server's bytes unchanged.
 */
import type { Readable } from 'stream';
import * as vscode from 'vscode';
import { streamToFile } from '../../core/fileDownload';
import { safeDownloadName } from '../../core/cmu/downloadName';
import { buildReportFileName } from '../../core/cmu/parse/media';
import { queryToHref } from '../../core/cmu/query';
import type { CmuQuery, ParsedReport } from '../../core/cmu/types';
import { DOC_FORMATS, documentName, documentText, type DocFormat } from './reportText';
import type { Services } from '../host/services';

export const REPORT_SCHEME = 'cmu-report';
export { DOC_FORMATS, documentName, documentText, type DocFormat };

const LANGUAGE: Record<DocFormat, string> = { json: 'json', csv: 'csv', xml: 'xml' };

interface DocEntry {
  query: CmuQuery;
  format: DocFormat;
  content: string;
}

export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, DocEntry>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly services: Services) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString())?.content ?? '';
  }

  uriFor(q: CmuQuery, format: DocFormat): vscode.Uri {
    // the query (href) in the URI query keeps one document per query and format
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${documentName(q, format)}`, query: queryToHref({ ...q, format: undefined }) });
  }

  isReportDocument(uri: vscode.Uri): boolean {
    return uri.scheme === REPORT_SCHEME && this.docs.has(uri.toString());
  }

  /** The server's body in `format`, fetched when asked (the panel keeps no copy of a body). */
  async fetchText(q: CmuQuery, format: DocFormat, signal?: AbortSignal): Promise<string> {
    const client = await this.services.cmuClient();
    const res = await client.open({ ...q, format }, { signal });
    return res.text();
  }

  /** Opens (or refreshes) the read-only document of `q` as `format`. */
  async open(q: CmuQuery, format: DocFormat): Promise<vscode.TextDocument> {
    const uri = this.uriFor(q, format);
    const raw = await this.fetchText(q, format);
    this.docs.set(uri.toString(), { query: q, format, content: documentText(raw, format) });
    this.emitter.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    const lang = LANGUAGE[format];
    if (doc.languageId !== lang) {
      const known = await vscode.languages.getLanguages();
      if (known.includes(lang)) doc = await vscode.languages.setTextDocumentLanguage(doc, lang);
    }
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }

  /** Re-fetches a `cmu-report:` document; VS Code re-reads it through onDidChange. */
  async refresh(uri: vscode.Uri): Promise<void> {
    const entry = this.docs.get(uri.toString());
    if (!entry) throw new Error('This document is not a CMU report.');
    const raw = await this.services.withProgress(`Refreshing ${documentName(entry.query, entry.format)}`, (signal) =>
      this.fetchText(entry.query, entry.format, signal),
    );
    entry.content = documentText(raw, entry.format);
    this.emitter.fire(uri);
  }

  /**
   * Save As…: asks for a file (format from its extension) unless `target` is given, then writes the
   * server's bytes unchanged (the body of a fresh request in that format).
   */
  async saveAs(q: CmuQuery, have: Pick<ParsedReport, 'format' | 'fileName'> | undefined, target?: vscode.Uri, format?: DocFormat): Promise<{ path: string; bytes: number } | undefined> {
    // the format the query asked for (the panel may hold its rows as CSV: fetchReportRows)
    let fmt: DocFormat = format ?? (q.format && DOC_FORMATS.includes(q.format as DocFormat) ? (q.format as DocFormat) : 'json');
    if (!target) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = (have?.format === fmt && safeDownloadName(have.fileName, fmt)) || buildReportFileName(q, fmt);
      target = await this.services.saveDialog({
        title: 'Save CMU report as',
        defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
        filters: { JSON: ['json'], CSV: ['csv'], XML: ['xml'] },
      });
      if (!target) return undefined;
      const ext = /\.([a-z]+)$/i.exec(target.path)?.[1]?.toLowerCase();
      if (ext && (DOC_FORMATS as readonly string[]).includes(ext)) fmt = ext as DocFormat;
    }
    const dest = target;
    const bytes = await this.services.withProgress(`Saving ${dest.path.split('/').pop()}`, async (signal) => {
      const client = await this.services.cmuClient();
      const res = await client.open({ ...q, format: fmt }, { signal });
      // a local file: streamed to disk (bounded by the streamed limits, never held in memory, no partial file)
      if (dest.scheme === 'file') return streamToFile(res.stream() as Readable, dest.fsPath);
      const buf = await client.readReport(res);
      const data = new TextEncoder().encode(buf);
      await vscode.workspace.fs.writeFile(dest, data);
      return data.byteLength;
    });
    return { path: dest.fsPath || dest.path, bytes };
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
    this.docs.clear();
  }
}
