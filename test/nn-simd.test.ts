/**
 * The WebAssembly SIMD kernels (simd-kernels.ts): the attention heads' matMuls against the wasm
 * backend's tf.matMul, bit for bit, over head dimensions 4–64 and sizes with every column
 * remainder, Σ|P·V|, column sums and scaling against their JS definitions, the fake quantization
 * against fakeQuantRows, local V pruning (the per-row k-th largest kept) against keepLargestPerRow; and
 * the batched layer form (attn-simd.ts) against the per-head TF.js form (attendAllHeads) per
 * example: identical context, column sums, Σ|ctx| per head and kept-value counts, with and
 * without local V pruning, examples of mixed lengths, untouched columns of heads not alive.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend, tf } from '../sim/nn/backend.ts';
import { simdGemm } from '../sim/nn/simd-kernels.ts';
import { vkScratchFloats } from '../sim/nn/simd-select.ts';
import { attendAllHeads, columnSumsF32, keepLargestPerRow } from '../sim/nn/attention.ts';
import { attendExamplesSimd } from '../sim/nn/attn-simd.ts';
import { mulberry32 } from '../sim/nn/rng.ts';

test('SIMD Q·Kᵀ and P·V equal tf.matMul bit for bit', async () => {
  await initBackend();
  const rng = mulberry32(41);
  const rnd = (n: number, s: number) => Float32Array.from({ length: n }, () => (rng() - 0.5) * s);
  let cases = 0;
  for (const dh of [4, 8, 12, 16, 32, 64]) {
    for (const [m, n] of [[1, 1], [5, 3], [24, 24], [33, 130], [77, 77], [128, 128]]) {
      const g = simdGemm(dh);
      const Q = rnd(m * dh, 4), KT = rnd(dh * n, 4), P = Float32Array.from({ length: m * n }, () => (rng() < 0.3 ? 0 : rng()));
      const V = rnd(n * dh, 2);
      const oQ = 3, oK = oQ + m * dh, oS = oK + dh * n, oP = oS + m * n, oV = oP + m * n, oC = oV + n * dh;
      g.reserve(oC + m * dh);
      const mem = g.view();
      mem.set(Q, oQ); mem.set(KT, oK); mem.set(P, oP); mem.set(V, oV);
      g.qk(oQ, oK, oS, m, n);
      const abs = g.pv(oP, oV, oC, m, n);
      const S = tf.matMul(tf.tensor2d(Q, [m, dh]), tf.tensor2d(KT, [dh, n])).dataSync();
      const C = tf.matMul(tf.tensor2d(P, [m, n]), tf.tensor2d(V, [n, dh])).dataSync();
      const got = g.view();
      for (let i = 0; i < m * n; i++) assert.equal(Object.is(got[oS + i], S[i]), true, `dh ${dh} ${m}×${n} S[${i}] ${got[oS + i]} vs ${S[i]}`);
      for (let i = 0; i < m * dh; i++) assert.equal(Object.is(got[oC + i], C[i]), true, `dh ${dh} ${m}×${n} C[${i}] ${got[oC + i]} vs ${C[i]}`);
      assert.equal(abs, Array.from(C).reduce((s, x) => s + Math.abs(x), 0), "Σ|C| in row order");
      // column sums of P (float32, row by row) and a float32 scaling of Q
      const oCs = oC + m * dh;
      g.reserve(oCs + n + m * dh);
      g.cs(oP, oCs, m, n);
      const want = new Float32Array(n);
      columnSumsF32(P, m, want, n);
      for (let j = 0; j < n; j++) assert.equal(g.view()[oCs + j], want[j], `cs ${j}`);
      g.mul(oQ, oCs + n, m, dh, 0.3, dh, dh);
      for (let i = 0; i < m * dh; i++) assert.equal(g.view()[oCs + n + i], Math.fround(Q[i] * Math.fround(0.3)), `mul ${i}`);
      // bias add and bias + residual add over the m rows of Q (dh columns): one float32 add each, as tf.add
      const oB = oCs + n + m * dh;
      g.reserve(oB + dh + 2 * m * dh);
      const bias = rnd(dh, 3);
      g.view().set(bias, oB);
      g.addBias(oQ, oB, oB + dh, m, dh);
      g.addBias(oQ, oB, oB + dh + m * dh, m, dh, oC);
      const Qb = tf.add(tf.tensor2d(Q, [m, dh]), tf.tensor1d(bias));
      const wantB = Qb.dataSync();
      const wantR = tf.add(tf.tensor2d(C as Float32Array, [m, dh]), Qb).dataSync();
      for (let i = 0; i < m * dh; i++) {
        assert.equal(Object.is(g.view()[oB + dh + i], wantB[i]), true, `bias ${i}`);
        assert.equal(Object.is(g.view()[oB + dh + m * dh + i], wantR[i]), true, `residual ${i}`);
      }
      cases++;
    }
  }
  assert.equal(cases, 36);
  assert.throws(() => simdGemm(6), /multiple of 4/);
});

test('SIMD local V pruning keeps the values ≥ each row\'s k-th largest, as keepLargestPerRow', () => {
  const g = simdGemm(16);
  const run = (P: Float32Array, rows: number, cols: number, k: number, off: number) => {
    const scr = (off + rows * cols + 5) | 1; // scratch off a 16-byte boundary too
    g.reserve(scr + vkScratchFloats(cols));
    const mem = g.view();
    mem.fill(-7, off - 3, scr + vkScratchFloats(cols));
    mem.set(P, off);
    g.vk(off, rows, cols, k, scr);
    assert.deepEqual([...mem.subarray(off - 3, off)], [-7, -7, -7], 'nothing before the rows is written');
    return mem.slice(off, off + rows * cols);
  };
  // by hand: duplicates count, ties with the k-th stay
  const row = Float32Array.from([0.1, 0.4, 0.2, 0.4, 0.3]);
  assert.deepEqual([...run(row, 1, 5, 2, 9)], [0, row[1], 0, row[3], 0]);
  assert.deepEqual([...run(row, 1, 5, 3, 9)], [0, row[1], 0, row[3], row[4]]);
  assert.deepEqual([...run(row, 1, 5, 5, 9)], [...row]);
  assert.deepEqual([...run(row, 1, 5, 1, 9)], [0, row[1], 0, row[3], 0]);
  const rng = mulberry32(43);
  const fills: Array<(i: number, n: number) => number> = [
    () => rng(), // distinct
    () => Math.floor(rng() * 4) / 4, // many ties
    () => (rng() < 0.4 ? 0 : Math.exp(-30 * rng())), // zeros and tiny values
    () => rng() - 0.5, // negative values too
    (i) => i, // ascending: the median-of-three pivot's bad case
    (i, n) => n - i, // descending
    () => 0.25, // all equal
  ];
  let cases = 0;
  for (let cols = 1; cols <= 70; cols++) {
    for (const [f, fill] of fills.entries()) {
      const rows = 1 + ((cols + f) % 3);
      const P = Float32Array.from({ length: rows * cols }, (_, t) => fill(t % cols, cols));
      for (const k of new Set([1, 2, Math.ceil(cols / 2), cols - 1, cols].filter((x) => x >= 1 && x <= cols))) {
        assert.deepEqual(run(P, rows, cols, k, 3 + (cols % 4)), keepLargestPerRow(P, rows, cols, k), `cols ${cols} fill ${f} k ${k}`);
        cases++;
      }
    }
  }
  for (const cols of [128, 129, 131, 256]) {
    const P = Float32Array.from({ length: 2 * cols }, () => rng() * rng());
    for (const k of [1, 37, cols >> 1, cols]) assert.deepEqual(run(P, 2, cols, k, 4), keepLargestPerRow(P, 2, cols, k));
  }
  assert.equal(cases, 2380);
  assert.throws(() => g.vk(0, 1, 4, 0, 16), /k = 0 outside 1\.\.4/);
  assert.throws(() => g.vk(0, 1, 4, 5, 16), /k = 5 outside/);
});

test('batched SIMD attention of a layer equals the per-head TF.js form of each example', async () => {
  await initBackend();
  const rng = mulberry32(43);
  for (const [d, dh] of [[64, 16], [32, 8]]) {
    const H = d / dh;
    for (const valueKeep of [1, 0.5]) {
      // examples of lengths 24..70 (two share a length: one softmax for both), mixed alive heads
      const ms = [40, 24, 40, 70, 31];
      const headSets = [[0, 1, 2, 3], [1, 3], [2], [0, 1, 2, 3], [3, 0]].map((hs) => hs.filter((h) => h < H));
      const n = ms.reduce((s, m) => s + m, 0) + 1;
      const qkv = Float32Array.from({ length: n * 4 * d }, () => (rng() - 0.5) * 6);
      const bases = ms.map((_, i) => 1 + ms.slice(0, i).reduce((s, m) => s + m, 0));
      const ref = ms.map((m, i) => {
        const ctx = new Float32Array(n * d);
        const colSum = new Float64Array(m);
        const r = attendAllHeads({ qkv, stride: 4 * d, base: bases[i], m, d, dh, heads: headSets[i], valueKeep, ctx, colSum });
        return { ctx, colSum, r };
      });
      const ctx = new Float32Array(n * d);
      const exs = ms.map((m, i) => ({ base: bases[i], m, heads: headSets[i], colSum: new Float64Array(m) }));
      const got = attendExamplesSimd({ qkv, stride: 4 * d, d, dh, valueKeep, ctx }, exs);
      ms.forEach((m, i) => {
        const tag = `d ${d} example ${i} m ${m} valueKeep ${valueKeep}`;
        assert.deepEqual(got[i], ref[i].r, tag);
        assert.deepEqual(Array.from(exs[i].colSum), Array.from(ref[i].colSum), tag);
        for (let r = bases[i]; r < bases[i] + m; r++) {
          for (let j = 0; j < d; j++) assert.equal(Object.is(ctx[r * d + j], ref[i].ctx[r * d + j]), true, `${tag} ctx ${r},${j}`);
        }
      });
      for (let j = 0; j < d; j++) assert.equal(ctx[j], 0, 'row 0 belongs to no example');
    }
  }
});

test('SIMD fake quantization equals fakeQuantRows bit for bit (incl. zero, tiny and tie values, × factor; heads one by one and four at a time)', async () => {
  const { fakeQuantRows } = await import('../sim/nn/quant.ts');
  const rng = mulberry32(47);
  // 3 heads: the one-head loop only; 4: the four-head loop only; 9: both
  for (const [dh, heads] of [[4, 3], [16, 3], [32, 3], [4, 4], [16, 4], [16, 9], [32, 9]]) {
    const g = simdGemm(dh);
    const d = heads * dh;
    const n = 37;
    const src = Float32Array.from({ length: n * (d + 5) }, (_, i) => {
      const r = rng();
      if (i % 97 === 0) return 0;
      if (i % 53 === 0) return -0;
      return r < 0.1 ? (rng() - 0.5) * 1e-40 : r < 0.2 ? Math.round((rng() - 0.5) * 16) / 2 : (rng() - 0.5) * 8;
    });
    for (let t = 0; t < dh; t++) { src[t] = 0; src[(d + 5) + dh + t] = (rng() - 0.5) * 1e-42; } // an all-zero and an all-subnormal vector
    for (const bits of [2, 4, 8, 12, 21]) {
      for (const mul of [1, 0.25, 1.7]) {
        const want = new Float32Array(n * d);
        fakeQuantRows(src, d + 5, 0, n, d, dh, bits, 0, want, d, 0, -1, mul);
        g.reserve(2 * n * (d + 5));
        g.view().set(src, 0);
        g.fq(0, n * (d + 5), n, heads, bits, d + 5, d, mul);
        const got = g.view().subarray(n * (d + 5), n * (d + 5) + n * d);
        for (let i = 0; i < want.length; i++) assert.equal(Object.is(got[i], want[i]), true, `dh ${dh} heads ${heads} bits ${bits} mul ${mul} [${i}] ${got[i]} vs ${want[i]}`);
      }
    }
  }
});

test('SIMD LayerNorm equals the engine\'s TF.js LayerNorm bit for bit', async () => {
  await initBackend();
  const rng = mulberry32(53);
  for (const d of [4, 48, 64, 96, 128, 768]) {
    for (const eps of [1e-12, 1e-5]) {
      const n = 33;
      const x = Float32Array.from({ length: n * d }, () => (rng() - 0.5) * 10 + (rng() < 0.1 ? 40 : 0));
      const gm = Float32Array.from({ length: d }, () => rng() * 2);
      const bt = Float32Array.from({ length: d }, () => rng() - 0.5);
      const X = tf.tensor2d(x, [n, d]);
      const { mean, variance } = tf.moments(X, -1, true);
      const want = X.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(tf.tensor1d(gm)).add(tf.tensor1d(bt)).dataSync();
      const g = simdGemm(16);
      g.reserve(2 * n * d + 2 * d);
      const mem = g.view();
      mem.set(x, 0); mem.set(gm, 2 * n * d); mem.set(bt, 2 * n * d + d);
      g.ln(0, n * d, n, d, 2 * n * d, 2 * n * d + d, eps);
      for (let i = 0; i < n * d; i++) assert.equal(Object.is(g.view()[n * d + i], want[i]), true, `d ${d} eps ${eps} [${i}] ${g.view()[n * d + i]} vs ${want[i]}`);
    }
  }
});
