/**
 * Ctrl-C during a run. In the search: the first one starts no new evaluation (those in flight
 * finish), the second abandons them. In the later steps (refinement, re-scoring) the first one
 * abandons the work in flight. Outputs are written for what finished either way (exit 130).
 */
import type { Executor } from '../executor.ts';

export class Interrupts {
  interrupted = false;
  private late = false;
  private readonly handler = () => this.onSigint();

  constructor(private readonly executor: Executor, private readonly log: (line: string) => void) {
    process.on('SIGINT', this.handler);
  }

  /** The search is over: from now on a Ctrl-C abandons the evaluations in flight. */
  searchDone(): void {
    this.late = true;
  }

  /** No more work should start. */
  get stop(): boolean {
    return this.interrupted || this.executor.isAborted;
  }

  private onSigint(): void {
    if (this.late) {
      this.interrupted = true;
      this.log('\ninterrupt: abandoning the work in flight, writing outputs');
      void this.executor.abort();
    } else if (this.interrupted) {
      this.log('interrupt: abandoning the evaluations in flight, writing outputs for what finished');
      void this.executor.abort();
    } else {
      this.interrupted = true;
      this.executor.interrupt();
      this.log('\ninterrupt: finishing the evaluations in flight, then writing outputs (Ctrl-C again to abandon them)');
    }
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
  }
}
