/**
 * Fast path of the analytical model, part 1 (sim/hw/analytical.ts): `prepareWorkload` groups a
 * workload's head requests into classes and sums everything that does not depend on the hardware;
 * the memo tables and their declared hardware dependencies.
 */
import type { HeadRequest, Workload } from '../workload/types.ts';
import { expectedTopkCompares } from './topk.ts';
import type { RequestDramCost } from './dram-cost.ts';
import { HwMemo, unionFields, type HwFields } from './memo.ts';
import { newSums, type Sums } from './finalize.ts';
import { headTopkRuns, requestCore, sameClass } from './request-core.ts';
import { windowCapacity, type WindowOrder } from './window.ts';


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
  /** Generation window orders per (Q·K multipliers and softmax lanes, DRAM entry), bounded (`windowCapacity`); see `windowOf`. */
  windows: Map<number, Map<DramSums, WindowOrder>>;
  windowCount: number;
  /** Scratch sums reused by every evaluation. */
  scratch: Sums;
}

/** DRAM costs of a workload's classes on one design (memoDram). */
export interface DramSums {
  /** Summarization: each class's stream costs (empty in generation). */
  cost: RequestDramCost[];
  avail: number;
  /** Generation: σ of one instance of each class's DRAM occupancy over the channels (dram-cost.ts requestSpread). */
  sd: Float64Array;
  /** Generation: a class instance's key-side stream time in its window: its channel-mean DRAM cycles + z_C·σ of its key-side streams (a stream completes at its busiest channel). */
  kw: Float64Array;
  /** Expected maximum of that many independent standard normals (the channels: dram-cost.ts expectedMaxNormal). */
  zC: number;
  /** Generation: key-side and value-side DRAM cycles and activations of the workload. */
  dramK: number;
  dramV: number;
  acts: number;
}

/** Top-k sums of a workload on one design (memoTopk). */
export interface TopkSums {
  tkV: number;
  tkVLat: number;
  tkT: number;
  gate: number;
}

/** Stage sums and fixed latencies for one combination of the discrete compute knobs. */
export interface ComboEntry {
  qk: number;
  sm: number;
  pv: number;
  tk: TopkSums;
  lQk: number;
  lSm: number;
  lPv: number;
}

/** A hash of a request's class fields (collisions are told apart by `sameClass`). */
function classHash(r: HeadRequest): number {
  let h = Math.imul(r.L ^ 0x9e3779b9, 0x85ebca6b) ^ r.queries;
  h = Math.imul(h ^ (h >>> 15) ^ r.keys, 0xcc9e2d51) ^ r.valuesFetched;
  h = Math.imul(h ^ (h >>> 13) ^ r.valuesPerQuery, 0x1b873593) ^ (r.topk + 1);
  h = Math.imul(h ^ (h >>> 16) ^ (r.keyBits * 64 + r.lsbBits), 0x85ebca6b) ^ (r.valueBits * 64 + r.queryBits);
  return (h ^ (h >>> 15) ^ (r.causal ? 1 : 0)) & 0x3fffffff;
}

/** A class of one request. */
function newClass(r: HeadRequest): ReqClass {
  const core = requestCore(r);
  return {
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
    tk: undefined,
  };
}

/** The workload's request classes (identical cost-relevant fields, with multiplicity, in order of first appearance), the request order as runs of one class, and the head dimension (-1 when empty). */
function collectClasses(w: Workload): { classes: ReqClass[]; D: number; runCls: Int32Array; runLen: Int32Array } {
  const classes: ReqClass[] = [];
  const runCls: number[] = [];
  const runLen: number[] = [];
  const reps: HeadRequest[] = []; // each class's first request
  const next: number[] = []; // the previous class with the same hash (-1: none)
  const byHash = new Map<number, number>();
  let D = -1;
  let prev = -1;
  for (const r of w.requests) {
    if (D < 0) D = r.D;
    else if (r.D !== D) throw new Error(`prepareWorkload: mixed head dimensions (${D}, ${r.D}); use analyticalModel`);
    // Heads of a layer are consecutive and mostly identical: skip the look-up for repeats.
    if (prev >= 0 && sameClass(reps[prev], r)) {
      classes[prev].mult++;
      runLen[runLen.length - 1]++;
      continue;
    }
    const h = classHash(r);
    const first = byHash.get(h) ?? -1;
    let i = first;
    while (i >= 0 && !sameClass(reps[i], r)) i = next[i];
    if (i < 0) {
      i = classes.length;
      classes.push(newClass(r));
      reps.push(r);
      next.push(first);
      byHash.set(h, i);
    } else classes[i].mult++;
    prev = i;
    runCls.push(i);
    runLen.push(1);
  }
  return { classes, D, runCls: Int32Array.from(runCls), runLen: Int32Array.from(runLen) };
}

/** True when two classes have the same DRAM streams (dram-cost.ts requestDramCost and their bytes). */
function sameDram(a: ReqClass, b: ReqClass): boolean {
  return (
    a.L === b.L && a.k === b.k && a.q === b.q && a.vF === b.vF && a.D === b.D && a.keyBits === b.keyBits && a.lsbBits === b.lsbBits &&
    a.valueBits === b.valueBits && a.queryBits === b.queryBits && a.p === b.p && a.causal === b.causal && a.seen === b.seen
  );
}

/** The classes grouped by their DRAM streams (a group's costs are priced once per design). */
function dramGroups(classes: ReqClass[]): { dramGroup: Int32Array; dramReps: Int32Array } {
  const group = new Int32Array(classes.length);
  const reps: number[] = [];
  const byShape = new Map<number, number>(); // hash → latest group with it
  const next: number[] = [];
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    const h = (Math.imul(c.L ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(c.k, 0xcc9e2d51) ^ Math.imul(c.vF + 7, 0x1b873593) ^ c.keyBits) & 0x3fffffff;
    const first = byShape.get(h) ?? -1;
    let g = first;
    while (g >= 0 && !sameDram(classes[reps[g]], c)) g = next[g];
    if (g < 0) {
      g = reps.length;
      reps.push(i);
      next.push(first);
      byShape.set(h, g);
    }
    group[i] = g;
  }
  return { dramGroup: group, dramReps: Int32Array.from(reps) };
}

/** A prepared workload with empty sums and memo tables. */
function emptyPrepared(w: Workload, classes: ReqClass[], D: number, runCls: Int32Array, runLen: Int32Array): PreparedWorkload {
  return {
    name: w.name,
    reuseKV: w.reuseKV,
    D: D < 0 ? 64 : D,
    requests: w.requests.length,
    classes,
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
    ...dramGroups(classes),
    memoQk: new HwMemo(QK_DEPS),
    memoSm: new HwMemo(SM_DEPS),
    memoPv: new HwMemo(PV_DEPS),
    memoTk: new HwMemo(TOPK_DEPS),
    memoDram: new HwMemo(DRAM_DEPS, windowCapacity(classes.length)),
    memoCombo: new HwMemo(COMBO_DEPS),
    windows: new Map(),
    windowCount: 0,
    scratch: newSums(),
  };
}

/** The hardware-independent sums over the classes. */
function addClassSums(prep: PreparedWorkload, classes: ReqClass[], reuseKV: boolean): void {
  let pn = NaN; // local-V compares of the previous (n, k), reused while they repeat
  let pk = NaN;
  let pv = 0;
  for (const c of classes) {
    const m = c.mult;
    const w1 = 1 + c.p;
    prep.sumW1 += m * w1;
    prep.qkMacs += m * w1 * c.seen * c.D;
    prep.pvMacs += m * c.q * c.vRow * c.D;
    prep.smElems += m * w1 * c.seen;
    if (c.localV && (c.tkN !== pn || c.tkK !== pk)) {
      pv = expectedTopkCompares(c.tkN, c.tkK);
      pn = c.tkN;
      pk = c.tkK;
    }
    prep.tkCompares += m * ((c.localV ? c.q * pv : 0) + (c.topk >= 0 ? expectedTopkCompares(c.k, c.topk) : 0));
    prep.keyReadElems += m * w1 * c.seen * c.D;
    prep.valReadElems += m * c.q * c.vRow * c.D;
    prep.bytesQ += (m * c.q * c.D * c.queryBits) / 8;
    if (!reuseKV) {
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
}

/** Head top-k runs merged by (heads, kept), with their compares. */
function addHeadRuns(prep: PreparedWorkload, w: Workload): void {
  const runs = new Map<string, { n: number; k: number; mult: number }>();
  for (const h of headTopkRuns(w)) {
    const key = `${h.n}|${h.k}`;
    const e = runs.get(key);
    if (e) e.mult++;
    else runs.set(key, { n: h.n, k: h.k, mult: 1 });
  }
  prep.headRuns = [...runs.values()];
  for (const h of prep.headRuns) prep.tkCompares += h.mult * expectedTopkCompares(h.n, h.k);
}

/** Aggregate a workload once; evaluate it on many hardware points with `evaluatePrepared`. */
export function prepareWorkload(w: Workload): PreparedWorkload {
  const { classes, D, runCls, runLen } = collectClasses(w);
  const prep = emptyPrepared(w, classes, D, runCls, runLen);
  addClassSums(prep, classes, w.reuseKV);
  addHeadRuns(prep, w);
  return prep;
}
