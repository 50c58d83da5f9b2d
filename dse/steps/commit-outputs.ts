/**
 * The outputs of a run put in place together: points.csv and pareto.csv (staged by the run's
 * sink, dse/sink.ts) and run.json are each written to a temporary sibling and sealed (fsync'd);
 * only when all three are whole are they renamed over the folder's earlier ones. A failure while
 * they are written (a full disk: ENOSPC) replaces none of them, and its message names the output
 * that was being written, the temporary file, that it was removed, and what is kept.
 */
import path from 'node:path';
import { AtomicWriteError, openAtomic, type AtomicFile } from '../../core/atomic.ts';
import { tempFileNote } from '../../core/atomic-error.ts';
import { errnoText, InputError, isUserFsError, whenFixed } from '../errors.ts';
import { JOURNAL_FILE } from '../journal.ts';

/** What `commitOutputs` needs of the run's sink. */
export interface StagedOutputs {
  stage(): AtomicFile[];
}

/**
 * Writes points.csv, pareto.csv (from `sink`) and run.json (`runText`) into `dir`, all or none.
 * `complete`: the search evaluated every point the same command would (it was done, or spent its
 * evaluation budget); else (a signal, the time limit, an error stopped it) the same command
 * afterwards continues the search before it writes the outputs.
 */
export function commitOutputs(dir: string, sink: StagedOutputs, runText: string, complete = true): void {
  let staged: AtomicFile[] = [];
  const replaced: string[] = [];
  try {
    staged = sink.stage();
    const run = openAtomic(path.join(dir, 'run.json'));
    staged.push(run);
    run.write(runText);
    run.seal();
    for (const f of staged) {
      f.commit();
      replaced.push(path.basename(f.file));
    }
  } catch (e) {
    for (const f of staged) f.abort();
    throw outputsError(e, dir, replaced, complete);
  }
}

/**
 * The error of a failed write of the outputs: a user's filesystem error (a full disk, a read-only
 * folder) (exit 2) naming the output and its temporary file, what was replaced and how to go on,
 * one line each (the CLI shortens a line past 2,000 characters); anything else as it is.
 */
export function outputsError(e: unknown, dir: string, replaced: string[] = [], complete = true): Error {
  if (!isUserFsError(e)) return e as Error;
  const journal = path.join(dir, JOURNAL_FILE);
  const where =
    e instanceof AtomicWriteError
      ? `cannot write ${e.target}: ${errnoText(e)}; ${tempFileNote(e.temp, e.tempRemoved)}`
      : `cannot write the outputs in ${dir}: ${errnoText(e)}${e.path ? ` (${e.path})` : ''}`;
  const earlier =
    replaced.length === 0
      ? `no earlier output in ${dir} was replaced (points.csv, pareto.csv and run.json are put in place together, once all three are written)`
      : `${replaced.join(' and ')} ${replaced.length === 1 ? 'was' : 'were'} replaced already; the other outputs in ${dir} are those of before`;
  const next = complete
    ? `every evaluation is in ${journal}: the same command, ${whenFixed(e)}, writes the outputs without evaluating again`
    : `every finished evaluation is in ${journal}: the same command, ${whenFixed(e)}, continues from it without evaluating those again, then writes the outputs`;
  return new InputError(`${where}\n${earlier}\n${next}`);
}
