/**
 * Jobs held by a worker that is gone (kill -9, machine lost): BullMQ keeps them active under that
 * worker's name until its lock expires and a live worker's stalled-job check puts them back, which
 * takes up to the lock duration plus the check interval (30 s + 30 s by default). The coordinator
 * says so once per such worker, so that a run whose progress stops meanwhile is not taken for hung.
 */
import type { Queue } from 'bullmq';

/** Active jobs per worker name, for the workers not among `connected`. */
export async function heldByGone(queue: Queue, connected: Set<string>): Promise<Map<string, number>> {
  const held = new Map<string, number>();
  for (const job of await queue.getActive(0, 9999)) {
    const w = job.processedBy;
    if (w && !connected.has(w)) held.set(w, (held.get(w) ?? 0) + 1);
  }
  return held;
}

/** The note for a gone worker's jobs. */
export function goneNote(worker: string, n: number): string {
  return `queue: worker ${worker} holds ${n} job${n === 1 ? '' : 's'} but is no longer connected (killed, or its machine lost?): ${n === 1 ? 'it returns' : 'they return'} to the queue once its lock expires (the worker's --lock-duration, 30 s by default) and a live worker's check for stalled jobs runs (start a worker if none is)`;
}
