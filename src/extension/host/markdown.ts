/**
 * Markdown for the read-only documents (Diagnose Connection, Show Access Token), which open beside their
 * rendered preview. No `vscode` import: unit-tested.
 */

/**
 * Text from elsewhere (a server's error, a token's claims) as the characters it is: no emphasis, link,
 * image (a preview would fetch it), HTML or table made of it, and one line.
 */
export function markdownText(s: string): string {
  // `_` inside a word (client_id) makes no emphasis: left as it is
  return s.replace(/[\\`*[\]<>!|~&]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\$&').replace(/\s*\r?\n\s*/g, ' ');
}

/**
 * A palette command quoted in a sentence (`Run "CMU: Register Client".`) in bold: the preview disables
 * command links, so a next step names the command to run from the palette, seen at a glance.
 */
export function boldCommands(s: string): string {
  return s.replace(/"(CMU: [^"\n]+)"/g, '**$1**');
}
