/**
 * The Node flags a bundle worker thread is started with: the parent's (`process.execArgv`), without
 * tsx's loader (dse/bundle.ts `execArgvWithoutTsx`: the bundle is JavaScript) and without the flags
 * a worker thread refuses.
 *
 * Node refuses V8 flags and per-process options in a Worker's `execArgv`
 * (ERR_WORKER_INVALID_EXEC_ARGV: `--max-old-space-size`, `--stack-size`, `--expose-gc`, `--title`,
 * `--v8-pool-size`, …), so `node --max-old-space-size=8192 bin/spatten-dse.js run …` stopped at
 * its first pool with that error. Those flags hold for the whole process, its worker threads
 * included (V8's flags are global), so leaving them out of the worker's list drops nothing. Which
 * flags a worker refuses is Node's to say: one worker is constructed with the list, and the flags
 * its error names are left out (only when the parent has flags; the probe thread is terminated at
 * once). Node 20 names them as given, separated by ", " after the last ": ".
 */
import { Worker } from 'node:worker_threads';
import { execArgvWithoutTsx } from './bundle.ts';

let memo: { argv: readonly string[]; out: string[] } | undefined;

/** The flags Node names in a refused worker's error (empty for another error). */
export function refusedFlags(e: unknown): string[] {
  if ((e as { code?: unknown })?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return [];
  const m = /: ([^:]*)$/.exec(String((e as Error).message));
  return m ? m[1].split(', ').filter((s) => s.length > 0) : [];
}

/** `argv` without tsx's loader and the flags a worker thread refuses (`argv`: process.execArgv by default). */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  if (memo && memo.argv === argv) return memo.out;
  let out = execArgvWithoutTsx(argv);
  if (out.length > 0) {
    try {
      const probe = new Worker('', { eval: true, execArgv: out, stdout: true, stderr: true });
      probe.unref();
      void probe.terminate();
    } catch (e) {
      const refused = new Set(refusedFlags(e));
      if (refused.size === 0) throw e;
      out = out.filter((a) => !refused.has(a));
    }
  }
  memo = { argv, out };
  return out;
}
