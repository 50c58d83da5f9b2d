/**
 * One forward pass for inspection and parity checks (`spatten-dse logits`): the same engine and
 * algorithms as `evaluateAccuracy`, on ids given by the caller.
 *  - GPT-2: log p(ids[i+1] | ids[0..i]) for i = 0..n−2. Like the accuracy protocol, the last
 *    min(32, n−2) predictions come from generation iterations (where pruning acts) and the others
 *    from the dense prompt pass.
 *  - BERT: the classifier logits of the sequence.
 * Quantization is off unless the caller's algo sets it (see `logitsAlgo`). `textIds` gives the ids
 * of a text with the model's own tokenizer.
 */
import type { AlgoConfig } from '../schema.ts';
import { AlgoSchema } from '../schema.ts';
import { getEngine, GEN_TOKENS } from './api.ts';
import { runAlgo, Stats } from './engine.ts';
import { generate } from './generate.ts';
import { ConfigError } from './hfconfig.ts';

export interface LogitsResult {
  model: string;
  kind: 'bert' | 'gpt';
  n: number;
  next_token_logprob?: number[];
  logits?: number[];
  tokenKeepPerLayer: number[];
}

/** The algo of `logits`: quantization off (32-bit Q/K/V) unless `sets` names the widths. */
export function logitsAlgo(sets: Record<string, unknown>): AlgoConfig {
  return AlgoSchema.parse({ msbBits: 32, queryBits: 32, valueBits: 32, ...sets });
}

/**
 * The ids `text` gives with the model's own tokenizer, as Hugging Face's `tokenizer(text)` gives
 * them: BERT wraps the pieces in [CLS] … [SEP] (its default `add_special_tokens`), GPT-2 adds nothing.
 */
export async function textIds(model: string, text: string): Promise<number[]> {
  const e = await getEngine(model);
  const ids = e.ck.tokenizer.encode(text);
  return e.c.kind === 'bert' ? [e.c.clsId, ...ids, e.c.sepId] : ids;
}

/** `from` names where the ids came from in the errors: the `--ids` list, or a `--text`'s tokens. */
export async function computeLogits(model: string, ids: number[], algo: AlgoConfig, from: 'ids' | 'text' = 'ids'): Promise<LogitsResult> {
  const e = await getEngine(model);
  const c = e.c;
  const src = `${e.ck.dir}/config.json`;
  const bad = ids.find((id) => !(Number.isInteger(id) && id >= 0 && id < c.vocabSize));
  if (bad !== undefined) throw new ConfigError(`--ids: id ${bad} is outside the vocabulary [0, ${c.vocabSize}) of ${src}`);
  if (ids.length > c.maxPositions) {
    const fix = from === 'ids' ? `pass at most ${c.maxPositions} ids` : 'shorten the text';
    throw new ConfigError(`--${from}: ${ids.length} ${from === 'ids' ? 'ids' : 'tokens'} exceed the ${c.kind === 'gpt' ? 'n_positions' : 'max_position_embeddings'} of ${src} (${c.maxPositions}): ${fix}`);
  }
  const ra = runAlgo(algo, c);
  const stats = new Stats(c.layers, false);
  if (c.kind === 'bert') {
    if (ids.length < 1) throw new ConfigError('--ids: need at least 1 id');
    const [logits] = e.classifyBatch([ids], ra, stats);
    return { model, kind: 'bert', n: ids.length, logits: Array.from(logits), tokenKeepPerLayer: stats.measured().tokenKeepPerLayer };
  }
  if (ids.length < 2) throw new ConfigError(from === 'ids' ? '--ids: need at least 2 ids (one prediction)' : `--text: ${ids.length} token${ids.length === 1 ? ' gives' : 's give'} no prediction: give a text of at least 2 tokens`);
  const gen = Math.min(GEN_TOKENS, ids.length - 2);
  const prompt = ids.length - 1 - gen;
  const r = generate(e, [ids], prompt, gen, ra, stats, 0, { promptLogprobs: true });
  const lp = [...r.promptLogprob![0], ...r.nll[0].map((x) => -x)];
  return { model, kind: 'gpt', n: ids.length, next_token_logprob: lp, tokenKeepPerLayer: stats.measured().tokenKeepPerLayer };
}
