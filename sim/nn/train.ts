/**
 * Training of the shipped checkpoints and the experiments (`spatten-dse train --model NAME [--seed S]`;
 * the recipes are in recipes.ts).
 * Everything is seeded: tokenizer training, init, batch order. Dense (unpruned) training; the
 * SpAtten algorithms only run at inference (the paper fine-tunes after pruning; we report the
 * pruned accuracy without fine-tuning, see README).
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { initTraining, tf } from './backend.ts';
import { saveCheckpoint } from './checkpoint.ts';
import { sotuSplits, spamSplits, tokenStream, type SpamExample } from './data.ts';
import { activationOf, initWeights, trainForward, type ModelConfig, type TfWeights, type Weights } from './model.ts';
import { CHECKPOINT_ROOT } from './paths.ts';
import { ConfigError, learnedPositions } from './hfconfig.ts';
import { repeatSpan } from './repeat-spans.ts';
import { fineTunePhases, RECIPES, type FineTunePhase, type TrainRecipe } from './recipes.ts';
import { mulberry32, shuffleInPlace } from './rng.ts';
import { trainBpe, type BpeTokenizer } from './tokenizer.ts';
import { engineOf, prunedKeyMaskArrays, type FtMaskMode } from './ft-masks.ts';
import { combineShards, lossAndGrads, maskTensors, shardBounds, shardLoss, shardSlice, type ShardResult, type ShardTask } from './train-shard.ts';
import { WittenBellDist } from './ngram.ts';
import type { SoftTargets } from './train-kernels.ts';

export { fineTunePhases, RECIPES, type FineTunePhase, type TrainRecipe };

const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
const GPT_SPECIALS = ['<|endoftext|>'];

/** BERT input ids: [CLS] tokens… [SEP], truncated to seqLen. */
export function bertIds(tok: { encode(t: string, maxTokens?: number): number[] }, c: ModelConfig, text: string, seqLen: number): number[] {
  const ids = tok.encode(text, seqLen - 2);
  return [c.clsId, ...ids, c.sepId];
}

/** A progress line of the training, on stderr: stdout holds only `train`'s result (one JSON object). */
function log(msg: string): void {
  process.stderr.write(`[train ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** The trained weights as variables (without learned positions the all-zero posEmb is not one: it is not trained). */
function toTf(w: Weights, c: ModelConfig): Map<string, tf.Variable> {
  const m = new Map<string, tf.Variable>();
  for (const [k, t] of w) if (learnedPositions(c) || k !== 'posEmb') m.set(k, tf.variable(tf.tensor(t.data, t.shape), true, k));
  return m;
}
function fromTf(m: Map<string, tf.Variable>, c: ModelConfig): Weights {
  const w: Weights = new Map();
  if (!learnedPositions(c)) w.set('posEmb', { shape: [c.maxPositions, c.hidden], data: new Float32Array(c.maxPositions * c.hidden) });
  for (const [k, v] of m) w.set(k, { shape: v.shape.slice(), data: new Float32Array(v.dataSync()) });
  return w;
}

function lrAt(r: { steps: number; lr: number; warmup: number; schedule?: 'cosine' | 'rsqrt' }, step: number): number {
  if (step < r.warmup) return (r.lr * (step + 1)) / r.warmup;
  if (r.schedule === 'rsqrt') return r.lr * Math.sqrt(r.warmup / (step + 1));
  const p = (step - r.warmup) / Math.max(1, r.steps - r.warmup);
  return r.lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** One optimizer step with global-norm clipping; returns the loss. */
export function step(opt: tf.AdamOptimizer, vars: Map<string, tf.Variable>, lossFn: () => tf.Scalar, clip = 1): number {
  const { value, grads } = tf.variableGrads(lossFn, [...vars.values()]);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
  const s = norm > clip ? clip / norm : 1;
  const scaled: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) scaled[k] = s === 1 ? g : tf.mul(g, s);
  opt.applyGradients(scaled as unknown as tf.NamedTensorMap & Record<string, tf.Variable>);
  const loss = value.dataSync()[0];
  value.dispose();
  for (const k of Object.keys(grads)) {
    grads[k].dispose();
    if (s !== 1) scaled[k].dispose();
  }
  return loss;
}

/** Adam step from plain full-batch gradients (in `vars` order) with global-norm clipping at `clip`. */
function applyClipped(opt: tf.AdamOptimizer, vars: tf.Variable[], grads: Float32Array[], clip = 1): void {
  let sq = 0;
  for (const g of grads) for (let j = 0; j < g.length; j++) sq += g[j] * g[j];
  const norm = Math.sqrt(sq);
  const s = norm > clip ? clip / norm : 1;
  const named: Record<string, tf.Tensor> = {};
  vars.forEach((v, k) => {
    const g = grads[k];
    if (s !== 1) for (let j = 0; j < g.length; j++) g[j] *= s;
    named[v.name] = tf.tensor(g, v.shape);
  });
  opt.applyGradients(named as unknown as tf.NamedTensorMap & Record<string, tf.Variable>);
  for (const t of Object.values(named)) t.dispose();
}

type TrainOptions = {
  steps?: number; outDir?: string; quiet?: boolean; resumeFrom?: string; saveEvery?: number;
  /** Override the recipe's fine-tuning mask mode / step count / schedule floor (recorded in training.json's recipe). */
  ftMasks?: FtMaskMode; ftSteps?: number; ftMinKeep?: number;
  /**
   * LM recipes: split each batch into `workers` shards (train-shard.ts), shard 0 on this thread and
   * the others through `shardRunner` (the CLI's worker pool). Default 1: one thread, the shipped checkpoints' arithmetic.
   */
  workers?: number;
  shardRunner?: (t: ShardTask) => Promise<ShardResult>;
};

/** What the training loops share: the run, its tokenizer, weights, optimizer (replaced per phase) and RNG. */
interface TrainRun {
  name: string;
  seed: number;
  r: TrainRecipe;
  opts: TrainOptions;
  backend: string;
  t0: number;
  tok: BpeTokenizer;
  config: ModelConfig;
  vars: Map<string, tf.Variable>;
  nParams: number;
  opt: tf.AdamOptimizer;
  rng: () => number;
}

/** BERT: classification training over the recipe's phases, then dense validation accuracy. */
function trainBert(run: TrainRun, spam: ReturnType<typeof spamSplits>): Record<string, unknown> {
  const { name, r, opts, t0, tok, config, vars, rng } = run;
  const S = r.seqLen;
  const B = r.batch;
  const enc = (set: SpamExample[]) => set.map((e) => ({ ids: bertIds(tok, config, e.text, S), label: e.label }));
  const train = enc(spam.train);
  const val = enc(spam.val);
  let order: number[] = [];
  let ema = -1;
  const phases = [{ steps: r.steps, lr: r.lr, warmup: r.warmup }, ...(r.phases ?? [])];
  const starts = phases.map((_, i) => phases.slice(0, i).reduce((a, p) => a + p.steps, 0));
  const total = starts[starts.length - 1] + phases[phases.length - 1].steps;
  const skip = opts.resumeFrom ? starts[starts.length - 1] : 0;
  for (let it = 0; it < total; it++) {
    if (order.length < B) order = order.concat(shuffleInPlace(train.map((_, i) => i), rng));
    const batch = order.splice(0, B).map((i) => train[i]);
    if (it < skip) continue; // resumed: replay the batch order only
    let ph = 0;
    while (ph + 1 < phases.length && it >= starts[ph + 1]) ph++;
    if (ph > 0 && it === starts[ph]) {
      run.opt.dispose();
      run.opt = tf.train.adam(phases[ph].lr, 0.9, 0.98, 1e-8);
    }
    const Sb = Math.max(...batch.map((e) => e.ids.length));
    const ids = new Int32Array(B * Sb);
    batch.forEach((e, b) => ids.set(e.ids, b * Sb));
    const labels = tf.oneHot(tf.tensor1d(batch.map((e) => e.label), 'int32'), 2);
    (run.opt as unknown as { learningRate: number }).learningRate = lrAt(phases[ph], it - starts[ph]);
    const loss = step(run.opt, vars, () => tf.losses.softmaxCrossEntropy(labels, trainForward(config, vars as TfWeights, ids, B, Sb, batch.map((e) => e.ids.length))) as tf.Scalar);
    labels.dispose();
    ema = ema < 0 ? loss : 0.95 * ema + 0.05 * loss;
    if (!opts.quiet && (it % 20 === 0 || it === total - 1)) log(`${name} step ${it}/${total} loss ${loss.toFixed(4)} ema ${ema.toFixed(4)} ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return { valAccuracy: bertValAccuracy(config, vars, val, B), valN: val.length, finalTrainLossEma: ema };
}

/** Validation accuracy (dense, batched). */
function bertValAccuracy(config: ModelConfig, vars: Map<string, tf.Variable>, val: { ids: number[]; label: number }[], B: number): number {
  let correct = 0;
  for (let i = 0; i < val.length; i += B) {
    const batch = val.slice(i, i + B);
    const Sb = Math.max(...batch.map((e) => e.ids.length));
    const ids = new Int32Array(batch.length * Sb);
    batch.forEach((e, b) => ids.set(e.ids, b * Sb));
    const logits = tf.tidy(() => trainForward(config, vars as TfWeights, ids, batch.length, Sb, batch.map((e) => e.ids.length)));
    const ld = logits.dataSync();
    logits.dispose();
    batch.forEach((e, b) => { if ((ld[2 * b + 1] > ld[2 * b] ? 1 : 0) === e.label) correct++; });
  }
  return correct / val.length;
}

/**
 * `distill` recipes: the n-gram teacher built on the training stream, as a function giving its
 * next-token distributions for every position of a batch (dense steps only); otherwise undefined.
 */
function distillTargets(run: TrainRun, stream: number[]): ((ids: Int32Array) => SoftTargets) | undefined {
  const { name, r, opts, config } = run;
  const d = r.distill;
  if (!d) return undefined;
  if ((opts.workers ?? 1) > 1) throw new Error(`${name}: a recipe with a teacher (distill) trains on one thread (--workers 1)`);
  const teacher = new WittenBellDist(d.order, config.vocabSize).train(stream);
  log(`${name}: n-gram teacher of order ${d.order} built`);
  const [B, S, V] = [r.batch, r.seqLen, config.vocabSize];
  return (ids) => {
    const dist = new Float32Array(B * S * V);
    for (let b = 0; b < B; b++) for (let j = 0; j < S; j++) teacher.dist(ids, b * S, b * S + j + 1, dist, (b * S + j) * V);
    return { dist, alpha: d.alpha };
  };
}

/** A `--save-every` snapshot after `done` of `total` steps: out-dir/step-<done>, with the recipe it equals (snapshotRecipe). */
function saveSnapshot(run: TrainRun, recipe: TrainRecipe, done: number, total: number, ema: number): void {
  const { name, seed, opts, backend, t0, tok, config, vars, nParams } = run;
  const snap = { model: name, seed, backend, params: nParams, recipe, seconds: Math.round((performance.now() - t0) / 1000), snapshotOf: total, finalTrainLossEma: ema, ...((opts.workers ?? 1) > 1 ? { workers: opts.workers } : {}) };
  saveCheckpoint(join(opts.outDir ?? join(CHECKPOINT_ROOT, name), `step-${done}`), config, fromTf(vars, config), tok, snap);
  log(`${name}: snapshot after ${done} steps`);
}

/** GPT: next-token training on random windows of the token stream (optional snapshots), then validation loss. */
async function trainGpt(run: TrainRun, splits: ReturnType<typeof sotuSplits>): Promise<Record<string, unknown>> {
  const { name, seed, r, opts, t0, tok, config, vars, rng } = run;
  const S = r.seqLen;
  const B = r.batch;
  const enc = (t: string) => tok.encode(t);
  const stream = tokenStream(splits.train, enc, config.eosId);
  const valStream = tokenStream(splits.val, enc, config.eosId);
  log(`${name}: ${stream.length} train tokens, ${valStream.length} val tokens`);
  const softTargets = distillTargets(run, stream);
  const lossOf = (ids: Int32Array, tgt: Int32Array, nb: number, layerMasks?: (tf.Tensor | null)[], soft?: SoftTargets) => shardLoss(config, vars, !!r.fastKernels, ids, tgt, nb, S, layerMasks, soft);
  let ema = 0;
  const fts = fineTunePhases(r);
  // Phase boundaries: the dense steps, then each fine-tuning phase.
  const ends = [r.steps];
  for (const f of fts) ends.push(ends[ends.length - 1] + f.steps);
  const total = ends[ends.length - 1];
  const resumeAt = opts.resumeFrom ? ends[ends.length - 2] : 0; // resumed: replay the earlier phases' batch order only
  const maskRngs = fts.map((_, k) => mulberry32(seed * 104729 + 3 + 7919 * k));
  const repeatRngs = fts.map((_, k) => mulberry32(seed * 7919 + 11 + 104729 * k));
  let phase = 0;
  for (let it = 0; it < total; it++) {
    const starts = Array.from({ length: B }, () => Math.floor(rng() * (stream.length - S - 1)));
    while (it >= ends[phase]) phase++;
    if (it < resumeAt) continue;
    const ft = phase > 0 ? fts[phase - 1] : undefined;
    if (ft && it === ends[phase - 1]) {
      run.opt.dispose();
      run.opt = tf.train.adam(ft.lr, 0.9, 0.98, 1e-8);
      log(`${name}: pruning-aware fine-tuning phase ${phase}, ${ft.steps} steps (${ft.masks ?? 'random'} masks)`);
    }
    const { ids, tgt } = windowBatch(stream, starts, S, ft?.repeatShare ? { share: ft.repeatShare, rng: repeatRngs[phase - 1] } : undefined);
    const masks = ft ? fineTuneMasks(run, ft, starts, stream, maskRngs[phase - 1]) : undefined;
    const soft = softTargets && !ft ? softTargets(ids) : undefined;
    (run.opt as unknown as { learningRate: number }).learningRate = ft ? lrAt(ft, it - ends[phase - 1]) : lrAt(r, it);
    const loss = opts.workers && opts.workers > 1
      ? await shardedStep({ opt: run.opt, vars, config, fastKernels: !!r.fastKernels, B, S, workers: opts.workers, shardRunner: requireShardRunner(opts) }, ids, tgt, masks)
      : oneThreadStep(run, (i, t, nb, m) => lossOf(i, t, nb, m, soft), ids, tgt, masks);
    ema = it === resumeAt ? loss : 0.95 * ema + 0.05 * loss;
    if (!opts.quiet && (it % 20 === 0 || it === total - 1)) log(`${name} step ${it}/${total} loss ${loss.toFixed(4)} ema ${ema.toFixed(4)} ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (opts.saveEvery && (it + 1) % opts.saveEvery === 0 && it + 1 < total) saveSnapshot(run, snapshotRecipe(r, fts, phase, it + 1 - (phase > 0 ? ends[phase - 1] : 0)), it + 1, total, ema);
  }
  return { ...validationLoss(valStream, S, (ids, tgt) => lossOf(ids, tgt, 1)), finalTrainLossEma: ema };
}

/**
 * Inputs and next-token targets of the windows starting at `starts` (S + 1 tokens each); with
 * `repeat`, a share of them carry a repeated span (repeat-spans.ts).
 */
function windowBatch(src: number[], starts: number[], S: number, repeat?: { share: number; rng: () => number }): { ids: Int32Array; tgt: Int32Array } {
  const ids = new Int32Array(starts.length * S);
  const tgt = new Int32Array(starts.length * S);
  starts.forEach((s0, b) => {
    const w = src.slice(s0, s0 + S + 1);
    if (repeat && repeat.rng() < repeat.share) repeatSpan(w, repeat.rng);
    for (let j = 0; j < S; j++) {
      ids[b * S + j] = w[j];
      tgt[b * S + j] = w[j + 1];
    }
  });
  return { ids, tgt };
}

/** Mean loss over up to 40 consecutive non-overlapping windows of the validation stream. */
function validationLoss(valStream: number[], S: number, lossOf: (ids: Int32Array, tgt: Int32Array) => tf.Scalar): { valLoss: number; valPerplexity: number; valWindows: number } {
  let tot = 0;
  let n = 0;
  for (let s0 = 0; s0 + S + 1 < valStream.length && n < 40; s0 += S, n++) {
    const { ids, tgt } = windowBatch(valStream, [s0], S);
    const l = tf.tidy(() => lossOf(ids, tgt));
    tot += l.dataSync()[0];
    l.dispose();
  }
  return { valLoss: tot / n, valPerplexity: Math.exp(tot / n), valWindows: n };
}

/**
 * The recipe a snapshot after `done` steps of phase `phase` (0 = dense) corresponds to: exact when
 * that phase's schedule is 'rsqrt' (the learning rate after k steps does not depend on the total);
 * with 'cosine' the snapshot is only an intermediate state of the whole recipe.
 */
export function snapshotRecipe(r: TrainRecipe, fts: FineTunePhase[], phase: number, done: number): TrainRecipe {
  if (phase === 0) return r.schedule === 'rsqrt' ? { ...r, steps: done, fineTune: undefined } : r;
  const f = fts[phase - 1];
  if (f.schedule !== 'rsqrt') return r;
  const kept = [...fts.slice(0, phase - 1), { ...f, steps: done }];
  return { ...r, fineTune: kept.length === 1 ? kept[0] : kept };
}

function requireShardRunner(opts: TrainOptions): (t: ShardTask) => Promise<ShardResult> {
  if (!opts.shardRunner) throw new Error('training with several workers needs a shard runner (the CLI passes its worker pool)');
  return opts.shardRunner;
}

/** One step on this thread (the shipped checkpoints' arithmetic). */
function oneThreadStep(run: TrainRun, lossOf: (ids: Int32Array, tgt: Int32Array, nb: number, m?: (tf.Tensor | null)[]) => tf.Scalar, ids: Int32Array, tgt: Int32Array, masks?: (Float32Array | null)[]): number {
  const mt = maskTensors(masks, run.r.batch, run.r.seqLen);
  try {
    return step(run.opt, run.vars, () => lossOf(ids, tgt, run.r.batch, mt));
  } finally {
    mt?.forEach((m) => m?.dispose());
  }
}

/** What a data-parallel step needs: the trainer's optimizer and variables, the batch shape, the shard count and runner. */
export interface ShardedStepper {
  opt: tf.AdamOptimizer;
  vars: Map<string, tf.Variable>;
  config: ModelConfig;
  fastKernels: boolean;
  B: number;
  S: number;
  workers: number;
  shardRunner: (t: ShardTask) => Promise<ShardResult>;
}

/** One step over `workers` shards: shard 0 here, the others through `shardRunner`, gradients combined (train-shard.ts); returns the batch loss. */
export async function shardedStep(p: ShardedStepper, ids: Int32Array, tgt: Int32Array, masks?: (Float32Array | null)[]): Promise<number> {
  const { config, vars, S } = p;
  const bounds = shardBounds(p.B, p.workers);
  const names = [...vars.keys()];
  const vs = [...vars.values()];
  const weights = vs.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const shapes = vs.map((v) => v.shape.slice());
  const remote: Promise<ShardResult>[] = [];
  for (let i = 1; i + 1 < bounds.length; i++) {
    const sl = shardSlice(ids, tgt, masks, S, bounds[i], bounds[i + 1]);
    remote.push(p.shardRunner({ config, fastKernels: p.fastKernels, names, shapes, weights, ids: sl.ids.slice(), tgt: sl.tgt.slice(), nb: sl.nb, S, masks: sl.masks?.map((m) => (m ? m.slice() : null)) }));
  }
  const s0 = shardSlice(ids, tgt, masks, S, 0, bounds[1]);
  const mt = maskTensors(s0.masks, s0.nb, S);
  let own: ShardResult;
  try {
    own = lossAndGrads(vs, () => shardLoss(config, vars, p.fastKernels, s0.ids, s0.tgt, s0.nb, S, mt));
  } finally {
    mt?.forEach((m) => m?.dispose());
  }
  const parts = [own, ...(await Promise.all(remote))];
  const { loss, grads } = combineShards(parts, bounds.slice(1).map((b, i) => b - bounds[i]));
  applyClipped(p.opt, vs, grads);
  return loss;
}

/** One fine-tuning batch's masks (plain arrays); 'cascade' runs the inference cascade on the batch's windows with the current weights. */
function fineTuneMasks(run: TrainRun, ft: FineTunePhase, starts: number[], stream: number[], rng: () => number): (Float32Array | null)[] {
  const { r, config } = run;
  if ((ft.masks ?? 'random') === 'random') return prunedKeyMaskArrays(r.batch, r.seqLen, config.layers, rng, ft);
  const engine = engineOf(config, fromTf(run.vars, config));
  try {
    const windows = starts.map((s0) => stream.slice(s0, s0 + r.seqLen + 1));
    return prunedKeyMaskArrays(r.batch, r.seqLen, config.layers, rng, ft, { engine, windows });
  } finally {
    engine.dispose();
  }
}

/** The model fields a resumed checkpoint must share with the recipe (its weights are the recipe's tensors), defaults filled in. */
function resumeFields(c: ModelConfig): Record<string, unknown> {
  const { kind, vocabSize, hidden, layers, heads, intermediate, maxPositions, numLabels } = c;
  return { kind, vocabSize, hidden, layers, heads, intermediate, maxPositions, numLabels, act: activationOf(c), positions: c.positions ?? 'learned', tiedHead: c.tiedHead !== false };
}

/**
 * A `resumeFrom` checkpoint of another model (a BERT for an LM recipe, other sizes, another
 * position scheme) would be trained as if it were the recipe's; refused (ConfigError: exit 2),
 * naming the folder and the first field that differs.
 */
export function checkResumeConfig(dir: string, got: ModelConfig, want: ModelConfig, name: string): void {
  const [a, b] = [resumeFields(got), resumeFields(want)];
  const f = Object.keys(b).find((k) => a[k] !== b[k]);
  if (f !== undefined) {
    throw new ConfigError(`--resume-from ${dir}: its config.json gives ${f} ${JSON.stringify(a[f])}, the ${name} recipe's model has ${JSON.stringify(b[f])}: resume from a snapshot or checkpoint of the same recipe`);
  }
}

/**
 * `resumeFrom`: a checkpoint folder holding the weights after all phases but the last (same
 * recipe and seed; for the LM: the dense steps and every fine-tuning phase but the last); those phases are skipped (their batch order is replayed so the last phase sees
 * the same batches as a run from scratch).
 */
export async function trainModel(name: string, seed = 1, opts: TrainOptions = {}): Promise<Record<string, unknown>> {
  const recipe = RECIPES[name];
  if (!recipe) throw new Error(`unknown model '${name}' (trainable: ${Object.keys(RECIPES).join(', ')})`);
  // --steps N: one phase of N steps (a quick run; it does not reproduce the shipped checkpoint).
  let r: TrainRecipe = opts.steps ? { ...recipe, steps: opts.steps, phases: undefined, fineTune: undefined } : recipe;
  if (r.fineTune && (opts.ftMasks || opts.ftSteps || opts.ftMinKeep)) {
    // The overrides change the last fine-tuning phase.
    const fts = fineTunePhases(r);
    const last = { ...fts[fts.length - 1], ...(opts.ftMasks ? { masks: opts.ftMasks } : {}), ...(opts.ftSteps ? { steps: opts.ftSteps } : {}), ...(opts.ftMinKeep ? { minKeep: opts.ftMinKeep } : {}) };
    r = { ...r, fineTune: fts.length === 1 ? last : [...fts.slice(0, -1), last] };
  }
  const isBert = r.config.kind === 'bert';
  const configOf = (vocabSize: number): ModelConfig => ({
    ...r.config, vocabSize,
    padId: isBert ? 0 : -1, clsId: isBert ? 2 : -1, sepId: isBert ? 3 : -1, eosId: isBert ? -1 : 0,
  });
  // a resumeFrom folder of another model is bad input: refused before anything runs or is logged
  const resumed = opts.resumeFrom ? (await import('./checkpoint.ts')).loadCheckpoint(opts.resumeFrom) : undefined;
  if (resumed) checkResumeConfig(opts.resumeFrom!, resumed.config, configOf(r.vocabSize), name);
  const backend = await initTraining();
  const t0 = performance.now();
  const splits = isBert ? null : sotuSplits();
  const spam = isBert ? spamSplits() : null;
  const corpus = isBert ? spam!.train.map((e) => e.text) : splits!.train.map((a) => a.text);
  log(`${name}: training tokenizer (vocab ${r.vocabSize}) on ${corpus.length} documents`);
  const tok: BpeTokenizer = r.tokenizer === 'bytes' ? trainBpe([], r.vocabSize, GPT_SPECIALS) : trainBpe(corpus, r.vocabSize, isBert ? BERT_SPECIALS : GPT_SPECIALS, { singleDigitPretokens: r.singleDigitPretokens });
  const config = configOf(tok.vocabSize);
  log(`${name}: tokenizer done in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${tok.vocabSize} tokens; backend ${backend}`);
  let init = initWeights(config, seed);
  if (resumed && opts.resumeFrom) {
    checkResumeConfig(opts.resumeFrom, resumed.config, config, name);
    init = resumed.weights;
    log(`${name}: phase-1 weights from ${opts.resumeFrom}`);
  }
  const vars = toTf(init, config);
  const nParams = [...vars.values()].reduce((a, v) => a + v.size, 0);
  const run: TrainRun = {
    name, seed, r, opts, backend, t0, tok, config, vars, nParams,
    opt: tf.train.adam(r.lr, 0.9, 0.98, 1e-8),
    rng: mulberry32(seed * 7919 + 17),
  };
  const metrics = isBert ? trainBert(run, spam!) : await trainGpt(run, splits!);
  const seconds = (performance.now() - t0) / 1000;
  const training = {
    model: name, seed, backend, params: nParams, recipe: r, seconds: Math.round(seconds), ...metrics,
    // data-parallel shards (train-shard.ts): the same recipe, float32 sums in another order
    ...((opts.workers ?? 1) > 1 ? { workers: opts.workers } : {}),
    note: fineTunePhases(r).length > 0
      ? `trained by \`spatten-dse train\`; dense steps, then pruning-aware fine-tuning with ${fineTunePhases(r).map((f) => (f.masks && f.masks !== 'random' ? `the inference cascade's kept keys as masks (${f.masks})` : 'random nested key masks')).join(', then ')} (TrainRecipe.fineTune); SpAtten pruning itself runs at inference`
      : 'trained by `spatten-dse train`; dense training, SpAtten pruning applied at inference only',
  };
  const outDir = opts.outDir ?? join(CHECKPOINT_ROOT, name);
  const removed = saveCheckpoint(outDir, config, fromTf(vars, config), tok, training);
  if (removed.length) log(`${name}: removed the earlier checkpoint's ${removed.join(', ')} from ${outDir}`);
  for (const v of vars.values()) v.dispose();
  run.opt.dispose();
  log(`${name}: done in ${seconds.toFixed(0)} s → ${outDir} ${JSON.stringify(metrics)}`);
  return training;
}
