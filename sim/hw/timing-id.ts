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
const byValue = new Map<string, number>();
const byObject = new WeakMap<HbmTiming, { id: number; epoch: number }>();
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
  const o = byObject.get(t);
  const id = o !== undefined && o.epoch === epoch ? o.id : assign(t);
  lastT = t;
  lastId = id;
  lastEpoch = epoch;
  return id;
}

function assign(t: HbmTiming): number {
  const key = `${t.tBurst}|${t.tCCDS}|${t.tCCDL}|${t.tCL}|${t.tRCD}|${t.tRP}|${t.tRAS}|${t.tRC}|${t.tRRDS}|${t.tRRDL}|${t.tFAW}|${t.pcs}|${t.banks}|${t.burstsPerRow}|${t.queueDepth}|${t.mapping}|${t.burstBytes}`;
  let id = byValue.get(key);
  if (id === undefined) {
    if (byValue.size >= MAX_IDS) {
      byValue.clear();
      epoch++;
    }
    byValue.set(key, (id = byValue.size));
  }
  byObject.set(t, { id, epoch });
  return id;
}
