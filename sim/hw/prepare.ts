/**
 * Fast path of the analytical model, part 1 (sim/hw/analytical.ts): `prepareWorkload` groups a
 * workload's head requests into classes (sim/hw/classes.ts) and sums everything that does not
 * depend on the hardware; the memo tables and their declared hardware dependencies.
 */
import type { Workload } from '../workload/types.ts';
import { expectedTopkCompares, expectedTopkComparesCached } from './topk.ts';
import type { RequestDramCost, RequestShape } from './dram-cost.ts';
import type { FetchLatencies } from './pipeline-math.ts';
import { DEFAULT_MEMO_CAPACITY, HwMemo, unionFields, type HwFields } from './memo.ts';
import { newSums, type Sums } from './finalize.ts';
import { headTopkRuns } from './request-core.ts';
import { generationPlan, type GenerationPlan } from '../workload/build.ts';
import { collectClasses, dramGroups, planClasses } from './classes.ts';
import { NO_GATE_RECORDS, gateRecords, type GateRecords } from './gate-slots.ts';
import { windowCapacity, type SplitTerms, type WindowOrder } from './window.ts';
import { prunes } from './gen-flow.ts';


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
export interface ReqClass {
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
  /** Per-class local-V top-k busy and latency cycles (TOPK_DEPS; created on first use, by summarization). */
  tk: HwMemo<{ busy: number; latency: number }> | undefined;
}

export interface PreparedWorkload {
  name: string;
  reuseKV: boolean;
  D: number;
  requests: number;
  classes: ReqClass[];
  /** The most values any head fetches (generation: the largest head's value lines decide the fewest value heads that fit, fast.ts valueWindow). */
  maxValues: number;
  /** Σ over the requests with a token top-k of the heads of their layer (request-core.ts gatedLayerHeads). */
  gateLayerHeads: number;
  /** Generation: the gated heads by DRAM group (gate-slots.ts; none in summarization). */
  gates: GateRecords;
  /** The request order as runs of consecutive heads of one class: each run's class and length (sim/hw/flow-shop.ts). */
  runCls: Int32Array;
  runLen: Int32Array;
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
  /** Generation: the token top-k kept apart from the classes (their topk −1), (scores, kept, heads) triples in request order (classes.ts TokenTopk); empty in summarization. */
  tokens: Float64Array;
  /** Classes with the same DRAM streams (all but topk and valuesPerQuery equal): each class's group, each group's first class. */
  dramGroup: Int32Array;
  dramReps: Int32Array;
  memoQk: HwMemo<number>;
  memoSm: HwMemo<number>;
  memoPv: HwMemo<number>;
  memoTk: HwMemo<TopkSums>;
  /** Per-class DRAM costs and the generation totals (DRAM_DEPS). */
  memoDram: HwMemo<DramSums>;
  /** Stage sums and fixed latencies of the discrete compute knobs (COMBO_DEPS). */
  memoCombo: HwMemo<ComboEntry>;
  /** Generation window orders per (the top-k sums' lagKey, Q·K multipliers, softmax lanes and fetcher ports, DRAM entry), bounded (`windowCapacity`; null: asked once, not kept); see `windowOf`. */
  windows: Map<number, Map<number, Map<DramSums, WindowOrder | null>>>;
  /** The per-group arrays of DRAM entries used once (fast.ts onceDram), made on first use. */
  onceDram?: Float64Array[];
  /** The split-head terms of DRAM entries used once (fast.ts rereadOf), made on first use. */
  onceRe?: Float64Array[];
  /** Generation with an LSB pass in some class: a head that splits the key buffer re-reads its MSBs (pipeline-math.ts splitsKeyBuffer, fast.ts rereadOf). */
  refetches: boolean;
  windowCount: number;
  /** Scratch sums reused by every evaluation. */
  scratch: Sums;
  /** Each class's Q·K and softmax cycles at the last multipliers / lanes asked (window.ts classRows), made on first use. */
  rows?: { qkM: number; smM: number; qk: Float64Array; sm: Float64Array };
  /** Generation with pruning: the in-order bound is computed (gen-flow.ts `prunes`). */
  prunes: boolean;
}

/** DRAM costs of a workload's classes on one design (memoDram). */
export interface DramSums {
  /** Summarization: each class's stream costs (empty in generation). */
  cost: RequestDramCost[];
  avail: number;
  /** All-bank refresh in accelerator cycles: tRFC every tREFI (0 and Infinity without refresh; pipeline-math.ts refreshStretch). */
  tRFC: number;
  tREFI: number;
  /** The design's fetch latencies (pipeline-math.ts fetchLatencies: its HBM first access in ns × the clock). */
  lat: FetchLatencies;
  /** Generation: σ of one instance of each DRAM group's occupancy over the channels (dram-cost.ts requestSpread). */
  sd: Float64Array;
  /** Generation: the first channel's lead over the channel mean of one instance of each DRAM group (dram-cost.ts requestLead). */
  lead: Float64Array;
  /** Generation: each DRAM group's key-side stream time of one instance in its window: its channel-mean DRAM cycles + the first channel's lead + z_C·σ of its key-side streams (a stream completes at its busiest channel). */
  kw: Float64Array;
  /** Generation: each DRAM group's V stream, DRAM cycles of one instance (its part of dramV: the value buffer's window, fast.ts valueWindow). */
  vw: Float64Array;
  /** Generation with refetches: each DRAM group's terms as a head that splits the key buffer (fast.ts rereadOf), made when a design first needs them. */
  re: SplitTerms | undefined;
  /** Generation: the value buffer's window on this DRAM entry by (value-buffer lines, prob·V multipliers), made when a design first needs it, not kept when split heads re-read keys (value-window.ts valueWindow). */
  vWin: Map<number, number> | undefined;
  /** Summarization: each class's spilled streams' costs on this DRAM entry by the resident keys and values (reuse-window.ts spillCosts), made when a design first needs them. */
  spill: Map<number, RequestDramCost[]> | undefined;
  /** Expected maximum of that many independent standard normals (the channels: dram-cost.ts expectedMaxNormal). */
  zC: number;
  /** Generation: key-side and value-side DRAM cycles and activations of the workload. */
  dramK: number;
  dramV: number;
  acts: number;
  /** Generation: the LSB passes' part of dramK (their LSB streams; reference.ts addRequestTraffic cKL). */
  dramKL: number;
  /** False when the entry is used once and not memoised (fast.ts memoDram): no window order is kept for it either. */
  kept: boolean;
}

/** Top-k sums of a workload on one design (memoTopk). */
export interface TopkSums {
  tkV: number;
  tkVLat: number;
  tkT: number;
  /** Gate bubbles without the key pass's fetch latency (a DRAM_DEPS quantity), which is added once per gated head: */
  gate: number;
  /** the gated heads (token top-k with hw.gateTokenTopk). */
  gateHeads: number;
  /** Σ the gated heads' token top-k latency (part of `gate`). */
  gateTk: number;
  /** Each class's local-V top-k busy cycles, one instance (0 without local-V pruning): the in-order bound's rows (gen-flow.ts). */
  byClass: Float64Array;
  /** Each class's local-V top-k latency, one instance (0 without local-V pruning): how long after its decision a head's V stream reaches the fetcher (window.ts windowOrder, pipeline-math.ts pairedKeyStream). */
  latByClass: Float64Array;
  /** 0 when every class's latency is 0 and no head is gated (no local-V pruning, no gate: the window orders do not depend on the top-k design), else an id of its own (window.ts windowOf). */
  lagKey: number;
}

/** Stage sums and fixed latencies for one combination of the discrete compute knobs. */
export interface ComboEntry {
  qk: number;
  sm: number;
  /** The LSB passes' part of qk and sm (Σ m·p·one pass; pipeline-math.ts passesBound). */
  qkL: number;
  smL: number;
  pv: number;
  tk: TopkSums;
  lQk: number;
  lSm: number;
  lPv: number;
}


/** A prepared workload with empty sums and memo tables. */
function emptyPrepared(w: Workload, requests: number, classes: ReqClass[], D: number, runCls: Int32Array, runLen: Int32Array, tokens: Float64Array, groups: { dramGroup: Int32Array; dramReps: Int32Array }): PreparedWorkload {
  const refetches = !w.reuseKV && classes.some((c) => c.p > 0);
  return {
    name: w.name,
    reuseKV: w.reuseKV,
    D: D < 0 ? 64 : D,
    requests,
    classes,
    maxValues: classes.reduce((m, c) => Math.max(m, c.vF), 0),
    gateLayerHeads: 0,
    gates: NO_GATE_RECORDS,
    runCls,
    runLen,
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
    prunes: false,
    tokens,
    refetches,
    dramGroup: groups.dramGroup,
    dramReps: groups.dramReps,
    // stage sums are stored when made a second time: a sweep of distinct points would keep each
    // one until the table empties, to be copied and collected later (memo.ts seenBefore)
    memoQk: new HwMemo(QK_DEPS, DEFAULT_MEMO_CAPACITY, true),
    memoSm: new HwMemo(SM_DEPS, DEFAULT_MEMO_CAPACITY, true),
    memoPv: new HwMemo(PV_DEPS, DEFAULT_MEMO_CAPACITY, true),
    memoTk: new HwMemo(TOPK_DEPS, DEFAULT_MEMO_CAPACITY, true),
    memoDram: new HwMemo(DRAM_DEPS, windowCapacity(classes.length)),
    memoCombo: new HwMemo(COMBO_DEPS, DEFAULT_MEMO_CAPACITY, true),
    windows: new Map(),
    windowCount: 0,
    scratch: newSums(),
  };
}

/**
 * The hardware-independent sums over the classes (accumulated in locals, in class order, and
 * stored once: the same additions in the same order as summing into `prep`'s fields).
 */
function addClassSums(prep: PreparedWorkload, classes: ReqClass[], reuseKV: boolean): void {
  let pn = NaN; // local-V compares of the previous (n, k), reused while they repeat
  let pk = NaN;
  let pv = 0;
  let sumW1 = prep.sumW1;
  let qkMacs = prep.qkMacs;
  let pvMacs = prep.pvMacs;
  let smElems = prep.smElems;
  let tkCompares = prep.tkCompares;
  let keyReadElems = prep.keyReadElems;
  let valReadElems = prep.valReadElems;
  let bytesQ = prep.bytesQ;
  let bytesKMsb = prep.bytesKMsb;
  let bytesKLsb = prep.bytesKLsb;
  let bytesV = prep.bytesV;
  let keyWriteElems = prep.keyWriteElems;
  let keyWriteLsbBits = prep.keyWriteLsbBits;
  let valWriteElems = prep.valWriteElems;
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    const m = c.mult;
    const w1 = 1 + c.p;
    sumW1 += m * w1;
    qkMacs += m * w1 * c.seen * c.D;
    pvMacs += m * c.q * c.vRow * c.D;
    smElems += m * w1 * c.seen;
    if (c.localV && (c.tkN !== pn || c.tkK !== pk)) {
      pv = expectedTopkComparesCached(c.tkN, c.tkK);
      pn = c.tkN;
      pk = c.tkK;
    }
    tkCompares += m * ((c.localV ? c.q * pv : 0) + (c.topk >= 0 ? expectedTopkComparesCached(c.topk > c.k ? Math.max(c.L, c.k) : c.k, c.topk) : 0));
    keyReadElems += m * w1 * c.seen * c.D;
    valReadElems += m * c.q * c.vRow * c.D;
    bytesQ += (m * c.q * c.D * c.queryBits) / 8;
    if (!reuseKV) {
      const kF = c.seen;
      const vF = c.vF * c.q;
      bytesKMsb += (m * kF * c.D * c.keyBits) / 8;
      bytesKLsb += (m * c.p * kF * c.D * c.lsbBits) / 8;
      bytesV += (m * vF * c.D * c.valueBits) / 8;
      keyWriteElems += m * kF * c.D;
      keyWriteLsbBits += m * c.p * kF * c.D * c.lsbBits;
      valWriteElems += m * vF * c.D;
    }
  }
  const tok = prep.tokens;
  for (let j = 0; j < tok.length; j += 3) tkCompares += tok[j + 2] * expectedTopkComparesCached(tok[j], tok[j + 1]);
  prep.sumW1 = sumW1;
  prep.qkMacs = qkMacs;
  prep.pvMacs = pvMacs;
  prep.smElems = smElems;
  prep.tkCompares = tkCompares;
  prep.keyReadElems = keyReadElems;
  prep.valReadElems = valReadElems;
  prep.bytesQ = bytesQ;
  prep.bytesKMsb = bytesKMsb;
  prep.bytesKLsb = bytesKLsb;
  prep.bytesV = bytesV;
  prep.keyWriteElems = keyWriteElems;
  prep.keyWriteLsbBits = keyWriteLsbBits;
  prep.valWriteElems = valWriteElems;
}

/** Runs merged by (heads, kept) in order of first appearance, with their count. */
function mergeRuns(runs: Array<{ n: number; k: number }>, times: number): Array<{ n: number; k: number; mult: number }> {
  const byKey = new Map<number | string, { n: number; k: number; mult: number }>();
  for (const h of runs) {
    const key = Number.isInteger(h.n) && Number.isInteger(h.k) && h.k >= 0 && h.k < 65536 ? h.n * 65536 + h.k : `${h.n}|${h.k}`;
    const e = byKey.get(key);
    if (e) e.mult++;
    else byKey.set(key, { n: h.n, k: h.k, mult: 1 });
  }
  const out = [...byKey.values()];
  for (const e of out) e.mult *= times;
  return out;
}

/**
 * Head top-k runs (request-core.ts headTopkRuns) of one iteration of a plan: per layer, its heads
 * and the next layer's when it keeps fewer. Every iteration has the same.
 */
function planHeadRuns(plan: GenerationPlan): Array<{ n: number; k: number }> {
  const runs: Array<{ n: number; k: number }> = [];
  const h = plan.headsAt;
  for (let l = 0; l + 1 < plan.layers; l++) if (h[l + 1] < h[l]) runs.push({ n: h[l], k: h[l + 1] });
  return runs;
}

/** Head top-k runs merged by (heads, kept), with their compares. */
function addHeadRuns(prep: PreparedWorkload, w: Workload, plan: GenerationPlan | undefined): void {
  prep.headRuns = plan ? mergeRuns(planHeadRuns(plan), plan.iterations) : mergeRuns(headTopkRuns(w), 1);
  for (const h of prep.headRuns) prep.tkCompares += h.mult * expectedTopkCompares(h.n, h.k);
  prep.prunes = prunes(prep);
}

/**
 * Aggregate a workload once; evaluate it on many hardware points with `evaluatePrepared`. A
 * generated workload whose request list was never read is aggregated from its plan (the same
 * classes, in the same order, without materialising the list).
 */
export function prepareWorkload(w: Workload): PreparedWorkload {
  const plan = generationPlan(w);
  const c = plan ? planClasses(plan) : collectClasses(w);
  const groups = plan ? (c as ReturnType<typeof planClasses>) : dramGroups(c.classes);
  const prep = emptyPrepared(w, plan ? plan.requestCount : w.requests.length, c.classes, c.D, c.runCls, c.runLen, c.tokens, groups);
  const classes = c.classes;
  prep.gateLayerHeads = c.gateLayerHeads;
  if (!w.reuseKV) prep.gates = gateRecords(c.gated, c.classes, groups.dramGroup, groups.dramReps.length);
  addClassSums(prep, classes, w.reuseKV);
  addHeadRuns(prep, w, plan);
  return prep;
}

const shape: RequestShape = { L: 0, keys: 0, queries: 0, valuesFetched: 0, D: 0, keyBits: 0, lsbBits: 0, valueBits: 0, queryBits: 0 };

/** A class's stream shape (into one scratch object). */
export function shapeOf(c: ReqClass): RequestShape {
  const r = shape;
  r.L = c.L;
  r.keys = c.k;
  r.queries = c.q;
  r.valuesFetched = c.vF;
  r.D = c.D;
  r.keyBits = c.keyBits;
  r.lsbBits = c.lsbBits;
  r.valueBits = c.valueBits;
  r.queryBits = c.queryBits;
  return r;
}

/** A generation class's bytes per instance (no reuse): Q, K MSBs, K LSBs (× refetch probability), V (into one scratch object, overwritten by the next call). */
const bytes = { q: 0, k: 0, l: 0, v: 0 };
export function generationBytes(c: ReqClass): typeof bytes {
  bytes.q = (c.q * c.D * c.queryBits) / 8;
  bytes.k = (c.seen * c.D * c.keyBits) / 8;
  bytes.l = (c.p * c.seen * c.D * c.lsbBits) / 8;
  bytes.v = (c.vF * c.q * c.D * c.valueBits) / 8;
  return bytes;
}
