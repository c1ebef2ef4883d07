import * as assert from 'assert';
import type * as vscode from 'vscode';
import { MemoryStore, secretKey } from '../../../../src/core/store';
import { parseSecretKey, SecretIndex } from '../../../../src/extension/host/secretIndex';

/** globalState as VS Code implements it: the value changes synchronously, the write is async */
function memento(): vscode.Memento & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    keys: () => [...data.keys()],
    get: <T>(k: string, d?: T) => (data.has(k) ? (data.get(k) as T) : d),
    update: (k: string, v: unknown) => {
      data.set(k, v);
      return new Promise<void>((r) => setTimeout(r, 1));
    },
  } as vscode.Memento & { data: Map<string, unknown> };
}

describe('secret index (which environment/profile pairs have stored items)', () => {
  it('parses the store keys, profiles with slashes included; ignores other keys', () => {
    assert.deepStrictEqual(parseSecretKey(secretKey('sandbox', 'team/a', 'token')), { environment: 'sandbox', profile: 'team/a', item: 'token' });
    assert.strictEqual(parseSecretKey('cmu/sandbox/default/other'), undefined);
    assert.strictEqual(parseSecretKey('something-else'), undefined);
  });

  it('follows stores and deletes, names only; concurrent notes are not lost', async () => {
    const m = memento();
    const index = new SecretIndex(m);
    await Promise.all([
      index.note(secretKey('sandbox', 'default', 'token'), true),
      index.note(secretKey('sandbox', 'default', 'statement'), true),
      index.note(secretKey('production', 'p2', 'credentials'), true),
    ]);
    assert.deepStrictEqual(index.entries(), [
      { environment: 'sandbox', profile: 'default', items: ['statement', 'token'] },
      { environment: 'production', profile: 'p2', items: ['credentials'] },
    ]);
    await index.note(secretKey('production', 'p2', 'credentials'), false);
    await index.note(secretKey('sandbox', 'default', 'token'), false);
    assert.deepStrictEqual(index.entries(), [{ environment: 'sandbox', profile: 'default', items: ['statement'] }]);
    assert.deepStrictEqual([...m.data.keys()], ['cmu.storedSecrets']);
  });

  it('refresh reads what is really stored (an index from before an upgrade, a stale entry); garbage in globalState is dropped', async () => {
    const m = memento();
    m.data.set('cmu.storedSecrets', [{ environment: 'staging', profile: 'x', items: ['token'] }, 'junk', { environment: 1 }]);
    const index = new SecretIndex(m);
    assert.deepStrictEqual(index.entries(), [{ environment: 'staging', profile: 'x', items: ['token'] }]);
    const store = new MemoryStore();
    await store.set(secretKey('production', 'default', 'statement'), 'eyJ-secret');
    assert.deepStrictEqual(await index.refresh(store, 'production', 'default'), ['statement']);
    assert.deepStrictEqual(await index.refresh(store, 'staging', 'x'), []);
    assert.deepStrictEqual(index.entries(), [{ environment: 'production', profile: 'default', items: ['statement'] }]);
    assert.ok(!JSON.stringify([...m.data.values()]).includes('eyJ-secret'));
  });
});
