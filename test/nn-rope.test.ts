// RoPE GPT-2 variant (config.positions 'rope' / `position_embedding_type: "rope"`): the rotation
// (hand values, relative-position invariance), the training forward, the engine (TF.js prompt pass,
// JS generation steps) against the float64 reference, and the config round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTraining, tf } from '../sim/nn/backend.ts';
import { configFromHf } from '../sim/nn/hfconfig.ts';
import { hfConfig } from '../sim/nn/hf-weights.ts';
import { trainForward, type ModelConfig } from '../sim/nn/model.ts';
import { referenceForward } from '../sim/nn/reference.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { ROPE_BASE, rotateRows } from '../sim/nn/rope.ts';
import { assertGenerationMatchesReference, randomIds, scaledWeights } from './fixtures/tiny-gpt.ts';

const cfg: ModelConfig = { kind: 'gpt', vocabSize: 40, hidden: 16, layers: 3, heads: 2, intermediate: 32, maxPositions: 40, numLabels: 0, lnEps: 1e-5, padId: -1, clsId: -1, sepId: -1, eosId: 0, positions: 'rope' };

/** Random weights scaled up so that attention is far from uniform (posEmb stays all zeros). */
const weights = (seed: number) => scaledWeights(cfg, seed);
const ids = randomIds;
const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
};

test('RoPE rotation: hand values (pairs i, i + dh/2 turned by p·BASE^(−2i/dh)), norms kept, scores depend only on i − j', () => {
  // dh 4: pair (0, 2) turns by p, pair (1, 3) by p/100
  const y = Float64Array.from([1, 1, 0, 0]);
  rotateRows(y, 4, 0, [3], 1, 4);
  const slow = 3 / Math.sqrt(ROPE_BASE);
  assert.ok(Math.abs(y[0] - Math.cos(3)) < 1e-15 && Math.abs(y[2] - Math.sin(3)) < 1e-15, 'Math.abs(y[0] - Math.cos(3)) < 1e-15 && Math.abs(y[2] - Math.sin(3)) < 1e-15');
  assert.ok(Math.abs(y[1] - Math.cos(slow)) < 1e-15 && Math.abs(y[3] - Math.sin(slow)) < 1e-15, 'Math.abs(y[1] - Math.cos(slow)) < 1e-15 && Math.abs(y[3] - Math.sin(slow)) < 1e-15');
  const rng = mulberry32(4);
  const dh = 16;
  const q = Float64Array.from({ length: dh }, () => rng() - 0.5);
  const k = Float64Array.from({ length: dh }, () => rng() - 0.5);
  const dot = (pq: number, pk: number) => {
    const a = q.slice();
    const b = k.slice();
    rotateRows(a, dh, 0, [pq], 1, dh);
    rotateRows(b, dh, 0, [pk], 1, dh);
    assert.ok(Math.abs(Math.hypot(...a) - Math.hypot(...q)) < 1e-12, 'norm kept');
    return a.reduce((s, x, t) => s + x * b[t], 0);
  };
  for (const [i, j, s] of [[9, 2, 40], [200, 17, 3], [5, 5, 100]]) assert.ok(Math.abs(dot(i, j) - dot(i + s, j + s)) < 1e-12, `(${i}, ${j}) +${s}`);
  assert.ok(Math.abs(dot(9, 2) - dot(9, 5)) > 1e-3, 'the distance matters');
});

test('RoPE training forward equals the float64 reference (also shifted by posOffset), and differs from no positions', async () => {
  await initTraining();
  const w = weights(12);
  const x = ids(20, 3);
  const W = new Map([...w].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
  for (const off of [0, 11]) {
    const tr = tf.tidy(() => trainForward(cfg, W, Int32Array.from(x), 1, x.length, [], { posOffset: [off] }));
    const worst = maxRel(tr.dataSync(), referenceForward(cfg, w, x, { posOffset: off }));
    tr.dispose();
    assert.ok(worst < 1e-4, `posOffset ${off}: max relative |Δ| ${worst}`);
  }
  W.forEach((t) => t.dispose());
  const ref = referenceForward(cfg, w, x);
  const none = referenceForward({ ...cfg, positions: 'none' }, w, x);
  assert.ok(maxRel(none, ref) > 0.01, 'the rotation must matter');
  // relative positions only: the same tokens 11 positions later give the same logits (to rounding)
  assert.ok(maxRel(referenceForward(cfg, w, x, { posOffset: 11 }), ref) < 1e-9, 'maxRel(referenceForward(cfg, w, x, { posOffset: 11 }), ref) < 1e-9');
});

test('RoPE engine generation (TF.js prompt pass, JS generation steps) equals the float64 reference', async () => {
  await initTraining();
  assertGenerationMatchesReference(cfg, weights(12), [ids(21, 6), ids(21, 7)], 12, 8);
});

test('config.json: position_embedding_type "rope" is read for GPT-2 and written back', () => {
  const j = hfConfig(cfg);
  assert.equal(j.position_embedding_type, 'rope');
  assert.equal(configFromHf(j).positions, 'rope');
  const bert = { model_type: 'bert', vocab_size: 30, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 16, position_embedding_type: 'rope' };
  assert.throws(() => configFromHf(bert), /position_embedding_type/);
});
