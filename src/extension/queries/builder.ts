/**
 * The query builder's VS Code side: a multi-step QuickPick / InputBox (with a Back button) driving the
 * steps in builderFlow.ts.
 */
import * as vscode from 'vscode';
import { DEFAULT_ZONE_ID, parseZone, type ReportZone } from '../../core/cmu/time/zone';
import { readSettings } from '../host/config';
import {
  BACK,
  CATALOG_TREE,
  TOTAL_STEPS,
  runQueryBuilderFlow,
  type Back,
  type BuilderResult,
  type BuilderTree,
  type BuilderUi,
  type InputOptions,
  type Item,
  type PickOptions,
} from './builderFlow';
import type { Services } from '../host/services';
import { nextSegments } from './nextSegments';
import type { CmuQuery } from '../../core/cmu/types';

export type { BuilderResult } from './builderFlow';

type QpItem<T> = Item<T> & vscode.QuickPickItem;

function pick<T>(opts: PickOptions<T>): Promise<T[] | Back | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<QpItem<T>>();
    qp.title = opts.title;
    qp.step = opts.step;
    qp.totalSteps = TOTAL_STEPS;
    qp.placeholder = opts.placeholder;
    qp.items = opts.items;
    qp.canSelectMany = !!opts.many;
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.ignoreFocusOut = true;
    if (opts.back !== false) qp.buttons = [vscode.QuickInputButtons.Back];
    if (opts.many && opts.selected) qp.selectedItems = opts.items.filter((i) => opts.selected!(i.value));
    const act = opts.active && opts.items.find((i) => opts.active!(i.value));
    if (act) qp.activeItems = [act];
    let done = false;
    const finish = (v: T[] | Back | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    qp.onDidAccept(() => finish(opts.many ? qp.selectedItems.map((i) => i.value) : qp.activeItems.slice(0, 1).map((i) => i.value)));
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

function input(opts: InputOptions): Promise<string | Back | undefined> {
  return new Promise((resolve) => {
    const ib = vscode.window.createInputBox();
    ib.title = opts.title;
    ib.step = opts.step;
    ib.totalSteps = TOTAL_STEPS;
    ib.prompt = opts.prompt;
    ib.value = opts.value ?? '';
    ib.placeholder = opts.placeholder;
    ib.ignoreFocusOut = true;
    ib.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (v: string | Back | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      ib.dispose();
    };
    ib.onDidChangeValue((v) => (ib.validationMessage = opts.validate?.(v)));
    ib.onDidTriggerButton(() => finish(BACK));
    ib.onDidAccept(() => {
      const msg = opts.validate?.(ib.value);
      if (msg) ib.validationMessage = msg;
      else finish(ib.value);
    });
    ib.onDidHide(() => finish(undefined));
    ib.show();
  });
}

export const vscodeBuilderUi: BuilderUi = {
  pick,
  input,
  async confirm(message, detail, buttons) {
    return vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);
  },
  info(message) {
    void vscode.window.showInformationMessage(message);
  },
};

/**
 * The builder's steps and metrics from the current server (its drill-down links and the columns it returned
 * for the node, cached per environment by Services.discover), from the catalog offline. A node the server
 * refuses (404, 403) is offered from the catalog too: the builder never stops on it, the query run will say.
 */
export function liveBuilderTree(services: Pick<Services, 'discover'>): BuilderTree {
  return {
    async node(path) {
      try {
        const steps = await nextSegments(services, path);
        const node = await services.discover(path);
        return { steps: steps.map((s) => s.name), metrics: node.metrics, source: node.source };
      } catch {
        return CATALOG_TREE.node(path);
      }
    },
  };
}

/** Runs the builder; undefined when cancelled. `initial` pre-fills every step (Edit); `tree`: where its steps come from; `seenValues` feeds the filter step. */
export function runQueryBuilder(
  initial?: { query?: CmuQuery; name?: string; title?: string },
  opts: { tree?: BuilderTree; seenValues?: (dimension: string) => string[] } = {},
): Promise<BuilderResult | undefined> {
  let zone: ReportZone;
  try {
    zone = parseZone(readSettings().reportTimeZone);
  } catch {
    zone = parseZone(DEFAULT_ZONE_ID); // a wrong setting is reported when the query runs
  }
  return runQueryBuilderFlow(vscodeBuilderUi, initial, new Date(), zone, opts);
}
