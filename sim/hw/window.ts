/**
 * Generation window tables of the fast path (sim/hw/analytical.ts): Σ window/heads in flight as a
 * function of the key side's DRAM share, memoised per design.
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import { MAX_ALLOCS, bufferLines, gateLead, gatePairing, headLines, pairedKeyStream, portBytes, rowsCycles } from './pipeline-math.ts';
import { generationBytes, type DramSums, type PreparedWorkload, type ReqClass, type TopkSums } from './prepare.ts';
import { sortedOrder } from './crossover-sort.ts';
import { NO_GATE_RECORDS, newStaggers, tableGateSums, type GateRecords, type TableGateSums } from './gate-slots.ts';

/**
 * Σ_c mult·max(kc_c/share, x_c)/n_c as a function of the key side's DRAM share (kc_c = the key-side
 * stream of class c on its own in DRAM-available time, its DRAM cycles to the busiest channel
 * (DramSums.kw) × the refresh availability or its bytes at the fetcher's ports if longer; x_c = the
 * largest of its Q·K, softmax and paired key stream (pipeline-math.ts pairedKeyStream), n_c its
 * heads in flight): classes sorted by the crossover t_c = x_c/kc_c; for a given share the classes
 * with t_c < 1/share are fetch-bound. The sums run over entries, a DRAM group's classes in one
 * (their terms are equal; `windowOrder`). prefX[i] = Σ_{j<i} m x/n, prefF[i] = Σ_{j<i} m kc/n.
 */
export interface WindowTable {
  thr: Float64Array;
  prefX: Float64Array;
  prefF: Float64Array;
  /** Σ mult·(1+p)/n (times the fixed pass latency). */
  fixW: number;
  /** Σ mult·(lead + z_C·σ/√n): the DRAM imbalance the layout and the heads in flight leave (dram-cost.ts imbalanceCycles). */
  imb: number;
  /**
   * The entries whose heads split the key buffer (alone in flight; their LSB pass re-reads the
   * MSBs, so their key stream is another): mult·kc and mult·x of each, outside the prefix sums
   * (empty arrays when there are none).
   */
  splitF: Float64Array;
  splitX: Float64Array;
  /** Σ mult/n over every class: the slots the window's terms are spread over. */
  heads: number;
  /** Σ mult·(what a gated boundary takes off the pairing)/n (finalize.ts Sums.winPair). */
  pair: number;
  /** Σ over the gated heads of the windows their layers' last batches leave empty, their paces by heads in flight, and their slots' refetch excess (gate-slots.ts tableGateSums; finalize.ts Sums.gateSlots, gateStagger, gateRefetch). */
  gate: TableGateSums;
  /** Heads that split the key buffer (their LSB pass re-reads the MSBs): Σ the re-read's key-side DRAM cycles, activations, bytes, and key-SRAM elements written again. */
  reK: number;
  reA: number;
  reBytes: number;
  reWrites: number;
}

/**
 * What the heads of a workload with refetches change when they split the key buffer (the LSB
 * pass re-reads the MSBs; fast.ts rereadOf): per DRAM group, the DRAM entry's σ, first channel's lead
 * and key-side time of such a head, the re-read's cycles and activations per instance; z_C and the classes.
 */
export interface SplitTerms {
  sd: Float64Array;
  lead: Float64Array;
  kw: Float64Array;
  k: Float64Array;
  a: Float64Array;
  zC: number;
  cs: ReqClass[];
}

/**
 * The part of a window table that does not depend on the heads in flight: the entries (DRAM
 * groups) in crossover order (one per (compute combination, DRAM design)), with m·x, m·kc, m·(1+p) and the
 * key-buffer lines of each; the tables per (key-buffer lines, in-flight cap) hang below it.
 */
export interface WindowOrder {
  thr: Float64Array;
  mx: Float64Array;
  mf: Float64Array;
  /** m·(1+p), m·z_C·σ and m·lead (σ, lead: one instance's DRAM spread over the channels and its first channel's lead, dram-cost.ts imbalanceCycles), key lines and m in entry order (fixW and imb sum in that order); key lines in crossover order. */
  mw: Float64Array;
  msd: Float64Array;
  mlead: Float64Array;
  klByEntry: Float64Array;
  mByEntry: Float64Array;
  kl: Float64Array;
  /** Each crossover position's entry's first class, and the entry's multiplicity. */
  cls: Int32Array;
  mm: Float64Array;
  /** Each entry's first class and each class's entry (the workload's DRAM groups: PreparedWorkload.dramReps, dramGroup). */
  reps: Int32Array;
  group: Int32Array;
  /** The DRAM entry's refresh availability (1 − nRFC/nREFI, or 1 without refresh). */
  avail: number;
  /** Per entry in crossover order: mult·what a gated boundary takes off its pairing (pipeline-math.ts gatePairing; `pair`). */
  mp: Float64Array;
  /**
   * Per entry (entry order), what a head that splits the key buffer needs to price its key stream
   * (`windowTable`): (1+p)·max(Q·K, softmax), the lag of its paired V stream, that V stream on its
   * own, and its key-side bytes with the MSBs it fetches again; the fetcher's bytes a cycle.
   */
  xByEntry: Float64Array;
  lagByEntry: Float64Array;
  vByEntry: Float64Array;
  splitBytes: Float64Array;
  ports: number;
  /** The workload's head requests (pairedKeyStream), and its gated boundaries' `gateLead`. */
  requests: number;
  gateLead: number;
  /** The workload's gated heads (PreparedWorkload.gates). */
  gates: GateRecords;
  byLines: Map<number, WindowTable>;
}

/**
 * Window orders (and DRAM entries) kept per prepared workload: what fits in WINDOW_MEMO_BYTES at
 * about 100 bytes per class (the orders' arrays, a table, the DRAM entry's per-class terms) plus
 * 6 kB per entry (measured retained heap per distinct design), at least 16. Entries a sweep never
 * revisits (continuous knobs) are garbage once evicted, so this bounds the heap they occupy.
 */
export function windowCapacity(classes: number): number {
  return Math.max(16, Math.floor(WINDOW_MEMO_BYTES / (6000 + 100 * Math.max(1, classes))));
}
const WINDOW_MEMO_BYTES = 24e6;
const WINDOW_LINES_CAP = 64;

/** `n` arrays of `len` doubles on one buffer (one backing store instead of n). */
export function float64Views(n: number, len: number): Float64Array[] {
  const buf = new Float64Array(n * len);
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) out.push(buf.subarray(i * len, (i + 1) * len));
  return out;
}

/**
 * Q·K cycles of one instance of every class at `M` multipliers (rowsCycles with the class's head
 * dimension), or with `lanes` its softmax cycles at M lanes (D = 1): kept per workload for the last
 * M of each kind, since the stage sums of a new design (fast.ts memoQk, memoSm) and its window
 * order ask for the same rows.
 */
export function classRows(p: PreparedWorkload, lanes: boolean, M: number): Float64Array {
  const r = (p.rows ??= { qkM: NaN, smM: NaN, qk: new Float64Array(p.classes.length), sm: new Float64Array(p.classes.length) });
  if ((lanes ? r.smM : r.qkM) === M) return lanes ? r.sm : r.qk;
  const out = lanes ? r.sm : r.qk;
  const cs = p.classes;
  for (let i = 0; i < cs.length; i++) out[i] = rowsCycles(cs[i].q, cs[i].k, cs[i].causal, M, lanes ? 1 : cs[i].D);
  if (lanes) r.smM = M;
  else r.qkM = M;
  return out;
}

/** Scratch of windowOrder: crossover thresholds and compute cycles per class, the sort's index arrays. */
let scratchT = new Float64Array(0);
let scratchX = new Float64Array(0);
let scratchM = new Float64Array(0);
let scratchK = new Float64Array(0);
let scratchP = new Float64Array(0);
let scratchA = new Int32Array(0);
let scratchB = new Int32Array(0);

/**
 * The arrays of a window order and table used once and dropped (a DRAM entry that is not
 * memoised: every point of a sweep over continuous DRAM knobs; an order asked for the first time:
 * every point of a sweep over algorithm knobs). One set of buffers, made again only when they are
 * too short for the class count (views of the count's length when it changes): allocating them per
 * point (two array buffers, nine views) was a tenth of such a point's time, and more in garbage
 * collection.
 */
interface OnceArrays {
  C: number;
  order: WindowOrder;
  prefX: Float64Array;
  prefF: Float64Array;
}
/** The gate sums of a table made once (`windowTable` with `reuse`), and of a table whose workload has no gated heads. */
const onceGate: TableGateSums = { slots: 0, staggers: newStaggers(), refetch: 0 };
const NO_GATE: TableGateSums = { slots: 0, staggers: new Float64Array(0), refetch: 0 };
let once: OnceArrays | undefined;
/** A window order's arrays of doubles, and those and the table's two prefix sums (`onceArrays`). */
const ORDER_VIEWS = 15;
const ONCE_VIEWS = ORDER_VIEWS + 2;
let onceBuf = new Float64Array(0);
let onceCls = new Int32Array(0);

function onceArrays(C: number): OnceArrays {
  if (once === undefined || once.C !== C) {
    if (onceBuf.length < ONCE_VIEWS * (C + 1)) {
      onceBuf = new Float64Array(ONCE_VIEWS * (C + 1) * 2);
      onceCls = new Int32Array((C + 1) * 2);
    }
    const view = (i: number, n: number): Float64Array => onceBuf.subarray(i * (C + 1), i * (C + 1) + n);
    const [thr, mx, mf, mw, msd, mlead, kl, klByEntry, mByEntry, mm, xByEntry, mp, lagByEntry, vByEntry, splitBytes] = Array.from({ length: ORDER_VIEWS }, (_, i) => view(i, C));
    const none = new Int32Array(0);
    const order: WindowOrder = { thr, mx, mf, mw, msd, mlead, kl, klByEntry, mByEntry, cls: onceCls.subarray(0, C), mm, reps: none, group: none, avail: 1, xByEntry, mp, lagByEntry, vByEntry, splitBytes, ports: 1, requests: 0, gateLead: 0, gates: NO_GATE_RECORDS, byLines: new Map() };
    once = { C, order, prefX: view(ORDER_VIEWS, C + 1), prefF: view(ORDER_VIEWS + 1, C + 1) };
  }
  return once;
}

/**
 * The generation window order of a design (`reuse`: into the arrays of `onceArrays`, valid until
 * the next such call). Its entries are the workload's DRAM groups, not its classes: the classes of
 * a group (a layer's heads with and without the token top-k, layers of an iteration with the
 * same keys) have the same streams, Q·K and softmax rows and key lines, so the same window
 * terms; an entry carries their summed multiplicity (half the entries to sort and sum on a pruned
 * gpt2-medium generation workload; the sums move in their last bits, ~1e-15 relative).
 */
function windowOrder(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, tk: TopkSums, reuse = false): WindowOrder {
  const cs = p.classes;
  const C = cs.length;
  const reps = p.dramReps;
  const group = p.dramGroup;
  const G = reps.length;
  const Psm = softmaxLanes(hw);
  if (scratchT.length < C) {
    scratchT = new Float64Array(C);
    scratchX = new Float64Array(C);
    scratchM = new Float64Array(C);
    scratchK = new Float64Array(C);
    scratchP = new Float64Array(C);
    scratchA = new Int32Array(C);
    scratchB = new Int32Array(C);
  }
  const t = scratchT.length === G ? scratchT : scratchT.subarray(0, G); // (a view only when longer: one less allocation a design)
  const xs = scratchX;
  const ks = scratchK;
  const ps = scratchP;
  const ms = scratchM; // the entries' multiplicities: the loop in crossover order reads no class objects
  let o: WindowOrder;
  if (reuse) o = onceArrays(G).order;
  else {
    const [thr, mx, mf, mw, msd, mlead, kl, klByEntry, mByEntry, mm, xByEntry, mp, lagByEntry, vByEntry, splitBytes] = float64Views(ORDER_VIEWS, G);
    o = { thr, mx, mf, mw, msd, mlead, kl, klByEntry, mByEntry, cls: new Int32Array(G), mm, reps, group, avail: 1, xByEntry, mp, lagByEntry, vByEntry, splitBytes, ports: 1, requests: p.requests, gateLead: 0, gates: p.gates, byLines: new Map() };
  }
  o.reps = reps;
  o.group = group;
  const av = (o.avail = dram.avail);
  const pb = (o.ports = portBytes(hw));
  o.requests = p.requests;
  o.gates = p.gates;
  const lead = (o.gateLead = hw.gateTokenTopk ? gateLead(tk.gateTk, tk.gateHeads) : 0);
  const rq = classRows(p, false, hw.qkMultipliers);
  const rs = classRows(p, true, Psm);
  for (let g = 0; g < G; g++) ms[g] = 0;
  for (let i = 0; i < C; i++) ms[group[i]] += cs[i].mult;
  for (let g = 0; g < G; g++) {
    const i = reps[g];
    const c = cs[i];
    const m = ms[g];
    const b = generationBytes(c);
    // the key-side stream on its own, its paired V stream on its own (reference.ts sumsOf)
    const kc = Math.max(dram.kw[g] * av, (b.q + b.k + b.l) / pb);
    const v = Math.max(dram.vw[g] * av, b.v / pb);
    const x = (1 + c.p) * Math.max(rq[i], rs[i]);
    const lag = tk.latByClass[i];
    const xp = Math.max(x, pairedKeyStream(kc, lag, v, p.requests));
    xs[g] = xp;
    ks[g] = kc;
    ps[g] = gatePairing(kc, lag, v, p.requests, Math.max(kc, x), lead);
    t[g] = kc > 0 ? xp / kc : Infinity;
    o.mw[g] = m * (1 + c.p);
    o.msd[g] = m * dram.zC * dram.sd[g];
    o.mlead[g] = m * dram.lead[g];
    o.klByEntry[g] = headLines(c.k, hw.qkMultipliers, c.D);
    o.mByEntry[g] = m;
    o.xByEntry[g] = x;
    o.lagByEntry[g] = lag;
    o.vByEntry[g] = v;
    o.splitBytes[g] = b.q + b.k * (1 + c.p) + b.l;
  }
  const order = sortedOrder(t, scratchA, scratchB);
  for (let j = 0; j < G; j++) {
    const g = order[j];
    const m = ms[g];
    o.thr[j] = t[g];
    o.mx[j] = m * xs[g];
    o.mf[j] = m * ks[g];
    o.mp[j] = m * ps[g];
    o.kl[j] = o.klByEntry[g];
    o.cls[j] = reps[g];
    o.mm[j] = m;
  }
  return o;
}

/** Heads in flight of a class with `kl` key lines (headsFit without reuse). */
function headsOfLines(kl: number, kLines: number, cap: number): number {
  return Math.max(1, Math.min(cap, kl >= kLines ? 1 : Math.floor(kLines / kl)));
}

/**
 * The window table of an order for `kLines` key-buffer lines and at most `cap` heads in flight
 * (headsFit, no reuse); `reuse`: into the arrays of `onceArrays`; `splitOf`: the terms of heads
 * that split the key buffer (key lines > kLines: alone in flight, their LSB pass re-reads the
 * MSBs), asked only when some head of the order does.
 */
function windowTable(o: WindowOrder, kLines: number, cap: number, reuse = false, splitOf?: () => SplitTerms): WindowTable {
  const C = o.thr.length;
  let prefX: Float64Array;
  let prefF: Float64Array;
  if (reuse) {
    ({ prefX, prefF } = onceArrays(C));
    prefX[0] = 0;
    prefF[0] = 0;
  } else [prefX, prefF] = float64Views(2, C + 1);
  let split: SplitTerms | undefined;
  let splits = 0;
  if (splitOf !== undefined) for (let g = 0; g < C; g++) if (o.klByEntry[g] > kLines) splits++;
  if (splits > 0) split = splitOf!();
  const [splitF, splitX] = splits > 0 ? float64Views(2, splits) : NO_SPLITS;
  let fixW = 0;
  let heads = 0;
  let pair = 0;
  let si = 0;
  for (let j = 0; j < C; j++) {
    const n = headsOfLines(o.kl[j], kLines, cap);
    heads += o.mm[j] / n;
    if (split !== undefined && o.kl[j] > kLines) {
      // alone in flight (n = 1), its key stream with the MSBs it fetches again (reference.ts sumsOf)
      const g = o.group[o.cls[j]];
      const kc = Math.max(split.kw[g] * o.avail, o.splitBytes[g] / o.ports);
      const paired = pairedKeyStream(kc, o.lagByEntry[g], o.vByEntry[g], o.requests);
      splitF[si] = o.mm[j] * kc;
      splitX[si++] = o.mm[j] * Math.max(o.xByEntry[g], paired);
      pair += o.mm[j] * gatePairing(kc, o.lagByEntry[g], o.vByEntry[g], o.requests, Math.max(kc, o.xByEntry[g]), o.gateLead);
      prefX[j + 1] = prefX[j];
      prefF[j + 1] = prefF[j];
      continue;
    }
    prefX[j + 1] = prefX[j] + o.mx[j] / n;
    prefF[j + 1] = prefF[j] + o.mf[j] / n;
    pair += o.mp[j] / n;
  }
  let imb = 0;
  for (let g = 0; g < C; g++) {
    const n = headsOfLines(o.klByEntry[g], kLines, cap);
    fixW += o.mw[g] / n;
    if (split !== undefined && o.klByEntry[g] > kLines) imb += (o.mByEntry[g] * split.zC * split.sd[g]) / Math.sqrt(n) + o.mByEntry[g] * split.lead[g];
    else imb += o.msd[g] / Math.sqrt(n) + o.mlead[g];
  }
  // the gated heads' sums, with their groups' heads in flight (a table whose workload has none shares empty ones)
  let gate = NO_GATE;
  if (o.gates.H.length > 0) {
    gate = reuse ? onceGate : { slots: 0, staggers: newStaggers(), refetch: 0 };
    tableGateSums(o.gates, (g) => headsOfLines(o.klByEntry[g], kLines, cap), gate);
  }
  const tab: WindowTable = { thr: o.thr, prefX, prefF, fixW, imb, splitF, splitX, heads, pair, gate, reK: 0, reA: 0, reBytes: 0, reWrites: 0 };
  if (split !== undefined) rereadSumsInto(tab, o, kLines, split);
  return tab;
}
const NO_SPLITS = [new Float64Array(0), new Float64Array(0)];

/** Σ over the classes whose heads split the key buffer, into `tab`: the MSB re-read's DRAM cycles, activations, bytes and key-SRAM elements written (one literal of the table's final shape, not a spread of these into it). */
function rereadSumsInto(tab: WindowTable, o: WindowOrder, kLines: number, split: SplitTerms): void {
  let reK = 0;
  let reA = 0;
  let reBytes = 0;
  let reWrites = 0;
  for (let i = 0; i < split.cs.length; i++) {
    if (o.klByEntry[o.group[i]] <= kLines) continue;
    const c = split.cs[i];
    reK += c.mult * split.k[o.group[i]];
    reA += c.mult * split.a[o.group[i]];
    reBytes += c.mult * ((c.p * c.seen * c.D * c.keyBits) / 8);
    reWrites += c.mult * c.p * c.seen * c.D;
  }
  tab.reK = reK;
  tab.reA = reA;
  tab.reBytes = reBytes;
  tab.reWrites = reWrites;
}

/** `splitOf` bound to a design (made only when a table is). */
function bindSplit(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, splitOf: ((p: PreparedWorkload, hw: HardwareConfig, dram: DramSums) => SplitTerms) | undefined): (() => SplitTerms) | undefined {
  return splitOf && (() => splitOf(p, hw, dram));
}

/**
 * The generation window table of a design: memoised per (qkMultipliers, softmax lanes, DRAM
 * design), then per (key lines, cap). `splitOf` (a workload with refetches) gives the terms of
 * heads that split the key buffer, asked only when a table is made and some head does.
 */
export function windowOf(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, tk: TopkSums, splitOf?: (p: PreparedWorkload, hw: HardwareConfig, dram: DramSums) => SplitTerms): WindowTable {
  const kLines = bufferLines(hw.keySramKB, hw.qkMultipliers, hw.wordBits);
  const cap = Math.min(hw.inFlight, MAX_ALLOCS, p.requests);
  // a DRAM entry that is not memoised (fast.ts memoDram) gets an order and a table kept nowhere
  if (!dram.kept) return windowTable(windowOrder(p, hw, dram, tk, true), kLines, cap, true, bindSplit(p, hw, dram, splitOf));
  // the order reads the top-k design's lags (the paired V stream's: none without local-V pruning),
  // qkMultipliers (Q·K rows, key lines), the softmax lanes (≤ 65536 each) and the fetcher's ports
  const ck = hw.fetcherPorts * 2 ** 34 + hw.qkMultipliers * 131072 + softmaxLanes(hw);
  let byTk = p.windows.get(tk.lagKey);
  if (byTk === undefined) p.windows.set(tk.lagKey, (byTk = new Map()));
  let byDram = byTk.get(ck);
  if (byDram === undefined) {
    if (p.windowCount >= windowCapacity(p.classes.length)) {
      p.windows.clear();
      p.windowCount = 0;
      p.windows.set(tk.lagKey, byTk);
      byTk.clear();
    }
    byTk.set(ck, (byDram = new Map()));
  }
  let o = byDram.get(dram);
  if (o === undefined || o === null) {
    if (p.windowCount >= windowCapacity(p.classes.length)) {
      p.windows.clear();
      p.windowCount = 0;
      byTk.clear();
      p.windows.set(tk.lagKey, byTk);
      byTk.set(ck, byDram);
    }
    // an order is kept when asked for a second time: a sweep over algorithm knobs prepares a
    // workload per point and asks once (the first time, in the arrays of onceArrays, as above)
    if (o === undefined) {
      byDram.set(dram, null);
      p.windowCount++;
      return windowTable(windowOrder(p, hw, dram, tk, true), kLines, cap, true, bindSplit(p, hw, dram, splitOf));
    }
    byDram.set(dram, (o = windowOrder(p, hw, dram, tk)));
    p.windowCount++;
  }
  const key = kLines * 64 + cap;
  let tab = o.byLines.get(key);
  if (tab === undefined) {
    if (o.byLines.size >= WINDOW_LINES_CAP) o.byLines.clear();
    o.byLines.set(key, (tab = windowTable(o, kLines, cap, false, bindSplit(p, hw, dram, splitOf))));
  }
  return tab;
}
