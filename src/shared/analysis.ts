/**
 * The pure report analysis the webview runs on the rows it holds (the core's, re-exported: one
 * implementation for the CLI, the extension and the webview): totals that add up, derived ratios,
 * the data-quality lens. No I/O, no catalog: what a metric means arrives in the ColumnViews.
 */
export { TIME_ORDER, isTimeColumn, type ReportColumns } from '../core/cmu/analysis/columns';
export { dataQuality, type DimensionQuality } from '../core/cmu/analysis/quality';
export { RATIOS, ratioOver, type RatioDefinition } from '../core/cmu/analysis/ratios';
export type { SemanticsLookup } from '../core/cmu/analysis/semantics';
export { metricTotals } from '../core/cmu/analysis/totals';
