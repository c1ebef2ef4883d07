/**
 * Stands in for the `whatwg-url` package in the bundles. node-fetch v2 imports it at load time only as a
 * fallback for runtimes without a global URL; Node has one, and the real package (its tr46 tables) costs
 * every `cmu` start-up ~15 ms.
 */
const shim = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
export default shim;
export const { URL, URLSearchParams } = shim;
