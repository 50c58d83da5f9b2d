import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denseAttentionOps, table3, BASELINES } from '../sim/baselines/index.ts';
import { WorkloadSchema } from '../sim/schema.ts';
import type { HwResult } from '../sim/hw/types.ts';

test('dense attention ops by hand', () => {
  // bert-base, L = 128: 12 layers × 12 heads × 4 ops·D per pair × 128² pairs, D = 64.
  assert.equal(denseAttentionOps(WorkloadSchema.parse({ model: 'bert-base', stage: 'summarization', seqLen: 128 })), 12 * 12 * 4 * 128 * 128 * 64);
  // gpt2-small generation: Σ_{i<32} (993 + i) = 32272 query-key pairs per head.
  assert.equal(denseAttentionOps(WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 992, genTokens: 32 })), 12 * 12 * 4 * 32272 * 64);
  // Causal prompt: L(L+1)/2 pairs.
  assert.equal(denseAttentionOps(WorkloadSchema.parse({ model: 'gpt2-small', stage: 'summarization', seqLen: 10 })), 12 * 12 * 4 * 55 * 64);
});

test('table III ratios are the predicted efficiency over the cited baselines', () => {
  const wl = WorkloadSchema.parse({ model: 'bert-base', stage: 'summarization', seqLen: 128 });
  const ops = denseAttentionOps(wl);
  const fake = { latency_s: ops / 442e9, energy_j: ops / 538e9, area_mm2: 2 } as HwResult; // 442 GOP/s, 538 GOP/J
  const t = table3(fake, wl);
  assert.ok(Math.abs(t.vsA3.speedup - 2) < 1e-9, 'Math.abs(t.vsA3.speedup - 2) < 1e-9');
  assert.ok(Math.abs(t.vsA3.energySaving - 2) < 1e-9, 'Math.abs(t.vsA3.energySaving - 2) < 1e-9');
  assert.ok(Math.abs(t.rows[2].gopsPerMm2! - 221) < 1e-9, 'Math.abs(t.rows[2].gopsPerMm2! - 221) < 1e-9');
  // The cited A³ numbers are self-consistent: 221 GOP/s over 2.08 mm² ≈ 106 GOP/s/mm².
  assert.ok(Math.abs(BASELINES.a3.throughputGops.value / BASELINES.a3.areaMm2.value - BASELINES.a3.areaEffGopsPerMm2.value) < 1, 'Math.abs(BASELINES.a3.throughputGops.value / BASELINES.a3.areaMm2.value - BASELINES.a3.areaEffGop…');
});
