/**
 * Content identity of a file a space names outside the models (a workload trace): part of the
 * journal key (dse/executor.ts keyMaterial), so that a trace file whose rows changed is evaluated
 * again instead of answered from the journal, and checked by queue workers against their own copy.
 * The sha256 is remembered per path with the file's stat (size, mtime, ctime, inode): later calls
 * only stat it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileStamp } from '../core/file-stamp.ts';

const known = new Map<string, { stamp: string; hash: string }>();

/** sha256 (16 hex digits) of the file's contents; null when it cannot be read. */
export function fileHash(file: string): string | null {
  const abs = path.resolve(file);
  let stamp: string | undefined;
  try {
    stamp = fileStamp(abs);
  } catch {
    return null;
  }
  if (stamp === undefined) return null;
  const k = known.get(abs);
  if (k && k.stamp === stamp) return k.hash;
  let data: Buffer;
  try {
    data = readFileSync(abs);
  } catch {
    return null;
  }
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 16);
  known.set(abs, { stamp, hash });
  return hash;
}

/** The trace file a task's evaluation context names (`base.workload.trace` of an argument), if any. */
export function traceOfArgs(args: unknown[]): string | undefined {
  for (const a of args) {
    const t = (a as { base?: { workload?: { trace?: unknown } } } | null | undefined)?.base?.workload?.trace;
    if (typeof t === 'string') return t;
  }
  return undefined;
}
