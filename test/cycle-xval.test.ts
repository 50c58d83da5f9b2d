/**
 * Cross-validation: analytical model (sim/hw/analytical.ts) vs cycle-level simulator (sim/cycle),
 * both with DRAM refresh (the simulator's default): cycle / analytical within 10% on every
 * shipped trace, the generated grid, the Fig. 20 workloads and 60 random design points. Those runs
 * are scripts/cycle-xval-runs.ts's, which sim/cycle/README.md's "Analytical vs cycle" table prints
 * (block xval, checked by the last test here).
 *
 * What closed the former gaps (all mechanisms in the analytical model; see sim/cycle/README.md,
 * "Analytical vs cycle"):
 *  - HBM bandwidth derated by all-bank refresh, 1 − nRFC/nREFI = 1 − 350/3900;
 *  - heads in flight = min(inFlight, 16 allocations, heads whose key lines fit in the key buffer,
 *    requests): the dense two-pass trace at 196 KB keeps two 1024-key heads in flight;
 *  - a short request stream is bound by its serial path (one head: `small.csv`);
 *  - generation: DRAM, the slowest compute engine and the heads-in-flight window combine by a
 *    smooth max; the key side of a window shares the DRAM with other heads' V fetches;
 *  - generation: the DRAM term is the busiest channel's — a head's gathers land unevenly on the
 *    channels and only the heads in flight even that out (z_C·σ/√n per head).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { simulateCycle } from '../sim/cycle/index.ts';
import { analyticalModel } from '../sim/hw/analytical.ts';
import { readTraceFile } from '../sim/workload/trace.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, defaultHardware, type HardwareConfig } from '../sim/schema.ts';
import type { Workload } from '../sim/workload/types.ts';
import { dense, fig20, grid, lmTraces, pair, per8, random60, small, table3, type Pair } from '../scripts/cycle-xval-runs.ts';
import { XVAL_BLOCK } from '../scripts/readme-cycle-xval.ts';
import { CYCLE_README } from '../scripts/readme-cycle.ts';
import { generatedBlock } from '../bench/readme-block.ts';

const traces = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sim', 'workload', 'traces');
const hw = defaultHardware();
const REFRESH = 3900 / (3900 - 350);
const TOL = 0.1;

/** Latency and energy of both models within 10% (one DRAM model, one pricing: sim/hw/dram-cost.ts, energy.ts). */
function within<P extends Pair>(p: P, what: string): P {
  assert.ok(Math.abs(p.lat - 1) < TOL, `${what}: latency cycle ${p.cycle.cycles} analytical ${p.analytical.cycles}`);
  assert.ok(Math.abs(p.energy - 1) < TOL, `${what}: energy cycle ${p.cycle.energy_j} analytical ${p.analytical.energy_j}`);
  return p;
}

/** `within` on a point of its own. */
const agree = (w: Workload, h: HardwareConfig, what: string) => within(pair(w, h), what);

test('per8 trace: latency and energy within 10%, same bytes, MACs and DRAM busy time', () => {
  const { cycle: c, analytical: a } = within(per8(), 'per8');
  // the same HBM2 stream profiles: DRAM busy and row activations agree
  assert.ok(Math.abs(c.stages.dram / a.stages.dram - 1) < 0.01, `dram ${c.stages.dram} vs ${a.stages.dram}`);
  assert.ok(Math.abs(c.activity.dramActivations / a.activity.dramActivations - 1) < 0.01, `acts ${c.activity.dramActivations} vs ${a.activity.dramActivations}`);
  assert.equal(c.dram_bytes, a.dram_bytes);
  assert.equal(c.activity.qkMacs, a.activity.qkMacs);
  assert.equal(c.activity.pvMacs, a.activity.pvMacs);
});

test('per8 with a key SRAM smaller than a head (49 KB): the LSB pass re-reads the MSBs in both models, same bytes, latency within 10%', () => {
  const w = readTraceFile(path.join(traces, 'summary-gpt2-small-wikitext2-per8.csv'));
  const h = HardwareSchema.parse({ keySramKB: 49 });
  const c = simulateCycle(w, h);
  const a = analyticalModel(w, h);
  // the analytical model fetched 83.0 MB here (no re-read) against the simulator's 95.9 MB
  assert.equal(c.dram_bytes, a.dram_bytes);
  const at196 = analyticalModel(w, hw).dram_bytes;
  assert.ok(a.dram_bytes > at196, `49 KB ${a.dram_bytes} vs 196 KB ${at196}`);
  assert.ok(Math.abs(c.activity.dramActivations / a.activity.dramActivations - 1) < 0.05, `acts ${c.activity.dramActivations} vs ${a.activity.dramActivations}`);
  agree(w, h, 'per8 49 KB');
});

test('dense reference trace: latency and energy within 10% at 196 KB (two heads in flight) and at 392 KB (four)', () => {
  const { kb196, kb392 } = dense();
  const [{ cycle: c196, analytical: a196 }, { w, h: big, cycle: c392, analytical: a392 }] = [within(kb196, '196 KB'), within(kb392, '392 KB')];
  assert.equal(c196.dram_bytes, a196.dram_bytes);
  // both models: the buffer bound costs at 196 KB (less than with a full-rate DRAM: the official
  // DRAM set-up makes the dense stream DRAM-bound at ~300 GB/s), and about the same in both
  const bc = c196.cycles / c392.cycles;
  const ba = a196.cycles / a392.cycles;
  assert.ok(bc > 1.02 && ba > 1.02 && Math.abs(bc / ba - 1) < 0.03, `${bc} ${ba}`);
  // refresh in the simulator costs at most the refresh factor, which the analytical model applies
  const r = c392.cycles / simulateCycle(w, { ...big, dramRefresh: false }).cycles;
  assert.ok(r > 1.05 && r <= REFRESH + 0.01, `refresh factor ${r}`);
});

test('small.csv (one head): the serial path, latency and energy within 10%', () => {
  const { cycle: c, analytical: a } = within(small().at1, 'small.csv');
  // K fetch → Q·K/softmax → LSB fetch → Q·K/softmax → V fetch → prob·V + fixed latencies (the
  // official DRAM set-up streams one 993-key head at ~16 B/cycle per channel)
  assert.ok(c.cycles > 650 && c.cycles < 1000, `cycle ${c.cycles}`);
  assert.equal(c.dram_bytes, a.dram_bytes);
});

test('small.csv (one head) without refresh at 0.5 and 2 GHz: the access latency follows the clock in both models', () => {
  // The HBM's first access (nRP + nRCD + nCL + burst = 23 ns) was 26 − 3 = 23 analytical cycles at
  // any clock; the simulator converts ns with the clock (sim/cycle/hbm-timing.ts hbmTiming). Before:
  // cycle / analytical 0.954 at 0.5 GHz (681 vs 714.0), 1.054 at 2 GHz (1,343 vs 1,274.3).
  const { clocks } = small();
  assert.deepEqual(clocks.map((p) => [p.clockGHz, p.h.dramRefresh]), [[0.5, false], [2, false]]);
  for (const { clockGHz, lat, cycle, analytical } of clocks) assert.ok(Math.abs(lat - 1) < 0.005, `${clockGHz} GHz: cycle ${cycle.cycles} analytical ${analytical.cycles}`);
});

test('a run shorter than nREFI meets no refresh in either model (small.csv, gpt2-small one token after 64 on 32 channels)', () => {
  // All-bank refresh comes at nREFI, 2·nREFI, … from the run's start (Ramulator2 AllBankRefresh;
  // sim/cycle/hbm-timing.ts availableBefore): both runs end before 3,900 ns. The analytical model charged
  // the expected refresh stall: small.csv cycle / analytical 0.979 at 1 GHz (835 vs 852.7) and
  // 0.936 at 2 GHz (1,343 vs 1,435.5); gpt2-small 0.944 (2,914 vs 3,086.3). small.csv at 1 GHz was
  // then 1.035 without refresh too (835 vs 806.625): the head's MSB pass is DRAM-bound (185-cycle
  // stream, 125 Q·K lines) and its LSB pass Q·K-bound (97-cycle stream), and the analytical chain
  // took max(Σ DRAM, Σ Q·K) over the two passes, which run in series (the LSB pass is re-issued
  // after the MSB pass's decision, spec §1.8); each pass is now a max of its own (pipeline-math.ts
  // passesBound): 834.5. At 2 GHz both passes are DRAM-bound and nothing changed.
  const gpt = buildWorkload(WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 64, genTokens: 1 }), AlgoSchema.parse({}));
  const cases: Array<[Workload, number, string, number]> = [
    [readTraceFile(path.join(traces, 'small.csv')), 1, 'small.csv', 1.0006],
    [readTraceFile(path.join(traces, 'small.csv')), 2, 'small.csv', 1.0],
    // 0.993 until both models' stream profiles ran enough regions to meet tFAW and the request
    // window (sim/cycle/dram-profile.ts followingRegions): its one-chunk streams now cost more in both;
    // 1.044 until the request window was released in order (sim/cycle/dram.ts): both models' DRAM
    // busy time rose by the same 110 cycles (2,506 → 2,616), the simulator's run by 119 and the
    // analytical one by 62 (3,408 → 3,527 and 3,263 → 3,325); 1.061 until the key side's DRAM share
    // was taken over the window's length (pipeline-math.ts windowFixedPoint): 3,325 → 3,301.7;
    // 1.068 until every stream's first channel's lead was counted (sim/hw/dram-expected.ts: on 64
    // pseudo-channels its query, K and V put 9 bursts a head on pseudo-channels 0–2 and 6 on the
    // others): 3,301.7 → 3,747.1, above the simulator's 3,527 (sim/cycle/README.md, "Every stream
    // starts at the first channel"); 0.9413 until the fetcher's round-robin slowed the streams
    // already on the channels (the simulator 3,527 → 3,549)
    [gpt, 1, 'gpt2-small', 0.9471],
  ];
  for (const [w, clockGHz, what, today] of cases) {
    // gpt2-small on 32 channels: on 16 its one-chunk-a-channel streams take 6,385 cycles without refresh, past nREFI
    const on = { ...hw, clockGHz, ...(w === gpt ? { dramChannels: 32 } : {}) };
    const off = { ...on, dramRefresh: false };
    const c = simulateCycle(w, on).cycles;
    const a = analyticalModel(w, on).cycles;
    assert.equal(c, simulateCycle(w, off).cycles, `${what} ${clockGHz} GHz: the simulator meets no refresh`);
    assert.equal(a, analyticalModel(w, off).cycles, `${what} ${clockGHz} GHz: nor does the analytical model`);
    assert.ok(a < 3900 * clockGHz, `${what} ${clockGHz} GHz: ${a} cycles < nREFI`);
    assert.ok(Math.abs(c / a - today) < 0.005, `${what} ${clockGHz} GHz: cycle ${c} analytical ${a} (ratio ${c / a})`);
  }
});

test('generated grid (bert/gpt2 × stages × pruning × bits): within 10%', () => {
  const points = grid();
  assert.equal(points.length, 4 * 2 * 3);
  const rows: string[] = [];
  let worst = 0;
  for (const { what, refetches, lat, cycle: c, analytical: a } of points) {
    worst = Math.max(worst, Math.abs(lat - 1));
    rows.push(`${what}: ${(100 * (lat - 1)).toFixed(1)}%`);
    // Refetches are seeded draws in the cycle model, expectations in the analytical one.
    assert.ok(Math.abs(c.dram_bytes / a.dram_bytes - 1) < (refetches ? 0.03 : 1e-9), `bytes ${c.dram_bytes} vs ${a.dram_bytes}`);
  }
  assert.ok(worst < TOL, rows.join('\n'));
});

test('Fig. 20 workloads (both Table I readings) and the Table III workload: latency and energy within 10%', () => {
  const configs = fig20();
  assert.deepEqual(configs.map((c) => [c.config, c.steps.length]), [['table1', 6], ['table1-no-local-v', 6]]);
  for (const { config, steps } of configs) for (const s of steps) within(s, `${config}: ${s.step}`);
  // Table III: SpAtten1/8 on BERT-base, L = 320, the compare command's pruning
  within(table3(), 'Table III');
});

test('finite load balancing: the progressive-quantization step of Fig. 20 (4-bit K and V, 32-B gathers) with 4, 8 and 16 heads in flight', async () => {
  // A head's 32-B gathers land unevenly on the 32 pseudo-channels: the placement's spread, which
  // only the heads in flight even out (the busiest channel's lead from it shrinks as 1/√n), and
  // the layout's first-channel lead, which they do not (dram-cost.ts imbalanceCycles). Both
  // models: the time over the channel-mean DRAM busy time falls with n.
  const { FIG20_CONFIGS, FIG20_WORKLOAD, fig20Steps } = await import('../dse/reproduce/fig20.ts');
  const step = fig20Steps(FIG20_CONFIGS.find((c) => c.name === 'table1-no-local-v')!).at(-1)!;
  const w = buildWorkload(WorkloadSchema.parse(FIG20_WORKLOAD), AlgoSchema.parse(step.algo));
  let prevA = Infinity;
  let prevC = Infinity;
  for (const inFlight of [4, 8, 16]) {
    const h = HardwareSchema.parse({ ...step.hw, inFlight });
    const { lat } = agree(w, h, `inFlight ${inFlight}`);
    const a = analyticalModel(w, h);
    const c = simulateCycle(w, h);
    const overA = a.cycles / a.stages.dram;
    const overC = c.cycles / c.stages.dram;
    assert.ok(overA < prevA && overC < prevC && overA > 1, `inFlight ${inFlight}: ${overA} ${overC} (ratio ${lat})`);
    prevA = overA;
    prevC = overC;
  }
});

test('60 random design points (models, stages, pruning, bits, hardware knobs and every timing switch): latency and energy', () => {
  const points = random60();
  assert.equal(points.length, 60);
  const lat: number[] = [];
  const en: number[] = [];
  const outliers: string[] = [];
  for (const { what, cycle: c, lat: r, energy: e } of points) {
    assert.ok(Number.isFinite(c.energy_j) && c.energy_j > 0 && Number.isFinite(c.gops), 'finite results');
    if (Math.abs(r - 1) >= TOL || Math.abs(e - 1) >= TOL) outliers.push(`latency ${r.toFixed(3)} energy ${e.toFixed(3)} ${what}`);
    lat.push(r);
    en.push(e);
  }
  lat.sort((x, y) => x - y);
  en.sort((x, y) => x - y);
  assert.ok(Math.abs(lat[30] - 1) < 0.02 && Math.abs(en[30] - 1) < 0.02, `medians ${lat[30]} ${en[30]}`);
  // All 60 within 10% on latency (0.960 … 1.082) and energy (sim/cycle/README.md, "Analytical vs
  // cycle"); 59 on latency while the generation smooth max held the engines after the decision,
  // 54 before the DRAM term counted the channel imbalance, 57 before the in-order bound, 58 before
  // streams paid their access latency at both ends. A draw of refetching heads can still leave a
  // causal summarization on 128 multipliers outside (prob·V held behind 15 heads' Q·K: one seed
  // gives 1.11 on GPT-2-Small; the analytical model is the mean over draws, test/hw-flow-shop.test.ts).
  const latOut = lat.filter((r) => Math.abs(r - 1) >= TOL).length;
  const enOut = en.filter((r) => Math.abs(r - 1) >= TOL).length;
  assert.ok(latOut === 0 && enOut === 0, outliers.join('\n'));
  // The lowest point was 0.894: gpt2-medium generation at 2 GHz, 64 GB/s, bound by an official-rtl
  // local-V engine at 16 comparators (575,735 busy cycles in a 577,138-cycle simulated run; its
  // gateTokenTopk changes nothing there: tokenKeep 1, no token top-k). The analytical smooth max
  // put that engine beside the heads-in-flight window (575,404 cycles: Q·K at 2 keys a cycle, one
  // head in flight), 2^(1/6) × the larger: overhead 70,867 cycles against the simulator's 1,403,
  // where decided heads queue for the engine while the next head's window runs. Now 0.984
  // (586,530 analytical cycles: the window's smooth max with Q·K). 0.919 on a point whose gate
  // bubbles (9,725 cycles) the analytical model added above a local-V engine that drains its queue
  // while admission waits (the simulator: no cost), now 1.013.
  // The two lowest were then (0.950, 0.952) DRAM-bound gated generation runs (gateTokenTopk,
  // official-rtl): the analytical model added each gate bubble to the DRAM term too, while the
  // simulator's DRAM serves the value side meanwhile. With each term paying the bubble as it sees
  // it (sim/hw/finalize.ts gatedGeneration) they are 0.979 and 0.975; the lowest is now 0.960, a
  // gated summarization run bound by its local-V engine (sim/cycle/README.md, "Known gaps").
  assert.ok(lat[0] > 0.94 && lat[59] < 1.1, `range ${lat[0]} … ${lat[59]}`);
});

test('causal summarization whose values spill (value SRAM below the head): DRAM bytes within 15%, energy within 10%', () => {
  // Each query fetches again only the values of its visible keys beyond the resident ones
  // (spilledValues, sim/hw/pipeline-math.ts); pricing every query with all spilled values gave the
  // cycle model 9.1× the analytical bytes on the first case.
  const cases: Array<[object, object]> = [
    [{ model: 'gpt2-small', stage: 'summarization', seqLen: 992 }, { keySramKB: 392, valueSramKB: 150 }],
    [{ model: 'gpt2-medium', stage: 'summarization', seqLen: 992 }, { keySramKB: 98, valueSramKB: 98 }],
    [{ model: 'gpt2-small', stage: 'summarization', seqLen: 512 }, { keySramKB: 49, valueSramKB: 49 }],
  ];
  for (const [wl, hk] of cases) {
    const w = buildWorkload(WorkloadSchema.parse(wl), AlgoSchema.parse({}));
    const h = HardwareSchema.parse(hk);
    const c = simulateCycle(w, h);
    const a = analyticalModel(w, h);
    const what = `${JSON.stringify(wl)} ${JSON.stringify(hk)}`;
    assert.ok(Math.abs(c.dram_bytes / a.dram_bytes - 1) < 0.15, `${what}: bytes cycle ${c.dram_bytes} analytical ${a.dram_bytes}`);
    assert.ok(Math.abs(c.energy_j / a.energy_j - 1) < TOL, `${what}: energy cycle ${c.energy_j} analytical ${a.energy_j}`);
  }
});

test('short BERT summarization, where fixed latencies dominate a head: both models within 10% at 1, 2 and 8 heads in flight', async () => {
  // The in-flight limit holds a head from admission to its decision only; its value lines, to its
  // prob·V (sim/hw/pipeline-math.ts summaryWindow). Dividing the whole window by the heads in flight
  // gave cycle/analytical 0.81 on bert-base-cola (3,448 vs 2,807 cycles) and 0.85 on bert-large-cola.
  const { benchmark, benchmarkWorkload } = await import('../sim/workload/benchmarks.ts');
  for (const name of ['bert-base-cola', 'bert-large-cola']) {
    const w = buildWorkload(WorkloadSchema.parse(benchmarkWorkload(name)), AlgoSchema.parse(benchmark(name).algo));
    for (const inFlight of [1, 2, 8]) agree(w, HardwareSchema.parse({ ...hw, inFlight }), `${name} inFlight ${inFlight}`);
  }
});

test('LM traces the accuracy engine measures (sotu-gpt: 4 layers × 4 heads, D = 16, 22–256 keys a head): within 10%, refresh costs both models the same', () => {
  // Fixtures: `node bin/spatten-dse.js accuracy --model sotu-gpt --set algo.tokenKeep=0.125
  // [--set algo.tokenPolicy=llm] --max-examples 4 --trace-out FILE` (2,048 head requests each; the
  // full 64-window traces give the same ratios to 0.002). Latency-bound: ~150-cycle heads, 8 in
  // flight. Ratios before: 1.150 and 1.134; the analytical model derated only the DRAM bandwidth
  // for refresh, while the simulator's refresh windows stall the heads in flight (8.9% here):
  // 1.070 and 1.045 with refreshStretch; it charged a stream's first data 5 cycles early (a
  // closed row, nBL 4 cycles, against the simulator's row conflict, 2-cycle burst): 1.037, 1.009;
  // and neither model had both registers between admission and the fetch (stages 1 and 2); 1.029
  // and 0.997 until a dense stream of one row chunk a channel was priced at its bus time (it cost 0
  // in both models: the next region, on the other PC, ran beside the first, sim/cycle/dram-profile.ts);
  // 1.010 and 0.976 until the request window was released in order (sim/cycle/dram.ts); 1.001 and
  // 0.972 until the key side's DRAM share was taken over the window's own length, not the busiest
  // stage (pipeline-math.ts windowFixedPoint): latency-bound, the value traffic is spread thinner;
  // 1.020 and 0.995 until every stream's first channel's lead was counted (sim/hw/dram-expected.ts);
  // 1.014 and 0.992 until the fetcher's round-robin slowed the streams already on the channels and
  // the window paired a key stream with the V stream issued after it (sim/cycle/README.md). Refresh
  // then cost the simulator 1.0879 and 1.0789, the analytical model 1.0863 and 1.0862; now 1.0879
  // and 1.0751 against 1.0859 and 1.0859 (the second 1.0% apart).
  const cases: Array<[string, number]> = [
    ['lm-sotu-gpt-keep0.125.csv', 1.0096],
    ['lm-sotu-gpt-keep0.125-llm.csv', 0.9829],
  ];
  const runs = lmTraces();
  assert.deepEqual(runs.map((r) => r.file), cases.map(([file]) => file));
  for (const [[file, today], run] of cases.map((c, i) => [c, runs[i]] as const)) {
    const { cycle: c, analytical: a, lat: r, noRefresh } = within(run, file);
    assert.equal(c.dram_bytes, a.dram_bytes);
    assert.equal(noRefresh.h.dramRefresh, false);
    assert.ok(Math.abs(r - today) < 0.005, `${file}: cycle ${c.cycles} analytical ${a.cycles} (ratio ${r})`);
    // what all-bank refresh costs each model (pipeline-math.ts refreshStretch)
    const rc = c.cycles / noRefresh.cycle.cycles;
    const ra = a.cycles / noRefresh.analytical.cycles;
    assert.ok(rc > 1.05 && Math.abs(ra / rc - 1) < 0.015, `${file}: refresh costs cycle ${rc} analytical ${ra}`);
  }
});

test('sim/cycle/README.md: the "Analytical vs cycle" table (block xval) is what these runs give now (npm run readme regenerates it)', () => {
  const [name, build] = XVAL_BLOCK;
  const lines = generatedBlock(readFileSync(CYCLE_README, 'utf8'), name);
  assert.ok(lines, `sim/cycle/README.md has no block ${name}`);
  assert.deepEqual(lines, build());
  // the table's per8 and 60-point cells are the figures asserted above
  assert.equal(lines.find((l) => l.startsWith('| per8 |')), `| per8 | ${per8().lat.toFixed(3)} | ${per8().energy.toFixed(3)} |`);
  assert.match(lines.at(-1)!, /^\| 60 random points .* \| 60 of 60 within 10% \(0\.9\d\d … 1\.0\d\d, median (0\.9[89]\d|1\.0[01]\d)\) \|/);
});
