/**
 * Piscina task file (see dse/pool.ts): runs the named tasks of dse/tasks.ts in a worker thread.
 *
 * A task that throws is caught (dse/pool.ts serveTasks) and returned as `{ ok: false, error }`,
 * so a rejection of the pool's promise always means the worker itself died (process.exit, fatal
 * error, OOM) — the pool then retries the point once on a fresh worker.
 *
 * The task module is imported once per worker (workload caches, tfjs backend and weights are
 * initialised once per worker, not per task), as soon as the worker starts.
 */
import { isWorkerThread } from 'piscina';
import { serveTasks, type PoolTask, type TaskOutcome } from './pool.ts';
import type { Tasks } from './tasks.ts';

/** Defined (true) by esbuild when this file is the entry of the worker bundle (dse/bundle.ts). */
declare const __SPATTEN_BUNDLE__: boolean | undefined;
const BUNDLED = typeof __SPATTEN_BUNDLE__ !== 'undefined' && __SPATTEN_BUNDLE__;

let loaded: Promise<Tasks> | undefined;

/**
 * The task table. In the bundle it is part of the bundle. From the sources, inside a piscina
 * worker under tsx on Node 20 the ESM loader hooks are not active (this file is loaded through
 * tsx's require hook), so a `.ts` import falls back to tsx's `tsImport`.
 */
export function loadTasks(): Promise<Tasks> {
  loaded ??= (async () => {
    if (BUNDLED) return (await import('./tasks.ts')).TASKS;
    const url = new URL('./tasks.ts', import.meta.url).href;
    try {
      return ((await import(url)) as typeof import('./tasks.ts')).TASKS;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
      const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (s: string, parent: string) => Promise<typeof import('./tasks.ts')> };
      return (await tsImport(url, url)).TASKS;
    }
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

// Warm-up: start importing the task modules (dse/tasks.ts and its graph; the accuracy model loads
// later, in the pool's `warm` task) as soon as the worker starts, so module loading overlaps with
// the main thread's own work instead of delaying the first task. It goes on while the worker
// waits for tasks because the pool waits with Atomics.waitAsync (dse/pool.ts `atomics`).
if (isWorkerThread) loadTasks().catch(() => {});

const serve = serveTasks(async () => (await loadTasks()) as unknown as Record<string, (...args: unknown[]) => unknown>);

export default function run(task: PoolTask): Promise<TaskOutcome> {
  return serve(task);
}
