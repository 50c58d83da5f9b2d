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
 */

/** The errors of a write to a stream whose reader is gone (a pipe, a socket), or of a write after it was destroyed. */
const GONE = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

const guarded = new WeakSet<NodeJS.WritableStream>();

/** The streams dropped so far (tests, and a caller that wants to know). */
export const droppedStreams = new Set<NodeJS.WritableStream>();

/**
 * From now on an EPIPE on `streams` (default: stdout and stderr) drops that stream instead of
 * ending the process; any other error of theirs is thrown as before. Idempotent.
 */
export function keepWritingFiles(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    if (guarded.has(s)) continue;
    guarded.add(s);
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (!GONE.has(e.code ?? '')) throw e;
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
