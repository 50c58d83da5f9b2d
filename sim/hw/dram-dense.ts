/**
 * Exact steady state of a dense gather's channels (n ≥ L) for the expected DRAM cost
 * (sim/hw/dram-expected.ts), and the burst spacing and latency its sparse expectation shares.
 *
 * Dense gathers have no placement: every channel holds T_c = ⌈(T − c)/C⌉ consecutive bursts, i.e.
 * chunks 0, 1, … of R = 16 bursts (the last partial), and only two distinct T_c exist. Their
 * occupancy is exact: the steady state of `HbmChannel.serveRange`'s recurrence is the largest cycle
 * mean d per chunk (`denseCycle`: bus R·s per PC, the in-order request window, activations tFAW/4,
 * tRRD and per-bank tRAS + tRP), reached with period c (the cyclicity of the binding cycles), so
 * occupancy(K chunks) = occupancy(K′) + (K − K′)·d for any K′ ≡ K (mod c) past the transient;
 * occupancy(K′) is the same run of K′ ≤ 24 + c regular chunks (`denseRun`).
 *
 * The occupancies are memoised per timing (`useDenseTiming` names the current one): in a small
 * direct-mapped table of the current timing, and by timing id in `denseTable`.
 */
import { longChunkSpacing } from '../cycle/dram.ts';
import type { HbmTiming } from '../cycle/hbm-timing.ts';
import { followingRegions } from '../cycle/dram-profile.ts';
import { chunkArrays, profilingChannel } from './profile-channel.ts';
import { NumTable } from './num-table.ts';
import { timingEpoch, timingSightings } from './timing-id.ts';

/** `denseCycle` of the last timing object asked about (a design's gathers share one). */
let lastCycleT: HbmTiming | undefined;
let lastCycle = { d: 0, c: 1 };
function denseCycleOf(t: HbmTiming): { d: number; c: number } {
  if (t !== lastCycleT) {
    lastCycle = denseCycle(t);
    lastCycleT = t;
  }
  return lastCycle;
}

/** Latency from a chunk's visibility to its first data when its bank holds another row. */
export const latency = (t: HbmTiming): number => t.tRP + t.tRCD + t.tCL;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/**
 * Steady state of a dense stream (full chunks, ids 0, 1, …): the cycle mean d per chunk of the
 * binding cycle of `HbmChannel.serveRange`'s recurrence and its cyclicity c (chunks). The burst Q
 * before a chunk's first is burst o (0-based) of the chunk w back; the in-order window waits for it
 * (lat + o·s + tBurst over w chunks) and for every earlier burst, i.e. the end of the chunk before
 * it (lat + (R − 1)·s + tBurst over w + 1). The window's check at the chunk's burst R − 1 never
 * binds a dense stream: it asks at most tBurst + tCL − s over w − 1 ≥ 1 chunks, below the first
 * burst's (lat + tBurst)/w with lat = tRP + tRCD + tCL (HBM2: 7 + 7 + 7 ns); the validation's dense
 * rows (scripts/dram-validate.ts) stay exact without it.
 */
export function denseCycle(t: HbmTiming): { d: number; c: number } {
  const R = t.burstsPerRow;
  const P = t.pcs;
  const Q = t.queueDepth;
  const w = Math.ceil(Q / R); // chunks back to the burst Q earlier
  const o = R * w - Q; // its 0-based position in that chunk
  const s = burstSpacing(R, t);
  const bus = (R * s) / P; // chunks alternate PCs (pc = id mod P)
  const win = (latency(t) + o * s + t.tBurst) / w;
  const pre = (latency(t) + (R - 1) * s + t.tBurst) / (w + 1);
  const act = Math.max(t.tFAW / 4, t.tRRDS, t.tRRDL / 4) / P; // consecutive ids: other bank group
  const bank = Math.max(t.tRC, t.tRAS + t.tRP) / (t.banks * P);
  const d = Math.max(bus, win, pre, act, bank);
  let c = 1;
  const tie = d * (1 - 1e-9); // cycles within rounding of the largest bind together
  if (bus >= tie) c = lcm(c, P);
  if (win >= tie) c = lcm(c, w);
  if (pre >= tie) c = lcm(c, w + 1);
  if (act >= tie) c = lcm(c, 4 * P);
  if (bank >= tie) c = lcm(c, t.banks * P);
  return { d, c };
}

/** Burst spacing of a chunk of n bursts (`HbmChannel.serveRange`): the bus, or in groups of Q when n > Q (sim/cycle/dram.ts longChunkSpacing). */
export function burstSpacing(n: number, t: HbmTiming): number {
  const space = Math.max(t.tBurst, t.tCCDL);
  return n > t.queueDepth ? longChunkSpacing(n, t.queueDepth, space, t.tBurst + t.tCL) : space;
}

const DENSE_PREFIX = 24;

/**
 * Dense channel occupancies per timing (by value, `timingId`: designs with equal DRAM timings share
 * them) by (Tc, span), bounded.
 */
const denseTable = new NumTable(4096);
let tablesEpoch = timingEpoch();
/** The id (`timingId`) of the current (sub-channel) timing. */
let tid = -1;

/**
 * The dense channel occupancies of the current timing (`tid`) by (Tc, span), direct-mapped: a
 * design's gathers of nearby L ask for a few (Tc, span) dozens of times (gpt2-medium generation:
 * ~65 look-ups, ~5 distinct, a point), and a look-up here stays in cache where `denseTable`'s,
 * spread over 256 kB, misses. Emptied when the timing changes.
 */
const LOCAL_SLOTS = 64;
const localTc = new Float64Array(LOCAL_SLOTS).fill(-1);
const localSpan = new Float64Array(LOCAL_SLOTS);
const localOcc = new Float64Array(LOCAL_SLOTS);
let denseLocalTid = -1;
let denseLocalEpoch = -1;
function clearDenseLocal(): void {
  localTc.fill(-1);
  denseLocalTid = tid;
  denseLocalEpoch = tablesEpoch;
}

/**
 * Makes the timing with id `id` the current one (the memo tables are emptied when the ids restart,
 * the direct-mapped table when the timing changes).
 */
export function useDenseTiming(id: number): void {
  if (tablesEpoch !== timingEpoch()) {
    denseTable.clear();
    tablesEpoch = timingEpoch();
  }
  tid = id;
  if (tid !== denseLocalTid || tablesEpoch !== denseLocalEpoch) clearDenseLocal();
}

/**
 * Occupancy of one dense channel of Tc bursts (memoised per timing, Tc and span: shapes of nearby L
 * share it). A timing only one design has asked about (`timingSightings` 1: every point of a sweep
 * over continuous DRAM knobs) keeps its runs in the direct-mapped table only: no other design
 * would find them in `denseTable`.
 */
export function denseChannelOcc(Tc: number, span: number, t: HbmTiming): number {
  const cyc = denseCycleOf(t);
  if (Tc <= 0) return 0;
  if (Tc >= 2 ** 26 || span >= 2 ** 26) return denseRun(Tc, span, t, cyc);
  const slot = (Tc * 31 + span) & (LOCAL_SLOTS - 1);
  if (localTc[slot] === Tc && localSpan[slot] === span) return localOcc[slot];
  const shared = timingSightings(tid) > 1;
  const key = Tc * 2 ** 26 + span;
  let v = shared ? denseTable.get(tid, key) : undefined;
  if (v === undefined) {
    v = denseRun(Tc, span, t, cyc);
    if (shared) denseTable.set(tid, key, v);
  }
  localTc[slot] = Tc;
  localSpan[slot] = span;
  localOcc[slot] = v;
  return v;
}

/** Run of one dense channel of Tc bursts (chunks 0 … K−1), then the following regions `span`, 2·`span`, … chunks on: their mean extra time. */
function denseRun(Tc: number, span: number, t: HbmTiming, cyc: { d: number; c: number }): number {
  const R = t.burstsPerRow;
  const K = Math.ceil(Tc / R);
  const m = Tc - R * (K - 1);
  const Kp = K <= DENSE_PREFIX ? K : K - cyc.c * Math.floor((K - DENSE_PREFIX) / cyc.c);
  const { ids, ns } = chunkArrays(Kp);
  for (let k = 0; k < Kp; k++) {
    ids[k] = k;
    ns[k] = k === Kp - 1 ? m : R;
  }
  const ch = profilingChannel(t);
  const off = span - (K - Kp);
  const end1 = ch.serveIdsEnd(ids, ns, 0, Kp, 0, 0);
  // the mean of the following regions, as profileStream takes them (one may sit on the other PC;
  // a small region meets tFAW and the request window only over several)
  const f = followingRegions(K, Tc, t);
  return (ch.serveFollowingEnd(ids, ns, 0, Kp, off, f) - end1) / f + (K - Kp) * cyc.d;
}
