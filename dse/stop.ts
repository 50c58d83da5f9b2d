/**
 * Why a run stopped, and the signals that stop it.
 *
 * Stop reasons (run.json `stopReason`, the summary line, the report):
 *   completed   the driver proposed every point it had                    exit 0
 *   max-evals   the evaluation budget (--max-evals / search.maxEvals)     exit 0 (says so)
 *   time-limit  the time budget (--time-limit / search.timeLimit)         exit 0 (says so)
 *   interrupted SIGINT (Ctrl-C)                                           exit 130
 *   terminated  SIGTERM, or SIGHUP (the terminal closed)                  exit 143
 *   failed      every point failed, or an unexpected error stopped it     exit 1
 * In every case the outputs of what finished are written first — but when the run's own working
 * files (the journal, the streamed points body) cannot be written, e.g. on a full disk: then the
 * run stops there, writes no output and replaces none, and exits 2 saying that the journal holds
 * every finished evaluation, which the same command continues from (dse/run.ts).
 *
 * A run's signals are handled by dse/steps/interrupts.ts.
 *
 * The long-running commands `serve` and `worker` stop on the same signals (STOP_SIGNALS), closing
 * what they hold first — serve its journal and its folder's lock, a worker its running jobs (then
 * it exits; a second signal hands them back to the queue) —, and exit 0 for SIGINT or SIGTERM, a
 * stop asked for, and 143 for SIGHUP, the terminal closed (`serviceExitCode`).
 * On SIGHUP each of them calls `releaseTerminalAtExit`, so that it exits with that code.
 */
import fs from 'node:fs';

/** The signals that stop a command: SIGINT (Ctrl-C), SIGTERM, and SIGHUP (the terminal closed: a dropped SSH session, a closed window). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** How a log line names a stop signal: SIGHUP says what sent it. */
export function signalText(sig: StopSignal): string {
  return sig === 'SIGHUP' ? 'SIGHUP (the terminal closed)' : sig;
}

let releasing = false;

/**
 * After SIGHUP: at the process's exit (its 'exit' event, the last JavaScript that runs, after every
 * line the command wrote), stdin, stdout and stderr that are character devices (a terminal) are
 * replaced by /dev/null. Idempotent; run, serve and worker call it when a SIGHUP arrives.
 *
 * Why: Node restores, as it exits, the terminal settings of the fds 0-2 that were terminals when it
 * started (node::ResetStdio, src/node.cc, run by atexit): for each one still naming the same file
 * (fstat: same device and inode) it calls tcsetattr and CHECK-fails when that fails. A terminal
 * that hung up (the master of the pty closed: a dropped SSH session, a closed window) fails it
 * with EIO, and the process, its outputs written and its lock released, died by SIGABRT or
 * SIGSEGV instead of exiting 143. ResetStdio skips an fd that names another file ("program
 * reopened file descriptor") or none (EBADF): closing the fd and opening /dev/null gives that fd
 * number another file (open returns the lowest free fd; should it return a lower one, a 0-2 the
 * program had closed, that one holds /dev/null and this fd stays closed: skipped too).
 * tty.isatty cannot choose the fds: on a hung-up terminal it fails (EIO) and says false; a
 * character device that is no terminal (/dev/null) loses nothing by the swap.
 * (uv_tty_reset_mode, which ResetStdio calls first, restores a raw mode set through libuv and
 * ignores errors: a terminal still open loses nothing either.)
 */
export function releaseTerminalAtExit(): void {
  if (releasing) return;
  releasing = true;
  process.once('exit', () => {
    for (const fd of [0, 1, 2]) {
      try {
        if (!fs.fstatSync(fd).isCharacterDevice()) continue;
        fs.closeSync(fd);
        fs.openSync('/dev/null', fd === 0 ? 'r' : 'w'); // fd itself, or a lower one the program closed (see above)
      } catch {
        /* a closed fd (EBADF): ResetStdio skips it */
      }
    }
  });
}

/**
 * The exit code of `serve` or `worker` stopped by `sig` (the first signal), having closed what it
 * held: 143 for SIGHUP (the terminal closed, as `run` exits: terminated), 0 for SIGINT and SIGTERM
 * (the way to stop them) or no signal (serve's input ended).
 */
export function serviceExitCode(sig: StopSignal | undefined): number {
  return sig === 'SIGHUP' ? 143 : 0;
}

export const STOP_REASONS = ['completed', 'max-evals', 'time-limit', 'interrupted', 'terminated', 'failed'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export function exitCodeFor(reason: StopReason | undefined): number {
  switch (reason) {
    case 'interrupted':
      return 130;
    case 'terminated':
      return 143;
    case 'failed':
      return 1;
    default:
      return 0;
  }
}

/** The summary's stop clause: "stopped: time-limit (60 s reached after 37 of 48 points)". */
export function stopText(reason: StopReason | undefined, detail?: string): string {
  return `stopped: ${reason ?? 'completed'}${detail ? ` (${detail})` : ''}`;
}
