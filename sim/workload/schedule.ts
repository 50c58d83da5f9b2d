/**
 * SpAtten's pruning schedules (§V-A), shared by the workload generator (sim/workload) and the
 * TF.js accuracy engine (sim/nn). There is exactly one implementation: both import from here.
 *
 * Token pruning: the front `frontFrac` (15%) of layers are never pruned. For the remaining m
 * layers the pruning ratio r (fraction of the ORIGINAL tokens removed by the time a layer runs)
 * is interpolated linearly from r_start to r_end with r_start + r_end = 2·r_avg, so the mean
 * ratio over the pruned layers is exactly r_avg = 1 − keepAvg. We parameterise the split by a
 * spread s ∈ [0, 1]: r_start = r_avg·(1 − s), r_end = r_avg·(1 + s). The default s = 0.5 (tokens
 * and heads) has no source: the paper gives no r_start / r_end, and says that for the same overall
 * ratio the split among layers "does not have a significant influence" (§V-A); 0.5 is the midpoint
 * of the range, a modelling choice. Because s ≥ 0 the ratio
 * never decreases with depth, which is what the cascade requires (a pruned token never comes
 * back). When r_end would exceed the largest prunable ratio (1 − minKeep; tokens: TOKEN_MIN_KEEP)
 * the spread is reduced (the mean is kept). Head pruning uses the same function with its own front fraction (30%).
 */

/** Number of front layers left unpruned: round(frontFrac × layers). */
export function unprunedFrontLayers(layers: number, frontFrac: number): number {
  return Math.min(layers, Math.max(0, Math.round(frontFrac * layers)));
}

/**
 * Per-layer keep fraction (relative to the original count) for cascade pruning.
 * Returns an array of length `layers` with values in (0, 1], non-increasing.
 */
export function keepSchedule(layers: number, keepAvg: number, spread: number, frontFrac: number, minKeep = 0.01): number[] {
  if (!(layers >= 1)) throw new Error(`layers must be ≥ 1, got ${layers}`);
  if (!(keepAvg > 0 && keepAvg <= 1)) throw new Error(`keep ratio must be in (0, 1], got ${keepAvg}`);
  if (!(spread >= 0 && spread <= 1)) throw new Error(`spread must be in [0, 1], got ${spread}`);
  const out = new Array<number>(layers).fill(1);
  const front = unprunedFrontLayers(layers, frontFrac);
  const m = layers - front;
  const rAvg = 1 - keepAvg;
  if (m <= 0 || rAvg <= 0) return out;
  // Largest ratio any layer may reach: keep at least `minKeep` of the tokens (when the average
  // itself is below it, every pruned layer keeps the average). Heads keep the 1% default.
  const rMax = 1 - minKeep;
  let s = spread;
  if (rAvg * (1 + s) > rMax) s = Math.max(0, rMax / rAvg - 1);
  const rStart = rAvg * (1 - s);
  const rEnd = rAvg * (1 + s);
  for (let j = 0; j < m; j++) {
    const r = m === 1 ? rAvg : rStart + ((rEnd - rStart) * j) / (m - 1);
    out[front + j] = 1 - r;
  }
  return out;
}

/**
 * Default floor of a token-pruned layer's keep fraction (algo.tokenMinKeep): 10%. The paper gives no
 * end ratio (§V-A: r_start + r_end = 2·r_avg only). The released GPT-2 workloads never keep fewer
 * than ~10% of the keys in a layer: per8 (GPT-2-Small, WikiText-2) keeps 102 of ~1 000 in L6–L11,
 * the GPT-2-Medium workload 30% in L11–L23 (spec §4.4); the default follows them (before 0ab36ad
 * it was 1%; see sim/nn/README.md for what the floor does to the LM's pruning curve). Below
 * r_avg = 1 − floor the spread shrinks to respect the floor; a smaller average keeps the average in
 * every pruned layer. Heads keep a 1% floor (`keepSchedule`'s default).
 */
export const TOKEN_MIN_KEEP = 0.1;

/** Token keep fraction per layer (paper: front 15% unpruned). */
export function tokenKeepSchedule(layers: number, keepAvg: number, spread = 0.5, frontFrac = 0.15, minKeep = TOKEN_MIN_KEEP): number[] {
  return keepSchedule(layers, keepAvg, spread, frontFrac, minKeep);
}

/** Head keep fraction per layer (paper: front 30% unpruned). */
export function headKeepSchedule(layers: number, keepAvg: number, spread = 0.5, frontFrac = 0.3): number[] {
  return keepSchedule(layers, keepAvg, spread, frontFrac);
}

/**
 * How many of `total` items a keep fraction leaves: round(total × fraction), at least 1 and at
 * most `total`. The same rounding is used for tokens, heads and local-V values everywhere.
 */
export function keepCount(total: number, fraction: number): number {
  if (total <= 0) return 0;
  if (fraction >= 1) return total;
  return Math.min(total, Math.max(1, Math.round(total * fraction)));
}
