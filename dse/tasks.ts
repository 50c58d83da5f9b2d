/**
 * The tasks a pool worker (or the main thread, from the same bundle) can run, addressed by name:
 * `executor.call('breakdown', ctx, params)` is type-checked against the function below, and a
 * worker receives `{ task: 'breakdown', args }` — no module paths travel between threads.
 */
import { evaluatePoint, pointBreakdown, rescorePoint, type EvalContext, type EvaluatedPoint } from './evaluate.ts';
import { denseOutcome, warmAccuracy, type AccuracyOutcome } from './accuracy-runs.ts';
import type { Params } from './driver.ts';
import type { PoolTask } from './pool.ts';
import type { ShardResult, ShardTask } from '../sim/nn/train-shard.ts';

/** The tasks that evaluate one point: (ctx, id, params, known accuracy?) → EvaluatedPoint. */
const POINT_TASKS = {
  /** The run's primary evaluation of one point. */
  evaluate: evaluatePoint,
  /** Re-score of one point with the space's re-scoring fidelity. */
  rescore: rescorePoint,
} as const;

export type PointTask = keyof typeof POINT_TASKS;

/** A point of a chunk and its own evaluation time (ms). */
export interface TimedPoint {
  point: EvaluatedPoint;
  ms: number;
}

/**
 * Many points of one configuration in one task (dse/executor.ts sends them when each is cheap: its
 * accuracy outcome is known and its hardware model is analytical). Each point is evaluated as the
 * one-point task would be, in order; a point that fails is a failed point, as there. The points
 * come back without the outcome the caller sent.
 */
async function evaluateMany(task: PointTask, ctx: EvalContext, items: Array<[number, Params]>, known?: AccuracyOutcome): Promise<TimedPoint[]> {
  const fn = POINT_TASKS[task];
  const out: TimedPoint[] = [];
  for (const [id, params] of items) {
    const t0 = performance.now();
    // the caller sent the outcome: the points go back without it
    const { accuracyOutcome: _sent, ...point } = await fn(ctx, id, params, known);
    out.push({ point, ms: performance.now() - t0 });
  }
  return out;
}

export const TASKS = {
  ...POINT_TASKS,
  /** Many cheap points of one configuration: (point task, ctx, [id, params][], known accuracy?) → TimedPoint[]. */
  evaluateMany,
  /** Latency/energy/area breakdown of one point (report highlights): (ctx, params, known accuracy?) → Breakdown. */
  breakdown: pointBreakdown,
  /** The dense model's accuracy or perplexity (relative constraints): ({ accuracy }, target layers) → DenseReference. */
  dense: denseOutcome,
  /** Loads the accuracy model and inputs ({ accuracy }): the warm-up every pool worker of an accuracy run runs as it starts. */
  warm: warmAccuracy,
  /** One shard of a data-parallel LM training step (`train --workers N`): (task) → loss and gradients. tfjs loads on first use only. */
  trainShard: async (t: ShardTask): Promise<ShardResult> => (await import('../sim/nn/train-shard.ts')).trainShard(t),
} as const;

export type Tasks = typeof TASKS;
export type TaskName = keyof Tasks;
export type TaskArgs<K extends TaskName> = Parameters<Tasks[K]>;
export type TaskResult<K extends TaskName> = Awaited<ReturnType<Tasks[K]>>;

/**
 * The task each evaluation thread of a run runs as it starts (or, on a queue worker, as it joins
 * the run): loading the accuracy model and its inputs. None without accuracy. It carries the
 * accuracy block less what the loading does not read (the bootstrap seed, the first rung's
 * examples), so two runs that load the same model and inputs send one task: a queue worker
 * serving both sends its threads one warm-up (dse/pool.ts warm) and says nothing new loads.
 */
export function warmTask(ctx: EvalContext): PoolTask | undefined {
  if (!ctx.accuracy) return undefined;
  const { seed: _seed, subsetExamples: _subset, ...accuracy } = ctx.accuracy;
  return { task: 'warm', args: [{ accuracy }] satisfies TaskArgs<'warm'> };
}
