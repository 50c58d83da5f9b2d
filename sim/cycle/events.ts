/**
 * Event core of the cycle simulator: a binary min-heap of timestamped events in typed arrays.
 * Events at the same time pop in the order they were pushed (a sequence number breaks ties), so a
 * run is deterministic. An event is (time, kind, argument); the simulator gives the kinds their
 * meaning (sim.ts). Time jumps from event to event: nothing ever steps through idle cycles.
 */

/** Event kinds of the SpAtten pipeline (the argument is a request index unless noted). */
export const EV_ADMIT = 0; // argument unused: try to admit the next request
export const EV_KARRIVE = 1; // i ≥ 0: key stream of request i reaches the fetcher; −1 − i: its LSB stream
export const EV_VARRIVE = 2; // value stream of request i reaches the fetcher
export const EV_DRAM = 3; // a fetch stream ends: i (key), −1 − i (LSBs), −1 − N − i (values)
export const EV_DECISION = 4; // request i's final progressive-quantization decision
export const EV_VRELEASE = 5; // request i releases its value-buffer lines
export const EV_VALLOC = 6; // argument unused: retry value-buffer allocation

export class EventQueue {
  private t = new Float64Array(256);
  private sq = new Float64Array(256);
  private kd = new Int32Array(256);
  private ar = new Int32Array(256);
  private n = 0;
  private s = 0;
  /** The last popped event (filled by pop()). */
  outT = 0;
  outKind = 0;
  outA = 0;

  get size(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.t.length * 2;
    const t = new Float64Array(cap);
    t.set(this.t);
    this.t = t;
    const sq = new Float64Array(cap);
    sq.set(this.sq);
    this.sq = sq;
    const kd = new Int32Array(cap);
    kd.set(this.kd);
    this.kd = kd;
    const ar = new Int32Array(cap);
    ar.set(this.ar);
    this.ar = ar;
  }

  push(time: number, kind: number, a: number): void {
    if (this.n === this.t.length) this.grow();
    const T = this.t;
    const SQ = this.sq;
    const KD = this.kd;
    const AR = this.ar;
    let i = this.n++;
    const q = this.s++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = T[p];
      if (tp < time || (tp === time && SQ[p] < q)) break;
      T[i] = tp;
      SQ[i] = SQ[p];
      KD[i] = KD[p];
      AR[i] = AR[p];
      i = p;
    }
    T[i] = time;
    SQ[i] = q;
    KD[i] = kind;
    AR[i] = a;
  }

  /** Removes the earliest event into outT/outKind/outA (the queue must not be empty). */
  pop(): void {
    const T = this.t;
    const SQ = this.sq;
    const KD = this.kd;
    const AR = this.ar;
    this.outT = T[0];
    this.outKind = KD[0];
    this.outA = AR[0];
    const n = --this.n;
    if (n === 0) return;
    const t = T[n];
    const q = SQ[n];
    const k = KD[n];
    const a = AR[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (T[c + 1] < T[c] || (T[c + 1] === T[c] && SQ[c + 1] < SQ[c]))) c++;
      if (t < T[c] || (t === T[c] && q < SQ[c])) break;
      T[i] = T[c];
      SQ[i] = SQ[c];
      KD[i] = KD[c];
      AR[i] = AR[c];
      i = c;
    }
    T[i] = t;
    SQ[i] = q;
    KD[i] = k;
    AR[i] = a;
  }
}
