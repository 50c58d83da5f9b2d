/**
 * A small integer per HBM timing value, so memo tables of DRAM costs (dram-cost.ts, dram-dense.ts,
 * dram-pattern.ts) can key on a timing with a number instead of a string. Two timing objects with
 * equal fields share an id (designs that differ only in knobs outside the timing share costs).
 * Refresh (tREFI, tRFC) is left out: the memoised costs exclude it (applied as availability). At
 * most MAX_IDS ids are live; past that the ids restart and `timingEpoch()` changes, and a table
 * keyed by ids must then be emptied (it checks the epoch).
 */
import type { HbmTiming } from '../cycle/hbm-timing.ts';

const MAX_IDS = 1024;
/** Ids by hash of their timing's values: open addressing (id + 1 per slot, 0 empty), load ≤ ½. */
const SLOTS = 2 * MAX_IDS;
const slotId = new Int32Array(SLOTS);
let count = 0;
/**
 * The timing objects asked about most recently, with their ids and epochs (a design's pricing
 * alternates between a few objects: its timing and its sub-channel timing). An object that has
 * left the ring is found again by value (same id) and counted as a new sighting, which can only
 * make a cost table keep an entry it could have dropped. (A WeakMap of every object ever asked
 * about cost a sweep of distinct designs a WeakMap entry per design: ephemerons the garbage
 * collector has to trace.)
 */
const RING = 8;
const ringT: Array<HbmTiming | undefined> = new Array(RING).fill(undefined);
const ringId = new Int32Array(RING);
const ringEpoch = new Int32Array(RING).fill(-1);
let ringNext = 0;
/** Timing objects seen per id (this epoch): 1 while only one design has asked about that timing. */
const sightings = new Int32Array(MAX_IDS);
let epoch = 0;
let lastT: HbmTiming | undefined;
let lastId = 0;
let lastEpoch = -1;

/** Changes whenever ids are reassigned. */
export function timingEpoch(): number {
  return epoch;
}

/** The id of a timing's value (every field but refresh), in [0, MAX_IDS). */
export function timingId(t: HbmTiming): number {
  if (t === lastT && lastEpoch === epoch) return lastId;
  let id = -1;
  for (let i = 0; i < RING; i++) {
    if (ringT[i] === t && ringEpoch[i] === epoch) {
      id = ringId[i];
      break;
    }
  }
  if (id < 0) id = assign(t);
  lastT = t;
  lastId = id;
  lastEpoch = epoch;
  return id;
}

/**
 * Each id's timing values, W numbers per id: every field but refresh, the mapping by its index in
 * MAPPINGS. Values, not the timing objects: a sweep of distinct designs makes two timing objects
 * per point, which a table of objects would keep alive past the young generation.
 */
const W = 17;
const values = new Float64Array(MAX_IDS * W);
const MAPPINGS: string[] = [];
/** The values of the timing being looked up (`readRow`). */
const row = new Float64Array(W);

function mappingIndex(m: string): number {
  let i = MAPPINGS.indexOf(m);
  if (i < 0) i = MAPPINGS.push(m) - 1;
  return i;
}

/** Reads t's values into `row` (named loads, one per field). */
function readRow(t: HbmTiming): void {
  row[0] = t.tBurst;
  row[1] = t.tCCDS;
  row[2] = t.tCCDL;
  row[3] = t.tCL;
  row[4] = t.tRCD;
  row[5] = t.tRP;
  row[6] = t.tRAS;
  row[7] = t.tRC;
  row[8] = t.tRRDS;
  row[9] = t.tRRDL;
  row[10] = t.tFAW;
  row[11] = t.pcs;
  row[12] = t.banks;
  row[13] = t.burstsPerRow;
  row[14] = t.queueDepth;
  row[15] = t.burstBytes;
  row[16] = mappingIndex(t.mapping);
}

function sameRow(id: number): boolean {
  const o = id * W;
  for (let f = 0; f < W; f++) if (values[o + f] !== row[f]) return false;
  return true;
}

/** A hash of `row` (collisions are told apart by `sameRow`). */
function rowHash(): number {
  let h = 1;
  for (let f = 0; f < W; f++) h = Math.imul(h ^ Math.floor(row[f] * 4096), 0x9e3779b1) ^ (h >>> 15);
  return h;
}

function assign(t: HbmTiming): number {
  readRow(t);
  let s = rowHash() & (SLOTS - 1);
  for (let e = slotId[s]; e !== 0; e = slotId[s]) {
    if (sameRow(e - 1)) return remember(t, e - 1);
    s = (s + 1) & (SLOTS - 1);
  }
  if (count >= MAX_IDS) {
    slotId.fill(0);
    count = 0;
    epoch++;
    sightings.fill(0);
    s = rowHash() & (SLOTS - 1);
  }
  slotId[s] = count + 1;
  values.set(row, count * W);
  return remember(t, count++);
}

function remember(t: HbmTiming, id: number): number {
  ringT[ringNext] = t;
  ringId[ringNext] = id;
  ringEpoch[ringNext] = epoch;
  ringNext = (ringNext + 1) % RING;
  sightings[id]++;
  return id;
}

/**
 * How many timing objects have had id `id` this epoch (a design's timing is a new object per
 * pricing): 1 means no other design has asked about this timing yet, as in a sweep of distinct
 * random points, where every point has a timing of its own.
 */
export function timingSightings(id: number): number {
  return sightings[id];
}
