/**
 * A small integer per HBM timing value, so memo tables of DRAM costs (dram-cost.ts,
 * dram-expected.ts) can key on a timing with a number instead of a string. Two timing objects
 * with equal fields share an id (designs that differ only in knobs outside the timing share
 * costs). Refresh (tREFI, tRFC) is left out: the memoised costs exclude it (applied as
 * availability). At most MAX_IDS ids are live; past that the ids restart and `timingEpoch()`
 * changes, and a table keyed by ids must then be emptied (it checks the epoch).
 */
import type { HbmTiming } from '../cycle/dram.ts';

const MAX_IDS = 1024;
/** Ids by hash of their timing's fields (chained: several ids may share a hash). */
const byValue = new Map<number, number[]>();
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

/** The timing fields an id stands for (every field but refresh); `mapping` is stored by its index in MAPPINGS. */
const FIELDS = ['tBurst', 'tCCDS', 'tCCDL', 'tCL', 'tRCD', 'tRP', 'tRAS', 'tRC', 'tRRDS', 'tRRDL', 'tFAW', 'pcs', 'banks', 'burstsPerRow', 'queueDepth', 'burstBytes'] as const;
const W = FIELDS.length + 1;
/**
 * Each id's field values, W numbers per id (the last: the mapping's index). Values, not the timing
 * objects: a sweep of distinct designs makes two timing objects per point, which a table of
 * objects would keep alive past the young generation.
 */
const values = new Float64Array(MAX_IDS * W);
const MAPPINGS: string[] = [];

function mappingIndex(m: string): number {
  let i = MAPPINGS.indexOf(m);
  if (i < 0) i = MAPPINGS.push(m) - 1;
  return i;
}

function sameTiming(id: number, t: HbmTiming, m: number): boolean {
  const o = id * W;
  for (let f = 0; f < FIELDS.length; f++) if (values[o + f] !== t[FIELDS[f]]) return false;
  return values[o + FIELDS.length] === m;
}

/** A hash of the timing's numeric fields and mapping (collisions are told apart by `sameTiming`). */
function timingHash(t: HbmTiming, m: number): number {
  let h = m + 1;
  for (const f of FIELDS) h = Math.imul(h ^ Math.floor(t[f] * 4096), 0x9e3779b1) ^ (h >>> 15);
  return h;
}

function assign(t: HbmTiming): number {
  const m = mappingIndex(t.mapping);
  const h = timingHash(t, m);
  let list = byValue.get(h);
  if (list !== undefined) for (const id of list) if (sameTiming(id, t, m)) return remember(t, id);
  if (count >= MAX_IDS) {
    byValue.clear();
    count = 0;
    epoch++;
    sightings.fill(0);
    list = undefined;
  }
  if (list === undefined) byValue.set(h, (list = []));
  list.push(count);
  const o = count * W;
  for (let f = 0; f < FIELDS.length; f++) values[o + f] = t[FIELDS[f]];
  values[o + FIELDS.length] = m;
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
