/**
 * The 95% confidence-interval columns of a metric measured on examples (accuracy, perplexity):
 * `<metric>_ci_low` and `<metric>_ci_high` in points.csv, run.json `metrics`, the journal, the
 * dense reference, `simulate --json` and serve's `tell`. Every writer and reader builds or parses
 * the names here.
 */

export type CiSide = 'low' | 'high';

/** The column of one end of a metric's CI: `ciColumn('accuracy', 'low')` = `accuracy_ci_low`. */
export const ciColumn = (metric: string, side: CiSide): string => `${metric}_ci_${side}`;

/** Both CI columns of a metric, low first. */
export const ciColumns = (metric: string): [low: string, high: string] => [ciColumn(metric, 'low'), ciColumn(metric, 'high')];

const CI_SUFFIX = /_ci_(low|high)$/;

/** Whether a column is one end of a metric's CI. */
export const isCiColumn = (name: string): boolean => CI_SUFFIX.test(name);

/** The metric a CI column belongs to (`accuracy_ci_low` → `accuracy`); any other name as it is. */
export const ciMetricOf = (name: string): string => name.replace(CI_SUFFIX, '');
