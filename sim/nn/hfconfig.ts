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
 * ALiBi's linear distance bias to its scores, `alibiSlope`) or "none" (no position information at
 * all but the causal mask); Hugging Face's GPT-2 does not read the key, so such a folder is ours only.
 * Accepted because they do not change an inference forward pass: dropouts, `use_cache`,
 * `reorder_and_upcast_attn` (precision only: we compute in float32 with float64 references),
 * `summary_*` (heads we do not load), token ids, `initializer_range`, `dtype`, versions, … .
 * Rejected: cross-attention, decoder BERT, relative position embeddings, other architectures,
 * unknown activations, non-integer sizes, model types other than bert / gpt2.
 */

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

export interface HfModelConfig {
  kind: 'bert' | 'gpt';
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
  numLabels: number;
  lnEps: number;
  padId: number;
  clsId: number;
  sepId: number;
  eosId: number;
  act: Activation;
  tiedHead: boolean;
  scaleAttn: boolean;
  scaleAttnByLayer: boolean;
  /** GPT-2 only: position information (`position_embedding_type`): learned `wpe` (default), ALiBi's distance bias, or none. */
  positions?: Positions;
}

export type Positions = 'learned' | 'alibi' | 'none';

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
    position_embedding_type: ['absolute', 'alibi', 'none'],
  },
};

export function configFromHf(j: Record<string, unknown>, source = 'config.json'): HfModelConfig {
  const bad = (key: string, what: string) => new ConfigError(`${source}: '${key}': ${what}`);
  const num = (k: string, dflt?: number, int = true): number => {
    const v = j[k];
    if (v == null && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(k, v == null ? 'missing numeric field' : `expected a number, got ${JSON.stringify(v)}`);
    if (int && (!Number.isInteger(v) || v < 0)) throw bad(k, `expected a non-negative integer, got ${v}`);
    return v;
  };
  const bool = (k: string, dflt: boolean): boolean => {
    const v = j[k];
    if (v == null) return dflt;
    if (typeof v !== 'boolean') throw bad(k, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  const type = String(j.model_type ?? '');
  if (type !== 'bert' && type !== 'gpt2') throw bad('model_type', `unsupported model_type '${type}' (expected 'bert' or 'gpt2')`);
  if (j.architectures != null) {
    const arch = j.architectures;
    const ok = ARCH[type] as readonly string[];
    if (!Array.isArray(arch) || arch.length !== 1 || !ok.includes(String(arch[0]))) {
      throw bad('architectures', `${JSON.stringify(arch)} is not supported (the engine runs ${ok.join(', ')}: set "architectures": ["${ok[0]}"] if the weights are that model)`);
    }
  }
  for (const [k, allowed] of Object.entries(FIXED[type])) {
    if (j[k] != null && !allowed.includes(j[k])) throw bad(k, `${JSON.stringify(j[k])} changes the forward pass and is not implemented (supported: ${allowed.map((a) => JSON.stringify(a)).join(', ')})`);
  }
  const actKey = type === 'bert' ? 'hidden_act' : 'activation_function';
  const actName = j[actKey] == null ? (type === 'bert' ? 'gelu' : 'gelu_new') : j[actKey];
  const act = typeof actName === 'string' ? ACTIVATIONS[actName] : undefined;
  if (!act) throw bad(actKey, `activation ${JSON.stringify(actName)} is not implemented (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  let c: HfModelConfig;
  if (type === 'bert') {
    const nl = typeof j.num_labels === 'number' ? j.num_labels : j.id2label ? Object.keys(j.id2label as object).length : 2;
    c = {
      kind: 'bert', vocabSize: num('vocab_size'), hidden: num('hidden_size'), layers: num('num_hidden_layers'),
      heads: num('num_attention_heads'), intermediate: num('intermediate_size'), maxPositions: num('max_position_embeddings'),
      numLabels: nl, lnEps: num('layer_norm_eps', 1e-12, false), padId: num('pad_token_id', 0), clsId: num('cls_token_id', 101),
      sepId: num('sep_token_id', 102), eosId: -1, act, tiedHead: true, scaleAttn: true, scaleAttnByLayer: false,
    };
  } else {
    const d = num('n_embd');
    c = {
      kind: 'gpt', vocabSize: num('vocab_size'), hidden: d, layers: num('n_layer'), heads: num('n_head'),
      intermediate: j.n_inner == null ? 4 * d : num('n_inner'), maxPositions: num('n_positions'), numLabels: 0,
      lnEps: num('layer_norm_epsilon', 1e-5, false), padId: -1, clsId: -1, sepId: -1, eosId: num('eos_token_id', 50256),
      act, tiedHead: bool('tie_word_embeddings', true), scaleAttn: bool('scale_attn_weights', true),
      scaleAttnByLayer: bool('scale_attn_by_inverse_layer_idx', false), positions: j.position_embedding_type === 'alibi' || j.position_embedding_type === 'none' ? j.position_embedding_type : 'learned',
    };
  }
  if (c.heads < 1 || c.hidden % c.heads !== 0) throw bad(type === 'bert' ? 'num_attention_heads' : 'n_head', `${c.heads} heads do not divide the hidden size ${c.hidden}`);
  return c;
}

/** Attention score scale of layer l (HF GPT2Attention: 1/√dh if scale_attn_weights, ÷ (l+1) if scale_attn_by_inverse_layer_idx). */
export function attnScale(c: { hidden: number; heads: number; scaleAttn?: boolean; scaleAttnByLayer?: boolean }, l: number): number {
  const dh = c.hidden / c.heads;
  let s = c.scaleAttn === false ? 1 : 1 / Math.sqrt(dh);
  if (c.scaleAttnByLayer) s /= l + 1;
  return s;
}
