/**
 * "Browse Server" in the Queries view: the current server's report tree, expanded lazily from the root's
 * drill-down links (one `?limit=1` request per node opened, cached per environment by Services.discover;
 * Refresh asks again). Offline (no session, a stopped sandbox, the network down) it shows the catalog's
 * tree and says so. Each node can run, be saved and have its URL copied (commands.ts).
 */
import * as vscode from 'vscode';
import type { DiscoveredNode } from '../../core/cmu/discovery';
import { describe, pathHref } from '../../core/cmu/catalog';
import type { Services } from '../host/services';

/** A row of the Browse Server subtree: its root, a report path, or a line of information (offline, an error). */
export type BrowseNode =
  | { kind: 'browse' }
  | { kind: 'browsePath'; path: string[]; href: string; source: 'server' | 'catalog' }
  | { kind: 'browseInfo'; path: string[]; text: string; tooltip?: string };

const KINDS = new Set(['browse', 'browsePath', 'browseInfo']);
export function isBrowseNode(v: unknown): v is BrowseNode {
  return !!v && typeof v === 'object' && KINDS.has((v as { kind?: string }).kind ?? '');
}

export function browseNodeId(n: BrowseNode): string {
  if (n.kind === 'browse') return 'b:';
  return `${n.kind === 'browsePath' ? 'b' : 'bi'}:${n.path.join('/')}${n.kind === 'browseInfo' ? ':' + n.text : ''}`;
}

export class BrowseTree {
  /** what the root said last (its description: the environment, or offline) */
  private rootSource?: { source: 'server' | 'catalog'; reason?: string };

  constructor(private readonly services: Pick<Services, 'discover' | 'redact'>) {}

  /** The children of the root or of a path, from the server's links (the catalog's offline); an error is a row. */
  async children(node: BrowseNode): Promise<BrowseNode[]> {
    if (node.kind === 'browseInfo') return [];
    const path = node.kind === 'browse' ? [] : node.path;
    let found: DiscoveredNode;
    try {
      found = await this.services.discover(path);
    } catch (e) {
      // the server refused this node (404, 403…): say so in the tree, not as a notification per expansion
      const text = this.services.redact(e instanceof Error ? e.message : String(e));
      return [{ kind: 'browseInfo', path, text, tooltip: this.services.redact((e as { explanation?: string }).explanation ?? text) }];
    }
    const out: BrowseNode[] = [];
    if (node.kind === 'browse') {
      this.rootSource = { source: found.source, reason: found.offlineReason };
      if (found.source === 'catalog') {
        out.push({ kind: 'browseInfo', path, text: "Offline: the catalog's tree", tooltip: found.offlineReason && `Not connected: ${found.offlineReason}` });
      }
    }
    for (const link of found.drillDown) out.push({ kind: 'browsePath', path: link.path, href: link.href, source: found.source });
    // named reports off the drill-down tree (billing/daily), from the catalog, when the root does not link them
    if (node.kind === 'browse') {
      const { catalogEntryPoints } = await import('../../core/cmu/discovery'); // loaded by discover() above already
      for (const p of catalogEntryPoints()) {
        if (!out.some((n) => n.kind === 'browsePath' && n.path.join('/') === p.join('/'))) out.push({ kind: 'browsePath', path: p, href: pathHref(p), source: 'catalog' });
      }
    }
    if (out.length === 0) out.push({ kind: 'browseInfo', path, text: 'No drill-down below this report' });
    return out;
  }

  item(node: BrowseNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    if (node.kind === 'browse') {
      const item = new vscode.TreeItem('Browse Server', C.Collapsed);
      item.id = browseNodeId(node);
      item.contextValue = 'cmu.browse.root';
      item.iconPath = new vscode.ThemeIcon('server-environment');
      item.description = this.rootSource?.source === 'catalog' ? "offline: the catalog's tree" : undefined;
      item.tooltip = "The current server's report tree, from its own drill-down links (the catalog's tree when offline). Refresh asks the server again.";
      return item;
    }
    if (node.kind === 'browseInfo') {
      const item = new vscode.TreeItem(node.text, C.None);
      item.id = browseNodeId(node);
      item.contextValue = 'cmu.browse.info';
      item.iconPath = new vscode.ThemeIcon('info');
      item.tooltip = node.tooltip ?? node.text;
      return item;
    }
    const name = node.path[node.path.length - 1] ?? '';
    const item = new vscode.TreeItem(name, C.Collapsed);
    item.id = browseNodeId(node);
    item.contextValue = 'cmu.browse.node';
    item.description = '/' + node.path.join('/') + (node.source === 'catalog' ? ' · catalog' : '');
    item.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
    const md = new vscode.MarkdownString();
    md.appendText(`${node.href}\n\n${describe(name) ?? 'Not in the catalog: the server names it.'}\n\n`);
    md.appendText(node.source === 'server' ? "From the server's drill-down links." : "From the catalog (offline): the server may differ.");
    item.tooltip = md;
    item.accessibilityInformation = { label: `report /${node.path.join('/')}` };
    return item;
  }
}
