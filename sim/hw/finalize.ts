/**
 * The aggregate both paths of the analytical model reduce a workload to (`Sums`), and `finalize`,
 * which turns it into cycles, stages, activity, energy and area (sim/hw/analytical.ts).
 */
import { type HardwareConfig } from '../schema.ts';
import type { Activity, AreaBreakdown, HwResult, StageCycles } from './types.ts';
import { emptyActivity } from './types.ts';
import { emptyEnergy, energyWithLeakageInto, leakageFromArea } from './energy.ts';
import { areaInto, emptyArea } from './area.ts';
import { deriveMetrics } from '../metrics.ts';
import { L_ADMIT, OVERLAP_K, dramStage } from './pipeline-math.ts';
import { staggerCycles } from './gate-slots.ts';

/** Workload totals for one hardware point (internal; both paths fill it). */
export interface Sums {
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
  /** Generation: DRAM cycles the busiest channel adds over the channel mean (sim/hw/dram-cost.ts imbalanceCycles). */
  dramImb: number;
  /** Σ local-V top-k latency (both engine stages; the serial path). */
  tkVLat: number;
  /** Σ cascade token top-k latency on layer boundaries the next layer waits for (gateTokenTopk). */
  gate: number;
  /** The gated heads, and Σ their token top-k latency (part of `gate`). */
  gateHeads: number;
  gateTk: number;
  /**
   * Generation: Σ over the gated heads of their latency from their last key to their decision (Q·K,
   * the buffer, softmax), and of the heads of their layer (request-core.ts gatedLayerHeads).
   */
  gateLag: number;
  gateLayerHeads: number;
  /**
   * Generation with gated boundaries, over the gated heads: the windows of their layers' last
   * batches no head fills (gate-slots.ts gateSlots, with each head's heads in flight), and the
   * paces by which the gated head decides after its batch's first, summed by heads in flight n
   * (index n: gateStaggers); the same over the serial path's heads (`chainHeads`).
   */
  gateSlots: number;
  gateStagger: Float64Array;
  /** Generation with gated boundaries: Σ over the gated heads of their refetch excess, in refetching heads (gate-slots.ts refetchExcess). */
  gateRefetch: number;
  chainSlots: number;
  chainStagger: number;
  /** Generation: Σ 1/heads in flight over the requests (the window's weights). */
  winHeads: number;
  /**
   * Generation: Σ over the heads, / heads in flight, of what pairing a head's key stream with the V
   * stream issued after it adds to its window (pipeline-math.ts pairedKeyStream: beyond max(key
   * stream, Q·K, softmax)) less what it adds to a head admitted when a gated boundary opens (its
   * key stream issued the mean gate bubble later, `gateLead`: the V stream has run alone meanwhile).
   */
  winPair: number;
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
  /** Summarization: the in-order bound (sim/hw/flow-shop.ts; 0 in generation). */
  inOrder: number;
  /**
   * Generation: Σ valueHold / value heads that fit, less one hold's fixed part (lat.val + L_BUF: the
   * drain counts it); 0 when it cannot bind (pipeline-math.ts valueWindowMayBind) and in summarization.
   */
  vWin: number;
  qkMacs: number;
  pvMacs: number;
  smElems: number;
  tkCompares: number;
  keyW: number;
  keyR: number;
  valW: number;
  valR: number;
}

export function zeroSums(s: Sums): Sums {
  s.bytesQ = s.bytesKMsb = s.bytesKLsb = s.bytesV = 0;
  s.stQk = s.stSm = s.stTkV = s.stTkT = s.stPv = 0;
  s.tkVLat = s.gate = s.gateHeads = s.gateTk = s.gateLag = s.gateLayerHeads = s.winHeads = s.winPair = 0;
  s.dramK = s.dramV = s.acts = s.dramImb = 0;
  s.chain = s.drain = s.win = s.inOrder = s.vWin = 0;
  s.gateSlots = s.gateRefetch = s.chainSlots = s.chainStagger = 0;
  s.gateStagger = NO_STAGGERS;
  s.chainHeads = 1;
  s.gen = false;
  s.spill = false;
  s.requests = 0;
  s.tail = 0;
  s.qkMacs = s.pvMacs = s.smElems = s.tkCompares = 0;
  s.keyW = s.keyR = s.valW = s.valR = 0;
  return s;
}
export const newSums = (): Sums => zeroSums({} as Sums);
/** `Sums.gateStagger` without gated heads (never written: a path with gated heads sets its own). */
const NO_STAGGERS = new Float64Array(0);

/** Metrics of one evaluation (fast path); nested objects are reused across evaluations. */
export interface FastMetrics extends Omit<HwResult, 'model' | 'extra'> {
  /** Σ chain / inFlight: the latency bound of the serial per-request path. */
  chainBound: number;
  /** Achieved DRAM bandwidth in GB/s. */
  dramGBps: number;
  /** Leakage power per module, W (AreaBreakdown-shaped). */
  leakage: AreaBreakdown;
  /** The bounds the cycles are the largest of (`totalCycles`). */
  limits: LatencyLimits;
}

/**
 * The latency bounds of one evaluation, in cycles: the latency is the largest (`totalCycles`), so
 * they say what a design is waiting for, and which resource a change must relieve to be faster.
 * 0: a bound the workload does not have (no in-order bound in summarization without refetches,
 * no value-buffer window when it cannot bind).
 */
export interface LatencyLimits {
  /** The pipeline's front (DRAM, Q·K/softmax and, head-granular, the heads-in-flight window overlapped by a smooth max), + the drain and the token top-k gate's bubbles. */
  front: number;
  /**
   * The front's terms before their overlap: the DRAM (its busiest channel, or the fetcher ports),
   * Q·K/softmax (a spilling summarization head's top-k and prob·V too: they are inside its window),
   * the heads-in-flight window (0 where the front is not head-granular).
   */
  frontDram: number;
  frontCompute: number;
  frontWindow: number;
  /** The heads-in-flight window (admission → final decision, Σ window / heads in flight) and what follows the last one. */
  window: number;
  /** The serial path of each head (fetch → Q·K → softmax → top-k → V → prob·V) over the heads in flight. */
  chain: number;
  /** Heads passing the stages in request order (a flow shop: sim/hw/flow-shop.ts, gen-flow.ts). */
  inOrder: number;
  /** The engines after a head's decision (local-V top-k, token/head top-k, prob·V), the busiest + the drain. */
  engines: number;
  /** The value buffer: the heads whose value lines fit at once hold them from allocation to prob·V's end. */
  valueBuffer: number;
}

const emptyLimits = (): LatencyLimits => ({ front: 0, frontDram: 0, frontCompute: 0, frontWindow: 0, window: 0, chain: 0, inOrder: 0, engines: 0, valueBuffer: 0 });

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
    gop_per_j: 0,
    gops_per_mm2: 0,
    activity: emptyActivity(),
    energy: emptyEnergy(),
    area: emptyArea(),
    stages: { dram: 0, qk: 0, softmax: 0, topk: 0, pv: 0, overhead: 0 },
    chainBound: 0,
    dramGBps: 0,
    leakage: emptyArea(),
    limits: emptyLimits(),
  };
}

/** x^k by repeated multiplication for a small integer k (Math.pow otherwise). */
function ipow(x: number, k: number): number {
  if (k !== (k | 0) || k > 16) return Math.pow(x, k);
  let r = x;
  for (let i = 1; i < k; i++) r *= x;
  return r;
}

/** The metrics of one design point from its workload totals, written into `out` (its nested objects reused). */
export function finalize(s: Sums, hw: HardwareConfig, out: FastMetrics): FastMetrics {
  const bytes = s.bytesQ + s.bytesKMsb + s.bytesKLsb + s.bytesV;
  const stDram = dramStage(s, hw);
  const stTk = Math.max(s.stTkV, s.stTkT);
  const busy = Math.max(stDram, s.stQk, s.stSm, stTk, s.stPv);
  const cycles = totalCycles(s, stDram, busy, out.limits);
  const seconds = cycles / (hw.clockGHz * 1e9);
  setStages(out.stages, s, stDram, stTk, cycles - busy);
  setActivity(out.activity, s, cycles, bytes);

  const areaTotal = areaInto(hw, out.area);
  const leakW = leakageFromArea(hw, out.area, out.leakage);
  const energy = energyWithLeakageInto(out.activity, hw, leakW, out.energy);
  out.cycles = cycles;
  out.latency_s = seconds;
  out.dram_bytes = bytes;
  out.energy_j = energy;
  out.area_mm2 = areaTotal;
  deriveMetrics({ latency_s: seconds, energy_j: energy, ops: 2 * (s.qkMacs + s.pvMacs), area_mm2: areaTotal }, out);
  out.chainBound = Math.max(s.win, s.chain / s.chainHeads);
  out.dramGBps = seconds > 0 ? bytes / seconds / 1e9 : 0;
  return out;
}

/** Total cycles: the overlapped stages (`busy` = the busiest one) plus the drain, or a larger bound; each bound written into `lim`. */
function totalCycles(s: Sums, stDram: number, busy: number, lim: LatencyLimits): number {
  // The engines after a head's final decision — local-V top-k, prob·V, token/head top-k — take
  // decided heads from queues (RTL stage 12's FIFO and the top-k input FIFO, spec §1.5; the
  // simulator's in-order servers, sim/cycle/pipeline.ts): each is a throughput bound of its own
  // beside the heads-in-flight window, and none is stalled by the token top-k gate.
  const back = Math.max(s.stTkV, s.stTkT, s.stPv);
  // Throughput (+ one fill/drain), the heads-in-flight window (+ the V side of the last head), or
  // for short request streams the serial path of the heads in flight.
  // The in-order bound (heads pass prob·V in request order): in summarization a refetching head
  // waits behind the heads in flight (sim/hw/flow-shop.ts); in generation the window's slot,
  // Q·K/softmax, the local-V engine and prob·V are a flow shop's stages (sim/hw/gen-flow.ts), a
  // bound where the bottleneck moves along the run, with the gate or without (its bubbles only
  // delay the front further). gateTokenTopk: a gated layer boundary holds
  // admission (sim/cycle/scheduler.ts) until the layer's last head is decided and its token top-k
  // done, so the bubbles delay the front of the pipeline (DRAM, Q·K, softmax, the window); the
  // engines after the decision drain what is queued for them meanwhile. In generation each front
  // term pays the bubbles as it sees them (`gatedGeneration`).
  const inOrder = s.inOrder > 0 ? s.inOrder + s.drain : 0;
  if (s.gen && busy > 0 && s.gate > 0) {
    gatedGeneration(s, stDram, lim);
    lim.inOrder = inOrder;
  } else {
    const headGranular = (s.gen || s.spill) && busy > 0;
    const core = headGranular ? headGranularFront(s, stDram, lim) : plainFront(s, stDram, lim);
    // (a summarization's gate bubbles delay all four: nothing is admitted meanwhile)
    lim.front = core + s.drain + s.gate;
    lim.window = s.win + (s.gen ? s.tail : s.drain) + s.gate;
    lim.chain = s.chain / s.chainHeads + s.gate;
    lim.inOrder = inOrder > 0 ? inOrder + s.gate : 0;
  }
  lim.engines = back + s.drain;
  // Generation: the value buffer's window — each head holds its value lines from allocation to its
  // prob·V's end (pipeline-math.ts valueHold; 0 when it cannot bind), on as many heads as fit, from
  // the first head's decision to the last one's prob·V latency (the drain less one hold's fixed part).
  lim.valueBuffer = s.vWin > 0 ? s.drain + s.vWin : 0;
  return Math.max(lim.front, lim.window, lim.chain, lim.inOrder, lim.engines, lim.valueBuffer);
}

/** The front when it is not head-granular: the busiest of the DRAM, Q·K and softmax (their terms into `lim`). */
function plainFront(s: Sums, stDram: number, lim: LatencyLimits): number {
  lim.frontDram = stDram;
  lim.frontCompute = Math.max(s.stQk, s.stSm);
  lim.frontWindow = 0;
  return Math.max(stDram, s.stQk, s.stSm);
}

/**
 * Generation with gated layer boundaries (hw.gateTokenTopk). A gated head holds admission from its
 * own admission to its token top-k's end (sim/cycle/scheduler.ts), so no later head overlaps its
 * window. Each bound pays that as it sees it:
 *  - the heads-in-flight window: per gated head, its token top-k latency and what its layer leaves
 *    of its windows to no other head. The heads admitted when a gate opens go in as a batch and
 *    the shared engines space their decisions a pace apart (`decisionPace`), so a gated layer of H
 *    heads, n in flight, ends ⌈H/n⌉ windows and (H − 1) mod n paces after the gate opened, where
 *    the heads would have taken H/n windows: (⌈H/n⌉ − H/n)·W + ((H − 1) mod n)·min(pace, W/n)
 *    (gate-slots.ts gateSlots, gateStaggers; W the workload's mean window, Σ window/n over
 *    Σ 1/n, n the gated head's heads in flight). Heads spaced W/n apart (a busy engine sets the
 *    pace) give W·(1 − 1/n), as the term read before for every run; heads whose window is mostly
 *    fixed latency stay bunched a short pace apart, and a layer whose heads fill its batches pays
 *    little more than its top-k (sim/cycle/README.md "The gated layer's last batch"). Where heads
 *    refetch, a slot is one pass longer for each refetching head it held, and the gated head takes
 *    the (j + 1)-th slot freed (j = (H − 1) mod n); and the gate opens at the latest decision of
 *    its batch (the token top-k runs in request order): their excess over the mean window
 *    (gate-slots.ts `refetchExcess`, `gateRefetch`), times one pass's fixed latencies. Less what the
 *    bubble takes off the mean head's pairing (`winPair`): the gated head's V stream runs in the
 *    bubble, so the heads admitted when it opens fetch their keys beside less of it; the serial
 *    path (`chain`) likewise, with its mean head and n = min(inFlight, requests);
 *  - Q·K and softmax: the whole bubble (`gate`: the top-k and the fixed latencies from the head's
 *    last key to the next head's first);
 *  - the DRAM: the bubble less the value streams it still has to serve when the gated head's last
 *    key arrives (`bubbleValueHeads` of them, each the mean head's part of the value side's DRAM
 *    time): a head issues its V stream at its decision (RTL stage 16 is not held by the gate).
 * The part every term pays is added after the smooth max (`headGranularFront`). (Before, the whole
 * bubble was added after the smooth max: a head alone in flight paid its window twice, and a
 * DRAM-bound run the bubble its own V stream fills; then all of it inside, where the common part
 * drew the terms together and paid overlap loss: gated runs above the simulator, sim/cycle/README.md.
 * Then the DRAM's bubble was less the gated head's own V stream only: gated runs with many heads in
 * flight above the simulator, sim/cycle/README.md "The gated bubble's value streams". The window's
 * part was W·(1 − 1/n) for every run: gated runs whose heads stay bunched above the simulator.)
 */
function gatedGeneration(s: Sums, stDram: number, lim: LatencyLimits): void {
  const G = s.gateHeads;
  const dramTerm = frontDramTerm(s, stDram);
  const pace = decisionPace(s, dramTerm);
  const W = s.win / s.winHeads;
  // a refetching head's window is one pass longer: the fixed latencies from admission to its last key and then to its decision
  const pass = (s.gate - s.gateTk) / G - L_ADMIT;
  const gW = s.gateTk + W * s.gateSlots + staggerCycles(s.gateStagger, W, pace) + pass * s.gateRefetch - (G * s.winPair) / s.winHeads;
  const chainMean = s.chain / s.requests;
  const gChain = s.gateTk + chainMean * s.chainSlots + s.chainStagger * Math.min(pace, chainMean / s.chainHeads);
  const ownV = s.dramK + s.dramV > 0 ? (dramTerm * s.dramV) / (s.dramK + s.dramV) / s.requests : 0;
  const gD = G * Math.max(0, s.gate / G - bubbleValueHeads(s, dramTerm) * ownV);
  lim.front = headGranularFront(s, stDram, lim, gD, s.gate, gW) + s.drain;
  lim.window = s.win + s.tail + gW;
  lim.chain = s.chain / s.chainHeads + gChain;
}

/** `bubbleValueHeads` of the totals `s` on `hw` (0 unless generation with gated boundaries): scripts/gate-bubble.ts. */
export function gateBubbleValueHeads(s: Sums, hw: HardwareConfig): number {
  return s.gen && s.gate > 0 ? bubbleValueHeads(s, frontDramTerm(s, dramStage(s, hw))) : 0;
}

/** Generation: the cycles between heads' decisions when the engines they share are busy, the slowest of what each head needs in turn: the DRAM serving its key and value streams (the DRAM term's time a head), Q·K, softmax. */
function decisionPace(s: Sums, dramTerm: number): number {
  return Math.max(dramTerm, s.stQk, s.stSm) / s.requests;
}

/** The head-granular front's DRAM term before the gate: its busiest channel, or the fetcher ports if slower (`headGranularFront`). */
function frontDramTerm(s: Sums, stDram: number): number {
  return Math.max(s.dramK + s.dramV + s.dramImb, stDram);
}

/**
 * The V streams the DRAM still has to serve, at a gated layer boundary, when the gated head's last
 * key arrives: its own, issued at its decision, and those of the heads whose last keys arrived less
 * than its decision lag before (Q·K, the buffer, softmax: `gateLag`), still between key and
 * decision. Heads reach their decisions one per `decisionPace`.
 * At most the heads in flight (n, their harmonic mean) and the heads of the gated head's layer (the
 * heads of earlier layers decided before the gate opened). 0 without gated heads.
 */
function bubbleValueHeads(s: Sums, dramTerm: number): number {
  if (!(s.gateHeads > 0)) return 0;
  const G = s.gateHeads;
  const pace = decisionPace(s, dramTerm);
  const lagged = pace > 0 ? 1 + s.gateLag / G / pace : Infinity;
  return Math.min(lagged, s.requests / s.winHeads, s.gateLayerHeads / G);
}

/**
 * Generation is head-granular: a head's K fetch, Q·K/softmax and decision run one after the
 * other, the DRAM serves it twice (K, then V), and only the heads in flight overlap (admission →
 * final decision, RTL stage 2). Three limits — DRAM, Q·K/softmax, the heads-in-flight window —
 * do not overlap perfectly when they are close: smooth max (p-norm, exponent
 * tables/pipeline.json overlapExponent). The engines after the decision (local-V top-k, prob·V)
 * are outside the window and are bounds of their own (`totalCycles`). A summarization head that
 * spills and has the buffers to itself is head-granular the same way (its K/V stream, then its
 * queries' Q·K, softmax, top-k and prob·V, before the next head is admitted). `gD`, `gC`, `gW`:
 * what gated layer boundaries add to the DRAM, compute and window terms (`gatedGeneration`).
 */
function headGranularFront(s: Sums, stDram: number, lim: LatencyLimits, gD = 0, gC = 0, gW = 0): number {
  const k = OVERLAP_K;
  // (the window less the K-side latencies of the last head, which the drain adds back)
  const win = Math.max(0, s.win - (s.drain - s.tail)) + gW;
  // the DRAM term is its busiest channel's: the channel mean plus the imbalance the layout and the
  // heads in flight leave (generation; 0 for a spilling summarization), or the fetcher ports' bound if
  // slower — the ports issue for all channels together (sim/cycle/fetcher.ts), so no channel's
  // excess adds to them (it was added on top: a port-bound gpt2-small run got 2.7% slower from 64
  // to 256 channels as the imbalance term grew; the simulator's stayed at 113,248 cycles)
  const dram = frontDramTerm(s, stDram) + gD;
  // (a spilling summarization head holds its value lines, so its queries' top-k and prob·V, from
  // admission to prob·V: they are inside its window)
  const comp = (s.gen ? Math.max(s.stQk, s.stSm) : Math.max(s.stQk, s.stSm, s.stTkV, s.stPv)) + gC;
  // What gated boundaries cost the three terms (gD, gC, gW) are stretches that each end when the
  // next head is admitted and its first key arrives (the DRAM's after the gated head's V stream,
  // the window's from the part of the gated head's window no later head overlaps), so the shortest
  // lies inside the others: time in which none of the three works, a serial delay added after the
  // smooth max. Inside it, it drew the three terms together and was charged the overlap loss the
  // smooth max prices, which needs two of them busy at once (0 without the gate: unchanged).
  lim.frontDram = dram;
  lim.frontCompute = comp;
  lim.frontWindow = win;
  const common = Math.min(gD, gC, gW);
  const m = Math.max(comp, dram, win) - common;
  if (m <= 0) return common;
  const sum = ipow((dram - common) / m, k) + ipow((comp - common) / m, k) + ipow((win - common) / m, k);
  return common + m * Math.pow(sum, 1 / k);
}

/** Writes the stage busy cycles (top-k: the busier engine) and the overhead into `st`. */
function setStages(st: StageCycles, s: Sums, stDram: number, stTk: number, overhead: number): void {
  st.dram = stDram;
  st.qk = s.stQk;
  st.softmax = s.stSm;
  st.topk = stTk;
  st.pv = s.stPv;
  st.overhead = overhead;
}

/** Writes the activity counts of the totals (cycles and DRAM bytes given) into `a`. */
function setActivity(a: Activity, s: Sums, cycles: number, bytes: number): void {
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
}
