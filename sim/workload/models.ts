/** Transformer shapes used by the paper's benchmarks (§II-A): layers, heads, head dim D. */
import type { ModelName } from '../schema.ts';

export interface ModelShape {
  name: string;
  layers: number;
  heads: number;
  /** Head dimension D (64 in every paper model). */
  headDim: number;
  /** Model width = heads × D. */
  dModel: number;
  kind: 'encoder' | 'decoder';
}

export const MODEL_SHAPES: Record<ModelName, ModelShape> = {
  'bert-base': { name: 'bert-base', layers: 12, heads: 12, headDim: 64, dModel: 768, kind: 'encoder' },
  'bert-large': { name: 'bert-large', layers: 24, heads: 16, headDim: 64, dModel: 1024, kind: 'encoder' },
  'gpt2-small': { name: 'gpt2-small', layers: 12, heads: 12, headDim: 64, dModel: 768, kind: 'decoder' },
  'gpt2-medium': { name: 'gpt2-medium', layers: 24, heads: 16, headDim: 64, dModel: 1024, kind: 'decoder' },
};

export function modelShape(name: ModelName): ModelShape {
  const s = MODEL_SHAPES[name];
  if (!s) throw new Error(`unknown model '${name}'`);
  return s;
}
