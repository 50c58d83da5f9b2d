/**
 * Strict reading of Hugging Face `config.json` files (BertForSequenceClassification,
 * GPT2LMHeadModel). Every key that changes the forward pass is either implemented here (and in
 * engine.ts / reference.ts) or rejected with a `ConfigError` naming the key and the file: a
 * silently ignored key gives wrong accuracies (e.g. an untied LM head read as tied).
 *
 * Implemented: activation (`hidden_act` / `activation_function`: gelu, gelu_new,
 * gelu_pytorch_tanh, gelu_fast, relu, silu/swish, quick_gelu, tanh), `n_inner` /
 * `intermediate_size`, `layer_norm_eps(ilon)`, `tie_word_embeddings` (GPT-2: false reads
 * `lm_head.weight`), `scale_attn_weights`, `scale_attn_by_inverse_layer_idx`, `n_positions` /
 * `max_position_embeddings`, `num_labels` / `id2label`; this project's GPT-2 extension
 * `position_embedding_type`: "alibi" (no learned positions: `wpe` is all zeros and each head adds
 * ALiBi's linear distance bias to its scores, `alibiSlope`), "rope" (no learned positions: queries
 * and keys rotated by position, rope.ts) or "none" (no position information at all but the causal
 * mask); Hugging Face's GPT-2 does not read the key, so such a folder is ours only.
 * Accepted because they do not change an inference forward pass: dropouts, `use_cache`,
 * `reorder_and_upcast_attn` (precision only: we compute in float32 with float64 references),
 * `summary_*` (heads we do not load), token ids, `initializer_range`, `dtype`, versions, … .
 * Rejected: cross-attention, decoder BERT, relative position embeddings, pruned heads, other architectures,
 * unknown activations, non-integer sizes, model types other than bert / gpt2.
 */
import type { ModelConfig } from './model.ts';

export type Activation = 'gelu' | 'gelu_new' | 'relu' | 'silu' | 'quick_gelu' | 'tanh';

/** HF activation name → the function we implement (several names are the same function). */
export const ACTIVATIONS: Record<string, Activation> = {
  gelu: 'gelu', // exact erf GELU
  gelu_new: 'gelu_new', // tanh approximation
  gelu_pytorch_tanh: 'gelu_new', // same formula as gelu_new
  gelu_fast: 'gelu_new', // 0.5x(1+tanh(0.79788456x(1+0.044715x²))) = gelu_new
  relu: 'relu',
  silu: 'silu',
  swish: 'silu',
  quick_gelu: 'quick_gelu',
  tanh: 'tanh',
};

/** A config.json that the engine cannot run exactly as Hugging Face would. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A model config read from Hugging Face: model.ts's `ModelConfig` with every HF default filled in. */
export interface HfModelConfig extends ModelConfig {
  act: Activation;
  tiedHead: boolean;
  scaleAttn: boolean;
  scaleAttnByLayer: boolean;
}

export type Positions = 'learned' | 'alibi' | 'rope' | 'none';

/** Whether a model adds its learned position embedding (else posEmb is all zeros and not trained). */
export function learnedPositions(c: { positions?: Positions }): boolean {
  return (c.positions ?? 'learned') === 'learned';
}

/**
 * ALiBi slope of head h of H (Press et al., "Train Short, Test Long", ICLR 2022): the geometric
 * sequence 2^(−8(h+1)/H). Query i adds −slope·(i − j) to its score of key j (original positions, so
 * a pruned key keeps its distance).
 */
export function alibiSlope(h: number, H: number): number {
  return Math.pow(2, (-8 * (h + 1)) / H);
}

const ARCH = { bert: ['BertForSequenceClassification'], gpt2: ['GPT2LMHeadModel'] } as const;

/** Keys whose only accepted value is given (anything else changes the forward pass and is not implemented). */
const FIXED: Record<'bert' | 'gpt2', Record<string, unknown[]>> = {
  bert: {
    is_decoder: [false],
    add_cross_attention: [false],
    position_embedding_type: ['absolute'],
  },
  gpt2: {
    add_cross_attention: [false],
    position_embedding_type: ['absolute', 'alibi', 'rope', 'none'],
  },
};

/** Reads a config.json object `j`; every error is a ConfigError naming the key and `source`. */
export function configFromHf(j: Record<string, unknown>, source = 'config.json'): HfModelConfig {
  if (j === null || typeof j !== 'object' || Array.isArray(j)) {
    throw new ConfigError(`${source}: expected a JSON object (a Hugging Face BERT or GPT-2 config with 'model_type'), got ${Array.isArray(j) ? 'an array' : JSON.stringify(j)}`);
  }
  const r = new HfReader(j, source);
  const type = modelType(r);
  checkArchitecture(r, type);
  checkFixedKeys(r, type);
  checkPrunedHeads(r);
  const act = activation(r, type);
  const c = type === 'bert' ? bertConfig(r, act) : gptConfig(r, act);
  if (c.heads < 1 || c.hidden % c.heads !== 0) throw r.bad(type === 'bert' ? 'num_attention_heads' : 'n_head', `${c.heads} heads do not divide the hidden size ${c.hidden}`);
  return c;
}

/** Typed access to the keys of one config.json, with errors that name the key and the file. */
class HfReader {
  constructor(readonly j: Record<string, unknown>, readonly source: string) {}

  /** A ConfigError about `key`. */
  bad(key: string, what: string): ConfigError {
    return new ConfigError(`${this.source}: '${key}': ${what}`);
  }

  /** Number at `k` (`dflt` when absent); a non-negative integer unless `int` is false. */
  num(k: string, dflt?: number, int = true): number {
    const v = this.j[k];
    if (v == null && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.bad(k, v == null ? 'missing numeric field' : `expected a number, got ${JSON.stringify(v)}`);
    if (int && (!Number.isInteger(v) || v < 0)) throw this.bad(k, `expected a non-negative integer, got ${v}`);
    return v;
  }

  /** Boolean at `k` (`dflt` when absent). */
  bool(k: string, dflt: boolean): boolean {
    const v = this.j[k];
    if (v == null) return dflt;
    if (typeof v !== 'boolean') throw this.bad(k, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }
}

/** `model_type`: bert or gpt2 (anything else throws). */
function modelType(r: HfReader): 'bert' | 'gpt2' {
  const type = String(r.j.model_type ?? '');
  if (type !== 'bert' && type !== 'gpt2') throw r.bad('model_type', `unsupported model_type '${type}' (expected 'bert' or 'gpt2')`);
  return type;
}

/** `architectures`, when given, must be the one class the engine runs for the model type. */
function checkArchitecture(r: HfReader, type: 'bert' | 'gpt2'): void {
  if (r.j.architectures == null) return;
  const arch = r.j.architectures;
  const ok = ARCH[type] as readonly string[];
  if (!Array.isArray(arch) || arch.length !== 1 || !ok.includes(String(arch[0]))) {
    throw r.bad('architectures', `${JSON.stringify(arch)} is not supported (the engine runs ${ok.join(', ')}: set "architectures": ["${ok[0]}"] if the weights are that model)`);
  }
}

/** Keys of `FIXED` must be absent or hold one of their accepted values. */
function checkFixedKeys(r: HfReader, type: 'bert' | 'gpt2'): void {
  const j = r.j;
  for (const [k, allowed] of Object.entries(FIXED[type])) {
    if (j[k] != null && !allowed.includes(j[k])) throw r.bad(k, `${JSON.stringify(j[k])} changes the forward pass and is not implemented (supported: ${allowed.map((a) => JSON.stringify(a)).join(', ')})`);
  }
}

/**
 * `pruned_heads` (PretrainedConfig: {layer: [head, …]}, written by `model.prune_heads` and applied
 * by Hugging Face when it builds the model) must be absent or empty: the engine runs every head of
 * every layer, so a folder that lists pruned heads would run the full model from weights Hugging
 * Face reads as pruned.
 */
function checkPrunedHeads(r: HfReader): void {
  const v = r.j.pruned_heads;
  if (v == null) return;
  const empty = typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((h) => Array.isArray(h) && h.length === 0);
  if (!empty) throw r.bad('pruned_heads', `${JSON.stringify(v)} changes the forward pass and is not implemented (the engine runs every head: supported {} or absent)`);
}

/** The FFN activation (`hidden_act` / `activation_function`, default gelu / gelu_new). */
function activation(r: HfReader, type: 'bert' | 'gpt2'): Activation {
  const actKey = type === 'bert' ? 'hidden_act' : 'activation_function';
  const actName = r.j[actKey] == null ? (type === 'bert' ? 'gelu' : 'gelu_new') : r.j[actKey];
  const act = typeof actName === 'string' ? ACTIVATIONS[actName] : undefined;
  if (!act) throw r.bad(actKey, `activation ${JSON.stringify(actName)} is not implemented (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  return act;
}

/** BertForSequenceClassification sizes, token ids and labels (`num_labels`, else `id2label`'s size, else 2). */
function bertConfig(r: HfReader, act: Activation): HfModelConfig {
  const j = r.j;
  const nl = typeof j.num_labels === 'number' ? j.num_labels : j.id2label ? Object.keys(j.id2label as object).length : 2;
  return {
    kind: 'bert', vocabSize: r.num('vocab_size'), hidden: r.num('hidden_size'), layers: r.num('num_hidden_layers'),
    heads: r.num('num_attention_heads'), intermediate: r.num('intermediate_size'), maxPositions: r.num('max_position_embeddings'),
    numLabels: nl, lnEps: r.num('layer_norm_eps', 1e-12, false), padId: r.num('pad_token_id', 0), clsId: r.num('cls_token_id', 101),
    sepId: r.num('sep_token_id', 102), eosId: -1, act, tiedHead: true, scaleAttn: true, scaleAttnByLayer: false,
  };
}

/** GPT2LMHeadModel sizes, head tying, score scaling and position information. */
function gptConfig(r: HfReader, act: Activation): HfModelConfig {
  const j = r.j;
  const d = r.num('n_embd');
  return {
    kind: 'gpt', vocabSize: r.num('vocab_size'), hidden: d, layers: r.num('n_layer'), heads: r.num('n_head'),
    intermediate: j.n_inner == null ? 4 * d : r.num('n_inner'), maxPositions: r.num('n_positions'), numLabels: 0,
    lnEps: r.num('layer_norm_epsilon', 1e-5, false), padId: -1, clsId: -1, sepId: -1, eosId: r.num('eos_token_id', 50256),
    act, tiedHead: r.bool('tie_word_embeddings', true), scaleAttn: r.bool('scale_attn_weights', true),
    scaleAttnByLayer: r.bool('scale_attn_by_inverse_layer_idx', false), positions: positionsOf(j.position_embedding_type),
  };
}

/** GPT-2's position scheme from `position_embedding_type` (checked against FIXED first): absent or "absolute" = learned. */
function positionsOf(v: unknown): Positions {
  return v == null || v === 'absolute' ? 'learned' : (v as Positions);
}

/** Attention score scale of layer l (HF GPT2Attention: 1/√dh if scale_attn_weights, ÷ (l+1) if scale_attn_by_inverse_layer_idx). */
export function attnScale(c: { hidden: number; heads: number; scaleAttn?: boolean; scaleAttnByLayer?: boolean }, l: number): number {
  const dh = c.hidden / c.heads;
  let s = c.scaleAttn === false ? 1 : 1 / Math.sqrt(dh);
  if (c.scaleAttnByLayer) s /= l + 1;
  return s;
}
