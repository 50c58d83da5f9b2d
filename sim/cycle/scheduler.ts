/**
 * Request scheduler: admission of head requests into the pipeline (RTL stages 1–2, spec §1.5).
 * Requests are admitted strictly in order, one per cycle at most, while
 *  - fewer than `inFlight` requests are between admission and their final progressive-
 *    quantization decision,
 *  - the key buffer has room for the request's lines (and one of its 16 allocations); in
 *    summarization (K/V reused from SRAM) the value buffer too,
 *  - with `gateTokenTopk`, the previous layer's cascade token top-k has finished (its output is
 *    the next layer's key-id list).
 * An admitted request's key stream reaches the fetcher after the allocation register (stage 1)
 * and the request FIFO's (stage 2); in summarization its value stream after the value buffer's
 * allocation register (stage 16).
 *
 * The scheduler also keeps the run's admission account: how long admission waited, per reason (the
 * first condition that refused, in the order `admit` checks them), and the time of the last
 * admission. The waits, the admissions (one cycle each after the first) and the drain after the
 * last admission partition the run's cycles, so the account says what the latency waited for.
 */
import type { HeadRequest } from '../workload/types.ts';
import type { LineBuffer } from './buffers.ts';
import { EV_ADMIT, EV_VARRIVE, type EventQueue } from './events.ts';
import { L_ALLOC, L_REQ_FIFO } from './latency.ts';
import type { RequestTable } from './requests.ts';

/** Where an admitted request's key stream goes (the DRAM front end, via the pipeline). */
export interface FetchPort {
  fetch(now: number, kind: 0 | 1 | 2, i: number): void;
}

/**
 * Why admission waits: the token top-k gate; the heads-in-flight window (`inFlight` heads, or the
 * key buffer's allocation table full: buffers.ts MAX_ALLOCS); the key buffer's lines; the value
 * buffer (summarization: its lines or its allocation table).
 */
export const WAIT_GATE = 0;
export const WAIT_WINDOW = 1;
export const WAIT_KEY_BUFFER = 2;
export const WAIT_VALUE_BUFFER = 3;

export interface SchedulerConfig {
  inFlight: number;
  /** K/V reused from SRAM: the value lines are allocated at admission. */
  reuseKV: boolean;
  gateTokenTopk: boolean;
}

export class RequestScheduler {
  /** Next request to admit. */
  nextAdmit = 0;
  /** Requests between admission and their final decision. */
  inflight = 0;
  /** Admission attempts refused for lack of key-buffer room. */
  keyBufferStalls = 0;
  /** Cycles admission waited, per reason (WAIT_*). */
  readonly waited = new Float64Array(4);
  /**
   * The window's and the key buffer's waits split by what the head whose decision ended each part
   * of them waited for: its key-side stream (DRAM: transfer, queue, access latency) or Q·K/softmax.
   */
  fullOnDram = 0;
  fullOnCompute = 0;
  /** Time of the last admission. */
  lastAdmit = 0;
  private why = -1;
  private since = 0;
  private pieceFrom = 0;
  private lastOnDram = false;
  private gateUntil = 0;
  private gatePending = -1;
  private scheduled = false;
  private readonly n: number;

  constructor(
    private readonly reqs: readonly HeadRequest[],
    private readonly tb: RequestTable,
    private readonly queue: EventQueue,
    private readonly keyBuf: LineBuffer,
    private readonly valBuf: LineBuffer,
    private readonly cfg: SchedulerConfig,
    private readonly port: FetchPort,
  ) {
    this.n = reqs.length;
  }

  /** Makes sure an admission attempt is pending at time t (one at a time). */
  schedule(t: number): void {
    if (!this.scheduled && this.nextAdmit < this.n) {
      this.scheduled = true;
      this.queue.push(t, EV_ADMIT, 0);
    }
  }

  /** An admission attempt (event EV_ADMIT). */
  admit(now: number): void {
    this.scheduled = false;
    if (this.nextAdmit >= this.n) return;
    if (this.gatePending >= 0) return this.wait(WAIT_GATE, now); // waits for the token top-k to be computed
    if (now < this.gateUntil) {
      this.wait(WAIT_GATE, now);
      return this.schedule(this.gateUntil);
    }
    if (this.inflight >= this.cfg.inFlight) return this.wait(WAIT_WINDOW, now);
    const i = this.nextAdmit;
    const reuse = this.cfg.reuseKV;
    const needV = reuse ? this.tb.valLines[i] : 0;
    if (!this.keyBuf.fits(this.tb.keyLines[i])) {
      this.keyBufferStalls++;
      // a full allocation table (16 heads) is a heads-in-flight window of its own
      return this.wait(this.keyBuf.allocs >= this.keyBuf.maxAllocs ? WAIT_WINDOW : WAIT_KEY_BUFFER, now);
    }
    if (reuse && !this.valBuf.fits(needV)) return this.wait(WAIT_VALUE_BUFFER, now);
    this.wait(-1, now);
    this.lastAdmit = now;
    this.nextAdmit++;
    this.inflight++;
    this.keyBuf.take(this.tb.keyLines[i]);
    if (reuse) this.valBuf.take(needV);
    this.port.fetch(now + L_ALLOC + L_REQ_FIFO, 0, i); // stage 1's allocation register, stage 2's FIFO register
    if (reuse && this.tb.vStream[i]) this.queue.push(now + L_ALLOC, EV_VARRIVE, i);
    if (this.cfg.gateTokenTopk && this.reqs[i].topk >= 0) this.gatePending = i;
    this.schedule(now + 1);
  }

  /**
   * Request i made its final decision: it leaves the window and frees its key lines. `onDram`: the
   * decision waited for its key-side stream rather than for Q·K/softmax (AttentionScorer.dramBound).
   */
  retire(i: number, now: number, onDram = false): void {
    if (this.why === WAIT_WINDOW || this.why === WAIT_KEY_BUFFER) this.splitFull(now, onDram);
    this.lastOnDram = onDram;
    this.inflight--;
    this.keyBuf.release(this.tb.keyLines[i]);
    this.schedule(now);
  }

  /** Request i's token top-k ends at `done`: a gate waiting for it opens the cycle after. */
  tokenTopkDone(i: number, done: number, now: number): void {
    if (this.gatePending !== i) return;
    this.gatePending = -1;
    this.gateUntil = done + 1;
    this.schedule(Math.max(now, this.gateUntil));
  }

  /** Admission waits for `why` from `now` (−1: it admits); a wait for another reason ends. */
  private wait(why: number, now: number): void {
    if (why === this.why) return;
    if (this.why >= 0) {
      this.waited[this.why] += now - this.since;
      if (this.why === WAIT_WINDOW || this.why === WAIT_KEY_BUFFER) this.splitFull(now, this.lastOnDram);
    }
    this.why = why;
    this.since = this.pieceFrom = now;
  }

  /** The window's or key buffer's wait up to `now` goes to what the retiring head waited for. */
  private splitFull(now: number, onDram: boolean): void {
    if (onDram) this.fullOnDram += now - this.pieceFrom;
    else this.fullOnCompute += now - this.pieceFrom;
    this.pieceFrom = now;
  }
}
