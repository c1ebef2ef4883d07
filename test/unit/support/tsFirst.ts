/**
 * Test-only: Node's require tries `.json` before the `.ts` that esbuild-register adds, so
 * `import ... from './catalog'` would load src/core/cmu/catalog.json instead of catalog.ts under mocha
 * (esbuild's bundler resolves `.ts` first, so the bundles are fine). Import this first in a test file.
 */
import Module from 'node:module';
import * as fs from 'node:fs';

const m = Module as unknown as { _extensions: Record<string, unknown>; _pathCache: Record<string, string> };
const exts = m._extensions;
if (exts['.ts'] && exts['.json']) {
  const json = exts['.json'];
  delete exts['.json'];
  exts['.json'] = json; // now after .ts
}
// forget any extensionless request that already resolved to a .json with a .ts sibling
for (const [k, v] of Object.entries(m._pathCache)) {
  if (v.endsWith('.json') && fs.existsSync(v.slice(0, -5) + '.ts')) delete m._pathCache[k];
}
