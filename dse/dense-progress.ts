/** The dense model's run with its progress on stderr, for the executor (dse/executor.ts `call('dense', …)`). */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { createProgress, type Progress, type ProgressMode } from './progress.ts';
import type { DenseProgress } from './accuracy-runs.ts';
import type { TaskResult } from './tasks.ts';

/**
 * The dense model's run (relative constraints, dse/steps/dense.ts) with progress on stderr as the
 * search's (dse/progress.ts, `mode`): it was silent, ~14 s on spam-bert's 1,209 emails. On this
 * thread the engine's per-batch callback drives it; on a pool worker (`onPool`) the counts come
 * over a BroadcastChannel (dse/accuracy-runs.ts `DenseProgress`). `run` runs the task with where its
 * counts go; `model` labels the bar.
 */
export async function denseWithProgress(mode: ProgressMode, model: string, onPool: boolean, run: (progress: DenseProgress) => Promise<TaskResult<'dense'>>): Promise<TaskResult<'dense'>> {
  let p: Progress | undefined;
  const onBatch = (done: number, total: number) => {
    p ??= createProgress(mode, total, `dense ${model}`, 'examples');
    p.update(done);
  };
  const channel = onPool ? new BroadcastChannel(`spatten-dse-dense-${randomUUID()}`) : undefined;
  if (channel) channel.onmessage = (m) => onBatch(...((m as { data: [number, number] }).data));
  try {
    const r = await run(channel ? { channel: String(channel.name) } : onBatch);
    // the last batch's message may come after the result (another port): the count is the result's
    p?.update(r.n);
    return r;
  } finally {
    channel?.close();
    p?.stop();
  }
}
