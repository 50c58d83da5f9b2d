/**
 * Ctrl-C (SIGINT) or SIGTERM during a run. In the search: the first one starts no new evaluation
 * (those in flight finish), the second abandons them. In the later steps (refinement, re-scoring)
 * the first one abandons the work in flight. Outputs are written for what finished either way;
 * the run records `interrupted` (exit 130) or `terminated` (exit 143) — dse/stop.ts.
 * The handlers are installed before the journal is opened (a signal between the journal's first
 * line and the search must not kill the process by the default action); the executor is attached
 * once it exists and learns of a signal received before.
 */
import type { Executor } from '../executor.ts';
import type { StopReason } from '../stop.ts';

export class Interrupts {
  interrupted = false;
  /** The first signal received. */
  signal?: 'SIGINT' | 'SIGTERM';
  private late = false;
  private readonly handler = (sig: NodeJS.Signals) => this.onSignal(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');

  private executor?: Executor;

  constructor(private readonly log: (line: string) => void) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  /** The executor the signals act on; a signal already received stops it from starting work. */
  attach(executor: Executor): void {
    this.executor = executor;
    if (this.interrupted) executor.interrupt();
  }

  /** The search is over: from now on a signal abandons the work in flight. */
  searchDone(): void {
    this.late = true;
  }

  /** No more work should start. */
  get stop(): boolean {
    return this.interrupted || this.executor?.isAborted === true;
  }

  /** The stop reason a signal gave the run, if any. */
  get reason(): StopReason | undefined {
    return this.signal === 'SIGTERM' ? 'terminated' : this.signal ? 'interrupted' : undefined;
  }

  private onSignal(sig: 'SIGINT' | 'SIGTERM'): void {
    this.signal ??= sig;
    const name = sig === 'SIGTERM' ? 'terminate' : 'interrupt';
    if (this.late) {
      this.interrupted = true;
      this.log(`\n${name}: abandoning the work in flight, writing outputs`);
      void this.executor?.abort();
    } else if (this.interrupted) {
      this.log(`${name}: abandoning the evaluations in flight, writing outputs for what finished`);
      void this.executor?.abort();
    } else {
      this.interrupted = true;
      this.executor?.interrupt();
      this.log(`\n${name}: finishing the evaluations in flight, then writing outputs (${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to abandon them)`);
    }
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}
