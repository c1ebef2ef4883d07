/**
 * The Queries view: Workspace / User / Examples, folders inside Workspace and User, a query's tooltip in
 * words, History (the last runs, newest first), then Browse Server (browseTree.ts: the server's tree from
 * its links, expanded lazily). An invalid file shows its problems as items (click: open the file at the line).
 */
import * as vscode from 'vscode';
import { describeQuery, queryToHref, validateQuery } from '../../core/cmu/query';
import { EXAMPLE_FOLDERS, examples, type QueryStore, type WritableGroup, type QueryGroup } from './queryStore';
import type { FileProblem, SavedQuery } from '../../core/cmu/savedQueries';
import { Cmd } from '../host/ids';
import { isBrowseNode, type BrowseNode, type BrowseTree } from './browseTree';
import { outcomeText, relativeTime, shortQuery, type HistoryEntry } from '../../core/cmu/history';
import type { HistoryStore } from './historyStore';

export type QueryNode =
  | { kind: 'group'; group: QueryGroup }
  | { kind: 'folder'; group: QueryGroup; folder: string }
  | { kind: 'query'; group: QueryGroup; saved: SavedQuery }
  | { kind: 'problem'; group: WritableGroup; problem: FileProblem }
  | { kind: 'info'; group: QueryGroup; text: string; description?: string; command?: vscode.Command };

/** The History node and its entries (no group: nothing of the saved-query commands applies to them). */
export type HistoryNode = { kind: 'history' } | { kind: 'historyEntry'; entry: HistoryEntry };
/** Every row of the Queries view: the saved queries', History's and Browse Server's. */
export type ViewNode = QueryNode | HistoryNode | BrowseNode;

const NODE_KINDS = new Set(['group', 'folder', 'query', 'problem', 'info']);
/** an element of the Queries view's saved queries (its menus and drag and drop pass it to the commands) */
export function isNode(v: unknown): v is QueryNode {
  return !!v && typeof v === 'object' && NODE_KINDS.has((v as { kind?: string }).kind ?? '') && 'group' in v;
}

/** the History node or one of its entries (tree menus pass them to the history commands) */
export function isHistoryNode(v: unknown): v is HistoryNode {
  const kind = !!v && typeof v === 'object' ? (v as { kind?: unknown }).kind : undefined;
  return kind === 'history' || (kind === 'historyEntry' && typeof (v as { entry?: { id?: unknown } }).entry?.id === 'string');
}

/** a tree item of the view (a command called with one is a UI call) */
export function isViewNode(v: unknown): v is ViewNode {
  return isNode(v) || isHistoryNode(v) || isBrowseNode(v);
}

const GROUP_LABEL: Record<QueryGroup, string> = { workspace: 'Workspace', user: 'User', examples: 'Examples' };
const EXAMPLE_FOLDER_LABEL: Record<string, string> = { monthly: 'Monthly', daily: 'Daily', hourly: 'Hourly', concurrency: 'Concurrency & activity levels' };

export function nodeId(n: QueryNode | HistoryNode): string {
  switch (n.kind) {
    case 'history':
      return 'h';
    case 'historyEntry':
      return `h:${n.entry.id}`;
    case 'group':
      return `g:${n.group}`;
    case 'folder':
      return `f:${n.group}:${n.folder}`;
    case 'query':
      return `q:${n.group}:${n.saved.id}`;
    case 'problem':
      return `p:${n.group}:${n.problem.offset}:${n.problem.message}`;
    case 'info':
      return `i:${n.group}:${n.text}`;
  }
}

export class QueryTreeProvider implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ViewNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subs: vscode.Disposable[];
  /** "5 min ago" ages: the history's descriptions are redrawn each minute while it has entries */
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: QueryStore,
    private readonly history: HistoryStore,
    readonly browse?: BrowseTree,
  ) {
    this.subs = [store.onDidChange(() => this.emitter.fire()), history.onDidChange(() => this.emitter.fire({ kind: 'history' }))];
    this.ticker = setInterval(() => {
      if (history.list().length) this.emitter.fire({ kind: 'history' });
    }, 60_000);
  }

  refresh(): void {
    this.emitter.fire();
  }

  /** The saved queries' and History's rows at once; Browse Server's after asking the server (a promise). */
  getChildren(node?: ViewNode): ViewNode[] | Promise<ViewNode[]> {
    if (node && isBrowseNode(node)) return this.browse ? this.browse.children(node) : [];
    if (!node) {
      const roots: ViewNode[] = [...(['workspace', 'user', 'examples'] as const).map((group): ViewNode => ({ kind: 'group', group })), { kind: 'history' }];
      return this.browse ? [...roots, { kind: 'browse' }] : roots;
    }
    if (node.kind === 'history') return this.history.list().map((entry) => ({ kind: 'historyEntry', entry }));
    if (node.kind === 'historyEntry') return [];
    if (node.kind === 'group') {
      if (node.group === 'examples') return EXAMPLE_FOLDERS.map((folder) => ({ kind: 'folder', group: 'examples', folder }));
      const src = this.store.source(node.group);
      if (!src.available)
        return [{ kind: 'info', group: node.group, text: 'Open a folder to share queries through .vscode/cmu-queries.json' }];
      const out: QueryNode[] = src.problems
        .filter((p) => p.severity === 'error')
        .map((problem) => ({ kind: 'problem', group: node.group as WritableGroup, problem }));
      for (const folder of src.model.folders()) out.push({ kind: 'folder', group: node.group, folder });
      for (const saved of src.model.inFolder(undefined)) out.push({ kind: 'query', group: node.group, saved });
      if (out.length === 0)
        out.push({
          kind: 'info',
          group: node.group,
          text: 'New Query…',
          description: 'none saved yet',
          command: { title: 'New Query', command: Cmd.queriesNew, arguments: [{ kind: 'group', group: node.group }] },
        });
      return out;
    }
    if (node.kind === 'folder') {
      if (node.group === 'examples') return examples().filter((s) => s.folder === node.folder).map((saved) => ({ kind: 'query', group: 'examples', saved }));
      return this.store
        .source(node.group as WritableGroup)
        .model.inFolder(node.folder)
        .map((saved) => ({ kind: 'query', group: node.group, saved }));
    }
    return [];
  }

  getParent(node: ViewNode): ViewNode | undefined {
    if (isBrowseNode(node)) {
      if (node.kind === 'browse') return undefined;
      const up = node.kind === 'browseInfo' ? node.path : node.path.slice(0, -1);
      return up.length === 0 || (node.kind === 'browsePath' && node.source === 'catalog' && up.length < node.path.length - 1)
        ? { kind: 'browse' }
        : { kind: 'browsePath', path: up, href: '', source: node.kind === 'browsePath' ? node.source : 'server' };
    }
    if (node.kind === 'history') return undefined;
    if (node.kind === 'historyEntry') return { kind: 'history' };
    if (node.kind === 'group') return undefined;
    if (node.kind === 'query' && node.saved.folder !== undefined) return { kind: 'folder', group: node.group, folder: node.saved.folder };
    return { kind: 'group', group: node.group };
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    if (isBrowseNode(node)) return (this.browse as BrowseTree).item(node);
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'history': {
        const n = this.history.list().length;
        const item = new vscode.TreeItem('History', n ? C.Collapsed : C.None);
        item.id = nodeId(node);
        item.contextValue = n ? 'cmu.history' : 'cmu.history.empty';
        item.iconPath = new vscode.ThemeIcon('history');
        item.description = n ? `${n} run${n === 1 ? '' : 's'}` : 'no runs yet';
        item.tooltip = 'The last 100 reports you ran (kept on this machine, without tokens or secrets). Click one to run it again.';
        return item;
      }
      case 'historyEntry':
        return historyItem(node);
      case 'group': {
        const item = new vscode.TreeItem(GROUP_LABEL[node.group], node.group === 'examples' ? C.Collapsed : C.Expanded);
        item.id = nodeId(node);
        item.contextValue = `cmu.group.${node.group}`;
        item.iconPath = new vscode.ThemeIcon(node.group === 'workspace' ? 'repo' : node.group === 'user' ? 'account' : 'book');
        if (node.group !== 'examples') {
          const src = this.store.source(node.group);
          item.tooltip =
            node.group === 'workspace'
              ? 'Shared with the team: .vscode/cmu-queries.json in the workspace (commit it).'
              : 'Only for you, in every workspace (the extension\'s global storage).';
          if (src.available && !src.valid) {
            item.description = 'file has problems — not saved to';
            item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
          }
        } else item.tooltip = 'The reports Adobe documents (read-only). Save one as your own query to change it.';
        return item;
      }
      case 'folder': {
        const label = node.group === 'examples' ? (EXAMPLE_FOLDER_LABEL[node.folder] ?? node.folder) : node.folder;
        const item = new vscode.TreeItem(label, C.Collapsed);
        item.id = nodeId(node);
        item.contextValue = node.group === 'examples' ? 'cmu.exampleFolder' : `cmu.folder.${node.group}`;
        item.iconPath = vscode.ThemeIcon.Folder;
        return item;
      }
      case 'query': {
        const { saved } = node;
        const item = new vscode.TreeItem(saved.name, C.None);
        item.id = nodeId(node);
        item.contextValue = node.group === 'examples' ? 'cmu.example' : `cmu.query.${node.group}`;
        item.description = '/' + saved.query.path.join('/');
        item.iconPath = new vscode.ThemeIcon(node.group === 'examples' ? 'graph-line' : 'graph');
        item.tooltip = queryTooltip(saved);
        item.accessibilityInformation = { label: `${saved.name}: ${describeQuery(saved.query)}` };
        // the default command (click, Enter) runs the query, as an item opens its document elsewhere in VS Code
        item.command = { title: 'Run Saved Query', command: Cmd.queriesRun, arguments: [node] };
        return item;
      }
      case 'problem': {
        const p = node.problem;
        const item = new vscode.TreeItem(`Line ${p.line}: ${p.message}`, C.None);
        item.id = nodeId(node);
        item.contextValue = 'cmu.queryFileProblem';
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        item.tooltip = `${p.message}\n\nThe file is left untouched until it is fixed. Click to open it at line ${p.line}.`;
        const uri = this.store.source(node.group).uri!;
        item.command = {
          title: 'Open',
          command: 'vscode.open',
          arguments: [uri, { selection: new vscode.Range(p.line - 1, p.column - 1, p.line - 1, p.column - 1) } satisfies vscode.TextDocumentShowOptions],
        };
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.text, C.None);
        item.id = nodeId(node);
        item.contextValue = 'cmu.info';
        item.description = node.description;
        if (node.command) {
          // the empty group's row is a button: short enough for a narrow side bar
          item.command = node.command;
          item.iconPath = new vscode.ThemeIcon('add');
          item.tooltip = `No queries in ${GROUP_LABEL[node.group]} yet: build one step by step from the drill-down tree, or drag an Example here.`;
        } else item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.subs.forEach((s) => s.dispose());
    this.emitter.dispose();
  }
}

/** A history entry: the query in short, environment · status · rows · age; details in the tooltip. */
function historyItem(node: HistoryNode & { kind: 'historyEntry' }): vscode.TreeItem {
  const e = node.entry;
  const item = new vscode.TreeItem(shortQuery(e.query), vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(node);
  item.contextValue = 'cmu.historyEntry';
  item.description = `${e.environment} · ${outcomeText(e)} · ${relativeTime(e.at, Date.now())}`;
  const ok = e.status !== undefined && e.status < 400;
  item.iconPath = ok ? new vscode.ThemeIcon('pass') : new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
  item.tooltip = historyTooltip(e);
  item.accessibilityInformation = { label: `${describeQuery(e.query)} in ${e.environment}: ${outcomeText(e)}, ${relativeTime(e.at, Date.now())}` };
  // the default command (click, Enter) runs it again, like a saved query
  item.command = { title: 'Run Again', command: Cmd.historyRun, arguments: [node] };
  return item;
}

export function historyTooltip(e: HistoryEntry): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(describeQuery(e.query));
  md.appendMarkdown('\n\n');
  md.appendCodeblock(queryToHref(e.query), 'text');
  const facts = [
    `Environment: ${e.environment}`,
    `Status: ${e.status ?? 'no answer'}${e.error ? ` — ${e.error}` : ''}`,
    ...(e.rows !== undefined ? [`Rows: ${e.rows}`] : []),
    `Duration: ${e.durationMs} ms`,
    ...(e.bytes !== undefined ? [`Size: ${e.bytes} bytes`] : []),
    `Ran: ${new Date(e.at).toLocaleString()}${e.runs > 1 ? ` (${e.runs} runs)` : ''}`,
  ];
  md.appendMarkdown('\n\n' + facts.map((f) => `- ${escapeMd(f)}`).join('\n'));
  return md;
}

export function queryTooltip(saved: SavedQuery): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMd(saved.name)}**\n\n`);
  md.appendText(describeQuery(saved.query));
  md.appendMarkdown('\n\n');
  md.appendCodeblock(queryToHref(saved.query), 'text');
  try {
    const { errors, warnings } = validateQuery(saved.query);
    for (const e of errors) md.appendMarkdown(`\n\n$(error) ${escapeMd(e)}`);
    for (const w of warnings) md.appendMarkdown(`\n\n$(warning) ${escapeMd(w)}`);
  } catch {
    // validation is advisory here
  }
  md.supportThemeIcons = true;
  return md;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
