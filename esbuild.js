// Builds every bundle of the project. `--watch` rebuilds on change; `--production` minifies and
// drops source maps (what the .vsix ships).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

// 'module' first: some dependencies (jsonc-parser) ship a UMD 'main' whose dynamic require('./impl/…')
// esbuild cannot follow, and the bundle then fails at load time ("Cannot find module './impl/format'").
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'] };

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
];

// Entry points that do not exist yet are skipped so the build works while the tree grows.
const present = builds.filter((b) => b.entryPoints.every((e) => fs.existsSync(path.join(__dirname, e))));

async function main() {
  if (watch) {
    for (const b of present) {
      const ctx = await esbuild.context(b);
      await ctx.watch();
    }
    console.log(`watching ${present.length} bundles`);
    return;
  }
  await Promise.all(present.map((b) => esbuild.build(b)));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
