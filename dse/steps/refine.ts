/**
 * Steps 2 and 3 of a run, multi-fidelity (dse/fidelity.ts has the promotion rule):
 * - refine: successive halving of the accuracy estimate on example subsets, driven by the CIs;
 * - re-score: the points that can still reach the front scored again with the space's
 *   re-scoring model (`fidelity: both`: the cycle model on the analytical front), as
 *   `<model>_<metric>` columns.
 * Both update the rows in place, journaled, on the worker pool when --jobs > 1.
 */
import { fidelityPlan } from '../../sim/fidelities.ts';
import type { Objective } from '../driver.ts';
import { primaryFidelity, type EvalContext, type EvaluatedPoint } from '../evaluate.ts';
import type { Executor } from '../executor.ts';
import { accuracyRungs, promotable, refineAccuracy } from '../fidelity.ts';
import type { Interrupts } from './interrupts.ts';

export interface RefineInput {
  rows: EvaluatedPoint[];
  objectives: Objective[];
  ctx: EvalContext;
  driverName: string;
  executor: Executor;
  interrupts: Interrupts;
  log: (line: string) => void;
}

/** Accuracy rungs; returns the evaluations per rung (undefined when the run has one rung). */
export async function refine(input: RefineInput): Promise<number[] | undefined> {
  const { rows, objectives, ctx, executor, interrupts } = input;
  const rungs = accuracyRungs(ctx.accuracy, input.driverName);
  if (!rungs || interrupts.stop) return undefined;
  const counts = await refineAccuracy(rows, objectives, ctx, rungs, (pts, rctx) => executor.evaluate(pts, { fidelity: primaryFidelity(rctx), ctx: rctx }), () => executor.isAborted);
  input.log(`accuracy rungs ${rungs.map((n) => n ?? 'all').join(' → ')} examples: ${counts.join(' → ')} evaluations`);
  return counts;
}

/** Re-scores the promotable points with the plan's re-scoring model; returns how many were re-scored. */
export async function rescore(input: Omit<RefineInput, 'driverName' | 'log'>): Promise<number> {
  const { rows, objectives, ctx, executor, interrupts } = input;
  const model = fidelityPlan(ctx.fidelity).rescore;
  if (!model || interrupts.stop) return 0;
  const cand = promotable(rows, objectives, rows.map((r) => r.feasible));
  const rescored = await executor.evaluate(
    cand.map((i) => ({ id: rows[i].id, params: rows[i].params })),
    { fidelity: model, task: 'rescore', cpuBound: true },
  );
  const byId = new Map(rescored.map((c) => [c.id, c]));
  const primary = fidelityPlan(ctx.fidelity).primary;
  for (const i of cand) {
    const r = rows[i];
    const c = byId.get(r.id);
    if (!c) continue;
    if (c.status === 'ok') {
      Object.assign(r.metrics, c.metrics);
      r.fidelity = r.fidelity.replace(primary, `${primary}+${model}`);
    } else r.error = `${model} re-score failed: ${c.error}`;
  }
  return rescored.length;
}
