import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibration, runPlatform, runOn, platform, CALIBRATION_WORKLOAD, PLATFORM_NAMES, PLATFORM_DATA } from '../sim/baselines/platforms.ts';
import { attentionGenerationKernels, attentionSummarizationKernels, fcKernels } from '../sim/baselines/kernels.ts';
import { modelShape } from '../sim/workload/models.ts';

const close = (a: number, b: number, tol: number) => Math.abs(a / b - 1) <= tol;

test('GPT-2 generation kernels by hand: the KV cache is copied three times per step (cat K, cat V, stack)', () => {
  const m = modelShape('gpt2-medium');
  const ks = attentionGenerationKernels(m, 1000);
  assert.equal(ks.length, 10);
  const cache = 1000 * 1024 * 4;
  const movement = ks.filter((k) => k.category === 'movement').reduce((s, k) => s + k.bytes, 0);
  assert.equal(movement, 2 * cache + 2 * cache + 4 * cache + 2 * 1024 * 4);
  const qk = ks.find((k) => k.category === 'qk')!;
  assert.equal(qk.flops, 2 * 16 * 1000 * 64);
});

test('BERT summarization kernels by hand: Q·Kᵀ and prob·V are 2·h·L²·D each', () => {
  const ks = attentionSummarizationKernels(modelShape('bert-base'), 128, false);
  assert.equal(ks.length, 9);
  const mm = ks.filter((k) => k.matmul);
  assert.deepEqual(mm.map((k) => k.flops), [2 * 12 * 128 * 128 * 64, 2 * 12 * 128 * 128 * 64]);
});

test('FC kernels: 2·12·d² FLOPs per token per layer (Table IV: 19.3 GFLOPs on GPT-2-Medium, 32 steps)', () => {
  const m = modelShape('gpt2-medium');
  const f = fcKernels(m, 1).reduce((s, k) => s + (k.category === 'fc' ? k.flops : 0), 0);
  assert.equal(f, 2 * 12 * 1024 * 1024);
  const e2e = runPlatform('titan-xp', CALIBRATION_WORKLOAD, 'e2e');
  const attn = runPlatform('titan-xp', CALIBRATION_WORKLOAD);
  const fcFlops = e2e.flops - attn.flops;
  assert.ok(close(fcFlops / 1e9, 19.3, 0.01), `FC ${fcFlops / 1e9} GFLOP`);
  // Table IV attention GFLOPs 3.3 (dense attention of the 32 steps): the kernels give 3.25.
  assert.ok(close(attn.flops / 1e9, 3.3, 0.03), `attention ${attn.flops / 1e9} GFLOP`);
});

test('GPT-2 gelu_new bytes by hand: the two tensor-tensor ops (+ x, × x) move 3 tensors, pow, tanh and the four tensor-scalar ops 2', () => {
  const m = modelShape('gpt2-medium');
  const gelu = fcKernels(m, 10).filter((k) => k.name.startsWith('gelu_new'));
  assert.equal(gelu.length, 8, 'pow, × 0.044715, + x, × √(2/π), tanh, + 1, × 0.5, × x');
  const tensor = 10 * 4 * 1024 * 4; // rows × 4d float32 elements
  assert.equal(gelu.reduce((s, k) => s + k.bytes, 0), (2 * 3 + 6 * 2) * tensor);
  assert.equal(gelu.find((k) => k.name === 'gelu_new × 0.5')!.bytes, 2 * tensor, 'x · 0.5 reads x and writes the result');
});

test('TITAN Xp calibration meets its anchors: Table IV 366.7 ms, Fig. 2 GEMM share 27%', () => {
  const g = runPlatform('titan-xp', CALIBRATION_WORKLOAD);
  assert.ok(close(g.latency_s, 0.3667, 1e-9), `latency ${g.latency_s}`);
  assert.ok(Math.abs((g.byCategory.qk + g.byCategory.pv) / g.latency_s - 0.27) < 1e-9, 'GEMM share');
  // Not calibrated: the movement / softmax split lands near Fig. 2 (39.6% / 33.3%).
  assert.ok(Math.abs(g.byCategory.movement / g.latency_s - 0.396) < 0.05, 'movement share');
  assert.ok(Math.abs(g.byCategory.softmax / g.latency_s - 0.333) < 0.05, 'softmax share');
  const c = platform('titan-xp');
  assert.ok(c.tOp > 5e-6 && c.tOp < 1e-4 && c.tMatmul > c.tOp, `t_op ${c.tOp}, t_mm ${c.tMatmul}`);
});

test('the other platforms meet both anchors (latency and §5.1 ratio to the GPU) with η ≤ 1', () => {
  const cal = calibration();
  for (const n of ['xeon', 'jetson-nano', 'rpi4'] as const) {
    const c = cal[n];
    assert.ok(close(c.anchorLatencyS!.ours, c.anchorLatencyS!.anchor, 1e-6), n);
    assert.ok(c.ratioToGpu!.reached && close(c.ratioToGpu!.ours, c.ratioToGpu!.anchor, 1e-6), n);
    assert.ok(c.constants.bwEff > 0 && c.constants.bwEff <= 1 && c.constants.tOp > 0, n);
  }
});

test('dynamic power = Table II 8.30 W × §5.1 energy saving / speedup, below the TDP except the Xeon (pcm-power counts DRAM)', () => {
  assert.ok(close(platform('titan-xp').dynamicPowerW, (8.3 * 1193) / 162, 1e-9), `titan-xp ${platform('titan-xp').dynamicPowerW} W`);
  assert.ok(close(platform('rpi4').dynamicPowerW, (8.3 * 1910) / 5071, 1e-9), `rpi4 ${platform('rpi4').dynamicPowerW} W`);
  for (const n of ['titan-xp', 'jetson-nano', 'rpi4'] as const) assert.ok(platform(n).dynamicPowerW < PLATFORM_DATA.platforms[n].tdpW.value, n);
});

test('invariants: latency grows with the context; energy = power × latency; unknown names throw', () => {
  for (const n of PLATFORM_NAMES) {
    const c = platform(n);
    const a = runOn(c, { ...CALIBRATION_WORKLOAD, seqLen: 500 });
    const b = runOn(c, CALIBRATION_WORKLOAD);
    assert.ok(b.latency_s > a.latency_s, n);
    assert.ok(close(b.energy_j, b.latency_s * c.dynamicPowerW, 1e-12), `${n}: energy ${b.energy_j} J`);
  }
  assert.throws(() => platform('tpu'), /unknown baseline "tpu" \(known: titan-xp, xeon, jetson-nano, rpi4\)/);
});

test('every platform of platforms.json is a PLATFORM_NAMES name, and the other way round', () => {
  // an entry whose name was not added to PLATFORM_NAMES (sim/baselines/platforms.ts) was ignored without a word
  assert.deepEqual(Object.keys(PLATFORM_DATA.platforms).sort(), [...PLATFORM_NAMES].sort(), 'platforms.json entries vs PLATFORM_NAMES');
});
