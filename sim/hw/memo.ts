/**
 * A memo table keyed by a declared list of hardware-config fields: the fields a memoised quantity
 * depends on. The key is derived from that list (never hand-packed), so adding a dependency is
 * adding a field name, and a test that perturbs every field of HardwareSchema (test/
 * hw-analytical.test.ts) catches a quantity whose list misses one (the fast path would return a
 * stale value and disagree with the reference loop).
 *
 * Look-up: when the listed fields equal those of the previous call, the previous value is
 * returned at once (a sweep usually repeats its discrete knobs); otherwise the fields' values are
 * hashed in one pass (numbers by their bits, strings by their length and end characters) and one Map look-up
 * finds the bucket, whose entries are compared field by field with `===` (no key string is built,
 * so a hit allocates nothing). A table holds at most `capacity` values and starts afresh when
 * full, so memory stays bounded however many distinct points a sweep evaluates.
 */
import type { HardwareConfig } from '../schema.ts';

export type HwFields = readonly (keyof HardwareConfig)[];

/** The union of several dependency lists (order kept, duplicates dropped). */
export function unionFields(...lists: HwFields[]): HwFields {
  return [...new Set(lists.flat())];
}

/** Entries a memo table keeps unless told otherwise: then it starts afresh (memory stays bounded). */
export const DEFAULT_MEMO_CAPACITY = 4096;
/** Hashes the doorkeeper remembers (`HwMemo.seenBefore`), shared by every table (64 KB: a look-up stays in cache). */
const DOOR_SLOTS = 1 << 14;
const DOOR = new Int32Array(DOOR_SLOTS);
let tables = 0;

/** One memoised value with the field values it was made for; entries of equal hash are chained. */
interface Entry<T> {
  keys: unknown[];
  value: T;
  next: Entry<T> | undefined;
}

type Reader = (hw: HardwareConfig, out: unknown[]) => void;
/** The generated readers by field list (a workload prepared per point makes new tables: they share them). */
const readers = new Map<string, Reader>();

/** The reader of a field list (`HwMemo.read`), generated once per distinct list. */
function readerOf(fields: HwFields): Reader {
  const key = fields.join(',');
  let r = readers.get(key);
  if (r === undefined) {
    for (const f of fields) if (!/^[A-Za-z_$][\w$]*$/.test(f)) throw new Error(`HwMemo: field name ${f} is not an identifier`);
    r = new Function('hw', 'out', fields.map((f, i) => `out[${i}] = hw.${f};`).join('\n')) as Reader;
    readers.set(key, r);
  }
  return r;
}

/** Scratch for hashing a double by its bits. */
const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);

export class HwMemo<T> {
  /** Entries by the hash of their field values (`hashOf`). */
  private table = new Map<number, Entry<T>>();
  private size = 0;
  private readonly last: unknown[];
  /** The current call's field values (filled by `read`). */
  private readonly cur: unknown[];
  /**
   * Copies hw's listed fields into an array. Generated from the list as one named property load
   * per field (`out[0] = hw.qkMultipliers; …`): a loop reading `hw[fields[i]]` is a keyed load
   * whose name changes every iteration, which V8 serves from its generic (megamorphic) path;
   * this was a fifth of a grid-style sweep's time per point.
   */
  private readonly read: Reader;
  private hasLast = false;
  private lastValue!: T;

  /**
   * @param fields the HardwareConfig fields the value depends on
   * @param capacity entries kept before the table is emptied (0 = unbounded; 1 = only the last value)
   * @param secondMaking store a value only the second time it is made (`seenBefore`), unless `get` has an `admit` rule
   */
  constructor(
    readonly fields: HwFields,
    private readonly capacity = DEFAULT_MEMO_CAPACITY,
    private readonly secondMaking = false,
  ) {
    this.last = new Array(fields.length);
    this.cur = new Array(fields.length);
    this.read = readerOf(fields);
  }

  /**
   * The value for hw's fields, made by `make` when new. `admit(v)`, asked after a new value is
   * made, may keep it out of the table (it is still the last value): for values a sweep will not
   * ask about again.
   */
  get(hw: HardwareConfig, make: () => T, admit?: (v: T) => boolean): T {
    const cur = this.cur;
    this.read(hw, cur);
    if (this.hasLast && same(cur, this.last)) return this.lastValue;
    const h = this.capacity !== 1 ? this.hashOf(cur) : 0;
    let v: T | undefined;
    if (this.capacity !== 1 && this.size > 0) {
      // (an empty table is not asked: a sweep of distinct points stores nothing in some tables)
      for (let e = this.table.get(h); e !== undefined; e = e.next) {
        if (same(e.keys, cur)) {
          v = e.value;
          break;
        }
      }
    }
    if (v === undefined) {
      v = make();
      if (this.capacity !== 1 && (admit !== undefined ? admit(v) : !this.secondMaking || this.seenBefore(h))) this.insert(h, cur, v);
    }
    for (let i = 0; i < cur.length; i++) this.last[i] = cur[i];
    this.hasLast = true;
    this.lastValue = v;
    return v;
  }

  /**
   * The doorkeeper of a `secondMaking` table (when `get` has no `admit` rule): true when a value
   * with this hash was made by this table before (since its slot in `DOOR` was last overwritten),
   * so a value is stored the second time it is made. A sweep of distinct points makes every value
   * once: stored, each would live until the table empties — long enough to be copied out of the
   * young generation and collected later by a full collection. A grid's values recur and are
   * stored on their second making. A collision only stores a value early.
   */
  private seenBefore(h: number): boolean {
    const k = (Math.imul(h ^ this.id, 0x85ebca6b) ^ (h >>> 13)) | 1; // never 0 (an empty slot)
    const i = (k >>> 7) & (DOOR_SLOTS - 1);
    if (DOOR[i] === k) return true;
    DOOR[i] = k;
    return false;
  }
  /** Mixed into the doorkeeper's hashes, so that tables share `DOOR`. */
  private readonly id = Math.imul(++tables, 0x9e3779b1);

  /** Adds an entry (emptying the table first when it is full). */
  private insert(h: number, cur: unknown[], value: T): void {
    if (this.capacity > 0 && this.size >= this.capacity) {
      this.table = new Map();
      this.size = 0;
    }
    this.table.set(h, { keys: cur.slice(), value, next: this.table.get(h) });
    this.size++;
  }

  /** A 30-bit hash of hw's field values (a small integer, so the Map keys stay unboxed). */
  private hashOf(cur: unknown[]): number {
    let h = cur.length;
    for (let i = 0; i < cur.length; i++) {
      const x = cur[i];
      let k: number;
      if (typeof x === 'number') {
        if ((x | 0) === x) k = x;
        else {
          f64[0] = x;
          k = i32[0] ^ Math.imul(i32[1], 0x27d4eb2d);
        }
      } else if (typeof x === 'string') k = x.length === 0 ? 0x2f693a17 : Math.imul(x.length, 0x01000193) ^ (x.charCodeAt(0) << 16) ^ x.charCodeAt(x.length - 1);
      else k = x === true ? 0x5bd1e995 : x === false ? 0x1b873593 : 0x2545f491;
      h = Math.imul(h ^ k, 0x9e3779b1);
      h ^= h >>> 15;
    }
    return h & 0x3fffffff;
  }

}

/** Element-wise `===` of two arrays of the same length. */
function same(a: unknown[], b: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
