/**
 * Where CPU-bound evaluations run. The executor (dse/executor.ts) hands every pooled task to one
 * backend and never knows which:
 * - `local` (dse/backends/local.ts, the default): the piscina pool of this process (`--jobs N`);
 * - `queue` (dse/backends/queue.ts): a BullMQ queue on Redis (`--queue redis://…`), evaluated by
 *   `spatten-dse worker` processes on any machine.
 *
 * `run()` never rejects and resolves exactly once per call, like EvalPool.run: ok, failed (the
 * task threw: a failed point), failed with `crashed` (its worker died twice: not journaled, so
 * --resume retries it) or aborted (interrupted before it ran).
 */
import type { PoolResult, PoolTask } from '../pool.ts';

export type { PoolResult, PoolTask } from '../pool.ts';

/** What a task is, for the backend: its content hash (journal key) and trial id, when it is an evaluation. */
export interface TaskMeta {
  key?: string;
  id?: number;
}

/** How a run's evaluations were distributed (run.json `backend`). */
export type BackendInfo =
  | { kind: 'local'; jobs: number }
  | {
      kind: 'queue';
      /** Redis URL without credentials. */
      url: string;
      /** `--namespace`, when given. */
      namespace?: string;
      queue: string;
      /** Worker id (host:pid-suffix) → point evaluations it returned to this run. */
      workers: Record<string, number>;
      /** Results found already finished when enqueued (e.g. while the coordinator was down). */
      collected: number;
      /** Jobs started more than once (their worker died mid-job, or handed them back: a second Ctrl-C, other checkpoint or trace files): trial id, attempts, final worker. */
      reran: { id?: number; attempts: number; worker: string }[];
      /** Times the coordinator found Redis restarted without its jobs and re-enqueued them. */
      reenqueued: number;
      /** Workers that did not serve this run, and why (another model version, other checkpoint files). */
      refused?: Record<string, string>;
    };

export interface EvalBackend {
  readonly kind: BackendInfo['kind'];
  /** Evaluation lanes behind the backend (local: threads); sizes the runner's batches. */
  readonly jobs: number;
  /** Tasks the executor keeps in flight at once. */
  readonly lanes: number;
  /**
   * Evaluations that can run at once right now, when the backend knows (a queue: its connected
   * workers' threads; `jobs` when it does not): sizes the accuracy rungs' look-ahead at each round.
   */
  capacity?(): number | undefined;
  run<T = unknown>(task: PoolTask, meta?: TaskMeta): Promise<PoolResult<T>>;
  /**
   * Takes `evaluateMany` tasks (dse/tasks.ts: many cheap points in one task, one round trip). A
   * queue names its jobs per point (journal key), so only the local pool says yes.
   */
  readonly chunks?: boolean;
  /** First Ctrl-C: start no task that has not started (the running ones finish). */
  interrupt?(): void;
  /** No task starts after `at` (performance.now() time). */
  setDeadline?(at: number): void;
  /** One line for the progress display (workers, waiting/active jobs). */
  status?(): string | undefined;
  describe(): BackendInfo;
  /** Abandons queued and running tasks (they resolve as aborted). */
  abort(): Promise<void>;
  /** Waits for running tasks, then releases everything. */
  close(): Promise<void>;
}
