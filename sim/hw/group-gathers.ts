/** The queued gather look-ups of each generation DRAM group (gather-cache.ts rows), for fast.ts priceGroups. */
import type { PreparedWorkload } from './prepare.ts';
import { lsbIsKGather, vIsKGather } from './dram-cost.ts';
import { cachedGathers, flushGathers, queueGather } from './gather-cache.ts';

/** Each generation DRAM group's four streams, 12 numbers a group (scratch reused across designs). */
let groupCosts = new Float64Array(12 * 64);

/**
 * dram-cost.ts requestCostFrom of each DRAM group's first class through the rows, into
 * `groupCosts`: Q, K MSBs, K LSBs, V, each (cycles, activations, σ) per byte, with its copies of
 * the K gather (LSBs as wide as the MSBs; V with K's shape). The look-ups are queued, then read in
 * one loop (gather-cache.ts flushGathers). The caller has begun the design (gather-cache.ts beginDesign).
 */
export function groupGathers(p: PreparedWorkload, G: number): Float64Array {
  if (groupCosts.length < 12 * G) groupCosts = new Float64Array(12 * G);
  if (copies.length < G) copies = new Uint8Array(G);
  const o = groupCosts;
  let pq = -1; // the previous group's query stream (q, bytes per query): its cost is the same
  let pb = -1;
  for (let g = 0; g < G; g++) {
    const c = p.classes[p.dramReps[g]];
    const j = 12 * g;
    const nq = Math.max(1, c.q);
    const bq = Math.ceil((c.D * c.queryBits) / 8);
    if (nq === pq && bq === pb) {
      o[j] = o[j - 12];
      o[j + 1] = o[j - 11];
      o[j + 2] = o[j - 10];
    } else {
      const q = cachedGathers.query(queryCost, nq, bq);
      o[j] = q.cyclesPerByte;
      o[j + 1] = q.activationsPerByte;
      o[j + 2] = q.sdPerByte;
      pq = nq;
      pb = bq;
    }
    const Lr = Math.max(c.L, c.k);
    queueGather(o, j + 3, Lr, c.k, (c.D * c.keyBits) / 8);
    // LSBs as wide as the MSBs, V with K's shape: the K gather, copied after the look-ups
    const lsbAsK = lsbIsKGather(c.lsbBits, c.keyBits);
    const vAsK = vIsKGather(c.L, c.k, c.keyBits, c.vF, c.valueBits);
    copies[g] = (lsbAsK ? 1 : 0) | (vAsK ? 2 : 0);
    if (lsbAsK) anyCopy = true;
    else if (c.lsbBits > 0) queueGather(o, j + 6, Lr, c.k, (c.D * c.lsbBits) / 8);
    else o.fill(0, j + 6, j + 9);
    if (vAsK) anyCopy = true;
    else queueGather(o, j + 9, Math.max(c.L, c.vF), c.vF, (c.D * c.valueBits) / 8);
  }
  flushGathers(o);
  if (anyCopy) copyKGathers(o, G);
  return o;
}

/** Per group: 1 when its LSB stream is its K gather, 2 when its V stream is (`groupGathers`). */
let copies = new Uint8Array(64);
let anyCopy = false;

/** The K gather's three numbers into the LSB and V streams of the groups `copies` marks. */
function copyKGathers(o: Float64Array, G: number): void {
  for (let g = 0; g < G; g++) {
    const f = copies[g];
    if (f === 0) continue;
    const j = 12 * g;
    if (f & 1) {
      o[j + 6] = o[j + 3];
      o[j + 7] = o[j + 4];
      o[j + 8] = o[j + 5];
    }
    if (f & 2) {
      o[j + 9] = o[j + 3];
      o[j + 10] = o[j + 4];
      o[j + 11] = o[j + 5];
    }
  }
  anyCopy = false;
}
const queryCost = { cyclesPerByte: 0, activationsPerByte: 0, sdPerByte: 0 };
