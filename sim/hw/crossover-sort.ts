/**
 * The window order's sort (sim/hw/window.ts windowOrder): a stable order of the classes' crossover
 * thresholds, by radix on the keys' high bits with an insertion pass for ties, or a merge sort.
 */
/** Scratch of `sortedOrder`: the high words of the keys (a view on a double buffer), radix keys, digit counts. */
let radixF = new Float64Array(0);
let radixHi = new Uint32Array(0);
let radixK = new Uint32Array(0);
let radixK2 = new Uint32Array(0);
const radixCount = new Int32Array(2048);
const RADIX_BITS = 22;
const HI = new Uint32Array(new Float64Array([1]).buffer)[1] === 0x3ff00000 ? 1 : 0; // index of the high word of a double

/**
 * `stableOrder`'s permutation (indices sorted by t ascending, ties in index order), by a stable
 * two-pass radix sort on the top 22 bits of the keys' range (the high words of non-negative
 * doubles order like the numbers) and an insertion pass that orders the keys the radix sort did
 * not tell apart by (t, index). Falls back to `stableOrder` for keys that are not all ≥ +0 or
 * when that pass has too much to move (keys clustered below the radix resolution).
 */
export function sortedOrder(t: Float64Array, a: Int32Array, b: Int32Array): Int32Array {
  const n = t.length;
  if (n < 64) return smallOrder(t, a, b);
  if (radixF.length < n) {
    radixF = new Float64Array(n);
    radixHi = new Uint32Array(radixF.buffer);
    radixK = new Uint32Array(n);
    radixK2 = new Uint32Array(n);
  }
  if (!radixKeys(t, n, radixK, a)) return stableOrder(t, a, b);
  radixPass(radixK, radixK2, a, b, n, 0);
  radixPass(radixK2, radixK, b, a, n, 11);
  // a holds the order again (two passes): order the keys the radix sort left tied by (t, index)
  return orderTies(t, a, n) ? a : stableOrder(t, a, b);
}

/**
 * The radix keys of t into `keys` (the top RADIX_BITS bits of the high words above the smallest,
 * +∞ the largest key) and 0 … n−1 into `a`; false when a key is not ≥ +0 (NaN, negative, −0).
 */
function radixKeys(t: Float64Array, n: number, keys: Uint32Array, a: Int32Array): boolean {
  radixF.set(t);
  let lo = 0x7ff00000;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const x = t[i];
    if (!(x >= 0) || (x === 0 && 1 / x < 0)) return false;
    const h = radixHi[2 * i + HI];
    if (h < lo) lo = h;
    if (h > hi && x !== Infinity) hi = h;
  }
  const range = hi > lo ? hi - lo : 0;
  const shift = Math.max(0, 32 - Math.clz32(range) - RADIX_BITS);
  const top = (1 << RADIX_BITS) - 1;
  for (let i = 0; i < n; i++) {
    const h = radixHi[2 * i + HI];
    keys[i] = t[i] === Infinity ? top : Math.min(top, (h - lo) >>> shift);
    a[i] = i;
  }
  return true;
}

/** One stable counting-sort pass on the 11-bit digit at bit `sh`: (keys, src) → (keys2, dst). */
function radixPass(keys: Uint32Array, keys2: Uint32Array, src: Int32Array, dst: Int32Array, n: number, sh: number): void {
  radixCount.fill(0);
  for (let i = 0; i < n; i++) radixCount[(keys[i] >>> sh) & 2047]++;
  let sum = 0;
  for (let d = 0; d < 2048; d++) {
    const c = radixCount[d];
    radixCount[d] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const j = radixCount[(k >>> sh) & 2047]++;
    keys2[j] = k;
    dst[j] = src[i];
  }
}

/** Scratch of `smallOrder`: the keys in their sorted order so far. */
const smallKeys = new Float64Array(64);

/**
 * `stableOrder`'s permutation of fewer than 64 keys (a generation workload's classes without
 * pruning: one per step) by insertion, the keys moved with their indices (no indirect loads):
 * the keys of such a workload are equal but for their last bits, in no particular order (~140
 * moves for 32 keys on random designs; at most n²/2 < 2016). NaN keys go to the merge sort.
 */
function smallOrder(t: Float64Array, a: Int32Array, b: Int32Array): Int32Array {
  const n = t.length;
  const keys = smallKeys;
  for (let j = 0; j < n; j++) {
    const tx = t[j];
    if (tx !== tx) return stableOrder(t, a, b);
    let k = j - 1;
    // strictly greater: equal keys stay in index order
    while (k >= 0 && keys[k] > tx) {
      keys[k + 1] = keys[k];
      a[k + 1] = a[k];
      k--;
    }
    keys[k + 1] = tx;
    a[k + 1] = j;
  }
  return a;
}

/**
 * Insertion pass over the radix order `src`: entries ordered by (t, index); false as soon as it
 * has moved more than 8n entries (keys clustered below the radix resolution).
 */
function orderTies(t: Float64Array, src: Int32Array, n: number): boolean {
  let moves = 0;
  for (let j = 1; j < n; j++) {
    const x = src[j];
    const tx = t[x];
    let k = j - 1;
    while (k >= 0 && (t[src[k]] > tx || (t[src[k]] === tx && src[k] > x))) {
      src[k + 1] = src[k];
      k--;
    }
    src[k + 1] = x;
    moves += j - 1 - k;
    if (moves > 8 * n) return false;
  }
  return true;
}

/**
 * Indices 0 … n−1 sorted by t ascending, ties in index order (bottom-up merge sort: the order of a
 * stable sort), in one of the scratch arrays a, b (each at least t.length long).
 */
export function stableOrder(t: Float64Array, a: Int32Array = new Int32Array(t.length), b: Int32Array = new Int32Array(t.length)): Int32Array {
  const n = t.length;
  for (let i = 0; i < n; i++) a[i] = i;
  for (let w = 1; w < n; w *= 2) {
    for (let lo = 0; lo < n; lo += 2 * w) {
      const mid = Math.min(lo + w, n);
      const hi = Math.min(lo + 2 * w, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) b[k++] = t[a[j]] < t[a[i]] ? a[j++] : a[i++];
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    const s = a;
    a = b;
    b = s;
  }
  return a;
}
