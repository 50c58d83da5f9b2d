/**
 * `spatten-dse worker --queue redis://HOST:PORT[/DB] [--namespace NAME] [--concurrency N]`: evaluates
 * the jobs of every run distributed on that Redis in its namespace (`run … --queue …`) until
 * SIGINT/SIGTERM (exit 0) or SIGHUP (the terminal closed: exit 143), each of which lets its running
 * jobs finish first. See dse/backends/queue-worker.ts. An unreachable Redis or a bad URL is bad
 * input (exit 2).
 */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { decimal } from '../cli-util.ts';
import { parseNamespace } from '../backends/redis.ts';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = decimal(v);
    if (!Number.isInteger(n) || n < 1) throw new InputError(`${name}: expected a positive integer, got "${v}"`);
    return n;
  };
}

/**
 * A lock or stalled-check period in ms, at least MIN_LOCK_MS: BullMQ renews a job's lock every half
 * of it, so a lock of a few ms expires between renewals and the jobs of live workers are taken as
 * stalled and run again, and a check that short polls Redis without pause.
 */
const MIN_LOCK_MS = 1000;
function lockMs(name: string) {
  const int = positiveInt(name);
  return (v: string): number => {
    const n = int(v);
    if (n < MIN_LOCK_MS) throw new InputError(`${name}: ${v} ms is too short (at least ${MIN_LOCK_MS} ms: a job's lock is renewed every half of it, and a shorter one makes live workers' jobs look stalled and run again)`);
    return n;
  };
}

/**
 * The progress period in ms: 0 (no progress lines) or at least MIN_PROGRESS_MS, since one line per
 * period is written while the counts change (every ms on a busy worker: a flooded log).
 */
const MIN_PROGRESS_MS = 1000;
function progressMs(v: string): number {
  const n = decimal(v);
  if (!Number.isInteger(n) || n < 0) throw new InputError(`--progress-every: expected 0 (no progress lines) or a number of ms of at least ${MIN_PROGRESS_MS}, got "${v}"`);
  if (n > 0 && n < MIN_PROGRESS_MS) throw new InputError(`--progress-every: ${v} ms is too short (at least ${MIN_PROGRESS_MS} ms, or 0 for no progress lines: a line is written every period while jobs finish)`);
  return n;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('evaluate the jobs of runs started with --queue (on this or any machine) until Ctrl-C')
    .requiredOption('--queue <url>', 'Redis URL, redis://HOST:PORT[/DB]')
    .option('--namespace <name>', 'serve only the runs started with the same --namespace (default: those started without one)', (v: string) => parseNamespace(v))
    .option('-c, --concurrency <n>', 'evaluation threads (default: the cores of this machine)', positiveInt('--concurrency'))
    .option('--prefetch <n>', 'jobs held per thread (default 4): more for short jobs, fewer for long ones', positiveInt('--prefetch'))
    .option('--lock-duration <ms>', 'job lock (ms): a killed worker\'s jobs are re-run after about this long (default 30000, at least 1000)', lockMs('--lock-duration'))
    .option('--stalled-interval <ms>', 'how often to look for stalled jobs of dead workers (ms, default: the lock duration, at least 1000)', lockMs('--stalled-interval'))
    .option('--progress-every <ms>', 'a progress line every ms (default 5000, at least 1000; 0: none)', progressMs)
    .action(async (o: { queue: string; namespace?: string; concurrency?: number; prefetch?: number; lockDuration?: number; stalledInterval?: number; progressEvery?: number }) => {
      const { runWorker, defaultConcurrency } = await import('../backends/queue-worker.ts');
      process.exitCode = await runWorker({
        url: o.queue,
        namespace: o.namespace,
        concurrency: o.concurrency ?? defaultConcurrency(),
        prefetch: o.prefetch,
        lockDuration: o.lockDuration,
        stalledInterval: o.stalledInterval,
        progressMs: o.progressEvery,
      });
    });
}
