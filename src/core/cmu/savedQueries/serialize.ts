/** Writing the queries file: readable JSON, and over a previous text only the properties the model owns. */
import { parseTree, findNodeAtLocation, modify, applyEdits } from 'jsonc-parser';
import type { Node } from 'jsonc-parser';
import { PARSE_OPTIONS, isObj } from './types';
import type { JsonObject } from './types';

export function detectIndent(text: string | undefined): string {
  const m = text && /^([ \t]+)\S/m.exec(text);
  if (!m) return '  ';
  return m[1].startsWith('\t') ? '\t' : m[1].length >= 4 ? '    ' : '  ';
}

/** JSON.stringify with arrays of primitives on one line (paths, metrics, values stay readable). */
export function stringify(value: unknown, indent = '  ', eol = '\n', level = 0): string {
  const pad = indent.repeat(level + 1);
  const end = indent.repeat(level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return '[' + value.map((v) => JSON.stringify(v)).join(', ') + ']';
    return '[' + eol + value.map((v) => pad + stringify(v, indent, eol, level + 1)).join(',' + eol) + eol + end + ']';
  }
  if (isObj(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) return '{}';
    return '{' + eol + keys.map((k) => pad + JSON.stringify(k) + ': ' + stringify(value[k], indent, eol, level + 1)).join(',' + eol) + eol + end + '}';
  }
  return JSON.stringify(value ?? null);
}

/** Rewrites only the root properties the model owns, leaving the rest of the text (comments too) alone. */
export function spliceRoot(text: string, value: JsonObject, indent: string, eol: string): string {
  const owned = ['version', 'folders', 'queries'];
  const formattingOptions = { insertSpaces: indent !== '\t', tabSize: indent === '\t' ? 4 : indent.length, eol };
  // insert / remove properties first (placeholders), then replace each owned value with our formatting
  for (const k of owned) {
    const tree = parseTree(text, [], PARSE_OPTIONS) as Node;
    const node = findNodeAtLocation(tree, [k]);
    if (!node && value[k] !== undefined) text = applyEdits(text, modify(text, [k], 0, { formattingOptions }));
    if (node && value[k] === undefined) text = applyEdits(text, modify(text, [k], undefined, { formattingOptions }));
  }
  for (const k of owned) {
    if (value[k] === undefined) continue;
    const tree = parseTree(text, [], PARSE_OPTIONS) as Node;
    const node = findNodeAtLocation(tree, [k])!;
    text = text.slice(0, node.offset) + stringify(value[k], indent, eol, 1) + text.slice(node.offset + node.length);
  }
  return text.endsWith('\n') ? text : text + eol;
}
