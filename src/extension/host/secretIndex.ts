import type * as vscode from 'vscode';
import { secretKey, type SecretStore } from '../../core/store';

/**
 * Which environment/profile pairs have something in SecretStorage — SecretStorage cannot list its
 * keys, and Forget Credentials… offers the pairs that have something to forget. Only names are kept
 * (environment, profile, which items): never a secret value. In globalState, not synced.
 */
export type SecretItem = 'statement' | 'credentials' | 'token';
export const SECRET_ITEMS: readonly SecretItem[] = ['statement', 'credentials', 'token'];

export interface StoredEntry {
  environment: string;
  profile: string;
  items: SecretItem[];
}

const STATE_KEY = 'cmu.storedSecrets';

/** `cmu/<environment>/<profile>/<item>` (the profile may hold slashes), else undefined */
export function parseSecretKey(key: string): { environment: string; profile: string; item: SecretItem } | undefined {
  const m = /^cmu\/([^/]+)\/(.+)\/([^/]+)$/.exec(key);
  if (!m || !(SECRET_ITEMS as readonly string[]).includes(m[3])) return undefined;
  return { environment: m[1], profile: m[2], item: m[3] as SecretItem };
}

export class SecretIndex {
  constructor(private readonly state: vscode.Memento) {}

  /** every pair with at least one item, as stored (malformed entries dropped) */
  entries(): StoredEntry[] {
    const raw = this.state.get<unknown>(STATE_KEY);
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((e): e is StoredEntry => !!e && typeof e.environment === 'string' && typeof e.profile === 'string' && Array.isArray(e.items))
      .map((e) => ({ environment: e.environment, profile: e.profile, items: SECRET_ITEMS.filter((i) => e.items.includes(i)) }))
      .filter((e) => e.items.length > 0);
  }

  /** records that the secret at `key` was stored (true) or deleted (false); other keys are ignored */
  note(key: string, present: boolean): Thenable<void> | undefined {
    const k = parseSecretKey(key);
    if (!k) return undefined;
    const items = new Set(this.entries().find((e) => e.environment === k.environment && e.profile === k.profile)?.items);
    if (present === items.has(k.item)) return undefined;
    if (present) items.add(k.item);
    else items.delete(k.item);
    return this.set(k.environment, k.profile, [...items]);
  }

  /** reads which items are really stored for the pair (an index from before an upgrade, a stale one) and records it */
  async refresh(store: SecretStore, environment: string, profile: string): Promise<SecretItem[]> {
    const items: SecretItem[] = [];
    for (const item of SECRET_ITEMS) if ((await store.get(secretKey(environment, profile, item))) !== undefined) items.push(item);
    await this.set(environment, profile, items);
    return items;
  }

  private set(environment: string, profile: string, items: SecretItem[]): Thenable<void> {
    // read-modify-write without an await in between: globalState's value changes synchronously
    const others = this.entries().filter((e) => !(e.environment === environment && e.profile === profile));
    const sorted = SECRET_ITEMS.filter((i) => items.includes(i));
    return this.state.update(STATE_KEY, sorted.length ? [...others, { environment, profile, items: sorted }] : others);
  }
}
