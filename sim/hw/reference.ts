/**
 * Reference analytical model (sim/hw/analytical.ts): one plain loop over every head request.
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import type { HeadRequest, Workload } from '../workload/types.ts';
import type { HwResult } from './types.ts';
import type { HbmTiming } from '../cycle/hbm-timing.ts';
import { designEngines, expectedEngineCycles, expectedTopkCompares } from './topk.ts';
import { dramProfileTiming, dramTimingOf, dramUnits, imbalanceCycles, newRequestDramCost, refreshAvailability, requestDramCost, requestLead, requestSpread, reuseTrafficInto, spillDramCostInto, type RequestDramCost } from './dram-cost.ts';
import { expectedMaxNormal } from './busiest-channel.ts';
import { pickMetrics } from '../metrics.ts';
import { gateSlots, gateStaggers, refetchExcess } from './gate-slots.ts';
import { L_ADMIT, L_BUF, NO_TOPK, fetchLatencies, frontSlot, mayEndBeforeRefresh, refreshStretch, bufferLines, dramStage, headsInFlight, shareBusy, summaryWindow, windowFixedPoint, valueHeadsFit, valueHold, valueWindowMayBind, gateLead, gatePairing, MAX_ALLOCS, pairedKeyStream, passesBound, portStream, pvCycles, pvLatency, qkLatency, rowsCycles, smLatency, spilledKeys, spilledValues, splitsKeyBuffer, sramCapacityVectors, type FetchLatencies } from './pipeline-math.ts';
import { LIMIT_KEYS } from './limit-keys.ts';
import { createFastMetrics, finalize, newSums, type FastMetrics, type LatencyLimits, type Sums } from './finalize.ts';
import { gatedLayerHeads, headTopkRuns, requestCore } from './request-core.ts';
import { inOrderBound } from './flow-shop.ts';
import { firstHead, runsMakespan, valueSlot } from './gen-flow.ts';

/** Generation (no reuse) chain pieces, combined after the loop (see the file comment). */
interface GenChain {
  fix: number;
  /** Admission → decision part of fix (the part the heads in flight limit). */
  fixPre: number;
  k: number;
  qk: number;
  sm: number;
  /** The LSB passes' part of k, qk, sm (expected over the refetch probability). */
  kL: number;
  qkL: number;
  smL: number;
  tk: number;
  v: number;
  pv: number;
}

/** One request's DRAM traffic: fetched keys/values, bytes per stream, stream costs and cycles. */
interface RequestTraffic {
  kF: number;
  vF: number;
  bQ: number;
  bK: number;
  bL: number;
  /** MSB bytes the LSB pass fetches again (a split generation head; expected over p). */
  bR: number;
  bV: number;
  dc: RequestDramCost;
  cK: number;
  /** The LSB pass's part of cK: the LSBs, and the MSBs a split head fetches again. */
  cKL: number;
  cV: number;
  /** Summarization: the first pass's cycles (every stream once, nothing spilled; dram-cost.ts reuseTrafficInto). */
  first: number;
}

/** One request's stage work (Q·K, softmax, local-V top-k busy and latency, prob·V). */
interface RequestStages {
  qk: number;
  sm: number;
  tkV: number;
  tkVLat: number;
  pv: number;
}

/** DRAM bytes, cycles and activations of one request, added to `s`. */
function addRequestTraffic(s: Sums, r: HeadRequest, hw: HardwareConfig, reuseKV: boolean, seen: number, avail: number, tim: ReturnType<typeof dramProfileTiming>): RequestTraffic {
  const D = r.D;
  const p = r.refetch;
  let kF: number, vF: number;
  let capK = 0;
  let capV = 0;
  if (reuseKV) {
    capK = sramCapacityVectors(hw.keySramKB, D, hw.wordBits, hw.qkMultipliers);
    capV = sramCapacityVectors(hw.valueSramKB, D, hw.wordBits, hw.pvMultipliers);
    kF = spilledKeys(r.queries, r.keys, r.causal, capK);
    vF = spilledValues(r.queries, r.keys, r.valuesFetched, r.valuesPerQuery, r.causal, capV);
  } else {
    kF = seen;
    vF = r.valuesFetched * r.queries;
  }
  const bQ = (r.queries * D * r.queryBits) / 8;
  const bK = (kF * D * r.keyBits) / 8;
  const bL = (p * kF * D * r.lsbBits) / 8;
  const bR = !reuseKV && splitsKeyBuffer(hw, r.keys, D) ? p * bK : 0;
  const bV = (vF * D * r.valueBits) / 8;
  s.bytesQ += bQ;
  s.bytesKMsb += bK + bR;
  s.bytesKLsb += bL;
  s.bytesV += bV;
  const dc = requestDramCost(r, hw.dramChannels, tim, hw.clockGHz);
  if (reuseKV) {
    // the spilled part of each gather (fetched again per query) at its own region's cost
    const sc = spillDramCostInto(newRequestDramCost(), r, capK, capV, hw.dramChannels, tim, hw.clockGHz);
    const eK = kF - r.keys;
    const b = { q: bQ, k: bK, l: bL, v: bV, spillK: (eK * D * r.keyBits) / 8, spillL: (p * eK * D * r.lsbBits) / 8, spillV: ((vF - r.valuesFetched) * D * r.valueBits) / 8 };
    const o = reuseTrafficInto({ k: 0, v: 0, acts: 0, first: 0 }, b, dc, sc, avail);
    s.dramK += o.k;
    s.dramV += o.v;
    s.acts += o.acts;
    return { kF, vF, bQ, bK, bL, bR, bV, dc, cK: o.k, cKL: 0, cV: o.v, first: o.first };
  }
  const cK = (bQ * dc.q.cyclesPerByte + (bK + bR) * dc.k.cyclesPerByte + bL * dc.lsb.cyclesPerByte) / avail;
  const cKL = (bR * dc.k.cyclesPerByte + bL * dc.lsb.cyclesPerByte) / avail;
  const cV = (bV * dc.v.cyclesPerByte) / avail;
  s.dramK += cK;
  s.dramV += cV;
  s.acts += bQ * dc.q.activationsPerByte + (bK + bR) * dc.k.activationsPerByte + bL * dc.lsb.activationsPerByte + bV * dc.v.activationsPerByte;
  return { kF, vF, bQ, bK, bL, bR, bV, dc, cK, cKL, cV, first: cK + cV };
}

/** Stage work, top-k, gate bubbles and activity counts of one request, added to `s`. */
function addRequestCompute(s: Sums, r: HeadRequest, hw: HardwareConfig, c: ReturnType<typeof requestCore>, t: RequestTraffic, lat: FetchLatencies): RequestStages {
  const D = r.D;
  const p = r.refetch;
  const w1 = 1 + p;
  const { kF, vF } = t;
  const qk = w1 * rowsCycles(r.queries, r.keys, r.causal, hw.qkMultipliers, D);
  const sm = w1 * rowsCycles(r.queries, r.keys, r.causal, softmaxLanes(hw), 1);
  const eng = designEngines(hw, D, softmaxLanes(hw));
  const tkVe = c.localV ? expectedEngineCycles(eng.localV, c.tkN, c.tkK) : NO_TOPK;
  const tkV = r.queries * tkVe.busy;
  // the last layer's token top-k picks the next iteration's tokens out of L (topk > keys; sim/cycle pipeline.ts tokenTopk)
  const tkN = r.topk > r.keys ? Math.max(r.L, r.keys) : r.keys;
  const tkTe = r.topk >= 0 ? expectedEngineCycles(eng.tokenHead, tkN, r.topk) : NO_TOPK;
  const tkT = tkTe.busy;
  s.tkVLat += r.queries * tkVe.latency;
  if (hw.gateTokenTopk && r.topk >= 0) {
    s.gate += tkTe.latency + L_ADMIT + lat.key + qkLatency(hw.qkMultipliers, D) + L_BUF + smLatency(hw.qkMultipliers, D);
    s.gateHeads += 1;
    s.gateTk += tkTe.latency;
    s.gateLag += qkLatency(hw.qkMultipliers, D) + L_BUF + smLatency(hw.qkMultipliers, D);
  }
  const pv = pvCycles(r.queries, r.keys, r.valuesPerQuery, c.vRow, r.causal, hw.pvMultipliers, D);
  s.stQk += qk;
  s.stSm += sm;
  s.stTkV += tkV;
  s.stTkT += tkT;
  s.stPv += pv;

  s.qkMacs += w1 * c.seen * D;
  s.pvMacs += r.queries * c.vRow * D;
  s.smElems += w1 * c.seen;
  s.tkCompares += (c.localV ? r.queries * expectedTopkCompares(c.tkN, c.tkK) : 0) + (r.topk >= 0 ? expectedTopkCompares(tkN, r.topk) : 0);
  // every fetched element is written (the MSBs a split generation head re-reads again)
  s.keyW += kF * D * hw.wordBits + p * kF * D * r.lsbBits + (t.bR > 0 ? p * kF * D * hw.wordBits : 0);
  s.keyR += w1 * c.seen * D * hw.wordBits;
  s.valW += vF * D * hw.wordBits;
  s.valR += r.queries * c.vRow * D * hw.wordBits;
  return { qk, sm, tkV, tkVLat: r.queries * tkVe.latency, pv };
}

/** Summarization: each request as a run of its own for the in-order bound (sim/hw/flow-shop.ts). */
interface FlowRows {
  d: number[];
  q: number[];
  l: number[];
  v: number[];
  p: number[];
  n: number[];
}

/** Drain, and the request's chain: its window and in-order row (reuse) or its generation chain pieces. */
function addRequestChain(s: Sums, g: GenChain, f: FlowRows, r: HeadRequest, hw: HardwareConfig, reuseKV: boolean, nReq: number, avail: number, t: RequestTraffic, st: RequestStages, lat: FetchLatencies): void {
  const D = r.D;
  const w1 = 1 + r.refetch;
  const { cK, cV } = t;
  const { qk, sm, tkV, pv } = st;
  const lQk = qkLatency(hw.qkMultipliers, D) + L_BUF;
  const lSm = smLatency(hw.qkMultipliers, D);
  const lPv = pvLatency(hw.pvMultipliers, D) + L_BUF;
  // admission (stage 1) once, then each key pass from stage 2; the value side from stage 16
  const pre = L_ADMIT + w1 * (lat.key + lQk + lSm);
  const fix = pre + lat.val + lPv;
  s.drain = Math.max(s.drain, L_ADMIT + lat.key + lQk + lSm + lat.val + lPv);
  const n = headsInFlight(hw, r.keys, r.valuesFetched, D, reuseKV, nReq);
  if (reuseKV) {
    const q = Math.max(1, r.queries);
    const first = t.first;
    if (n === 1 && first < cK + cV - 1e-9) s.spill = true;
    const nPre = headsInFlight(hw, r.keys, r.valuesFetched, D, false, nReq, true);
    const nV = valueHeadsFit(hw, bufferLines(hw.valueSramKB, hw.pvMultipliers, hw.wordBits), r.valuesFetched, D, nReq, true);
    s.win += summaryWindow(pre, lat.val + lPv, first, cK + cV, qk, sm, tkV, pv, q, nPre, nV);
    f.d.push(cK + cV);
    const key = Math.max(qk, sm);
    f.q.push(key);
    f.l.push(key / w1);
    f.v.push(Math.max(pv, tkV));
    f.p.push(r.refetch);
    f.n.push(n);
  } else {
    g.fix += fix;
    g.fixPre += pre;
    g.k += cK;
    g.qk += qk;
    g.sm += sm;
    g.kL += t.cKL;
    g.qkL += (qk * r.refetch) / w1;
    g.smL += (sm * r.refetch) / w1;
    g.tk += st.tkVLat;
    g.v += cV;
    g.pv += pv;
  }
}

/**
 * Generation: the chain from its pieces, then each head's window with the key side's DRAM share;
 * returns the refresh stretch of the window's slots (`generationWindowAt`'s last: the in-order bound's too).
 * key.alone: a head's key-side stream on its own in DRAM-available time: channel mean plus the
 * busiest channel's lead (the first channel's, dram-cost.ts requestLead, and z_C·σ of the key-side
 * streams: a stream completes when its slowest channel is done, sim/cycle/fetcher.ts), or its bytes
 * at the fetcher's ports if longer (portStream); key.paired: that stream beside the V stream it is
 * paired with (pipeline-math.ts pairedKeyStream). sdCyc, leadCyc: σ and the first channel's lead
 * of all its streams (dram-cost.ts imbalanceCycles).
 */
function finishGeneration(s: Sums, g: GenChain, w: Workload, hw: HardwareConfig, key: KeyStreams, sdCyc: number[], leadCyc: number[], tim: HbmTiming, lat: FetchLatencies): number {
  const nReq = w.requests.length;
  // Softmax streams behind Q·K (and Q·K behind the K fetch): one term per pass, the MSB passes'
  // and then the LSB passes' (a refetch is re-issued after its MSB pass's decision: passesBound).
  // Only admission → final decision is limited by the heads in flight (RTL stage 2 holds ≤ ~8
  // requests up to the requant decision, spec §1.5); the local-V top-k, V fetch and prob·V after it
  // overlap the next heads' fetch and Q·K (their sums are stage bounds of their own).
  // The last head's part after its decision is still paid in series (one head's mean).
  s.chainHeads = Math.max(1, Math.min(hw.inFlight, nReq));
  const post = nReq > 0 ? (g.fix - g.fixPre + g.tk + Math.max(g.v, g.pv)) / nReq : 0;
  s.chain = g.fixPre + passesBound(g.k, g.qk, g.sm, g.kL, g.qkL, g.smL) + s.chainHeads * post;
  s.requests = nReq;
  s.gen = true;
  s.gateLayerHeads = hw.gateTokenTopk ? gatedLayerHeads(w.requests) : 0;
  if (hw.gateTokenTopk) addGateSlots(s, w, hw);
  const zC = expectedMaxNormal(dramUnits(hw));
  for (let ri = 0; ri < nReq; ri++) {
    const n = headsInFlight(hw, w.requests[ri].keys, w.requests[ri].valuesFetched, w.requests[ri].D, false, nReq);
    s.dramImb += imbalanceCycles(sdCyc[ri], leadCyc[ri], n, zC);
    s.winHeads += 1 / n;
  }
  // the window with the key-side share its own length gives (pipeline-math.ts windowFixedPoint)
  const last = { stretch: 1, pair: 0 };
  s.win = windowFixedPoint(s.dramV, s.requests, shareBusy(s, dramStage(s, hw)), (share) => generationWindowAt(w, hw, key, tim, lat, share, last));
  s.winPair = last.pair;
  s.tail = nReq > 0 ? lat.val + pvLatency(hw.pvMultipliers, w.requests[0].D) + L_BUF : 0;
  return last.stretch;
}

/**
 * Generation with gated boundaries: per gated head, what its layer leaves of its windows to no
 * other head (gate-slots.ts gateSlots, gateStaggers, refetchExcess) with its heads in flight, and with the
 * serial path's (`chainHeads`), into `s` (finalize.ts gatedGeneration).
 */
function addGateSlots(s: Sums, w: Workload, hw: HardwareConfig): void {
  const reqs = w.requests;
  s.gateStagger = new Float64Array(MAX_ALLOCS + 1);
  for (let i = 0; i < reqs.length; ) {
    let j = i;
    while (j < reqs.length && reqs[j].iteration === reqs[i].iteration && reqs[j].layer === reqs[i].layer) j++;
    const H = j - i;
    for (let ri = i; ri < j; ri++) {
      const r = reqs[ri];
      if (r.topk < 0) continue;
      const n = headsInFlight(hw, r.keys, r.valuesFetched, r.D, false, reqs.length);
      s.gateSlots += gateSlots(H, n);
      s.gateStagger[n] += gateStaggers(H, n);
      s.gateRefetch += refetchExcess(H, n, r.refetch);
      s.chainSlots += gateSlots(H, s.chainHeads);
      s.chainStagger += gateStaggers(H, s.chainHeads);
    }
    i = j;
  }
}

/** Each generation head's key-side stream in its window (DRAM-available time): on its own, and beside the V stream it is paired with. */
interface KeyStreams {
  alone: number[];
  paired: number[];
  /** Its paired V stream's lag and that stream on its own (pairedKeyStream), and the gated boundaries' `gateLead`. */
  lag: number[];
  value: number[];
  gateLead: number;
}

/**
 * Generation: Σ window / heads in flight when the key side gets `share` of the DRAM. A head's key
 * stream takes its stream on its own over the share (the other side's traffic spread over the
 * run), and at least its paired reading (the V stream issued just after it). All-bank refresh
 * stalls the window, not only the DRAM bandwidth (refreshStretch, pipeline-math.ts): the window's
 * slots summed in DRAM-available time, then stretched by what a refresh costs a slot of mean
 * length T with d cycles on the DRAM (its key stream over the share; tim: the design's HBM
 * timing); the stretch into `last`, and the pairing's part of the window (finalize.ts Sums.winPair).
 */
function generationWindowAt(w: Workload, hw: HardwareConfig, key: KeyStreams, tim: HbmTiming, lat: FetchLatencies, share: number, last: { stretch: number; pair: number }): number {
  const nReq = w.requests.length;
  let W = 0;
  let N = 0;
  let Dm = 0;
  let pair = 0;
  const lead = key.gateLead;
  for (let ri = 0; ri < nReq; ri++) {
    const r = w.requests[ri];
    const w1 = 1 + r.refetch;
    const n = headsInFlight(hw, r.keys, r.valuesFetched, r.D, false, nReq);
    const qk = w1 * rowsCycles(r.queries, r.keys, r.causal, hw.qkMultipliers, r.D);
    const sm = w1 * rowsCycles(r.queries, r.keys, r.causal, softmaxLanes(hw), 1);
    const lFix = lat.key + qkLatency(hw.qkMultipliers, r.D) + L_BUF + smLatency(hw.qkMultipliers, r.D);
    const kc = key.alone[ri] / share;
    W += (L_ADMIT + w1 * lFix + Math.max(kc, key.paired[ri], qk, sm)) / n;
    N += 1 / n;
    pair += gatePairing(key.alone[ri], key.lag[ri], key.value[ri], nReq, Math.max(key.alone[ri], qk, sm), lead) / n;
    Dm += (L_ADMIT + w1 * lat.key + kc) / n;
  }
  last.stretch = N > 0 ? refreshStretch(W / N, Dm / N, tim.tRFC, tim.tREFI) : 1;
  last.pair = pair;
  return N > 0 ? W * last.stretch : 0;
}

/**
 * Generation's in-order bound (sim/hw/gen-flow.ts, which computes it over runs of a class): per
 * request its window slot (pipeline-math.ts frontSlot, × the window's refresh stretch), Q·K/softmax,
 * its local-V engine busy cycles and max(prob·V, its V stream, its value-buffer slot) (gen-flow.ts
 * valueSlot), in request order.
 */
function generationInOrder(w: Workload, hw: HardwareConfig, lat: FetchLatencies, tkCyc: number[], vCyc: number[], pvCyc: number[], vFit: number[], stretch: number): number {
  const nReq = w.requests.length;
  if (nReq === 0) return 0;
  const [slot, x, t, u] = [0, 1, 2, 3].map(() => new Float64Array(nReq));
  for (let ri = 0; ri < nReq; ri++) {
    const r = w.requests[ri];
    const w1 = 1 + r.refetch;
    const n = headsInFlight(hw, r.keys, r.valuesFetched, r.D, false, nReq);
    x[ri] = w1 * Math.max(rowsCycles(r.queries, r.keys, r.causal, hw.qkMultipliers, r.D), rowsCycles(r.queries, r.keys, r.causal, softmaxLanes(hw), 1));
    const lFix = lat.key + qkLatency(hw.qkMultipliers, r.D) + L_BUF + smLatency(hw.qkMultipliers, r.D);
    slot[ri] = stretch * frontSlot(n, w1, lFix, x[ri]);
    t[ri] = tkCyc[ri];
    u[ri] = valueSlot(lat, vCyc[ri], pvCyc[ri], vFit[ri]);
  }
  const runCls = Int32Array.from({ length: nReq }, (_, i) => i);
  return firstHead(runsMakespan(runCls, new Int32Array(nReq).fill(1), nReq, slot, x, t, u), slot[0]);
}

/**
 * Reference analytical model: loops over every head request (no memoisation). Gives the same
 * numbers as `evaluatePrepared(prepareWorkload(w), hw)`. A run that ends before the first
 * all-bank refresh meets none (pipeline-math.ts mayEndBeforeRefresh): its result is the one
 * without refresh.
 */
export function analyticalModel(w: Workload, hw: HardwareConfig): HwResult {
  const design = dramTimingOf(hw);
  const r = evaluate(w, hw, design);
  if (!mayEndBeforeRefresh(r.cycles, design.tRFC, design.tREFI)) return r;
  const off = { ...hw, dramRefresh: false };
  const r0 = evaluate(w, off, dramTimingOf(off));
  return r0.cycles <= design.tREFI ? r0 : r;
}

/** The reference model with the refresh terms as expectations (design: dramTimingOf(hw)). */
function evaluate(w: Workload, hw: HardwareConfig, design: HbmTiming): HwResult {
  const s = sumsOf(w, hw, design);
  return referenceResult(s, finalize(s, hw, createFastMetrics()));
}

/** The workload totals the reference path reduces `w` to on `hw`, refresh on as `hw` says (diagnostics: scripts/gate-bubble.ts). */
export function referenceSums(w: Workload, hw: HardwareConfig): Sums {
  return sumsOf(w, hw, dramTimingOf(hw));
}

/** The workload totals (`Sums`) of the reference path. */
function sumsOf(w: Workload, hw: HardwareConfig, design: HbmTiming): Sums {
  const s = newSums();
  const avail = refreshAvailability(design);
  const lat = fetchLatencies(design);
  const tim = dramProfileTiming(hw);
  const nReq = w.requests.length;
  const kCyc: number[] = [];
  const sdCyc: number[] = [];
  const leadCyc: number[] = [];
  const vCyc: number[] = [];
  const pvCyc: number[] = [];
  const tkCyc: number[] = [];
  const keyAlone: number[] = [];
  const keyPaired: number[] = [];
  const keyLag: number[] = [];
  const keyValue: number[] = [];
  const zC = expectedMaxNormal(dramUnits(hw));
  const g: GenChain = { fix: 0, fixPre: 0, k: 0, qk: 0, sm: 0, kL: 0, qkL: 0, smL: 0, tk: 0, v: 0, pv: 0 };
  const f: FlowRows = { d: [], q: [], l: [], v: [], p: [], n: [] };
  for (const r of w.requests) {
    const c = requestCore(r);
    const t = addRequestTraffic(s, r, hw, w.reuseKV, c.seen, avail, tim);
    kCyc.push(t.cK + requestLead(t.dc, t.bQ, t.bK, t.bL, 0, avail, t.bR) + zC * requestSpread(t.dc, t.bQ, t.bK, t.bL, 0, r.refetch, avail, t.bR));
    // the key-side stream on its own in DRAM-available time, and with the V stream it is paired with
    keyAlone.push(portStream(kCyc[kCyc.length - 1] * avail, t.bQ + t.bK + t.bL + t.bR, hw));
    sdCyc.push(requestSpread(t.dc, t.bQ, t.bK, t.bL, t.bV, r.refetch, avail, t.bR));
    leadCyc.push(requestLead(t.dc, t.bQ, t.bK, t.bL, t.bV, avail, t.bR));
    const st = addRequestCompute(s, r, hw, c, t, lat);
    vCyc.push(portStream(t.cV, t.bV, hw)); // the V stream on its own (the value window, the in-order bound)
    pvCyc.push(st.pv);
    tkCyc.push(st.tkV);
    keyLag.push(st.tkVLat);
    keyValue.push(portStream(t.cV * avail, t.bV, hw));
    keyPaired.push(pairedKeyStream(keyAlone[keyAlone.length - 1], st.tkVLat, keyValue[keyValue.length - 1], nReq));
    addRequestChain(s, g, f, r, hw, w.reuseKV, nReq, avail, t, st, lat);
  }
  const vFit = w.reuseKV ? [] : valueFits(w, hw);
  if (!w.reuseKV) {
    const stretch = finishGeneration(s, g, w, hw, { alone: keyAlone, paired: keyPaired, lag: keyLag, value: keyValue, gateLead: gateLead(s.gateTk, s.gateHeads) }, sdCyc, leadCyc, design, lat);
    // (with pruning only: sim/hw/gen-flow.ts `prunes`)
    if (w.requests.some((r) => r.valuesPerQuery < r.keys || r.topk >= 0) || headTopkRuns(w).length > 0) s.inOrder = generationInOrder(w, hw, lat, tkCyc, vCyc, pvCyc, vFit, stretch);
  }
  else s.inOrder = inOrderBound({ runCls: f.d.map((_, i) => i), runLen: f.d.map(() => 1), runs: f.d.length, ...f });
  for (const h of headTopkRuns(w)) {
    s.stTkT += expectedEngineCycles(designEngines(hw, w.requests[0]?.D ?? 64, softmaxLanes(hw)).tokenHead, h.n, h.k).busy;
    s.tkCompares += expectedTopkCompares(h.n, h.k);
  }
  if (!w.reuseKV) s.vWin = valueWindow(s, w, hw, vCyc, pvCyc, vFit, lat);
  return s;
}

/**
 * Generation: the value buffer's window (Sums.vWin): Σ over heads of how long each holds its value
 * lines (pipeline-math.ts valueHold) over the heads whose value lines fit at once, less one hold's
 * fixed part; 0 when it cannot exceed the busiest stage (valueWindowMayBind). A V stream shares the
 * channels with the key streams (the key side's DRAM time competes over the window's length, at
 * least the DRAM time: pipeline-math.ts windowFixedPoint).
 */
function valueWindow(s: Sums, w: Workload, hw: HardwareConfig, vCyc: number[], pvCyc: number[], fit: number[], lat: FetchLatencies): number {
  const nReq = w.requests.length;
  if (nReq === 0) return 0;
  const vLines = bufferLines(hw.valueSramKB, hw.pvMultipliers, hw.wordBits);
  const D = w.requests[0].D;
  let maxV = 0;
  for (const r of w.requests) maxV = Math.max(maxV, r.valuesFetched);
  if (!valueWindowMayBind(s, hw, lat, valueHeadsFit(hw, vLines, maxV, D, nReq, false))) return 0;
  const at = (share: number): number => {
    let v = 0;
    for (let i = 0; i < nReq; i++) v += valueHold(lat, vCyc[i] / share, pvCyc[i]) / fit[i];
    return v - (lat.val + L_BUF);
  };
  return windowFixedPoint(s.dramK, nReq, s.dramK + s.dramV, at);
}

/** Generation: the heads of each request's size whose value lines fit in the value buffer at once (pipeline-math.ts valueHeadsFit). */
function valueFits(w: Workload, hw: HardwareConfig): number[] {
  const vLines = bufferLines(hw.valueSramKB, hw.pvMultipliers, hw.wordBits);
  return w.requests.map((r) => valueHeadsFit(hw, vLines, r.valuesFetched, r.D, w.requests.length, false));
}

/** The HwResult of the reference model: the finalized metrics and the per-stream extras. */
function referenceResult(s: Sums, m: FastMetrics): HwResult {
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
      ...limitsExtra(m.limits),
    },
  };
}

/** The latency bounds (finalize.ts LatencyLimits) as `extra` entries, cycles: `limit_*` (the latency is the largest), `front_*` (the front's terms before their overlap). */
function limitsExtra(l: LatencyLimits): Record<string, number> {
  return Object.fromEntries((Object.keys(LIMIT_KEYS) as (keyof LatencyLimits)[]).map((f) => [LIMIT_KEYS[f], l[f]]));
}
