/**
 * Piscina task file (see dse/pool.ts). One task → one evaluation, in a worker thread.
 *
 * A task that throws is caught here and returned as `{ ok: false, error }`, so a rejection of the
 * pool's promise always means the worker itself died (process.exit, fatal error, OOM) — the pool
 * then retries the point once on a fresh worker.
 *
 * Model modules are imported lazily and stay cached per worker (workload caches, tfjs backend and
 * weights are initialised once per worker, not per task).
 */
import { pathToFileURL } from 'node:url';
import { isWorkerThread, workerData } from 'piscina';
import type { DesignPoint } from '../sim/schema.ts';

export type PoolTask =
  /** Hardware metrics of a design point through the sim dispatcher. */
  | { kind: 'hw'; model: 'analytical' | 'cycle'; point: DesignPoint; seed?: number; overrides?: unknown }
  /** Accuracy of an algorithm configuration through sim/nn/api.ts. */
  | { kind: 'accuracy'; spec: unknown; algo: unknown }
  /** Generic: call an exported function of a module (absolute path or file URL) with `args`. */
  | { kind: 'call'; module: string; fn: string; args: unknown[] };

export type TaskOutcome = { ok: true; value: unknown; ms: number } | { ok: false; error: string; ms: number };

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Imports a module by absolute path or file URL. Inside a piscina worker under tsx on Node 20 the
 * ESM loader hooks are not active (the task file itself is loaded through tsx's require hook), so a
 * `.ts` import falls back to tsx's `tsImport`.
 */
const modules = new Map<string, Promise<Record<string, unknown>>>();

function importModule(spec: string): Promise<Record<string, unknown>> {
  const url = spec.startsWith('file:') ? spec : pathToFileURL(spec).href;
  let m = modules.get(url);
  if (!m) {
    m = importUncached(url);
    modules.set(url, m);
    m.catch(() => modules.delete(url));
  }
  return m;
}

async function importUncached(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (s: string, parent: string) => Promise<Record<string, unknown>> };
    return await tsImport(url, url);
  }
}

async function execute(task: PoolTask): Promise<unknown> {
  switch (task.kind) {
    case 'hw': {
      const sim = (await importModule(new URL('../sim/index.ts', import.meta.url).href)) as unknown as typeof import('../sim/index.ts');
      return sim.evaluateHardware(task.point, { model: task.model, seed: task.seed, overrides: task.overrides as never });
    }
    case 'accuracy': {
      const api = (await importModule(new URL('../sim/nn/api.ts', import.meta.url).href)) as { evaluateAccuracy?: AnyFn };
      if (typeof api.evaluateAccuracy !== 'function') throw new Error('sim/nn/api.ts does not export evaluateAccuracy');
      return await api.evaluateAccuracy(task.spec, task.algo);
    }
    case 'call': {
      const mod = await importModule(task.module);
      const fn = mod[task.fn];
      if (typeof fn !== 'function') throw new Error(`${task.module} does not export a function "${task.fn}"`);
      return await (fn as AnyFn)(...task.args);
    }
    default:
      throw new Error(`unknown task kind ${(task as { kind: string }).kind}`);
  }
}

// Warm-up: start importing the modules the tasks will need as soon as the worker starts, so
// module loading overlaps with the main thread's own work instead of delaying the first task.
if (isWorkerThread) {
  const warm = (workerData as { warm?: string[] } | undefined)?.warm ?? [];
  for (const m of warm) importModule(m).catch(() => {});
}

export default async function run(task: PoolTask): Promise<TaskOutcome> {
  const t0 = performance.now();
  try {
    const value = await execute(task);
    return { ok: true, value, ms: performance.now() - t0 };
  } catch (e) {
    const err = e as Error;
    return { ok: false, error: err && err.message ? err.message : String(e), ms: performance.now() - t0 };
  }
}
