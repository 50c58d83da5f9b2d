/**
 * A model's configuration and the internal weight names: what reading a checkpoint folder needs
 * (hf-weights.ts, checkpoint.ts), without TF.js, so that a space's accuracy checkpoint can be
 * checked before a run starts without loading the engine. model.ts re-exports all of it.
 */
import type { Activation, Positions } from './hfconfig.ts';
import type { NamedTensor } from './safetensors.ts';

export type ModelKind = 'bert' | 'gpt';

export interface ModelConfig {
  kind: ModelKind;
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
  numLabels: number; // BERT classifier classes (0 for GPT)
  lnEps: number;
  /** Special token ids: BERT [PAD] [CLS] [SEP]; GPT <|endoftext|>. */
  padId: number;
  clsId: number;
  sepId: number;
  eosId: number;
  /** FFN activation (default: BERT exact GELU, GPT-2 tanh GELU). */
  act?: Activation;
  /** GPT-2: LM head tied to the token embedding (default true); false → weight 'lmHead' [V, d]. */
  tiedHead?: boolean;
  /** Scale scores by 1/√dh (HF scale_attn_weights, default true). */
  scaleAttn?: boolean;
  /** Also divide scores by (layer index + 1) (HF scale_attn_by_inverse_layer_idx). */
  scaleAttnByLayer?: boolean;
  /** GPT-2: learned positions (default), ALiBi's distance bias (hfconfig.ts alibiSlope) or none; without learned ones posEmb stays all zeros and is not trained. */
  positions?: Positions;
}

/** The activation a config uses (defaults per model kind). */
export function activationOf(c: ModelConfig): Activation {
  return c.act ?? (c.kind === 'bert' ? 'gelu' : 'gelu_new');
}

export type Weights = Map<string, NamedTensor>;

export const LAYER_KEYS = ['wqkv', 'bqkv', 'wo', 'bo', 'ln1G', 'ln1B', 'w1', 'b1', 'w2', 'b2', 'ln2G', 'ln2B'] as const;
export type LayerKey = (typeof LAYER_KEYS)[number];
export const lk = (l: number, k: LayerKey): string => `l${l}.${k}`;
