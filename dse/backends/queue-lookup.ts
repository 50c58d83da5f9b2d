/**
 * What a job found in Redis says about its evaluation (dse/backends/queue.ts reads jobs directly
 * when no event came for a while, and at add time for jobs an earlier coordinator left), and what
 * a worker's return value holds. Pure: the job's fields in, a state out.
 */
import type { JobResult } from './queue-task.ts';

/** The fields of a BullMQ job this reading needs (undefined: no job of that id in Redis). */
export interface JobFields {
  finishedOn?: number;
  failedReason?: string;
  returnvalue?: unknown;
}

export type JobState =
  /** Not in Redis: removed by a Redis restart, or never added. */
  | { kind: 'gone' }
  /** Waiting or running. */
  | { kind: 'open' }
  /** Finished without a result (e.g. its worker crashed twice). */
  | { kind: 'failed'; reason: string }
  /** Finished with the worker's return value. */
  | { kind: 'done'; value: unknown };

/** A job's state from its fields: a failure counts only where no result came back. */
export function jobState(job: JobFields | undefined | null): JobState {
  if (!job) return { kind: 'gone' };
  if (job.finishedOn === undefined) return { kind: 'open' };
  if (job.failedReason !== undefined && job.failedReason !== '' && job.returnvalue == null) return { kind: 'failed', reason: job.failedReason };
  return { kind: 'done', value: job.returnvalue };
}

/** A worker's return value (BullMQ hands it back as JSON text or as the object) read as a JobResult, or why it cannot be. */
export function readJobResult(returnvalue: unknown): { result: JobResult } | { error: string } {
  try {
    const r = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as JobResult;
    if (!r || typeof r !== 'object' || typeof r.ok !== 'boolean') throw new Error('not a job result');
    return { result: r };
  } catch {
    return { error: `unreadable result from the worker: ${String(returnvalue).slice(0, 200)}` };
  }
}
