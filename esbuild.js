// Builds every bundle of the project. `--watch` rebuilds on change; `--production` minifies, drops
// source maps and empties dist/ first, so no map (or other leftover) of an earlier build reaches the .vsix.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = path.join(__dirname, 'dist');

// The CLI runs as `cmu` (package.json "bin"): executable after every (re)build, watch mode included.
const executableCli = {
  name: 'executable-cli',
  setup(build) {
    build.onEnd((result) => {
      const out = build.initialOptions.outfile;
      if (result.errors.length === 0 && out && fs.existsSync(out)) fs.chmodSync(out, 0o755);
    });
  },
};

// In watch mode esbuild keeps running after an error; say when a rebuild is good again.
const reportRebuilds = {
  name: 'report-rebuilds',
  setup(build) {
    build.onEnd((result) => {
      if (watch) console.log(`${new Date().toISOString().slice(11, 19)} ${build.initialOptions.outfile}: ${result.errors.length ? `${result.errors.length} error(s)` : 'built'}`);
    });
  },
};

// `import * as vscode from 'vscode'` in each of ~30 modules would copy the API's ~190 names into a namespace object
// of its own (esbuild's __toESM) at load: one ES module re-exporting the external makes it one copy for all.
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

// Our bundled data (src/core/cmu/*.json) as its JSON text, parsed when first required (src/core/cmu/catalogData.ts):
// esbuild's JSON loader makes an object literal, which V8 compiles and runs wherever it sits, slower than
// JSON.parse of the same text. Non-ASCII characters stay JSON escapes (\u2026), so the text is a one-byte
// string (a two-byte one parses about half as fast). Same value as Node's require of the file (the unit tests).
const jsonAsText = {
  name: 'json-as-text',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.json$/ }, async (args) => {
      const text = JSON.stringify(JSON.parse(await fs.promises.readFile(args.path, 'utf8'))).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return { contents: `module.exports = JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [reportRebuilds, jsonAsText],
};

// 'module' first: some dependencies (jsonc-parser) ship a UMD 'main' whose dynamic require('./impl/…')
// esbuild cannot follow, and the bundle then fails at load time ("Cannot find module './impl/format'").
// whatwg-url: node-fetch's fallback for runtimes without a global URL, dead weight on Node (see the shim).
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], alias: { 'whatwg-url': './src/core/shims/whatwg-url.ts' } };

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  // what VS Code loads: compiles the extension below with a V8 code cache (src/extension/loader.ts)
  { ...node, entryPoints: ['src/extension/loader.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extensionMain.js', plugins: [...common.plugins, vscodeOnce] },
  // the report worker: CSV bytes to wire columns off the extension host thread (src/extension/report/reportWorker.ts)
  { ...node, entryPoints: ['src/extension/report/reportWorker.ts'], outfile: 'dist/reportWorker.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [...common.plugins, executableCli] },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
  // uPlot on its own: the webview loads it only when a report has a chart (src/webview/chart.ts)
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['src/webview/uplot.ts'], outfile: 'dist/chart.js' },
];

// Entry points that do not exist yet are skipped so the build works while the tree grows.
const present = builds.filter((b) => b.entryPoints.every((e) => fs.existsSync(path.join(__dirname, e))));

async function main() {
  if (production) fs.rmSync(dist, { recursive: true, force: true });
  if (watch) {
    for (const b of present) {
      const ctx = await esbuild.context(b);
      await ctx.watch();
    }
    console.log(`watching ${present.length} bundles (Ctrl+C to stop)`);
    return;
  }
  await Promise.all(present.map((b) => esbuild.build(b)));
}

// `node esbuild.js` builds; required, it only hands out the bundles' options (test/unit/extension/activation.test.ts)
if (require.main === module) {
  main().catch((e) => {
    console.error(e.message || e);
    process.exit(1);
  });
}
module.exports = { builds };
