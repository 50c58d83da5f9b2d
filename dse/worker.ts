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
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/** Defined (true) by esbuild when this file is the entry of the worker bundle (dse/bundle.ts). */
declare const __SPATTEN_BUNDLE__: boolean | undefined;
const BUNDLED = typeof __SPATTEN_BUNDLE__ !== 'undefined' && __SPATTEN_BUNDLE__;
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

type Module = Record<string, unknown>;
/**
 * The modules tasks run, by path under the project root, imported statically so that the worker
 * bundle contains them. From the sources (tsx) they are imported by path like any other module.
 */
const IN_BUNDLE: Record<string, () => Promise<Module>> = {
  'dse/evaluate.ts': () => import('./evaluate.ts') as Promise<unknown> as Promise<Module>,
  'dse/fidelity.ts': () => import('./fidelity.ts') as Promise<unknown> as Promise<Module>,
  'sim/index.ts': () => import('../sim/index.ts') as Promise<unknown> as Promise<Module>,
  'sim/nn/api.ts': () => import('../sim/nn/api.ts') as Promise<unknown> as Promise<Module>,
};

/**
 * Imports a module by absolute path or file URL: from the bundle when it is there, else from the
 * file. Inside a piscina worker under tsx on Node 20 the ESM loader hooks are not active (the task
 * file itself is loaded through tsx's require hook), and a bundle worker runs without tsx, so a
 * `.ts` import falls back to tsx's `tsImport`.
 */
const modules = new Map<string, Promise<Module>>();

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
  if (BUNDLED) {
    const own = IN_BUNDLE[path.relative(ROOT, fileURLToPath(url)).split(path.sep).join('/')];
    if (own) return await own();
  }
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

/** The module loader, for the main thread's in-process evaluations from the bundle (dse/executor.ts). */
export { importModule as loadModule };

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
