/**
 * HBM2 model for the cycle simulator.
 *
 * Organisation (Ramulator2 `HBM2_8Gb` as used by the official RTL, spec §1.6): each channel has
 * 2 pseudo-channels (PCs, own 64-bit data bus) × 16 banks (4 bank groups × 4). Timing preset
 * `HBM2_2Gbps` (tCK 1 ns): nBL 4, nCL 7, nRCD 7, nRP 7, nRAS 17, nRC 19, nCCDS 1, nCCDL 2,
 * nRRDS 2, nRRDL 3, nFAW 15, nREFI 3900, nRFC 350 (8 Gb).
 *
 * Interpretation (documented choices):
 *  - a 32-byte read is one BL4 burst on one 64-bit pseudo-channel; at 2 Gb/s per pin the 4 beats
 *    take 2 tCK, so nBL 4 counts beats and the data bus is busy 2 ns per burst. Two PCs then give
 *    exactly the paper's 32 GB/s per channel;
 *  - `dramChannelGBps` scales the interface (burst time and nCCD, which are in interface clocks)
 *    by 32/GBps; the DRAM core timings (nRCD, nRP, nRAS, nRC, nRRD, nFAW, refresh) stay in ns;
 *  - ns are converted to accelerator cycles with `clockGHz`;
 *  - address mapping (RoBaRaCoCh, crossbar at 32-B granularity, spec §1.5 stage 6c and §1.6): global
 *    32-B transaction g goes to channel g mod Ch; inside the channel, 16 consecutive transactions
 *    (512 B) share one PC row, the next 512 B go to the other PC, then the bank index (low two
 *    bits = bank group), then the row;
 *  - open-page policy; FR-FCFS is applied at the granularity of a *row chunk* (a run of bursts
 *    to one open row, which FR-FCFS would serve back to back). The request window holds
 *    `queueDepth` outstanding bursts (hw.dramQueueDepth, default 16 as the official DPI shim, spec
 *    §1.6) and releases them in request order (responses return through the AXI side's ID FIFO in
 *    order, spec §1.6): a burst enters when the burst `queueDepth` positions before it and every
 *    earlier one have returned. A chunk becomes visible to the scheduler when its first burst has
 *    entered; its PRE/ACT are issued as early as the bank, tRRD and tFAW allow — overlapping the
 *    data transfer of other banks — and its bursts follow back to back on the PC data bus, spread
 *    out evenly when the last of its first `queueDepth` bursts enters too late for that (tCL
 *    before its data; the window is checked at the chunk's first burst and at that one, not at each
 *    between), a chunk longer than the window in groups of `queueDepth` (`longChunkSpacing`).
 *    `node --import tsx scripts/dram-window.ts` compares this with the window applied burst by
 *    burst. Before, a chunk entered when the burst `queueDepth` before its first had returned,
 *    whatever the order, and nothing held its later bursts: with chunks of exactly `queueDepth`
 *    bursts alternating PCs twice the window was in flight, and a dense stream cost less than one
 *    keeping 95% of its tokens (sim/cycle/README.md, "The request window and the steady state");
 *  - refresh is all-bank, every nREFI for nRFC, simultaneously on every channel (the RTL creates
 *    one Ramulator2 instance per channel, all started at cycle 0); it is applied by the fluid
 *    channel-sharing layer in sim.ts.
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

/** Row chunks of one channel, in issue order. */
export interface ChunkList {
  pc: number[];
  bank: number[];
  row: number[];
  n: number[];
}

export const emptyChunks = (): ChunkList => ({ pc: [], bank: [], row: [], n: [] });

export interface ChannelRun {
  /** Time the last burst leaves the data bus. */
  end: number;
  /** Time the first burst's data starts (Infinity if no burst). */
  firstData: number;
  bursts: number;
  hits: number;
  misses: number;
}

const OTHER_ROW = -2;

/**
 * Mean burst spacing of a chunk of n > q bursts in a window of q: its burst j ≥ q enters when its own
 * burst j − q has returned and needs tCL from there, so the bursts go in groups of q at the bus
 * spacing `space`, each group `ret` = tBurst + tCL after the one before when q·space < ret. The
 * spacing that puts the last burst where those groups do: (⌊(n−1)/q⌋·ret + ((n−1) mod q)·space)/(n−1).
 */
export function longChunkSpacing(n: number, q: number, space: number, ret: number): number {
  if (q * space >= ret) return space;
  const g = Math.floor((n - 1) / q);
  return (g * ret + (n - 1 - g * q) * space) / (n - 1);
}

/**
 * One HBM2 channel: bank/row state, PC data buses, tRRD/tFAW windows. `serve` schedules a list
 * of row chunks that arrive together at t0 (the queue-depth window still limits lookahead).
 */
export class HbmChannel {
  readonly openRow: Int32Array;
  readonly lastAct: Float64Array;
  readonly busFree: Float64Array;
  readonly lastActPc: Float64Array;
  readonly lastActBg: Float64Array;
  readonly faw: Float64Array;
  readonly fawIdx: Int32Array;
  /**
   * The request window across streams: the chunks holding the last queueDepth bursts, as a ring
   * of (position of the chunk's first burst, its first data start, burst spacing, bursts), oldest
   * at `head`. A chunk's bursts complete at ds + j·spacing + tBurst (j = 0 … n−1): the completion
   * time of any burst is computed from its chunk, instead of being written burst by burst.
   */
  private readonly cPos: Float64Array;
  private readonly cDs: Float64Array;
  private readonly cSpace: Float64Array;
  private readonly cN: Int32Array;
  /** Per chunk: the latest completion of any burst before it (the in-order window's release of its first burst's slot). */
  private readonly cPre: Float64Array;
  /** The latest completion of any burst served so far. */
  private done = -1e9;
  private head = 0;
  private tail = 0;
  /** Bursts served so far (position in channel order). */
  pos = 0;
  hits = 0;
  misses = 0;
  bursts = 0;

  constructor(
    readonly t: HbmTiming,
    /** Initial row state: 'closed' (all banks precharged) or 'conflict' (another row open). */
    init: 'closed' | 'conflict' = 'conflict',
  ) {
    const nb = t.pcs * t.banks;
    this.openRow = new Int32Array(nb);
    this.lastAct = new Float64Array(nb);
    this.busFree = new Float64Array(t.pcs);
    this.lastActPc = new Float64Array(t.pcs);
    this.lastActBg = new Float64Array(t.pcs * 4);
    this.faw = new Float64Array(t.pcs * 4);
    this.fawIdx = new Int32Array(t.pcs);
    // the chunks overlapping the last queueDepth bursts (≥ 1 burst each) and the one being added
    const cap = t.queueDepth + 2;
    this.cPos = new Float64Array(cap);
    this.cDs = new Float64Array(cap);
    this.cSpace = new Float64Array(cap);
    this.cN = new Int32Array(cap);
    this.cPre = new Float64Array(cap);
    this.reset(init);
  }

  /** The longest request window (queueDepth) this channel can serve: a reused channel needs one at least as long as its timing's. */
  get windowCapacity(): number {
    return this.cN.length - 2;
  }

  /** Back to the initial state (for reuse). */
  reset(init: 'closed' | 'conflict' = 'conflict'): this {
    // loops, not fill(): the arrays are a few dozen entries, and the analytical model's DRAM
    // profiles (sim/hw/dram-expected.ts) reset a channel per run, where seven fill() calls cost
    // more than the writes
    const row = init === 'closed' ? -1 : OTHER_ROW;
    for (let i = 0; i < this.openRow.length; i++) {
      this.openRow[i] = row;
      this.lastAct[i] = -1e9;
    }
    for (let i = 0; i < this.busFree.length; i++) {
      this.busFree[i] = -1e9;
      this.lastActPc[i] = -1e9;
      this.fawIdx[i] = 0;
    }
    for (let i = 0; i < this.faw.length; i++) {
      this.lastActBg[i] = -1e9;
      this.faw[i] = -1e9;
    }
    this.head = 0;
    this.tail = 0;
    this.done = -1e9;
    this.pos = 0;
    this.hits = 0;
    this.misses = 0;
    this.bursts = 0;
    return this;
  }

  /** Serve a list of row chunks (pc < pcs, bank < banks, row ≥ 0): `serveIds` of their chunk indices. */
  serve(list: ChunkList, t0: number): ChannelRun {
    const m = list.n.length;
    const P = this.t.pcs;
    const PB = P * this.t.banks;
    const ids = new Float64Array(m);
    const ns = new Int32Array(m);
    for (let k = 0; k < m; k++) {
      ids[k] = list.pc[k] + P * list.bank[k] + PB * list.row[k];
      ns[k] = list.n[k];
    }
    return this.serveIds(ids, ns, 0, m, 0, t0);
  }

  /**
   * Serve the row chunks ids[a..b) (chunk index within the channel: pc, then bank, then row;
   * `offset` added: the same gather in a region `offset` row chunks further) with ns[k] bursts each.
   */
  serveIds(ids: Float64Array, ns: Int32Array, a: number, b: number, offset: number, t0: number): ChannelRun {
    this.serveRange(ids, ns, a, b, 1, 1, offset, t0);
    return this.finish(t0);
  }

  /**
   * `serveIds(…).end` without the run object: the analytical model's DRAM profiles (sim/hw/
   * dram-expected.ts) read only the end of each run, two runs a profile and a few profiles a design.
   */
  serveIdsEnd(ids: Float64Array, ns: Int32Array, a: number, b: number, offset: number, t0: number): number {
    this.serveRange(ids, ns, a, b, 1, 1, offset, t0);
    return Math.max(t0, this.rEnd);
  }

  /**
   * The following regions of a stream profile: ids[a..b) served again `regions` times, region r
   * `r·offset` chunks further, all arriving at 0 (`serveIdsEnd` of each in turn); the last one's end.
   */
  serveFollowingEnd(ids: Float64Array, ns: Int32Array, a: number, b: number, offset: number, regions: number): number {
    this.serveRange(ids, ns, a, b, 1, regions, offset, 0);
    return Math.max(0, this.rEnd);
  }

  /**
   * Runs r = r0 … r1 of the row chunks ids[a..b), run r `r·stride` chunks on (`serveIds` of each
   * in turn): the last run's totals in the run's fields, every run's added to the channel's. Each chunk, in
   * order: it becomes visible when the burst queueDepth positions earlier (possibly of an earlier
   * run) has returned; on a row miss its PRE/ACT wait for the bank (tRAS, tRC), tRRD and tFAW; its
   * bursts follow back to back on its PC's bus. One function with the state in locals: this is the
   * models' hot loop (the analytical model serves a few hundred chunks a design, most of them in
   * profiles of one or two chunks a region over up to 32 regions), and a method call per chunk or
   * per run, reloading the state from the fields, cost 1.2x the distinct-design rate.
   */
  private serveRange(ids: Float64Array, ns: Int32Array, a: number, b: number, r0: number, r1: number, stride: number, t0: number): void {
    const t = this.t;
    const { pcs: P, banks, queueDepth: Q, tBurst, tRAS, tRP, tRC, tRRDS, tRRDL, tFAW, tRCD, tCL } = t;
    const PB = P * banks;
    const pShift = Math.log2(P);
    const pbShift = Math.log2(PB);
    const pow2 = Number.isInteger(pShift) && Number.isInteger(pbShift);
    const space = Math.max(tBurst, t.tCCDL); // same bank ⇒ same bank group
    const { openRow, lastAct, lastActPc, lastActBg, faw, fawIdx, busFree, cPos, cDs, cSpace, cN, cPre } = this;
    const cap = cN.length;
    let done = this.done;
    let pos = this.pos;
    let head = this.head;
    let tail = this.tail;
    let hits = 0;
    let misses = 0;
    let first = Infinity;
    let end = -Infinity;
    let runPos = pos;
    let allHits = 0;
    let allMisses = 0;
    for (let r = r0; r <= r1; r++) {
      hits = misses = 0;
      first = Infinity;
      end = -Infinity;
      runPos = pos;
      const offset = r * stride;
      for (let k = a; k < b; k++) {
        // id is an integer and P, banks are small, so the quotients are exact and x − trunc(x/m)·m is
        // x % m (as an array index: the same slot) without a floating-point remainder; in 32-bit
        // integer arithmetic when it fits (non-negative: floor = trunc), by shifts when P and banks
        // are powers of two (HBM2: 1 or 2 PCs, 16 banks)
        const id = ids[k] + offset;
        const i = id | 0;
        let pc: number;
        let bank: number;
        let row: number;
        if (i === id && i >= 0) {
          if (pow2) {
            pc = i & (P - 1);
            bank = (i >> pShift) & (banks - 1);
            row = i >> pbShift;
          } else {
            const q = (i / P) | 0;
            pc = i - q * P;
            bank = q - ((q / banks) | 0) * banks;
            row = (i / PB) | 0;
          }
        } else {
          const q = Math.floor(id / P);
          pc = id - Math.trunc(id / P) * P;
          bank = q - Math.trunc(q / banks) * banks;
          row = Math.floor(id / PB);
        }
        const n = ns[k];
        const bi = pc * banks + bank;
        const s = n > Q ? longChunkSpacing(n, Q, space, tBurst + tCL) : space;
        let vis = t0;
        if (pos >= Q) {
          // the window releases in order: the first burst enters when the burst at pos − Q and every
          // earlier one have returned (drop the window's chunks wholly before it)
          const p = pos - Q;
          while (cPos[head] + cN[head] <= p) if (++head === cap) head = 0;
          vis = Math.max(t0, cPre[head], cDs[head] + (p - cPos[head]) * cSpace[head] + tBurst);
        }
        // the last of its first min(n, Q) bursts enters when the burst Q before it (and every earlier
        // one) has returned, and its data follow tCL later: the earliest start that allows
        let lastData = -Infinity;
        const jl = (n < Q ? n : Q) - 1;
        if (jl > 0 && pos + jl >= Q) {
          const p = pos + jl - Q;
          let h = head;
          while (cPos[h] + cN[h] <= p) if (++h === cap) h = 0;
          lastData = Math.max(cPre[h], cDs[h] + (p - cPos[h]) * cSpace[h] + tBurst) + tCL;
        }
        let colReady = vis;
        if (openRow[bi] === row) hits += n;
        else {
          misses += 1;
          hits += n - 1;
          let act = openRow[bi] !== -1 ? Math.max(vis, lastAct[bi] + tRAS) + tRP : vis;
          const fi = pc * 4 + fawIdx[pc];
          const gi = pc * 4 + (bank & 3);
          act = Math.max(act, lastAct[bi] + tRC, lastActPc[pc] + tRRDS, lastActBg[gi] + tRRDL, faw[fi] + tFAW);
          faw[fi] = act;
          lastAct[bi] = act;
          lastActPc[pc] = act;
          lastActBg[gi] = act;
          fawIdx[pc] = (fawIdx[pc] + 1) & 3;
          openRow[bi] = row;
          colReady = act + tRCD;
        }
        const ds = Math.max(colReady + tCL, busFree[pc]);
        // the window holds burst jl back: the chunk's bursts spread out to meet it
        const sp = ds + jl * s < lastData ? (lastData - ds) / jl : s;
        const busEnd = ds + (n - 1) * sp + tBurst;
        busFree[pc] = busEnd;
        if (n > 0) {
          cPos[tail] = pos;
          cDs[tail] = ds;
          cSpace[tail] = sp;
          cN[tail] = n;
          cPre[tail] = done;
          if (++tail === cap) tail = 0;
          if (busEnd > done) done = busEnd;
        }
        pos += n;
        if (ds < first) first = ds;
        if (busEnd > end) end = busEnd;
      }
      allHits += hits;
      allMisses += misses;
    }
    this.hits += allHits;
    this.misses += allMisses;
    this.bursts += pos - this.pos;
    this.rBursts = pos - runPos;
    this.pos = pos;
    this.head = head;
    this.tail = tail;
    this.done = done;
    this.rHits = hits;
    this.rMisses = misses;
    this.rFirst = first;
    this.rEnd = end;
  }

  // The run just served (`serveRange`), kept in fields so that serving allocates nothing.
  private rEnd = 0;
  private rFirst = Infinity;
  private rHits = 0;
  private rMisses = 0;
  private rBursts = 0;

  private finish(t0: number): ChannelRun {
    return { end: Math.max(t0, this.rEnd), firstData: this.rFirst, bursts: this.rBursts, hits: this.rHits, misses: this.rMisses };
  }
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
