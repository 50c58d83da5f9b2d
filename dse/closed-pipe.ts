/**
 * A closed stdout or stderr: `spatten-dse run SPACE | head -3`, `… 2>&1 | head -3`, a pager quit
 * before the run ended. Node reports the EPIPE of a write to a pipe whose reader is gone as an
 * 'error' event of the stream; with no listener that is an uncaught exception: the process exited
 * 1 at once, its outputs unwritten and the folder's lock left behind, so that the next run in the
 * folder had to take the lock over.
 *
 * With `keepWritingFiles` installed, a stream whose reader is gone is dropped: later writes to it
 * are discarded, and the command goes on. A run finishes and writes its files (points.csv,
 * pareto.csv, run.json, report.html, the journal) and exits with its own code: what it prints is a
 * view of its results, which are the files. (Stopping the run is Ctrl-C's job: a reader that quits
 * says only that it read enough.)
 *
 * A write that fails otherwise (stdout or stderr on a full disk: `simulate --json > out.json`,
 * `run … 2> log` on a full partition) drops the stream too, and is remembered: the command goes
 * on as for a closed pipe, and the CLI then says so and exits 2 (`writeFailure`), instead of an
 * uncaught exception mid-command or, when the write was its last, exit 0 with the output lost.
 */

/** The errors of a write to a stream whose reader is gone (a pipe, a socket), or of a write after it was destroyed. */
const GONE = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

const guarded = new WeakSet<NodeJS.WritableStream>();

/** The streams dropped so far (tests, and a caller that wants to know). */
export const droppedStreams = new Set<NodeJS.WritableStream>();

/** The write errors of guarded streams that were not a reader gone (a full disk), by stream. */
const failures = new Map<NodeJS.WritableStream, NodeJS.ErrnoException>();

/**
 * From now on an EPIPE on `streams` (default: stdout and stderr) drops that stream instead of
 * ending the process; any other write error drops it too and is kept for `writeFailure`. Idempotent.
 */
export function keepWritingFiles(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    if (guarded.has(s)) continue;
    guarded.add(s);
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (!GONE.has(e.code ?? '') && !failures.has(s)) failures.set(s, e);
      drop(s);
    });
  }
}

/** Later writes to `s` are discarded (their callbacks still run, so a caller waiting on one goes on). */
function drop(s: NodeJS.WriteStream): void {
  if (droppedStreams.has(s)) return;
  droppedStreams.add(s);
  s.write = ((_chunk: unknown, enc?: unknown, cb?: unknown) => {
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as NodeJS.WriteStream['write'];
}

/**
 * The first write error of `s` that was not its reader going away (ENOSPC, EIO …), if any —
 * also one whose 'error' event is still to come (a file stream's write fails at once and sets
 * `errored`, the event follows on the next tick, after a command's last write and return).
 */
export function writeFailure(s: NodeJS.WriteStream): NodeJS.ErrnoException | undefined {
  const e = failures.get(s) ?? ((s as { errored?: NodeJS.ErrnoException | null }).errored ?? undefined);
  return e !== undefined && !GONE.has(e.code ?? '') ? e : undefined;
}
