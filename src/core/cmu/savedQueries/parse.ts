/** Reading the queries file: never throws; every problem comes back with its line and column. */
import { parseTree, findNodeAtLocation, getNodeValue, printParseErrorCode } from 'jsonc-parser';
import type { ParseError, JSONPath } from 'jsonc-parser';
import { randomId, slugId } from './ids';
import { QueryFileModel } from './model';
import { scanForSecretsAndHosts } from './secrets';
import { PARSE_OPTIONS, QUERY_FILE_VERSION, WORKSPACE_QUERY_FILE, isObj, stripBom } from './types';
import type { Entry, FileProblem, JsonObject, ParsedQueryFile, RawProblem } from './types';
import { ID_PATTERN, checkQueryValue, checkStringArray, toCmuQuery } from './values';

export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

const PARSE_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'Invalid symbol',
  InvalidNumberFormat: 'Invalid number',
  PropertyNameExpected: 'Property name expected',
  ValueExpected: 'Value expected',
  ColonExpected: 'Colon expected',
  CommaExpected: 'Comma expected',
  CloseBraceExpected: 'Closing brace "}" expected',
  CloseBracketExpected: 'Closing bracket "]" expected',
  EndOfFileExpected: 'End of file expected',
  InvalidCommentToken: 'Invalid comment',
  UnexpectedEndOfComment: 'Unterminated comment',
  UnexpectedEndOfString: 'Unterminated string',
  UnexpectedEndOfNumber: 'Unexpected end of number',
  InvalidUnicode: 'Invalid unicode escape',
  InvalidEscapeCharacter: 'Invalid escape character',
  InvalidCharacter: 'Invalid character',
};

/**
 * Reads the file text. Never throws: problems come back with line and column. An empty text is an
 * empty, valid file.
 */
export function parseQueryFile(text: string, newId: () => string = randomId): ParsedQueryFile {
  // a byte order mark (Windows editors) is invisible to the user and to VS Code's positions
  text = stripBom(text);
  const model = new QueryFileModel(newId);
  const problems: FileProblem[] = [];
  const problemAt = (offset: number, length: number, message: string, severity: 'error' | 'warning' = 'error') => {
    const { line, column } = lineCol(text, offset);
    problems.push({ message, severity, offset, length, line, column });
  };
  if (!text.trim()) return { valid: true, model, problems };

  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, PARSE_OPTIONS);
  if (errors.length || !tree) {
    for (const e of errors) {
      const code = printParseErrorCode(e.error);
      problemAt(e.offset, e.length, `${PARSE_MESSAGES[code] ?? code} (the file is not valid JSON)`);
    }
    if (!errors.length) problemAt(0, 0, 'The file is not valid JSON');
    return { valid: false, model, problems };
  }
  if (tree.type !== 'object') {
    problemAt(tree.offset, tree.length, 'The file must hold an object: {"version": 1, "queries": [...]}');
    return { valid: false, model, problems };
  }
  const root = getNodeValue(tree) as JsonObject;
  const raw: RawProblem[] = [];

  // secrets and hosts anywhere in the file
  scanForSecretsAndHosts(root, [], raw);

  if ('version' in root && root.version !== QUERY_FILE_VERSION) {
    if (typeof root.version !== 'number' || !Number.isInteger(root.version)) raw.push({ path: ['version'], message: `"version" must be ${QUERY_FILE_VERSION}.` });
    else if (root.version > QUERY_FILE_VERSION)
      raw.push({ path: ['version'], message: `This file was written by a newer CMU Explorer (version ${root.version}); update the extension to edit it.` });
  }
  let folders: string[] = [];
  if ('folders' in root) {
    if (checkStringArray(root.folders, ['folders'], '"folders"', raw)) {
      folders = [];
      (root.folders as string[]).forEach((f, i) => {
        if (folders.includes(f.trim())) raw.push({ path: ['folders', i], message: `Folder "${f}" is listed twice.`, severity: 'warning' });
        else folders.push(f.trim());
      });
    }
  }
  const entries: Entry[] = [];
  const seenIds = new Map<string, number>();
  if (!('queries' in root)) {
    // an object without queries is a valid, empty file
  } else if (!Array.isArray(root.queries)) {
    raw.push({ path: ['queries'], message: '"queries" must be an array.' });
  } else {
    const pendingNoId: { entry: Entry }[] = [];
    root.queries.forEach((item, i) => {
      const p: JSONPath = ['queries', i];
      if (!isObj(item)) {
        raw.push({ path: p, message: 'Each saved query must be an object {"name": ..., "query": {...}}.' });
        return;
      }
      const before = raw.length;
      if (typeof item.name !== 'string' || !item.name.trim()) raw.push({ path: 'name' in item ? [...p, 'name'] : p, message: 'The saved query needs a "name".' });
      if ('id' in item && (typeof item.id !== 'string' || !ID_PATTERN.test(item.id)))
        raw.push({ path: [...p, 'id'], message: '"id" must be 1-64 letters, digits, "-", "_", "." or ":".' });
      if ('folder' in item && item.folder !== null && (typeof item.folder !== 'string' || !item.folder.trim()))
        raw.push({ path: [...p, 'folder'], message: '"folder" must be a non-empty folder name (leave it out for the top level).' });
      checkQueryValue(item.query, 'query' in item ? [...p, 'query'] : p, raw);
      if (typeof item.id === 'string' && ID_PATTERN.test(item.id)) {
        if (seenIds.has(item.id)) raw.push({ path: [...p, 'id'], message: `Duplicate id "${item.id}" (also used by query #${seenIds.get(item.id)! + 1}).` });
        else seenIds.set(item.id, i);
      }
      if (raw.length !== before) return;
      const entry: Entry = {
        saved: {
          id: typeof item.id === 'string' ? item.id : '',
          name: (item.name as string).trim(),
          folder: typeof item.folder === 'string' ? item.folder.trim() : undefined,
          query: toCmuQuery(item.query as JsonObject),
        },
        raw: item,
      };
      if (!entry.saved.id) pendingNoId.push({ entry });
      entries.push(entry);
    });
    // hand-written entries without an id get a stable one from their name (written on the next save)
    const taken = new Set(entries.map((e) => e.saved.id).filter(Boolean));
    for (const { entry } of pendingNoId) {
      entry.saved.id = slugId(entry.saved.name, (id) => taken.has(id));
      taken.add(entry.saved.id);
    }
  }

  for (const r of raw) {
    let node = findNodeAtLocation(tree, r.path) ?? tree;
    if (r.atKey && node.parent?.type === 'property' && node.parent.children?.[0]) node = node.parent.children[0];
    problemAt(node.offset, node.length, r.message, r.severity ?? 'error');
  }
  problems.sort((a, b) => a.offset - b.offset);
  model._load(root, entries, folders);
  return { valid: !problems.some((p) => p.severity === 'error'), model, problems };
}

/** One line per problem: `line 7, column 12: message`. */
export function formatProblems(problems: FileProblem[], file = WORKSPACE_QUERY_FILE): string {
  return problems.map((p) => `${file}:${p.line}:${p.column}: ${p.severity}: ${p.message}`).join('\n');
}
