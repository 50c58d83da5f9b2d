/**
 * A memo table keyed by a declared list of hardware-config fields: the fields a memoised quantity
 * depends on. The key is derived from that list (never hand-packed), so adding a dependency is
 * adding a field name, and a test that perturbs every field of HardwareSchema (test/
 * hw-analytical.test.ts) catches a quantity whose list misses one (the fast path would return a
 * stale value and disagree with the reference loop).
 *
 * Look-up: when the listed fields equal those of the previous call, the previous value is
 * returned at once (a sweep usually repeats its discrete knobs); otherwise one Map level per
 * field is walked with the field's own value as the key (no key string is built), so a hit
 * allocates nothing. A table holds at most `capacity` values and starts afresh when full, so
 * memory stays bounded however many distinct points a sweep evaluates.
 */
import type { HardwareConfig } from '../schema.ts';

export type HwFields = readonly (keyof HardwareConfig)[];

/** The union of several dependency lists (order kept, duplicates dropped). */
export function unionFields(...lists: HwFields[]): HwFields {
  return [...new Set(lists.flat())];
}

/** Entries a memo table keeps unless told otherwise: then it starts afresh (memory stays bounded). */
export const DEFAULT_MEMO_CAPACITY = 4096;

type Level = Map<unknown, unknown>;

export class HwMemo<T> {
  /** One Map level per listed field (the field's value is the key); the last level holds the values. */
  private root: Level | undefined;
  private size = 0;
  private readonly last: unknown[];
  private hasLast = false;
  private lastValue!: T;

  /**
   * @param fields the HardwareConfig fields the value depends on
   * @param capacity entries kept before the table is emptied (0 = unbounded; 1 = only the last value)
   */
  constructor(
    readonly fields: HwFields,
    private readonly capacity = DEFAULT_MEMO_CAPACITY,
  ) {
    this.last = new Array(fields.length);
  }

  /**
   * The value for hw's fields, made by `make` when new. `admit(v)`, asked after a new value is
   * made, may keep it out of the table (it is still the last value): for values a sweep will not
   * ask about again.
   */
  get(hw: HardwareConfig, make: () => T, admit?: (v: T) => boolean): T {
    const f = this.fields;
    const nf = f.length;
    if (this.hasLast) {
      let same = true;
      for (let i = 0; i < nf; i++) {
        if (hw[f[i]] !== this.last[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastValue;
    }
    let v: T | undefined;
    if (this.capacity !== 1 && this.root !== undefined) {
      let m: Level | undefined = this.root;
      for (let i = 0; i < nf - 1 && m !== undefined; i++) m = m.get(hw[f[i]]) as Level | undefined;
      if (m !== undefined) v = (nf > 0 ? m.get(hw[f[nf - 1]]) : m.get(undefined)) as T | undefined;
    }
    if (v === undefined) {
      v = make();
      if (this.capacity !== 1 && (admit === undefined || admit(v))) {
        if (this.root === undefined || (this.capacity > 0 && this.size >= this.capacity)) {
          this.root = new Map();
          this.size = 0;
        }
        let m: Level = this.root;
        for (let i = 0; i < nf - 1; i++) {
          const k = hw[f[i]];
          let n = m.get(k) as Level | undefined;
          if (n === undefined) m.set(k, (n = new Map()));
          m = n;
        }
        m.set(nf > 0 ? hw[f[nf - 1]] : undefined, v);
        this.size++;
      }
    }
    for (let i = 0; i < nf; i++) this.last[i] = hw[f[i]];
    this.hasLast = true;
    this.lastValue = v;
    return v;
  }
}
