/**
 * The Queries view: Workspace / User / Examples, folders inside Workspace and User, a query's tooltip in
 * words, then Browse Server (browseTree.ts: the server's tree from its links, expanded lazily). An invalid
 * file shows its problems as items (click: open the file at the line).
 */
import * as vscode from 'vscode';
import { describeQuery, queryToHref, validateQuery } from '../../core/cmu/query';
import { EXAMPLE_FOLDERS, EXAMPLES, type QueryStore, type WritableGroup, type QueryGroup } from './queryStore';
import type { FileProblem, SavedQuery } from '../../core/cmu/savedQueries';
import { Cmd } from '../host/ids';
import { isBrowseNode, type BrowseNode, type BrowseTree } from './browseTree';

export type QueryNode =
  | { kind: 'group'; group: QueryGroup }
  | { kind: 'folder'; group: QueryGroup; folder: string }
  | { kind: 'query'; group: QueryGroup; saved: SavedQuery }
  | { kind: 'problem'; group: WritableGroup; problem: FileProblem }
  | { kind: 'info'; group: QueryGroup; text: string; description?: string; command?: vscode.Command };

/** Every row of the Queries view: the saved queries' and Browse Server's. */
export type TreeNode = QueryNode | BrowseNode;

const NODE_KINDS = new Set(['group', 'folder', 'query', 'problem', 'info']);
/** an element of the Queries view (its menus and drag and drop pass it to the commands) */
export function isNode(v: unknown): v is QueryNode {
  return !!v && typeof v === 'object' && NODE_KINDS.has((v as { kind?: string }).kind ?? '') && 'group' in v;
}

const GROUP_LABEL: Record<QueryGroup, string> = { workspace: 'Workspace', user: 'User', examples: 'Examples' };
const EXAMPLE_FOLDER_LABEL: Record<string, string> = { monthly: 'Monthly', daily: 'Daily', hourly: 'Hourly', concurrency: 'Concurrency & activity levels' };

export function nodeId(n: QueryNode): string {
  switch (n.kind) {
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

export class QueryTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly store: QueryStore,
    readonly browse?: BrowseTree,
  ) {
    this.sub = store.onDidChange(() => this.emitter.fire());
  }

  refresh(): void {
    this.emitter.fire();
  }

  /** The saved queries' rows at once; Browse Server's after asking the server (a promise). */
  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (node && isBrowseNode(node)) return this.browse ? this.browse.children(node) : [];
    if (!node) {
      const groups: TreeNode[] = (['workspace', 'user', 'examples'] as const).map((group) => ({ kind: 'group', group }));
      return this.browse ? [...groups, { kind: 'browse' }] : groups;
    }
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
      if (node.group === 'examples') return EXAMPLES.filter((s) => s.folder === node.folder).map((saved) => ({ kind: 'query', group: 'examples', saved }));
      return this.store
        .source(node.group as WritableGroup)
        .model.inFolder(node.folder)
        .map((saved) => ({ kind: 'query', group: node.group, saved }));
    }
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (isBrowseNode(node)) {
      if (node.kind === 'browse') return undefined;
      const up = node.kind === 'browseInfo' ? node.path : node.path.slice(0, -1);
      return up.length === 0 || (node.kind === 'browsePath' && node.source === 'catalog' && up.length < node.path.length - 1)
        ? { kind: 'browse' }
        : { kind: 'browsePath', path: up, href: '', source: node.kind === 'browsePath' ? node.source : 'server' };
    }
    if (node.kind === 'group') return undefined;
    if (node.kind === 'query' && node.saved.folder !== undefined) return { kind: 'folder', group: node.group, folder: node.saved.folder };
    return { kind: 'group', group: node.group };
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (isBrowseNode(node)) return (this.browse as BrowseTree).item(node);
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
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
    this.sub.dispose();
    this.emitter.dispose();
  }
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
