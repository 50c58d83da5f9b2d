/**
 * The queue backend (`run … --queue redis://HOST:PORT[/DB]`): the coordinator (the `run` process:
 * driver, journal, outputs) puts evaluations on a BullMQ queue named after the run, and
 * `spatten-dse worker` processes on any machine evaluate them (dse/backends/worker.ts).
 *
 * - One job per evaluation, its id the evaluation's content hash (the journal key): a job added
 *   twice exists once, and a job found already finished when it is added (results computed while
 *   the coordinator was down) is collected, not re-run.
 * - Results come back through BullMQ's event stream (QueueEvents), with a poll of the pending jobs
 *   as a fallback when no event arrived for a while (e.g. events lost while Redis restarted).
 * - A heartbeat (every second) re-registers the run for the workers (RedisKeys.runs) and refreshes
 *   its `alive` key (expiring after ALIVE_TTL_MS: workers leave the queue of a dead coordinator), reads the queue's
 *   counts for the progress line and its connected workers' threads (capacity(): the accuracy
 *   rungs' look-ahead), and watches Redis' run_id: when Redis restarted without its data,
 *   every pending job is enqueued again (same ids, so nothing runs twice that still exists).
 * - A worker killed mid-job: BullMQ's stalled-job check (on the other workers) puts the job back
 *   once; a second stall fails it, which is reported `crashed` (not journaled; --resume retries).
 * - Paths of this checkout inside a task (e.g. a trace file) travel as $ROOT-relative paths
 *   (dse/backends/queue-task.ts; relative ones are made absolute first), so
 *   workers with the project checked out elsewhere find their own copy.
 * - `namespace` (`--namespace`): the run's keys (queue, registry) live under the namespace's
 *   prefix (dse/backends/redis.ts redisKeys), where only workers of that namespace look.
 * - On a normal close the run's queue is removed from Redis; after a kill -9 it stays, so that
 *   `run … --resume --queue …` collects what the workers finished meanwhile.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions, Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { fileHash, traceOfArgs } from '../file-hash.ts';
import { refuseIfLocked } from '../lock.ts';
import { stableStringify } from '../journal.ts';
import type { PoolResult, PoolTask } from '../pool.ts';
import { ALIVE_TTL_MS, checkRedis, parseRedisUrl, redisKeys, runIdOf, workerUrl, type RedisKeys, type RedisTarget, type RunEntry } from './redis.ts';
import type { BackendInfo, EvalBackend, TaskMeta } from './types.ts';
import { GoneWorkers, heldByGone, threadSum, workerIds } from './queue-orphans.ts';
import { encodeTask, type JobData } from './queue-task.ts';
import { jobState, readJobResult } from './queue-lookup.ts';
import { OutageClock, outageText } from './redis-outage.ts';
import { claimLostNote, claimQueue, coordinatorToken, queueNameFor, refreshClaim, releaseClaim } from './queue-claim.ts';

interface Pending {
  data: JobData;
  meta?: TaskMeta;
  waiters: ((r: PoolResult<unknown>) => void)[];
  started: number;
  /** Added to the queue (a Redis restart sets it back to false). */
  added: boolean;
}

export interface QueueBackendOptions {
  url: string;
  /** Run name (the space's) and results folder: they name the queue. */
  name: string;
  dir: string;
  modelVersion: string;
  /**
   * Sizes the runner's batches (128 × jobs points for grid, random, lhs; nsga2 batches by
   * generation): at least 16 here, since the number of workers is not known in advance and each
   * batch ends with a barrier. The accuracy rungs' look-ahead uses capacity() instead while the
   * connected workers' threads are known.
   */
  jobs?: number;
  /**
   * Jobs go on the queue only once this many workers are connected to it (`--wait-workers`), so
   * that a short run is shared by all of them instead of the first to poll the registry.
   */
  waitWorkers?: number;
  /** Jobs waiting and no worker seen this long after the run opened the queue (default 30 s): says how to start one, once. */
  idleNoteMs?: number;
  /** Namespace (`--namespace`): only workers started with the same one serve this run. */
  namespace?: string;
  /** The task each thread of a worker runs as it joins the run (RunEntry.warm): loading the accuracy model. */
  warm?: PoolTask;
  log?: (line: string) => void;
}

const HEARTBEAT_MS = 1000;
/** No event for this long while jobs are pending: look their state up directly. */
const POLL_AFTER_MS = 3000;

export class QueueBackend implements EvalBackend {
  readonly kind = 'queue' as const;
  readonly jobs: number;
  /** Every task of a batch goes on the queue at once. */
  readonly lanes = 1 << 16;
  readonly queueName: string;
  private readonly pending = new Map<string, Pending>();
  private toAdd: string[] = [];
  private flushing?: Promise<void>;
  private readonly perWorker = new Map<string, number>();
  /** Worker ids connected to the queue at some heartbeat, or that returned a result. */
  private readonly seen = new Set<string>();
  private readonly reran: { id?: number; attempts: number; worker: string }[] = [];
  /** Workers that said why they do not serve this run (dse/backends/queue-worker.ts refuse). */
  private readonly refused = new Map<string, string>();
  private collected = 0;
  private reenqueued = 0;
  private counts = { waiting: 0, active: 0, workers: 0 };
  /** The connected workers' evaluation threads at the last count (capacity()). */
  private threads?: number;
  /** Worker ids connected at the last count, beats so far, and the gone workers' notes. */
  private connected = new Set<string>();
  private beats = 0;
  private readonly gone = new GoneWorkers();
  private lastEvent = Date.now();
  private timer?: NodeJS.Timeout;
  /** This coordinator's value of the queue's alive key (queue-claim.ts), and another coordinator's that claimed the queue since. */
  private token = '';
  private claimedBy?: string;
  private runId: string;
  private stopped = false;
  private closed = false;
  private deadline = Infinity;
  private beating = false;
  /** The queue held jobs when this run opened it. */
  private leftovers = false;
  /** Workers still awaited before the first job is added (0: none). */
  private waitWorkers = 0;
  private waitLogged = 0;
  /** The connection's outages (redis-outage.ts), and when the current one was last said. */
  private outage!: OutageClock;
  private downLogged = 0;
  /** The `worker` command for this run, when it opened the queue, and whether the no-worker note was said. */
  private workerCommand = '';
  private readonly openedAt = Date.now();
  private idleNoteMs = 30_000;
  private idleSaid = false;

  private constructor(
    private readonly target: RedisTarget,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly client: Redis,
    private readonly entry: RunEntry,
    private readonly keys: RedisKeys,
    runId: string,
    private readonly log: (line: string) => void,
    jobs: number,
  ) {
    this.queueName = queue.name;
    this.runId = runId;
    this.jobs = jobs;
  }

  /** Checks the URL and the server (InputError, nothing written), then connects and registers the run. */
  static async open(o: QueueBackendOptions): Promise<QueueBackend> {
    const target = parseRedisUrl(o.url);
    const { runId } = await checkRedis(target);
    // a live run of this folder (its lock) holds this queue too: refused at once, as the lock refuses
    // it, here and at each poll of claimQueue's wait (why read, not taken: claimQueue's whileHeld)
    refuseIfLocked(o.dir);
    const { Queue, QueueEvents } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const name = queueNameFor(o.name, o.dir);
    const keys = redisKeys(o.namespace);
    const queue = new Queue(name, { connection: { ...target.options, enableAutoPipelining: true } as ConnectionOptions, prefix: keys.prefix });
    const events = new QueueEvents(name, { connection: target.options as ConnectionOptions, prefix: keys.prefix });
    const client = new Redis({ ...target.options, enableAutoPipelining: true });
    const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
    for (const c of [queue, events] as { on(e: string, f: (e: Error) => void): void }[]) c.on('error', () => {});
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const entry: RunEntry = { queue: name, name: o.name, dir: path.resolve(o.dir), host: os.hostname(), pid: process.pid, modelVersion: o.modelVersion, t: Date.now(), ...(o.warm ? { warm: encodeTask(o.warm) } : {}) };
    const token = coordinatorToken();
    await claimQueue(client, keys.alive(name), token, name, log, ALIVE_TTL_MS, 250, () => refuseIfLocked(o.dir)).catch(async (e) => (await Promise.allSettled([queue.close(), events.close()]), client.disconnect(), Promise.reject(e)));
    const b = new QueueBackend(target, queue, events, client, entry, keys, runId, log, Math.max(16, o.jobs ?? 1));
    b.token = token;
    b.outage = new OutageClock(client);
    const left = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    b.leftovers = Object.values(left).some((n) => n > 0);
    // refusals of an earlier coordinator of this folder: the workers look at this run afresh
    await client.del(keys.refused(name));
    b.waitWorkers = o.waitWorkers ?? 0;
    b.listen();
    await b.heartbeat();
    b.timer = setInterval(() => void b.heartbeat(), HEARTBEAT_MS);
    b.timer.unref();
    b.workerCommand = `npx spatten-dse worker --queue ${workerUrl(target)}${o.namespace ? ` --namespace ${o.namespace}` : ''}`;
    b.idleNoteMs = o.idleNoteMs ?? b.idleNoteMs;
    log(`queue: ${target.display}${o.namespace ? ` namespace "${o.namespace}"` : ''} queue "${name}" (start workers with: ${b.workerCommand})`);
    return b;
  }

  run<T>(task: PoolTask, meta?: TaskMeta): Promise<PoolResult<T>> {
    if (this.stopped || performance.now() >= this.deadline) return Promise.resolve({ status: 'aborted', error: 'queue stopped', attempts: 0 });
    const text = encodeTask(task);
    const id = meta?.key ?? createHash('sha256').update(stableStringify(task)).digest('hex');
    return new Promise((resolve) => {
      const p = this.pending.get(id);
      if (p) {
        p.waiters.push(resolve as (r: PoolResult<unknown>) => void);
        return;
      }
      const trace = traceOfArgs(task.args);
      this.pending.set(id, { data: { task: text, mv: this.entry.modelVersion, ...(trace ? { trace: fileHash(trace) } : {}) }, meta, waiters: [resolve as (r: PoolResult<unknown>) => void], started: performance.now(), added: false });
      this.toAdd.push(id);
      if (this.toAdd.length === 1) setImmediate(() => void this.flush());
    });
  }

  /** Adds the jobs collected since the last flush in one addBulk, then collects those that already finished. */
  private async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    // still waiting for workers: the ids stay pending (not added); the heartbeat flushes them later
    if (this.gated() && performance.now() < this.deadline) return;
    const ids = [...new Set(this.toAdd)].filter((id) => this.pending.get(id)?.added === false);
    this.toAdd = [];
    if (ids.length === 0 || this.stopped) return;
    if (performance.now() >= this.deadline) {
      for (const id of ids) this.resolve(id, { status: 'aborted', error: 'not started before the interrupt or time limit', attempts: 0 });
      return;
    }
    this.flushing = (async () => {
      try {
        for (let i = 0; i < ids.length; i += 1000) {
          const chunk = ids.slice(i, i + 1000);
          await this.queue.addBulk(chunk.map((id) => ({ name: 'eval', data: this.pending.get(id)!.data, opts: { jobId: id, attempts: 1, removeOnComplete: { age: 7 * 86400 }, removeOnFail: { age: 7 * 86400 } } })));
          for (const id of chunk) {
            const p = this.pending.get(id);
            if (p) p.added = true;
          }
          // jobs left by an earlier coordinator of this folder (killed) may be finished already
          if (this.leftovers) await this.lookUp(chunk, true);
        }
      } catch (e) {
        // Redis unreachable right now: the heartbeat re-adds whatever is still not added
        this.log(`queue: could not enqueue ${ids.length} jobs (${(e as Error).message}); retrying`);
        for (const id of ids) {
          const p = this.pending.get(id);
          if (p) p.added = false;
        }
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** Looks pending jobs up in Redis; finished ones are resolved (`atAdd`: they finished before this run added them). */
  private async lookUp(ids: string[], atAdd: boolean): Promise<void> {
    const jobs = await Promise.all(ids.map((id) => this.queue.getJob(id)));
    jobs.forEach((job, k) => {
      const id = ids[k];
      const s = jobState(job);
      if (s.kind === 'open') return;
      if (s.kind === 'gone') {
        // the heartbeat re-adds it
        const p = this.pending.get(id);
        if (p && !atAdd) p.added = false;
        return;
      }
      if (s.kind === 'failed') {
        // one that failed in an earlier coordinator's time (e.g. its worker crashed twice) runs again
        if (atAdd) void (job as Job).retry('failed').catch(() => this.settleFailed(id, s.reason));
        else this.settleFailed(id, s.reason);
        return;
      }
      if (atAdd && this.pending.has(id)) {
        if (this.collected++ === 0) this.log('queue: collecting results that workers finished before this run enqueued them (e.g. while the coordinator was down)');
      }
      this.settle(id, s.value);
    });
  }

  private listen(): void {
    this.events.on('completed', ({ jobId, returnvalue }) => {
      this.lastEvent = Date.now();
      this.settle(jobId, returnvalue);
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      this.lastEvent = Date.now();
      this.settleFailed(jobId, failedReason);
    });
  }

  private settle(id: string, returnvalue: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    const read = readJobResult(returnvalue);
    if ('error' in read) return this.settleFailed(id, read.error);
    const r = read.result;
    // per-worker counts are of point evaluations (not e.g. the report's breakdowns)
    if (p.meta?.key !== undefined) this.perWorker.set(r.w, (this.perWorker.get(r.w) ?? 0) + 1);
    else this.seen.add(r.w);
    if (r.a > 1) this.reran.push({ id: p.meta?.id, attempts: r.a, worker: r.w });
    const out: PoolResult<unknown> = r.ok ? { status: 'ok', value: r.value, ms: r.ms, attempts: r.a } : { status: 'failed', error: r.error, ms: r.ms, attempts: r.a, crashed: r.crashed };
    this.resolve(id, out);
  }

  private settleFailed(id: string, reason: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    // BullMQ fails a job whose worker died more often than maxStalledCount (1): a crash, retried once
    const crashed = /stalled/i.test(reason);
    this.resolve(id, { status: 'failed', error: crashed ? `worker crashed (2 attempts): ${reason}` : reason, ms: performance.now() - p.started, attempts: crashed ? 2 : 1, crashed });
  }

  private resolve(id: string, r: PoolResult<unknown>): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    for (const w of p.waiters) w(r);
  }

  /** Registry, counts, Redis restarts, lost events. Never throws (Redis may be down for a while). */
  private async heartbeat(): Promise<void> {
    if (this.stopped || this.redisDown()) return;
    // a beat still running (a long flush): the run is alive all the same
    if (this.beating) return void this.client.pexpire(this.keys.alive(this.entry.queue), ALIVE_TTL_MS).catch(() => {});
    this.beating = true;
    try {
      const runId = runIdOf(await this.client.info('server'));
      if (runId && runId !== this.runId) {
        this.runId = runId;
        const lost = [...this.pending.values()].filter((p) => p.added).length;
        this.log(`queue: Redis restarted (run_id ${runId.slice(0, 8)}…); enqueueing the ${lost} pending jobs again (a job it kept through the restart is not added twice: the same job id)`);
        this.reenqueued++;
        for (const [id, p] of this.pending) if (p.added) ((p.added = false), this.toAdd.push(id));
      }
      this.entry.t = Date.now();
      // the alive key first: a worker never finds the entry of a live run without it; another coordinator's key is left alone
      const other = await refreshClaim(this.client, this.keys.alive(this.entry.queue), this.token);
      if (other !== null && this.claimedBy !== other) this.log(claimLostNote(this.queueName, (this.claimedBy = other)));
      if (other === null) await this.client.hset(this.keys.runs, this.entry.queue, JSON.stringify(this.entry));
      for (const [id, p] of this.pending) if (!p.added) this.toAdd.push(id);
      // while gated, the gate needs the connected workers before the flush; otherwise counted after it
      const gating = this.waitWorkers > 0;
      if (gating) await this.countWorkers();
      if (this.toAdd.length > 0) await this.flush();
      if (this.pending.size > 0 && Date.now() - this.lastEvent > POLL_AFTER_MS) {
        this.lastEvent = Date.now();
        await this.lookUp([...this.pending.keys()].slice(0, 5000), false);
      }
      if (!gating) await this.countWorkers();
      await this.readRefusals();
      this.noteNoWorker();
      if (++this.beats % 4 === 0 && this.counts.active > 0) await this.noteGone();
      if (performance.now() >= this.deadline) await this.dropWaiting();
    } catch {
      /* Redis unreachable: ioredis reconnects; the next beat tries again */
    } finally {
      this.beating = false;
    }
  }

  /**
   * True while the connection to Redis is not up (ioredis holds the commands until it reconnects,
   * so a beat would wait): says so after 5 s and every minute, and when Redis answers again, how
   * long it was unreachable (redis-outage.ts: from the connection's events, not from the beats).
   */
  private redisDown(): boolean {
    const now = Date.now();
    if (this.client.status === 'ready') {
      const span = this.outage.end();
      if (span && this.downLogged > 0) this.log(`queue: Redis ${this.target.display} answers again; ${outageText(span)}`);
      this.downLogged = 0;
      return false;
    }
    const since = this.outage.downSince();
    if (now - since >= 5000 && now - this.downLogged >= 60_000) {
      this.downLogged = now;
      this.log(`queue: Redis ${this.target.display} unreachable for ${Math.round((now - since) / 1000)} s (${this.outage.why || this.client.status}); ${this.pending.size} evaluations wait for it (Ctrl-C writes the outputs of what finished)`);
    }
    return true;
  }

  /** Says once per gone worker (found gone at two checks in a row) that the jobs it held wait for its lock to expire. */
  private async noteGone(): Promise<void> {
    for (const line of this.gone.notes(await heldByGone(this.queue, this.connected))) this.log(line);
  }

  /** Says once that jobs wait and no worker connected or refused within `idleNoteMs` (another --namespace, database, Redis?). */
  private noteNoWorker(): void {
    if (this.idleSaid || this.waitWorkers > 0 || this.seen.size > 0 || this.refused.size > 0 || this.pending.size === 0) return;
    if (Date.now() - this.openedAt < this.idleNoteMs) return;
    this.idleSaid = true;
    const n = this.pending.size;
    this.log(`queue: ${n} evaluation${n === 1 ? ' waits' : 's wait'} and no worker has connected to this run in ${Math.round((Date.now() - this.openedAt) / 1000)} s; start one with: ${this.workerCommand} (a worker started with another --namespace, Redis database or server does not see this run)`);
  }

  /** Reads the queue's counts, its connected workers and their threads. */
  private async countWorkers(): Promise<void> {
    const [c, clients] = await Promise.all([this.queue.getJobCounts('waiting', 'active', 'prioritized'), this.queue.getWorkers()]);
    const ids = workerIds(clients, this.keys.prefix);
    this.connected = ids;
    for (const w of ids) this.seen.add(w);
    this.counts = { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, workers: ids.size };
    this.threads = ids.size > 0 ? threadSum(await this.client.mget([...ids].map((w) => this.keys.threads(w)))) : undefined;
  }

  /**
   * Evaluations the connected workers run at once (the sum of their `--concurrency`, as each
   * publishes it: queue-worker.ts), as of the last heartbeat; undefined while no worker is
   * connected or one of them has not published its threads.
   */
  capacity(): number | undefined {
    return this.threads;
  }

  /** Says once per worker (and reason) why a worker does not serve this run. */
  private async readRefusals(): Promise<void> {
    const all = await this.client.hgetall(this.keys.refused(this.queueName));
    for (const [w, why] of Object.entries(all)) {
      if (this.refused.get(w) === why) continue;
      this.refused.set(w, why);
      this.log(`queue: worker ${w} does not serve this run: ${why}`);
    }
  }

  /** True while fewer than `waitWorkers` workers are connected (says so every 15 s); opens for good once they are. */
  private gated(): boolean {
    if (this.waitWorkers === 0) return false;
    if (this.counts.workers >= this.waitWorkers) {
      if (this.waitLogged > 0) this.log(`queue: ${this.counts.workers} workers connected; enqueueing`);
      this.waitWorkers = 0;
      return false;
    }
    if (Date.now() - this.waitLogged >= 15_000) {
      this.waitLogged = Date.now();
      this.log(`queue: waiting for ${this.waitWorkers} workers to connect before enqueueing (${this.counts.workers} connected)`);
    }
    return true;
  }

  status(): string {
    for (const w of this.perWorker.keys()) this.seen.add(w);
    const refused = this.refused.size > 0 ? `, ${this.refused.size} refusing this run` : '';
    const down = this.client.status === 'ready' ? 0 : Date.now() - this.outage.lostAt;
    if (this.outage.lostAt > 0 && down >= 5000) return `Redis unreachable for ${Math.round(down / 1000)} s, ${this.pending.size} evaluations waiting for it`;
    // the counts are of the last heartbeat: once every job came back they are stale (a run's last line read 'jobs waiting 25, active 4')
    const jobs = this.pending.size === 0 ? "all of this run's jobs collected" : `jobs waiting ${this.counts.waiting}, active ${this.counts.active}`;
    return `workers seen ${this.seen.size} (${this.counts.workers} connected${refused}), ${jobs}`;
  }

  describe(): BackendInfo {
    return { kind: 'queue', url: this.target.display, ...(this.keys.namespace ? { namespace: this.keys.namespace } : {}), queue: this.queueName, workers: Object.fromEntries([...this.perWorker].sort()), collected: this.collected, reran: this.reran.slice().sort((a, b) => (a.id ?? 0) - (b.id ?? 0)), reenqueued: this.reenqueued, ...(this.refused.size > 0 ? { refused: Object.fromEntries([...this.refused].sort()) } : {}) };
  }

  /** Removes the jobs no worker has started; their callers get `aborted`. */
  private async dropWaiting(): Promise<void> {
    await this.queue.drain();
    await this.lookUp([...this.pending.keys()], false);
    for (const [id, p] of this.pending) if (!p.added) this.resolve(id, { status: 'aborted', error: 'not started before the interrupt', attempts: 0 });
  }

  interrupt(): void {
    this.deadline = -Infinity;
    if (this.client.status === 'ready') return void this.dropWaiting().catch(() => {});
    // nothing in flight can come back while Redis is away: what finished is written now
    this.log(`queue: Redis ${this.target.display} unreachable: not waiting for the ${this.pending.size} evaluations on its queue (a rerun with --queue collects those the workers finish)`);
    for (const id of [...this.pending.keys()]) this.resolve(id, { status: 'aborted', error: 'Redis unreachable at the interrupt', attempts: 0 });
  }

  setDeadline(at: number): void {
    this.deadline = at;
  }

  async abort(): Promise<void> {
    this.stopped = true;
    for (const id of [...this.pending.keys()]) this.resolve(id, { status: 'aborted', error: 'abandoned', attempts: 0 });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const up = () => this.client.status === 'ready';
    while ((this.beating || this.flushing) && up()) await new Promise((r) => setTimeout(r, 10));
    if (!up()) this.log(`queue: Redis ${this.target.display} unreachable: queue "${this.queueName}" is left there (removed by the next normal end of a run of this folder)`);
    else {
      try {
        // a queue that another coordinator claimed meanwhile is that run's: nothing of it is removed
        if (await releaseClaim(this.client, this.keys.alive(this.entry.queue), this.token)) {
          await this.client.multi().hdel(this.keys.runs, this.entry.queue).del(this.keys.refused(this.entry.queue)).exec();
          await this.queue.obliterate({ force: true });
        }
      } catch (e) {
        this.log(`queue: could not remove queue "${this.queueName}" from Redis: ${(e as Error).message}`);
      }
    }
    // BullMQ's own close waits for Redis: 2 s at most
    await Promise.race([Promise.allSettled([this.events.close(), this.queue.close()]), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.client.disconnect();
  }
}
