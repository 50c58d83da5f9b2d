// Data-parallel LM training (sim/nn/train-shard.ts, `train --workers N`): the shards' gradients,
// weighted by their share of the batch, equal the one-thread full-batch gradient; the pool's task
// gives the same numbers as the function run here; shard boundaries split every sequence once; a
// whole training run (dense and fine-tuning phases) with 2 workers ends at the 1-worker weights.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTraining, tf } from '../sim/nn/backend.ts';
import { initWeights, type ModelConfig } from '../sim/nn/model.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { prunedKeyMaskArrays } from '../sim/nn/ft-masks.ts';
import { combineShards, lossAndGrads, maskTensors, shardBounds, shardLoss, shardSlice, trainShard, type ShardResult, type ShardTask } from '../sim/nn/train-shard.ts';

const C: ModelConfig = { kind: 'gpt', hidden: 16, layers: 3, heads: 2, intermediate: 32, maxPositions: 24, numLabels: 0, lnEps: 1e-5, act: 'relu', vocabSize: 40, padId: -1, clsId: -1, sepId: -1, eosId: 0 };
const S = 24;
const B = 5;

function batch() {
  const rng = mulberry32(11);
  const ids = Int32Array.from({ length: B * S }, () => Math.floor(rng() * C.vocabSize));
  const tgt = Int32Array.from({ length: B * S }, () => Math.floor(rng() * C.vocabSize));
  // random nested key masks at keep ratios drawn as in fine-tuning (layer 0 dense)
  const masks = prunedKeyMaskArrays(B, S, C.layers, mulberry32(5), { keepMin: 0.2, denseShare: 0, masks: 'random' });
  return { ids, tgt, masks };
}

function task(w: Map<string, { shape: number[]; data: Float32Array }>, ids: Int32Array, tgt: Int32Array, masks: (Float32Array | null)[], b0: number, b1: number, fast: boolean): ShardTask {
  const sl = shardSlice(ids, tgt, masks, S, b0, b1);
  return {
    config: C, fastKernels: fast, names: [...w.keys()], shapes: [...w.values()].map((t) => t.shape), weights: [...w.values()].map((t) => t.data),
    ids: sl.ids.slice(), tgt: sl.tgt.slice(), nb: sl.nb, S, masks: sl.masks?.map((m) => (m ? m.slice() : null)),
  };
}

const maxRel = (a: Float32Array[], b: Float32Array[]) => {
  let worst = 0;
  a.forEach((x, k) => {
    let scale = 1e-3;
    for (let j = 0; j < x.length; j++) scale = Math.max(scale, Math.abs(b[k][j]));
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - b[k][j]) / scale);
  });
  return worst;
};

test('shard boundaries: contiguous, every sequence once, sizes differ by at most one', () => {
  assert.deepEqual(shardBounds(8, 2), [0, 4, 8]);
  assert.deepEqual(shardBounds(5, 3), [0, 2, 4, 5]);
  assert.deepEqual(shardBounds(2, 4), [0, 1, 2], 'more workers than sequences: one sequence each');
  assert.deepEqual(shardBounds(7, 1), [0, 7]);
});

for (const fast of [true, false]) {
  test(`sharded gradient = full-batch gradient (masked layers, ${fast ? 'fast' : 'default'} kernels), for 2 and 3 shards`, async () => {
    await initTraining();
    const w = initWeights(C, 3);
    const { ids, tgt, masks } = batch();
    assert.ok(masks.filter((m) => m).length >= 1, 'at least one pruned layer');
    // one thread, the whole batch, variables as the trainer has them
    const vars = new Map([...w].map(([k, t]) => [k, tf.variable(tf.tensor(t.data, t.shape), true)]));
    const mt = maskTensors(masks, B, S);
    const full = lossAndGrads([...vars.values()], () => shardLoss(C, vars, fast, ids, tgt, B, S, mt));
    mt?.forEach((m) => m?.dispose());
    vars.forEach((v) => v.dispose());
    for (const n of [2, 3]) {
      const bounds = shardBounds(B, n);
      const parts: ShardResult[] = [];
      for (let i = 0; i + 1 < bounds.length; i++) parts.push(await trainShard(task(w, ids, tgt, masks, bounds[i], bounds[i + 1], fast)));
      const comb = combineShards(parts, bounds.slice(1).map((b, i) => b - bounds[i]));
      assert.ok(Math.abs(comb.loss - full.loss) < 1e-5, `loss ${comb.loss} vs ${full.loss}`);
      const rel = maxRel(comb.grads, full.grads);
      assert.ok(rel < 1e-4, `${n} shards: max relative gradient difference ${rel}`);
      // the shards are not all alike: each one's gradient differs from the full batch's
      assert.ok(maxRel(parts[0].grads, full.grads) > 1e-2, 'maxRel(parts[0].grads, full.grads) > 1e-2');
    }
  });
}

test('the pool task trainShard (a worker thread) returns the numbers the function gives here', async () => {
  await initTraining();
  const { bundledPool } = await import('../dse/backends/local.ts');
  const pool = await bundledPool(1);
  try {
    const w = initWeights(C, 4);
    const { ids, tgt, masks } = batch();
    const t = task(w, ids, tgt, masks, 1, 4, true);
    const here = await trainShard(t);
    const res = await pool.run<ShardResult>({ task: 'trainShard', args: [t] });
    assert.equal(res.status, 'ok', res.status === 'ok' ? '' : (res as { error: string }).error);
    const there = (res as { value: ShardResult }).value;
    assert.equal(there.loss, here.loss);
    assert.equal(maxRel(there.grads, here.grads), 0, 'same backend, same operations: identical');
    // a second task on the same worker with other weights: the worker's variables are overwritten
    const w2 = initWeights(C, 5);
    const t2 = task(w2, ids, tgt, masks, 0, 2, true);
    const res2 = await pool.run<ShardResult>({ task: 'trainShard', args: [t2] });
    assert.equal((res2 as { value: ShardResult }).value.loss, (await trainShard(t2)).loss);
  } finally {
    await pool.close();
  }
});

test('trainModel with 2 workers (shards through a runner) = 1 worker up to float32 order: same losses, weights within 1e-5', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { RECIPES, trainModel } = await import('../sim/nn/train.ts');
  const { loadCheckpoint } = await import('../sim/nn/checkpoint.ts');
  RECIPES['test-tiny-lm'] = {
    config: { kind: 'gpt', hidden: 16, layers: 2, heads: 2, intermediate: 32, maxPositions: 32, numLabels: 0, lnEps: 1e-5, act: 'relu' },
    vocabSize: 257, tokenizer: 'bytes', seqLen: 32, batch: 4, steps: 4, lr: 3e-3, warmup: 2, schedule: 'rsqrt', fastKernels: true,
    fineTune: { steps: 2, lr: 1e-3, warmup: 1, keepMin: 0.2, denseShare: 0, masks: 'random' },
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-shard-'));
  try {
    let calls = 0;
    const runner = async (t: ShardTask) => { calls++; return trainShard(t); };
    const one = await trainModel('test-tiny-lm', 3, { outDir: path.join(dir, 'one'), quiet: true });
    const two = await trainModel('test-tiny-lm', 3, { outDir: path.join(dir, 'two'), quiet: true, workers: 2, shardRunner: runner });
    assert.equal(calls, 6, 'one remote shard per step (4 dense + 2 fine-tuning steps with masks)');
    assert.equal(two.workers, 2);
    assert.equal(one.workers, undefined);
    assert.ok(Math.abs((one.valLoss as number) - (two.valLoss as number)) < 1e-5, `${one.valLoss} vs ${two.valLoss}`);
    const a = loadCheckpoint(path.join(dir, 'one')).weights;
    const b = loadCheckpoint(path.join(dir, 'two')).weights;
    let worst = 0;
    for (const [k, t] of a) t.data.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - b.get(k)!.data[j]))));
    assert.ok(worst < 1e-5, `max |Δw| ${worst}`);
  } finally {
    delete RECIPES['test-tiny-lm'];
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
