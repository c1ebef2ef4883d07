import * as assert from 'node:assert/strict';
import { MAX_DOWNLOAD_NAME, safeDownloadName } from '../../../../src/core/cmu/downloadName';

describe('cmu/downloadName: the Save As name from a server Content-Disposition', () => {
  it('keeps an ordinary name', () => {
    assert.equal(safeDownloadName('report__2024-11-01_2024-11-08_ACME.csv', 'csv'), 'report__2024-11-01_2024-11-08_ACME.csv');
  });
  it('no dotfiles, no tool configuration, no device names, no paths', () => {
    assert.equal(safeDownloadName('.bashrc', 'csv'), 'bashrc.csv');
    assert.equal(safeDownloadName('..', 'csv'), undefined);
    assert.equal(safeDownloadName('package.json', 'json'), 'cmu-report-package.json');
    assert.equal(safeDownloadName('tsconfig.json', 'json'), 'cmu-report-tsconfig.json');
    assert.equal(safeDownloadName('.vscode/settings.json', 'json'), 'cmu-report-settings.json');
    assert.equal(safeDownloadName('CON.csv', 'csv'), 'cmu-report-CON.csv');
    assert.equal(safeDownloadName('../../etc/passwd', 'csv'), 'passwd.csv');
    assert.equal(safeDownloadName('..\\..\\evil.csv', 'csv'), 'evil.csv');
    assert.equal(safeDownloadName('a\uff0f..\uff0fb.csv', 'csv'), 'b.csv', 'fullwidth solidus');
  });
  it('the format decides the extension', () => {
    assert.equal(safeDownloadName('report.csv.exe', 'csv'), 'report.csv.csv');
    assert.equal(safeDownloadName('report.json', 'csv'), 'report.csv');
    assert.equal(safeDownloadName('report', 'xml'), 'report.xml');
  });
  it('no bidi or control characters; short', () => {
    const spoof = safeDownloadName('report\u202Efdp.exe', 'csv')!;
    assert.equal(spoof, 'reportfdp.csv');
    assert.equal(safeDownloadName('a\u0000b\r\n\u001b[31mc\u200b.csv', 'csv'), 'ab[31mc.csv');
    const long = safeDownloadName('x'.repeat(5000) + '.csv', 'csv')!;
    assert.equal(long.length, MAX_DOWNLOAD_NAME);
    assert.match(long, /^x+\.csv$/);
    const emoji = safeDownloadName('😀'.repeat(100), 'json')!;
    assert.equal(emoji, '😀'.repeat(MAX_DOWNLOAD_NAME - 5) + '.json', 'cut between characters, never inside one');
    assert.equal(safeDownloadName('', 'csv'), undefined);
    assert.equal(safeDownloadName(undefined, 'csv'), undefined);
    assert.equal(safeDownloadName('\u202e\u200b', 'csv'), undefined);
  });
});
