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
 * - Dense gathers (n ≥ L) have no placement: every channel holds T_c = ⌈(T − c)/C⌉ consecutive
 *   bursts, i.e. chunks 0, 1, … of R = 16 bursts (the last partial), and only two distinct T_c
 *   exist. Their occupancy is exact: the steady state of `HbmChannel.serveRange`'s recurrence is the
 *   largest cycle mean d per chunk (`denseCycle`: bus R·s per PC, the in-order request window,
 *   activations tFAW/4, tRRD and per-bank tRAS + tRP), reached with period c
 *   (the cyclicity of the binding cycles), so occupancy(K chunks) = occupancy(K′) + (K − K′)·d for
 *   any K′ ≡ K (mod c) past the transient; occupancy(K′) is the same run of K′ ≤ 24 + c
 *   regular chunks.
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
 *   run of a representative pattern standing for the region's last min(k, 16) chunks (bursts as even
 *   as integers allow and mixed to the mean, one chunk per stretch of slots/k at golden-ratio offsets,
 *   the pseudo-channel split from its distribution); the rest adds d per chunk. The chunk count k is
 *   averaged over its binomial distribution (mean K).
 *
 * Refresh is not included (the caller applies it as availability, as for the exact profiles).
 */
import { longChunkSpacing } from '../cycle/dram.ts';
import { subChannelCount, subChannelTiming, type HbmTiming } from '../cycle/hbm-timing.ts';
import { followingRegions } from '../cycle/dram-profile.ts';
import { chunkArrays, profilingChannel } from './profile-channel.ts';
import { NumTable } from './num-table.ts';
import { timingEpoch, timingId, timingSightings } from './timing-id.ts';

export interface ExpectedCost {
  /** Channel-mean occupancy per byte (cycles at the timing's clock). */
  cyclesPerByte: number;
  /** Row activations per byte. */
  activationsPerByte: number;
  /** Spread of one stream's occupancy over the (sub-)channels: its standard deviation per byte. */
  sdPerByte: number;
}

/**
 * Expected occupancy and activations per byte of gathering n of L token vectors of B bytes on
 * `channels` channels (sub-channels with the PC-interleaved mapping), timing `t0`.
 */
export function expectedGatherCost(L: number, n: number, B: number, channels: number, t0: HbmTiming): ExpectedCost {
  return expectedGatherCostInto({ cyclesPerByte: 0, activationsPerByte: 0, sdPerByte: 0 }, L, n, B, channels, t0);
}

/**
 * `expectedGatherCost` written into `o` (no allocation once the timing's tables are warm). A
 * region's T transactions fill the channels round-robin: `hiN` channels hold ⌈T/C⌉, the others
 * ⌊T/C⌋ (one class of C channels when C divides T); the classes are summed in that order.
 */
export function expectedGatherCostInto(o: ExpectedCost, L: number, n: number, B: number, channels: number, t0: HbmTiming): ExpectedCost {
  if (n <= 0 || B <= 0 || L <= 0) return costInto(o, 0, 0, 0);
  const t = unitTiming(t0);
  const C = subChannelCount(t0, channels);
  const bb = t.burstBytes;
  const TL = Math.ceil((Math.max(L, n) * B) / bb); // transactions of the region
  const span = Math.max(1, Math.ceil(TL / (C * t.burstsPerRow))); // region size in chunks per channel
  // channels holding one transaction more (TL, C integers: an integer remainder, not fmod, when they fit 31 bits)
  const hiN = TL < 2 ** 31 && C < 2 ** 31 ? (TL | 0) % (C | 0) : TL % C;
  sums.occ = 0;
  sums.occ2 = 0;
  sums.acts = 0;
  const perC = TL / C;
  addClass(hiN === 0 ? C : hiN, hiN === 0 ? perC : Math.ceil(perC), L, n, B, C, span, t);
  if (hiN !== 0) addClass(C - hiN, Math.floor(perC), L, n, B, C, span, t);
  const bytes = n >= L ? TL * bb : n * B;
  const mean = sums.occ / C;
  const sd = Math.sqrt(Math.max(0, sums.occ2 / C - mean * mean));
  return costInto(o, mean / bytes, sums.acts / bytes, sd / bytes);
}

/**
 * The (sub-)channel timing of a design timing (sim/cycle/dram.ts subChannels) with its table id in
 * `cur.tid`, kept for the last design timing object asked about: a design's gathers all ask with
 * one object, so the sub-channel timing and its id are found once per design, not once a gather.
 */
let lastT0: HbmTiming | undefined;
let lastUnit: HbmTiming | undefined;
let lastEpoch = -1;
function unitTiming(t0: HbmTiming): HbmTiming {
  if (t0 === lastT0 && lastEpoch === timingEpoch()) return lastUnit!;
  const t = subChannelTiming(t0);
  cur.tid = tableTiming(t);
  if (cur.tid !== denseLocalTid || tablesEpoch !== denseLocalEpoch) clearDenseLocal();
  lastT0 = t0;
  lastUnit = t;
  lastEpoch = timingEpoch();
  return t;
}

/** Sums over a gather's channel classes: occupancy, occupancy² (for the spread) and activations. */
const sums = { occ: 0, occ2: 0, acts: 0 };

/** Adds `cnt` channels of Tc transactions each to `sums`: a dense gather (n ≥ L) or a sparse one. */
function addClass(cnt: number, Tc: number, L: number, n: number, B: number, C: number, span: number, t: HbmTiming): void {
  if (n >= L) addDenseClass(cnt, Tc, span, t);
  else addSparseClass(cnt, Tc, span, t, L / n, (C * t.burstBytes) / B, n / L);
}

/** Adds `cnt` dense channels of Tc consecutive bursts each: exact occupancy, one activation per row chunk. */
function addDenseClass(cnt: number, Tc: number, span: number, t: HbmTiming): void {
  const oc = denseChannelOcc(Tc, span, t, denseCycleOf(t));
  sums.occ += cnt * oc;
  sums.occ2 += cnt * oc * oc;
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
  sums.occ2 += cnt * oc * oc * (1 + (Bc > 0 ? vB / (Bc * Bc) : 0));
  sums.acts += cnt * K;
}

function costInto(o: ExpectedCost, cyclesPerByte: number, activationsPerByte: number, sdPerByte: number): ExpectedCost {
  o.cyclesPerByte = cyclesPerByte;
  o.activationsPerByte = activationsPerByte;
  o.sdPerByte = sdPerByte;
  return o;
}

/** `denseCycle` of the last timing object asked about (a design's gathers share one). */
let lastCycleT: HbmTiming | undefined;
let lastCycle = { d: 0, c: 1 };
function denseCycleOf(t: HbmTiming): { d: number; c: number } {
  if (t !== lastCycleT) {
    lastCycle = denseCycle(t);
    lastCycleT = t;
  }
  return lastCycle;
}

/** Latency from a chunk's visibility to its first data when its bank holds another row. */
const latency = (t: HbmTiming): number => t.tRP + t.tRCD + t.tCL;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/**
 * Steady state of a dense stream (full chunks, ids 0, 1, …): the cycle mean d per chunk of the
 * binding cycle of `HbmChannel.serveRange`'s recurrence and its cyclicity c (chunks). The burst Q
 * before a chunk's first is burst o (0-based) of the chunk w back; the in-order window waits for it
 * (lat + o·s + tBurst over w chunks) and for every earlier burst, i.e. the end of the chunk before
 * it (lat + (R − 1)·s + tBurst over w + 1). The window's check at the chunk's burst R − 1 never
 * binds a dense stream: it asks at most tBurst + tCL − s over w − 1 ≥ 1 chunks, below the first
 * burst's (lat + tBurst)/w with lat = tRP + tRCD + tCL (HBM2: 7 + 7 + 7 ns); the validation's dense
 * rows (scripts/dram-validate.ts) stay exact without it.
 */
export function denseCycle(t: HbmTiming): { d: number; c: number } {
  const R = t.burstsPerRow;
  const P = t.pcs;
  const Q = t.queueDepth;
  const w = Math.ceil(Q / R); // chunks back to the burst Q earlier
  const o = R * w - Q; // its 0-based position in that chunk
  const s = burstSpacing(R, t);
  const bus = (R * s) / P; // chunks alternate PCs (pc = id mod P)
  const win = (latency(t) + o * s + t.tBurst) / w;
  const pre = (latency(t) + (R - 1) * s + t.tBurst) / (w + 1);
  const act = Math.max(t.tFAW / 4, t.tRRDS, t.tRRDL / 4) / P; // consecutive ids: other bank group
  const bank = Math.max(t.tRC, t.tRAS + t.tRP) / (t.banks * P);
  const d = Math.max(bus, win, pre, act, bank);
  let c = 1;
  const tie = d * (1 - 1e-9); // cycles within rounding of the largest bind together
  if (bus >= tie) c = lcm(c, P);
  if (win >= tie) c = lcm(c, w);
  if (pre >= tie) c = lcm(c, w + 1);
  if (act >= tie) c = lcm(c, 4 * P);
  if (bank >= tie) c = lcm(c, t.banks * P);
  return { d, c };
}

/** Burst spacing of a chunk of n bursts (`HbmChannel.serveRange`): the bus, or in groups of Q when n > Q (sim/cycle/dram.ts longChunkSpacing). */
function burstSpacing(n: number, t: HbmTiming): number {
  const space = Math.max(t.tBurst, t.tCCDL);
  return n > t.queueDepth ? longChunkSpacing(n, t.queueDepth, space, t.tBurst + t.tCL) : space;
}

const DENSE_PREFIX = 24;

/**
 * The dense channel occupancies of the current timing (`cur.tid`) by (Tc, span), direct-mapped: a
 * design's gathers of nearby L ask for a few (Tc, span) dozens of times (gpt2-medium generation:
 * ~65 look-ups, ~5 distinct, a point), and a look-up here stays in cache where `denseTable`'s,
 * spread over 256 kB, misses. Emptied when the timing changes.
 */
const LOCAL_SLOTS = 64;
const localTc = new Float64Array(LOCAL_SLOTS).fill(-1);
const localSpan = new Float64Array(LOCAL_SLOTS);
const localOcc = new Float64Array(LOCAL_SLOTS);
let denseLocalTid = -1;
let denseLocalEpoch = -1;
function clearDenseLocal(): void {
  localTc.fill(-1);
  denseLocalTid = cur.tid;
  denseLocalEpoch = tablesEpoch;
}

/**
 * Occupancy of one dense channel of Tc bursts (memoised per timing, Tc and span: shapes of nearby L
 * share it). A timing only one design has asked about (`timingSightings` 1: every point of a sweep
 * over continuous DRAM knobs) keeps its runs in the direct-mapped table only: no other design
 * would find them in `denseTable`.
 */
function denseChannelOcc(Tc: number, span: number, t: HbmTiming, cyc: { d: number; c: number }): number {
  if (Tc <= 0) return 0;
  if (Tc >= 2 ** 26 || span >= 2 ** 26) return denseRun(Tc, span, t, cyc);
  const slot = (Tc * 31 + span) & (LOCAL_SLOTS - 1);
  if (localTc[slot] === Tc && localSpan[slot] === span) return localOcc[slot];
  const shared = timingSightings(cur.tid) > 1;
  const key = Tc * 2 ** 26 + span;
  let v = shared ? denseTable.get(cur.tid, key) : undefined;
  if (v === undefined) {
    v = denseRun(Tc, span, t, cyc);
    if (shared) denseTable.set(cur.tid, key, v);
  }
  localTc[slot] = Tc;
  localSpan[slot] = span;
  localOcc[slot] = v;
  return v;
}

/** Run of one dense channel of Tc bursts (chunks 0 … K−1), then the following regions `span`, 2·`span`, … chunks on: their mean extra time. */
function denseRun(Tc: number, span: number, t: HbmTiming, cyc: { d: number; c: number }): number {
  const R = t.burstsPerRow;
  const K = Math.ceil(Tc / R);
  const m = Tc - R * (K - 1);
  const Kp = K <= DENSE_PREFIX ? K : K - cyc.c * Math.floor((K - DENSE_PREFIX) / cyc.c);
  const { ids, ns } = chunkArrays(Kp);
  for (let k = 0; k < Kp; k++) {
    ids[k] = k;
    ns[k] = k === Kp - 1 ? m : R;
  }
  const ch = profilingChannel(t);
  const off = span - (K - Kp);
  const end1 = ch.serveIdsEnd(ids, ns, 0, Kp, 0, 0);
  // the mean of the following regions, as profileStream takes them (one may sit on the other PC;
  // a small region meets tFAW and the request window only over several)
  const f = followingRegions(K, Tc, t);
  return (ch.serveFollowingEnd(ids, ns, 0, Kp, off, f) - end1) / f + (K - Kp) * cyc.d;
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
const cur = { nbar: 0, d: 0, slots: 0, span: 0, pt: 0, t: undefined as unknown as HbmTiming, tid: 0 };

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
 * The pattern run over its pseudo-channel split: consecutive touched slots alternate PCs w.p. 1/(2 − pt),
 * so the PC-count difference D has variance k(1 − pt); 3-point quadrature over |D| (k's parity).
 */
function pcMixture(k: number, b: number, g: number, span: number, t: HbmTiming, pt: number): number {
  if (t.pcs === 1) return patternOcc(k, b, g, span, t, 0);
  const par = k & 1;
  let dHi = Math.round(Math.sqrt(3 * k * (1 - pt)));
  if ((dHi & 1) !== par) dHi += dHi < k ? 1 : -1;
  dHi = Math.min(k, Math.max(par, dHi));
  const even = patternOcc(k, b, g, span, t, par);
  return dHi === par ? even : (2 / 3) * even + (1 / 3) * patternOcc(k, b, g, span, t, dHi);
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

/** Golden-ratio offsets: a deterministic, evenly spread stand-in for the placement's random slot offsets. */
const PHI = 0.6180339887498949;

/**
 * Run of a representative pattern: k chunks, `bursts` in all (as even as integers allow),
 * one per stretch of g slots at a quasi-random offset (so banks do not alias), dPc more of them on PC 0
 * than on PC 1 (spread evenly), the next region `span` chunks on (its PCs keep the parity of span).
 */
function patternOcc(k: number, bursts: number, g: number, span: number, t: HbmTiming, dPc: number): number {
  // memoised on its inputs first (the pattern build below is the cost once the runs are memoised)
  const inKey = bursts < 1024 && Math.abs(span) < 2097152 ? ((k * 1024 + bursts) * 32 + dPc) * 4194304 + span + 2097152 : -1;
  const b = cur.tid * 2 ** 42 + inKey; // inKey < 2^42 (k ≤ 16, dPc ≤ k)
  if (inKey >= 0) {
    const v = patternInputs.get(g, b);
    if (v !== undefined) return v;
  }
  const occ = patternRun(k, bursts, g, span, t, dPc);
  if (inKey >= 0) patternInputs.set(g, b, occ);
  return occ;
}

function patternRun(k: number, bursts: number, g: number, span: number, t: HbmTiming, dPc: number): number {
  const { ids, ns } = chunkArrays(k);
  const total = Math.max(k, bursts);
  const on0 = (k + dPc) / 2;
  let prev = -1;
  for (let i = 0; i < k; i++) {
    let id = Math.max(prev + 1, Math.floor((i + ((i * PHI) % 1)) * g));
    if (t.pcs === 2) {
      const pc = Math.floor(((i + 1) * on0) / k) - Math.floor((i * on0) / k) === 1 ? 0 : 1;
      if ((id & 1) !== pc) id++;
    }
    ids[i] = prev = id;
    ns[i] = Math.floor(((i + 1) * total) / k) - Math.floor((i * total) / k);
  }
  let off = Math.max(span, prev + 1);
  if (t.pcs === 2 && (off & 1) !== (span & 1)) off++;
  // The run depends only on the sizes and each chunk's (PC, bank), i.e. ids mod banks·pcs (all chunks
  // are row misses on a fresh channel): memoised per timing on a 53-bit hash of those.
  const mod = t.banks * t.pcs;
  let h1 = 0x811c9dc5 ^ k;
  let h2 = Math.imul(0x9e3779b1, (off % mod) + 1);
  for (let i = 0; i < k; i++) {
    const v = (ids[i] % mod) * 4096 + ns[i];
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ (v + i), 0x85ebca6b) ^ (h2 >>> 13);
  }
  const key = (h1 >>> 0) * 2097152 + (h2 & 0x1fffff);
  const hit = patternRuns.get(cur.tid, key);
  if (hit !== undefined) return hit;
  const ch = profilingChannel(t);
  const end1 = ch.serveIdsEnd(ids, ns, 0, k, 0, 0);
  const m = followingRegions(k, total, t);
  const occ = Math.max(0, (ch.serveFollowingEnd(ids, ns, 0, k, off, m) - end1) / m);
  patternRuns.set(cur.tid, key, occ);
  return occ;
}

/**
 * Memo tables per timing (by value, `timingId`: designs with equal DRAM timings share them), bounded:
 * pattern runs by the chunks' (PC, bank, size) hash, pattern occupancies by their inputs (g, then k,
 * bursts, dPc, offset), dense channel occupancies by (Tc, span).
 */
const PATTERN_LIMIT = 40000;
const patternRuns = new NumTable(PATTERN_LIMIT);
const patternInputs = new NumTable(PATTERN_LIMIT);
const denseTable = new NumTable(4096);
let tablesEpoch = timingEpoch();

/** The id of the (sub-channel) timing `t` in the memo tables (emptied when the ids restart). */
function tableTiming(t: HbmTiming): number {
  const id = timingId(t);
  if (tablesEpoch !== timingEpoch()) {
    patternRuns.clear();
    patternInputs.clear();
    denseTable.clear();
    tablesEpoch = timingEpoch();
  }
  return id;
}
