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
/** Timings by hash of their fields, each with its id (a representative timing object per id). */
const byValue = new Map<number, Array<{ t: HbmTiming; id: number }>>();
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

/** The timing fields an id stands for (every field but refresh). */
const FIELDS = ['tBurst', 'tCCDS', 'tCCDL', 'tCL', 'tRCD', 'tRP', 'tRAS', 'tRC', 'tRRDS', 'tRRDL', 'tFAW', 'pcs', 'banks', 'burstsPerRow', 'queueDepth', 'mapping', 'burstBytes'] as const;

function sameTiming(a: HbmTiming, b: HbmTiming): boolean {
  for (const f of FIELDS) if (a[f] !== b[f]) return false;
  return true;
}

/** A hash of the timing's numeric fields (collisions are told apart by `sameTiming`). */
function timingHash(t: HbmTiming): number {
  let h = t.mapping.length;
  for (const f of FIELDS) {
    const v = t[f];
    if (typeof v === 'number') h = Math.imul(h ^ Math.floor(v * 4096), 0x9e3779b1) ^ (h >>> 15);
  }
  return h;
}

function assign(t: HbmTiming): number {
  const h = timingHash(t);
  let list = byValue.get(h);
  for (const e of list ?? []) if (sameTiming(e.t, t)) return remember(t, e.id);
  if (count >= MAX_IDS) {
    byValue.clear();
    count = 0;
    epoch++;
    sightings.fill(0);
    list = undefined;
  }
  if (list === undefined) byValue.set(h, (list = []));
  list.push({ t, id: count });
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
