/** Invariants of the cycle simulator: more hardware or less work never makes a run slower. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateCycle } from '../sim/cycle/index.ts';
import { readTraceFile } from '../sim/workload/trace.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, WorkloadSchema, defaultHardware, type HardwareConfig } from '../sim/schema.ts';
import type { Workload } from '../sim/workload/types.ts';

const traces = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sim', 'workload', 'traces');
const per8 = readTraceFile(path.join(traces, 'summary-gpt2-small-wikitext2-per8.csv'));
/** The first three decoding iterations (432 heads: iteration 0 unpruned, then pruned). */
const per8Head: Workload = { ...per8, requests: per8.requests.filter((r) => r.iteration < 3) };
const base = defaultHardware();
const runner: HardwareConfig = { ...base, qkMultipliers: 64, pvMultipliers: 64, dramChannels: 2, fetcherPorts: 4 };

function nonIncreasing(label: string, xs: number[], tol = 0) {
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i] <= xs[i - 1] * (1 + tol), `${label}: ${xs.join(' ')}`);
}

test('more DRAM channels never slower', () => {
  for (const hw of [base, runner]) {
    nonIncreasing('channels', [1, 2, 4, 8, 16, 32].map((c) => simulateCycle(per8Head, { ...hw, dramChannels: c, fetcherPorts: Math.max(hw.fetcherPorts, 2 * c) }).cycles));
  }
});

test('more top-k comparators never slower', () => {
  for (const hw of [base, runner]) {
    nonIncreasing('topk', [1, 2, 4, 8, 16, 32, 64].map((P) => simulateCycle(per8Head, { ...hw, topkParallelism: P }).cycles));
  }
});

test('more multipliers, more bandwidth per channel never slower', () => {
  nonIncreasing('multipliers', [64, 128, 256, 512, 1024].map((m) => simulateCycle(per8Head, { ...base, qkMultipliers: m, pvMultipliers: m }).cycles));
  nonIncreasing('GB/s', [8, 16, 32, 64].map((g) => simulateCycle(per8Head, { ...base, dramChannelGBps: g }).cycles));
});

test('token and head pruning never slower (generation and summarization)', () => {
  const cases = [
    WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 384, genTokens: 2 }),
    WorkloadSchema.parse({ model: 'bert-base', stage: 'summarization', seqLen: 128 }),
  ];
  for (const wl of cases) {
    for (const extra of [{ msbBits: 8 }, { msbBits: 4, lsbBits: 4, valueKeep: 0.5 }]) {
      const run = (a: object) => simulateCycle(buildWorkload(wl, AlgoSchema.parse({ ...extra, ...a })), base).cycles;
      nonIncreasing(`tokenKeep ${wl.model}`, [1, 0.8, 0.6, 0.4, 0.2].map((t) => run({ tokenKeep: t })));
      nonIncreasing(`headKeep ${wl.model}`, [1, 0.8, 0.6].map((h) => run({ headKeep: h })));
      nonIncreasing(`msbBits ${wl.model}`, [12, 8, 6, 4].map((b) => run({ msbBits: b, lsbBits: 0 })));
    }
  }
});

test('gating the next layer on the token top-k never speeds a run up', () => {
  for (const P of [1, 16]) {
    const free = simulateCycle(per8Head, { ...base, topkParallelism: P }).cycles;
    const gated = simulateCycle(per8Head, { ...base, topkParallelism: P, gateTokenTopk: true }).cycles;
    assert.ok(gated >= free, `P=${P}: gated ${gated} free ${free}`);
  }
});

test('deterministic for a seed; activity is consistent', () => {
  const a = simulateCycle(per8Head, base, { seed: 3 });
  const b = simulateCycle(per8Head, base, { seed: 3 });
  assert.deepEqual(a, b);
  assert.ok(a.energy_j > 0 && a.area_mm2 > 0 && a.gops > 0, 'a.energy_j > 0 && a.area_mm2 > 0 && a.gops > 0');
  assert.equal(a.latency_s, a.cycles / 1e9);
  assert.equal(a.activity.cycles, a.cycles);
  assert.ok(a.extra!.dram_row_hits > 0 && a.extra!.dram_row_misses > 0, 'a.extra!.dram_row_hits > 0 && a.extra!.dram_row_misses > 0');
  assert.ok(a.extra!.dram_achieved_gbps <= a.extra!.dram_peak_gbps, 'a.extra!.dram_achieved_gbps <= a.extra!.dram_peak_gbps');
  for (const v of Object.values(a.stages)) assert.ok(v >= 0 && v <= a.cycles * 2.01, 'v >= 0 && v <= a.cycles * 2.01');
});
