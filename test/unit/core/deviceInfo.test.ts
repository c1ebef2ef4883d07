import * as assert from 'node:assert/strict';
import { buildDeviceInfo, checkDeviceInfo, decodeDeviceInfo, deviceInfoObject, osFields } from '../../../src/core/deviceInfo';
import { InputError } from '../../../src/core/errors';
import { deviceInfoOk } from '../../../src/sandbox/dcr';

describe('X-Device-Info', () => {
  it('maps the platform to Adobe’s allowed OS values', () => {
    assert.deepEqual(osFields('darwin'), { osName: 'Mac OS', osFamily: 'macOS', osVendor: 'Apple' });
    assert.deepEqual(osFields('win32'), { osName: 'Windows', osFamily: 'Windows', osVendor: 'Microsoft' });
    assert.deepEqual(osFields('linux'), { osName: 'Linux', osFamily: 'Linux' });
  });

  it('is padded standard Base64 of the JSON, with the required keys', () => {
    const value = buildDeviceInfo({}, 'darwin', '23.5.0');
    assert.match(value, /^[A-Za-z0-9+/]+={0,2}$/);
    assert.equal(value.length % 4, 0);
    const info = decodeDeviceInfo(value);
    assert.deepEqual(
      { ...info, version: 'v' },
      {
        primaryHardwareType: 'Desktop',
        model: 'CMU Explorer',
        version: 'v',
        osName: 'Mac OS',
        osFamily: 'macOS',
        osVendor: 'Apple',
        osVersion: '23.5.0',
        connectionType: 'LAN',
        applicationId: 'cmu-explorer',
      },
    );
    assert.ok(deviceInfoOk(value), 'the strict sandbox accepts it');
  });

  it('can be overridden (e.g. the extension reports VS Code)', () => {
    const info = deviceInfoObject({ model: 'Visual Studio Code', version: '1.95.3', applicationId: undefined });
    assert.equal(info.model, 'Visual Studio Code');
    assert.equal(info.version, '1.95.3');
    assert.equal(info.applicationId, 'cmu-explorer', 'undefined overrides keep the default');
    // the reference's worked example decodes to the same shape
    const example =
      'eyJwcmltYXJ5SGFyZHdhcmVUeXBlIjoiRGVza3RvcCIsIm1vZGVsIjoiVmlzdWFsIFN0dWRpbyBDb2RlIiwidmVyc2lvbiI6IjEuOTUuMyIsIm9zTmFtZSI6Ik1hYyBPUyIsIm9zRmFtaWx5IjoibWFjT1MiLCJvc1ZlbmRvciI6IkFwcGxlIiwib3NWZXJzaW9uIjoiMTQuNSIsImNvbm5lY3Rpb25UeXBlIjoiTEFOIiwiYXBwbGljYXRpb25JZCI6ImNtdS12c2NvZGUtZXh0In0=';
    assert.equal(
      buildDeviceInfo({ model: 'Visual Studio Code', version: '1.95.3', applicationId: 'cmu-vscode-ext' }, 'darwin', '14.5'),
      example,
    );
  });

  it('checks a user override: padded standard Base64 of an object with the required keys', () => {
    const good = buildDeviceInfo({ model: 'CI runner' });
    assert.equal(checkDeviceInfo(` ${good}\n`), good);
    const bad = (value: string, message: RegExp) => assert.throws(() => checkDeviceInfo(value), (e: unknown) => e instanceof InputError && e.code === 'bad_device_info' && message.test(e.message));
    bad(good.replace(/=+$/, ''), /not Base64/); // unpadded
    bad(Buffer.from('{"model":"a?"}').toString('base64url'), /not Base64/);
    bad(Buffer.from('[1]').toString('base64'), /not Base64 of a JSON object/);
    bad(Buffer.from('not json').toString('base64'), /not Base64/);
    bad(Buffer.from(JSON.stringify({ model: 'm', version: 'v', osName: 'Linux' })).toString('base64'), /lacks osVersion, connectionType/);
  });
});
