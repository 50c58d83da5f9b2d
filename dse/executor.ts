/**
 * The executor: evaluates a batch of trials for the runner, with
 * - the journal (dse/journal.ts): a trial whose key (params + model version + fidelity + base
 *   point/workload) is already journaled is not re-evaluated (`--resume`, cross-run reuse); every
 *   new evaluation is appended durably as soon as it finishes;
 * - the worker pool (dse/pool.ts) for CPU-bound models (cycle, accuracy) when jobs > 1, the main
 *   thread otherwise (the analytical model costs about a microsecond);
 * - interrupts: `abort()` abandons in-flight pool tasks; `evaluate` then returns only what finished.
 *
 * Constraint violations are recomputed from the stored metrics on reuse, so a journal stays valid
 * when a space's constraints or objectives change.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProgressMode } from './progress.ts';
import { denseWithProgress } from './dense-progress.ts';
import type { Params, Trial } from './driver.ts';
import { isCpuBound, primaryFidelity, type EvalContext, type EvaluatedPoint } from './evaluate.ts';
import { type AccuracyOutcome } from './accuracy-runs.ts';
import { InputError } from './errors.ts';
import { indexJournal, Journal, JOURNAL_FILE, journalKeyFast, stableStringify, type JournalRecord, type KeyInputs, type OpenOptions } from './journal.ts';
import { readingNote, type JournalIndex } from './journal-index.ts';
import { JOURNAL_FLUSH_MS, journalBatcher } from './journal-flush.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';
import { workerBundle } from './bundle.ts';
import { importEsm } from '../core/import-esm.ts';
import { modelVersion } from './model-version.ts';
import { LocalBackend } from './backends/local.ts';
import type { BackendInfo, EvalBackend } from './backends/types.ts';
import { AccuracyOutcomes, denseScoresRecord } from './accuracy-outcomes.ts';
import { pointFromRecord, toRecords } from './point-records.ts';
import { TASKS, warmTask, type PointTask, type TaskArgs, type TaskName, type TaskResult, type Tasks } from './tasks.ts';
import { dispatch, type Todo } from './pool-dispatch.ts';

import { keyMaterial } from './key-material.ts';

export interface ExecutorOptions {
  ctx: EvalContext;
  /** Results folder (journal + lock live there). */
  dir: string;
  /** Continue the folder's journal explicitly (--resume: logged as such). The journal is always kept unless `fresh`. */
  resume?: boolean;
  /** Discard the folder's journal and start over (--fresh). */
  fresh?: boolean;
  /** Header of a new journal (space identity, model version). */
  header?: OpenOptions['header'];
  /** Evaluation lanes for CPU-bound evaluations: 1 = the main thread; N > 1 = N pool workers (the main thread dispatches). */
  jobs?: number;
  /** Use the pool (CPU-bound model). Default: model cycle or accuracy on, and jobs > 1. */
  usePool?: boolean;
  /** Disable the journal entirely (library use, benches). */
  journal?: boolean;
  /**
   * Answer a point evaluated earlier in this session from the journal (a service asked the same
   * point twice). A run asks each point once: it keeps nothing it journaled (default false).
   */
  rememberAppended?: boolean;
  /** Other run folders whose journals may supply evaluations (read-only, no lock). */
  reuse?: string[];
  /** Where CPU-bound evaluations run instead of the local pool (e.g. a queue, dse/backends/). */
  backend?: EvalBackend;
  /** How long finished results may wait to be journaled together, ms (dse/journal-flush.ts; 0: a write per result). */
  journalFlushMs?: number;
  log?: (line: string) => void;
  /**
   * Progress of the dense model's run (`call('dense', …)`), as the run's --progress. Absent: a bar
   * on a terminal, nothing otherwise (a caller that has a --progress passes it).
   */
  progress?: ProgressMode;
}

/** A custom evaluation step (e.g. re-scoring) that runs in-process or in a pool worker. */
export interface Step {
  /** Fidelity label, part of the journal key. */
  fidelity: string;
  /** The task that evaluates one point (dse/tasks.ts; default: the primary evaluation). */
  task?: PointTask;
  /** Evaluation context for this step (default: the executor's), e.g. a larger accuracy subset. */
  ctx?: EvalContext;
  /** Extra key material. */
  keyExtra?: unknown;
  /** CPU-bound step (runs on the pool when jobs > 1); default: as the primary evaluation. */
  cpuBound?: boolean;
}

export class Executor {
  readonly ctx: EvalContext;
  readonly jobs: number;
  readonly usePool: boolean;
  /** The primary evaluation is CPU-bound (cycle model or accuracy). */
  readonly cpuBound: boolean;
  /** Evaluations reused from the journal / newly evaluated, so far. */
  reused = 0;
  /** Of those reused, how many came from a --reuse folder's journal. */
  reusedForeign = 0;
  /** Records the --reuse folders' journals hold. */
  foreignRecords = 0;
  evaluated = 0;
  /** Of those evaluated, how many took their accuracy from saved per-example scores (another seed's run): no forward pass. */
  get evaluatedFromScores(): number {
    return this.accuracy.fromScores;
  }
  /** Finished evaluations this folder's journal held when the run opened it (a continuation when > 0). */
  get journalRecords(): number {
    return this.journal?.recovered.records ?? 0;
  }
  private readonly journal?: Journal;
  /**
   * Other runs' journals (`--reuse`), indexed by key, the last folder first (a key in several
   * folders is taken from the last one given); records are read back from the files on demand.
   */
  private readonly foreign: JournalIndex[] = [];
  private poolReady?: Promise<EvalBackend>;
  private backend?: EvalBackend;
  /** CPU-bound steps go to the backend (local pool with jobs > 1, or a given backend). */
  private readonly parallel: boolean;
  /** A given backend (a queue) names its jobs by the journal key: keys are always computed. */
  private readonly keyedBackend: boolean;
  private aborted = false;
  private stopping = false;
  /** performance.now() after which no new evaluation starts (time limit). */
  private deadline = Infinity;
  private readonly base: unknown;
  private readonly log: (line: string) => void;
  /** Accuracy outcomes and prefixes the workers and the journals gave (dse/accuracy-outcomes.ts). */
  private readonly accuracy = new AccuracyOutcomes((key, inputs) => this.anyJournal(key, inputs));
  private readonly flushMs: number;
  private readonly progress: ProgressMode;

  private constructor(opts: ExecutorOptions, journal?: Journal) {
    this.ctx = opts.ctx;
    // a given backend (e.g. a queue) says how many lanes it has; they size the runner's batches
    this.jobs = opts.backend ? opts.backend.jobs : Math.max(1, opts.jobs ?? 1);
    this.cpuBound = isCpuBound(opts.ctx);
    this.parallel = this.jobs > 1 || !!opts.backend;
    this.backend = opts.backend;
    this.keyedBackend = !!opts.backend;
    if (opts.backend) this.poolReady = Promise.resolve(opts.backend);
    this.usePool = opts.usePool ?? (this.cpuBound && this.parallel);
    this.journal = journal;
    this.log = opts.log ?? ((s) => process.stderr.write(s + '\n'));
    this.base = keyMaterial(opts.ctx);
    this.flushMs = opts.journalFlushMs ?? JOURNAL_FLUSH_MS;
    this.progress = opts.progress ?? (process.stderr.isTTY ? 'bar' : 'none');
  }

  /** Opens the journal (taking the folder lock: throws LockError when another run holds it). */
  static open(opts: ExecutorOptions): Executor {
    const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
    if (opts.journal !== false && !opts.fresh) readingNote(path.join(opts.dir, JOURNAL_FILE), log);
    const journal = opts.journal === false ? undefined : Journal.open(opts.dir, { keep: !opts.fresh, header: opts.header, rememberAppended: opts.rememberAppended ?? false });
    const ex = new Executor(opts, journal);
    for (const dir of opts.reuse ?? []) {
      const file = path.join(dir, JOURNAL_FILE);
      if (!fs.existsSync(file)) throw new InputError(`--reuse ${dir}: no ${JOURNAL_FILE} there`);
      readingNote(file, ex.log);
      const { index, scan } = indexJournal(file);
      ex.foreign.unshift(index);
      ex.foreignRecords += scan.records;
      ex.log(`reuse: ${scan.records} evaluations available from ${file}`);
    }
    const stale = journal?.staleLockFrom;
    if (stale) ex.log(`note: took over the stale lock of pid ${stale.pid} (started ${stale.startedAt}), which is no longer running`);
    // A journal with records may answer every point (a rerun): the workers then start at the first
    // point it does not hold (evaluate), and the report's breakdowns run here (call).
    if (isCpuBound(opts.ctx) && !(journal && journal.recovered.records > 0)) ex.warmUp();
    // a --resume of a folder with nothing finished (a run that failed at start, a new folder) says
    // nothing of a resume, unless it dropped a torn or unreadable line: it is a first run
    const r = journal?.recovered;
    if (journal && r && (r.records > 0 || (opts.resume && (r.torn || r.badLines > 0)))) {
      ex.log(
        `${opts.resume ? 'resume' : 'continuing'}: ${r.records} finished evaluation${r.records === 1 ? '' : 's'} in ${journal.file}${opts.resume ? '' : ' (reused where they match; --fresh to start over)'}` +
          (r.torn ? ` (dropped a torn last line of ${r.tornText?.length ?? 0} bytes)` : '') +
          (r.badLines ? ` (skipped ${r.badLines} unreadable lines)` : ''),
      );
    }
    return ex;
  }

  /** A result that is not a point's (the dense reference): this folder's journaled one under `name` and `material`, else `compute`'s, journaled. */
  async journaled(name: string, material: unknown, compute: () => Promise<Record<string, number>>): Promise<{ metrics: Record<string, number>; reused: boolean }> {
    const inputs = { params: {}, modelVersion: modelVersion(), fidelity: name, material: stableStringify(material) };
    const key = journalKeyFast(inputs.params, inputs.modelVersion, name, inputs.material);
    const rec = this.journal?.get(key, inputs);
    if (rec?.status === 'ok') return { metrics: rec.metrics, reused: true };
    const metrics = await compute();
    this.journal?.append({ key, id: -1, params: {}, fidelity: name, modelVersion: inputs.modelVersion, status: 'ok', metrics, violation: 0 });
    return { metrics, reused: false };
  }

  /** A record of this folder's journal, else of a --reuse folder's (the accuracy states' look-ups). */
  private anyJournal(key: string, inputs: KeyInputs): JournalRecord | undefined {
    if ((this.journal?.size ?? 0) === 0 && !this.foreign.some((f) => f.size > 0)) return undefined;
    return this.journal?.get(key, inputs) ?? this.fromOtherRun(key, inputs);
  }

  /** The dense configuration's journaled run state (dse/steps/dense.ts): the dense run completes from it (another seed's) instead of running the model. */
  denseScores(spec: NonNullable<EvalContext['accuracy']>): AccuracyPrefix | undefined {
    return this.accuracy.denseScores(spec);
  }

  /** Journals the dense configuration's run state (`denseScores` finds it). */
  keepDenseScores(spec: NonNullable<EvalContext['accuracy']>, prefix: AccuracyPrefix): void {
    this.journal?.append(denseScoresRecord(spec, prefix));
  }

  /** The accuracy outcome of a point's configuration, if a worker or the journal has given it. */
  knownAccuracy(ctx: EvalContext, params: Params): AccuracyOutcome | undefined {
    return this.accuracy.known(ctx, params);
  }

  /** The largest accuracy prefix a worker returned for a point's configuration, if any. */
  knownPrefix(ctx: EvalContext, params: Params): AccuracyPrefix | undefined {
    return this.accuracy.prefix(ctx, params);
  }

  /** True once the local pool's workers have been started (a given backend, e.g. a queue, is not counted). */
  get workersStarted(): boolean {
    return this.poolReady !== undefined && !this.keyedBackend;
  }

  /** True when evaluations run on pool workers or a queue's workers, not on this thread. */
  get offThread(): boolean {
    return this.usePool || this.keyedBackend;
  }

  get journalFile(): string | undefined {
    return this.journal?.file;
  }

  /**
   * The backend, started once: by default the local pool (dse/backends/local.ts). With accuracy on,
   * each worker loads the model as it starts: the dense model's run (one task, one worker) does not
   * leave the others cold until the search (they loaded TF.js and the model after it, serially).
   */
  private getPool(): Promise<EvalBackend> {
    this.poolReady ??= LocalBackend.open(this.jobs, warmTask(this.ctx)).then((b) => (this.backend = b));
    return this.poolReady;
  }

  /** Starts the workers now (they begin loading the models while the run sets up), or builds the bundle. */
  warmUp(): void {
    if (this.parallel) void this.getPool();
    else void workerBundle();
  }

  /**
   * Evaluations that can run at once now: 1 off the pool, the backend's capacity when it knows it
   * (a queue: its connected workers' threads), else `jobs` (the local pool's threads).
   */
  lanesNow(): number {
    return this.usePool ? (this.backend?.capacity?.() ?? this.jobs) : 1;
  }

  /** The backend's progress note (workers, queued jobs), if it has one. */
  backendStatus(): string | undefined {
    return this.backend?.status?.();
  }

  /** Where the evaluations ran (run.json). */
  backendInfo(): BackendInfo {
    return this.backend?.describe() ?? { kind: 'local', jobs: this.usePool ? this.jobs : 1 };
  }

  // stableStringify of the constant key material, per (ctx, extra): serialised once, not per point.
  private readonly keyJson = new Map<unknown, Map<string, string>>();

  key(params: Params, fidelity: string, extra?: unknown, ctx?: EvalContext): string {
    return journalKeyFast(params, modelVersion(), fidelity, this.material(extra, ctx));
  }

  /** The constant key material of a step (stable JSON), serialised once per (ctx, extra). */
  private material(extra?: unknown, ctx?: EvalContext): string {
    const owner = ctx ?? this;
    let perExtra = this.keyJson.get(owner);
    if (!perExtra) this.keyJson.set(owner, (perExtra = new Map()));
    const extraKey = extra === undefined ? '' : JSON.stringify(extra);
    let json = perExtra.get(extraKey);
    if (json === undefined) {
      const base = ctx ? keyMaterial(ctx) : this.base;
      json = stableStringify(extra === undefined ? base : { ...(base as object), extra });
      perExtra.set(extraKey, json);
    }
    return json;
  }

  /**
   * Evaluates trials (primary fidelity, or `step`); results sorted by id. After `abort()` the
   * abandoned trials are missing from the result.
   */
  async evaluate(trials: Trial[], step?: Step, onProgress?: (done: number) => void): Promise<EvaluatedPoint[]> {
    const ctx = step?.ctx ?? this.ctx;
    const fidelity = step?.fidelity ?? primaryFidelity(ctx);
    const out: EvaluatedPoint[] = [];
    const todo: Todo[] = [];
    const copied: JournalRecord[] = [];
    const material = this.material(step?.keyExtra, step?.ctx);
    // Keys are needed only to look records up (and by a queue, to name its jobs): a run whose
    // journal started empty and reuses no other folder never hashes (its batch lines carry the
    // key material; loading recomputes keys).
    const lookups = (this.journal?.size ?? 0) > 0 || this.foreign.some((f) => f.size > 0);
    const keyed = lookups || this.keyedBackend;
    for (const t of trials) {
      const key = keyed ? journalKeyFast(t.params, modelVersion(), fidelity, material) : '';
      const inputs = lookups ? { params: t.params, modelVersion: modelVersion(), fidelity, material } : undefined;
      let rec = inputs ? this.journal?.get(key, inputs) : undefined;
      const other = rec || !inputs ? undefined : this.fromOtherRun(key, inputs);
      if (other) {
        // from another run's journal: copy it into this run's journal (its own resume needs it)
        rec = { ...other, id: t.id, t: undefined };
        copied.push(rec);
        this.reusedForeign++;
      }
      if (rec) {
        out.push(pointFromRecord(t.id, t.params, rec, ctx));
        this.accuracy.fromRecord(ctx, t.params, rec);
        this.reused++;
      } else {
        // the workers start loading while the rest is looked up (once; see open)
        if (todo.length === 0 && this.cpuBound) this.warmUp();
        todo.push({ t, key });
      }
    }
    if (copied.length > 0) this.journal?.appendMany(copied);
    // points found in a journal count as done at once (a rung answered entirely from the journal
    // showed "0/N evaluated" as its last progress line)
    if (out.length > 0) onProgress?.(out.length);
    if (todo.length > 0 && !this.aborted) {
      const pooled = step?.cpuBound !== undefined ? step.cpuBound && this.parallel : this.usePool;
      const report = onProgress ? () => onProgress(out.length) : undefined;
      if (pooled) await this.viaPool(todo, fidelity, out, material, step, report);
      else await this.inProcess(todo, fidelity, out, material, step, report);
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** The record of this key in another run's journal (`--reuse`), if any. */
  private fromOtherRun(key: string, inputs: KeyInputs): JournalRecord | undefined {
    for (const f of this.foreign) {
      const r = f.get(key, inputs);
      if (r) return r;
    }
    return undefined;
  }

  private async inProcess(todo: Todo[], fidelity: string, out: EvaluatedPoint[], material: string, step?: Step, report?: () => void): Promise<void> {
    const fn = (await localTasks(step?.cpuBound ?? this.cpuBound))[step?.task ?? 'evaluate'];
    const ctx = step?.ctx ?? this.ctx;
    const batch = journalBatcher(this.journal, this.flushMs);
    for (const { t, key } of todo) {
      if (this.aborted || this.stopping || performance.now() >= this.deadline) break;
      const t0 = performance.now();
      // as on the pool (dse/pool-dispatch.ts): the configuration's known outcome, else its largest
      // run state (an earlier rung's, or another seed's journaled scores)
      const known = this.accuracy.known(ctx, t.params);
      const from = known || !ctx.accuracy ? undefined : this.accuracy.prefix(ctx, t.params);
      const [p, outcome, prefix] = this.accuracy.take(ctx, await fn(ctx, t.id, t.params, known, from), from);
      const ms = performance.now() - t0;
      out.push(p);
      this.evaluated++;
      // report progress and let signals (Ctrl-C) through whenever the journal was flushed (every ~100 ms)
      if (batch.add(...toRecords(ctx, key, p, fidelity, ms, material, outcome, prefix))) {
        report?.();
        await new Promise((r) => setImmediate(r));
      }
    }
    batch.flush();
  }

  /** Evaluates `todo` on the backend (dse/pool-dispatch.ts), journaling each result as it arrives. */
  private async viaPool(todo: Todo[], fidelity: string, out: EvaluatedPoint[], material: string, step?: Step, report?: () => void): Promise<void> {
    const batch = journalBatcher(this.journal, this.flushMs);
    try {
      await dispatch(
        {
          pool: await this.getPool(),
          ctx: step?.ctx ?? this.ctx,
          task: step?.task ?? 'evaluate',
          accuracy: this.accuracy,
          stop: () => this.aborted || this.stopping || performance.now() >= this.deadline,
          record: (key, p, ms, journal = true, outcome, prefix) => {
            out.push(p);
            this.evaluated++;
            if (journal) batch.add(...toRecords(step?.ctx ?? this.ctx, key, p, fidelity, ms, material, outcome, prefix));
            else batch.tick();
            report?.();
          },
        },
        todo,
      );
    } finally {
      batch.flush();
    }
  }

  /**
   * Runs a task of dse/tasks.ts — on a pool worker when this executor evaluates on the pool and its
   * workers have started (warm models and caches there), else in-process: a rerun answered by its
   * journal starts no worker for the report's breakdowns. Rejects with the task's error.
   */
  async call<K extends TaskName>(task: K, ...args: TaskArgs<K>): Promise<TaskResult<K>> {
    if (task === 'dense') return (await this.dense(...(args as TaskArgs<'dense'>))) as TaskResult<K>;
    return this.callTask(task, ...args);
  }

  private async callTask<K extends TaskName>(task: K, ...args: TaskArgs<K>): Promise<TaskResult<K>> {
    if (!this.usePool || this.aborted || !this.poolReady) return (await ((await localTasks(this.cpuBound))[task] as (...a: TaskArgs<K>) => unknown)(...args)) as TaskResult<K>;
    const r = await (await this.getPool()).run<TaskResult<K>>({ task, args });
    if (r.status === 'ok') return r.value;
    throw new Error(r.error);
  }

  /**
   * The dense model's run with its progress on stderr (dse/dense-progress.ts). A queue's remote
   * worker sends no counts: its run goes to the queue as any task.
   */
  private async dense(...[acc, layers, from]: TaskArgs<'dense'>): Promise<TaskResult<'dense'>> {
    const onPool = this.usePool && !this.aborted && !!this.poolReady;
    if (onPool && this.keyedBackend) return this.callTask('dense', acc, layers, from);
    return denseWithProgress(this.progress, acc.accuracy.model, onPool, (progress) => this.callTask('dense', acc, layers, from, progress));
  }

  /**
   * First Ctrl-C: start no new evaluation (the ones running finish). `evaluate` returns what
   * finished.
   */
  interrupt(): void {
    this.stopping = true;
    void this.poolReady?.then((b) => b.interrupt?.());
  }

  /** No evaluation starts after `at` (a performance.now() time): the time limit inside a batch. */
  setDeadline(at: number): void {
    this.deadline = at;
    void this.poolReady?.then((b) => b.setDeadline?.(at));
  }

  /** Abandons in-flight and queued evaluations (second Ctrl-C). */
  async abort(): Promise<void> {
    this.aborted = true;
    await (await this.poolReady)?.abort();
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  /** Stops the workers, closes the journal and releases the folder lock. */
  async close(): Promise<void> {
    try {
      const pool = await this.poolReady;
      if (pool) await (this.aborted ? pool.abort() : pool.close());
    } finally {
      this.journal?.close();
      for (const f of this.foreign) f.close();
    }
  }
}

/**
 * The task table for in-process work: from the worker bundle when `bundled` (CPU-bound work runs
 * the same compiled code as the pool workers, so --jobs 1 and --jobs N differ only in the number
 * of threads), else the sources.
 */
async function localTasks(bundled: boolean): Promise<Tasks> {
  const bundle = bundled ? await workerBundle() : undefined;
  if (bundle) return await (await importEsm<{ loadTasks(): Promise<Tasks> }>(bundle.url)).loadTasks();
  return TASKS;
}
