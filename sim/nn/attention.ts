/**
 * TF.js version of `attendHead` (quant.ts) for many-query heads (summarization stage): Q·Kᵀ and
 * P·V run as non-transposed 2-D matMuls (the wasm fast path; Kᵀ is transposed in JS), softmax in
 * TF.js; the per-row decisions (LSB refetch, local V pruning) and the column sums run in JS on the
 * read-back probabilities. Same semantics as attendHead (float32 instead of float64 softmax).
 */
import { tf } from './backend.ts';
import { attendHead, pruneSmallest, type AttnHeadArgs, type AttnHeadStats } from './quant.ts';
import { kthLargestInPlace } from './mathutil.ts';

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

let lastMask: { visible: Int32Array; nq: number; nk: number; mask: Float32Array } | null = null;

/** Additive mask [nq, nk]: −1e9 where key j ≥ visible[i]; the last one is reused (a prompt pass asks for the same mask for every head). */
function causalMask(visible: Int32Array, nq: number, nk: number): Float32Array {
  const same = (c: NonNullable<typeof lastMask>) => c.nq === nq && c.nk === nk && c.visible.every((v, i) => v === visible[i]);
  if (lastMask && same(lastMask)) return lastMask.mask;
  const mask = new Float32Array(nq * nk);
  for (let i = 0; i < nq; i++) for (let j = visible[i]; j < nk; j++) mask[i * nk + j] = -1e9;
  lastMask = { visible: visible.slice(0, nq), nq, nk, mask };
  return mask;
}

export function attendHeadFast(a: AttnHeadArgs): AttnHeadStats {
  if (a.nq < TF_MIN_QUERIES || a.kvRows || (a.kvStride !== undefined && a.kvStride !== a.dh)) return attendHead(a);
  const { nq, nk, dh, visible } = a;
  const scale = 1 / Math.sqrt(dh);
  const mask = visible ? causalMask(visible, nq, nk) : null;
  if (!visible || a.valueKeep >= 1) return attendOnDevice(a, mask);
  const qT = tf.tensor2d(a.q, [nq, dh]);
  const probs = (k: Float32Array): Float32Array => {
    const t = tf.tidy(() => {
      let s = tf.matMul(qT, tf.tensor2d(transpose(k, nk, dh), [dh, nk])).mul(scale);
      if (a.keyBias) s = s.add(tf.tensor2d(Float32Array.from(a.keyBias.subarray(0, nk)), [1, nk]));
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
 * Local V pruning: a row keeps the probabilities ≥ its k-th largest (in JS, keepLargestPerRow).
 */
function attendOnDevice(a: AttnHeadArgs, mask: Float32Array | null): AttnHeadStats {
  const { nq, nk, dh, visible } = a;
  const scale = 1 / Math.sqrt(dh);
  // 1/√dh folded into the queries (one op less per head).
  const qs = new Float32Array(a.q.length);
  for (let i = 0; i < qs.length; i++) qs[i] = a.q[i] * scale;
  const q = tf.tensor2d(qs, [nq, dh]);
  const maskT = mask ? tf.tensor2d(mask, [nq, nk]) : null;
  const biasT = a.keyBias ? tf.tensor2d(Float32Array.from(a.keyBias.subarray(0, nk)), [1, nk]) : null;
  const softmaxWith = (k: Float32Array): Float32Array => {
    const t = tf.tidy(() => {
      let s: tf.Tensor2D = tf.matMul(q, tf.tensor2d(transpose(k, nk, dh), [dh, nk]));
      if (biasT) s = s.add(biasT);
      if (maskT) s = s.add(maskT);
      return tf.softmax(s);
    });
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  };
  // The probabilities are read back once; the LSB refetch (rows whose max < threshold take the
  // full-precision row), the column sums and local V pruning run in JS on them — exact
  // selections and copies, and columnSumsF32 equals the ones·P matMul bit for bit.
  const P = softmaxWith(a.kMsb);
  const refetchedRows = a.progressive ? refetchRows(P, nq, nk, a.threshold, () => softmaxWith(a.kFull)) : 0;
  q.dispose();
  maskT?.dispose();
  biasT?.dispose();
  const cs = new Float32Array(nk);
  columnSumsF32(P, nq, cs, nk);
  for (let j = 0; j < nk; j++) a.colSum[j] += cs[j];
  const kv = keepCountLocal(nk, a.valueKeep);
  // Local V pruning (keepLargestPerRow: the entries ≥ the row's kv-th largest, what tf.topk +
  // greaterEqual + where computed, same values; tf.topk is slow on wasm).
  const Pv = kv < nk ? keepLargestPerRow(P, nq, nk, kv) : P;
  const ctxT = tf.tidy(() => tf.matMul(tf.tensor2d(Pv, [nq, nk]), tf.tensor2d(a.v, [nk, dh])));
  const ctx = ctxT.dataSync() as Float32Array;
  ctxT.dispose();
  a.ctx.set(ctx);
  let absSum = 0;
  for (let i = 0; i < ctx.length; i++) absSum += Math.abs(ctx[i]);
  let valuesVisible = 0;
  for (let i = 0; i < nq; i++) valuesVisible += visible ? visible[i] : nk;
  return { refetchedRows, absSum, valuesKept: kv < nk ? kv * nq : valuesVisible, valuesVisible };
}

/** Progressive quantization: rows of P whose max < threshold are replaced by the full-precision rows; returns their count. */
function refetchRows(P: Float32Array, nq: number, nk: number, threshold: number, full: () => Float32Array): number {
  const flat: number[] = [];
  for (let i = 0; i < nq; i++) {
    let mx = -Infinity;
    for (let j = 0; j < nk; j++) if (P[i * nk + j] > mx) mx = P[i * nk + j];
    if (mx < threshold) flat.push(i);
  }
  if (flat.length === 0) return 0;
  const Pf = full();
  for (const i of flat) P.set(Pf.subarray(i * nk, (i + 1) * nk), i * nk);
  return flat.length;
}

export interface AllHeadsArgs {
  /** Packed projections [*, stride] (columns: Q | K msb | K full | V, each d wide). */
  qkv: Float32Array;
  stride: number;
  /** First packed row of this example and its alive-token count. */
  base: number;
  m: number;
  d: number;
  dh: number;
  /** Alive head indices. */
  heads: number[];
  valueKeep: number;
  /** Outputs: packed ctx [*, d] (rows base..base+m, alive heads' columns written), colSum [m] (accumulated). */
  ctx: Float32Array;
  colSum: Float64Array;
}

/**
 * Column sums of read-back [rows, cols] probabilities (square by default), accumulated in float32 in row order: the
 * same values as the ones[1, m]·P matMul on the wasm backend (checked bit for bit in
 * test/nn-fastpath.test.ts), without packing a fresh [m, m] weight operand per head. Four columns
 * at a time in registers, walking down the rows (the same additions in the same order as a
 * row-by-row pass, without storing the partial sums after every row).
 */
export function columnSumsF32(P: Float32Array, rows: number, out: Float32Array, cols = rows): void {
  const end = rows * cols;
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let o = j; o < end; o += cols) {
      s0 = Math.fround(s0 + P[o]);
      s1 = Math.fround(s1 + P[o + 1]);
      s2 = Math.fround(s2 + P[o + 2]);
      s3 = Math.fround(s3 + P[o + 3]);
    }
    out[j] = s0; out[j + 1] = s1; out[j + 2] = s2; out[j + 3] = s3;
  }
  for (; j < cols; j++) {
    let s0 = 0;
    for (let o = j; o < end; o += cols) s0 = Math.fround(s0 + P[o]);
    out[j] = s0;
  }
}

/** The k-th largest of row[0..n) (duplicates counted, as tf.topk's k-th value), by quickselect on `buf`. */
export function kthLargest(row: Float32Array, n: number, k: number, buf: Float32Array): number {
  for (let j = 0; j < n; j++) buf[j] = row[j];
  return kthLargestInPlace(buf, n, k);
}

/**
 * Rows × cols probabilities with every entry below its row's k-th largest set to 0 (a new array,
 * or `out`, which may be P itself: each row's k-th largest is found on a copy before the row is written).
 */
export function keepLargestPerRow(P: Float32Array, rows: number, cols: number, k: number, out: Float32Array = new Float32Array(rows * cols), buf = new Float32Array(cols)): Float32Array {
  for (let i = 0; i < rows; i++) {
    const row = P.subarray(i * cols, (i + 1) * cols);
    const kth = kthLargest(row, cols, k, buf);
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[o + j] = row[j] >= kth ? row[j] : 0;
  }
  return out;
}

/**
 * Alive tokens below which all heads of an example run as one block-diagonal matMul pair
 * (measured crossover with 4 heads of dim 16 on the wasm backend: per example the block-diagonal
 * form is faster at m = 8–16, the per-head form at m ≥ 32).
 */
export const BLOCK_DIAGONAL_BELOW = 24;

/** Head h of the example's rows: Q·scale [m, dh], Kᵀ [dh, m] and V [m, dh] as contiguous float32 operands. */
function packHead(a: AllHeadsArgs, h: number, scale: number, Q: Float32Array, KT: Float32Array, V: Float32Array): void {
  const { qkv, stride, base, m, d, dh } = a;
  for (let i = 0; i < m; i++) {
    const r = (base + i) * stride + h * dh;
    for (let t = 0; t < dh; t++) {
      Q[i * dh + t] = qkv[r + t] * scale;
      KT[t * m + i] = qkv[r + d + t];
      V[i * dh + t] = qkv[r + 3 * d + t];
    }
  }
}

/**
 * All alive heads of one example, for the non-causal summarization stage without progressive
 * quantization (the BERT case). Per head: S = Q·Kᵀ as a non-transposed 2-D matMul ([m, dh] ×
 * [dh, m], Kᵀ transposed in JS: the wasm backend's fast path — its batched matMul and its
 * transposed-B form run a naive loop at ~1 GFLOP/s), softmax, column sums in JS (columnSumsF32),
 * local V pruning by a per-row k-th largest value (JS), ctx = P·V ([m, m] × [m, dh]). Only the useful
 * FLOPs are executed (a block-diagonal all-heads form multiplied hA× of them). Every value is
 * computed by the same float32 kernels over the same operands in the same order as that
 * block-diagonal form (whose extra terms were exact zeros). Returns per-head Σ|ctx| and the
 * values kept per head.
 */
export function attendAllHeads(a: AllHeadsArgs): { absSum: number[]; valuesKept: number; valuesVisible: number } {
  if (a.m < BLOCK_DIAGONAL_BELOW) return attendAllHeadsBlockDiagonal(a);
  const { qkv, stride, base, m, d, dh, heads } = a;
  const hA = heads.length;
  const scale = 1 / Math.sqrt(dh);
  const kv = keepCountLocal(m, a.valueKeep);
  const cs = new Float32Array(m);
  const Q = new Float32Array(m * dh);
  const KT = new Float32Array(dh * m);
  const V = new Float32Array(m * dh);
  const absSum = new Array<number>(hA).fill(0);
  for (let hi = 0; hi < hA; hi++) {
    const h = heads[hi];
    packHead(a, h, scale, Q, KT, V);
    let cx: Float32Array;
    let P: Float32Array;
    if (kv >= m) {
      const [pT, ctxT] = tf.tidy(() => {
        const Pt = tf.softmax(tf.matMul(tf.tensor2d(Q, [m, dh]), tf.tensor2d(KT, [dh, m]))) as tf.Tensor2D;
        return [Pt, tf.matMul(Pt, tf.tensor2d(V, [m, dh]))];
      });
      P = pT.dataSync() as Float32Array;
      cx = ctxT.dataSync() as Float32Array;
      pT.dispose();
      ctxT.dispose();
    } else {
      // Local V pruning in JS on the read-back P: keep the entries ≥ the row's kv-th largest
      // value (what tf.topk + greaterEqual + where computed; tf.topk was ~75% of a valueKeep 0.5 pass).
      const pT = tf.tidy(() => tf.softmax(tf.matMul(tf.tensor2d(Q, [m, dh]), tf.tensor2d(KT, [dh, m]))));
      P = pT.dataSync() as Float32Array;
      pT.dispose();
      const Pv = keepLargestPerRow(P, m, m, kv);
      const ctxT = tf.tidy(() => tf.matMul(tf.tensor2d(Pv, [m, m]), tf.tensor2d(V, [m, dh])));
      cx = ctxT.dataSync() as Float32Array;
      ctxT.dispose();
    }
    columnSumsF32(P, m, cs);
    for (let j = 0; j < m; j++) a.colSum[j] += cs[j];
    let s = 0;
    for (let i = 0; i < m; i++) {
      const o = (base + i) * d + h * dh;
      for (let t = 0; t < dh; t++) {
        const x = cx[i * dh + t];
        a.ctx[o + t] = x;
        s += Math.abs(x);
      }
    }
    absSum[hi] = s;
  }
  return { absSum, valuesKept: kv * m, valuesVisible: m * m };
}

/**
 * The same as `attendAllHeads` for short examples (m < BLOCK_DIAGONAL_BELOW alive tokens): Q·Kᵀ
 * of every head is ONE 2-D matMul against a block-diagonal Kᵀ ([hA·dh, hA·m]), softmax over each
 * head's block, column sums by a ones·P matMul, local V pruning by a per-row k-th largest value
 * (JS), and P·V is ONE matMul against a block-diagonal V. The zero blocks execute hA× the useful FLOPs
 * (only the useful ones are counted) but need one set of TF.js ops per example instead of one per
 * head, which is cheaper when m is small (per-op overhead dominates). The zero terms are exact,
 * so the results equal the per-head form bit for bit (test/nn-fastpath.test.ts).
 */
export function attendAllHeadsBlockDiagonal(a: AllHeadsArgs): { absSum: number[]; valuesKept: number; valuesVisible: number } {
  const { qkv, stride, base, m, d, dh, heads } = a;
  const hA = heads.length;
  const W = hA * dh;
  const scale = 1 / Math.sqrt(dh);
  const Q = new Float32Array(m * W);
  const KT = new Float32Array(W * hA * m);
  const V = new Float32Array(hA * m * W);
  for (let hi = 0; hi < hA; hi++) {
    const h = heads[hi];
    for (let i = 0; i < m; i++) {
      const r = (base + i) * stride;
      for (let t = 0; t < dh; t++) {
        Q[i * W + hi * dh + t] = qkv[r + h * dh + t] * scale;
        KT[(hi * dh + t) * (hA * m) + hi * m + i] = qkv[r + d + h * dh + t];
        V[(hi * m + i) * W + hi * dh + t] = qkv[r + 3 * d + h * dh + t];
      }
    }
  }
  const kv = keepCountLocal(m, a.valueKeep);
  const [csT, ctxT] = tf.tidy(() => {
    const S = tf.matMul(tf.tensor2d(Q, [m, W]), tf.tensor2d(KT, [W, hA * m]));
    const P3 = tf.softmax(S.reshape([m, hA, m]));
    const P = P3.reshape([m, hA * m]) as tf.Tensor2D;
    let Pv = P;
    // Local V pruning on the read-back P (rows of m per query and head), as in attendAllHeads.
    if (kv < m) Pv = tf.tensor2d(keepLargestPerRow(P.dataSync() as Float32Array, m * hA, m, kv), [m, hA * m]);
    return [tf.matMul(tf.ones([1, m]) as tf.Tensor2D, P), tf.matMul(Pv, tf.tensor2d(V, [hA * m, W]))];
  });
  const cs = csT.dataSync() as Float32Array;
  const cx = ctxT.dataSync() as Float32Array;
  csT.dispose();
  ctxT.dispose();
  for (let hi = 0; hi < hA; hi++) for (let j = 0; j < m; j++) a.colSum[j] += cs[hi * m + j];
  const absSum = new Array<number>(hA).fill(0);
  for (let i = 0; i < m; i++) {
    const o = (base + i) * d;
    for (let hi = 0; hi < hA; hi++) {
      const h = heads[hi];
      for (let t = 0; t < dh; t++) {
        const x = cx[i * W + hi * dh + t];
        a.ctx[o + h * dh + t] = x;
        absSum[hi] += Math.abs(x);
      }
    }
  }
  return { absSum, valuesKept: kv * m, valuesVisible: m * m };
}
