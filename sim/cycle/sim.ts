/**
 * Event-driven cycle-level simulator of the SpAtten pipeline (paper §IV, Fig. 8; official RTL
 * stage table, spec §1.5). See sim/cycle/README.md for the model description and fidelity.
 *
 * Time advances from event to event (a binary heap of timestamped events); no loop ever walks
 * idle cycles. Resources:
 *  - admission (stage 1–2): at most `inFlight` requests between admission and their final
 *    progressive-quantization decision, key-buffer lines allocated FIFO (a request waits while
 *    the buffer is full, 16 live allocations at most); optionally (`gateTokenTopk`) the cascade
 *    token top-k of the previous layer must have finished (its output is the next layer's
 *    key-id list);
 *  - DRAM: the Q-K-V fetcher's key side (Q + K MSB and LSB passes, in issue order) and value side
 *    (V of kept tokens) share the HBM channels round-robin (the fetcher arbitrates per fragment);
 *    each stream's cost comes from the bank-level HBM2 model (dram.ts) and the channel set is
 *    shared as a fluid between the active key and value streams, with refresh windows;
 *  - Q·K array, softmax, requant decision, local-V top-k (quick-select stage + filter stage),
 *    token/head top-k engine, prob·V array: in-order servers; a streaming stage may start when
 *    its producer's first data arrive (plus latency) and cannot end before the producer ends;
 *  - value-buffer lines, allocated when the V ids leave the top-k filter, released after prob·V.
 * A head larger than a buffer is split in generation (the buffer streams it) and spills in
 * summarization (the non-resident keys/values are fetched again for every query).
 * Progressive quantization: after softmax the decision stage holds the row; a refetching head
 * re-enters the key side for its LSBs (4-bit, written into the low bits of the same lines), is
 * re-read, recomputed, and re-decided; later heads wait behind it (order preserved).
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import type { HeadRequest, Workload } from '../workload/types.ts';
import { refetchDraws, mulberry32 } from '../workload/trace.ts';
import type { Activity, HwResult, StageCycles } from '../hw/types.ts';
import { emptyActivity } from '../hw/types.ts';
import { energyFromActivity } from '../hw/energy.ts';
import { areaOf } from '../hw/area.ts';
import pipe from '../hw/tables/pipeline.json' with { type: 'json' };
import { availableBefore, hbmTiming, profileStream, subChannels, timeForAvailable, type HbmTiming, type StreamProfile } from './dram.ts';
import { quickSelectRandom } from './topk.ts';
import { derivedMetrics } from '../metrics.ts';

export interface CycleOptions {
  /** Seed of the per-head refetch draws and the quick-select pivots (default 1). */
  seed?: number;
  /**
   * The next layer's requests wait for the cascade token top-k of the previous layer (its output
   * is their key-id list). Default false, like the official RTL harness (no dependency between
   * layers or iterations) and the paper ("token/head top-k run in parallel with the critical
   * path"); the engine is still a resource whose backlog delays the end of the run.
   */
  gateTokenTopk?: boolean;
  /** HBM refresh (default true). */
  refresh?: boolean;
  /** DRAM scheduler window per channel in 32-B requests (default 32; the official DPI shim: 16). */
  dramQueueDepth?: number;
  /** Address mapping inside a channel (default PC-interleaved 'RoBaCoRaCh'; official: 'RoBaRaCoCh'). */
  dramMapping?: 'RoBaRaCoCh' | 'RoBaCoRaCh';
  /**
   * Width of the top-k engine's filter pass (the re-stream of the buffered scores against the
   * k-th value, Fig. 9 left). 'comparators' (default): P elements per cycle, like the quick-select
   * rounds (the paper does not size the filter). 'qk': the Q·K output rate S = ⌊M/D⌋ per cycle,
   * as in the official RTL — `TopKDummy` drains one S-wide fragment per cycle after its
   * `topk_latency` (occupancy ≈ topk_latency + ⌈K/S⌉, spec §1.9) and the real `TopK`
   * re-streams its S-wide data FIFO; `topk_parallelism` only shortens the quick-select.
   */
  topkFilter?: 'comparators' | 'qk';
}

/** The paper's "196 KB" is 2 × 1024 × 64 × 12 b = 196,608 B: SRAM sizes are read in those units. */
export const PAPER_KB_BYTES = 196608 / 196;
const MAX_ALLOCS = 16;

const L_ISSUE = pipe.fetchIssueLatency.value;
const L_CONVERT = pipe.convertLatency.value;
const L_BUFW = pipe.bufferWriteLatency.value;
const L_BUFR = pipe.bufferReadLatency.value;
const L_SOFTMAX = pipe.softmaxLatency.value;
/** DRAM-side registers around the HBM model: AR register, DPI pending register, result register. */
const L_DRAM_REGS = 3;

for (const [k, v] of Object.entries({ L_ISSUE, L_CONVERT, L_BUFW, L_BUFR, L_SOFTMAX })) {
  if (!Number.isFinite(v)) throw new Error(`sim/cycle: pipeline constant ${k} is not a number (sim/hw/tables/pipeline.json)`);
}

const LOG2C: number[] = [];
const log2c = (x: number): number => {
  if (x <= 1) return 0;
  if (x < 4096) return (LOG2C[x] ??= Math.ceil(Math.log2(x)));
  return Math.ceil(Math.log2(x));
};

// ── stream-profile memo (pure function of its key; bounded) ────────────────────────────────
type ProfileMap = Map<number, StreamProfile>;
const profileMemo = new Map<string, ProfileMap>();
let profileCount = 0;
/** The memo table of one (channel count, timing) combination. */
function profileTable(ch: number, t: HbmTiming): ProfileMap {
  const k = `${ch}|${t.tBurst}|${t.tCCDL}|${t.tCL}|${t.tRCD}|${t.tRP}|${t.tRAS}|${t.tRC}|${t.tRRDS}|${t.tRRDL}|${t.tFAW}|${t.queueDepth}|${t.mapping}`;
  let m = profileMemo.get(k);
  if (!m) {
    m = new Map();
    profileMemo.set(k, m);
  }
  return m;
}
function memoProfile(table: ProfileMap, L: number, n: number, B: number, ch: number, t: HbmTiming): StreamProfile {
  // L, n < 2^21 and B < 2^11 (schema: seqLen ≤ 16384 + genTokens ≤ 4096, D·32 bits / 8).
  const key = (B * 2097152 + L) * 2097152 + n;
  let p = table.get(key);
  if (!p) {
    if (++profileCount > 40000) {
      for (const m of profileMemo.values()) m.clear();
      profileCount = 0;
    }
    p = profileStream(L, n, B, ch, t);
    table.set(key, p);
  }
  return p;
}

/** Per-channel occupancy of a stream made of scaled parts (memoised per part list; bounded). */
const combined = new Map<string, Float64Array>();
const profileIds = new WeakMap<StreamProfile, number>();
let nextProfileId = 0;
function profileId(p: StreamProfile): number {
  let id = profileIds.get(p);
  if (id === undefined) {
    id = nextProfileId++;
    profileIds.set(p, id);
  }
  return id;
}
function combineParts(parts: readonly (readonly [StreamProfile, number])[]): Float64Array {
  let key = '';
  for (const [p, sc] of parts) key += `${profileId(p)}*${sc};`;
  let o = combined.get(key);
  if (!o) {
    if (combined.size > 20000) combined.clear();
    o = new Float64Array(parts[0][0].occ.length);
    for (const [p, sc] of parts) for (let c = 0; c < o.length; c++) o[c] += p.occ[c] * sc;
    combined.set(key, o);
  }
  return o;
}

/** Fusion factor: vectors whose size is not a multiple of 32 B are stored interleaved for 2 (or 4) heads (RTL fused pairs). */
export function fuseFactor(bytesPerToken: number): number {
  for (const g of [1, 2, 4, 8]) if ((bytesPerToken * g) % 32 === 0) return g;
  return 1;
}

/** A fetch stream (shared by identical consecutive heads; the request index travels in the event). */
interface Stream {
  kind: 0 | 1 | 2; // 0 = Q + K MSBs, 1 = K LSBs, 2 = V
  /** Per-(sub-)channel occupancy: main part × its share (1/g for fused pairs) + optional second part (Q, or refetched MSBs). */
  occ: Float64Array;
  bursts: number;
  firstLat: number;
}

// ── event heap ─────────────────────────────────────────────────────────────────────────────
const EV_ADMIT = 0;
const EV_KARRIVE = 1;
const EV_VARRIVE = 2;
const EV_DRAM = 3;
const EV_DECISION = 4;
const EV_VRELEASE = 5;
const EV_VALLOC = 6;

/** Binary min-heap of (time, seq) with an event kind and argument, in typed arrays. */
class Heap {
  private t = new Float64Array(256);
  private sq = new Float64Array(256);
  private kd = new Int32Array(256);
  private ar = new Int32Array(256);
  private n = 0;
  private s = 0;
  /** Filled by pop(). */
  outT = 0;
  outKind = 0;
  outA = 0;
  get size() {
    return this.n;
  }
  private grow() {
    const cap = this.t.length * 2;
    const t = new Float64Array(cap);
    t.set(this.t);
    this.t = t;
    const sq = new Float64Array(cap);
    sq.set(this.sq);
    this.sq = sq;
    const kd = new Int32Array(cap);
    kd.set(this.kd);
    this.kd = kd;
    const ar = new Int32Array(cap);
    ar.set(this.ar);
    this.ar = ar;
  }
  push(time: number, kind: number, a: number) {
    if (this.n === this.t.length) this.grow();
    const T = this.t;
    const SQ = this.sq;
    const KD = this.kd;
    const AR = this.ar;
    let i = this.n++;
    const q = this.s++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = T[p];
      if (tp < time || (tp === time && SQ[p] < q)) break;
      T[i] = tp;
      SQ[i] = SQ[p];
      KD[i] = KD[p];
      AR[i] = AR[p];
      i = p;
    }
    T[i] = time;
    SQ[i] = q;
    KD[i] = kind;
    AR[i] = a;
  }
  pop() {
    const T = this.t;
    const SQ = this.sq;
    const KD = this.kd;
    const AR = this.ar;
    this.outT = T[0];
    this.outKind = KD[0];
    this.outA = AR[0];
    const n = --this.n;
    if (n === 0) return;
    const t = T[n];
    const q = SQ[n];
    const k = KD[n];
    const a = AR[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (T[c + 1] < T[c] || (T[c + 1] === T[c] && SQ[c + 1] < SQ[c]))) c++;
      if (t < T[c] || (t === T[c] && q < SQ[c])) break;
      T[i] = T[c];
      SQ[i] = SQ[c];
      KD[i] = KD[c];
      AR[i] = AR[c];
      i = c;
    }
    T[i] = t;
    SQ[i] = q;
    KD[i] = k;
    AR[i] = a;
  }
}

/** Keys (or values) per array line and cycles per line for an M-lane array and head dim D. */
function lanes(M: number, D: number): { per: number; cpl: number } {
  return M >= D ? { per: Math.floor(M / D), cpl: 1 } : { per: 1, cpl: Math.ceil(D / M) };
}

export function simulateCycle(w: Workload, hw: HardwareConfig, opts: CycleOptions = {}): HwResult {
  const seed = opts.seed ?? 1;
  const gate = opts.gateTokenTopk ?? false;
  const tim = hbmTiming(hw, { refresh: opts.refresh, queueDepth: opts.dramQueueDepth, mapping: opts.dramMapping });
  const ptab = profileTable(hw.dramChannels, tim);
  const reqs = w.requests;
  const N = reqs.length;
  const Ch = hw.dramChannels;
  const P = hw.topkParallelism;
  // Filter-pass cycles over n scores (see CycleOptions.topkFilter).
  const filterQk = opts.topkFilter === 'qk';
  const filterCycles = (n: number, D: number): number => {
    if (!filterQk) return Math.ceil(n / P);
    const l = lanes(hw.qkMultipliers, D);
    return Math.ceil(n / l.per) * l.cpl;
  };
  const Psm = softmaxLanes(hw);
  const C = hw.fetcherPorts;
  const reuse = w.reuseKV;

  const keyLineBits = hw.qkMultipliers * hw.wordBits;
  const valLineBits = hw.pvMultipliers * hw.wordBits;
  const keyBufLines = Math.floor((hw.keySramKB * PAPER_KB_BYTES * 8) / keyLineBits + 1e-9);
  const valBufLines = Math.floor((hw.valueSramKB * PAPER_KB_BYTES * 8) / valLineBits + 1e-9);
  if (keyBufLines < 2 || valBufLines < 2) throw new Error(`simulateCycle: key/value SRAM too small for one line pair (${keyBufLines}/${valBufLines} lines)`);

  const refetch = refetchDraws(w, seed);
  const rngV = mulberry32(seed * 2654435761 + 17);
  // Quick-select cost for the local-V engine without allocation (same algorithm and draws as
  // quickSelectRandom with rngV): returns cycles, leaves the comparisons in qsCompares.
  let qsCompares = 0;
  const qsLocal = (n0: number, k: number): number => {
    let n = n0;
    let t = Math.min(Math.max(k, 1), n) - 1;
    let cycles = 0;
    let compares = 0;
    while (n > 0) {
      cycles += Math.ceil(n / P) + 3;
      compares += n;
      const pr = Math.floor(rngV() * n);
      if (t < pr) n = pr;
      else if (t === pr) break;
      else {
        t -= pr + 1;
        n -= pr + 1;
      }
    }
    qsCompares = compares;
    return cycles;
  };
  const rngT = mulberry32(seed * 2246822519 + 29);

  // ── per-request static quantities ───────────────────────────────────────────────────────
  const qkWork = new Float64Array(N);
  const smWork = new Float64Array(N);
  const pvWork = new Float64Array(N);
  const keyLines = new Int32Array(N);
  const valLines = new Int32Array(N);
  const kStream: Stream[] = new Array(N);
  const lsbStream: (Stream | null)[] = new Array(N).fill(null);
  const vStream: (Stream | null)[] = new Array(N).fill(null);
  const qkLat = new Float64Array(N);
  const reqLat = new Float64Array(N);
  const pvLat = new Float64Array(N);
  const act: Activity = emptyActivity();
  let hits = 0;
  let misses = 0;
  let bursts = 0;
  let splits = 0;
  let occMaxSum = 0;
  let occMeanSum = 0;

  const addProfile = (p: StreamProfile, sc: number) => {
    hits += p.hits * sc;
    misses += p.misses * sc;
    bursts += p.bursts * sc;
    occMaxSum += p.occupancy * sc;
    occMeanSum += p.meanOccupancy * sc;
  };
  /** A gather of n of L token vectors of B bytes, scaled (fused pairs fetch 2 heads' vectors at once). */
  const part = (L: number, n: number, B: number, scale = 1): [StreamProfile, number] => {
    const g = fuseFactor(B);
    return [memoProfile(ptab, L, n, B * g, Ch, tim), scale / g];
  };
  const streamOf = (kind: 0 | 1 | 2, parts: [StreamProfile, number][]): Stream => {
    let b = 0;
    let first = Infinity;
    const used = parts.filter(([p, sc]) => sc > 0 && p.bursts > 0);
    if (used.length === 0) used.push(parts[0]);
    for (const [p, sc] of used) {
      addProfile(p, sc);
      b += p.bursts * sc;
      first = Math.min(first, p.firstLatency);
    }
    act.dramBytes += b * tim.burstBytes;
    return { kind, occ: combineParts(used), bursts: b, firstLat: first + L_DRAM_REGS + L_ISSUE };
  };

  // Consecutive identical heads (all heads of a layer, usually) reuse the previous one's
  // quantities; the activity increments of the last computed head are re-added.
  const delta = new Float64Array(15);
  const acc = (): number[] => [act.qkMacs, act.pvMacs, act.softmaxElems, act.keySramWriteBits, act.keySramReadBits, act.valueSramWriteBits, act.valueSramReadBits, act.dramBytes, hits, misses, bursts, occMaxSum, occMeanSum, splits, 0];
  const same = (a: HeadRequest, b: HeadRequest) =>
    a.D === b.D && a.L === b.L && a.queries === b.queries && a.keys === b.keys && a.valuesFetched === b.valuesFetched && a.valuesPerQuery === b.valuesPerQuery &&
    a.keyBits === b.keyBits && a.lsbBits === b.lsbBits && a.valueBits === b.valueBits && a.queryBits === b.queryBits && a.causal === b.causal;
  for (let i = 0; i < N; i++) {
    const r = reqs[i];
    if (i > 0 && refetch[i] === refetch[i - 1] && same(r, reqs[i - 1])) {
      const j = i - 1;
      qkWork[i] = qkWork[j];
      smWork[i] = smWork[j];
      pvWork[i] = pvWork[j];
      qkLat[i] = qkLat[j];
      reqLat[i] = reqLat[j];
      pvLat[i] = pvLat[j];
      keyLines[i] = keyLines[j];
      valLines[i] = valLines[j];
      kStream[i] = kStream[j];
      lsbStream[i] = lsbStream[j];
      vStream[i] = vStream[j];
      act.qkMacs += delta[0];
      act.pvMacs += delta[1];
      act.softmaxElems += delta[2];
      act.keySramWriteBits += delta[3];
      act.keySramReadBits += delta[4];
      act.valueSramWriteBits += delta[5];
      act.valueSramReadBits += delta[6];
      act.dramBytes += delta[7];
      hits += delta[8];
      misses += delta[9];
      bursts += delta[10];
      occMaxSum += delta[11];
      occMeanSum += delta[12];
      splits += delta[13];
      continue;
    }
    const before = acc();
    const D = r.D;
    const qk = lanes(hw.qkMultipliers, D);
    const pv = lanes(hw.pvMultipliers, D);
    const q = Math.max(1, r.queries);
    const K = r.keys;
    // Keys seen per query (causal prompt: query j sees K − q + j + 1 keys).
    let qkLinesSum = 0;
    let smSum = 0;
    let pvSum = 0;
    let keysSeenSum = 0;
    let valsSum = 0;
    const vpqFull = Math.min(r.valuesPerQuery, K);
    if (r.causal && q > 1) {
      for (let j = 0; j < q; j++) {
        const seen = Math.max(1, K - q + j + 1);
        const vpq = Math.max(1, Math.round((vpqFull * seen) / K));
        qkLinesSum += Math.ceil(seen / qk.per) * qk.cpl;
        smSum += Math.ceil(seen / Psm);
        pvSum += Math.ceil(vpq / pv.per) * pv.cpl;
        keysSeenSum += seen;
        valsSum += vpq;
      }
    } else {
      qkLinesSum = q * Math.ceil(K / qk.per) * qk.cpl;
      smSum = q * Math.ceil(K / Psm);
      pvSum = q * Math.ceil(vpqFull / pv.per) * pv.cpl;
      keysSeenSum = q * K;
      valsSum = q * vpqFull;
    }
    const passes = refetch[i] ? 2 : 1;
    qkWork[i] = qkLinesSum;
    smWork[i] = smSum;
    pvWork[i] = pvSum;
    qkLat[i] = pipe.dotProductBaseLatency.value + log2c(Math.min(hw.qkMultipliers, D));
    reqLat[i] = pipe.requantDecisionLatency.value + log2c(qk.per);
    pvLat[i] = pipe.pvBaseLatency.value + log2c(pv.per);

    let kl = Math.ceil(K / qk.per) * qk.cpl;
    kl += kl & 1;
    let vl = Math.ceil(r.valuesFetched / pv.per) * pv.cpl;
    vl += vl & 1;
    let split = false;
    // Summarization: keys beyond what the buffer holds are streamed again for every query
    // (the query register holds one query), as the analytical model's spill; values likewise.
    let spillK = 0;
    let spillKScale = 0;
    let spillV = 0;
    let spillVScale = 0;
    if (kl > keyBufLines) {
      kl = keyBufLines - (keyBufLines & 1);
      split = true;
      if (reuse) {
        const capK = Math.floor(kl / qk.cpl) * qk.per;
        spillK = K - capK;
        let again = 0;
        if (r.causal && q > 1) for (let j = 0; j < q; j++) again += Math.max(0, Math.max(1, K - q + j + 1) - capK);
        else again = q * spillK;
        spillKScale = Math.max(0, again - spillK) / spillK;
      }
    }
    if (vl > valBufLines) {
      vl = valBufLines - (valBufLines & 1);
      split = true;
      if (reuse) {
        const capV = Math.floor(vl / pv.cpl) * pv.per;
        spillV = r.valuesFetched - capV;
        const again = q * vpqFull * (spillV / r.valuesFetched);
        spillVScale = Math.max(0, again - spillV) / spillV;
      }
    }
    if (split) splits++;
    keyLines[i] = kl;
    valLines[i] = vl;

    // DRAM streams. Q rides on the key side; kept tokens spread over the L-token region.
    const Lr = Math.max(r.L, K);
    const kB = (D * r.keyBits) / 8;
    const vB = (D * r.valueBits) / 8;
    const kParts = [part(Lr, K, kB), part(q, q, Math.ceil((D * r.queryBits) / 8))];
    if (spillK > 0) kParts.push(part(Lr, spillK, kB, spillKScale));
    kStream[i] = streamOf(0, kParts);
    if (refetch[i]) {
      const lB = (D * r.lsbBits) / 8;
      const lParts = [part(Lr, K, lB)];
      // A split generation request lost its MSB lines: the LSB pass refetches them too.
      if (split && !reuse) lParts.push(part(Lr, K, kB));
      if (spillK > 0) lParts.push(part(Lr, spillK, lB, spillKScale));
      lsbStream[i] = streamOf(1, lParts);
    }
    if (r.valuesFetched > 0) {
      const vParts = [part(Math.max(r.L, r.valuesFetched), r.valuesFetched, vB)];
      if (spillV > 0) vParts.push(part(Math.max(r.L, r.valuesFetched), spillV, vB, spillVScale));
      vStream[i] = streamOf(2, vParts);
    }

    // Activity (SRAM in bits, compute in MACs/elements).
    act.qkMacs += passes * keysSeenSum * D;
    act.pvMacs += valsSum * D;
    act.softmaxElems += passes * keysSeenSum;
    const keyLinesWritten = Math.ceil(K / qk.per) * qk.cpl;
    act.keySramWriteBits += keyLinesWritten * keyLineBits * (refetch[i] ? 1 + r.lsbBits / hw.wordBits : 1);
    act.keySramReadBits += passes * qkLinesSum * keyLineBits;
    act.valueSramWriteBits += Math.ceil(r.valuesFetched / pv.per) * pv.cpl * valLineBits;
    act.valueSramReadBits += pvSum * valLineBits;
    const after = acc();
    for (let k = 0; k < 14; k++) delta[k] = after[k] - before[k];
  }
  act.dramActivations = misses;
  act.fetcherBytes = act.dramBytes;

  // ── dynamic state ───────────────────────────────────────────────────────────────────────
  const heap = new Heap();
  const kFirst = new Float64Array(N);
  const lsbFirst = new Float64Array(N);
  const vFirst = new Float64Array(N);
  const vEnd = new Float64Array(N).fill(-1);
  const decF = new Float64Array(N).fill(-1);
  const vidsStart = new Float64Array(N);
  const probsEnd = new Float64Array(N);
  const downDone = new Uint8Array(N);

  let nextAdmit = 0;
  let inflight = 0;
  let keyOcc = 0;
  let keyAllocs = 0;
  let valOcc = 0;
  let valAllocs = 0;
  let gateUntil = 0;
  let gatePending = -1;
  let admitScheduled = false;

  let qkFree = 0;
  let smFree = 0;
  let qsFree = 0;
  let filtFree = 0;
  let tokFree = 0;
  let pvFree = 0;
  let nextDown = 0;
  let nextPV = 0;
  let layerDecMax = 0;
  const vallocQ: number[] = [];
  let vallocHead = 0;
  let end = 0;

  const busy: StageCycles = { dram: 0, qk: 0, softmax: 0, topk: 0, pv: 0, overhead: 0 };
  const stall = { qk: 0, softmax: 0, pv: 0, admitKeyBuf: 0, valueBuf: 0 };
  let topkLocal = 0;
  let topkToken = 0;
  let topkHead = 0;
  let refetches = 0;

  // DRAM: per (sub-)channel, two FIFO lanes — the fetcher's key side (Q, K MSBs, K LSBs) and
  // value side (V) — sharing the channel round-robin, in available-time units (refresh removed).
  // A stream occupies each channel for its per-channel steady-state cost (dram.ts) after the
  // earlier streams of its side; while the other side still has work queued on that channel
  // both progress at half rate (processor sharing: the overlap is added to both). A stream
  // completes when its slowest channel is done.
  const nSub = subChannels(tim, Ch).channels;
  const freeK = new Float64Array(nSub);
  const freeV = new Float64Array(nSub);
  let dramWork = 0;
  const availAt = (x: number) => availableBefore(x, tim);
  const dArrive = (now: number, s: Stream, i: number) => {
    const aA = availAt(now);
    let sMin = Infinity;
    let eMax = aA;
    const occ = s.occ;
    const own = s.kind === 2 ? freeV : freeK;
    const other = s.kind === 2 ? freeK : freeV;
    const n = occ.length;
    let work = 0;
    for (let c = 0; c < n; c++) {
      const o = occ[c];
      if (o <= 0) continue;
      const f = own[c];
      const st = f > aA ? f : aA;
      const d = other[c] - st;
      const ov = d > 0 ? (d < o ? d : o) : 0;
      const e = st + o + ov;
      own[c] = e;
      if (ov > 0) other[c] += ov;
      work += o;
      if (st < sMin) sMin = st;
      if (e > eMax) eMax = e;
    }
    dramWork += work;
    eMax = Math.max(eMax, aA + s.bursts / C);
    const first = (sMin === Infinity ? now : timeForAvailable(sMin, tim)) + s.firstLat;
    const endT = Math.max(timeForAvailable(eMax, tim), first);
    if (s.kind === 0) kFirst[i] = first;
    else if (s.kind === 1) lsbFirst[i] = first;
    else vFirst[i] = first;
    heap.push(endT, EV_DRAM, s.kind === 0 ? i : s.kind === 1 ? -1 - i : -1 - N - i);
  };

  const tryAdmitAt = (t: number) => {
    if (!admitScheduled && nextAdmit < N) {
      admitScheduled = true;
      heap.push(t, EV_ADMIT, 0);
    }
  };

  const admit = (now: number) => {
    admitScheduled = false;
    if (nextAdmit >= N) return;
    if (gatePending >= 0) return; // waits for the token top-k to be computed
    if (now < gateUntil) return tryAdmitAt(gateUntil);
    if (inflight >= hw.inFlight) return;
    const i = nextAdmit;
    const needV = reuse ? valLines[i] : 0;
    if (keyOcc + keyLines[i] > keyBufLines || keyAllocs >= MAX_ALLOCS) {
      stall.admitKeyBuf++;
      return;
    }
    if (reuse && (valOcc + needV > valBufLines || valAllocs >= MAX_ALLOCS)) return;
    nextAdmit++;
    inflight++;
    keyOcc += keyLines[i];
    keyAllocs++;
    if (reuse) {
      valOcc += needV;
      valAllocs++;
    }
    dArrive(now + 1, kStream[i], i); // arrives after the 1-cycle allocation register
    if (reuse && vStream[i]) heap.push(now + 1, EV_VARRIVE, i);
    if (gate && reqs[i].topk >= 0) gatePending = i;
    tryAdmitAt(now + 1);
  };

  /** Q·K + softmax + decision for one pass whose key data stream ran [first, endT]. */
  const computePass = (i: number, first: number, endT: number): number => {
    const qs = Math.max(qkFree, first + L_CONVERT + L_BUFW + L_BUFR);
    const qe = Math.max(qs + qkWork[i], endT + L_CONVERT + L_BUFW + L_BUFR);
    stall.qk += qe - qs - qkWork[i];
    qkFree = qe;
    busy.qk += qkWork[i];
    const ss = Math.max(smFree, qs + qkLat[i]);
    const se = Math.max(ss + smWork[i], qe + qkLat[i]);
    stall.softmax += se - ss - smWork[i];
    smFree = se;
    busy.softmax += smWork[i];
    return se + L_SOFTMAX + reqLat[i];
  };

  const onStreamDone = (kind: number, i: number, now: number) => {
    if (kind === 0) {
      const dec = computePass(i, kFirst[i], now);
      if (refetch[i]) {
        refetches++;
        heap.push(dec + 1 + L_ISSUE, EV_KARRIVE, -1 - i);
      } else heap.push(dec, EV_DECISION, i);
    } else if (kind === 1) {
      const dec = computePass(i, lsbFirst[i], now);
      heap.push(dec, EV_DECISION, i);
    } else {
      vEnd[i] = now;
      tryPV();
    }
  };

  /** Local-V top-k, V-id release, token top-k: strictly in request order. */
  const downstream = (i: number, now: number) => {
    const r = reqs[i];
    const d = decF[i];
    const q = Math.max(1, r.queries);
    const K = r.keys;
    const vpqFull = Math.min(r.valuesPerQuery, K);
    let fs: number;
    let fe: number;
    if (vpqFull < K) {
      let qsCost = 0;
      let filt = 0;
      for (let j = 0; j < q; j++) {
        const seen = r.causal && q > 1 ? Math.max(1, K - q + j + 1) : K;
        const vpq = r.causal && q > 1 ? Math.max(1, Math.round((vpqFull * seen) / K)) : vpqFull;
        if (vpq >= seen) continue;
        qsCost += qsLocal(seen, vpq);
        act.topkCompares += qsCompares + seen;
        filt += filterCycles(seen, r.D);
      }
      // One engine: the quick-select rounds, then the filter pass over the buffered scores
      // (Fig. 9; the official TopKDummy likewise waits the quick-select latency, then drains —
      // one S-wide fragment per cycle, i.e. `topkFilter: 'qk'`).
      const qs = Math.max(qsFree, d);
      fs = qs + qsCost;
      fe = fs + filt;
      qsFree = fe;
      filtFree = fe;
      busy.topk += qsCost + filt;
      topkLocal += qsCost + filt;
      fs += log2c(P) + 1;
      fe += log2c(P) + 1;
    } else {
      fs = Math.max(d, filtFree) + 1;
      fe = fs;
    }
    vidsStart[i] = fs;
    probsEnd[i] = fe;

    // Cascade token top-k (shares the engine with head top-k).
    layerDecMax = Math.max(layerDecMax, d);
    if (r.topk >= 0) {
      const n = r.topk > K ? r.L : K;
      const res = quickSelectRandom(n, r.topk, P, rngT);
      const filt = filterCycles(n, r.D);
      const ts = Math.max(tokFree, layerDecMax);
      tokFree = ts + res.cycles + filt;
      busy.topk += res.cycles + filt;
      topkToken += res.cycles + filt;
      act.topkCompares += res.compares + n;
      end = Math.max(end, tokFree);
      if (gatePending === i) {
        gatePending = -1;
        gateUntil = tokFree + 1;
        tryAdmitAt(Math.max(now, gateUntil));
      }
    }
    const nx = reqs[i + 1];
    if (!nx || nx.layer !== r.layer || nx.iteration !== r.iteration) layerDecMax = 0;

    downDone[i] = 1;
    if (!reuse) {
      vallocQ.push(i);
      if (fs > now) heap.push(fs, EV_VALLOC, 0);
      else tryValloc(now);
    }
    tryPV();
  };

  const tryValloc = (now: number) => {
    while (vallocHead < vallocQ.length) {
      const i = vallocQ[vallocHead];
      if (vidsStart[i] > now) return;
      if (vStream[i] === null) {
        vEnd[i] = vidsStart[i];
        vFirst[i] = vidsStart[i];
        vallocHead++;
        tryPV();
        continue;
      }
      if (valOcc + valLines[i] > valBufLines || valAllocs >= MAX_ALLOCS) {
        stall.valueBuf++;
        return;
      }
      valOcc += valLines[i];
      valAllocs++;
      vallocHead++;
      heap.push(now + 1 + L_ISSUE, EV_VARRIVE, i);
    }
  };

  const tryPV = () => {
    while (nextPV < N && downDone[nextPV] && (vEnd[nextPV] >= 0 || vStream[nextPV] === null)) {
      const i = nextPV++;
      const lat = L_CONVERT + L_BUFW + L_BUFR;
      const first = vStream[i] === null ? vidsStart[i] : vFirst[i] + lat;
      const last = vStream[i] === null ? probsEnd[i] : vEnd[i] + lat;
      const ps = Math.max(pvFree, first, vidsStart[i]);
      const pe = Math.max(ps + pvWork[i], last, probsEnd[i]);
      stall.pv += pe - ps - pvWork[i];
      pvFree = pe;
      busy.pv += pvWork[i];
      const done = pe + pvLat[i];
      end = Math.max(end, done);
      heap.push(pe, EV_VRELEASE, i);
      // Head top-k: after the last head of a layer whose next layer keeps fewer heads.
      const r = reqs[i];
      const nx = reqs[i + 1];
      if (nx && nx.iteration === r.iteration && nx.layer === r.layer + 1 && headsIn(nx) < headsIn(r)) {
        const res = quickSelectRandom(headsIn(r), headsIn(nx), P, rngT);
        const ts = Math.max(tokFree, done);
        tokFree = ts + res.cycles + Math.ceil(headsIn(r) / P);
        busy.topk += tokFree - ts;
        topkHead += tokFree - ts;
        act.topkCompares += res.compares + headsIn(r);
        end = Math.max(end, tokFree);
      }
    }
  };

  // Heads per (iteration, layer).
  const headCount = new Map<number, number>();
  for (const r of reqs) {
    const k = r.iteration * 4096 + r.layer;
    headCount.set(k, (headCount.get(k) ?? 0) + 1);
  }
  const headsIn = (r: HeadRequest) => headCount.get(r.iteration * 4096 + r.layer) ?? 0;

  // ── event loop ──────────────────────────────────────────────────────────────────────────
  tryAdmitAt(0);
  let events = 0;
  while (heap.size > 0) {
    heap.pop();
    const now = heap.outT;
    const a = heap.outA;
    events++;
    switch (heap.outKind) {
      case EV_ADMIT:
        admit(now);
        break;
      case EV_KARRIVE:
        if (a >= 0) dArrive(now, kStream[a], a);
        else dArrive(now, lsbStream[-1 - a]!, -1 - a);
        break;
      case EV_VARRIVE:
        dArrive(now, vStream[a]!, a);
        break;
      case EV_DRAM:
        if (a >= 0) onStreamDone(0, a, now);
        else if (a >= -N) onStreamDone(1, -1 - a, now);
        else onStreamDone(2, -1 - N - a, now);
        break;
      case EV_DECISION: {
        decF[a] = now;
        inflight--;
        keyOcc -= keyLines[a];
        keyAllocs--;
        tryAdmitAt(now);
        while (nextDown < N && decF[nextDown] >= 0) downstream(nextDown++, now);
        break;
      }
      case EV_VRELEASE:
        valOcc -= valLines[a];
        valAllocs--;
        if (!reuse) tryValloc(now);
        else tryAdmitAt(now);
        break;
      case EV_VALLOC:
        tryValloc(now);
        break;
    }
  }
  if (!Number.isFinite(end)) throw new Error(`simulateCycle: non-finite completion time (${end}); check the hardware config and sim/hw/tables/pipeline.json`);
  if (nextPV < N) throw new Error(`simulateCycle: deadlock — ${N - nextPV} of ${N} requests unfinished (admitted ${nextAdmit})`);

  // ── results ─────────────────────────────────────────────────────────────────────────────
  busy.dram = dramWork / nSub;
  // Two engines (local-V; token + head): the busier one, as the analytical model reports it.
  busy.topk = Math.max(topkLocal, topkToken + topkHead);
  const cycles = Math.ceil(end);
  act.cycles = cycles;
  const latency_s = cycles / (hw.clockGHz * 1e9);
  busy.overhead = Math.max(0, cycles - Math.max(busy.dram, busy.qk, busy.softmax, busy.topk, busy.pv));
  const { energy_j, breakdown } = energyFromActivity(act, hw);
  const area = areaOf(hw);
  const ops = 2 * (act.qkMacs + act.pvMacs);
  return {
    latency_s,
    cycles,
    dram_bytes: act.dramBytes,
    energy_j,
    area_mm2: area.area_mm2,
    ...derivedMetrics({ latency_s, energy_j, ops }),
    activity: act,
    energy: breakdown,
    area: area.breakdown,
    stages: busy,
    model: 'cycle',
    extra: {
      events,
      dram_bursts: bursts,
      dram_row_hits: hits,
      dram_row_misses: misses,
      dram_row_hit_rate: hits / Math.max(1, hits + misses),
      dram_achieved_gbps: latency_s > 0 ? act.dramBytes / latency_s / 1e9 : 0,
      dram_peak_gbps: hw.dramChannels * hw.dramChannelGBps,
      dram_channel_imbalance: occMeanSum > 0 ? occMaxSum / occMeanSum : 1,
      topk_cycles_local: topkLocal,
      topk_cycles_token: topkToken,
      topk_cycles_head: topkHead,
      stall_qk: stall.qk,
      stall_softmax: stall.softmax,
      stall_pv: stall.pv,
      refetches,
      split_requests: splits,
      key_buffer_lines: keyBufLines,
      value_buffer_lines: valBufLines,
      key_sram_reads_bits: act.keySramReadBits,
      key_sram_writes_bits: act.keySramWriteBits,
      value_sram_reads_bits: act.valueSramReadBits,
      value_sram_writes_bits: act.valueSramWriteBits,
    },
  };
}
