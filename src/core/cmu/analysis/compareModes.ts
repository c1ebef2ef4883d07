/** The earlier windows a report can be compared with (no imports: the webview bundle reads it too). */
export const COMPARE_MODES = ['previous', 'week', 'month'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];
