/**
 * What activation loads: the modules dist/extensionMain.js evaluates when the loader (dist/extension.js) runs
 * it are those its entry reaches through static imports; feature code is behind `import()` and loads on first
 * use (ARCHITECTURE.md, "What runs at activation"). Read from esbuild's metafile of the extension bundle, with
 * esbuild.js's options.
 */
import * as assert from 'assert';
import * as esbuild from 'esbuild';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Loaded on first use only: each must be in the bundle, none reachable from the entry by static imports. */
const LAZY = [
  // the session chain and the HTTP stack: the first session (the status bar's first read, after activation) or request
  'src/core/session.ts',
  'src/core/dcr.ts',
  'src/core/statement.ts',
  'src/core/token.ts',
  'src/core/http/client.ts',
  'src/core/http/body.ts',
  'src/core/httpFiles.ts',
  'jose',
  'node-fetch',
  // the saved-queries file parser and model: the first read of a queries file
  'src/core/cmu/savedQueries/parse.ts',
  'src/core/cmu/savedQueries/model.ts',
  'src/core/cmu/savedQueries/serialize.ts',
  'jsonc-parser',
  // the catalog's data: its first question (src/core/cmu/catalogData.ts)
  'src/core/cmu/catalog-data.json',
  'src/core/cmu/real-paths.json',
  'src/sandbox/server.ts',
  'src/core/cmu/client.ts',
  'src/core/cmu/parse/index.ts',
  'src/core/cmu/discovery.ts',
  'src/core/diagnose.ts',
  'src/extension/report/reportPanel.ts',
  'src/extension/report/reportView.ts',
  'src/extension/report/commands.ts',
  // a report's CSV parse: on the host for a small body, else in the worker (the first report)
  'src/extension/report/csvJob.ts',
  'src/core/cmu/parse/csvColumns.ts',
  'src/shared/protocol.ts',
  'src/extension/queries/builderFlow.ts',
  'src/extension/queries/runQueryPicker.ts',
  'src/extension/host/testApi.ts',
  'csv-parse',
  'fast-xml-parser',
];

describe('activation: what loads with the extension', function () {
  this.timeout(60_000);
  let inputs: esbuild.Metafile['inputs'];
  let entry: string;
  let bundle: string;
  let options: esbuild.BuildOptions;
  let loader: esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] };

  before(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { builds } = require(path.join(ROOT, 'esbuild.js')) as { builds: esbuild.BuildOptions[] };
    const found = builds.find((b) => b.outfile === 'dist/extensionMain.js');
    assert.ok(found, 'esbuild.js builds dist/extensionMain.js');
    options = found;
    const r = await esbuild.build({ ...options, absWorkingDir: ROOT, write: false, metafile: true, logLevel: 'silent' });
    inputs = r.metafile.inputs;
    bundle = r.outputFiles.find((o) => o.path.endsWith('extensionMain.js'))!.text;
    const l = builds.find((b) => b.outfile === 'dist/extension.js');
    assert.ok(l, 'esbuild.js builds the loader, dist/extension.js');
    loader = await esbuild.build({ ...l, absWorkingDir: ROOT, write: false, metafile: true, logLevel: 'silent' });
    entry = Object.keys(inputs).find((f) => f.endsWith('src/extension/extension.ts'))!;
  });

  /**
   * The modules evaluated when the bundle loads: the entry and what it imports statically, transitively. Our
   * sources call require() only inside a function, for a synchronous load on first use (the catalog data);
   * a package's require() is at its top level.
   */
  function loadedAtActivation(): Set<string> {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f) || !inputs[f]) return;
      seen.add(f);
      for (const i of inputs[f].imports) {
        const lazy = i.kind === 'dynamic-import' || (i.kind === 'require-call' && f.startsWith('src/'));
        if (!lazy && !i.external) visit(i.path);
      }
    };
    visit(entry);
    return seen;
  }

  const matches = (file: string, lazy: string) => (lazy.startsWith('src/') ? file.endsWith(lazy) : file.includes(`node_modules/${lazy}/`));

  it('feature code (sandbox, CMU client and parsers, report panel, builder, pickers, diagnosis, test API), the session chain, the HTTP stack, the queries file parser and the catalog data are bundled but not loaded at activation', () => {
    const loaded = [...loadedAtActivation()];
    for (const lazy of LAZY) {
      assert.ok(Object.keys(inputs).some((f) => matches(f, lazy)), `${lazy} is in the bundle`);
      assert.deepStrictEqual(loaded.filter((f) => matches(f, lazy)), [], `${lazy} is loaded at activation`);
    }
  });

  it('the loader VS Code loads (dist/extension.js) is the code cache and Node builtins only: not vscode, nothing of the extension', () => {
    assert.deepStrictEqual(Object.keys(loader.metafile.inputs).sort(), ['src/extension/codeCache.ts', 'src/extension/loader.ts']);
    const required = [...new Set([...loader.outputFiles.find((o) => o.path.endsWith('.js'))!.text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    assert.deepStrictEqual(required, ['crypto', 'fs', 'module', 'path', 'vm']);
  });

  it('the vscode API is required once: one namespace object, not a copy of its ~190 names per importing module', () => {
    assert.strictEqual(bundle.match(/require\("vscode"\)/g)?.length, 1);
  });

  it('the catalog data is bundled as JSON text, not an object literal, and parses to the files\' value', async () => {
    const files = ['src/core/cmu/catalog-data.json', 'src/core/cmu/real-paths.json'];
    const r = await esbuild.build({
      ...options,
      entryPoints: undefined,
      outfile: undefined,
      stdin: { contents: `module.exports = [${files.map((f) => `require('./${f}')`).join(', ')}];`, resolveDir: ROOT },
      absWorkingDir: ROOT,
      write: false,
      minify: true,
      sourcemap: false,
      logLevel: 'silent',
    });
    const text = r.outputFiles[0].text;
    assert.strictEqual(text.match(/JSON\.parse\(/g)?.length, files.length, 'one JSON.parse per file');
    assert.ok(/^[\x00-\x7f]*$/.test(text), 'ASCII: the JSON text is a one-byte string');
    const mod = { exports: undefined as unknown };
    new Function('module', 'exports', 'require', text)(mod, {}, require);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.deepStrictEqual(mod.exports, files.map((f) => require(path.join(ROOT, f))));
  });

  it('registration stays at activation: every feature registers its commands, views, status bar and serializer', () => {
    const loaded = loadedAtActivation();
    for (const f of ['src/extension/connection/register.ts', 'src/extension/queries/commands.ts', 'src/extension/queries/historyCommands.ts', 'src/extension/report/register.ts', 'src/extension/connection/statusBar.ts']) {
      assert.ok([...loaded].some((x) => x.endsWith(f)), f);
    }
  });
});
