/**
 * How many examples a row's accuracy (or perplexity) was measured on: with accuracy rungs a
 * configuration not promoted keeps a subset rung's estimate, fidelity "…:subset(n=64)" in
 * points.csv; and which rows a number about accuracy is computed from (those on the most examples).
 */
import type { PointRow } from './results.ts';

/** Accuracy or perplexity: the metrics measured on examples, whose rows can be a subset rung's. */
export function isQuality(metric: string): boolean {
  return metric === 'accuracy' || metric === 'perplexity';
}

/** Examples behind a subset row (`…:subset(n=64)`), or undefined for a full evaluation. */
export const subsetOf = (p: Pick<PointRow, 'fidelity'>): number | undefined => {
  const m = /:subset\(n=(\d+)\)/.exec(p.fidelity ?? '');
  return m ? Number(m[1]) : undefined;
};

/** Examples behind a row's accuracy: n of a subset rung (`…:subset(n=64)`), Infinity for the full evaluation. */
export const examplesOf = (p: Pick<PointRow, 'fidelity'>): number => subsetOf(p) ?? Infinity;

/**
 * Which rows a mean or a variance share of accuracy (or perplexity) is computed from, given how
 * many rows were measured on how many examples (`counts`: examples → rows; Infinity is the full
 * evaluation): those on the most examples (`n`); the others are left out (`left`).
 * `atMostExamples` applies it to rows in hand (reports/rung-notes.ts bestMeasured for the report's
 * tables and charts, dse/steps/highlight.ts for the highlighted points); the run's sensitivity in
 * run.json (core/sensitivity.ts SensitivityAccumulator) to rows it counts without keeping, when
 * the rows lack the first-rung estimates it otherwise uses.
 */
export function mostExamples(counts: Map<number, number>): { n: number; left: number } {
  const n = Math.max(...counts.keys());
  let left = 0;
  for (const [k, c] of counts) if (k !== n) left += c;
  return { n, left };
}

/** The rows measured on the most examples (`mostExamples`), how many others there are, and the examples of the kept ones. */
export function atMostExamples<T extends Pick<PointRow, 'fidelity'>>(rows: T[]): { kept: T[]; left: number; n: number } {
  const counts = new Map<number, number>();
  for (const p of rows) counts.set(examplesOf(p), (counts.get(examplesOf(p)) ?? 0) + 1);
  const { n, left } = mostExamples(counts);
  return { kept: rows.filter((p) => examplesOf(p) === n), left, n };
}
