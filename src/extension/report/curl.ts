/** Copy as cURL (no `vscode` here: unit-tested). */

/** Shell single-quoting. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A curl command for the URL; the token is `$CMU_TOKEN` (expanded by the shell) unless given. */
export function curlCommand(url: string, token?: string): string {
  const auth = token ? sq(`Authorization: Bearer ${token}`) : '"Authorization: Bearer $CMU_TOKEN"';
  return `curl --compressed -H ${auth} ${sq(url)}`;
}
