/**
 * Hand cases for the pruning schedules and the workload generator (sim/workload): the paper's
 * §V-A rules (front 15% / 30% unpruned, r_start + r_end = 2·r_avg), cascade monotonicity,
 * keepCount rounding, and progressive quantization never applying to BERT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headKeepSchedule, keepCount, keepSchedule, tokenKeepSchedule, unprunedFrontLayers } from '../sim/workload/schedule.ts';
import { buildWorkload, mapByDepth } from '../sim/workload/build.ts';
import { AlgoSchema, WorkloadSchema } from '../sim/schema.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('front layers: round(15%) token-unpruned and round(30%) head-unpruned', () => {
  assert.equal(unprunedFrontLayers(24, 0.15), 4); // 3.6 → 4
  assert.equal(unprunedFrontLayers(12, 0.15), 2); // 1.8 → 2
  assert.equal(unprunedFrontLayers(24, 0.3), 7); // 7.2 → 7
  assert.equal(unprunedFrontLayers(12, 0.3), 4); // 3.6 → 4
  const tok = tokenKeepSchedule(24, 0.4);
  assert.deepEqual(tok.slice(0, 4), [1, 1, 1, 1]);
  assert.ok(tok[4] < 1, 'tok[4] < 1');
  const head = headKeepSchedule(12, 0.7);
  assert.deepEqual(head.slice(0, 4), [1, 1, 1, 1]);
  assert.ok(head[4] < 1, 'head[4] < 1');
});

test('hand case: 12 layers, keep 0.6, spread 0.5 → r from 0.2 to 0.6 over layers 2..11', () => {
  const s = keepSchedule(12, 0.6, 0.5, 0.15);
  // r_avg = 0.4, r_start = 0.2, r_end = 0.6, 10 pruned layers, step 0.4/9.
  close(s[2], 0.8);
  close(s[11], 0.4);
  close(s[6], 1 - (0.2 + (0.4 * 4) / 9));
});

test('r_start + r_end = 2·r_avg and the mean keep over pruned layers equals keepAvg', () => {
  for (const [layers, keep, spread, front] of [
    [24, 0.26, 0.5, 0.15],
    [12, 0.5, 0.3, 0.15],
    [24, 0.9, 1, 0.3],
    [12, 0.05, 0.8, 0.15], // spread gets reduced (r_end would exceed 0.99): mean must still hold
    [7, 0.3, 0.5, 0],
  ] as const) {
    const s = keepSchedule(layers, keep, spread, front);
    const f = unprunedFrontLayers(layers, front);
    const pruned = s.slice(f);
    const rStart = 1 - pruned[0];
    const rEnd = 1 - pruned[pruned.length - 1];
    close(rStart + rEnd, 2 * (1 - keep), 1e-12);
    close(pruned.reduce((a, b) => a + b, 0) / pruned.length, keep, 1e-12);
    for (let i = 1; i < s.length; i++) assert.ok(s[i] <= s[i - 1] + 1e-15, `schedule increases at layer ${i}`);
    assert.ok(Math.min(...s) > 0, 'Math.min(...s) > 0');
  }
});

test('token floor (algo.tokenMinKeep): the spread shrinks so no layer keeps less; the mean holds', () => {
  // 4 layers, keep 0.25, spread 0.5: r_avg 0.75, r_end would be 1.125 → s = 0.9/0.75 − 1 = 0.2,
  // r from 0.6 to 0.9 over layers 1..3 (front 15% of 4 = 1 layer).
  const s = tokenKeepSchedule(4, 0.25, 0.5, 0.15, 0.1);
  [1, 0.4, 0.25, 0.1].forEach((v, i) => close(s[i], v, 1e-12));
  // the default is that 10% floor; a 1% floor: s = 0.99/0.75 − 1 = 0.32 → keep 0.49 / 0.25 / 0.01
  [1, 0.4, 0.25, 0.1].forEach((v, i) => close(tokenKeepSchedule(4, 0.25)[i], v, 1e-12));
  [1, 0.49, 0.25, 0.01].forEach((v, i) => close(tokenKeepSchedule(4, 0.25, 0.5, 0.15, 0.01)[i], v, 1e-12));
  // an average below the floor: every pruned layer keeps the average
  [1, 0.05, 0.05, 0.05].forEach((v, i) => close(tokenKeepSchedule(4, 0.05, 0.5, 0.15, 0.1)[i], v, 1e-12));
  // above the floor's reach the spread is untouched: keep 0.5 → r_end 0.75 ≤ 0.9
  [1, 0.75, 0.5, 0.25].forEach((v, i) => close(tokenKeepSchedule(4, 0.5, 0.5, 0.15, 0.1)[i], v, 1e-12));
  // heads keep the 1% floor: 4 layers (front 30% = 1), keep 0.25 → 0.49 / 0.25 / 0.01
  [1, 0.49, 0.25, 0.01].forEach((v, i) => close(headKeepSchedule(4, 0.25)[i], v, 1e-12));
  // the schema's default is the schedule's, and the workload builder honours the field
  assert.equal(AlgoSchema.parse({}).tokenMinKeep, 0.1);
  const w = (minKeep: number) => buildWorkload(WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 992, genTokens: 1 }), AlgoSchema.parse({ tokenKeep: 0.25, tokenMinKeep: minKeep }));
  const lastLayerKeys = (minKeep: number) => Math.max(...w(minKeep).requests.filter((r) => r.layer === 11).map((r) => r.keys));
  assert.equal(lastLayerKeys(0.01), keepCount(993, tokenKeepSchedule(12, 0.25, 0.5, 0.15, 0.01)[11]));
  assert.equal(lastLayerKeys(0.1), keepCount(993, 0.1));
});

test('keepCount: round(total·fraction), at least 1, at most total', () => {
  assert.equal(keepCount(993, 0.2), 199); // 198.6
  assert.equal(keepCount(10, 0.25), 3); // 2.5 rounds half up
  assert.equal(keepCount(10, 0.01), 1);
  assert.equal(keepCount(16, 1), 16);
  assert.equal(keepCount(0, 0.5), 0);
  assert.equal(keepCount(5, 0.999), 5);
});

test('mapByDepth maps by relative depth', () => {
  assert.deepEqual(mapByDepth([1, 2, 3], 6), [1, 1, 2, 2, 3, 3]);
  assert.deepEqual(mapByDepth([1, 2, 3, 4], 2), [2, 4]);
});

const gen = (algo: object, wl: object = {}) => buildWorkload(WorkloadSchema.parse(wl), AlgoSchema.parse(algo));

test('generation workload: shape, contexts 993…1024, one query, dense defaults', () => {
  const w = gen({});
  assert.equal(w.requests.length, 32 * 24 * 16);
  assert.equal(w.requests[0].L, 993);
  assert.equal(w.requests[w.requests.length - 1].L, 1024);
  for (const r of w.requests) {
    assert.equal(r.queries, 1);
    assert.equal(r.keys, r.L);
    assert.equal(r.valuesFetched, r.keys);
    assert.equal(r.topk, -1);
    assert.equal(r.causal, false);
  }
  assert.equal(w.reuseKV, false);
});

test('cascade: keys and heads never increase with depth; token top-k sits on the last head before a cut', () => {
  const w = gen({ tokenKeep: 0.3, headKeep: 0.7, valueKeep: 0.4 });
  const byIt = new Map<number, Map<number, { keys: number; heads: number; topk: number[] }>>();
  for (const r of w.requests) {
    const it = byIt.get(r.iteration) ?? new Map();
    byIt.set(r.iteration, it);
    const e = it.get(r.layer) ?? { keys: r.keys, heads: 0, topk: [] };
    assert.equal(e.keys, r.keys, 'all heads of a layer see the same keys');
    e.heads++;
    e.topk.push(r.topk);
    it.set(r.layer, e);
    assert.equal(r.valuesPerQuery, keepCount(r.keys, 0.4));
  }
  for (const layers of byIt.values()) {
    for (let l = 1; l < 24; l++) {
      const a = layers.get(l - 1)!;
      const b = layers.get(l)!;
      assert.ok(b.keys <= a.keys, 'b.keys <= a.keys');
      assert.ok(b.heads <= a.heads, 'b.heads <= a.heads');
      // top-k on the last head only, and only when the next layer keeps fewer keys
      const tk = a.topk;
      assert.deepEqual(tk.slice(0, -1), tk.slice(0, -1).map(() => -1));
      assert.equal(tk[tk.length - 1], b.keys < a.keys ? b.keys : -1);
    }
    // front 15% (4 layers) keep every token, front 30% (7 layers) every head
    for (let l = 0; l < 4; l++) assert.equal(layers.get(l)!.keys, layers.get(0)!.keys);
    for (let l = 0; l < 7; l++) assert.equal(layers.get(l)!.heads, 16);
  }
});

test('mean kept fraction over token-pruned layers ≈ tokenKeep (after rounding)', () => {
  const w = gen({ tokenKeep: 0.4 });
  const it0 = w.requests.filter((r) => r.iteration === 0 && r.head === 0);
  const fr = it0.slice(4).map((r) => r.keys / r.L);
  const mean = fr.reduce((a, b) => a + b, 0) / fr.length;
  assert.ok(Math.abs(mean - 0.4) < 1e-3, `mean keep ${mean}`);
});

test('progressive quantization: GPT-2 refetches with the set probability, BERT never', () => {
  const algo = { msbBits: 6, lsbBits: 4, lsbRefetchFraction: 0.07 };
  const g = gen(algo);
  assert.ok(g.requests.every((r) => r.refetch === 0.07 && r.lsbBits === 4 && r.keyBits === 6), 'g.requests.every((r) => r.refetch === 0.07 && r.lsbBits === 4 && r.keyBits === 6)');
  for (const model of ['bert-base', 'bert-large'] as const) {
    const b = gen(algo, { model, stage: 'summarization', seqLen: 128 });
    assert.ok(b.requests.every((r) => r.refetch === 0 && r.lsbBits === 0 && r.lsbThreshold === -1), 'b.requests.every((r) => r.refetch === 0 && r.lsbBits === 0 && r.lsbThreshold === -1)');
    assert.ok(b.requests.every((r) => !r.causal && r.queries === r.keys && r.valuesFetched === r.keys), 'b.requests.every((r) => !r.causal && r.queries === r.keys && r.valuesFetched === r.keys)');
    assert.equal(b.reuseKV, true);
  }
  assert.throws(() => gen({}, { model: 'bert-base', stage: 'generation' }), /encoder/);
});

test('value bits default to the MSB width; GPT-2 prompt is causal', () => {
  const w = gen({ msbBits: 8 }, { model: 'gpt2-small', stage: 'summarization', seqLen: 64 });
  assert.ok(w.requests.every((r) => r.valueBits === 8 && r.causal && r.queries === r.keys), 'w.requests.every((r) => r.valueBits === 8 && r.causal && r.queries === r.keys)');
  const w2 = gen({ msbBits: 8, valueBits: 4 });
  assert.ok(w2.requests.every((r) => r.valueBits === 4), 'w2.requests.every((r) => r.valueBits === 4)');
});
