/**
 * A reusable open-addressing table from 30-bit hashes to indices (typed arrays, emptied in O(1)
 * by a stamp), for grouping items by their fields (sim/hw/prepare.ts: request classes, DRAM
 * groups). It leaves no garbage behind, unlike a Map rebuilt per workload; equal hashes of
 * different items are told apart by the caller, which probes:
 *
 *     for (let s = t.start(h); ; s = t.next(s)) {
 *       const i = t.at(s, h);
 *       if (i === EMPTY) { t.put(s, h, newIndex); break; }   // not found: s is free
 *       if (i >= 0 && same(items[i])) break;                  // found
 *     }                                                       // i === OTHER: another hash
 */
export const EMPTY = -1;
export const OTHER = -2;

export class IndexTable {
  private hashes = new Int32Array(0);
  private vals = new Int32Array(0);
  private stamps = new Uint32Array(0);
  private stamp = 0;
  mask = 0;

  /** Empties the table for at most `n` entries (kept at most half full). */
  reset(n: number): void {
    let cap = 64;
    while (cap < 2 * n) cap *= 2;
    if (cap > this.hashes.length) {
      this.hashes = new Int32Array(cap);
      this.vals = new Int32Array(cap);
      this.stamps = new Uint32Array(cap);
      this.stamp = 0;
    }
    this.mask = this.hashes.length - 1;
    if (++this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  start(h: number): number {
    return h & this.mask;
  }

  next(s: number): number {
    return (s + 1) & this.mask;
  }

  /** The index at slot `s` when it holds hash `h`; EMPTY (free slot) or OTHER (another hash). */
  at(s: number, h: number): number {
    if (this.stamps[s] !== this.stamp) return EMPTY;
    return this.hashes[s] === h ? this.vals[s] : OTHER;
  }

  /** Stores index `i` under hash `h` at the free slot `s` (found by probing). */
  put(s: number, h: number, i: number): void {
    this.stamps[s] = this.stamp;
    this.hashes[s] = h;
    this.vals[s] = i;
  }
}
