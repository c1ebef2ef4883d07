/** What the saved-query commands ask (palette) or read from the clicked tree item. */
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import { queryToHref, queryToUrl } from '../../core/cmu/query';
import { WORKSPACE_QUERY_FILE } from '../../core/cmu/savedQueries/types';
import { checkName } from '../../core/cmu/savedQueries/values';
import type { CmuQuery } from '../../core/cmu/types';
import type { Services } from '../host/services';
import type { QueryStore, WritableGroup } from './queryStore';
import { isNode } from './treeProvider';

export interface PickOptions {
  /** only the user's own queries (not the Examples) */
  writable?: boolean;
  /** only the Examples */
  examples?: boolean;
}

/** Workspace or User; User without asking when no folder is open. */
export async function pickGroup(store: QueryStore, title: string): Promise<WritableGroup | undefined> {
  if (!store.workspace.available) return 'user';
  const r = await vscode.window.showQuickPick(
    [
      { label: '$(repo) Workspace', description: `${WORKSPACE_QUERY_FILE} — shared with the team`, group: 'workspace' as const },
      { label: '$(account) User', description: 'only for you, in every workspace', group: 'user' as const },
    ],
    { title, placeHolder: 'Where to keep it' },
  );
  return r?.group;
}

/** Name (prefilled with the query in words) then group: undefined when the person cancels. */
export async function askNameAndGroup(store: QueryStore, query: CmuQuery): Promise<{ name: string; group: WritableGroup } | undefined> {
  // the same query already saved (or an Example): start from its name and say so
  const same = store.list().find((x) => x.url === queryToHref(query));
  const where = same && (same.group === 'examples' ? 'the Example' : `your saved query in ${same.group === 'workspace' ? 'Workspace' : 'User'}`);
  const { defaultQueryName } = await import('./builderFlow'); // the builder's module loads when a query is saved, not at activation
  const name = await vscode.window.showInputBox({
    title: 'Save Query',
    prompt: `Name of the saved query — ${queryToHref(query)}${same ? ` (same query as ${where} "${same.name}")` : ''}`,
    value: same?.name ?? defaultQueryName(query),
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        checkName(v);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (name === undefined) return undefined;
  const group = await pickGroup(store, `Save "${name.trim()}"`);
  return group && { name, group };
}

async function pickQuery(store: QueryStore, title: string, opts: PickOptions): Promise<string | undefined> {
  const items = store
    .list()
    .filter((q) => (!opts.writable || q.group !== 'examples') && (!opts.examples || q.group === 'examples'))
    .map((q) => ({ label: q.name, description: `${q.group}${q.folder ? ' / ' + q.folder : ''}`, detail: q.url, id: q.id }));
  if (!items.length) {
    void vscode.window.showInformationMessage('No saved queries yet: use "CMU: New Query…".');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true, matchOnDetail: true }))?.id;
}

/** The id from a tree node, a string id, or asked for (palette). */
export async function resolveId(store: QueryStore, arg: unknown, title: string, opts: PickOptions = {}): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (isNode(arg) && arg.kind === 'query') return arg.saved.id;
  if (arg === undefined) return pickQuery(store, title, opts);
  throw new InputError('Expected a saved query id', 'cmu.queries.list() returns the ids.', 'none', 'bad_argument');
}

/** Where a new query goes when created from a tree item (group or folder), else undefined. */
export function placeFromNode(arg: unknown): { group: WritableGroup; folder?: string } | undefined {
  if (!isNode(arg) || arg.group === 'examples') return undefined;
  if (arg.kind === 'folder') return { group: arg.group, folder: arg.folder };
  if (arg.kind === 'query') return { group: arg.group, folder: arg.saved.folder };
  return { group: arg.group as WritableGroup };
}

/** The query's URL on the current environment, or on a `$CMU_BASE` placeholder the user can replace. */
export async function urlOrPlaceholder(services: Services, q: CmuQuery): Promise<string> {
  try {
    const s = await services.session();
    if (s.env.cmuBase) return queryToUrl(q, s.env.cmuBase);
  } catch {
    // no usable environment: a placeholder base
  }
  return '$CMU_BASE' + queryToHref(q).replace(/^\/cmu\/v2/, '');
}
