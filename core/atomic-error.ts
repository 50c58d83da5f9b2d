/**
 * The error of a failed atomic write (core/atomic.ts) and the sentence that says what it left. Its
 * own module so that the error text (dse/errors.ts, loaded by every command) does not pull in the
 * writer and its node:crypto import: a `simulate` run loads no crypto (test/bundle.test.ts).
 */
import path from 'node:path';

/**
 * A failure of an atomic write: the errno error of the write, fsync or rename (its `code`, so a
 * full disk is still ENOSPC), naming the target and the temporary file that was being written, and
 * whether that was removed (`openAtomic` removes it on any failure; the target is never touched).
 */
export class AtomicWriteError extends Error {
  readonly code?: string;
  readonly errno?: number;
  readonly syscall?: string;
  /** The temporary file (as Node names the path of a failed call). */
  readonly path: string;
  constructor(
    cause: unknown,
    readonly target: string,
    readonly temp: string,
    readonly tempRemoved: boolean,
  ) {
    super(`cannot write ${target}: ${(cause as Error)?.message ?? String(cause)}; ${atomicFailureNote(target, temp, tempRemoved)}`, { cause });
    this.name = 'AtomicWriteError';
    const c = cause as NodeJS.ErrnoException;
    this.code = c?.code;
    this.errno = c?.errno;
    this.syscall = c?.syscall;
    this.path = temp;
  }
}

/** What became of a failed atomic write's temporary file: "its temporary file T was removed". */
export function tempFileNote(temp: string, tempRemoved: boolean): string {
  return `its temporary file ${temp} ${tempRemoved ? 'was removed' : 'could not be removed: delete it'}`;
}

/** What a failed atomic write left: "its temporary file T was removed; the earlier F, if any, is untouched". */
export function atomicFailureNote(target: string, temp: string, tempRemoved: boolean): string {
  return `${tempFileNote(temp, tempRemoved)}; the earlier ${path.basename(target)}, if any, is untouched`;
}
