/**
 * The plain-JS all-heads attention kernel (attn-js.ts, used by the engine for examples with few
 * alive tokens) against the TF.js per-head form (attendAllHeads): the same context, column sums,
 * Σ|ctx| per head and kept-value counts up to float32 rounding, with and without local V pruning,
 * for the dh = 16 kernel and the generic one, and untouched columns of pruned heads. Also:
 * attendHead's dh = 16 loops (row16.ts) against the generic loops bit for bit, and pruneSmallest
 * against its ranked-sort definition.
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

/** The generic inner loops of attendHead (quant.ts) for one query row, as written before the dh = 16 kernels. */
function referenceRow(q: Float32Array, k: Float32Array, v: Float32Array, n: number, dh: number, stride: number, off: number, rows: number[] | null): { p: Float64Array; ctx: Float32Array } {
  const p = new Float64Array(n);
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    let s = 0;
    const ko = (rows ? rows[j] : j) * stride + off;
    for (let t = 0; t < dh; t++) s += q[t] * k[ko + t];
    s *= 1 / Math.sqrt(dh);
    p[j] = s;
    if (s > mx) mx = s;
  }
  let z = 0;
  for (let j = 0; j < n; j++) { p[j] = Math.exp(p[j] - mx); z += p[j]; }
  for (let j = 0; j < n; j++) p[j] *= 1 / z;
  const ctx = new Float32Array(dh);
  for (let j = 0; j < n; j++) {
    const vo = (rows ? rows[j] : j) * stride + off;
    for (let t = 0; t < dh; t++) ctx[t] += p[j] * v[vo + t];
  }
  return { p, ctx };
}

test('attendHead at dh = 16 (row16.ts kernels) equals the generic loops bit for bit', async () => {
  const { attendHead } = await import('../sim/nn/quant.ts');
  const rng = mulberry32(23);
  const d = 64;
  const dh = 16;
  const T = 50;
  for (let c = 0; c < 60; c++) {
    const k = Float32Array.from({ length: T * d }, () => (rng() - 0.5) * 6);
    const v = Float32Array.from({ length: T * d }, () => rng() - 0.5);
    const rows = c % 3 === 0 ? null : Array.from({ length: T }, (_, i) => i).filter(() => rng() < 0.7);
    const n = rows ? rows.length : 1 + Math.floor(rng() * T);
    const q = Float32Array.from({ length: dh }, () => (rng() - 0.5) * 4);
    const off = 16 * (c % 4);
    const ctx = new Float32Array(dh);
    const colSum = new Float32Array(n);
    const st = attendHead({ q, nq: 1, kMsb: k, kFull: k, v, nk: n, dh, visible: null, valueKeep: 1, progressive: false, threshold: 0, ctx, colSum, kvStride: d, kvOff: off, kvRows: rows ?? undefined });
    const ref = referenceRow(q, k, v, n, dh, d, off, rows);
    ref.ctx.forEach((x, t) => assert.equal(ctx[t], x, `case ${c} ctx ${t}`));
    ref.p.forEach((x, j) => assert.equal(colSum[j], Math.fround(x), `case ${c} p ${j}`));
    assert.equal(st.absSum, ref.ctx.reduce((s, x) => s + Math.abs(x), 0));
  }
});

test('pruneSmallest keeps exactly the entries a value-then-index ranking keeps (ties to the lower index)', async () => {
  const { pruneSmallest } = await import('../sim/nn/quant.ts');
  const rng = mulberry32(29);
  for (let c = 0; c < 3000; c++) {
    const n = 1 + Math.floor(rng() * 40);
    const ties = c % 2 === 0;
    const p = Float64Array.from({ length: n }, () => (ties ? Math.floor(rng() * 3) / 3 : rng()));
    const keep = 1 + Math.floor(rng() * n);
    const ranked = Array.from({ length: n }, (_, j) => j).sort((x, y) => p[y] - p[x] || x - y);
    const want = p.slice();
    for (let r = keep; r < n; r++) want[ranked[r]] = 0;
    const got = p.slice();
    pruneSmallest(got, n, keep);
    assert.deepEqual(Array.from(got), Array.from(want), `case ${c}: n ${n} keep ${keep}`);
  }
});
