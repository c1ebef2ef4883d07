/** The product's one reader of CMU time values (the core's, re-exported for the webview, which may import only src/shared). */
export { isoToMillis } from '../core/cmu/query/iso';
