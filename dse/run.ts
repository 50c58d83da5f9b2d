/**
 * The runner: one function per step, each with typed input and output —
 *   search (dse/steps/search.ts) → refine (accuracy rungs) → re-score (dse/steps/refine.ts)
 *   → highlight (dse/steps/highlight.ts) → write (dse/steps/write.ts) → report (a hook: the CLI
 *   passes the HTML report, dse/ does not import reports/).
 *
 * Bad input (space file, base config, trace path) is rejected before anything is written.
 */
import path from 'node:path';
import { FAST_FIDELITY, fidelity, fidelityPlan } from '../sim/fidelities.ts';
import { evaluateHardware } from '../sim/index.ts';
import { HW_METRICS } from '../sim/metrics.ts';
import type { PointRow, RunJson } from '../core/results.ts';
import { InputError } from './errors.ts';
import { basePoint, isCpuBound, type EvalContext } from './evaluate.ts';
import { Executor, modelVersion } from './executor.ts';
import { accuracyRungs, withExamples } from './fidelity.ts';
import { defaultJobs } from './pool.ts';
import type { ProgressMode } from './progress.ts';
import { loadSpace, type ParsedSpace } from './space.ts';
import { highlight } from './steps/highlight.ts';
import { Interrupts } from './steps/interrupts.ts';
import { refine, rescore } from './steps/refine.ts';
import { search } from './steps/search.ts';
import { write } from './steps/write.ts';

export { packageVersion } from './steps/write.ts';
export { hypervolumeTrajectory } from './steps/write.ts';

export interface RunOptions {
  spaceFile: string;
  outDir?: string;
  jobs?: number;
  seed?: number;
  maxEvals?: number;
  /** Seconds. */
  timeLimit?: number;
  progress?: ProgressMode;
  interactive?: boolean;
  /** Write the report (default true, when a `writeReport` hook is given). */
  report?: boolean;
  /** The report step: called with the results folder after the outputs are written (the CLI passes reports/). */
  writeReport?: (dir: string, opts: { interactive: boolean }) => Promise<unknown>;
  /** Where progress and notes go (default stderr). */
  log?: (line: string) => void;
  /** Continue from the folder's journal: re-evaluate nothing that finished. */
  resume?: boolean;
  /** Other run folders whose journaled evaluations may be reused (same params, models, base config). */
  reuse?: string[];
  /** Redis URL: CPU-bound evaluations go on a BullMQ queue for `spatten-dse worker` processes (dse/backends/queue.ts). */
  queue?: string;
}

export interface RunSummary {
  dir: string;
  run: RunJson;
  rows: PointRow[];
}

export interface PreparedRun {
  parsed: ParsedSpace;
  ctx: EvalContext;
  dir: string;
  seed: number;
}

/** Validate everything a run needs before any output is written. */
export function prepareRun(opts: RunOptions): PreparedRun {
  const parsed = loadSpace(opts.spaceFile);
  const space = parsed.space;
  let base;
  try {
    base = basePoint(space, opts.spaceFile);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${opts.spaceFile}: invalid base configuration: ${(e as Error).message}`);
  }
  // Check that the base point itself evaluates (e.g. the trace parses) — fail fast as bad input.
  try {
    if (base.workload.trace) evaluateHardware(base, { fidelity: FAST_FIDELITY });
  } catch (e) {
    throw new InputError(`${opts.spaceFile}: workload: ${(e as Error).message}`);
  }
  const seed = opts.seed ?? space.search.seed;
  const dir = opts.outDir ?? path.join('results', space.name);
  const ctx: EvalContext = {
    base,
    fidelity: space.fidelity,
    constraints: parsed.constraints,
    accuracy: space.accuracy,
    modelOptions: space.cycle,
    metrics: [...HW_METRICS],
  };
  return { parsed, ctx, dir, seed };
}

/** Some step of the run is CPU-bound (then --jobs defaults to the cores). */
function anyCpuBound(ctx: EvalContext): boolean {
  const r = fidelityPlan(ctx.fidelity).rescore;
  return isCpuBound(ctx) || (r !== undefined && fidelity(r).cpuBound);
}

export async function runSpace(opts: RunOptions): Promise<RunSummary> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const prepared = prepareRun(opts);
  for (const n of prepared.parsed.notes) log(`note: ${n}`);
  // The journal (and the folder lock) is taken after validation, so bad input writes nothing.
  // With accuracy on, the search runs on the cheap accuracy rung (a small example subset) and
  // the refine step promotes the contenders afterwards (dse/fidelity.ts).
  const rungs = accuracyRungs(prepared.ctx.accuracy, prepared.parsed.space.search.driver);
  const loopCtx = rungs ? withExamples(prepared.ctx, rungs[0]) : prepared.ctx;
  const jobs = Math.max(1, opts.jobs ?? (anyCpuBound(prepared.ctx) ? defaultJobs() : 1));
  // --queue: Redis is checked before anything is written (unreachable → exit 2)
  const backend = opts.queue ? await openQueueBackend(opts.queue, prepared, jobs, log) : undefined;
  let executor: Executor;
  try {
    executor = Executor.open({ ctx: loopCtx, dir: prepared.dir, resume: opts.resume, reuse: opts.reuse, jobs, backend, log });
  } catch (e) {
    await backend?.close();
    throw e;
  }
  try {
    return await runSteps(opts, prepared, executor, log);
  } finally {
    await executor.close();
  }
}

async function runSteps(opts: RunOptions, prepared: PreparedRun, executor: Executor, log: (line: string) => void): Promise<RunSummary> {
  const { parsed, ctx, dir, seed } = prepared;
  const space = parsed.space;
  const objectives = parsed.objectives;
  const started = new Date();
  const t0 = performance.now();
  const interrupts = new Interrupts(executor, log);
  let found;
  try {
    found = await search({
      parsed,
      executor,
      seed,
      maxEvals: opts.maxEvals ?? space.search.maxEvals ?? Infinity,
      timeLimit: opts.timeLimit ?? space.search.timeLimit ?? Infinity,
      t0,
      progress: opts.progress ?? 'auto',
      interrupts,
    });
    interrupts.searchDone();
    const { rows, front } = found;
    await refine({ rows, front, objectives, ctx, driverName: space.search.driver, executor, interrupts, log });
    if (opts.resume || opts.reuse?.length) log(`resume: ${executor.reused} evaluations reused from the journal, ${executor.evaluated} new`);
    await rescore({ rows, objectives, ctx, executor, interrupts });
  } finally {
    interrupts.dispose();
  }
  const { rows, front, batchEnds, driverName } = found;
  const stopReason = interrupts.interrupted ? 'interrupted' : found.stopReason;
  const wallSeconds = (performance.now() - t0) / 1000;
  const highlights = await highlight(rows, front.front, objectives, (params) => executor.call('breakdown', ctx, params));
  const out = await write({ dir, parsed, ctx, rows, front: front.front, batchEnds, seed, started, wallSeconds, stopReason, driverName, highlights, backend: executor.backendInfo() });
  if (opts.report !== false && opts.writeReport) {
    try {
      await opts.writeReport(dir, { interactive: !!opts.interactive });
    } catch (e) {
      log(`warning: report.html not written: ${(e as Error).message}`);
    }
  }
  return { dir, run: out.run, rows: out.rows };
}

async function openQueueBackend(url: string, prepared: PreparedRun, jobs: number, log: (line: string) => void) {
  const { QueueBackend } = await import('./backends/queue.ts');
  const b = await QueueBackend.open({ url, name: prepared.parsed.space.name, dir: prepared.dir, modelVersion: modelVersion(), jobs, log });
  if (!anyCpuBound(prepared.ctx)) log('queue: the analytical model (about 1 µs per point) is evaluated here; only cycle and accuracy evaluations go on the queue');
  return b;
}
