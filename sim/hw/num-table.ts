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

export class NumTable {
  /** Slots of key a, key b, generation, then the values: read a found entry's values from here. */
  readonly slots: Float64Array;
  private readonly stride: number;
  private readonly mask: number;
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
    this.stride = 3 + width;
    this.slots = new Float64Array(n * this.stride);
    this.mask = n - 1;
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

  /** Offset in `slots` where the values of a new key (a, b) go (the table is emptied first when full). */
  insert(a: number, b: number): number {
    if (this.size >= this.capacity) this.clear();
    const s = this.slots;
    const m = this.mask;
    const st = this.stride;
    let i = hashPair(a, b) & m;
    while (s[i * st + 2] === this.gen) i = (i + 1) & m;
    const o = i * st;
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
    this.slots[this.insert(a, b)] = v;
  }

  /** Empties the table (slots of earlier generations are overwritten as they are reused). */
  clear(): void {
    this.size = 0;
    this.gen++;
  }
}
