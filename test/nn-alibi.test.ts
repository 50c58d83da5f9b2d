// ALiBi GPT-2 variant (config.positions 'alibi' / `position_embedding_type: "alibi"`): slopes, the training
// forward, the engine (prompt pass on the TF.js path, generation steps in JS) and a pruned key set
// against float64 references written out here; strict config reading; posEmb neither used nor trained.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AlgoSchema } from '../sim/schema.ts';
import { initTraining, tf } from '../sim/nn/backend.ts';
import { loadCheckpoint } from '../sim/nn/checkpoint.ts';
import { Engine, runAlgo, Stats } from '../sim/nn/engine.ts';
import { alibiSlope, ConfigError, configFromHf } from '../sim/nn/hfconfig.ts';
import { initWeights, trainForward, type ModelConfig } from '../sim/nn/model.ts';
import { hfConfig } from '../sim/nn/hf-weights.ts';
import { referenceForward } from '../sim/nn/reference.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { WordPieceTokenizer } from '../sim/nn/tokenizer.ts';
import { assertGenerationMatchesReference, nllOf, randomIds, scaledWeights } from './fixtures/tiny-gpt.ts';

const cfg: ModelConfig = { kind: 'gpt', vocabSize: 40, hidden: 16, layers: 4, heads: 4, intermediate: 32, maxPositions: 24, numLabels: 0, lnEps: 1e-5, padId: -1, clsId: -1, sepId: -1, eosId: 0, positions: 'alibi' };

/** Random weights scaled up so that attention is far from uniform (posEmb stays all zeros). */
const weights = (seed: number) => scaledWeights(cfg, seed);
const ids = randomIds;

test('ALiBi slopes are 2^(−8(h+1)/H): 1/4, 1/16, 1/64, 1/256 for 4 heads; 1/2 … 1/256 for 8', () => {
  assert.deepEqual([0, 1, 2, 3].map((h) => alibiSlope(h, 4)), [0.25, 0.0625, 0.015625, 0.00390625]);
  assert.equal(alibiSlope(0, 8), 0.5);
  assert.equal(alibiSlope(7, 8), 1 / 256);
});

test('ALiBi initWeights: posEmb all zeros, the other weights those of the same seed without ALiBi', () => {
  const a = initWeights(cfg, 5);
  const b = initWeights({ ...cfg, positions: 'learned' }, 5);
  assert.ok(a.get('posEmb')!.data.every((x) => x === 0), 'a.get(\'posEmb\')!.data.every((x) => x === 0)');
  assert.ok(b.get('posEmb')!.data.some((x) => x !== 0), 'b.get(\'posEmb\')!.data.some((x) => x !== 0)');
  for (const [k, t] of a) if (k !== 'posEmb') assert.deepEqual(t.data, b.get(k)!.data, k);
});

test('ALiBi training forward equals the float64 reference, and the bias changes the logits', async () => {
  await initTraining();
  const w = weights(12);
  const x = ids(20, 3);
  const ref = referenceForward(cfg, w, x);
  const W = new Map([...w].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
  const tr = tf.tidy(() => trainForward(cfg, W, Int32Array.from(x), 1, x.length, []));
  const td = tr.dataSync();
  tr.dispose();
  W.forEach((t) => t.dispose());
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(td[i] - ref[i]) / (1 + Math.abs(ref[i])));
  assert.ok(worst < 1e-4, `max relative |Δ| ${worst}`);
  const plain = referenceForward({ ...cfg, positions: 'learned' }, w, x);
  let diff = 0;
  for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(plain[i] - ref[i]));
  assert.ok(diff > 0.1, `the bias must matter: ${diff}`);
});

test('ALiBi engine generation (TF.js prompt pass, JS generation steps) equals the float64 reference', async () => {
  await initTraining();
  assertGenerationMatchesReference(cfg, weights(12), [ids(21, 6), ids(21, 7)], 12, 8);
});

test('no positions ("none"): engine generation equals the float64 reference, which differs from the ALiBi one', async () => {
  await initTraining();
  const none: ModelConfig = { ...cfg, positions: 'none' };
  const w = weights(14);
  const e = new Engine({ dir: 'mem', config: none, weights: w, tokenizer: new WordPieceTokenizer(['[PAD]']), hash: 't' });
  const win = ids(21, 8);
  const nll = e.generateBatch([win], 12, 8, runAlgo(AlgoSchema.parse({ msbBits: 32, queryBits: 32, valueBits: 32 }), none), new Stats(4));
  const ref = referenceForward(none, w, win.slice(0, 20));
  for (let t = 0; t < 8; t++) {
    const r = nllOf(ref, 12 + t, cfg.vocabSize, win[13 + t]);
    assert.ok(Math.abs(nll[0][t] - r) < 1e-4 * (1 + r), `step ${t}: ${nll[0][t]} vs ${r}`);
  }
  e.dispose();
  const alibi = referenceForward(cfg, w, win.slice(0, 20));
  assert.ok(ref.some((x, i) => Math.abs(x - alibi[i]) > 0.1), 'ref.some((x, i) => Math.abs(x - alibi[i]) > 0.1)');
  assert.equal(configFromHf(hfConfig(none)).positions, 'none');
});

test('a pruned key keeps its distance: attendHead over kept cache rows = softmax(q·k/√dh − m·(i − j)) over those keys', async () => {
  const { attendHead } = await import('../sim/nn/quant.ts');
  const rng = mulberry32(9);
  const dh = 16;
  const T = 30;
  const i = 29; // the query's position
  const kept = [0, 3, 4, 11, 20, 27, 29];
  const m = alibiSlope(1, 4);
  const K = Float32Array.from({ length: T * dh }, () => (rng() - 0.5) * 4);
  const Vv = Float32Array.from({ length: T * dh }, () => rng() - 0.5);
  const q = Float32Array.from({ length: dh }, () => (rng() - 0.5) * 4);
  const ctx = new Float32Array(dh);
  const colSum = new Float32Array(kept.length);
  attendHead({
    q, nq: 1, kMsb: K, kFull: K, v: Vv, nk: kept.length, dh, visible: null, valueKeep: 1, progressive: false, threshold: 0,
    ctx, colSum, kvRows: kept, keyBias: Float64Array.from(kept, (j) => m * j),
  });
  const s = kept.map((j) => {
    let d = 0;
    for (let t = 0; t < dh; t++) d += q[t] * K[j * dh + t];
    return d / Math.sqrt(dh) - m * (i - j);
  });
  const mx = Math.max(...s);
  const z = s.reduce((a, x) => a + Math.exp(x - mx), 0);
  const p = s.map((x) => Math.exp(x - mx) / z);
  p.forEach((pj, n) => assert.ok(Math.abs(colSum[n] - pj) < 1e-6, `key ${kept[n]}: ${colSum[n]} vs ${pj}`));
  for (let t = 0; t < dh; t++) {
    const r = kept.reduce((a, j, n) => a + p[n] * Vv[j * dh + t], 0);
    assert.ok(Math.abs(ctx[t] - r) < 1e-5, `ctx[${t}] ${ctx[t]} vs ${r}`);
  }
  // without the bias the same call gives other probabilities (the bias is not a no-op here)
  const cs2 = new Float32Array(kept.length);
  attendHead({ q, nq: 1, kMsb: K, kFull: K, v: Vv, nk: kept.length, dh, visible: null, valueKeep: 1, progressive: false, threshold: 0, ctx: new Float32Array(dh), colSum: cs2, kvRows: kept });
  assert.ok(Math.max(...p.map((pj, n) => Math.abs(cs2[n] - pj))) > 0.01, 'Math.max(...p.map((pj, n) => Math.abs(cs2[n] - pj))) > 0.01');
});

test('config.json: position_embedding_type "alibi" is read for GPT-2 and written back; other values and BERT are rejected by name', () => {
  const j = hfConfig(cfg);
  assert.equal(j.position_embedding_type, 'alibi');
  assert.equal(configFromHf(j).positions, 'alibi');
  assert.equal(configFromHf(hfConfig({ ...cfg, positions: 'learned' })).positions, 'learned');
  assert.equal('position_embedding_type' in hfConfig({ ...cfg, positions: 'learned' }), false);
  assert.throws(() => configFromHf({ ...j, position_embedding_type: 'relative_key' }, 'x/config.json'), (e: Error) => e instanceof ConfigError && /x\/config.json: 'position_embedding_type'/.test(e.message));
  const bert = { model_type: 'bert', vocab_size: 30, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 16, position_embedding_type: 'alibi' };
  assert.throws(() => configFromHf(bert), /position_embedding_type/);
});

test('ALiBi training leaves posEmb out of the trained variables: the checkpoint keeps it all zeros', async () => {
  const { RECIPES, trainModel } = await import('../sim/nn/train.ts');
  RECIPES['test-tiny-alibi'] = {
    config: { kind: 'gpt', hidden: 16, layers: 2, heads: 2, intermediate: 32, maxPositions: 32, numLabels: 0, lnEps: 1e-5, act: 'relu', positions: 'alibi' },
    vocabSize: 257, tokenizer: 'bytes', seqLen: 32, batch: 4, steps: 3, lr: 3e-3, warmup: 1, schedule: 'rsqrt', fastKernels: true,
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-alibi-'));
  try {
    const r = await trainModel('test-tiny-alibi', 2, { outDir: dir, quiet: true });
    const ck = loadCheckpoint(dir);
    assert.equal(ck.config.positions, 'alibi');
    const total = [...ck.weights.values()].reduce((a, t) => a + t.data.length, 0);
    assert.equal(r.params, total - 32 * 16, 'every weight but the 32 × 16 posEmb is trained');
    assert.ok(ck.weights.get('posEmb')!.data.every((x) => x === 0), 'ck.weights.get(\'posEmb\')!.data.every((x) => x === 0)');
    const init = initWeights({ ...ck.config }, 2);
    assert.ok([...ck.weights].some(([k, t]) => k !== 'posEmb' && t.data.some((x, i) => x !== init.get(k)!.data[i])), 'the other weights moved');
  } finally {
    delete RECIPES['test-tiny-alibi'];
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
