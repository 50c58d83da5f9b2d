/**
 * Redis connections for the queue backend: `--queue redis://[USER:PASSWORD@]HOST:PORT[/DB]`
 * parsed and checked before anything is written (bad URL or unreachable server → InputError,
 * exit 2), and the connection options BullMQ needs (`maxRetriesPerRequest: null`) with a
 * reconnect delay of at most about a second (`reconnectDelay`).
 */
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { InputError } from '../errors.ts';

/** Key prefix of everything spatten-dse stores in Redis (BullMQ queues and the run registry), without a namespace. */
export const PREFIX = 'spatten-dse';

/**
 * The keys of one namespace (`--namespace NAME` of `run --queue` and `worker`): its workers see
 * only its runs, and its runs only its workers, so that separate users or test suites can share a
 * Redis. Without a namespace: the keys under PREFIX.
 */
export interface RedisKeys {
  namespace?: string;
  /** BullMQ prefix of the namespace's queues. */
  prefix: string;
  /** Hash of the runs currently distributing work: queue name → RunEntry (JSON). */
  runs: string;
  /** Hash of the workers that do not serve a run (worker id → why), read by its coordinator. */
  refused(queue: string): string;
  /** Set by the run's coordinator at each heartbeat, expiring ALIVE_TTL_MS later: gone, the coordinator is taken for dead. */
  alive(queue: string): string;
  /** A worker's evaluation threads (`worker --concurrency`), set at each of its registry polls, expiring THREADS_TTL_MS later: read by the coordinators of the runs it serves. */
  threads(worker: string): string;
}

/**
 * Lifetime of a run's `alive` key (its coordinator refreshes it every second): workers leave the
 * queue of a coordinator that stopped refreshing it this long ago (killed, machine lost), instead of
 * evaluating its jobs for nobody. A coordinator that comes back (a rerun of its folder) is served again.
 */
export const ALIVE_TTL_MS = 10_000;

/**
 * Lifetime of a worker's `threads` key (it refreshes the key at each registry poll, every second):
 * as ALIVE_TTL_MS, a worker gone this long no longer counts. Coordinators only read the keys of the
 * workers connected to their queue, so a killed worker's key is never counted meanwhile either.
 */
export const THREADS_TTL_MS = ALIVE_TTL_MS;

export function redisKeys(namespace?: string): RedisKeys {
  const prefix = namespace ? `${PREFIX}:ns:${namespace}` : PREFIX;
  return { ...(namespace ? { namespace } : {}), prefix, runs: `${prefix}:runs`, refused: (queue) => `${prefix}:refused:${queue}`, alive: (queue) => `${prefix}:alive:${queue}`, threads: (worker) => `${prefix}:threads:${worker}` };
}

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks a --namespace value: letters, digits, '.', '_', '-' (it is part of Redis key names). */
export function parseNamespace(v: string, option = '--namespace'): string {
  if (!NAMESPACE.test(v)) throw new InputError(`${option}: expected 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, got "${v}"`);
  return v;
}

export interface RunEntry {
  /** BullMQ queue of the run. */
  queue: string;
  name: string;
  dir: string;
  host: string;
  pid: number;
  /** Model version of the coordinator (dse/executor.ts modelVersion): workers only serve runs of their own. */
  modelVersion: string;
  /** Last heartbeat, ms since the epoch. */
  t: number;
  /**
   * The task each evaluation thread of a worker runs as it joins the run (dse/executor.ts
   * tasks.ts warmTask: loading the accuracy model), written as a job's task (queue-task.ts encodeTask).
   */
  warm?: string;
}

export interface RedisTarget {
  /** The URL as given, without credentials (for logs and run.json). */
  display: string;
  options: RedisOptions;
}

/** The longest wait between two reconnection attempts, ms (before jitter): see `reconnectDelay`. */
export const RECONNECT_MAX_MS = 1000;
/** The jitter added to each reconnection delay, ms (exclusive bound): see `reconnectDelay`. */
export const RECONNECT_JITTER_MS = 200;

/**
 * ioredis' `retryStrategy` for every connection of a run and a worker (BullMQ's Queue,
 * QueueEvents and Worker, and the registry clients): ms before the `times`-th reconnection attempt.
 * ioredis' own default (doubling from 50 ms, capped at 5 s, plus up to 199 ms of jitter) with the
 * cap at RECONNECT_MAX_MS. BullMQ's default for the connections it creates, Math.exp(times) ms
 * within 1-20 s (bullmq redis-connection.js; the option given here replaces it, as BullMQ's
 * "Going to production" guide says), tries at 1, 2, … 6, 7.1, 10.1, 18.2 and 38.2 s after the
 * connection is lost: after a 20 s outage, not before 38 s. Jobs resumed 18-20 s after a 20 s
 * Redis restart with it, 1.6-2.2 s with this one (measured, 6 and 4 runs). An attempt a second per
 * connection costs a down Redis nothing; the jitter spreads many workers' attempts.
 */
export function reconnectDelay(times: number): number {
  return Math.min(2 ** (times - 1) * 50, RECONNECT_MAX_MS) + Math.floor(Math.random() * RECONNECT_JITTER_MS);
}

/** Parses `redis://[USER:PASSWORD@]HOST[:PORT][/DB]`; throws InputError naming the option. */
export function parseRedisUrl(url: string, option = '--queue'): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`${option}: expected redis://HOST:PORT[/DB], got "${url}"`);
  }
  if (u.protocol !== 'redis:') throw new InputError(`${option}: expected a redis:// URL (redis://HOST:PORT[/DB]), got "${url}"`);
  if (!u.hostname) throw new InputError(`${option}: no host in "${url}"`);
  const port = u.port ? Number(u.port) : 6379;
  // no option is read from the query or fragment: refused rather than silently ignored
  const extra = [...new Set(u.searchParams.keys())];
  if (u.search !== '' || u.hash !== '') throw new InputError(`${option}: "${url}": ${extra.length > 0 ? `unknown query parameter${extra.length === 1 ? '' : 's'} ${extra.map((k) => `"${k}"`).join(', ')}` : `unexpected "${u.search || u.hash}"`} (no option is read from the URL but the user, password, host, port and database: redis://[USER:PASSWORD@]HOST:PORT[/DB])`);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  // the upper bound is the server's 'databases' setting (16 by default): checkRedis selects it
  if (!/^\d*$/.test(dbText) || !Number.isSafeInteger(db)) throw new InputError(`${option}: database must be a non-negative integer (0-15 on a default server), got "/${dbText}" in "${url}"`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const options: RedisOptions = { host, port, db, maxRetriesPerRequest: null, retryStrategy: reconnectDelay };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  return { display: `redis://${u.hostname}:${port}/${db}`, options };
}

/** The URL to give workers: the display URL, with a placeholder where the target has credentials (never printed). */
export function workerUrl(target: RedisTarget): string {
  const { username, password } = target.options;
  return password === undefined ? target.display : target.display.replace('redis://', `redis://${username ?? ''}:PASSWORD@`);
}

/**
 * Connects once, without retrying, and checks the server (PING, version ≥ 5 as BullMQ requires).
 * Returns the server's run_id (it changes when Redis restarts). Throws InputError.
 */
export async function checkRedis(target: RedisTarget, option = '--queue', timeoutMs = 3000): Promise<{ runId: string; version: string }> {
  const { Redis } = await import('ioredis');
  const client = new Redis({ ...target.options, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError: NodeJS.ErrnoException | undefined;
  client.on('error', (e: NodeJS.ErrnoException) => (lastError = e));
  try {
    await client.connect();
    const info = await client.info('server');
    const version = /redis_version:([\d.]+)/.exec(info)?.[1] ?? '?';
    const runId = /run_id:(\w+)/.exec(info)?.[1] ?? '';
    if (Number(version.split('.')[0]) < 5) throw new InputError(`${option} ${target.display}: Redis ${version} is too old (BullMQ needs 5 or newer)`);
    await selectDb(client, target, option);
    return { runId, version };
  } catch (e) {
    if (e instanceof InputError) throw e;
    // ioredis rejects with "Connection is closed." and reports the cause (ECONNREFUSED, ENOTFOUND…) as an event
    const err = lastError ?? (e as NodeJS.ErrnoException);
    const why = err.code ?? err.message ?? String(e);
    const auth = authIssue(err.message ?? String(e), target);
    if (auth) throw new InputError(`${option} ${target.display}: ${auth}`);
    const local = ['127.0.0.1', 'localhost', '::1'].includes(String(target.options.host));
    const hint = local ? `start one with: redis-server --port ${target.options.port} --bind 127.0.0.1 --save '' --daemonize yes` : 'is it running, and reachable from this machine?';
    throw new InputError(`${option} ${target.display}: cannot connect to Redis (${why}); ${hint}`);
  } finally {
    client.disconnect();
  }
}

/** What to do when the server refused the URL's credentials (it runs: starting one is no answer), or undefined. */
function authIssue(message: string, target: RedisTarget): string | undefined {
  const first = message.split(/[,(]/)[0].trim();
  if (/^NOAUTH\b/.test(message)) return `the server requires a password (${first}); give it in the URL: redis://[USER]:PASSWORD@HOST:PORT[/DB]`;
  if (/^WRONGPASS\b/.test(message)) return `the server does not accept the ${target.options.username ? 'user and password' : 'password'} of the URL (${first})`;
  return undefined;
}

/** Selects the URL's database, or says that the server has none of that number (its 'databases' setting). */
async function selectDb(client: RedisClient, target: RedisTarget, option: string): Promise<void> {
  const db = target.options.db ?? 0;
  try {
    await client.select(db);
  } catch (e) {
    if (!/DB index is out of range/i.test((e as Error).message)) throw e;
    const n = await client.config('GET', 'databases').then((r) => Number((r as string[])[1]), () => Number.NaN);
    const has = Number.isInteger(n) ? `its 'databases' setting is ${n}, numbered 0-${n - 1}` : `Redis has 16, numbered 0-15, unless its 'databases' setting says otherwise`;
    throw new InputError(`${option} ${target.display}: the server has no database ${db} (${has})`);
  }
}

/** run_id of the server from an INFO reply. */
export function runIdOf(info: string): string {
  return /run_id:(\w+)/.exec(info)?.[1] ?? '';
}
