/**
 * What the report makes of the variance shares (core/sensitivity.ts computes them, for run.json and
 * from the report's sample): how the run's driver picked its points (`sensitivityDesign`), and the
 * estimator that fits that design — η² on a full grid, ε² (`epsilonSquared`) on independent draws,
 * one joint fit of all parameters (`jointShares`) on a correlated sample — with the words of the
 * table's method line; and, for a metric measured on examples (accuracy, perplexity), whether a
 * parameter's main-effect range is within noise: judged example by example from run.json's paired
 * effects when the run recorded them (`pairedWithinNoise`, `PAIRED_NOISE_METHOD`), else against the
 * points' own 95% CIs (`withinNoise`, `NOISE_METHOD`).
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { byShare, sensitivity, type Effect, type Sensitivity } from '../core/sensitivity.ts';
import { ciColumns } from '../core/metric-columns.ts';
import { fmtMetric, metricTitle, sig4 } from '../core/format.ts';

/** What every design's table shares (the share itself is `DESIGN_METHOD`'s). */
export const SENSITIVITY_METHOD =
  'Metrics spanning more than a decade are analysed as log10; parameters with more than 12 values are binned into quintiles. ' +
  'The main-effect range is the lowest … highest mean of the metric over the parameter\'s values (geometric means for a metric analysed as log10).';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * How the evaluated points were chosen, which decides what a variance share can mean:
 * - `grid`: every combination of the values once (a grid that ran to completion without failures):
 *   η² is the first-order Sobol index, and the shares decompose the variance (they add up to at
 *   most 100%, the rest being interactions);
 * - `independent`: random or Latin-hypercube draws, each parameter independent of the others: η² of
 *   the sample estimates the first-order index, biased upwards by sampling noise (about (k − 1)/n
 *   for k groups and n points, so a parameter without effect still gets a share) — corrected (ε²);
 * - `correlated`: a search driver (nsga2, an ask/tell client) or a grid cut short picks points by their
 *   metrics, so the parameters are correlated and a parameter's η² also holds its neighbours'
 *   effects (one that cannot move the metric can take a large share, and the shares can add up to
 *   well over 100%): each parameter's share comes from one model of all parameters (`jointShares`).
 * A run without a recorded driver keeps η² as it was reported before (`legacy`).
 */
export type SensitivityDesign = 'grid' | 'independent' | 'correlated' | 'legacy';

/**
 * How each search driver of dse/drivers/index.ts picks its points (the report reads run.json, not
 * that registry; test/docs-registries.test.ts checks every driver is here). A name not here (an
 * older or unknown driver) is taken as a search: `correlated`.
 */
export const DRIVER_DESIGN: Readonly<Record<string, 'grid' | 'independent' | 'correlated'>> = { grid: 'grid', random: 'independent', lhs: 'independent', nsga2: 'correlated' };

export function sensitivityDesign(run: Partial<Pick<RunJson, 'driver' | 'stopReason' | 'counts'>>): SensitivityDesign {
  const early = run.stopReason !== undefined && run.stopReason !== '' && run.stopReason !== 'completed';
  if (!run.driver) return 'legacy';
  const design = DRIVER_DESIGN[run.driver] ?? 'correlated';
  if (design === 'grid') return early || (run.counts?.failed ?? 0) > 0 ? 'correlated' : 'grid';
  return design;
}

/** What the shares of each design are, in words (the table's method line). */
export const DESIGN_METHOD: Record<SensitivityDesign, string> = {
  grid:
    'Variance share: the first-order variance share η² (correlation ratio) — the variance of the per-value means of the metric over its total variance. The points are a full grid, so this is the first-order Sobol index of the parameter and the shares are a decomposition of the variance (what they leave of 100% is interaction).',
  independent:
    'Variance share: an estimate of the first-order Sobol index from independent random/Latin-hypercube draws — the correlation ratio η² (variance of the per-value or per-quintile means over the total variance) less its sampling bias, ε² = η² − (k − 1)/(n − k)·(1 − η²) for k groups and n points, floored at 0 (a parameter without effect gets about 0 rather than (k − 1)/n). Estimates, not a decomposition: they carry sampling noise and need not add up to 100%.',
  correlated:
    'Variance share: the variance of the parameter\'s own term in one additive model of all parameters fitted at once (each a step per value, or a linear spline through its quintiles past 12 values) over the metric\'s variance, less what a term of that many columns picks up by chance, (k − 1)/(n − d)·(1 − R²), kept within 0 … 100%. The driver chose the points by their metrics, so the parameters are correlated and a per-parameter variance share (η²) would credit a parameter with its correlated neighbours\' effects; the joint fit holds the other parameters fixed. These shares are not a decomposition: correlated terms covary, so they need not add up to the model\'s R² or to 100%. The main-effect range below is the raw mean per value, which correlated parameters move too.',
  legacy:
    'Variance share: the first-order variance share η² (correlation ratio) — the variance of the per-value means of the metric over its total variance; on a full grid this is the first-order Sobol index (how the points were chosen is not recorded, so this may not be a decomposition).',
};

/**
 * η² less its expected value under no effect: (η² − (k − 1)/(n − k)·(1 − η²)), floored at 0 (ε², the
 * unbiased between-group share). NaN (not estimable) when there are no more points than groups: each
 * value drawn once leaves no variance within a group, so η² is 1 whatever the parameter does (12
 * random draws of a continuous range: 12 distinct values, "100%").
 */
export function epsilonSquared(eta2: number, n: number, groups: number): number {
  if (groups >= 2 && !(n > groups)) return NaN;
  if (!(groups >= 2)) return eta2;
  return Math.max(0, eta2 - ((groups - 1) / (n - groups)) * (1 - eta2));
}

/**
 * A parameter's columns in the additive model, per point: an indicator per value but the first (up
 * to 12 values); past 12 numeric values a linear spline with knots at the quintiles (the value and
 * its excess over each knot, scaled to the parameter's range), so a smooth effect is caught inside
 * a bin too.
 */
function columnsOf(vals: unknown[]): { width: number; cells: (i: number) => [number, number][] } {
  const distinct = [...new Set(vals.map(String))];
  if (distinct.length > 12 && vals.every(finite)) {
    const v = vals as number[];
    const s = v.slice().sort((a, b) => a - b);
    const [lo, hi] = [s[0], s[s.length - 1]];
    const scale = hi > lo ? 1 / (hi - lo) : 1;
    const knots = [0.2, 0.4, 0.6, 0.8].map((q) => s[Math.floor(q * (s.length - 1))]);
    return { width: 1 + knots.length, cells: (i) => [[0, (v[i] - lo) * scale], ...knots.map((k, j): [number, number] => [1 + j, Math.max(0, v[i] - k) * scale])] };
  }
  const index = new Map(distinct.map((g, j) => [g, j - 1]));
  return { width: distinct.length - 1, cells: (i) => { const j = index.get(String(vals[i]))!; return j >= 0 ? [[j, 1]] : []; } };
}

/**
 * Least squares of y on the Gram matrix's columns `cols` (Cholesky of the normal equations, column
 * by column: a column that adds nothing new is skipped, so exactly collinear parameters do not
 * break the fit): the residual sum of squares and the coefficients (0 for skipped columns).
 */
function fit(gram: Float64Array, xy: Float64Array, yy: number, d: number, cols: number[]): { sse: number; coef: Float64Array } {
  const q: number[] = []; // accepted columns
  const L: number[][] = []; // Cholesky rows of the accepted columns
  const z: number[] = [];
  let sse = yy;
  for (const c of cols) {
    const l: number[] = [];
    for (let i = 0; i < q.length; i++) {
      let v = gram[q[i] * d + c];
      for (let j = 0; j < i; j++) v -= L[i][j] * l[j];
      l.push(v / L[i][i]);
    }
    const r = gram[c * d + c] - l.reduce((a, v) => a + v * v, 0);
    if (!(r > 1e-9 * Math.max(gram[c * d + c], 1e-300))) continue;
    const diag = Math.sqrt(r);
    let zc = xy[c];
    for (let j = 0; j < l.length; j++) zc -= l[j] * z[j];
    zc /= diag;
    q.push(c);
    L.push([...l, diag]);
    z.push(zc);
    sse -= zc * zc;
  }
  // back substitution: Lᵀ b = z
  const b = new Array<number>(q.length).fill(0);
  for (let i = q.length - 1; i >= 0; i--) {
    let v = z[i];
    for (let j = i + 1; j < q.length; j++) v -= L[j][i] * b[j];
    b[i] = v / L[i][i];
  }
  const coef = new Float64Array(d);
  q.forEach((c, i) => (coef[c] = b[i]));
  return { sse: Math.max(0, sse), coef };
}

/**
 * Each parameter's share of a metric's variance on a correlated sample, from one additive model of
 * all parameters fitted at once (columnsOf: a step per value, or a linear spline past 12 values):
 * the variance of the parameter's own term over the metric's variance, less what a term of that
 * many columns picks up by chance ((k − 1)/(n − d)·(1 − R²), d columns in all), within 0 … 1. The
 * fit holds the other parameters fixed, so a parameter is not credited with the effect of the
 * parameters it is correlated with; the shares are not a decomposition (correlated terms covary).
 * Ranges (lo/hi) are the raw means per value, as in `sensitivity`.
 */
export function jointShares(run: Pick<RunJson, 'parameters'>, points: PointRow[], metric: string): Sensitivity & { r2: number } {
  const marginal = sensitivity(run, points, metric);
  const ok = points.filter((p) => p.status === 'ok' && finite(p.metrics[metric]));
  const y0 = ok.map((p) => (marginal.log ? Math.log10(p.metrics[metric]) : p.metrics[metric]));
  const n = y0.length;
  const mean = y0.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const y = y0.map((v) => v - mean);
  const params = marginal.effects.map((e) => e.param);
  // design: intercept, then each parameter's columns (columnsOf)
  const blocks: number[][] = [];
  const coded = params.map((k) => columnsOf(ok.map((p) => p.params[k])));
  let d = 1;
  for (const c of coded) {
    blocks.push(Array.from({ length: c.width }, (_, i) => d + i));
    d += c.width;
  }
  const rows: [number, number][][] = [];
  const gram = new Float64Array(d * d);
  const xy = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row: [number, number][] = [[0, 1]];
    coded.forEach((c, b) => {
      for (const [j, x] of c.cells(i)) if (x !== 0) row.push([blocks[b][j], x]);
    });
    rows.push(row);
    for (const [a, xa] of row) {
      xy[a] += xa * y[i];
      for (const [b, xb] of row) gram[a * d + b] += xa * xb;
    }
  }
  const yy = y.reduce((a, v) => a + v * v, 0);
  const { sse, coef } = fit(gram, xy, yy, d, Array.from({ length: d }, (_, i) => i));
  const r2 = yy > 0 ? 1 - sse / yy : 0;
  const effects = marginal.effects.map((e, b) => {
    const inBlock = new Set(blocks[b]);
    // the parameter's own term at each point, and its variance
    const term = rows.map((row) => row.reduce((a, [c, x]) => a + (inBlock.has(c) ? coef[c] * x : 0), 0));
    const m = term.reduce((a, v) => a + v, 0) / Math.max(1, n);
    const v = term.reduce((a, t) => a + (t - m) ** 2, 0);
    // no more points than columns: the fit passes through every point (R² = 1) whatever the parameters do
    if (!(n > d)) return { ...e, share: yy > 0 ? NaN : 0 };
    const chance = (blocks[b].length / (n - d)) * (1 - r2);
    return { ...e, share: yy > 0 ? Math.min(1, Math.max(0, v / yy - chance)) : 0 };
  });
  effects.sort(byShare);
  return { ...marginal, effects, r2 };
}

/**
 * A metric's typical measurement uncertainty over the points a table is computed from: the median
 * half-width of their 95% CIs (`<metric>_ci_low` … `_ci_high`, core/metric-columns.ts), in log10
 * when the table analyses the metric as log10. The half-width is the "±" of one point (half the
 * width: perplexity's CIs are not symmetric); the median, so a few points on another rung or with
 * an odd CI do not set it. Undefined when no point has a CI (hardware metrics, runs without the
 * accuracy engine).
 */
export interface MeasurementNoise {
  /** Median 95% CI half-width, in metric units (log10 units when `log`). */
  half: number;
  /** Points with a CI it is the median of. */
  points: number;
  log: boolean;
}

export function measurementNoise(points: PointRow[], metric: string, log: boolean): MeasurementNoise | undefined {
  const [low, high] = ciColumns(metric);
  const halves = points.flatMap((p) => {
    const [a, b] = [p.metrics[low], p.metrics[high]];
    if (p.status !== 'ok' || !finite(a) || !finite(b) || b < a || (log && !(a > 0))) return [];
    return [log ? (Math.log10(b) - Math.log10(a)) / 2 : (b - a) / 2];
  });
  if (halves.length === 0) return undefined;
  halves.sort((x, y) => x - y);
  const k = halves.length;
  const half = k % 2 ? halves[(k - 1) / 2] : (halves[k / 2 - 1] + halves[k / 2]) / 2;
  return { half, points: k, log };
}

/**
 * Whether a parameter's main-effect range (highest − lowest per-value mean; log10 of their ratio for
 * a metric analysed as log10) is smaller than the points' median 95% CI half-width: then every
 * per-value mean lies inside the CI of a typical point at any other value, so the CIs cannot tell
 * the values apart and the share (of the point estimates' variance: correct arithmetic) may rank
 * measurement noise. Why the half-width and not a wider bar: two independent estimates of one
 * value, each ±h at 95%, differ by up to √2·h ≈ 1.41·h at 95%, and the extremes of k values by
 * more, so a range under h is well inside what noise alone makes; a wider threshold would flag
 * ranges a paired comparison often separates (every configuration is scored on the same examples,
 * so their differences are less noisy than each one's CI — the flag is about the CIs, not a test).
 * A per-value mean over several points is no tighter than one point when their errors are the
 * shared examples', which is why one point's half-width is the yardstick. No flag without a range
 * (the table says "no effect") or without a share (not estimable).
 */
export function withinNoise(e: Effect, noise: MeasurementNoise | undefined): boolean {
  if (!noise || Number.isNaN(e.share)) return false;
  const range = noise.log ? Math.log10(e.hi / e.lo) : e.hi - e.lo;
  return range > 1e-9 * Math.max(Math.abs(e.hi), Math.abs(e.lo), 1e-300) && range < noise.half;
}

/**
 * The CI noise rule in words, for the method line of a section with a table over points with CIs
 * (`withinNoise`), when run.json holds no paired effects for the table's metric (a run that did not
 * know its configurations' per-example scores, or one written before they were recorded). The
 * report has points.csv and run.json only, which hold no per-example scores.
 */
export const NOISE_METHOD =
  'Within noise: a parameter of a metric measured on examples (accuracy, perplexity) is marked so when its main-effect range (highest − lowest mean; log10 of their ratio for a metric analysed as log10) is smaller than the median 95% CI half-width of the table\'s points. ' +
  'This compares the points\' own CIs, not per-example differences (the run did not record paired effects, and the report does not hold each configuration\'s per-example scores): every configuration is scored on the same examples, so a paired comparison can separate some of the ranges it marks.';

/** run.json's paired effects of one quality metric (dse/steps/paired-effects.ts). */
export type PairedTable = NonNullable<RunJson['pairedEffects']>[number];

/** The paired effects run.json recorded for `metric`, if any. */
export function pairedOf(run: Pick<RunJson, 'pairedEffects'>, metric: string): PairedTable | undefined {
  return run.pairedEffects?.find((p) => p.metric === metric);
}

/**
 * The paired noise rule: a parameter is within noise when the difference between its highest and
 * lowest per-value means, taken example by example on the examples every configuration ran, has a
 * 95% interval (widened for the parameter's pairs of values) that includes 0 — its recorded range
 * below its half-width. As `withinNoise`: no flag without a range in the table ("no effect") or
 * without a share (not estimable), nor for a parameter the record does not hold.
 */
export function pairedWithinNoise(e: Effect, paired: PairedTable): boolean {
  const p = paired.effects.find((x) => x.param === e.param);
  if (!p || Number.isNaN(e.share)) return false;
  const tableRange = e.hi - e.lo;
  return tableRange > 1e-9 * Math.max(Math.abs(e.hi), Math.abs(e.lo), 1e-300) && p.range < p.half;
}

/** The paired noise rule in words (`pairedWithinNoise`), for the method line. */
export const PAIRED_NOISE_METHOD =
  'Within noise (paired): a parameter of a metric measured on examples (accuracy, perplexity) is marked so when the difference between its highest and lowest per-value means, taken example by example on the examples every configuration ran (per example, the mean score over the points at each value; for perplexity a window\'s mean loss), has a 95% interval that includes 0, the interval widened for the k(k − 1)/2 pairs of the parameter\'s k values (Bonferroni). ' +
  'Every configuration is scored on the same examples, so the examples\' own difficulty cancels in the difference: a range inside the points\' CIs can still be significant, and a range that changes sign from example to example is not.';

/** The note under a table whose parameters are within noise by the paired rule (`pairedWithinNoise`), with the numbers behind it. */
export function pairedNoiseNote(metric: string, flagged: Effect[], paired: PairedTable): string {
  const loss = paired.unit === 'loss';
  const what = flagged
    .map((e) => {
      const p = paired.effects.find((x) => x.param === e.param)!;
      const range = loss ? `a factor ${sig4(Math.exp(p.range))}` : fmtMetric(metric, p.range);
      const half = loss ? `a factor ${sig4(Math.exp(p.half))} either way` : `±${fmtMetric(metric, p.half)}`;
      return `${e.param}'s per-value means differ by ${range} (${p.loAt} … ${p.hiAt}), within the paired 95% interval of ${half} (${p.groups} values)`;
    })
    .join('; ');
  return (
    `Within measurement noise, compared example by example on the ${paired.examples} examples every configuration ran: ${what}. ` +
    `The difference changes too much from example to example to tell the values apart, so the variance share may rank noise; more examples (accuracy.maxExamples) are needed to tell.`
  );
}

/** The note under a table whose parameters' ranges are within noise (`withinNoise`), with the numbers behind it. */
export function noiseNote(metric: string, flagged: Effect[], noise: MeasurementNoise): string {
  const span = (e: Effect): string =>
    noise.log ? `a factor ${sig4(e.hi / e.lo)}` : `${fmtMetric(metric, e.hi - e.lo)} (${fmtMetric(metric, e.lo)} at ${e.loAt} … ${fmtMetric(metric, e.hi)} at ${e.hiAt})`;
  const ci = noise.log ? `a factor ${sig4(10 ** noise.half)} either way` : `±${fmtMetric(metric, noise.half)}`;
  const what = flagged.map((e) => `${e.param}'s per-value means span ${span(e)}`).join('; ');
  return (
    `Within measurement noise: ${what} — less than a point's typical 95% CI of ${metricTitle(metric, '')}, ${ci} (the median half-width over the ${noise.points} point${noise.points === 1 ? '' : 's'} with a CI), ` +
    `so each value's mean lies inside the others' CIs and the variance share may rank noise. More examples (accuracy.maxExamples) are needed to tell; ` +
    `all configurations are scored on the same examples, so their differences are less noisy than the CIs and a paired comparison can separate some of them.`
  );
}
