/**
 * Where a stream's busiest DRAM channel sits: the expected maximum over the (sub-)channels of
 * their loads. A stream completes when its slowest channel is done (sim/cycle/fetcher.ts), so
 * the analytical model prices a stream's channel mean plus this excess (dram-expected.ts).
 *
 * Two readings of a channel's load. Near normal (many bursts a channel, or the sum of many heads'
 * streams): the busiest of C sits z_C standard deviations above the mean (`expectedMaxNormal`).
 * Few bursts a channel: a channel's burst count is a sum of independent slot draws
 * (dram-expected.ts `slotMoments`), a binomial that cannot exceed the transactions the channel
 * holds, and whose upper tail is lighter than the normal's when most slots are kept; there the
 * maximum is taken over that distribution itself (`expectedMaxBinomial`). Pure arithmetic, no I/O.
 */

/**
 * Expected maximum of C independent standard normals, E[max Z_i] (numerical integral of
 * x·C·φ(x)·Φ(x)^(C−1); memoised per C): the busiest of C channels sits this many standard
 * deviations above the channel mean when the channels' loads are independent and near normal.
 * The grid's x, φ(x) and Φ(x) (`normalGrid`) do not depend on C and are made once; the terms
 * where Φ^(C−1) underflows to 0 (the left tail, for large C) add ±0 and are skipped, and where
 * the trapezoid Φ has reached 1 (the right tail) the power is 1 without calling Math.pow.
 */
export function expectedMaxNormal(C: number): number {
  if (C <= 1) return 0;
  const small = C < MAX_NORMAL_SLOTS && (C | 0) === C;
  let v = small ? maxNormalSlots[C] : maxNormalMemo.get(C);
  if (v !== undefined && v === v) return v;
  const g = normalGrid();
  const h = NORMAL_STEP;
  let acc = 0;
  for (let i = firstNonzeroPower(g.cdf, C - 1); i < g.x.length; i++) {
    const cdf = g.cdf[i];
    acc += g.x[i] * C * g.pdf[i] * (cdf === 1 ? 1 : Math.pow(cdf, C - 1)) * h; // (1^y is 1 exactly)
  }
  if (small) maxNormalSlots[C] = acc;
  else maxNormalMemo.set(C, acc);
  return acc;
}

/**
 * E[(max Z_i)²] of C independent standard normals (the same integral with x², memoised per C): with
 * `expectedMaxNormal`, the skew correction of a near-normal maximum (dram-expected.ts
 * `busiestSpread`: X = μ + σ(Z + γ(Z² − 1)/6) to first order, so E[max X] = μ + σ(E[max Z] +
 * γ(E[(max Z)²] − 1)/6)).
 */
export function expectedMaxNormalSquare(C: number): number {
  if (C <= 1) return 1;
  let v = maxSquareMemo.get(C);
  if (v !== undefined) return v;
  const g = normalGrid();
  let acc = 0;
  for (let i = firstNonzeroPower(g.cdf, C - 1); i < g.x.length; i++) acc += g.x[i] * g.x[i] * C * g.pdf[i] * Math.pow(g.cdf[i], C - 1) * NORMAL_STEP;
  maxSquareMemo.set(C, (v = acc));
  return v;
}
const maxSquareMemo = new Map<number, number>();

/** Step of the integral's grid over x in [−10, 10]. */
const NORMAL_STEP = 0.01;
let grid: { x: Float64Array; pdf: Float64Array; cdf: Float64Array } | undefined;

/** The integral's grid: x from −10 by NORMAL_STEP to 10, φ(x), and min(1, Φ(x)) by the trapezoid rule along the grid. */
function normalGrid(): { x: Float64Array; pdf: Float64Array; cdf: Float64Array } {
  if (grid !== undefined) return grid;
  const h = NORMAL_STEP;
  const xs: number[] = [];
  const pdfs: number[] = [];
  const cdfs: number[] = [];
  let cdf = 0;
  let prevPdf = 0;
  for (let x = -10; x <= 10; x += h) {
    const pdf = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    cdf += ((pdf + prevPdf) * h) / 2;
    prevPdf = pdf;
    xs.push(x);
    pdfs.push(pdf);
    cdfs.push(Math.min(1, cdf));
  }
  return (grid = { x: Float64Array.from(xs), pdf: Float64Array.from(pdfs), cdf: Float64Array.from(cdfs) });
}

/** The first index whose cdf^e is not 0 (cdf non-decreasing, e ≥ 1: the powers are too; the length when none is). */
function firstNonzeroPower(cdf: Float64Array, e: number): number {
  let lo = 0;
  let hi = cdf.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.pow(cdf[mid], e) === 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
/** `expectedMaxNormal` of the integer C below MAX_NORMAL_SLOTS by index (NaN: not yet computed), of others by value. */
const MAX_NORMAL_SLOTS = 4096;
const maxNormalSlots = new Float64Array(MAX_NORMAL_SLOTS).fill(NaN);
const maxNormalMemo = new Map<number, number>();

/**
 * ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: relative error below 1e-13 over the counts used here;
 * the reflection formula is not needed, the arguments are ≥ 1).
 */
export function lnGamma(x: number): number {
  const xm = x - 1;
  let a = LANCZOS[0];
  const t = xm + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (xm + i);
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(a);
}
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** P(X = x) for X ~ Binomial(N, p), N and x integers, 0 ≤ x ≤ N, 0 < p ≤ 1. */
export function binomialPmf(N: number, x: number, p: number): number {
  if (p >= 1) return x === N ? 1 : 0;
  if (x === N) return intPow(p, N);
  return Math.exp(lnGamma(N + 1) - lnGamma(x + 1) - lnGamma(N - x + 1) + x * Math.log(p) + (N - x) * Math.log1p(-p));
}

/**
 * Standard deviations of a class's count above its mean (and a constant, for small means) from
 * which the upper tail is left out: P(X > μ + 12σ + 8) is below 1e-21 on a grid of N from 1 to
 * 10,000 and p from 1e-4 to 1 (test/dram-expected.test.ts; the worst is the Poisson limit, mean 1,
 * above 21), far below a channel's weight in the maximum.
 */
const TAIL_SD = 12;
const TAIL_ADD = 8;
/** P(max ≤ x) below which every lower x counts as P(max > x) = 1 (the sum is then exact to ~1e-15·x). */
const FLOOR = 1e-15;
/** Σ c·P(X > x) below which P(max > x) is taken from the series (`expectedMaxBinomial`). */
const SMALL = 1e-3;

/**
 * E[max] of the burst counts of c1 channels ~ Binomial(N1, p1) and c2 channels ~ Binomial(N2, p2)
 * (c2 = 0: one class), all independent: Σ over x ≥ 0 of P(max > x) = 1 − Π F_i(x)^c_i, summed
 * from the top of the distributions down (each class's pmf by its ratio, tail by accumulation)
 * until the maximum is certainly above x. c and N integers ≥ 0, 0 < p ≤ 1.
 */
export function expectedMaxBinomial(c1: number, N1: number, p1: number, c2: number, N2: number, p2: number): number {
  const two = c2 > 0;
  const top1 = topOf(N1, p1);
  const top2 = two ? topOf(N2, p2) : 0;
  const x0 = Math.max(top1, top2);
  let pmf1 = top1 > 0 ? binomialPmf(N1, top1, p1) : 1;
  let pmf2 = two && top2 > 0 ? binomialPmf(N2, top2, p2) : 1;
  let tail1 = 0;
  let tail2 = 0;
  const q1 = (1 - p1) / p1;
  const q2 = two ? (1 - p2) / p2 : 0;
  let acc = 0;
  for (let x = x0 - 1; x >= 0; x--) {
    // the classes' tails P(X > x) and their pmfs at x
    if (x < top1) {
      tail1 += pmf1;
      pmf1 *= ((x + 1) * q1) / (N1 - x);
    }
    if (two && x < top2) {
      tail2 += pmf2;
      pmf2 *= ((x + 1) * q2) / (N2 - x);
    }
    const s = c1 * tail1 + c2 * tail2;
    if (s < SMALL) {
      // 1 − Π(1 − t)^c = 1 − e^(−y), y = Σ c·(t + t²/2 + …); with s < 1e-3 the terms left out are
      // below 1e-9·s (t³) and 1e-13 (y⁴/24): no exp or log
      const y = s + (c1 * tail1 * tail1 + c2 * tail2 * tail2) / 2;
      acc += y * (1 - y * (0.5 - y / 6));
      continue;
    }
    const le = tail1 >= 1 || tail2 >= 1 ? 0 : intPow(1 - tail1, c1) * (two ? intPow(1 - tail2, c2) : 1);
    acc += 1 - le;
    if (le < FLOOR) return acc + x; // x − 1 … 0: the maximum is above each
  }
  return acc;
}

/** b^e for an integer e ≥ 0 by squaring (channel counts, and N for the pmf at N: a few multiplications, no exp or log). */
function intPow(b: number, e: number): number {
  let r = 1;
  let x = b;
  let k = e;
  while (k > 0) {
    if (k & 1) r *= x;
    x *= x;
    k >>= 1;
  }
  return r;
}

/** The highest count a class's sum starts from: N, or where its upper tail is negligible (`TAIL_SD`). */
function topOf(N: number, p: number): number {
  const mu = N * p;
  return Math.min(N, Math.ceil(mu + TAIL_SD * Math.sqrt(mu * (1 - p)) + TAIL_ADD));
}
