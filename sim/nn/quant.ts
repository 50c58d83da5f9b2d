/**
 * Linear symmetric quantization (SpAtten §III-D) and the JS attention kernel that runs it.
 *
 * Granularity: one scale per (token, head) vector, s = max|x| / (2^(b−1) − 1), codes
 * q = clamp(round(x / s), −(2^(b−1) − 1), 2^(b−1) − 1). Bit widths ≥ 32 mean "not quantized".
 * Progressive quantization of keys: the full code has msb + lsb bits; the MSB part is the code
 * with its low `lsb` bits dropped (two's-complement floor, what fetching only the MSB region of
 * DRAM gives), reconstructed at the centre of its bin: (floor(q / 2^lsb) + 0.5) · 2^lsb · s.
 */

import { accumulateRow16, softmaxRow16 } from './row16.ts';
import { expNormalize, kthLargestInPlace } from './mathutil.ts';

export interface QuantPair {
  /** Values as seen from the MSBs only (equal to `full` when lsb = 0). */
  msb: Float32Array;
  /** Values from MSB + LSB. */
  full: Float32Array;
}

/** Quantize consecutive vectors of length `dim` in `x` (in place into a new array) to `bits`. */
export function quantizeVectors(x: Float32Array, dim: number, bits: number): Float32Array {
  if (bits >= 32) return x.slice();
  const out = new Float32Array(x.length);
  const qmax = 2 ** (bits - 1) - 1;
  for (let o = 0; o < x.length; o += dim) {
    let m = 0;
    for (let j = 0; j < dim; j++) m = Math.max(m, Math.abs(x[o + j]));
    if (m === 0) continue;
    const s = m / qmax;
    for (let j = 0; j < dim; j++) out[o + j] = Math.max(-qmax, Math.min(qmax, Math.round(x[o + j] / s))) * s;
  }
  return out;
}

/** MSB / full versions of `x` quantized to msb + lsb bits per vector of length `dim`. */
export function quantizeProgressive(x: Float32Array, dim: number, msbBits: number, lsbBits: number): QuantPair {
  const bits = msbBits + lsbBits;
  if (bits >= 32 || lsbBits <= 0) {
    const q = quantizeVectors(x, dim, Math.min(bits, 32));
    return { msb: q, full: q };
  }
  const msb = new Float32Array(x.length);
  const full = new Float32Array(x.length);
  const qmax = 2 ** (bits - 1) - 1;
  const step = 2 ** lsbBits;
  for (let o = 0; o < x.length; o += dim) {
    let m = 0;
    for (let j = 0; j < dim; j++) m = Math.max(m, Math.abs(x[o + j]));
    if (m === 0) continue;
    const s = m / qmax;
    for (let j = 0; j < dim; j++) {
      const q = Math.max(-qmax, Math.min(qmax, Math.round(x[o + j] / s)));
      full[o + j] = q * s;
      msb[o + j] = (Math.floor(q / step) + 0.5) * step * s;
    }
  }
  return { msb, full };
}

/** Largest absolute reconstruction error of `quantizeVectors` for a vector with max |x| = m. */
export function quantErrorBound(m: number, bits: number): number {
  return bits >= 32 ? 0 : m / (2 ** (bits - 1) - 1) / 2;
}

export interface AttnHeadArgs {
  /** Query rows [nq, dh] (already quantized). */
  q: Float32Array;
  nq: number;
  /** Keys as fetched with MSBs only, and with MSB + LSB, [nk, dh]; values [nk, dh]. */
  kMsb: Float32Array;
  kFull: Float32Array;
  v: Float32Array;
  nk: number;
  dh: number;
  /** Row `i` may attend to keys 0..visible[i]-1 (causal); null = all keys. */
  visible: Int32Array | null;
  /** Local V pruning: fraction of the visible values kept per query row (1 = off). */
  valueKeep: number;
  /** Progressive quantization on: refetch LSBs for rows whose max prob < threshold. */
  progressive: boolean;
  threshold: number;
  /** Optional row stride / column offset of kMsb, kFull and v (default dh / 0: contiguous [nk, dh]). */
  kvStride?: number;
  kvOff?: number;
  /** Optional row of kMsb, kFull and v holding key j (default j): reads a KV cache in place. */
  kvRows?: readonly number[];
  /**
   * Optional per-key additive score bias, after the 1/√dh scaling (ALiBi: slope × key position j;
   * the query's own −slope·i is the same for every key of a row, so the softmax does not see it).
   */
  keyBias?: Float64Array | null;
  /** Outputs: ctx [nq, dh] (written), colSum [nk] (accumulated). */
  ctx: Float32Array;
  colSum: Float32Array;
}

export interface AttnHeadStats {
  /** Rows whose LSBs were refetched. */
  refetchedRows: number;
  /** Σ |ctx| (head importance contribution). */
  absSum: number;
  /** Σ over rows of values multiplied (after local V pruning) and of visible keys. */
  valuesKept: number;
  valuesVisible: number;
}

function keepCountLocal(total: number, fraction: number): number {
  if (total <= 0) return 0;
  if (fraction >= 1) return total;
  return Math.min(total, Math.max(1, Math.round(total * fraction)));
}

/**
 * One attention head in plain JS: scores = q·kᵀ/√dh → softmax → (LSB refetch + recompute when
 * max prob < threshold) → column sums into `colSum` (token importance, from the full
 * distribution) → local V pruning (keep the largest probabilities, no renormalisation: the
 * hardware multiplies the remaining probabilities with the fetched V) → ctx = p·v.
 */
export function attendHead(a: AttnHeadArgs): AttnHeadStats {
  const q = a.q;
  const nq = a.nq;
  const nk = a.nk;
  const dh = a.dh;
  const visible = a.visible;
  const v = a.v;
  const ctx = a.ctx;
  const colSum = a.colSum;
  const scale = 1 / Math.sqrt(dh);
  const stride = a.kvStride ?? dh;
  const off = a.kvOff ?? 0;
  const rows = a.kvRows ?? null;
  const kb = a.keyBias ?? null;
  const p = new Float64Array(nk);
  let refetchedRows = 0;
  let absSum = 0;
  let valuesKept = 0;
  let valuesVisible = 0;
  for (let i = 0; i < nq; i++) {
    const n = visible ? visible[i] : nk;
    const qo = i * dh;
    const pmax = dh === 16 ? softmaxRow16(q, qo, a.kMsb, n, scale, p, stride, off, rows, kb) : softmaxRow(q, qo, a.kMsb, n, dh, scale, p, stride, off, rows, kb);
    if (a.progressive && pmax < a.threshold) {
      refetchedRows++;
      if (dh === 16) softmaxRow16(q, qo, a.kFull, n, scale, p, stride, off, rows, kb);
      else softmaxRow(q, qo, a.kFull, n, dh, scale, p, stride, off, rows, kb);
    }
    for (let j = 0; j < n; j++) colSum[j] += p[j];
    // Local V pruning.
    const kv = keepCountLocal(n, a.valueKeep);
    valuesKept += kv;
    valuesVisible += n;
    if (kv < n) pruneSmallest(p, n, kv);
    const co = i * dh;
    if (dh === 16) accumulateRow16(p, n, v, stride, off, rows, ctx, co);
    else accumulateRow(p, n, v, dh, stride, off, rows, ctx, co);
    for (let t = 0; t < dh; t++) absSum += Math.abs(ctx[co + t]);
  }
  return { refetchedRows, absSum, valuesKept, valuesVisible };
}

/** ctx[co..co+dh) = Σ_j p[j] · v[row j] (float32 accumulation in the output array), skipping p[j] = 0. */
function accumulateRow(p: Float64Array, n: number, v: Float32Array, dh: number, stride: number, off: number, rows: readonly number[] | null, ctx: Float32Array, co: number): void {
  for (let t = 0; t < dh; t++) ctx[co + t] = 0;
  for (let j = 0; j < n; j++) {
    const pj = p[j];
    if (pj === 0) continue;
    const vo = (rows ? rows[j] : j) * stride + off;
    for (let t = 0; t < dh; t++) ctx[co + t] += pj * v[vo + t];
  }
}

/** p[0..n) = softmax(q_row · kᵀ · scale) (key j in row rows[j] of k, or j); returns the max probability. */
function softmaxRow(q: Float32Array, qo: number, k: Float32Array, n: number, dh: number, scale: number, p: Float64Array, stride: number, off: number, rows: readonly number[] | null, keyBias: Float64Array | null): number {
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    let s = 0;
    const ko = (rows ? rows[j] : j) * stride + off;
    for (let t = 0; t < dh; t++) s += q[qo + t] * k[ko + t];
    s *= scale;
    if (keyBias) s += keyBias[j];
    p[j] = s;
    if (s > mx) mx = s;
  }
  return expNormalize(p, n, mx);
}

/**
 * Zero all but the `keep` largest of p[0..n) (ties: lower index kept) — what ranking by value
 * (descending, then index) and zeroing from rank `keep` on does, in O(n): the keep-th largest
 * value by quickselect, then every larger entry and the first (keep − #larger) equal ones stay.
 */
export function pruneSmallest(p: Float64Array, n: number, keep: number): void {
  if (keep >= n) return;
  if (keep <= 0) {
    p.fill(0, 0, n);
    return;
  }
  const kth = kthLargest64(p, n, keep);
  let larger = 0;
  for (let j = 0; j < n; j++) if (p[j] > kth) larger++;
  let equalLeft = keep - larger;
  for (let j = 0; j < n; j++) {
    if (p[j] > kth) continue;
    if (p[j] === kth && equalLeft > 0) equalLeft--;
    else p[j] = 0;
  }
}

/** The k-th largest of p[0..n) (1 ≤ k ≤ n, duplicates counted) by quickselect on a copy. */
function kthLargest64(p: Float64Array, n: number, k: number): number {
  return kthLargestInPlace(p.slice(0, n), n, k);
}

/**
 * Top-k that keeps the original order (SpAtten's top-k engine output, §IV-B): the indices of the
 * k largest scores, returned in increasing index order. Ties go to the lower index. Indices in
 * `protect` are always kept (they count towards k). In O(n): the k-th largest of the other scores
 * by quickselect, then every larger one and the first equal ones, in index order — the selection
 * of ranking by (score descending, index) that `topkKeepOrderBySort` makes. Scores with a NaN
 * (which has no rank) take that sort.
 */
export function topkKeepOrder(scores: ArrayLike<number>, k: number, protect: number[] = []): number[] {
  const n = scores.length;
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const kept = new Uint8Array(n);
  let size = 0;
  for (const p of protect) if (p >= 0 && p < n && kept[p] === 0) (kept[p] = 1), size++;
  const need = k - size;
  if (need > 0) {
    const cand = new Float64Array(n - size);
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (kept[i]) continue;
      const x = scores[i];
      if (x !== x) return topkKeepOrderBySort(scores, k, protect);
      cand[m++] = x;
    }
    const kth = kthLargestInPlace(cand, m, need);
    let equalLeft = need;
    for (let i = 0; i < n; i++) if (!kept[i] && scores[i] > kth) equalLeft--;
    for (let i = 0; i < n; i++) {
      if (kept[i]) continue;
      const x = scores[i];
      if (x > kth) kept[i] = 2;
      else if (x === kth && equalLeft > 0) (kept[i] = 2), equalLeft--;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (kept[i]) out.push(i);
  return out;
}

/** `topkKeepOrder` by sorting the indices (score descending, then index): the definition, and the path for scores with a NaN. */
export function topkKeepOrderBySort(scores: ArrayLike<number>, k: number, protect: number[] = []): number[] {
  const n = scores.length;
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const keep = new Set<number>();
  for (const p of protect) if (p >= 0 && p < n && keep.size < Math.max(k, protect.length)) keep.add(p);
  const idx = Array.from({ length: n }, (_, i) => i).filter((i) => !keep.has(i));
  idx.sort((x, y) => scores[y] - scores[x] || x - y);
  for (const i of idx) {
    if (keep.size >= k) break;
    keep.add(i);
  }
  return [...keep].sort((x, y) => x - y);
}

/**
 * The engine's per-(row, head) fake quantization (Engine.fq) in plain JS, bit-identical to the
 * TF.js op sequence: every step is one IEEE float32 operation (Math.fround after each), rounding
 * is half-to-even like tf.round. Reads columns [srcOff, srcOff + d) of the rows of `src` (row
 * stride `srcStride`), writes the dequantized values × `mul` (a float32 factor; 1 = none) to
 * columns [dstOff, …) of `dst` (stride `dstStride`); with lsb > 0 the MSB-only reconstruction
 * goes to `msbOff` (and the full code to `dstOff`); with lsb = 0 a given `msbOff` gets a copy.
 * Bit widths ≥ 32 copy (× mul). `mul` is not applied to the MSB copy (only used for Q).
 */
export function fakeQuantRows(
  src: Float32Array, srcStride: number, srcOff: number, n: number, d: number, dh: number,
  bits: number, lsb: number, dst: Float32Array, dstStride: number, dstOff: number, msbOff = -1, mul = 1,
): void {
  const f = Math.fround(mul);
  if (lsb <= 0 && bits < 22 && (msbOff < 0 || f === 1)) {
    fakeQuantRowsNarrow(src, srcStride, srcOff, n, d, dh, bits, dst, dstStride, dstOff, f);
    if (msbOff >= 0) for (let i = 0; i < n; i++) dst.copyWithin(i * dstStride + msbOff, i * dstStride + dstOff, i * dstStride + dstOff + d);
    return;
  }
  const total = bits + lsb;
  if (total >= 32) {
    for (let i = 0; i < n; i++) {
      const s = i * srcStride + srcOff;
      const o = i * dstStride;
      for (let j = 0; j < d; j++) {
        const v = f === 1 ? src[s + j] : Math.fround(src[s + j] * f);
        dst[o + dstOff + j] = v;
        if (msbOff >= 0) dst[o + msbOff + j] = v;
      }
    }
    return;
  }
  const qmax = 2 ** (total - 1) - 1;
  const step = 2 ** lsb;
  for (let i = 0; i < n; i++) {
    for (let h0 = 0; h0 < d; h0 += dh) {
      const s = i * srcStride + srcOff + h0;
      const o = i * dstStride + h0;
      let m = 0;
      for (let t = 0; t < dh; t++) { const a = Math.abs(src[s + t]); if (a > m) m = a; }
      const sc = m === 0 ? 1 : Math.fround(m / qmax);
      for (let t = 0; t < dh; t++) {
        // Round half to even (tf.round); x + 0.5 is exact in float64 for a float32 x. Integer
        // codes (|q| ≤ 2^30) as int32: a −0 code becomes +0 (the same value).
        const x = Math.fround(src[s + t] / sc);
        let q = Math.floor(x + 0.5) | 0;
        if (q - x === 0.5 && (q & 1) !== 0) q -= 1;
        if (q > qmax) q = qmax; else if (q < -qmax) q = -qmax;
        const full = Math.fround(q * sc);
        dst[o + dstOff + t] = f === 1 ? full : Math.fround(full * f);
        if (msbOff >= 0) dst[o + msbOff + t] = lsb > 0 ? Math.fround((Math.floor(q / step) + 0.5) * step * sc) : full;
      }
    }
  }
}

/** 1.5·2^52: (x + ROUND_MAGIC) − ROUND_MAGIC rounds a float64 |x| < 2^51 to an integer, half to even (as tf.round). */
const ROUND_MAGIC = 6755399441055744;

/**
 * `fakeQuantRows` without LSBs at widths below 22 bits (the engine's usual case), the same
 * float32 operations without the clamp to ±qmax: with the scale s = fround(max|x| / qmax) normal,
 * |x / s| ≤ qmax·(1 + 2^-23), whose float32 rounding stays below qmax + 0.5 for qmax < 2^21, so
 * the rounded code is already within ±qmax. A vector whose scale is zero or subnormal (all |x|
 * tiny) takes the clamped loop.
 */
function fakeQuantRowsNarrow(
  src: Float32Array, srcStride: number, srcOff: number, n: number, d: number, dh: number,
  bits: number, dst: Float32Array, dstStride: number, dstOff: number, f: number,
): void {
  const qmax = 2 ** (bits - 1) - 1;
  for (let i = 0; i < n; i++) {
    for (let h0 = 0; h0 < d; h0 += dh) {
      const s = i * srcStride + srcOff + h0;
      const o = i * dstStride + dstOff + h0;
      let m = 0;
      for (let t = 0; t < dh; t++) {
        const a = Math.abs(src[s + t]);
        m = a > m ? a : m;
      }
      const sc = m === 0 ? 1 : Math.fround(m / qmax);
      if (sc < 2 ** -126) {
        for (let t = 0; t < dh; t++) {
          const x = Math.fround(src[s + t] / sc);
          let q = Math.floor(x + 0.5) | 0;
          if (q - x === 0.5 && (q & 1) !== 0) q -= 1;
          if (q > qmax) q = qmax; else if (q < -qmax) q = -qmax;
          dst[o + t] = f === 1 ? Math.fround(q * sc) : Math.fround(Math.fround(q * sc) * f);
        }
        continue;
      }
      for (let t = 0; t < dh; t++) {
        const q = Math.fround(src[s + t] / sc) + ROUND_MAGIC - ROUND_MAGIC;
        dst[o + t] = f === 1 ? Math.fround(q * sc) : Math.fround(Math.fround(q * sc) * f);
      }
    }
  }
}
