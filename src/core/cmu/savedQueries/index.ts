/**
 * The saved-queries file model (`.vscode/cmu-queries.json` in a workspace, and the same shape for the
 * User group in the extension's global storage). Pure: no `vscode`, no file system.
 *
 *   { "version": 1,
 *     "folders": ["Billing"],                      // optional: folder order, empty folders
 *     "queries": [ { "id": "q1x2y3z4", "name": "Monthly by MVPD", "folder": "Billing",
 *                    "query": { "path": ["tenant", "year", "month"], "metrics": ["active-users"], ... } } ] }
 *
 * - The file stores the CmuQuery model (src/core/cmu/types.ts), never URL strings, and never a token,
 *   a secret or a host: such content makes the file invalid (reported with its line), and saving a
 *   query strips `access_token` and refuses absolute URLs.
 * - Parsing keeps positions (jsonc-parser) so every problem has a line and a column; comments and
 *   trailing commas are accepted (VS Code edits `.vscode/*.json` as JSON with comments).
 * - Unknown fields are kept on every level (root, entry, query, filter) through a round trip; root-level
 *   comments and unknown root properties are kept verbatim when serializing over the previous text.
 * - Order: the order of `queries` is the display order; inside a folder the order is that of its entries.
 */
export { QUERY_FILE_VERSION, WORKSPACE_QUERY_FILE } from './types';
export type { SavedQuery, FileProblem, ParsedQueryFile, DetachedEntry } from './types';
export { SECRET_KEYS, HOST_KEYS, isSecretName, hasHost, looksLikeSecretValue, keyRegexSource } from './secrets';
export { ID_PATTERN, sanitizeQuery, checkName, normFolder } from './values';
export * from './ids';
export { QueryFileModel } from './model';
export { lineCol, parseQueryFile, formatProblems } from './parse';
export { stringify } from './serialize';
