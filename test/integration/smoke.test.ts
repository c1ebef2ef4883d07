import * as assert from 'assert';
import * as vscode from 'vscode';

suite('harness smoke', () => {
  test('the extension under development is present and activates', async () => {
    const ext = vscode.extensions.getExtension('cmu-explorer.cmu-explorer');
    assert.ok(ext, 'extension cmu-explorer.cmu-explorer not found');
    await ext.activate();
    assert.ok(ext.isActive);
  });
});
