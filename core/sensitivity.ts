/**
 * Sensitivity of each objective to each parameter, from the evaluated points (no extra runs).
 *
 * Method: first-order variance share (the correlation ratio η², a main-effect estimator): group the
 * evaluated points by the parameter's value, and take the variance of the group means (weighted by
 * group size) over the total variance of the metric. On a full grid this is the first-order Sobol
 * index of the parameter (continuous parameters are binned into quintiles). Metrics drawn on a log
 * scale (positive, spanning more than a decade) are analysed as log10, so multiplicative effects
 * count equally at every magnitude. The main-effect range (lowest and highest group mean, in the
 * metric's units) says by how much. On random/LHS samples η² is biased upwards by sampling noise,
 * and on a driver's correlated sample it also holds the effects of correlated parameters: the
 * report uses other estimators there (`sensitivityDesign`, `epsilonSquared`, `jointShares`).
 */
import type { PointRow, RunJson } from './results.ts';
import { spansDecade } from './log-scale.ts';
import { examplesOf, isQuality, mostExamples } from './rung-examples.ts';

export interface Effect {
  param: string;
  /** η²: between-group / total variance, 0…1. */
  share: number;
  /** Lowest and highest mean of the metric over the parameter's values (metric units), and where. */
  lo: number;
  hi: number;
  loAt: string;
  hiAt: string;
  /** How many groups (values, or quintile bins) the parameter's points fell into. */
  groups?: number;
  /** Points the share is computed over, when not the table's `n` (a binned parameter ranked from the report's sample). */
  n?: number;
}

/** Effects by decreasing share, ties by name. */
/** Largest share first; a share that cannot be estimated (NaN, `epsilonSquared`, `jointShares`) last. */
export const byShare = (a: Effect, b: Effect): number => rankable(b.share) - rankable(a.share) || a.param.localeCompare(b.param);
const rankable = (share: number): number => (Number.isNaN(share) ? -1 : share);

export interface Sensitivity {
  metric: string;
  log: boolean;
  n: number;
  effects: Effect[];
  /** Accuracy or perplexity with accuracy rungs: rows left out for an estimate on fewer examples than the `n` kept (core/rung-examples.ts mostExamples). */
  left?: number;
  /** The examples behind the kept rows when they are a subset rung's (no row has the full evaluation). */
  examples?: number;
}

/** What every design's table shares (the share itself is `DESIGN_METHOD`'s). */
export const SENSITIVITY_METHOD =
  'Metrics spanning more than a decade are analysed as log10; parameters with more than 12 values are binned into quintiles. ' +
  'The main-effect range is the lowest … highest mean of the metric over the parameter\'s values (geometric means for a metric analysed as log10).';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function groupKey(v: unknown, bins?: number[]): string {
  if (typeof v === 'number' && bins) {
    let b = 0;
    while (b < bins.length && v > bins[b]) b++;
    return `q${b + 1}`;
  }
  return String(v);
}

export function sensitivity(run: Pick<RunJson, 'parameters'>, points: PointRow[], metric: string): Sensitivity {
  const ok = points.filter((p) => p.status === 'ok' && finite(p.metrics[metric]));
  const raw = ok.map((p) => p.metrics[metric]);
  const log = spansDecade(raw);
  const y = raw.map((v) => (log ? Math.log10(v) : v));
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const total = y.reduce((a, b) => a + (b - mean) ** 2, 0);
  const effects: Effect[] = [];
  for (const k of run.parameters) {
    const vals = ok.map((p) => p.params[k]);
    const distinct = new Set(vals.map(String));
    if (distinct.size < 2) continue;
    let bins: number[] | undefined;
    if (distinct.size > 12 && vals.every(finite)) {
      const s = (vals as number[]).slice().sort((a, b) => a - b);
      bins = [0.2, 0.4, 0.6, 0.8].map((q) => s[Math.floor(q * (s.length - 1))]);
    }
    const groups = new Map<string, { sum: number; raw: number; n: number; at: unknown }>();
    vals.forEach((v, i) => {
      const g = groupKey(v, bins);
      const e = groups.get(g) ?? { sum: 0, raw: 0, n: 0, at: v };
      e.sum += y[i];
      e.raw += raw[i];
      e.n++;
      groups.set(g, e);
    });
    let between = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let loAt = '';
    let hiAt = '';
    for (const [g, e] of groups) {
      const m = e.sum / e.n;
      between += e.n * (m - mean) ** 2;
      const shown = log ? 10 ** m : e.raw / e.n; // geometric mean on log metrics
      const label = bins ? g : String(e.at);
      if (shown < lo) [lo, loAt] = [shown, label];
      if (shown > hi) [hi, hiAt] = [shown, label];
    }
    effects.push({ param: k, share: total > 0 ? between / total : 0, lo, hi, loAt, hiAt, groups: groups.size });
  }
  effects.sort(byShare);
  return { metric, log, n, effects };
}

/** Distinct values a parameter may take to be accumulated exactly (more: binned from a sample, `sensitivity`). */
const MAX_GROUPS = 12;

interface MetricAcc {
  n: number;
  shift: number;
  sum: number;
  sumSq: number;
  sumLog: number;
  sumLogSq: number;
  /** Every value > 0 so far (log10 defined), and the range of them. */
  positive: boolean;
  lo: number;
  hi: number;
  /** Per (parameter, value index): count, sum of the shifted metric, sum of its log10. */
  gn: Float64Array;
  gsum: Float64Array;
  glog: Float64Array;
}

/**
 * `sensitivity` over every point of a run without keeping them: per objective metric, the sums of
 * the metric (shifted by its first value) and of its log10, overall and per value of each
 * parameter (both, since whether the metric is analysed as log10 is known only at the end).
 * Parameters with more than 12 distinct values are left out (`result`'s `binned`): their quintile
 * bins need the whole distribution.
 */
export class SensitivityAccumulator {
  /** Per objective metric, per examples behind its value (Infinity: the full evaluation; one level for a hardware metric). */
  private readonly acc: Map<number, MetricAcc>[];
  /** Per parameter: value → index (SameValueZero, so -0 groups with 0 as String() does), or null past MAX_GROUPS. */
  private readonly index: Array<Map<unknown, number> | null>;
  private readonly at: unknown[][];
  private readonly slot: Int32Array;

  constructor(
    private readonly parameters: string[],
    private readonly metrics: string[],
  ) {
    this.acc = metrics.map(() => new Map());
    this.index = parameters.map(() => new Map());
    this.at = parameters.map(() => []);
    this.slot = new Int32Array(parameters.length);
  }

  /**
   * One successfully evaluated point; `fidelity` (points.csv's) says on how many examples its
   * accuracy or perplexity was measured (`…:subset(n=32)`), which decides whether it counts.
   */
  add(params: Record<string, unknown>, metrics: Record<string, unknown>, fidelity = ''): void {
    for (let i = 0; i < this.parameters.length; i++) this.slot[i] = this.slotOf(i, params[this.parameters[i]]);
    const examples = examplesOf({ fidelity });
    for (let j = 0; j < this.metrics.length; j++) {
      const v = metrics[this.metrics[j]];
      if (finite(v)) this.addValue(this.level(j, isQuality(this.metrics[j]) ? examples : Infinity), v);
    }
  }

  /** Metric j's sums over the rows measured on `examples`. */
  private level(j: number, examples: number): MetricAcc {
    let a = this.acc[j].get(examples);
    if (!a) {
      const cells = this.parameters.length * MAX_GROUPS;
      a = { n: 0, shift: NaN, sum: 0, sumSq: 0, sumLog: 0, sumLogSq: 0, positive: true, lo: Infinity, hi: -Infinity, gn: new Float64Array(cells), gsum: new Float64Array(cells), glog: new Float64Array(cells) };
      this.acc[j].set(examples, a);
    }
    return a;
  }

  /** The cell of parameter i's value (−1 once the parameter has too many values). */
  private slotOf(i: number, v: unknown): number {
    const ix = this.index[i];
    if (!ix) return -1;
    let k = ix.get(v);
    if (k === undefined) {
      if (ix.size === MAX_GROUPS) {
        this.index[i] = null;
        return -1;
      }
      ix.set(v, (k = ix.size));
      this.at[i].push(v);
    }
    return i * MAX_GROUPS + k;
  }

  private addValue(a: MetricAcc, v: number): void {
    if (a.n === 0) a.shift = v;
    const d = v - a.shift;
    const lg = v > 0 ? Math.log10(v) : NaN;
    a.n++;
    a.sum += d;
    a.sumSq += d * d;
    if (v > 0) {
      a.sumLog += lg;
      a.sumLogSq += lg * lg;
      if (v < a.lo) a.lo = v;
      if (v > a.hi) a.hi = v;
    } else a.positive = false;
    for (let i = 0; i < this.slot.length; i++) {
      const c = this.slot[i];
      if (c < 0) continue;
      a.gn[c]++;
      a.gsum[c] += d;
      a.glog[c] += lg;
    }
  }

  /**
   * The sensitivities (as `sensitivity` computes them on the same points), and the parameters left
   * out. Accuracy and perplexity with accuracy rungs: over the rows measured on the most examples,
   * as the report's table (core/rung-examples.ts mostExamples), with the count of the others (`left`).
   */
  result(): { metrics: Sensitivity[]; binned: string[] } {
    const binned = this.parameters.filter((_, i) => !this.index[i]);
    const metrics = this.metrics.map((metric, j): Sensitivity => {
      const counts = new Map([...this.acc[j]].map(([k, a]) => [k, a.n]));
      const most = counts.size ? mostExamples(counts) : { n: Infinity, left: 0 };
      const a = this.acc[j].get(most.n) ?? this.level(j, most.n);
      const log = a.positive && a.n > 0 && a.hi / a.lo > 10;
      const n = a.n;
      const mean = (log ? a.sumLog : a.sum) / Math.max(1, n);
      const total = Math.max(0, (log ? a.sumLogSq : a.sumSq) - n * mean * mean);
      const effects: Effect[] = [];
      this.parameters.forEach((param, i) => {
        if (!this.index[i]) return;
        const e = this.effect(a, i, log, mean, total);
        if (e) effects.push({ param, ...e });
      });
      effects.sort((x, y) => y.share - x.share || x.param.localeCompare(y.param));
      return { metric, log, n, effects, ...(most.left ? { left: most.left } : {}), ...(Number.isFinite(most.n) ? { examples: most.n } : {}) };
    });
    return { metrics, binned };
  }

  /** Parameter i's effect on a metric from its groups' sums (log: means of log10, shown as geometric means); none below two groups. */
  private effect(a: MetricAcc, i: number, log: boolean, mean: number, total: number): Omit<Effect, 'param'> | undefined {
    let between = 0;
    let groups = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let loAt = '';
    let hiAt = '';
    this.at[i].forEach((at, k) => {
      const c = i * MAX_GROUPS + k;
      if (a.gn[c] === 0) return;
      groups++;
      const m = (log ? a.glog[c] : a.gsum[c]) / a.gn[c];
      between += a.gn[c] * (m - mean) ** 2;
      const shown = log ? 10 ** m : a.shift + m;
      if (shown < lo) [lo, loAt] = [shown, String(at)];
      if (shown > hi) [hi, hiAt] = [shown, String(at)];
    });
    return groups < 2 ? undefined : { share: total > 0 ? Math.min(1, between / total) : 0, lo, hi, loAt, hiAt, groups };
  }
}

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
