/**
 * Where secrets live. The extension backs it with VS Code SecretStorage, the CLI with 0600 files;
 * the core only ever sees this interface.
 */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** In-memory store: tests and one-shot runs. */
export class MemoryStore implements SecretStore {
  readonly data = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    this.data.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}

/** Storage keys are scoped by environment and profile so secrets never cross environments. */
export function secretKey(env: string, profile: string, item: 'statement' | 'credentials' | 'token'): string {
  return `cmu/${env}/${profile}/${item}`;
}
