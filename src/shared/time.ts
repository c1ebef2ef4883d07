/** The product's one time-value reader and one way to show an instant (the core's, re-exported for the webview, which may import only src/shared). */
export { isoToMillis } from '../core/cmu/query/iso';
export { formatUtc as formatUtcMs } from '../core/clock';
