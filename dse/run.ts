/**
 * The runner: one function per step, each with typed input and output —
 *   search (dse/steps/search.ts) → refine (accuracy rungs) → re-score (dse/steps/refine.ts)
 *   → highlight (dse/steps/highlight.ts) → write (dse/steps/write.ts) → report (a hook: the CLI
 *   passes the HTML report; the runner imports nothing from reports/ — the bound notes and the
 *   sensitivity accumulator are in core/, and test/layering.test.ts checks it).
 *
 * Bad input (space file, base config, trace path) is rejected before anything is written.
 */
import { printable } from './cli-util.ts';
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { FAST_FIDELITY, fidelity, fidelityPlan } from '../sim/fidelities.ts';
import { evaluateHardware } from '../sim/index.ts';
import { HW_METRICS } from '../sim/metrics.ts';
import type { PointRow, RunJson } from '../core/results.ts';
import { InputError, RunFileError } from './errors.ts';
import { basePoint, isCpuBound, type EvalContext } from './evaluate.ts';
import { Executor } from './executor.ts';
import { modelVersion } from './model-version.ts';
import { withCheckpoint } from './key-material.ts';
import { warmTask } from './tasks.ts';
import { accuracyRungs, algoKey, capLmExamples, configValues, inertSeedNote, pairedSeparability, withActingSeed, withExamples, type AccuracySpec } from './fidelity.ts';
import { locateIn } from './space-issues.ts';
import { checkTextFile } from './text-file.ts';
import { defaultJobs } from './pool.ts';
import { resolveMode, type ProgressMode } from './progress.ts';
import { boundNotes } from '../core/bounds.ts';
import { loadSpace, type ParsedSpace } from './space.ts';
import { highlight, subsetHighlightNote } from './steps/highlight.ts';
import { denseInterrupted, resolveDense } from './steps/dense.ts';
import type { DenseReference } from './dense-reference.ts';
import { Abandoned, Interrupts } from './steps/interrupts.ts';
import { refine, rescore } from './steps/refine.ts';
import { search, type SearchOutput } from './steps/search.ts';
import { runJson, write } from './steps/write.ts';
import type { RunSink } from './sink.ts';
import { collectRows, stoppedUnwritten } from './steps/collect.ts';
import { pairedEffects } from './steps/paired-effects.ts';
import type { EvaluatedPoint } from './evaluate.ts';
import { JOURNAL_FILE, journalHoldsRecords } from './journal.ts';
import { allFailed, guardRun, noFeasible, prefetchGitCommit, removeEmptyJournal, rescoredViolations } from './run-checks.ts';
import type { StopReason } from './stop.ts';
import { openRun } from './steps/open.ts';

/**
 * The status line's note on the new evaluations whose accuracy came from saved per-example scores
 * (another `accuracy.seed`'s run: dse/accuracy-outcomes.ts), so a rerun does not read as the model
 * having run again.
 */
const fromScoresNote = (n: number): string => (n > 0 ? ` (${n} of them from saved per-example scores: no forward pass)` : '');

/**
 * The status line of a rerun, a resume or a run with --reuse: how many evaluations came from a
 * journal, and with --reuse from which (this folder's, the --reuse folders'), and how many this
 * run evaluated.
 */
function reusedLine(label: string, e: Pick<Executor, 'reused' | 'reusedForeign' | 'evaluated' | 'evaluatedFromScores'>, reuse: boolean): string {
  const own = e.reused - e.reusedForeign;
  const from = !reuse ? 'from the journal' : own === 0 ? 'from the --reuse folders' : e.reusedForeign === 0 ? "from this folder's journal" : `(${own} from this folder's journal, ${e.reusedForeign} from the --reuse folders)`;
  return `${label}: ${e.reused} ${e.reused === 1 ? 'evaluation' : 'evaluations'} reused ${from}, ${e.evaluated} new${fromScoresNote(e.evaluatedFromScores)}`;
}

/** Why none of the --reuse folders' records matched (a record is reused on exact inputs only). */
const REUSE_NONE = (n: number) =>
  `reuse: none of the ${n} evaluations of the --reuse folders matched a point of this run: a record is reused only for the same parameters as written (a knob swept here but fixed there, even at the same value, or the reverse, does not match), base configuration, baseline platform, model version and fidelity`;

export { packageVersion } from './steps/write.ts';

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
  writeReport?: (dir: string, opts: { interactive: boolean }, input: { run: RunJson; points: PointRow[] }) => Promise<unknown>;
  /**
   * Called once, at the start of a run whose evaluations run off this thread (pool workers or a
   * queue) and that will write a report: loads and warms what `writeReport` needs while this thread
   * would only wait, so the report is not a serial tail after the last evaluation.
   */
  preloadReport?: () => void;
  /** Where progress and notes go (default stderr). */
  log?: (line: string) => void;
  /** Continue from the folder's journal: re-evaluate nothing that finished. */
  resume?: boolean;
  /** Other run folders whose journaled evaluations may be reused (same params, models, base config). */
  reuse?: string[];
  /** Discard the folder's journal and start over (the only way a journal is truncated). */
  fresh?: boolean;
  /** Write into a non-empty folder that is not a results folder of this tool. */
  force?: boolean;
  /** Size guard (default 10^7 points). */
  maxPoints?: number;
  /** The command line, recorded in run.json. */
  argv?: string[];
  /** Redis URL: CPU-bound evaluations go on a BullMQ queue for `spatten-dse worker` processes (dse/backends/queue.ts). */
  queue?: string;
  /** With `queue`: the namespace of its keys (only workers of the same one serve the run). */
  namespace?: string;
  /** With `queue`: add no job until this many workers are connected to the run's queue. */
  waitWorkers?: number;
  /** How long finished results may wait to be journaled together, ms (dse/executor.ts `journalFlushMs`; 0 in tests: a line per result). */
  journalFlushMs?: number;
}

export interface RunSummary {
  dir: string;
  run: RunJson;
  rows: PointRow[];
  /** False when no output was written (every point failed, or a signal came during the dense model's run). */
  written?: boolean;
  /** With `written: false`: the journal kept for the next run in the folder (it holds evaluations). */
  journalKept?: string;
  /** False when report.html was not written. */
  reportWritten?: boolean;
}

export interface PreparedRun {
  parsed: ParsedSpace;
  ctx: EvalContext;
  dir: string;
  seed: number;
  /** The dense model's outcome, once the run resolved its relative constraints with it (dse/steps/dense.ts). */
  dense?: DenseReference;
}

/** Validate everything a run needs before any output is written. */
export function prepareRun(opts: RunOptions): PreparedRun {
  const parsed = loadSpace(opts.spaceFile, { maxPoints: opts.maxPoints });
  const space = parsed.space;
  let base;
  // a trace's problems are named at its field: file:line:col
  const traceAt = space.workload.trace ? `${opts.spaceFile}:${locateIn(parsed.yaml, ['workload', 'trace'])}` : opts.spaceFile;
  try {
    base = basePoint(space, opts.spaceFile);
  } catch (e) {
    // resolveTracePath's "no such file", named at the field
    if (e instanceof InputError && space.workload.trace && /workload\.trace: no such file/.test(e.message)) throw new InputError(`${traceAt}: workload.trace: no such file "${space.workload.trace}"`);
    if (e instanceof InputError) throw e;
    throw new InputError(`${opts.spaceFile}: invalid base configuration: ${(e as Error).message}`);
  }
  if (base.workload.trace && isFolder(base.workload.trace)) throw new InputError(`${traceAt}: workload.trace: "${space.workload.trace}" is a folder, not a trace file`);
  // its first 4 KB: a binary file or a device (/dev/zero, read whole, would never end) is refused as simulate --trace refuses it
  if (base.workload.trace) checkTextFile(base.workload.trace, `${traceAt}: workload.trace`);
  // Check that the base point itself evaluates (e.g. the trace parses) — fail fast as bad input.
  try {
    if (base.workload.trace) evaluateHardware(base, { fidelity: FAST_FIDELITY });
  } catch (e) {
    throw new InputError(`${traceAt}: workload: ${(e as Error).message}`);
  }
  const seed = opts.seed ?? space.search.seed;
  const dir = opts.outDir ?? path.join('results', space.name);
  const ctx: EvalContext = {
    base,
    fidelity: space.fidelity,
    constraints: parsed.constraints,
    // without a seed that changes no number (a classifier's): it would key the journal and caches apart
    accuracy: space.accuracy && lmExamplesCapped(parsed, withCheckpoint(withActingSeed(space.accuracy))),
    modelOptions: space.cycle,
    metrics: [...HW_METRICS],
    ...(space.baseline ? { baseline: space.baseline } : {}),
    ...(parsed.domains.some((d) => d.key === 'workload.benchmark') ? { algoWritten: { ...space.algo } } : {}),
  };
  return { parsed, ctx, dir, seed };
}

/** The accuracy block with an LM's maxExamples capped at its test windows; its note, and a classifier's seed's, join the space's notes. */
function lmExamplesCapped<S extends AccuracySpec>(parsed: ParsedSpace, spec: S): S {
  const r = capLmExamples(spec, `${parsed.file}:${locateIn(parsed.yaml, ['accuracy', 'maxExamples'])}`);
  if (r.note) parsed.notes.push(r.note);
  const seed = parsed.space.accuracy && inertSeedNote(parsed.space.accuracy, `${parsed.file}:${locateIn(parsed.yaml, ['accuracy', 'seed'])}`);
  if (seed) parsed.notes.push(seed);
  return r.spec;
}

/** Some step of the run is CPU-bound (then --jobs defaults to the cores). */
function anyCpuBound(ctx: EvalContext): boolean {
  const r = fidelityPlan(ctx.fidelity).rescore;
  return isCpuBound(ctx) || (r !== undefined && fidelity(r).cpuBound);
}

export async function runSpace(opts: RunOptions): Promise<RunSummary> {
  const log = opts.log ?? ((s: string) => process.stderr.write(printable(s) + '\n'));
  const prepared = prepareRun(opts);
  for (const n of prepared.parsed.notes) log(`note: ${n}`);
  // The journal (and the folder lock) is taken after validation, so bad input writes nothing.
  // With accuracy on, the search runs on the cheap accuracy rung (a small example subset) and
  // the refine step promotes the contenders afterwards (dse/fidelity.ts).
  const rungs = accuracyRungs(prepared.ctx.accuracy, prepared.parsed.space.search.driver);
  const loopCtx = rungs ? withExamples(prepared.ctx, rungs[0]) : prepared.ctx;
  // out folder, --reuse folders, the folder's journal, --jobs: all checked before the lock or any write
  const guard = guardRun(opts, prepared.ctx, prepared.parsed.space.name, opts.spaceFile, prepared.dir, log);
  const jobs = Math.max(1, guard.jobs ?? (anyCpuBound(prepared.ctx) ? defaultJobs() : 1));
  // --queue: Redis is checked before anything is written (unreachable → exit 2)
  checkQueueOptions(opts);
  const backend = opts.queue ? await openQueueBackend(opts.queue, prepared, jobs, opts, log) : undefined;
  // the folder's journal, if this run continues one (a stale folder is moved aside by openRun)
  const continues = !opts.fresh && !guard.stale && existsSync(path.join(prepared.dir, JOURNAL_FILE));
  startLine(opts, prepared, { rungs, continues, queued: !!backend, jobs }, log);
  const interrupts = new Interrupts(log);
  const { executor, dirExisted } = await openRun({ opts, prepared, guard, continues, loopCtx, jobs, backend, log, interrupts });
  const end: RunEnd = { badBound: false };
  try {
    interrupts.attach(executor);
    if (executor.offThread) prefetchWhileWaiting(opts);
    const stopped = await relativeBounds(prepared, executor, log, interrupts, end);
    if (stopped) return (end.summary = stopped);
    end.summary = await steps({ opts, prepared, executor, log, interrupts });
    return end.summary;
  } finally {
    await closeRun(prepared, executor, interrupts, end, { journal: !continues, dir: dirExisted });
  }
}

/** --wait-workers and --namespace act on a queue's workers only. */
function checkQueueOptions(opts: Pick<RunOptions, 'queue' | 'waitWorkers' | 'namespace'>): void {
  if (opts.waitWorkers !== undefined && !opts.queue) throw new InputError('--wait-workers: only with --queue (the workers of a local run are this machine\'s threads)');
  if (opts.namespace !== undefined && !opts.queue) throw new InputError('--namespace: only with --queue (it names the Redis keys that the run and its workers share)');
}

/** A first line at once: loading the accuracy model and starting workers takes seconds. */
function startLine(opts: RunOptions, prepared: PreparedRun, run: { rungs: ReturnType<typeof accuracyRungs>; continues: boolean; queued: boolean; jobs: number }, log: (line: string) => void): void {
  if (resolveMode(opts.progress ?? 'auto') === 'none') return;
  const { rungs, continues, queued, jobs } = run;
  const acc = prepared.ctx.accuracy;
  // a run that continues a journal may need neither the model nor the workers (a rerun)
  const steps = continues ? [] : [acc ? `loading ${acc.model} (accuracy on ${rungs ? `${rungs.map((n) => n ?? 'all').join(' → ')} examples` : `${acc.maxExamples ?? 'all'} examples`})` : '', !queued && anyCpuBound(prepared.ctx) && jobs > 1 ? `warming ${jobs} workers` : ''].filter(Boolean);
  log(`${prepared.parsed.space.name}: ${steps.length ? steps.join(', ') + '…' : 'starting…'}`);
}

/** How a run ended, read as it closes: its summary, if it has one, and whether a relative bound was bad input. */
interface RunEnd {
  summary?: RunSummary;
  badBound: boolean;
}

/**
 * The dense model's run for the relative constraints (dse/steps/dense.ts). A signal during it:
 * the run's summary (nothing evaluated, nothing written). A relative bound the dense value puts
 * off its scale: bad input (exit 2, `end.badBound`), no output written; the dense model's outcome
 * stays journaled, for the run with the bound fixed. A journal that could not be written is not a
 * bound: the run stops as at any point of its search.
 */
async function relativeBounds(prepared: PreparedRun, executor: Executor, log: (line: string) => void, interrupts: Interrupts, end: RunEnd): Promise<RunSummary | undefined> {
  try {
    await resolveDense(prepared, executor, log, interrupts);
    return undefined;
  } catch (e) {
    if (e instanceof Abandoned) return denseInterrupted(prepared, e.signal);
    if (e instanceof RunFileError) throw stoppedUnwritten(e, prepared.dir);
    end.badBound = e instanceof InputError;
    if (end.badBound) throw new InputError(`${(e as Error).message}\n(the dense model's outcome is kept in ${path.join(prepared.dir, JOURNAL_FILE)}: the same command in this folder, with the bound fixed, takes it from there)`);
    throw e;
  }
}

/**
 * Closes the run's workers, journal and lock; the signal handlers stay meanwhile (a signal there is
 * only noted). With no output written (every point failed, a bad bound, a signal during the dense
 * model's run), a journal this run started (`started.journal`) is removed only when it holds no
 * evaluation — the dense model's outcome and the points evaluated are what the next run in the
 * folder continues from — and a kept one is named in the summary (`journalKept`).
 */
async function closeRun(prepared: PreparedRun, executor: Executor, interrupts: Interrupts, end: RunEnd, started: { journal: boolean; dir: boolean }): Promise<void> {
  interrupts.closing();
  await executor.close().finally(() => interrupts.dispose());
  if (end.summary?.written === false || end.badBound) {
    const removed = started.journal && removeEmptyJournal(prepared.dir, started.dir);
    if (!removed && end.summary && journalHoldsRecords(path.join(prepared.dir, JOURNAL_FILE))) end.summary.journalKept = path.join(prepared.dir, JOURNAL_FILE);
  }
}

/** What the end of a run needs that can be had while the evaluations run elsewhere: the report's modules, the git commit. */
function prefetchWhileWaiting(opts: RunOptions): void {
  void prefetchGitCommit();
  if (opts.report !== false && opts.writeReport) opts.preloadReport?.();
}

/** What the steps of a run share: its options, the validated space, the executor, the log and the signal handling. */
interface StepsInput {
  opts: RunOptions;
  prepared: PreparedRun;
  executor: Executor;
  log: (line: string) => void;
  interrupts: Interrupts;
}

/** The steps after the journal is open: search, refine and re-score, then the outputs and the report. */
async function steps(input: StepsInput): Promise<RunSummary> {
  const { opts, prepared, executor, interrupts } = input;
  const { dir, parsed } = prepared;
  const started = new Date();
  const t0 = performance.now();
  const held: { sink?: RunSink } = {};
  try {
    const { found, error, sink, metrics, rows } = await collectRows(prepared, held, (rows, onBatch) => searchAndRefine(input, t0, rows, onBatch));
    let { stopReason, stopDetail } = stopOf(found, error, interrupts);
    const checked = sink.checkRows();
    const failedAll = allFailed(checked);
    if (failedAll) [stopReason, stopDetail] = ['failed', failedAll];
    const wallSeconds = (performance.now() - t0) / 1000;
    // the report's rows (the front, the sample), built once: the separability and the write step both take them
    const reportRows = sink.reportRows();
    const record = { ...runFacts(input, sink, checked, reportRows, rows), sink, started, wallSeconds, driverName: found.driverName, stopReason, stopDetail, metrics };
    if (failedAll) {
      // nothing worth writing: the CLI prints the first error and exits 1
      if (error) throw error;
      const run = runJson({ ...record, highlights: [] }, {});
      return { dir, run, rows: [], written: false, reportWritten: false };
    }
    const highlights = await highlight(sink.front, parsed.objectives, (params) => executor.call('breakdown', prepared.ctx, params, executor.knownAccuracy(prepared.ctx, params)));
    const out = await write({ ...record, highlights, backend: executor.backendInfo() }, reportRows);
    held.sink = undefined;
    const reportWritten = await reportStep(opts, dir, out, input.log);
    if (error) throw error;
    return { dir, run: out.run, rows: out.rows, reportWritten };
  } finally {
    held.sink?.discard();
  }
}

/**
 * What run.json says of a run beyond its points: its notes, options, evaluation counts, the accuracy
 * separability (of the report's rows) and the parameters' paired effects (of every row: `rows`).
 */
function runFacts(input: StepsInput, sink: RunSink, checked: EvaluatedPoint[], reportRows: PointRow[], rows: readonly EvaluatedPoint[]) {
  const { opts, prepared, executor } = input;
  const { dir, parsed, ctx, seed } = prepared;
  const plan = fidelityPlan(ctx.fidelity);
  const values = configValues(executor, ctx);
  const notes = [noFeasible(checked, parsed.constraints), rescoredViolations(sink.front, parsed.constraints, plan.primary, plan.rescore), subsetHighlightNote(sink.front)].filter((n): n is string => n !== undefined);
  return {
    dir,
    parsed,
    ctx,
    dense: prepared.dense,
    seed,
    notes: notes.length ? notes : undefined,
    separability: ctx.accuracy ? pairedSeparability(reportRows, parsed.objectives, values) : undefined,
    pairedEffects: ctx.accuracy ? pairedEffects(rows, parsed.domains.map((d) => d.key), parsed.objectives, values, algoKey) : undefined,
    options: runOptionsRecord(opts, executor.jobs),
    evaluations: { reused: executor.reused, reusedFromOtherFolders: executor.reusedForeign, evaluated: executor.evaluated, evaluatedFromScores: executor.evaluatedFromScores },
  };
}

/**
 * The search, then (when it ended without an error) the refine and re-score steps. Their error is
 * returned as `lateError`, not thrown: the outputs of what finished are still written.
 */
async function searchAndRefine(input: StepsInput, t0: number, rows: EvaluatedPoint[], onBatch: (b: EvaluatedPoint[]) => void): Promise<{ found: SearchOutput; lateError?: unknown }> {
  const { opts, prepared, executor, log, interrupts } = input;
  const { parsed, ctx, seed } = prepared;
  const space = parsed.space;
  const objectives = parsed.objectives;
  let found = await search({
    parsed,
    executor,
    seed,
    maxEvals: opts.maxEvals ?? space.search.maxEvals ?? Infinity,
    timeLimit: opts.timeLimit ?? space.search.timeLimit ?? Infinity,
    t0,
    progress: opts.progress ?? 'auto',
    interrupts,
    onBatch,
  });
  interrupts.searchDone();
  if (found.error) return { found };
  try {
    const refined = await refine({ rows, objectives, ctx, driverName: space.search.driver, executor, interrupts, log, progress: opts.progress ?? 'auto' });
    if (refined?.cutShort && !found.stopReason) found = rungsCutShort(found, rows, opts.timeLimit ?? space.search.timeLimit);
    await rescore({ rows, objectives, ctx, executor, interrupts });
    // a rerun into the same folder continues without --resume too: it says what came from the journal
    // (a --resume of a folder with no finished evaluation, e.g. after a failed start, is a first run)
    const reuse = !!opts.reuse?.length;
    const label = executor.journalRecords > 0 ? (opts.resume ? 'resume' : 'continuing') : reuse ? 'reuse' : undefined;
    if (label) log(reusedLine(label, executor, reuse));
    if (opts.reuse?.length && executor.reusedForeign === 0 && executor.foreignRecords > 0) log(REUSE_NONE(executor.foreignRecords));
  } catch (e) {
    return { found, lateError: e };
  }
  return { found };
}

/**
 * The search completed but its time limit stopped the accuracy rungs: the run says so ("stopped:
 * time-limit") instead of "completed", with the points left at a subset rung.
 */
function rungsCutShort(found: SearchOutput, rows: EvaluatedPoint[], timeLimit: number | undefined): SearchOutput {
  const subset = rows.filter((r) => r.status === 'ok' && /:subset\(n=\d+\)/.test(r.fidelity)).length;
  const limit = timeLimit !== undefined && Number.isFinite(timeLimit) ? `${timeLimit} s` : 'the time limit';
  return { ...found, stopReason: 'time-limit', stopDetail: `${limit} reached during the accuracy rungs: ${subset} points keep a subset estimate; the same command again continues them` };
}

/** Why the run stopped; the first cause wins: a signal, an error, a budget; else the driver was done. */
function stopOf(found: SearchOutput, error: unknown, interrupts: Interrupts): { stopReason: StopReason; stopDetail?: string } {
  const stopReason: StopReason = interrupts.reason ?? (error ? 'failed' : (found.stopReason ?? 'completed'));
  const stopDetail = interrupts.signal ? `${interrupts.signal} received` : error ? String((error as Error)?.message ?? error).split('\n')[0] : found.stopDetail;
  return { stopReason, stopDetail };
}

/**
 * After the outputs are written: the notes on the bounds, then the report hook (its failure is a
 * warning). True when report.html was written. When it is not (--no-report, or the report failed),
 * a report.html of an earlier run in the folder is removed: it was drawn from the points.csv and
 * run.json this run replaced (e.g. a budget-stopped run's 50 points, when these hold 864).
 */
async function reportStep(opts: RunOptions, dir: string, out: { run: RunJson; rows: PointRow[] }, log: (line: string) => void): Promise<boolean> {
  for (const note of boundNotes(out.run, out.rows)) log(`note: ${note}`);
  if (opts.report !== false && opts.writeReport) {
    try {
      await opts.writeReport(dir, { interactive: !!opts.interactive }, { run: out.run, points: out.rows });
      return true;
    } catch (e) {
      log(`warning: report.html not written: ${(e as Error).message}`);
    }
  }
  const stale = path.join(dir, 'report.html');
  if (existsSync(stale)) {
    rmSync(stale, { force: true });
    log(`note: removed ${stale}: it was drawn from the outputs of an earlier run, which this run replaced; \`spatten-dse report ${dir}\` draws one from these`);
  }
  return false;
}

/** The options a run was given (run.json `options`), as the CLI saw them. */
function runOptionsRecord(o: RunOptions, jobs: number): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    argv: o.argv,
    out: o.outDir,
    jobs,
    seed: o.seed,
    maxEvals: o.maxEvals,
    timeLimit: o.timeLimit,
    maxPoints: o.maxPoints,
    resume: o.resume,
    fresh: o.fresh,
    force: o.force,
    reuse: o.reuse?.length ? o.reuse : undefined,
    report: o.report,
    interactive: o.interactive,
  };
  for (const k of Object.keys(rec)) if (rec[k] === undefined) delete rec[k];
  return rec;
}

async function openQueueBackend(url: string, prepared: PreparedRun, jobs: number, o: Pick<RunOptions, 'waitWorkers' | 'namespace'>, log: (line: string) => void) {
  const { QueueBackend } = await import('./backends/queue.ts');
  const b = await QueueBackend.open({ url, name: prepared.parsed.space.name, dir: prepared.dir, modelVersion: modelVersion(), jobs, waitWorkers: o.waitWorkers, namespace: o.namespace, warm: warmTask(prepared.ctx), log });
  if (!anyCpuBound(prepared.ctx)) log('queue: the analytical model (microseconds per point) is evaluated here; only cycle and accuracy evaluations go on the queue');
  return b;
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
