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
 * and ⌈n/P⌉ = n/P + slack, with mean slack (P−1)/(2P) over sets of many sizes, so
 *   E[T] ≈ (E[C] + E[R]) / P + (3 + (P−1)/(2P)) · E[R].
 * The mean slack is the only approximation, and it fails where the sizes do not spread over many
 * multiples of P: the first round's set is always the whole input (slack ⌈n/P⌉ − n/P, not the mean:
 * up to half a cycle a top-k), and the last rounds' sets are small. So the rounds over sets of at
 * most 2P elements, and the first, take their exact ceiling (`slackCorrection`, from the
 * probability that a round meets a set of each size), the others the mean. Against
 * `quickSelectExactDP`, which solves the exact recurrence (O(K·V)): the mean alone was up to 12%
 * low (n ≤ 700, P ≤ 64; −3.1% at n = 129, t = 102, P = 32, a pruned local-V top-k of the cycle
 * audit), the correction brings it within 0.5% (test/hw-analytical.test.ts). Harmonic numbers use
 * the asymptotic series for n > 64, so the closed form is O(1) and needs no tables.
 *
 * The rank: a top-k keeping k elements selects the k-th best, 0-based rank t = k − 1, as the
 * simulator's sampled engine does (`sampleTopkCost`); the official latency model is called with
 * t = V (`value_fetch_num`), one rank past it (spec §1.9), which the calibration table's
 * comparison below keeps: `expectedQuickSelectCycles(n, t, P)` takes the rank, the engine-level
 * functions (`expectedEngineCycles`, `expectedTopkCycles`, `expectedTopkCompares`) take k.
 *
 * The engine also runs the filter pass (Fig. 9 left: the buffered input is re-streamed through the
 * ">"/"=" comparators against the k-th value), ⌈K/F⌉ cycles (F = P or S): for the paper engine a
 * stage of its own, so its occupancy per top-k is max(quick-select, filter); for official-rtl the sum.
 */

import pipe from './tables/pipeline.json' with { type: 'json' };

/** Turn-around cycles per quick-select round on top of ⌈n/P⌉ (the released latency model's 3). */
export const ROUND = pipe.topkRoundOverhead.value;
const EULER_GAMMA = 0.5772156649015329;
const SMALL_H = (() => {
  const h = new Float64Array(65);
  for (let i = 1; i <= 64; i++) h[i] = h[i - 1] + 1 / i;
  return h;
})();

/** H_n of the integers 65 … 65535 (the series below), each computed on first use; NaN = not yet. */
const BIG_H = new Float64Array(65536).fill(NaN);

/** Harmonic number H_n (H_0 = 0); exact up to 64, asymptotic series beyond (error < 1e-12). */
export function harmonic(n: number): number {
  if (n <= 64) return SMALL_H[n < 0 ? 0 : Math.floor(n)];
  if (n < 65536 && (n | 0) === n) {
    const h = BIG_H[n];
    return h === h ? h : (BIG_H[n] = harmonicSeries(n));
  }
  return harmonicSeries(n);
}

/**
 * `harmonic` of an integer below 65536 from the tables, else `harmonic` (small enough to be
 * inlined: a double returned by a call that is not is a new heap number, ~30 KB a new algorithm point).
 */
function harmonicOf(n: number): number {
  if ((n | 0) === n && n >= 0 && n < 65536) {
    const h = n <= 64 ? SMALL_H[n] : BIG_H[n];
    if (h === h) return h;
  }
  return harmonic(n);
}

function harmonicSeries(n: number): number {
  const inv = 1 / n;
  const inv2 = inv * inv;
  return Math.log(n) + EULER_GAMMA + 0.5 * inv - inv2 / 12 + (inv2 * inv2) / 120;
}

/** Expected rounds of quick-select for 0-based target rank t in a set of n distinct elements. */
export function quickSelectRounds(n: number, t: number): number {
  if (n <= 0 || t < 0 || t >= n) return 0;
  quickSelectTermsInto(n, t);
  return qsTerms[ROUNDS];
}

/** Expected elements scanned (Σ n_i over rounds): comparisons plus one pivot per round. */
export function quickSelectScanned(n: number, t: number): number {
  if (n <= 0 || t < 0 || t >= n) return 0;
  quickSelectTermsInto(n, t);
  return qsTerms[SCANNED];
}

/**
 * Quick-select's expected elements scanned and rounds (`quickSelectScanned`, `quickSelectRounds`)
 * into `qsTerms`, from one look-up of each harmonic number; n > 0, 0 ≤ t < n. Both at once: the
 * fast path makes ~3,000 a point on a pruned gpt2-medium generation workload.
 */
function quickSelectTermsInto(n: number, t: number): void {
  const m = t + 1;
  const hm = harmonicOf(m);
  const hr = harmonicOf(n + 1 - m);
  const rounds = hm + hr - 1;
  const c = 2 * ((n + 1) * harmonicOf(n) - (n + 3 - m) * hr - (m + 2) * hm + n + 3);
  qsTerms[SCANNED] = c + rounds;
  qsTerms[ROUNDS] = rounds;
}
/**
 * The terms of the last `quickSelectTermsInto`: a typed array, not an object's fields (a double
 * stored in an object field is a new heap number each time: ~28 KB a new algorithm point).
 */
const qsTerms = new Float64Array(2);
const SCANNED = 0;
const ROUNDS = 1;

/**
 * Expected quick-select cycles E[Σ (⌈n_i/P⌉ + 3)] (closed form, see the file comment).
 * n = elements (keys), t = 0-based target rank, P = comparators per array.
 * Returns 0 when no selection is needed (t ≥ n or n ≤ 0).
 */
export function expectedQuickSelectCycles(n: number, t: number, P: number): number {
  if (n <= 0 || t < 0 || t >= n) return 0;
  quickSelectTermsInto(n, t);
  return quickSelectCycles(qsTerms[SCANNED], qsTerms[ROUNDS], P) + slackCorrection(n, t, P);
}

/** Quick-select cycles from the expected elements scanned S and rounds R, each round's ceiling slack at its mean. */
function quickSelectCycles(S: number, R: number, P: number): number {
  return S / P + (ROUND + (P - 1) / (2 * P)) * R;
}

/** Sets of up to this many multiples of P elements take their exact ceiling (`slackCorrection`). */
const EXACT_PERIODS = 2;

/**
 * The ceiling slack of the first round and of the rounds over sets of at most 2P elements, exact
 * less its mean (P−1)/(2P) (`quickSelectCycles` charges the mean). A round meets the set of ranks
 * [a, b] ∋ m = t + 1 with probability 1 when it is the whole input, 1/(len + 1) when it holds one
 * end of the input (the pivot just past its other end came first of those len + 1 ranks) and
 * 2/((len + 1)(len + 2)) otherwise (the pivots just past both ends came first of len + 2), for
 * len = b − a + 1. With lo = min(m, n + 1 − m) and hi = max(m, n + 1 − m), the sets of size len < n
 * are len inner ones below lo, lo − 1 inner and one at an end from lo, n − 1 − len inner and two
 * at the ends from hi: a round meets a set of size len with probability
 *   w(len) = (α + β·len) / ((len + 1)(len + 2)),  (α, β) = (0, 2), (2lo, 1), (2(n + 1), 0),
 * whose sums over len (`addSizes`) are differences of harmonic numbers. Of the sizes up to L,
 * Σ w·⌈len/P⌉ = 2W(L) − W(min(P, L)) at L ≤ 2P (⌈len/P⌉ is 1, then 2). Exact for whole n and t
 * (the workloads' key and value counts are); between them it interpolates.
 */
function slackCorrection(n: number, t: number, P: number): number {
  const first = Math.ceil(n / P) - n / P - (P - 1) / (2 * P);
  const L = Math.min(EXACT_PERIODS * P, n - 1);
  if (L < 1) return first;
  const m = t + 1;
  // every set of up to 2P ranks is an inner one when m is more than 2P from both ends: the same sum
  // for every (n, t) then (most top-ks of long inputs), kept for the last P
  if (L === EXACT_PERIODS * P && Math.min(m, n + 1 - m) > L) {
    if (P !== innerP) {
      innerP = P;
      innerSlack = smallSetSlack(n, m, P, L);
    }
    return first + innerSlack;
  }
  return first + smallSetSlack(n, m, P, L);
}
let innerP = NaN;
let innerSlack = 0;

/** The small sets' part of `slackCorrection`: Σ w(len)·(⌈len/P⌉ − len/P − (P − 1)/(2P)) over len = 1 … L (L ≤ 2P, L < n). */
function smallSetSlack(n: number, m: number, P: number, L: number): number {
  sums[0] = sums[1] = 0;
  const p = Math.min(P, L);
  addSizes(n, m, 1, p);
  const wP = sums[0];
  addSizes(n, m, p + 1, L);
  const wL = sums[0];
  return 2 * wL - wP - sums[1] / P - ((P - 1) / (2 * P)) * wL;
}

/** Adds Σ w(len) and Σ len·w(len) over len = a … b (b < n) to `sums`, range by range of w's three forms. */
function addSizes(n: number, m: number, a: number, b: number): void {
  const lo = Math.min(m, n + 1 - m);
  const hi = Math.max(m, n + 1 - m);
  addSizeRange(a, Math.min(lo - 1, b), 0, 2);
  addSizeRange(Math.max(a, lo), Math.min(hi - 1, b), 2 * lo, 1);
  addSizeRange(Math.max(a, hi), b, 2 * (n + 1), 0);
}
const sums = new Float64Array(2);

/**
 * Adds Σ (α + β·x)/((x + 1)(x + 2)) and Σ x·(α + β·x)/((x + 1)(x + 2)) over x = a … b to `sums`,
 * by partial fractions: (α − β)/(x + 1) + (2β − α)/(x + 2), and β + (β − α)/(x + 1) + (2α − 4β)/(x + 2).
 */
function addSizeRange(a: number, b: number, alpha: number, beta: number): void {
  if (b < a) return;
  const h1 = harmonicOf(b + 1) - harmonicOf(a);
  const h2 = harmonicOf(b + 2) - harmonicOf(a + 1);
  sums[0] += (alpha - beta) * h1 + (2 * beta - alpha) * h2;
  sums[1] += beta * (b - a + 1) + (beta - alpha) * h1 + (2 * alpha - 4 * beta) * h2;
}

/** The 0-based rank a top-k keeping k of its elements selects: the k-th best (k = 0 as k = 1, as `sampleTopkCost`). */
const rankOf = (k: number): number => Math.max(k, 1) - 1;

/** Engine occupancy of one top-k: quick-select rounds plus the ⌈n/P⌉ filter pass. 0 if k ≥ n. */
export function expectedTopkCycles(n: number, k: number, P: number): number {
  if (n <= 0 || k < 0 || k >= n) return 0;
  return expectedQuickSelectCycles(n, rankOf(k), P) + Math.ceil(n / P);
}

/** Comparator activity of one top-k: elements scanned by quick-select plus the filter pass (n). */
export function expectedTopkCompares(n: number, k: number): number {
  if (n <= 0 || k < 0 || k >= n) return 0;
  quickSelectTermsInto(n, rankOf(k));
  return qsTerms[SCANNED] + n;
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

// ── the top-k engine (both models) ─────────────────────────────────────────────────────────
//
// Two readings of the engine's cycle cost, selected by HardwareConfig.topkModel:
//
// 'paper' (default) — the engine of §IV-B / Alg. 3 / Fig. 9 as drawn:
//  1. Quick-select stage. The first round's candidate set is the input itself (Alg. 3 starts with
//     FIFO_L = inputs): its comparisons run as the scores arrive from softmax, against a pivot
//     that is the first score to arrive (uniformly random in rank: token order carries no rank
//     information). Later rounds re-stream FIFO_L or FIFO_R through the two P-comparator arrays.
//     Every round costs ⌈n_i/P⌉ + 3 of engine occupancy, the first included (3 = the official
//     model's comparator / zero-eliminator / decision turn-around, tables/pipeline.json); of the
//     first, min(⌈n/P⌉, ⌈n/S⌉) (S = scores per cycle out of Q·K/softmax) can overlap the arrival
//     when the engine is idle then: latency, not throughput (below).
//  2. Filter stage. "While quick-select runs, the input is buffered in another FIFO"; the buffered
//     scores are then compared against the k-th value (">" and "=" arrays, zero eliminator) —
//     a separate stage that filters request i while the quick-select stage works on request i+1.
//     Its width is unstated; `topkFilter: 'comparators'` reads it as P, 'qk' as S.
//  Throughput: the two stages are pipelined, so the engine's occupancy per top-k is the larger
//  of the two, not their sum. The first round hides in the arrival only while the engine has
//  nothing else to do: scores that arrive while it selects over an earlier request wait in the
//  input FIFO and take their full ⌈n/P⌉ + 3 when it turns to them. So the quick-select stage's
//  occupancy is every round in full (`select`), and `hidden` = min(⌈n/P⌉, ⌈n/S⌉) of it can
//  overlap the arrival when the engine is idle then: an engine that is the bottleneck is never
//  idle, so its throughput is the full work; the latency of one top-k on an idle engine is
//  select − hidden. (Reading the hidden part as free whatever the load — the model before —
//  let a busy engine run two requests' rounds at once, and made a design slower with more Q·K
//  multipliers: a faster producer hid less.) For a local-V top-k keeping a fraction α of n
//  scores, quick-select with random pivots scans E[Σn_i] ≈ 2n(1 + H(α)) elements (Knuth),
//  ≈ 2.9n on the released per8 workload (α = 0.2): ≈ 0.18n cycles of scanning at P = 16 (≈ 0.3n
//  on per8 with the turn-arounds), against the n/8 cycles Q·K needs to produce the n scores at 512 multipliers
//  (8 per cycle). §IV-B's "16 matches the rate of data arriving from Q×K" holds for ≈ 2n
//  comparisons per top-k, what quick-select needs with pivots near the k-th value.
//
// 'official-rtl' — the official RTL's simulated `TopKDummy` (spec §1.9): a precomputed
//  quick-select latency Σ(⌈n_i/P⌉ + 3) over all rounds from the start (the input is buffered
//  first), then the fragments are drained S per cycle: one stage, occupancy latency + ⌈n/S⌉
//  (`topkFilter` is ignored: the drain width is the RTL's). Kept for comparison: it is a
//  placeholder of the authors' simulation harness, not the engine.

export const TOPK_MODELS = ['paper', 'official-rtl'] as const;
export type TopkModel = (typeof TOPK_MODELS)[number];
export const TOPK_FILTERS = ['comparators', 'qk'] as const;
export type TopkFilter = (typeof TOPK_FILTERS)[number];

/** What the engine's timing depends on. */
export interface TopkEngineSpec {
  model: TopkModel;
  /** Comparators per array. */
  P: number;
  /** Filter-stage width (elements per cycle). */
  filterWidth: number;
  /** Scores arriving per cycle from Q·K / softmax (S). */
  inputRate: number;
}

/** Cost of one top-k on the engine: the quick-select stage, the filter stage, and the comparisons. */
export interface TopkCost {
  /** Quick-select stage occupancy: every round, the first in full (official-rtl: the whole latency). */
  select: number;
  /** Part of `select` that can overlap the input's arrival when the engine is idle then (paper: min(⌈n/P⌉, ⌈n/S⌉); else 0). */
  hidden?: number;
  /** Filter-stage occupancy (official-rtl: the S-wide drain, after the latency, same stage). */
  filter: number;
  /** Element comparisons (energy): Σ n_i over the rounds plus the filter pass n. */
  compares: number;
  /** Quick-select rounds, the first included (set by `sampleTopkCost` only). */
  rounds?: number;
}

/**
 * The engine of a design: comparators P, filter width and input rate S = ⌊M/D⌋ scores per cycle
 * (1/⌈D/M⌉ if M < D; softmax lanes if fewer).
 */
export function topkEngineSpec(
  hw: { topkParallelism: number; topkModel: TopkModel; topkFilter: TopkFilter; qkMultipliers: number },
  D: number,
  softmaxLanes: number,
): TopkEngineSpec {
  const M = hw.qkMultipliers;
  const s = M >= D ? Math.floor(M / D) : 1 / Math.ceil(D / M);
  const S = Math.min(s, softmaxLanes);
  const P = hw.topkParallelism;
  const filterWidth = hw.topkModel === 'official-rtl' || hw.topkFilter === 'qk' ? S : P;
  return { model: hw.topkModel, P, filterWidth, inputRate: S };
}

/** Engine occupancy of one top-k (paper: the stages pipeline, the slower one; official-rtl: both). */
export const engineOccupancy = (spec: TopkEngineSpec, select: number, filter: number): number =>
  spec.model === 'paper' ? Math.max(select, filter) : select + filter;

/** Cycles of the paper engine's first round that can overlap the arrival of its n scores (at S per cycle). */
export function arrivalOverlap(spec: TopkEngineSpec, n: number): number {
  return spec.model === 'paper' ? Math.min(Math.ceil(n / spec.P), Math.ceil(n / spec.inputRate)) : 0;
}

/**
 * One sampled top-k with uniformly random pivots (rank-level, O(rounds); `rng` in [0, 1)).
 * Same rounds as `quickSelectRandom`, priced by the engine reading. Written into `out` (a new
 * object unless the caller passes one to reuse).
 */
export function sampleTopkCost(spec: TopkEngineSpec, n0: number, k: number, rng: () => number, out: TopkCost = { select: 0, filter: 0, compares: 0, rounds: 0 }): TopkCost {
  if (n0 <= 0 || k < 0 || k >= n0) {
    out.select = out.hidden = out.filter = out.compares = out.rounds = 0;
    return out;
  }
  if ((n0 | 0) !== n0 || (k | 0) !== k) throw new Error(`sampleTopkCost: n=${n0}, k=${k} must be integers`);
  const P = spec.P;
  let n = n0;
  let t = Math.min(Math.max(k, 1), n) - 1;
  // The first round, then one round per pivot until the pivot is the target. The sizes stay ≥ 1
  // (the target is always inside), so the loop ends exactly when a pivot hits it. Integer sums:
  // the order of the additions is free.
  let cycles = Math.ceil(n / P) + ROUND;
  let compares = n;
  let rounds = 1;
  let pr = Math.floor(rng() * n); // elements better than the pivot
  // ⌈n/P⌉ of the later rounds: a shift when P is a power of two (the same integer), else a division.
  const shift = P > 0 && (P & (P - 1)) === 0 ? 31 - Math.clz32(P) : -1;
  while (t !== pr) {
    // t < pr: keep the pr better elements; else drop them and the pivot (t and the size shrink).
    // Branch-free (the comparison is a coin flip): m = −1 when t < pr, else 0 (all int32).
    const m = (t - pr) >> 31;
    const rest = n - pr - 1;
    n = rest ^ ((pr ^ rest) & m);
    t -= (pr + 1) & ~m;
    cycles += (shift >= 0 ? (n + P - 1) >> shift : Math.ceil(n / P)) + ROUND;
    compares += n;
    rounds++;
    pr = Math.floor(rng() * n);
  }
  out.select = cycles;
  out.hidden = arrivalOverlap(spec, n0);
  out.rounds = rounds;
  out.filter = Math.ceil(n0 / spec.filterWidth);
  out.compares = compares + n0;
  return out;
}

/**
 * The two engines of a design (§IV-B): local-V pruning has its own; cascade token and head pruning
 * share the other. The local-V engine's input arrives from softmax at S scores per cycle; the
 * token/head engine selects over importance scores already accumulated (module 1 / 12), so its
 * first round is a full round.
 */
export function designEngines(
  hw: { topkParallelism: number; topkModel: TopkModel; topkFilter: TopkFilter; qkMultipliers: number },
  D: number,
  softmaxLanes: number,
): { localV: TopkEngineSpec; tokenHead: TopkEngineSpec } {
  const localV = topkEngineSpec(hw, D, softmaxLanes);
  return { localV, tokenHead: { ...localV, inputRate: Infinity } };
}

/**
 * Expected engine time of one top-k: `busy` = its occupancy of the engine when top-ks follow each
 * other (the slower pipelined stage, every round in full: a busy engine hides nothing in the
 * arrival), `latency` = input arrival → last output on an idle engine (both stages).
 */
export function expectedEngineCycles(spec: TopkEngineSpec, n: number, k: number): { busy: number; latency: number } {
  return expectedEngineCyclesInto({ busy: 0, latency: 0 }, spec, n, k);
}

/**
 * `expectedEngineCycles` written into `o` (the fast path's top-k sums make ~1,500 a point on a
 * pruned gpt2-medium generation workload): the quick-select stage (every round; on the paper's
 * engine, idle, its first round's `arrivalOverlap` hidden in the arrival) and the filter stage.
 */
export function expectedEngineCyclesInto(o: { busy: number; latency: number }, spec: TopkEngineSpec, n: number, k: number): { busy: number; latency: number } {
  engineCyclesAt(engineOut, 0, spec, n, k);
  o.busy = engineOut[0];
  o.latency = engineOut[1];
  return o;
}
const engineOut = new Float64Array(2);

/** `expectedEngineCycles` as numbers: busy at out[j], latency at out[j + 1]. */
function engineCyclesAt(out: Float64Array, j: number, spec: TopkEngineSpec, n: number, k: number): void {
  if (n <= 0 || k < 0 || k >= n) {
    out[j] = 0;
    out[j + 1] = 0;
    return;
  }
  const t = rankOf(k);
  quickSelectTermsInto(n, t);
  const qs = quickSelectCycles(qsTerms[SCANNED], qsTerms[ROUNDS], spec.P) + slackCorrection(n, t, spec.P);
  const filter = Math.ceil(n / spec.filterWidth);
  out[j] = engineOccupancy(spec, qs, filter);
  out[j + 1] = qs - arrivalOverlap(spec, n) + filter;
}

/** Slots of `EngineCyclesCache` and of `expectedTopkComparesCached`'s table (direct-mapped by (n, k)). */
const PAIR_SLOTS = 1024;
/** (n, k) as one exact number when both are integers in [0, 2^21): else −1 (not cached). */
function pairKey(n: number, k: number): number {
  return n >= 0 && k >= 0 && n < 2097152 && k < 2097152 && (n | 0) === n && (k | 0) === k ? n * 2097152 + k : -1;
}
const pairSlot = (n: number, k: number): number => (Math.imul(n, 0x9e3779b1) ^ Math.imul(k, 0x85ebca6b)) >>> 22;

/**
 * `expectedEngineCycles` of one engine by (n, k), kept in a direct-mapped table until `reset`:
 * the fast path's top-k sums of a pruned generation workload ask the same pairs again (a layer
 * keeps the same keys over several generation steps, each step its own classes). `at` gives the
 * slot whose `busy` and `latency` hold the pair's cycles, read before the next `at`.
 */
export class EngineCyclesCache {
  /** busy at 2·slot, latency at 2·slot + 1 (the last slot: a pair not cached). */
  readonly cycles = new Float64Array(2 * (PAIR_SLOTS + 1));
  private readonly keys = new Float64Array(PAIR_SLOTS);
  /** The `reset` a slot was filled after (a new stamp empties every slot without writing them: a design's workload may have a few classes). */
  private readonly stamps = new Int32Array(PAIR_SLOTS);
  private stamp = 0;
  private spec: TopkEngineSpec | undefined;

  /** Starts afresh on an engine. */
  reset(spec: TopkEngineSpec): void {
    this.spec = spec;
    this.stamp = (this.stamp + 1) | 0 || 1; // (0: never filled)
  }

  /** Index in `cycles` of the busy cycles of (n, k) (latency: the next). */
  at(n: number, k: number): number {
    const key = pairKey(n, k);
    if (key < 0) {
      engineCyclesAt(this.cycles, 2 * PAIR_SLOTS, this.spec!, n, k);
      return 2 * PAIR_SLOTS;
    }
    const s = pairSlot(n, k);
    if (this.keys[s] !== key || this.stamps[s] !== this.stamp) {
      engineCyclesAt(this.cycles, 2 * s, this.spec!, n, k);
      this.keys[s] = key;
      this.stamps[s] = this.stamp;
    }
    return 2 * s;
  }
}

/** `expectedTopkCompares` through a direct-mapped table by (n, k) (it depends on nothing else). */
export function expectedTopkComparesCached(n: number, k: number): number {
  const key = pairKey(n, k);
  if (key < 0) return expectedTopkCompares(n, k);
  const s = pairSlot(n, k);
  if (comparesKey[s] === key) return comparesVal[s];
  comparesKey[s] = key;
  return (comparesVal[s] = expectedTopkCompares(n, k));
}
const comparesKey = new Float64Array(PAIR_SLOTS).fill(-1);
const comparesVal = new Float64Array(PAIR_SLOTS);
