/**
 * Which model a metric column holds in a run that re-scores its front candidates with a second
 * model (`fidelity: both`): `latency_s`, `energy_j`, … are the analytical model's on every row (the
 * front is decided on them), and the re-scored rows add the cycle model's as `cycle_latency_s`, ….
 * The charts and the front table say so.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { SPACE_FIDELITIES, type SpaceFidelity } from '../sim/fidelities.ts';
import { metricTitle } from '../core/format.ts';
import { rescoreColumn } from '../core/metric-columns.ts';

/** The run's plan when it re-scores with a second model: its primary and re-scoring models. */
export function rescorePlan(run: Pick<RunJson, 'model'>): { primary: string; rescore: string } | undefined {
  const fid = (run as { fidelity?: string }).fidelity ?? run.model;
  const plan = fid !== undefined && Object.hasOwn(SPACE_FIDELITIES, fid) ? SPACE_FIDELITIES[fid as SpaceFidelity] : undefined;
  const rescore = (plan as { rescore?: string } | undefined)?.rescore;
  return plan && rescore ? { primary: plan.primary, rescore } : undefined;
}

/** The re-scoring model's column of `metric` (cycle_latency_s), when the run has one. */
export function rescoredColumn(run: Pick<RunJson, 'model' | 'metrics'>, metric: string): string | undefined {
  const plan = rescorePlan(run);
  const col = plan ? rescoreColumn(plan.rescore, metric) : undefined;
  return col && run.metrics.includes(col) ? col : undefined;
}

/** ", analytical" after the title of a metric another model re-scored (so the reader knows which model's is drawn; short: an axis title), else ''. */
export function primaryModelSuffix(run: Pick<RunJson, 'model' | 'metrics'>, metric: string): string {
  return rescoredColumn(run, metric) ? `, ${rescorePlan(run)!.primary}` : '';
}

/** The sentence a chart of `metrics` carries in such a run: which model it draws, where the other's figures are. */
export function rescoreNote(run: Pick<RunJson, 'model' | 'metrics'>, points: PointRow[], metrics: string[]): string {
  const plan = rescorePlan(run);
  const cols = metrics.map((m) => rescoredColumn(run, m)).filter((c): c is string => !!c);
  if (!plan || cols.length === 0) return '';
  const labels = metrics.filter((m) => rescoredColumn(run, m)).map((m) => metricTitle(m, ''));
  const names = labels.map((l, i) => (i === 0 ? l.replace(/^./, (c) => c.toUpperCase()) : l));
  const n = points.filter((p) => cols.some((c) => Number.isFinite(p.metrics[c]))).length;
  return ` ${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} the ${plan.primary} model's for every point (the front is decided on them); the ${plan.rescore} model re-scored the ${n} front candidate${n === 1 ? '' : 's'}: their ${cols.join(' and ')} columns in points.csv and pareto.csv.`;
}
