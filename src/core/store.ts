/**
 * Where secrets live. The extension backs it with VS Code SecretStorage, the CLI with 0600 files;
 * the core only ever sees this interface.
 */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Told when a key changed outside this process's own calls (another window, another session): the
   * session keeps its token in memory and reads the store again only then. Optional: a store that
   * cannot tell (files) is read once per session.
   */
  onDidChange?(listener: (key: string) => void): () => void;
  /**
   * Runs `work` while no other process holds the same lock (the CLI: a lock file), so parallel runs on a
   * fresh store register once. Optional: in one process the session's single flight is enough.
   */
  exclusive?<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** In-memory store: tests and one-shot runs. */
export class MemoryStore implements SecretStore {
  readonly data = new Map<string, string>();
  /** how many times `get` was called, per key (tests: the session reads the store only when it must) */
  readonly reads = new Map<string, number>();
  private readonly listeners = new Set<(key: string) => void>();
  async get(key: string): Promise<string | undefined> {
    this.reads.set(key, (this.reads.get(key) ?? 0) + 1);
    return this.data.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    this.data.set(key, value);
    this.changed(key);
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
    this.changed(key);
  }
  /** Like VS Code SecretStorage: every change is told, whoever made it. */
  onDidChange(listener: (key: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private changed(key: string): void {
    for (const l of [...this.listeners]) l(key);
  }
}

/** Storage keys are scoped by environment and profile so secrets never cross environments. */
export function secretKey(env: string, profile: string, item: 'statement' | 'credentials' | 'token'): string {
  return `cmu/${env}/${profile}/${item}`;
}
