/** Copy as cURL, for a report panel and a saved query alike (no `vscode` here: unit-tested). */

/** Shell single-quoting. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A curl command for the URL; the token is `$CMU_TOKEN` (expanded by the shell; the user exports it, e.g.
 * from "Copy Authorization Header") unless given. Quiet but failures shown (-sS), compressed transfer.
 */
export function curlCommand(url: string, token?: string): string {
  const auth = token ? sq(`Authorization: Bearer ${token}`) : '"Authorization: Bearer $CMU_TOKEN"';
  return `curl -sS --compressed -H ${auth} ${sq(url)}`;
}
