/**
 * Step 1 of a run, the search: driver ask → executor (journal, pool) → driver tell, batch after
 * batch, until the driver is done, a budget is spent or the user interrupts. Each batch of results
 * (sorted by id) goes to `onBatch`: kept for the later steps, or streamed to the outputs.
 */
import type { Driver } from '../driver.ts';
import { createDriver, driverInfo } from '../drivers/index.ts';
import type { EvaluatedPoint } from '../evaluate.ts';
import type { Executor } from '../executor.ts';
import { createProgress, type Progress, type ProgressMode } from '../progress.ts';
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

/** One search loop's state: the driver, its batch size and point total, the progress display and the tally so far. */
interface Loop {
  input: SearchInput;
  driver: Driver;
  batch: number;
  total: number;
  progress: Progress;
  count: number;
  batchEnds: number[];
  stopReason?: StopReason;
  stopDetail?: string;
}

/**
 * Points per ask. With accuracy on and a driver that does not adapt to results (the registry's
 * `adaptive`), one batch holds every point the driver offers (up to 65,536): the executor queues
 * the points of one algorithm configuration together, so each configuration's accuracy runs once,
 * on one worker, and hardware knobs reuse it (smaller batches would split a configuration across
 * workers, each with its own cache).
 */
function batchSize(parsed: ParsedSpace, executor: Executor): number {
  const search = parsed.space.search;
  const info = driverInfo(search.driver);
  return executor.ctx.accuracy && !info.adaptive ? 1 << 16 : info.batch(search, { jobs: executor.jobs, cpuBound: executor.cpuBound });
}

/** The progress display, labelled with the space's name (and the first accuracy rung, if any). */
function startProgress(input: SearchInput, total: number): Progress {
  const { parsed: { space }, executor } = input;
  const rungs = accuracyRungs(space.accuracy, space.search.driver);
  const label = rungs ? `${space.name} (accuracy rung 1/${rungs.length}: ${executor.ctx.accuracy?.maxExamples} examples)` : space.name;
  return createProgress(input.progress, Number.isFinite(total) ? total : undefined, label, 'evaluated', () => executor.backendStatus());
}

/** Whether the time limit has passed since the run started. */
const timeUp = (input: SearchInput): boolean => (performance.now() - input.t0) / 1000 >= input.timeLimit;

/** Records a time-limit stop. */
function timeLimitStop(loop: Loop): void {
  loop.stopReason = 'time-limit';
  loop.stopDetail = `${loop.input.timeLimit} s reached after ${loop.count}${Number.isFinite(loop.total) ? ` of ${loop.total}` : ''} points`;
}

/** Records why no further batch may start (a signal, the evaluation budget, the time limit); true if one applies. */
function stopBeforeBatch(loop: Loop): boolean {
  const { interrupts, maxEvals } = loop.input;
  if (interrupts.interrupted) loop.stopReason = interrupts.reason;
  else if (loop.count >= maxEvals) {
    loop.stopReason = 'max-evals';
    loop.stopDetail = `budget of ${maxEvals} evaluations spent`;
  } else if (timeUp(loop.input)) timeLimitStop(loop);
  return !!loop.stopReason;
}

/**
 * Asks the driver for a batch, evaluates it and hands the results on (onBatch, then the driver).
 * False when the search is over: the driver had nothing left, or the time limit cut the batch short.
 */
async function runBatch(loop: Loop): Promise<boolean> {
  const { input, driver, progress } = loop;
  const trials = driver.ask(Math.min(loop.batch, input.maxEvals - loop.count));
  if (trials.length === 0) {
    if (driver.done()) return false;
    throw new Error(`driver ${driver.name} returned no trials while not done`);
  }
  // journaled results are reused; new ones run in-process or on the worker pool (sorted by id)
  const before = loop.count;
  const results = await input.executor.evaluate(trials, undefined, (done) => progress.update(before + done));
  loop.count += results.length;
  input.onBatch(results);
  driver.tell(results);
  loop.batchEnds.push(loop.count);
  progress.update(loop.count);
  // the executor starts no evaluation after the deadline: a short batch is a time-limit stop
  if (results.length < trials.length && !input.interrupts.interrupted && timeUp(input)) {
    timeLimitStop(loop);
    return false;
  }
  return true;
}

/** Runs the search: batches until the driver is done or a stop applies; an unexpected error ends it as `failed`. */
export async function search(input: SearchInput): Promise<SearchOutput> {
  const { parsed, executor, maxEvals, timeLimit, t0 } = input;
  const driver = createDriver(parsed.space.search, { space: parsed.domains, objectives: parsed.objectives, seed: input.seed });
  // the time limit also stops evaluations from starting inside a batch
  if (Number.isFinite(timeLimit)) executor.setDeadline(t0 + timeLimit * 1000);
  const batch = batchSize(parsed, executor);
  const total = Math.min(driver.total ?? maxEvals, maxEvals);
  const loop: Loop = { input, driver, batch, total, progress: startProgress(input, total), count: 0, batchEnds: [] };
  try {
    while (!driver.done()) {
      if (stopBeforeBatch(loop)) break;
      if (!(await runBatch(loop))) break;
      // Let signals and timers run between batches.
      await new Promise((r) => setImmediate(r));
    }
  } catch (e) {
    loop.stopReason = 'failed';
    loop.stopDetail = String((e as Error)?.message ?? e).split('\n')[0];
    return { count: loop.count, batchEnds: loop.batchEnds, stopReason: loop.stopReason, stopDetail: loop.stopDetail, driverName: driver.name, error: e };
  } finally {
    loop.progress.stop();
  }
  return { count: loop.count, batchEnds: loop.batchEnds, stopReason: loop.stopReason, stopDetail: loop.stopDetail, driverName: driver.name };
}
