/**
 * Diagnostics of an LM's KV-token pruning cost (scripts/lm-diag.ts prints them; sim/nn/README.md
 * "Why 4× costs more than truncation"): is a loss mechanical (what dropping keys does to a model
 * with absolute positions) or a selection loss (which keys the cascade keeps)?
 *
 *  - `prunedPerplexity`: the accuracy protocol (same windows, prompt pass, 32 generation steps,
 *    bootstrap CI) with a diagnostic `KeyRule` in place of the cascade's selection — e.g. keep the
 *    most recent k tokens in every layer ≥ l — to compare with `--context k`;
 *  - `contextPerplexity(…, 'original')` (context.ts): the last N tokens at their own positions;
 *  - `attentionSpread`: per layer and head, where the dense model's attention goes at the
 *    generation positions (mass on the last 8 / 32 / 96 keys, effective number of keys);
 *  - `ngramPerplexity`: the same predictions by a Witten-Bell n-gram model (ngram.ts) trained on the
 *    LM's training split with its tokenizer, from the last k tokens: what k tokens alone can give;
 *  - `copySpanNll`: does the model copy? A span of a window repeated later in it, predicted the
 *    first time and the second.
 */
import { AlgoSchema, type AlgoConfig } from '../schema.ts';
import { evalInputs, getEngine, GEN_TOKENS, bootstrapCi } from './api.ts';
import { runAlgo, Stats } from './engine.ts';
import { generate, type KeyRule } from './generate.ts';
import { ConfigError } from './hfconfig.ts';
import { referenceForward } from './reference.ts';
import { sotuSplits, tokenStream } from './data.ts';
import { WittenBell } from './ngram.ts';
import { computeLogits, logitsAlgo } from './logits.ts';

export interface PrunedResult {
  perplexity: number;
  ci95: [number, number];
  n: number;
  keptPerLayer: number[];
  /** Next-token top-1 accuracy over the generation steps (windows' mean hit rates, averaged) and its bootstrap CI. */
  top1: number;
  top1Ci95: [number, number];
  /** Per window: its generation steps' top-1 hit rate (to pair two configurations window by window). */
  top1PerWindow: number[];
}

/** Perplexity of the accuracy protocol's generation stage with `algo` and an optional diagnostic key rule. */
export async function prunedPerplexity(spec: { model: string; maxExamples?: number; seed?: number }, algo: Partial<AlgoConfig>, keyRule?: KeyRule): Promise<PrunedResult> {
  const e = await getEngine(spec.model);
  if (e.c.kind !== 'gpt') throw new ConfigError(`${spec.model} is not a language model`);
  const ra = runAlgo(AlgoSchema.parse(algo), e.c);
  const inputs = evalInputs(e, spec.maxExamples);
  if (inputs.kind !== 'gpt') throw new Error('unreachable');
  const stats = new Stats(e.c.layers, false);
  const means: number[] = [];
  const hitRates: number[] = [];
  const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (let i = 0; i < inputs.windows.length; i += 16) {
    const batch = inputs.windows.slice(i, i + 16);
    const { nll, hits } = generate(e, batch, inputs.prompt, GEN_TOKENS, ra, stats, i * GEN_TOKENS, { keyRule });
    for (const xs of nll) means.push(avg(xs));
    for (const xs of hits) hitRates.push(avg(xs));
  }
  const ppl = (xs: number[]) => Math.exp(avg(xs));
  const keptPerLayer = stats.tokAlive.map((a) => a / (inputs.windows.length * GEN_TOKENS));
  const seed = spec.seed ?? 1;
  return { perplexity: ppl(means), ci95: bootstrapCi(means, ppl, seed), n: means.length, keptPerLayer, top1: avg(hitRates), top1Ci95: bootstrapCi(hitRates, avg, seed), top1PerWindow: hitRates };
}

export interface SpreadRow {
  layer: number;
  head: number;
  /** Mean attention mass on the query's own last 8 / 32 / 96 keys (the query included). */
  last8: number;
  last32: number;
  last96: number;
  /** Mean exp(entropy) of the attention row: the effective number of keys it reads. */
  effectiveKeys: number;
}

/**
 * Where the dense model's heads attend at the generation positions: float64 reference forward of the
 * first `windows` evaluation windows (prompt + 32 tokens), averaged over the 32 generation-stage queries.
 */
export async function attentionSpread(spec: { model: string; windows?: number }): Promise<SpreadRow[]> {
  const e = await getEngine(spec.model);
  if (e.c.kind !== 'gpt') throw new ConfigError(`${spec.model} is not a language model`);
  const inputs = evalInputs(e, spec.windows ?? 16);
  if (inputs.kind !== 'gpt') throw new Error('unreachable');
  const { layers, heads } = e.c;
  const acc = Array.from({ length: layers * heads }, () => [0, 0, 0, 0]);
  const S = inputs.prompt + GEN_TOKENS;
  for (const w of inputs.windows) {
    referenceForward(e.c, e.ck.weights, w.slice(0, S), {
      probe: (l, h, i, p, lim, z) => {
        if (i < inputs.prompt) return;
        const a = acc[l * heads + h];
        let ent = 0;
        for (let j = 0; j < lim; j++) {
          const q = p[j] / z;
          if (q > 0) ent -= q * Math.log(q);
          const back = i - j;
          if (back < 8) a[0] += q;
          if (back < 32) a[1] += q;
          if (back < 96) a[2] += q;
        }
        a[3] += Math.exp(ent);
      },
    });
  }
  const rows = inputs.windows.length * GEN_TOKENS;
  return acc.map((a, k) => ({ layer: Math.floor(k / heads), head: k % heads, last8: a[0] / rows, last32: a[1] / rows, last96: a[2] / rows, effectiveKeys: a[3] / rows }));
}

export interface NgramRow { context: number; perplexity: number; ci95: [number, number]; n: number }

/**
 * The protocol's generation-stage predictions (same windows) by a Witten-Bell n-gram model over the
 * model's tokens, trained on the sotu training split (documents joined by the end-of-text token, as
 * the LM was trained), from the last k tokens for each k of `contexts`.
 */
export async function ngramPerplexity(spec: { model: string; maxExamples?: number; seed?: number }, contexts: number[]): Promise<NgramRow[]> {
  const e = await getEngine(spec.model);
  if (e.c.kind !== 'gpt') throw new ConfigError(`${spec.model} is not a language model`);
  const inputs = evalInputs(e, spec.maxExamples);
  if (inputs.kind !== 'gpt') throw new Error('unreachable');
  const stream = tokenStream(sotuSplits().train, (t) => e.ck.tokenizer.encode(t), e.c.eosId);
  const m = new WittenBell(Math.max(...contexts), e.c.vocabSize).train(stream);
  const ppl = (xs: number[]) => Math.exp(xs.reduce((a, b) => a + b, 0) / xs.length);
  return contexts.map((k) => {
    const means = inputs.windows.map((w) => {
      let nll = 0;
      for (let t = 0; t < GEN_TOKENS; t++) {
        const p = inputs.prompt + t + 1; // generation step t reads w[prompt + t] and predicts w[p] (generate.ts)
        nll -= Math.log(m.prob(w.slice(Math.max(0, p - k), p), w[p], k));
      }
      return nll / GEN_TOKENS;
    });
    return { context: k, perplexity: ppl(means), ci95: bootstrapCi(means, ppl, spec.seed ?? 1), n: means.length };
  });
}

/**
 * How much of the test text the training text already holds, and how often copying could help:
 * `verbatim[L]` = share of the test addresses' L-character substrings (every 7th position) found
 * verbatim in the training addresses; `copy` = over the protocol's generation predictions (raw
 * characters of the same windows), the share whose last `m` characters occur earlier in the window
 * ending more than 8 characters back, and the share where that occurrence's next character is the target.
 */
export async function textOverlap(spec: { model: string; maxExamples?: number }, lengths = [24, 48], m = 6): Promise<{ verbatim: Record<number, number>; copyFound: number; copyRight: number }> {
  const e = await getEngine(spec.model);
  const inputs = evalInputs(e, spec.maxExamples);
  if (inputs.kind !== 'gpt') throw new ConfigError(`${spec.model} is not a language model`);
  const { train, test } = sotuSplits();
  const text = train.map((a) => a.text).join('\u0000');
  const verbatim: Record<number, number> = {};
  for (const L of lengths) {
    const seen = new Set<string>();
    for (let i = 0; i + L <= text.length; i++) seen.add(text.slice(i, i + L));
    let n = 0;
    let hit = 0;
    for (const a of test) for (let i = 0; i + L <= a.text.length; i += 7, n++) if (seen.has(a.text.slice(i, i + L))) hit++;
    verbatim[L] = hit / n;
  }
  let found = 0;
  let right = 0;
  let n = 0;
  for (const w of inputs.windows) {
    const s = String.fromCharCode(...w);
    for (let t = 0; t < GEN_TOKENS; t++, n++) {
      const p = inputs.prompt + t; // the prediction reads s[0..p] and predicts s[p + 1]
      const j = s.lastIndexOf(s.slice(p + 1 - m, p + 1), p - 8 - m + 1);
      if (j >= 0) {
        found++;
        if (s[j + m] === s[p + 1]) right++;
      }
    }
  }
  return { verbatim, copyFound: found / n, copyRight: right / n };
}

/** Where `copySpanNll` copies: tokens [COPY_FROM, COPY_FROM + COPY_LEN) of a window to [COPY_TO, …). */
export const COPY_FROM = 40;
export const COPY_TO = 160;
export const COPY_LEN = 60;

/**
 * Mean NLL (nats per token) of a span's tokens predicted where they first occur and again where a
 * copy of them is written 60 tokens later (the protocol's first `windows` windows, tokens 40–99
 * copied over 160–219; each occurrence's first 5 tokens left out, so the copy is recognisable).
 * A model that copies predicts the second occurrence far better; one that does not, alike.
 * Dense float forward (`logits`).
 */
export async function copySpanNll(spec: { model: string; maxExamples?: number }, windows = 16): Promise<{ first: number; copy: number; n: number }> {
  const e = await getEngine(spec.model);
  const inputs = evalInputs(e, spec.maxExamples);
  if (inputs.kind !== 'gpt') throw new ConfigError(`${spec.model} is not a language model`);
  let first = 0;
  let copy = 0;
  let n = 0;
  for (const w of inputs.windows.slice(0, windows)) {
    const ids = w.slice(0, Math.min(w.length, e.c.maxPositions));
    if (ids.length < COPY_TO + COPY_LEN) throw new Error(`copySpanNll: windows of ${ids.length} tokens are too short`);
    for (let i = 0; i < COPY_LEN; i++) ids[COPY_TO + i] = ids[COPY_FROM + i];
    const lp = (await computeLogits(spec.model, ids, logitsAlgo({}))).next_token_logprob!; // lp[j]: log p(ids[j + 1])
    for (let i = 5; i < COPY_LEN; i++, n++) {
      first -= lp[COPY_FROM + i - 1];
      copy -= lp[COPY_TO + i - 1];
    }
  }
  return { first: first / n, copy: copy / n, n };
}
