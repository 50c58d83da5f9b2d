/**
 * The columns derived from a metric's name, built and parsed here by every writer and reader:
 * - the 95% confidence-interval columns of a metric measured on examples (accuracy, perplexity):
 *   `<metric>_ci_low` and `<metric>_ci_high` in points.csv, run.json `metrics`, the journal, the
 *   dense reference, `simulate --json` and serve's `tell`;
 * - the re-scoring model's column of a hardware metric (`fidelity: both`): `cycle_latency_s`.
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

/** The column a re-score with `model` writes for `metric`: `rescoreColumn('cycle', 'latency_s')` = `cycle_latency_s`. */
export const rescoreColumn = (model: string, metric: string): string => `${model}_${metric}`;
