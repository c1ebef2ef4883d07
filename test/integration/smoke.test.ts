import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { eventually, testApi } from './helpers';

suite('harness smoke', () => {
  test('the extension under development is present and activates', async () => {
    const ext = vscode.extensions.getExtension('cmu-explorer.cmu-explorer');
    assert.ok(ext, 'extension cmu-explorer.cmu-explorer not found');
    await ext.activate();
    assert.ok(ext.isActive);
  });

  test('the loader (dist/extension.js) writes the code cache of dist/extensionMain.js into a private directory of the global storage', async function () {
    if (process.platform === 'win32') this.skip(); // no cache where owners and modes cannot be checked
    this.timeout(30_000);
    const dir = path.join((await testApi()).services.context.globalStorageUri.fsPath, 'code-cache');
    // written 5 s after the first activation of this session (its user data is new)
    const caches = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cache')) : []);
    const name = await eventually(() => (caches().length === 1 ? caches()[0] : ''), 20_000, 'code cache');
    assert.strictEqual(fs.lstatSync(dir).mode & 0o777, 0o700);
    const file = path.join(dir, name);
    assert.match(path.basename(file), new RegExp(`^extensionMain-[0-9a-f]{20}-v8-${process.versions.v8.replace(/\./g, '\\.')}\\.cache$`));
    const st = fs.lstatSync(file);
    assert.ok(st.isFile() && (st.mode & 0o777) === 0o600 && st.uid === process.getuid?.() && st.size > 10_000, JSON.stringify(st));
  });
});
