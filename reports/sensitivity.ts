/**
 * Sensitivity of each objective to each parameter, from the evaluated points (no extra runs).
 *
 * Method: first-order variance share (the correlation ratio η², a main-effect estimator): group the
 * evaluated points by the parameter's value, and take the variance of the group means (weighted by
 * group size) over the total variance of the metric. On a full grid this is the first-order Sobol
 * index of the parameter; on random/LHS samples an estimate of it (continuous parameters are
 * binned into quintiles). Metrics drawn on a log scale (positive, spanning more than a decade) are
 * analysed as log10, so multiplicative effects count equally at every magnitude. The main-effect
 * range (lowest and highest group mean, in the metric's units) says by how much.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { spansDecade } from './axes.ts';

export interface Effect {
  param: string;
  /** η²: between-group / total variance, 0…1. */
  share: number;
  /** Lowest and highest mean of the metric over the parameter's values (metric units), and where. */
  lo: number;
  hi: number;
  loAt: string;
  hiAt: string;
}

export interface Sensitivity {
  metric: string;
  log: boolean;
  n: number;
  effects: Effect[];
}

export const SENSITIVITY_METHOD =
  'first-order variance share η² (correlation ratio): variance of the per-value means of the metric over its total variance, from all successfully evaluated points; ' +
  'on a full grid this is the first-order Sobol index; metrics spanning more than a decade are analysed as log10; continuous parameters are binned into quintiles. ' +
  'The main-effect range is the lowest … highest mean of the metric over the parameter\'s values.';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function groupKey(v: unknown, bins?: number[]): string {
  if (typeof v === 'number' && bins) {
    let b = 0;
    while (b < bins.length && v > bins[b]) b++;
    return `q${b + 1}`;
  }
  return String(v);
}

export function sensitivity(run: Pick<RunJson, 'parameters'>, points: PointRow[], metric: string): Sensitivity {
  const ok = points.filter((p) => p.status === 'ok' && finite(p.metrics[metric]));
  const raw = ok.map((p) => p.metrics[metric]);
  const log = spansDecade(raw);
  const y = raw.map((v) => (log ? Math.log10(v) : v));
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const total = y.reduce((a, b) => a + (b - mean) ** 2, 0);
  const effects: Effect[] = [];
  for (const k of run.parameters) {
    const vals = ok.map((p) => p.params[k]);
    const distinct = new Set(vals.map(String));
    if (distinct.size < 2) continue;
    let bins: number[] | undefined;
    if (distinct.size > 12 && vals.every(finite)) {
      const s = (vals as number[]).slice().sort((a, b) => a - b);
      bins = [0.2, 0.4, 0.6, 0.8].map((q) => s[Math.floor(q * (s.length - 1))]);
    }
    const groups = new Map<string, { sum: number; raw: number; n: number; at: unknown }>();
    vals.forEach((v, i) => {
      const g = groupKey(v, bins);
      const e = groups.get(g) ?? { sum: 0, raw: 0, n: 0, at: v };
      e.sum += y[i];
      e.raw += raw[i];
      e.n++;
      groups.set(g, e);
    });
    let between = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let loAt = '';
    let hiAt = '';
    for (const [g, e] of groups) {
      const m = e.sum / e.n;
      between += e.n * (m - mean) ** 2;
      const shown = log ? 10 ** m : e.raw / e.n; // geometric mean on log metrics
      const label = bins ? g : String(e.at);
      if (shown < lo) [lo, loAt] = [shown, label];
      if (shown > hi) [hi, hiAt] = [shown, label];
    }
    effects.push({ param: k, share: total > 0 ? between / total : 0, lo, hi, loAt, hiAt });
  }
  effects.sort((a, b) => b.share - a.share || a.param.localeCompare(b.param));
  return { metric, log, n, effects };
}
