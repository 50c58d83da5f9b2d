/**
 * The plain-JS all-heads attention kernel (attn-js.ts, used by the engine for examples with few
 * alive tokens) against the TF.js per-head form (attendAllHeads): the same context, column sums,
 * Σ|ctx| per head and kept-value counts up to float32 rounding, with and without local V pruning,
 * for the dh = 16 kernel and the generic one, and untouched columns of pruned heads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../sim/nn/backend.ts';
import { attendAllHeads, attendAllHeadsBlockDiagonal, BLOCK_DIAGONAL_BELOW } from '../sim/nn/attention.ts';
import { attendAllHeadsJs } from '../sim/nn/attn-js.ts';
import { mulberry32 } from '../sim/nn/rng.ts';

test('JS all-heads attention equals the TF.js per-head form up to float32 rounding', async () => {
  await initBackend();
  const rng = mulberry32(17);
  let cases = 0;
  for (const [d, dh] of [[64, 16], [32, 8]]) {
    const H = d / dh;
    for (const m of [1, 3, 16, 23, 40]) {
      for (const [heads, valueKeep] of [[[0, 1, 2, 3], 1], [[1, 3], 0.5], [[2], 0.3]] as [number[], number][]) {
        const base = 2;
        const qkv = Float32Array.from({ length: (base + m + 1) * 4 * d }, () => (rng() - 0.5) * 6);
        const run = (f: typeof attendAllHeads) => {
          const ctx = new Float32Array((base + m + 1) * d);
          const colSum = new Float64Array(m);
          const r = f({ qkv, stride: 4 * d, base, m, d, dh, heads, valueKeep, ctx, colSum });
          return { ctx, colSum, ...r };
        };
        const tfForm = m < BLOCK_DIAGONAL_BELOW ? attendAllHeadsBlockDiagonal : attendAllHeads;
        const a = run(tfForm);
        const b = run(attendAllHeadsJs);
        const tag = `d ${d} dh ${dh} m ${m} heads ${heads} valueKeep ${valueKeep}`;
        assert.equal(b.valuesKept, a.valuesKept, tag);
        assert.equal(b.valuesVisible, a.valuesVisible, tag);
        b.absSum.forEach((x, hi) => assert.ok(Math.abs(x - a.absSum[hi]) <= 1e-5 * (1 + a.absSum[hi]), `${tag} absSum ${x} vs ${a.absSum[hi]}`));
        b.colSum.forEach((x, j) => assert.ok(Math.abs(x - a.colSum[j]) <= 1e-5, `${tag} colSum ${j}: ${x} vs ${a.colSum[j]}`));
        b.ctx.forEach((x, i) => assert.ok(Math.abs(x - a.ctx[i]) <= 2e-6 * (1 + Math.abs(a.ctx[i])), `${tag} ctx ${i}: ${x} vs ${a.ctx[i]}`));
        // Column sums of all probabilities: each alive head's rows sum to 1.
        const total = b.colSum.reduce((s, x) => s + x, 0);
        assert.ok(Math.abs(total - heads.length * m) < 1e-9 * m * H, `${tag} Σ colSum ${total}`);
        // Rows outside the example and the columns of heads not alive stay 0.
        for (let h = 0; h < H; h++) {
          if (heads.includes(h)) continue;
          for (let i = 0; i < base + m + 1; i++) for (let t = 0; t < dh; t++) assert.equal(b.ctx[i * d + h * dh + t], 0, tag);
        }
        for (let j = 0; j < d; j++) assert.equal(b.ctx[(base + m) * d + j], 0, tag);
        cases++;
      }
    }
  }
  assert.equal(cases, 2 * 5 * 3);
});
