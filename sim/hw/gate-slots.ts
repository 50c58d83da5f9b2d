/**
 * Generation with gated layer boundaries (hw.gateTokenTopk): what a gated layer leaves of its
 * windows to no other head (`gateSlots`, `gateStaggers`, `refetchExcess`; finalize.ts
 * gatedGeneration), and the fast path's part: the gated heads of a prepared workload by DRAM
 * group, summed per window table (sim/hw/window.ts) and, for the serial path, per heads in flight.
 */
import { MAX_ALLOCS } from './pipeline-math.ts';
import type { Sums } from './finalize.ts';
import type { ReqClass } from './prepare.ts';

/**
 * What a gated layer of `H` heads, `n` of them in flight, leaves of its windows to no other head.
 * When a gate opens the next layer's heads are admitted together, a batch of n, and the engines
 * they share (the DRAM, Q·K, softmax) space their decisions a pace apart; each decision admits the
 * next head. So the layer's last batch holds ⌈H/n⌉·n − H empty slots, and its gated head decides
 * (H − 1) mod n paces after the batch's first: ⌈H/n⌉ windows plus that many paces from the gate's
 * opening, where the ungated layer takes H/n windows (finalize.ts gatedGeneration). The windows'
 * part, ⌈H/n⌉ − H/n:
 */
export function gateSlots(H: number, n: number): number {
  return Math.ceil(H / n) - H / n;
}

/** The paces' part, (H − 1) mod n (`gateSlots`). */
export function gateStaggers(H: number, n: number): number {
  return (H - 1) % n;
}

/**
 * A gated layer whose heads may refetch (an LSB pass with probability p, one pass's window longer):
 * its gated head is admitted when the (j + 1)-th of the n slots is freed by the k heads each held
 * before it (j = (H − 1) mod n, k = ⌈H/n⌉ − 1, `gateStaggers`). Ungated, every slot's heads
 * run on at the mean window; gated, the layer waits for that order statistic. Its excess over the
 * mean, in refetching heads: E[X₍ⱼ₊₁₎] − k·p for n independent X ~ Binomial(k, p)
 * (E[X₍ⱼ₊₁₎] = Σₓ P(at most j of the n are below x), x = 1 … k). 0 without refetches or k = 0.
 */
export function slotOrderExcess(k: number, p: number, n: number, j: number): number {
  if (!(k > 0) || !(p > 0) || n <= 1) return 0;
  let e = 0;
  for (let x = 1; x <= k; x++) e += binomialCdf(n, binomialCdf(k, p, x - 1), j);
  return e - k * p;
}

/**
 * The token top-k runs in request order, after every head before it has decided
 * (sim/cycle/pipeline.ts `downstream`), so a gate opens at the latest decision of its gated head's
 * batch, the last r = H − (⌈H/n⌉ − 1)·n heads of the layer: bunched, one pass later whenever any of
 * them refetches (probability p each). Its excess over the mean window's, in refetching heads:
 * 1 − (1 − p)^r against the gated head's own p. 0 without refetches or with one head.
 */
export function batchDecisionExcess(H: number, n: number, p: number): number {
  if (!(p > 0)) return 0;
  const r = H - (Math.ceil(H / n) - 1) * n;
  return 1 - p - (1 - p) ** r;
}

/** P(Binomial(n, p) ≤ j). */
function binomialCdf(n: number, p: number, j: number): number {
  if (j >= n) return 1;
  let term = (1 - p) ** n;
  let t = term;
  for (let i = 1; i <= j; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    t += term;
  }
  return p >= 1 ? 0 : t;
}

/**
 * Σ_n staggers[n]·min(W/n, pace): the paces of `gateStaggers` summed by heads in flight n, a pace
 * never more than W/n (heads a window apart over n in flight are already spread evenly).
 */
export function staggerCycles(staggers: Float64Array, W: number, pace: number): number {
  let t = 0;
  for (let n = 2; n < staggers.length; n++) if (staggers[n] > 0) t += staggers[n] * Math.min(W / n, pace);
  return t;
}

/**
 * The gated heads by DRAM group: group g's are off[g] … off[g+1] − 1, each the heads of its layer
 * (H), its heads (m) and its (H, refetch probability) pair (`pair`, an index into pairH, pairP);
 * each pair's `refetchExcess` by heads in flight n at pair·(MAX_ALLOCS + 1) + n, and the serial
 * path's sums per heads in flight n at 2n, 2n + 1 (NaN until asked).
 */
export interface GateRecords {
  off: Int32Array;
  H: Float64Array;
  m: Float64Array;
  pair: Int32Array;
  pairH: number[];
  pairP: number[];
  excess: Float64Array;
  chain: Float64Array;
}

/** The serial path's heads in flight whose sums `GateRecords.chain` keeps (hw.inFlight's range: larger ones are summed each time). */
const CHAIN_KEPT = 64;

/** The records of a workload's gated heads ((class, heads of its layer, heads) triples, classes.ts GatedHeads), by the classes' DRAM groups. */
export function gateRecords(gated: Float64Array, classes: readonly ReqClass[], dramGroup: Int32Array, groups: number): GateRecords {
  const R = gated.length / 3;
  const off = new Int32Array(groups + 1);
  for (let r = 0; r < R; r++) off[dramGroup[gated[3 * r]] + 1]++;
  for (let g = 0; g < groups; g++) off[g + 1] += off[g];
  const H = new Float64Array(R);
  const m = new Float64Array(R);
  const pair = new Int32Array(R);
  const pairH: number[] = [];
  const pairP: number[] = [];
  const at = off.slice(0, groups);
  for (let r = 0; r < R; r++) {
    const c = gated[3 * r];
    const j = at[dramGroup[c]]++;
    H[j] = gated[3 * r + 1];
    m[j] = gated[3 * r + 2];
    const p = classes[c].p;
    let q = pairH.length - 1;
    while (q >= 0 && !(pairH[q] === H[j] && pairP[q] === p)) q--;
    if (q < 0) {
      q = pairH.length;
      pairH.push(H[j]);
      pairP.push(p);
    }
    pair[j] = q;
  }
  const chain = new Float64Array(R > 0 ? 2 * (CHAIN_KEPT + 1) : 0).fill(NaN);
  return { off, H, m, pair, pairH, pairP, excess: new Float64Array(pairH.length * (MAX_ALLOCS + 1)).fill(NaN), chain };
}

/** The records of a workload without gated heads (summarization, ungated generation; never written: R = 0 keeps no sums), shared. */
export const NO_GATE_RECORDS: GateRecords = gateRecords(new Float64Array(0), [], new Int32Array(0), 0);

/** A gated head's refetch excess, in refetching heads: its slot's (`slotOrderExcess`) and its batch's decisions' (`batchDecisionExcess`), with `n` heads in flight, a layer of `H` heads, each refetching with probability `p`. */
export function refetchExcess(H: number, n: number, p: number): number {
  return slotOrderExcess(Math.ceil(H / n) - 1, p, n, gateStaggers(H, n)) + batchDecisionExcess(H, n, p);
}

/** A pair's `refetchExcess` with `n` heads in flight (made once per workload). */
function excessOf(gr: GateRecords, q: number, n: number): number {
  const i = q * (MAX_ALLOCS + 1) + n;
  let e = gr.excess[i];
  if (Number.isNaN(e)) e = gr.excess[i] = refetchExcess(gr.pairH[q], n, gr.pairP[q]);
  return e;
}

/** What a window table sums over its gated heads (finalize.ts Sums.gateSlots, gateStagger, gateRefetch). */
export interface TableGateSums {
  slots: number;
  staggers: Float64Array;
  refetch: number;
}

/** A window table's sums over its gated heads, into `out` (its `staggers` zeroed first, indexed by n ≤ MAX_ALLOCS): Σ m·gateSlots, Σ m·gateStaggers by heads in flight, Σ m·refetchExcess; `inFlight(g)`: group g's heads in flight. */
export function tableGateSums(gr: GateRecords, inFlight: (g: number) => number, out: TableGateSums): void {
  out.staggers.fill(0);
  let slots = 0;
  let refetch = 0;
  const groups = gr.off.length - 1;
  for (let g = 0; g < groups; g++) {
    if (gr.off[g] === gr.off[g + 1]) continue;
    const n = inFlight(g);
    for (let r = gr.off[g]; r < gr.off[g + 1]; r++) {
      slots += gr.m[r] * gateSlots(gr.H[r], n);
      out.staggers[n] += gr.m[r] * gateStaggers(gr.H[r], n);
      if (gr.pairP[gr.pair[r]] > 0) refetch += gr.m[r] * excessOf(gr, gr.pair[r], n);
    }
  }
  out.slots = slots;
  out.refetch = refetch;
}

/** A new stagger array of a window table (index n ≤ MAX_ALLOCS). */
export const newStaggers = (): Float64Array => new Float64Array(MAX_ALLOCS + 1);

/** The serial path's sums of the gated heads with `n` heads in flight (`chainHeads`), into `s`. */
export function chainGateInto(s: Sums, gr: GateRecords, n: number): void {
  const kept = n <= CHAIN_KEPT && gr.chain.length > 0;
  if (kept && !Number.isNaN(gr.chain[2 * n])) {
    s.chainSlots = gr.chain[2 * n];
    s.chainStagger = gr.chain[2 * n + 1];
    return;
  }
  let slots = 0;
  let staggers = 0;
  for (let r = 0; r < gr.H.length; r++) {
    slots += gr.m[r] * gateSlots(gr.H[r], n);
    staggers += gr.m[r] * gateStaggers(gr.H[r], n);
  }
  s.chainSlots = slots;
  s.chainStagger = staggers;
  if (kept) {
    gr.chain[2 * n] = slots;
    gr.chain[2 * n + 1] = staggers;
  }
}
