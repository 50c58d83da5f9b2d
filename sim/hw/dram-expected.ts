/**
 * Expected DRAM cost of a gather — the analytical model's price of a stream (sim/hw/dram-cost.ts).
 *
 * The cycle simulator prices a gather of n of L token vectors of B bytes with an exact bank-level
 * profile (sim/cycle/dram-profile.ts `profileStream`): the kept tokens are laid out (one per
 * stratum [⌈iL/n⌉, ⌈(i+1)L/n⌉) at a hashed offset, sim/cycle/gather-layout.ts `keptIndex`), split into row
 * chunks per (sub-)channel, and each channel's chunks are served on `HbmChannel` — a fresh region,
 * then the same chunks in the regions that follow (`followingRegions`) — the mean extra time of
 * those being the stream's occupancy (one region of a chunk per channel puts the next on the other
 * pseudo-channel, where it runs beside the first and adds nothing alone). That costs O(chunks) per shape and jumps with the hashed placement. Here the same
 * quantities are computed as their expectation over the placement (the hash offsets), per channel:
 *
 * - Dense gathers (n ≥ L) have no placement: their occupancy is exact (sim/hw/dram-dense.ts).
 * - Sparse gathers: per chunk slot (R member transactions of one channel, C apart, i.e. tokens
 *   r = C/b apart for b bursts per token) the expected touch probability and the first two moments
 *   of its burst count follow from the stratified placement (`slotMoments`: with strata of s = L/n
 *   tokens, at most one kept token per stratum). Summed over a channel's slots: K chunks and B_c
 *   bursts per region. The steady-state time per chunk is the largest of the bus time per PC
 *   n̄·s/P, the request-window times n̄·(lat + (j − 1)·s + tBurst)/(Q + j − 1) and
 *   n̄·(lat + (n̄ − 1)·s + tBurst)/(Q + j − 1 + n̄) (in order, a chunk becomes visible when the burst
 *   Q earlier — the j-th of its chunk, `landingPosition` — and every earlier one, i.e. the end of the
 *   chunk before, have returned, then needs lat = tRP + tRCD + tCL to its first data; s the burst
 *   spacing), and the activation spacing max(tFAW/4, tRRD)/P. The
 *   region-to-region transient (latency hidden behind the first region, the second region's chunks
 *   on the same or the other pseudo-channel, tFAW and bank reuse across regions) is the same
 *   run of a representative pattern (sim/hw/dram-pattern.ts) standing for the region's last
 *   min(k, 16) chunks, a stretch of g = slots/k slots a chunk, its bursts mixed to the mean; the rest
 *   adds d per chunk. The chunk count k is averaged over its binomial distribution (mean K).
 * - The busiest channel (a stream ends when its slowest channel does): the first channel's lead
 *   over the mean (the layout's) and the placement's spread, taken from the channels' burst counts
 *   themselves where they are binomial-like (`busiestSpread`).
 *
 * Refresh is not included (the caller applies it as availability, as for the exact profiles).
 */
import { subChannelCount, subChannelTiming, type HbmTiming } from '../cycle/hbm-timing.ts';
import { burstSpacing, denseChannelOcc, latency, useDenseTiming } from './dram-dense.ts';
import { pcMixture, usePatternTiming } from './dram-pattern.ts';
import { timingEpoch, timingId } from './timing-id.ts';
import { expectedMaxBinomial, expectedMaxNormal, expectedMaxNormalSquare } from './busiest-channel.ts';

export interface ExpectedCost {
  /** Channel-mean occupancy per byte (cycles at the timing's clock). */
  cyclesPerByte: number;
  /** Row activations per byte. */
  activationsPerByte: number;
  /**
   * Spread of one stream's occupancy over the (sub-)channels from the kept tokens' placement
   * (within a channel class), per byte: the σ that puts the busiest channel at mean + lead + z_C·σ
   * (`busiestSpread`).
   */
  spreadPerByte: number;
  /** The first (sub-)channel's occupancy above the channel mean, per byte: the region starts there, so it is in the class that holds one transaction more. */
  leadPerByte: number;
}

/**
 * Expected occupancy and activations per byte of gathering n of L token vectors of B bytes on
 * `channels` channels (sub-channels with the PC-interleaved mapping), timing `t0`.
 */
export function expectedGatherCost(L: number, n: number, B: number, channels: number, t0: HbmTiming): ExpectedCost {
  return expectedGatherCostInto({ cyclesPerByte: 0, activationsPerByte: 0, spreadPerByte: 0, leadPerByte: 0 }, L, n, B, channels, t0);
}

/**
 * `expectedGatherCost` written into `o` (no allocation once the timing's tables are warm). A
 * region's T transactions fill the channels round-robin from the first: channels 0 … hiN − 1 hold
 * ⌈T/C⌉, the others ⌊T/C⌋ (one class of C channels when C divides T); the classes are summed in
 * that order. The classes' difference is the layout's, the same for every stream (the first
 * channel's lead over the mean); the spread is what the placement adds within a class.
 */
export function expectedGatherCostInto(o: ExpectedCost, L: number, n: number, B: number, channels: number, t0: HbmTiming): ExpectedCost {
  if (n <= 0 || B <= 0 || L <= 0) return costInto(o, 0, 0, 0, 0);
  const t = unitTiming(t0);
  const C = subChannelCount(t0, channels);
  const bb = t.burstBytes;
  const TL = Math.ceil((Math.max(L, n) * B) / bb); // transactions of the region
  const span = Math.max(1, Math.ceil(TL / (C * t.burstsPerRow))); // region size in chunks per channel
  // channels holding one transaction more (TL, C integers: an integer remainder, not fmod, when they fit 31 bits)
  const hiN = TL < 2 ** 31 && C < 2 ** 31 ? (TL | 0) % (C | 0) : TL % C;
  sums.occ = 0;
  sums.within = 0;
  cls.k = 0;
  cls.unmatched = false;
  sums.acts = 0;
  const perC = TL / C;
  addClass(hiN === 0 ? C : hiN, hiN === 0 ? perC : Math.ceil(perC), L, n, B, C, span, t);
  const first = sums.occ / (hiN === 0 ? C : hiN); // the first channel's class
  if (hiN !== 0) addClass(C - hiN, Math.floor(perC), L, n, B, C, span, t);
  const bytes = n >= L ? TL * bb : n * B;
  const mean = sums.occ / C;
  const lead = hiN === 0 ? 0 : Math.max(0, first - mean);
  return costInto(o, mean / bytes, sums.acts / bytes, busiestSpread(C, mean, lead) / bytes, lead / bytes);
}

/**
 * The spread that puts a gather's busiest (sub-)channel where it is expected: mean + lead + z_C·spread
 * = E[max over the C channels] (z_C = `expectedMaxNormal(C)`). A sparse channel's burst count is a
 * sum of independent slot draws (`slotMoments`): each of its transactions, or each kept token when
 * a token is wider than the channels' transactions (lumps of 1/r bursts, `matchClass`). Matched
 * to Binomial(N, p) draws (p = 1 − Var/mean, N = mean/p, in draws: exactly the draws with one
 * stratum per member), the maximum is taken over that distribution (busiest-channel.ts
 * `expectedMaxBinomial`); a channel's occupancy is its bursts times the class's occupancy per
 * burst (the classes' mean per burst, within a transaction of each other). Otherwise (dense
 * gathers: 0; one channel; a class whose variance is 0 or not below its mean) the normal's z_C·σ,
 * σ the placement's spread within the classes, and past BINOMIAL_SD standard deviations of draws,
 * where the lattice no longer shows, the normal's with its skew (Cornish–Fisher).
 */
function busiestSpread(C: number, mean: number, lead: number): number {
  const sd = Math.sqrt(sums.within / C);
  const k = cls.k;
  cls.k = 0;
  const z = expectedMaxNormal(C);
  if (sd === 0 || z === 0 || cls.unmatched || k === 0) return sd;
  const c2 = k > 1 ? cls.cnt[1] : 0;
  const per = (cls.cnt[0] * cls.per[0] + c2 * cls.per[1]) / (cls.cnt[0] + c2);
  const N0 = cls.N[0];
  const p0 = cls.p[0];
  const sd0 = Math.sqrt(N0 * p0 * (1 - p0));
  if (sd0 > BINOMIAL_SD) return sd * (1 + ((1 - 2 * p0) / sd0) * ((expectedMaxNormalSquare(C) - 1) / (6 * z)));
  const em = per * cls.lump * expectedMaxBinomial(cls.cnt[0], N0, p0, c2, cls.N[1], cls.p[1]);
  return Math.max(0, em - mean - lead) / z;
}

/**
 * A gather's busiest channel two ways, cycles, for validation (test/dram-expected.test.ts): the
 * channel mean, the first channel's lead, the placement's σ within the classes (the normal reading:
 * busiest at mean + lead + z_C·σ) and the busiest channel the model takes (mean + lead +
 * z_C·spread).
 */
export function busiestChannelReadings(L: number, n: number, B: number, channels: number, t0: HbmTiming): { mean: number; lead: number; sd: number; zC: number; busiest: number } {
  const C = subChannelCount(t0, channels);
  const c = expectedGatherCost(L, n, B, channels, t0);
  const bytes = n >= L ? Math.ceil((L * B) / t0.burstBytes) * t0.burstBytes : n * B;
  const zC = expectedMaxNormal(C);
  const mean = c.cyclesPerByte * bytes;
  const lead = c.leadPerByte * bytes;
  return { mean, lead, sd: Math.sqrt(sums.within / C), zC, busiest: mean + lead + zC * c.spreadPerByte * bytes };
}

/**
 * A class's draws per channel in standard deviations past which the maximum is taken from the
 * normal with its skew: the lattice and the cap at the channel's transactions no longer move it
 * (at 40 the two differ by less than 0.05 of a draw, test/dram-expected.test.ts), and the sum over
 * the distribution would take ~20σ steps per gather.
 */
const BINOMIAL_SD = 40;

/** The binomial match of the gather's channel classes (`addSparseClass`), in class order; `unmatched`: a class is not binomial-like (variance 0 or at least its mean), `lump`: bursts per draw. */
const cls = { k: 0, unmatched: false, lump: 1, cnt: new Float64Array(2), N: new Float64Array(2), p: new Float64Array(2), per: new Float64Array(2) };

/**
 * Records a sparse class of `cnt` channels with mean bursts Bc, variance vB and occupancy oc: its
 * count is `lump` × Binomial(N, p), matched to the mean and variance. A kept token wider than the
 * channels' transactions (r < 1, `slotMoments`) puts lump = 1/r bursts of one token on the channel,
 * so the draws are its tokens; otherwise every burst is a draw (lump 1).
 */
function matchClass(cnt: number, Bc: number, vB: number, oc: number, lump: number): void {
  if (Bc <= 0) return;
  const i = cls.k++;
  cls.lump = lump;
  const y = Bc / lump; // the draws' mean and variance
  const vy = vB / (lump * lump);
  if (vy <= 0 || vy >= y) {
    cls.unmatched = true;
    return;
  }
  const N = Math.max(Math.ceil(y), Math.round(y / (1 - vy / y))); // p = y/N ≤ 1
  cls.cnt[i] = cnt;
  cls.N[i] = N;
  cls.p[i] = y / N;
  cls.per[i] = oc / Bc;
}

/**
 * The (sub-)channel timing of a design timing (sim/cycle/hbm-timing.ts subChannels), made the current
 * timing of the memo tables (dram-dense.ts, dram-pattern.ts), kept for the last design timing object
 * asked about: a design's gathers all ask with one object, so the sub-channel timing and its id are
 * found once per design, not once a gather.
 */
let lastT0: HbmTiming | undefined;
let lastUnit: HbmTiming | undefined;
let lastEpoch = -1;
function unitTiming(t0: HbmTiming): HbmTiming {
  if (t0 === lastT0 && lastEpoch === timingEpoch()) return lastUnit!;
  const t = subChannelTiming(t0);
  const id = timingId(t);
  usePatternTiming(id);
  useDenseTiming(id);
  lastT0 = t0;
  lastUnit = t;
  lastEpoch = timingEpoch();
  return t;
}

/** Sums over a gather's channel classes: occupancy, its variance within the classes (the placement's) and activations. */
const sums = { occ: 0, within: 0, acts: 0 };

/** Adds `cnt` channels of Tc transactions each to `sums`: a dense gather (n ≥ L) or a sparse one. */
function addClass(cnt: number, Tc: number, L: number, n: number, B: number, C: number, span: number, t: HbmTiming): void {
  if (n >= L) addDenseClass(cnt, Tc, span, t);
  else addSparseClass(cnt, Tc, span, t, L / n, (C * t.burstBytes) / B, n / L);
}

/** Adds `cnt` dense channels of Tc consecutive bursts each: exact occupancy, one activation per row chunk. */
function addDenseClass(cnt: number, Tc: number, span: number, t: HbmTiming): void {
  const oc = denseChannelOcc(Tc, span, t);
  sums.occ += cnt * oc;
  sums.acts += cnt * Math.ceil(Tc / t.burstsPerRow);
}

/**
 * Adds `cnt` sparse channels of Tc transactions each (strata of s tokens, members r tokens apart,
 * ρ = n/L): their full chunk slots and the partial last one priced by `slotMoments` and `sparseOcc`.
 */
function addSparseClass(cnt: number, Tc: number, span: number, t: HbmTiming, s: number, r: number, rho: number): void {
  if (Tc <= 0) return;
  const R = t.burstsPerRow;
  const full = Math.floor(Tc / R);
  const rem = Tc - full * R;
  const f = slotMoments(s, r, R, rho);
  const g = slotMoments(s, r, rem, rho);
  const K = full * f.pt + g.pt;
  const Bc = full * f.m1 + g.m1;
  const n2 = full * f.m2 + g.m2;
  const oc = sparseOcc(K, Bc, n2, full + (rem > 0 ? 1 : 0), span, t);
  // spread over the channels: occupancy ∝ the channel's bursts, whose count is a sum over
  // slots that the stratified placement fills independently (variance Σ E[b²] − E[b]²)
  const vB = Math.max(0, full * (f.m2 - f.m1 * f.m1) + (g.m2 - g.m1 * g.m1));
  sums.occ += cnt * oc;
  sums.within += cnt * oc * oc * (Bc > 0 ? vB / (Bc * Bc) : 0);
  sums.acts += cnt * K;
  matchClass(cnt, Bc, vB, oc, r < 1 ? 1 / r : 1);
}

function costInto(o: ExpectedCost, cyclesPerByte: number, activationsPerByte: number, spreadPerByte: number, leadPerByte: number): ExpectedCost {
  o.cyclesPerByte = cyclesPerByte;
  o.activationsPerByte = activationsPerByte;
  o.spreadPerByte = spreadPerByte;
  o.leadPerByte = leadPerByte;
  return o;
}

/**
 * A chunk slot of M member transactions (tokens r apart; r < 1: one token spans 1/r of them):
 * probability that a kept token touches it, E[bursts] and E[bursts²] (unconditional), with strata of
 * s tokens holding one kept token each at a uniform offset, and ρ = n/L.
 */
export function slotMoments(s: number, r: number, M: number, rho: number): { pt: number; m1: number; m2: number } {
  if (M <= 0) return { pt: 0, m1: 0, m2: 0 };
  const m1 = M * rho;
  if (r >= 1) {
    // members in distinct tokens: s ≤ r, each in its own stratum (kept w.p. 1/s); s > r, strata of s/r
    // members, one kept token each, which is a member w.p. 1/r — N = Mr/s such strata
    const N = s <= r ? M : (M * r) / s;
    const p = Math.min(1, s <= r ? 1 / s : 1 / r);
    if (N < 1) return { pt: N * p, m1, m2: m1 }; // at most one kept member
    return { pt: 1 - Math.pow(1 - p, N), m1, m2: N * p * (1 - p) + m1 * m1 };
  }
  // consecutive tokens: the slot spans W = (M − 1)r + 1 tokens, μ = W/s strata; a window of μ strata at a
  // uniform offset holds no kept token w.p. 1 − μ + μ³/6 (μ ≤ 1) or (2 − μ)³/6 (1 ≤ μ ≤ 2)
  const W = (M - 1) * r + 1;
  const mu = W / s;
  const none = mu <= 1 ? 1 - mu + (mu * mu * mu) / 6 : mu < 2 ? Math.pow(2 - mu, 3) / 6 : 0;
  const fr = mu - Math.floor(mu);
  const varX = mu < 1 ? mu * (1 - mu) : fr * (1 - fr); // kept tokens in the window: ⌊μ⌋ or ⌈μ⌉
  const per = m1 / mu; // bursts per kept token in this slot
  return { pt: 1 - none, m1, m2: per * per * (varX + mu * mu) };
}

/** Standard normal upper tail Φ(−x) (Abramowitz–Stegun 7.1.26). */
function phiNeg(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * z);
  const erfc = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * Expected 1-based position j, in its chunk, of the burst Q before a chunk's first burst (chunk sizes
 * i.i.d., mean n̄, variance v, E[n²] = n2): with S_m the sizes of the m chunks stepped back over and M
 * the first m with S_m ≥ Q, j = S_M − Q + 1; by Wald E[S_M] = n̄·E[M], E[M] = 1 + Σ_m P(S_m ≤ Q − 1),
 * S_m taken normal (continuity correction ½). Once S_M's spread exceeds a chunk the landing is uniform
 * over a size-biased chunk: (E[n²]/n̄ + 1)/2.
 */
export function landingPosition(Q: number, nbar: number, v: number, n2: number): number {
  const steps = Q / nbar;
  const uniform = (n2 / nbar + 1) / 2;
  if (steps * v >= 4 * nbar * nbar || steps > 64) return uniform;
  let U = 0;
  for (let m = 1; m <= steps + 4; m++) {
    const sd = Math.sqrt(m * v);
    const z = Q - 0.5 - m * nbar;
    U += sd === 0 ? (z >= 0 ? 1 : 0) : 1 - phiNeg(z / sd);
  }
  return Math.max(1, Math.min(nbar * (1 + U) - Q + 1, n2 / nbar));
}

const SPARSE_PREFIX = 16;

/** Occupancy of a channel with K chunks (B_c bursts, Σ E[n²] = n2) in `slots` slots per region. */
function sparseOcc(K: number, Bc: number, n2: number, slots: number, span: number, t: HbmTiming): number {
  if (K <= 0) return 0;
  const P = t.pcs;
  const Q = t.queueDepth;
  const tB = t.tBurst;
  const nbar = Bc / K; // bursts per touched chunk
  const nsq = n2 / K; // E[n² | touched]
  const j = landingPosition(Q, nbar, Math.max(0, nsq - nbar * nbar), nsq);
  const sp = burstSpacing(nbar, t);
  // steady state per chunk: bus per PC, the in-order request window (the landing burst, Q + j − 1
  // bursts back, and the end of the chunk before it, n̄ further), activations
  const d = Math.max(
    (nbar * sp) / P,
    (nbar * (latency(t) + (j - 1) * sp + tB)) / (Q + j - 1),
    (nbar * (latency(t) + (nbar - 1) * sp + tB)) / (Q + j - 1 + nbar),
    Math.max(t.tFAW / 4, t.tRRDS) / P,
  );
  const pt = Math.min(1, K / Math.max(1, slots));
  const c = cur;
  c.nbar = nbar;
  c.d = d;
  c.slots = slots;
  c.span = span;
  c.t = t;
  c.pt = pt;
  return chunkCountMixture(K, slots, pt);
}

/** The channel being priced (module state instead of closures: no allocation per call). */
const cur = { nbar: 0, d: 0, slots: 0, span: 0, pt: 0, t: undefined as unknown as HbmTiming };

/** Occupancy of the current channel with exactly k chunks per region: the pattern run of the first
 * min(k, 16) (same parity), d per further chunk. */
function occOf(k: number): number {
  if (k <= 0) return 0;
  const { nbar, d, slots, span, t, pt } = cur;
  const kp = k <= SPARSE_PREFIX ? k : SPARSE_PREFIX - ((SPARSE_PREFIX - k) & 1);
  // the pattern's bursts: ⌊kp·n̄⌋ or one more, mixed to the mean (integer bursts per chunk)
  const x = kp * nbar;
  const b0 = Math.max(kp, Math.floor(x));
  const fb = Math.max(0, x - b0);
  const g = Math.max(1, slots / k);
  // the pattern stands for the region's last kp chunks: the next region starts (k − kp)·g slots sooner
  const off = span - Math.round((k - kp) * g);
  const run0 = pcMixture(kp, b0, g, off, t, pt);
  return (fb > 0 ? (1 - fb) * run0 + fb * pcMixture(kp, b0 + 1, g, off, t, pt) : run0) + (k - kp) * d;
}

/** occ at a real chunk count: linear between the neighbouring integers. */
function occLin(x: number): number {
  const k0 = Math.floor(x);
  const f = x - k0;
  return (1 - f) * occOf(k0) + (f > 0 ? f * occOf(k0 + 1) : 0);
}

/**
 * E[occ(k)] over the channel's chunk count k ~ Binomial(slots, pt) (mean K): the pmf over the integers
 * within 3 sd when they are few, else 3-point Gauss–Hermite on the linear interpolation of occ; a
 * narrow distribution (sd < ½) mixes ⌊K⌋ and ⌈K⌉.
 */
function chunkCountMixture(K: number, slots: number, pt: number): number {
  const sd = Math.sqrt(slots * pt * (1 - pt));
  if (sd < 0.5) return occLin(K);
  const lo = Math.max(0, Math.floor(K - 3 * sd));
  const hi = Math.min(slots, Math.ceil(K + 3 * sd));
  if (hi - lo > 8) {
    const h = Math.sqrt(3) * sd;
    return (2 / 3) * occLin(K) + (occLin(Math.max(0, K - h)) + occLin(Math.min(slots, K + h))) / 6;
  }
  let sw = 0;
  let so = 0;
  let w = slots <= 64 ? Math.pow(1 - pt, slots) : 0;
  for (let k = 0; k <= hi; k++) {
    const wk = slots <= 64 ? w : Math.exp(-((k - K) ** 2) / (2 * sd * sd));
    if (k >= lo && wk > 0) {
      sw += wk;
      so += wk * occOf(k);
    }
    if (slots <= 64) w *= ((slots - k) / (k + 1)) * (pt / (1 - pt));
  }
  return so / sw;
}
