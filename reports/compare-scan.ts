/**
 * What a comparison of runs (reports/compare.ts) needs from one run's points, gathered a row at a
 * time so that `report A B …` holds no run whole: the row count, the front of the feasible ok
 * points on the common objectives (kept incrementally, in file order), the bounds of their
 * minimisation vectors (the common normaliser) and, per objective metric, what the charts' axes
 * are chosen from (reports/axes.ts axisFor: the median magnitude's unit, the range of the finite
 * values and whether any is ≤ 0). A 10⁷-point run costs its front, nothing per row.
 */
import { dominatorOf, paretoMask, toMinVector } from '../core/pareto.ts';
import type { Objective, PointRow, RunJson } from '../core/results.ts';
import { metricTitle, displayUnit } from '../core/format.ts';
import { logTicks, scaleOverride, type Axis } from './axes.ts';
import type { RowView } from './read-points.ts';

/** Candidates gathered before they are merged into the front (a batch, as the run's own front is kept: dse/sink.ts). */
const MERGE_EVERY = 4096;

/**
 * The values of one metric over the ok points, in bounded memory: counts per thousand-exponent
 * (Math.floor(log10|v| / 3), what core/format.ts displayUnit picks a prefix from) of the
 * finite non-zero values, for the median's unit; and the range of the finite values.
 */
export class MetricSpread {
  private readonly groups = new Map<number, { count: number; value: number }>();
  private nonZero = 0;
  lo = Infinity;
  hi = -Infinity;
  nonPositive = false;

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    if (v <= 0) this.nonPositive = true;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
    if (v === 0) return;
    const key = Math.floor(Math.log10(Math.abs(v)) / 3);
    const g = this.groups.get(key);
    if (g) g.count++;
    else this.groups.set(key, { count: 1, value: v });
    this.nonZero++;
  }

  merge(o: MetricSpread): void {
    for (const [k, g] of o.groups) {
      const mine = this.groups.get(k);
      if (mine) mine.count += g.count;
      else this.groups.set(k, { ...g });
    }
    this.nonZero += o.nonZero;
    this.lo = Math.min(this.lo, o.lo);
    this.hi = Math.max(this.hi, o.hi);
    this.nonPositive ||= o.nonPositive;
  }

  /**
   * A value in the group of the median magnitude (the element at ⌊n/2⌋ of the sorted magnitudes,
   * as core/format.ts unitFor takes it), NaN when there is none: displayUnit gives it the
   * median's unit, since for a metric with SI prefixes it reads only that group (its display
   * scale is 1), and for any other metric nothing of the value but that it is finite and not 0.
   */
  medianGroupValue(): number {
    if (this.nonZero === 0) return NaN;
    const rank = Math.floor(this.nonZero / 2);
    let seen = 0;
    for (const k of [...this.groups.keys()].sort((a, b) => a - b)) {
      const g = this.groups.get(k)!;
      seen += g.count;
      if (seen > rank) return g.value;
    }
    return NaN;
  }
}

/** reports/axes.ts axisFor over the values a spread summarises. */
export function axisOfSpread(run: Pick<RunJson, 'space'>, metric: string, s: MetricSpread): Axis {
  const { factor, unit } = displayUnit(metric, s.medianGroupValue());
  const override = scaleOverride(run, metric);
  const finite = s.lo <= s.hi;
  const auto = finite && !s.nonPositive && s.hi / s.lo > 10;
  const positive = !s.nonPositive;
  const log = override === 'log' ? positive : override === 'linear' ? false : auto;
  const why = override ? `${override} scale set in the space file` : auto ? 'log scale: values span more than a decade' : '';
  return { metric, factor, unit, log, title: metricTitle(metric, unit), why, ...(log && finite ? logTicks(s.lo * factor, s.hi * factor) : {}) };
}

export class CompareScan {
  rows = 0;
  /** Feasible ok points with finite objectives (with no objective, the front is all of them: counted, not kept). */
  private frontCount = 0;
  private front: PointRow[] = [];
  private frontVecs: number[][] = [];
  private pending: PointRow[] = [];
  private pendingVecs: number[][] = [];
  private hint = 0;
  /** Bounds of the feasible points' minimisation vectors. */
  readonly lo: number[];
  readonly hi: number[];
  readonly spreads = new Map<string, MetricSpread>();

  constructor(readonly objectives: Objective[]) {
    this.lo = objectives.map(() => Infinity);
    this.hi = objectives.map(() => -Infinity);
    for (const o of objectives) if (!this.spreads.has(o.metric)) this.spreads.set(o.metric, new MetricSpread());
  }

  /** Every row of a run held in memory (tests, small runs). */
  static of(points: PointRow[], objectives: Objective[]): CompareScan {
    const scan = new CompareScan(objectives);
    for (const p of points) scan.add({ ok: p.status === 'ok', feasible: p.feasible, metric: (m) => p.metrics[m], build: () => p });
    return scan;
  }

  add(row: RowView): void {
    this.rows++;
    if (!row.ok) return;
    for (const [m, s] of this.spreads) s.add(row.metric(m));
    if (!row.feasible) return;
    const metrics: Record<string, number> = {};
    for (const o of this.objectives) metrics[o.metric] = row.metric(o.metric);
    const v = toMinVector(metrics, this.objectives);
    if (!v.every(Number.isFinite)) return;
    for (let i = 0; i < v.length; i++) {
      if (v[i] < this.lo[i]) this.lo[i] = v[i];
      if (v[i] > this.hi[i]) this.hi[i] = v[i];
    }
    if (v.length === 0) {
      this.frontCount++;
      return;
    }
    // a point the front dominates is on no later front: only the others are candidates
    if (this.dominated(v)) return;
    this.pending.push(row.build());
    this.pendingVecs.push(v);
    if (this.pending.length >= MERGE_EVERY) this.merge();
  }

  /** Some point of the front dominates v (the last dominator tried first). */
  private dominated(v: number[]): boolean {
    const i = dominatorOf(this.frontVecs, v, this.hint);
    if (i >= 0) this.hint = i;
    return i >= 0;
  }

  /** The non-dominated points of the front and the candidates (the front stays in file order). */
  private merge(): void {
    if (this.pending.length === 0) return;
    const rows = [...this.front, ...this.pending];
    const vecs = [...this.frontVecs, ...this.pendingVecs];
    const mask = paretoMask(vecs, vecs.map(() => true));
    this.front = rows.filter((_, k) => mask[k]);
    this.frontVecs = vecs.filter((_, k) => mask[k]);
    this.pending = [];
    this.pendingVecs = [];
  }

  /** The front's points and minimisation vectors in file order, and its size. */
  result(): { front: PointRow[]; vecs: number[][]; size: number } {
    this.merge();
    return { front: this.front, vecs: this.frontVecs, size: this.objectives.length === 0 ? this.frontCount : this.front.length };
  }
}
