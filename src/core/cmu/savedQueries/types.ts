/** The shapes of the saved-queries file and its in-memory model. */
import type { JSONPath } from 'jsonc-parser';
import type { CmuQuery } from '../types';
import type { QueryFileModel } from './model';

export const QUERY_FILE_VERSION = 1;
/** Workspace-relative location of the shared file. */
export const WORKSPACE_QUERY_FILE = '.vscode/cmu-queries.json';

export interface SavedQuery {
  id: string;
  name: string;
  /** undefined: at the top level of its group */
  folder?: string;
  query: CmuQuery;
}

export interface FileProblem {
  message: string;
  severity: 'error' | 'warning';
  offset: number;
  length: number;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export interface ParsedQueryFile {
  /** false when any problem is an error: the file must then never be overwritten */
  valid: boolean;
  /** best effort: the entries that could be read (empty when the JSON itself is broken) */
  model: QueryFileModel;
  problems: FileProblem[];
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** An entry lifted out of one file to be put into another (move between groups keeps unknown fields). */
export interface DetachedEntry {
  readonly saved: SavedQuery;
  readonly raw: JsonObject;
}

/** @internal */
export interface Entry {
  saved: SavedQuery;
  /** the entry as it was read (unknown fields live here); {} for new entries */
  raw: JsonObject;
}

/** A problem found while reading values, located by its JSON path (turned into line/column later). */
export interface RawProblem {
  path: JSONPath;
  message: string;
  /** point at the property name instead of its value */
  atKey?: boolean;
  severity?: 'error' | 'warning';
}

export function isObj(v: unknown): v is JsonObject {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export const BOM = '\uFEFF';
export const stripBom = (text: string) => (text.startsWith(BOM) ? text.slice(1) : text);
export const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };
