/**
 * A bounded memo table keyed by a pair of numbers (open addressing in typed arrays): a look-up
 * neither builds a key string nor boxes a large integer key (as a `Map` with double keys does), and
 * emptying the table is O(1) (a generation stamp), so hot memo tables of the analytical model
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

export class NumTable<V> {
  private readonly ka: Float64Array;
  private readonly kb: Float64Array;
  private readonly stamp: Uint32Array;
  private readonly vals: V[];
  private readonly mask: number;
  private gen = 1;
  private size = 0;

  /** @param capacity values kept before the table is emptied */
  constructor(private readonly capacity: number) {
    let slots = 16;
    while (slots < 2 * capacity) slots *= 2;
    this.ka = new Float64Array(slots);
    this.kb = new Float64Array(slots);
    this.stamp = new Uint32Array(slots);
    this.vals = new Array<V>(slots);
    this.mask = slots - 1;
  }

  /** The value stored under (a, b), or undefined. */
  get(a: number, b: number): V | undefined {
    const m = this.mask;
    for (let i = hashPair(a, b) & m; ; i = (i + 1) & m) {
      if (this.stamp[i] !== this.gen) return undefined;
      if (this.ka[i] === a && this.kb[i] === b) return this.vals[i];
    }
  }

  /** Stores v under (a, b) (a key not yet in the table; the table is emptied first when full). */
  set(a: number, b: number, v: V): void {
    if (this.size >= this.capacity) this.clear();
    const m = this.mask;
    let i = hashPair(a, b) & m;
    while (this.stamp[i] === this.gen) i = (i + 1) & m;
    this.stamp[i] = this.gen;
    this.ka[i] = a;
    this.kb[i] = b;
    this.vals[i] = v;
    this.size++;
  }

  /** Empties the table (values of earlier generations are overwritten as slots are reused). */
  clear(): void {
    this.size = 0;
    if (++this.gen === 0xffffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
  }
}
