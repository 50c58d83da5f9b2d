/**
 * Event core of the cycle simulator: timestamped events in binary min-heaps of typed arrays.
 * Events at the same time pop in the order they were pushed (a global sequence number breaks
 * ties), so a run is deterministic. An event is (time, kind, argument); the simulator gives the
 * kinds their meaning (sim.ts). Time jumps from event to event: nothing ever steps through idle
 * cycles.
 *
 * Kinds that can pile up by the thousand (value-buffer retries waiting behind a busy top-k engine)
 * go to a queue of their own (`bulkKinds`), so the few dozen other pending events stay in a small,
 * shallow heap. That queue is kept sorted: such events are pushed in time order in practice (an
 * append), an earlier one is inserted in place. A kind of which at most one event is ever pending
 * (the scheduler's admission attempt, a quarter of all events) waits in a slot of its own. `pop`
 * takes the earliest of the heads by (time, sequence), which is exactly the order one heap would give.
 */

/** Event kinds of the SpAtten pipeline (the argument is a request index unless noted). */
export const EV_ADMIT = 0; // argument unused: try to admit the next request
export const EV_KARRIVE = 1; // i ≥ 0: key stream of request i reaches the fetcher; −1 − i: its LSB stream
export const EV_VARRIVE = 2; // value stream of request i reaches the fetcher
export const EV_DRAM = 3; // a fetch stream ends: i (key), −1 − i (LSBs), −1 − N − i (values)
export const EV_DECISION = 4; // request i's final progressive-quantization decision
export const EV_VRELEASE = 5; // request i releases its value-buffer lines
export const EV_VALLOC = 6; // argument unused: retry value-buffer allocation

/**
 * Binary min-heap of (time, sequence) with an event per entry, stored entry by entry in one
 * Float64Array (time, sequence, argument · 8 + kind): a sift step moves one entry's three numbers
 * within a cache line instead of touching four arrays.
 */
class Heap {
  e = new Float64Array(3 * 64);
  n = 0;

  private grow(): void {
    const e = new Float64Array(this.e.length * 2);
    e.set(this.e);
    this.e = e;
  }

  /** x = argument · 8 + kind. */
  push(time: number, q: number, x: number): void {
    if (3 * this.n === this.e.length) this.grow();
    const E = this.e;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = E[3 * p];
      if (tp < time || (tp === time && E[3 * p + 1] < q)) break;
      E[3 * i] = tp;
      E[3 * i + 1] = E[3 * p + 1];
      E[3 * i + 2] = E[3 * p + 2];
      i = p;
    }
    E[3 * i] = time;
    E[3 * i + 1] = q;
    E[3 * i + 2] = x;
  }

  /** Removes the top entry (the caller read it from index 0). */
  removeTop(): void {
    const E = this.e;
    const n = --this.n;
    if (n === 0) return;
    const t = E[3 * n];
    const q = E[3 * n + 1];
    const x = E[3 * n + 2];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (E[3 * c + 3] < E[3 * c] || (E[3 * c + 3] === E[3 * c] && E[3 * c + 4] < E[3 * c + 1]))) c++;
      const tc = E[3 * c];
      if (t < tc || (t === tc && q < E[3 * c + 1])) break;
      E[3 * i] = tc;
      E[3 * i + 1] = E[3 * c + 1];
      E[3 * i + 2] = E[3 * c + 2];
      i = c;
    }
    E[3 * i] = t;
    E[3 * i + 1] = q;
    E[3 * i + 2] = x;
  }
}

/** Largest |argument| of an event in the heap (packed with its kind in a double, decoded as int32). */
const ARG_LIMIT = 1 << 28;

/** Events sorted by (time, sequence) in growable arrays: append, rare insertion, pop from the front. */
class SortedQueue {
  t = new Float64Array(64);
  sq = new Float64Array(64);
  kd = new Int32Array(64);
  ar = new Int32Array(64);
  /** Index of the first entry. */
  h = 0;
  /** One past the last entry. */
  e = 0;

  get n(): number {
    return this.e - this.h;
  }

  /** Makes room for one more entry at the end: moves the entries to the front, or grows. */
  private room(): void {
    const { h, e } = this;
    if ((e - h) * 2 < this.t.length) {
      this.t.copyWithin(0, h, e);
      this.sq.copyWithin(0, h, e);
      this.kd.copyWithin(0, h, e);
      this.ar.copyWithin(0, h, e);
    } else {
      const cap = this.t.length * 2;
      const t = new Float64Array(cap);
      t.set(this.t.subarray(h, e));
      this.t = t;
      const sq = new Float64Array(cap);
      sq.set(this.sq.subarray(h, e));
      this.sq = sq;
      const kd = new Int32Array(cap);
      kd.set(this.kd.subarray(h, e));
      this.kd = kd;
      const ar = new Int32Array(cap);
      ar.set(this.ar.subarray(h, e));
      this.ar = ar;
    }
    this.h = 0;
    this.e = e - h;
  }

  /** Adds an event whose sequence number is larger than every queued one. */
  push(time: number, q: number, kind: number, a: number): void {
    if (this.e === this.t.length) this.room();
    const T = this.t;
    let i = this.e++;
    // ties keep push order: move back only past strictly later events
    while (i > this.h && T[i - 1] > time) {
      T[i] = T[i - 1];
      this.sq[i] = this.sq[i - 1];
      this.kd[i] = this.kd[i - 1];
      this.ar[i] = this.ar[i - 1];
      i--;
    }
    T[i] = time;
    this.sq[i] = q;
    this.kd[i] = kind;
    this.ar[i] = a;
  }
}

export class EventQueue {
  private readonly main = new Heap();
  private readonly bulk = new SortedQueue();
  private readonly bulkMask: number;
  /** The single-pending kind (−1: none) and its one slot: time, sequence, argument; full? */
  private readonly slotKind: number;
  private slotT = 0;
  private slotQ = 0;
  private slotA = 0;
  private slotFull = false;
  private s = 0;
  /** The last popped event (filled by pop()). */
  outT = 0;
  outKind = 0;
  outA = 0;

  /**
   * `bulkKinds`: kinds (< 31) kept in the sorted queue. `slotKind`: a kind of which at most one
   * event is ever pending (the scheduler's admission attempt): it waits in a slot of its own
   * instead of the heap (pushing a second one while one is pending throws).
   */
  constructor(bulkKinds: readonly number[] = [], slotKind = -1) {
    let m = 0;
    for (const k of bulkKinds) m |= 1 << k;
    this.bulkMask = m;
    this.slotKind = slotKind;
  }

  get size(): number {
    return this.main.n + this.bulk.n + (this.slotFull ? 1 : 0);
  }

  push(time: number, kind: number, a: number): void {
    if (kind === this.slotKind) {
      if (this.slotFull) throw new Error(`EventQueue: a second pending event of kind ${kind} (one at a time)`);
      this.slotT = time;
      this.slotQ = this.s++;
      this.slotA = a;
      this.slotFull = true;
      return;
    }
    if ((this.bulkMask >> kind) & 1) this.bulk.push(time, this.s++, kind, a);
    else {
      // packed as a · 8 + kind, decoded with int32 operations: |a| < 2^28, kind < 8
      if (!(a >= -ARG_LIMIT && a < ARG_LIMIT && kind >= 0 && kind < 8 && (a | 0) === a)) throw new Error(`EventQueue: argument ${a} or kind ${kind} out of range`);
      this.main.push(time, this.s++, a * 8 + kind);
    }
  }

  /** Removes the earliest event into outT/outKind/outA; false (and nothing changed) if the queue is empty. */
  pop(): boolean {
    const m = this.main;
    const b = this.bulk;
    const j = b.h;
    if (b.e > j && (m.n === 0 || b.t[j] < m.e[0] || (b.t[j] === m.e[0] && b.sq[j] < m.e[1]))) {
      if (this.slotFull && (this.slotT < b.t[j] || (this.slotT === b.t[j] && this.slotQ < b.sq[j]))) return this.popSlot();
      this.outT = b.t[j];
      this.outKind = b.kd[j];
      this.outA = b.ar[j];
      b.h++;
      return true;
    }
    if (m.n === 0) return this.slotFull ? this.popSlot() : false;
    if (this.slotFull && (this.slotT < m.e[0] || (this.slotT === m.e[0] && this.slotQ < m.e[1]))) return this.popSlot();
    this.outT = m.e[0];
    const x = m.e[2];
    const k = x & 7;
    this.outKind = k;
    this.outA = (x - k) / 8;
    m.removeTop();
    return true;
  }

  private popSlot(): boolean {
    this.outT = this.slotT;
    this.outKind = this.slotKind;
    this.outA = this.slotA;
    this.slotFull = false;
    return true;
  }
}
