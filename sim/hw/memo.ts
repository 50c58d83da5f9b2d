/**
 * A memo table keyed by a declared list of hardware-config fields: the fields a memoised quantity
 * depends on. The key is derived from that list (never hand-packed), so adding a dependency is
 * adding a field name, and a test that perturbs every field of HardwareSchema (test/
 * hw-analytical.test.ts) catches a quantity whose list misses one (the fast path would return a
 * stale value and disagree with the reference loop).
 *
 * Look-up: when the listed fields equal those of the previous call, the previous value is
 * returned without building a key (a sweep usually repeats its discrete knobs), so a hit
 * allocates nothing; otherwise the key is the fields' values joined with '|'.
 */
import type { HardwareConfig } from '../schema.ts';

export type HwFields = readonly (keyof HardwareConfig)[];

/** The union of several dependency lists (order kept, duplicates dropped). */
export function unionFields(...lists: HwFields[]): HwFields {
  return [...new Set(lists.flat())];
}

export class HwMemo<T> {
  private readonly map = new Map<string, T>();
  private readonly last: unknown[];
  private hasLast = false;
  private lastValue!: T;

  /**
   * @param fields the HardwareConfig fields the value depends on
   * @param capacity entries kept (0 = unbounded; 1 = only the last value)
   */
  constructor(
    readonly fields: HwFields,
    private readonly capacity = 0,
  ) {
    this.last = new Array(fields.length);
  }

  get(hw: HardwareConfig, make: () => T): T {
    const f = this.fields;
    if (this.hasLast) {
      let same = true;
      for (let i = 0; i < f.length; i++) {
        if (hw[f[i]] !== this.last[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastValue;
    }
    let v: T | undefined;
    let key = '';
    if (this.capacity !== 1) {
      for (let i = 0; i < f.length; i++) key += `${String(hw[f[i]])}|`;
      v = this.map.get(key);
    }
    if (v === undefined) {
      v = make();
      if (this.capacity !== 1) {
        if (this.capacity > 0 && this.map.size >= this.capacity) this.map.clear();
        this.map.set(key, v);
      }
    }
    for (let i = 0; i < f.length; i++) this.last[i] = hw[f[i]];
    this.hasLast = true;
    this.lastValue = v;
    return v;
  }
}
