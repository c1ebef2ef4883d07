/**
 * The report webview's HTML (no `vscode` import, so the browser tests serve the very same page).
 * CSP: nothing by default; scripts only with this panel's nonce; styles, fonts and images only from
 * the webview's own resource origin (cspSource). No remote content, no inline styles in markup.
 */
import { randomBytes } from 'crypto';

export interface PanelHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  /** per panel, from {@link newNonce} */
  nonce: string;
  /** asWebviewUri(dist/webview.js) */
  scriptUri: string;
  /** asWebviewUri(media/report.css), asWebviewUri(dist/webview.css) */
  styleUris: string[];
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
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  const nonce = esc(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.styleUris.map((u) => `<link rel="stylesheet" href="${esc(u)}">`).join('\n')}
<title>${esc(o.title)}</title>
</head>
<body>
${o.prelude ? `<script nonce="${nonce}">${o.prelude}</script>\n` : ''}<script nonce="${nonce}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
