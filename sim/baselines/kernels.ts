/**
 * The kernels PyTorch launches for attention and for the FC/FFN layers of one transformer layer,
 * batch 1, FP32, as the Hugging Face implementations the paper's baselines ran (transformers
 * 2.x/3.x, 2020: `BertSelfAttention`, `GPT2Attention._attn`, `GPT2Block`, `BertLayer`). Each
 * kernel has its FLOPs, its DRAM bytes (every tensor read and written once) and its Fig. 2
 * category, so a platform model can price it and the Fig. 2 breakdown can be checked. Pure.
 *
 * Attention, summarization (BERT; L tokens, h heads, D, d = h·D):
 *   3 × split heads (permute → contiguous copy inside matmul), Q·Kᵀ (bmm), ÷√D, + mask,
 *   softmax, prob·V (bmm), concat heads (permute + contiguous) — 9 kernels.
 * Attention, one generation step (GPT-2, context L including the new token, 1 query):
 *   cat(past K, k), cat(past V, v), stack(present) — the whole KV cache copied three times —,
 *   Q·K (bmm), ÷√D, mask.bool(), where(mask), softmax, prob·V (bmm), merge heads — 10 kernels.
 *   The query/key/value head splits are views (no kernel); dropout is identity in eval.
 * FC, per layer (rows r = tokens processed: L in summarization, 1 per generation step):
 *   GPT-2 block: ln_1, c_attn, c_proj, + residual, ln_2, c_fc, gelu_new (8 element-wise
 *   kernels: pow, ×, +, ×, tanh, +, ×, ×), c_proj, + residual — 4 addmm + 12 others.
 *   BERT layer: query, key, value, attention-output dense, + residual, LayerNorm, intermediate
 *   dense, gelu, output dense, + residual, LayerNorm — 6 addmm + 5 others.
 */
import type { ModelShape } from '../workload/models.ts';

export type KernelCategory = 'qk' | 'pv' | 'softmax' | 'movement' | 'fc' | 'elementwise';

export interface Kernel {
  name: string;
  category: KernelCategory;
  /** Dense GEMM/GEMV through cuBLAS/MKL (priced with the matmul fixed cost on GPUs). */
  matmul: boolean;
  flops: number;
  bytes: number;
}

const F32 = 4;
/*
 * FLOPs of the non-GEMM kernels are operation counts, not cited figures: 1 per element for the
 * scale, mask and element-wise kernels, 4 per element for softmax (max, subtract-and-exp, sum,
 * divide). They do not set any time on the four calibrated platforms: a softmax element moves 8 B
 * for 4 FLOPs, so it would be FLOP-bound only if η·B/F exceeded 2, and η·B/F is below 0.05 on all four.
 */

/** Attention kernels of one layer in the summarization stage (L tokens, all of them queries). */
export function attentionSummarizationKernels(m: ModelShape, L: number, causal: boolean): Kernel[] {
  const { heads: h, headDim: D, dModel: d } = m;
  const act = L * d * F32; // one activation tensor
  const scores = h * L * L * F32;
  const ks: Kernel[] = [
    { name: 'split heads Q', category: 'movement', matmul: false, flops: 0, bytes: 2 * act },
    { name: 'split heads K (transposed)', category: 'movement', matmul: false, flops: 0, bytes: 2 * act },
    { name: 'split heads V', category: 'movement', matmul: false, flops: 0, bytes: 2 * act },
    { name: 'Q·Kᵀ', category: 'qk', matmul: true, flops: 2 * h * L * L * D, bytes: 2 * act + scores },
    { name: 'scale ÷√D', category: 'softmax', matmul: false, flops: h * L * L, bytes: 2 * scores },
    { name: causal ? 'causal mask (where)' : 'attention mask (+)', category: 'softmax', matmul: false, flops: h * L * L, bytes: 2 * scores },
    { name: 'softmax', category: 'softmax', matmul: false, flops: 4 * h * L * L, bytes: 2 * scores },
    { name: 'prob·V', category: 'pv', matmul: true, flops: 2 * h * L * L * D, bytes: scores + 2 * act },
    { name: 'concat heads (permute + contiguous)', category: 'movement', matmul: false, flops: 0, bytes: 2 * act },
  ];
  return ks;
}

/** Attention kernels of one layer in one generation step with context L (KV cache incl. the new token). */
export function attentionGenerationKernels(m: ModelShape, L: number): Kernel[] {
  const { heads: h, headDim: D, dModel: d } = m;
  const cache = L * d * F32; // K (or V) of the whole context
  const row = h * L * F32; // one score row per head
  return [
    { name: 'cat(past K, k)', category: 'movement', matmul: false, flops: 0, bytes: 2 * cache },
    { name: 'cat(past V, v)', category: 'movement', matmul: false, flops: 0, bytes: 2 * cache },
    { name: 'stack(present K, V)', category: 'movement', matmul: false, flops: 0, bytes: 4 * cache },
    { name: 'Q·K', category: 'qk', matmul: true, flops: 2 * h * L * D, bytes: d * F32 + cache + row },
    { name: 'scale ÷√D', category: 'softmax', matmul: false, flops: h * L, bytes: 2 * row },
    { name: 'mask.bool()', category: 'softmax', matmul: false, flops: 0, bytes: 2 * L },
    { name: 'where(mask)', category: 'softmax', matmul: false, flops: h * L, bytes: 3 * row },
    { name: 'softmax', category: 'softmax', matmul: false, flops: 4 * h * L, bytes: 2 * row },
    { name: 'prob·V', category: 'pv', matmul: true, flops: 2 * h * L * D, bytes: row + cache + d * F32 },
    { name: 'merge heads (permute + contiguous)', category: 'movement', matmul: false, flops: 0, bytes: 2 * d * F32 },
  ];
}

function linear(name: string, rows: number, inF: number, outF: number): Kernel {
  return { name, category: 'fc', matmul: true, flops: 2 * rows * inF * outF, bytes: (inF * outF + outF + rows * (inF + outF)) * F32 };
}

function eltwise(name: string, elems: number, tensors: number): Kernel {
  return { name, category: 'elementwise', matmul: false, flops: elems, bytes: tensors * elems * F32 };
}

/** FC/FFN kernels of one layer processing `rows` tokens (encoder: BERT layer; decoder: GPT-2 block). */
export function fcKernels(m: ModelShape, rows: number): Kernel[] {
  const d = m.dModel;
  const ff = 4 * d;
  if (m.kind === 'encoder') {
    return [
      linear('query', rows, d, d),
      linear('key', rows, d, d),
      linear('value', rows, d, d),
      linear('attention output dense', rows, d, d),
      eltwise('+ residual', rows * d, 3),
      eltwise('LayerNorm', rows * d, 2),
      linear('intermediate dense', rows, d, ff),
      eltwise('gelu', rows * ff, 2),
      linear('output dense', rows, ff, d),
      eltwise('+ residual', rows * d, 3),
      eltwise('LayerNorm', rows * d, 2),
    ];
  }
  // tensors read + written: 3 for the two tensor-tensor ops (+ x, × x), 2 for unary and tensor-scalar ops
  const gelu = ['pow', '× 0.044715', '+ x', '× √(2/π)', 'tanh', '+ 1', '× 0.5', '× x'].map((n) => eltwise(`gelu_new ${n}`, rows * ff, n === '+ x' || n === '× x' ? 3 : 2));
  return [
    eltwise('ln_1', rows * d, 2),
    linear('c_attn (QKV)', rows, d, 3 * d),
    linear('attn c_proj', rows, d, d),
    eltwise('+ residual', rows * d, 3),
    eltwise('ln_2', rows * d, 2),
    linear('mlp c_fc', rows, d, ff),
    ...gelu,
    linear('mlp c_proj', rows, ff, d),
    eltwise('+ residual', rows * d, 3),
  ];
}

/** Dense FC FLOPs of one layer for `rows` tokens: 2·rows·(4d² + 8d²) (QKV, output, two FFN matrices). */
export function fcLayerFlops(m: ModelShape, rows: number): number {
  return 2 * rows * 12 * m.dModel * m.dModel;
}
