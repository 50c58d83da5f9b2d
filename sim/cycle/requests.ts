/**
 * Per-request static quantities of a cycle-simulator run: the compute work of each stage, the
 * buffer footprint in lines, the DRAM fetch streams (priced once per stream shape by the HBM2
 * model) and the activity counts. Nothing here depends on time; the event-driven part (sim.ts)
 * reads the table.
 *
 * Consecutive identical heads (all heads of a layer, usually) reuse the previous one's entries,
 * and the previous head's activity increments are re-added (same floating-point sums).
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import type { HeadRequest, Workload } from '../workload/types.ts';
import type { HbmTiming } from './hbm-timing.ts';
import { fuseFactor, lanes, log2c, type Lanes } from './geometry.ts';
import { L_DOT_BASE, L_DRAM_REGS, L_ISSUE, L_PV_BASE, L_REQUANT_BASE } from './latency.ts';
import { combineParts, memoProfile, profileTable, type Part } from './profiles.ts';
import { spillRegion } from './gather-layout.ts';
import { residentLines } from '../hw/pipeline-math.ts';

export { occTotals } from './profiles.ts';

/** A fetch stream (shared by identical consecutive heads; the request index travels in the event). */
export interface Stream {
  kind: 0 | 1 | 2; // 0 = Q + K MSBs, 1 = K LSBs, 2 = V
  /** Per-(sub-)channel occupancy: main part × its share (1/g for fused pairs) + optional second part (Q, or refetched MSBs). */
  occ: Float64Array;
  bursts: number;
  firstLat: number;
  /** Σ occ over the channels that carry data (in channel order), and the largest occ. */
  work: number;
  maxOcc: number;
}

/** Running totals, in one array so a head's increments can be replayed (index names below). */
export const T_QK_MACS = 0;
export const T_PV_MACS = 1;
export const T_SOFTMAX = 2;
export const T_KEY_W = 3;
export const T_KEY_R = 4;
export const T_VAL_W = 5;
export const T_VAL_R = 6;
export const T_DRAM_BYTES = 7;
export const T_HITS = 8;
export const T_MISSES = 9;
export const T_BURSTS = 10;
export const T_OCC_MAX = 11;
export const T_OCC_MEAN = 12;
export const T_SPLITS = 13;
const TALLY = 14;

export interface RequestTable {
  qkWork: Float64Array;
  smWork: Float64Array;
  pvWork: Float64Array;
  qkLat: Float64Array;
  reqLat: Float64Array;
  pvLat: Float64Array;
  keyLines: Int32Array;
  valLines: Int32Array;
  kStream: Stream[];
  lsbStream: (Stream | null)[];
  vStream: (Stream | null)[];
  /** Totals over the run (T_* indices). */
  tally: Float64Array;
}

/** What the table is computed from besides the requests. */
export interface RequestContext {
  hw: HardwareConfig;
  tim: HbmTiming;
  reuseKV: boolean;
  refetch: readonly boolean[];
  keyBufLines: number;
  valBufLines: number;
  keyLineBits: number;
  valLineBits: number;
}

/** Compute work of one head: array lines / softmax cycles summed over its queries. */
export interface HeadWork {
  qkLines: number;
  smCycles: number;
  pvLines: number;
  keysSeen: number;
  values: number;
  vpqFull: number;
}

/** Work of one head (causal prompt: query j sees K − q + j + 1 keys and a proportional share of values). */
export function headWork(r: HeadRequest, qk: Lanes, pv: Lanes, Psm: number): HeadWork {
  const q = Math.max(1, r.queries);
  const K = r.keys;
  const vpqFull = Math.min(r.valuesPerQuery, K);
  if (!(r.causal && q > 1)) {
    return {
      qkLines: q * Math.ceil(K / qk.per) * qk.cpl,
      smCycles: q * Math.ceil(K / Psm),
      pvLines: q * Math.ceil(vpqFull / pv.per) * pv.cpl,
      keysSeen: q * K,
      values: q * vpqFull,
      vpqFull,
    };
  }
  const w: HeadWork = { qkLines: 0, smCycles: 0, pvLines: 0, keysSeen: 0, values: 0, vpqFull };
  for (let j = 0; j < q; j++) {
    const seen = Math.max(1, K - q + j + 1);
    const vpq = Math.max(1, Math.round((vpqFull * seen) / K));
    w.qkLines += Math.ceil(seen / qk.per) * qk.cpl;
    w.smCycles += Math.ceil(seen / Psm);
    w.pvLines += Math.ceil(vpq / pv.per) * pv.cpl;
    w.keysSeen += seen;
    w.values += vpq;
  }
  return w;
}

/** Buffer footprint of one head and, in summarization, what spills (fetched again per query). */
export interface Footprint {
  keyLines: number;
  valLines: number;
  split: boolean;
  /** Its keys exceed the key buffer (the MSB lines do not stay resident). */
  splitK: boolean;
  spillK: number;
  spillKScale: number;
  spillV: number;
  spillVScale: number;
}

/**
 * Lines a head occupies (even: fused pairs), capped at the buffer. Summarization: keys beyond what
 * the buffer holds are streamed again for every query (the query register holds one query), as the
 * analytical model's spill; values likewise. Generation splits the head (the buffer streams it).
 */
export function footprint(r: HeadRequest, qk: Lanes, pv: Lanes, vpqFull: number, c: RequestContext): Footprint {
  const q = Math.max(1, r.queries);
  const K = r.keys;
  let kl = Math.ceil(K / qk.per) * qk.cpl;
  kl += kl & 1;
  let vl = Math.ceil(r.valuesFetched / pv.per) * pv.cpl;
  vl += vl & 1;
  const f: Footprint = { keyLines: kl, valLines: vl, split: false, splitK: false, spillK: 0, spillKScale: 0, spillV: 0, spillVScale: 0 };
  // Summarization keeps one head's K (V) resident in half of the buffer: the other half prefetches
  // the next head (the paper's 2 × 1024 × 64 × 12 b sizing is double buffering, §V-C) — the
  // analytical model's spill capacity. Generation streams a head larger than the whole buffer.
  const keyCap = c.reuseKV ? residentLines(c.keyBufLines) : c.keyBufLines;
  const valCap = c.reuseKV ? residentLines(c.valBufLines) : c.valBufLines;
  if (kl > keyCap) {
    f.keyLines = kl = keyCap - (keyCap & 1);
    f.split = f.splitK = true;
    if (c.reuseKV) {
      const capK = Math.floor(kl / qk.cpl) * qk.per;
      f.spillK = K - capK;
      let again = 0;
      if (r.causal && q > 1) for (let j = 0; j < q; j++) again += Math.max(0, Math.max(1, K - q + j + 1) - capK);
      else again = q * f.spillK;
      f.spillKScale = Math.max(0, again - f.spillK) / f.spillK;
    }
  }
  if (vl > valCap) {
    f.valLines = vl = valCap - (valCap & 1);
    f.split = true;
    if (c.reuseKV) {
      const capV = Math.floor(vl / pv.cpl) * pv.per;
      f.spillV = r.valuesFetched - capV;
      // Causal: query j needs the values of its visible keys only, vpqFull/K of them per key, so
      // it fetches again those beyond the resident capV positions (as spilledValues, sim/hw).
      let again = 0;
      if (r.causal && q > 1) {
        for (let j = 0; j < q; j++) again += Math.max(0, Math.max(1, K - q + j + 1) - capV);
        again *= vpqFull / K;
      } else again = q * vpqFull * (f.spillV / r.valuesFetched);
      f.spillVScale = Math.max(0, again - f.spillV) / f.spillV;
    }
  }
  return f;
}

/** Builds fetch streams from memoised profiles and adds their DRAM counts to the tally. */
class StreamBuilder {
  private readonly table;
  private readonly ch: number;
  constructor(
    private readonly tim: HbmTiming,
    hw: HardwareConfig,
    private readonly tally: Float64Array,
  ) {
    this.ch = hw.dramChannels;
    this.table = profileTable(hw.dramChannels, tim);
  }

  /** A gather of n of L token vectors of B bytes, scaled (fused pairs fetch 2 heads' vectors at once). */
  part(L: number, n: number, B: number, scale = 1): Part {
    const g = fuseFactor(B);
    return [memoProfile(this.table, L, n, B * g, this.ch, this.tim), scale / g];
  }

  stream(kind: 0 | 1 | 2, parts: Part[]): Stream {
    const t = this.tally;
    let b = 0;
    let first = Infinity;
    const used: Part[] = [];
    for (const part of parts) if (part[1] > 0 && part[0].bursts > 0) used.push(part);
    if (used.length === 0) used.push(parts[0]);
    for (const [p, sc] of used) {
      t[T_HITS] += p.hits * sc;
      t[T_MISSES] += p.misses * sc;
      t[T_BURSTS] += p.bursts * sc;
      t[T_OCC_MAX] += p.occupancy * sc;
      t[T_OCC_MEAN] += p.meanOccupancy * sc;
      b += p.bursts * sc;
      first = Math.min(first, p.firstLatency);
    }
    t[T_DRAM_BYTES] += b * this.tim.burstBytes;
    const c = combineParts(used);
    return { kind, occ: c.occ, bursts: b, firstLat: first + L_DRAM_REGS + L_ISSUE, work: c.work, maxOcc: c.maxOcc };
  }
}

const sameShape = (a: HeadRequest, b: HeadRequest) =>
  a.D === b.D && a.L === b.L && a.queries === b.queries && a.keys === b.keys && a.valuesFetched === b.valuesFetched && a.valuesPerQuery === b.valuesPerQuery &&
  a.keyBits === b.keyBits && a.lsbBits === b.lsbBits && a.valueBits === b.valueBits && a.queryBits === b.queryBits && a.causal === b.causal;

function emptyTable(N: number): RequestTable {
  return {
    qkWork: new Float64Array(N),
    smWork: new Float64Array(N),
    pvWork: new Float64Array(N),
    qkLat: new Float64Array(N),
    reqLat: new Float64Array(N),
    pvLat: new Float64Array(N),
    keyLines: new Int32Array(N),
    valLines: new Int32Array(N),
    kStream: new Array(N),
    lsbStream: new Array(N).fill(null),
    vStream: new Array(N).fill(null),
    tally: new Float64Array(TALLY),
  };
}

function copyEntry(tb: RequestTable, i: number, j: number): void {
  tb.qkWork[i] = tb.qkWork[j];
  tb.smWork[i] = tb.smWork[j];
  tb.pvWork[i] = tb.pvWork[j];
  tb.qkLat[i] = tb.qkLat[j];
  tb.reqLat[i] = tb.reqLat[j];
  tb.pvLat[i] = tb.pvLat[j];
  tb.keyLines[i] = tb.keyLines[j];
  tb.valLines[i] = tb.valLines[j];
  tb.kStream[i] = tb.kStream[j];
  tb.lsbStream[i] = tb.lsbStream[j];
  tb.vStream[i] = tb.vStream[j];
}

/** Fills entry i of the table for request r (streams, work, latencies, activity into the tally). */
function prepareOne(tb: RequestTable, i: number, r: HeadRequest, c: RequestContext, sb: StreamBuilder): void {
  const { hw } = c;
  const t = tb.tally;
  const D = r.D;
  const qk = lanes(hw.qkMultipliers, D);
  const pv = lanes(hw.pvMultipliers, D);
  const q = Math.max(1, r.queries);
  const K = r.keys;
  const w = headWork(r, qk, pv, softmaxLanes(hw));
  const refetch = c.refetch[i];
  const passes = refetch ? 2 : 1;
  tb.qkWork[i] = w.qkLines;
  tb.smWork[i] = w.smCycles;
  tb.pvWork[i] = w.pvLines;
  tb.qkLat[i] = L_DOT_BASE + log2c(Math.min(hw.qkMultipliers, D));
  tb.reqLat[i] = L_REQUANT_BASE + log2c(qk.per);
  tb.pvLat[i] = L_PV_BASE + log2c(pv.per);
  const f = footprint(r, qk, pv, w.vpqFull, c);
  if (f.split) t[T_SPLITS]++;
  tb.keyLines[i] = f.keyLines;
  tb.valLines[i] = f.valLines;

  // DRAM streams. Q rides on the key side; kept tokens spread over the L-token region. A spilled
  // part is the tail of the kept vectors (those beyond the resident lines), fetched again per query:
  // as dense as the whole gather, over its share of the region (`spillRegion`).
  const Lr = Math.max(r.L, K);
  const kB = (D * r.keyBits) / 8;
  const vB = (D * r.valueBits) / 8;
  const kParts = [sb.part(Lr, K, kB), sb.part(q, q, Math.ceil((D * r.queryBits) / 8))];
  if (f.spillK > 0) kParts.push(sb.part(spillRegion(Lr, K, f.spillK), f.spillK, kB, f.spillKScale));
  tb.kStream[i] = sb.stream(0, kParts);
  if (refetch) {
    const lB = (D * r.lsbBits) / 8;
    const lParts = [sb.part(Lr, K, lB)];
    // A generation request whose keys split the buffer lost its MSB lines: the LSB pass refetches them too.
    if (f.splitK && !c.reuseKV) lParts.push(sb.part(Lr, K, kB));
    if (f.spillK > 0) lParts.push(sb.part(spillRegion(Lr, K, f.spillK), f.spillK, lB, f.spillKScale));
    tb.lsbStream[i] = sb.stream(1, lParts);
  }
  if (r.valuesFetched > 0) {
    const vParts = [sb.part(Math.max(r.L, r.valuesFetched), r.valuesFetched, vB)];
    if (f.spillV > 0) vParts.push(sb.part(spillRegion(Math.max(r.L, r.valuesFetched), r.valuesFetched, f.spillV), f.spillV, vB, f.spillVScale));
    tb.vStream[i] = sb.stream(2, vParts);
  }

  // Activity (SRAM in bits, compute in MACs/elements).
  t[T_QK_MACS] += passes * w.keysSeen * D;
  t[T_PV_MACS] += w.values * D;
  t[T_SOFTMAX] += passes * w.keysSeen;
  const keyLinesWritten = Math.ceil(K / qk.per) * qk.cpl;
  // the LSB pass writes its bit planes; MSBs fetched again (split generation head) are written again
  const reread = refetch && f.splitK && !c.reuseKV ? 1 : 0;
  // a spilled part fetched again per query passes the buffer's write ports again (RTL stage 7
  // writes a line per fetch response), scaled as its DRAM stream (`spillKScale`, `spillVScale`)
  const spillKLines = f.spillK > 0 ? Math.ceil(f.spillK / qk.per) * qk.cpl * f.spillKScale : 0;
  const spillVLines = f.spillV > 0 ? Math.ceil(f.spillV / pv.per) * pv.cpl * f.spillVScale : 0;
  t[T_KEY_W] += keyLinesWritten * c.keyLineBits * (refetch ? 1 + r.lsbBits / hw.wordBits + reread : 1);
  if (spillKLines > 0) t[T_KEY_W] += spillKLines * c.keyLineBits * (refetch ? 1 + r.lsbBits / hw.wordBits : 1);
  t[T_KEY_R] += passes * w.qkLines * c.keyLineBits;
  t[T_VAL_W] += Math.ceil(r.valuesFetched / pv.per) * pv.cpl * c.valLineBits;
  if (spillVLines > 0) t[T_VAL_W] += spillVLines * c.valLineBits;
  t[T_VAL_R] += w.pvLines * c.valLineBits;
}

/** The static table of a run's requests. */
export function prepareRequests(reqs: readonly HeadRequest[], c: RequestContext): RequestTable {
  const N = reqs.length;
  const tb = emptyTable(N);
  const t = tb.tally;
  const sb = new StreamBuilder(c.tim, c.hw, t);
  const delta = new Float64Array(TALLY);
  const before = new Float64Array(TALLY);
  for (let i = 0; i < N; i++) {
    if (i > 0 && c.refetch[i] === c.refetch[i - 1] && sameShape(reqs[i], reqs[i - 1])) {
      copyEntry(tb, i, i - 1);
      for (let k = 0; k < TALLY; k++) t[k] += delta[k];
      continue;
    }
    before.set(t);
    prepareOne(tb, i, reqs[i], c, sb);
    for (let k = 0; k < TALLY; k++) delta[k] = t[k] - before[k];
  }
  return tb;
}
