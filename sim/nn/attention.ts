/**
 * TF.js version of `attendHead` (quant.ts) for many-query heads (summarization stage): Q·Kᵀ and
 * P·V run as non-transposed 2-D matMuls (the wasm fast path; Kᵀ is transposed in JS), softmax in
 * TF.js; the per-row decisions (LSB refetch, local V pruning) and the column sums run in JS on the
 * read-back probabilities. Same semantics as attendHead (float32 instead of float64 softmax).
 */
import { tf } from './backend.ts';
import { attendHead, pruneSmallest, type AttnHeadArgs, type AttnHeadStats } from './quant.ts';

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}

function keepCountLocal(total: number, fraction: number): number {
  if (total <= 0) return 0;
  if (fraction >= 1) return total;
  return Math.min(total, Math.max(1, Math.round(total * fraction)));
}

/** Queries per head from which the TF.js path is used (below: plain JS is cheaper). */
export const TF_MIN_QUERIES = 8;

export function attendHeadFast(a: AttnHeadArgs): AttnHeadStats {
  if (a.nq < TF_MIN_QUERIES || (a.kvStride !== undefined && a.kvStride !== a.dh)) return attendHead(a);
  const { nq, nk, dh, visible } = a;
  const scale = 1 / Math.sqrt(dh);
  let mask: Float32Array | null = null;
  if (visible) {
    mask = new Float32Array(nq * nk);
    for (let i = 0; i < nq; i++) for (let j = visible[i]; j < nk; j++) mask[i * nk + j] = -1e9;
  }
  if (!visible || a.valueKeep >= 1) return attendOnDevice(a, mask);
  const qT = tf.tensor2d(a.q, [nq, dh]);
  const probs = (k: Float32Array): Float32Array => {
    const t = tf.tidy(() => {
      let s = tf.matMul(qT, tf.tensor2d(transpose(k, nk, dh), [dh, nk])).mul(scale);
      if (mask) s = s.add(tf.tensor2d(mask, [nq, nk]));
      return tf.softmax(s);
    });
    const d = t.dataSync() as Float32Array;
    t.dispose();
    return d;
  };
  const P = probs(a.kMsb);
  let refetchedRows = 0;
  if (a.progressive) {
    const flat: number[] = [];
    for (let i = 0; i < nq; i++) {
      let m = 0;
      const n = visible ? visible[i] : nk;
      for (let j = 0; j < n; j++) if (P[i * nk + j] > m) m = P[i * nk + j];
      if (m < a.threshold) flat.push(i);
    }
    if (flat.length > 0) {
      refetchedRows = flat.length;
      const Pf = probs(a.kFull);
      for (const i of flat) P.set(Pf.subarray(i * nk, (i + 1) * nk), i * nk);
    }
  }
  qT.dispose();
  let valuesKept = 0;
  let valuesVisible = 0;
  const row = new Float64Array(nk);
  for (let i = 0; i < nq; i++) {
    const n = visible ? visible[i] : nk;
    const o = i * nk;
    for (let j = 0; j < n; j++) a.colSum[j] += P[o + j];
    const kv = keepCountLocal(n, a.valueKeep);
    valuesKept += kv;
    valuesVisible += n;
    if (kv < n) {
      for (let j = 0; j < n; j++) row[j] = P[o + j];
      pruneSmallest(row, n, kv);
      for (let j = 0; j < n; j++) P[o + j] = row[j];
    }
  }
  const ctxT = tf.tidy(() => tf.matMul(tf.tensor2d(P, [nq, nk]), tf.tensor2d(a.v, [nk, dh])));
  const ctx = ctxT.dataSync() as Float32Array;
  ctxT.dispose();
  a.ctx.set(ctx);
  let absSum = 0;
  for (let i = 0; i < ctx.length; i++) absSum += Math.abs(ctx[i]);
  return { refetchedRows, absSum, valuesKept, valuesVisible };
}

/**
 * Everything on the device, reading back only the column sums, the row maxima and the context:
 * used when local V pruning keeps the same count in every row (no causal mask) or is off.
 * Local V pruning: a row keeps the probabilities ≥ its k-th largest (tf.topk).
 */
function attendOnDevice(a: AttnHeadArgs, mask: Float32Array | null): AttnHeadStats {
  const { nq, nk, dh, visible } = a;
  const scale = 1 / Math.sqrt(dh);
  // 1/√dh folded into the queries (one op less per head).
  const qs = new Float32Array(a.q.length);
  for (let i = 0; i < qs.length; i++) qs[i] = a.q[i] * scale;
  const q = tf.tensor2d(qs, [nq, dh]);
  const maskT = mask ? tf.tensor2d(mask, [nq, nk]) : null;
  const softmaxWith = (k: Float32Array) =>
    tf.tidy(() => {
      let s: tf.Tensor2D = tf.matMul(q, tf.tensor2d(transpose(k, nk, dh), [dh, nk]));
      if (maskT) s = s.add(maskT);
      return tf.softmax(s) as tf.Tensor2D;
    });
  let P = softmaxWith(a.kMsb);
  let refetchedRows = 0;
  if (a.progressive) {
    const mxT = tf.max(P, 1);
    const mx = mxT.dataSync() as Float32Array;
    mxT.dispose();
    const flat = new Float32Array(nq);
    for (let i = 0; i < nq; i++) if (mx[i] < a.threshold) { flat[i] = 1; refetchedRows++; }
    if (refetchedRows > 0) {
      const Pf = softmaxWith(a.kFull);
      const P2 = tf.tidy(() => tf.where(tf.tensor2d(flat, [nq, 1]).greater(0).tile([1, nk]), Pf, P!)) as tf.Tensor2D;
      P.dispose();
      Pf.dispose();
      P = P2;
    }
  }
  const kv = keepCountLocal(nk, a.valueKeep);
  const [csT, ctxT] = tf.tidy(() => {
    let Pv: tf.Tensor2D = P;
    if (kv < nk) {
      const kth = tf.topk(P, kv).values.slice([0, kv - 1], [nq, 1]);
      Pv = tf.where(P.greaterEqual(kth), P, tf.zerosLike(P)) as tf.Tensor2D;
    }
    // Column sums as a 1×nq · P matMul (an axis-0 Sum is slow on wasm).
    return [tf.matMul(tf.ones([1, nq]) as tf.Tensor2D, P), tf.matMul(Pv, tf.tensor2d(a.v, [nk, dh]))];
  });
  const cs = csT.dataSync() as Float32Array;
  const ctx = ctxT.dataSync() as Float32Array;
  csT.dispose();
  ctxT.dispose();
  P.dispose();
  q.dispose();
  maskT?.dispose();
  for (let j = 0; j < nk; j++) a.colSum[j] += cs[j];
  a.ctx.set(ctx);
  let absSum = 0;
  for (let i = 0; i < ctx.length; i++) absSum += Math.abs(ctx[i]);
  let valuesVisible = 0;
  for (let i = 0; i < nq; i++) valuesVisible += visible ? visible[i] : nk;
  return { refetchedRows, absSum, valuesKept: kv < nk ? kv * nq : valuesVisible, valuesVisible };
}
