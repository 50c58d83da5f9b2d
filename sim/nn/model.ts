/**
 * Transformer models (BERT-style encoder classifier, GPT-2-style decoder LM): configuration,
 * weights in an internal layout, random init and the batched TRAINING forward pass (no pruning;
 * the pruned inference pass is engine.ts). Hugging Face names and config.json: hf-weights.ts.
 *
 * Internal layout (all Float32, weights [in, out] so that x·W is a non-transposed 2-D matMul):
 *   tokEmb [V,d], posEmb [P,d] (BERT: token_type_embeddings[0] folded in), embLnG/embLnB (BERT),
 *   per layer: wqkv [d,3d] bqkv [3d] wo [d,d] bo, ln1G ln1B, w1 [d,F] b1, w2 [F,d] b2, ln2G ln2B,
 *   BERT: poolW [d,d] poolB, clsW [d,C] clsB; GPT: lnfG lnfB (LM head tied to tokEmb).
 * BERT is post-LN with exact (erf) GELU; GPT-2 is pre-LN with the tanh GELU ("gelu_new").
 */
import { tf } from './backend.ts';
import { gaussian, mulberry32 } from './rng.ts';
import type { NamedTensor, TensorMap } from './safetensors.ts';
import { alibiSlope, attnScale, learnedPositions, type Activation } from './hfconfig.ts';
import { ropeTables } from './rope.ts';
import { sliceBMMGrad } from './train-kernels.ts';

export { LAYER_KEYS, activationOf, lk, type LayerKey, type ModelConfig, type ModelKind, type Weights } from './model-config.ts';
import { LAYER_KEYS, activationOf, lk, type LayerKey, type ModelConfig, type Weights } from './model-config.ts';

export function weightShapes(c: ModelConfig): Map<string, number[]> {
  const d = c.hidden;
  const m = new Map<string, number[]>([
    ['tokEmb', [c.vocabSize, d]],
    ['posEmb', [c.maxPositions, d]],
  ]);
  if (c.kind === 'bert') {
    m.set('embLnG', [d]);
    m.set('embLnB', [d]);
  }
  for (let l = 0; l < c.layers; l++) {
    const s: Record<LayerKey, number[]> = {
      wqkv: [d, 3 * d], bqkv: [3 * d], wo: [d, d], bo: [d], ln1G: [d], ln1B: [d],
      w1: [d, c.intermediate], b1: [c.intermediate], w2: [c.intermediate, d], b2: [d], ln2G: [d], ln2B: [d],
    };
    for (const k of LAYER_KEYS) m.set(lk(l, k), s[k]);
  }
  if (c.kind === 'bert') {
    m.set('poolW', [d, d]);
    m.set('poolB', [d]);
    m.set('clsW', [d, c.numLabels]);
    m.set('clsB', [c.numLabels]);
  } else {
    m.set('lnfG', [d]);
    m.set('lnfB', [d]);
    if (c.tiedHead === false) m.set('lmHead', [c.vocabSize, d]);
  }
  return m;
}

export function initWeights(c: ModelConfig, seed: number): Weights {
  const rng = mulberry32(seed);
  const w: Weights = new Map();
  for (const [name, shape] of weightShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const base = name.replace(/^l\d+\./, '');
    if (/G$/.test(base)) data.fill(1);
    else if (shape.length === 2) {
      let std = 0.02;
      // GPT-2: scale residual projections by 1/sqrt(2·layers).
      if (c.kind === 'gpt' && (base === 'wo' || base === 'w2')) std /= Math.sqrt(2 * c.layers);
      for (let i = 0; i < n; i++) data[i] = std * gaussian(rng);
      // ALiBi / none: no learned positions (drawn first, so the other weights equal those of the same seed with them)
      if (name === 'posEmb' && !learnedPositions(c)) data.fill(0);
    }
    w.set(name, { shape, data });
  }
  return w;
}

// ---------- training forward (batched, no pruning) ----------

/** matMul whose gradient uses explicit transposes (the wasm fast path), see ecosystem §1.3. */
export const fastMM = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]) as tf.Tensor2D),
      tf.matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** Batched matMul [b,m,k]·[b,k,n] whose gradient uses explicit transposes (no transpose flags). */
export const fastBMM = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor3D, tf.transpose(saved[1], [0, 2, 1]) as tf.Tensor3D),
      tf.matMul(tf.transpose(saved[0], [0, 2, 1]) as tf.Tensor3D, dy as tf.Tensor3D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;

/**
 * Embedding lookup done in JS (wasm GatherV2 is slow) with a JS scatter-add gradient (wasm lacks
 * UnsortedSegmentSum, the gradient of gather).
 */
export function embedLookup(table: tf.Tensor, ids: Int32Array): tf.Tensor2D {
  const [V, d] = table.shape;
  const f = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
    void save;
    const td = t.dataSync() as Float32Array;
    const out = new Float32Array(ids.length * d);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= V) throw new Error(`token id ${ids[i]} out of range [0, ${V})`);
      out.set(td.subarray(ids[i] * d, ids[i] * d + d), i * d);
    }
    return {
      value: tf.tensor2d(out, [ids.length, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = new Float32Array(V * d);
        const dd = dy.dataSync() as Float32Array;
        for (let i = 0; i < ids.length; i++) {
          const o = ids[i] * d;
          for (let j = 0; j < d; j++) g[o + j] += dd[i * d + j];
        }
        return tf.tensor2d(g, [V, d]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(table) as tf.Tensor2D;
}

export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(g).add(b);
}
export function geluErf(x: tf.Tensor): tf.Tensor {
  return x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
}
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return x.mul(0.5).mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
}
/** The FFN activation of a config (HF ACT2FN semantics). */
export function activate(x: tf.Tensor, act: Activation): tf.Tensor {
  switch (act) {
    case 'gelu': return geluErf(x);
    case 'gelu_new': return geluTanh(x);
    case 'relu': return tf.relu(x);
    case 'silu': return x.mul(tf.sigmoid(x));
    case 'quick_gelu': return x.mul(tf.sigmoid(x.mul(1.702)));
    case 'tanh': return tf.tanh(x);
  }
}

export type TfWeights = Map<string, tf.Tensor>;

/** ALiBi's additive bias [1, H, S, S]: −slope_h·(i − j) for query i and key j ≤ i (0 above the diagonal, masked anyway). */
function alibiBias(H: number, S: number): tf.Tensor4D {
  const a = new Float32Array(H * S * S);
  for (let h = 0; h < H; h++) {
    const m = alibiSlope(h, H);
    for (let i = 0; i < S; i++) for (let j = 0; j <= i; j++) a[(h * S + i) * S + j] = -m * (i - j);
  }
  return tf.tensor4d(a, [1, H, S, S]);
}

/**
 * Batched training forward. ids: B×S row-major; `lens[b]` real tokens in row b (BERT padding).
 * Returns BERT logits [B, C] or GPT logits [B·S, V]. Attention runs as per-(example, head) 2-D
 * batched matMuls (slow on wasm, ~1.5 GFLOP/s, but slicing per head costs more in training).
 */
export function trainForward(
  c: ModelConfig, W: TfWeights, ids: Int32Array, B: number, S: number, lens: number[],
  opts: { sliceAttention?: boolean; layerMasks?: (tf.Tensor | null)[]; posOffset?: number[] } = {},
): tf.Tensor2D {
  const g = (k: string) => W.get(k)!;
  const posIdx = positionIds(B, S, opts.posOffset);
  let x = embedInputs(c, g, ids, posIdx);
  const mask = attentionMask(c, B, S, lens);
  const f: ForwardShape = {
    c, B, S,
    bmm: opts.sliceAttention ? sliceBMMGrad : fastBMM,
    bias: c.positions === 'alibi' ? alibiBias(c.heads, S) : null,
    rope: c.positions === 'rope' ? ropeOf(posIdx, c.hidden / c.heads) : null,
    act: activationOf(c),
  };
  // A layer's own additive mask [B,1,S,S] (pruning-aware fine-tuning: train.ts) replaces the shared one.
  for (let l = 0; l < c.layers; l++) x = trainLayer(f, l, (k: LayerKey) => g(lk(l, k)), x, opts.layerMasks?.[l] ?? mask);
  return outputLogits(c, g, x, B, S);
}

/** What every layer of one training forward shares: config, batch shape, attention matMul, ALiBi bias, activation. */
interface ForwardShape {
  c: ModelConfig;
  B: number;
  S: number;
  bmm: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;
  bias: tf.Tensor4D | null;
  /** RoPE (rope.ts): cos and sin per row [B·S, 1, dh] and the signed half swap [dh, dh]. */
  rope: { cos: tf.Tensor; sin: tf.Tensor; swap: tf.Tensor2D } | null;
  act: Activation;
}

/** Position of each of the B·S rows: sequence b at posOffset[b] … + S − 1 (default 0). */
function positionIds(B: number, S: number, posOffset?: number[]): Int32Array {
  const posIdx = new Int32Array(B * S);
  for (let i = 0; i < B * S; i++) posIdx[i] = i % S + (posOffset?.[Math.floor(i / S)] ?? 0);
  return posIdx;
}

function ropeOf(posIdx: Int32Array, dh: number): ForwardShape['rope'] {
  const t = ropeTables(posIdx, dh);
  return { cos: tf.tensor3d(t.cos, [posIdx.length, 1, dh]), sin: tf.tensor3d(t.sin, [posIdx.length, 1, dh]), swap: tf.tensor2d(t.swap, [dh, dh]) };
}

/** x [B·S, d] with each head's vector rotated by its row's position: x·cos + (x·swap)·sin, per head. */
function rotate(r: NonNullable<ForwardShape['rope']>, x: tf.Tensor, n: number, H: number, dh: number): tf.Tensor {
  const xh = x.reshape([n, H, dh]);
  const swapped = fastMM(x.reshape([n * H, dh]), r.swap).reshape([n, H, dh]);
  return xh.mul(r.cos).add(swapped.mul(r.sin)).reshape([n, H * dh]);
}

/** Token embeddings plus learned positions (row i at posIdx[i]); BERT's embedding LayerNorm. */
function embedInputs(c: ModelConfig, g: (k: string) => tf.Tensor, ids: Int32Array, posIdx: Int32Array): tf.Tensor {
  // ALiBi / RoPE / none: no position embedding (posEmb is all zeros and takes no gradient); ALiBi's bias in the layers instead.
  let x: tf.Tensor = embedLookup(g('tokEmb'), ids);
  if (learnedPositions(c)) x = x.add(embedLookup(g('posEmb'), posIdx));
  if (c.kind === 'bert') x = layerNorm(x, g('embLnG'), g('embLnB'), c.lnEps);
  return x;
}

/** Additive mask [B,1,S,S]: −1e9 on padding keys (BERT, `lens`) or future keys (GPT, causal). */
function attentionMask(c: ModelConfig, B: number, S: number, lens: number[]): tf.Tensor4D {
  const maskArr = new Float32Array(B * S * S);
  for (let b = 0; b < B; b++) for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
    const bad = c.kind === 'bert' ? j >= lens[b] : j > i;
    if (bad) maskArr[(b * S + i) * S + j] = -1e9;
  }
  return tf.tensor4d(maskArr, [B, 1, S, S]);
}

/** Layer l (weights by `L`): BERT post-LN, GPT-2 pre-LN; attention then FFN, each with its residual. */
function trainLayer(f: ForwardShape, l: number, L: (k: LayerKey) => tf.Tensor, x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const c = f.c;
  const scale = attnScale(c, l);
  const xin = c.kind === 'gpt' ? layerNorm(x, L('ln1G'), L('ln1B'), c.lnEps) : x;
  const att = selfAttention(f, L, xin, scale, mask);
  if (c.kind === 'bert') {
    x = layerNorm(x.add(att), L('ln1G'), L('ln1B'), c.lnEps);
    const ffn = fastMM(activate(fastMM(x, L('w1')).add(L('b1')), f.act), L('w2')).add(L('b2'));
    return layerNorm(x.add(ffn), L('ln2G'), L('ln2B'), c.lnEps);
  }
  x = x.add(att);
  const ffn = fastMM(activate(fastMM(layerNorm(x, L('ln2G'), L('ln2B'), c.lnEps), L('w1')).add(L('b1')), f.act), L('w2')).add(L('b2'));
  return x.add(ffn);
}

/** Multi-head self-attention of `xin` [B·S, d] with its output projection: scaled scores + ALiBi bias + `mask`. */
function selfAttention(f: ForwardShape, L: (k: LayerKey) => tf.Tensor, xin: tf.Tensor, scale: number, mask: tf.Tensor): tf.Tensor {
  const { B, S } = f;
  const d = f.c.hidden;
  const H = f.c.heads;
  const dh = d / H;
  // Three projections from column slices of the weights (SplitV of the activations is slow).
  let [q, k, v] = [0, 1, 2].map((i) => fastMM(xin, tf.slice(L('wqkv'), [0, i * d], [d, d])).add(tf.slice(L('bqkv'), [i * d], [d])));
  if (f.rope) [q, k] = [rotate(f.rope, q, B * S, H, dh), rotate(f.rope, k, B * S, H, dh)];
  const qh = q.reshape([B, S, H, dh]).transpose([0, 2, 1, 3]).reshape([B * H, S, dh]);
  const khT = k.reshape([B, S, H, dh]).transpose([0, 2, 3, 1]).reshape([B * H, dh, S]);
  const vh = v.reshape([B, S, H, dh]).transpose([0, 2, 1, 3]).reshape([B * H, S, dh]);
  let scores = f.bmm(qh, khT).reshape([B, H, S, S]).mul(scale);
  if (f.bias) scores = scores.add(f.bias);
  scores = scores.add(mask);
  const probs = tf.softmax(scores, -1).reshape([B * H, S, S]);
  const ctx = f.bmm(probs, vh).reshape([B, H, S, dh]).transpose([0, 2, 1, 3]).reshape([B * S, d]);
  return fastMM(ctx, L('wo')).add(L('bo'));
}

/** BERT: the [CLS] row through the pooler and classifier; GPT: final LayerNorm and the LM head (tied or own). */
function outputLogits(c: ModelConfig, g: (k: string) => tf.Tensor, x: tf.Tensor, B: number, S: number): tf.Tensor2D {
  const d = c.hidden;
  if (c.kind === 'bert') {
    const cls = x.reshape([B, S, d]).slice([0, 0, 0], [B, 1, d]).reshape([B, d]);
    const pooled = tf.tanh(fastMM(cls, g('poolW')).add(g('poolB')));
    return fastMM(pooled, g('clsW')).add(g('clsB')) as tf.Tensor2D;
  }
  const h = layerNorm(x, g('lnfG'), g('lnfB'), c.lnEps);
  return fastMM(h, tf.transpose(g(c.tiedHead === false ? 'lmHead' : 'tokEmb'))) as tf.Tensor2D;
}
