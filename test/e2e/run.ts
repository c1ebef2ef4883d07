/** `npm run test:e2e`: the webview checks in Chromium, then (when its harness is ready) the workbench check. */
import * as fs from 'fs';
import * as path from 'path';
import { run } from './runner';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.e2e.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort((a, b) => (a.startsWith('webview') ? -1 : b.startsWith('webview') ? 1 : a.localeCompare(b)));
  for (const f of files) {
    console.log(`# ${f}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(__dirname, f));
  }
  process.exit(await run());
}

void main();
