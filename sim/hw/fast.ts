/**
 * Fast path of the analytical model, part 2 (sim/hw/analytical.ts): the memoised stage sums and
 * `evaluatePrepared`, which evaluates a prepared workload on one hardware point without allocating.
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import { EngineCyclesCache, designEngines, expectedEngineCycles } from './topk.ts';
import { dramProfileTiming, dramTimingOf, newRequestDramCost, refreshAvailability, requestDramCost, leadOf, requestCostFrom, requestLead, requestSpread, spreadOf, type RequestDramCost } from './dram-cost.ts';
import { expectedMaxNormal } from './busiest-channel.ts';
import { L_ADMIT, L_BUF, fetchLatencies, mayEndBeforeRefresh, refreshStretch, dramStage, passesBound, shareBusy, windowFixedPoint, classPvCycles, pvLatency, qkLatency, smLatency } from './pipeline-math.ts';
import { createFastMetrics, finalize, zeroSums, type FastMetrics, type Sums } from './finalize.ts';
import { generationBytes, shapeOf, type ComboEntry, type DramSums, type PreparedWorkload, type ReqClass, type TopkSums } from './prepare.ts';
import { timingId, timingSightings } from './timing-id.ts';
import { subChannelCount, type HbmTiming } from '../cycle/hbm-timing.ts';
import { beginDesign, cachedGathers } from './gather-cache.ts';
import { GROUP, groupGathers } from './group-gathers.ts';
import { classRows, float64Views, windowOf, type SplitTerms, type WindowTable } from './window.ts';
import { valueWindow } from './value-window.ts';
import { reuseWindow } from './reuse-window.ts';
import { generationInOrder } from './gen-flow.ts';
import { chainGateInto } from './gate-slots.ts';

/** Σ m·(1+p)·rows over the classes (rows: window.ts classRows). */
function weightedRows(p: PreparedWorkload, rows: Float64Array): number {
  let v = 0;
  for (let i = 0; i < p.classes.length; i++) v += p.classes[i].mult * (1 + p.classes[i].p) * rows[i];
  return v;
}
function memoQk(p: PreparedWorkload, hw: HardwareConfig): number {
  return p.memoQk.get(hw, () => weightedRows(p, classRows(p, false, hw.qkMultipliers)));
}
function memoSm(p: PreparedWorkload, hw: HardwareConfig): number {
  return p.memoSm.get(hw, () => weightedRows(p, classRows(p, true, softmaxLanes(hw))));
}
/** The LSB passes' Q·K and softmax cycles, Σ m·p·one pass, written into the combination entry `e` (pipeline-math.ts passesBound). */
function lsbPassesInto(e: ComboEntry, p: PreparedWorkload, hw: HardwareConfig): ComboEntry {
  const rq = classRows(p, false, hw.qkMultipliers);
  const rs = classRows(p, true, softmaxLanes(hw));
  let qkL = 0;
  let smL = 0;
  for (let i = 0; i < p.classes.length; i++) {
    const c = p.classes[i];
    if (!(c.p > 0)) continue;
    qkL += c.mult * c.p * rq[i];
    smL += c.mult * c.p * rs[i];
  }
  e.qkL = qkL;
  e.smL = smL;
  return e;
}

/**
 * The stage sums and fixed latencies of the discrete compute knobs (memoCombo's value): one object
 * literal of its final shape, filled in the order the sums were made before (Q·K, softmax, the
 * LSB passes, prob·V, top-k), not a spread of the LSB sums into a new literal (two objects a new
 * design, the spread's a slow-path clone).
 */
function makeCombo(p: PreparedWorkload, hw: HardwareConfig): ComboEntry {
  const D = p.D;
  const e: ComboEntry = { qk: memoQk(p, hw), sm: memoSm(p, hw), qkL: 0, smL: 0, pv: 0, tk: NO_TOPK_SUMS, lQk: 0, lSm: 0, lPv: 0 };
  lsbPassesInto(e, p, hw);
  e.pv = memoPv(p, hw);
  e.tk = memoTopk(p, hw);
  e.lQk = qkLatency(hw.qkMultipliers, D) + L_BUF;
  e.lSm = smLatency(hw.qkMultipliers, D);
  e.lPv = pvLatency(hw.pvMultipliers, D) + L_BUF;
  return e;
}
/** A placeholder of ComboEntry.tk until memoTopk fills it (never read). */
const NO_TOPK_SUMS: TopkSums = { tkV: 0, tkVLat: 0, tkT: 0, gate: 0, gateHeads: 0, gateTk: 0, byClass: new Float64Array(0), latByClass: new Float64Array(0), lagKey: 0 };
function memoPv(p: PreparedWorkload, hw: HardwareConfig): number {
  return p.memoPv.get(hw, () => {
    let v = 0;
    for (const c of p.classes) v += c.mult * classPvCycles(c, hw.pvMultipliers);
    return v;
  });
}
/** Per-group DRAM terms of one design (scratch reused across designs: memoDram copies what it keeps). */
let gKc = new Float64Array(64);
let gKL = new Float64Array(64);
let gSd = new Float64Array(64);
let gLead = new Float64Array(64);
let gKw = new Float64Array(64);
let gV = new Float64Array(64);
let gVc = new Float64Array(64);
let gActs = new Float64Array(64);

function ensureGroups(G: number): void {
  if (gKc.length >= G) return;
  gKc = new Float64Array(G);
  gKL = new Float64Array(G);
  gSd = new Float64Array(G);
  gLead = new Float64Array(G);
  gKw = new Float64Array(G);
  gV = new Float64Array(G);
  gVc = new Float64Array(G);
  gActs = new Float64Array(G);
}


const scratchCost = newRequestDramCost();

/** Prices each DRAM group's streams once; summarization keeps the costs, generation its key-side cycles, spread, V bytes, V cycles per byte and activations. */
function priceGroups(p: PreparedWorkload, hw: HardwareConfig, d: DramSums, groupCost: RequestDramCost[], tim: HbmTiming): void {
  const avail = d.avail;
  const G = p.dramReps.length;
  ensureGroups(G);
  if (p.reuseKV) {
    for (let g = 0; g < G; g++) groupCost[g] = requestDramCost(shapeOf(p.classes[p.dramReps[g]]), hw.dramChannels, tim, hw.clockGHz);
    return;
  }
  // generation keeps only the sums below: the groups' gather costs first, in a loop of look-ups only, then the sums
  beginDesign(tim, hw.dramChannels, hw.clockGHz);
  const k = groupGathers(p, G);
  for (let g = 0; g < G; g++) {
    const c = p.classes[p.dramReps[g]];
    const j = GROUP * g; // Q, K, LSB, V at j, j + 4, j + 8, j + 12: (cycles, activations, σ, lead) per byte
    const { q: bQ, k: bK, l: bL, v: bV } = generationBytes(c);
    gKc[g] = (bQ * k[j] + bK * k[j + 4] + bL * k[j + 8]) / avail;
    gKL[g] = (bL * k[j + 8]) / avail;
    gSd[g] = spreadOf(k[j + 2], k[j + 6], k[j + 10], k[j + 14], bQ, bK, bL, bV, c.p, avail);
    gLead[g] = leadOf(k[j + 3], k[j + 7], k[j + 11], k[j + 15], bQ, bK, bL, bV, avail);
    gKw[g] = gKc[g] + leadOf(k[j + 3], k[j + 7], k[j + 11], 0, bQ, bK, bL, 0, avail) + d.zC * spreadOf(k[j + 2], k[j + 6], k[j + 10], k[j + 14], bQ, bK, bL, 0, c.p, avail);
    gV[g] = bV;
    gVc[g] = k[j + 12];
    gActs[g] = bQ * k[j + 1] + bK * k[j + 5] + bL * k[j + 9] + bV * k[j + 13];
  }
}

/**
 * A workload with refetches on a design whose key buffer some head does not fit (window.ts
 * windowTable asks, once per table): each DRAM group's terms as a head that splits the buffer, its LSB
 * pass fetching the MSBs again, priced as its K stream (reference.ts addRequestTraffic). Kept on
 * the DRAM entry; an entry used once writes them into the workload's scratch (`onceRe`).
 */
function rereadOf(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums): SplitTerms {
  if (dram.re !== undefined) return dram.re;
  const G = p.dramReps.length;
  const [sd, lead, kw, k, a] = dram.kept ? float64Views(5, G) : (p.onceRe ??= float64Views(5, G));
  // per DRAM group: σ, lead, key-side time, re-read cycles, activations
  ensureGroups(G);
  const tim = dramProfileTiming(hw);
  const avail = dram.avail;
  beginDesign(tim, hw.dramChannels, hw.clockGHz);
  for (let g = 0; g < G; g++) {
    const c = p.classes[p.dramReps[g]];
    const dc = requestCostFrom(scratchCost, shapeOf(c), cachedGathers);
    const { q: bQ, k: bK, l: bL, v: bV } = generationBytes(c);
    const bR = c.p * bK;
    const kc = (bQ * dc.q.cyclesPerByte + (bK + bR) * dc.k.cyclesPerByte + bL * dc.lsb.cyclesPerByte) / avail;
    sd[g] = requestSpread(dc, bQ, bK, bL, bV, c.p, avail, bR);
    lead[g] = requestLead(dc, bQ, bK, bL, bV, avail, bR);
    kw[g] = kc + requestLead(dc, bQ, bK, bL, 0, avail, bR) + dram.zC * requestSpread(dc, bQ, bK, bL, 0, c.p, avail, bR);
    k[g] = (bR * dc.k.cyclesPerByte) / avail;
    a[g] = bR * dc.k.activationsPerByte;
  }
  return (dram.re = { sd, lead, kw, k, a, zC: dram.zC, cs: p.classes });
}

/**
 * The per-group arrays (sd, kw, vw) of the workload's DRAM entries that are used once and dropped:
 * one set per prepared workload, overwritten by the next such entry. Safe because such an entry
 * is never stored (the memo's admit rule, windowOf keeps no order for it) and is replaced as the
 * memo's last value by the workload's next DRAM entry, which is the only writer of the set.
 */
function onceDram(p: PreparedWorkload): Float64Array[] {
  return (p.onceDram ??= float64Views(4, p.dramReps.length));
}

/**
 * The DRAM sums of a design, memoised — unless the design's DRAM timing is one no other design has
 * asked about (timing-id.ts timingSightings: every point of a sweep over continuous DRAM knobs has
 * its own): such an entry is used and dropped (`kept` false, and windowOf keeps no order for it),
 * so a sweep of distinct points retains nothing per point; a second design with the same timing
 * is kept as before.
 */
function memoDram(p: PreparedWorkload, hw: HardwareConfig): DramSums {
  return p.memoDram.get(
    hw,
    () => {
      const design = dramTimingOf(hw);
      const avail = refreshAvailability(design);
      const C = p.classes.length;
      const tim = dramProfileTiming(hw);
      const kept = timingSightings(timingId(tim)) > 1;
      // an entry used once writes its per-group terms into the workload's scratch (`onceDram`)
      const [sd, lead, kw, vw] = kept ? float64Views(4, p.dramReps.length) : onceDram(p);
      // the per-class stream costs are kept for summarization only (generation keeps its sums)
      // the (sub-)channel count: the profile timing has the design timing's mapping and PCs
      const d: DramSums = { cost: p.reuseKV ? new Array(C) : NO_COSTS, avail, tRFC: design.tRFC, tREFI: design.tREFI, lat: fetchLatencies(design), sd, lead, kw, vw, re: undefined, vWin: undefined, spill: undefined, zC: expectedMaxNormal(subChannelCount(tim, hw.dramChannels)), dramK: 0, dramV: 0, acts: 0, dramKL: 0, kept };
      const groupCost: RequestDramCost[] = p.reuseKV ? new Array(p.dramReps.length) : NO_COSTS;
      priceGroups(p, hw, d, groupCost, tim);
      if (p.reuseKV) for (let i = 0; i < C; i++) d.cost[i] = groupCost[p.dramGroup[i]];
      else sumGroups(p, d);
      return d;
    },
    keptEntry,
  );
}
const keptEntry = (d: DramSums): boolean => d.kept;
/** Generation's (empty) per-class and per-group cost lists: it keeps sums, not costs; frozen, so a write would throw. */
const NO_COSTS = Object.freeze([]) as unknown as RequestDramCost[];

/** Generation: each DRAM group's σ and key-side time, and the workload's DRAM sums (in class order, in locals). */
function sumGroups(p: PreparedWorkload, d: DramSums): void {
  const avail = d.avail;
  let dramK = 0;
  let dramKL = 0;
  let dramV = 0;
  let acts = 0;
  for (let i = 0; i < p.classes.length; i++) {
    const g = p.dramGroup[i];
    const m = p.classes[i].mult;
    dramK += m * gKc[g];
    dramKL += m * gKL[g];
    dramV += (m * gV[g] * gVc[g]) / avail;
    acts += m * gActs[g];
  }
  for (let g = 0; g < p.dramReps.length; g++) {
    d.sd[g] = gSd[g];
    d.lead[g] = gLead[g];
    d.kw[g] = gKw[g];
    d.vw[g] = (gV[g] * gVc[g]) / avail;
  }
  d.dramK = dramK;
  d.dramKL = dramKL;
  d.dramV = dramV;
  d.acts = acts;
}

/** The engines' cycles by (n, k) within one `memoTopk` (pairs repeat over the generation steps). */
const localV = new EngineCyclesCache();
/** The last TopkSums.lagKey handed out. */
let lagKeys = 0;
const tokenHead = new EngineCyclesCache();
/** `mult` token/head top-ks of k among n on the token/head engine into `t`: busy, and with gating the bubble (its latency + `fix`). */
function addTokenTopk(t: TopkSums, mult: number, n: number, k: number, gate: boolean, fix: number): void {
  const e = tokenHead.at(n, k);
  t.tkT += mult * tokenHead.cycles[e];
  if (gate) {
    t.gate += mult * (tokenHead.cycles[e + 1] + fix);
    t.gateHeads += mult;
    t.gateTk += mult * tokenHead.cycles[e + 1];
  }
}
/** Σ local-V engine busy and latency, the token/head engine's busy, and the gate bubbles. */
function memoTopk(p: PreparedWorkload, hw: HardwareConfig): TopkSums {
  return p.memoTk.get(hw, () => {
    const eng = designEngines(hw, p.D, softmaxLanes(hw));
    localV.reset(eng.localV);
    tokenHead.reset(eng.tokenHead);
    // a gated head's bubble without its key pass's fetch latency (DramSums.lat, added by evaluatePrepared)
    const fix = L_ADMIT + qkLatency(hw.qkMultipliers, p.D) + L_BUF + smLatency(hw.qkMultipliers, p.D);
    const t: TopkSums = { tkV: 0, tkVLat: 0, tkT: 0, gate: 0, gateHeads: 0, gateTk: 0, byClass: new Float64Array(p.classes.length), latByClass: new Float64Array(p.classes.length), lagKey: 0 };
    // local-V top-k per class (classTkV without its per-class memo), reused while (q, n, k) repeat
    let pq = NaN;
    let pn = NaN;
    let pk = NaN;
    let busy = 0;
    let latency = 0;
    for (let i = 0; i < p.classes.length; i++) {
      const c = p.classes[i];
      if (c.localV) {
        if (c.q !== pq || c.tkN !== pn || c.tkK !== pk) {
          const e = localV.at(c.tkN, c.tkK);
          busy = c.q * localV.cycles[e];
          latency = c.q * localV.cycles[e + 1];
          pq = c.q;
          pn = c.tkN;
          pk = c.tkK;
        }
        t.tkV += c.mult * busy;
        t.tkVLat += c.mult * latency;
        t.byClass[i] = busy;
        t.latByClass[i] = latency;
      }
      if (c.topk >= 0) addTokenTopk(t, c.mult, c.topk > c.k ? Math.max(c.L, c.k) : c.k, c.topk, hw.gateTokenTopk, fix); // over L: reference.ts
    }
    // the token top-k kept apart from the classes (generation)
    const tok = p.tokens;
    for (let j = 0; j < tok.length; j += 3) addTokenTopk(t, tok[j + 2], tok[j], tok[j + 1], hw.gateTokenTopk, fix);
    for (const h of p.headRuns) t.tkT += h.mult * expectedEngineCycles(eng.tokenHead, h.n, h.k).busy;
    // the window orders read the lags and the gated boundaries' lead (window.ts windowOrder)
    if (t.tkVLat > 0 || t.gateHeads > 0) t.lagKey = ++lagKeys;
    return t;
  });
}

/**
 * Fast evaluation of a prepared workload on one hardware point. Writes into `out` (allocated
 * once with `createFastMetrics()`) and allocates nothing on the generation path once the memo
 * tables hold the hardware's discrete values.
 */
export function evaluatePrepared(p: PreparedWorkload, hw: HardwareConfig, out: FastMetrics = createFastMetrics()): FastMetrics {
  const dram = evaluateOnce(p, hw, out);
  // a run that ends before the first all-bank refresh meets none (reference.ts analyticalModel)
  if (!mayEndBeforeRefresh(out.cycles, dram.tRFC, dram.tREFI)) return out;
  evaluateOnce(p, { ...hw, dramRefresh: false }, out);
  if (out.cycles > dram.tREFI) evaluateOnce(p, hw, out);
  return out;
}

/** `evaluatePrepared` with the refresh terms as expectations; returns the design's DRAM sums. */
function evaluateOnce(p: PreparedWorkload, hw: HardwareConfig, out: FastMetrics): DramSums {
  const s = zeroSums(p.scratch);
  const D = p.D;
  const wb = hw.wordBits;
  const dram = memoDram(p, hw);
  const cmb = p.memoCombo.get(hw, () => makeCombo(p, hw));
  s.stQk = cmb.qk;
  s.stSm = cmb.sm;
  s.stPv = cmb.pv;
  s.stTkV = cmb.tk.tkV;
  s.stTkT = cmb.tk.tkT;
  s.tkVLat = cmb.tk.tkVLat;
  s.gate = cmb.tk.gate + cmb.tk.gateHeads * dram.lat.key;
  s.gateHeads = cmb.tk.gateHeads;
  s.gateTk = cmb.tk.gateTk;
  s.gateLag = cmb.tk.gateHeads * (cmb.lQk + cmb.lSm);
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
  // admission (stage 1) once a head, each key pass from stage 2, the value side from stage 16 (reference.ts addRequestChain)
  const lat = dram.lat;
  const preSum = p.requests * L_ADMIT + p.sumW1 * (lat.key + lQk + lSm);
  const fixSum = preSum + p.requests * (lat.val + lPv);
  s.drain = p.requests > 0 ? L_ADMIT + lat.key + lQk + lSm + lat.val + lPv : 0;

  if (!p.reuseKV) generationWindow(s, p, hw, dram, cmb.tk, lQk, lSm, lPv, preSum, fixSum, cmb.qkL, cmb.smL);
  else reuseWindow(s, p, hw, dram, lQk, lSm, lPv);
  finalize(s, hw, out);
  return dram;
}

/** Generation: DRAM sums, the chain, and Σ window/heads in flight from the memoised crossover table (allocates nothing once memoised). */
function generationWindow(s: Sums, p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, tk: TopkSums, lQk: number, lSm: number, lPv: number, preSum: number, fixSum: number, qkL: number, smL: number): void {
  const wb = hw.wordBits;
  // the window table also sums what the heads that split the key buffer fetch again (their MSBs)
  const tab = windowOf(p, hw, dram, tk, p.refetches ? rereadOf : undefined);
  s.bytesKMsb = p.bytesKMsb + tab.reBytes;
  s.bytesKLsb = p.bytesKLsb;
  s.bytesV = p.bytesV;
  s.keyW = p.keyWriteElems * wb + p.keyWriteLsbBits + tab.reWrites * wb;
  s.valW = p.valWriteElems * wb;
  s.dramK = dram.dramK + tab.reK;
  s.dramV = dram.dramV;
  s.acts = dram.acts + tab.reA;
  const gK = s.dramK;
  const gV = dram.dramV;
  // Only admission → final decision is limited by the heads in flight (reference.ts finishGeneration).
  s.chainHeads = Math.max(1, Math.min(hw.inFlight, p.requests));
  const post = p.requests > 0 ? (fixSum - preSum + s.tkVLat + Math.max(gV, s.stPv)) / p.requests : 0;
  // each key pass its own fetch ∥ Q·K ∥ softmax overlap: the MSB passes, then the LSB passes (with the MSBs a split head re-reads)
  s.chain = preSum + passesBound(gK, s.stQk, s.stSm, dram.dramKL + tab.reK, qkL, smL) + s.chainHeads * post;
  s.requests = p.requests;
  s.gen = true;
  s.gateLayerHeads = hw.gateTokenTopk ? p.gateLayerHeads : 0;
  if (hw.gateTokenTopk && p.gates.H.length > 0) {
    s.gateSlots = tab.gate.slots;
    s.gateStagger = tab.gate.staggers;
    s.gateRefetch = tab.gate.refetch;
    chainGateInto(s, p.gates, s.chainHeads);
  }
  s.tail = p.requests > 0 ? dram.lat.val + lPv : 0;
  // Window (admission → final decision) per class, over the heads that can be in flight:
  // Σ m·((1+p)·lFix + max(kc/share, paired key stream, Q·K, softmax))/n, from the memoised
  // crossover table (kc: the key-side stream on its own in DRAM-available time). All-bank refresh
  // stalls the window too (reference.ts finishGeneration, pipeline-math.ts refreshStretch): a class
  // is fetch-bound when x/kc < 1/share; then the stretch for a mean slot of T with d on the DRAM.
  win.tab = tab;
  win.dram = dram;
  win.lKey = dram.lat.key + lQk + lSm;
  s.win = windowFixedPoint(s.dramV, s.requests, shareBusy(s, dramStage(s, hw)), windowAtShare);
  s.dramImb = tab.imb;
  s.winHeads = tab.heads;
  s.winPair = tab.pair;
  s.vWin = valueWindow(s, p, hw, dram);
  s.inOrder = p.prunes ? generationInOrder(p, hw, dram, tk, win.lKey, win.stretch) : 0;
}

/** What `windowAtShare` reads: the design's window table and DRAM entry (set before each use); and the refresh stretch of its last call. */
const win = { tab: undefined as unknown as WindowTable, dram: undefined as unknown as DramSums, lKey: 0, stretch: 1 };

/**
 * Σ window / heads in flight when the key side gets `share` of the DRAM (reference.ts
 * generationWindowAt), from the memoised crossover table: Σ m·((1+p)·lFix + max(kc/share, x))/n,
 * a class fetch-bound when x/kc < 1/share (kc its key stream on its own in DRAM-available time, x
 * the largest of its Q·K, softmax and paired key stream); the heads that split the key buffer one
 * by one; all-bank refresh stretches it for a mean slot of T with d on the DRAM (pipeline-math.ts
 * refreshStretch).
 */
function windowAtShare(share: number): number {
  const { tab, dram } = win;
  const thr = tab.thr;
  const C = thr.length;
  const cut = 1 / share;
  let lo = 0;
  let hi = C;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thr[mid] < cut) lo = mid + 1;
    else hi = mid;
  }
  let split = 0;
  let splitF = 0;
  for (let i = 0; i < tab.splitF.length; i++) {
    split += Math.max(tab.splitF[i] * cut, tab.splitX[i]);
    splitF += tab.splitF[i];
  }
  const W = tab.heads * L_ADMIT + tab.fixW * win.lKey + tab.prefF[lo] * cut + (tab.prefX[C] - tab.prefX[lo]) + split;
  const Dm = tab.heads * L_ADMIT + tab.fixW * dram.lat.key + (tab.prefF[C] + splitF) * cut;
  win.stretch = tab.heads > 0 ? refreshStretch(W / tab.heads, Dm / tab.heads, dram.tRFC, dram.tREFI) : 1;
  return tab.heads > 0 ? W * win.stretch : 0;
}

