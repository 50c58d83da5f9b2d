/**
 * Why a run stopped, and the signals that stop it.
 *
 * Stop reasons (run.json `stopReason`, the summary line, the report):
 *   completed   the driver proposed every point it had                    exit 0
 *   max-evals   the evaluation budget (--max-evals / search.maxEvals)     exit 0 (says so)
 *   time-limit  the time budget (--time-limit / search.timeLimit)         exit 0 (says so)
 *   interrupted SIGINT (Ctrl-C)                                           exit 130
 *   terminated  SIGTERM                                                   exit 143
 *   failed      every point failed, or an unexpected error stopped it     exit 1
 * In every case the outputs of what finished are written first.
 *
 * Signals: the first SIGINT/SIGTERM stops new evaluations (the ones running finish); a second
 * one abandons those too. In the late phase (re-scoring, highlights) the first one abandons.
 */
export const STOP_REASONS = ['completed', 'max-evals', 'time-limit', 'interrupted', 'terminated', 'failed'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export function exitCodeFor(reason: StopReason | undefined): number {
  switch (reason) {
    case 'interrupted':
      return 130;
    case 'terminated':
      return 143;
    case 'failed':
      return 1;
    default:
      return 0;
  }
}

export interface StopHooks {
  /** Start no new evaluation (first signal in the search loop). */
  stop(): void;
  /** Abandon the evaluations in flight. */
  abort(): void;
  log(line: string): void;
}

export class StopControl {
  reason?: StopReason;
  detail?: string;
  private signals = 0;
  private late = false;
  private readonly onSignal = (sig: NodeJS.Signals) => this.handle(sig);

  constructor(private readonly hooks: StopHooks) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Records the first reason only (later ones do not overwrite it). */
  set(reason: StopReason, detail?: string): void {
    if (this.reason) return;
    this.reason = reason;
    this.detail = detail;
  }

  /** A signal has been received. */
  get signalled(): boolean {
    return this.signals > 0;
  }

  /** After the search loop: a first signal abandons the work in flight at once. */
  enterLatePhase(): void {
    this.late = true;
  }

  private handle(sig: NodeJS.Signals): void {
    this.signals++;
    const name = sig === 'SIGTERM' ? 'terminate' : 'interrupt';
    this.set(sig === 'SIGTERM' ? 'terminated' : 'interrupted', `${sig} received`);
    if (this.signals === 1 && !this.late) {
      this.hooks.stop();
      this.hooks.log(`\n${name}: finishing the evaluations in flight, then writing outputs (${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to abandon them)`);
    } else {
      this.hooks.log(`${name}: abandoning the evaluations in flight, writing outputs for what finished`);
      this.hooks.abort();
    }
  }

  /** Removes the signal handlers (after the outputs are written). */
  close(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

/** The summary's stop clause: "stopped: time-limit (60 s reached after 37 of 48 points)". */
export function stopText(reason: StopReason | undefined, detail?: string): string {
  return `stopped: ${reason ?? 'completed'}${detail ? ` (${detail})` : ''}`;
}
