/**
 * Multi-fidelity: one promotion rule for every "cheap first, expensive for the contenders" scheme.
 *
 * Each evaluated point has, per objective, an interval [optimistic, pessimistic] in minimisation
 * form: zero width for a model number (analytical), the 95% CI for a subset accuracy estimate. A
 * point is PROMOTED to the next fidelity when it can still reach the Pareto front: no other point's
 * pessimistic vector dominates its optimistic vector (and it is feasible, or its violation could
 * vanish). With zero-width intervals this is exactly the current front (model: both → the
 * analytical front is re-scored with the cycle model); with CIs it is successive halving driven by
 * the confidence intervals (accuracy on a small subset first, the full set only for contenders).
 */
import type { Objective, Params } from './driver.ts';
import type { EvalContext, EvaluatedPoint } from './evaluate.ts';

export interface Interval {
  /** Optimistic (lowest) minimisation-form value. */
  lo: number;
  /** Pessimistic (highest). */
  hi: number;
}

/** Minimisation-form intervals of a point's objectives; CI columns `<metric>_ci_low/high` widen them. */
export function objectiveIntervals(metrics: Record<string, number>, objectives: Objective[]): Interval[] {
  return objectives.map((o) => {
    const v = metrics[o.metric];
    let lo = v;
    let hi = v;
    const cl = metrics[`${o.metric}_ci_low`];
    const ch = metrics[`${o.metric}_ci_high`];
    if (Number.isFinite(cl) && Number.isFinite(ch)) {
      lo = Math.min(v, cl);
      hi = Math.max(v, ch);
    }
    return o.goal === 'max' ? { lo: -hi, hi: -lo } : { lo, hi };
  });
}

/**
 * Indices (into `points`) that can still reach the front. `feasible[i]` false excludes a point;
 * failed points are excluded. O(n²) over the feasible points, pruned by a first pass against the
 * pessimistic non-dominated set.
 */
export function promotable(points: { metrics: Record<string, number>; status: string }[], objectives: Objective[], feasible: boolean[]): number[] {
  const idx: number[] = [];
  const iv: Interval[][] = [];
  points.forEach((p, i) => {
    if (p.status !== 'ok' || !feasible[i]) return;
    const v = objectiveIntervals(p.metrics, objectives);
    if (v.every((x) => Number.isFinite(x.lo) && Number.isFinite(x.hi))) {
      idx.push(i);
      iv.push(v);
    }
  });
  // Only pessimistic vectors that are themselves non-dominated (pessimistically) can exclude anyone.
  const pess = iv.map((v) => v.map((x) => x.hi));
  const blockers: number[] = [];
  for (let a = 0; a < pess.length; a++) {
    let dominated = false;
    for (let b = 0; b < pess.length && !dominated; b++) if (b !== a && dominatesVec(pess[b], pess[a])) dominated = true;
    if (!dominated) blockers.push(a);
  }
  const out: number[] = [];
  for (let a = 0; a < iv.length; a++) {
    const opt = iv[a].map((x) => x.lo);
    let excluded = false;
    for (const b of blockers) {
      if (b !== a && dominatesVec(pess[b], opt)) {
        excluded = true;
        break;
      }
    }
    if (!excluded) out.push(idx[a]);
  }
  return out;
}

function dominatesVec(a: number[], b: number[]): boolean {
  let strict = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strict = true;
  }
  return strict;
}

/** Cycle-model re-score of a point (step for the executor; runs in a pool worker or in-process). */
export async function rescoreCycle(ctx: EvalContext, id: number, params: Params): Promise<EvaluatedPoint> {
  try {
    // imported lazily: the promotion rule above is usable without loading the models
    const { applyParams, runAccuracy } = await import('./evaluate.ts');
    const { evaluateHardware } = await import('../sim/index.ts');
    const { modelShape } = await import('../sim/workload/models.ts');
    const point = applyParams(ctx.base, params);
    let overrides;
    if (ctx.accuracy) overrides = (await runAccuracy(ctx.accuracy, point.algo, modelShape(point.workload.model).layers)).overrides;
    const c = evaluateHardware(point, { model: 'cycle', overrides });
    const metrics = {
      cycle_latency_s: c.latency_s,
      cycle_energy_j: c.energy_j,
      cycle_cycles: c.cycles,
      cycle_dram_bytes: c.dram_bytes,
      cycle_power_w: c.power_w,
    };
    return { id, params, metrics, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'cycle' };
  } catch (e) {
    return { id, params, metrics: {}, status: 'failed', violation: Infinity, feasible: false, error: (e as Error).message ?? String(e), fidelity: 'cycle' };
  }
}
