/**
 * All alive heads of many examples of one BERT layer at once (non-causal summarization stage, no
 * progressive quantization): the same computation, in the same float32 operations, as
 * `attendAllHeads` (attention.ts) per example, with its matMuls in WebAssembly SIMD
 * (simd-kernels.ts, equal to `tf.matMul` bit for bit) and ONE TF.js softmax per layer for all heads
 * of all examples with the same alive-token count (rows are independent, so the batched softmax
 * gives every row the values of the per-head one). Per head: S = (Q/√dh)·Kᵀ (wasm), softmax
 * (TF.js, batched), column sums of P (wasm), local V pruning by a per-row k-th largest value
 * (wasm, all rows of a softmax block in one call), ctx = P·V (wasm). Results are identical to `attendAllHeads`
 * (test/nn-simd.test.ts); the per-head TF.js ops (three uploads, two matMuls that each pack
 * a new operand, a softmax, two read-backs) are gone.
 */
import { readInto, tf } from './backend.ts';
import { simdGemm, type SimdGemm } from './simd-kernels.ts';
import { vkScratchFloats } from './simd-select.ts';

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

/** Float offsets in the kernels' memory. */
interface Layout { qkv: number; ctx: number; kt: number; cs: number; s: number; vk: number }

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
  const { qkv, stride, d, dh } = a;
  const g = simdGemm(dh);
  const rows = qkv.length / stride;
  // wasm memory (floats): the layer's Q|K|K|V rows (Q × 1/√dh) | ctx rows [rows, d] | Kᵀ [dh, m] | column sums [m] | S/P of a group
  // | local V pruning's scratch (at a 16-byte boundary)
  const mMax = Math.max(...examples.map((e) => e.m));
  const maxS = Math.max(...[...byM].map(([m, idx]) => m * m * Math.min(idx.reduce((s, i) => s + examples[i].heads.length, 0), Math.max(1, Math.floor(SOFTMAX_CHUNK / (m * m))))));
  const s0 = qkv.length + rows * d + (dh + 1) * mMax;
  const lay: Layout = { qkv: 0, ctx: qkv.length, kt: qkv.length + rows * d, cs: qkv.length + rows * d + dh * mMax, s: s0, vk: (s0 + maxS + 3) & ~3 };
  g.reserve(lay.vk + vkScratchFloats(mMax));
  const mem = g.view();
  mem.set(qkv, lay.qkv);
  mem.fill(0, lay.ctx, lay.ctx + rows * d);
  const scale = 1 / Math.sqrt(dh);
  // Q × scale: one float32 multiply when the scale is a float32 (dh = 4, 16, 64, …), else in JS
  if (Math.fround(scale) === scale) g.mul(lay.qkv, lay.qkv, rows, d, scale, stride, stride);
  else for (let i = 0; i < rows; i++) for (let t = 0; t < d; t++) mem[i * stride + t] = qkv[i * stride + t] * scale;
  for (const [m, idx] of byM) attendGroup(a, g, lay, m, idx.map((i) => examples[i])).forEach((r, k) => (out[idx[k]] = r));
  for (const e of examples) a.ctx.set(mem.subarray(lay.ctx + e.base * d, lay.ctx + (e.base + e.m) * d), e.base * d);
  return out;
}

/** Probabilities per softmax call (floats): S blocks of at most this size stay in the cache between the kernels and TF.js. */
const SOFTMAX_CHUNK = 1 << 18;

/**
 * Examples with the same alive-token count m: their heads' S in blocks of ≤ SOFTMAX_CHUNK floats,
 * one TF.js softmax per block.
 */
function attendGroup(a: LayerArgs, g: SimdGemm, lay: Layout, m: number, exs: ExampleHeads[]): HeadsResult[] {
  const { stride, d, dh } = a;
  const mm = m * m;
  const kv = keepCountLocal(m, a.valueKeep);
  const jobs = exs.flatMap((e) => e.heads.map((h) => ({ e, h })));
  const absSum = new Map<ExampleHeads, number[]>(exs.map((e) => [e, []]));
  const per = Math.max(1, Math.floor(SOFTMAX_CHUNK / mm));
  for (let j0 = 0; j0 < jobs.length; j0 += per) {
    const chunk = jobs.slice(j0, j0 + per);
    chunk.forEach(({ e, h }, k) => {
      const row = lay.qkv + e.base * stride + h * dh;
      g.tr(row + d, lay.kt, m, stride);
      g.qk(row, lay.kt, lay.s + k * mm, m, m, stride);
    });
    // the probabilities back over S, read in place from the backend's heap (no copy per block)
    const mem = g.view();
    readInto(tf.tidy(() => tf.softmax(tf.tensor2d(mem.subarray(lay.s, lay.s + chunk.length * mm), [chunk.length * m, m]))), mem, lay.s);
    // column sums of the whole probabilities, then local V pruning of the block's rows (wasm), then P·V
    chunk.forEach(({ e }, k) => {
      g.cs(lay.s + k * mm, lay.cs, m, m);
      for (let j = 0; j < m; j++) e.colSum[j] += mem[lay.cs + j];
    });
    if (kv < m) g.vk(lay.s, chunk.length * m, m, kv, lay.vk);
    chunk.forEach(({ e, h }, k) => {
      absSum.get(e)!.push(g.pv(lay.s + k * mm, lay.qkv + e.base * stride + 3 * d + h * dh, lay.ctx + e.base * d + h * dh, m, m, stride, d));
    });
  }
  return exs.map((e) => ({ absSum: absSum.get(e)!, valuesKept: kv * m, valuesVisible: m * m }));
}
