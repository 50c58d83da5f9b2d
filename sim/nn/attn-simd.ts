/**
 * All alive heads of many examples of one BERT layer at once (non-causal summarization stage, no
 * progressive quantization): the same computation, in the same float32 operations, as
 * `attendAllHeads` (attention.ts) per example, with its matMuls in WebAssembly SIMD
 * (simd-gemm.ts, equal to `tf.matMul` bit for bit) and ONE TF.js softmax per layer for all heads
 * of all examples with the same alive-token count (rows are independent, so the batched softmax
 * gives every row the values of the per-head one). Per head: S = (Q/√dh)·Kᵀ (wasm), softmax
 * (TF.js, batched), column sums of P (JS, columnSumsF32), local V pruning by a per-row k-th
 * largest value (JS), ctx = P·V (wasm). Results are identical to `attendAllHeads`
 * (test/nn-simd-gemm.test.ts); the per-head TF.js ops (three uploads, two matMuls that each pack
 * a new operand, a softmax, two read-backs) are gone.
 */
import { tf } from './backend.ts';
import { columnSumsF32, keepLargestPerRow } from './attention.ts';
import { simdGemm } from './simd-gemm.ts';

/** One example's part of the layer: packed rows base..base+m−1, alive heads, column-sum accumulator. */
export interface ExampleHeads {
  base: number;
  m: number;
  heads: number[];
  colSum: Float64Array;
}

export interface LayerArgs {
  /** Packed projections [*, stride] (columns: Q | K msb | K full | V, each d wide). */
  qkv: Float32Array;
  stride: number;
  d: number;
  dh: number;
  valueKeep: number;
  /** Output: packed ctx [*, d] (the alive heads' columns of each example's rows are written). */
  ctx: Float32Array;
}

export interface HeadsResult {
  absSum: number[];
  valuesKept: number;
  valuesVisible: number;
}

function keepCountLocal(total: number, fraction: number): number {
  if (total <= 0) return 0;
  if (fraction >= 1) return total;
  return Math.min(total, Math.max(1, Math.round(total * fraction)));
}

/**
 * Every example's heads (dh a multiple of 4); returns per example what `attendAllHeads` returns,
 * in the order of `examples`.
 */
export function attendExamplesSimd(a: LayerArgs, examples: ExampleHeads[]): HeadsResult[] {
  const out: HeadsResult[] = new Array(examples.length);
  const byM = new Map<number, number[]>();
  examples.forEach((e, i) => {
    const g = byM.get(e.m);
    if (g) g.push(i);
    else byM.set(e.m, [i]);
  });
  for (const [m, idx] of byM) {
    const nHeads = idx.reduce((s, i) => s + examples[i].heads.length, 0);
    if (nHeads === 0) {
      for (const i of idx) out[i] = { absSum: [], valuesKept: 0, valuesVisible: 0 };
      continue;
    }
    attendGroup(a, m, idx.map((i) => examples[i]), nHeads).forEach((r, k) => (out[idx[k]] = r));
  }
  return out;
}

/** Examples with the same alive-token count m: all their S in one block, one softmax. */
function attendGroup(a: LayerArgs, m: number, exs: ExampleHeads[], nHeads: number): HeadsResult[] {
  const { qkv, stride, d, dh } = a;
  const g = simdGemm(dh);
  const mm = m * m;
  // wasm memory (floats): Q [m, dh] | Kᵀ [dh, m] | V [m, dh] | C [m, dh] | S/P [nHeads · m, m]
  const oQ = 0, oK = m * dh, oV = 2 * m * dh, oC = 3 * m * dh, oS = 4 * m * dh;
  g.reserve(oS + nHeads * mm);
  const scale = 1 / Math.sqrt(dh);
  let slot = 0;
  for (const e of exs) {
    for (const h of e.heads) {
      const mem = g.view();
      for (let i = 0; i < m; i++) {
        const r = (e.base + i) * stride + h * dh;
        for (let t = 0; t < dh; t++) {
          mem[oQ + i * dh + t] = qkv[r + t] * scale;
          mem[oK + t * m + i] = qkv[r + d + t];
        }
      }
      g.qk(oQ, oK, oS + slot * mm, m, m);
      slot++;
    }
  }
  const pT = tf.tidy(() => tf.softmax(tf.tensor2d(g.view().subarray(oS, oS + nHeads * mm), [nHeads * m, m])));
  const P = pT.dataSync() as Float32Array;
  pT.dispose();
  const kv = keepCountLocal(m, a.valueKeep);
  const cs = new Float32Array(m);
  slot = 0;
  return exs.map((e) => {
    const absSum = e.heads.map((h) => {
      const Ph = P.subarray(slot * mm, (slot + 1) * mm);
      slot++;
      columnSumsF32(Ph, m, cs);
      for (let j = 0; j < m; j++) e.colSum[j] += cs[j];
      const mem = g.view();
      mem.set(kv < m ? keepLargestPerRow(Ph, m, m, kv) : Ph, oS);
      for (let i = 0; i < m; i++) {
        const r = (e.base + i) * stride + 3 * d + h * dh;
        for (let t = 0; t < dh; t++) mem[oV + i * dh + t] = qkv[r + t];
      }
      g.pv(oS, oV, oC, m, m);
      let s = 0;
      for (let i = 0; i < m; i++) {
        const o = (e.base + i) * d + h * dh;
        for (let t = 0; t < dh; t++) {
          const x = mem[oC + i * dh + t];
          a.ctx[o + t] = x;
          s += Math.abs(x);
        }
      }
      return s;
    });
    return { absSum, valuesKept: kv * m, valuesVisible: m * m };
  });
}
