/**
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal closed: a dropped SSH session, a closed window) during a run. In the search: the first one starts no new evaluation
 * (those in flight finish), the second abandons them. In the later steps (refinement, re-scoring)
 * the first one abandons the work in flight. Outputs are written for what finished either way;
 * the run records `interrupted` (exit 130) or `terminated` (SIGTERM, SIGHUP: exit 143) — dse/stop.ts.
 * (SIGHUP's default action ended the process: no outputs, the lock left behind.)
 * Before the search, during the dense model's run (dse/steps/dense.ts), the first one abandons
 * that run at once (`abandonable`): nothing is journaled or written, and the same command runs it
 * again.
 * The handlers are installed before the journal is opened (a signal between the journal's first
 * line and the search must not kill the process by the default action); the executor is attached
 * once it exists and learns of a signal received before. They stay installed while the run closes
 * its workers, journal and lock (`closing`): a signal there, after the outputs are written, only
 * says so (it killed the process, which printed no summary, exited 130 for a completed run and
 * left its lock behind).
 */
import type { Executor } from '../executor.ts';
import { releaseTerminalAtExit, STOP_SIGNALS, type StopReason, type StopSignal } from '../stop.ts';

/** The signals that stop a run (dse/stop.ts, shared with `serve` and `worker`). */
export type RunSignal = StopSignal;
const SIGNALS: readonly RunSignal[] = STOP_SIGNALS;

/** Thrown by `abandonable` when a signal stopped the work it ran (or came before it). */

export class Abandoned extends Error {
  constructor(readonly signal: RunSignal) {
    super(`${signal} received`);
    this.name = 'Abandoned';
  }
}

/**
 * Work that a signal abandons (the dense model's run before a run's search or before `serve`
 * answers: dse/serve.ts): `run` races it with `abandon`, which rejects it with Abandoned at once;
 * what the work gives later is dropped. After `abandon`, `run` rejects without running its work.
 */
export class Abandonable {
  /** The signal that abandoned the work, once one did. */
  signal?: RunSignal;
  /** Set while work runs: rejects it with Abandoned. */
  private reject?: (sig: RunSignal) => void;

  /** Whether work is running (a signal now abandons it). */
  get running(): boolean {
    return this.reject !== undefined;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.signal) throw new Abandoned(this.signal);
    const abandoned = new Promise<never>((_, reject) => (this.reject = (sig) => reject(new Abandoned(sig))));
    const running = work();
    running.catch(() => {}); // an abandoned run's failure (a stopped pool) is nobody's
    try {
      return await Promise.race([running, abandoned]);
    } finally {
      this.reject = undefined;
    }
  }

  /** Abandons the work running, or the work `run` is given next. */
  abandon(sig: RunSignal): void {
    this.signal ??= sig;
    this.reject?.(sig);
  }
}

export class Interrupts {
  interrupted = false;
  /** The first signal received. */
  signal?: RunSignal;
  private late = false;
  private closed = false;
  private readonly handler = (sig: NodeJS.Signals) => this.onSignal(sig === 'SIGTERM' || sig === 'SIGHUP' ? sig : 'SIGINT');

  private executor?: Executor;
  /** The `abandonable` work. */
  private readonly dense = new Abandonable();

  constructor(private readonly log: (line: string) => void) {
    for (const sig of SIGNALS) process.on(sig, this.handler);
  }

  /** The executor the signals act on; a signal already received stops it from starting work. */
  attach(executor: Executor): void {
    this.executor = executor;
    if (this.interrupted) executor.interrupt();
  }

  /**
   * Runs `work` (the dense model's run, one task that no output holds) so that a signal abandons
   * it: the returned promise rejects with Abandoned at once, the executor's work in flight is
   * aborted, and what `work` gives later is dropped. A signal received before rejects without
   * running it.
   */
  async abandonable<T>(work: () => Promise<T>): Promise<T> {
    if (this.signal) throw new Abandoned(this.signal);
    return this.dense.run(work);
  }

  /** The search is over: from now on a signal abandons the work in flight. */
  searchDone(): void {
    this.late = true;
  }

  /** The run is closing (its outputs are written, or it wrote none): a signal only says so. */
  closing(): void {
    this.closed = true;
  }

  /** No more work should start. */
  get stop(): boolean {
    return this.interrupted || this.executor?.isAborted === true;
  }

  /** The stop reason a signal gave the run, if any. */
  get reason(): StopReason | undefined {
    return this.signal === 'SIGINT' ? 'interrupted' : this.signal ? 'terminated' : undefined;
  }

  private onSignal(sig: RunSignal): void {
    this.signal ??= sig;
    if (sig === 'SIGHUP') releaseTerminalAtExit(); // the terminal closed: exit with the run's code (dse/stop.ts)
    const name = sig === 'SIGINT' ? 'interrupt' : sig === 'SIGTERM' ? 'terminate' : 'hangup (the terminal closed)';
    if (this.closed) {
      this.log(`\n${name}: the run is over; stopping its workers and releasing the folder`);
    } else if (this.dense.running) {
      this.interrupted = true;
      this.log(`\n${name}: abandoning the dense model's run (before the search: nothing is written; the same command runs it again and continues)`);
      this.dense.abandon(sig); // first: the run is abandoned, not failed by the abort below
      void this.executor?.abort();
    } else if (this.late) {
      this.interrupted = true;
      this.log(`\n${name}: abandoning the work in flight, writing outputs`);
      void this.executor?.abort();
    } else if (this.interrupted) {
      this.log(`${name}: abandoning the evaluations in flight, writing outputs for what finished`);
      void this.executor?.abort();
    } else {
      this.interrupted = true;
      this.executor?.interrupt();
      this.log(`\n${name}: finishing the evaluations in flight, then writing outputs (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again to abandon them)`);
    }
  }

  dispose(): void {
    for (const sig of SIGNALS) process.off(sig, this.handler);
  }
}
