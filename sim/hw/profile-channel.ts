/**
 * The HBM channels and chunk arrays the analytical model's DRAM profiles run on (a dense channel's
 * run, sim/hw/dram-dense.ts; a sparse pattern's, sim/hw/dram-pattern.ts): one channel per (PCs,
 * banks), reused across timings, and one pair of chunk arrays, grown as needed.
 */
import { HbmChannel } from '../cycle/dram.ts';
import type { HbmTiming } from '../cycle/hbm-timing.ts';

/** Chunk ids and bursts of the run being built (`chunkArrays`; the arrays may be replaced when grown). */
const chunks = { ids: new Float64Array(88), ns: new Int32Array(88) };

/** The chunk arrays, at least k long. */
export function chunkArrays(k: number): { ids: Float64Array; ns: Int32Array } {
  if (chunks.ids.length < k) {
    chunks.ids = new Float64Array(k);
    chunks.ns = new Int32Array(k);
  }
  return chunks;
}

/**
 * Profiling channels, one per (PCs, banks), reused across timings: each runs on its own copy of the
 * timing (a channel reads its timing's fields as it serves and sizes its state by PCs, banks and
 * request window; a channel sized for a longer window serves a shorter one exactly: its window
 * capacity is only an upper bound), refreshed when the timing changes.
 */
const pool = new Map<number, { ch: HbmChannel; t: HbmTiming; of: HbmTiming | undefined }>();

/** A channel for timing `t`, reset (every bank holding another row). */
export function profilingChannel(t: HbmTiming): HbmChannel {
  const key = t.pcs * 65536 + t.banks;
  let e = pool.get(key);
  if (e === undefined || e.ch.windowCapacity < t.queueDepth) {
    const copy = { ...t };
    pool.set(key, (e = { ch: new HbmChannel(copy, 'conflict'), t: copy, of: t }));
  } else if (e.of !== t) {
    copyTiming(e.t, t);
    e.of = t;
  }
  return e.ch.reset('conflict');
}

/**
 * Every field of `t` written into `to` (a field added to HbmTiming, sim/cycle/hbm-timing.ts, goes here
 * too: test/timing-keys.test.ts): named stores, ten times cheaper than Object.assign (~0.2 µs),
 * once per design timing.
 */
export function copyTiming(to: HbmTiming, t: HbmTiming): void {
  to.tBurst = t.tBurst;
  to.tCCDS = t.tCCDS;
  to.tCCDL = t.tCCDL;
  to.tCL = t.tCL;
  to.tRCD = t.tRCD;
  to.tRP = t.tRP;
  to.tRAS = t.tRAS;
  to.tRC = t.tRC;
  to.tRRDS = t.tRRDS;
  to.tRRDL = t.tRRDL;
  to.tFAW = t.tFAW;
  to.tREFI = t.tREFI;
  to.tRFC = t.tRFC;
  to.pcs = t.pcs;
  to.banks = t.banks;
  to.burstsPerRow = t.burstsPerRow;
  to.queueDepth = t.queueDepth;
  to.mapping = t.mapping;
  to.burstBytes = t.burstBytes;
}
