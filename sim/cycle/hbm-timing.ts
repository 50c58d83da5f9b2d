/**
 * HBM2 timing of the DRAM models (the cycle simulator's bank-level channel, sim/cycle/dram.ts, and
 * the analytical model's DRAM profiles and costs in sim/hw/): the Ramulator2 `HBM2_2Gbps` preset in
 * ns, a design's timing in accelerator cycles (`hbmTiming`; the interpretation of the preset is in
 * dram.ts's header), the sub-channel view of the PC-interleaved mapping (`subChannels`), the first
 * access's row-conflict latency (`rowConflictLatency`) and the time left by all-bank refresh
 * (`availableBefore`, `timeForAvailable`).
 */
import type { HardwareConfig } from '../schema.ts';

/** HBM2 timing of a design (a field added here is also copied by sim/hw/profile-channel.ts copyTiming). */
export interface HbmTiming {
  /** Data-bus time of one 32-B burst on one PC. */
  tBurst: number;
  tCCDS: number;
  tCCDL: number;
  tCL: number;
  tRCD: number;
  tRP: number;
  tRAS: number;
  tRC: number;
  tRRDS: number;
  tRRDL: number;
  tFAW: number;
  tREFI: number;
  tRFC: number;
  pcs: number;
  banks: number;
  burstsPerRow: number;
  /** Outstanding bursts per channel visible to the scheduler. */
  queueDepth: number;
  /**
   * Address mapping inside a channel: 'RoBaRaCoCh' (official Ramulator2 config: 512 B per PC row
   * chunk, then the other PC) or 'RoBaCoRaCh' (PCs interleaved every 32 B, so any gather splits
   * evenly over the two PCs).
   */
  mapping: 'RoBaRaCoCh' | 'RoBaCoRaCh';
  burstBytes: number;
}

export const HBM2_2GBPS_NS = {
  tCK: 1,
  nBL: 4,
  nCL: 7,
  nRCD: 7,
  nRP: 7,
  nRAS: 17,
  nRC: 19,
  nCCDS: 1,
  nCCDL: 2,
  nRRDS: 2,
  nRRDL: 3,
  nFAW: 15,
  nREFI: 3900,
  nRFC: 350,
} as const;

/**
 * Scheduler window when `hbmTiming` is called without `queueDepth` (direct callers and unit tests;
 * a design always passes hw.dramQueueDepth, whose default in sim/schema.ts is 16, the official DPI
 * shim's limit): 32 requests per channel at 32 GB/s (Ramulator2's default read-queue
 * size: `ReqBuffer::max_size = 32`, src/base/request.h of CMU-SAFARI/ramulator2; the paper's fetcher has 64-deep FIFOs per port), scaled up with the channel bandwidth. The official DPI shim caps outstanding requests at
 * 16 per channel; with 16 our model streams a dense region at only ~2/3 of the peak because a
 * 512-B row chunk (16 bursts) is shorter than the PRE+ACT+CL of the next one (see README).
 */
export const DEFAULT_QUEUE_DEPTH = 32;
/**
 * Mapping when `hbmTiming` is called without `mapping` (direct callers and unit tests). A design
 * always passes hw.dramMapping, whose default in sim/schema.ts is the official 'RoBaRaCoCh' (see
 * HbmTiming.mapping and sim/cycle/README.md).
 */
export const DEFAULT_MAPPING: HbmTiming['mapping'] = 'RoBaCoRaCh';

/**
 * The sub-channel timings of the last design timings asked about (`subChannels`), by identity: a
 * design's pricing asks many times with one timing object. Not a WeakMap of every timing ever
 * seen: a sweep of distinct designs would leave an entry per point for the collector to trace.
 */
const SUB_RING = 4;
const subOf: Array<HbmTiming | undefined> = new Array(SUB_RING).fill(undefined);
const subT: Array<HbmTiming | undefined> = new Array(SUB_RING).fill(undefined);
let subNext = 0;

function subTiming(t: HbmTiming): HbmTiming {
  for (let i = 0; i < SUB_RING; i++) if (subOf[i] === t) return subT[i]!;
  const s: HbmTiming = { ...t, pcs: 1, queueDepth: Math.max(1, Math.floor(t.queueDepth / t.pcs)) };
  subOf[subNext] = t;
  subT[subNext] = s;
  subNext = (subNext + 1) % SUB_RING;
  return s;
}

/** How many (sub-)channels `subChannels` spreads a design's bursts over, without making its sub-channel timing. */
export function subChannelCount(t: HbmTiming, channels: number): number {
  return t.mapping === 'RoBaRaCoCh' ? channels : channels * t.pcs;
}

/** The timing of one (sub-)channel of `subChannels` (the design timing itself unless PCs are interleaved), without the pair object. */
export function subChannelTiming(t: HbmTiming): HbmTiming {
  // The same sub-channel timing object for the same design timing object, so per-timing caches
  // (the profiling channels, cost tables: sim/hw/timing-id.ts) find it at once; a new object of
  // equal values gets the same timing id.
  return t.mapping === 'RoBaRaCoCh' ? t : subTiming(t);
}

/**
 * With PCs interleaved at 32 B, each PC is an independent sub-channel (own bus, banks, tFAW)
 * holding every other burst: modelled as 2·Ch channels of one PC and half the request window.
 */
export function subChannels(t: HbmTiming, channels: number): { t: HbmTiming; channels: number } {
  return { t: subChannelTiming(t), channels: subChannelCount(t, channels) };
}

export function hbmTiming(
  hw: Pick<HardwareConfig, 'clockGHz' | 'dramChannelGBps'>,
  opts: { refresh?: boolean; queueDepth?: number; mapping?: HbmTiming['mapping'] } = {},
): HbmTiming {
  const c = hw.clockGHz; // cycles per ns
  const s = 32 / hw.dramChannelGBps; // interface scaling
  const T = HBM2_2GBPS_NS;
  return {
    tBurst: (T.nBL / 2) * T.tCK * s * c,
    tCCDS: T.nCCDS * s * c,
    tCCDL: T.nCCDL * s * c,
    tCL: T.nCL * c,
    tRCD: T.nRCD * c,
    tRP: T.nRP * c,
    tRAS: T.nRAS * c,
    tRC: T.nRC * c,
    tRRDS: T.nRRDS * c,
    tRRDL: T.nRRDL * c,
    tFAW: T.nFAW * c,
    tREFI: opts.refresh === false ? Infinity : T.nREFI * c,
    tRFC: opts.refresh === false ? 0 : T.nRFC * c,
    pcs: 2,
    banks: 16,
    burstsPerRow: 16,
    // The window covers the same bandwidth × latency product at any interface speed.
    queueDepth: opts.queueDepth ?? Math.ceil(DEFAULT_QUEUE_DEPTH * Math.max(1, hw.dramChannelGBps / 32)),
    mapping: opts.mapping ?? DEFAULT_MAPPING,
    burstBytes: 32,
  };
}

/**
 * Service start → the end of a stream's first burst, accelerator cycles: the first access of a
 * stream is a row conflict (open-page FR-FCFS, every bank holding another head's row: the state
 * dram-profile.ts profiles each stream from), nRP + nRCD + nCL + one burst, in the timing's cycles
 * (ns × clockGHz; the burst × 32/dramChannelGBps). `profileStream`'s firstLatency is this value
 * (test/cycle-micro.test.ts); the analytical model's access latency is built on it
 * (sim/hw/pipeline-math.ts fetchLatencies).
 */
export function rowConflictLatency(t: HbmTiming): number {
  return t.tRP + t.tRCD + t.tCL + t.tBurst;
}

/**
 * Available DRAM time in [0, x): all-bank refresh blocks every channel for tRFC at the start of
 * each tREFI period from the second period on.
 */
export function availableBefore(x: number, t: HbmTiming): number {
  if (!Number.isFinite(t.tREFI) || x <= t.tREFI) return x;
  const P = t.tREFI;
  const m = Math.floor(x / P);
  return P + (m - 1) * (P - t.tRFC) + Math.max(0, x - m * P - t.tRFC);
}

/** Inverse of availableBefore: the earliest x with availableBefore(x) = a. */
export function timeForAvailable(a: number, t: HbmTiming): number {
  if (!Number.isFinite(t.tREFI) || a <= t.tREFI) return a;
  const P = t.tREFI;
  const per = P - t.tRFC;
  const rest = a - P;
  const j = Math.floor(rest / per);
  const rem = rest - j * per;
  if (rem === 0) return (j + 1) * P;
  return (j + 1) * P + t.tRFC + rem;
}
