/**
 * The training recipes (`spatten-dse train --model NAME`): the shipped checkpoints' and the
 * experiments', each a TrainRecipe that sim/nn/train.ts runs. Data only: no training code here.
 */
import type { ModelConfig } from './model.ts';
import type { Positions } from './hfconfig.ts';
import type { FineTuneMasks } from './ft-masks.ts';

export interface TrainRecipe {
  config: Omit<ModelConfig, 'vocabSize' | 'padId' | 'clsId' | 'sepId' | 'eosId'>;
  vocabSize: number;
  seqLen: number;
  batch: number;
  steps: number;
  lr: number;
  warmup: number;
  /** Further phases, each with a fresh Adam and its own warm-up + cosine schedule. */
  phases?: { steps: number; lr: number; warmup: number }[];
  /**
   * 'cosine' (default): warm-up then cosine decay over `steps`. 'rsqrt': warm-up then lr·√(warmup/step),
   * independent of the total, so the weights after k steps are the same whatever the run length
   * (a long run can be stopped at a snapshot and `--steps k` reproduces it).
   */
  schedule?: 'cosine' | 'rsqrt';
  /**
   * LM only: pruning-aware fine-tuning after the `steps` dense steps. The paper fine-tunes after
   * token pruning (§V-A, "2 hours on GPU" per task; the recipe is not given). Here one phase for
   * every ratio: each training sequence draws a keep ratio ρ (dense with probability `denseShare`,
   * else log-uniform in [`keepMin`, 1]); its per-layer keep fractions are the inference schedule
   * (tokenKeepSchedule, default spread and front layers) and each position j draws u_j ~ U(0, 1): in
   * layer l, j is hidden as a key from every other query when u_j ≥ keep_l (nested over layers like
   * the cascade; a query always sees itself). `masks: 'cascade' | 'cascade-gen'` hides instead the
   * keys the inference cascade drops on that window with the current weights (ft-masks.ts); `minKeep`
   * is the schedules' per-layer floor (algo.tokenMinKeep). Fresh Adam, warm-up + cosine schedule.
   */
  fineTune?: FineTunePhase | FineTunePhase[];
  /** BPE trained on one-digit pre-tokens (how the shipped spam-bert / sotu-gpt vocabularies were made). */
  singleDigitPretokens?: boolean;
  /**
   * Training kernels: attention matMuls slice by slice and the loss in JS (train-kernels.ts sliceBMMGrad,
   * crossEntropyJs), 1.7× less CPU per step on wasm (`npm run bench -- nn`, lmTrainStep). Sums in another order than the default kernels,
   * so the recipes of checkpoints trained before them leave it off (their `train` reproduces them).
   */
  fastKernels?: boolean;
  /** 'bytes': byte-level tokens without merges (a character-level LM over the GPT-2 byte alphabet). Default: trained BPE. */
  tokenizer?: 'bpe' | 'bytes';
  /** Experiment: dense steps also fit an n-gram teacher's next-token distribution (weight alpha). */
  distill?: { order: number; alpha: number };
}

/**
 * One pruning-aware fine-tuning phase (TrainRecipe.fineTune). Phases run in order, each with a fresh
 * Adam and its own warm-up + `schedule` ('cosine' over its steps by default; 'rsqrt' makes a snapshot
 * after k steps equal to a run of k steps). Phase k draws its masks from its own seeded stream, so a
 * later phase can be added without changing the weights an earlier one produces.
 */
export type FineTunePhase = FineTuneMasks & {
  steps: number;
  lr: number;
  warmup: number;
  schedule?: 'cosine' | 'rsqrt';
  /** Share of the phase's training windows with a repeated span (repeat-spans.ts; default 0). */
  repeatShare?: number;
};

/** The recipe's fine-tuning phases as a list (none, one or several). */
export function fineTunePhases(r: TrainRecipe): FineTunePhase[] {
  return r.fineTune === undefined ? [] : Array.isArray(r.fineTune) ? r.fineTune : [r.fineTune];
}

/** sotu-char's dense phase (4 layers, 4 heads, FFN 4 × hidden) at another width and rate, with no end ('rsqrt'). */
function charDense(hidden: number, lr: number): TrainRecipe {
  return {
    config: { kind: 'gpt', hidden, layers: 4, heads: 4, intermediate: 4 * hidden, maxPositions: 256, numLabels: 0, lnEps: 1e-5, act: 'relu' },
    vocabSize: 257, tokenizer: 'bytes', seqLen: 256, batch: 8, steps: 100000, lr, warmup: 300, schedule: 'rsqrt', fastKernels: true,
  };
}

/** sotu-char's recipe (RECIPES, where its comment says how the shipped checkpoint was made). */
const SOTU_CHAR: TrainRecipe = {
  config: { kind: 'gpt', hidden: 64, layers: 4, heads: 4, intermediate: 256, maxPositions: 256, numLabels: 0, lnEps: 1e-5, act: 'relu' },
  vocabSize: 257, tokenizer: 'bytes', seqLen: 256, batch: 8, steps: 2500, lr: 3e-3, warmup: 300, schedule: 'rsqrt', fastKernels: true,
  fineTune: { steps: 1200, lr: 1e-3, warmup: 50, keepMin: 0.08, denseShare: 0.2, masks: 'cascade', minKeep: 0.1 },
};

/** A recipe with another depth (config.layers), everything else the same. */
function withLayers(r: TrainRecipe, layers: number): TrainRecipe {
  return { ...r, config: { ...r.config, layers } };
}

/** A recipe with another position scheme (config.positions), everything else the same. */
function withPositions(r: TrainRecipe, positions: Positions): TrainRecipe {
  return { ...r, config: { ...r.config, positions } };
}

export const RECIPES: Record<string, TrainRecipe> = {
  'spam-bert': {
    config: { kind: 'bert', hidden: 64, layers: 4, heads: 4, intermediate: 256, maxPositions: 128, numLabels: 2, lnEps: 1e-12 },
    vocabSize: 4096, seqLen: 128, batch: 32, steps: 300, lr: 1e-3, warmup: 30,
    phases: [{ steps: 200, lr: 3e-4, warmup: 10 }, { steps: 250, lr: 2e-4, warmup: 10 }], singleDigitPretokens: true,
  },
  'sotu-gpt': {
    config: { kind: 'gpt', hidden: 64, layers: 4, heads: 4, intermediate: 256, maxPositions: 256, numLabels: 0, lnEps: 1e-5 },
    vocabSize: 512, seqLen: 256, batch: 8, steps: 450, lr: 2e-3, warmup: 30, singleDigitPretokens: true,
  },
  // Character-level (byte) LM meant to replace sotu-gpt: a prediction needs the preceding
  // characters, so its perplexity can depend on its context (sotu-gpt's does not beyond 4 tokens).
  // The 'rsqrt' schedule makes a run stoppable: its snapshot after k steps = `--steps k`. Shipped
  // (sim/nn/checkpoints/sotu-char): 2,500 dense steps, then 1,200 fine-tuning steps on the keys the
  // inference cascade keeps (ft-masks.ts, 'cascade') on schedules with a 10% per-layer floor (minKeep).
  'sotu-char': SOTU_CHAR,
  // Experiment, not shipped (recorded in d7820bc, sim/nn/README.md): sotu-char's 2 500 dense steps, then a
  // dense continuation phase (fresh Adam, lr 1.5e-3, 200 warm-up steps, 'rsqrt': its snapshot after
  // k steps is this recipe cut there). `--resume-from` sotu-char's 2 500-step dense snapshot runs
  // only the continuation; `train --model sotu-char --resume-from <a snapshot of it>` fine-tunes it.
  'sotu-char-cont': {
    ...SOTU_CHAR,
    fineTune: { steps: 6000, lr: 1.5e-3, warmup: 200, schedule: 'rsqrt', keepMin: 1, denseShare: 1, masks: 'random' },
  },
  // Experiments, not shipped (added in da86c64, results in 6d18c08; sim/nn/README.md "Faster ways to a better dense model"):
  // sotu-char's dense phase also fitting a 5-gram teacher's next-character distribution (`distill`),
  // and the same phase on a model twice as wide. 'rsqrt' with no end: `--steps K` is the snapshot after K.
  'sotu-char-kd': { ...charDense(64, 3e-3), distill: { order: 5, alpha: 0.5 } },
  'sotu-char-w128': charDense(128, 2e-3),
  'sotu-char-w128-kd': { ...charDense(128, 2e-3), distill: { order: 5, alpha: 0.5 } },
  // Experiment (added in 8f11572, shipped as a comparison LM in 4d2f91e; sim/nn/README.md): sotu-char with ALiBi instead of learned positions
  // (config.positions 'alibi': no position embedding, each head adds −slope·(i − j) to its scores), so a query
  // that sees only some of its keys sees them at their true distances, as in a shorter window.
  'sotu-char-alibi': withPositions(SOTU_CHAR, 'alibi'),
  // Experiment (added in 1eba87e, results in 12ebdee): the same with no position information at all ('none', "NoPE": only the
  // causal mask tells a query how many keys precede it), i.e. ALiBi without its recency prior.
  'sotu-char-nope': withPositions(SOTU_CHAR, 'none'),
  // Experiment (added in 1ca76d8, shipped as a comparison LM in ce803ea; sim/nn/README.md): the same with rotary positions ('rope', rope.ts):
  // scores depend on the query-key distance only, as with ALiBi, but without its penalty on distance.
  'sotu-char-rope': withPositions(SOTU_CHAR, 'rope'),
  // Experiment, not shipped (421bdef, sim/nn/README.md "Six layers"): sotu-char-rope's dense phase with six
  // layers instead of four (the "more layers" lever), 'rsqrt' with no end: `--steps K` is
  // the snapshot after K.
  'sotu-char-rope-l6': withPositions(withLayers(charDense(64, 3e-3), 6), 'rope'),
  // Experiment, not shipped (7831c4a, sim/nn/README.md "repeated spans"): sotu-char-rope, then a dense
  // continuation whose windows repeat an earlier span half of the time (repeat-spans.ts): a reason
  // to read far back. `--resume-from` the shipped sotu-char-rope runs only the continuation
  // ('rsqrt': `--ft-steps K` gives its snapshot after K steps).
  'sotu-char-rope-copy': {
    ...withPositions(SOTU_CHAR, 'rope'),
    fineTune: [SOTU_CHAR.fineTune as FineTunePhase, { steps: 20000, lr: 1e-3, warmup: 100, schedule: 'rsqrt', keepMin: 1, denseShare: 1, masks: 'random', repeatShare: 0.5 }],
  },
  // Experiment (added in 1eba87e, results in 12ebdee): sotu-char-alibi's 2 500 dense steps, then a dense continuation (fresh
  // Adam, lr 1.5e-3, 200 warm-up steps, 'rsqrt': its snapshot after k steps is this recipe cut there);
  // `--resume-from` sotu-char-alibi's 2 500-step snapshot runs only the continuation.
  'sotu-char-alibi-cont': {
    ...withPositions(SOTU_CHAR, 'alibi'),
    fineTune: { steps: 20000, lr: 1.5e-3, warmup: 200, schedule: 'rsqrt', keepMin: 1, denseShare: 1, masks: 'random' },
  },
  // Experiment, not shipped (sim/nn/README.md): sotu-gpt's vocabulary and shape with sotu-char's
  // training (ReLU, fast kernels, 'rsqrt'); `--steps 2000` still does not use more than 8 tokens.
  'sotu-bpe': {
    config: { kind: 'gpt', hidden: 64, layers: 4, heads: 4, intermediate: 256, maxPositions: 256, numLabels: 0, lnEps: 1e-5, act: 'relu' },
    vocabSize: 512, seqLen: 256, batch: 8, steps: 20000, lr: 3e-3, warmup: 300, schedule: 'rsqrt', fastKernels: true, singleDigitPretokens: true,
  },
};
