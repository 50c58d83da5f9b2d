/**
 * The results folder's lock: `<dir>/.lock` holds the owner's pid; a second live run on the same
 * folder is refused with a clear message; a lock whose pid is dead (or on this host, unreadable)
 * is taken over, by one run at a time (the `.lock.takeover` mutex).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDir } from './outputs.ts';

export const LOCK_FILE = '.lock';

// --- lock ------------------------------------------------------------------------------------

export class LockError extends Error {
  readonly exitCode = 2;
  readonly pid: number;
  constructor(message: string, pid: number) {
    super(message);
    this.name = 'LockError';
    this.pid = pid;
  }
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * Is a process with this pid alive (on this host)? EPERM means alive but not ours. A zombie (a
 * killed process not yet reaped — common in containers whose init does not reap orphans) is dead:
 * on Linux its /proc/<pid>/stat state is 'Z'.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (e) {
    // Gone since kill(pid, 0), or no /proc (not Linux): then trust kill(pid, 0).
    return !((e as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync('/proc/self/stat'));
  }
}

export interface Lock {
  file: string;
  /** Set when a stale lock was taken over. */
  tookOverFrom?: LockInfo;
  release(): void;
}

/**
 * Creates the lock file (only if it does not exist) holding `me`; false when it exists already.
 * A lock file created but not written (a full disk: ENOSPC) is removed, and the error names it
 * (`path`: a write's error names no file): an empty lock left behind would hold up the next run
 * for 2 s as one being written.
 */
function createLockFile(file: string, me: LockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
  try {
    fs.writeSync(fd, JSON.stringify(me) + '\n');
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    try {
      fs.unlinkSync(file);
    } catch {
      /* gone already */
    }
    throw Object.assign(e as NodeJS.ErrnoException, { path: (e as NodeJS.ErrnoException).path ?? file });
  }
  fs.closeSync(fd);
  return true;
}

/**
 * The locks this process holds. They are released when it exits however it exits (process.exit,
 * an uncaught exception): the journal is whole after every append, so a process that ends leaves
 * nothing the lock protects, and a lock left behind made the next run in the folder take it over.
 */
const held = new Set<Lock>();
let exitHook = false;

/** The lock this process holds: `release()` (once) removes the file if it still holds `me`. */
function heldLock(file: string, me: LockInfo, tookOverFrom: LockInfo | undefined): Lock {
  let released = false;
  const lock: Lock = {
    file,
    tookOverFrom,
    release() {
      if (released) return;
      released = true;
      held.delete(lock);
      try {
        const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
        if (cur.pid === me.pid && cur.startedAt === me.startedAt) fs.unlinkSync(file);
      } catch {
        /* already gone */
      }
    },
  };
  held.add(lock);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const l of [...held]) l.release();
    });
  }
  return lock;
}

/**
 * Who holds the lock file; undefined when it cannot be read or parsed, or does not hold what
 * `createLockFile` writes (a pid, a host, a start time): such a file is unreadable, not a live run.
 */
function readHolder(file: string): LockInfo | undefined {
  let h: Partial<LockInfo> | null;
  try {
    h = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo> | null;
  } catch {
    return undefined;
  }
  const ok = typeof h === 'object' && h !== null && Number.isSafeInteger(h.pid) && h.pid! > 0 && typeof h.host === 'string' && typeof h.startedAt === 'string';
  return ok ? (h as LockInfo) : undefined;
}

/** A holder counts as live unless it is a dead process on this host (another host's cannot be checked). */
const holderLive = (h: LockInfo): boolean => h.host !== os.hostname() || pidAlive(h.pid);

/** "pid P on HOST" of a live run holding `dir`'s lock, or undefined. */
export function lockHolder(dir: string): string | undefined {
  const holder = readHolder(path.join(dir, LOCK_FILE));
  return holder !== undefined && holderLive(holder) ? `pid ${holder.pid} on ${holder.host}` : undefined;
}

/** The error of a folder whose lock a live run holds (exit 2). */
function heldError(dir: string, file: string, holder: LockInfo): LockError {
  return new LockError(
    `results folder ${dir} is in use by another run (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}).\n` +
      `Wait for it to finish, use another --out folder, or delete ${file} if that process is gone.`,
    holder.pid,
  );
}

/**
 * `acquireLock`'s refusal, without taking the lock: throws its LockError when a live run other
 * than this process holds `dir`'s lock (a check before a run opens what the lock guards, e.g. the
 * folder's Redis queue).
 */
export function refuseIfLocked(dir: string): void {
  const file = path.join(dir, LOCK_FILE);
  const holder = readHolder(file);
  const mine = holder !== undefined && holder.pid === process.pid && holder.host === os.hostname();
  if (holder !== undefined && !mine && holderLive(holder)) throw heldError(dir, file, holder);
}

/** Milliseconds since the lock file was last written (Infinity when it is gone). */
function lockAge(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** Is the lock file still held by `seen` (the stale holder judged dead; undefined: it was unreadable)? */
function stillHeldBy(file: string, seen: LockInfo | undefined): boolean {
  const now = readHolder(file);
  if (seen === undefined) return now === undefined && fs.existsSync(file);
  return now !== undefined && now.pid === seen.pid && now.host === seen.host && now.startedAt === seen.startedAt;
}

/**
 * Takes the takeover mutex `<lock>.takeover` (created exclusively). Only its holder may remove a
 * stale lock: two runs started together on a folder whose run was killed (kill -9) both find the
 * same dead holder, and without it the second's unlink removed the lock the first had just
 * created, so that both ran on the folder and appended to its journal at the same offsets. A
 * mutex whose process is dead, or older than 10 s (a takeover takes microseconds), is removed.
 */
function takeMutex(mutex: string, me: LockInfo): boolean {
  if (createLockFile(mutex, me)) return true;
  const h = readHolder(mutex);
  if ((h !== undefined && !holderLive(h)) || lockAge(mutex) > 10_000) {
    try {
      fs.unlinkSync(mutex);
    } catch {
      /* gone already */
    }
  }
  return false;
}

export interface AcquireHooks {
  /** Called when the lock was found stale, before the takeover (tests: another run's takeover at that moment). */
  onStale?: () => void;
}

/**
 * Takes `<dir>/.lock`. Throws LockError when a live process holds it; takes over a lock left by a
 * dead process (same host) or an unreadable one, under the takeover mutex (`takeMutex`), after
 * checking that the lock still holds the holder found dead.
 */
export function acquireLock(dir: string, hooks: AcquireHooks = {}): Lock {
  ensureDir(dir);
  const file = path.join(dir, LOCK_FILE);
  const mutex = file + '.takeover';
  const me: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createLockFile(file, me)) return heldLock(file, me, undefined);
    const holder = readHolder(file);
    if (holder === undefined) {
      // unreadable: a writer may be between create and write; give it a moment, then take over
      if (lockAge(file) < 2000) {
        pause(100);
        continue;
      }
    } else if (holderLive(holder)) {
      throw heldError(dir, file, holder);
    }
    hooks.onStale?.();
    if (!takeMutex(mutex, me)) {
      pause(20); // another run is taking over: the next attempt finds its lock
      continue;
    }
    try {
      // another run may have taken over between our read and the mutex: then its lock stays
      if (!stillHeldBy(file, holder)) continue;
      try {
        fs.unlinkSync(file);
      } catch {
        /* gone already */
      }
      if (createLockFile(file, me)) return heldLock(file, me, holder ?? { pid: 0, host: '?', startedAt: '?' });
    } finally {
      try {
        fs.unlinkSync(mutex);
      } catch {
        /* removed as stale by another run */
      }
    }
  }
  throw new LockError(`could not take the lock ${file} (contended)`, 0);
}
