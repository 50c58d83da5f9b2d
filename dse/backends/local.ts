/**
 * The default backend: the piscina pool of this process (dse/pool.ts), its workers started from
 * the worker bundle (dse/bundle.ts), or from the sources through tsx when there is none.
 */
import { workerBundle } from '../bundle.ts';
import { workerExecArgv } from '../worker-argv.ts';
import { EvalPool, type PoolResult, type PoolTask } from '../pool.ts';
import type { BackendInfo, EvalBackend } from './types.ts';

/** An EvalPool of `jobs` threads running the worker bundle; `warm`: the task each worker runs as it starts (dse/pool.ts). */
export async function bundledPool(jobs: number, warm?: PoolTask): Promise<EvalPool> {
  const bundle = await workerBundle();
  return new EvalPool({ jobs, warm, ...(bundle ? { filename: bundle.url, execArgv: workerExecArgv() } : {}) });
}

export class LocalBackend implements EvalBackend {
  readonly kind = 'local' as const;
  readonly jobs: number;
  /** Two tasks in flight per worker (the second sent while the first runs, see dse/pool.ts). */
  readonly lanes: number;
  readonly chunks = true;
  private constructor(private readonly pool: EvalPool) {
    this.jobs = pool.jobs;
    this.lanes = 2 * pool.jobs;
  }

  static async open(jobs: number, warm?: PoolTask): Promise<LocalBackend> {
    return new LocalBackend(await bundledPool(jobs, warm));
  }

  run<T>(task: PoolTask): Promise<PoolResult<T>> {
    return this.pool.run<T>(task);
  }

  describe(): BackendInfo {
    return { kind: 'local', jobs: this.jobs };
  }

  abort(): Promise<void> {
    return this.pool.abort();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
