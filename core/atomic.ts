/**
 * The one atomic file write: data goes to a temporary sibling, is flushed to disk (fsync), and is
 * renamed over the target; the folder is fsync'd so the rename itself survives a crash. A reader
 * sees the old file or the new one, never half of one; a failure removes the temporary file.
 * `openAtomic` streams a large file the same way (points.csv of a 10⁷-point run).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AtomicWriteError } from './atomic-error.ts';

export { AtomicWriteError, atomicFailureNote } from './atomic-error.ts';

export interface AtomicFile {
  /** The target. */
  readonly file: string;
  /** The temporary sibling being written. */
  readonly temp: string;
  /** Appends bytes (buffered; written in large chunks). */
  write(data: string | Uint8Array): void;
  /**
   * Flushes, fsyncs and closes the temporary file, without renaming it: a writer of several files
   * seals each, then commits them together, so that a failure (a full disk) replaces none.
   */
  seal(): void;
  /** Seals (if not yet) and renames into place. */
  commit(): void;
  /** Removes the temporary file (the target is untouched). */
  abort(): void;
}

const CHUNK = 1 << 20;

/** The temporary sibling of `name` written by this process: `.<name>.<pid>.<hex>.tmp`. */
const tempName = (name: string): string => `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

/** The target's name and the writer's pid of a temporary file `openAtomic` names (undefined for any other file). */
export function atomicTempOf(file: string): { name: string; pid: number } | undefined {
  const m = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/.exec(file);
  return m ? { name: m[1], pid: Number(m[2]) } : undefined;
}

export function openAtomic(file: string): AtomicFile {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, tempName(path.basename(file)));
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'w');
  } catch (e) {
    throw new AtomicWriteError(e, file, tmp, !fs.existsSync(tmp));
  }
  let parts: (string | Uint8Array)[] = [];
  let pending = 0;
  const flush = () => {
    if (parts.length === 0) return;
    // one part of bytes (a points.csv span of 4 MB) is written as it is, not copied into a new buffer
    const one = parts.length === 1 ? parts[0] : undefined;
    const buf = one !== undefined && typeof one !== 'string' ? one : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    parts = [];
    pending = 0;
  };
  let sealed = false;
  const abort = () => {
    if (fd >= 0) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
      fd = -1;
    }
    fs.rmSync(tmp, { force: true });
  };
  /** Runs a step; on failure the temporary file is removed and the error says which files and whether it is gone. */
  const guarded = (step: () => void) => {
    try {
      step();
    } catch (e) {
      try {
        abort();
      } catch {
        /* reported below: the temporary file is still there */
      }
      throw e instanceof AtomicWriteError ? e : new AtomicWriteError(e, file, tmp, !fs.existsSync(tmp));
    }
  };
  const seal = () => {
    if (sealed) return;
    guarded(() => {
      flush();
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = -1;
    });
    sealed = true;
  };
  return {
    file,
    temp: tmp,
    write(data) {
      if (sealed) throw new Error(`${file}: written after it was sealed`);
      parts.push(data);
      pending += data.length;
      if (pending >= CHUNK) guarded(flush);
    },
    seal,
    commit() {
      seal();
      guarded(() => fs.renameSync(tmp, file));
      fsyncDir(dir);
    },
    abort,
  };
}

function fsyncDir(dir: string): void {
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* some platforms cannot fsync a folder; the rename is still atomic */
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const f = openAtomic(file);
  f.write(data);
  f.commit();
}
