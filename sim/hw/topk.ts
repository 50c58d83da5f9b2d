/**
 * Expected cost of SpAtten's quick-select top-k engine (§IV-B, Alg. 3; official latency model
 * `TopKLatencyModel`, spec/spatten-official-hardware.md §1.9).
 *
 * Latency model (official): each quick-select round over the current set of n elements costs
 * ⌈n/P⌉ + 3 cycles (the 3 is tables/pipeline.json topkRoundOverhead) (P comparators per array, 3 cycles of pivot choice / after-run state); the
 * pivot is uniformly random; the round that picks the element of rank t stops. With n₀ = K
 * elements and target rank t₀ = V (0-based, as the official model calls it with
 * `target = value_fetch_num`):
 *
 *   T(K, V, P) = Σ_{rounds i} (⌈n_i/P⌉ + 3).
 *
 * Derivation of E[T] (ours). Write m = V + 1 (1-based rank). Element i is scanned in every round
 * whose pivot is drawn while i is still in the set; pivot j is ever drawn while i is present iff j
 * is the first pivot chosen among the ranks spanning {i, j, m}, probability 1/span. Summing:
 *   E[R]     = Σ_j 1/(|j − m| + 1)              = H_m + H_{K+1−m} − 1          (rounds)
 *   E[C]     = Σ_{i≠j} 1/span(i, j, m)
 *            = 2[(K+1)H_K − (K+3−m)H_{K+1−m} − (m+2)H_m + K + 3]               (comparisons,
 *              Knuth, TAOCP vol. 3, §5.2.2 ex. 32)
 *   E[Σ n_i] = E[C] + E[R]                                                      (elements scanned)
 * and ⌈n/P⌉ = n/P + slack with mean slack (P−1)/(2P) for n ≫ P, so
 *   E[T] ≈ (E[C] + E[R]) / P + (3 + (P−1)/(2P)) · E[R].
 * The only approximation is the ceiling slack; `quickSelectExactDP` solves the exact recurrence
 * (O(K·V)) and the closed form agrees with it within ~1.5% on the official Monte-Carlo table
 * (test/hw-analytical.test.ts). Harmonic numbers use the asymptotic series for n > 64, so the
 * closed form is O(1) and needs no tables.
 *
 * The engine's total occupancy per top-k also includes the filter pass (Fig. 9 left: the buffered
 * input is re-streamed through the ">"/"=" comparators against the k-th value), ⌈K/P⌉ cycles.
 */

import pipe from './tables/pipeline.json' with { type: 'json' };

/** Cycles per quick-select round on top of ⌈n/P⌉ (official latency model: 3). */
const ROUND = pipe.topkRoundOverhead.value;
const EULER_GAMMA = 0.5772156649015329;
const SMALL_H = (() => {
  const h = new Float64Array(65);
  for (let i = 1; i <= 64; i++) h[i] = h[i - 1] + 1 / i;
  return h;
})();

/** Harmonic number H_n (H_0 = 0); exact up to 64, asymptotic series beyond (error < 1e-12). */
export function harmonic(n: number): number {
  if (n <= 64) return SMALL_H[n < 0 ? 0 : Math.floor(n)];
  const inv = 1 / n;
  const inv2 = inv * inv;
  return Math.log(n) + EULER_GAMMA + 0.5 * inv - inv2 / 12 + (inv2 * inv2) / 120;
}

/** Expected rounds of quick-select for 0-based target rank t in a set of n distinct elements. */
export function quickSelectRounds(n: number, t: number): number {
  if (n <= 0 || t < 0 || t >= n) return 0;
  const m = t + 1;
  return harmonic(m) + harmonic(n + 1 - m) - 1;
}

/** Expected elements scanned (Σ n_i over rounds): comparisons plus one pivot per round. */
export function quickSelectScanned(n: number, t: number): number {
  if (n <= 0 || t < 0 || t >= n) return 0;
  const m = t + 1;
  const c = 2 * ((n + 1) * harmonic(n) - (n + 3 - m) * harmonic(n + 1 - m) - (m + 2) * harmonic(m) + n + 3);
  return c + quickSelectRounds(n, t);
}

/**
 * Expected quick-select cycles E[Σ (⌈n_i/P⌉ + 3)] (closed form, see the file comment).
 * n = elements (keys), t = 0-based target rank (values kept), P = comparators per array.
 * Returns 0 when no selection is needed (t ≥ n or n ≤ 0).
 */
export function expectedQuickSelectCycles(n: number, t: number, P: number): number {
  if (n <= 0 || t < 0 || t >= n) return 0;
  const R = quickSelectRounds(n, t);
  const S = quickSelectScanned(n, t);
  return S / P + (ROUND + (P - 1) / (2 * P)) * R;
}

/** Engine occupancy of one top-k: quick-select rounds plus the ⌈n/P⌉ filter pass. 0 if k ≥ n. */
export function expectedTopkCycles(n: number, k: number, P: number): number {
  if (n <= 0 || k < 0 || k >= n) return 0;
  return expectedQuickSelectCycles(n, k, P) + Math.ceil(n / P);
}

/** Comparator activity of one top-k: elements scanned by quick-select plus the filter pass (n). */
export function expectedTopkCompares(n: number, k: number): number {
  if (n <= 0 || k < 0 || k >= n) return 0;
  return quickSelectScanned(n, k) + n;
}

/**
 * Exact E[T(n, t, P)] by dynamic programming over (target rank s, distance d = size − s):
 *   f(n, t) = c(n) + (1/n)[Σ_{r<t} f(n−1−r, t−1−r) + Σ_{r>t} f(r, t)],  c(n) = ⌈n/P⌉ + 3,
 * where r is the pivot's rank. The first sum runs along the diagonal d = n − t, the second along
 * the row t, so both are running sums and the table costs O(t · (n − t)) time, O(n − t) memory.
 * Reference for tests; the model uses the closed form.
 */
export function quickSelectExactDP(n: number, t: number, P: number): number {
  if (n <= 0 || t < 0 || t >= n) return 0;
  const dMax = n - t;
  const diag = new Float64Array(dMax + 1); // Σ over earlier rows of f(s'+d, s')
  const row = new Float64Array(dMax + 1);
  for (let s = 0; s <= t; s++) {
    let rowAcc = 0;
    for (let d = 1; d <= dMax; d++) {
      const size = s + d;
      const f = Math.ceil(size / P) + ROUND + (diag[d] + rowAcc) / size;
      row[d] = f;
      rowAcc += f;
    }
    if (s === t) return row[dMax];
    for (let d = 1; d <= dMax; d++) diag[d] += row[d];
  }
  return row[dMax];
}
