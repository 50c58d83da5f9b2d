/**
 * The workers of a queue: those connected (workerIds), their published threads (threadSum), and the jobs held by a worker that is gone
 * (kill -9, machine lost): BullMQ keeps them active under that worker's name until its lock
 * expires and a live worker's stalled-job check puts them back, which takes up to the lock duration plus the check interval (30 s + 30 s by default). The coordinator
 * says so once per such worker, so that a run whose progress stops meanwhile is not taken for hung.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Queue } from 'bullmq';
import { PREFIX } from './redis.ts';

/**
 * A worker's id: host:pid, which says where it runs, then a random suffix ("box:1-3f9a0c2e"):
 * two containers can share a host name (host networking, a set hostname) and both run the worker
 * as pid 1, and with one id their results, refusals and held jobs would be taken for one worker's
 * (a killed one's jobs for a connected worker's). The id is BullMQ's worker name, after the
 * connection name's ":w:" (`workerIds`), and the `processedBy` of its jobs (`heldByGone`).
 */
export function workerId(host = os.hostname(), pid = process.pid): string {
  return `${host}:${pid}-${randomBytes(4).toString('hex')}`;
}

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

/**
 * The gone workers to name, each once: a worker counts as gone when two checks in a row find it
 * holding jobs while not connected (one check can fall between its connection dropping and
 * BullMQ's stalled-job check).
 */
export class GoneWorkers {
  private readonly noted = new Set<string>();
  private before = new Set<string>();

  /** The notes for this check's held-by-gone counts (heldByGone): the workers gone at this check and the previous one, not noted yet. */
  notes(held: Map<string, number>): string[] {
    const out: string[] = [];
    for (const [w, n] of held) {
      if (this.noted.has(w) || !this.before.has(w)) continue;
      this.noted.add(w);
      out.push(goneNote(w, n));
    }
    this.before = new Set(held.keys());
    return out;
  }
}

/**
 * The distinct workers among a queue's `getWorkers()` clients, by the id the results carry (`workerId`,
 * the Worker's `name`). BullMQ sets each client's `name` to the queue's name and keeps the
 * connection name, `<prefix>:<base64 queue>:w:<worker name>`, in `rawname`; an unnamed worker is
 * told apart by its Redis client id. The prefix (a namespace's may hold ":w:") is skipped first;
 * the base64 queue name holds no ':'.
 */
export function workerIds(clients: Record<string, string>[], prefix = PREFIX): Set<string> {
  const ids = new Set<string>();
  for (const c of clients) {
    const raw = c.rawname ?? '';
    const rest = raw.startsWith(`${prefix}:`) ? raw.slice(prefix.length + 1) : raw;
    const at = rest.indexOf(':w:');
    ids.add(at >= 0 ? rest.slice(at + 3) : `client ${c.id ?? c.addr ?? raw}`);
  }
  return ids;
}

/** The sum of the workers' published thread counts (RedisKeys.threads values); undefined if one is missing or not a positive integer. */
export function threadSum(values: (string | null)[]): number | undefined {
  let sum = 0;
  for (const v of values) {
    const n = Number(v);
    if (v === null || !Number.isSafeInteger(n) || n < 1) return undefined;
    sum += n;
  }
  return sum;
}
