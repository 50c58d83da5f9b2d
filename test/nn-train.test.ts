// Training kernels of the LM recipe: the slice-by-slice attention matMul and the JS cross-entropy
// equal the TF.js formulations (values and gradients); the pruning-aware fine-tuning masks are
// causal, nested over layers like the cascade, never hide a query's own token, and hide keys at
// the schedule's rate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTraining, tf } from '../sim/nn/backend.ts';
import { fastBMM } from '../sim/nn/model.ts';
import { crossEntropyJs, sliceBMMGrad } from '../sim/nn/train-kernels.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { prunedKeyMasks } from '../sim/nn/ft-masks.ts';
import { tokenKeepSchedule } from '../sim/workload/schedule.ts';

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

test('sliceBMMGrad = batched matMul: value and both gradients', async () => {
  await initTraining();
  const A = tf.randomNormal([6, 5, 3], 0, 1, 'float32', 1);
  const B = tf.randomNormal([6, 3, 4], 0, 1, 'float32', 2);
  const W = tf.randomNormal([6, 5, 4], 0, 1, 'float32', 3);
  const grads = (op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), W)))([A, B]);
  assert.ok(maxAbs(sliceBMMGrad(A, B), tf.matMul(A as tf.Tensor3D, B as tf.Tensor3D)) < 1e-6, 'maxAbs(sliceBMMGrad(A, B), tf.matMul(A as tf.Tensor3D, B as tf.Tensor3D)) < 1e-6');
  const [ga, gb] = grads(fastBMM);
  const [ha, hb] = grads(sliceBMMGrad);
  assert.ok(maxAbs(ga, ha) < 1e-6 && maxAbs(gb, hb) < 1e-6, 'maxAbs(ga, ha) < 1e-6 && maxAbs(gb, hb) < 1e-6');
  // the gradient of A is dY·Bᵀ: with W = ones it is the row sums of B, per batch slice (hand check)
  const [g1] = tf.grads((a: tf.Tensor) => tf.sum(sliceBMMGrad(a, B)))([A]);
  const rowSums = tf.sum(B, 2); // [6, 3]
  for (let r = 0; r < 5; r++) assert.ok(maxAbs(tf.slice(g1, [0, r, 0], [6, 1, 3]).reshape([6, 3]), rowSums) < 1e-5, 'maxAbs(tf.slice(g1, [0, r, 0], [6, 1, 3]).reshape([6, 3]), rowSums) < 1e-5');
});

test('crossEntropyJs = mean(logsumexp − picked logit), gradient (softmax − one-hot)/N', async () => {
  await initTraining();
  const L = tf.mul(tf.randomNormal([7, 11], 0, 1, 'float32', 4), 3) as tf.Tensor2D;
  const tgt = Int32Array.from([0, 3, 10, 2, 2, 5, 9]);
  const ref = (lg: tf.Tensor) => tf.mean(tf.sub(tf.logSumExp(lg, 1), tf.sum(tf.mul(lg, tf.oneHot(tf.tensor1d(tgt, 'int32'), 11)), 1)));
  assert.ok(Math.abs(crossEntropyJs(L, tgt).dataSync()[0] - ref(L).dataSync()[0]) < 1e-5, 'Math.abs(crossEntropyJs(L, tgt).dataSync()[0] - ref(L).dataSync()[0]) < 1e-5');
  assert.ok(maxAbs(tf.grad((x: tf.Tensor) => ref(x))(L), tf.grad((x: tf.Tensor) => crossEntropyJs(x as tf.Tensor2D, tgt))(L)) < 1e-6, 'maxAbs(tf.grad((x: tf.Tensor) => ref(x))(L), tf.grad((x: tf.Tensor) => crossEntropyJs(x as tf.Ten…');
  // uniform logits over V classes: loss ln V
  assert.ok(Math.abs(crossEntropyJs(tf.zeros([3, 11]) as tf.Tensor2D, Int32Array.from([1, 2, 3])).dataSync()[0] - Math.log(11)) < 1e-6, 'Math.abs(crossEntropyJs(tf.zeros([3, 11]) as tf.Tensor2D, Int32Array.from([1, 2, 3])).dataSync()[…');
});

test('crossEntropyJs with soft targets: the gradient of (1 − α)·CE(one-hot) + α·CE(teacher); the value stays the one-hot loss; without them the one-hot gradient', async () => {
  await initTraining();
  const L = tf.mul(tf.randomNormal([5, 6], 0, 1, 'float32', 8), 2) as tf.Tensor2D;
  const tgt = Int32Array.from([0, 5, 2, 2, 1]);
  const rng = mulberry32(3);
  const teacher = new Float32Array(30);
  for (let i = 0; i < 5; i++) {
    let z = 0;
    for (let j = 0; j < 6; j++) z += (teacher[i * 6 + j] = rng() + 0.01);
    for (let j = 0; j < 6; j++) teacher[i * 6 + j] /= z;
  }
  const alpha = 0.3;
  const T = tf.tensor2d(teacher, [5, 6]);
  const oneHot = tf.oneHot(tf.tensor1d(tgt, 'int32'), 6);
  const mixed = tf.add(tf.mul(oneHot, 1 - alpha), tf.mul(T, alpha));
  const ref = (lg: tf.Tensor) => tf.mean(tf.neg(tf.sum(tf.mul(mixed, tf.logSoftmax(lg)), 1)));
  const soft = { dist: teacher, alpha };
  const g = tf.grad((x: tf.Tensor) => crossEntropyJs(x as tf.Tensor2D, tgt, soft))(L);
  assert.ok(maxAbs(g, tf.grad((x: tf.Tensor) => ref(x))(L)) < 1e-6, 'maxAbs(g, tf.grad((x: tf.Tensor) => ref(x))(L)) < 1e-6');
  // without soft targets: the plain one-hot gradient
  const plain = tf.grad((x: tf.Tensor) => crossEntropyJs(x as tf.Tensor2D, tgt))(L);
  const refPlain = tf.grad((x: tf.Tensor) => tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(x)), 1))))(L);
  assert.ok(maxAbs(plain, refPlain) < 1e-6 && maxAbs(plain, g) > 1e-3, 'maxAbs(plain, refPlain) < 1e-6 && maxAbs(plain, g) > 1e-3');
  const v = crossEntropyJs(L, tgt, soft).dataSync()[0];
  assert.ok(Math.abs(v - tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(L)), 1))).dataSync()[0]) < 1e-5, 'Math.abs(v - tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(L)), 1))).dataSync()[0]) < 1e-5');
});

test('fine-tuning masks: causal, own token visible, nested over layers, layer 0 dense, keys hidden at the schedule rate', async () => {
  await initTraining();
  const B = 8, S = 256, layers = 4;
  const ft = { steps: 1, lr: 1e-3, warmup: 1, keepMin: 0.08, denseShare: 0 };
  const masks = prunedKeyMasks(B, S, layers, mulberry32(5), ft);
  assert.equal(masks[0], null, 'front layer (15% of 4 → 1) never pruned');
  const data = masks.map((m) => (m ? (m.dataSync() as Float32Array) : null));
  // replay the draws: ρ per sequence (denseShare 0 → one draw for the share test, one for ρ), then u_j
  const rng = mulberry32(5);
  for (let b = 0; b < B; b++) {
    rng();
    const rho = Math.exp(Math.log(ft.keepMin) * rng());
    const keep = tokenKeepSchedule(layers, rho);
    for (let j = 0; j < S; j++) rng();
    for (let l = 1; l < layers; l++) {
      const m = data[l]!;
      let visible = 0;
      for (let i = 0; i < S; i++) {
        const row = (b * S + i) * S;
        assert.equal(m[row + i], 0, 'own token');
        for (let j = i + 1; j < S; j++) if (m[row + j] === 0) assert.fail('future key visible');
        if (l > 1) for (let j = 0; j < i; j++) if (m[row + j] === 0) assert.equal(data[l - 1]![row + j], 0, 'nested: a key hidden in layer l − 1 stays hidden');
      }
      // the last query sees S − 1 earlier keys, each kept with probability keep[l]
      const last = (b * S + S - 1) * S;
      for (let j = 0; j < S - 1; j++) if (m[last + j] === 0) visible++;
      const sd = Math.sqrt((S - 1) * keep[l] * (1 - keep[l]));
      assert.ok(Math.abs(visible - (S - 1) * keep[l]) <= 4 * sd + 1, `b ${b} layer ${l}: ${visible} visible, expected ${((S - 1) * keep[l]).toFixed(1)}`);
    }
  }
  masks.forEach((m) => m?.dispose());
});

test('fine-tuning phases: a snapshot inside an rsqrt phase is the recipe cut at that step; cosine phases are not cut', async () => {
  const { fineTunePhases, snapshotRecipe } = await import('../sim/nn/train.ts');
  const p1 = { steps: 100, lr: 1e-3, warmup: 5, keepMin: 0.1, denseShare: 0.2, masks: 'cascade' as const };
  const p2 = { steps: 60, lr: 5e-4, warmup: 5, schedule: 'rsqrt' as const, keepMin: 0.1, denseShare: 0.2, masks: 'cascade-gen' as const };
  const base = { config: { kind: 'gpt' as const, hidden: 8, layers: 2, heads: 2, intermediate: 16, maxPositions: 16, numLabels: 0, lnEps: 1e-5 }, vocabSize: 257, seqLen: 16, batch: 2, steps: 50, lr: 1e-3, warmup: 5, schedule: 'rsqrt' as const };
  const r = { ...base, fineTune: [p1, p2] };
  assert.deepEqual(fineTunePhases({ ...base }), []);
  assert.deepEqual(fineTunePhases({ ...base, fineTune: p1 }), [p1]);
  assert.deepEqual(fineTunePhases(r), [p1, p2]);
  assert.deepEqual(snapshotRecipe(r, [p1, p2], 0, 20), { ...r, steps: 20, fineTune: undefined }, 'dense rsqrt phase: cut at 20 steps, no fine-tuning');
  assert.equal(snapshotRecipe(r, [p1, p2], 1, 30), r, 'inside a cosine phase: the whole recipe (not reproducible by a shorter run)');
  assert.deepEqual(snapshotRecipe(r, [p1, p2], 2, 25), { ...r, fineTune: [p1, { ...p2, steps: 25 }] });
});
