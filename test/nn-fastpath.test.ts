/**
 * The engine's JS fake quantization (fakeQuantRows, used by Engine.qkv) against the TF.js op
 * sequence it replaces (Engine.fq): bit-identical values (±0 aside) for plain, progressive
 * (MSB + LSB) and unquantized widths, including exact .5 ties (round half to even like tf.round)
 * and all-zero vectors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend, tf } from '../sim/nn/backend.ts';
import { Engine } from '../sim/nn/engine.ts';
import { initWeights, type ModelConfig } from '../sim/nn/model.ts';
import { fakeQuantRows } from '../sim/nn/quant.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { WordPieceTokenizer } from '../sim/nn/tokenizer.ts';

const cfg: ModelConfig = { kind: 'bert', vocabSize: 50, hidden: 16, layers: 1, heads: 4, intermediate: 32, maxPositions: 24, numLabels: 2, lnEps: 1e-12, padId: 0, clsId: 2, sepId: 3, eosId: -1 };

/** Equal as numbers (−0 === 0: the JS codes are int32, so a −0 code comes out as +0). */
const same = (a: number, b: number, msg: string) => assert.ok(a === b, `${msg}: ${a} ≠ ${b}`);

test('fakeQuantRows equals Engine.fq bit for bit', async () => {
  await initBackend();
  const e = new Engine({ dir: 'random', config: cfg, weights: initWeights(cfg, 3), tokenizer: new WordPieceTokenizer(['[PAD]']), hash: 'x' });
  const rng = mulberry32(7);
  const n = 200;
  const d = 16;
  const x = Float32Array.from({ length: n * d }, () => (rng() - 0.5) * 10);
  // Row 0, heads 0 and 1: ties at 3 bits (max 3 → scale 1; ±0.5, ±1.5, ±2.5 are exact .5 codes).
  x.set([3, 0.5, 1.5, 2.5, 3, -0.5, -1.5, -2.5, 0, 0, 0, 0, 0, 0, 0, 0], 0);
  // Row 1, head 0: an all-zero vector.
  x.fill(0, d, d + 4);
  let ties = 0;
  for (const [bits, lsb] of [[3, 0], [4, 0], [8, 0], [12, 0], [4, 4], [6, 4], [2, 3], [32, 0], [28, 4]]) {
    const dev = e.fq(tf.tensor2d(x, [n, d]), n, bits, lsb).map((t) => t.dataSync() as Float32Array);
    const out = new Float32Array(n * 2 * d);
    fakeQuantRows(x, d, 0, n, d, 4, bits, lsb, out, 2 * d, lsb > 0 ? d : 0, lsb > 0 ? 0 : -1);
    const full = dev[dev.length - 1];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        same(out[i * 2 * d + (lsb > 0 ? d : 0) + j], full[i * d + j], `full bits ${bits}+${lsb} at ${i},${j}`);
        if (lsb > 0) same(out[i * 2 * d + j], dev[0][i * d + j], `msb bits ${bits}+${lsb} at ${i},${j}`);
      }
    }
    if (bits === 3 && lsb === 0) ties = Array.from(out.subarray(0, 8)).filter((v, i) => v === [3, 0, 2, 2, 3, 0, -2, -2][i]).length;
  }
  assert.equal(ties, 8, 'ties round half to even (0.5→0, 1.5→2, 2.5→2, −0.5→0, −1.5→−2, −2.5→−2)');
  // The multiplier (Q's folded attention scale) is one float32 multiply after dequantization.
  const dev = (e.fq(tf.tensor2d(x, [n, d]), n, 8)[0].mul(0.3) as tf.Tensor).dataSync() as Float32Array;
  const out = new Float32Array(n * d);
  fakeQuantRows(x, d, 0, n, d, 4, 8, 0, out, d, 0, -1, 0.3);
  for (let i = 0; i < n * d; i++) same(out[i], dev[i], `× 0.3 at ${i}`);
  e.dispose();
});

test('columnSumsF32 equals the ones·P matMul of the wasm backend bit for bit', async () => {
  await initBackend();
  const { columnSumsF32 } = await import('../sim/nn/attention.ts');
  let checked = 0;
  for (const m of [1, 7, 16, 33, 89, 128]) {
    for (let r = 0; r < 5; r++) {
      const P = tf.softmax(tf.randomNormal([m, m], 0, 3, 'float32', 11 * m + r));
      const dev = tf.matMul(tf.ones([1, m]) as tf.Tensor2D, P as tf.Tensor2D).dataSync() as Float32Array;
      const cs = new Float32Array(m);
      columnSumsF32(P.dataSync() as Float32Array, m, cs);
      for (let j = 0; j < m; j++) same(cs[j], dev[j], `m ${m} column ${j}`);
      checked += m;
      P.dispose();
    }
  }
  assert.equal(checked, 5 * (1 + 7 + 16 + 33 + 89 + 128));
});

test('per-head attention equals the block-diagonal all-heads form bit for bit (both used, by length)', async () => {
  await initBackend();
  const { attendAllHeads, attendAllHeadsBlockDiagonal, BLOCK_DIAGONAL_BELOW } = await import('../sim/nn/attention.ts');
  const rng = mulberry32(9);
  const d = 64;
  const dh = 16;
  for (const m of [3, BLOCK_DIAGONAL_BELOW + 1, 70]) {
    for (const [heads, valueKeep] of [[[0, 1, 2, 3], 1], [[1, 3], 0.5], [[2], 0.3]] as [number[], number][]) {
      const qkv = Float32Array.from({ length: (m + 2) * 4 * d }, () => (rng() - 0.5) * 4);
      const run = (f: typeof attendAllHeads) => {
        const ctx = new Float32Array((m + 2) * d);
        const colSum = new Float64Array(m);
        const r = f({ qkv, stride: 4 * d, base: 2, m, d, dh, heads, valueKeep, ctx, colSum });
        return { ctx, colSum, ...r };
      };
      const a = run(attendAllHeads);
      const b = run(attendAllHeadsBlockDiagonal);
      const tag = `m ${m} heads ${heads} valueKeep ${valueKeep}`;
      assert.deepEqual(a.absSum, b.absSum, tag);
      assert.equal(a.valuesKept, b.valuesKept, tag);
      a.colSum.forEach((v, j) => same(v, b.colSum[j], `${tag} colSum ${j}`));
      a.ctx.forEach((v, i) => same(v, b.ctx[i], `${tag} ctx ${i}`));
      assert.ok(a.absSum.every((x) => x > 0), tag);
      // the untouched head columns and rows stay 0
      const unused = [0, 1, 2, 3].filter((h) => !heads.includes(h));
      for (const h of unused) for (let i = 0; i < m + 2; i++) assert.equal(a.ctx[i * d + h * dh], 0, tag);
    }
  }
});

test('kthLargest equals the k-th value of a descending sort (duplicates counted) and tf.topk', async () => {
  await initBackend();
  const { kthLargest } = await import('../sim/nn/attention.ts');
  const rng = mulberry32(13);
  for (const n of [1, 2, 5, 24, 97, 128]) {
    for (const dup of [false, true]) {
      const row = Float32Array.from({ length: n }, () => (dup ? Math.floor(rng() * 4) / 4 : rng()));
      const desc = Array.from(row).sort((x, y) => y - x);
      const top = tf.topk(tf.tensor1d(row), n).values.dataSync();
      for (let k = 1; k <= n; k++) {
        const v = kthLargest(row, n, k, new Float32Array(n));
        assert.equal(v, desc[k - 1], `n ${n} k ${k} dup ${dup}`);
        assert.equal(v, top[k - 1], `n ${n} k ${k} dup ${dup} (tf.topk)`);
      }
    }
  }
});
