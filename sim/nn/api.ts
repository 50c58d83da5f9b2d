/**
 * Accuracy-engine API used by the sweep runner (possibly inside piscina workers: everything is
 * per-isolate, weights load once per worker and are cached at module level).
 *
 * Evaluation protocol:
 *  - spam-bert (or any HF BERT folder): test split of spam-assassin (data.ts), first N examples
 *    (`maxExamples`, default all 1 209), input [CLS] subject+body [SEP] truncated to the model's
 *    max positions (128). Metric: accuracy; ci95: Wilson score interval over examples.
 *  - sotu-gpt (or any HF GPT-2 folder): windows of prompt + gen + 1 tokens cut without overlap from
 *    the test addresses, shuffled with a fixed seed, first N (`maxExamples`, default 64). Prompt =
 *    maxPositions − 32 tokens (224 for sotu-gpt), then 32 generation iterations (teacher forced).
 *    Metric: perplexity over the generation-stage predictions; ci95: bootstrap over windows.
 *  - The trace has one row per (example-iteration, layer, alive head): for the encoder the
 *    `iteration` column is the example index (one summarization pass each); for the LM it is
 *    example × 32 + generation step (the prompt pass is not in the trace, it is not pruned).
 */
import { createHash } from 'node:crypto';
import { quantile } from 'simple-statistics';
import { AlgoSchema, type AlgoConfig } from '../schema.ts';
import type { Workload } from '../workload/types.ts';
import { initBackend } from './backend.ts';
import { loadCheckpoint, type Checkpoint } from './checkpoint.ts';
import { checkpointHash } from './checkpoint-hash.ts';
import { lmTestWindows, spamSplits, DATA_SEED } from './data.ts';
import { Engine, runAlgo, Stats, type RunAlgo } from './engine.ts';
import type { StatsCounters } from './run-algo.ts';
import { ConfigError } from './hfconfig.ts';
import { mulberry32, shuffleInPlace } from './rng.ts';
import { CHECKPOINT_ROOT, modelDirOf } from './paths.ts';
import { BATCH, DEFAULT_EXAMPLES, GEN_TOKENS, lmPositionsProblem, lmPromptTokens } from './run-sizes.ts';

export interface AccuracySpec { model: string; maxExamples?: number; seed?: number }

/** Called after each batch of a run with the examples scored so far and the run's total (a CLI's progress line). */
export type OnBatch = (done: number, total: number) => void;

export interface AccuracyResult {
  metric: 'accuracy' | 'perplexity';
  value: number;
  n: number;
  ci95: [number, number];
  lsbRefetchFraction: number;
  /** Per layer of the ACCURACY model (the runner maps them onto the target hardware workload by relative depth with mapByDepth). */
  measured: { tokenKeepPerLayer: number[]; headKeepPerLayer: number[]; valueKeepPerLayer: number[]; refetchPerLayer: number[] };
  /** Measured trace: one row per (example-iteration, layer, alive head); see the module comment. */
  trace: Workload;
  cacheKey: string;
  /** Extras (not part of the runner contract): wall time, FLOPs executed, kept counts. */
  details?: { seconds: number; gflop: number; examplesPerSecond: number; model: string; checkpoint: string; layers: number; heads: number };
}

export { GEN_TOKENS };
export const DEFAULT_MAX = { bert: Infinity, gpt: DEFAULT_EXAMPLES.gpt } as const;

const engines = new Map<string, Engine>();

export function resolveModelDir(model: string): string {
  const dir = modelDirOf(model);
  if (dir !== undefined) return dir;
  throw new Error(`model '${model}': neither a shipped checkpoint (${CHECKPOINT_ROOT}) nor a folder with config.json`);
}

/**
 * The engine for a model name or folder, loaded once per process/worker and again when the
 * folder's files changed since (their content hash, checked by stat: checkpoint-hash.ts), so that a
 * long-lived worker never serves replaced weights, config or tokenizer.
 */
export async function getEngine(model: string): Promise<Engine> {
  await initBackend();
  const dir = resolveModelDir(model);
  let e = engines.get(dir);
  if (e && e.ck.hash !== checkpointHash(dir)) {
    e.dispose();
    e = undefined;
  }
  if (!e) {
    const ck: Checkpoint = loadCheckpoint(dir);
    e = new Engine(ck);
    engines.set(dir, e);
  }
  return e;
}

/**
 * Loads what every evaluation of `spec` needs first: the backend, the engine (weights) and the
 * evaluation inputs (tokenized examples), all memoized — a pool worker's warm-up (dse/pool.ts).
 */
export async function warmAccuracy(spec: AccuracySpec): Promise<void> {
  evalInputs(await getEngine(spec.model), spec.maxExamples);
}

type EvalInputs = { kind: 'bert'; items: { ids: number[]; label: number }[] } | { kind: 'gpt'; windows: number[][]; prompt: number };
const inputCache = new Map<string, EvalInputs>();

/** Evaluation inputs for an engine (deterministic; memoized per checkpoint and size). */
export function evalInputs(e: Engine, maxExamples?: number): EvalInputs {
  const key = `${e.ck.dir}|${e.ck.hash}|${maxExamples ?? 'all'}`;
  let v = inputCache.get(key);
  if (!v) {
    v = buildInputs(e, maxExamples);
    inputCache.set(key, v);
  }
  return v;
}

function buildInputs(e: Engine, maxExamples?: number): EvalInputs {
  const c = e.c;
  if (c.kind === 'bert') {
    const test = spamSplits().test;
    const n = Math.min(test.length, maxExamples ?? DEFAULT_MAX.bert);
    const S = c.maxPositions;
    const items = test.slice(0, n).map((ex) => {
      const ids = e.ck.tokenizer.encode(ex.text, S - 2);
      return { ids: [c.clsId, ...ids, c.sepId], label: ex.label };
    });
    return { kind: 'bert', items };
  }
  const problem = lmPositionsProblem(c.maxPositions, `${e.ck.dir}/config.json`);
  if (problem) throw new ConfigError(problem);
  const prompt = lmPromptTokens(c.maxPositions);
  const win = prompt + GEN_TOKENS + 1;
  const windows = lmTestWindows((t) => e.ck.tokenizer.encode(t), win);
  shuffleInPlace(windows, mulberry32(DATA_SEED + 1));
  return { kind: 'gpt', windows: windows.slice(0, Math.min(windows.length, maxExamples ?? DEFAULT_MAX.gpt)), prompt };
}

/**
 * 95% Wilson score interval of a proportion k/n. Unlike a percentile bootstrap it is never empty at
 * 0/n or n/n (a bootstrap of 32 correct answers out of 32 gives [1, 1]: a subset rung would then
 * treat the estimate as exact and let it block every other point in the promotion rule).
 */
export function wilsonCi(k: number, n: number, z = 1.959964): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // centre ± half rounds to 1 − 2⁻⁵³ at k = n and to ~1e-18 at k = 0, excluding the estimate:
  // the bounds are exactly 1 and 0 there, and the interval always contains p.
  const lo = k <= 0 ? 0 : Math.min(p, Math.max(0, centre - half));
  const hi = k >= n ? 1 : Math.max(p, Math.min(1, centre + half));
  return [lo, hi];
}

/** 95% percentile bootstrap CI of stat over resamples of values (1 000 resamples, seeded). */
export function bootstrapCi(values: number[], stat: (xs: number[]) => number, seed: number, reps = 1000): [number, number] {
  return bootstrap(values, stat, seed, reps);
}

function bootstrap(values: number[], stat: (xs: number[]) => number, seed: number, reps = 1000): [number, number] {
  const rng = mulberry32(seed);
  const n = values.length;
  const out: number[] = [];
  const buf = new Array<number>(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) buf[i] = values[Math.floor(rng() * n)];
    out.push(stat(buf));
  }
  return [quantile(out, 0.025), quantile(out, 0.975)];
}

function shapeOf(e: Engine, name: string): Workload['model'] {
  return { name, layers: e.c.layers, heads: e.c.heads, headDim: e.dh, dModel: e.c.hidden, kind: e.c.kind === 'bert' ? 'encoder' : 'decoder' };
}

export function cacheKeyOf(spec: AccuracySpec, algo: AlgoConfig, ckHash: string): string {
  const a = AlgoSchema.parse(algo);
  // lsbRefetchFraction is an output of this engine, not an input.
  const { lsbRefetchFraction: _ignored, ...inputs } = a;
  void _ignored;
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 1, ck: ckHash, algo: inputs, split: 'test', dataSeed: DATA_SEED, max: spec.maxExamples ?? null, seed: spec.seed ?? 1 }));
  return h.digest('hex').slice(0, 20);
}

/**
 * The key of a configuration's run states (`AccuracyPrefix`): `cacheKeyOf` without the example
 * count and without the seed. The seed reaches no per-example score (it seeds only the bootstrap
 * of a language model's perplexity CI, computed from the scores afterwards), so a state of one
 * seed continues or completes a run of any other.
 */
export function prefixKeyOf(spec: AccuracySpec, algo: AlgoConfig, ckHash: string): string {
  return cacheKeyOf({ model: spec.model }, algo, ckHash);
}

/** Run a model's evaluation under a pruning configuration: its metric, CI, measured keep rates and trace. */
export async function evaluateAccuracy(spec: AccuracySpec, algoIn: AlgoConfig, onBatch?: OnBatch): Promise<AccuracyResult> {
  const algo = AlgoSchema.parse(algoIn);
  const e = await getEngine(spec.model);
  const ra = runAlgo(algo, e.c);
  const stats = new Stats(e.c.layers);
  const name = spec.model.includes('/') ? e.ck.dir.split('/').pop() ?? 'hf' : spec.model;
  const inputs = evalInputs(e, spec.maxExamples);
  const t0 = performance.now(); // forward passes only (tokenization excluded)
  const s = scoreFrom(e, inputs, ra, stats, spec.seed ?? 1, undefined, onBatch);
  const seconds = (performance.now() - t0) / 1000;
  const trace = measuredTrace(e, name, algo, ra, stats, s);
  const { metric, value, n, ci95 } = s;
  return {
    metric, value, n, ci95,
    lsbRefetchFraction: stats.refetchFraction(),
    measured: stats.measured(),
    trace,
    cacheKey: cacheKeyOf(spec, algo, e.ck.hash),
    details: { seconds, gflop: stats.flops / 1e9, examplesPerSecond: n / seconds, model: name, checkpoint: e.ck.dir, layers: e.c.layers, heads: e.c.heads },
  };
}

/**
 * An evaluation's state after its first `examples` examples. A run of the same configuration on
 * more examples (successive halving's next rung: the examples are always the first N) continues
 * from it instead of running those examples again, and gives the numbers a run from scratch gives:
 * the same batches, the counters continued from their exact running totals.
 */
export interface AccuracyPrefix {
  /** The configuration (checkpoint, algorithm; not the example count nor the seed): `prefixKeyOf`. */
  key: string;
  examples: number;
  /** Per example: 1 or 0 (classifier: correct), or the generation steps' losses (LM). */
  scores: number[] | number[][];
  counters: StatsCounters;
}

/** An evaluation without its trace (the sweep runner's): what `evaluateAccuracy` gives but the trace, and its final state. */
export interface AccuracyMeasurement extends Omit<AccuracyResult, 'trace' | 'cacheKey' | 'details'> {
  prefix: AccuracyPrefix;
  /** Examples run here (the rest came from `from`). */
  ran: number;
}

/**
 * `evaluateAccuracy` without recording the trace, continuing from `from` when it is a prefix of
 * this run (same configuration, of any seed; fewer examples in whole batches, or all of them); any
 * other `from` is ignored. A `from` holding all of this run's examples runs no forward pass: the
 * metric and its CI are computed from its scores (a language model's perplexity CI under this
 * run's seed), the measured rates from its counters. `onBatch`: called after each batch scored (the
 * examples done, counting `from`'s, and the total), as by `evaluateAccuracy`.
 */
export async function measureAccuracy(spec: AccuracySpec, algoIn: AlgoConfig, from?: AccuracyPrefix, onBatch?: OnBatch): Promise<AccuracyMeasurement> {
  const algo = AlgoSchema.parse(algoIn);
  const e = await getEngine(spec.model);
  const stats = new Stats(e.c.layers, false);
  const inputs = evalInputs(e, spec.maxExamples);
  const key = prefixKeyOf(spec, algo, e.ck.hash);
  const start = usablePrefix(from, key, inputs);
  if (start) stats.restore(start.counters);
  const s = scoreFrom(e, inputs, runAlgo(algo, e.c), stats, spec.seed ?? 1, start, onBatch);
  const { metric, value, n, ci95, scores } = s;
  return {
    metric, value, n, ci95,
    lsbRefetchFraction: stats.refetchFraction(),
    measured: stats.measured(),
    prefix: { key, examples: n, scores, counters: stats.counters() },
    ran: n - (start?.examples ?? 0),
  };
}

/**
 * `from` when this run (configuration `key`, `inputs`) can continue it: whole batches of its own
 * first examples, or all of them (the run is then complete, whatever its last batch's width).
 */
function usablePrefix(from: AccuracyPrefix | undefined, key: string, inputs: EvalInputs): AccuracyPrefix | undefined {
  if (!from || from.key !== key) return undefined;
  const bert = inputs.kind === 'bert';
  const count = bert ? inputs.items.length : inputs.windows.length;
  const shape = from.scores.every((x) => (bert ? typeof x === 'number' : Array.isArray(x)));
  const whole = from.examples === count || from.examples % (bert ? BATCH.bert : BATCH.gpt) === 0;
  return shape && from.examples === from.scores.length && from.examples <= count && whole ? from : undefined;
}

/** The metric of one evaluation, the shape of its trace (stage, iterations) and the per-example scores. */
interface Scored {
  metric: AccuracyResult['metric'];
  value: number;
  n: number;
  ci95: [number, number];
  stage: Workload['stage'];
  iterations: number;
  scores: number[] | number[][];
}

/** Scores the inputs' examples after `start`'s (all of them without it), counting into `stats`. */
function scoreFrom(e: Engine, inputs: EvalInputs, ra: RunAlgo, stats: Stats, seed: number, start: AccuracyPrefix | undefined, onBatch?: OnBatch): Scored {
  const done = start ? structuredClone(start.scores) : [];
  return inputs.kind === 'bert' ? scoreClassifier(e, inputs.items, ra, stats, done as number[], onBatch) : scoreLm(e, inputs.windows, inputs.prompt, ra, stats, seed, done as number[][], onBatch);
}

/** Classifier accuracy over the examples in batches (Wilson interval); one summarization pass each. `correct` holds the first examples' (a prefix). */
function scoreClassifier(e: Engine, items: { ids: number[]; label: number }[], ra: RunAlgo, stats: Stats, correct: number[], onBatch?: OnBatch): Scored {
  for (let i = correct.length; i < items.length; i += BATCH.bert) {
    const batch = items.slice(i, i + BATCH.bert);
    const logits = e.classifyBatch(batch.map((x) => x.ids), ra, stats, i);
    batch.forEach((_, b) => refuseNaN(e, logits[b], i + b, 'classifier logits'));
    batch.forEach((x, b) => {
      let best = 0;
      for (let k = 1; k < logits[b].length; k++) if (logits[b][k] > logits[b][best]) best = k;
      correct.push(best === x.label ? 1 : 0);
    });
    onBatch?.(correct.length, items.length);
  }
  const n = correct.length;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { metric: 'accuracy', value: mean(correct), n, ci95: wilsonCi(correct.reduce((a, b) => a + b, 0), n), stage: 'summarization', iterations: n, scores: correct };
}

/** Throws when `xs` (example `index`'s logits or losses) holds a NaN: a metric computed from it would be meaningless. */
function refuseNaN(e: Engine, xs: ArrayLike<number>, index: number, what: string): void {
  for (let k = 0; k < xs.length; k++) {
    if (Number.isNaN(xs[k])) throw new Error(`${e.ck.dir}: example ${index}: the ${what} are NaN (activations beyond float32's range in the forward pass); no ${e.c.kind === 'bert' ? 'accuracy' : 'perplexity'} is reported`);
  }
}

/** LM perplexity over the windows' GEN_TOKENS teacher-forced steps (bootstrap over windows). `perEx` holds the first windows' losses (a prefix). */
function scoreLm(e: Engine, windows: number[][], prompt: number, ra: RunAlgo, stats: Stats, seed: number, perEx: number[][], onBatch?: OnBatch): Scored {
  for (let i = perEx.length; i < windows.length; i += BATCH.gpt) {
    const batch = windows.slice(i, i + BATCH.gpt);
    const losses = e.generateBatch(batch, prompt, GEN_TOKENS, ra, stats, i * GEN_TOKENS);
    losses.forEach((xs, b) => refuseNaN(e, xs, i + b, 'next-token losses'));
    perEx.push(...losses);
    onBatch?.(perEx.length, windows.length);
  }
  const n = perEx.length;
  return { metric: 'perplexity', ...perplexityOf(perEx, seed), n, stage: 'generation', iterations: n * GEN_TOKENS, scores: perEx };
}

/**
 * A language model's perplexity and its 95% bootstrap CI from the windows' per-step losses (nats):
 * exp of the mean of the windows' mean losses, resampled over windows with `seed`. Everything the
 * seed changes is computed here, from the scores alone.
 */
export function perplexityOf(perWindow: readonly (readonly number[])[], seed: number): { value: number; ci95: [number, number] } {
  const means = perWindow.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
  const ppl = (xs: number[]) => Math.exp(xs.reduce((a, b) => a + b, 0) / xs.length);
  return { value: ppl(means), ci95: bootstrap(means, ppl, seed) };
}

/**
 * The measured workload: the rows `stats` recorded, with the model's shape and the run's provenance,
 * in the order the accelerator runs them (an iteration's layers in turn, as in the official traces):
 * the engine records a batch of examples layer by layer across the batch, so the rows are sorted
 * by iteration, then layer (stable: an iteration's heads keep their order within a layer).
 */
function measuredTrace(e: Engine, name: string, algo: AlgoConfig, ra: RunAlgo, stats: Stats, s: Scored): Workload {
  const { stage, n } = s;
  const provenance =
    `measured: ${name} ${stage} n=${n} tokenKeep=${algo.tokenKeep} headKeep=${algo.headKeep} valueKeep=${algo.valueKeep}` +
    ` msb=${algo.msbBits} lsb=${ra.progressive ? algo.lsbBits : 0} thr=${algo.lsbThreshold}`;
  return {
    name: `${name}-${stage}-measured`, model: shapeOf(e, name), stage, iterations: s.iterations, reuseKV: stage === 'summarization',
    requests: [...stats.rows].sort((a, b) => a.iteration - b.iteration || a.layer - b.layer), source: 'generated', provenance,
  };
}
