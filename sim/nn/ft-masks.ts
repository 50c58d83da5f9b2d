/**
 * Attention masks of the LM's pruning-aware fine-tuning (TrainRecipe.fineTune), one additive mask
 * [B,1,S,S] per layer: causal, plus the key positions the drawn keep ratio prunes in that layer
 * (a query always sees itself). Each training sequence draws a keep ratio ρ (dense with probability
 * `denseShare`, else log-uniform in [`keepMin`, 1]); its per-layer keep fractions are the inference
 * schedule tokenKeepSchedule(layers, ρ). Which keys a layer keeps (`masks`):
 *
 *  - 'random' (default): each position j draws u_j ~ U(0, 1) and is hidden in layer l when
 *    u_j ≥ keep_l (nested over layers like the cascade);
 *  - 'cascade': the keys the inference cascade itself keeps (paper Alg. 2, generate.ts) on that
 *    window with the current weights: the window's first S − 1 tokens are the dense prompt pass
 *    (quantization off, token score 'mean') and its last token the first generation step, whose
 *    per-layer alive set (keepCount(S, keep_l) tokens, nested over layers, the current token
 *    protected) is the kept set of that layer for every query of the window. The selection runs
 *    the engine's own code (Engine + generate), without gradient.
 */
import { tf } from './backend.ts';
import type { Checkpoint } from './checkpoint.ts';
import { Engine, runAlgo, Stats } from './engine.ts';
import { generate } from './generate.ts';
import type { ModelConfig, Weights } from './model.ts';
import { AlgoSchema } from '../schema.ts';
import { tokenKeepSchedule } from '../workload/schedule.ts';

export interface FineTuneMasks {
  keepMin: number;
  denseShare: number;
  /** Which keys a pruned layer keeps: random positions (default) or the inference cascade's selection. */
  masks?: 'random' | 'cascade';
}

/** Keep ratio ρ of one training sequence. */
function drawRho(rng: () => number, ft: FineTuneMasks): number {
  return rng() < ft.denseShare ? 1 : Math.exp(Math.log(ft.keepMin) * rng());
}

/**
 * Per layer, the positions of `window` (S + 1 tokens: the S inputs and the last target) that the
 * inference cascade keeps for keep ratio ρ: the alive sets generate() reports (Stats.onAlive) at
 * the first generation step, with prompt = S − 1 and one generation step (the window's last input).
 * Quantization off, token score 'mean', default schedule spread and front layers.
 */
export function cascadeKeptSets(e: Engine, window: number[], rho: number): number[][] {
  const S = window.length - 1;
  const ra = runAlgo(AlgoSchema.parse({ tokenKeep: rho, tokenScore: 'mean', msbBits: 32, queryBits: 32, valueBits: 32 }), e.c);
  const stats = new Stats(e.c.layers, false);
  const kept: number[][] = Array.from({ length: e.c.layers }, () => []);
  stats.onAlive = (_ex, step, layer, alive) => { if (step === 0) kept[layer] = [...alive]; };
  generate(e, [window], S - 1, 1, ra, stats);
  return kept;
}

/** An inference engine over the training weights (no tokenizer needed: it only runs generate()). */
export function engineOf(config: ModelConfig, weights: Weights): Engine {
  return new Engine({ dir: '(training weights)', config, weights, tokenizer: null as unknown as Checkpoint['tokenizer'], hash: '' });
}

/**
 * The fine-tuning masks of one batch (null: the layer is dense for the whole batch).
 * 'cascade' needs `cascade.windows` (per sequence its S + 1 tokens) and an engine over the current weights.
 */
export function prunedKeyMasks(
  B: number, S: number, layers: number, rng: () => number, ft: FineTuneMasks,
  cascade?: { engine: Engine; windows: number[][] },
): (tf.Tensor | null)[] {
  const arrs: Float32Array[] = Array.from({ length: layers }, () => new Float32Array(B * S * S));
  const pruned = new Array<boolean>(layers).fill(false);
  const mode = ft.masks ?? 'random';
  if (mode === 'cascade' && !cascade) throw new Error("fine-tuning masks 'cascade' need the batch's windows and an engine");
  for (let b = 0; b < B; b++) {
    const rho = drawRho(rng, ft);
    const keep = tokenKeepSchedule(layers, rho);
    // hidden(l, j): key j (< the query) hidden in layer l
    let hidden: (l: number, j: number) => boolean;
    if (mode === 'random') {
      const u = Float64Array.from({ length: S }, () => rng());
      hidden = (l, j) => u[j] >= keep[l];
    } else {
      const sets = keep.every((k) => k >= 1) ? null : cascadeKeptSets(cascade!.engine, cascade!.windows[b], rho);
      const keptAt = sets ? sets.map((ks) => { const m = new Uint8Array(S); for (const j of ks) m[j] = 1; return m; }) : null;
      hidden = (l, j) => keptAt !== null && keptAt[l][j] === 0;
    }
    for (let l = 0; l < layers; l++) {
      const m = arrs[l];
      if (keep[l] < 1) pruned[l] = true;
      for (let i = 0; i < S; i++) {
        const row = (b * S + i) * S;
        for (let j = 0; j < S; j++) if (j > i || (j < i && hidden(l, j))) m[row + j] = -1e9;
      }
    }
  }
  return arrs.map((m, l) => (pruned[l] ? tf.tensor4d(m, [B, 1, S, S]) : null));
}
