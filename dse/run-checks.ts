/**
 * Checks around a run that never write anything: before the lock (out folder, --reuse folders,
 * the folder's journal belongs to this space and model version, option conflicts, --jobs vs
 * cores), and after the search (every point failed, no feasible point: which constraint
 * excluded how many); and the wording of a start that failed on its folder, with the removal of
 * what that start created (`failedStart`, shared by `run` and `serve`).
 */
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errnoText, folderFix, fsInputError, InputError, isUserFsError } from './errors.ts';
import type { EvalContext } from './evaluate.ts';
import { keyMaterial } from './key-material.ts';
import { modelVersion } from './model-version.ts';
import { JOURNAL_FILE, journalHoldsRecords, journalMismatch, peekJournal, stableStringify, type JournalHeader } from './journal.ts';
import { LOCK_FILE, lockHolder } from './lock.ts';
import { checkOutDir } from './outputs.ts';
import { defaultJobs } from './pool.ts';
import { violation, type Constraint } from './space.ts';
import { rescoreColumn } from '../core/metric-columns.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface GuardOptions {
  outDir?: string;
  resume?: boolean;
  fresh?: boolean;
  force?: boolean;
  reuse?: string[];
  jobs?: number;
}

/**
 * Hash of what, besides the params, determines a space's numbers (the journal header's `space`),
 * but the accuracy seed: it seeds only a language model's bootstrap CI, so a run of another seed
 * continues the folder's journal. Its points' keys hold the seed (they are evaluated again), and
 * each accuracy configuration's journaled scores, keyed without it, spare the model runs: the CI
 * is recomputed from them (dse/accuracy-outcomes.ts).
 */
export function spaceIdentity(ctx: EvalContext): string {
  const { seed: _seed, ...accuracy } = ctx.accuracy ?? {};
  const key = keyMaterial(ctx.accuracy ? { ...ctx, accuracy: accuracy as NonNullable<EvalContext['accuracy']> } : ctx);
  return 'space-' + createHash('sha256').update(stableStringify({ fidelity: ctx.fidelity, key })).digest('hex').slice(0, 16);
}

/**
 * Everything a run checks before it takes the lock or touches a file; returns the journal header
 * to write and the number of jobs (clamped to the available cores, with a warning). A journal of
 * another model version or space version is refused in a folder given with --out; in the default
 * folder (results/<name>, e.g. `npm start` after an update or an edit of the space) it is returned
 * as `stale`, for the run to move the folder aside (`moveStaleFolder`) once every check passed.
 */
export function guardRun(opts: GuardOptions, ctx: EvalContext, name: string, spaceFile: string, dir: string, log: (s: string) => void): { header: Omit<JournalHeader, 'journal' | 'v' | 'createdAt'>; jobs?: number; what: string; stale?: string } {
  if (opts.fresh && opts.resume) throw new InputError('--fresh and --resume contradict each other: --fresh discards the journal, --resume continues it');
  const what = opts.outDir !== undefined ? `--out ${opts.outDir}` : `results folder ${dir}`;
  const own = opts.reuse?.find((r) => sameFolder(r, dir));
  if (own !== undefined) {
    const why = opts.fresh ? 'whose journal --fresh discards: it cannot be both started over and reused; drop --fresh to continue it, or drop this --reuse' : 'whose journal the run continues anyway (a rerun reuses every matching evaluation there); --reuse is for other run folders: drop it, or name another folder';
    throw new InputError(`--reuse ${own}: that is this run's own output folder (${what}), ${why}`);
  }
  if (opts.fresh && opts.reuse?.length) log('note: --fresh discards this folder\'s journal; --reuse folders are still read');
  try {
    checkOutDir(dir, what, opts.force);
  } catch (e) {
    throw notStarted(e, dir, 'folder', { dir: existsSync(dir), journal: existsSync(path.join(dir, JOURNAL_FILE)) }) ?? e;
  }
  for (const r of opts.reuse ?? []) {
    let st;
    try {
      st = statSync(r);
    } catch (e) {
      throw fsInputError(e, `--reuse ${r}`);
    }
    if (!st.isDirectory()) throw new InputError(`--reuse ${r}: not a folder (give a results folder)`);
    try {
      statSync(path.join(r, JOURNAL_FILE));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`--reuse ${r}: no ${JOURNAL_FILE} there (not a results folder of spatten-dse)`);
      throw fsInputError(e, `--reuse ${r}`);
    }
  }
  const header = { space: spaceIdentity(ctx), name, spaceFile, modelVersion: modelVersion() };
  const stale = opts.fresh ? undefined : journalMismatch(dir, header);
  if (stale && (opts.outDir !== undefined || opts.resume)) {
    throw new InputError(`${what}: ${stale}; rerun with --fresh to discard it and start over, or choose another --out folder`);
  }
  let jobs = opts.jobs;
  const cores = defaultJobs();
  if (jobs !== undefined && jobs > cores) {
    log(`warning: --jobs ${jobs} is more than the ${cores} available core${cores === 1 ? '' : 's'}; using --jobs ${cores}`);
    jobs = cores;
  }
  return { header, jobs, what, ...(stale ? { stale } : {}) };
}

/** Who stopped at its start, as `notStarted` says it: a run, or the ask/tell service (`serve`). */
export type Starter = 'run' | 'serve';
const STOPPED: Record<Starter, { stopped: string; again: string }> = {
  run: { stopped: 'the run stopped before evaluating any point', again: 'the same command runs' },
  serve: { stopped: 'the service stopped before answering any request', again: 'the same command starts serving' },
};

/**
 * The error of a run (or of `serve`: `who`) that cannot write in its results folder at its start,
 * before it evaluates anything (a read-only folder: EACCES, EROFS; a full disk: ENOSPC), one line
 * each: what failed and why — the folder (`step` 'folder': its check and its creation), its lock
 * file or its journal (`step` 'journal': the lock is told by the path the system refused), with
 * that path when it is another —, that nothing was written, and what to do (dse/errors.ts
 * `folderFix`). Exit 2. Undefined for another error (a folder in use, a file in the way: their own
 * wording stands). `existed`: the folder and its journal were there before the run.
 */
export function notStarted(e: unknown, dir: string, step: 'folder' | 'journal', existed: { dir: boolean; journal: boolean }, who: Starter = 'run'): InputError | undefined {
  const cause = e instanceof InputError ? e.cause : e;
  if (!isUserFsError(cause)) return undefined;
  const fix = folderFix(cause);
  if (fix === undefined) return undefined;
  const at = cause.path === undefined ? undefined : path.resolve(String(cause.path));
  // the journal step reads the --reuse folders' journals too: their errors are not the folder's
  if (step === 'journal' && at !== undefined && at !== path.resolve(dir) && path.dirname(at) !== path.resolve(dir)) return undefined;
  const lock = path.join(dir, LOCK_FILE);
  const journal = path.join(dir, JOURNAL_FILE);
  const [what, file] =
    step === 'folder'
      ? [`${existed.dir ? 'write in' : 'create'} the results folder ${dir}`, dir]
      : at?.startsWith(path.resolve(lock))
        ? [`create the lock file ${lock}`, lock]
        : [`${existed.journal ? 'open' : 'create'} the journal ${journal}`, journal];
  const on = at !== undefined && at !== path.resolve(file) ? ` on ${cause.path}` : '';
  return new InputError(
    `cannot ${what}: ${errnoText(cause)}${on}\n` +
      `nothing was written: ${STOPPED[who].stopped}${existed.journal ? ` (${journal} is as it was)` : ''}\n` +
      `${fix}, then ${STOPPED[who].again} (or give --out another folder)`,
    { cause },
  );
}

/**
 * A start that failed before anything was evaluated (`step`: what it was doing, undefined before
 * its first write): the error to throw — worded by `notStarted` when it is the folder's — after
 * removing, for such an error, what the start created: a journal without records that was not
 * there before (a full disk can refuse its very first line), and the folder when the start created
 * it and it is empty. So the folder is as it was and a later start does not find an empty journal.
 * (A folder in use, a file in the way: not worded, nothing removed — the journal may be another's.)
 */
export function failedStart(e: unknown, dir: string, step: 'folder' | 'journal' | undefined, existed: { dir: boolean; journal: boolean }, who: Starter): unknown {
  const failed = step && notStarted(e, dir, step, existed, who);
  if (failed && !existed.journal) removeEmptyJournal(dir, existed.dir);
  return failed || e;
}

/** Removes a journal that holds its header alone (and the folder, when the run created it and it is empty); true when it did. */
export function removeEmptyJournal(dir: string, dirExisted: boolean): boolean {
  const file = path.join(dir, JOURNAL_FILE);
  if (journalHoldsRecords(file)) return false;
  try {
    rmSync(file, { force: true });
    if (!dirExisted && readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    /* best effort */
  }
  return true;
}

/** Do two paths name one folder (the same path, or the same folder through a link)? */
function sameFolder(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * Moves a default results folder whose journal this run cannot continue (`guardRun`'s `stale`)
 * to a sibling named after the day and time its run started (`results/default.2026-12-02T10-15-00`),
 * so that nothing is lost and the run starts over in the usual place. Refused (exit 2) while a
 * live process holds the folder's lock. Returns the new path.
 */
export function moveStaleFolder(dir: string, why: string, log: (s: string) => void): string {
  const holder = lockHolder(dir);
  if (holder !== undefined) throw new InputError(`results folder ${dir}: ${why}, and process ${holder} is writing there; wait for it, or choose another --out folder`);
  const started = peekJournal(path.join(dir, JOURNAL_FILE)).header?.createdAt ?? statSync(path.join(dir, JOURNAL_FILE)).mtime.toISOString();
  const stamp = started.slice(0, 19).replace(/:/g, '-');
  let to = `${dir}.${stamp}`;
  for (let i = 2; existsSync(to); i++) to = `${dir}.${stamp}-${i}`;
  try {
    renameSync(dir, to);
  } catch (e) {
    throw fsInputError(e, `results folder ${dir}: cannot move it aside to ${to}`);
  }
  const kept = movedAside(dir);
  log(`note: ${why}; moved that run to ${to} and starting over in ${dir}` + (kept > 1 ? ` (${kept} earlier runs are kept as ${dir}.<time they started>: remove those you no longer need)` : ''));
  return to;
}

/** How many runs `moveStaleFolder` has moved aside beside `dir` (folders named `<dir>.<time>[-k]`). */
function movedAside(dir: string): number {
  const base = path.basename(dir) + '.';
  try {
    return readdirSync(path.dirname(dir)).filter((n) => n.startsWith(base) && /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?$/.test(n.slice(base.length))).length;
  } catch {
    return 0;
  }
}

const GIT_OPTS = { cwd: ROOT, encoding: 'utf8' as const, timeout: 2000 };
const GIT_SYNC_OPTS = { ...GIT_OPTS, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
const commitOf = (head: string, dirty: string) => (/^[0-9a-f]{40}$/.test(head) ? head + (dirty ? '+dirty' : '') : undefined);

let prefetched: { done: boolean; value?: string } | undefined;

/** The current commit of the source tree (with "+dirty" for local changes), when it is a git checkout. */
export function gitCommit(): string | undefined {
  const early = prefetched;
  prefetched = undefined; // one answer per prefetch: a later run asks again
  if (early?.done) return early.value;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], GIT_SYNC_OPTS).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], GIT_SYNC_OPTS).trim();
    return commitOf(head, dirty);
  } catch {
    return undefined;
  }
}

/**
 * Starts the same two git commands without blocking (a run whose evaluations are elsewhere calls
 * this at its start); the next `gitCommit()` returns their answer if both have finished by then,
 * and runs them itself otherwise. Resolves when both have finished (never rejects).
 */
export function prefetchGitCommit(): Promise<void> {
  const state: { done: boolean; value?: string } = { done: false };
  prefetched = state;
  const git = (args: string[]) =>
    new Promise<string>((resolve, reject) => execFile('git', args, GIT_OPTS, (err, out) => (err ? reject(err) : resolve(String(out).trim()))));
  return Promise.all([git(['rev-parse', 'HEAD']), git(['status', '--porcelain', '--untracked-files=no'])]).then(
    ([head, dirty]) => void Object.assign(state, { done: true, value: commitOf(head, dirty) }),
    () => void Object.assign(state, { done: true, value: undefined }),
  );
}

interface RowLike {
  status: 'ok' | 'failed';
  feasible: boolean;
  metrics: Record<string, number>;
  error?: string;
}

/** "every point failed" → the first error (the run exits 1), or undefined. */
export function allFailed(rows: RowLike[]): string | undefined {
  if (rows.length === 0 || rows.some((r) => r.status === 'ok')) return undefined;
  return `every point failed (${rows.length}); the first error: ${rows[0].error || 'unknown'}`;
}

/** "no feasible point: "area_mm2 <= 5" excluded 12 of 12 points, …", or undefined. */
export function noFeasible(rows: RowLike[], constraints: Constraint[]): string | undefined {
  const ok = rows.filter((r) => r.status === 'ok');
  if (ok.length === 0 || ok.some((r) => r.feasible) || constraints.length === 0) return undefined;
  const parts = constraints.map((c) => {
    const out = ok.filter((r) => violation(c, r.metrics[c.metric]) > 0);
    const range = out.length ? ` (${c.metric} from ${fmt(Math.min(...out.map((r) => r.metrics[c.metric])))} to ${fmt(Math.max(...out.map((r) => r.metrics[c.metric])))})` : '';
    // a bound resolved from the dense model's value says what was written and that value
    const what = c.resolvedFrom ? `"${c.resolvedFrom.text}" (dense ${fmt(c.resolvedFrom.dense)}: ${c.text})` : `"${c.text}"`;
    return `${what} excluded ${out.length} of ${ok.length}${range}`;
  });
  return `no feasible point: ${parts.join('; ')}`;
}

/**
 * `fidelity: both`: the front points that meet every constraint by the primary model's numbers
 * (which decide feasibility and the front) but not by the re-scoring model's (`<model>_<metric>`
 * columns), or undefined. E.g. 'fidelity both: 1 front point meets the constraints by the
 * analytical model but not by the cycle model: #28 cycle_latency_s 0.0009373 ("latency_s <= 0.000936")'.
 */
export function rescoredViolations(front: (RowLike & { id: number })[], constraints: Constraint[], primary: string, model: string | undefined): string | undefined {
  if (!model) return undefined;
  const bad: string[] = [];
  for (const r of front) {
    if (r.status !== 'ok' || !r.feasible) continue;
    const parts = constraints.flatMap((c) => {
      const col = rescoreColumn(model, c.metric);
      const v = r.metrics[col];
      return typeof v === 'number' && violation(c, v) > 0 ? [`${col} ${fmt(v)} ("${c.text}")`] : [];
    });
    if (parts.length) bad.push(`#${r.id} ${parts.join(', ')}`);
  }
  if (bad.length === 0) return undefined;
  const shown = bad.slice(0, 5).join('; ') + (bad.length > 5 ? `; and ${bad.length - 5} more` : '');
  return (
    `fidelity both: ${bad.length} front point${bad.length === 1 ? '' : 's'} meet${bad.length === 1 ? 's' : ''} the constraints by the ${primary} model but not by the ${model} model: ${shown} ` +
    `(feasibility and the front are decided on the ${primary} numbers, the columns without a prefix)`
  );
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
