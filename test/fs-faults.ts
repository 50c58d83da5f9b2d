/**
 * Failures of the file system injected into this process's `fs` calls (node:test's mock.method),
 * for the tests of a start that cannot write its folder, lock or journal (test/run-start-failures.test.ts,
 * test/serve-disk-full.test.ts): the error each code makes, as Node would raise it, the reason the
 * message names, and the fix dse/errors.ts `folderFix` words.
 */
import { mock } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';

export const FIX = {
  EACCES: "fix the folder's permissions",
  EROFS: 'make its file system writable',
  ENOSPC: 'free space on its disk',
} as const;
export const REASON = { EACCES: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left on the device' } as const;
export type Code = keyof typeof FIX;
export type FaultMethod = 'accessSync' | 'mkdirSync' | 'openSync' | 'writeSync';

/** The error Node raises for `code` in `syscall` (on `file`). */
export const sysError = (code: Code, syscall: string, file?: string) => Object.assign(new Error(`${code}: ${REASON[code]}, ${syscall}${file ? ` '${file}'` : ''}`), { code, syscall, ...(file ? { path: file } : {}) });

/** Injects `code` into fs.`method` for the calls `hit` picks (its arguments; an fd's file name for writeSync). */
export function inject(method: FaultMethod, code: Code, hit: (name: string, flags: unknown) => boolean) {
  const real = fs[method] as (...a: unknown[]) => unknown;
  return mock.method(fs, method, function (this: unknown, first: unknown, flags?: unknown, ...rest: unknown[]) {
    if (method === 'writeSync') {
      if (hit(path.basename(fs.readlinkSync(`/proc/self/fd/${first as number}`)), undefined)) throw sysError(code, 'write');
    } else if (hit(path.basename(String(first)), flags)) throw sysError(code, method.replace('Sync', ''), String(first));
    return real.call(fs, first, flags, ...rest);
  } as never);
}
