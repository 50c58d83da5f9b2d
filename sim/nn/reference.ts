/**
 * Plain-TypeScript reference forward passes (no TF.js, no pruning, float64 accumulation), used by
 * the tests to check the TF.js engine. Slow: tiny models only.
 */
import { erf } from './mathutil.ts';
import { activationOf, lk, type LayerKey, type ModelConfig, type Weights } from './model.ts';
import { alibiSlope, attnScale, type Activation } from './hfconfig.ts';
import { rotateRows } from './rope.ts';

type Mat = Float64Array; // row-major

function get(w: Weights, k: string): Float32Array {
  const t = w.get(k);
  if (!t) throw new Error(`missing ${k}`);
  return t.data;
}
function linear(x: Mat, n: number, din: number, W: Float32Array, b: Float32Array, dout: number): Mat {
  const out = new Float64Array(n * dout);
  for (let i = 0; i < n; i++) for (let o = 0; o < dout; o++) {
    let s = b[o];
    for (let k = 0; k < din; k++) s += x[i * din + k] * W[k * dout + o];
    out[i * dout + o] = s;
  }
  return out;
}
function layerNorm(x: Mat, n: number, d: number, g: Float32Array, b: Float32Array, eps: number): Mat {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < d; j++) m += x[i * d + j];
    m /= d;
    let v = 0;
    for (let j = 0; j < d; j++) v += (x[i * d + j] - m) ** 2;
    v /= d;
    for (let j = 0; j < d; j++) out[i * d + j] = ((x[i * d + j] - m) / Math.sqrt(v + eps)) * g[j] + b[j];
  }
  return out;
}
const geluErf = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const ACT: Record<Activation, (x: number) => number> = {
  gelu: geluErf, gelu_new: geluTanh, relu: (x) => Math.max(0, x), silu: (x) => x * sigmoid(x),
  quick_gelu: (x) => x * sigmoid(1.702 * x), tanh: Math.tanh,
};

/** Called with every attention row of the reference forward: layer, head, query index, probabilities over keys 0..lim−1. */
export type AttentionProbe = (layer: number, head: number, query: number, p: Float64Array, lim: number, z: number) => void;

function attention(qkv: Mat, n: number, d: number, H: number, causal: boolean, scale: number, probe?: (h: number, i: number, p: Float64Array, lim: number, z: number) => void, alibi = false, rope?: number): Mat {
  const dh = d / H;
  if (rope !== undefined) {
    // RoPE: queries and keys rotated by their positions (rope + row) before the scores
    const pos = Array.from({ length: n }, (_, i) => rope + i);
    rotateRows(qkv, 3 * d, 0, pos, H, dh);
    rotateRows(qkv, 3 * d, d, pos, H, dh);
  }
  const out = new Float64Array(n * d);
  const p = new Float64Array(n);
  for (let h = 0; h < H; h++) for (let i = 0; i < n; i++) {
    const lim = causal ? i + 1 : n;
    const m = alibi ? alibiSlope(h, H) : 0; // ALiBi: −m·(i − j) on the score of key j
    let mx = -Infinity;
    for (let j = 0; j < lim; j++) {
      let s = 0;
      for (let t = 0; t < dh; t++) s += qkv[i * 3 * d + h * dh + t] * qkv[j * 3 * d + d + h * dh + t];
      p[j] = s * scale - m * (i - j);
      mx = Math.max(mx, p[j]);
    }
    let z = 0;
    for (let j = 0; j < lim; j++) { p[j] = Math.exp(p[j] - mx); z += p[j]; }
    probe?.(h, i, p, lim, z);
    for (let t = 0; t < dh; t++) {
      let s = 0;
      for (let j = 0; j < lim; j++) s += (p[j] / z) * qkv[j * 3 * d + 2 * d + h * dh + t];
      out[i * d + h * dh + t] = s;
    }
  }
  return out;
}

/** Returns BERT logits [C] for one sequence, or GPT logits [n, V]. */
export function referenceForward(c: ModelConfig, w: Weights, ids: number[], opts: { posOffset?: number; probe?: AttentionProbe } = {}): Float64Array {
  const d = c.hidden;
  const n = ids.length;
  const tok = get(w, 'tokEmb');
  const pos = get(w, 'posEmb');
  let x: Mat = new Float64Array(n * d);
  const off = opts.posOffset ?? 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = tok[ids[i] * d + j] + pos[(i + off) * d + j]; // posEmb all zeros unless learned
  if (c.kind === 'bert') x = layerNorm(x, n, d, get(w, 'embLnG'), get(w, 'embLnB'), c.lnEps);
  const F = c.intermediate;
  const act = ACT[activationOf(c)];
  for (let l = 0; l < c.layers; l++) {
    const L = (k: LayerKey) => get(w, lk(l, k));
    const xin = c.kind === 'gpt' ? layerNorm(x, n, d, L('ln1G'), L('ln1B'), c.lnEps) : x;
    const qkv = linear(xin, n, d, L('wqkv'), L('bqkv'), 3 * d);
    const probe = opts.probe ? (h: number, i: number, p: Float64Array, lim: number, z: number) => opts.probe!(l, h, i, p, lim, z) : undefined;
    const att = linear(attention(qkv, n, d, c.heads, c.kind === 'gpt', attnScale(c, l), probe, c.positions === 'alibi', c.positions === 'rope' ? off : undefined), n, d, L('wo'), L('bo'), d);
    const ffn = (h: Mat) => {
      const a = linear(h, n, d, L('w1'), L('b1'), F);
      for (let i = 0; i < a.length; i++) a[i] = act(a[i]);
      return linear(a, n, F, L('w2'), L('b2'), d);
    };
    if (c.kind === 'bert') {
      const h = layerNorm(x.map((v, i) => v + att[i]), n, d, L('ln1G'), L('ln1B'), c.lnEps);
      const f = ffn(h);
      x = layerNorm(h.map((v, i) => v + f[i]), n, d, L('ln2G'), L('ln2B'), c.lnEps);
    } else {
      const h = x.map((v, i) => v + att[i]);
      const f = ffn(layerNorm(h, n, d, L('ln2G'), L('ln2B'), c.lnEps));
      x = h.map((v, i) => v + f[i]);
    }
  }
  if (c.kind === 'bert') {
    const cls = x.slice(0, d);
    const pooled = linear(cls, 1, d, get(w, 'poolW'), get(w, 'poolB'), d).map(Math.tanh);
    return linear(pooled, 1, d, get(w, 'clsW'), get(w, 'clsB'), c.numLabels);
  }
  const h = layerNorm(x, n, d, get(w, 'lnfG'), get(w, 'lnfB'), c.lnEps);
  const V = c.vocabSize;
  const head = c.tiedHead === false ? get(w, 'lmHead') : tok;
  const out = new Float64Array(n * V);
  for (let i = 0; i < n; i++) for (let v = 0; v < V; v++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += h[i * d + j] * head[v * d + j];
    out[i * V + v] = s;
  }
  return out;
}
