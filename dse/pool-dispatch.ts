/**
 * How the executor (dse/executor.ts) hands a batch of trials to a backend (the local pool or a
 * queue): two lanes per pool worker pulling from one queue (each worker holds one task in hand and
 * one queued, see dse/pool.ts). The main thread does not evaluate here: it only dispatches tasks
 * and records results, so a worker that finishes is answered at once. (An earlier design also
 * evaluated on the main thread; while it ran a long evaluation the worker ran dry, and the sweep
 * got 1.4–1.65× from 2 cores instead of 1.8–1.9×.)
 */
import type { Trial } from './driver.ts';
import { cheapOnceAccuracyKnown, type EvalContext, type EvaluatedPoint } from './evaluate.ts';
import { type AccuracyOutcome } from './accuracy-runs.ts';
import type { AccuracyOutcomes } from './accuracy-outcomes.ts';
import type { EvalBackend } from './backends/types.ts';
import type { PointTask, TimedPoint } from './tasks.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';

/** A trial and its journal key. */
export type Todo = { t: Trial; key: string };

/** What the lanes of one dispatch share. */
export interface PoolRun {
  pool: EvalBackend;
  ctx: EvalContext;
  task: PointTask;
  /** The outcomes and prefixes the tasks carry, and where returned ones are kept. */
  accuracy: AccuracyOutcomes;
  stop: () => boolean;
  record: (key: string, p: EvaluatedPoint, ms: number, journal?: boolean, outcome?: AccuracyOutcome, prefix?: AccuracyPrefix) => void;
}

/** Points per `evaluateMany` task: ~1–3 ms of analytical evaluations, so a lane still answers Ctrl-C and progress promptly. */
const CHUNK_POINTS = 64;

/** Evaluates `todo` on `run.pool`, recording every point that finished (not those abandoned by `stop`). */
export async function dispatch(run: PoolRun, todo: Todo[]): Promise<void> {
  const { ctx } = run;
  // With accuracy on, points sharing their algorithm config share one accuracy run (cached per
  // worker): keep them on one lane by queueing whole groups.
  const queue = configGroups(todo, !!ctx.accuracy);
  // Once a configuration's accuracy is known, its points cost microseconds each on the analytical
  // model, and one task per point spent more time in round trips than in evaluations (the
  // workers of `npm start` waited ~30% of the first rung for their next task).
  const chunked = run.pool.chunks === true && cheapOnceAccuracyKnown(ctx, run.task);
  const lane = async () => {
    while (queue.length > 0 && !run.stop()) {
      const group = queue.shift()!;
      for (let i = 0; i < group.length; ) {
        if (run.stop()) return;
        const known = chunked ? run.accuracy.known(ctx, group[i].t.params) : undefined;
        const items = known ? group.slice(i, i + CHUNK_POINTS) : [group[i]];
        i += items.length;
        if (!(await (known ? pointChunk(run, items, known) : onePoint(run, items[0])))) return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(run.pool.lanes, queue.length) }, () => lane()));
}

/** The trials grouped by algorithm configuration when accuracy is on (else one group per trial), in order. */
function configGroups(todo: Todo[], byConfig: boolean): Todo[][] {
  const groups = new Map<string, Todo[]>();
  for (const item of todo) {
    const g = byConfig ? JSON.stringify(Object.entries(item.t.params).filter(([k]) => !k.startsWith('hw.'))) : String(item.t.id);
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(item);
  }
  return [...groups.values()];
}

/** One point, one task; false when the backend stopped. */
async function onePoint(run: PoolRun, { t, key }: Todo): Promise<boolean> {
  const { ctx } = run;
  const known = run.accuracy.known(ctx, t.params);
  const from = known ? undefined : run.accuracy.prefix(ctx, t.params);
  const args = [ctx, t.id, t.params, known, from];
  const r = await run.pool.run<EvaluatedPoint>({ task: run.task, args }, { key, id: t.id });
  if (r.status === 'aborted') return false;
  // (a backend may answer two trials with equal params with one evaluation: the id is the trial's)
  if (r.status === 'ok') {
    const [p, outcome, prefix] = run.accuracy.take(ctx, r.value, from);
    run.record(key, p.id === t.id ? p : { ...p, id: t.id }, r.ms, true, outcome, prefix);
  } else {
    const metrics: Record<string, number> = {};
    for (const m of ctx.metrics) metrics[m] = Number.NaN;
    // a point whose worker died twice is not journaled: --resume retries it (the crash may
    // have been the machine, e.g. memory, rather than the point)
    run.record(key, { id: t.id, params: t.params, metrics, status: 'failed', violation: Infinity, feasible: false, error: r.error, fidelity: '' }, r.ms, !r.crashed);
  }
  return true;
}

/**
 * Points of one configuration whose accuracy outcome is known, in one task. A chunk that fails as
 * a whole (its worker died twice) is sent again point by point, so a crash is pinned on its point
 * as with one-point tasks. False when the backend stopped.
 */
async function pointChunk(run: PoolRun, items: Todo[], known: AccuracyOutcome): Promise<boolean> {
  const r = await run.pool.run<TimedPoint[]>({ task: 'evaluateMany', args: [run.task, run.ctx, items.map(({ t }) => [t.id, t.params]), known] });
  if (r.status === 'aborted') return false;
  if (r.status === 'ok') {
    r.value.forEach(({ point, ms }, j) => run.record(items[j].key, run.accuracy.take(run.ctx, point)[0], ms));
    return true;
  }
  for (const item of items) if (run.stop() || !(await onePoint(run, item))) return false;
  return true;
}
