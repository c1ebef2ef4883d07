/**
 * The report webview's HTML (no `vscode` import, so the browser tests serve the very same page).
 * The bundle and its styles are inline, each element with this panel's nonce: a webview fetches every
 * resource through the workbench (in a remote window, from the remote host), and the three requests
 * were most of a panel's start. CSP: nothing by default; scripts and style elements only with the
 * nonce; fonts and images only from the webview's own resource origin (cspSource); uPlot (chart.js) is
 * loaded from there, with the nonce, when a chart is drawn. No remote content, no style attributes.
 */
import { randomBytes } from 'crypto';

export interface PanelHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  /** per panel, from {@link newNonce} */
  nonce: string;
  /** the text of dist/webview.js */
  script: string;
  /** the texts of media/report.css and dist/webview.css */
  styles: string[];
  /** asWebviewUri(dist/chart.js): uPlot, loaded when a chart is drawn */
  chartUri: string;
  title: string;
  /** browser tests only: an inline script run before the bundle (gets the nonce) */
  prelude?: string;
}

/** 128 random bits, base64: a fresh one per panel (never derived from the time). */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** Text inside <script>/<style>: the only sequence that could end the element early is `</`. */
const inline = (text: string): string => text.replace(/<\//g, '<\\/');

export function renderPanelHtml(o: PanelHtmlOptions): string {
  const nonce = esc(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.styles.map((css) => `<style nonce="${nonce}">${inline(css)}</style>`).join('\n')}
<title>${esc(o.title)}</title>
</head>
<body>
${o.prelude ? `<script nonce="${nonce}">${o.prelude}</script>\n` : ''}<script nonce="${nonce}" data-chart="${esc(o.chartUri)}">${inline(o.script)}</script>
</body>
</html>`;
}
