import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrateAll, platform, runOn, PLATFORM_DATA, PLATFORM_NAMES } from '../sim/baselines/platforms.ts';
import { checkPlatformEntries } from '../sim/baselines/platform-entries.ts';

const close = (a: number, b: number, tol: number) => Math.abs(a / b - 1) <= tol;
const cite = (value: number) => ({ value, source: 'test value' });

/** A platform the paper did not measure, priced from its datasheet like TITAN Xp. */
const gpuEntry = () => ({ name: 'Test GPU', kind: 'gpu', peakFlops: cite(10e12), bandwidth: cite(1e12), like: 'titan-xp', dynamicPowerW: cite(50) });
const cpuEntry = () => ({ name: 'Test CPU', kind: 'cpu', peakFlops: cite(1e15), bandwidth: cite(1e11), like: 'xeon', dynamicPowerW: cite(20) });

/** The shipped entries plus `extra`, checked with `extra`'s names added to PLATFORM_NAMES. */
function withExtra(extra: Record<string, unknown>) {
  const raw = { ...structuredClone(PLATFORM_DATA.platforms), ...extra } as Record<string, unknown>;
  return checkPlatformEntries(raw, [...PLATFORM_NAMES, ...Object.keys(extra)]);
}

test('the shipped platforms.json passes the load-time check, every platform anchored on the paper', () => {
  const e = checkPlatformEntries(PLATFORM_DATA.platforms, PLATFORM_NAMES);
  assert.deepEqual(Object.keys(e), [...PLATFORM_NAMES]);
  for (const n of PLATFORM_NAMES) assert.ok(e[n].anchors && e[n].like === undefined, `${n} is anchored`);
});

test('a datasheet entry is refused with the platform and the field named', () => {
  const refuse = (extra: Record<string, unknown>, re: RegExp) => assert.throws(() => withExtra(extra), re);
  const g = gpuEntry();
  assert.ok(withExtra({ 'test-gpu': g })['test-gpu'].like === 'titan-xp', 'a well-formed datasheet entry passes');
  refuse({ 'test-gpu': { ...g, anchors: structuredClone(PLATFORM_DATA.platforms['titan-xp'].anchors) } }, /platform test-gpu: gives both "anchors" and "like"/);
  refuse({ 'test-gpu': { ...g, like: undefined } }, /platform test-gpu: needs "anchors" .* or "like" with a cited "dynamicPowerW"/);
  refuse({ 'test-gpu': { ...g, like: 'a100' } }, /platform test-gpu: "like" must name a platform with the paper's anchors \(titan-xp, xeon, jetson-nano, rpi4\); got "a100"/);
  refuse({ 'test-gpu': g, 'test-gpu2': { ...g, like: 'test-gpu' } }, /platform test-gpu2: "like" must name a platform with the paper's anchors .*; got "test-gpu"/);
  refuse({ 'test-gpu': { ...g, like: 'xeon' } }, /platform test-gpu: "like" names xeon, a cpu, but test-gpu is a gpu/);
  refuse({ 'test-gpu': { ...g, peakFlops: undefined } }, /platform test-gpu: "peakFlops" is missing/);
  refuse({ 'test-gpu': { ...g, bandwidth: { value: 1e12 } } }, /platform test-gpu: "bandwidth"\.source must cite/);
  refuse({ 'test-gpu': { ...g, bandwidth: cite(0) } }, /platform test-gpu: "bandwidth"\.value must be a positive number \(got 0\)/);
  refuse({ 'test-gpu': { ...g, dynamicPowerW: undefined } }, /platform test-gpu: "dynamicPowerW" is missing/);
  refuse({ 'test-gpu': { ...g, dynamicPowerW: { value: 60, source: ' ' } } }, /platform test-gpu: "dynamicPowerW"\.source must cite/);
  refuse({ 'test-gpu': { ...g, kind: 'tpu' } }, /platform test-gpu: "kind" must be "gpu" or "cpu" \(got "tpu"\)/);
});

test('an anchored entry cannot also give a dynamic power, and every entry must be in PLATFORM_NAMES', () => {
  const raw = structuredClone(PLATFORM_DATA.platforms) as Record<string, Record<string, unknown>>;
  raw.xeon.dynamicPowerW = cite(60);
  assert.throws(() => checkPlatformEntries(raw, PLATFORM_NAMES), /platform xeon: "dynamicPowerW" is for a platform priced from its datasheet/);
  assert.throws(() => checkPlatformEntries({ ...PLATFORM_DATA.platforms, 'test-gpu': gpuEntry() }, PLATFORM_NAMES), /platform test-gpu is not in PLATFORM_NAMES/);
  const noAnchor = structuredClone(PLATFORM_DATA.platforms);
  delete (noAnchor.rpi4.anchors as Partial<typeof noAnchor.rpi4.anchors>).speedupGeomean;
  assert.throws(() => checkPlatformEntries(noAnchor, PLATFORM_NAMES), /platform rpi4: "anchors.speedupGeomean" is missing/);
});

// BERT-Base (12 layers, 12 heads, D = 64, d = 768), L = 128, attention only: 9 kernels per layer
// (kernels.ts). act = 128·768·4 = 393,216 B, scores = 12·128²·4 = 786,432 B.
//  split Q/K/V, concat: 0 FLOP, 2·act = 786,432 B each            (4 kernels)
//  Q·Kᵀ, prob·V (GEMMs): 2·12·128²·64 = 25,165,824 FLOP, 1,572,864 B (2 kernels)
//  scale, mask, softmax: ≤ 786,432 FLOP, 2·scores = 1,572,864 B      (3 kernels)
const BERT = { model: 'bert-base', stage: 'summarization', seqLen: 128, genTokens: 1 } as const;

test('a datasheet GPU: TITAN Xp\'s t_op, t_mm and η with its own peaks; energy = its power × latency (by hand)', () => {
  const cal = calibrateAll(withExtra({ 'test-gpu': gpuEntry() }));
  const xp = platform('titan-xp');
  const c = cal['test-gpu'].constants;
  assert.deepEqual([c.tOp, c.tMatmul, c.bwEff, c.peakFlops, c.bandwidth, c.dynamicPowerW], [xp.tOp, xp.tMatmul, 1, 10e12, 1e12, 50]);
  assert.equal(cal['test-gpu'].anchorLatencyS, null, 'no paper anchor');
  // 10 TFLOP/s, 1 TB/s (η = 1): movement 4 × 0.786432 µs; GEMMs compute-bound 2 × 2.5165824 µs;
  // softmax group memory-bound 3 × 1.572864 µs: 12.8974848 µs of roofline per layer.
  const perLayer = 2 * xp.tMatmul + 7 * xp.tOp + 12.8974848e-6;
  const r = runOn(c, BERT);
  assert.ok(close(r.latency_s, 12 * perLayer, 1e-12), `latency ${r.latency_s} s vs ${12 * perLayer} s`);
  assert.ok(close(r.energy_j, 50 * 12 * perLayer, 1e-12), `energy ${r.energy_j} J`);
  // the anchored platforms are untouched by the extra entry
  assert.deepEqual(cal['titan-xp'].constants, xp);
  assert.deepEqual(cal.xeon.constants, platform('xeon'));
});

test('a datasheet CPU like the Xeon: the Xeon\'s fitted η scales its own bandwidth, t_mm = t_op (by hand)', () => {
  const cal = calibrateAll(withExtra({ 'test-cpu': cpuEntry() }));
  const x = platform('xeon');
  const c = cal['test-cpu'].constants;
  assert.ok(x.bwEff > 0 && x.bwEff < 1, `the Xeon's η is fitted: ${x.bwEff}`);
  assert.deepEqual([c.tOp, c.tMatmul, c.bwEff], [x.tOp, x.tOp, x.bwEff]);
  // 1 PFLOP/s: every kernel is memory-bound; bytes per layer = 4·786,432 + 5·1,572,864 = 11,010,048 B.
  const perLayer = 9 * x.tOp + 11_010_048 / (x.bwEff * 1e11);
  const r = runOn(c, BERT);
  assert.ok(close(r.latency_s, 12 * perLayer, 1e-12), `latency ${r.latency_s} s vs ${12 * perLayer} s`);
  assert.ok(close(r.energy_j, 20 * r.latency_s, 1e-12), `energy ${r.energy_j} J`);
});
