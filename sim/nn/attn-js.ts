/**
 * All alive heads of one short example in plain JS (float64 arithmetic on the float32 operands):
 * the same computation as `attendAllHeads` (attention.ts) — S = (Q/√dh)·Kᵀ, row softmax, column
 * sums of the full probabilities, local V pruning (a row keeps the entries ≥ its kv-th largest),
 * ctx = P·V, per-head Σ|ctx| — without any TF.js op. For a few dozen alive tokens a head is a
 * few hundred thousand FLOPs, less than the fixed cost of the ~8 TF.js ops (tensor uploads, two
 * matMuls with a freshly packed operand, softmax, read-backs) the per-head TF.js form needs.
 * The values differ from the float32 TF.js kernels only by rounding.
 */
import type { AllHeadsArgs } from './attention.ts';
import { kthLargest } from './attention.ts';

/**
 * Alive tokens below which the engine runs an example's attention here rather than in TF.js
 * (measured on the wasm backend with 4 heads of dim 16: JS 2.2× faster at m = 16, 1.1–1.3× at
 * m = 24, 2× slower at m = 32).
 */
export const JS_ATTENTION_BELOW = 24;

function keepCountLocal(total: number, fraction: number): number {
  if (total <= 0) return 0;
  if (fraction >= 1) return total;
  return Math.min(total, Math.max(1, Math.round(total * fraction)));
}

/** Head h's K and Vᵀ of the example's rows as contiguous operands: K [m, dh], VT [dh, m]. */
function packKV(a: AllHeadsArgs, h: number, K: Float64Array, VT: Float64Array): void {
  const { qkv, stride, base, m, d, dh } = a;
  for (let i = 0, r = base * stride + h * dh; i < m; i++, r += stride) {
    for (let t = 0; t < dh; t++) {
      K[i * dh + t] = qkv[r + d + t];
      VT[t * m + i] = qkv[r + 3 * d + t];
    }
  }
}

/** row[j] = q·K[j] for j < m (dh a multiple of 4: four partial sums); returns the row maximum. */
function scoreRow(q: Float64Array, K: Float64Array, m: number, dh: number, row: Float64Array): number {
  let mx = -Infinity;
  for (let j = 0, o = 0; j < m; j++, o += dh) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let t = 0; t < dh; t += 4) {
      s0 += q[t] * K[o + t];
      s1 += q[t + 1] * K[o + t + 1];
      s2 += q[t + 2] * K[o + t + 2];
      s3 += q[t + 3] * K[o + t + 3];
    }
    const s = s0 + s1 + (s2 + s3);
    row[j] = s;
    if (s > mx) mx = s;
  }
  return mx;
}

/** scoreRow for dh = 16 with the query in registers. */
function scoreRow16(q: Float64Array, K: Float64Array, m: number, row: Float64Array): number {
  const q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5], q6 = q[6], q7 = q[7];
  const q8 = q[8], q9 = q[9], q10 = q[10], q11 = q[11], q12 = q[12], q13 = q[13], q14 = q[14], q15 = q[15];
  let mx = -Infinity;
  for (let j = 0, o = 0; j < m; j++, o += 16) {
    const s = (q0 * K[o] + q1 * K[o + 1] + q2 * K[o + 2] + q3 * K[o + 3]) + (q4 * K[o + 4] + q5 * K[o + 5] + q6 * K[o + 6] + q7 * K[o + 7])
      + ((q8 * K[o + 8] + q9 * K[o + 9] + q10 * K[o + 10] + q11 * K[o + 11]) + (q12 * K[o + 12] + q13 * K[o + 13] + q14 * K[o + 14] + q15 * K[o + 15]));
    row[j] = s;
    if (s > mx) mx = s;
  }
  return mx;
}

/** In place: row ← softmax(row) given its maximum; adds the probabilities to colSum. */
function softmaxInPlace(row: Float64Array, m: number, mx: number, colSum: Float64Array): void {
  let z = 0;
  for (let j = 0; j < m; j++) {
    const e = Math.exp(row[j] - mx);
    row[j] = e;
    z += e;
  }
  const inv = 1 / z;
  for (let j = 0; j < m; j++) {
    const p = row[j] * inv;
    row[j] = p;
    colSum[j] += p;
  }
}

/** Dot product of row[0..m) with VT[t·m ..] (four partial sums). */
function dotRow(row: Float64Array, VT: Float64Array, o: number, m: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    s0 += row[j] * VT[o + j];
    s1 += row[j + 1] * VT[o + j + 1];
    s2 += row[j + 2] * VT[o + j + 2];
    s3 += row[j + 3] * VT[o + j + 3];
  }
  for (; j < m; j++) s0 += row[j] * VT[o + j];
  return s0 + s1 + (s2 + s3);
}

/** Scratch buffers, grown on demand (one engine per thread). */
let scratch = { n: 0, K: new Float64Array(0), VT: new Float64Array(0), row: new Float64Array(0), q: new Float64Array(0), f32: new Float32Array(0), buf: new Float32Array(0) };

function buffers(m: number, dh: number): typeof scratch {
  const n = Math.max(m * dh, m);
  if (scratch.n < n || scratch.q.length < dh) {
    const c = Math.max(n, 2 * scratch.n);
    scratch = { n: c, K: new Float64Array(c), VT: new Float64Array(c), row: new Float64Array(c), q: new Float64Array(Math.max(dh, 64)), f32: new Float32Array(c), buf: new Float32Array(c) };
  }
  return scratch;
}

/** Local V pruning of one probability row: entries below the row's kv-th largest become 0. */
function keepLargest(row: Float64Array, m: number, kv: number, s: typeof scratch): void {
  for (let j = 0; j < m; j++) s.f32[j] = row[j];
  const kth = kthLargest(s.f32, m, kv, s.buf);
  for (let j = 0; j < m; j++) if (s.f32[j] < kth) row[j] = 0;
}

/** See the module comment; same arguments and results as `attendAllHeads`. Needs dh % 4 = 0. */
export function attendAllHeadsJs(a: AllHeadsArgs): { absSum: number[]; valuesKept: number; valuesVisible: number } {
  const { qkv, stride, base, m, d, dh, heads } = a;
  const scale = 1 / Math.sqrt(dh);
  const kv = keepCountLocal(m, a.valueKeep);
  const s = buffers(m, dh);
  const absSum = heads.map((h) => {
    packKV(a, h, s.K, s.VT);
    let abs = 0;
    for (let i = 0; i < m; i++) {
      const r = (base + i) * stride + h * dh;
      for (let t = 0; t < dh; t++) s.q[t] = qkv[r + t] * scale;
      const mx = dh === 16 ? scoreRow16(s.q, s.K, m, s.row) : scoreRow(s.q, s.K, m, dh, s.row);
      softmaxInPlace(s.row, m, mx, a.colSum);
      if (kv < m) keepLargest(s.row, m, kv, s);
      const o = (base + i) * d + h * dh;
      for (let t = 0; t < dh; t++) {
        const x = dotRow(s.row, s.VT, t * m, m);
        a.ctx[o + t] = x;
        abs += Math.abs(a.ctx[o + t]);
      }
    }
    return abs;
  });
  return { absSum, valuesKept: kv * m, valuesVisible: m * m };
}
