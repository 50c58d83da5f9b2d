/** The queued gather look-ups of each generation DRAM group (gather-cache.ts rows), for fast.ts priceGroups. */
import type { PreparedWorkload } from './prepare.ts';
import { COST_WIDTH, lsbIsKGather, newGatherCost, vIsKGather } from './dram-cost.ts';
import { cachedGathers, flushGathers, queueGather } from './gather-cache.ts';

/** Numbers a group's costs take: four streams (Q, K, LSB, V) of GATHER numbers each (dram-cost.ts COST_WIDTH: cycles, activations, σ, lead per byte). */
const GATHER = COST_WIDTH;
export const GROUP = 4 * GATHER;
/** Each generation DRAM group's four streams, GROUP numbers a group (scratch reused across designs). */
let groupCosts = new Float64Array(GROUP * 64);

/**
 * dram-cost.ts requestCostFrom of each DRAM group's first class through the rows, into
 * `groupCosts`: Q, K MSBs, K LSBs, V, each (cycles, activations, σ, lead) per byte, with its copies of
 * the K gather (LSBs as wide as the MSBs; V with K's shape). The look-ups are queued, then read in
 * one loop (gather-cache.ts flushGathers). The caller has begun the design (gather-cache.ts beginDesign).
 */
export function groupGathers(p: PreparedWorkload, G: number): Float64Array {
  if (groupCosts.length < GROUP * G) groupCosts = new Float64Array(GROUP * G);
  if (copies.length < G) copies = new Uint8Array(G);
  const o = groupCosts;
  let pq = -1; // the previous group's query stream (q, bytes per query): its cost is the same
  let pb = -1;
  for (let g = 0; g < G; g++) {
    const c = p.classes[p.dramReps[g]];
    const j = GROUP * g;
    const nq = Math.max(1, c.q);
    const bq = Math.ceil((c.D * c.queryBits) / 8);
    if (nq === pq && bq === pb) copyGather(o, j, j - GROUP);
    else {
      const q = cachedGathers.query(queryCost, nq, bq);
      o[j] = q.cyclesPerByte;
      o[j + 1] = q.activationsPerByte;
      o[j + 2] = q.spreadPerByte;
      o[j + 3] = q.leadPerByte;
      pq = nq;
      pb = bq;
    }
    const Lr = Math.max(c.L, c.k);
    queueGather(o, j + GATHER, Lr, c.k, (c.D * c.keyBits) / 8);
    // LSBs as wide as the MSBs, V with K's shape: the K gather, copied after the look-ups
    const lsbAsK = lsbIsKGather(c.lsbBits, c.keyBits);
    const vAsK = vIsKGather(c.L, c.k, c.keyBits, c.vF, c.valueBits);
    copies[g] = (lsbAsK ? 1 : 0) | (vAsK ? 2 : 0);
    if (lsbAsK) anyCopy = true;
    else if (c.lsbBits > 0) queueGather(o, j + 2 * GATHER, Lr, c.k, (c.D * c.lsbBits) / 8);
    else o.fill(0, j + 2 * GATHER, j + 3 * GATHER);
    if (vAsK) anyCopy = true;
    else queueGather(o, j + 3 * GATHER, Math.max(c.L, c.vF), c.vF, (c.D * c.valueBits) / 8);
  }
  flushGathers(o);
  if (anyCopy) copyKGathers(o, G);
  return o;
}

/** Per group: 1 when its LSB stream is its K gather, 2 when its V stream is (`groupGathers`). */
let copies = new Uint8Array(64);
let anyCopy = false;

/** The K gather's numbers into the LSB and V streams of the groups `copies` marks. */
function copyKGathers(o: Float64Array, G: number): void {
  for (let g = 0; g < G; g++) {
    const f = copies[g];
    if (f === 0) continue;
    const k = GROUP * g + GATHER;
    if (f & 1) copyGather(o, k + GATHER, k);
    if (f & 2) copyGather(o, k + 2 * GATHER, k);
  }
  anyCopy = false;
}
const queryCost = newGatherCost();

/** A stream's GATHER numbers from o[from …] to o[to …]. */
function copyGather(o: Float64Array, to: number, from: number): void {
  for (let x = 0; x < GATHER; x++) o[to + x] = o[from + x];
}
