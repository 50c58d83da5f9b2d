/**
 * The runner: space → driver (ask) → evaluator → driver (tell) → … → Pareto front, hypervolume,
 * highlights → results/<name>/{points.csv, pareto.csv, run.json, report.html}.
 *
 * Bad input (space file, base config, trace path) is rejected before anything is written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HW_METRICS } from '../sim/schema.ts';
import type { Objective, Params } from './driver.ts';
import { createDriver } from './drivers/index.ts';
import { InputError } from './errors.ts';
import { basePoint, type Breakdown, type EvalContext, type EvaluatedPoint } from './evaluate.ts';
import { evaluateHardware } from '../sim/index.ts';
import { writeRunOutputs } from './outputs.ts';
import { hypervolume, normaliser, paretoMask, toMinVector } from './pareto.ts';
import type { Highlight, PointRow, RunJson } from './results.ts';
import { loadSpace, type ParsedSpace } from './space.ts';
import { createProgress, type ProgressMode } from './progress.ts';
import { Executor, primaryFidelity } from './executor.ts';
import { accuracyRungs, promotable, refineAccuracy, withExamples } from './fidelity.ts';
import { defaultJobs } from './pool.ts';

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
  /** Write report.html (default true). */
  report?: boolean;
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

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIDELITY_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fidelity.ts');
const EVALUATE_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'evaluate.ts');

export function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

/** Validate everything a run needs before any output is written. */
export function prepareRun(opts: RunOptions): { parsed: ParsedSpace; ctx: EvalContext; dir: string; seed: number } {
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
    if (base.workload.trace) evaluateHardware(base, { model: 'analytical' });
  } catch (e) {
    throw new InputError(`${opts.spaceFile}: workload: ${(e as Error).message}`);
  }
  const seed = opts.seed ?? space.search.seed;
  const dir = opts.outDir ?? path.join('results', space.name);
  const ctx: EvalContext = {
    base,
    model: space.model,
    constraints: parsed.constraints,
    accuracy: space.accuracy,
    cycle: space.cycle,
    metrics: [...HW_METRICS],
  };
  return { parsed, ctx, dir, seed };
}

/** Metric columns: the hardware metrics, then any other metric in order of first appearance. */
function metricColumns(rows: EvaluatedPoint[]): string[] {
  const cols: string[] = [...HW_METRICS];
  const seen = new Set<string>(cols);
  for (const r of rows) {
    for (const k of Object.keys(r.metrics)) {
      if (!seen.has(k)) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  return cols;
}

/** Pareto mask over rows (feasible, ok, finite objectives), kept incrementally per batch. */
class IncrementalFront {
  front: number[] = []; // indices into rows
  constructor(private readonly rows: EvaluatedPoint[], private readonly objectives: Objective[]) {}
  private vec(i: number): number[] {
    return toMinVector(this.rows[i].metrics, this.objectives);
  }
  add(from: number, to: number): void {
    const cand = this.front.slice();
    for (let i = from; i < to; i++) if (this.rows[i].status === 'ok' && this.rows[i].feasible) cand.push(i);
    const vecs = cand.map((i) => this.vec(i));
    const mask = paretoMask(vecs, cand.map(() => true));
    this.front = cand.filter((_, k) => mask[k]);
  }
}

export async function runSpace(opts: RunOptions): Promise<RunSummary> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const prepared = prepareRun(opts);
  const cpuBound = prepared.ctx.model !== 'analytical' || !!prepared.ctx.accuracy;
  // The journal (and the folder lock) is taken after validation, so bad input writes nothing.
  // With accuracy on, the search runs on the cheap accuracy rung (a small example subset) and
  // refineAccuracy promotes the contenders afterwards (dse/fidelity.ts).
  const rungs = accuracyRungs(prepared.ctx.accuracy, prepared.parsed.space.search.driver);
  const loopCtx = rungs ? withExamples(prepared.ctx, rungs[0]) : prepared.ctx;
  const jobs = Math.max(1, opts.jobs ?? (cpuBound ? defaultJobs() : 1));
  // --queue: Redis is checked before anything is written (unreachable → exit 2)
  const backend = opts.queue ? await openQueueBackend(opts.queue, prepared, jobs, cpuBound, log) : undefined;
  let executor: Executor;
  try {
    executor = Executor.open({ ctx: loopCtx, dir: prepared.dir, resume: opts.resume, reuse: opts.reuse, jobs, backend, log });
  } catch (e) {
    await backend?.close();
    throw e;
  }
  try {
    return await runPrepared(opts, prepared, executor, log);
  } finally {
    await executor.close();
  }
}

async function runPrepared(opts: RunOptions, prepared: ReturnType<typeof prepareRun>, executor: Executor, log: (line: string) => void): Promise<RunSummary> {
  const { parsed, ctx, dir, seed } = prepared;
  const space = parsed.space;
  const objectives = parsed.objectives;
  const started = new Date();
  const t0 = performance.now();
  const driver = createDriver(space.search, { space: parsed.domains, objectives, seed });
  const maxEvals = opts.maxEvals ?? space.search.maxEvals ?? Infinity;
  const timeLimit = opts.timeLimit ?? space.search.timeLimit ?? Infinity;
  // the time limit also stops evaluations from starting inside a batch
  if (Number.isFinite(timeLimit)) executor.setDeadline(t0 + timeLimit * 1000);
  const jobs = executor.jobs;
  const cpuBound = ctx.model === 'cycle' || !!ctx.accuracy;
  // nsga2 asks for one generation per batch (its hypervolume trajectory has one point per
  // generation). The other drivers do not adapt to results, so their batches can be large: every
  // batch ends with a barrier where workers wait for the slowest evaluation in flight. Progress is
  // reported per evaluation, not per batch.
  const batch = space.search.driver === 'nsga2' ? (space.search.population ?? 40) : cpuBound ? Math.max(128 * jobs, 256) : 2048;
  const total = Math.min(driver.total ?? maxEvals, maxEvals);
  const progress = createProgress(opts.progress ?? 'auto', Number.isFinite(total) ? total : undefined, space.name, () => executor.backendStatus());

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      log('interrupt: abandoning the evaluations in flight, writing outputs for what finished');
      void executor.abort();
      return;
    }
    interrupted = true;
    executor.interrupt();
    log('\ninterrupt: finishing the evaluations in flight, then writing outputs (Ctrl-C again to abandon them)');
  };
  process.on('SIGINT', onSigint);

  const rows: EvaluatedPoint[] = [];
  const front = new IncrementalFront(rows, objectives);
  const batchEnds: number[] = [];
  let stopReason: string | undefined;
  try {
    while (!driver.done()) {
      if (rows.length >= maxEvals) {
        stopReason = `max-evals ${maxEvals} reached`;
        break;
      }
      if ((performance.now() - t0) / 1000 >= timeLimit) {
        stopReason = `time limit ${timeLimit} s reached`;
        break;
      }
      if (interrupted) {
        stopReason = 'interrupted';
        break;
      }
      const trials = driver.ask(Math.min(batch, maxEvals - rows.length));
      if (trials.length === 0) {
        if (driver.done()) break;
        throw new Error(`driver ${driver.name} returned no trials while not done`);
      }
      // journaled results are reused; new ones run in-process or on the worker pool (sorted by id)
      const before = rows.length;
      const results = await executor.evaluate(trials, undefined, (done) => progress.update(before + done));
      const from = rows.length;
      rows.push(...results);
      front.add(from, rows.length);
      driver.tell(results);
      batchEnds.push(rows.length);
      progress.update(rows.length);
      // Let signals and timers run between batches.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }

  // During the multi-fidelity steps a Ctrl-C abandons the evaluations in flight; outputs are
  // still written for what finished (exit 130).
  const onLateSigint = () => {
    interrupted = true;
    stopReason = 'interrupted';
    log('\ninterrupt: abandoning the re-scoring in flight, writing outputs');
    void executor.abort();
  };
  process.on('SIGINT', onLateSigint);
  try {
    // Multi-fidelity accuracy: successive halving on example subsets, driven by the CIs.
    const rungs = accuracyRungs(ctx.accuracy, space.search.driver);
    if (rungs && !interrupted && !executor.isAborted) {
      const counts = await refineAccuracy(rows, objectives, ctx, rungs, (pts, rctx) => executor.evaluate(pts, { fidelity: primaryFidelity(rctx), ctx: rctx }), () => executor.isAborted);
      log(`accuracy rungs ${rungs.map((n) => n ?? 'all').join(' → ')} examples: ${counts.join(' → ')} evaluations`);
      front.front = [];
      front.add(0, rows.length);
    }

    if (opts.resume || opts.reuse?.length) log(`resume: ${executor.reused} evaluations reused from the journal, ${executor.evaluated} new`);

    // Multi-fidelity `both`: re-score the points that can still reach the front (dse/fidelity.ts:
    // the analytical front, widened by accuracy CIs when present) with the cycle model — journaled,
    // and on the worker pool when --jobs > 1.
    if (ctx.model === 'both' && !interrupted && !executor.isAborted) {
      const cand = promotable(rows, objectives, rows.map((r) => r.feasible));
      const rescored = await executor.evaluate(
        cand.map((i) => ({ id: rows[i].id, params: rows[i].params })),
        { fidelity: 'cycle', module: FIDELITY_MODULE, fn: 'rescoreCycle', cpuBound: true },
      );
      const byId = new Map(rescored.map((c) => [c.id, c]));
      for (const i of cand) {
        const r = rows[i];
        const c = byId.get(r.id);
        if (!c) continue;
        if (c.status === 'ok') {
          Object.assign(r.metrics, c.metrics);
          r.fidelity = r.fidelity.replace('analytical', 'analytical+cycle');
        } else r.error = `cycle re-score failed: ${c.error}`;
      }
    }
  } finally {
    process.off('SIGINT', onLateSigint);
  }

  const run = finishRun({ parsed, ctx, rows, front: front.front, batchEnds, seed, started, wallSeconds: (performance.now() - t0) / 1000, stopReason, driverName: driver.name });
  run.backend = executor.backendInfo();
  run.highlights = await highlightsFor(rows, front.front, objectives, (params) => executor.call<Breakdown>(EVALUATE_MODULE, 'pointBreakdown', [ctx, params]));
  try {
    const energy = await import('../sim/hw/energy.ts');
    run.provenance = { energyAreaTables: (energy as Record<string, unknown>).TABLE_PROVENANCE ?? null };
  } catch {
    run.provenance = {};
  }
  const pointRows = toPointRows(rows, new Set(front.front));
  writeRunOutputs(dir, run, pointRows);
  if (opts.report !== false) {
    try {
      const rep = await import('../reports/index.ts');
      await rep.writeReport(dir, { interactive: !!opts.interactive });
    } catch (e) {
      log(`warning: report.html not written: ${(e as Error).message}`);
    }
  }
  return { dir, run, rows: pointRows };
}

function toPointRows(rows: EvaluatedPoint[], front: Set<number>): PointRow[] {
  return rows.map((r, i) => ({
    id: r.id,
    params: r.params,
    metrics: r.metrics,
    feasible: r.status === 'ok' && r.feasible,
    pareto: front.has(i),
    status: r.status,
    error: r.error,
    fidelity: r.fidelity,
  }));
}

interface FinishArgs {
  parsed: ParsedSpace;
  ctx: EvalContext;
  rows: EvaluatedPoint[];
  front: number[];
  batchEnds: number[];
  seed: number;
  started: Date;
  wallSeconds: number;
  stopReason?: string;
  driverName: string;
}

/** Hypervolume after each batch, normalised by the bounds of all feasible points of the run. */
export function hypervolumeTrajectory(rows: EvaluatedPoint[], objectives: Objective[], batchEnds: number[]): { evals: number; hv: number }[] {
  const okIdx = rows.map((r, i) => (r.status === 'ok' && r.feasible ? i : -1)).filter((i) => i >= 0);
  const vec = (i: number) => toMinVector(rows[i].metrics, objectives);
  const norm = normaliser(okIdx.map(vec));
  const out: { evals: number; hv: number }[] = [];
  let frontVecs: number[][] = [];
  let from = 0;
  for (const end of batchEnds) {
    const cand = frontVecs.slice();
    for (let i = from; i < end; i++) if (rows[i].status === 'ok' && rows[i].feasible) cand.push(norm.apply(vec(i)));
    const mask = paretoMask(cand, cand.map(() => true));
    frontVecs = cand.filter((_, k) => mask[k]);
    out.push({ evals: end, hv: hypervolume(frontVecs, norm.ref) });
    from = end;
  }
  return out;
}

function finishRun(a: FinishArgs): RunJson {
  const { parsed, rows } = a;
  const ok = rows.filter((r) => r.status === 'ok').length;
  const feasible = rows.filter((r) => r.status === 'ok' && r.feasible).length;
  return {
    name: parsed.space.name,
    space: parsed.space,
    yaml: parsed.yaml,
    spaceFile: parsed.file,
    model: a.ctx.model,
    objectives: parsed.objectives,
    constraints: parsed.constraints.map((c) => c.text),
    parameters: parsed.domains.map((d) => d.key),
    metrics: metricColumns(rows),
    seed: a.seed,
    driver: a.driverName,
    counts: { total: rows.length, ok, failed: rows.length - ok, feasible, pareto: a.front.length },
    startedAt: a.started.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: a.wallSeconds,
    versions: { 'spatten-dse': packageVersion(), node: process.version },
    provenance: {},
    hypervolume: hypervolumeTrajectory(rows, parsed.objectives, a.batchEnds),
    hvReference: parsed.objectives.map(() => 1.1),
    highlights: [],
    stopReason: a.stopReason,
  };
}

/** Knee (closest to the ideal point in normalised objective space) and the best point per objective. */
async function highlightsFor(rows: EvaluatedPoint[], front: number[], objectives: Objective[], breakdown: (params: Params) => Promise<Breakdown>): Promise<Highlight[]> {
  if (front.length === 0) return [];
  const vecs = front.map((i) => toMinVector(rows[i].metrics, objectives));
  const norm = normaliser(vecs);
  const picks: { i: number; label: string }[] = [];
  let knee = front[0];
  let best = Infinity;
  front.forEach((i, k) => {
    const v = norm.apply(vecs[k]);
    const d = Math.hypot(...v);
    if (d < best) {
      best = d;
      knee = i;
    }
  });
  picks.push({ i: knee, label: 'knee' });
  objectives.forEach((o, j) => {
    let bi = front[0];
    let bv = Infinity;
    front.forEach((i, k) => {
      if (vecs[k][j] < bv) {
        bv = vecs[k][j];
        bi = i;
      }
    });
    const existing = picks.find((p) => p.i === bi);
    if (existing) existing.label += `, best ${o.metric}`;
    else picks.push({ i: bi, label: `best ${o.metric}` });
  });
  // in parallel: on the pool workers when the run used them
  return await Promise.all(
    picks.map(async (p): Promise<Highlight> => {
      const r = rows[p.i];
      try {
        return { id: r.id, label: p.label, params: r.params, metrics: r.metrics, ...(await breakdown(r.params)) };
      } catch {
        // A highlight without a breakdown is still worth listing.
        return { id: r.id, label: p.label, params: r.params, metrics: r.metrics, stages: {}, energy: {}, area: {} };
      }
    }),
  );
}

async function openQueueBackend(url: string, prepared: ReturnType<typeof prepareRun>, jobs: number, cpuBound: boolean, log: (line: string) => void) {
  const { QueueBackend } = await import('./backends/queue.ts');
  const { modelVersion } = await import('./executor.ts');
  const b = await QueueBackend.open({ url, name: prepared.parsed.space.name, dir: prepared.dir, modelVersion: modelVersion(), jobs, log });
  if (!cpuBound && prepared.ctx.model === 'analytical') log('queue: the analytical model (about 1 µs per point) is evaluated here; only cycle and accuracy evaluations go on the queue');
  return b;
}
