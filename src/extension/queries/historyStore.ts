/**
 * The run history in VS Code: core/cmu/history.ts's list kept in the extension's globalState (this
 * machine, every workspace; not synced), fed by every report run (Services.onDidRunReport), plus the
 * filter values seen in this session's reports (the builder offers them).
 */
import * as vscode from 'vscode';
import { addRun, parseHistory, SeenValues, type HistoryEntry, type Redact, type RunRecord } from '../../core/cmu/history';
import { InputError } from '../../core/errors';

export const HISTORY_STATE_KEY = 'cmu.history';

export class HistoryStore implements vscode.Disposable {
  private entries: HistoryEntry[];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  /** this session's filter values, per dimension */
  readonly seen: SeenValues;
  /** the write in progress (globalState writes are ordered through it) */
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: vscode.Memento,
    private readonly redact: Redact,
  ) {
    this.entries = parseHistory(state.get<unknown>(HISTORY_STATE_KEY));
    this.seen = new SeenValues(redact);
  }

  /** newest first */
  list(): readonly HistoryEntry[] {
    return this.entries;
  }

  find(id: string): HistoryEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  mustFind(id: string): HistoryEntry {
    const e = this.find(id);
    if (!e) throw new InputError(`No history entry ${id}`, 'It may have been cleared or pushed out (the history keeps the last 100 runs).', 'none', 'not_found');
    return e;
  }

  /** Adds a run (redacted) and saves; the list is up to date at once, the promise is the write. */
  record(run: RunRecord): Promise<HistoryEntry> {
    this.entries = addRun(this.entries, run, this.redact);
    const entry = this.entries[0];
    this.seen.addQuery(run.query);
    this.emitter.fire();
    return this.save().then(() => entry);
  }

  clear(): Promise<void> {
    this.entries = [];
    this.emitter.fire();
    return this.save();
  }

  /** resolves when what the list holds now is in globalState */
  flushed(): Promise<void> {
    return this.saving;
  }

  private save(): Promise<void> {
    this.saving = this.saving.then(
      () => Promise.resolve(this.state.update(HISTORY_STATE_KEY, this.entries)),
      () => Promise.resolve(this.state.update(HISTORY_STATE_KEY, this.entries)),
    );
    return this.saving;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
