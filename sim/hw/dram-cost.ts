/**
 * DRAM cost of a gather for the analytical model: the expected value, over the kept tokens'
 * placement, of the bank-level HBM2 stream profile the cycle simulator schedules
 * (sim/hw/dram-expected.ts, closed form; the simulator keeps the exact profile of its placement,
 * sim/cycle/dram-profile.ts), so the two models see the same mapping, request window, row chunks
 * and activations, and price DRAM energy the same way (per activation + per bit, sim/hw/energy.ts).
 *
 * A gather of n of L token vectors of B bytes is priced once per (design's DRAM timing at 1 GHz,
 * shape) and scaled by the clock (`dramProfileTiming`):
 * its steady-state occupancy summed over the (sub-)channels, divided by the number of
 * (sub-)channels, per byte moved (the cycle model's DRAM busy time is Σ occupancy / channels),
 * and its row activations per byte. Vectors that are not a multiple of 32 B are stored as fused
 * head pairs (like the RTL), so the profile is of the fused vector.
 */
import type { HardwareConfig } from '../schema.ts';
import { hbmTiming, subChannelCount, type HbmTiming } from '../cycle/hbm-timing.ts';
import { spillRegion } from '../cycle/gather-layout.ts';
import { expectedGatherCostInto, type ExpectedCost } from './dram-expected.ts';
import { NumTable } from './num-table.ts';
import { timingEpoch, timingId, timingSightings } from './timing-id.ts';

export interface GatherCost {
  /** Channel-mean DRAM occupancy per byte (cycles, refresh excluded). */
  cyclesPerByte: number;
  /** Row activations per byte. */
  activationsPerByte: number;
  /**
   * The spread the kept tokens' placement adds to the stream's occupancy over the (sub-)channels,
   * beyond the layout's own unevenness (`leadPerByte`), per byte (cycles): the σ at which mean +
   * lead + z_C·σ is the stream's expected busiest channel (dram-expected.ts `busiestSpread`; the
   * placement's standard deviation where the channels' loads are near normal).
   */
  spreadPerByte: number;
  /**
   * How much more the first (sub-)channel holds than the channel mean, per byte (cycles): every
   * stream's region starts at the first channel (sim/cycle/gather-layout.ts; the official harness's
   * aligned base addresses, spatten-official-hardware.md §1.10), so the channels that hold one
   * transaction more are the first ones, for every stream (dram-expected.ts).
   */
  leadPerByte: number;
}

/** A gather cost of zeros, to be written into. */
export function newGatherCost(): GatherCost {
  return { cyclesPerByte: 0, activationsPerByte: 0, spreadPerByte: 0, leadPerByte: 0 };
}

/** The HBM2 timing of a design (its DRAM switches included). */
export function dramTimingOf(hw: HardwareConfig): HbmTiming {
  return hbmTiming(hw, { refresh: hw.dramRefresh, queueDepth: hw.dramQueueDepth, mapping: hw.dramMapping });
}

/**
 * The design's HBM2 timing at a 1 GHz accelerator clock: every time of `dramTimingOf` is ns × the
 * clock (sim/cycle/hbm-timing.ts hbmTiming), and a stream's occupancy is built from those times by sums
 * and maxima only, so it scales with the clock exactly. Profiles are taken at 1 GHz and scaled,
 * so designs that differ only in their clock share one profile.
 */
export function dramProfileTiming(hw: HardwareConfig): HbmTiming {
  return hbmTiming({ clockGHz: 1, dramChannelGBps: hw.dramChannelGBps }, { refresh: hw.dramRefresh, queueDepth: hw.dramQueueDepth, mapping: hw.dramMapping });
}

/** The units a stream's bursts are spread over: channels, or pseudo-channels with the PC-interleaved mapping. */
export function dramUnits(hw: HardwareConfig): number {
  return subChannelCount(dramTimingOf(hw), hw.dramChannels);
}

/**
 * Spread of one head request's DRAM occupancy over the channels, cycles (refresh-derated): its Q,
 * K, V streams' spreads (`spreadPerByte`) added as independent variances; the LSB stream (bytes
 * `bL`, expected over the refetch probability p) counts p × the variance of a whole LSB stream, and
 * so do the MSBs a split generation head re-reads in that pass (bytes `bR`, expected, priced as its
 * K stream).
 */
export function requestSpread(dc: RequestDramCost, bQ: number, bK: number, bL: number, bV: number, p: number, avail: number, bR = 0): number {
  return spreadOf(dc.q.spreadPerByte, dc.k.spreadPerByte, dc.lsb.spreadPerByte, dc.v.spreadPerByte, bQ, bK, bL, bV, p, avail, bR);
}

/** `requestSpread` from the four streams' spreads per byte (Q, K, LSB, V). */
export function spreadOf(sQ: number, sK: number, sL: number, sV: number, bQ: number, bK: number, bL: number, bV: number, p: number, avail: number, bR = 0): number {
  const q = bQ * sQ;
  const k = bK * sK;
  const l = p > 0 ? ((bL * sL) ** 2 + (bR * sK) ** 2) / p : 0;
  const v = bV * sV;
  return Math.sqrt(q * q + k * k + l + v * v) / avail;
}

/**
 * The first channel's lead of one head request's streams over the channel mean, cycles
 * (refresh-derated): each stream's lead per byte × its bytes (the LSBs and the re-read MSBs `bR`
 * as expected bytes: the leads add on the first channel, `imbalanceCycles`).
 */
export function requestLead(dc: RequestDramCost, bQ: number, bK: number, bL: number, bV: number, avail: number, bR = 0): number {
  return leadOf(dc.q.leadPerByte, dc.k.leadPerByte, dc.lsb.leadPerByte, dc.v.leadPerByte, bQ, bK, bL, bV, avail, bR);
}

/** `requestLead` from the four streams' leads per byte (Q, K, LSB, V). */
export function leadOf(lQ: number, lK: number, lL: number, lV: number, bQ: number, bK: number, bL: number, bV: number, avail: number, bR = 0): number {
  return (bQ * lQ + (bK + bR) * lK + bL * lL + bV * lV) / avail;
}

/** Fraction of time the HBM is available (all-bank refresh removed). */
export function refreshAvailability(t: HbmTiming): number {
  return Number.isFinite(t.tREFI) ? 1 - t.tRFC / t.tREFI : 1;
}

/** Fusion factor: vectors whose size is not a multiple of 32 B are stored interleaved for 2 (or 4, 8) heads. */
export function fuseFactor(bytesPerToken: number): number {
  for (let g = 1; g <= 8; g *= 2) if ((bytesPerToken * g) % 32 === 0) return g;
  return 1;
}

/**
 * Costs per (timing id, channels) and shape, bounded: MEMO_LIMIT shapes (emptied past that or when
 * the timing ids restart), stored as four numbers (cycles, activations, σ, lead per byte at 1 GHz) so
 * that sweeps over algorithm knobs can keep many shapes without keeping objects alive. A timing
 * only one design has asked about (`timingSightings` 1: every point of a sweep over continuous
 * DRAM knobs) has its shapes in a small direct-mapped table of its own instead (`freshKey`): they
 * could not be found in the large one, whose look-ups are cache misses (a second design with that
 * timing uses it), and such a design prices each shape about once (gpt2-medium generation: 33
 * shapes a point, none twice), so a slot is one array index: no hash probe, no table to grow.
 */
const MEMO_LIMIT = 1 << 18;
/** Numbers a gather's cost takes where it is stored as numbers: cycles, activations, σ and lead per byte (GatherCost's fields). */
export const COST_WIDTH = 4;
const memo = new NumTable(MEMO_LIMIT, COST_WIDTH);
/** Slots of the direct-mapped table of the timing only one design has asked about: shape key, channels, stamp (`freshStamp`: the slot is of the current such timing). */
const FRESH_SLOTS = 256;
const freshKey = new Float64Array(FRESH_SLOTS);
const freshCh = new Float64Array(FRESH_SLOTS);
const freshAt = new Int32Array(FRESH_SLOTS);
/** The slots' costs, COST_WIDTH numbers each (as `memo`'s values). */
const freshVal = new Float64Array(COST_WIDTH * FRESH_SLOTS);
let freshStamp = 0;
let freshId = -1;
let freshEpoch = -1;
const scratch = new Float64Array(COST_WIDTH); // shapes too large to memoise
let memoEpoch = timingEpoch();

/**
 * Cost per byte of gathering n of L token vectors of `bytesPerToken` bytes on `channels` channels,
 * profiled with the timing `t1` (`dramProfileTiming`), occupancy × `clockGHz`.
 */
export function gatherCost(L: number, n: number, bytesPerToken: number, channels: number, t1: HbmTiming, clockGHz: number): GatherCost {
  return gatherCostInto(newGatherCost(), L, n, bytesPerToken, channels, t1, clockGHz);
}

/** The slots of the table `profiledCost` answered from (its offset indexes this). */
let found: Float64Array = memo.slots;

/** `gatherCost` written into `o` (no allocation). */
export function gatherCostInto(o: GatherCost, L: number, n: number, bytesPerToken: number, channels: number, t1: HbmTiming, clockGHz: number): GatherCost {
  if (n <= 0 || bytesPerToken <= 0) return zeroInto(o);
  const B = bytesPerToken * fuseFactor(bytesPerToken);
  let s: Float64Array;
  let i: number;
  // Shapes from the schema have L, n ≤ 16384 + 4096 (seqLen + genTokens); a trace could exceed 2^16.
  if (L >= 65536 || n >= 65536 || B >= 2097152 || channels >= 65536) {
    s = scratch;
    i = profileCost(L, n, B, channels, t1, s, 0);
  } else {
    i = profiledCost(L, n, B, channels, t1);
    s = found;
  }
  o.cyclesPerByte = s[i] * clockGHz;
  o.activationsPerByte = s[i + 1];
  o.spreadPerByte = s[i + 2] * clockGHz;
  o.leadPerByte = s[i + 3] * clockGHz;
  return o;
}

/** `c` written into `o`. */
export function copyCost(o: GatherCost, c: GatherCost): GatherCost {
  o.cyclesPerByte = c.cyclesPerByte;
  o.activationsPerByte = c.activationsPerByte;
  o.spreadPerByte = c.spreadPerByte;
  o.leadPerByte = c.leadPerByte;
  return o;
}

function zeroInto(o: GatherCost): GatherCost {
  o.cyclesPerByte = 0;
  o.activationsPerByte = 0;
  o.spreadPerByte = 0;
  o.leadPerByte = 0;
  return o;
}

/** Offset in `found` of the cost per byte with the profile timing (memoised per timing and shape, bounded). */
function profiledCost(L: number, n: number, B: number, channels: number, t: HbmTiming): number {
  const id = timingId(t);
  const ep = timingEpoch();
  if (memoEpoch !== ep) {
    memo.clear();
    memoEpoch = ep;
  }
  const key = (B * 65536 + L) * 65536 + n; // exact in a double
  if (timingSightings(id) <= 1) {
    if (freshId !== id || freshEpoch !== ep) {
      freshStamp = (freshStamp + 1) | 0 || 1; // a new stamp empties every slot (0: never used)
      freshId = id;
      freshEpoch = ep;
    }
    return freshSlot(key, L, n, B, channels, t);
  }
  return lookUp(memo, id * 65536 + channels, key, L, n, B, channels, t);
}

/** Offset of the cost under (a, key) in `table`, computed and stored if absent; `found` = the table's slots. */
function lookUp(table: NumTable, a: number, key: number, L: number, n: number, B: number, channels: number, t: HbmTiming): number {
  const i = table.findOrInsert(a, key); // may grow the table: its slots are read after
  if (table.added) profileCost(L, n, B, channels, t, table.slots, i);
  found = table.slots;
  return i;
}

/** Offset in `freshVal` of the cost of a shape of the current once-seen timing, computed into its slot when the slot holds another shape; `found` = `freshVal`. */
function freshSlot(key: number, L: number, n: number, B: number, channels: number, t: HbmTiming): number {
  const slot = (Math.imul(L ^ Math.imul(n, 0x9e3779b1) ^ Math.imul(B, 0x85ebca6b) ^ channels, 0x27d4eb2d) >>> 24) & (FRESH_SLOTS - 1);
  const i = COST_WIDTH * slot;
  found = freshVal;
  if (freshAt[slot] === freshStamp && freshKey[slot] === key && freshCh[slot] === channels) return i;
  freshAt[slot] = freshStamp;
  freshKey[slot] = key;
  freshCh[slot] = channels;
  return profileCost(L, n, B, channels, t, freshVal, i);
}

const expectedScratch: ExpectedCost = newGatherCost();

/** Channel-mean occupancy, activations, spread and first channel's lead per byte of a gather (the closed form of dram-expected.ts), stored at s[i..i+3]. */
function profileCost(L: number, n: number, B: number, channels: number, t: HbmTiming, s: Float64Array, i: number): number {
  const c = expectedGatherCostInto(expectedScratch, L, n, B, channels, t);
  s[i] = c.cyclesPerByte;
  s[i + 1] = c.activationsPerByte;
  s[i + 2] = c.spreadPerByte;
  s[i + 3] = c.leadPerByte;
  return i;
}

/**
 * DRAM time that finite load balancing adds to a generation workload, cycles. A head's streams
 * land unevenly on the (sub-)channels in two ways. Every stream's region starts at the first
 * channel, so the first channels hold one transaction more than the others for every stream and
 * head: their lead over the mean (`lead`, `requestLead`) adds up over the run, whatever the heads
 * in flight. The kept tokens' placement adds a random spread (σ per channel, `spreadPerByte`) that the
 * DRAM only evens out over the heads in flight (n): a window of n heads is served in its busiest
 * channel's time, mean + z_C·√n·σ (independent placements add variances; z_C =
 * `expectedMaxNormal(C)`), i.e. z_C·σ/√n beyond the mean per head. `sd` is one head's spread
 * (cycles): with one head in flight, its busiest channel exactly.
 */
export function imbalanceCycles(sd: number, lead: number, headsInFlight: number, zC: number): number {
  return lead + (sd > 0 ? (zC * sd) / Math.sqrt(Math.max(1, headsInFlight)) : 0);
}

/** Per-byte costs of the four streams of one head request (the cycle simulator's stream shapes). */
export interface RequestDramCost {
  q: GatherCost;
  k: GatherCost;
  lsb: GatherCost;
  v: GatherCost;
}

/** The DRAM-relevant fields of a head request (dram-cost.ts requestDramCost). */
export interface RequestShape {
  L: number;
  keys: number;
  queries: number;
  valuesFetched: number;
  D: number;
  keyBits: number;
  lsbBits: number;
  valueBits: number;
  queryBits: number;
}


/** A request cost to be filled by `requestDramCostInto`. */
export const newRequestDramCost = (): RequestDramCost => ({ q: newGatherCost(), k: newGatherCost(), lsb: newGatherCost(), v: newGatherCost() });

/** Q (all q queries), K MSBs and K LSBs (K of max(L, K) tokens), V (vF of max(L, vF) tokens). */
export function requestDramCost(r: RequestShape, channels: number, t1: HbmTiming, clockGHz: number): RequestDramCost {
  return requestDramCostInto(newRequestDramCost(), r, channels, t1, clockGHz);
}

/**
 * Where a request's gather costs come from: `gatherCostInto` on one design (`requestDramCostInto`)
 * or a cache in front of it (gather-cache.ts). `query` prices the Q stream (q of q tokens).
 */
export interface GatherSource {
  into(o: GatherCost, L: number, n: number, bytesPerToken: number): GatherCost;
  query(o: GatherCost, q: number, bytesPerQuery: number): GatherCost;
}

/** LSBs as wide as the MSBs (4 + 4 bits): the LSB stream is the K gather again, priced once. */
export function lsbIsKGather(lsbBits: number, keyBits: number): boolean {
  return lsbBits > 0 && lsbBits === keyBits;
}

/** V with K's shape (no local-V pruning, equal widths, the same rows): the V stream is the K gather, priced once. */
export function vIsKGather(L: number, keys: number, keyBits: number, valuesFetched: number, valueBits: number): boolean {
  return valuesFetched === keys && valueBits === keyBits && Math.max(L, valuesFetched) === Math.max(L, keys);
}

/** A request's four streams priced by `src`: Q (all q queries), K MSBs and K LSBs (K of max(L, K) tokens), V (vF of max(L, vF) tokens). */
export function requestCostFrom(o: RequestDramCost, r: RequestShape, src: GatherSource): RequestDramCost {
  const q = Math.max(1, r.queries);
  const Lr = Math.max(r.L, r.keys);
  src.query(o.q, q, Math.ceil((r.D * r.queryBits) / 8));
  src.into(o.k, Lr, r.keys, (r.D * r.keyBits) / 8);
  if (lsbIsKGather(r.lsbBits, r.keyBits)) copyCost(o.lsb, o.k);
  else if (r.lsbBits > 0) src.into(o.lsb, Lr, r.keys, (r.D * r.lsbBits) / 8);
  else zeroInto(o.lsb);
  if (vIsKGather(r.L, r.keys, r.keyBits, r.valuesFetched, r.valueBits)) copyCost(o.v, o.k);
  else src.into(o.v, Math.max(r.L, r.valuesFetched), r.valuesFetched, (r.D * r.valueBits) / 8);
  return o;
}

/** `gatherCostInto` on the design of the current `requestDramCostInto` call. */
const direct = {
  channels: 0,
  t1: undefined as unknown as HbmTiming,
  clock: 1,
  into(o: GatherCost, L: number, n: number, bpt: number): GatherCost {
    return gatherCostInto(o, L, n, bpt, this.channels, this.t1, this.clock);
  },
  query(o: GatherCost, q: number, bpq: number): GatherCost {
    return gatherCostInto(o, q, q, bpq, this.channels, this.t1, this.clock);
  },
};

/**
 * A reused (summarization) request's spilled streams, given the keys (`capK`) and values (`capV`)
 * one head keeps resident: the spilled part of each gather is the tail of its kept vectors,
 * fetched again for every query from its share of the region (sim/cycle/gather-layout.ts
 * `spillRegion`), as the simulator streams it (sim/cycle/requests.ts). That region is smaller
 * than the whole gather's, so a byte of it has its own cost: on 16 channels (RoBaRaCoCh, window
 * 16) a byte of a gather of 32 dense tokens of 96 B costs 0.75 of the cycles a byte of the whole
 * 128-token gather does, and twice its activations (16 rows opened for 3 KB, 32 for 12 KB). Q is never
 * spilled (zero).
 */
export function spillCostFrom(o: RequestDramCost, r: RequestShape, capK: number, capV: number, src: GatherSource): RequestDramCost {
  zeroInto(o.q);
  const sK = r.keys - capK;
  if (sK > 0) {
    const region = spillRegion(Math.max(r.L, r.keys), r.keys, sK);
    src.into(o.k, region, sK, (r.D * r.keyBits) / 8);
    if (r.lsbBits > 0) src.into(o.lsb, region, sK, (r.D * r.lsbBits) / 8);
    else zeroInto(o.lsb);
  } else {
    zeroInto(o.k);
    zeroInto(o.lsb);
  }
  const sV = r.valuesFetched - capV;
  if (sV > 0) src.into(o.v, spillRegion(Math.max(r.L, r.valuesFetched), r.valuesFetched, sV), sV, (r.D * r.valueBits) / 8);
  else zeroInto(o.v);
  return o;
}

/** `spillCostFrom` priced on one design (dram-cost.ts `gatherCostInto`), into `o`. */
export function spillDramCostInto(o: RequestDramCost, r: RequestShape, capK: number, capV: number, channels: number, t1: HbmTiming, clockGHz: number): RequestDramCost {
  direct.channels = channels;
  direct.t1 = t1;
  direct.clock = clockGHz;
  return spillCostFrom(o, r, capK, capV, direct);
}

/** A reused request's bytes: Q, K MSBs, K LSBs and V fetched in all, and the spilled (fetched again) part of each of K, LSBs and V. */
export interface ReuseBytes {
  q: number;
  k: number;
  l: number;
  v: number;
  spillK: number;
  spillL: number;
  spillV: number;
}

/** A reused request's DRAM cycles (key side, value side, refresh-derated by `avail`), activations, and its first pass's cycles (every stream once, nothing spilled). */
export interface ReuseTraffic {
  k: number;
  v: number;
  acts: number;
  first: number;
}

/**
 * Prices a reused request's streams: the first pass of each gather at its own cost (`dc`), its
 * spilled part at the spill region's (`sc`, `spillCostFrom`), into `o`.
 */
export function reuseTrafficInto(o: ReuseTraffic, b: ReuseBytes, dc: RequestDramCost, sc: RequestDramCost, avail: number): ReuseTraffic {
  const k1 = b.k - b.spillK;
  const l1 = b.l - b.spillL;
  const v1 = b.v - b.spillV;
  const firstK = b.q * dc.q.cyclesPerByte + k1 * dc.k.cyclesPerByte + l1 * dc.lsb.cyclesPerByte;
  const firstV = v1 * dc.v.cyclesPerByte;
  o.k = (firstK + b.spillK * sc.k.cyclesPerByte + b.spillL * sc.lsb.cyclesPerByte) / avail;
  o.v = (firstV + b.spillV * sc.v.cyclesPerByte) / avail;
  o.first = (firstK + firstV) / avail;
  o.acts =
    b.q * dc.q.activationsPerByte +
    k1 * dc.k.activationsPerByte +
    l1 * dc.lsb.activationsPerByte +
    v1 * dc.v.activationsPerByte +
    b.spillK * sc.k.activationsPerByte +
    b.spillL * sc.lsb.activationsPerByte +
    b.spillV * sc.v.activationsPerByte;
  return o;
}

/** `requestDramCost` written into `o` (no allocation). */
export function requestDramCostInto(o: RequestDramCost, r: RequestShape, channels: number, t1: HbmTiming, clockGHz: number): RequestDramCost {
  direct.channels = channels;
  direct.t1 = t1;
  direct.clock = clockGHz;
  return requestCostFrom(o, r, direct);
}
