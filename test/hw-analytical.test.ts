/**
 * Analytical model: hand-computed cases, the derived top-k expectation against the official
 * Monte-Carlo table, fast path = reference path, pruning monotonicity, and the scaling
 * expectations of the design (bandwidth-bound GPT-2 generation, compute-bound BERT).
 */
import { test } from 'node:test';
import { z } from 'zod';
import assert from 'node:assert/strict';
import {
  analyticalModel,
  createFastMetrics,
  dramBytesPerCycle,
  evaluatePrepared,
  keysSeen,
  lineCycles,
  lineCyclesPrefix,
  prepareWorkload,
  rowsCycles,
  sramCapacityVectors,
} from '../sim/hw/analytical.ts';
import { designEngines, engineOccupancy, expectedEngineCycles, expectedQuickSelectCycles, expectedTopkCycles, harmonic, quickSelectExactDP, quickSelectRounds, sampleTopkCost } from '../sim/hw/topk.ts';
import { mulberry32 } from '../sim/rng.ts';
import { runsMakespan } from '../sim/hw/gen-flow.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import type { HeadRequest, Workload } from '../sim/workload/types.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, defaultHardware, type HardwareConfig } from '../sim/schema.ts';
import pipe from '../sim/hw/tables/pipeline.json' with { type: 'json' };
import { readTraceFile } from '../sim/workload/trace.ts';
import { bufferLines, fetchLatencies, gateLead, gatePairing, heldLines, mayEndBeforeRefresh, pairedKeyStream, pvCycles, residentLines, valueHeadsFit } from '../sim/hw/pipeline-math.ts';
import { dramTimingOf, refreshAvailability } from '../sim/hw/dram-cost.ts';
import { simulateCycle } from '../sim/cycle/index.ts';
import { gatedLayerHeads } from '../sim/hw/request-core.ts';
import { auditGated, gateCost } from '../scripts/gate-bubble.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TRACES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sim', 'workload', 'traces');

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const near = (a: number, b: number, tol: number, msg = '') => assert.ok(rel(a, b) <= tol, `${msg} ${a} vs ${b} (rel ${rel(a, b)})`);

function row(over: Partial<HeadRequest>): HeadRequest {
  return {
    iteration: 0, layer: 0, head: 0, D: 64, L: 100, queries: 1, keys: 100, valuesFetched: 100, valuesPerQuery: 100,
    keyBits: 12, lsbBits: 0, refetch: 0, lsbThreshold: -1, valueBits: 12, queryBits: 12, topk: -1, causal: false,
    ...over,
  };
}
function wl(requests: HeadRequest[], reuseKV: boolean): Workload {
  return {
    name: 'hand', model: MODEL_SHAPES['gpt2-small'], stage: reuseKV ? 'summarization' : 'generation', iterations: 1,
    reuseKV, requests, source: 'generated', provenance: 'test',
  };
}
const hwOf = (o: Partial<HardwareConfig> = {}) => HardwareSchema.parse(o);
const build = (algo: object, w: object = {}) => buildWorkload(WorkloadSchema.parse(w), AlgoSchema.parse(algo));

// Fixed latencies by hand from tables/pipeline.json (default 512 multipliers, D = 64, S = 8).
// The fetch: issue + DRAM registers + a row conflict at 1 GHz, 32 GB/s (nRP 7 + nRCD 7 + nCL 7 + burst 2 ns) + conversion.
const L_FETCH = pipe.fetchIssueLatency.value + pipe.dramRegisterLatency.value + 7 + 7 + 7 + 2 + pipe.convertLatency.value; // 33
const L_BUF = pipe.bufferWriteLatency.value + pipe.bufferReadLatency.value; // 10
const L_QK = pipe.dotProductBaseLatency.value + 6 + L_BUF; // log2 64 = 6 tree levels
const L_SM = pipe.softmaxLatency.value + pipe.requantDecisionLatency.value + 3; // log2 S = 3
const L_PV = pipe.pvBaseLatency.value + 3 + L_BUF;
// + the allocation registers of the key (stage 1) and value (stage 16) buffers and the request FIFO's (stage 2)
const DRAIN = pipe.allocLatency.value + pipe.requestFifoLatency.value + L_FETCH + L_QK + L_SM + pipe.allocLatency.value + L_FETCH + L_PV;
// HBM bandwidth derated by all-bank refresh (nRFC 350 ns every nREFI 3900 ns): 512 → 466.05 B/cycle.
const RF = 1 - pipe.dramRefreshCycle.value / pipe.dramRefreshInterval.value;
const B = 512 * RF;

test('fetch latencies: registers in cycles, the HBM row conflict in ns at the clock (as the simulator)', () => {
  // request FIFO 1 + issue 5 + DRAM registers 3 + conversion 2 = 11 cycles, + (nRP + nRCD + nCL 21 ns + burst 2 ns × 32/GBps) × clock
  const lat = (o: Partial<HardwareConfig>) => fetchLatencies(dramTimingOf(hwOf(o)));
  assert.deepEqual(lat({}), { key: 11 + 23, val: 11 + 23 }, 'Table I: 34 = the former constant 26 + 5 + 2 + the FIFO register');
  assert.equal(lat({}).key, pipe.requestFifoLatency.value + L_FETCH, 'key pass = FIFO register + L_FETCH');
  assert.equal(lat({ clockGHz: 2 }).key, 11 + 46, '2 GHz: 23 ns are 46 cycles');
  assert.equal(lat({ clockGHz: 0.5 }).key, 11 + 11.5, '0.5 GHz: 23 ns are 11.5 cycles');
  assert.equal(lat({ dramChannelGBps: 16 }).key, 11 + 25, '16 GB/s: the burst takes 4 ns');
  assert.equal(lat({ dramRefresh: false }).key, 34, 'refresh does not enter the access latency');
});

test('resident lines of a summarization head: half of the buffer (sramBuffering 2), at least a line pair', () => {
  assert.equal(pipe.sramBuffering.value, 2, 'double buffering');
  // 196 KB at M = 512, 12 b: 256 lines, 128 resident; 12 KB at M = 512: 15 lines, 7; tiny buffers keep one pair
  assert.deepEqual([256, 15, 7, 4, 3, 1, 0].map(residentLines), [128, 7, 3, 2, 2, 2, 2]);
});

test('a run that ends by nREFI meets no all-bank refresh (refreshes at nREFI, 2·nREFI, … from its start)', () => {
  // the refresh terms stretch a run by at most nREFI/(nREFI − nRFC): at 1 GHz 3900²/3550 = 4,284.5 cycles
  assert.equal(mayEndBeforeRefresh(4284, 350, 3900), true, '4,284 cycles with refresh may be ≤ 3,900 without');
  assert.equal(mayEndBeforeRefresh(4285, 350, 3900), false, '4,285 cycles with refresh are > 3,900 without');
  assert.equal(mayEndBeforeRefresh(100, 0, Infinity), false, 'no refresh at all');
  // 144 heads, gpt2-small, one token after 64, on 32 channels: ~3,380 cycles without refresh at
  // 0.87 GHz; nREFI = 3,900 ns × the clock
  const w = build({}, { model: 'gpt2-small', stage: 'generation', seqLen: 64, genTokens: 1 });
  const p = prepareWorkload(w);
  const cases: Array<[number, boolean]> = [
    [1, false], // 3,747.1 < 3,900
    [0.87, false], // 3,386.9 < 3,393
    [0.86, true], // 3,361.3 > 3,354: the refresh at 3,354 falls in the run, the expectation stays
  ];
  for (const [clockGHz, meets] of cases) {
    const on = analyticalModel(w, hwOf({ clockGHz, dramChannels: 32 }));
    const off = analyticalModel(w, hwOf({ clockGHz, dramChannels: 32, dramRefresh: false }));
    assert.equal(off.cycles > 3900 * clockGHz, meets, `${clockGHz} GHz: ${off.cycles} cycles without refresh vs nREFI ${3900 * clockGHz}`);
    if (meets) assert.ok(on.cycles > off.cycles * 1.05, `${clockGHz} GHz: refresh charged, ${on.cycles} vs ${off.cycles}`);
    else {
      assert.equal(on.cycles, off.cycles, `${clockGHz} GHz: no refresh in the run`);
      assert.equal(on.energy_j, off.energy_j, `${clockGHz} GHz: same energy`);
    }
    near(evaluatePrepared(p, hwOf({ clockGHz, dramChannels: 32 })).cycles, on.cycles, 1e-9, `${clockGHz} GHz: fast path = reference`);
  }
});

test('a key stream paired with the V stream issued after it: both at half rate while both are fetched (hand cases)', () => {
  // 100 cycles of keys, the V stream (50) 30 cycles later: 70 left, 50 of them beside the V stream
  assert.equal(pairedKeyStream(100, 30, 50, 2), 100 + 50 * 0.5);
  assert.equal(pairedKeyStream(100, 30, 50, 1e9), 100 + 50 * (1 - 1e-9));
  // a V stream longer than what is left: the rest of the key stream, 70
  assert.equal(pairedKeyStream(100, 30, 500, 4), 100 + 70 * 0.75);
  // the V stream after the key stream is done, or no V stream, or a lone head: the key stream alone
  assert.equal(pairedKeyStream(100, 120, 50, 4), 100);
  assert.equal(pairedKeyStream(100, 30, 0, 4), 100);
  assert.equal(pairedKeyStream(100, 30, 50, 1), 100);
  // issued 40 cycles after the V stream (lag −40): 10 of the V stream left beside it
  assert.equal(pairedKeyStream(100, -40, 50, 2), 100 + 10 * 0.5);
  assert.equal(pairedKeyStream(100, -60, 50, 2), 100);
  // a gated boundary's lead: the mean gated head's token top-k latency and its admission
  assert.equal(gateLead(2 * 20, 2), 20 + pipe.allocLatency.value);
  assert.equal(gateLead(0, 0), 0);
  // what a lead takes off the pairing beyond the window's other terms (own): lag 30 → 30 − 60 = −30
  // leaves 20 of the V stream, 10 beside the keys at half rate: (125 − 110) − (110 − 110) = 15
  assert.equal(gatePairing(100, 30, 50, 2, 110, 60), 15);
  // lag 30 → −20 leaves 60 of 80: (100 + 70·½ − 100) − (100 + 60·½ − 100) = 35 − 30
  assert.equal(gatePairing(100, 30, 80, 2, 100, 50), 5);
  assert.equal(gatePairing(100, 30, 50, 2, 110, 0), 0);
});

test('helpers: line cycles, causal prefix sums, capacities, bandwidth', () => {
  assert.equal(lineCycles(100, 512, 64), 13); // 8 keys per cycle
  assert.equal(lineCycles(100, 32, 64), 200); // a key takes 2 cycles on 32 multipliers
  assert.equal(lineCycles(0, 512, 64), 0);
  // Σ_{n=1..10} ⌈n/8⌉ = 8·1 + 2·2
  assert.equal(lineCyclesPrefix(10, 512, 64), 12);
  for (const n of [1, 7, 8, 9, 63, 64, 65, 1000]) {
    let s = 0;
    for (let i = 1; i <= n; i++) s += lineCycles(i, 384, 64);
    assert.equal(lineCyclesPrefix(n, 384, 64), s, `prefix ${n}`);
  }
  assert.equal(rowsCycles(10, 10, true, 512, 64), 12);
  assert.equal(rowsCycles(3, 10, true, 512, 64), 1 + 2 + 2); // queries see 8, 9, 10 keys
  assert.equal(keysSeen(10, 10, true), 55);
  assert.equal(keysSeen(4, 10, false), 40);
  // 196 paper-KB (2 × 1024 × 64 × 12 b), half for one head, 64 × 12-bit keys: exactly 1024 (§V-C)
  assert.equal(sramCapacityVectors(196, 64, 12, 512), 1024);
  // was 512: the model now derates the HBM peak by refresh (the cycle simulator's 9% loss)
  assert.equal(dramBytesPerCycle(defaultHardware()), B);
  assert.equal(dramBytesPerCycle(hwOf({ fetcherPorts: 4 })), 128); // fetcher cap 4 × 32 B (refresh does not touch it)
  assert.equal(dramBytesPerCycle(hwOf({ clockGHz: 2 })), 256 * RF);
  // one availability for the bandwidth and the DRAM costs: the design's tRFC/tREFI (ns × clock)
  for (const clockGHz of [0.3, 0.7, 1.3, 1.7, 2.9]) {
    const hw = hwOf({ clockGHz, fetcherPorts: 1024 });
    assert.equal(dramBytesPerCycle(hw), (512 * refreshAvailability(dramTimingOf(hw))) / clockGHz, `clock ${clockGHz}`);
  }
  assert.equal(dramBytesPerCycle(hwOf({ dramRefresh: false })), 512);
});

test('hand case: one head, one query (generation)', () => {
  const w = wl([row({})], false);
  const r = analyticalModel(w, defaultHardware());
  // Q 64·12/8 = 96 B, K 100·96 = 9600 B, V 9600 B
  assert.equal(r.dram_bytes, 96 + 9600 + 9600);
  // DRAM time: the shared HBM2 stream profiles (sim/hw/dram-cost.ts), never faster than the pins
  const dK = r.extra!.dram_cycles_k as number;
  const dV = r.extra!.dram_cycles_v as number;
  near(r.stages.dram, dK + dV, 1e-12);
  assert.ok(dK >= 9696 / 512 && dV >= 9600 / 512, `${dK} ${dV}`);
  assert.equal(r.stages.qk, 13);
  assert.equal(r.stages.softmax, 13); // ⌈100/8⌉ with 8 softmax lanes
  assert.equal(r.stages.pv, 13);
  assert.equal(r.stages.topk, 0);
  // One request: the serial path binds (one head in flight): fill/drain latencies + fetch K ‖
  // Q·K ‖ softmax + fetch V ‖ prob·V. (Was DRAM + drain: a lone head cannot overlap with others.)
  const serial = DRAIN + dK + dV;
  // All-bank refresh stalls the window as well as the DRAM (reference.ts finishGeneration): the
  // window's fixed latencies and compute run in available time (÷ RF), so the window term is
  // above the serial path by at most the stall on the pre-decision latencies.
  const pre = L_FETCH + L_QK + L_SM;
  assert.ok(r.cycles >= serial - 1e-9 && r.cycles <= serial + pre * (1 / RF - 1), `${r.cycles} vs serial ${serial} + ≤ ${pre * (1 / RF - 1)}`);
  assert.equal(r.activity.qkMacs, 6400);
  assert.equal(r.activity.pvMacs, 6400);
  assert.equal(r.activity.softmaxElems, 100);
  assert.equal(r.activity.keySramWriteBits, 100 * 64 * 12);
  // per bit (3.97 − 1.21 pJ) + per row activation (1.21 pJ/bit × 512 bits), O'Connor et al.
  assert.ok(r.activity.dramActivations > 0, 'r.activity.dramActivations > 0');
  near(r.energy.dram, (19296 * 8 * (3.97 - 1.21) + r.activity.dramActivations * 1.21 * 512) * 1e-12, 1e-12);
  near(r.gops, (2 * 12800) / r.latency_s / 1e9, 1e-12);
  // inFlight = 1 on 8 such heads: the in-flight limit holds a head from admission to its final
  // decision only (RTL stage 2, spec §1.5), so each head's V fetch and prob·V overlap the next
  // head's K fetch and Q·K; only the last head's part after its decision is paid in series. The
  // overlapping V and K streams share the channels round-robin (each at half rate:
  // pipeline-math.ts pairedKeyStream), so the run is longer than 8 × the fetch-free part but
  // shorter than 8 × the full serial path; the simulator is the reference (1,720 cycles; 1,496
  // before the fetcher slowed a stream already on the channels).
  const eight = wl(Array.from({ length: 8 }, () => row({})), false);
  const one = hwOf({ inFlight: 1, dramRefresh: false });
  const r1 = analyticalModel(eight, one);
  assert.ok(r1.cycles < 0.85 * 8 * serial, `${r1.cycles} vs 8 × ${serial}`);
  near(r1.cycles, simulateCycle(eight, one).cycles, 0.03);
  // with refresh: a run shorter than nREFI (3,900 cycles) meets none, in the simulator (its refresh
  // windows start at nREFI) and in the analytical model (mayEndBeforeRefresh); it charged the
  // expected refresh stall before (1,591.8 cycles)
  const r1r = analyticalModel(eight, hwOf({ inFlight: 1 })).cycles;
  assert.equal(r1r, r1.cycles, 'no refresh in a 1,705-cycle run');
});

test('hand case: refetch, local-V top-k and token top-k', () => {
  const w = wl([row({ keyBits: 8, lsbBits: 4, refetch: 0.25, valuesFetched: 20, valuesPerQuery: 20, valueBits: 8, topk: 50 })], false);
  const r = analyticalModel(w, defaultHardware());
  // Q 96 + K 100·64 + LSB 0.25·100·32 + V 20·64
  assert.equal(r.dram_bytes, 96 + 6400 + 800 + 1280);
  assert.equal(r.stages.qk, 1.25 * 13);
  assert.equal(r.stages.softmax, 1.25 * 13);
  assert.equal(r.stages.pv, 3); // ⌈20/8⌉
  // paper engine: local-V quick-select, every round busy (the first runs as the 8-per-cycle scores
  // arrive, which shortens an idle engine's latency, not its occupancy), filter ⌈100/16⌉ in a stage
  // of its own: the busier stage; the token top-k (engine 2) selects over accumulated scores.
  // (keeping k selects the k-th best: 0-based rank k − 1)
  const qsV = expectedQuickSelectCycles(100, 19, 16);
  const tkV = Math.max(qsV, Math.ceil(100 / 16));
  const tkT = Math.max(expectedQuickSelectCycles(100, 49, 16), Math.ceil(100 / 16));
  near(r.stages.topk, Math.max(tkV, tkT), 1e-12);
  near(r.extra!.topk_localv_cycles, tkV, 1e-12);
  // the official RTL's dummy: all rounds, then the S = 8 wide drain, one stage
  const ro = analyticalModel(w, hwOf({ topkModel: 'official-rtl' }));
  near(ro.extra!.topk_localv_cycles, expectedQuickSelectCycles(100, 19, 16) + Math.ceil(100 / 8), 1e-12);
  assert.equal(r.activity.qkMacs, 1.25 * 6400);
});

test('hand case: summarization spill — keys beyond the resident half are streamed per query', () => {
  // 7.5 KB = ⌊7.5·1003.1·8/6144⌋ = 9 lines of 512 × 12 b (paper KB = 196,608/196 B); half: 4 lines
  // (even) = capK 32 keys resident, as the cycle model's footprint; 100 queries × 68 streamed keys
  const hw = hwOf({ keySramKB: 7.5, valueSramKB: 7.5 });
  const w = wl([row({ queries: 100 })], true);
  const r = analyticalModel(w, hw);
  const kF = 32 + 100 * 68;
  const vF = 32 + 100 * 100 * (1 - 32 / 100);
  assert.equal(r.dram_bytes, 100 * 96 + kF * 96 + vF * 96);
  // no spill with the default SRAM: K and V fetched once
  const r0 = analyticalModel(w, defaultHardware());
  assert.equal(r0.dram_bytes, 100 * 96 + 9600 + 9600);
  assert.equal(r0.stages.qk, 100 * 13);
  // compute-bound: Q·K = softmax = prob·V = 1300 cycles. The head's prob·V starts after its
  // progressive-quantization decision, i.e. after its last query's softmax (rows leave the
  // requant FIFO in order, spec stage 12): fetch, then Q·K/softmax, then prob·V, in series
  // (the in-order bound, sim/hw/flow-shop.ts; the cycle model gives 2,751 cycles here)
  const dKV = (r0.extra!.dram_cycles_k as number) + (r0.extra!.dram_cycles_v as number);
  near(r0.cycles, dKV + 1300 + 1300 + DRAIN, 1e-12);
  // causal: 10 queries over 10 keys, capK 2 (0.75 KB of 64 × 12-b lines: 7 lines, half 3, one
  // pair resident) → streamed Σ_j max(0, j+1−2) = 1+…+8 = 36
  const hwc = hwOf({ keySramKB: 0.75, valueSramKB: 196, qkMultipliers: 64 });
  assert.equal(sramCapacityVectors(0.75, 64, 12, 64), 2);
  const rc = analyticalModel(wl([row({ queries: 10, keys: 10, valuesFetched: 10, valuesPerQuery: 10, causal: true })], true), hwc);
  assert.equal(rc.extra!.dram_bytes_k_msb, (2 + 36) * 96);
});

test('summarization spill, as the simulator streams it: the spilled part priced over its own region, a spilling head holding only its resident lines', () => {
  // 24 lines of 512 × 16 b (24.5 paper KB); half = 12 resident. A head of 128 values at 8 a line
  // (D = 64) needs 16 lines: it spills, holds 12, and two such heads fit at once (sim/cycle
  // requests.ts footprint caps a summarization head at its resident lines); a generation head
  // keeps all 16 of its lines, so one fits
  assert.equal(bufferLines(24.5, 512, 16), 24);
  assert.equal(heldLines(16, 24, true), 12);
  assert.equal(heldLines(16, 24, false), 16);
  assert.equal(heldLines(10, 24, true), 10);
  const h = hwOf({ pvMultipliers: 512, wordBits: 16, valueSramKB: 24.5 });
  assert.equal(valueHeadsFit(h, 24, 128, 64, 100, true), 2);
  assert.equal(valueHeadsFit(h, 24, 128, 64, 100, false), 1);
  // bert-base at 128, K and V spilling (24.5 KB each). The spilled tail of a head's 128 dense keys
  // (32 of them, in the last 32 tokens) costs 0.75 of a byte of the whole gather; the simulator,
  // which gathers the spill from that region, is an independent count of the same DRAM time
  const w = build({ headKeep: 0.85, valueKeep: 0.8, msbBits: 12, lsbBits: 4 }, { model: 'bert-base', stage: 'summarization', seqLen: 128 });
  const common = { qkMultipliers: 256, pvMultipliers: 256, dramChannels: 16, dramChannelGBps: 16, fetcherPorts: 8, topkParallelism: 32, softmaxParallelism: 16, wordBits: 16, inFlight: 16, clockGHz: 2, topkFilter: 'qk', gateTokenTopk: true, dramMapping: 'RoBaRaCoCh', dramQueueDepth: 16 } as const;
  const spilling = hwOf({ ...common, keySramKB: 24.5, valueSramKB: 24.5 });
  const a = analyticalModel(w, spilling);
  const c = simulateCycle(w, spilling, { seed: 1 });
  assert.equal(a.dram_bytes, c.activity.dramBytes);
  near(a.activity.dramActivations, c.activity.dramActivations, 1e-9, 'activations'); // 486,720 (was 249,600 at the whole gather's rate)
  near(a.stages.dram, c.stages.dram, 0.005, 'DRAM stage'); // 836,336 vs 836,180 (was 1,096,834)
  near(a.cycles, c.cycles, 0.02, 'cycles'); // 845,720 vs 838,823 (was 1,254,220)
  // values spilling, keys resident (98 KB): two heads hold the value buffer at once, so one head's
  // top-k (the busiest stage) overlaps the next head's fetch and Q·K as in the simulator
  const topkBound = hwOf({ ...common, pvMultipliers: 512, dramChannels: 4, fetcherPorts: 32, topkParallelism: 16, softmaxParallelism: 0, keySramKB: 98, valueSramKB: 24.5, inFlight: 8, topkFilter: 'comparators', gateTokenTopk: false });
  const w2 = build({ headKeep: 0.7, valueKeep: 0.3, msbBits: 8, lsbBits: 0 }, { model: 'bert-base', stage: 'summarization', seqLen: 128 });
  const a2 = analyticalModel(w2, topkBound);
  const c2 = simulateCycle(w2, topkBound, { seed: 1 });
  near(a2.cycles, c2.cycles, 0.02, 'cycles, top-k bound'); // 798,611 vs 790,894 (was 1,022,911: one head at a time)
  assert.ok(a2.cycles < 1.02 * a2.stages.topk, `${a2.cycles} within 2% of the top-k stage ${a2.stages.topk}`);
});

test('gated layer boundaries in generation: a head alone in flight pays its token top-k, not its window again; the simulator is the reference', () => {
  // gateTokenTopk holds admission from the gated head's admission to its token top-k's end. With
  // one head in flight the next head waits for the previous one's decision anyway, so a gate adds
  // the top-k only: 143 (gpt2-small 128 + 2) and 59 (512 + 4) cycles a gated head in the
  // simulator, where the bubble added after the smooth max charged 289 and 211 (the window twice)
  const cases: Array<[object, object, Partial<HardwareConfig>]> = [
    [{ model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 2 }, { tokenKeep: 0.2, msbBits: 12, lsbBits: 4 }, { qkMultipliers: 512, pvMultipliers: 512, dramChannels: 4, dramChannelGBps: 32, fetcherPorts: 16, topkParallelism: 1, softmaxParallelism: 4, keySramKB: 392, valueSramKB: 24.5, wordBits: 16, dramRefresh: false, dramQueueDepth: 32 }],
    [{ model: 'gpt2-small', stage: 'generation', seqLen: 512, genTokens: 4 }, { tokenKeep: 0.2, headKeep: 0.6, valueKeep: 0.3, msbBits: 4, lsbBits: 4 }, { clockGHz: 2, qkMultipliers: 256, pvMultipliers: 512, topkParallelism: 32, softmaxParallelism: 0, dramChannels: 4, dramChannelGBps: 32, fetcherPorts: 32, dramRefresh: false, dramMapping: 'RoBaCoRaCh', dramQueueDepth: 16 }],
  ];
  for (const [wlo, algo, h] of cases) {
    const w = build(algo, wlo);
    const gates = w.requests.filter((r) => r.topk >= 0).length;
    assert.ok(gates >= 20, `${gates} gated heads`);
    const cost = (model: 'analytical' | 'cycle') => {
      const run = (gate: boolean) => {
        const hw = hwOf({ ...h, inFlight: 1, gateTokenTopk: gate });
        return model === 'analytical' ? analyticalModel(w, hw).cycles : simulateCycle(w, hw, { seed: 1 }).cycles;
      };
      return (run(true) - run(false)) / gates;
    };
    near(cost('analytical'), cost('cycle'), 0.1, 'cycles a gated head');
  }
});

test('gated layer boundaries in generation: the part of the bubble every front term pays is a serial delay, not charged the overlap loss; the simulator is the reference', () => {
  // gpt2-medium 128 + 1, 16 heads in flight, DRAM-bound: the gate's stretches of the DRAM, Q·K and
  // window terms all end when the next head's first key arrives, so the shortest is idle for all
  // three (finalize.ts headGranularFront). Inside the smooth max it drew the terms together: the
  // analytical model was 1.169× the simulator's latency (19.25 against 16.47 µs; the cycle audit's
  // worst gated point that this brought within 10%). Since the top-k expectation selects the
  // simulator's rank and prices small sets' rounds exactly (sim/hw/topk.ts), the token/head
  // engine's busy cycles are the simulator's (790.6 analytical, 785 in the run below; 739.2 before),
  // and the point is 1.1015×: the rest of the excess is the gated bubble the simulator overlaps
  // with the plain run's own losses (sim/cycle/README.md), so the bound here is 11%, which the
  // bubble inside the smooth max (1.169×) does not meet.
  const w = build({ tokenKeep: 0.3, headKeep: 0.7, valueKeep: 1, msbBits: 12, lsbBits: 0 }, { model: 'gpt2-medium', stage: 'generation', seqLen: 128, genTokens: 1 });
  const h = { qkMultipliers: 512, pvMultipliers: 256, dramChannels: 16, dramChannelGBps: 64, fetcherPorts: 32, topkParallelism: 32, softmaxParallelism: 4, keySramKB: 98, valueSramKB: 24.5, inFlight: 16, clockGHz: 0.5, wordBits: 12, topkModel: 'official-rtl', topkFilter: 'comparators', dramRefresh: false, dramMapping: 'RoBaRaCoCh', dramQueueDepth: 16 } as const;
  assert.ok(w.requests.filter((r) => r.topk >= 0).length >= 20, 'gated heads');
  const gated = hwOf({ ...h, gateTokenTopk: true });
  const plain = hwOf({ ...h, gateTokenTopk: false });
  const a = analyticalModel(w, gated);
  const c = simulateCycle(w, gated, { seed: 1 });
  near(a.cycles, c.cycles, 0.11, 'gated latency');
  // the gate still costs the analytical model cycles
  const a0 = analyticalModel(w, plain);
  assert.ok(a.cycles > a0.cycles, `${a.cycles} > ${a0.cycles}`);
});

test('gated layer boundaries with heads in flight: the DRAM serves, in the bubble, the V streams of the heads still between their last key and their decision; the simulator is the reference', () => {
  // The cycle audit's draw (scripts/monotone-audit.ts, seed 1), its first 20 rounds: every gated
  // generation point with ≥ 8 heads in flight. What the gate costs a gated head — the gated run's
  // latency less the ungated one's, over the gated heads — in each model. With the DRAM's bubble
  // less the gated head's own V stream only, the analytical model was 32.8 cycles a gated head from
  // the simulator on average over these 47 points; with the heads still deciding
  // (finalize.ts bubbleValueHeads) 23.1 (what fills the bubble, counted on the simulator's
  // timeline: test/audit-tools.test.ts; these figures: scripts/gate-bubble.ts --cost). Since the
  // fetcher's round-robin slows the streams already on the channels too (sim/cycle/fetcher.ts), the
  // gate costs the simulator 95.3 cycles a gated head here (54.1 before): the V streams of the heads
  // decided before the gate are fetched beside the last key streams rather than after them, so they
  // fill less of the bubble. The analytical model gives 69.0 (67.0 before), 32.9 from it on
  // average; reading only the gated head's own V stream into the bubble gives 27.0 here but a
  // worse cycle audit (mean |ln| 0.0185 against 0.0182), so the heads still deciding stay. With
  // the window's part read from the gated layer's last batch (gate-slots.ts gateSlots,
  // gateStaggers, refetchExcess; test/hw-gate-slots.test.ts), 70.3 and 32.4. A model of the V streams' arrival
  // in the bubble (issued at their decision and local-V top-k, one pace apart, served in order)
  // left the cycle audit where it was (mean |ln| 0.01739 against 0.01739–0.01748, before the
  // refetching heads' slots).
  const rows = gateCost(auditGated(20, 8));
  assert.equal(rows.length, 47, 'the draw');
  const err = rows.reduce((s, r) => s + Math.abs(r.analytical - r.cycle), 0) / rows.length;
  assert.ok(err < 35, `mean |analytical − simulator| ${err} cycles a gated head`);
  // the gate costs both models something on 28 of them; on the other 19 it costs neither anything
  // (the comment said 26 and 21 before the fetcher's round-robin reached the streams on the channels)
  assert.ok(rows.filter((r) => r.cycle > 0 && r.analytical > 0).length >= 20);
});

test('the heads of the layers a gate follows: counted on a request list, and by a plan as on its list', () => {
  // layer (0, 0): 3 heads, the last with the token top-k; (0, 1): 2 heads, both with one; (1, 0): none
  const r = (iteration: number, layer: number, topk: number) => ({ iteration, layer, topk }) as HeadRequest;
  assert.equal(gatedLayerHeads([r(0, 0, -1), r(0, 0, -1), r(0, 0, 5), r(0, 1, 3), r(0, 1, 3), r(1, 0, -1)]), 3 + 2 * 2);
  // a head-pruned generation: prepared from its plan before its list is read, then from the list
  const w = build({ tokenKeep: 0.3, headKeep: 0.6, valueKeep: 0.5 }, { model: 'gpt2-small', stage: 'generation', seqLen: 256, genTokens: 3 });
  const planned = prepareWorkload(w).gateLayerHeads;
  const gated = w.requests.filter((q) => q.topk >= 0).length;
  assert.ok(gated >= 20 && planned > gated, `${gated} gated heads, ${planned} heads in their layers`);
  assert.equal(planned, gatedLayerHeads(w.requests));
});

test('generation in order: the bottleneck that moves along the run (dense front layers, then the local-V engine) is priced; the simulator is the reference', () => {
  // gpt2-medium 128 + 1, tokenKeep 0.2 (layers 0–3 dense: 129 keys, few heads in a 49 KB key buffer;
  // then 13–39 keys), valueKeep 0.8 on a 32-comparator engine. The simulator's local-V engine is
  // busy 6,814 of 9,466 cycles: idle 2,833 cycles while layers 0–3 pass the front, then the
  // bottleneck. The stage sums took the larger of the two totals: 7,641 cycles analytical (−19%).
  const w = build({ tokenKeep: 0.2, headKeep: 0.5, valueKeep: 0.8, msbBits: 4, lsbBits: 0 }, { model: 'gpt2-medium', stage: 'generation', seqLen: 128, genTokens: 1 });
  const h = hwOf({ qkMultipliers: 256, pvMultipliers: 256, dramChannels: 8, dramChannelGBps: 64, fetcherPorts: 64, topkParallelism: 32, softmaxParallelism: 0, keySramKB: 49, valueSramKB: 392, inFlight: 16, clockGHz: 0.5, wordBits: 16, dramRefresh: false, dramMapping: 'RoBaRaCoCh', dramQueueDepth: 32 });
  const a = analyticalModel(w, h);
  const c = simulateCycle(w, h, { seed: 1 });
  near(a.cycles, c.cycles, 0.02, 'latency');
  near(evaluatePrepared(prepareWorkload(w), h).cycles, a.cycles, 1e-12, 'fast path');
  // the stage totals alone are far below: the local-V engine is the busiest stage
  assert.ok(a.stages.topk + 1500 < a.cycles, `${a.stages.topk} + 1500 < ${a.cycles}`);
});

test('generation in order: a value buffer of one head holds the dense front layers, prob·V the pruned ones; both are paid', () => {
  // The cycle audit's worst disagreement (scripts/monotone-audit.ts, seed 1, after the in-order
  // bound): gpt2-medium 128 + 1, tokenKeep 0.2, 128 prob·V multipliers and 24.5 KB of value SRAM
  // (96 lines; a dense head's 129 values take 66, so one head holds value lines at a time). The
  // simulator's prob·V takes a dense head every 97 cycles — 65 of prob·V, then the next head's
  // allocation, fetch latency and buffer (32) — and the pruned heads after them at their prob·V.
  // The value window summed the slots (6,208 + the pruned heads' few) and prob·V the work, each
  // under the other's total: 7,878 cycles analytical against 9,534 (×1.210).
  const w = build({ tokenKeep: 0.2, headKeep: 0.5, valueKeep: 1, msbBits: 8, lsbBits: 0 }, { model: 'gpt2-medium', stage: 'generation', seqLen: 128, genTokens: 1 });
  const h = hwOf({ qkMultipliers: 512, pvMultipliers: 128, dramChannels: 8, dramChannelGBps: 64, fetcherPorts: 32, topkParallelism: 4, softmaxParallelism: 16, keySramKB: 392, valueSramKB: 24.5, inFlight: 8, clockGHz: 0.5, wordBits: 16, topkModel: 'paper', topkFilter: 'qk', gateTokenTopk: false, dramRefresh: true, dramMapping: 'RoBaRaCoCh', dramQueueDepth: 32 });
  const a = analyticalModel(w, h);
  const c = simulateCycle(w, h, { seed: 1 });
  near(a.cycles, c.cycles, 0.06, 'latency');
  near(evaluatePrepared(prepareWorkload(w), h).cycles, a.cycles, 1e-12, 'fast path');
  // at least the dense heads' slots in series, then the pruned heads' prob·V
  const lat = fetchLatencies(dramTimingOf(h));
  const hold = lat.val + pipe.bufferWriteLatency.value + pipe.bufferReadLatency.value;
  let bound = 0;
  for (const r of w.requests) bound += r.keys === 129 ? hold + pvCycles(r.queries, r.keys, r.valuesPerQuery, r.keys, r.causal, 128, r.D) : pvCycles(r.queries, r.keys, r.valuesPerQuery, r.keys, r.causal, 128, r.D);
  assert.ok(a.cycles > bound, `${a.cycles} > ${bound}`);
  // a value buffer of many heads takes the slots away: prob·V's work and its fill
  const big = analyticalModel(w, hwOf({ ...h, valueSramKB: 392 }));
  assert.ok(big.cycles < a.cycles - 1500, `${big.cycles} vs ${a.cycles}`);
});

test('generation: a V stream on its own runs at most at the fetcher ports\' rate (value buffer of one head, both models)', () => {
  // The cycle audit's worst disagreement after the value slot (scripts/monotone-audit.ts, seed 1):
  // gpt2-small 128 + 2, 8 fetcher ports (256 B a cycle) on 16 channels of 32 GB/s at 1 GHz (512 B a
  // cycle), 24.5 KB of value SRAM: one head's values at a time, so every head's V stream is on the
  // critical path. The ports serve the key and value sides round-robin (sim/cycle/fetcher.ts): the
  // simulator streams a head's 12,384 V bytes in 95 cycles, 2 × 12,384 / 256 ≈ 97, where the
  // value window took its DRAM cycles (32 at the whole DRAM): 23,108 analytical cycles against the
  // simulator's 27,329 (×1.183).
  const w = build({ tokenKeep: 1, headKeep: 0.7, valueKeep: 1, msbBits: 12, lsbBits: 4 }, { model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 2 });
  const base = { qkMultipliers: 1024, pvMultipliers: 512, dramChannels: 16, dramChannelGBps: 32, topkParallelism: 32, softmaxParallelism: 0, keySramKB: 392, valueSramKB: 24.5, inFlight: 4, clockGHz: 1, wordBits: 16, topkModel: 'official-rtl', topkFilter: 'comparators', gateTokenTopk: false, dramRefresh: false, dramMapping: 'RoBaRaCoCh', dramQueueDepth: 32 } as const;
  const h8 = hwOf({ ...base, fetcherPorts: 8 });
  const a8 = analyticalModel(w, h8);
  near(a8.cycles, simulateCycle(w, h8, { seed: 1 }).cycles, 0.06, '8 ports');
  near(evaluatePrepared(prepareWorkload(w), h8).cycles, a8.cycles, 1e-12, 'fast path');
  // with 16 ports the ports match the channels: the V streams are the DRAM's again, and faster
  const h16 = hwOf({ ...base, fetcherPorts: 16 });
  const a16 = analyticalModel(w, h16).cycles;
  near(a16, simulateCycle(w, h16, { seed: 1 }).cycles, 0.1, '16 ports');
  assert.ok(a16 < a8.cycles * 0.9, `${a16} vs ${a8.cycles}`);
});

test('the flow shop over runs of identical heads (gen-flow.ts runsMakespan) is the head-by-head recursion', () => {
  const rng = mulberry32(7);
  for (let trial = 0; trial < 200; trial++) {
    const C = 1 + Math.floor(rng() * 5);
    const p = [0, 1, 2, 3].map(() => Float64Array.from({ length: C }, () => (rng() < 0.2 ? 0 : rng() * 10)));
    const runs = 1 + Math.floor(rng() * 8);
    const runCls = Int32Array.from({ length: runs }, () => Math.floor(rng() * C));
    const runLen = Int32Array.from({ length: runs }, () => 1 + Math.floor(rng() * 6));
    // C[s] after each head: max(this head's previous stage, the previous head's this stage) + p
    const done = [0, 0, 0, 0];
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < runLen[r]; k++) {
        let prev = 0;
        for (let st = 0; st < 4; st++) prev = done[st] = Math.max(prev, done[st]) + p[st][runCls[r]];
      }
    }
    near(runsMakespan(runCls, runLen, runs, p[0], p[1], p[2], p[3]), done[3], 1e-12, `trial ${trial}`);
  }
});

test('top-k: closed form vs exact DP and the official Monte-Carlo table (spec §1.9)', () => {
  assert.equal(harmonic(1), 1);
  near(harmonic(1000), 7.485470860550345, 1e-12);
  near(harmonic(65), harmonic(64) + 1 / 65, 1e-12);
  assert.equal(quickSelectRounds(1, 0), 1);
  // n = 2: one round always, a second with probability 1/2 → (1+3) + ½(1+3) at P ≥ 2
  near(quickSelectExactDP(2, 0, 16), 6, 1e-12);
  const mc: Array<[number, number, number, number]> = [
    [993, 204, 16, 223.2], [921, 184, 16, 214.9], [716, 143, 16, 172.7], [204, 40, 16, 68.0], [102, 20, 16, 44.0],
    [993, 307, 16, 237.4], [307, 92, 16, 95.3], [993, 204, 4, 790.6], [993, 204, 64, 89.2],
  ];
  for (const [K, V, P, mean] of mc) {
    const closed = expectedQuickSelectCycles(K, V, P);
    const exact = quickSelectExactDP(K, V, P);
    near(closed, mean, 0.06, `closed K=${K} V=${V} P=${P}`);
    near(exact, mean, 0.06, `exact K=${K} V=${V} P=${P}`);
    near(closed, exact, 0.005, `closed vs exact K=${K} V=${V} P=${P}`);
  }
  // the ceiling slack: the first round's set is the whole input and the last rounds' sets are
  // small, so the mean slack (P−1)/(2P) alone was up to 12% low (file comment of sim/hw/topk.ts);
  // random (n, t, P), n ≤ 400, against the exact recurrence
  const rng = mulberry32(11);
  let worst = 0;
  for (let i = 0; i < 1500; i++) {
    const n = 1 + Math.floor(rng() * 400);
    const t = Math.floor(rng() * n);
    const P = [1, 2, 3, 5, 8, 16, 32, 64, 100][Math.floor(rng() * 9)];
    worst = Math.max(worst, Math.abs(expectedQuickSelectCycles(n, t, P) / quickSelectExactDP(n, t, P) - 1));
  }
  assert.ok(worst <= 0.006, `closed form within 0.6% of the exact recurrence, worst ${worst}`);
  // n ≤ P: one cycle a round (n = 2: (1+3) + ½(1+3)); the mean slack alone gave 5.36
  near(expectedQuickSelectCycles(2, 0, 16), 6, 1e-12);
  // no selection needed
  assert.equal(expectedTopkCycles(100, 100, 16), 0);
  assert.equal(expectedTopkCycles(100, -1, 16), 0);
});

test('top-k: the analytical expectation is the mean of the engine the simulator samples (same rank, exact ceilings)', () => {
  // local-V top-ks of a pruned short generation (the cycle audit's gpt2-medium 128 + 1 with valueKeep
  // 0.8: 103 of 129 values, and the small sets of its pruned layers), 'paper' engine, S = 4 scores
  // a cycle. Before, the analytical model selected rank k (the official harness's target) and
  // charged every round the mean ceiling slack: 39.50 against the sampled 40.93 cycles at P = 32.
  const rng = mulberry32(5);
  for (const [n, k, P] of [[129, 103, 32], [129, 103, 64], [129, 103, 16], [31, 25, 32], [39, 31, 16], [500, 100, 16]]) {
    const eng = designEngines({ topkParallelism: P, topkModel: 'paper', topkFilter: 'comparators', qkMultipliers: 256 }, 64, 256).localV;
    let sum = 0;
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      const c = sampleTopkCost(eng, n, k, rng);
      sum += engineOccupancy(eng, c.select, c.filter);
    }
    near(expectedEngineCycles(eng, n, k).busy, sum / N, 0.006, `n=${n} k=${k} P=${P}`);
  }
});

test('fast path (prepared + memo) equals the reference loop', () => {
  const cases: Array<[object, object]> = [
    [{}, {}],
    [{}, { tokenKeep: 0.3, headKeep: 0.7, valueKeep: 0.4, msbBits: 8, lsbBits: 4 }],
    [{ model: 'bert-base', stage: 'summarization', seqLen: 128 }, { tokenKeep: 0.6, valueKeep: 0.5, headKeep: 0.8 }],
    [{ model: 'gpt2-small', stage: 'summarization', seqLen: 992 }, { tokenKeep: 0.5, valueKeep: 0.3, msbBits: 6, lsbBits: 4 }],
  ];
  const hws = [
    defaultHardware(),
    hwOf({ qkMultipliers: 128, pvMultipliers: 32, softmaxParallelism: 3, topkParallelism: 5, keySramKB: 20, valueSramKB: 9, inFlight: 1, dramChannels: 3, fetcherPorts: 2, wordBits: 8, clockGHz: 0.7 }),
    hwOf({ qkMultipliers: 2048, pvMultipliers: 1024, topkParallelism: 64, inFlight: 32, dramChannels: 64 }),
    // generation heads larger than the key buffer, the fetcher ports not binding: the LSB pass re-reads the MSBs
    hwOf({ keySramKB: 24, qkMultipliers: 256 }),
    // extreme schema values: the memo keys must stay exact and distinct
    hwOf({ qkMultipliers: 65536, pvMultipliers: 1, softmaxParallelism: 1024, topkParallelism: 1 }),
    hwOf({ qkMultipliers: 1, pvMultipliers: 65536, softmaxParallelism: 1, topkParallelism: 1024 }),
    // a value buffer that holds one generation head at a time: the value side's window binds
    hwOf({ valueSramKB: 24.5, pvMultipliers: 1024, inFlight: 8 }),
    // summarization heads whose K and V spill: the spill priced over its own region, two heads holding their resident lines
    hwOf({ qkMultipliers: 256, pvMultipliers: 512, wordBits: 16, keySramKB: 24.5, valueSramKB: 24.5, dramChannels: 16, dramChannelGBps: 16 }),
    // gated layer boundaries: each front term pays the bubbles as it sees them (finalize.ts gatedGeneration)
    hwOf({ gateTokenTopk: true, inFlight: 4 }),
    hwOf({ gateTokenTopk: true, inFlight: 1, topkParallelism: 1 }),
  ];
  const out = createFastMetrics();
  for (const [w, a] of cases) {
    const work = build(a, w);
    const p = prepareWorkload(work);
    for (const hw of [...hws, ...hws]) { // twice: second pass hits the memo tables
      const r = analyticalModel(work, hw);
      evaluatePrepared(p, hw, out);
      for (const k of ['cycles', 'latency_s', 'dram_bytes', 'energy_j', 'power_w', 'area_mm2', 'gops'] as const) near(out[k], r[k], 1e-9, `${work.name} ${k}`);
      for (const k of Object.keys(r.stages) as Array<keyof typeof r.stages>) near(out.stages[k] + 1, r.stages[k] + 1, 1e-9, `stage ${k}`);
      for (const k of Object.keys(r.activity) as Array<keyof typeof r.activity>) near(out.activity[k] + 1, r.activity[k] + 1, 1e-9, `activity ${k}`);
      for (const k of Object.keys(r.energy) as Array<keyof typeof r.energy>) near(out.energy[k] + 1e-30, r.energy[k] + 1e-30, 1e-9, `energy ${k}`);
    }
  }
});

test('DRAM timings no other design shares (entries used once): interleaved workloads, repeats and re-sightings equal the reference', () => {
  // each dramChannelGBps below is a timing of its own: its first pricing is not memoised and
  // writes into per-workload scratch (fast.ts onceDram, window.ts onceArrays)
  // the third workload has an LSB pass, and at 24 KB its heads (300+ keys, 38+ lines) split the key buffer (31 lines)
  const works = [build({}), build({ tokenKeep: 0.4, valueKeep: 0.5 }, { model: 'gpt2-small', stage: 'generation', seqLen: 500, genTokens: 8 }), build({ msbBits: 6, lsbBits: 4 }, { seqLen: 300, genTokens: 3 })];
  const preps = works.map((w) => prepareWorkload(w));
  const X = hwOf({ dramChannelGBps: 17.123 });
  const Y = hwOf({ dramChannelGBps: 23.456, dramChannels: 8 });
  const Z = hwOf({ dramChannelGBps: 29.75, qkMultipliers: 256 });
  const S = hwOf({ dramChannelGBps: 31.5, keySramKB: 24 });
  // the value buffer's window binds: its per-group V cycles come from the same scratch
  const V = hwOf({ dramChannelGBps: 19.25, valueSramKB: 24.5, pvMultipliers: 1024 });
  const order: Array<[number, HardwareConfig]> = [[0, X], [1, Y], [0, X], [1, X], [0, Y], [0, Z], [1, Z], [0, X], [1, Y], [0, Z], [2, S], [2, X], [2, S], [1, S], [2, S], [0, V], [1, V], [0, V], [2, V]];
  const out = createFastMetrics();
  for (const [i, hw] of order) {
    evaluatePrepared(preps[i], hw, out);
    const r = analyticalModel(works[i], hw);
    for (const k of ['cycles', 'energy_j', 'dram_bytes'] as const) near(out[k], r[k], 1e-9, `${works[i].name} ${hw.dramChannelGBps} ${k}`);
    near(out.stages.dram, r.stages.dram, 1e-9, 'stage dram');
  }
});

/** One perturbed value per HardwareSchema field, derived from its JSON schema (fails on an unknown type). */
function perturbations(): Array<[keyof HardwareConfig, unknown]> {
  const js = z.toJSONSchema(HardwareSchema) as { properties: Record<string, { type?: string; enum?: unknown[]; default?: unknown; minimum?: number; maximum?: number }> };
  const out: Array<[keyof HardwareConfig, unknown]> = [];
  for (const [k, prop] of Object.entries(js.properties)) {
    const d = prop.default;
    let cands: unknown[];
    if (prop.enum) cands = prop.enum.filter((v) => v !== d);
    else if (prop.type === 'boolean') cands = [!d];
    else if (prop.type === 'number' || prop.type === 'integer') {
      const x = d as number;
      cands = [x * 2, prop.type === 'integer' ? Math.ceil(x / 2) : x / 2, x + 1, x - 1, x === 0 ? 3 : x];
    } else throw new Error(`perturbations: field ${k} has type ${prop.type}; teach this test how to perturb it`);
    const v = cands.find((c) => c !== d && HardwareSchema.safeParse({ [k]: c }).success);
    if (v === undefined) throw new Error(`perturbations: no valid perturbation of ${k}`);
    out.push([k as keyof HardwareConfig, v]);
  }
  return out;
}

test('memo keys: perturbing any single HardwareSchema field, the fast path still equals the reference', () => {
  const perts = perturbations();
  assert.equal(perts.length, Object.keys(HardwareSchema.shape).length);
  const works = [
    build({ tokenKeep: 0.3, headKeep: 0.7, valueKeep: 0.4, msbBits: 6, lsbBits: 4 }, { genTokens: 3, seqLen: 200 }),
    build({ tokenKeep: 0.6, valueKeep: 0.5, headKeep: 0.8 }, { model: 'bert-base', stage: 'summarization', seqLen: 96 }),
  ];
  const out = createFastMetrics();
  const check = (p: ReturnType<typeof prepareWorkload>, w: Workload, hw: HardwareConfig, what: string) => {
    const r = analyticalModel(w, hw);
    evaluatePrepared(p, hw, out);
    for (const k of ['cycles', 'energy_j', 'dram_bytes', 'area_mm2'] as const) near(out[k], r[k], 1e-9, `${w.name} ${what} ${k}`);
    for (const k of Object.keys(r.stages) as Array<keyof typeof r.stages>) near(out.stages[k] + 1, r.stages[k] + 1, 1e-9, `${w.name} ${what} stage ${k}`);
  };
  for (const w of works) {
    const p = prepareWorkload(w);
    const base = defaultHardware();
    check(p, w, base, 'default');
    for (const [k, v] of perts) {
      const hw = HardwareSchema.parse({ [k]: v });
      check(p, w, hw, `${k}=${String(v)}`); // memo tables hold the default's values here
      check(p, w, base, `back from ${k}`);
    }
  }
});

test('pruning never increases DRAM bytes or cycles (token, head, bits); value pruning never increases bytes', () => {
  const hw = defaultHardware();
  const short = { genTokens: 4 };
  const bert = { model: 'bert-base', stage: 'summarization', seqLen: 128 };
  for (const w of [short, bert]) {
    const seqs: Array<Array<object>> = [
      [1, 0.8, 0.5, 0.3, 0.1].map((t) => ({ tokenKeep: t })),
      [1, 0.8, 0.5, 0.3, 0.1].map((t) => ({ tokenKeep: t, valueKeep: 0.3 })),
      [1, 0.9, 0.6, 0.3].map((h) => ({ headKeep: h })),
      [12, 10, 8, 6, 4].map((b) => ({ msbBits: b })),
      [12, 8, 6, 4].map((b) => ({ msbBits: 6, lsbBits: 4, valueBits: b })),
      [1, 0.06, 0.02, 0].map((p) => ({ msbBits: 6, lsbBits: 4, lsbRefetchFraction: p })),
    ];
    for (const seq of seqs) {
      let prev: ReturnType<typeof analyticalModel> | null = null;
      for (const a of seq) {
        const r = analyticalModel(build(a, w), hw);
        if (prev) {
          assert.ok(r.dram_bytes <= prev.dram_bytes + 1e-6, `bytes rose at ${JSON.stringify(a)} ${JSON.stringify(w)}`);
          assert.ok(r.cycles <= prev.cycles + 1e-6, `cycles rose at ${JSON.stringify(a)} ${JSON.stringify(w)}: ${prev.cycles} → ${r.cycles}`);
        }
        prev = r;
      }
    }
    // Local V pruning: bytes never increase. (Cycles may: turning the local-V top-k on adds an
    // engine whose cost peaks at the median, as the paper's worst case for quick-select says.)
    let prevBytes = Infinity;
    for (const v of [1, 0.8, 0.5, 0.3, 0.1]) {
      const r = analyticalModel(build({ valueKeep: v }, w), hw);
      assert.ok(r.dram_bytes <= prevBytes, 'r.dram_bytes <= prevBytes');
      prevBytes = r.dram_bytes;
    }
  }
});

test('doubling DRAM channels on gpt2-medium generation (default algo) gives ≥ 1.6× lower latency', () => {
  const p = prepareWorkload(build({}));
  const base = evaluatePrepared(p, defaultHardware()).latency_s;
  const dbl = evaluatePrepared(p, hwOf({ dramChannels: 32, fetcherPorts: 64 })).latency_s;
  assert.ok(base / dbl >= 1.6, `speed-up ${base / dbl}`);
  // fetcher ports are not the cap at 32 channels (32 × 32 GB/s = 1024 B/cycle = 32 ports × 32 B)
  const dbl32 = evaluatePrepared(p, hwOf({ dramChannels: 32 })).latency_s;
  assert.ok(base / dbl32 >= 1.6, `speed-up ${base / dbl32}`);
  // and it is DRAM-bound: doubling the multipliers does nothing (but 2 cycles of deeper trees)
  const mul = evaluatePrepared(p, hwOf({ qkMultipliers: 1024, pvMultipliers: 1024 })).latency_s;
  // (1e-3, was 1e-5: the smooth max of balanced stages sees the faster Q·K and prob·V a little)
  near(mul, base, 1e-3);
});

test('bert-base summarization at 128 is compute-bound: doubling the datapath gives ≥ 1.5×', () => {
  const p = prepareWorkload(build({}, { model: 'bert-base', stage: 'summarization', seqLen: 128 }));
  const base = evaluatePrepared(p, defaultHardware()).latency_s;
  // Both multiplier arrays doubled; the softmax lanes follow Q·K's S = M/D scores per cycle by
  // default (softmaxParallelism 0 = auto, as the RTL derives its softmax units from M/D, spec §1.2).
  const dbl = evaluatePrepared(p, hwOf({ qkMultipliers: 1024, pvMultipliers: 1024 })).latency_s;
  assert.ok(base / dbl >= 1.5, `speed-up ${base / dbl}`);
  // With the softmax pinned at 8 lanes, softmax (8 elements/cycle) becomes the bottleneck: the
  // model says the multipliers alone do not help.
  const m = evaluatePrepared(p, hwOf({ qkMultipliers: 1024, pvMultipliers: 1024, softmaxParallelism: 8 }));
  assert.equal(m.stages.softmax, Math.max(m.stages.dram, m.stages.qk, m.stages.softmax, m.stages.topk, m.stages.pv));
  // compute-bound at the paper's 2 TOPS peak: 2·1024 ops/cycle at 1 GHz, ≥ 95% achieved
  const g = evaluatePrepared(p, defaultHardware()).gops;
  assert.ok(g <= 2048 && g >= 0.95 * 2048, `gops ${g}`);
  // and bandwidth barely matters
  const bw = evaluatePrepared(p, hwOf({ dramChannels: 4 })).latency_s;
  near(bw, base, 0.02);
});

test('hand case: a refetching head runs its key passes in series, each the max of its own fetch and Q·K (small.csv)', () => {
  // The official one-head trace: 993 keys, 8-bit MSBs, the 4-bit LSBs refetched. The LSB pass is
  // re-issued at stage 2 only after the MSB pass's requant decision (spec §1.8), so its fetch
  // cannot overlap the MSB pass's Q·K. At 1 GHz the MSB pass is DRAM-bound (185.25 cycles of
  // stream against ⌈993/8⌉ = 125 Q·K lines) and the LSB pass Q·K-bound (97.125 cycles).
  const w = readTraceFile(path.join(TRACES, 'small.csv'));
  assert.equal(w.requests.length, 1);
  assert.equal(w.requests[0].refetch, 1);
  const w0 = { ...w, requests: [{ ...w.requests[0], refetch: 0 }] };
  const a = analyticalModel(w, defaultHardware());
  const a0 = analyticalModel(w0, defaultHardware());
  const kMsb = a0.extra!.dram_cycles_k as number;
  const kLsb = (a.extra!.dram_cycles_k as number) - kMsb;
  const lines = Math.ceil(993 / 8);
  assert.ok(kMsb > lines && kLsb < lines, `MSB stream ${kMsb}, LSB stream ${kLsb}, ${lines} Q·K lines`);
  // the serial path grows by the LSB pass alone: its latencies (request FIFO, fetch, Q·K, softmax
  // and decision) + max(LSB stream, Q·K) = 1 + 33 + 18 + 92 + 125 = 269 cycles; one max over both
  // passes, max(185.25 + 97.125, 250) − 185.25, gave 97.125 + 144 = 241.125 (806.625 cycles against
  // the simulator's 835)
  const passLat = pipe.requestFifoLatency.value + L_FETCH + L_QK + L_SM;
  near((a.extra!.chain_bound_cycles as number) - (a0.extra!.chain_bound_cycles as number), passLat + Math.max(kLsb, lines), 1e-12, 'LSB pass');
  assert.equal(passLat + lines, 269);
  assert.equal(a.cycles, a.extra!.chain_bound_cycles, 'one head: the serial path binds');
  // the fast path splits its chain the same way: small.csv at three clocks; three heads refetching
  // with probability 0.5; small.csv and the three heads splitting a smaller key buffer (the LSB pass re-reads the MSBs)
  const three = wl([0, 1, 2].map((head) => row({ head, keys: 300 + 200 * head, L: 700, keyBits: 6, lsbBits: 4, refetch: 0.5 })), false);
  for (const [work, h] of [[w, hwOf({ clockGHz: 0.5 })], [w, defaultHardware()], [w, hwOf({ clockGHz: 2 })], [w, hwOf({ keySramKB: 24 })], [three, defaultHardware()], [three, hwOf({ keySramKB: 7.5 })]] as const) {
    const fast = evaluatePrepared(prepareWorkload(work), h);
    near(fast.cycles, analyticalModel(work, h).cycles, 1e-12, `fast path ${work.name} ${h.clockGHz} GHz ${h.keySramKB} KB`);
    near(fast.chainBound, analyticalModel(work, h).extra!.chain_bound_cycles as number, 1e-12, 'chain');
  }
});

test('hand case: a generation head larger than the key buffer re-reads its MSBs in the LSB pass', () => {
  // 100 keys at 512 multipliers (8 keys per line): 13 lines, 14 in pairs; 7.5 KB holds 9 lines.
  // Q 96 B, MSBs 100·64·6/8 = 4,800 B, LSBs 0.5·100·64·4/8 = 1,600 B, V 9,600 B; the split head's
  // LSB pass (probability 0.5) fetches the MSBs again: + 2,400 B, and writes them again.
  const w = wl([row({ keyBits: 6, lsbBits: 4, refetch: 0.5 })], false);
  const fits = analyticalModel(w, defaultHardware());
  const split = analyticalModel(w, hwOf({ keySramKB: 7.5 }));
  assert.equal(fits.dram_bytes, 96 + 4800 + 1600 + 9600);
  assert.equal(split.dram_bytes, 96 + 4800 + 1600 + 9600 + 2400);
  assert.equal(split.extra!.dram_bytes_k_msb, 4800 + 2400);
  assert.equal(fits.activity.keySramWriteBits, 100 * 64 * 12 + 0.5 * 100 * 64 * 4);
  assert.equal(split.activity.keySramWriteBits, 100 * 64 * 12 + 0.5 * 100 * 64 * 4 + 0.5 * 100 * 64 * 12);
  assert.ok((split.extra!.dram_cycles_k as number) > (fits.extra!.dram_cycles_k as number), `key-side DRAM cycles ${split.extra!.dram_cycles_k} vs ${fits.extra!.dram_cycles_k}`);
  assert.ok(split.cycles > fits.cycles, `cycles ${split.cycles} vs ${fits.cycles}`);
  // no LSB pass, nothing to re-read: the SRAM size does not matter in generation
  const w0 = wl([row({ keyBits: 6 })], false);
  assert.equal(analyticalModel(w0, hwOf({ keySramKB: 7.5 })).dram_bytes, analyticalModel(w0, defaultHardware()).dram_bytes);
});

test('more SRAM never increases summarization DRAM bytes; generation without an LSB pass ignores SRAM size, with one a smaller key SRAM never fetches less', () => {
  const p = prepareWorkload(build({}, { model: 'gpt2-medium', stage: 'summarization', seqLen: 1024 }));
  let prev = Infinity;
  for (const kb of [16, 48, 96, 196, 400]) {
    const b = evaluatePrepared(p, hwOf({ keySramKB: kb, valueSramKB: kb })).dram_bytes;
    assert.ok(b <= prev, `bytes rose at ${kb} KB`);
    prev = b;
  }
  const g = prepareWorkload(build({}, { genTokens: 2 }));
  near(evaluatePrepared(g, hwOf({ keySramKB: 16 })).dram_bytes, evaluatePrepared(g, defaultHardware()).dram_bytes, 0);
  const q = prepareWorkload(build({ msbBits: 6, lsbBits: 4 }, { genTokens: 2 }));
  let last = 0;
  for (const kb of [400, 196, 96, 48, 16]) {
    const b = evaluatePrepared(q, hwOf({ keySramKB: kb })).dram_bytes;
    assert.ok(b >= last, `bytes fell at ${kb} KB`);
    last = b;
  }
  const atDefault = evaluatePrepared(q, defaultHardware()).dram_bytes;
  assert.ok(last > atDefault, `16 KB ${last} vs 196 KB ${atDefault}`);
});

test('top-k parallelism: more comparators never slow down, and matter on pruned GPT-2', () => {
  const p = prepareWorkload(build({ tokenKeep: 0.26, valueKeep: 0.2, msbBits: 6, lsbBits: 4 }, { genTokens: 4 }));
  let prev = Infinity;
  const lat: number[] = [];
  for (const P of [1, 2, 4, 8, 16, 32, 64]) {
    const l = evaluatePrepared(p, hwOf({ topkParallelism: P })).latency_s;
    assert.ok(l <= prev + 1e-15, 'l <= prev + 1e-15');
    prev = l;
    lat.push(l);
  }
  assert.ok(lat[0] / lat[4] > 3, 'P = 1 → 16 at least 3× (paper Fig. 20: parallel top-k gives 3×)');
});

test('official GPT-2-small per8 trace vs the paper and the official bert.cpp model', () => {
  const pruned = readTraceFile(path.join(TRACES, 'summary-gpt2-small-wikitext2-per8.csv'));
  const dense = readTraceFile(path.join(TRACES, 'summary-gpt2-small-wikitext2-per8-step1+dedic.csv'));
  const hw = defaultHardware();
  const rp = analyticalModel(pruned, hw);
  const rd = analyticalModel(dense, hw);
  // Fig. 19a: 776 GOP/s at 16 comparators on one GPT-2 application; here the local-V engine binds
  // (every quick-select round busy: ≈ 2.9 n comparisons per top-k), 20–30% short (sim/cycle/README.md)
  assert.ok(rp.stages.topk > rp.stages.dram, `engine ${rp.stages.topk} vs DRAM ${rp.stages.dram}`);
  assert.ok(rp.gops > 0.7 * 776 && rp.gops < 0.8 * 776, `gops ${rp.gops}`);
  // Table II: 8.30 W (the energy table was calibrated on a generated workload, not this trace;
  // DRAM is priced per activation from the shared HBM2 profiles, not fitted)
  assert.ok(rel(rp.power_w, 8.3) < 0.15, `power ${rp.power_w}`);
  // spec §4: bert.cpp (decode mapping) gives the pruned trace a 3.18× speed-up over the dense one;
  // it cannot see value pruning or 6-bit packing, so that is a lower bound for a model that does
  const speedup = rd.cycles / rp.cycles;
  assert.ok(speedup > 3.18, `speed-up ${speedup}`);
  // the dense reference (8-bit + forced 4-bit LSB pass) is DRAM-bound; with the official DRAM
  // set-up (RoBaRaCoCh, 16 outstanding requests, released in order) a 512-B pseudo-channel row chunk
  // waits for the end of the chunk two back: 26.5 cycles a chunk where the bus needs 16, 60% of the
  // peak before refresh and partial chunks: 50–60% of 512 GB/s (55–65% until the window was
  // released in order)
  const g = rd.extra!.dram_gbps as number;
  assert.ok(g > 0.5 * 512 && g < 0.6 * 512, `dram ${g} GB/s`);
});

test('generation: a value buffer that holds one head at a time serialises the heads: value fetch, prob·V, free, next (both models)', () => {
  // The cycle audit's worst disagreement (scripts/monotone-audit.ts, seed 1): gpt2-small 128 + 2 with
  // 1,024 prob·V multipliers and 24.5 KB of value SRAM — 16 lines of 1,024 words, a head's 129
  // values × 64 take 10 (sim/hw/pipeline-math.ts headLines), so one head holds value lines at a
  // time: its allocation waits for the previous head's prob·V (RTL stages 16–19). The analytical
  // model left this out of generation and gave 6,655 cycles on every value SRAM size against the
  // simulator's 15,129 (0.44×).
  const algo = { tokenKeep: 1, headKeep: 0.85, valueKeep: 1, msbBits: 8, lsbBits: 4 };
  const w = build(algo, { model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 2 });
  const base = { qkMultipliers: 512, pvMultipliers: 1024, dramChannels: 32, dramChannelGBps: 32, fetcherPorts: 32, topkParallelism: 16, softmaxParallelism: 8, keySramKB: 196, inFlight: 8, clockGHz: 1, wordBits: 12, topkModel: 'official-rtl', topkFilter: 'comparators', gateTokenTopk: false, dramRefresh: true, dramMapping: 'RoBaCoRaCh', dramQueueDepth: 32 } as const;
  const one = hwOf({ ...base, valueSramKB: 24.5 });
  const three = hwOf({ ...base, valueSramKB: 49 }); // 32 lines: three heads
  const a1 = analyticalModel(w, one).cycles;
  const a3 = analyticalModel(w, three).cycles;
  const y1 = simulateCycle(w, one).cycles;
  const y3 = simulateCycle(w, three).cycles;
  near(a1, y1, 0.1, 'one head of values at a time');
  near(a3, y3, 0.1, 'three heads');
  // one head at a time: at least each head's value-side fixed latency in series (allocation
  // register, fetch registers and the HBM's first access, buffer write and read)
  const lat = fetchLatencies(dramTimingOf(one));
  assert.ok(a1 >= w.requests.length * (lat.val + pipe.bufferWriteLatency.value + pipe.bufferReadLatency.value), `${a1}`);
  // twice the value SRAM (three heads instead of one) roughly halves the run in both models
  assert.ok(a1 / a3 > 1.8 && y1 / y3 > 1.8, `analytical ${a1} / ${a3}, simulator ${y1} / ${y3}`);
});

test('generation: a V stream shares the channels with the key streams of the heads in flight (value buffer of one head, both models)', () => {
  // The cycle audit's worst value-buffer disagreement after the value window (scripts/monotone-audit.ts,
  // seed 1): gpt2-medium 128 + 1, 24.5 KB of value SRAM at 1,024 prob·V multipliers (12 lines; a
  // head's V takes 8), so one head holds value lines at a time and the heads' value sides run in
  // series. The fetcher serves each channel round-robin between the key and value sides (RTL stage
  // 5), and the key streams of the 4 heads in flight keep the key side busy: a V stream runs at
  // the share the key side leaves. The window took the V stream at the full bandwidth: 25,334
  // cycles against the simulator's 32,414 (0.78×).
  const algo = { tokenKeep: 1, headKeep: 0.5, valueKeep: 0.8, msbBits: 8, lsbBits: 4 };
  const w = build(algo, { model: 'gpt2-medium', stage: 'generation', seqLen: 128, genTokens: 1 });
  const base = { qkMultipliers: 1024, pvMultipliers: 1024, dramChannels: 16, dramChannelGBps: 32, fetcherPorts: 8, topkParallelism: 16, softmaxParallelism: 4, keySramKB: 392, inFlight: 4, clockGHz: 2, wordBits: 16, topkModel: 'paper', topkFilter: 'comparators', gateTokenTopk: false, dramRefresh: false, dramMapping: 'RoBaCoRaCh', dramQueueDepth: 16 } as const;
  const one = hwOf({ ...base, valueSramKB: 24.5 });
  const a = analyticalModel(w, one);
  const y = simulateCycle(w, one).cycles;
  near(a.cycles, y, 0.1, 'one head of values at a time');
  // longer than every head's hold with its V stream at the full bandwidth (what the window was)
  const lat = fetchLatencies(dramTimingOf(one));
  const full = w.requests.length * (lat.val + pipe.bufferWriteLatency.value + pipe.bufferReadLatency.value) + a.extra!.dram_cycles_v;
  assert.ok(a.cycles > full * 1.1, `${a.cycles} vs ${full}`);
  near(evaluatePrepared(prepareWorkload(w), one).cycles, a.cycles, 1e-9, 'fast path = reference');
});
