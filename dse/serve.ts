/**
 * The ask/tell service (`spatten-dse serve`): other optimizers (Optuna, pymoo, a shell script)
 * drive spatten-dse's evaluator over JSON lines, one request per line, one response per line.
 *
 *   {"op":"space"}                          → parameter domains, objectives, constraints, and the
 *                                             metric columns a told result may carry (`metrics`)
 *   {"op":"ask","n":2}                      → trials proposed by the space's own driver
 *   {"op":"evaluate","params":{…}}          → metrics of any point of the space
 *   {"op":"evaluate","id":3}                → metrics of an asked trial (told to the driver)
 *   {"op":"tell","id":3,"metrics":{…}}      → a result measured elsewhere, for an asked trial
 *
 * Every response has `"ok": true|false`; errors (malformed JSON, unknown op, a parameter outside
 * its domain, …; an evaluation whose journal line cannot be written, e.g. on a full disk, which
 * is neither recorded nor answered: send it again once that is fixed) are
 * `{"ok":false,"error":"…"}` and the service keeps running. A request's `rid`
 * (any JSON value) is echoed back, and its `op` when it is one of the four. An error's text shows
 * the request's values as the CLI's errors show the user's (dse/cli-util.ts): each value cut past
 * ECHO_MAX characters, saying what was cut, and no control characters (`said`, `named`,
 * `printable`) and of a long list (unknown parameters, the space's own, a choice's allowed values) the first few,
 * so a 10,000-character op name, a value holding escape sequences or a value outside a choice of
 * thousands is answered with one bounded line a client can print. Evaluations use the run's evaluator, journal and cache
 * (dse/executor.ts): a point evaluated before, in this session or an earlier one on the same
 * results folder, is answered from the journal (`"cached": true`).
 */
import type { Driver, ParamDomain, ParamValue, Params, Trial } from './driver.ts';
import { createDriver } from './drivers/index.ts';
import { primaryFidelity, RESCORED_COLUMNS, RESCORED_METRICS, type EvalContext, type EvaluatedPoint } from './evaluate.ts';
import { Executor } from './executor.ts';
import { withCheckpoint } from './key-material.ts';
import { modelHash } from '../sim/nn/checkpoint-hash.ts';
import { prepareRun, type PreparedRun } from './run.ts';
import { totalViolation, type Constraint } from './params.ts';
import { resolveDense } from './steps/dense.ts';
import { Abandonable } from './steps/interrupts.ts';
import { signalText, type StopSignal } from './stop.ts';
import { failedStart, moveStaleFolder, removeEmptyJournal, spaceIdentity } from './run-checks.ts';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, RunFileError } from './errors.ts';
import { JOURNAL_FILE, journalMismatch } from './journal.ts';
import { modelVersion } from './model-version.ts';
import { checkOutDir, ensureDir } from './outputs.ts';
import type { ParsedSpace } from './space.ts';
import { ACCURACY_METRICS, BASELINE_METRICS, METRICS } from '../sim/metrics.ts';
import { ciColumns, ciMetricOf, rescoreColumn } from '../core/metric-columns.ts';
import { fidelityPlan } from '../sim/fidelities.ts';
import { accuracyModelKind } from './fidelity.ts';
import { didYouMean } from '../core/suggest.ts';
import { clipped, ECHO_MAX, echoed, printable } from './cli-util.ts';

export type Response = { ok: true; op: string; [k: string]: unknown } | { ok: false; op?: string; error: string; rid?: unknown };

/** Largest request line accepted (bytes). */
export const MAX_LINE = 1 << 20;

export interface ServiceOptions {
  spaceFile: string;
  outDir?: string;
  seed?: number;
  /** Write into a non-empty folder that is not a results folder (`--force`). */
  force?: boolean;
  log?: (line: string) => void;
}

class RequestError extends Error {}

/** The ops a request may name. */
const OPS = ['space', 'ask', 'evaluate', 'tell'] as const;

/**
 * A value of a request as an error shows it: JSON-like, cut past ECHO_MAX characters saying what
 * was cut (dse/cli-util.ts `echoed`), a line break in it replaced as `printable` replaces the other
 * control characters (an error is one line).
 */
const said = (v: unknown): string => echoed(v).replace(/\n/g, '?');

/** A name the request gives (a parameter's, a metric's), as an error shows it: cut past ECHO_MAX characters saying its length, no line break. */
const named = (k: string): string => clipped(k, ECHO_MAX).replace(/\n/g, '?');

/** Items of a list as an error shows them: the first few, then how many more. */
function firstFew<T>(items: readonly T[], show: (x: T) => string, first = 5): string {
  const head = items.slice(0, first).map(show).join(', ');
  return items.length > first ? `${head} and ${items.length - first} more` : head;
}

/** What the journal keeps after a write failed (a full disk): serve's journal failures all say it. */
const JOURNAL_KEPT = 'the journal holds every earlier evaluation up to its last complete line';

/**
 * The answer to a request whose journal line could not be written (a full disk: `RunFileError`
 * of dse/journal.ts): what failed and why, `what` was not recorded and the request not answered,
 * and what to do. As a run does (dse/run.ts), nothing unrecorded is reported; the service goes on,
 * and an asked trial stays asked, so the same request can be sent again.
 */
function notRecorded(e: RunFileError, what = 'this evaluation was not recorded, and its result is not given'): string {
  return `${e.head}; ${what}: ${JOURNAL_KEPT}; ${e.once}, send the request again (the service goes on)`;
}

/**
 * The error of a service whose dense model's outcome (the reference of the constraints relative to
 * it, resolved at start-up: dse/steps/dense.ts) could not be journaled (a full disk, a read-only
 * folder): worded as a run's journal failure (dse/run.ts `stoppedUnwritten`), one line each: which
 * file and why, what was not kept and what the journal holds, that the service did not start and
 * what to do. An InputError, so the command exits 2 as a run does.
 */
function denseNotRecorded(e: RunFileError): InputError {
  return new InputError(
    `${e.head}\n` +
      `the dense model's outcome (the reference of the constraints relative to it) was not recorded: ${JOURNAL_KEPT}\n` +
      `the service stopped before answering any request; ${e.once}, the same command runs the dense model again and starts serving`,
  );
}

export class Service {
  readonly dir: string;
  /** Whether the results folder and its journal were there before this service opened them. */
  private readonly existed: { dir: boolean; journal: boolean };
  private readonly parsed: ParsedSpace;
  private readonly executor: Executor;
  /** The evaluation context: the executor's, until the accuracy checkpoint's files change (`current`). */
  private ctx: EvalContext;
  private readonly driver: Driver;
  /** Asked and not yet told. */
  private readonly asked = new Map<number, Trial>();
  private freeId = -1;
  private chain: Promise<unknown>;
  /**
   * Settles once the constraints relative to the dense model are resolved (dse/steps/dense.ts);
   * requests wait for it. Rejects with Abandoned (dse/steps/interrupts.ts) when `stopStarting`
   * abandoned the dense model's run: nothing was journaled.
   */
  readonly ready: Promise<void>;
  /** The start-up's dense model's run, which a signal abandons (`stopStarting`). */
  private readonly startUp = new Abandonable();
  private readonly log: (line: string) => void;
  /** The prepared run, and its constraints as written (relative ones unresolved): resolved again when the checkpoint's files change. */
  private readonly prepared: PreparedRun;
  private readonly written: Constraint[];

  /** Validates the space (InputError: nothing written), then opens the results folder's journal (kept across sessions). */
  constructor(o: ServiceOptions) {
    this.log = o.log ?? ((s: string) => process.stderr.write(printable(s) + '\n'));
    const prepared = prepareRun({ spaceFile: o.spaceFile, outDir: o.outDir, seed: o.seed });
    this.parsed = prepared.parsed;
    this.prepared = prepared;
    this.written = [...prepared.parsed.constraints];
    this.dir = prepared.dir;
    // the journal is kept across sessions: everything in it answers requests without re-evaluating
    this.ctx = prepared.ctx;
    ({ executor: this.executor, existed: this.existed } = openJournal(o, prepared, this.log));
    this.driver = createDriver(prepared.parsed.space.search, { space: prepared.parsed.domains, objectives: prepared.parsed.objectives, seed: prepared.seed });
    const acc = prepared.ctx.accuracy;
    const abandonable = {
      abandonable: <T>(work: () => Promise<T>): Promise<T> => {
        // said before it runs: the model's loading and run take seconds, and no request is answered meanwhile
        if (acc) this.log(`serve: running the dense model (${acc.model}, ${acc.maxExamples ?? 'all'} examples) for the constraints relative to it; requests are answered once it is done`);
        return this.startUp.run(work);
      },
    };
    this.ready = resolveDense(prepared, this.executor, this.log, abandonable).then(
      () => undefined,
      (e) => {
        throw e instanceof RunFileError ? denseNotRecorded(e) : e;
      },
    );
    this.chain = this.ready.catch(() => {});
  }

  /**
   * A signal (SIGINT, SIGTERM, SIGHUP) during the start-up: the dense model's run (started by the
   * constructor) is abandoned at once and `ready` rejects with Abandoned; nothing is journaled, and
   * the next start runs it again. Without a dense model's run in flight (none to run, or its
   * outcome is in), nothing: the command stops as after any signal. Returns whether it abandoned one.
   */
  stopStarting(sig: StopSignal): boolean {
    if (!this.startUp.running) return false;
    this.log(`serve: ${signalText(sig)} during the start-up: abandoning the dense model's run (nothing is journaled; the same command runs it again and starts serving)`);
    this.startUp.abandon(sig);
    return true;
  }

  /** Answers one request line; requests are answered one at a time, in order. */
  handle(line: string): Promise<Response> {
    const next = this.chain.then(() => this.ready).then(() => this.answer(line));
    this.chain = next.catch(() => {});
    return next;
  }

  private async answer(line: string): Promise<Response> {
    let req: Record<string, unknown>;
    try {
      req = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      return { ok: false, error: printable(`malformed JSON: ${(e as Error).message}`) };
    }
    if (!req || typeof req !== 'object' || Array.isArray(req)) return { ok: false, error: 'a request is a JSON object with an "op" field' };
    const rid = req.rid;
    const op = req.op;
    try {
      const body = await this.dispatch(op, req);
      return { ok: true, op: op as string, ...(rid !== undefined ? { rid } : {}), ...body };
    } catch (e) {
      // a bug or an I/O error answers this request only; the service goes on
      const msg = e instanceof RequestError ? e.message : e instanceof RunFileError ? notRecorded(e) : `internal error: ${(e as Error)?.message ?? String(e)}`;
      if (!(e instanceof RequestError) && !(e instanceof RunFileError)) this.log(`serve: ${(e as Error)?.stack ?? String(e)}`);
      // the op is echoed when it is one of the service's (an unknown one is named, bounded, in the error)
      return { ok: false, ...((OPS as readonly unknown[]).includes(op) ? { op: op as string } : {}), ...(rid !== undefined ? { rid } : {}), error: printable(msg) };
    }
  }

  private async dispatch(op: unknown, req: Record<string, unknown>): Promise<Record<string, unknown>> {
    // the constraints a reply states or applies follow the checkpoint's files as they are now
    if (op === 'space' || op === 'evaluate' || op === 'tell') await this.current();
    switch (op) {
      case 'space':
        return this.describe();
      case 'ask':
        return this.ask(req.n);
      case 'evaluate':
        return await this.evaluate(req);
      case 'tell':
        return this.tell(req);
      default:
        throw new RequestError(`unknown op ${said(op)}: expected one of ${OPS.map((o) => `"${o}"`).join(', ')}`);
    }
  }

  private describe(): Record<string, unknown> {
    const s = this.parsed.space;
    return {
      name: s.name,
      fidelity: s.fidelity,
      parameters: this.parsed.domains,
      objectives: this.parsed.objectives,
      constraints: this.parsed.constraints.map((c) => c.text),
      driver: s.search.driver,
      resultsDir: this.dir,
      metrics: spaceColumns(this.ctx),
    };
  }

  private ask(n: unknown): Record<string, unknown> {
    const count = n === undefined ? 1 : n;
    if (!Number.isInteger(count) || (count as number) < 1) throw new RequestError(`ask: "n" must be a positive integer, got ${said(n)}`);
    const trials = this.driver.done() ? [] : this.driver.ask(count as number);
    for (const t of trials) this.asked.set(t.id, t);
    return { trials, done: this.driver.done(), ...(trials.length === 0 && !this.driver.done() ? { waitingFor: [...this.asked.keys()] } : {}) };
  }

  private async evaluate(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    let trial: Trial;
    let asked = false;
    if (req.id !== undefined) {
      if (req.params !== undefined) throw new RequestError('evaluate: give "params" or the "id" of an asked trial, not both');
      trial = this.askedTrial(req.id);
      asked = true;
    } else trial = { id: this.freeId--, params: checkParams(req.params, this.parsed.domains) };
    const reusedBefore = this.executor.reused;
    const ctx = this.ctx;
    const [p] = await this.executor.evaluate([trial], ctx === this.executor.ctx ? undefined : { fidelity: primaryFidelity(ctx), ctx });
    const cached = this.executor.reused > reusedBefore;
    if (asked) {
      this.asked.delete(trial.id);
      this.driver.tell([p]);
    }
    return { ...(asked ? { id: trial.id } : {}), ...pointBody(p), cached };
  }

  /**
   * The context of the next evaluation, with the accuracy checkpoint's content hash as its files
   * are now: a folder replaced while serving is another identity (its journal keys and accuracy
   * caches), as it is for a new run (dse/run.ts prepareRun), so no point is answered with the old
   * files' numbers; the engine reloads the new files (sim/nn/api.ts getEngine). Constraints
   * relative to the dense model are resolved again with the dense model on the new files
   * (`resolveAgain`); until that succeeds the old context is kept and requests are refused.
   */
  private async current(): Promise<EvalContext> {
    const was = this.ctx.accuracy as ReturnType<typeof withCheckpoint> | undefined;
    if (!was || modelHash(was.model) === was.checkpoint) return this.ctx;
    const ctx = { ...this.ctx, accuracy: withCheckpoint(was) };
    if (this.written.some((c) => c.relative)) await this.resolveAgain(ctx, was.model);
    return (this.ctx = ctx);
  }

  /** The relative constraints resolved with the dense model of `ctx` (a checkpoint whose files changed); on failure a RequestError, the constraints as they were. */
  private async resolveAgain(ctx: EvalContext, model: string): Promise<void> {
    this.log(`serve: the files of the accuracy checkpoint ${model} changed: the dense model runs again for the constraints relative to it`);
    const again: PreparedRun = { ...this.prepared, parsed: { ...this.parsed, constraints: [...this.written] }, ctx };
    try {
      await resolveDense(again, this.executor, this.log);
    } catch (e) {
      // a journal that cannot take the outcome (a full disk) is not a problem of the files: worded as any unrecorded evaluation
      if (e instanceof RunFileError) throw new RequestError(notRecorded(e, `the dense model's outcome on the new files of the accuracy checkpoint ${model} was not recorded, and this request is not answered`));
      const why = String((e as Error)?.message ?? e).split('\n')[0];
      throw new RequestError(`the files of the accuracy checkpoint ${model} changed and the dense model on them failed (${why}): the constraints relative to the dense model cannot be resolved again; restore or fix the files and send the request again`);
    }
    // ctx.constraints (and the executor's context's) are this same array
    this.parsed.constraints.splice(0, this.parsed.constraints.length, ...again.parsed.constraints);
  }

  private tell(req: Record<string, unknown>): Record<string, unknown> {
    const t = this.askedTrial(req.id);
    const m = req.metrics;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new RequestError('tell: "metrics" must be an object of metric → number');
    const status = req.status ?? 'ok';
    if (status !== 'ok' && status !== 'failed') throw new RequestError(`tell: "status" must be "ok" or "failed", got ${said(status)}`);
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v !== 'number' && v !== null) throw new RequestError(`tell: metrics.${named(k)} must be a number, got ${said(v)}`);
      const bad = toldMetricProblem(k, v, this.ctx);
      if (bad) throw new RequestError(`tell: metrics.${named(k)}: ${bad}`);
      metrics[k] = v === null ? Number.NaN : v;
    }
    if (status === 'ok') for (const o of this.parsed.objectives) if (!Number.isFinite(metrics[o.metric])) throw new RequestError(`tell: metrics.${o.metric} (an objective) is missing or not a finite number`);
    // a constraint's metric left out would make the point infeasible without saying why
    if (status === 'ok') for (const c of this.parsed.constraints) if (!Number.isFinite(metrics[c.metric])) throw new RequestError(`tell: metrics.${c.metric} (constraint "${c.text}") is missing or not a finite number`);
    const viol = status === 'ok' ? totalViolation(this.parsed.constraints, metrics) : Infinity;
    this.asked.delete(t.id);
    this.driver.tell([{ id: t.id, params: t.params, metrics, status, violation: viol }]);
    return { id: t.id, feasible: status === 'ok' && viol === 0, violation: viol };
  }

  private askedTrial(id: unknown): Trial {
    const t = typeof id === 'number' ? this.asked.get(id) : undefined;
    if (!t) throw new RequestError(`no asked trial with id ${said(id)} awaiting a result (ask first; each trial is evaluated or told once)`);
    return t;
  }

  /** Waits for the request in progress, closes the journal and releases the folder. */
  async close(): Promise<void> {
    await this.chain;
    await this.executor.close();
  }

  /**
   * After `close`, for a start that failed once the journal was open (e.g. its port in use):
   * removes what this service created and did not use — its journal when it holds no evaluation,
   * the folder when it created it and nothing else is there — so the folder is as it was.
   */
  discardUnused(): void {
    if (!this.existed.journal) removeEmptyJournal(this.dir, this.existed.dir);
  }
}

/**
 * The results folder's journal, opened (kept across sessions). The folder is checked as `run`
 * checks it before anything is written: a non-empty folder that is not a results folder, or one
 * whose journal holds another space's or model version's evaluations, is refused with --out
 * (InputError); the default folder of such a journal is moved aside. A new journal starts with the
 * space identity `run` writes. A folder the service cannot write in, or whose lock or journal it
 * cannot create (a read-only folder: EACCES, EROFS; a full disk: ENOSPC, also for the journal's
 * first line), stops it worded as a run's start (dse/run-checks.ts `failedStart`: exit 2, what
 * failed and why, what to do), and what the start created — an empty journal, the folder — is
 * removed: the folder is as it was.
 */
function openJournal(o: ServiceOptions, prepared: PreparedRun, log: (s: string) => void): { executor: Executor; existed: { dir: boolean; journal: boolean } } {
  const { dir, ctx } = prepared;
  const what = o.outDir !== undefined ? `--out ${o.outDir}` : `results folder ${dir}`;
  const journal = path.join(dir, JOURNAL_FILE);
  let step: 'folder' | 'journal' | undefined = 'folder';
  let existed = { dir: fs.existsSync(dir), journal: fs.existsSync(journal) };
  try {
    checkOutDir(dir, what, o.force);
    step = undefined;
    const header = { space: spaceIdentity(ctx), name: prepared.parsed.space.name, spaceFile: o.spaceFile, modelVersion: modelVersion() };
    const stale = journalMismatch(dir, header);
    if (stale && o.outDir !== undefined) throw new InputError(`${what}: ${stale}; choose another --out folder (or remove that journal.jsonl to start over)`);
    if (stale) moveStaleFolder(dir, stale, log);
    // (a stale journal moved aside with the default folder is no longer there)
    existed = { dir: fs.existsSync(dir), journal: fs.existsSync(journal) };
    step = 'folder';
    ensureDir(dir, what); // the first write (its errors name --out)
    step = 'journal';
    return { executor: Executor.open({ ctx, dir, resume: true, jobs: 1, header, rememberAppended: true, log: (s) => (s.startsWith('resume:') ? undefined : log(s)) }), existed };
  } catch (e) {
    throw failedStart(e, dir, step, existed, 'serve');
  }
}

/**
 * Metric names a told result may carry: the columns a run writes to points.csv — the registry's,
 * the accuracy CI columns, the measured refetch fraction, and the re-scored columns of
 * `fidelity: both` (dse/evaluate.ts RESCORED_COLUMNS: cycle_latency_s, …, not every hardware
 * metric under the cycle model's name).
 */
export const TOLD_METRICS: readonly string[] = [...METRICS, ...ACCURACY_METRICS.flatMap(ciColumns), 'lsb_refetch_fraction', ...RESCORED_COLUMNS];

/** What of a space decides which metric columns its runs write. */
export type ToldSpace = Pick<EvalContext, 'fidelity' | 'accuracy' | 'baseline'>;

/**
 * Why a run of `space` never writes the column `name` (one of TOLD_METRICS), or undefined when it
 * may: a re-scored column needs a fidelity that re-scores (`fidelity: both`) and what its metric
 * needs (cycle_speedup a baseline), the accuracy engine's columns (accuracy or perplexity, as its
 * model is a classifier or a language model, their CI columns, lsb_refetch_fraction) an accuracy
 * block, speedup and energy_saving a baseline. A told
 * result is the row a run of this space would write: such a name says it is another space's.
 */
function notInSpace(name: string, space: ToldSpace): string | undefined {
  const rescore = fidelityPlan(space.fidelity).rescore;
  if (RESCORED_COLUMNS.includes(name)) {
    if (rescore === undefined) return `the space's fidelity is ${space.fidelity}, which re-scores nothing: only under fidelity: both does a run write the re-scored columns (${RESCORED_COLUMNS.join(', ')})`;
    const own = RESCORED_METRICS.map((m) => rescoreColumn(rescore, m));
    if (!own.includes(name)) return `the space's fidelity ${space.fidelity} re-scores with the ${rescore} model: its re-scored columns are ${own.join(', ')}`;
    // written when its metric is: cycle_speedup needs the baseline speedup needs
    return notInSpace(name.slice(rescore.length + 1), space);
  }
  const base = ciMetricOf(name);
  if ((ACCURACY_METRICS as readonly string[]).includes(base) || name === 'lsb_refetch_fraction') {
    if (!space.accuracy) return `the space has no accuracy block: its runs measure no accuracy (${ACCURACY_METRICS.flatMap((m) => [m, ...ciColumns(m)]).join(', ')} and lsb_refetch_fraction come from the accuracy engine)`;
    const metric = accuracyModelKind(space.accuracy.model) === 'gpt' ? 'perplexity' : 'accuracy';
    if (base !== metric && name !== 'lsb_refetch_fraction') return `the space's accuracy model ${space.accuracy.model} is ${metric === 'perplexity' ? 'a language model: its runs write perplexity' : 'a classifier: its runs write accuracy'} (and ${ciColumns(metric).join(', ')}), not ${base}`;
    return undefined;
  }
  if ((BASELINE_METRICS as readonly string[]).includes(name) && !space.baseline) return `the space has no baseline: its runs compare with no platform (${BASELINE_METRICS.join(' and ')} need baseline: in the space)`;
  return undefined;
}

/** The metric columns a run of `space` writes, in TOLD_METRICS order: what a told result may carry. */
export function spaceColumns(space: ToldSpace): string[] {
  return TOLD_METRICS.filter((n) => notInSpace(n, space) === undefined);
}

/**
 * Why a told metric value cannot be taken (undefined when it can): an unknown name (a misspelt
 * metric would be dropped silently), a column a run of `space` never writes (`notInSpace`: the
 * result is another space's), accuracy off its 0 … 1 scale (97 for 97% would pass any accuracy
 * constraint), a perplexity below 1, or a negative value of a hardware metric.
 */
export function toldMetricProblem(name: string, v: number | null, space: ToldSpace): string | undefined {
  if (!TOLD_METRICS.includes(name)) return `unknown metric${didYouMean(name, TOLD_METRICS)} (metrics: ${METRICS.join(', ')}; re-scored: ${RESCORED_COLUMNS.join(', ')})`;
  const absent = notInSpace(name, space);
  if (absent) return `not a column of this space: ${absent}`;
  if (v === null || !Number.isFinite(v)) return undefined;
  const base = ciMetricOf(name);
  if (base === 'accuracy' || name === 'lsb_refetch_fraction') return v >= 0 && v <= 1 ? undefined : `${v} is off its scale: it is a fraction from 0 to 1 (as in points.csv)${base === 'accuracy' && v > 1 && v <= 100 ? `; for ${v}% send ${v / 100}` : ''}`;
  if (base === 'perplexity') return v >= 1 ? undefined : `${v} is below 1, the least a perplexity can be`;
  return v >= 0 ? undefined : `${v} is negative`;
}

function pointBody(p: EvaluatedPoint): Record<string, unknown> {
  return { params: p.params, status: p.status, metrics: p.metrics, feasible: p.feasible, violation: Number.isFinite(p.violation) ? p.violation : null, fidelity: p.fidelity, ...(p.error ? { error: p.error } : {}) };
}

/**
 * A request's params, checked against the space: every parameter present, nothing else, each value
 * inside its domain (a choice's value within 1e-9 relative is taken as that value).
 */
export function checkParams(params: unknown, domains: ParamDomain[]): Params {
  if (!params || typeof params !== 'object' || Array.isArray(params)) throw new RequestError('evaluate: "params" must be an object of parameter → value');
  const given = params as Record<string, unknown>;
  const known = new Set(domains.map((d) => d.key));
  const unknown = Object.keys(given).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    // the space's own names, as bounded as the request's: the first few, and where the rest are
    const keys = [...known];
    const listed = keys.length > 5 ? '; {"op":"space"} lists them all' : '';
    throw new RequestError(`params: unknown parameter${unknown.length > 1 ? 's' : ''} ${firstFew(unknown, (k) => named(k) + didYouMean(k, keys))} (this space has ${firstFew(keys, named)}${listed})`);
  }
  const out: Params = {};
  for (const d of domains) {
    const v = given[d.key];
    if (v === undefined) throw new RequestError(`params.${d.key}: missing`);
    out[d.key] = checkValue(d, v);
  }
  return out;
}

function checkValue(d: ParamDomain, v: unknown): ParamValue {
  if (d.kind === 'choice') {
    const hit = d.values.find((c) => c === v || (typeof c === 'number' && typeof v === 'number' && Math.abs(c - v) <= 1e-9 * Math.max(1, Math.abs(c))));
    if (hit === undefined) throw new RequestError(`params.${d.key}: ${said(v)} is not one of ${firstFew(d.values, said)}`);
    return hit;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RequestError(`params.${d.key}: expected a number in [${d.low}, ${d.high}], got ${said(v)}`);
  if (v < d.low || v > d.high) throw new RequestError(`params.${d.key}: ${v} is outside [${d.low}, ${d.high}]`);
  if (d.integer && !Number.isInteger(v)) throw new RequestError(`params.${d.key}: expected an integer, got ${v}`);
  return v;
}
