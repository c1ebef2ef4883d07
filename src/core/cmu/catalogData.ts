/**
 * The catalog's bundled data (catalog-data.json, real-paths.json), parsed on first use. A bundle that loads
 * (the extension at activation, the CLI, the report worker) evaluates none of it: esbuild.js bundles each
 * file as its JSON text (`module.exports = JSON.parse('…')`, the `jsonAsText` plugin) behind this
 * `require()`, which runs when a catalog question is first asked. As object literals evaluated at load the
 * same data cost ~3.5 ms of every load of the extension, and a first use of the literals (in a function)
 * ~9 ms where the JSON text takes ~5 ms (fresh processes, medians). Node's own require of a .json file (the
 * unit tests) parses it the same way.
 */
type CatalogJson = typeof import('./catalog-data.json');
type HarvestJson = typeof import('./real-paths.json');

let catalog: CatalogJson | undefined;
let harvest: HarvestJson | undefined;

/** catalog-data.json: metrics, dimensions, the drill-down tree, presets, semantics, scopes */
export function catalogData(): CatalogJson {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use (see above)
  return (catalog ??= require('./catalog-data.json') as CatalogJson);
}

/** real-paths.json: the real backend's report paths with their columns */
export function realPathsData(): HarvestJson {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use (see above)
  return (harvest ??= require('./real-paths.json') as HarvestJson);
}
