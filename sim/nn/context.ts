/**
 * How much an LM uses its context: perplexity of the same generation-stage predictions as
 * `evaluateAccuracy` (the last 32 tokens of each evaluation window), each predicted from only the
 * last N tokens before it, fed as a fresh sequence at positions 0..N−1. N = Infinity is the full
 * window (one causal pass). Dense float32 forward (the batched training forward: no pruning, no
 * quantization), so the rows of one table are comparable with each other.
 *
 * `positions: 'original'` (diagnostics, lm-diag.ts) keeps the N tokens at the positions they have in
 * the window (end − N … end − 1) instead: the same keys, but a query at position ~240 that sees only
 * its last N keys, which no dense training window shows and which is what KV pruning asks of the model.
 */
import { tf } from './backend.ts';
import { evalInputs, getEngine, GEN_TOKENS, bootstrapCi, type OnBatch } from './api.ts';
import { ConfigError } from './hfconfig.ts';
import { trainForward, type TfWeights } from './model.ts';

export interface ContextResult { context: number | 'full'; perplexity: number; ci95: [number, number]; n: number; predictions: number; positions: 'fresh' | 'original' }

/** Log-softmax value of `target` in row `r` of logits [rows, V]. */
function logProbAt(ld: Float32Array, V: number, r: number, target: number): number {
  let mx = -Infinity;
  for (let v = 0; v < V; v++) mx = Math.max(mx, ld[r * V + v]);
  let z = 0;
  for (let v = 0; v < V; v++) z += Math.exp(ld[r * V + v] - mx);
  return ld[r * V + target] - mx - Math.log(z);
}

export async function contextPerplexity(spec: { model: string; maxExamples?: number; seed?: number }, N: number, positions: 'fresh' | 'original' = 'fresh', onBatch?: OnBatch): Promise<ContextResult> {
  const e = await getEngine(spec.model);
  if (e.c.kind !== 'gpt') throw new ConfigError(`--context: ${spec.model} is not a language model`);
  if (!(N >= 1)) throw new ConfigError(`--context: expected a positive number of tokens, got ${N}`);
  const inputs = evalInputs(e, spec.maxExamples);
  if (inputs.kind !== 'gpt') throw new Error('unreachable');
  const { windows, prompt } = inputs;
  const V = e.c.vocabSize;
  const W = e.W as TfWeights;
  const nll = windows.map(() => 0);
  const full = !Number.isFinite(N) || N >= prompt + GEN_TOKENS;
  // The first generated token has only prompt + 1 tokens before it: a longer N cannot be cut for every step.
  if (!full && N > prompt + 1) throw new ConfigError(`--context: ${N} tokens are more than the ${prompt + 1} before the first scored token of a window: use at most ${prompt + 1}, or 'full'`);
  const chunk = 16;
  if (full) {
    const S = prompt + GEN_TOKENS;
    for (let i = 0; i < windows.length; i += chunk) {
      const batch = windows.slice(i, i + chunk);
      const ids = new Int32Array(batch.length * S);
      batch.forEach((w, b) => ids.set(w.slice(0, S), b * S));
      const lg = tf.tidy(() => trainForward(e.c, W, ids, batch.length, S, []));
      const ld = lg.dataSync() as Float32Array;
      lg.dispose();
      batch.forEach((w, b) => { for (let t = 0; t < GEN_TOKENS; t++) nll[i + b] -= logProbAt(ld, V, b * S + prompt + t, w[prompt + t + 1]); });
      onBatch?.(i + batch.length, windows.length);
    }
  } else {
    // One fresh sequence of N tokens per (window, step): the N tokens ending at position prompt + t.
    const jobs: { w: number; t: number }[] = [];
    windows.forEach((_, w) => { for (let t = 0; t < GEN_TOKENS; t++) jobs.push({ w, t }); });
    const per = Math.max(1, Math.floor(4096 / N));
    for (let i = 0; i < jobs.length; i += per) {
      const batch = jobs.slice(i, i + per);
      const ids = new Int32Array(batch.length * N);
      batch.forEach((j, b) => { const end = prompt + j.t + 1; ids.set(windows[j.w].slice(end - N, end), b * N); });
      const posOffset = positions === 'original' ? batch.map((j) => prompt + j.t + 1 - N) : undefined;
      const lg = tf.tidy(() => trainForward(e.c, W, ids, batch.length, N, [], { posOffset }));
      const ld = lg.dataSync() as Float32Array;
      lg.dispose();
      batch.forEach((j, b) => (nll[j.w] -= logProbAt(ld, V, b * N + N - 1, windows[j.w][prompt + j.t + 1])));
      // windows whose every step is scored (jobs run window by window)
      onBatch?.(Math.floor((i + batch.length) / GEN_TOKENS), windows.length);
    }
  }
  const means = nll.map((x) => x / GEN_TOKENS);
  const ppl = (xs: number[]) => Math.exp(xs.reduce((a, b) => a + b, 0) / xs.length);
  return { context: full ? 'full' : N, perplexity: ppl(means), ci95: bootstrapCi(means, ppl, spec.seed ?? 1), n: windows.length, predictions: windows.length * GEN_TOKENS, positions: full ? 'fresh' : positions };
}
