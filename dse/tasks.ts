/**
 * The tasks a pool worker (or the main thread, from the same bundle) can run, addressed by name:
 * `executor.call('breakdown', ctx, params)` is type-checked against the function below, and a
 * worker receives `{ task: 'breakdown', args }` — no module paths travel between threads.
 */
import { evaluatePoint, pointBreakdown, rescorePoint, type AccuracyOutcome } from './evaluate.ts';
import type { ShardResult, ShardTask } from '../sim/nn/train-shard.ts';

export const TASKS = {
  /** The run's primary evaluation of one point: (ctx, id, params, known accuracy?) → EvaluatedPoint. */
  evaluate: evaluatePoint,
  /** Re-score of one point with the space's re-scoring fidelity: (ctx, id, params, known accuracy?) → EvaluatedPoint. */
  rescore: rescorePoint,
  /** Latency/energy/area breakdown of one point (report highlights): (ctx, params, known accuracy?) → Breakdown. */
  breakdown: pointBreakdown,
  /** One shard of a data-parallel LM training step (`train --workers N`): (task) → loss and gradients. tfjs loads on first use only. */
  trainShard: async (t: ShardTask): Promise<ShardResult> => (await import('../sim/nn/train-shard.ts')).trainShard(t),
} as const;

export type Tasks = typeof TASKS;
export type TaskName = keyof Tasks;
export type TaskArgs<K extends TaskName> = Parameters<Tasks[K]>;
export type TaskResult<K extends TaskName> = Awaited<ReturnType<Tasks[K]>>;
/** Tasks that evaluate one point: (ctx, id, params, known accuracy?) → EvaluatedPoint. */
export type PointTask = { [K in TaskName]: TaskArgs<K> extends [unknown, number, unknown, AccuracyOutcome?] ? K : never }[TaskName];
