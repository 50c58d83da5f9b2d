/** Before the dense model's run and the search: the run's folder made (a stale one moved aside) and its journal opened with the folder's lock, or what that made removed. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EvalBackend } from '../backends/types.ts';
import { diskNote } from '../disk-note.ts';
import type { EvalContext } from '../evaluate.ts';
import { Executor } from '../executor.ts';
import { JOURNAL_FILE } from '../journal.ts';
import { ensureDir } from '../outputs.ts';
import type { PreparedRun, RunOptions } from '../run.ts';
import { failedStart, moveStaleFolder, type guardRun } from '../run-checks.ts';
import { plannedPoints } from '../space-checks.ts';
import type { Interrupts } from './interrupts.ts';

/** What opening a run needs: its options, the validated space, the guard's verdict on the folder, the search's context, its lanes and backend. */
export interface OpenInput {
  opts: RunOptions;
  prepared: PreparedRun;
  guard: ReturnType<typeof guardRun>;
  /** The run continues the folder's journal (no disk note: its outputs were sized before). */
  continues: boolean;
  /** The context of the search's evaluations (the first accuracy rung's, with rungs). */
  loopCtx: EvalContext;
  jobs: number;
  backend?: EvalBackend;
  log: (line: string) => void;
  interrupts: Interrupts;
}

/**
 * Opens the run's folder and journal (the executor; the folder's lock is taken with the journal).
 * On a failure nothing is written: a journal (one without records) or folder this run created is
 * removed (the lock was released), the failure worded (dse/run-checks.ts `failedStart`), the
 * backend closed and the signal handlers removed. `dirExisted`: the folder was there before.
 */
export async function openRun({ opts, prepared, guard, continues, loopCtx, jobs, backend, log, interrupts }: OpenInput): Promise<{ executor: Executor; dirExisted: boolean }> {
  let dirExisted = false;
  // what the run writes first, and what was there before it: a failure there is worded, and what it made removed (`failedStart`)
  let step: 'folder' | 'journal' | undefined;
  let journalExisted = false;
  try {
    // the default folder of a run this one cannot continue is moved aside, not refused (guardRun)
    if (guard.stale) moveStaleFolder(prepared.dir, guard.stale, log);
    dirExisted = existsSync(prepared.dir);
    journalExisted = existsSync(path.join(prepared.dir, JOURNAL_FILE));
    step = 'folder';
    ensureDir(prepared.dir, guard.what); // the first write (its errors name --out)
    if (!continues) noteDisk(prepared, opts, log);
    step = 'journal';
    const executor = Executor.open({ ctx: loopCtx, dir: prepared.dir, resume: opts.resume, fresh: opts.fresh, header: guard.header, reuse: opts.reuse, jobs, backend, journalFlushMs: opts.journalFlushMs, log, progress: opts.progress ?? 'auto' });
    return { executor, dirExisted };
  } catch (e) {
    // a journal --fresh discards is not "as it was": opening it truncated it
    e = failedStart(e, prepared.dir, step, { dir: dirExisted, journal: journalExisted && !opts.fresh }, 'run');
    interrupts.closing();
    try {
      await backend?.close();
    } finally {
      interrupts.dispose();
    }
    throw e;
  }
}

/** A note when the run's outputs may not fit on its folder's disk (dse/disk-note.ts). */
function noteDisk({ parsed, ctx, dir }: PreparedRun, opts: RunOptions, log: (s: string) => void): void {
  const points = Math.min(plannedPoints(parsed.space, parsed.domains), opts.maxEvals ?? parsed.space.search.maxEvals ?? Infinity);
  const note = diskNote(dir, points, parsed.domains.length, !!ctx.accuracy || ctx.fidelity !== 'analytical');
  if (note) log(`note: ${note}`);
}
