/**
 * Entry of dist/chart.js: uPlot, which the report webview loads only when a report has a chart
 * (chart.ts loadUplot): a report without time columns, and the first paint of any report, never parse it.
 */
import uPlot from 'uplot';

(window as unknown as { __cmuUplot?: typeof uPlot }).__cmuUplot = uPlot;
