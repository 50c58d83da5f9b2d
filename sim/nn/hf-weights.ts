/**
 * Weights and config under Hugging Face names: the internal layout of model.ts ↔
 * BertForSequenceClassification / GPT2LMHeadModel tensors, and config.json.
 *
 * The per-layer tensors that map one to one are listed once per architecture (`BERT_LAYER`,
 * `GPT_LAYER`) and both directions walk the same list, in its order. BERT stores nn.Linear
 * weights as [out, in] (transposed here) and splits query/key/value; GPT-2's Conv1D weights are
 * [in, out], the internal layout.
 */
import type { NamedTensor, TensorMap } from './safetensors.ts';
import { learnedPositions } from './hfconfig.ts';
import { activationOf, lk, type LayerKey, type ModelConfig, type Weights } from './model-config.ts';

function transpose2d(t: NamedTensor): NamedTensor {
  const [r, c] = t.shape;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return { shape: [c, r], data: out };
}
function cols(t: NamedTensor, c0: number, c1: number): NamedTensor {
  const [r, c] = t.shape;
  const w = c1 - c0;
  const out = new Float32Array(r * w);
  for (let i = 0; i < r; i++) out.set(t.data.subarray(i * c + c0, i * c + c1), i * w);
  return { shape: [r, w], data: out };
}
function hcat(ts: NamedTensor[]): NamedTensor {
  const r = ts[0].shape[0];
  const c = ts.reduce((a, t) => a + t.shape[1], 0);
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) {
    let o = 0;
    for (const t of ts) {
      out.set(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1]), i * c + o);
      o += t.shape[1];
    }
  }
  return { shape: [r, c], data: out };
}
const vec = (d: Float32Array): NamedTensor => ({ shape: [d.length], data: d });

/** A per-layer tensor: internal key, HF name after the layer prefix, HF shape (d hidden, F FFN), transposed in HF. */
interface LayerTensor {
  key: LayerKey;
  hf: string;
  shape: (d: number, F: number) => number[];
  transposed?: boolean;
}

/** BERT layer tensors other than query/key/value (which are split out of wqkv / bqkv). */
const BERT_LAYER: LayerTensor[] = [
  { key: 'wo', hf: 'attention.output.dense.weight', shape: (d) => [d, d], transposed: true },
  { key: 'bo', hf: 'attention.output.dense.bias', shape: (d) => [d] },
  { key: 'ln1G', hf: 'attention.output.LayerNorm.weight', shape: (d) => [d] },
  { key: 'ln1B', hf: 'attention.output.LayerNorm.bias', shape: (d) => [d] },
  { key: 'w1', hf: 'intermediate.dense.weight', shape: (d, F) => [F, d], transposed: true },
  { key: 'b1', hf: 'intermediate.dense.bias', shape: (d, F) => [F] },
  { key: 'w2', hf: 'output.dense.weight', shape: (d, F) => [d, F], transposed: true },
  { key: 'b2', hf: 'output.dense.bias', shape: (d) => [d] },
  { key: 'ln2G', hf: 'output.LayerNorm.weight', shape: (d) => [d] },
  { key: 'ln2B', hf: 'output.LayerNorm.bias', shape: (d) => [d] },
];

/** GPT-2 layer tensors (Conv1D: [in, out], no transposes). */
const GPT_LAYER: LayerTensor[] = [
  { key: 'ln1G', hf: 'ln_1.weight', shape: (d) => [d] },
  { key: 'ln1B', hf: 'ln_1.bias', shape: (d) => [d] },
  { key: 'wqkv', hf: 'attn.c_attn.weight', shape: (d) => [d, 3 * d] },
  { key: 'bqkv', hf: 'attn.c_attn.bias', shape: (d) => [3 * d] },
  { key: 'wo', hf: 'attn.c_proj.weight', shape: (d) => [d, d] },
  { key: 'bo', hf: 'attn.c_proj.bias', shape: (d) => [d] },
  { key: 'ln2G', hf: 'ln_2.weight', shape: (d) => [d] },
  { key: 'ln2B', hf: 'ln_2.bias', shape: (d) => [d] },
  { key: 'w1', hf: 'mlp.c_fc.weight', shape: (d, F) => [d, F] },
  { key: 'b1', hf: 'mlp.c_fc.bias', shape: (d, F) => [F] },
  { key: 'w2', hf: 'mlp.c_proj.weight', shape: (d, F) => [F, d] },
  { key: 'b2', hf: 'mlp.c_proj.bias', shape: (d) => [d] },
];

/** A weight by internal name (throws when missing). */
type WeightGet = (k: string) => NamedTensor;
/** A checkpoint tensor by its name (HF prefix optional), checked against a shape if given (throws when missing). */
type HfGet = (name: string, shape?: number[]) => NamedTensor;

/** Layer `l`'s tensors of `table` under the HF prefix `q`. */
function layerToHf(table: LayerTensor[], q: string, l: number, g: WeightGet, out: TensorMap): void {
  for (const t of table) {
    const x = g(lk(l, t.key));
    out.set(q + t.hf, t.transposed ? transpose2d(x) : x);
  }
}

/** Layer `l`'s tensors of `table` from the HF prefix `q`, shapes checked. */
function layerFromHf(table: LayerTensor[], c: ModelConfig, q: string, l: number, get: HfGet, w: Weights): void {
  for (const t of table) {
    const x = get(q + t.hf, t.shape(c.hidden, c.intermediate));
    w.set(lk(l, t.key), t.transposed ? transpose2d(x) : x);
  }
}

/** Internal → HF (BertForSequenceClassification / GPT2LMHeadModel names). */
export function toHf(c: ModelConfig, w: Weights): TensorMap {
  const g = (k: string) => {
    const t = w.get(k);
    if (!t) throw new Error(`missing weight ${k}`);
    return t;
  };
  const out: TensorMap = new Map();
  if (c.kind === 'bert') bertToHf(c, g, out);
  else gptToHf(c, g, out);
  return out;
}

/** BERT weights under BertForSequenceClassification names (Linear weights transposed to [out, in]). */
function bertToHf(c: ModelConfig, g: WeightGet, out: TensorMap): void {
  const d = c.hidden;
  const p = 'bert.';
  out.set(p + 'embeddings.word_embeddings.weight', g('tokEmb'));
  out.set(p + 'embeddings.position_embeddings.weight', g('posEmb'));
  out.set(p + 'embeddings.token_type_embeddings.weight', { shape: [2, d], data: new Float32Array(2 * d) });
  out.set(p + 'embeddings.LayerNorm.weight', g('embLnG'));
  out.set(p + 'embeddings.LayerNorm.bias', g('embLnB'));
  for (let l = 0; l < c.layers; l++) {
    const q = `${p}encoder.layer.${l}.`;
    const wqkv = g(lk(l, 'wqkv'));
    const bqkv = g(lk(l, 'bqkv')).data;
    ['query', 'key', 'value'].forEach((n, i) => {
      out.set(`${q}attention.self.${n}.weight`, transpose2d(cols(wqkv, i * d, (i + 1) * d)));
      out.set(`${q}attention.self.${n}.bias`, vec(bqkv.slice(i * d, (i + 1) * d)));
    });
    layerToHf(BERT_LAYER, q, l, g, out);
  }
  out.set(p + 'pooler.dense.weight', transpose2d(g('poolW')));
  out.set(p + 'pooler.dense.bias', g('poolB'));
  out.set('classifier.weight', transpose2d(g('clsW')));
  out.set('classifier.bias', g('clsB'));
}

/** GPT-2 weights under GPT2LMHeadModel names. */
function gptToHf(c: ModelConfig, g: WeightGet, out: TensorMap): void {
  const p = 'transformer.';
  out.set(p + 'wte.weight', g('tokEmb'));
  out.set(p + 'wpe.weight', g('posEmb'));
  for (let l = 0; l < c.layers; l++) layerToHf(GPT_LAYER, `${p}h.${l}.`, l, g, out);
  out.set(p + 'ln_f.weight', g('lnfG'));
  out.set(p + 'ln_f.bias', g('lnfB'));
  if (c.tiedHead === false) out.set('lm_head.weight', g('lmHead'));
}

/** HF → internal. Accepts names with or without the `bert.` / `transformer.` prefix. */
export function fromHf(c: ModelConfig, hf: TensorMap, source = 'checkpoint'): Weights {
  const get = (names: string[], shape?: number[]): NamedTensor => {
    for (const n of names) {
      const t = hf.get(n);
      if (t) {
        if (shape && (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i]))) {
          throw new Error(`${source}: tensor '${n}' has shape ${JSON.stringify(t.shape)}, config implies ${JSON.stringify(shape)}`);
        }
        return t;
      }
    }
    throw new Error(`${source}: missing tensor '${names[0]}'`);
  };
  const w: Weights = new Map();
  if (c.kind === 'bert') bertFromHf(c, (n, s) => get([`bert.${n}`, n], s), get, w);
  else gptFromHf(c, (n, s) => get([`transformer.${n}`, n], s), get, w);
  return w;
}

/** BERT weights from HF names (`B`: the optional `bert.` prefix); token_type_embeddings[0] (if present) is folded into posEmb. */
function bertFromHf(c: ModelConfig, B: HfGet, get: (names: string[], shape?: number[]) => NamedTensor, w: Weights): void {
  const d = c.hidden;
  w.set('tokEmb', B('embeddings.word_embeddings.weight', [c.vocabSize, d]));
  const pos = B('embeddings.position_embeddings.weight', [c.maxPositions, d]);
  let type0: Float32Array | null = null;
  try {
    type0 = B('embeddings.token_type_embeddings.weight').data.subarray(0, d);
  } catch {
    type0 = null;
  }
  const posData = new Float32Array(pos.data);
  if (type0) for (let i = 0; i < c.maxPositions; i++) for (let j = 0; j < d; j++) posData[i * d + j] += type0[j];
  w.set('posEmb', { shape: pos.shape, data: posData });
  w.set('embLnG', B('embeddings.LayerNorm.weight', [d]));
  w.set('embLnB', B('embeddings.LayerNorm.bias', [d]));
  for (let l = 0; l < c.layers; l++) {
    const q = `encoder.layer.${l}.`;
    // query, key and value joined into wqkv / bqkv
    const ws = ['query', 'key', 'value'].map((n) => transpose2d(B(`${q}attention.self.${n}.weight`, [d, d])));
    const bs = ['query', 'key', 'value'].map((n) => B(`${q}attention.self.${n}.bias`, [d]).data);
    w.set(lk(l, 'wqkv'), hcat(ws));
    const bq = new Float32Array(3 * d);
    bs.forEach((b, i) => bq.set(b, i * d));
    w.set(lk(l, 'bqkv'), vec(bq));
    layerFromHf(BERT_LAYER, c, q, l, B, w);
  }
  w.set('poolW', transpose2d(B('pooler.dense.weight', [d, d])));
  w.set('poolB', B('pooler.dense.bias', [d]));
  w.set('clsW', transpose2d(get(['classifier.weight'], [c.numLabels, d])));
  w.set('clsB', get(['classifier.bias'], [c.numLabels]));
}

/** GPT-2 weights from HF names (`G`: the optional `transformer.` prefix). */
function gptFromHf(c: ModelConfig, G: HfGet, get: (names: string[], shape?: number[]) => NamedTensor, w: Weights): void {
  const d = c.hidden;
  w.set('tokEmb', G('wte.weight', [c.vocabSize, d]));
  w.set('posEmb', G('wpe.weight', [c.maxPositions, d]));
  for (let l = 0; l < c.layers; l++) layerFromHf(GPT_LAYER, c, `h.${l}.`, l, G, w);
  w.set('lnfG', G('ln_f.weight', [d]));
  w.set('lnfB', G('ln_f.bias', [d]));
  // Untied head: its own lm_head.weight ([V, d], nn.Linear layout = the token-embedding layout).
  if (c.tiedHead === false) w.set('lmHead', get(['lm_head.weight'], [c.vocabSize, d]));
}

/** HF config.json for a model. */
export function hfConfig(c: ModelConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  if (c.kind === 'bert') {
    return {
      architectures: ['BertForSequenceClassification'], model_type: 'bert', vocab_size: c.vocabSize, hidden_size: c.hidden,
      num_hidden_layers: c.layers, num_attention_heads: c.heads, intermediate_size: c.intermediate,
      max_position_embeddings: c.maxPositions, type_vocab_size: 2, layer_norm_eps: c.lnEps, hidden_act: activationOf(c),
      num_labels: c.numLabels, id2label: { 0: 'ham', 1: 'spam' }, label2id: { ham: 0, spam: 1 },
      pad_token_id: c.padId, cls_token_id: c.clsId, sep_token_id: c.sepId, ...extra,
    };
  }
  return {
    architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: c.vocabSize, n_embd: c.hidden, n_layer: c.layers,
    n_head: c.heads, n_inner: c.intermediate, n_positions: c.maxPositions, n_ctx: c.maxPositions,
    layer_norm_epsilon: c.lnEps, activation_function: activationOf(c), bos_token_id: c.eosId, eos_token_id: c.eosId,
    tie_word_embeddings: c.tiedHead !== false, scale_attn_weights: c.scaleAttn !== false,
    scale_attn_by_inverse_layer_idx: c.scaleAttnByLayer === true, ...(learnedPositions(c) ? {} : { position_embedding_type: c.positions }), ...extra,
  };
}
