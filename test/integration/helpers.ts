// Shared helpers for the integration tests (bundled into each test file).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension/host/testApi';

export const EXTENSION_ID = 'cmu-explorer.cmu-explorer';

/** activates the extension under development and returns its test API (present only under tests) */
export async function testApi(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<{ test?: TestApi }>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  const exports = ext.isActive ? ext.exports : await ext.activate();
  if (!exports?.test) throw new Error('the extension did not expose its test API (CMU_EXPLORER_TEST / extension mode Test)');
  return exports.test;
}

export function cmd<T = unknown>(id: string, ...args: unknown[]): Promise<T> {
  return Promise.resolve(vscode.commands.executeCommand<T>(id, ...args));
}

/** polls until `check` returns a truthy value (or throws the last failure after `ms`) */
export async function eventually<T>(check: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = new Error(`${what}: got ${JSON.stringify(v)}`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw last instanceof Error ? last : new Error(String(last));
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function setUserSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('cmu').update(key, value, vscode.ConfigurationTarget.Global);
}

/** resets every cmu.* user setting this suite may have changed */
export async function resetUserSettings(): Promise<void> {
  for (const k of ['environment', 'profile', 'custom.dcrOrigin', 'custom.cmuBase', 'staging.cmuBase', 'logLevel']) {
    await setUserSetting(k, undefined);
  }
}

/** a scratch file in the extension host's TMPDIR (inside the harness run dir) */
export function tmpFile(name: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'cmu-test-'));
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

/** every readable file under `dir` (size-capped), for "no secret on disk" checks */
export function filesUnder(dir: string, maxBytes = 5_000_000): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          if (fs.statSync(p).size <= maxBytes) out.push({ file: p, text: fs.readFileSync(p, 'latin1') });
        } catch {
          /* vanished or unreadable */
        }
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Answers a palette question the way a user would: waits until the extension logged `asking: <what>`
 * (after log line `since`), lets the quick input render, moves down `down` items and accepts.
 */
export async function answerQuickPick(api: TestApi, what: RegExp, down: number, since: number): Promise<number> {
  const at = await eventually(() => {
    const i = api.logLines().slice(since).findIndex((l) => /asking: /.test(l) && what.test(l));
    return i >= 0 ? since + i + 1 : 0;
  }, 10_000, `the question ${what}`);
  await new Promise((r) => setTimeout(r, 400));
  for (let i = 0; i < down; i++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  return at;
}

/** waits until the status bar text matches (fails with the last text seen) */
export async function statusBarIs(api: TestApi, re: RegExp): Promise<void> {
  let last = '';
  try {
    await eventually(async () => re.test((last = await api.statusBarText())), 10_000, `status bar ${re}`);
  } catch {
    throw new Error(`status bar: expected ${re}, got "${last}"`);
  }
}
