/**
 * The CLI's one error path (dse/cli.ts `main`):
 * - `InputError` (and anything with `exitCode = 2`): a user-caused failure — bad YAML, flag, path,
 *   file — printed as one line naming the file/option/field; exit code 2; nothing is written.
 * - Any other error is unexpected: a short message, a hint to rerun with `--debug` for the stack,
 *   exit code 1.
 */
import { AtomicWriteError, atomicFailureNote } from '../core/atomic-error.ts';

/** Bad user input (YAML, flags, files): the CLI prints the message and exits 2, writing nothing. */
export class InputError extends Error {
  readonly exitCode = 2;
  /** `options.cause`: the filesystem error it words (`fsInputError`), for a caller that words it again. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputError';
  }
}

/**
 * A user's filesystem error (a full disk) on one of a run's working files, written while it
 * evaluates (the journal, the streamed points body): the run stops there and writes no output
 * (dse/run.ts); the journal is what the same command continues from.
 */
export class RunFileError extends InputError {
  constructor(
    /** `cannot write <file>: <meaning> (<CODE>)`. */
    readonly head: string,
    /** What the folder still holds and how to go on. */
    readonly safe: string,
    /** When the user can go on (`whenFixed`): "after freeing space", or "once that is fixed". */
    readonly once = 'once that is fixed',
  ) {
    super(`${head}; ${safe}`);
  }
}

/** What an errno code means for a path the user gave. */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a component of the path is a file, not a folder',
  EEXIST: 'exists and is not a folder',
  EISDIR: 'is a folder, not a file',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
  EFBIG: 'file too large',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** Errno codes caused by the user's paths or machine (not by a bug): they exit 2. */
export function isUserFsError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && Object.hasOwn(ERRNO_TEXT, code);
}

/** `<meaning> (<CODE>)` of a filesystem error. */
export function errnoText(e: NodeJS.ErrnoException): string {
  const code = e.code ?? 'EUNKNOWN';
  return `${ERRNO_TEXT[code] ?? e.message} (${code})`;
}

/**
 * One line for a filesystem error on a user-given path: `<what>: <meaning> (<CODE>)`. A failed
 * atomic write (core/atomic.ts) names its target, not the temporary file it was writing, and says
 * what became of that file.
 */
export function fsMessage(e: NodeJS.ErrnoException, what?: string): string {
  if (e instanceof AtomicWriteError) return `${what ?? e.target}: ${errnoText(e)}; ${atomicFailureNote(e.target, e.temp, e.tempRemoved)}`;
  return `${what ?? e.path ?? 'file'}: ${errnoText(e)}`;
}

/** An InputError for a filesystem error on a user-given path (the error as its `cause`); other errors pass through. */
export function fsInputError(e: unknown, what?: string): Error {
  if (e instanceof InputError) return e;
  if (isUserFsError(e)) return new InputError(fsMessage(e, what), { cause: e });
  return e as Error;
}

/**
 * A user's filesystem error (a full disk, a quota) while a run writes one of its working files
 * before the outputs (the journal, the streamed points body): an InputError (exit 2) naming `file`,
 * then `safe(once)`: what the folder still holds and how to go on (`once`: "after freeing space",
 * or "once that is fixed" for another cause). Other errors pass through.
 */
export function runFileError(e: unknown, file: string, safe: (once: string) => string): Error {
  if (e instanceof InputError || !isUserFsError(e)) return e as Error;
  return new RunFileError(`cannot write ${file}: ${errnoText(e)}`, safe(whenFixed(e)), whenFixed(e));
}

/** When the user can go on after a filesystem error: "after freeing space" for a full disk or quota, else "once that is fixed". */
export function whenFixed(e: NodeJS.ErrnoException): string {
  return e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'after freeing space' : 'once that is fixed';
}

/**
 * What the user does about a folder a command cannot write in (`undefined` for another cause): fix
 * its permissions (EACCES), make its file system writable (EROFS), free space (ENOSPC, EDQUOT).
 * Not EPERM: a place that permits no such operation (/sys, an immutable file) has no mode to fix.
 */
export function folderFix(e: NodeJS.ErrnoException): string | undefined {
  switch (e.code) {
    case 'EACCES':
      return "fix the folder's permissions";
    case 'EROFS':
      return 'make its file system writable';
    case 'ENOSPC':
      return 'free space on its disk';
    case 'EDQUOT':
      return 'free space within the disk quota';
    default:
      return undefined;
  }
}

/** What a run folder's journal (`journal`: its path, or "the journal") keeps after a failed write: every evaluation up to its last complete line, which the same command continues from. */
export function journalSafeNote(journal: string, once: string): string {
  return `${journal} holds every finished evaluation up to its last complete line: ${once}, the same command (or \`run --resume\`) continues from it without evaluating those again`;
}
