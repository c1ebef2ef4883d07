/**
 * Run Query… from the palette: one QuickPick instead of a bare input box. Typing a path completes its
 * next segment (the server's drill-down links when connected, the catalog offline: nextSegments.ts);
 * recent runs (history) and saved queries are sections of their own; the typed query gets the builder's
 * checks — what no server could serve (an empty segment, a dimension twice, a reserved parameter as a
 * dimension) cannot be run, the catalog's advice (an unknown segment, with a did-you-mean) is shown and
 * the query still runs. Enter runs the first item (the typed query); Enter on a completion takes it.
 */
import * as vscode from 'vscode';
import { describe as describeName, nextSteps } from '../../core/cmu/catalog';
import { outcomeText, relativeTime, shortQuery, type HistoryEntry } from '../../core/cmu/history';
import { describeQuery, parseQueryUrl, queryToHref, validateQuery } from '../../core/cmu/query';
import type { CmuQuery } from '../../core/cmu/types';
import type { Services } from '../host/services';
import type { HistoryStore } from './historyStore';
import { nextSegments, type NextSegment } from './nextSegments';
import type { QueryStore } from './queryStore';

type Action =
  | { kind: 'run'; text: string; blocked?: string }
  | { kind: 'complete'; text: string }
  | { kind: 'history'; entry: HistoryEntry }
  | { kind: 'saved'; id: string; query: CmuQuery };

export interface RunQueryItem extends vscode.QuickPickItem {
  action?: Action;
}

export interface RunQueryPickerDeps {
  services: Services;
  history: HistoryStore;
  store: QueryStore;
}

const RECENT_SHOWN = 20;
const RUN_THIS: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('play'), tooltip: 'Run this path' };
/** the catalog's and validator's text quotes names in backticks (Markdown there, noise here) */
const plain = (s: string) => s.replace(/`/g, '');

/** The typed text's path: what is complete (`head`, the user's own spelling) and the segment being typed. */
function pathBeingTyped(text: string, cmuBase: string | undefined): { head: string; segments: string[]; partial: string } | undefined {
  if (/[?#]/.test(text)) return undefined;
  const cut = text.lastIndexOf('/') + 1;
  const head = text.slice(0, cut);
  const partial = text.slice(cut);
  if (/\.(json|csv|xml|html)$/i.test(partial)) return undefined;
  const segments = head.replace(/\//g, '') ? parseQueryUrl(head, cmuBase).path : [];
  return { head, segments, partial };
}

export class RunQueryPicker {
  private static open: RunQueryPicker | undefined;
  /** the picker on screen (the integration tests drive it through host/testApi.ts) */
  static get current(): RunQueryPicker | undefined {
    return RunQueryPicker.open;
  }

  readonly qp = vscode.window.createQuickPick<RunQueryItem>();
  /** the value whose items are being computed or shown, and that computation */
  private value: string | undefined;
  /**
   * Values this picker put in the box itself (a completion taken): the workbench reports each back as a
   * change, possibly after a newer one — an echo, not the user typing, so it must not bring the old text back.
   */
  private echoes: string[] = [];
  private updating: Promise<void> = Promise.resolve();
  private abort: AbortController | undefined;
  private done: ((q: CmuQuery | undefined) => void) | undefined;

  private constructor(private readonly deps: RunQueryPickerDeps) {}

  /** Shows the picker; the query to run, or undefined when dismissed. */
  static pick(deps: RunQueryPickerDeps): Promise<CmuQuery | undefined> {
    RunQueryPicker.open?.qp.hide();
    const p = new RunQueryPicker(deps);
    RunQueryPicker.open = p;
    return p.show();
  }

  private show(): Promise<CmuQuery | undefined> {
    const { qp } = this;
    qp.title = 'Run CMU Query';
    qp.placeholder = 'A path (tenant/year/month), a HAL href (/cmu/v2/…?start=…) or a CMU URL — Enter runs';
    qp.matchOnDescription = true;
    qp.ignoreFocusOut = true;
    return new Promise((resolve) => {
      this.done = (q) => {
        if (!this.done) return;
        this.done = undefined;
        resolve(q);
        qp.hide();
      };
      qp.onDidChangeValue((v) => {
        const echo = this.echoes.indexOf(v);
        if (echo >= 0) {
          this.echoes.splice(0, echo + 1);
          return;
        }
        void this.onValue(v);
      });
      qp.onDidAccept(() => void this.accept(qp.activeItems[0]));
      qp.onDidTriggerItemButton((e) => {
        if (e.item.action?.kind === 'complete') this.runText(e.item.action.text.replace(/\/$/, ''));
      });
      qp.onDidHide(() => {
        this.abort?.abort();
        this.done?.(undefined);
        qp.dispose();
        if (RunQueryPicker.open === this) RunQueryPicker.open = undefined;
      });
      this.deps.services.log.trace('asking: run query');
      qp.show();
      void this.onValue('');
    });
  }

  /** Types `v` into the box (as the user would) and resolves when its items are shown. */
  setValue(v: string): Promise<void> {
    this.echoes = [...this.echoes.slice(-9), v];
    this.qp.value = v;
    return this.onValue(v);
  }

  /** what the box shows now, in order (tests) */
  get items(): readonly RunQueryItem[] {
    return this.qp.items;
  }

  /** resolves when the items of the current value are shown */
  whenUpdated(): Promise<void> {
    return this.updating;
  }

  private onValue(v: string): Promise<void> {
    if (v === this.value) return this.updating;
    this.value = v;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.updating = this.update(v, abort.signal).catch((e) => this.deps.services.log.warn(`run query: ${this.deps.services.redact(String(e))}`));
    return this.updating;
  }

  private cmuBase(): string | undefined {
    return this.deps.services.peekEnvironment()?.cmuBase;
  }

  /** The items for `v`: shown at once without completions, again when the next segments arrived. */
  private async update(v: string, signal: AbortSignal): Promise<void> {
    const text = v.trim();
    const typed = pathBeingTyped(text, this.cmuBase());
    this.show_(text, typed ? [] : undefined);
    if (!typed) return;
    this.qp.busy = true;
    try {
      const next = await this.segments(typed.segments, signal);
      if (signal.aborted) return;
      const lower = typed.partial.toLowerCase();
      const fitting = next.filter((s) => s.name.toLowerCase().startsWith(lower));
      this.show_(
        text,
        (fitting.length ? fitting : next).map((s) => ({
          label: typed.head + s.name,
          description: s.source === 'server' ? 'next segment (server)' : 'next segment (catalog)',
          detail: describeName(s.name),
          alwaysShow: true,
          buttons: [RUN_THIS],
          action: { kind: 'complete', text: `${typed.head}${s.name}/` },
        })),
      );
    } finally {
      if (!signal.aborted) this.qp.busy = false;
    }
  }

  /** What may follow `path`: the live links, the catalog when the server cannot say (offline, a 4xx). */
  private async segments(path: string[], signal: AbortSignal): Promise<NextSegment[]> {
    try {
      return await nextSegments(this.deps.services, path, { signal });
    } catch {
      return nextSteps(path).map((name) => ({ name, source: 'catalog' as const }));
    }
  }

  private show_(text: string, completions: RunQueryItem[] | undefined): void {
    const sep = (label: string): RunQueryItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
    const items: RunQueryItem[] = [];
    const run = text ? this.runItem(text) : undefined;
    if (run) items.push(run);
    if (completions?.length) items.push(sep('next segment'), ...completions);
    const recent = this.deps.history.list().slice(0, RECENT_SHOWN);
    if (recent.length) {
      const now = Date.now();
      items.push(
        sep('recent'),
        ...recent.map((entry) => ({
          label: shortQuery(entry.query),
          description: `${entry.environment} · ${outcomeText(entry)} · ${relativeTime(entry.at, now)}`,
          iconPath: new vscode.ThemeIcon('history'),
          action: { kind: 'history' as const, entry },
        })),
      );
    }
    const saved = this.deps.store.list();
    const own = saved.filter((s) => s.group !== 'examples');
    const examples = saved.filter((s) => s.group === 'examples');
    const savedItem = (s: (typeof saved)[number]): RunQueryItem => ({
      label: s.name,
      description: s.url.replace(/^\/cmu\/v2/, ''),
      iconPath: new vscode.ThemeIcon(s.group === 'examples' ? 'graph-line' : 'graph'),
      action: { kind: 'saved', id: s.id, query: this.deps.store.mustFind(s.id).saved.query },
    });
    if (own.length) items.push(sep('saved queries'), ...own.map(savedItem));
    if (examples.length) items.push(sep('examples'), ...examples.map(savedItem));
    this.qp.items = items;
    if (run) this.qp.activeItems = [run];
  }

  /** The typed query as the first item, with the builder's verdict in its detail. */
  private runItem(text: string): RunQueryItem {
    let q: CmuQuery | undefined;
    let errors: string[];
    let warnings: string[] = [];
    try {
      q = parseQueryUrl(text, this.cmuBase());
      ({ errors, warnings } = validateQuery(q));
    } catch (e) {
      errors = [e instanceof Error ? e.message : String(e)];
    }
    const blocked = errors[0] && plain(errors[0]);
    return {
      label: `$(play) Run ${text}`,
      description: blocked ? 'cannot be sent' : warnings.length ? `${warnings.length} warning${warnings.length > 1 ? 's' : ''} — runs anyway, the server decides` : q && queryToHref(q),
      detail: blocked ? `$(error) ${blocked}` : warnings.length ? `$(warning) ${plain(warnings[0])}` : q && describeQuery(q),
      alwaysShow: true,
      action: { kind: 'run', text, ...(blocked ? { blocked } : {}) },
    };
  }

  /** What Enter does on `item` (the active one): run, complete, or nothing for a query no server could serve. */
  async accept(item: RunQueryItem | undefined): Promise<void> {
    // Enter right after typing or pasting can arrive before the workbench shows this text's items: the
    // active item is then one of the previous text's (a completion, a recent run), not what the user sees
    // typed. The typed text wins.
    const stale = item !== undefined && !this.qp.items.includes(item);
    const a = stale ? undefined : item?.action;
    if (!a) {
      // the text as last typed or set (qp.value can briefly hold a late echo of an older one)
      const text = (this.value ?? this.qp.value).trim();
      if (text) this.runText(text);
      return;
    }
    switch (a.kind) {
      case 'run':
        if (a.blocked) {
          this.deps.services.log.info(`run query: not sent: ${a.blocked}`);
          return;
        }
        this.runText(a.text);
        return;
      case 'complete':
        await this.setValue(a.text);
        return;
      case 'history':
        this.done?.(a.entry.query);
        return;
      case 'saved':
        this.done?.(a.query);
        return;
    }
  }

  private runText(text: string): void {
    const q = parseQueryUrl(text, this.cmuBase());
    if (validateQuery(q).errors.length) return;
    this.done?.(q);
  }
}
