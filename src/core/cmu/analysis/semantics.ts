/**
 * What the analysis needs to know about a metric, as an injected lookup (the catalog's metricSemantics
 * in the product; tests pass their own; no import here: the webview bundle reads this file). An unknown
 * metric is not additive: a sum that might be meaningless is not shown.
 */
import type { MetricSemantics as CatalogSemantics } from '../catalog';

/** The catalog's semantics; `why` optional (a test's lookup need not explain). */
export type MetricSemantics = Pick<CatalogSemantics, 'additiveOverTime' | 'additiveOverDimensions'> & { why?: string };

export type SemanticsLookup = (metric: string) => MetricSemantics;

export const NOT_ADDITIVE: SemanticsLookup = () => ({
  additiveOverTime: false,
  additiveOverDimensions: false,
  why: 'not a metric the catalog knows: treated as not additive',
});
