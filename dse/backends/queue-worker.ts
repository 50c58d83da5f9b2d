/**
 * `spatten-dse worker --queue redis://… [--namespace NAME]`: evaluates the jobs of every run on
 * that Redis in its namespace (dse/backends/queue.ts) until SIGINT, SIGTERM or SIGHUP.
 *
 * - Runs are found in the registry hash (RedisKeys.runs) of the worker's namespace (`--namespace`;
 *   none by default), polled every second; the worker serves a run
 *   only when the run's model version equals its own (same code and data → same numbers), and says
 *   so once when it does not.
 * - Evaluations run on a pool of `concurrency` threads started from the worker bundle (models load
 *   once per thread, as in a local run), never on this process' event loop: the event loop stays
 *   free to renew the job locks, so a long evaluation is never mistaken for a dead worker. As the
 *   worker joins a run with accuracy, each thread loads the run's model (RunEntry.warm), as a local
 *   run's pool threads do as they start, not at its first job.
 * - At each poll the worker publishes its thread count (RedisKeys.threads, expiring THREADS_TTL_MS
 *   later): the coordinators of the runs it serves size the accuracy rungs' look-ahead by it.
 * - Each run's BullMQ Worker holds `prefetch` jobs per thread (default 4: one running, the others
 *   queued in this process), so that no thread waits for a round trip to Redis between jobs.
 * - First SIGINT/SIGTERM/SIGHUP: take no new job, finish the running ones (those it holds: none is
 *   left to the stalled-job check), exit 0 — 143 for SIGHUP, the terminal closed (dse/stop.ts
 *   `serviceExitCode`; its default action killed the worker, its jobs left to their locks' expiry).
 *   A second one: hand the running jobs back to the queue (another worker takes them) and exit.
 * - A job whose accuracy checkpoint or trace file has other contents on this machine than on the
 *   coordinator's (content hashes: sim/nn/checkpoint-hash.ts, dse/file-hash.ts; e.g. a path outside
 *   the checkout that holds other weights or rows here) is handed back to the queue, and the worker
 *   leaves that run: its numbers would be journaled under the coordinator's files. Why a worker does
 *   not serve a run (this, or another model version) is also written to Redis (RedisKeys.refused), where
 *   the coordinator reads it.
 * - A run that Redis lost from the registry as it restarted without its data is served on until its
 *   coordinator registers it again (queue-restart.ts), rather than left and joined again.
 * - A run whose coordinator stopped refreshing its alive key (ALIVE_TTL_MS: killed, machine lost)
 *   is left (its running jobs finish), saying so once; its queued jobs wait for a rerun of its folder.
 * - A worker killed with kill -9: its jobs' locks expire and BullMQ's stalled-job check (run by the
 *   other workers every `stalledInterval`) puts them back once (maxStalledCount 1); a second stall
 *   fails the job (the coordinator records a crash, as the local pool does after one retry).
 */
import os from 'node:os';
import type { ConnectionOptions, Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { modelHash } from '../../sim/nn/checkpoint-hash.ts';
import { modelVersion } from '../model-version.ts';
import { fileHash, traceOfArgs } from '../file-hash.ts';
import type { EvalPool, PoolTask } from '../pool.ts';
import { bundledPool } from './local.ts';
import type { JobData, JobResult } from './queue-task.ts';
import { decodeTask } from './queue-task.ts';
import { workerId } from './queue-orphans.ts';
import { RestartGrace } from './queue-restart.ts';
import { OutageClock, outageText } from './redis-outage.ts';
import { releaseTerminalAtExit, serviceExitCode, signalText, STOP_SIGNALS, type StopSignal } from '../stop.ts';
import { ALIVE_TTL_MS, THREADS_TTL_MS, checkRedis, parseRedisUrl, redisKeys, type RedisKeys, type RedisTarget, type RunEntry } from './redis.ts';

export interface WorkerOptions {
  url: string;
  /** Namespace (`--namespace`): serve only the runs started with the same one. */
  namespace?: string;
  /** Evaluation threads (default: the machine's cores). */
  concurrency: number;
  /**
   * Jobs held per thread (default 4): one running, the others queued in this process so that a
   * thread never waits for a round trip to Redis. More hides more latency (short jobs); fewer
   * leaves fewer jobs on one worker at the end of a batch (long jobs).
   */
  prefetch?: number;
  /** Job lock duration, ms (BullMQ default 30 s): how long a dead worker's job waits before it is re-run. */
  lockDuration?: number;
  /** How often this worker looks for other workers' stalled jobs, ms (default lockDuration). */
  stalledInterval?: number;
  /** Progress line every this many ms (default 5000; 0 = none). */
  progressMs?: number;
  /** A run's entry older than this is ignored (default 1 day). */
  staleMs?: number;
  log?: (line: string) => void;
}

/** Runs until stopped; resolves with the exit code. */
export async function runWorker(o: WorkerOptions): Promise<number> {
  const target = parseRedisUrl(o.url);
  const { runId } = await checkRedis(target);
  const w = new QueueWorker(target, o, runId);
  return await w.start();
}

/** One worker process: polls the registry, serves its runs' queues (exported for its unit test: test/queue-worker-poll.test.ts). */
export class QueueWorker {
  readonly id = workerId();
  private readonly log: (line: string) => void;
  private readonly workers = new Map<string, Worker>();
  /** Runs this worker does not serve (runKey → why): a later run on the same queue (another coordinator) is looked at again. */
  private readonly ignored = new Map<string, string>();
  /** Runs whose coordinator was found dead (runKey), said once each. */
  private readonly deadSaid = new Set<string>();
  /** The registry entry of each queue served. */
  private readonly entries = new Map<string, RunEntry>();
  /** The release of each served queue's warm-up (EvalPool.warm): called as the worker leaves the run. */
  private readonly warmed = new Map<string, () => void>();
  private readonly active = new Map<string, { job: Job; token?: string }>();
  private readonly done = new Map<string, number>();
  private pool!: EvalPool;
  private registry!: Redis;
  private readonly keys: RedisKeys;
  private stopping = 0;
  /** The first stop signal: it decides the exit code (dse/stop.ts `serviceExitCode`). */
  private signal?: StopSignal;
  private finished!: (code: number) => void;
  private lastProgress = '';
  /** The registry connection's outages (redis-outage.ts), and whether the current one was said. */
  private outage!: OutageClock;
  private downSaid = false;
  /** A registry poll in flight: the next tick skips rather than run beside it (two polls could both join one queue). */
  private polling = false;
  /** The runs it serves that a Redis restart removed from the registry (queue-restart.ts). */
  private readonly restart: RestartGrace;

  constructor(private readonly target: RedisTarget, private readonly o: WorkerOptions, runId: string) {
    this.log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
    this.keys = redisKeys(o.namespace);
    this.restart = new RestartGrace(runId, (line) => this.log(`worker ${this.id}: ${line}`));
  }

  async start(): Promise<number> {
    const { Redis } = await import('ioredis');
    this.registry = new Redis(this.target.options);
    this.outage = new OutageClock(this.registry);
    this.registry.on('ready', () => this.restart.onReady());
    this.pool = await bundledPool(this.o.concurrency);
    const exit = new Promise<number>((r) => (this.finished = r));
    const onSignal = (sig: NodeJS.Signals) => void this.stop(sig as StopSignal);
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
    this.log(`worker ${this.id}: ${this.o.concurrency} evaluation thread${this.o.concurrency === 1 ? '' : 's'} on ${this.target.display}${this.o.namespace ? ` namespace "${this.o.namespace}"` : ''} (model version ${modelVersion()}); waiting for runs`);
    const poll = setInterval(() => void this.discover(), 1000);
    const progressMs = this.o.progressMs ?? 5000;
    const progress = progressMs > 0 ? setInterval(() => this.progress(), progressMs) : undefined;
    await this.discover();
    const code = await exit;
    clearInterval(poll);
    if (progress) clearInterval(progress);
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    return code;
  }

  /** Joins new runs, leaves finished ones; one poll at a time (a poll held up by Redis can outlast the 1 s tick). */
  private async discover(): Promise<void> {
    // Redis' state first: a poll held up by the outage must not keep the worker from saying so
    if (this.stopping || this.redisDown() || this.polling) return;
    this.polling = true;
    try {
      await this.poll();
    } finally {
      this.polling = false;
    }
  }

  private async poll(): Promise<void> {
    let entries: Record<string, string>;
    let alive: Set<string>;
    try {
      // before joining any run: a coordinator that sees this worker connected finds its threads
      await this.registry.set(this.keys.threads(this.id), String(this.o.concurrency), 'PX', THREADS_TTL_MS);
      entries = await this.registry.hgetall(this.keys.runs);
      const queues = Object.keys(entries);
      const beats = queues.length > 0 ? await this.registry.mget(queues.map((q) => this.keys.alive(q))) : [];
      alive = new Set(queues.filter((_, i) => beats[i] !== null));
      if (alive.size < queues.length) entries = stillRegistered(entries, alive, await this.registry.hgetall(this.keys.runs));
      await this.restart.poll(this.registry, [...this.workers.keys()].some((q) => !(q in entries)));
    } catch {
      return; // Redis away for a moment: the BullMQ workers reconnect by themselves
    }
    const live = new Set<string>();
    for (const [queue, text] of Object.entries(entries)) {
      let e: RunEntry;
      try {
        e = JSON.parse(text) as RunEntry;
      } catch {
        continue;
      }
      if (Date.now() - e.t > (this.o.staleMs ?? 86_400_000) || this.ignored.has(runKey(queue, e))) continue;
      if (e.modelVersion !== modelVersion()) {
        await this.refuse(queue, e, `its model version ${modelVersion()} differs from the run's ${e.modelVersion} (another commit or modified sources)`);
        continue;
      }
      if (!alive.has(queue)) {
        this.noteDead(queue, e);
        continue;
      }
      live.add(queue);
      this.restart.back(queue);
      if (!this.workers.has(queue) && !this.stopping) await this.join(queue, e);
    }
    for (const queue of this.workers.keys()) {
      if (live.has(queue)) continue;
      // gone from the registry, not a dead coordinator's entry: ended, or lost with Redis' data
      if (!(queue in entries) && this.restart.keep(queue, runText(queue, this.entries.get(queue)))) continue;
      this.leave(queue);
      this.entries.delete(queue);
    }
  }

  /**
   * Stops serving a queue: closes its BullMQ worker (its running jobs finish) and releases its
   * warm-up, so an evaluation thread that starts later (replacing one that crashed) does not load
   * the model of a run this worker no longer serves.
   */
  private leave(queue: string): void {
    const w = this.workers.get(queue);
    this.workers.delete(queue);
    this.warmed.get(queue)?.();
    this.warmed.delete(queue);
    void w?.close().catch(() => {});
  }

  /**
   * Says once per run that its coordinator stopped refreshing its alive key (killed, machine lost):
   * the worker leaves its queue (discover) rather than evaluate its jobs for nobody; the jobs stay
   * there for a rerun of its folder, whose new coordinator is served as any run.
   */
  private noteDead(queue: string, e: RunEntry): void {
    const key = runKey(queue, e);
    if (this.deadSaid.has(key)) return;
    this.deadSaid.add(key);
    const why = `no heartbeat from its coordinator for ${ALIVE_TTL_MS / 1000} s (killed, or its machine lost?)`;
    const what = this.workers.has(queue) ? 'leaving' : 'not serving';
    this.log(`worker ${this.id}: ${what} run "${e.name}" (${e.host}:${e.pid}): ${why}; its unfinished jobs stay on queue ${queue} for a rerun of its folder with --queue`);
  }

  private async join(queue: string, e: RunEntry): Promise<void> {
    const { Worker } = await import('bullmq');
    const lockDuration = this.o.lockDuration ?? 30_000;
    const w = new Worker(queue, (job: Job, token?: string) => this.process(queue, job, token), {
      connection: this.target.options as ConnectionOptions,
      prefix: this.keys.prefix,
      name: this.id,
      concurrency: (this.o.prefetch ?? 4) * this.o.concurrency,
      lockDuration,
      stalledInterval: this.o.stalledInterval ?? lockDuration,
      maxStalledCount: 1,
    });
    w.on('error', () => {});
    this.workers.set(queue, w);
    this.entries.set(queue, e);
    this.deadSaid.delete(runKey(queue, e));
    const warm = this.warmUp(queue, e);
    this.log(`worker ${this.id}: serving run "${e.name}" from ${e.host}:${e.pid} (queue ${queue})${warm ? `; ${warm}` : ''}`);
  }

  /**
   * Has each evaluation thread run the run's warm-up task (RunEntry.warm: loading its accuracy
   * model) as a local run's pool does as it starts, rather than load at its first job: a run's dense
   * model is one job on one thread, and the other threads would be cold when the search begins.
   * Skipped when the checkpoint differs here (its jobs are refused) and when the entry's warm-up
   * cannot be read (a registry written by hand or by another build: the run's jobs say what is
   * wrong with them; a throw here would end the worker, from the poll's timer). Says what loads: nothing
   * new when the threads were sent that warm-up before (another run of the same model and examples).
   */
  private warmUp(queue: string, e: RunEntry): string | undefined {
    if (!e.warm) return undefined;
    let task: PoolTask;
    try {
      task = decodeTask(e.warm);
      if (!Array.isArray(task.args) || checkpointIssue(task)) return undefined;
    } catch {
      return undefined;
    }
    const before = this.pool.wasWarmed(task);
    this.warmed.set(queue, this.pool.warm(task));
    const model = (task.args[0] as { accuracy?: { model?: unknown } } | undefined)?.accuracy?.model;
    const threads = `${this.o.concurrency} evaluation thread${this.o.concurrency === 1 ? '' : 's'}`;
    if (typeof model !== 'string') return before ? `its ${threads} warmed up for an earlier run` : `warming its ${threads}`;
    return before ? `${model} loaded in its ${threads} for an earlier run` : `loading ${model} in its ${threads}`;
  }

  private async process(queue: string, job: Job, token?: string): Promise<JobResult> {
    const key = `${queue}/${job.id}`;
    this.active.set(key, { job, token });
    try {
      const data = job.data as JobData;
      const a = job.attemptsStarted ?? 1;
      if (data.mv !== modelVersion()) return { ok: false, error: `worker ${this.id} has model version ${modelVersion()}, the run ${data.mv}`, crashed: false, ms: 0, w: this.id, a };
      const task = decodeTask(data.task);
      const issue = checkpointIssue(task) ?? traceIssue(task, data);
      if (issue) {
        await this.refuse(queue, this.entries.get(queue), issue);
        await job.moveToWait(token);
        const { WaitingError } = await import('bullmq');
        throw new WaitingError();
      }
      const r = await this.pool.run(task);
      this.done.set(queue, (this.done.get(queue) ?? 0) + 1);
      if (r.status === 'ok') return { ok: true, value: r.value, ms: r.ms, w: this.id, a };
      if (r.status === 'failed') return { ok: false, error: r.error, crashed: r.crashed, ms: r.ms, w: this.id, a };
      throw new Error('worker stopping');
    } finally {
      this.active.delete(key);
    }
  }

  /** True while the registry connection is down: said after 5 s, and again, with how long it was, when Redis answers. */
  private redisDown(): boolean {
    if (this.registry.status === 'ready') {
      const span = this.outage.end();
      if (span && this.downSaid) this.log(`worker ${this.id}: Redis ${this.target.display} answers again; ${outageText(span)}`);
      this.downSaid = false;
      return false;
    }
    if (!this.downSaid && Date.now() - this.outage.downSince() >= 5000) {
      this.downSaid = true;
      this.log(`worker ${this.id}: Redis ${this.target.display} unreachable (${this.outage.why || this.registry.status}); waiting for it`);
    }
    return true;
  }

  /** Stops serving a run: says why here and in Redis (where its coordinator reads it), leaves its queue. */
  private async refuse(queue: string, e: RunEntry | undefined, why: string): Promise<void> {
    const key = runKey(queue, e);
    if (this.ignored.has(key)) return;
    this.ignored.set(key, why);
    this.log(`worker ${this.id}: not serving run ${runText(queue, e)}: ${why}`);
    this.leave(queue);
    try {
      await this.registry.hset(this.keys.refused(queue), this.id, why);
      await this.registry.expire(this.keys.refused(queue), 86_400);
    } catch {
      /* Redis away: the run's coordinator does not hear why */
    }
  }

  private progress(): void {
    const total = [...this.done.values()].reduce((s, n) => s + n, 0);
    const line = `worker ${this.id}: ${total} job${total === 1 ? '' : 's'} done, ${this.active.size} active, ${this.workers.size} run${this.workers.size === 1 ? '' : 's'}`;
    if (line !== this.lastProgress) this.log(line);
    this.lastProgress = line;
  }

  private async stop(sig: StopSignal): Promise<void> {
    this.stopping++;
    this.signal ??= sig;
    if (sig === 'SIGHUP') releaseTerminalAtExit(); // the terminal closed: exit 143 (dse/stop.ts)
    if (this.stopping === 1) {
      this.log(`worker ${this.id}: ${signalText(sig)}: finishing ${this.active.size} running job${this.active.size === 1 ? '' : 's'}, then exiting (${sig} again hands them back to the queue)`);
      const closing = Promise.allSettled([...this.workers.values()].map((w) => w.close()));
      while (this.active.size > 0 && this.stopping === 1) await new Promise((r) => setTimeout(r, 50));
      if (this.stopping > 1) return;
      // the jobs are done; BullMQ's own close needs Redis, which may be gone: wait 5 s at most
      const timedOut = await Promise.race([closing.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5000).unref())]);
      if (timedOut) this.log(`worker ${this.id}: Redis does not answer; exiting without it`);
      await this.pool.close();
      this.progress();
      this.registry.disconnect();
      this.finished(serviceExitCode(this.signal));
      return;
    }
    if (this.stopping > 2) return;
    const jobs = [...this.active.values()];
    this.log(`worker ${this.id}: ${signalText(sig)}: handing ${jobs.length} job${jobs.length === 1 ? '' : 's'} back to the queue`);
    const timeout = new Promise((r) => setTimeout(r, 5000).unref());
    await Promise.race([Promise.allSettled(jobs.map(({ job, token }) => job.moveToWait(token))), timeout]);
    void Promise.allSettled([this.pool.abort(), ...[...this.workers.values()].map((w) => w.close(true))]);
    this.registry.disconnect();
    this.finished(serviceExitCode(this.signal));
  }
}

/** A run as the worker's lines name it: "NAME" (HOST:PID), or its queue. */
const runText = (queue: string, e: RunEntry | undefined): string => (e ? `"${e.name}" (${e.host}:${e.pid})` : `of queue ${queue}`);

/** A run as the registry names it: its queue and coordinator (a later coordinator of the same folder is another run). */
const runKey = (queue: string, e: RunEntry | undefined): string => (e ? `${queue} ${e.host}:${e.pid} ${e.modelVersion}` : queue);

/**
 * Why this machine would not evaluate `task` as the run's coordinator would: an accuracy block in
 * its arguments whose checkpoint (content hash, taken by the coordinator) has other files here.
 */
export function checkpointIssue(task: PoolTask): string | undefined {
  for (const a of task.args) {
    const acc = (a as { accuracy?: { model?: unknown; checkpoint?: unknown } } | null | undefined)?.accuracy;
    if (!acc || typeof acc.model !== 'string' || acc.checkpoint === undefined) continue;
    const here = modelHash(acc.model);
    if (here === acc.checkpoint) continue;
    const there = here === null ? `is missing on the worker's machine (the run's has content hash ${acc.checkpoint ?? 'none'})` : `has other files on the worker's machine (content hash ${here}) than on the run's (${acc.checkpoint ?? 'none'})`;
    return `the accuracy checkpoint ${acc.model} ${there}; restart the worker once they match`;
  }
  return undefined;
}

/** Why this machine would not evaluate `task` as the coordinator would: its trace file has other contents here. */
export function traceIssue(task: PoolTask, data: JobData): string | undefined {
  const trace = traceOfArgs(task.args);
  if (trace === undefined || data.trace === undefined) return undefined;
  const here = fileHash(trace);
  if (here === data.trace) return undefined;
  const there = here === null ? `is missing on the worker's machine (the run's has content hash ${data.trace ?? 'none: unreadable'})` : `has other contents on the worker's machine (content hash ${here}) than on the run's (${data.trace ?? 'unreadable'})`;
  return `the trace file ${trace} ${there}; restart the worker once they match`;
}

/** Default evaluation threads: the cores of this machine. */
export function defaultConcurrency(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * The entries read before the alive keys, less those without an alive key that a read after them
 * no longer finds. The two reads are two commands: Redis restarted between them without its data
 * (the registry gone, its alive keys too) would make every run look like a dead coordinator's, and
 * the worker would leave a run it should serve on while the coordinator registers it again.
 */
export function stillRegistered(entries: Record<string, string>, alive: Set<string>, after: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [q, text] of Object.entries(entries)) if (alive.has(q) || q in after) kept[q] = text;
  return kept;
}
