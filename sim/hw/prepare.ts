/**
 * Fast path of the analytical model, part 1 (sim/hw/analytical.ts): `prepareWorkload` groups a
 * workload's head requests into classes and sums everything that does not depend on the hardware;
 * the memo tables and their declared hardware dependencies.
 */
import type { HeadRequest, Workload } from '../workload/types.ts';
import { expectedTopkCompares } from './topk.ts';
import type { RequestDramCost } from './dram-cost.ts';
import type { FetchLatencies } from './pipeline-math.ts';
import { DEFAULT_MEMO_CAPACITY, HwMemo, unionFields, type HwFields } from './memo.ts';
import { newSums, type Sums } from './finalize.ts';
import { headTopkRuns, requestCore } from './request-core.ts';
import { EMPTY, IndexTable } from './index-table.ts';
import { forEachRun, generationPlan, type GenerationPlan } from '../workload/build.ts';
import { windowCapacity, type SplitTerms, type WindowOrder } from './window.ts';


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
  /** The per-class arrays of DRAM entries used once (fast.ts onceDram), made on first use. */
  onceDram?: [Float64Array, Float64Array];
  /** The split-head terms of DRAM entries used once (fast.ts rereadOf), made on first use. */
  onceRe?: Float64Array[];
  /** Generation with an LSB pass in some class: a head that splits the key buffer re-reads its MSBs (pipeline-math.ts splitsKeyBuffer, fast.ts rereadOf). */
  refetches: boolean;
  windowCount: number;
  /** Scratch sums reused by every evaluation. */
  scratch: Sums;
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
  /** Generation: σ of one instance of each class's DRAM occupancy over the channels (dram-cost.ts requestSpread). */
  sd: Float64Array;
  /** Generation: a class instance's key-side stream time in its window: its channel-mean DRAM cycles + z_C·σ of its key-side streams (a stream completes at its busiest channel). */
  kw: Float64Array;
  /** Generation with refetches: each class's terms as a head that splits the key buffer (fast.ts rereadOf), made when a design first needs them. */
  re: SplitTerms | undefined;
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

/** A hash of a request's class fields (collisions are told apart by `isClassOf`). */
function classHash(r: HeadRequest): number {
  let h = Math.imul(r.L ^ 0x9e3779b9, 0x85ebca6b) ^ r.queries;
  h = Math.imul(h ^ (h >>> 15) ^ r.keys, 0xcc9e2d51) ^ r.valuesFetched;
  h = Math.imul(h ^ (h >>> 13) ^ r.valuesPerQuery, 0x1b873593) ^ (r.topk + 1);
  h = Math.imul(h ^ (h >>> 16) ^ (r.keyBits * 64 + r.lsbBits), 0x85ebca6b) ^ (r.valueBits * 64 + r.queryBits);
  return (h ^ (h >>> 15) ^ (r.causal ? 1 : 0)) & 0x3fffffff;
}

/** True when request `r` belongs to class `c` (request-core.ts sameClass on the class's fields). */
function isClassOf(c: ReqClass, r: HeadRequest): boolean {
  return (
    c.L === r.L && c.q === r.queries && c.k === r.keys && c.vF === r.valuesFetched && c.vq === r.valuesPerQuery &&
    c.keyBits === r.keyBits && c.lsbBits === r.lsbBits && c.p === r.refetch && c.valueBits === r.valueBits &&
    c.queryBits === r.queryBits && c.topk === r.topk && c.causal === r.causal && c.D === r.D
  );
}

/** A class of `count` identical requests. */
function newClass(r: HeadRequest, count: number): ReqClass {
  const core = requestCore(r);
  return {
    mult: count,
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

/**
 * Groups requests into classes (identical cost-relevant fields, with multiplicity, in order of
 * first appearance); requests may come one by one or as runs of identical ones.
 */
class ClassCollector {
  readonly classes: ReqClass[] = [];
  /** The request order as runs of consecutive requests of one class: each run's class and length. */
  readonly runCls: Int32Array;
  readonly runLen: Int32Array;
  /** Runs so far (in runCls, runLen). */
  runs = 0;
  D = -1;
  private prev = -1;

  /** @param maxClasses at most this many classes (and runs: one class at most per run) will be added */
  constructor(maxClasses: number) {
    classTable.reset(maxClasses);
    const buf = new Int32Array(2 * maxClasses);
    this.runCls = buf.subarray(0, maxClasses);
    this.runLen = buf.subarray(maxClasses);
  }

  add(r: HeadRequest, count: number): void {
    const classes = this.classes;
    if (this.D < 0) this.D = r.D;
    else if (r.D !== this.D) throw new Error(`prepareWorkload: mixed head dimensions (${this.D}, ${r.D}); use analyticalModel`);
    // Heads of a layer are consecutive and mostly identical: skip the look-up for repeats.
    if (this.prev >= 0 && isClassOf(classes[this.prev], r)) {
      classes[this.prev].mult += count;
      this.runLen[this.runs - 1] += count;
      return;
    }
    this.prev = this.find(r, count);
    this.runCls[this.runs] = this.prev;
    this.runLen[this.runs++] = count;
  }

  /**
   * `add` for the runs of a plan (build.ts forEachRun): within an iteration the kept keys never
   * grow with depth and every iteration has its own L, so a run's class, if it exists, is one made
   * since the current iteration's keys last changed (a few classes): those are compared instead of
   * hashing the run. The same classes in the same order as `add`.
   */
  addRun(r: HeadRequest, count: number): void {
    const classes = this.classes;
    if (this.D < 0) this.D = r.D;
    if (r.iteration !== this.blockIt || r.keys !== this.blockKeys) {
      this.blockIt = r.iteration;
      this.blockKeys = r.keys;
      this.blockStart = classes.length;
    } else if (isClassOf(classes[this.prev], r)) {
      classes[this.prev].mult += count;
      this.runLen[this.runs - 1] += count;
      return;
    }
    let i = this.blockStart;
    while (i < classes.length && !isClassOf(classes[i], r)) i++;
    if (i < classes.length) classes[i].mult += count;
    else classes.push(newClass(r, count));
    this.prev = i;
    this.runCls[this.runs] = i;
    this.runLen[this.runs++] = count;
  }
  /** The first class made at the current (iteration, keys) of `addRun`, and those two. */
  private blockStart = 0;
  private blockIt = -1;
  private blockKeys = -1;

  /** The class of `r` (created when new) with `count` more requests. */
  private find(r: HeadRequest, count: number): number {
    const classes = this.classes;
    const h = classHash(r);
    for (let s = classTable.start(h); ; s = classTable.next(s)) {
      const i = classTable.at(s, h);
      if (i === EMPTY) {
        classTable.put(s, h, classes.length);
        classes.push(newClass(r, count));
        return classes.length - 1;
      }
      if (i >= 0 && isClassOf(classes[i], r)) {
        classes[i].mult += count;
        return i;
      }
    }
  }
}
/** Class and DRAM-group look-ups of `prepareWorkload` (reused: a workload is prepared at a time). */
const classTable = new IndexTable();
const groupTable = new IndexTable();

/**
 * The workload's request classes, the request order as runs of one class, and the head dimension
 * (-1 when empty); a generated workload's from its plan's runs.
 */
function collectClasses(w: Workload, plan: GenerationPlan | undefined): { classes: ReqClass[]; D: number; runCls: Int32Array; runLen: Int32Array } {
  const col = new ClassCollector(plan ? 2 * plan.layers * plan.iterations : w.requests.length);
  if (plan) forEachRun(plan, (r, count) => col.addRun(r, count));
  else for (const r of w.requests) col.add(r, 1);
  return { classes: col.classes, D: col.D, runCls: col.runCls.subarray(0, col.runs), runLen: col.runLen.subarray(0, col.runs) };
}

/** True when two classes have the same DRAM streams (dram-cost.ts requestDramCost and their bytes). */
function sameDram(a: ReqClass, b: ReqClass): boolean {
  return (
    a.L === b.L && a.k === b.k && a.q === b.q && a.vF === b.vF && a.D === b.D && a.keyBits === b.keyBits && a.lsbBits === b.lsbBits &&
    a.valueBits === b.valueBits && a.queryBits === b.queryBits && a.p === b.p && a.causal === b.causal && a.seen === b.seen
  );
}

/**
 * The classes grouped by their DRAM streams (a group's costs are priced once per design).
 * `fromPlan`: the classes of a plan (`collectClasses`), in which those of one (L, keys) are
 * consecutive (`ClassCollector.addRun`): a class's group, if it has one already, is that of one of
 * the classes just before it with its L and keys, and no hashing is needed.
 */
function dramGroups(classes: ReqClass[], fromPlan: boolean): { dramGroup: Int32Array; dramReps: Int32Array } {
  // each class's group, then the groups' first classes (at most one a class), on one buffer
  const buf = new Int32Array(2 * classes.length);
  const group = buf.subarray(0, classes.length);
  const reps = buf.subarray(classes.length);
  let G = 0;
  if (!fromPlan) groupTable.reset(classes.length);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    // a layer's last head (token top-k) and its other heads: same streams, consecutive classes
    if (i > 0 && sameDram(classes[i - 1], c)) {
      group[i] = group[i - 1];
      continue;
    }
    if (fromPlan) {
      let j = i - 2;
      while (j >= 0 && classes[j].L === c.L && classes[j].k === c.k && !sameDram(classes[j], c)) j--;
      if (j >= 0 && classes[j].L === c.L && classes[j].k === c.k) group[i] = group[j];
      else {
        group[i] = G;
        reps[G++] = i;
      }
      continue;
    }
    const h = (Math.imul(c.L ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(c.k, 0xcc9e2d51) ^ Math.imul(c.vF + 7, 0x1b873593) ^ c.keyBits) & 0x3fffffff;
    for (let s = groupTable.start(h); ; s = groupTable.next(s)) {
      const g = groupTable.at(s, h);
      if (g === EMPTY) {
        groupTable.put(s, h, G);
        group[i] = G;
        reps[G++] = i;
        break;
      }
      if (g >= 0 && sameDram(classes[reps[g]], c)) {
        group[i] = g;
        break;
      }
    }
  }
  return { dramGroup: group, dramReps: reps.subarray(0, G) };
}

/** A prepared workload with empty sums and memo tables. */
function emptyPrepared(w: Workload, requests: number, classes: ReqClass[], D: number, runCls: Int32Array, runLen: Int32Array, fromPlan: boolean): PreparedWorkload {
  const refetches = !w.reuseKV && classes.some((c) => c.p > 0);
  return {
    name: w.name,
    reuseKV: w.reuseKV,
    D: D < 0 ? 64 : D,
    requests,
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
    refetches,
    ...dramGroups(classes, fromPlan),
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
      pv = expectedTopkCompares(c.tkN, c.tkK);
      pn = c.tkN;
      pk = c.tkK;
    }
    tkCompares += m * ((c.localV ? c.q * pv : 0) + (c.topk >= 0 ? expectedTopkCompares(c.topk > c.k ? Math.max(c.L, c.k) : c.k, c.topk) : 0));
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
}

/**
 * Aggregate a workload once; evaluate it on many hardware points with `evaluatePrepared`. A
 * generated workload whose request list was never read is aggregated from its plan (the same
 * classes, in the same order, without materialising the list).
 */
export function prepareWorkload(w: Workload): PreparedWorkload {
  const plan = generationPlan(w);
  const { classes, D, runCls, runLen } = collectClasses(w, plan);
  const prep = emptyPrepared(w, plan ? plan.requestCount : w.requests.length, classes, D, runCls, runLen, plan !== undefined);
  addClassSums(prep, classes, w.reuseKV);
  addHeadRuns(prep, w, plan);
  return prep;
}
