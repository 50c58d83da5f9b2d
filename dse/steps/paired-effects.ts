/**
 * run.json `pairedEffects`: whether each swept parameter's main effect on a quality objective
 * (accuracy, perplexity) stands out of the measurement noise, judged example by example.
 *
 * Every configuration of a run is scored on the same examples (a rung's examples are a prefix of
 * the next one's, so every configuration has at least the first rung's), which makes the noise
 * of one configuration's estimate — some examples are harder than others — shared: it cancels in a
 * difference taken per example (core/paired.ts). Per example e and value v of the parameter, the
 * mean score over the points at v (each point's configuration's score on e: a classifier's 1/0, an
 * LM window's mean loss in nats); the effect is the range of those means averaged over the
 * examples, highest − lowest value, which is the mean of the per-example differences d_e between
 * the two. Its noise is the paired 95% interval of that mean, z·sd(d)/√n, with z the normal
 * quantile of 0.05 split over the k(k − 1)/2 pairs of the parameter's k values (Bonferroni): the
 * two values compared are the extremes, picked after looking, so an interval at the plain 1.96
 * would call a parameter without effect significant far more than 5% of the time (12 values: 66
 * pairs). The test rejects only if the extreme pair's interval excludes 0, and that pair is one of
 * the 66, so the family-wise error stays at most 5% (conservative).
 * Why not a bootstrap of the range: the range is a maximum, biased upwards by noise in every
 * resample, so its bootstrap interval never reaches 0 and needs a null resampling to become a
 * test; the interval here costs O(n) per parameter once the per-value means are built, needs no
 * seed, and can be checked by hand.
 * Cost: per parameter, one pass over the points (counts of (value, configuration) pairs) and one
 * over the examples per such pair — configurations, not points, carry the scores (hardware
 * parameters do not change them), so the default sweep's 10,368 points are 24 configurations.
 * Per-value means are raw means, as the table's main-effect range: on a driver's correlated sample
 * they also hold correlated parameters' effects (reports/sensitivity.ts says so for the table).
 */
import type { Objective, Params } from '../driver.ts';
import type { RunJson } from '../../core/results.ts';
import { isQuality } from '../../core/rung-examples.ts';
import { valueGrouping } from '../../core/sensitivity.ts';
import { erf } from '../../sim/nn/mathutil.ts';

export type PairedEffects = NonNullable<RunJson['pairedEffects']>;
export type PairedEffect = PairedEffects[number]['effects'][number];

/** Family-wise error of the intervals: 5%, the 95% of every CI the report shows. */
const ALPHA = 0.05;

/**
 * The two-sided normal quantile z with P(|Z| > z) = `alpha`, by bisection on erf (sim/nn/mathutil.ts,
 * |error| < 1.2e-7: z within 1e-5 of the tables down to alpha 0.05 / 66, 12 values' pairs; test/paired-effects.test.ts).
 * 1.95996 for 0.05 (core/paired.ts Z95). The bracket [0, 40] holds every alpha the effects use
 * (P(|Z| > 40) underflows to 0); 100 halvings take its width below a double's resolution.
 */
export function twoSidedZ(alpha: number): number {
  let [lo, hi] = [0, 40];
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (1 - erf(mid / Math.SQRT2) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The row fields the effects read: a point's parameters and whether it was evaluated. */
export interface PairedRow {
  params: Params;
  status: string;
}

/**
 * Per quality objective, each parameter's paired effect over `rows` (every ok point's configuration,
 * `group` naming it, its per-example values from `values`), on the examples every configuration
 * has (the first min(n) of each). Undefined when the run has no quality objective, a configuration
 * among the rows has no known values (then the report compares CIs), or fewer than 2 examples.
 */
export function pairedEffects(rows: readonly PairedRow[], parameters: readonly string[], objectives: readonly Objective[], values: (params: Params) => readonly number[] | undefined, group: (params: Params) => string): PairedEffects | undefined {
  const metrics = objectives.filter((o) => isQuality(o.metric)).map((o) => o.metric);
  if (metrics.length === 0) return undefined;
  const ok = rows.filter((r) => r.status === 'ok');
  const configs = configurations(ok, values, group);
  if (!configs) return undefined;
  const { of, vectors, n } = configs;
  if (n < 2) return undefined;
  const effects = parameters.flatMap((k) => {
    const e = effectOf(ok.map((r) => r.params[k]), of, vectors, n);
    return e ? [{ param: k, ...e }] : [];
  });
  // one set of per-example values per configuration: every quality metric of the run reads the same scores
  return metrics.map((metric) => ({ metric, examples: n, points: ok.length, unit: metric === 'perplexity' ? 'loss' : 'score', effects }));
}

/** Each row's configuration index, each configuration's values, and the examples they all have. */
function configurations(ok: readonly PairedRow[], values: (params: Params) => readonly number[] | undefined, group: (params: Params) => string): { of: Int32Array; vectors: (readonly number[])[]; n: number } | undefined {
  const index = new Map<string, number>();
  const vectors: (readonly number[])[] = [];
  const of = new Int32Array(ok.length);
  for (let i = 0; i < ok.length; i++) {
    const g = group(ok[i].params);
    let c = index.get(g);
    if (c === undefined) {
      const v = values(ok[i].params);
      if (!v) return undefined;
      index.set(g, (c = vectors.length));
      vectors.push(v);
    }
    of[i] = c;
  }
  const n = vectors.length ? Math.min(...vectors.map((v) => v.length)) : 0;
  return { of, vectors, n };
}

/**
 * One parameter's paired effect: its values' groups (core/sensitivity.ts `valueGrouping`, as the table's), each group's per-example mean over its points, the
 * highest and lowest group by the mean over examples, and the paired interval of their difference.
 * Undefined with fewer than 2 groups.
 */
function effectOf(vals: unknown[], of: Int32Array, vectors: (readonly number[])[], n: number): Omit<PairedEffect, 'param'> | undefined {
  const key = valueGrouping(vals);
  // per group: how many of its points run each configuration
  const counts = new Map<string, Map<number, number>>();
  vals.forEach((v, i) => {
    const g = key(v);
    const m = counts.get(g) ?? new Map<number, number>();
    m.set(of[i], (m.get(of[i]) ?? 0) + 1);
    counts.set(g, m);
  });
  if (counts.size < 2) return undefined;
  const groups = [...counts].map(([g, m]) => ({ at: g, means: groupMeans(m, vectors, n) }));
  let [lo, hi] = [groups[0], groups[0]];
  const avg = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / n;
  const mean = new Map(groups.map((g) => [g, avg(g.means)]));
  for (const g of groups) {
    if (mean.get(g)! < mean.get(lo)!) lo = g;
    if (mean.get(g)! > mean.get(hi)!) hi = g;
  }
  let s = 0;
  let ss = 0;
  for (let e = 0; e < n; e++) {
    const d = hi.means[e] - lo.means[e];
    s += d;
    ss += d * d;
  }
  const range = s / n;
  const sd = Math.sqrt(Math.max(0, (ss - n * range * range) / (n - 1)));
  const k = groups.length;
  const half = twoSidedZ(ALPHA / ((k * (k - 1)) / 2)) * (sd / Math.sqrt(n));
  return { groups: k, loAt: lo.at, hiAt: hi.at, range, half };
}

/** A group's per-example mean over its points (`counts`: configuration → points). */
function groupMeans(counts: Map<number, number>, vectors: (readonly number[])[], n: number): Float64Array {
  const out = new Float64Array(n);
  let total = 0;
  for (const [c, w] of counts) {
    const v = vectors[c];
    for (let e = 0; e < n; e++) out[e] += w * v[e];
    total += w;
  }
  for (let e = 0; e < n; e++) out[e] /= total;
  return out;
}
