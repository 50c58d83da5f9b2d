/**
 * Worker pool for CPU-bound evaluations (cycle model, accuracy), on piscina.
 *
 * - `jobs` threads (default `os.availableParallelism()`); each task runs dse/worker.ts.
 * - A task that throws comes back as `{ status: 'failed', error }`; the pool and the search go on.
 * - A worker that dies mid-task (process.exit, fatal error) is replaced by piscina; the task is
 *   retried once, then reported failed with `crashed: true`.
 * - `run()` never rejects. Results carry no worker identity: evaluations are pure functions of
 *   the task (seeds travel inside it), so 1 or N workers give identical results.
 * - `abort()` stops the pool: in-flight and queued tasks resolve as `{ status: 'aborted' }`.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina, isWorkerThread, workerData } from 'piscina';

/** A task sent to a worker: a task name of the worker's task file and its arguments. */
export interface PoolTask {
  task: string;
  args: unknown[];
}

export type TaskOutcome = { ok: true; value: unknown; ms: number } | { ok: false; error: string; ms: number };

type TaskTable = Record<string, (...args: unknown[]) => unknown>;

/**
 * The default export of a task file: runs `{ task, args }` against a table of functions (loaded
 * once), and returns a throw as `{ ok: false, error }` (a rejection then means the worker died).
 */
export function serveTasks(load: () => Promise<TaskTable> | TaskTable): (t: PoolTask) => Promise<TaskOutcome> {
  const serve = async (t: PoolTask): Promise<TaskOutcome> => {
    const t0 = performance.now();
    try {
      const fn = (await load())[t.task];
      if (typeof fn !== 'function') throw new Error(`unknown task "${t.task}"`);
      return { ok: true, value: await fn(...t.args), ms: performance.now() - t0 };
    } catch (e) {
      const err = e as Error;
      return { ok: false, error: err && err.message ? err.message : String(e), ms: performance.now() - t0 };
    }
  };
  if (isWorkerThread) serveWarmUps(serve, workerData as PoolWorkerData | undefined);
  return serve;
}

/** What a pool gives its workers: the channel its warm-up tasks come by (EvalPool.warm). */
interface PoolWorkerData {
  channel?: string;
}

/** A message on a pool's channel: a worker says it has started (hello), the pool sends warm-up tasks. */
type WarmMessage = { hello: true } | { warm: PoolTask[] };

/**
 * Runs the pool's warm-up tasks in this worker, each once and outside any task, as they come on
 * the pool's channel: the worker says hello as it starts, and the pool answers with the warm-up
 * tasks in force (PoolOptions.warm's among them); one given to EvalPool.warm later comes to every
 * worker at once. A failure is left to the first real task, which meets it again and reports it.
 */
function serveWarmUps(serve: (t: PoolTask) => Promise<TaskOutcome>, data: PoolWorkerData | undefined): void {
  if (!data?.channel) return;
  const done = new Set<string>();
  const channel = new BroadcastChannel(data.channel);
  channel.unref();
  channel.onmessage = (m) => {
    const msg = (m as { data: WarmMessage }).data;
    if (!('warm' in msg)) return;
    for (const t of msg.warm) {
      const key = JSON.stringify(t);
      if (!done.has(key)) void serve(t);
      done.add(key);
    }
  };
  channel.postMessage({ hello: true } satisfies WarmMessage);
}

export type PoolResult<T = unknown> =
  | { status: 'ok'; value: T; ms: number; attempts: number }
  | { status: 'failed'; error: string; ms: number; attempts: number; crashed: boolean }
  | { status: 'aborted'; error: string; attempts: number };

export interface PoolOptions {
  /** Worker threads (default os.availableParallelism()). */
  jobs?: number;
  /** Retries after a worker crash (default 1). */
  crashRetries?: number;
  /** Task file (default dse/worker.ts): its default export is `serveTasks(...)`. */
  filename?: string;
  /** Node flags of the workers (default: the parent's). */
  execArgv?: string[];
  /**
   * A task every worker runs as soon as it starts, before and whether or not it is sent one (e.g.
   * loading the accuracy model): a worker that gets no task for a while (the dense model's run
   * goes to one worker) is warm when the search begins. Its result is dropped. The constructor
   * gives it to EvalPool.warm, held for the pool's life.
   */
  warm?: PoolTask;
}

export function defaultJobs(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export class EvalPool {
  readonly jobs: number;
  private readonly piscina: Piscina;
  /** One-task-at-a-time pool for crash retries (created on the first crash). */
  private isolated?: Piscina;
  private readonly crashRetries: number;
  private readonly poolOpts: { filename: string; workerData: Required<PoolWorkerData>; execArgv?: string[]; atomics: 'async' };
  /**
   * The warm-up tasks in force (by their JSON: a task held twice is sent once) and how many holders
   * keep each (warm(), released by the function it returns); a worker that starts is sent these.
   */
  private readonly warmUps = new Map<string, { task: PoolTask; holders: number }>();
  /** Every warm-up task sent so far (JSON), released or not: a worker that ran one keeps what it loaded. */
  private readonly sent = new Set<string>();
  /** The channel the warm-up tasks go to the workers by (opened by the first). */
  private channel?: BroadcastChannel;
  private aborted = false;
  private closed = false;

  constructor(opts: PoolOptions = {}) {
    const jobs = opts.jobs ?? defaultJobs();
    if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${jobs}`);
    this.jobs = jobs;
    this.crashRetries = opts.crashRetries ?? 1;
    this.poolOpts = {
      filename: opts.filename ?? new URL('./worker.ts', import.meta.url).href,
      workerData: { channel: `spatten-pool-${randomUUID()}` },
      execArgv: opts.execArgv,
      // An idle piscina worker blocks its thread in Atomics.wait by default ('sync'), and with it
      // any async work started outside a task: the warm-up task (PoolOptions.warm) and the task
      // file's own start (dse/worker.ts begins importing dse/tasks.ts as it loads) stalled at their
      // first await until the worker's first task came. 'async' waits with Atomics.waitAsync, so
      // the event loop runs meanwhile (a first task after 3 s idle: 1.27 s → 0.02 s from the
      // sources, 0.26 s → 0.04 s from the bundle); tiny tasks' round trips cost the same.
      atomics: 'async' as const,
    };
    this.piscina = new Piscina({
      minThreads: jobs,
      maxThreads: jobs,
      // Up to two tasks per worker: a second is sent while the first runs, so it is there when the
      // first ends, without a round trip through the main thread. It does not wait for the first
      // to end: the worker starts it as its message arrives, so while a task awaits something
      // outside the thread (a file read, a timer) the other runs; only synchronous work (the cycle
      // model, a TF.js kernel) runs one task at a time.
      concurrentTasksPerWorker: 2,
      idleTimeout: 60_000,
      ...this.poolOpts,
    });
    // piscina emits 'error' for worker-level failures; they are handled per task below
    this.piscina.on('error', () => {});
    // held for the pool's life: every worker runs it as it starts
    if (opts.warm) this.warm(opts.warm);
  }

  /** Runs one task; never rejects. */
  async run<T = unknown>(task: PoolTask): Promise<PoolResult<T>> {
    let attempts = 0;
    let lastError = '';
    const t0 = performance.now();
    while (attempts <= this.crashRetries) {
      if (this.aborted || this.closed) return { status: 'aborted', error: 'pool stopped', attempts };
      attempts++;
      try {
        // A retry after a crash runs alone in a worker of its own: with two tasks queued per
        // worker, a crash also takes down the task queued beside the culprit, and that task must
        // not be blamed (or crash again) for it.
        const target = attempts === 1 ? this.piscina : this.isolatedPool();
        const out = (await target.run(task)) as TaskOutcome;
        if (out.ok) return { status: 'ok', value: out.value as T, ms: out.ms, attempts };
        return { status: 'failed', error: out.error, ms: out.ms, attempts, crashed: false };
      } catch (e) {
        if (this.aborted || this.closed) return { status: 'aborted', error: 'pool stopped', attempts };
        lastError = (e as Error)?.message ?? String(e);
      }
    }
    return { status: 'failed', error: `worker crashed (${attempts} attempts): ${lastError}`, ms: performance.now() - t0, attempts, crashed: true };
  }

  /**
   * Has every worker run `task` once, outside any task, as PoolOptions.warm's is (e.g. a queue worker
   * loading a run's accuracy model as it joins the run): the workers running now at once, those
   * starting later (still loading their task file, or replacing one that crashed) as they start.
   * Its results are dropped. Returns the release: once every holder of the task has released it
   * (a queue worker leaving the runs that use it), workers that start later no longer run it;
   * those that ran it keep what it loaded.
   */
  warm(task: PoolTask): () => void {
    if (this.aborted || this.closed) return () => {};
    const key = JSON.stringify(task);
    const held = this.warmUps.get(key);
    if (held) held.holders++;
    else {
      // a task held already (a queue worker joining another run of the same model) is not sent again
      this.warmUps.set(key, { task, holders: 1 });
      this.sent.add(key);
      this.channel ??= this.openChannel();
      this.channel.postMessage({ warm: [task] } satisfies WarmMessage);
    }
    let released = false;
    return () => {
      const h = this.warmUps.get(key);
      if (released || !h) return;
      released = true;
      if (--h.holders === 0) this.warmUps.delete(key);
    };
  }

  /** Whether `task` was sent to the workers before (warm), held now or since released: those workers load nothing new from it. */
  wasWarmed(task: PoolTask): boolean {
    return this.sent.has(JSON.stringify(task));
  }

  /** The pool's end of its workers' channel: a worker that says hello is sent every warm-up task in force. */
  private openChannel(): BroadcastChannel {
    const channel = new BroadcastChannel(this.poolOpts.workerData.channel);
    channel.unref();
    channel.onmessage = (m) => {
      if ('hello' in (m as { data: WarmMessage }).data) channel.postMessage({ warm: [...this.warmUps.values()].map((h) => h.task) } satisfies WarmMessage);
    };
    return channel;
  }

  private isolatedPool(): Piscina {
    if (!this.isolated) {
      this.isolated = new Piscina({ ...this.poolOpts, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 1, idleTimeout: 10_000 });
      this.isolated.on('error', () => {});
    }
    return this.isolated;
  }

  /** Runs tasks concurrently; results in task order. */
  runAll<T = unknown>(tasks: PoolTask[]): Promise<PoolResult<T>[]> {
    return Promise.all(tasks.map((t) => this.run<T>(t)));
  }

  get pending(): number {
    return this.piscina.queueSize;
  }

  /** Abandons queued and in-flight tasks (they resolve as aborted) and stops the workers. */
  async abort(): Promise<void> {
    if (this.aborted || this.closed) return;
    this.aborted = true;
    this.channel?.close();
    await Promise.all([this.piscina.destroy(), this.isolated?.destroy()]);
  }

  /** Waits for running tasks, then stops the workers. */
  async close(): Promise<void> {
    if (this.aborted || this.closed) return;
    this.closed = true;
    this.channel?.close();
    await Promise.all([this.piscina.close(), this.isolated?.close()]);
  }
}
