/** The one "Copy as cURL" command line, for the extension and the CLI alike. */

/** POSIX shell single-quoting. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A curl command for the URL. Without `token` the header reads `$CMU_TOKEN`, expanded by the shell, so
 * no token reaches the clipboard unless the caller asked for it.
 */
export function curlCommand(url: string, token?: string): string {
  const auth = token ? shellQuote(`Authorization: Bearer ${token}`) : '"Authorization: Bearer $CMU_TOKEN"';
  return `curl -sS --compressed -H ${auth} ${shellQuote(url)}`;
}
