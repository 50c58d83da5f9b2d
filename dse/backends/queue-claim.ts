/**
 * One coordinator per queue. A queue's name comes from the run's name and its folder's absolute
 * path (`queueNameFor`), so that a rerun of the folder finds its jobs. Two coordinators in
 * two containers (or machines) that share a Redis and run a space of the same name from the same
 * in-container path therefore get the same queue, and would take each other's jobs and results.
 * Before registering, a coordinator looks at the queue's `alive` key: a previous coordinator that
 * was killed stops refreshing it, so it lapses within ALIVE_TTL_MS and the new one goes on (a
 * resume after kill -9 waits for that); one that keeps refreshing it is alive, and the new run is
 * refused with what to change. The key's value carries a random token, so two coordinators with
 * the same host name and pid (pid 1 in two containers) are still told apart.
 */
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.ts';
import { ALIVE_TTL_MS } from './redis.ts';

/** The queue of a run: its name and a hash of its results folder (two folders of one machine never share a queue). */
export function queueNameFor(runName: string, dir: string): string {
  return `${runName}.${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 8)}`;
}

/** What a coordinator writes in its queue's `alive` key: host:pid and a random token. */
export function coordinatorToken(host = os.hostname(), pid = process.pid): string {
  return `${host}:${pid} ${randomBytes(4).toString('hex')}`;
}

interface EvalClient {
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Sets the alive key to ARGV[1] for ARGV[2] ms if it holds ARGV[1] or nothing (one atomic step: of two coordinators starting together, one wins); returns the other holder's value otherwise. */
const REFRESH = "local v = redis.call('GET', KEYS[1]) if v == false or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return false end return v";
/** Deletes the alive key if it holds ARGV[1]: 1 when it did (or the key is gone), 0 when another coordinator holds it. */
const RELEASE = "local v = redis.call('GET', KEYS[1]) if v == false then return 1 end if v == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0";

/**
 * The claim at start and the heartbeat's refresh of `aliveKey`: null while this coordinator holds
 * it (or it is free, or lapsed, and is taken), else the other coordinator's value. A coordinator
 * cut off from Redis for longer than the key's lifetime may find its queue claimed by another run
 * (another container, same run name and path): it must not overwrite that run's key.
 */
export async function refreshClaim(client: EvalClient, aliveKey: string, me: string, ttlMs = ALIVE_TTL_MS): Promise<string | null> {
  const v = await client.eval(REFRESH, 1, aliveKey, me, ttlMs);
  return typeof v === 'string' ? v : null;
}

/**
 * Returns once this coordinator holds `aliveKey`: at once when the key is missing (or ours), else
 * when it lapses (a killed coordinator) within `ttlMs` and a beat; throws InputError naming the
 * holder when it is still refreshed after that. `whileHeld` runs before the wait's first line and
 * at each poll, and may throw to end the wait: the run's folder lock, which a coordinator of the
 * same folder started at the same moment takes once it holds the queue (its refusal, at once,
 * rather than this wait's other-container one after `ttlMs`). The lock is read, not taken, before
 * the claim: taking it would write in the folder before the claim can refuse the run, and a default
 * folder of another space is moved aside later (openRun).
 */
export async function claimQueue(client: EvalClient, aliveKey: string, me: string, queue: string, log: (line: string) => void, ttlMs = ALIVE_TTL_MS, pollMs = 250, whileHeld: () => void = () => {}): Promise<void> {
  let holder = await refreshClaim(client, aliveKey, me, ttlMs);
  if (holder === null) return;
  whileHeld();
  log(`queue "${queue}": coordinator ${holder.split(' ')[0]} registered it and its heartbeat has not lapsed; waiting up to ${Math.ceil(ttlMs / 1000)} s for it (a killed coordinator's lapses)…`);
  const deadline = Date.now() + ttlMs + 1000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, pollMs));
    holder = await refreshClaim(client, aliveKey, me, ttlMs);
    if (holder === null) return;
    whileHeld();
  }
  throw new InputError(
    `queue "${queue}" is in use by a live coordinator (${holder.split(' ')[0]}): a run with the same name from a folder at the same path, ` +
      'in another container or on another machine, uses this Redis. Give this run its own --namespace (the workers need the same one), or another --out folder',
  );
}

/**
 * At a coordinator's end: deletes `aliveKey` when this coordinator holds it and returns true (the
 * run's queue may then be removed); false when another coordinator holds it now, whose queue it is.
 */
export async function releaseClaim(client: EvalClient, aliveKey: string, me: string): Promise<boolean> {
  return (await client.eval(RELEASE, 1, aliveKey, me)) === 1;
}

/** The log line of a coordinator whose queue another one claimed. */
export const claimLostNote = (queue: string, holder: string): string =>
  `queue "${queue}": coordinator ${holder.split(' ')[0]} claimed it while this run was cut off from Redis for more than ${ALIVE_TTL_MS / 1000} s (a run with the same name from a folder at the same path, in another container or on another machine); this run's evaluations still come back (jobs are named by their content), but its queue is left to that run when this one ends: give each run its own --namespace`;
