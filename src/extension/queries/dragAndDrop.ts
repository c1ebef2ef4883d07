/**
 * Drag and drop in the Queries view: reorder queries, move them between folders and between the
 * Workspace and User groups, reorder folders; dropping an Example copies it (Examples are read-only).
 * Dropping on a query puts the dragged ones before it; on a folder or a group, at its end.
 */
import * as vscode from 'vscode';
import type { QueryStore, WritableGroup } from './queryStore';
import { isNode, type QueryNode, type ViewNode } from './treeProvider';

export const QUERY_MIME = 'application/vnd.code.tree.cmu.queries';

type Dragged = { kind: 'query'; group: string; id: string } | { kind: 'folder'; group: WritableGroup; folder: string };

export class QueryDragAndDrop implements vscode.TreeDragAndDropController<ViewNode> {
  readonly dragMimeTypes = [QUERY_MIME];
  readonly dropMimeTypes = [QUERY_MIME];

  constructor(
    private readonly store: QueryStore,
    private readonly onError: (e: unknown) => void | Promise<void>,
  ) {}

  handleDrag(source: readonly ViewNode[], dataTransfer: vscode.DataTransfer): void {
    const items: Dragged[] = [];
    for (const n of source.filter(isNode)) {
      if (n.kind === 'query') items.push({ kind: 'query', group: n.group, id: n.saved.id });
      else if (n.kind === 'folder' && n.group !== 'examples') items.push({ kind: 'folder', group: n.group, folder: n.folder });
    }
    if (items.length) dataTransfer.set(QUERY_MIME, new vscode.DataTransferItem(JSON.stringify(items)));
  }

  async handleDrop(target: ViewNode | undefined, dataTransfer: vscode.DataTransfer): Promise<void> {
    const raw = dataTransfer.get(QUERY_MIME);
    if (!raw || !isNode(target)) return; // nothing drops into History or Browse Server
    let items: Dragged[];
    try {
      const v: unknown = typeof raw.value === 'string' ? JSON.parse(raw.value) : await raw.asString().then((s) => JSON.parse(s));
      items = Array.isArray(v) ? (v as Dragged[]) : [];
    } catch {
      return;
    }
    try {
      await this.drop(target, items);
    } catch (e) {
      await this.onError(e);
    }
  }

  /** Where a drop on `target` lands: group, folder and (for a query target) the position before it. */
  private destination(target: QueryNode, moving: Set<string>): { group: WritableGroup; folder: string | undefined; index?: number } | undefined {
    if (target.group === 'examples') return undefined;
    const group = target.group;
    if (target.kind === 'group') return { group, folder: undefined };
    if (target.kind === 'folder') return { group, folder: target.folder };
    if (target.kind === 'query') {
      const folder = target.saved.folder;
      const siblings = this.store.source(group).model.inFolder(folder).filter((s) => !moving.has(s.id));
      const index = siblings.findIndex((s) => s.id === target.saved.id);
      return { group, folder, index: index < 0 ? undefined : index };
    }
    return { group, folder: undefined };
  }

  private async drop(target: QueryNode, items: Dragged[]): Promise<void> {
    const queries = items.filter((i): i is Extract<Dragged, { kind: 'query' }> => i.kind === 'query');
    const folders = items.filter((i): i is Extract<Dragged, { kind: 'folder' }> => i.kind === 'folder');

    if (folders.length && target.group !== 'examples') {
      // folders: reorder within their group (dropped on a folder: before it)
      for (const f of folders) {
        if (f.group !== target.group) {
          // a whole folder to the other group: move its queries, keeping their order
          const ids = this.store.source(f.group).model.inFolder(f.folder).map((s) => s.id);
          for (const id of ids) await this.store.move(id, { group: target.group, folder: f.folder });
          await this.store.deleteFolder(f.group, f.folder);
        } else if (target.kind === 'folder' && target.folder !== f.folder) {
          const list = this.store.source(f.group).model.folders().filter((x) => x !== f.folder);
          await this.store.moveFolder(f.group, f.folder, list.indexOf(target.folder));
        }
      }
    }
    if (!queries.length) return;
    const dest = this.destination(target, new Set(queries.map((q) => q.id)));
    if (!dest) return; // Examples accept no drops
    let index = dest.index;
    for (const q of queries) {
      if (q.group === 'examples') {
        const found = this.store.mustFind(q.id);
        await this.store.save(found.saved.query, { name: found.saved.name, group: dest.group, folder: dest.folder ?? null, index });
      } else {
        await this.store.move(q.id, { group: dest.group, folder: dest.folder ?? null, index });
      }
      if (index !== undefined) index++;
    }
  }
}
