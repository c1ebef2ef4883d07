/**
 * Saved-query commands and the Queries view. Same scripting contract as the rest of the extension:
 * called with arguments (executeCommand) a command asks nothing and returns a plain result (or rejects
 * with the error); from the palette it asks for what it needs; from the tree it acts on the item
 * (and confirms deletions).
 *
 *   cmu.queries.list()                                  → [{ id, name, group, folder, url }]
 *   cmu.queries.save(query, { name, group, folder })    → { id }   ({ interactive: true }: asks name and group)
 *   cmu.queries.run(id)                                 → whatever cmu.runQuery returns
 *   cmu.queries.rename(id, name)                        → { id, name }
 *   cmu.queries.move(id, { group, folder, index })      → { id }
 *   cmu.queries.delete(id)                              → { id }   (no confirmation with an id)
 *   cmu.queries.importUrl(url, name?, { group, folder }?) → { id }
 *   cmu.queries.browse(path?, { refresh })               → the server's node: { path, source, drillDown, rollUp, dimensions, metrics }
 *   cmu.queries.browseRun(path) / browseSave(path, opts) / browseCopyUrl(path) / browseRefresh()
 *   plus tree actions: new, edit, duplicate, copyUrl, copyCurl, moveToWorkspace, moveToUser, saveExample,
 *   editJson, newFolder, renameFolder, deleteFolder, refresh.
 * The History node's commands are in historyCommands.ts; Run Query…'s picker in runQueryPicker.ts.
 */
import * as vscode from 'vscode';
import type { Services } from '../host/services';
import { InputError } from '../../core/errors';
import { curlCommand, emptyQuery, parseQueryUrl } from '../../core/cmu/query';
import { splitPath } from '../../core/cmu/catalog';
// not the savedQueries index: its parser (jsonc-parser) loads with the first read of a file (queryFileSource.ts)
import { hasHost } from '../../core/cmu/savedQueries/secrets';
import { WORKSPACE_QUERY_FILE } from '../../core/cmu/savedQueries/types';
import { sanitizeQuery } from '../../core/cmu/savedQueries/values';
import type { CmuQuery } from '../../core/cmu/types';
import { QueryStore, defaultName, type FoundQuery, type WritableGroup } from './queryStore';
import { isNode, isViewNode, QueryTreeProvider, type QueryNode, type ViewNode } from './treeProvider';
import { BrowseTree, isBrowseNode } from './browseTree';
import { HistoryStore } from './historyStore';
import { QueryDragAndDrop } from './dragAndDrop';
import { askNameAndGroup, pickGroup as pickGroupIn, placeFromNode, resolveId as resolveIdIn, urlOrPlaceholder, type PickOptions } from './pickers';
import { registerCommand } from '../host/commands';
import { writeFileAtomic } from './atomicWrite';
import { Cmd, Ctx, View, VsCmd, type CmdId } from '../host/ids';

export interface QueriesApi {
  store: QueryStore;
  /** the report runs (globalState), fed by Services.onDidRunReport */
  history: HistoryStore;
  tree: QueryTreeProvider;
  dragAndDrop: QueryDragAndDrop;
  view: vscode.TreeView<ViewNode>;
  browse: BrowseTree;
  ready: Promise<void>;
  /** Run Query… without an argument: the picker (undefined when dismissed) */
  pickQuery(): Promise<CmuQuery | undefined>;
}

/** The report path of a Browse Server row, or of a script's argument: `year/duration`, `/cmu/v2/year`, `['year', 'duration']`. */
function browsePath(arg: unknown): string[] {
  if (isBrowseNode(arg)) {
    if (arg.kind === 'browsePath') return [...arg.path];
    throw new InputError('Pick a report under Browse Server', 'Run, Save and Copy URL act on a report node of the tree.', 'none', 'bad_argument');
  }
  if (Array.isArray(arg) && arg.every((x) => typeof x === 'string' && x !== '')) return [...(arg as string[])];
  if (typeof arg === 'string') return splitPath(arg.split(/[?#]/)[0]);
  throw new InputError('Expected a report path', 'Pass a path such as "year/duration" or ["year", "duration"].', 'none', 'bad_argument');
}

export function registerQueries(services: Services): QueriesApi {
  const { context } = services;
  const store = new QueryStore(context.globalStorageUri);
  const ready = store.load().catch((e) => services.log.error(`saved queries: ${String(e)}`));
  const history = new HistoryStore(context.globalState, (t) => services.redact(t));
  context.subscriptions.push(
    history,
    services.onDidRunReport(({ record, dimensions }) => {
      history.record(record).catch((e) => services.log.error(`history: ${services.redact(String(e))}`));
      if (dimensions) history.seen.addReport(dimensions);
    }),
  );
  const browse = new BrowseTree(services);
  const tree = new QueryTreeProvider(store, history, browse);
  const dragAndDrop = new QueryDragAndDrop(store, (e) => services.showError(e));
  const view = vscode.window.createTreeView<ViewNode>(View.queries, {
    treeDataProvider: tree,
    dragAndDropController: dragAndDrop,
    showCollapseAll: true,
    canSelectMany: true,
  });
  const setContext = () => {
    void vscode.commands.executeCommand(VsCmd.setContext, Ctx.queriesHasWorkspace, store.workspace.available);
  };
  setContext();
  // another environment, profile or token: Browse Server shows that server's tree (its cache is per environment)
  context.subscriptions.push(store, tree, view, services.onDidChangeSession(() => tree.refresh()));

  const pickQuery = async () => {
    await ready;
    const { RunQueryPicker } = await import('./runQueryPicker'); // loads with the first Run Query… without an argument
    return RunQueryPicker.pick({ services, history, store });
  };
  const api: QueriesApi = { store, history, tree, dragAndDrop, view, browse, ready, pickQuery };
  /** the builder: its steps from the live server (the catalog offline), the filter values this session's reports showed */
  const builder = async (initial?: { query: CmuQuery; name?: string }) => {
    const { liveBuilderTree, runQueryBuilder } = await import('./builder'); // loads with the first New/Edit Query
    return runQueryBuilder(initial, { tree: liveBuilderTree(services), seenValues: (d) => history.seen.values(d) });
  };

  /** Every saved-query command: after the files are read; a tree item is a UI call (host/commands.ts). */
  const command = (id: CmdId, fn: (...args: unknown[]) => Promise<unknown>) =>
    registerCommand(
      services,
      id,
      async (...args: unknown[]) => {
        await ready;
        return fn(...args);
      },
      { isTreeItem: isViewNode },
    );

  const pickGroup = (title: string) => pickGroupIn(store, title);
  const resolveId = (arg: unknown, title: string, opts: PickOptions = {}) => resolveIdIn(store, arg, title, opts);

  const located = (id: string): FoundQuery => store.mustFind(id);

  // ---------------------------------------------------------------------------------------------
  command(Cmd.queriesList, async () => store.list());

  command(Cmd.queriesSave, async (query?: unknown, opts?: unknown) => {
    if (query === undefined) return vscode.commands.executeCommand(Cmd.queriesNew);
    // Arguments mean a script: no prompt. Save Query in a report panel passes { interactive: true } and the
    // person is asked for the name (and where, when a workspace is open) before anything is written.
    const interactive = !!(opts && typeof opts === 'object' && (opts as { interactive?: unknown }).interactive === true);
    const asked = interactive ? await askNameAndGroup(store, sanitizeQuery(query).query) : undefined;
    if (interactive && !asked) return undefined;
    const o = (asked ?? opts ?? {}) as { name?: string; group?: WritableGroup; folder?: string | null; index?: number };
    const r = await store.save(query, o);
    if (r.stripped.length) services.log.warn(`saved query ${r.id}: removed ${r.stripped.join(', ')} (a token never goes into the queries file)`);
    if (asked) {
      void vscode.window.setStatusBarMessage(`CMU: saved "${asked.name.trim()}" to ${asked.group === 'workspace' ? WORKSPACE_QUERY_FILE : 'User queries'}`, 4000);
      await reveal(r.id);
    }
    return { id: r.id };
  });

  command(Cmd.queriesNew, async (arg?: unknown) => {
    const place = placeFromNode(arg) ?? (typeof arg === 'object' && arg && !isNode(arg) ? (arg as { group: WritableGroup; folder?: string }) : undefined);
    const built = await builder();
    if (!built) return undefined;
    const group = place?.group ?? (await pickGroup('Save the new query'));
    if (!group) return undefined;
    const { id } = await store.save(built.query, { name: built.name, group, folder: place?.folder });
    await reveal(id);
    await offerRun(id, built.name);
    return { id };
  });

  command(Cmd.queriesRun, async (arg?: unknown) => {
    const id = await resolveId(arg, 'Run a saved query');
    if (!id) return undefined;
    const found = located(id);
    return vscode.commands.executeCommand(Cmd.runQuery, found.saved.query);
  });

  command(Cmd.queriesEdit, async (arg?: unknown, query?: unknown) => {
    const id = await resolveId(arg, 'Edit a saved query', { writable: true });
    if (!id) return undefined;
    const found = located(id);
    if (query !== undefined) {
      const s = await store.update(id, { query: query as CmuQuery });
      return { id: s.id };
    }
    if (found.group === 'examples') return vscode.commands.executeCommand(Cmd.queriesSaveExample, id);
    const built = await builder({ query: found.saved.query, name: found.saved.name });
    if (!built) return undefined;
    await store.update(id, { name: built.name, query: built.query });
    await offerRun(id, built.name);
    return { id };
  });

  command(Cmd.queriesRename, async (arg?: unknown, name?: unknown) => {
    const id = await resolveId(arg, 'Rename a saved query', { writable: true });
    if (!id) return undefined;
    let newName = name as string | undefined;
    if (newName === undefined) {
      newName = await vscode.window.showInputBox({
        title: 'Rename saved query',
        value: located(id).saved.name,
        validateInput: (s) => (s.trim() ? undefined : 'The name cannot be empty'),
      });
      if (newName === undefined) return undefined;
    }
    const s = await store.rename(id, newName);
    return { id: s.id, name: s.name };
  });

  command(Cmd.queriesDuplicate, async (arg?: unknown) => {
    const id = await resolveId(arg, 'Duplicate a saved query');
    if (!id) return undefined;
    const r = await store.duplicate(id);
    await reveal(r.id);
    return r;
  });

  /** The writable queries a tree action applies to: every selected one when the clicked item is among them. */
  const selectedQueries = (arg: unknown, selection: unknown): FoundQuery[] => {
    const nodes = Array.isArray(selection) && selection.some((n) => isNode(n) && isNode(arg) && n.kind === 'query' && arg.kind === 'query' && n.saved.id === arg.saved.id) ? selection : [arg];
    return nodes.filter((n): n is QueryNode & { kind: 'query' } => isNode(n) && n.kind === 'query' && n.group !== 'examples').map((n) => located(n.saved.id));
  };

  command(Cmd.queriesDelete, async (arg?: unknown, selection?: unknown) => {
    if (isNode(arg) && Array.isArray(selection) && selection.length > 1) {
      const found = selectedQueries(arg, selection);
      if (found.length > 1) {
        const shared = found.some((f) => f.group === 'workspace') ? ` (${WORKSPACE_QUERY_FILE} is shared with the team)` : '';
        const ok = await vscode.window.showWarningMessage(`Delete ${found.length} saved queries?${shared}`, { modal: true, detail: found.map((f) => f.saved.name).join('\n') }, 'Delete');
        if (ok !== 'Delete') return undefined;
        for (const f of found) await store.delete(f.saved.id);
        return { ids: found.map((f) => f.saved.id) };
      }
    }
    const id = await resolveId(arg, 'Delete a saved query', { writable: true });
    if (!id) return undefined;
    const found = located(id);
    if (typeof arg !== 'string') {
      const where = found.group === 'workspace' ? `${WORKSPACE_QUERY_FILE} (shared with the team)` : 'your User queries';
      const ok = await vscode.window.showWarningMessage(`Delete "${found.saved.name}" from ${where}?`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return undefined;
    }
    await store.delete(id);
    return { id };
  });

  command(Cmd.queriesMove, async (arg?: unknown, to?: unknown) => {
    const id = await resolveId(arg, 'Move a saved query', { writable: true });
    if (!id) return undefined;
    let dest = to as { group?: WritableGroup; folder?: string | null; index?: number } | undefined;
    if (dest === undefined) {
      const group = await pickGroup('Move to');
      if (!group) return undefined;
      const folders = store.source(group).model.folders();
      const f = await vscode.window.showQuickPick(
        [{ label: '(top level)', folder: null as string | null }, ...folders.map((x) => ({ label: x, folder: x as string | null }))],
        { title: 'Move to folder' },
      );
      if (!f) return undefined;
      dest = { group, folder: f.folder };
    }
    return store.move(id, dest);
  });

  const moveTo = (group: WritableGroup) => async (arg?: unknown, selection?: unknown) => {
    if (isNode(arg) && Array.isArray(selection) && selection.length > 1) {
      const ids: string[] = [];
      for (const f of selectedQueries(arg, selection).filter((x) => x.group !== group))
        ids.push((await store.move(f.saved.id, { group, folder: f.saved.folder ?? null })).id);
      return { ids };
    }
    const id = await resolveId(arg, `Move to ${group === 'workspace' ? 'Workspace' : 'User'}`, { writable: true });
    if (!id) return undefined;
    const r = await store.move(id, { group, folder: located(id).saved.folder ?? null });
    await reveal(r.id);
    return r;
  };
  command(Cmd.queriesMoveToWorkspace, moveTo('workspace'));
  command(Cmd.queriesMoveToUser, moveTo('user'));

  command(Cmd.queriesSaveExample, async (arg?: unknown, opts?: unknown) => {
    const id = await resolveId(arg, 'Save an example as my query', { examples: true });
    if (!id) return undefined;
    const found = located(id);
    const o = (opts ?? {}) as { name?: string; group?: WritableGroup; folder?: string | null };
    const scripted = typeof arg === 'string';
    const group = o.group ?? (scripted ? 'user' : await pickGroup(`Save "${found.saved.name}" as my query`));
    if (!group) return undefined;
    const r = await store.save(found.saved.query, { name: o.name ?? found.saved.name, group, folder: o.folder });
    await reveal(r.id);
    return { id: r.id };
  });

  command(Cmd.queriesImportUrl, async (url?: unknown, name?: unknown, opts?: unknown) => {
    const place = placeFromNode(url);
    let text = typeof url === 'string' ? url : undefined;
    if (text === undefined) {
      const clip = (await vscode.env.clipboard.readText()).trim();
      text = await vscode.window.showInputBox({
        title: 'New Query from URL',
        prompt: 'Paste a CMU URL or a HAL href (/cmu/v2/...). Any access_token in it is dropped.',
        value: /\/cmu\/v2\b/.test(clip) && clip.length < 4000 ? clip : '',
        placeHolder: 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year/month?metrics=active-users',
        ignoreFocusOut: true,
        validateInput: (s) => (s.trim() ? undefined : 'Paste a URL'),
      });
      if (!text) return undefined;
    }
    if (hasHost(text) && !/^[a-z][a-z0-9+.-]*:\/\/[^/]+\/(cmu\/)?v2(\/|\?|$)/i.test(text.trim()))
      throw new InputError('This is not a CMU URL', 'Paste a URL or an href whose path starts with /cmu/v2/.', 'none', 'bad_url');
    const query = parseQueryUrl(text);
    let qname = typeof name === 'string' ? name : undefined;
    const o = (opts ?? {}) as { group?: WritableGroup; folder?: string | null };
    let group = o.group ?? place?.group;
    if (typeof url !== 'string') {
      qname = await vscode.window.showInputBox({ title: 'Name of the saved query', value: defaultName(query), ignoreFocusOut: true });
      if (qname === undefined) return undefined;
      group = group ?? (await pickGroup('Save the imported query'));
      if (!group) return undefined;
    }
    const r = await store.save(query, { name: qname ?? defaultName(query), group: group ?? store.defaultGroup(), folder: o.folder ?? place?.folder });
    if (typeof url !== 'string') {
      if (hasHost(text)) void vscode.window.showInformationMessage('Saved the query; the host was not kept (it comes from the environment).');
      await reveal(r.id);
    }
    return { id: r.id };
  });

  command(Cmd.queriesCopyUrl, async (arg?: unknown) => {
    const id = await resolveId(arg, 'Copy the URL of a saved query');
    if (!id) return undefined;
    const url = await urlOrPlaceholder(services, located(id).saved.query);
    await vscode.env.clipboard.writeText(url);
    if (typeof arg !== 'string') void vscode.window.setStatusBarMessage('CMU: URL copied', 3000);
    return { url };
  });

  command(Cmd.queriesCopyCurl, async (arg?: unknown) => {
    const id = await resolveId(arg, 'Copy a saved query as cURL');
    if (!id) return undefined;
    const curl = curlCommand(await urlOrPlaceholder(services, located(id).saved.query));
    await vscode.env.clipboard.writeText(curl);
    if (typeof arg !== 'string') void vscode.window.setStatusBarMessage('CMU: cURL copied — export CMU_TOKEN first', 4000);
    return { curl };
  });

  for (const [id, flavor] of [[Cmd.queriesCopyHttpYac, 'httpyac'], [Cmd.queriesCopyRestClient, 'restClient']] as const) {
    command(id, async (arg?: unknown) => {
      const qid = await resolveId(arg, `Copy a saved query as ${flavor === 'httpyac' ? 'httpYac' : 'REST Client'} request`);
      if (!qid) return undefined;
      const { saved } = located(qid);
      const { copyHttpFile } = await import('../report/httpFile'); // with the DCR client's request shapes: loads when first asked for
      return copyHttpFile(services, saved.query, flavor, { title: saved.name, quiet: typeof arg === 'string' });
    });
  }

  command(Cmd.queriesEditJson, async (arg?: unknown) => {
    let group: WritableGroup | undefined;
    let index = -1;
    if (isNode(arg) && arg.kind === 'group' && arg.group !== 'examples') group = arg.group;
    else if (isNode(arg) && arg.kind === 'problem') group = arg.group;
    else {
      // from the palette: the file itself (no query to pick)
      const id = arg === undefined ? undefined : await resolveId(arg, 'Edit as JSON', { writable: true });
      if (id) {
        const found = located(id);
        if (found.group === 'examples') throw new InputError('Examples are read-only', 'Save the example as your own query first.', 'none', 'read_only');
        group = found.group;
        index = store.source(group).model.list().findIndex((s) => s.id === id);
      }
    }
    group = group ?? store.defaultGroup();
    const src = store.source(group);
    if (!src.uri) throw new InputError('No workspace folder is open', 'Open a folder to keep queries in .vscode/cmu-queries.json.', 'none', 'no_workspace');
    if (!src.exists) await writeFileAtomic(src.uri.fsPath, '{\n  "version": 1,\n  "queries": []\n}\n');
    const doc = await vscode.workspace.openTextDocument(src.uri);
    let selection: vscode.Range | undefined;
    if (index >= 0) {
      const { parseTree, findNodeAtLocation } = await import('jsonc-parser');
      const node = findNodeAtLocation(parseTree(doc.getText(), [], { allowTrailingComma: true }) ?? { type: 'null', offset: 0, length: 0 }, ['queries', index]);
      if (node) selection = new vscode.Range(doc.positionAt(node.offset), doc.positionAt(node.offset));
    }
    await vscode.window.showTextDocument(doc, { selection, preview: false });
    return { uri: src.uri.toString(), line: selection ? selection.start.line + 1 : undefined };
  });

  command(Cmd.queriesNewFolder, async (arg?: unknown, name?: unknown) => {
    let group = isNode(arg) && arg.group !== 'examples' ? (arg.group as WritableGroup) : typeof arg === 'string' ? (arg as WritableGroup) : undefined;
    group = group ?? (await pickGroup('New folder in'));
    if (!group) return undefined;
    let n = typeof name === 'string' ? name : undefined;
    if (n === undefined) {
      n = await vscode.window.showInputBox({ title: 'New folder', validateInput: (s) => (s.trim() ? undefined : 'Enter a name') });
      if (!n) return undefined;
    }
    return { folder: await store.addFolder(group, n) };
  });

  command(Cmd.queriesRenameFolder, async (arg?: unknown, name?: unknown) => {
    if (!isNode(arg) || arg.kind !== 'folder' || arg.group === 'examples') throw new InputError('Pick a folder in the Queries view', '', 'none', 'bad_argument');
    const n = typeof name === 'string' ? name : await vscode.window.showInputBox({ title: 'Rename folder', value: arg.folder });
    if (!n) return undefined;
    await store.renameFolder(arg.group as WritableGroup, arg.folder, n);
    return { folder: n.trim() };
  });

  command(Cmd.queriesDeleteFolder, async (arg?: unknown) => {
    if (!isNode(arg) || arg.kind !== 'folder' || arg.group === 'examples') throw new InputError('Pick a folder in the Queries view', '', 'none', 'bad_argument');
    const group = arg.group as WritableGroup;
    const count = store.source(group).model.inFolder(arg.folder).length;
    if (count > 0) {
      const choice = await vscode.window.showWarningMessage(
        `Delete folder "${arg.folder}"?`,
        { modal: true, detail: `It holds ${count} quer${count === 1 ? 'y' : 'ies'}.` },
        'Keep Queries (move to top level)',
        'Delete Queries Too',
      );
      if (!choice) return undefined;
      await store.deleteFolder(group, arg.folder, choice === 'Delete Queries Too');
    } else await store.deleteFolder(group, arg.folder);
    return { folder: arg.folder };
  });

  // ---- Browse Server ---------------------------------------------------------------------------
  /** Browse Server commands: a row of the tree is a UI call; a path (string or segments) a script's. */
  const browseCommand = (id: CmdId, fn: (...args: unknown[]) => Promise<unknown>) => registerCommand(services, id, fn, { isTreeItem: isBrowseNode });

  command(Cmd.queriesBrowse, async (path?: unknown, opts?: unknown) => {
    const refresh = !!(opts && typeof opts === 'object' && (opts as { refresh?: unknown }).refresh === true);
    const node = await services.discover(browsePath(path ?? []), { refresh });
    return {
      path: node.path,
      source: node.source,
      drillDown: node.drillDown.map((l) => ({ name: l.name, path: l.path, href: l.href })),
      rollUp: node.rollUp && { name: node.rollUp.name, path: node.rollUp.path, href: node.rollUp.href },
      dimensions: node.dimensions,
      metrics: node.metrics,
      ...(node.offlineReason ? { offlineReason: node.offlineReason } : {}),
    };
  });

  browseCommand(Cmd.queriesBrowseRun, async (arg?: unknown) => vscode.commands.executeCommand(Cmd.runQuery, emptyQuery(browsePath(arg))));

  browseCommand(Cmd.queriesBrowseSave, async (arg?: unknown, opts?: unknown) => {
    const query = emptyQuery(browsePath(arg));
    // from the tree: ask the name and where, as Save Query in a report panel does
    return vscode.commands.executeCommand(Cmd.queriesSave, query, isBrowseNode(arg) ? { interactive: true } : (opts ?? {}));
  });

  browseCommand(Cmd.queriesBrowseCopyUrl, async (arg?: unknown) => {
    const url = await urlOrPlaceholder(services, emptyQuery(browsePath(arg)));
    await vscode.env.clipboard.writeText(url);
    if (isBrowseNode(arg)) void vscode.window.setStatusBarMessage('CMU: URL copied', 3000);
    return { url };
  });

  browseCommand(Cmd.queriesBrowseRefresh, async () => {
    services.clearDiscovery();
    tree.refresh();
    return { ok: true };
  });

  command(Cmd.queriesRefresh, async () => {
    await store.load();
    tree.refresh();
    return { ok: true };
  });

  /** The builder's last step: "Saved — Run now?"; Enter runs the query (the report opens), Escape leaves it saved. */
  async function offerRun(id: string, name: string): Promise<void> {
    services.log.trace('asking: saved — run now');
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(play) Run now', description: 'open the report', run: true },
        { label: 'Not now', description: 'it is in the Queries view', run: false },
      ],
      { title: `Saved "${name}" — Run now?`, placeHolder: 'Enter runs the query' },
    );
    if (pick?.run) await vscode.commands.executeCommand(Cmd.queriesRun, id);
  }

  async function reveal(id: string): Promise<void> {
    if (!view.visible) return;
    const found = store.find(id);
    if (!found || found.group === 'examples') return;
    await new Promise((r) => setTimeout(r, 0)); // let the tree pick up the change first
    await view.reveal({ kind: 'query', group: found.group, saved: found.saved }, { select: true, focus: false }).then(undefined, () => undefined);
  }

  return api;
}
