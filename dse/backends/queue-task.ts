/**
 * A pool task as a queue job carries it (dse/backends/queue.ts), and what a worker returns for it
 * (JobData, JobResult). A task is written for workers whose checkout and working directory are
 * elsewhere:
 * - a relative trace file or accuracy checkpoint folder (resolved against the coordinator's working
 *   directory, as in a local run) is made absolute first: a worker started in another folder would
 *   otherwise look for it under its own;
 * - paths inside the coordinator's checkout are written as $ROOT/…, resolved by each worker
 *   against its own checkout.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelDirOf } from '../../sim/nn/paths.ts';
import type { PoolTask } from '../pool.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROOT_MARK = '$ROOT/';

/** `"<root>/` as it appears in JSON: the start of a string holding a path inside the checkout. */
const quotedPrefix = (root: string) => JSON.stringify(root + '/').slice(0, -1);

/** A workload's relative trace, or an accuracy block's relative checkpoint folder, made absolute (a copy; the task is not changed). */
function absolutePaths(key: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (key === 'workload' && typeof o.trace === 'string' && !path.isAbsolute(o.trace)) return { ...o, trace: path.resolve(o.trace) };
  // a shipped checkpoint's name stays a name; a relative folder is resolved as modelDirOf does
  if (key === 'accuracy' && typeof o.model === 'string' && !path.isAbsolute(o.model) && modelDirOf(o.model) === path.resolve(o.model)) return { ...o, model: path.resolve(o.model) };
  return v;
}

/** The task as a job carries it: relative files made absolute, paths inside this checkout relative to the project root. */
export function encodeTask(task: PoolTask, root = ROOT): string {
  return JSON.stringify(task, absolutePaths).replaceAll(quotedPrefix(root), `"${ROOT_MARK}`);
}

/** The task of a job, with $ROOT/ paths resolved against this checkout. */
export function decodeTask(text: string, root = ROOT): PoolTask {
  return JSON.parse(text.replaceAll(`"${ROOT_MARK}`, quotedPrefix(root))) as PoolTask;
}

/** What a job carries (BullMQ stores it as JSON). */
export interface JobData {
  /** The pool task, paths under the project root written as $ROOT/…. */
  task: string;
  /** Model version of the coordinator. */
  mv: string;
  /** Content hash of the task's trace file on the coordinator's machine (dse/file-hash.ts), when it has one: workers check theirs. */
  trace?: string | null;
}

/** What a worker returns for a job. */
export type JobResult = ({ ok: true; value: unknown } | { ok: false; error: string; crashed: boolean }) & {
  ms: number;
  /** Worker id (host:pid-suffix: queue-orphans.ts workerId). */
  w: string;
  /** Times the job was started (> 1: it was re-run after its worker died). */
  a: number;
};
