/**
 * Pipeline arithmetic of the analytical model (sim/hw/analytical.ts): line cycles, fixed pass
 * latencies, DRAM bandwidth, buffer lines and heads in flight, SRAM spill. Pure functions.
 */
import { type HardwareConfig } from '../schema.ts';
import pipe from './tables/pipeline.json' with { type: 'json' };
import type { Sums } from './finalize.ts';
import { rowConflictLatency, type HbmTiming } from '../cycle/hbm-timing.ts';
import { dramTimingOf, refreshAvailability } from './dram-cost.ts';

export const L_BUF = pipe.bufferWriteLatency.value + pipe.bufferReadLatency.value;
/** A head's key-buffer allocation register (RTL stage 1), once per head before its first key pass. */
export const L_ADMIT = pipe.allocLatency.value;
/** The cycles of a fetch that are registers at the accelerator clock: issue, the DRAM-side registers, conversion. */
const L_FETCH_REGS = pipe.fetchIssueLatency.value + pipe.dramRegisterLatency.value + pipe.convertLatency.value;

/** Fixed latencies of a design's fetches, accelerator cycles (`fetchLatencies`). */
export interface FetchLatencies {
  /** One key pass from the request FIFO (stage 2, passed again by a requant re-issue) to its first data at the key buffer. */
  key: number;
  /** The value side from the value-buffer allocation register (stage 16) to its first data. */
  val: number;
}

/**
 * The fetch latencies of a design whose HBM timing is `t` (sim/hw/dram-cost.ts dramTimingOf):
 * fetch issue + DRAM registers + conversion in accelerator cycles, and the HBM's first access —
 * a row conflict in ns converted with the clock (sim/cycle/hbm-timing.ts rowConflictLatency, the first
 * latency of the simulator's stream profiles). 33 cycles to the buffer at Table I (1 GHz, 32 GB/s).
 */
export function fetchLatencies(t: HbmTiming): FetchLatencies {
  const dram = L_FETCH_REGS + rowConflictLatency(t);
  return { key: pipe.requestFifoLatency.value + dram, val: pipe.allocLatency.value + dram };
}

export const PORT_BYTES = pipe.fetcherPortBytesPerCycle.value;

/** Bytes a cycle the fetcher's ports issue: fetcherPorts × 32 B (sim/cycle/fetcher.ts). */
export function portBytes(hw: HardwareConfig): number {
  return hw.fetcherPorts * PORT_BYTES;
}
const SRAM_HALVES = pipe.sramBuffering.value;
export const MAX_ALLOCS = pipe.keyBufferMaxAllocations.value;
const PAPER_KB = pipe.paperKBBytes.value;
export const OVERLAP_K = pipe.overlapExponent.value;
export const NO_TOPK = { busy: 0, latency: 0 } as const;

// ── small helpers ───────────────────────────────────────────────────────────────────────────

/** Cycles to stream n items through an array of M lanes when each item needs D lanes. */
export function lineCycles(n: number, M: number, D: number): number {
  if (n <= 0) return 0;
  if (M >= D) return Math.ceil(n / Math.floor(M / D));
  return n * Math.ceil(D / M);
}

/** Σ_{i=1..n} lineCycles(i, M, D), closed form. */
export function lineCyclesPrefix(n: number, M: number, D: number): number {
  if (n <= 0) return 0;
  if (M >= D) {
    const S = Math.floor(M / D);
    const a = Math.floor(n / S);
    const b = n - a * S;
    return (S * a * (a + 1)) / 2 + b * (a + 1);
  }
  return (Math.ceil(D / M) * n * (n + 1)) / 2;
}

/** Line cycles of q query rows over k keys; causal: query j sees k−q+j+1 keys. */
export function rowsCycles(q: number, k: number, causal: boolean, M: number, D: number): number {
  if (!causal) return q * lineCycles(k, M, D);
  const qq = Math.min(q, k);
  return lineCyclesPrefix(k, M, D) - lineCyclesPrefix(k - qq, M, D);
}

export const tri = (n: number): number => (n > 0 ? (n * (n + 1)) / 2 : 0);

/** Keys seen summed over the q queries (q·k, or the causal trapezoid). */
export function keysSeen(q: number, k: number, causal: boolean): number {
  if (!causal) return q * k;
  const qq = Math.min(q, k);
  return qq * (k - qq) + tri(qq);
}

/** Fixed latency of a dot product / prob·V pass (adder-tree depth depends on M and D). */
export function qkLatency(M: number, D: number): number {
  return pipe.dotProductBaseLatency.value + Math.ceil(Math.log2(Math.max(1, Math.min(M, D))));
}
export function pvLatency(M: number, D: number): number {
  return pipe.pvBaseLatency.value + Math.ceil(Math.log2(Math.max(1, Math.floor(M / D))));
}
export function smLatency(M: number, D: number): number {
  return pipe.softmaxLatency.value + pipe.requantDecisionLatency.value + Math.ceil(Math.log2(Math.max(1, Math.floor(M / D))));
}

/**
 * Bytes per cycle the memory system delivers: HBM channels derated by all-bank refresh
 * (1 − tRFC/tREFI of the design's HBM timing: sim/hw/dram-cost.ts refreshAvailability, the one
 * availability both models' DRAM costs use), capped by the fetcher ports.
 */
export function dramBytesPerCycle(hw: HardwareConfig): number {
  const avail = refreshAvailability(dramTimingOf(hw));
  return Math.min((hw.dramChannels * hw.dramChannelGBps * avail) / hw.clockGHz, portBytes(hw));
}

/** Lines of an M-lane buffer (M·wordBits bits) in an SRAM of `kb` paper-KB. */
export function bufferLines(kb: number, M: number, wordBits: number): number {
  return Math.floor((kb * PAPER_KB * 8) / (M * wordBits) + 1e-9);
}

/** Buffer lines one head of n vectors takes (allocated in pairs, like the RTL / sim/cycle). */
export function headLines(n: number, M: number, D: number): number {
  const l = M >= D ? Math.ceil(n / Math.floor(M / D)) : n * Math.ceil(D / M);
  return l + (l & 1);
}

/**
 * Generation: a head whose key lines exceed the whole key buffer streams through it (sim/cycle
 * requests.ts footprint), so its MSB lines are gone when the requant decision asks for the LSB
 * pass, and that pass fetches the MSBs again with the LSBs (the RTL admits no such head: an
 * extension both models make the same way).
 */
export function splitsKeyBuffer(hw: HardwareConfig, keys: number, D: number): boolean {
  return headLines(keys, hw.qkMultipliers, D) > bufferLines(hw.keySramKB, hw.qkMultipliers, hw.wordBits);
}

/**
 * Heads that can be in flight at once: the in-flight limit, the key-buffer allocator (16 live
 * allocations), the heads whose key lines fit in the key buffer together (a head holds its lines
 * from admission to its final progressive-quantization decision; a generation head larger than
 * the buffer is split and has it to itself, a summarization head holds at most its resident lines,
 * `heldLines`) and, when K/V are reused (summarization), whose value lines fit too; never more
 * than the requests of the workload.
 */
export function headsInFlight(hw: HardwareConfig, keys: number, values: number, D: number, reuse: boolean, requests: number, summary = reuse): number {
  return headsFit(hw, bufferLines(hw.keySramKB, hw.qkMultipliers, hw.wordBits), bufferLines(hw.valueSramKB, hw.pvMultipliers, hw.wordBits), keys, values, D, reuse, requests, summary);
}

/**
 * Lines a head of `l` lines holds in a buffer of `lines`: all of them, or in summarization (K/V
 * reused, `summary`) at most the even part of its resident lines (`residentLines`): the rest of a
 * larger head spills, fetched again per query (sramCapacityVectors), and the other half of the
 * buffer takes the next head (sim/cycle/requests.ts footprint). A generation head larger than the
 * buffer streams through it and has it to itself (`headsFit`: ≥ the buffer, one head).
 */
export function heldLines(l: number, lines: number, summary: boolean): number {
  if (!summary) return l;
  const r = residentLines(lines);
  return Math.min(l, r - (r & 1));
}
/**
 * Heads holding value lines at once, on an allocator of their own (16 live allocations); never
 * more than the requests. A summarization head (`summary`) takes its value lines at admission (V
 * is fetched with K), at most its resident lines (`heldLines`), and frees them after its prob·V
 * (RTL stage 19); a generation head takes them after its local-V top-k (`valueHold`).
 */
export function valueHeadsFit(hw: HardwareConfig, vLines: number, values: number, D: number, requests: number, summary: boolean): number {
  const vl = values > 0 ? heldLines(headLines(values, hw.pvMultipliers, D), vLines, summary) : 0;
  return Math.max(1, Math.min(MAX_ALLOCS, requests, vl <= 0 ? MAX_ALLOCS : vl >= vLines ? 1 : Math.floor(vLines / vl)));
}

/**
 * Generation: how long a head holds its value lines (cycles). The value buffer allocates them once
 * the head's kept V ids leave the local-V top-k (RTL stage 16: its registered allocation, then the
 * fetcher) and frees them when its prob·V is done (stage 19): the value side's fixed latency to the
 * first data, its buffer write and read, and the V stream (`cV`: its DRAM cycles at the value
 * side's share of the channels, which it shares round-robin with the key streams of the heads in
 * flight, RTL stage 5) or prob·V (`pv`), whichever is longer (prob·V streams behind the fetch;
 * sim/cycle/pipeline.ts tryValloc, tryPV).
 */
export function valueHold(lat: FetchLatencies, cV: number, pv: number): number {
  return lat.val + L_BUF + Math.max(cV, pv);
}

/**
 * Generation: whether the value buffer's window (Σ valueHold / value heads that fit, `valueWindow`)
 * can exceed the busiest stage, the least any run takes beyond its drain: at most every head's hold
 * over the fewest heads that fit (`nVmin`, the largest head's), its V stream at the value side's
 * least share. When it cannot, both models skip it.
 */
export function valueWindowMayBind(s: Sums, hw: HardwareConfig, lat: FetchLatencies, nVmin: number): boolean {
  const busy = Math.max(dramStage(s, hw), s.stQk, s.stSm, s.stTkV, s.stTkT, s.stPv);
  // the value side's least DRAM share: over the shortest run, the DRAM time (valueWindow); a V
  // stream on its own (`portStream`) takes at most its DRAM and its port cycles
  const least = sideShare(s.dramK, s.requests, s.dramK + s.dramV, 0);
  const vSide = portsBelowPeak(hw) ? s.dramV + s.bytesV / portBytes(hw) : s.dramV;
  return (s.requests * (lat.val + L_BUF) + vSide / least + s.stPv) / nVmin - (lat.val + L_BUF) > busy;
}

/**
 * One summarization head's share of the window (cycles): the resident K/V first, then its queries,
 * which stream the spilled part as they go (`stream` = its K/V DRAM cycles, `first` = the resident
 * part's). The in-flight limit and the key lines hold a head from admission to its final decision
 * (RTL stage 2; stage 11 releases the key lines): Q·K and softmax, over `nPre` heads. Its value lines
 * are held until its prob·V is done (stage 19): the whole head, over `nV` heads. `fixPre` and
 * `fixPost` are the fixed latencies before and after the decision.
 */
export function summaryWindow(fixPre: number, fixPost: number, first: number, stream: number, qk: number, sm: number, tkV: number, pv: number, q: number, nPre: number, nV: number): number {
  const pre = fixPre + first + Math.max(stream - first, (qk + sm) / q + ((q - 1) / q) * Math.max(qk, sm));
  const whole = fixPre + fixPost + first + Math.max(stream - first, (qk + sm + tkV + pv) / q + ((q - 1) / q) * Math.max(qk, sm, tkV, pv));
  return Math.max(pre / nPre, whole / nV);
}

/**
 * The key side of a generation chain, pass by pass (cycles): the MSB passes' fetch ∥ Q·K ∥ softmax
 * overlap, then the LSB passes' (`kL`, `qkL`, `smL`: the LSB part of the totals `k`, `qk`, `sm`,
 * expected over the refetch probability). A head that needs its LSBs is re-issued at stage 2 only
 * after its MSB pass's requant decision (spec spatten-official-hardware.md §1.5 stages 11–12,
 * §1.8 "LSB pass"), so its LSB fetch cannot overlap its own MSB scoring: each pass is a max of
 * its own (sim/cycle/pipeline.ts onStreamDone runs the passes one after the other). Without
 * refetches it is max(k, qk, sm).
 */
export function passesBound(k: number, qk: number, sm: number, kL: number, qkL: number, smL: number): number {
  return Math.max(k - kL, qk - qkL, sm - smL) + Math.max(kL, qkL, smL);
}

/** `headsInFlight` with the buffer line counts given (`reuse`: value lines count too; `summary`: heads hold at most their resident lines, `heldLines`). */
export function headsFit(hw: HardwareConfig, kLines: number, vLines: number, keys: number, values: number, D: number, reuse: boolean, requests: number, summary: boolean): number {
  const kl = heldLines(headLines(keys, hw.qkMultipliers, D), kLines, summary);
  let n = keyHeadsFit(kl, kLines, Math.min(hw.inFlight, MAX_ALLOCS, requests));
  if (reuse && values > 0) {
    const vl = heldLines(headLines(values, hw.pvMultipliers, D), vLines, summary);
    n = Math.min(n, vl >= vLines ? 1 : Math.floor(vLines / vl));
  }
  return Math.max(1, n);
}

/** Heads of `kl` key lines each that a key buffer of `kLines` holds at once, at most `cap` (a head at least the buffer's size has it to itself). */
export function keyHeadsFit(kl: number, kLines: number, cap: number): number {
  return Math.min(cap, kl >= kLines ? 1 : Math.floor(kLines / kl));
}

/**
 * Generation: a head's slot in the heads-in-flight window as the in-order bound sees it
 * (sim/hw/gen-flow.ts): the front admits the next head when one of the n in flight is decided, so
 * a head's window — admission, each key pass's fixed latency `lFix` and its Q·K/softmax `x` — is
 * spread over the n (Little's law). Q·K/softmax is a stage of its own after it (one head at a
 * time). The key stream is left out: the DRAM's own bounds price it, and without it the bound
 * stays a lower one.
 */
export function frontSlot(n: number, w1: number, lFix: number, x: number): number {
  return (L_ADMIT + w1 * lFix + x) / n;
}

/**
 * Share of the DRAM one side of the fetcher sees within a generation run that lasts `run` cycles.
 * The fetcher shares every channel round-robin between the key side and the value side; when the
 * other side has work queued, this side gets what it leaves: 1 − u, u = the other side's DRAM
 * time (`competing`) / the run's length (no shorter than `floor`), × (1 − 1/requests): the traffic
 * that competes is another head's (a lone head fetches its V after its decision).
 */
export function sideShare(competing: number, requests: number, floor: number, run: number): number {
  if (floor <= 0 || requests <= 0) return 1;
  return 1 - (competing / Math.max(run, floor)) * (1 - 1 / requests);
}

/** The busiest stage a generation window's key-side share is first taken over (`sideShare`'s floor). */
export function shareBusy(s: Sums, stDram: number): number {
  return Math.max(stDram, s.stQk, s.stSm, s.stTkV, s.stPv);
}

/**
 * Generation: a window with the DRAM share its own length gives one side of the fetcher.
 * `windowAt(share)` is the window (cycles) when that side gets `share` of the DRAM, `competing`
 * the other side's DRAM time, `floor` the least the run can last. When the window is longer than
 * `floor`, the run lasts the window and the other side's traffic is spread over it: the window is
 * the fixed point R = windowAt(sideShare(R)). windowAt falls as the share rises and the share
 * rises with R, so R − windowAt(share(R)) rises and has one root in [floor, windowAt(share(floor))];
 * regula falsi (Illinois) finds it to 1e-12. With the share over the floor alone (the key side's
 * busiest stage), more fetcher ports or channels shrank the floor, overstated the value traffic
 * and made a window-bound run slower (ports 39 → 78 → 156 on a gpt2-small generation: slower each
 * time, where the simulator is faster).
 */
export function windowFixedPoint(competing: number, requests: number, floor: number, windowAt: (share: number) => number): number {
  const w0 = windowAt(sideShare(competing, requests, floor, floor));
  if (!(w0 > floor) || competing <= 0 || requests <= 1) return w0;
  let lo = floor;
  let hLo = w0 - floor;
  let hi = w0;
  const wHi = windowAt(sideShare(competing, requests, floor, hi));
  let hHi = wHi - hi;
  if (hHi >= 0) return wHi;
  let side = 0;
  for (let i = 0; i < 200; i++) {
    const r = (lo * hHi - hi * hLo) / (hHi - hLo);
    const wr = windowAt(sideShare(competing, requests, floor, r));
    const h = wr - r;
    if (Math.abs(h) <= 1e-12 * r || hi - lo <= 1e-12 * hi) return wr;
    if (h > 0) {
      lo = r;
      hLo = h;
      if (side > 0) hHi /= 2;
      side = 1;
    } else {
      hi = r;
      hHi = h;
      if (side < 0) hLo /= 2;
      side = -1;
    }
  }
  return windowAt(sideShare(competing, requests, floor, (lo + hi) / 2));
}

/**
 * One stream's cycles on its own: its DRAM cycles (the channels' occupancy) or its bytes at the
 * fetcher's ports, ≤ fetcherPorts × 32 B a cycle (sim/cycle/fetcher.ts), whichever is longer. The
 * DRAM terms price the channels only, and `dramStage` takes the ports over the whole run; a head's
 * V stream also meets them on its own (with 8 ports and 16 channels of 32 GB/s at 1 GHz a stream
 * has 256 of the channels' 512 B a cycle).
 */
export function portStream(cycles: number, bytes: number, hw: HardwareConfig): number {
  return Math.max(cycles, bytes / portBytes(hw));
}

/**
 * Generation: the least a head's key stream takes in its window (cycles), `key` being the stream on
 * its own (portStream). A head is admitted when an earlier head is decided, and that head's V
 * stream (`value` on its own) reaches the fetcher `lag` cycles after the key stream (its local-V
 * top-k latency: its kept V ids leave the engine). The fetcher's manager arbitrates round-robin per
 * fragment between the key and the value requests (spec spatten-official-hardware.md §1.5, stage
 * 5; sim/cycle/fetcher.ts), so from then on both streams go at half rate until one is done: the key
 * stream ends min(key − lag, value)⁺ later. A negative lag (the key stream issued after a gated
 * boundary's bubble, `gateLead`) leaves value + lag of the V stream: min(key, value + lag)⁺.
 * × (1 − 1/requests), as in `sideShare`: the V stream is another head's (a lone head fetches its V
 * after its decision).
 */
export function pairedKeyStream(key: number, lag: number, value: number, requests: number): number {
  if (!(requests > 1)) return key;
  const both = lag >= 0 ? Math.min(key - lag, value) : Math.min(key, value + lag);
  return key + Math.max(0, both) * (1 - 1 / requests);
}

/**
 * Generation with gated layer boundaries: how much later than at an ungated decision the head
 * admitted when a gated boundary opens issues its key stream — the mean gated head's token top-k
 * latency (`gateTk` over `gateHeads`) and its admission; 0 without gated heads.
 */
export function gateLead(gateTk: number, gateHeads: number): number {
  return gateHeads > 0 ? gateTk / gateHeads + L_ADMIT : 0;
}

/** What a gated boundary takes off a head's pairing (`pairedKeyStream` beyond `own`, the rest of its window's longest term), its key stream issued `lead` cycles later (0 when lead is 0). */
export function gatePairing(key: number, lag: number, value: number, requests: number, own: number, lead: number): number {
  if (!(lead > 0)) return 0;
  return Math.max(0, pairedKeyStream(key, lag, value, requests) - own) - Math.max(0, pairedKeyStream(key, lag - lead, value, requests) - own);
}

/** Whether the fetcher's ports issue fewer bytes a cycle than the channels' peak (only then can `portStream` exceed a stream's DRAM cycles). */
export function portsBelowPeak(hw: HardwareConfig): boolean {
  return portBytes(hw) < (hw.dramChannels * hw.dramChannelGBps) / hw.clockGHz;
}

/** DRAM busy cycles: the stream occupancies (refresh-derated), or the fetcher ports if slower. */
export function dramStage(s: Sums, hw: HardwareConfig): number {
  const bytes = s.bytesQ + s.bytesKMsb + s.bytesKLsb + s.bytesV;
  return Math.max(s.dramK + s.dramV, bytes / portBytes(hw));
}

/** prob·V line cycles of one request (causal without local-V pruning: exact per-row sum). */
export function pvCycles(q: number, k: number, vq: number, vRow: number, causal: boolean, M: number, D: number): number {
  if (!causal) return q * lineCycles(vq, M, D);
  if (vq >= k) return rowsCycles(q, k, true, M, D);
  return q * lineCycles(Math.round(vRow), M, D);
}

/** `pvCycles` of a request class (sim/hw/prepare.ts ReqClass): the fast path's prob·V row and value window. */
export function classPvCycles(c: { q: number; k: number; vq: number; vRow: number; causal: boolean; D: number }, M: number): number {
  return pvCycles(c.q, c.k, c.vq, c.vRow, c.causal, M, c.D);
}

/**
 * Lines of a buffer of `lines` that one summarization head may keep resident: 1/sramBuffering of
 * them (double buffering: the other half prefetches the next head, tables/pipeline.json), at least
 * one line pair. Both models' spill capacity (sramCapacityVectors; sim/cycle/requests.ts footprint).
 */
export function residentLines(lines: number): number {
  return Math.max(2, Math.floor(lines / SRAM_HALVES));
}

/**
 * Keys (or values) of one head that fit in half of an SRAM (double buffering), in whole array
 * lines of M × wordBits allocated in pairs (like headLines and sim/cycle/requests.ts footprint:
 * residentLines of the buffer's lines, rounded down to even).
 */
export function sramCapacityVectors(sramKB: number, D: number, wordBits: number, M: number): number {
  // the paper's KB (196 KB = 2 × 1024 × 64 × 12 b): half of 196 KB holds exactly 1024 keys
  const half = residentLines(bufferLines(sramKB, M, wordBits));
  const even = half - (half & 1);
  return M >= D ? even * Math.floor(M / D) : Math.floor(even / Math.ceil(D / M));
}

/** Keys fetched from DRAM by a reused (summarization) request, given the resident capacity. */
export function spilledKeys(q: number, k: number, causal: boolean, cap: number): number {
  if (k <= cap) return k;
  if (!causal) return cap + q * (k - cap);
  const qq = Math.min(q, k);
  return cap + tri(k - cap) - tri(Math.max(0, k - qq - cap));
}

/** Values fetched by a reused request (valuesPerQuery of valuesFetched needed per query). */
export function spilledValues(q: number, k: number, vF: number, vq: number, causal: boolean, cap: number): number {
  if (vF <= cap) return vF;
  if (!causal) return cap + q * vq * (1 - cap / vF);
  const qq = Math.min(q, k);
  return cap + (vq / k) * (tri(k - cap) - tri(Math.max(0, k - qq - cap)));
}

/**
 * Whether a run whose cycles with the refresh terms are `cycles` may end before the first refresh.
 * All-bank refresh comes at nREFI, 2·nREFI, … after the run starts, on every channel at once: the
 * RTL starts one Ramulator2 instance per channel at cycle 0 (spec §1.6, refresh `AllBank`), whose
 * AllBankRefresh issues its first REF at clk = nREFI (m_next_refresh_cycle = nREFI,
 * CMU-SAFARI/ramulator2 src/dram_controller/impl/refresh/all_bank_refresh.cpp); the simulator
 * blocks [j·tREFI, j·tREFI + tRFC) for j ≥ 1 (sim/cycle/hbm-timing.ts availableBefore). So a run that
 * ends by tREFI without refresh meets none. The analytical refresh terms are expectations over a
 * refresh at a uniformly random time (the bandwidth derate 1 − tRFC/tREFI, refreshStretch), and
 * stretch a run by at most tREFI/(tREFI − tRFC): a run longer than tREFI²/(tREFI − tRFC) with
 * them is longer than tREFI without them. Below that the run is evaluated again without refresh
 * and, if it ends by tREFI, that run is the answer (reference.ts analyticalModel, fast.ts
 * evaluatePrepared). A longer run keeps the expectation, within one refresh's loss of the
 * simulator's count of whole refreshes.
 */
export function mayEndBeforeRefresh(cycles: number, tRFC: number, tREFI: number): boolean {
  return tRFC > 0 && Number.isFinite(tREFI) && cycles <= (tREFI * tREFI) / (tREFI - tRFC);
}

/**
 * Generation: how much longer the heads-in-flight window runs with all-bank refresh (a factor ≥ 1).
 * For tRFC of every tREFI cycles no channel serves a read (spec §1.6, AllBank refresh on all
 * channels at once), and a head cannot reach its decision without its K stream. The window is a
 * closed loop of slots (the heads in flight): a slot's head spends d cycles of its T-cycle window
 * on the DRAM (its access latency and stream) and c = T − d after its data (Q·K, softmax, the
 * decision). A refresh starting at a uniformly random time stalls a slot whose head is on the DRAM
 * for all of tRFC, and a slot whose head has c·u cycles of work left (u uniform) for
 * (tRFC − c·u)⁺ — its next head is admitted into the refresh:
 *   loss = tRFC − c²/(2T)            when c ≤ tRFC,
 *   loss = tRFC·(d + tRFC/2)/T       when c > tRFC (the slot often computes through it).
 * The window advances during tREFI − loss of every tREFI cycles. `T` and `d` are in
 * DRAM-available time (the stream not refresh-derated). Only the bandwidth derate
 * (1 − tRFC/tREFI on the DRAM term) was modelled before: right when the DRAM binds, but a
 * latency-bound window (the LM traces of test/cycle-xval.test.ts, ~150-cycle heads, 8 in flight)
 * loses most of every refresh in the simulator (331 of 350 cycles on the keep-0.125 trace).
 */
export function refreshStretch(T: number, d: number, tRFC: number, tREFI: number): number {
  if (!(tRFC > 0) || !Number.isFinite(tREFI) || !(T > 0)) return 1;
  const dd = Math.min(Math.max(0, d), T);
  const c = T - dd;
  const loss = c <= tRFC ? tRFC - (c * c) / (2 * T) : (tRFC * (dd + tRFC / 2)) / T;
  return tREFI / (tREFI - loss);
}
