/**
 * The two inner loops of `attendHead` (quant.ts) for heads of dimension 16 (every shipped model),
 * with the query and the 16 context accumulators in registers instead of a loop over a typed
 * array. They execute exactly the same float operations in the same order as the generic loops
 * (a float64 dot product summed t = 0 … 15; each context update rounded to float32, as the
 * generic loop's store into the Float32Array does), so results are bit-identical
 * (test/nn-attn-js.test.ts); ~2× faster on the LM's single-query generation heads.
 */

import { expNormalize } from './mathutil.ts';

/** Row offset of key j: rows[j] · stride + off (rows = null: j · stride + off). */
type Rows = readonly number[] | null;

/** p[0..n) = softmax(q[qo..qo+16) · kᵀ · scale); returns the max probability (softmaxRow for dh = 16). */
export function softmaxRow16(q: Float32Array, qo: number, k: Float32Array, n: number, scale: number, p: Float64Array, stride: number, off: number, rows: Rows, keyBias: Float64Array | null = null): number {
  const q0 = q[qo], q1 = q[qo + 1], q2 = q[qo + 2], q3 = q[qo + 3], q4 = q[qo + 4], q5 = q[qo + 5], q6 = q[qo + 6], q7 = q[qo + 7];
  const q8 = q[qo + 8], q9 = q[qo + 9], q10 = q[qo + 10], q11 = q[qo + 11], q12 = q[qo + 12], q13 = q[qo + 13], q14 = q[qo + 14], q15 = q[qo + 15];
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    const o = (rows ? rows[j] : j) * stride + off;
    let s = 0;
    s += q0 * k[o]; s += q1 * k[o + 1]; s += q2 * k[o + 2]; s += q3 * k[o + 3];
    s += q4 * k[o + 4]; s += q5 * k[o + 5]; s += q6 * k[o + 6]; s += q7 * k[o + 7];
    s += q8 * k[o + 8]; s += q9 * k[o + 9]; s += q10 * k[o + 10]; s += q11 * k[o + 11];
    s += q12 * k[o + 12]; s += q13 * k[o + 13]; s += q14 * k[o + 14]; s += q15 * k[o + 15];
    s *= scale;
    if (keyBias) s += keyBias[j];
    p[j] = s;
    if (s > mx) mx = s;
  }
  return expNormalize(p, n, mx);
}

/** ctx[co..co+16) = Σ_j p[j] · v[row j] in float32 steps, skipping p[j] = 0. */
export function accumulateRow16(p: Float64Array, n: number, v: Float32Array, stride: number, off: number, rows: Rows, ctx: Float32Array, co: number): void {
  const f = Math.fround;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
  let c8 = 0, c9 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0;
  for (let j = 0; j < n; j++) {
    const pj = p[j];
    if (pj === 0) continue;
    const o = (rows ? rows[j] : j) * stride + off;
    c0 = f(c0 + pj * v[o]); c1 = f(c1 + pj * v[o + 1]); c2 = f(c2 + pj * v[o + 2]); c3 = f(c3 + pj * v[o + 3]);
    c4 = f(c4 + pj * v[o + 4]); c5 = f(c5 + pj * v[o + 5]); c6 = f(c6 + pj * v[o + 6]); c7 = f(c7 + pj * v[o + 7]);
    c8 = f(c8 + pj * v[o + 8]); c9 = f(c9 + pj * v[o + 9]); c10 = f(c10 + pj * v[o + 10]); c11 = f(c11 + pj * v[o + 11]);
    c12 = f(c12 + pj * v[o + 12]); c13 = f(c13 + pj * v[o + 13]); c14 = f(c14 + pj * v[o + 14]); c15 = f(c15 + pj * v[o + 15]);
  }
  ctx[co] = c0; ctx[co + 1] = c1; ctx[co + 2] = c2; ctx[co + 3] = c3; ctx[co + 4] = c4; ctx[co + 5] = c5; ctx[co + 6] = c6; ctx[co + 7] = c7;
  ctx[co + 8] = c8; ctx[co + 9] = c9; ctx[co + 10] = c10; ctx[co + 11] = c11; ctx[co + 12] = c12; ctx[co + 13] = c13; ctx[co + 14] = c14; ctx[co + 15] = c15;
}
