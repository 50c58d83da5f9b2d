/**
 * Fast path of the analytical model, summarization (K/V reused; sim/hw/analytical.ts): per class,
 * its spill, DRAM traffic (the spilled part at its own region's cost, dram-cost.ts
 * reuseTrafficInto), heads-in-flight window and in-order rows (reference.ts addRequestTraffic,
 * addRequestChain).
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import { designEngines, expectedEngineCycles, type TopkEngineSpec } from './topk.ts';
import { dramProfileTiming, newRequestDramCost, reuseTrafficInto, spillDramCostInto, type RequestDramCost, type ReuseBytes, type ReuseTraffic } from './dram-cost.ts';
import { L_ADMIT, NO_TOPK, bufferLines, classPvCycles, headsFit, rowsCycles, spilledKeys, spilledValues, sramCapacityVectors, summaryWindow, valueHeadsFit } from './pipeline-math.ts';
import type { Sums } from './finalize.ts';
import { TOPK_DEPS, shapeOf, type DramSums, type PreparedWorkload, type ReqClass } from './prepare.ts';
import { HwMemo } from './memo.ts';
import { float64Views } from './window.ts';
import { inOrderBound, type FlowInput } from './flow-shop.ts';

/** Local-V top-k of one class: engine busy and latency, × queries (its own memo, TOPK_DEPS). */
function classTkV(c: ReqClass, hw: HardwareConfig, spec: TopkEngineSpec): { busy: number; latency: number } {
  if (!c.localV) return NO_TOPK;
  c.tk ??= new HwMemo<{ busy: number; latency: number }>(TOPK_DEPS, 1);
  return c.tk.get(hw, () => {
    const e = expectedEngineCycles(spec, c.tkN, c.tkK);
    return { busy: c.q * e.busy, latency: c.q * e.latency };
  });
}
/** Per-class rows of the in-order bound (scratch reused across evaluations). */
interface FlowScratch extends FlowInput {
  d: Float64Array;
  q: Float64Array;
  l: Float64Array;
  v: Float64Array;
  p: Float64Array;
  n: Float64Array;
}
const flow: FlowScratch = { runCls: new Int32Array(0), runLen: new Int32Array(0), runs: 0, d: new Float64Array(0), q: new Float64Array(0), l: new Float64Array(0), v: new Float64Array(0), p: new Float64Array(0), n: new Float64Array(0) };

function flowRows(p: PreparedWorkload): FlowScratch {
  const C = p.classes.length;
  if (flow.d.length < C) [flow.d, flow.q, flow.l, flow.v, flow.p, flow.n] = float64Views(6, Math.max(C, 2 * flow.d.length));
  flow.runCls = p.runCls;
  flow.runLen = p.runLen;
  flow.runs = p.runCls.length;
  return flow;
}

/** A reused class's bytes (rb, reused): all it fetches, and the part its spill fetches again (beyond its first pass). */
const rb: ReuseBytes = { q: 0, k: 0, l: 0, v: 0, spillK: 0, spillL: 0, spillV: 0 };
function reuseBytes(c: ReqClass, kF: number, vF: number): ReuseBytes {
  rb.q = (c.q * c.D * c.queryBits) / 8;
  rb.k = (kF * c.D * c.keyBits) / 8;
  rb.l = (c.p * kF * c.D * c.lsbBits) / 8;
  rb.v = (vF * c.D * c.valueBits) / 8;
  rb.spillK = ((kF - c.k) * c.D * c.keyBits) / 8;
  rb.spillL = (c.p * (kF - c.k) * c.D * c.lsbBits) / 8;
  rb.spillV = ((vF - c.vF) * c.D * c.valueBits) / 8;
  return rb;
}
/** A class that spills nothing: zero spill costs (never written). */
const NO_SPILL: RequestDramCost = newRequestDramCost();
/** (resident keys, values) pairs whose spill costs a DRAM entry keeps before it starts afresh. */
const SPILL_PAIRS = 16;

/**
 * Each class's spilled streams' costs (dram-cost.ts spillCostFrom) on the design's DRAM entry for
 * `capK` resident keys and `capV` values, memoised on the entry: a sweep over SRAM sizes and
 * multipliers prices each spill shape once per DRAM design rather than at every point.
 */
function spillCosts(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, capK: number, capV: number): RequestDramCost[] {
  const memo = (dram.spill ??= new Map());
  const key = capK * 67108864 + capV;
  let costs = memo.get(key);
  if (costs === undefined) {
    if (memo.size >= SPILL_PAIRS) memo.clear();
    const tim = dramProfileTiming(hw);
    costs = p.classes.map((c) => (c.k > capK || c.vF > capV ? spillDramCostInto(newRequestDramCost(), shapeOf(c), capK, capV, hw.dramChannels, tim, hw.clockGHz) : NO_SPILL));
    memo.set(key, costs);
  }
  return costs;
}
const traffic: ReuseTraffic = { k: 0, v: 0, acts: 0, first: 0 };

/** Summarization (K/V reused): per-class spill, DRAM traffic, window and in-order rows. */
export function reuseWindow(s: Sums, p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, lQk: number, lSm: number, lPv: number): void {
  const D = p.D;
  const wb = hw.wordBits;
  const capK = sramCapacityVectors(hw.keySramKB, D, wb, hw.qkMultipliers);
  const capV = sramCapacityVectors(hw.valueSramKB, D, wb, hw.pvMultipliers);
  let win = 0;
  const classes = p.classes;
  const kLines = bufferLines(hw.keySramKB, hw.qkMultipliers, wb);
  const vLines = bufferLines(hw.valueSramKB, hw.pvMultipliers, wb);
  const f = flowRows(p);
  let spill: RequestDramCost[] | undefined;
  // the local-V engine of the workload's head size (once per evaluation, not per class)
  const localV = designEngines(hw, D, softmaxLanes(hw)).localV;
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    const m = c.mult;
    const kF = spilledKeys(c.q, c.k, c.causal, capK);
    const vF = spilledValues(c.q, c.k, c.vF, c.vq, c.causal, capV);
    const b = reuseBytes(c, kF, vF);
    s.bytesKMsb += m * b.k;
    s.bytesKLsb += m * b.l;
    s.bytesV += m * b.v;
    s.keyW += m * (kF * c.D * wb + c.p * kF * c.D * c.lsbBits);
    s.valW += m * vF * c.D * wb;
    // the spilled part of each gather at its own region's cost (priced only when something spills)
    const sc = kF > c.k || vF > c.vF ? (spill ??= spillCosts(p, hw, dram, capK, capV))[i] : NO_SPILL;
    const t = reuseTrafficInto(traffic, b, dram.cost[i], sc, dram.avail);
    const cK = t.k;
    const cV = t.v;
    s.dramK += m * cK;
    s.dramV += m * cV;
    s.acts += m * t.acts;
    const w1 = 1 + c.p;
    const qk = w1 * rowsCycles(c.q, c.k, c.causal, hw.qkMultipliers, c.D);
    const sm = w1 * rowsCycles(c.q, c.k, c.causal, softmaxLanes(hw), 1);
    const tkV = classTkV(c, hw, c.D === D ? localV : designEngines(hw, c.D, softmaxLanes(hw)).localV).busy;
    const pv = classPvCycles(c, hw.pvMultipliers);
    const q = Math.max(1, c.q);
    const n = headsFit(hw, kLines, vLines, c.k, c.vF, c.D, true, p.requests, true);
    const first = t.first;
    if (n === 1 && first < cK + cV - 1e-9) s.spill = true;
    const nPre = headsFit(hw, kLines, vLines, c.k, c.vF, c.D, false, p.requests, true);
    const nV = valueHeadsFit(hw, vLines, c.vF, c.D, p.requests, true);
    win += m * summaryWindow(L_ADMIT + w1 * (dram.lat.key + lQk + lSm), dram.lat.val + lPv, first, cK + cV, qk, sm, tkV, pv, q, nPre, nV);
    f.d[i] = cK + cV;
    f.q[i] = Math.max(qk, sm);
    f.l[i] = f.q[i] / w1;
    f.v[i] = Math.max(pv, tkV);
    f.p[i] = c.p;
    f.n[i] = n;
  }
  s.win = win;
  s.inOrder = inOrderBound(f);
}
