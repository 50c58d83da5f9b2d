/**
 * Step 1 of a run, the search: driver ask → executor (journal, pool) → driver tell, batch after
 * batch, until the driver is done, a budget is spent or the user interrupts. Each batch of results
 * (sorted by id) goes to `onBatch`: kept for the later steps, or streamed to the outputs.
 */
import { createDriver, driverInfo } from '../drivers/index.ts';
import type { EvaluatedPoint } from '../evaluate.ts';
import type { Executor } from '../executor.ts';
import { createProgress, type ProgressMode } from '../progress.ts';
import { accuracyRungs } from '../fidelity.ts';
import type { ParsedSpace } from '../space.ts';
import type { StopReason } from '../stop.ts';
import type { Interrupts } from './interrupts.ts';

export interface SearchInput {
  parsed: ParsedSpace;
  executor: Executor;
  seed: number;
  maxEvals: number;
  /** Seconds. */
  timeLimit: number;
  /** performance.now() at the start of the run. */
  t0: number;
  progress: ProgressMode;
  interrupts: Interrupts;
  /** Each batch of results, sorted by id, ids increasing across batches. */
  onBatch: (results: EvaluatedPoint[]) => void;
}

export interface SearchOutput {
  /** Points evaluated. */
  count: number;
  /** Point count after each batch (the hypervolume trajectory's x axis). */
  batchEnds: number[];
  /** Set when the search stopped before the driver was done (a budget, a signal). */
  stopReason?: StopReason;
  /** The stop in words, e.g. "60 s reached after 37 of 48 points". */
  stopDetail?: string;
  driverName: string;
  /** An unexpected error that ended the search (the rows before it are kept: their outputs are written). */
  error?: unknown;
}

export async function search(input: SearchInput): Promise<SearchOutput> {
  const { parsed, executor, maxEvals, timeLimit, t0, interrupts } = input;
  const space = parsed.space;
  const driver = createDriver(space.search, { space: parsed.domains, objectives: parsed.objectives, seed: input.seed });
  // the time limit also stops evaluations from starting inside a batch
  if (Number.isFinite(timeLimit)) executor.setDeadline(t0 + timeLimit * 1000);
  // With accuracy on and a driver that does not adapt to results (the registry's `adaptive`), one
  // batch holds every point the driver offers (up to 65,536): the executor queues the points of
  // one algorithm configuration together, so each configuration's accuracy runs once, on one
  // worker, and hardware knobs reuse it (smaller batches would split a configuration across
  // workers, each with its own cache).
  const info = driverInfo(space.search.driver);
  const batch = executor.ctx.accuracy && !info.adaptive ? 1 << 16 : info.batch(space.search, { jobs: executor.jobs, cpuBound: executor.cpuBound });
  const total = Math.min(driver.total ?? maxEvals, maxEvals);
  const rungs = accuracyRungs(space.accuracy, space.search.driver);
  const progress = createProgress(input.progress, Number.isFinite(total) ? total : undefined, rungs ? `${space.name} (accuracy rung 1/${rungs.length}: ${executor.ctx.accuracy?.maxExamples} examples)` : space.name, 'evaluated', () => executor.backendStatus());

  let count = 0;
  const batchEnds: number[] = [];
  let stopReason: StopReason | undefined;
  let stopDetail: string | undefined;
  const timeUp = () => (performance.now() - t0) / 1000 >= timeLimit;
  const timeLimitStop = () => {
    stopReason = 'time-limit';
    stopDetail = `${timeLimit} s reached after ${count}${Number.isFinite(total) ? ` of ${total}` : ''} points`;
  };
  try {
    while (!driver.done()) {
      if (interrupts.interrupted) stopReason = interrupts.reason;
      else if (count >= maxEvals) {
        stopReason = 'max-evals';
        stopDetail = `budget of ${maxEvals} evaluations spent`;
      } else if (timeUp()) timeLimitStop();
      if (stopReason) break;
      const trials = driver.ask(Math.min(batch, maxEvals - count));
      if (trials.length === 0) {
        if (driver.done()) break;
        throw new Error(`driver ${driver.name} returned no trials while not done`);
      }
      // journaled results are reused; new ones run in-process or on the worker pool (sorted by id)
      const before = count;
      const results = await executor.evaluate(trials, undefined, (done) => progress.update(before + done));
      count += results.length;
      input.onBatch(results);
      driver.tell(results);
      batchEnds.push(count);
      progress.update(count);
      // the executor starts no evaluation after the deadline: a short batch is a time-limit stop
      if (results.length < trials.length && !interrupts.interrupted && timeUp()) {
        timeLimitStop();
        break;
      }
      // Let signals and timers run between batches.
      await new Promise((r) => setImmediate(r));
    }
  } catch (e) {
    stopReason = 'failed';
    stopDetail = String((e as Error)?.message ?? e).split('\n')[0];
    return { count, batchEnds, stopReason, stopDetail, driverName: driver.name, error: e };
  } finally {
    progress.stop();
  }
  return { count, batchEnds, stopReason, stopDetail, driverName: driver.name };
}
