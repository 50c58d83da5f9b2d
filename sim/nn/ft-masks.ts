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
 *  - 'cascade-gen': the accuracy protocol's split of the window (api.ts): its first S − G tokens
 *    (G = GEN_TOKENS = 32) are the dense prompt pass and its last G the generation steps; a prompt
 *    query sees every earlier key (the prompt pass is dense at inference), the query of generation
 *    step t sees in layer l exactly the keys the engine keeps at that step and layer (the alive set
 *    generate() reports, keepCount(pos + 1, keep_l) of them), so the masks of those G queries are
 *    the inference's own.
 */
import { GEN_TOKENS } from './api.ts';
import { tf } from './backend.ts';
import type { Checkpoint } from './checkpoint.ts';
import { Engine, runAlgo, Stats } from './engine.ts';
import { generate } from './generate.ts';
import type { ModelConfig, Weights } from './model.ts';
import { AlgoSchema } from '../schema.ts';
import { tokenKeepSchedule } from '../workload/schedule.ts';

export const FT_MASK_MODES = ['random', 'cascade', 'cascade-gen', 'cascade-mix'] as const;
export type FtMaskMode = (typeof FT_MASK_MODES)[number];

export interface FineTuneMasks {
  keepMin: number;
  denseShare: number;
  /** The schedule's floor per pruned layer (algo.tokenMinKeep; default the schema's). */
  minKeep?: number;
  /** Which keys a pruned layer keeps: random positions (default) or the inference cascade's selection (module comment). */
  masks?: FtMaskMode;
}

/** Keep ratio ρ of one training sequence. */
function drawRho(rng: () => number, ft: FineTuneMasks): number {
  return rng() < ft.denseShare ? 1 : Math.exp(Math.log(ft.keepMin) * rng());
}

/**
 * The key sets the inference cascade keeps on `window` (S + 1 tokens: the S inputs and the last
 * target) for keep ratio ρ, with the last `gen` inputs as generation steps after a dense prompt
 * pass of the first S − gen: per step t and layer l, the alive set generate() reports
 * (Stats.onAlive). Quantization off, token score 'mean', default schedule spread and front layers.
 */
export function cascadeKeptSets(e: Engine, window: number[], rho: number, gen = 1, minKeep?: number): number[][][] {
  const S = window.length - 1;
  const ra = runAlgo(AlgoSchema.parse({ tokenKeep: rho, tokenMinKeep: minKeep, tokenScore: 'mean', msbBits: 32, queryBits: 32, valueBits: 32 }), e.c);
  const stats = new Stats(e.c.layers, false);
  const kept: number[][][] = Array.from({ length: gen }, () => Array.from({ length: e.c.layers }, () => []));
  stats.onAlive = (_ex, step, layer, alive) => { kept[step][layer] = [...alive]; };
  generate(e, [window], S - gen, gen, ra, stats);
  return kept;
}

/** An inference engine over the training weights (no tokenizer needed: it only runs generate()). */
export function engineOf(config: ModelConfig, weights: Weights): Engine {
  return new Engine({ dir: '(training weights)', config, weights, tokenizer: null as unknown as Checkpoint['tokenizer'], hash: '' });
}

/**
 * The fine-tuning masks of one batch (null: the layer is dense for the whole batch).
 * 'cascade' and 'cascade-gen' need `cascade.windows` (per sequence its S + 1 tokens) and an engine over the current weights.
 */
export function prunedKeyMasks(
  B: number, S: number, layers: number, rng: () => number, ft: FineTuneMasks,
  cascade?: { engine: Engine; windows: number[][] },
): (tf.Tensor | null)[] {
  return prunedKeyMaskArrays(B, S, layers, rng, ft, cascade).map((m) => (m ? tf.tensor4d(m, [B, 1, S, S]) : null));
}

/** prunedKeyMasks as plain arrays (B × S × S per layer, additive: 0 or −1e9), for data-parallel shards. */
export function prunedKeyMaskArrays(
  B: number, S: number, layers: number, rng: () => number, ft: FineTuneMasks,
  cascade?: { engine: Engine; windows: number[][] },
): (Float32Array | null)[] {
  const arrs: Float32Array[] = Array.from({ length: layers }, () => new Float32Array(B * S * S));
  const pruned = new Array<boolean>(layers).fill(false);
  const mode = ft.masks ?? 'random';
  if (mode !== 'random' && !cascade) throw new Error(`fine-tuning masks '${mode}' need the batch's windows and an engine`);
  for (let b = 0; b < B; b++) {
    const rho = drawRho(rng, ft);
    const keep = tokenKeepSchedule(layers, rho, undefined, undefined, ft.minKeep);
    // hidden(l, i, j): key j (< query i) hidden in layer l
    let hidden: (l: number, i: number, j: number) => boolean;
    if (mode === 'random') {
      const u = Float64Array.from({ length: S }, () => rng());
      hidden = (l, _i, j) => u[j] >= keep[l];
    } else if (keep.every((k) => k >= 1)) {
      hidden = () => false;
    } else {
      // 'cascade': one set per layer (generation step 0 = the window's last input) for every query;
      // 'cascade-gen': the last G queries are generation steps with their own sets, the others dense;
      // 'cascade-mix': each sequence one of the two, with equal probability.
      const seqMode = mode === 'cascade-mix' ? (rng() < 0.5 ? 'cascade' : 'cascade-gen') : mode;
      const G = seqMode === 'cascade' ? 1 : Math.min(GEN_TOKENS, S - 1);
      const P = S - G;
      const keptAt = cascadeKeptSets(cascade!.engine, cascade!.windows[b], rho, G, ft.minKeep).map((st) => st.map((ks) => {
        const m = new Uint8Array(S);
        for (const j of ks) m[j] = 1;
        return m;
      }));
      hidden = seqMode === 'cascade' ? (l, _i, j) => keptAt[0][l][j] === 0 : (l, i, j) => i >= P && keptAt[i - P][l][j] === 0;
    }
    for (let l = 0; l < layers; l++) {
      const m = arrs[l];
      if (keep[l] < 1) pruned[l] = true;
      for (let i = 0; i < S; i++) {
        const row = (b * S + i) * S;
        for (let j = 0; j < S; j++) if (j > i || (j < i && hidden(l, i, j))) m[row + j] = -1e9;
      }
    }
  }
  return arrs.map((m, l) => (pruned[l] ? m : null));
}
