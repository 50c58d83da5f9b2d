/**
 * Analytical performance/energy model of SpAtten (pure functions, no I/O).
 *
 * Two implementations of ONE model:
 *  - `analyticalModel(w, hw)`: the reference, a plain loop over every head request;
 *  - `prepareWorkload(w)` + `evaluatePrepared(p, hw, out)`: the fast path for design-space sweeps.
 *    Everything that does not depend on the hardware is summed once per workload; what depends on
 *    a discrete hardware knob (Σ⌈keys/S⌉ per multiplier count, Σ⌈keys/P⌉ per softmax width,
 *    expected top-k cycles per comparator count) is memoised on first use, keyed by the declared
 *    list of HardwareConfig fields it depends on (QK_DEPS … WINDOW_DEPS, sim/hw/memo.ts). An
 *    evaluation then costs a handful of Map look-ups and arithmetic, and allocates nothing.
 * Both reduce the workload to the same `Sums` and finish with the same `finalize`; the test
 * suite checks they agree to 1e-9.
 *
 * ── The model ──────────────────────────────────────────────────────────────────────────────
 * Per head request (q queries, k keys, D head dim, bit widths from the workload row):
 *  DRAM bytes   Q  q·D·queryBits/8;  K MSBs kF·D·keyBits/8;  K LSBs p·kF·D·lsbBits/8 (p = refetch
 *               probability);  V  vF·D·valueBits/8.  Generation (no reuse): kF = keys seen,
 *               vF = valuesFetched. Summarization (K/V reused from SRAM): see "spill" below.
 *  Bandwidth    B = min(dramChannels·dramChannelGBps/clockGHz·(1 − nRFC/nREFI), fetcherPorts·32)
 *               bytes/cycle (all-bank HBM refresh: 350 of every 3,900 ns).
 *  Q·K          S = ⌊qkMultipliers/D⌋ keys per cycle (if qkMultipliers < D a key takes
 *               ⌈D/qkMultipliers⌉ cycles): q·⌈k/S⌉ line cycles; causal (GPT-2 prompt): query j
 *               sees k−q+j+1 keys, summed exactly in closed form. ×(1+p): a refetch redoes Q·K.
 *  softmax      softmaxParallelism elements per cycle: q·⌈k/Psm⌉ (causal likewise) ×(1+p).
 *               Softmax 8 matches Q·K's 512/64 = 8 scores per cycle (Table I); with more
 *               multipliers and 8 lanes, compute-bound summarization becomes softmax-bound (the
 *               RTL derives its softmax units from M/D; here they are a separate knob).
 *  top-k        local-V (valuesPerQuery < keys): per query one top-k over k scores keeping
 *               valuesPerQuery (sim/hw/topk.ts: derived E[quick-select] + ⌈k/P⌉ filter pass);
 *               cascade token top-k on rows with topk ≥ 0 (over k scores, keep topk); head top-k
 *               once per (iteration, layer) whose next layer keeps fewer heads. Local-V has its
 *               own engine; token and head top-k share the other (paper §IV-B). With the official
 *               latency model, pruned GPT-2 is top-k-bound at P = 16 (quick-select scans ~3k
 *               elements per top-k of k scores, Q·K streams k/8 lines), whereas the paper's
 *               Fig. 19(a) saturates at 16: a known disagreement of the official model.
 *  prob·V       S' = ⌊pvMultipliers/D⌋ values per cycle: q·⌈valuesPerQuery/S'⌉.
 *  Causal rows for local-V top-k and prob·V use the mean row length (documented approximation).
 *
 * Pipeline. Stages are independent resources that overlap across requests, so (summarization)
 *     cycles = max( max_stage Σ_requests work,  Σ_requests chain / n_r ) + drain,
 * with n_r = heads in flight = min(inFlight, 16 buffer allocations, heads whose key (and, reused,
 * value) buffer lines fit, requests). Generation (head-granular) instead:
 *     cycles = max( pnorm_k(DRAM, max compute stage, window') + drain,  Σ window_r/n_r + tail,
 *                   Σ chain / min(inFlight, requests) ),
 * window_r = admission → final decision ((1+p)·fixed pass latency + max(key bytes/B_k, Q·K,
 * softmax)), B_k = B·(1 − V share·DRAM utilisation·(1 − 1/requests)) (the key side shares the
 * channels with other heads' V fetches), window' = Σ window_r/n_r less one head's K-side
 * latencies, tail = the last head's V-side latencies, k = tables/pipeline.json overlapExponent
 * (see sim/cycle/README.md, "Analytical vs cycle"). Details: `finalize`.
 *  - stage work: DRAM = bytes/B, Q·K, softmax, local-V top-k engine, token/head top-k engine,
 *    prob·V (the busy cycles reported in `stages`);
 *  - chain: a request's serial path fetch → Q·K → softmax → top-k → V fetch → prob·V, with its
 *    fixed register latencies (tables/pipeline.json). In generation K streaming overlaps the
 *    dot product (speculative buffer reads) and V streaming overlaps prob·V, so the chain takes
 *    max(K fetch, Q·K, softmax) and max(V fetch, prob·V); these maxima are taken over the workload's sums
 *    (exact when every request has the same bits-per-key/keys-per-cycle ratio, i.e. up to
 *    ceilings for generated workloads). A refetch (probability p) adds a second fetch/Q·K/softmax
 *    pass. In summarization the queries of one request pipeline behind each other: the chain is
 *    fetch + one query's pass + (q−1)·(slowest per-query step);
 *  - drain: one request's fixed latency (fill/drain of the pipeline), paid once.
 *
 * Spill (summarization). Half of each SRAM holds one head's working set (double buffering):
 * capK = ⌊keySramKB·1024·8/2 / (D·wordBits)⌋ keys, capV likewise. The first capK keys stay
 * resident; a query that needs keys beyond them streams them again from DRAM (the query register
 * holds one query, so the refetch granularity is one query). Non-causal: kF = min(k,capK) +
 * q·max(0, k−capK); causal: Σ_j max(0, seen_j − capK) for the streamed part. Values: capV resident,
 * each query streams its valuesPerQuery·(1 − capV/vF) non-resident ones (causal: per seen row).
 *
 * Outputs: gops = 2·(qkMacs + pvMacs) / latency (executed MACs, including a refetch's redone
 * Q·K; mul and add counted as two operations, as the paper's 2 TFLOPS peak for 1024 multipliers).
 * Energy: sim/hw/energy.ts from the activity counts; area: sim/hw/area.ts.
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import type { HeadRequest, Workload } from '../workload/types.ts';
import type { Activity, AreaBreakdown, EnergyBreakdown, HwResult, StageCycles } from './types.ts';
import { emptyActivity } from './types.ts';
import { designEngines, expectedEngineCycles, expectedTopkCompares, type TopkEngineSpec } from './topk.ts';
import { emptyEnergy, energyWithLeakageInto, leakageFromArea } from './energy.ts';
import { areaInto, emptyArea } from './area.ts';
import { dramTimingOf, refreshAvailability, requestDramCost, type RequestDramCost } from './dram-cost.ts';
import pipe from './tables/pipeline.json' with { type: 'json' };
import { HwMemo, unionFields, type HwFields } from './memo.ts';
import { deriveMetrics, pickMetrics } from '../metrics.ts';

const L_DRAM = pipe.dramLatency.value + pipe.fetchIssueLatency.value + pipe.convertLatency.value;
const L_BUF = pipe.bufferWriteLatency.value + pipe.bufferReadLatency.value;
const PORT_BYTES = pipe.fetcherPortBytesPerCycle.value;
const SRAM_HALVES = pipe.sramBuffering.value;
/** Fraction of time the HBM is not refreshing (all-bank refresh, all channels at once). */
const REFRESH_AVAIL = 1 - pipe.dramRefreshCycle.value / pipe.dramRefreshInterval.value;
const MAX_ALLOCS = pipe.keyBufferMaxAllocations.value;
const PAPER_KB = pipe.paperKBBytes.value;
const OVERLAP_K = pipe.overlapExponent.value;
const NO_TOPK = { busy: 0, latency: 0 } as const;

// ── small helpers ───────────────────────────────────────────────────────────────────────────

/** Cycles to stream n items through an array of M lanes when each item needs D lanes. */
export function lineCycles(n: number, M: number, D: number): number {
  if (n <= 0) return 0;
  if (M >= D) return Math.ceil(n / Math.floor(M / D));
  return n * Math.ceil(D / M);
}

/** Σ_{i=1..n} lineCycles(i, M, D), closed form. */
export function lineCyclesPrefix(n: number, M: number, D: number): number {
  if (n <= 0) return 0;
  if (M >= D) {
    const S = Math.floor(M / D);
    const a = Math.floor(n / S);
    const b = n - a * S;
    return (S * a * (a + 1)) / 2 + b * (a + 1);
  }
  return (Math.ceil(D / M) * n * (n + 1)) / 2;
}

/** Line cycles of q query rows over k keys; causal: query j sees k−q+j+1 keys. */
export function rowsCycles(q: number, k: number, causal: boolean, M: number, D: number): number {
  if (!causal) return q * lineCycles(k, M, D);
  const qq = Math.min(q, k);
  return lineCyclesPrefix(k, M, D) - lineCyclesPrefix(k - qq, M, D);
}

const tri = (n: number): number => (n > 0 ? (n * (n + 1)) / 2 : 0);

/** Keys seen summed over the q queries (q·k, or the causal trapezoid). */
export function keysSeen(q: number, k: number, causal: boolean): number {
  if (!causal) return q * k;
  const qq = Math.min(q, k);
  return qq * (k - qq) + tri(qq);
}

/** Fixed latency of a dot product / prob·V pass (adder-tree depth depends on M and D). */
function qkLatency(M: number, D: number): number {
  return pipe.dotProductBaseLatency.value + Math.ceil(Math.log2(Math.max(1, Math.min(M, D))));
}
function pvLatency(M: number, D: number): number {
  return pipe.pvBaseLatency.value + Math.ceil(Math.log2(Math.max(1, Math.floor(M / D))));
}
function smLatency(M: number, D: number): number {
  return pipe.softmaxLatency.value + pipe.requantDecisionLatency.value + Math.ceil(Math.log2(Math.max(1, Math.floor(M / D))));
}

/**
 * Bytes per cycle the memory system delivers: HBM channels derated by all-bank refresh
 * (1 − nRFC/nREFI), capped by the fetcher ports.
 */
export function dramBytesPerCycle(hw: HardwareConfig): number {
  const avail = hw.dramRefresh ? REFRESH_AVAIL : 1;
  return Math.min((hw.dramChannels * hw.dramChannelGBps * avail) / hw.clockGHz, hw.fetcherPorts * PORT_BYTES);
}

/** Lines of an M-lane buffer (M·wordBits bits) in an SRAM of `kb` paper-KB. */
export function bufferLines(kb: number, M: number, wordBits: number): number {
  return Math.floor((kb * PAPER_KB * 8) / (M * wordBits) + 1e-9);
}

/** Buffer lines one head of n vectors takes (allocated in pairs, like the RTL / sim/cycle). */
export function headLines(n: number, M: number, D: number): number {
  const l = M >= D ? Math.ceil(n / Math.floor(M / D)) : n * Math.ceil(D / M);
  return l + (l & 1);
}

/**
 * Heads that can be in flight at once: the in-flight limit, the key-buffer allocator (16 live
 * allocations), the heads whose key lines fit in the key buffer together (a head holds its lines
 * from admission to its final progressive-quantization decision; a head larger than the buffer
 * is split and has it to itself) and, when K/V are reused (summarization), whose value lines fit
 * too; never more than the requests of the workload.
 */
export function headsInFlight(hw: HardwareConfig, keys: number, values: number, D: number, reuse: boolean, requests: number): number {
  return headsFit(hw, bufferLines(hw.keySramKB, hw.qkMultipliers, hw.wordBits), bufferLines(hw.valueSramKB, hw.pvMultipliers, hw.wordBits), keys, values, D, reuse, requests);
}
/** `headsInFlight` with the buffer line counts given. */
function headsFit(hw: HardwareConfig, kLines: number, vLines: number, keys: number, values: number, D: number, reuse: boolean, requests: number): number {
  const kl = headLines(keys, hw.qkMultipliers, D);
  let n = Math.min(hw.inFlight, MAX_ALLOCS, requests, kl >= kLines ? 1 : Math.floor(kLines / kl));
  if (reuse && values > 0) {
    const vl = headLines(values, hw.pvMultipliers, D);
    n = Math.min(n, vl >= vLines ? 1 : Math.floor(vLines / vl));
  }
  return Math.max(1, n);
}

/**
 * Share of the DRAM the key side sees inside a head's window (generation). The fetcher shares
 * every channel round-robin between the key side and the value side; when the DRAM is busy the
 * key side gets what the value side leaves: 1 − f·u, f = V share of the DRAM time, u = DRAM
 * utilisation estimated as DRAM time / slowest stage, × (1 − 1/requests): the V traffic that
 * competes is another head's (a lone head fetches its V after its decision).
 */
function keySideShare(s: Sums, stDram: number): number {
  if (stDram <= 0 || s.requests <= 0) return 1;
  const busy = Math.max(stDram, s.stQk, s.stSm, s.stTkV, s.stPv);
  return 1 - (s.dramV / stDram) * (stDram / busy) * (1 - 1 / s.requests);
}

/** DRAM busy cycles: the stream occupancies (refresh-derated), or the fetcher ports if slower. */
function dramStage(s: Sums, hw: HardwareConfig): number {
  const bytes = s.bytesQ + s.bytesKMsb + s.bytesKLsb + s.bytesV;
  return Math.max(s.dramK + s.dramV, bytes / (hw.fetcherPorts * PORT_BYTES));
}

/** prob·V line cycles of one request (causal without local-V pruning: exact per-row sum). */
function pvCycles(q: number, k: number, vq: number, vRow: number, causal: boolean, M: number, D: number): number {
  if (!causal) return q * lineCycles(vq, M, D);
  if (vq >= k) return rowsCycles(q, k, true, M, D);
  return q * lineCycles(Math.round(vRow), M, D);
}

/** Keys (or values) of one head that fit in half of an SRAM (double buffering). */
export function sramCapacityVectors(sramKB: number, D: number, wordBits: number): number {
  // the paper's KB (196 KB = 2 × 1024 × 64 × 12 b): half of 196 KB holds exactly 1024 keys
  return Math.floor((sramKB * PAPER_KB * 8) / SRAM_HALVES / (D * wordBits) + 1e-9);
}

/** Keys fetched from DRAM by a reused (summarization) request, given the resident capacity. */
export function spilledKeys(q: number, k: number, causal: boolean, cap: number): number {
  if (k <= cap) return k;
  if (!causal) return cap + q * (k - cap);
  const qq = Math.min(q, k);
  return cap + tri(k - cap) - tri(Math.max(0, k - qq - cap));
}

/** Values fetched by a reused request (valuesPerQuery of valuesFetched needed per query). */
export function spilledValues(q: number, k: number, vF: number, vq: number, causal: boolean, cap: number): number {
  if (vF <= cap) return vF;
  if (!causal) return cap + q * vq * (1 - cap / vF);
  const qq = Math.min(q, k);
  return cap + (vq / k) * (tri(k - cap) - tri(Math.max(0, k - qq - cap)));
}

// ── the aggregate every path reduces to ─────────────────────────────────────────────────────

/** Workload totals for one hardware point (internal; both paths fill it). */
interface Sums {
  bytesQ: number;
  bytesKMsb: number;
  bytesKLsb: number;
  bytesV: number;
  stQk: number;
  stSm: number;
  stTkV: number;
  stTkT: number;
  stPv: number;
  /** DRAM cycles of the key side (Q, K MSBs, K LSBs) and of the value side (sim/hw/dram-cost.ts, refresh-derated). */
  dramK: number;
  dramV: number;
  /** DRAM row activations. */
  acts: number;
  /** Σ local-V top-k latency (both engine stages; the serial path). */
  tkVLat: number;
  /** Σ cascade token top-k latency on layer boundaries the next layer waits for (gateTokenTopk). */
  gate: number;
  /** Σ chain cycles of the full serial path (divided by min(inFlight, requests) in finalize). */
  chain: number;
  /** min(inFlight, requests). */
  chainHeads: number;
  /** Σ window / heads in flight (window: admission → final decision; reuse: the whole chain). */
  win: number;
  /** Generation (head-granular stages): overlap by a smooth max. */
  gen: boolean;
  /** Summarization with a head that spills and is alone in flight: head-granular too. */
  spill: boolean;
  /** Head requests in the workload. */
  requests: number;
  /** What follows the last window: V fetch latency + prob·V latency (generation). */
  tail: number;
  /** Largest per-request fixed latency (the drain). */
  drain: number;
  qkMacs: number;
  pvMacs: number;
  smElems: number;
  tkCompares: number;
  keyW: number;
  keyR: number;
  valW: number;
  valR: number;
}

function zeroSums(s: Sums): Sums {
  s.bytesQ = s.bytesKMsb = s.bytesKLsb = s.bytesV = 0;
  s.stQk = s.stSm = s.stTkV = s.stTkT = s.stPv = 0;
  s.tkVLat = s.gate = 0;
  s.dramK = s.dramV = s.acts = 0;
  s.chain = s.drain = s.win = 0;
  s.chainHeads = 1;
  s.gen = false;
  s.spill = false;
  s.requests = 0;
  s.tail = 0;
  s.qkMacs = s.pvMacs = s.smElems = s.tkCompares = 0;
  s.keyW = s.keyR = s.valW = s.valR = 0;
  return s;
}
const newSums = (): Sums => zeroSums({} as Sums);

/** Metrics of one evaluation (fast path); nested objects are reused across evaluations. */
export interface FastMetrics extends Omit<HwResult, 'model' | 'extra'> {
  /** Σ chain / inFlight: the latency bound of the serial per-request path. */
  chainBound: number;
  /** Achieved DRAM bandwidth in GB/s. */
  dramGBps: number;
  /** Leakage power per module, W (AreaBreakdown-shaped). */
  leakage: AreaBreakdown;
}

export function createFastMetrics(): FastMetrics {
  return {
    latency_s: 0,
    cycles: 0,
    dram_bytes: 0,
    energy_j: 0,
    power_w: 0,
    area_mm2: 0,
    gops: 0,
    edp_js: 0,
    activity: emptyActivity(),
    energy: emptyEnergy(),
    area: emptyArea(),
    stages: { dram: 0, qk: 0, softmax: 0, topk: 0, pv: 0, overhead: 0 },
    chainBound: 0,
    dramGBps: 0,
    leakage: emptyArea(),
  };
}

/** x^k by repeated multiplication for a small integer k (Math.pow otherwise). */
function ipow(x: number, k: number): number {
  if (k !== (k | 0) || k > 16) return Math.pow(x, k);
  let r = x;
  for (let i = 1; i < k; i++) r *= x;
  return r;
}

function finalize(s: Sums, hw: HardwareConfig, out: FastMetrics): FastMetrics {
  const bytes = s.bytesQ + s.bytesKMsb + s.bytesKLsb + s.bytesV;
  const stDram = dramStage(s, hw);
  const stTk = Math.max(s.stTkV, s.stTkT);
  const busy = Math.max(stDram, s.stQk, s.stSm, stTk, s.stPv);
  let core = busy;
  if ((s.gen || s.spill) && busy > 0) {
    // Generation is head-granular: a head's K fetch, Q·K/softmax, decision, V fetch and prob·V
    // run one after the other, the DRAM serves it twice (K, then V), and only the heads in
    // flight overlap. Three limits — DRAM, the slowest compute engine, the heads-in-flight
    // window — do not overlap perfectly when they are close: smooth max (p-norm, exponent
    // tables/pipeline.json overlapExponent). Separate compute engines with buffers between
    // them do overlap (one term: their max). A summarization head that spills and has the
    // buffers to itself is head-granular the same way (its K/V stream, then its queries' top-k
    // and prob·V, before the next head is admitted).
    const k = OVERLAP_K;
    // (the window less the K-side latencies of the last head, which the drain adds back)
    const win = Math.max(0, s.win - (s.drain - s.tail));
    const m = Math.max(busy, win);
    const sum = ipow(stDram / m, k) + ipow(Math.max(s.stQk, s.stSm, s.stTkV, s.stPv) / m, k) + ipow(win / m, k);
    core = Math.max(m * Math.pow(sum, 1 / k), s.stTkT);
  }
  const chainBound = Math.max(s.win, s.chain / s.chainHeads);
  // Throughput (+ one fill/drain), the heads-in-flight window (+ the V side of the last head), or
  // for short request streams the serial path of the heads in flight.
  // gateTokenTopk: every gated layer boundary drains the pipeline, runs the token top-k, refills.
  const cycles = Math.max(core + s.drain, s.win + (s.gen ? s.tail : s.drain), s.chain / s.chainHeads) + s.gate;
  const seconds = cycles / (hw.clockGHz * 1e9);

  const st = out.stages;
  st.dram = stDram;
  st.qk = s.stQk;
  st.softmax = s.stSm;
  st.topk = stTk;
  st.pv = s.stPv;
  st.overhead = cycles - busy;

  const a = out.activity;
  a.cycles = cycles;
  a.dramBytes = bytes;
  a.dramActivations = s.acts;
  a.keySramReadBits = s.keyR;
  a.keySramWriteBits = s.keyW;
  a.valueSramReadBits = s.valR;
  a.valueSramWriteBits = s.valW;
  a.qkMacs = s.qkMacs;
  a.pvMacs = s.pvMacs;
  a.softmaxElems = s.smElems;
  a.topkCompares = s.tkCompares;
  a.fetcherBytes = bytes;

  const areaTotal = areaInto(hw, out.area);
  const leakW = leakageFromArea(hw, out.area, out.leakage);
  const energy = energyWithLeakageInto(a, hw, leakW, out.energy);
  out.cycles = cycles;
  out.latency_s = seconds;
  out.dram_bytes = bytes;
  out.energy_j = energy;
  out.area_mm2 = areaTotal;
  deriveMetrics({ latency_s: seconds, energy_j: energy, ops: 2 * (s.qkMacs + s.pvMacs) }, out);
  out.chainBound = chainBound;
  out.dramGBps = seconds > 0 ? bytes / seconds / 1e9 : 0;
  return out;
}

// ── reference path: one loop over the requests ──────────────────────────────────────────────

/** Head top-k runs: per (iteration, layer), heads present and heads kept by the next layer. */
function headTopkRuns(w: Workload): Array<{ n: number; k: number }> {
  const count = new Map<string, number>();
  const order: Array<[number, number]> = [];
  const reqs = w.requests;
  // Requests come grouped by (iteration, layer); count each run, then merge runs by key.
  let i = 0;
  while (i < reqs.length) {
    const it = reqs[i].iteration;
    const l = reqs[i].layer;
    let j = i + 1;
    while (j < reqs.length && reqs[j].iteration === it && reqs[j].layer === l) j++;
    const key = `${it}:${l}`;
    const c = count.get(key);
    if (c === undefined) {
      count.set(key, j - i);
      order.push([it, l]);
    } else count.set(key, c + (j - i));
    i = j;
  }
  const runs: Array<{ n: number; k: number }> = [];
  for (const [it, l] of order) {
    const n = count.get(`${it}:${l}`)!;
    const next = count.get(`${it}:${l + 1}`);
    if (next !== undefined && next < n) runs.push({ n, k: next });
  }
  return runs;
}

/** True when two requests belong to the same class (identical cost-relevant fields). */
function sameClass(a: HeadRequest, b: HeadRequest): boolean {
  return (
    a.L === b.L && a.queries === b.queries && a.keys === b.keys && a.valuesFetched === b.valuesFetched && a.valuesPerQuery === b.valuesPerQuery &&
    a.keyBits === b.keyBits && a.lsbBits === b.lsbBits && a.refetch === b.refetch && a.valueBits === b.valueBits &&
    a.queryBits === b.queryBits && a.topk === b.topk && a.causal === b.causal && a.D === b.D
  );
}

/** Per-request quantities that do not depend on the SRAM size (shared by both paths). */
function requestCore(r: HeadRequest) {
  const seen = keysSeen(r.queries, r.keys, r.causal);
  const rowN = r.queries > 0 ? seen / r.queries : 0;
  const localV = r.valuesPerQuery < r.keys;
  // Causal rows: mean row length and proportional kept values (documented approximation).
  const vRow = r.causal ? (r.valuesPerQuery * rowN) / r.keys : r.valuesPerQuery;
  const tkN = Math.round(rowN);
  const tkK = Math.round(vRow);
  return { seen, rowN, localV, vRow, tkN, tkK };
}

/**
 * Reference analytical model: loops over every head request (no memoisation). Gives the same
 * numbers as `evaluatePrepared(prepareWorkload(w), hw)`.
 */
export function analyticalModel(w: Workload, hw: HardwareConfig): HwResult {
  const s = newSums();
  const tim = dramTimingOf(hw);
  const avail = refreshAvailability(tim);
  const nReq = w.requests.length;
  const kCyc: number[] = [];
  // Generation (no reuse) chain pieces, combined after the loop (see the file comment).
  let gFix = 0, gK = 0, gQk = 0, gSm = 0, gTk = 0, gV = 0, gPv = 0;
  for (const r of w.requests) {
    const D = r.D;
    const c = requestCore(r);
    const p = r.refetch;
    const w1 = 1 + p;
    let kF: number, vF: number;
    if (w.reuseKV) {
      kF = spilledKeys(r.queries, r.keys, r.causal, sramCapacityVectors(hw.keySramKB, D, hw.wordBits));
      vF = spilledValues(r.queries, r.keys, r.valuesFetched, r.valuesPerQuery, r.causal, sramCapacityVectors(hw.valueSramKB, D, hw.wordBits));
    } else {
      kF = c.seen;
      vF = r.valuesFetched * r.queries;
    }
    const bQ = (r.queries * D * r.queryBits) / 8;
    const bK = (kF * D * r.keyBits) / 8;
    const bL = (p * kF * D * r.lsbBits) / 8;
    const bV = (vF * D * r.valueBits) / 8;
    s.bytesQ += bQ;
    s.bytesKMsb += bK;
    s.bytesKLsb += bL;
    s.bytesV += bV;
    const dc = requestDramCost(r, hw.dramChannels, tim);
    const cK = (bQ * dc.q.cyclesPerByte + bK * dc.k.cyclesPerByte + bL * dc.lsb.cyclesPerByte) / avail;
    const cV = (bV * dc.v.cyclesPerByte) / avail;
    s.dramK += cK;
    s.dramV += cV;
    s.acts += bQ * dc.q.activationsPerByte + bK * dc.k.activationsPerByte + bL * dc.lsb.activationsPerByte + bV * dc.v.activationsPerByte;
    kCyc.push(cK);

    const qk = w1 * rowsCycles(r.queries, r.keys, r.causal, hw.qkMultipliers, D);
    const sm = w1 * rowsCycles(r.queries, r.keys, r.causal, softmaxLanes(hw), 1);
    const eng = designEngines(hw, D, softmaxLanes(hw));
    const tkVe = c.localV ? expectedEngineCycles(eng.localV, c.tkN, c.tkK) : NO_TOPK;
    const tkV = r.queries * tkVe.busy;
    const tkTe = r.topk >= 0 ? expectedEngineCycles(eng.tokenHead, r.keys, r.topk) : NO_TOPK;
    const tkT = tkTe.busy;
    s.tkVLat += r.queries * tkVe.latency;
    if (hw.gateTokenTopk && r.topk >= 0) s.gate += tkTe.latency + L_DRAM + qkLatency(hw.qkMultipliers, D) + L_BUF + smLatency(hw.qkMultipliers, D);
    const pv = pvCycles(r.queries, r.keys, r.valuesPerQuery, c.vRow, r.causal, hw.pvMultipliers, D);
    s.stQk += qk;
    s.stSm += sm;
    s.stTkV += tkV;
    s.stTkT += tkT;
    s.stPv += pv;

    s.qkMacs += w1 * c.seen * D;
    s.pvMacs += r.queries * c.vRow * D;
    s.smElems += w1 * c.seen;
    s.tkCompares += (c.localV ? r.queries * expectedTopkCompares(c.tkN, c.tkK) : 0) + (r.topk >= 0 ? expectedTopkCompares(r.keys, r.topk) : 0);
    s.keyW += kF * D * hw.wordBits + p * kF * D * r.lsbBits;
    s.keyR += w1 * c.seen * D * hw.wordBits;
    s.valW += vF * D * hw.wordBits;
    s.valR += r.queries * c.vRow * D * hw.wordBits;

    const lQk = qkLatency(hw.qkMultipliers, D) + L_BUF;
    const lSm = smLatency(hw.qkMultipliers, D);
    const lPv = pvLatency(hw.pvMultipliers, D) + L_BUF;
    const fix = w1 * (L_DRAM + lQk + lSm) + L_DRAM + lPv;
    s.drain = Math.max(s.drain, L_DRAM + lQk + lSm + L_DRAM + lPv);
    const n = headsInFlight(hw, r.keys, r.valuesFetched, D, w.reuseKV, nReq);
    if (w.reuseKV) {
      const q = Math.max(1, r.queries);
      const maxStep = Math.max(qk, sm, tkV, pv);
      const fK = kF > 0 ? Math.min(r.keys, kF) / kF : 1;
      const fV = vF > 0 ? Math.min(r.valuesFetched, vF) / vF : 1;
      const first = (bQ * dc.q.cyclesPerByte + (bK * dc.k.cyclesPerByte + bL * dc.lsb.cyclesPerByte) * fK + bV * dc.v.cyclesPerByte * fV) / avail;
      if (n === 1 && first < cK + cV - 1e-9) s.spill = true;
      // the resident K/V first, then the queries, which stream the spilled part as they go
      s.win += (fix + first + Math.max(cK + cV - first, (qk + sm + tkV + pv) / q + ((q - 1) / q) * maxStep)) / n;
    } else {
      gFix += fix;
      gK += cK;
      gQk += qk;
      gSm += sm;
      gTk += r.queries * tkVe.latency;
      gV += cV;
      gPv += pv;
    }
  }
  if (!w.reuseKV) {
    // Softmax streams behind Q·K (and Q·K behind the K fetch): one term per pass.
    s.chain = gFix + Math.max(gK, gQk, gSm) + gTk + Math.max(gV, gPv);
    s.chainHeads = Math.max(1, Math.min(hw.inFlight, nReq));
    s.requests = nReq;
    s.gen = true;
    const share = keySideShare(s, dramStage(s, hw));
    for (let ri = 0; ri < nReq; ri++) {
      const r = w.requests[ri];
      const w1 = 1 + r.refetch;
      const n = headsInFlight(hw, r.keys, r.valuesFetched, r.D, false, nReq);
      const qk = w1 * rowsCycles(r.queries, r.keys, r.causal, hw.qkMultipliers, r.D);
      const sm = w1 * rowsCycles(r.queries, r.keys, r.causal, softmaxLanes(hw), 1);
      const lFix = L_DRAM + qkLatency(hw.qkMultipliers, r.D) + L_BUF + smLatency(hw.qkMultipliers, r.D);
      s.win += (w1 * lFix + Math.max(kCyc[ri] / share, qk, sm)) / n;
    }
    s.tail = nReq > 0 ? L_DRAM + pvLatency(hw.pvMultipliers, w.requests[0].D) + L_BUF : 0;
  }
  for (const h of headTopkRuns(w)) {
    s.stTkT += expectedEngineCycles(designEngines(hw, w.requests[0]?.D ?? 64, softmaxLanes(hw)).tokenHead, h.n, h.k).busy;
    s.tkCompares += expectedTopkCompares(h.n, h.k);
  }
  const m = finalize(s, hw, createFastMetrics());
  return {
    ...pickMetrics(m),
    activity: m.activity,
    energy: m.energy,
    area: m.area,
    stages: m.stages,
    model: 'analytical',
    extra: {
      chain_bound_cycles: m.chainBound,
      dram_cycles_k: s.dramK,
      dram_cycles_v: s.dramV,
      dram_gbps: m.dramGBps,
      topk_localv_cycles: s.stTkV,
      topk_token_head_cycles: s.stTkT,
      dram_bytes_q: s.bytesQ,
      dram_bytes_k_msb: s.bytesKMsb,
      dram_bytes_k_lsb: s.bytesKLsb,
      dram_bytes_v: s.bytesV,
    },
  };
}

// ── fast path ───────────────────────────────────────────────────────────────────────────────

/**
 * Declared dependencies of the memoised quantities of the fast path: the HardwareConfig fields
 * each one reads (the memo keys are derived from these lists; see memo.ts).
 */
/** Σ Q·K line cycles: rowsCycles(·, qkMultipliers). */
export const QK_DEPS: HwFields = ['qkMultipliers'];
/** Σ softmax cycles: softmaxLanes(hw). */
export const SM_DEPS: HwFields = ['softmaxParallelism', 'qkMultipliers'];
/** Σ prob·V line cycles. */
export const PV_DEPS: HwFields = ['pvMultipliers'];
/** Top-k engines (sim/hw/topk.ts designEngines: P, model, filter width, input rate S = min(M/D, softmax lanes)) and the gate bubbles (pass latencies). */
export const TOPK_DEPS: HwFields = ['topkParallelism', 'topkModel', 'topkFilter', 'qkMultipliers', 'softmaxParallelism', 'gateTokenTopk'];
/** Stage sums + fixed latencies (qkLatency/smLatency read qkMultipliers, pvLatency pvMultipliers). */
export const COMBO_DEPS: HwFields = unionFields(QK_DEPS, SM_DEPS, PV_DEPS, TOPK_DEPS);
/** DRAM stream costs (sim/hw/dram-cost.ts: HBM2 timing of the design, channels). */
export const DRAM_DEPS: HwFields = ['dramChannels', 'dramChannelGBps', 'clockGHz', 'dramMapping', 'dramQueueDepth', 'dramRefresh'];
/** Generation window table: headsInFlight (buffer lines of both SRAMs, inFlight), Q·K and softmax cycles, key-side DRAM cycles. */
export const WINDOW_DEPS: HwFields = unionFields(COMBO_DEPS, DRAM_DEPS, ['keySramKB', 'valueSramKB', 'wordBits', 'inFlight']);

/** A class of identical head requests (multiplicity `mult`). */
interface ReqClass {
  mult: number;
  D: number;
  L: number;
  q: number;
  k: number;
  vF: number;
  vq: number;
  keyBits: number;
  lsbBits: number;
  p: number;
  valueBits: number;
  queryBits: number;
  topk: number;
  causal: boolean;
  seen: number;
  vRow: number;
  localV: boolean;
  tkN: number;
  tkK: number;
  /** Per-class local-V top-k busy and latency cycles (TOPK_DEPS). */
  tk: HwMemo<{ busy: number; latency: number }>;
}

export interface PreparedWorkload {
  name: string;
  reuseKV: boolean;
  D: number;
  requests: number;
  classes: ReqClass[];
  /** Hardware-independent sums (generation path: all of them; reuse path: the MAC/elem ones). */
  bytesQ: number;
  bytesKMsb: number;
  bytesKLsb: number;
  bytesV: number;
  qkMacs: number;
  pvMacs: number;
  smElems: number;
  tkCompares: number;
  /** Σ (1+p)·seen·D, Σ kF·D (generation), Σ p·kF·D·lsb, Σ vF·D, Σ q·vRow·D. */
  keyReadElems: number;
  keyWriteElems: number;
  keyWriteLsbBits: number;
  valWriteElems: number;
  valReadElems: number;
  /** Σ (1+p) and request count, for the fixed chain latencies. */
  sumW1: number;
  headRuns: Array<{ n: number; k: number; mult: number }>;
  memoQk: HwMemo<number>;
  memoSm: HwMemo<number>;
  memoPv: HwMemo<number>;
  memoTk: HwMemo<TopkSums>;
  /** Per-class DRAM costs and the generation totals (DRAM_DEPS). */
  memoDram: HwMemo<DramSums>;
  /** Stage sums and fixed latencies of the discrete compute knobs (COMBO_DEPS). */
  memoCombo: HwMemo<ComboEntry>;
  /** Scratch sums reused by every evaluation. */
  scratch: Sums;
}

/** DRAM costs of a workload's classes on one design (memoDram). */
interface DramSums {
  cost: RequestDramCost[];
  avail: number;
  /** Generation: key-side / value-side DRAM cycles of one instance of each class, and the totals. */
  kc: Float64Array;
  dramK: number;
  dramV: number;
  acts: number;
}

/** Top-k sums of a workload on one design (memoTopk). */
interface TopkSums {
  tkV: number;
  tkVLat: number;
  tkT: number;
  gate: number;
}

/** Stage sums and fixed latencies for one combination of the discrete compute knobs. */
interface ComboEntry {
  qk: number;
  sm: number;
  pv: number;
  tk: TopkSums;
  lQk: number;
  lSm: number;
  lPv: number;
  /** Generation window tables (WINDOW_DEPS): see `windowTable`. */
  win: HwMemo<WindowTable>;
}

/**
 * Σ_c mult·max(kc_c/share, x_c)/n_c as a function of the key side's DRAM share (kc_c = key-side
 * DRAM cycles, x_c = max(Q·K, softmax) of class c, n_c its heads in flight): classes sorted by the
 * crossover t_c = x_c/kc_c; for a given share the classes with t_c < 1/share are fetch-bound.
 * prefX[i] = Σ_{j<i} m x/n, prefF[i] = Σ_{j<i} m kc/n.
 */
interface WindowTable {
  thr: Float64Array;
  prefX: Float64Array;
  prefF: Float64Array;
  /** Σ mult·(1+p)/n (times the fixed pass latency). */
  fixW: number;
}

function windowTable(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums): WindowTable {
  const cs = p.classes;
  const C = cs.length;
  const Psm = softmaxLanes(hw);
  const t = new Float64Array(C);
  const xs = new Float64Array(C);
  const fs = new Float64Array(C);
  let fixW = 0;
  for (let i = 0; i < C; i++) {
    const c = cs[i];
    const w1 = 1 + c.p;
    const n = headsInFlight(hw, c.k, c.vF, c.D, false, p.requests);
    const x = w1 * Math.max(rowsCycles(c.q, c.k, c.causal, hw.qkMultipliers, c.D), rowsCycles(c.q, c.k, c.causal, Psm, 1));
    const kc = dram.kc[i];
    xs[i] = (c.mult * x) / n;
    fs[i] = (c.mult * kc) / n;
    t[i] = kc > 0 ? x / kc : Infinity;
    fixW += (c.mult * w1) / n;
  }
  const order = Array.from({ length: C }, (_, i) => i).sort((a, b) => t[a] - t[b]);
  const thr = new Float64Array(C);
  const prefX = new Float64Array(C + 1);
  const prefF = new Float64Array(C + 1);
  for (let j = 0; j < C; j++) {
    const i = order[j];
    thr[j] = t[i];
    prefX[j + 1] = prefX[j] + xs[i];
    prefF[j + 1] = prefF[j] + fs[i];
  }
  return { thr, prefX, prefF, fixW };
}

/** Aggregate a workload once; evaluate it on many hardware points with `evaluatePrepared`. */
export function prepareWorkload(w: Workload): PreparedWorkload {
  const byKey = new Map<string, ReqClass>();
  let D = -1;
  let prevReq: HeadRequest | null = null;
  let prevClass: ReqClass | null = null;
  for (const r of w.requests) {
    if (D < 0) D = r.D;
    else if (r.D !== D) throw new Error(`prepareWorkload: mixed head dimensions (${D}, ${r.D}); use analyticalModel`);
    // Heads of a layer are consecutive and mostly identical: skip the key for repeats.
    if (prevReq !== null && prevClass !== null && sameClass(prevReq, r)) {
      prevClass.mult++;
      continue;
    }
    prevReq = r;
    const key = `${r.L}|${r.queries}|${r.keys}|${r.valuesFetched}|${r.valuesPerQuery}|${r.keyBits}|${r.lsbBits}|${r.refetch}|${r.valueBits}|${r.queryBits}|${r.topk}|${r.causal ? 1 : 0}`;
    const c = byKey.get(key);
    if (c) {
      c.mult++;
      prevClass = c;
      continue;
    }
    const core = requestCore(r);
    byKey.set(key, {
      mult: 1,
      D: r.D,
      L: r.L,
      q: r.queries,
      k: r.keys,
      vF: r.valuesFetched,
      vq: r.valuesPerQuery,
      keyBits: r.keyBits,
      lsbBits: r.lsbBits,
      p: r.refetch,
      valueBits: r.valueBits,
      queryBits: r.queryBits,
      topk: r.topk,
      causal: r.causal,
      seen: core.seen,
      vRow: core.vRow,
      localV: core.localV,
      tkN: core.tkN,
      tkK: core.tkK,
      tk: new HwMemo<{ busy: number; latency: number }>(TOPK_DEPS, 1),
    });
    prevClass = byKey.get(key)!;
  }
  const classes = [...byKey.values()];
  const prep: PreparedWorkload = {
    name: w.name,
    reuseKV: w.reuseKV,
    D: D < 0 ? 64 : D,
    requests: w.requests.length,
    classes,
    bytesQ: 0,
    bytesKMsb: 0,
    bytesKLsb: 0,
    bytesV: 0,
    qkMacs: 0,
    pvMacs: 0,
    smElems: 0,
    tkCompares: 0,
    keyReadElems: 0,
    keyWriteElems: 0,
    keyWriteLsbBits: 0,
    valWriteElems: 0,
    valReadElems: 0,
    sumW1: 0,
    headRuns: [],
    memoQk: new HwMemo(QK_DEPS),
    memoSm: new HwMemo(SM_DEPS),
    memoPv: new HwMemo(PV_DEPS),
    memoTk: new HwMemo(TOPK_DEPS),
    memoDram: new HwMemo(DRAM_DEPS),
    memoCombo: new HwMemo(COMBO_DEPS),
    scratch: newSums(),
  };
  for (const c of classes) {
    const m = c.mult;
    const w1 = 1 + c.p;
    prep.sumW1 += m * w1;
    prep.qkMacs += m * w1 * c.seen * c.D;
    prep.pvMacs += m * c.q * c.vRow * c.D;
    prep.smElems += m * w1 * c.seen;
    prep.tkCompares += m * ((c.localV ? c.q * expectedTopkCompares(c.tkN, c.tkK) : 0) + (c.topk >= 0 ? expectedTopkCompares(c.k, c.topk) : 0));
    prep.keyReadElems += m * w1 * c.seen * c.D;
    prep.valReadElems += m * c.q * c.vRow * c.D;
    prep.bytesQ += (m * c.q * c.D * c.queryBits) / 8;
    if (!w.reuseKV) {
      const kF = c.seen;
      const vF = c.vF * c.q;
      prep.bytesKMsb += (m * kF * c.D * c.keyBits) / 8;
      prep.bytesKLsb += (m * c.p * kF * c.D * c.lsbBits) / 8;
      prep.bytesV += (m * vF * c.D * c.valueBits) / 8;
      prep.keyWriteElems += m * kF * c.D;
      prep.keyWriteLsbBits += m * c.p * kF * c.D * c.lsbBits;
      prep.valWriteElems += m * vF * c.D;
    }
  }
  const runs = new Map<string, { n: number; k: number; mult: number }>();
  for (const h of headTopkRuns(w)) {
    const key = `${h.n}|${h.k}`;
    const e = runs.get(key);
    if (e) e.mult++;
    else runs.set(key, { n: h.n, k: h.k, mult: 1 });
  }
  prep.headRuns = [...runs.values()];
  for (const h of prep.headRuns) prep.tkCompares += h.mult * expectedTopkCompares(h.n, h.k);
  return prep;
}

function memoQk(p: PreparedWorkload, hw: HardwareConfig): number {
  return p.memoQk.get(hw, () => {
    let v = 0;
    for (const c of p.classes) v += c.mult * (1 + c.p) * rowsCycles(c.q, c.k, c.causal, hw.qkMultipliers, c.D);
    return v;
  });
}
function memoSm(p: PreparedWorkload, hw: HardwareConfig): number {
  return p.memoSm.get(hw, () => {
    const P = softmaxLanes(hw);
    let v = 0;
    for (const c of p.classes) v += c.mult * (1 + c.p) * rowsCycles(c.q, c.k, c.causal, P, 1);
    return v;
  });
}
function pvRow(c: ReqClass, M: number): number {
  return pvCycles(c.q, c.k, c.vq, c.vRow, c.causal, M, c.D);
}
function memoPv(p: PreparedWorkload, hw: HardwareConfig): number {
  return p.memoPv.get(hw, () => {
    let v = 0;
    for (const c of p.classes) v += c.mult * pvRow(c, hw.pvMultipliers);
    return v;
  });
}
/** Class bytes in generation (no reuse): Q, K MSBs, K LSBs (× refetch probability), V. */
function genBytes(c: ReqClass): [number, number, number, number] {
  return [(c.q * c.D * c.queryBits) / 8, (c.seen * c.D * c.keyBits) / 8, (c.p * c.seen * c.D * c.lsbBits) / 8, (c.vF * c.q * c.D * c.valueBits) / 8];
}
function memoDram(p: PreparedWorkload, hw: HardwareConfig): DramSums {
  return p.memoDram.get(hw, () => {
    const tim = dramTimingOf(hw);
    const avail = refreshAvailability(tim);
    const C = p.classes.length;
    const d: DramSums = { cost: new Array(C), avail, kc: new Float64Array(C), dramK: 0, dramV: 0, acts: 0 };
    for (let i = 0; i < C; i++) {
      const c = p.classes[i];
      const dc = requestDramCost({ L: c.L, keys: c.k, queries: c.q, valuesFetched: c.vF, D: c.D, keyBits: c.keyBits, lsbBits: c.lsbBits, valueBits: c.valueBits, queryBits: c.queryBits }, hw.dramChannels, tim);
      d.cost[i] = dc;
      if (p.reuseKV) continue;
      const [bQ, bK, bL, bV] = genBytes(c);
      d.kc[i] = (bQ * dc.q.cyclesPerByte + bK * dc.k.cyclesPerByte + bL * dc.lsb.cyclesPerByte) / avail;
      d.dramK += c.mult * d.kc[i];
      d.dramV += (c.mult * bV * dc.v.cyclesPerByte) / avail;
      d.acts += c.mult * (bQ * dc.q.activationsPerByte + bK * dc.k.activationsPerByte + bL * dc.lsb.activationsPerByte + bV * dc.v.activationsPerByte);
    }
    return d;
  });
}

/** Local-V top-k of one class: engine busy and latency, × queries (its own memo, TOPK_DEPS). */
function classTkV(c: ReqClass, hw: HardwareConfig, spec: TopkEngineSpec): { busy: number; latency: number } {
  if (!c.localV) return NO_TOPK;
  return c.tk.get(hw, () => {
    const e = expectedEngineCycles(spec, c.tkN, c.tkK);
    return { busy: c.q * e.busy, latency: c.q * e.latency };
  });
}
/** Σ local-V engine busy and latency, the token/head engine's busy, and the gate bubbles. */
function memoTopk(p: PreparedWorkload, hw: HardwareConfig): TopkSums {
  return p.memoTk.get(hw, () => {
    const eng = designEngines(hw, p.D, softmaxLanes(hw));
    const fix = L_DRAM + qkLatency(hw.qkMultipliers, p.D) + L_BUF + smLatency(hw.qkMultipliers, p.D);
    const t: TopkSums = { tkV: 0, tkVLat: 0, tkT: 0, gate: 0 };
    for (const c of p.classes) {
      const v = classTkV(c, hw, eng.localV);
      t.tkV += c.mult * v.busy;
      t.tkVLat += c.mult * v.latency;
      if (c.topk >= 0) {
        const e = expectedEngineCycles(eng.tokenHead, c.k, c.topk);
        t.tkT += c.mult * e.busy;
        if (hw.gateTokenTopk) t.gate += c.mult * (e.latency + fix);
      }
    }
    for (const h of p.headRuns) t.tkT += h.mult * expectedEngineCycles(eng.tokenHead, h.n, h.k).busy;
    return t;
  });
}

/**
 * Fast evaluation of a prepared workload on one hardware point. Writes into `out` (allocated
 * once with `createFastMetrics()`) and allocates nothing on the generation path once the memo
 * tables hold the hardware's discrete values.
 */
export function evaluatePrepared(p: PreparedWorkload, hw: HardwareConfig, out: FastMetrics = createFastMetrics()): FastMetrics {
  const s = zeroSums(p.scratch);
  const D = p.D;
  const wb = hw.wordBits;
  const dram = memoDram(p, hw);
  const cmb = p.memoCombo.get(hw, () => ({
    qk: memoQk(p, hw),
    sm: memoSm(p, hw),
    pv: memoPv(p, hw),
    tk: memoTopk(p, hw),
    lQk: qkLatency(hw.qkMultipliers, D) + L_BUF,
    lSm: smLatency(hw.qkMultipliers, D),
    lPv: pvLatency(hw.pvMultipliers, D) + L_BUF,
    win: new HwMemo<WindowTable>(WINDOW_DEPS),
  }));
  s.stQk = cmb.qk;
  s.stSm = cmb.sm;
  s.stPv = cmb.pv;
  s.stTkV = cmb.tk.tkV;
  s.stTkT = cmb.tk.tkT;
  s.tkVLat = cmb.tk.tkVLat;
  s.gate = cmb.tk.gate;
  s.qkMacs = p.qkMacs;
  s.pvMacs = p.pvMacs;
  s.smElems = p.smElems;
  s.tkCompares = p.tkCompares;
  s.keyR = p.keyReadElems * wb;
  s.valR = p.valReadElems * wb;
  s.bytesQ = p.bytesQ;

  const lQk = cmb.lQk;
  const lSm = cmb.lSm;
  const lPv = cmb.lPv;
  const fixSum = p.sumW1 * (L_DRAM + lQk + lSm) + p.requests * (L_DRAM + lPv);
  s.drain = p.requests > 0 ? L_DRAM + lQk + lSm + L_DRAM + lPv : 0;

  if (!p.reuseKV) {
    s.bytesKMsb = p.bytesKMsb;
    s.bytesKLsb = p.bytesKLsb;
    s.bytesV = p.bytesV;
    s.keyW = p.keyWriteElems * wb + p.keyWriteLsbBits;
    s.valW = p.valWriteElems * wb;
    s.dramK = dram.dramK;
    s.dramV = dram.dramV;
    s.acts = dram.acts;
    const gK = dram.dramK;
    const gV = dram.dramV;
    s.chain = fixSum + Math.max(gK, s.stQk, s.stSm) + s.tkVLat + Math.max(gV, s.stPv);
    s.chainHeads = Math.max(1, Math.min(hw.inFlight, p.requests));
    s.requests = p.requests;
    s.gen = true;
    s.tail = p.requests > 0 ? L_DRAM + lPv : 0;
    // Window (admission → final decision) per class, over the heads that can be in flight:
    // Σ m·((1+p)·lFix + max(bKey/B, Q·K, softmax))/n, from the memoised crossover table.
    const tab = cmb.win.get(hw, () => windowTable(p, hw, dram));
    const thr = tab.thr;
    const inv = 1 / keySideShare(s, dramStage(s, hw));
    let lo = 0;
    let hi = thr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (thr[mid] < inv) lo = mid + 1;
      else hi = mid;
    }
    s.win = tab.fixW * (L_DRAM + lQk + lSm) + tab.prefF[lo] * inv + (tab.prefX[thr.length] - tab.prefX[lo]);
  } else {
    const capK = sramCapacityVectors(hw.keySramKB, D, wb);
    const capV = sramCapacityVectors(hw.valueSramKB, D, wb);
    let win = 0;
    const classes = p.classes;
    const kLines = bufferLines(hw.keySramKB, hw.qkMultipliers, wb);
    const vLines = bufferLines(hw.valueSramKB, hw.pvMultipliers, wb);
    for (let i = 0; i < classes.length; i++) {
      const c = classes[i];
      const m = c.mult;
      const kF = spilledKeys(c.q, c.k, c.causal, capK);
      const vF = spilledValues(c.q, c.k, c.vF, c.vq, c.causal, capV);
      const bQ = (c.q * c.D * c.queryBits) / 8;
      const bK = (kF * c.D * c.keyBits) / 8;
      const bL = (c.p * kF * c.D * c.lsbBits) / 8;
      const bV = (vF * c.D * c.valueBits) / 8;
      s.bytesKMsb += m * bK;
      s.bytesKLsb += m * bL;
      s.bytesV += m * bV;
      s.keyW += m * (kF * c.D * wb + c.p * kF * c.D * c.lsbBits);
      s.valW += m * vF * c.D * wb;
      const dc = dram.cost[i];
      const cK = (bQ * dc.q.cyclesPerByte + bK * dc.k.cyclesPerByte + bL * dc.lsb.cyclesPerByte) / dram.avail;
      const cV = (bV * dc.v.cyclesPerByte) / dram.avail;
      s.dramK += m * cK;
      s.dramV += m * cV;
      s.acts += m * (bQ * dc.q.activationsPerByte + bK * dc.k.activationsPerByte + bL * dc.lsb.activationsPerByte + bV * dc.v.activationsPerByte);
      const w1 = 1 + c.p;
      const qk = w1 * rowsCycles(c.q, c.k, c.causal, hw.qkMultipliers, c.D);
      const sm = w1 * rowsCycles(c.q, c.k, c.causal, softmaxLanes(hw), 1);
      const tkV = classTkV(c, hw, designEngines(hw, c.D, softmaxLanes(hw)).localV).busy;
      const pv = pvRow(c, hw.pvMultipliers);
      const q = Math.max(1, c.q);
      const maxStep = Math.max(qk, sm, tkV, pv);
      const fix = w1 * (L_DRAM + lQk + lSm) + L_DRAM + lPv;
      const n = headsFit(hw, kLines, vLines, c.k, c.vF, c.D, true, p.requests);
      const fK = kF > 0 ? Math.min(c.k, kF) / kF : 1;
      const fV = vF > 0 ? Math.min(c.vF, vF) / vF : 1;
      const first = (bQ * dc.q.cyclesPerByte + (bK * dc.k.cyclesPerByte + bL * dc.lsb.cyclesPerByte) * fK + bV * dc.v.cyclesPerByte * fV) / dram.avail;
      if (n === 1 && first < cK + cV - 1e-9) s.spill = true;
      win += (m * (fix + first + Math.max(cK + cV - first, (qk + sm + tkV + pv) / q + ((q - 1) / q) * maxStep))) / n;
    }
    s.win = win;
  }
  return finalize(s, hw, out);
}
