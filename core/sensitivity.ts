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
 * report uses other estimators there (reports/sensitivity.ts: `sensitivityDesign`,
 * `epsilonSquared`, `jointShares`).
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
  /** The examples behind the kept rows when they are a subset rung's (no row has the full evaluation, or `basis` is the first rung). */
  examples?: number;
  /**
   * Accuracy or perplexity with accuracy rungs that did not take every row to the most examples:
   * `first-rung`, the table is over every row's first-rung estimate (on `examples` examples, the
   * same for every configuration), not the rows' own values; `further`: the rows whose own value
   * is a later rung's (the promoted configurations'), counted in `n`.
   */
  basis?: 'first-rung';
  further?: number;
}

/** A row's quality metric on the first accuracy rung (dse/evaluate.ts EvaluatedPoint `firstRung`). */
export interface FirstRungValue {
  metric: string;
  examples: number;
  value: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The group of a value, as the table labels it: the value itself, or past MAX_GROUPS distinct
 * numeric values its quintile bin (q1 … q5; knots at the 20/40/60/80% order statistics).
 */
export function valueGrouping(vals: readonly unknown[]): (v: unknown) => string {
  if (new Set(vals.map(String)).size <= MAX_GROUPS || !vals.every(finite)) return String;
  const s = (vals as number[]).slice().sort((a, b) => a - b);
  const bins = [0.2, 0.4, 0.6, 0.8].map((q) => s[Math.floor(q * (s.length - 1))]);
  return (v) => {
    let b = 0;
    while (b < bins.length && (v as number) > bins[b]) b++;
    return `q${b + 1}`;
  };
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
    if (new Set(vals.map(String)).size < 2) continue;
    const key = valueGrouping(vals);
    const groups = new Map<string, { sum: number; raw: number; n: number }>();
    vals.forEach((v, i) => {
      const g = key(v);
      const e = groups.get(g) ?? { sum: 0, raw: 0, n: 0 };
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
      // the label: the value, or its bin (q1 … q5)
      if (shown < lo) [lo, loAt] = [shown, g];
      if (shown > hi) [hi, hiAt] = [shown, g];
    }
    effects.push({ param: k, share: total > 0 ? between / total : 0, lo, hi, loAt, hiAt, groups: groups.size });
  }
  effects.sort(byShare);
  return { metric, log, n, effects };
}

/** Distinct values a parameter may take to be accumulated exactly (more: binned from a sample, `sensitivity`). */
export const MAX_GROUPS = 12;

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
  /** Per objective metric with accuracy rungs: the rows' first-rung estimates (`add`'s `firstRung`), per examples of that rung. */
  private readonly first: Map<number, MetricAcc>[];
  /** Per parameter: value → index (SameValueZero, so -0 groups with 0 as String() does), or null past MAX_GROUPS. */
  private readonly index: Array<Map<unknown, number> | null>;
  private readonly at: unknown[][];
  private readonly slot: Int32Array;

  constructor(
    private readonly parameters: string[],
    private readonly metrics: string[],
  ) {
    this.acc = metrics.map(() => new Map());
    this.first = metrics.map(() => new Map());
    this.index = parameters.map(() => new Map());
    this.at = parameters.map(() => []);
    this.slot = new Int32Array(parameters.length);
  }

  /**
   * One successfully evaluated point; `fidelity` (points.csv's) says on how many examples its
   * accuracy or perplexity was measured (`…:subset(n=32)`), which decides whether it counts.
   * `firstRung`: with accuracy rungs, its accuracy or perplexity on the first rung (every
   * configuration's is on the same examples), which `result` uses when the rungs took only some
   * configurations further.
   */
  add(params: Record<string, unknown>, metrics: Record<string, unknown>, fidelity = '', firstRung?: FirstRungValue): void {
    for (let i = 0; i < this.parameters.length; i++) this.slot[i] = this.slotOf(i, params[this.parameters[i]]);
    const examples = examplesOf({ fidelity });
    for (let j = 0; j < this.metrics.length; j++) {
      const v = metrics[this.metrics[j]];
      if (finite(v)) this.addValue(this.level(this.acc[j], isQuality(this.metrics[j]) ? examples : Infinity), v);
      if (firstRung?.metric === this.metrics[j] && finite(firstRung.value)) this.addValue(this.level(this.first[j], firstRung.examples), firstRung.value);
    }
  }

  /** A metric's sums over the rows measured on `examples` (in `levels`: its own values', or its first-rung estimates'). */
  private level(levels: Map<number, MetricAcc>, examples: number): MetricAcc {
    let a = levels.get(examples);
    if (!a) {
      const cells = this.parameters.length * MAX_GROUPS;
      a = { n: 0, shift: NaN, sum: 0, sumSq: 0, sumLog: 0, sumLogSq: 0, positive: true, lo: Infinity, hi: -Infinity, gn: new Float64Array(cells), gsum: new Float64Array(cells), glog: new Float64Array(cells) };
      levels.set(examples, a);
    }
    return a;
  }

  /**
   * Which of metric j's sums the table is computed from: with accuracy rungs that took only some
   * rows to the most examples, every row's first-rung estimate, when every row has one on the same
   * examples (the promoted configurations were chosen by those estimates, so the rows on the most
   * examples are a selection: the default sweep's 11 of 24 configurations, with subsetExamples 16,
   * gave valueKeep/msbBits/tokenKeep 36/16/5% of the perplexity variance against 59/15/19% over all);
   * else the rows on the most examples (core/rung-examples.ts mostExamples), the others counted in `left`.
   */
  private basis(j: number): { a: MetricAcc; extra: Partial<Sensitivity> } {
    const counts = new Map([...this.acc[j]].map(([k, a]) => [k, a.n]));
    const most = counts.size ? mostExamples(counts) : { n: Infinity, left: 0 };
    const total = [...counts.values()].reduce((x, c) => x + c, 0);
    const [firstOf] = this.first[j].size === 1 ? [...this.first[j]] : [];
    if (most.left > 0 && firstOf && firstOf[1].n === total) {
      const [examples, a] = firstOf;
      return { a, extra: { examples, basis: 'first-rung', further: total - (counts.get(examples) ?? 0) } };
    }
    const a = this.acc[j].get(most.n) ?? this.level(this.acc[j], most.n);
    return { a, extra: { ...(most.left ? { left: most.left } : {}), ...(Number.isFinite(most.n) ? { examples: most.n } : {}) } };
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
   * out. Accuracy and perplexity with accuracy rungs (`basis`): over every row's first-rung
   * estimate when only some rows went further (`basis: 'first-rung'`), else over the rows measured
   * on the most examples, with the count of the others (`left`).
   */
  result(): { metrics: Sensitivity[]; binned: string[] } {
    const binned = this.parameters.filter((_, i) => !this.index[i]);
    const metrics = this.metrics.map((metric, j): Sensitivity => {
      const { a, extra } = this.basis(j);
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
      return { metric, log, n, effects, ...extra };
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
