/**
 * Compute servers: the Q·K array, the softmax pipeline and the prob·V array (paper Fig. 8; RTL
 * stages 9, 10–14, 16–19). Each is an in-order streaming server: a job of `work` cycles starts
 * when the server is free and its input's first data have arrived, and cannot end before its
 * input's last data (a streaming stage drains behind its producer). The gap between a job's start
 * and end beyond its work is a stall (waiting for data).
 */
import { L_BUFR, L_BUFW, L_CONVERT, L_SOFTMAX } from './latency.ts';

export class StreamServer {
  /** Time the server is free again. */
  free = 0;
  /** Cycles of work done. */
  busy = 0;
  /** Cycles spent waiting for input inside a job. */
  stall = 0;
  /** Start of the last job. */
  start = 0;

  /** Serves a job whose input streams over [firstIn, lastIn]; returns its end. */
  serve(firstIn: number, lastIn: number, work: number): number {
    const s = Math.max(this.free, firstIn);
    const e = Math.max(s + work, lastIn);
    this.stall += e - s - work;
    this.free = e;
    this.busy += work;
    this.start = s;
    return e;
  }
}

/** Q·K followed by softmax, streaming one into the other. */
export class AttentionScorer {
  readonly qk = new StreamServer();
  readonly softmax = new StreamServer();
  /**
   * The last pass's decision waited for its key stream: softmax drained behind Q·K and Q·K behind
   * the stream's last data (both stalled), rather than either running its own work.
   */
  dramBound = false;

  /**
   * One pass over a head's keys whose DRAM stream ran [first, end]: the lines pass the bit-width
   * converter and the key buffer, Q·K streams them (latency qkLat), softmax streams its scores.
   * Returns the time the progressive-quantization decision is made (softmax latency + reqLat).
   */
  pass(first: number, end: number, qkWork: number, smWork: number, qkLat: number, reqLat: number): number {
    const qe = this.qk.serve(first + L_CONVERT + L_BUFW + L_BUFR, end + L_CONVERT + L_BUFW + L_BUFR, qkWork);
    const qs = this.qk.start;
    const se = this.softmax.serve(qs + qkLat, qe + qkLat, smWork);
    this.dramBound = qe > qs + qkWork && se > this.softmax.start + smWork;
    return se + L_SOFTMAX + reqLat;
  }
}
