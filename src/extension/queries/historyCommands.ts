/**
 * The History node's commands. Same scripting contract as the saved-query commands: with an entry id a
 * command asks nothing and returns a plain result; from the tree it acts on the clicked entry; from the
 * palette it asks which entry.
 *
 *   cmu.history.list()                    → [{ id, query, href, environment, status, rows, durationMs, bytes, at, runs, error }]
 *   cmu.history.run(id)                   → whatever cmu.runQuery returns (in the current environment)
 *   cmu.history.save(id, { name, group }) → { id } of the saved query (tree: asks name and where)
 *   cmu.history.compare(id)               → { rows, columns, url, comparedWith } (the panel in compare mode)
 *   cmu.history.copyUrl(id)               → { url }
 *   cmu.history.clear({ confirmed: true }) → { cleared }   (tree, palette: asks first)
 */
import * as vscode from 'vscode';
import { outcomeText, relativeTime, shortQuery, type HistoryEntry } from '../../core/cmu/history';
import { queryToHref } from '../../core/cmu/query';
import { InputError } from '../../core/errors';
import { registerCommand } from '../host/commands';
import { Cmd, type CmdId } from '../host/ids';
import type { Services } from '../host/services';
import type { ReportFeature } from '../report/register';
import type { QueriesApi } from './commands';
import { urlOrPlaceholder } from './pickers';
import { isHistoryNode } from './treeProvider';

export function registerHistory(services: Services, queries: QueriesApi, report: ReportFeature): void {
  const { history } = queries;
  const command = (id: CmdId, fn: (...args: unknown[]) => Promise<unknown>) => registerCommand(services, id, fn, { isTreeItem: isHistoryNode });

  /** The entry from an id, a tree item, or asked for (palette). */
  const resolve = async (arg: unknown, title: string): Promise<HistoryEntry | undefined> => {
    if (typeof arg === 'string') return history.mustFind(arg);
    if (isHistoryNode(arg) && arg.kind === 'historyEntry') return history.mustFind(arg.entry.id);
    if (arg !== undefined) throw new InputError('Expected a history entry id', 'cmu.history.list() returns the ids.', 'none', 'bad_argument');
    const now = Date.now();
    const items = history.list().map((entry) => ({ label: shortQuery(entry.query), description: `${entry.environment} · ${outcomeText(entry)} · ${relativeTime(entry.at, now)}`, entry }));
    if (!items.length) {
      void vscode.window.showInformationMessage('No report has run yet: the history fills as you run queries.');
      return undefined;
    }
    services.log.trace(`asking: ${title}`);
    return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true }))?.entry;
  };

  command(Cmd.historyList, async () => history.list().map((e) => ({ ...e, href: queryToHref(e.query) })));

  command(Cmd.historyRun, async (arg?: unknown) => {
    const e = await resolve(arg, 'Run a report again');
    return e && vscode.commands.executeCommand(Cmd.runQuery, e.query);
  });

  command(Cmd.historySave, async (arg?: unknown, opts?: unknown) => {
    const e = await resolve(arg, 'Save a report of the history as a query');
    if (!e) return undefined;
    // a script names it (or gets the query in words); the tree and palette ask the name and where
    return vscode.commands.executeCommand(Cmd.queriesSave, e.query, typeof arg === 'string' ? (opts ?? {}) : { interactive: true });
  });

  command(Cmd.historyCompare, async (arg?: unknown) => {
    const e = await resolve(arg, 'Compare a report with its previous period');
    return e && report.compare(e.query);
  });

  command(Cmd.historyCopyUrl, async (arg?: unknown) => {
    const e = await resolve(arg, 'Copy the URL of a report of the history');
    if (!e) return undefined;
    const url = await urlOrPlaceholder(services, e.query);
    await vscode.env.clipboard.writeText(url);
    if (typeof arg !== 'string') void vscode.window.setStatusBarMessage('CMU: URL copied', 3000);
    return { url };
  });

  command(Cmd.historyClear, async (arg?: unknown) => {
    const n = history.list().length;
    const confirmed = !!arg && typeof arg === 'object' && (arg as { confirmed?: unknown }).confirmed === true;
    if (!confirmed && n && !(await services.confirm(`Clear the history of ${n} report run${n === 1 ? '' : 's'}?`, 'Saved queries are not touched.', 'Clear History'))) return undefined;
    await history.clear();
    return { cleared: n };
  });
}
