import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fcModel, fcRowHistogram, withFc } from '../sim/hw/fc.ts';
import { dramBytesPerCycle, analyticalModel } from '../sim/hw/analytical.ts';
import { AlgoSchema, WorkloadSchema, defaultHardware } from '../sim/schema.ts';
import { buildWorkload } from '../sim/workload/build.ts';

const hw = defaultHardware();

test('generation: one token per step, memory-bound: cycles = weight bytes / B (+ activations), 8 vs 12 bits', () => {
  const w = buildWorkload(WorkloadSchema.parse({ model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 2 }), AlgoSchema.parse({}));
  const B = dramBytesPerCycle(hw);
  const d = 1024;
  const bytes = (bits: number) => 12 * d * d * (bits / 8) + (d + 3 * d + d + d + d + 4 * d + 4 * d + d) * 1.5;
  for (const bits of [8, 12]) {
    const f = fcModel(w, hw, bits);
    assert.ok(Math.abs(f.cycles - (24 * 2 * bytes(bits)) / B) < 1e-6 * f.cycles, `bits ${bits}`);
    assert.equal(f.macs, 24 * 2 * 12 * d * d);
  }
  // 12-bit weights stream 1.5× the bytes.
  const r = fcModel(w, hw, 12).cycles / fcModel(w, hw, 8).cycles;
  assert.ok(r > 1.45 && r < 1.5, 'r > 1.45 && r < 1.5');
});

test('summarization: compute-bound for long inputs, cycles = rows·in·out / 1024 multipliers', () => {
  const w = buildWorkload(WorkloadSchema.parse({ model: 'bert-base', stage: 'summarization', seqLen: 512 }), AlgoSchema.parse({}));
  const f = fcModel(w, hw, 8);
  assert.equal(f.cycles, (12 * 512 * 12 * 768 * 768) / 1024);
});

test('token pruning shrinks FC work in summarization, not in generation', () => {
  const pruned = AlgoSchema.parse({ tokenKeep: 0.3 });
  const s = WorkloadSchema.parse({ model: 'bert-large', stage: 'summarization', seqLen: 256 });
  assert.ok(fcModel(buildWorkload(s, pruned), hw, 8).macs < 0.7 * fcModel(buildWorkload(s, AlgoSchema.parse({})), hw, 8).macs, 'fcModel(buildWorkload(s, pruned), hw, 8).macs < 0.7 * fcModel(buildWorkload(s, AlgoSchema.parse({…');
  const g = WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 992, genTokens: 4 });
  assert.equal(fcModel(buildWorkload(g, pruned), hw, 8).macs, fcModel(buildWorkload(g, AlgoSchema.parse({})), hw, 8).macs);
  assert.deepEqual([...fcRowHistogram(buildWorkload(g, pruned))], [[1, 12 * 4]]);
});

test('withFc adds latency, energy and bytes and keeps the split', () => {
  const w = buildWorkload(WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 992, genTokens: 2 }), AlgoSchema.parse({}));
  const a = analyticalModel(w, hw);
  const f = fcModel(w, hw, 8);
  const e = withFc(a, f, hw);
  assert.ok(Math.abs(e.latency_s - (a.latency_s + f.cycles / 1e9)) < 1e-15, 'Math.abs(e.latency_s - (a.latency_s + f.cycles / 1e9)) < 1e-15');
  assert.ok(Math.abs(e.energy_j - (a.energy_j + f.energy_j)) < 1e-15, 'Math.abs(e.energy_j - (a.energy_j + f.energy_j)) < 1e-15');
  assert.equal(e.dram_bytes, a.dram_bytes + f.dramBytes);
  assert.equal(e.extra!.attn_latency_s, a.latency_s);
  assert.ok(f.energy_j > 0, 'f.energy_j > 0');
});

test('scope e2e in both models and in the fast path: attention + FC, same FC in each', async () => {
  const { evaluateHardware, evaluateAnalyticalFast } = await import('../sim/index.ts');
  const point = {
    hw,
    algo: AlgoSchema.parse({ tokenKeep: 0.3, fcWeightBits: 12 }),
    workload: WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 992, genTokens: 2, scope: 'e2e' }),
  };
  const attnOnly = { ...point, workload: { ...point.workload, scope: 'attention' as const } };
  const a = evaluateHardware(point, { fidelity: 'analytical' });
  const fast = evaluateAnalyticalFast(point);
  assert.ok(Math.abs(fast.latency_s / a.latency_s - 1) < 1e-9 && Math.abs(fast.energy_j / a.energy_j - 1) < 1e-9, 'Math.abs(fast.latency_s / a.latency_s - 1) < 1e-9 && Math.abs(fast.energy_j / a.energy_j - 1) < 1e-9');
  const c = evaluateHardware(point, { fidelity: 'cycle' });
  const fcA = a.latency_s - evaluateHardware(attnOnly, { fidelity: 'analytical' }).latency_s;
  const fcC = c.latency_s - evaluateHardware(attnOnly, { fidelity: 'cycle' }).latency_s;
  assert.ok(Math.abs(fcA / fcC - 1) < 1e-9, 'the FC component is model-independent');
  assert.equal(a.extra!.fc_weight_bits, 12);
});

test("cycle model: the weight stream on the cycle model's HBM2 runs at the channel peak less refresh (16 × 32 GB/s × (1 − 350/3900)) with a deep enough request window", async () => {
  const { fcStreamBytesPerCycle } = await import('../sim/cycle/fc-stream.ts');
  // With a 48-deep request window a contiguous stream keeps every bank group busy: the peak less
  // refresh. The window releases in order (sim/cycle/dram.ts), so a 16-burst chunk waits for the end
  // of the chunk w + 1 back (w = 48 / 16): (tRP + tRCD + tCL 21 + 15 × 2 + 2) / 4 = 13.25 cycles a
  // chunk, under the bus's 16 (two PCs); with 32, / 3 = 17.67: 16 / 17.67 of the peak.
  const deep = { ...hw, dramQueueDepth: 48 };
  assert.ok(Math.abs(fcStreamBytesPerCycle(deep) - 512 * (1 - 350 / 3900)) < 1e-6, 'Math.abs(fcStreamBytesPerCycle(deep) - 512 * (1 - 350 / 3900)) < 1e-6');
  assert.ok(Math.abs(fcStreamBytesPerCycle({ ...deep, dramRefresh: false }) - 512) < 1e-6, 'Math.abs(fcStreamBytesPerCycle({ ...deep, dramRefresh: false }) - 512) < 1e-6');
  const w32 = fcStreamBytesPerCycle({ ...hw, dramQueueDepth: 32, dramRefresh: false });
  assert.ok(Math.abs(w32 / (512 * (16 / (53 / 3))) - 1) < 2e-3, `window 32: ${w32} B/cycle`);
  // The official DPI shim's 16 outstanding requests cannot cover the row-miss latency: below the peak.
  assert.ok(fcStreamBytesPerCycle(hw) < 0.8 * 512 * (1 - 350 / 3900), 'fcStreamBytesPerCycle(hw) < 0.8 * 512 * (1 - 350 / 3900)');
  // Capped by the fetcher ports (4 × 32 B) when they are the narrower path.
  assert.equal(fcStreamBytesPerCycle({ ...deep, fetcherPorts: 4 }), 128);
});
