/**
 * A bounded memo table from a pair of numbers to `width` numbers (open addressing in one typed
 * array, each slot's keys, generation stamp and values side by side): a look-up neither builds a key string
 * nor boxes a large integer key (as a `Map` with double keys does) and touches one cache line, and
 * emptying the table is O(1) (the generation stamp), so the hot memo tables of the analytical model
 * leave no garbage behind. Holds at most `capacity` values; the next insertion past that empties it.
 */
const f64 = new Float64Array(2);
const u32 = new Uint32Array(f64.buffer);

/** 32-bit hash of the bit patterns of two doubles (murmur3-style mixing). */
function hashPair(a: number, b: number): number {
  f64[0] = a;
  f64[1] = b;
  let h = Math.imul(u32[0] ^ 0x9e3779b9, 0xcc9e2d51);
  h = Math.imul(h ^ (h >>> 15) ^ u32[1], 0x1b873593);
  h = Math.imul(h ^ (h >>> 13) ^ u32[2], 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16) ^ u32[3], 0xc2b2ae35);
  return h ^ (h >>> 15);
}

/** Slots a table starts with: it doubles up to its full size as entries arrive (load ≤ ½ throughout). */
const INITIAL_SLOTS = 256;

export class NumTable {
  /**
   * Slots of key a, key b, generation, then the values: read a found entry's values from here.
   * A new array when the table grows: read it after `find`/`insert`, never keep it across an insert.
   */
  slots: Float64Array;
  private readonly stride: number;
  private mask: number;
  /** Slot count at full size: the power of two ≥ 2 × capacity. */
  private readonly fullSlots: number;
  private gen = 1;
  private size = 0;

  /**
   * @param capacity entries kept before the table is emptied
   * @param width numbers stored per entry
   */
  constructor(
    private readonly capacity: number,
    width = 1,
  ) {
    let n = 16;
    while (n < 2 * capacity) n *= 2;
    this.fullSlots = n;
    this.stride = 3 + width;
    // Allocated small and grown: a full-size table is megabytes (the DRAM cost memo: 25 MB), which a
    // process that never fills it (one simulation, a cycle-model run) would allocate and collect for nothing.
    const start = Math.min(n, INITIAL_SLOTS);
    this.slots = new Float64Array(start * this.stride);
    this.mask = start - 1;
  }

  /** Offset in `slots` of the values stored under (a, b), or -1. */
  find(a: number, b: number): number {
    const s = this.slots;
    const m = this.mask;
    const st = this.stride;
    for (let i = hashPair(a, b) & m; ; i = (i + 1) & m) {
      const o = i * st;
      if (s[o + 2] !== this.gen) return -1;
      if (s[o] === a && s[o + 1] === b) return o + 3;
    }
  }

  /**
   * Offset in `slots` of the values under (a, b); when absent, the offset where a new entry's values
   * go (as `insert`), with `added` set: one probe for a look-up that usually misses (a sweep of
   * distinct designs prices every shape once) instead of `find`'s and then `insert`'s.
   */
  findOrInsert(a: number, b: number): number {
    const s = this.slots;
    const m = this.mask;
    const st = this.stride;
    let i = hashPair(a, b) & m;
    for (; s[i * st + 2] === this.gen; i = (i + 1) & m) {
      const o = i * st;
      if (s[o] === a && s[o + 1] === b) {
        this.added = false;
        return o + 3;
      }
    }
    this.added = true;
    // full, or growing: `insert` empties or grows the table and probes again
    if (this.size >= this.capacity || (2 * (this.size + 1) > m + 1 && m + 1 < this.fullSlots)) return this.insert(a, b);
    return this.place(i * st, a, b);
  }
  /** True when the last `findOrInsert` added its key (its values are still to be written). */
  added = false;

  /** Offset in `slots` where the values of a new key (a, b) go (the table is emptied first when full). */
  insert(a: number, b: number): number {
    if (this.size >= this.capacity) this.clear();
    else if (2 * (this.size + 1) > this.mask + 1 && this.mask + 1 < this.fullSlots) this.grow();
    const s = this.slots;
    const m = this.mask;
    const st = this.stride;
    let i = hashPair(a, b) & m;
    while (s[i * st + 2] === this.gen) i = (i + 1) & m;
    return this.place(i * st, a, b);
  }

  /** Writes the key (a, b) into the free slot at `o`; returns the offset of its values. */
  private place(o: number, a: number, b: number): number {
    const s = this.slots;
    s[o] = a;
    s[o + 1] = b;
    s[o + 2] = this.gen;
    this.size++;
    return o + 3;
  }

  /** The (first) value stored under (a, b), or undefined. */
  get(a: number, b: number): number | undefined {
    const o = this.find(a, b);
    return o < 0 ? undefined : this.slots[o];
  }

  /** Stores v under a new key (a, b). */
  set(a: number, b: number, v: number): void {
    const o = this.insert(a, b); // may grow the table: `slots` is read after
    this.slots[o] = v;
  }

  /** Twice the slots, the current generation's entries placed again (the others are dropped). */
  private grow(): void {
    const old = this.slots;
    const st = this.stride;
    const n = 2 * (this.mask + 1);
    const s = new Float64Array(n * st);
    const m = n - 1;
    for (let o = 0; o < old.length; o += st) {
      if (old[o + 2] !== this.gen) continue;
      let i = hashPair(old[o], old[o + 1]) & m;
      while (s[i * st + 2] === this.gen) i = (i + 1) & m;
      // copied in a loop, not s.set(old.subarray(…)) (a view per entry: filling the 2^18-entry
      // DRAM cost table of dram-cost.ts took ~95 ms of CPU instead of ~35)
      const d = i * st;
      for (let j = 0; j < st; j++) s[d + j] = old[o + j];
    }
    this.slots = s;
    this.mask = m;
  }

  /** Empties the table (slots of earlier generations are overwritten as they are reused). */
  clear(): void {
    this.size = 0;
    this.gen++;
  }
}
