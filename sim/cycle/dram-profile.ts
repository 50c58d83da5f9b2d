/**
 * Steady-state DRAM cost of one fetch stream (a gather of n of L token vectors) on the HBM2 model of
 * dram.ts: each channel's row chunks served on a fresh channel, then again in the following regions (`followingRegions`).
 */
import { HbmChannel, type ChannelRun } from './dram.ts';
import { subChannels, type HbmTiming } from './hbm-timing.ts';
import { keptIndex } from './gather-layout.ts';

/** DRAM cost of one fetch stream, measured on fresh channels (every bank holding another row). */
export interface StreamProfile {
  /** Bursts (32-B transactions) moved. */
  bursts: number;
  bytes: number;
  /**
   * Steady-state occupancy per (sub-)channel, cycles: the extra time each of two more streams of the
   * same shape, in the next two regions of memory and queued right behind, adds on that channel
   * (their mean: one of them may sit on the other pseudo-channel).
   */
  occ: Float64Array;
  /** max over channels of occ. */
  occupancy: number;
  /** mean over the channels that carry data. */
  meanOccupancy: number;
  /** Service start → first data. */
  firstLatency: number;
  hits: number;
  misses: number;
}

/** `salt` ≠ 0 lays the kept tokens out at another hashed placement (gather-layout.ts keptIndex); 0 is the model's own. */
export function profileStream(L: number, n: number, bytesPerToken: number, channels: number, t: HbmTiming, salt = 0): StreamProfile {
  ({ t, channels } = subChannels(t, channels));
  const occ = new Float64Array(channels);
  if (n <= 0 || bytesPerToken <= 0) return { bursts: 0, bytes: 0, occ, occupancy: 0, meanOccupancy: 0, firstLatency: 0, hits: 0, misses: 0 };
  const g = flatGather(L, n, bytesPerToken, channels, t, salt);
  // Region span in row chunks per channel: L tokens of bytesPerToken over all channels.
  const spanChunks = Math.max(1, Math.ceil((L * bytesPerToken) / (t.burstBytes * channels * t.burstsPerRow)));
  let maxOcc = 0;
  let sumOcc = 0;
  let used = 0;
  let first = Infinity;
  let bursts = 0;
  let hits = 0;
  let misses = 0;
  const ch = profilingChannel(t);
  const dense = n >= L; // channels then hold at most two distinct chunk lists (denseGather)
  let r1: ChannelRun | undefined;
  for (let c = 0; c < channels; c++) {
    const a = g.start[c];
    const b = g.start[c + 1];
    if (a === b) continue;
    if (dense && r1 !== undefined && sameAsPrevious(g, c)) {
      // Every channel starts fresh, so a channel whose chunks equal the previous one's runs the same.
      occ[c] = occ[c - 1];
    } else {
      ch.reset('conflict');
      r1 = ch.serveIds(g.ids, g.ns, a, b, 0, 0);
      // The next head's region follows this one in memory (K/V caches are [layer][head][token]),
      // so its chunks continue where this region's span ends: banks rotate, rows advance.
      // and further regions again: with the pseudo-channels split by row chunk (RoBaRaCoCh), a
      // region of one chunk per channel puts the next region on the other PC, where it runs
      // entirely beside the first (0 extra cycles) and the one after it waits for the first PC;
      // and a small region meets the activation and request windows only over several regions
      // (`followingRegions`): the mean over the following regions is the steady state
      const m = followingRegions(b - a, burstsOf(g.ns, a, b), t);
      occ[c] = (ch.serveFollowingEnd(g.ids, g.ns, a, b, spanChunks, m) - r1.end) / m;
    }
    maxOcc = Math.max(maxOcc, occ[c]);
    sumOcc += occ[c];
    used++;
    first = Math.min(first, r1.firstData);
    bursts += r1.bursts;
    hits += r1.hits;
    misses += r1.misses;
  }
  return {
    bursts,
    bytes: bursts * t.burstBytes,
    occ,
    occupancy: maxOcc,
    meanOccupancy: sumOcc / used,
    firstLatency: first + t.tBurst,
    hits,
    misses,
  };
}

/**
 * How many regions after the first a stream's profile serves (their mean extra time is its
 * occupancy): enough that the run spans tFAW's window, 4 activations per pseudo-channel (every
 * chunk of a fresh region is a row miss: 4·P chunks), `faw` times and the request window
 * (queueDepth bursts) `window` times — even (a region of one chunk per channel alternates the
 * pseudo-channels), at least `min`, at most `max` (windows of hundreds of bursts at high GB/s
 * otherwise ask for hundreds of tiny regions).
 */
export interface FollowingRule {
  faw: number;
  window: number;
  min: number;
  max: number;
}

/**
 * The rule both models use. The steady state of a stream of regions is often periodic over several
 * regions (tFAW groups and the window's landing positions advance by a region's chunks and bursts,
 * banks by its span), and a mean over too few regions depends on where the period is cut:
 * `node --import tsx scripts/profile-regions.ts` measures each rule against a 200-region mean (its
 * table: sim/cycle/README.md, "The request window and the steady state"). Covering tFAW 6 times
 * instead of twice halves the p99 error. Covering the request window 6 times too gains a little
 * more, but a design with a deep window (hw.dramQueueDepth up to 1,024) then serves up to 32
 * regions of every stream: random designs over the schema's ranges ran at 0.76× the rate of the
 * rule before, against 0.92× with the window covered twice (bench/analytical-sweeps.ts
 * `hardwarePhase`, 300,000 points, three rounds alternating the rules, 2026-12-06).
 * Fewer regions than tFAW needs never meet it: a dense 513 × 64 B stream on 256 channels
 * (RoBaRaCoCh, 32 GB/s, window 16: 5 bursts, 1 chunk a channel) cost 5.0 cycles a region over two
 * following regions against 7.8 in a 40-region run, and a design with twice the channels got up to
 * 5.8× faster (scripts/monotone-audit.ts).
 */
export const FOLLOWING: FollowingRule = { faw: 6, window: 2, min: 2, max: 32 };

export function followingRegions(chunks: number, bursts: number, t: HbmTiming, rule: FollowingRule = FOLLOWING): number {
  const need = Math.max((4 * rule.faw * t.pcs) / Math.max(1, chunks), (rule.window * t.queueDepth) / Math.max(1, bursts));
  return Math.min(rule.max, Math.max(rule.min, 2 * Math.ceil(need / 2)));
}

/** Bursts of the chunks a … b−1. */
function burstsOf(ns: Int32Array, a: number, b: number): number {
  let s = 0;
  for (let k = a; k < b; k++) s += ns[k];
  return s;
}

/** Channel c's chunks are those of channel c − 1 (which has chunks). */
function sameAsPrevious(g: FlatGather, c: number): boolean {
  const a = g.start[c];
  const len = g.start[c + 1] - a;
  const p = g.start[c - 1];
  if (g.start[c] - p !== len) return false;
  for (let k = 0; k < len; k++) if (g.ids[a + k] !== g.ids[p + k] || g.ns[a + k] !== g.ns[p + k]) return false;
  return true;
}

/** A gather's row chunks grouped by channel: channel c owns ids/ns[start[c] .. start[c+1]). Reused buffers. */
interface FlatGather {
  ids: Float64Array;
  ns: Int32Array;
  start: Int32Array;
}

let flat: FlatGather & { chOf: Int32Array; idOf: Float64Array; nOf: Int32Array } = {
  ids: new Float64Array(256),
  ns: new Int32Array(256),
  start: new Int32Array(65),
  chOf: new Int32Array(256),
  idOf: new Float64Array(256),
  nOf: new Int32Array(256),
};

/**
 * The chunks `gatherChunks` (gather-layout.ts) makes, as flat typed arrays (same chunks, same order
 * per channel; a chunk's id is its index in the channel: pc, then bank, then row). Valid until the
 * next call.
 */
function flatGather(L: number, n: number, B: number, channels: number, t: HbmTiming, salt: number): FlatGather {
  const bb = t.burstBytes;
  const maxTx = Math.ceil(((Math.max(L, n) + 1) * B) / bb) + 1;
  if (flat.idOf.length < maxTx || flat.start.length < channels + 1) {
    const m = Math.max(maxTx, flat.idOf.length * 2);
    flat = { ids: new Float64Array(m), ns: new Int32Array(m), start: new Int32Array(Math.max(channels + 1, flat.start.length)), chOf: new Int32Array(m), idOf: new Float64Array(m), nOf: new Int32Array(m) };
  }
  if (n >= L) return denseGather(Math.ceil((n * B) / bb), channels, t.burstsPerRow);
  const { chOf, idOf, nOf, ids, ns, start } = flat;
  const last = lastIndex(channels);
  const rowBursts = t.burstsPerRow;
  let m = 0; // chunks made, in creation order
  let lastTx = -1;
  for (let i = 0; i < n; i++) {
    const idx = keptIndex(i, L, n, salt);
    const a = Math.floor((idx * B) / bb);
    const b = Math.floor((idx * B + B - 1) / bb);
    const g0 = Math.max(a, lastTx + 1);
    // Channel and per-channel index of transaction g, stepped instead of divided.
    let ch = g0 % channels;
    let local = (g0 - ch) / channels;
    for (let g = g0; g <= b; g++) {
      const chunk = Math.floor(local / rowBursts);
      const k = last[ch];
      if (k >= 0 && idOf[k] === chunk) nOf[k]++;
      else {
        chOf[m] = ch;
        idOf[m] = chunk;
        nOf[m] = 1;
        last[ch] = m++;
      }
      if (++ch === channels) {
        ch = 0;
        local++;
      }
    }
    lastTx = Math.max(lastTx, b);
  }
  // Counting sort by channel (stable: each channel's chunks stay in issue order).
  start.fill(0, 0, channels + 1);
  for (let k = 0; k < m; k++) start[chOf[k] + 1]++;
  for (let c = 0; c < channels; c++) start[c + 1] += start[c];
  for (let k = 0; k < m; k++) {
    const c = chOf[k];
    const at = start[c]++;
    ids[at] = idOf[k];
    ns[at] = nOf[k];
  }
  for (let c = channels; c > 0; c--) start[c] = start[c - 1];
  start[0] = 0;
  return flat;
}

/**
 * A dense gather moves transactions 0 … T−1: channel c gets T_c = ⌈(T − c) / channels⌉ of them,
 * consecutive in the channel, so its chunks are 0, 1, … of `rowBursts` bursts (the last partial) —
 * what the token walk builds, in O(chunks) instead of O(transactions).
 */
function denseGather(T: number, channels: number, rowBursts: number): FlatGather {
  const { ids, ns, start } = flat;
  let m = 0;
  for (let c = 0; c < channels; c++) {
    start[c] = m;
    const Tc = c < T ? Math.floor((T - 1 - c) / channels) + 1 : 0;
    for (let k = 0; k * rowBursts < Tc; k++) {
      ids[m] = k;
      ns[m++] = Math.min(rowBursts, Tc - k * rowBursts);
    }
  }
  start[channels] = m;
  return flat;
}

let lastBuf = new Int32Array(64);
/** Per-channel index of the current chunk (−1: none yet), reset. */
function lastIndex(channels: number): Int32Array {
  if (lastBuf.length < channels) lastBuf = new Int32Array(channels);
  lastBuf.fill(-1, 0, channels);
  return lastBuf;
}

let spare: HbmChannel | undefined;
/** A channel to profile on: a fresh one per timing, reused while the timing is the same object. */
function profilingChannel(t: HbmTiming): HbmChannel {
  if (spare === undefined || spare.t !== t) spare = new HbmChannel(t, 'conflict');
  return spare;
}

