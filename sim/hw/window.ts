/**
 * Generation window tables of the fast path (sim/hw/analytical.ts): Σ window/heads in flight as a
 * function of the key side's DRAM share, memoised per design.
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import { MAX_ALLOCS, bufferLines, headLines, rowsCycles } from './pipeline-math.ts';
import type { DramSums, PreparedWorkload, ReqClass } from './prepare.ts';

/**
 * Σ_c mult·max(kc_c/share, x_c)/n_c as a function of the key side's DRAM share (kc_c = key-side
 * DRAM cycles to the busiest channel, DramSums.kw; x_c = max(Q·K, softmax) of class c, n_c its heads in flight): classes sorted by the
 * crossover t_c = x_c/kc_c; for a given share the classes with t_c < 1/share are fetch-bound.
 * The sums run over entries, a DRAM group's classes in one (their terms are equal; `windowOrder`).
 * prefX[i] = Σ_{j<i} m x/n, prefF[i] = Σ_{j<i} m kc/n.
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
   * Σ mult·max(kc·avail, x) of the classes alone in flight (n = 1): their K stream is issued at the
   * previous head's decision, before that head's V, so the DRAM serves it first (share 1); they
   * are left out of the prefix sums, which scale kc by 1/share. (In DRAM-available time, as the
   * whole window before its refresh stretch: fast.ts generationWindow.)
   */
  alone: number;
  /** Σ mult·kc of the classes alone in flight (their DRAM part, pipeline-math.ts refreshStretch). */
  aloneK: number;
  /** Σ mult/n over every class: the slots the window's terms are spread over. */
  heads: number;
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
let once: OnceArrays | undefined;
let onceBuf = new Float64Array(0);
let onceCls = new Int32Array(0);

function onceArrays(C: number): OnceArrays {
  if (once === undefined || once.C !== C) {
    if (onceBuf.length < 12 * (C + 1)) {
      onceBuf = new Float64Array(12 * (C + 1) * 2);
      onceCls = new Int32Array((C + 1) * 2);
    }
    const view = (i: number, n: number): Float64Array => onceBuf.subarray(i * (C + 1), i * (C + 1) + n);
    const [thr, mx, mf, mw, msd, mlead, kl, klByEntry, mByEntry, mm] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => view(i, C));
    const none = new Int32Array(0);
    once = { C, order: { thr, mx, mf, mw, msd, mlead, kl, klByEntry, mByEntry, cls: onceCls.subarray(0, C), mm, reps: none, group: none, avail: 1, byLines: new Map() }, prefX: view(10, C + 1), prefF: view(11, C + 1) };
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
function windowOrder(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, reuse = false): WindowOrder {
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
    scratchA = new Int32Array(C);
    scratchB = new Int32Array(C);
  }
  const t = scratchT.length === G ? scratchT : scratchT.subarray(0, G); // (a view only when longer: one less allocation a design)
  const xs = scratchX;
  const ms = scratchM; // the entries' multiplicities: the loop in crossover order reads no class objects
  let o: WindowOrder;
  if (reuse) o = onceArrays(G).order;
  else {
    const [thr, mx, mf, mw, msd, mlead, kl, klByEntry, mByEntry, mm] = float64Views(10, G);
    o = { thr, mx, mf, mw, msd, mlead, kl, klByEntry, mByEntry, cls: new Int32Array(G), mm, reps, group, avail: 1, byLines: new Map() };
  }
  o.reps = reps;
  o.group = group;
  o.avail = dram.avail;
  const rq = classRows(p, false, hw.qkMultipliers);
  const rs = classRows(p, true, Psm);
  for (let g = 0; g < G; g++) ms[g] = 0;
  for (let i = 0; i < C; i++) ms[group[i]] += cs[i].mult;
  for (let g = 0; g < G; g++) {
    const i = reps[g];
    const c = cs[i];
    const m = ms[g];
    const x = (1 + c.p) * Math.max(rq[i], rs[i]);
    const kc = dram.kw[g];
    xs[g] = x;
    t[g] = kc > 0 ? x / kc : Infinity;
    o.mw[g] = m * (1 + c.p);
    o.msd[g] = m * dram.zC * dram.sd[g];
    o.mlead[g] = m * dram.lead[g];
    o.klByEntry[g] = headLines(c.k, hw.qkMultipliers, c.D);
    o.mByEntry[g] = m;
  }
  const order = sortedOrder(t, scratchA, scratchB);
  for (let j = 0; j < G; j++) {
    const g = order[j];
    const m = ms[g];
    o.thr[j] = t[g];
    o.mx[j] = m * xs[g];
    o.mf[j] = m * dram.kw[g];
    o.kl[j] = o.klByEntry[g];
    o.cls[j] = reps[g];
    o.mm[j] = m;
  }
  return o;
}

/** Scratch of `sortedOrder`: the high words of the keys (a view on a double buffer), radix keys, digit counts. */
let radixF = new Float64Array(0);
let radixHi = new Uint32Array(0);
let radixK = new Uint32Array(0);
let radixK2 = new Uint32Array(0);
const radixCount = new Int32Array(2048);
const RADIX_BITS = 22;
const HI = new Uint32Array(new Float64Array([1]).buffer)[1] === 0x3ff00000 ? 1 : 0; // index of the high word of a double

/**
 * `stableOrder`'s permutation (indices sorted by t ascending, ties in index order), by a stable
 * two-pass radix sort on the top 22 bits of the keys' range (the high words of non-negative
 * doubles order like the numbers) and an insertion pass that orders the keys the radix sort did
 * not tell apart by (t, index). Falls back to `stableOrder` for keys that are not all ≥ +0 or
 * when that pass has too much to move (keys clustered below the radix resolution).
 */
export function sortedOrder(t: Float64Array, a: Int32Array, b: Int32Array): Int32Array {
  const n = t.length;
  if (n < 64) return smallOrder(t, a, b);
  if (radixF.length < n) {
    radixF = new Float64Array(n);
    radixHi = new Uint32Array(radixF.buffer);
    radixK = new Uint32Array(n);
    radixK2 = new Uint32Array(n);
  }
  if (!radixKeys(t, n, radixK, a)) return stableOrder(t, a, b);
  radixPass(radixK, radixK2, a, b, n, 0);
  radixPass(radixK2, radixK, b, a, n, 11);
  // a holds the order again (two passes): order the keys the radix sort left tied by (t, index)
  return orderTies(t, a, n) ? a : stableOrder(t, a, b);
}

/**
 * The radix keys of t into `keys` (the top RADIX_BITS bits of the high words above the smallest,
 * +∞ the largest key) and 0 … n−1 into `a`; false when a key is not ≥ +0 (NaN, negative, −0).
 */
function radixKeys(t: Float64Array, n: number, keys: Uint32Array, a: Int32Array): boolean {
  radixF.set(t);
  let lo = 0x7ff00000;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const x = t[i];
    if (!(x >= 0) || (x === 0 && 1 / x < 0)) return false;
    const h = radixHi[2 * i + HI];
    if (h < lo) lo = h;
    if (h > hi && x !== Infinity) hi = h;
  }
  const range = hi > lo ? hi - lo : 0;
  const shift = Math.max(0, 32 - Math.clz32(range) - RADIX_BITS);
  const top = (1 << RADIX_BITS) - 1;
  for (let i = 0; i < n; i++) {
    const h = radixHi[2 * i + HI];
    keys[i] = t[i] === Infinity ? top : Math.min(top, (h - lo) >>> shift);
    a[i] = i;
  }
  return true;
}

/** One stable counting-sort pass on the 11-bit digit at bit `sh`: (keys, src) → (keys2, dst). */
function radixPass(keys: Uint32Array, keys2: Uint32Array, src: Int32Array, dst: Int32Array, n: number, sh: number): void {
  radixCount.fill(0);
  for (let i = 0; i < n; i++) radixCount[(keys[i] >>> sh) & 2047]++;
  let sum = 0;
  for (let d = 0; d < 2048; d++) {
    const c = radixCount[d];
    radixCount[d] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const j = radixCount[(k >>> sh) & 2047]++;
    keys2[j] = k;
    dst[j] = src[i];
  }
}

/** Scratch of `smallOrder`: the keys in their sorted order so far. */
const smallKeys = new Float64Array(64);

/**
 * `stableOrder`'s permutation of fewer than 64 keys (a generation workload's classes without
 * pruning: one per step) by insertion, the keys moved with their indices (no indirect loads):
 * the keys of such a workload are equal but for their last bits, in no particular order (~140
 * moves for 32 keys on random designs; at most n²/2 < 2016). NaN keys go to the merge sort.
 */
function smallOrder(t: Float64Array, a: Int32Array, b: Int32Array): Int32Array {
  const n = t.length;
  const keys = smallKeys;
  for (let j = 0; j < n; j++) {
    const tx = t[j];
    if (tx !== tx) return stableOrder(t, a, b);
    let k = j - 1;
    // strictly greater: equal keys stay in index order
    while (k >= 0 && keys[k] > tx) {
      keys[k + 1] = keys[k];
      a[k + 1] = a[k];
      k--;
    }
    keys[k + 1] = tx;
    a[k + 1] = j;
  }
  return a;
}

/**
 * Insertion pass over the radix order `src`: entries ordered by (t, index); false as soon as it
 * has moved more than 8n entries (keys clustered below the radix resolution).
 */
function orderTies(t: Float64Array, src: Int32Array, n: number): boolean {
  let moves = 0;
  for (let j = 1; j < n; j++) {
    const x = src[j];
    const tx = t[x];
    let k = j - 1;
    while (k >= 0 && (t[src[k]] > tx || (t[src[k]] === tx && src[k] > x))) {
      src[k + 1] = src[k];
      k--;
    }
    src[k + 1] = x;
    moves += j - 1 - k;
    if (moves > 8 * n) return false;
  }
  return true;
}

/**
 * Indices 0 … n−1 sorted by t ascending, ties in index order (bottom-up merge sort: the order of a
 * stable sort), in one of the scratch arrays a, b (each at least t.length long).
 */
export function stableOrder(t: Float64Array, a: Int32Array = new Int32Array(t.length), b: Int32Array = new Int32Array(t.length)): Int32Array {
  const n = t.length;
  for (let i = 0; i < n; i++) a[i] = i;
  for (let w = 1; w < n; w *= 2) {
    for (let lo = 0; lo < n; lo += 2 * w) {
      const mid = Math.min(lo + w, n);
      const hi = Math.min(lo + 2 * w, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) b[k++] = t[a[j]] < t[a[i]] ? a[j++] : a[i++];
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    const s = a;
    a = b;
    b = s;
  }
  return a;
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
  if (splitOf !== undefined) for (let g = 0; g < C && split === undefined; g++) if (o.klByEntry[g] > kLines) split = splitOf();
  let fixW = 0;
  let alone = 0;
  let aloneK = 0;
  let heads = 0;
  for (let j = 0; j < C; j++) {
    const n = headsOfLines(o.kl[j], kLines, cap);
    heads += o.mm[j] / n;
    if (n === 1) {
      const k = split !== undefined && o.kl[j] > kLines ? o.mm[j] * split.kw[o.group[o.cls[j]]] : o.mf[j];
      alone += Math.max(o.mx[j], k * o.avail);
      aloneK += k;
      prefX[j + 1] = prefX[j];
      prefF[j + 1] = prefF[j];
      continue;
    }
    prefX[j + 1] = prefX[j] + o.mx[j] / n;
    prefF[j + 1] = prefF[j] + o.mf[j] / n;
  }
  let imb = 0;
  for (let g = 0; g < C; g++) {
    const n = headsOfLines(o.klByEntry[g], kLines, cap);
    fixW += o.mw[g] / n;
    if (split !== undefined && o.klByEntry[g] > kLines) imb += (o.mByEntry[g] * split.zC * split.sd[g]) / Math.sqrt(n) + o.mByEntry[g] * split.lead[g];
    else imb += o.msd[g] / Math.sqrt(n) + o.mlead[g];
  }
  const tab: WindowTable = { thr: o.thr, prefX, prefF, fixW, imb, alone, aloneK, heads, reK: 0, reA: 0, reBytes: 0, reWrites: 0 };
  if (split !== undefined) rereadSumsInto(tab, o, kLines, split);
  return tab;
}

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
export function windowOf(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, splitOf?: (p: PreparedWorkload, hw: HardwareConfig, dram: DramSums) => SplitTerms): WindowTable {
  const kLines = bufferLines(hw.keySramKB, hw.qkMultipliers, hw.wordBits);
  const cap = Math.min(hw.inFlight, MAX_ALLOCS, p.requests);
  // a DRAM entry that is not memoised (fast.ts memoDram) gets an order and a table kept nowhere
  if (!dram.kept) return windowTable(windowOrder(p, hw, dram, true), kLines, cap, true, bindSplit(p, hw, dram, splitOf));
  // the order reads qkMultipliers (Q·K rows, key lines) and the softmax lanes (≤ 65536 each)
  const ck = hw.qkMultipliers * 131072 + softmaxLanes(hw);
  let byDram = p.windows.get(ck);
  if (byDram === undefined) {
    if (p.windowCount >= windowCapacity(p.classes.length)) {
      p.windows.clear();
      p.windowCount = 0;
    }
    p.windows.set(ck, (byDram = new Map()));
  }
  let o = byDram.get(dram);
  if (o === undefined || o === null) {
    if (p.windowCount >= windowCapacity(p.classes.length)) {
      p.windows.clear();
      p.windowCount = 0;
      p.windows.set(ck, byDram);
    }
    // an order is kept when asked for a second time: a sweep over algorithm knobs prepares a
    // workload per point and asks once (the first time, in the arrays of onceArrays, as above)
    if (o === undefined) {
      byDram.set(dram, null);
      p.windowCount++;
      return windowTable(windowOrder(p, hw, dram, true), kLines, cap, true, bindSplit(p, hw, dram, splitOf));
    }
    byDram.set(dram, (o = windowOrder(p, hw, dram)));
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
