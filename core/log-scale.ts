/**
 * How far positive values spread, and the log-scale rule it decides (more than a decade): one rule
 * for the report's axes (reports/axes.ts) and the variance shares of run.json (core/sensitivity.ts),
 * so a metric analysed as log10 is also drawn on a log axis.
 */

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** max/min of the finite values when every one is > 0 (0 when any is ≤ 0 or none is finite). */
export function positiveRange(values: number[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!finite(v)) continue;
    if (v <= 0) return 0;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? hi / lo : 0;
}

/** Log scale when every value is > 0 and they span more than a decade. */
export function spansDecade(values: number[]): boolean {
  return positiveRange(values) > 10;
}
