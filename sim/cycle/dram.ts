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
 *
 * The preset, its conversion to a design's cycles, the sub-channel view and the refresh arithmetic
 * are in hbm-timing.ts; this module is the bank-level channel (`HbmChannel`) and its request window.
 */
import type { HbmTiming } from './hbm-timing.ts';

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

/*
 * A row chunk's PC, bank and row from its index within the channel, id (pc, then bank, then row),
 * when `serveRange` cannot use shifts (P or banks not a power of two, or id not a non-negative 32-bit
 * integer): id is an integer and P, banks are small, so the quotients are exact and x − trunc(x/m)·m
 * is x % m (as an array index: the same slot) without a floating-point remainder; in 32-bit integer
 * arithmetic when it fits (i = id | 0 = id ≥ 0: floor = trunc). Three functions, not one returning
 * an object: `serveRange` would allocate it per chunk.
 */

/** The PC of row chunk id (i = id | 0). */
function pcOf(id: number, i: number, P: number): number {
  if (i === id && i >= 0) return i - ((i / P) | 0) * P;
  return id - Math.trunc(id / P) * P;
}

/** The bank of row chunk id (i = id | 0). */
function bankOf(id: number, i: number, P: number, banks: number): number {
  if (i === id && i >= 0) {
    const q = (i / P) | 0;
    return q - ((q / banks) | 0) * banks;
  }
  const q = Math.floor(id / P);
  return q - Math.trunc(q / banks) * banks;
}

/** The row of row chunk id (i = id | 0; PB = P·banks). */
function rowOf(id: number, i: number, PB: number): number {
  if (i === id && i >= 0) return (i / PB) | 0;
  return Math.floor(id / PB);
}

/** The request window's ring (`HbmChannel.cPos` …) from `head` on: the first chunk not wholly before burst position p. */
function windowHead(cPos: Float64Array, cN: Int32Array, head: number, cap: number, p: number): number {
  while (cPos[head] + cN[head] <= p) if (++head === cap) head = 0;
  return head;
}

/** When burst p of the window's chunk h and every burst before it have returned: the chunk's own completion of p, or any earlier one's. */
function releaseAt(cPre: Float64Array, cDs: Float64Array, cPos: Float64Array, cSpace: Float64Array, h: number, p: number, tBurst: number): number {
  return Math.max(cPre[h], cDs[h] + (p - cPos[h]) * cSpace[h] + tBurst);
}

/** A row miss visible at vis: PRE after tRAS unless closed, ACT after tRP, tRC, tRRD and tFAW; the bank, PC, group and tFAW state updated; the ACT time. */
function activate(
  openRow: Int32Array,
  lastAct: Float64Array,
  lastActPc: Float64Array,
  lastActBg: Float64Array,
  faw: Float64Array,
  fawIdx: Int32Array,
  pc: number,
  bank: number,
  bi: number,
  row: number,
  vis: number,
  tRAS: number,
  tRP: number,
  tRC: number,
  tRRDS: number,
  tRRDL: number,
  tFAW: number,
): number {
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
  return act;
}

/** A chunk (first burst's position, data start, burst spacing, bursts, `done` before it) written at the window's ring slot tail; the next slot. */
function pushChunk(cPos: Float64Array, cDs: Float64Array, cSpace: Float64Array, cN: Int32Array, cPre: Float64Array, tail: number, cap: number, pos: number, ds: number, sp: number, n: number, done: number): number {
  cPos[tail] = pos;
  cDs[tail] = ds;
  cSpace[tail] = sp;
  cN[tail] = n;
  cPre[tail] = done;
  return tail + 1 === cap ? 0 : tail + 1;
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
    // profiles (sim/hw/dram-dense.ts, dram-pattern.ts) reset a channel per run, where seven fill() calls cost
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
   * dram-dense.ts, dram-pattern.ts) read only the end of each run, two runs a profile and a few
   * profiles a design.
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
   * per run, reloading the state from the fields, cost 1.2x the distinct-design rate. Its steps
   * (a chunk's PC, bank and row off the shift path, the window's release, a row miss's activation,
   * the window's ring write) are module-level functions of numbers and typed arrays, which V8
   * inlines; the shift decode stays inline (as three functions it ran the loop ~2% slower).
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
        // the chunk's PC, bank and row: by shifts when P and banks are powers of two (HBM2: 1 or 2
        // PCs, 16 banks) and id is a non-negative 32-bit integer, else `pcOf`, `bankOf`, `rowOf`
        const id = ids[k] + offset;
        const i = id | 0;
        let pc: number;
        let bank: number;
        let row: number;
        if (pow2 && i === id && i >= 0) {
          pc = i & (P - 1);
          bank = (i >> pShift) & (banks - 1);
          row = i >> pbShift;
        } else {
          pc = pcOf(id, i, P);
          bank = bankOf(id, i, P, banks);
          row = rowOf(id, i, PB);
        }
        const n = ns[k];
        const bi = pc * banks + bank;
        const s = n > Q ? longChunkSpacing(n, Q, space, tBurst + tCL) : space;
        let vis = t0;
        if (pos >= Q) {
          // the window releases in order: the first burst enters when the burst at pos − Q and every
          // earlier one have returned (drop the window's chunks wholly before it)
          const p = pos - Q;
          head = windowHead(cPos, cN, head, cap, p);
          vis = Math.max(t0, releaseAt(cPre, cDs, cPos, cSpace, head, p, tBurst));
        }
        // the last of its first min(n, Q) bursts enters when the burst Q before it (and every earlier
        // one) has returned, and its data follow tCL later: the earliest start that allows
        const jl = (n < Q ? n : Q) - 1;
        const lp = pos + jl - Q;
        const lastData = jl > 0 && lp >= 0 ? releaseAt(cPre, cDs, cPos, cSpace, windowHead(cPos, cN, head, cap, lp), lp, tBurst) + tCL : -Infinity;
        let colReady = vis;
        if (openRow[bi] === row) hits += n;
        else {
          misses += 1;
          hits += n - 1;
          const act = activate(openRow, lastAct, lastActPc, lastActBg, faw, fawIdx, pc, bank, bi, row, vis, tRAS, tRP, tRC, tRRDS, tRRDL, tFAW);
          colReady = act + tRCD;
        }
        const ds = Math.max(colReady + tCL, busFree[pc]);
        // the window holds burst jl back: the chunk's bursts spread out to meet it
        const sp = ds + jl * s < lastData ? (lastData - ds) / jl : s;
        const busEnd = ds + (n - 1) * sp + tBurst;
        busFree[pc] = busEnd;
        if (n > 0) {
          tail = pushChunk(cPos, cDs, cSpace, cN, cPre, tail, cap, pos, ds, sp, n, done);
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
