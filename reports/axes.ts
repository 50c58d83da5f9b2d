/**
 * Axes of the report's charts: engineering unit (values are scaled in the chart data, the unit
 * goes into the title), log or linear scale (automatic: log when positive values span more than a
 * decade; a space overrides it per objective with `scale: log | linear`), and constraint bounds.
 */
import type { RunJson } from '../core/results.ts';
import { fmtMetric, metricTitle, unitFor } from '../core/format.ts';
import { spansDecade } from '../core/log-scale.ts';

export interface Axis {
  metric: string;
  factor: number;
  unit: string;
  log: boolean;
  title: string;
  /** Why the scale is what it is (for captions). */
  why: string;
  /** Log axes: the 1-2-5 ticks (display units) and the domain from the tick at or below the least value to the tick at or above the largest (`logTicks`). */
  ticks?: number[];
  domain?: [number, number];
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The y range a chart needs to show every value in `ys` (ours and the published series) inside
 * its frame: the extent, widened by 6% of it below and 10% above (room for the value labels) —
 * in decades on a log axis. `margins` [below, above] changes the two fractions (an x axis has no
 * labels above its points: [0.06, 0.06]).
 */
export function yDomain(ys: number[], log: boolean, margins: [number, number] = [0.06, 0.1]): [number, number] {
  const vs = ys.filter((v) => finite(v) && (!log || v > 0));
  const [lo, hi] = [Math.min(...vs), Math.max(...vs)];
  const [below, above] = margins;
  if (log) {
    const span = Math.max(Math.log10(hi / lo), 0.1);
    return [lo / 10 ** (below * span), hi * 10 ** (above * span)];
  }
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - below * span, hi + above * span];
}

/**
 * A log axis's ticks and domain, in display units: 1, 2, 5 × 10^k (every power of ten alone past 4
 * decades) from the tick at or below `lo` to the tick at or above `hi`. Vega-Lite has no such set:
 * a log scale's `nice` rounds the domain out to whole decades (1.1–42 ms → 1–100 ms, 40% of the
 * axis empty) and its ticks are 1…9 × 10^k thinned by the label count (1, 2, 3, 10, 20, 30 …);
 * without `nice` the domain ends at the extreme values, so the first tick can sit above the front.
 */
export function logTicks(lo: number, hi: number): { ticks: number[]; domain: [number, number] } {
  const steps = Math.log10(hi / lo) > 4 ? [1] : [1, 2, 5];
  const all: number[] = [];
  for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)); k++) for (const m of steps) all.push(Number((m * 10 ** k).toPrecision(12)));
  const first = all.filter((t) => t <= lo * (1 + 1e-9)).pop() ?? lo;
  const last = all.find((t) => t >= hi * (1 - 1e-9)) ?? hi;
  return { ticks: all.filter((t) => t >= first && t <= last), domain: [first, last] };
}

/** The space's `scale:` override of an objective, if any. */
export function scaleOverride(run: Pick<RunJson, 'space'>, metric: string): 'log' | 'linear' | undefined {
  const objs = (run.space as { objectives?: { metric?: string; scale?: string }[] } | undefined)?.objectives;
  const s = Array.isArray(objs) ? objs.find((o) => o?.metric === metric)?.scale : undefined;
  return s === 'log' || s === 'linear' ? s : undefined;
}

export function axisFor(run: Pick<RunJson, 'space'>, metric: string, values: number[], suffix = ''): Axis {
  const { factor, unit } = unitFor(metric, values);
  const override = scaleOverride(run, metric);
  const auto = spansDecade(values);
  const positive = values.filter(finite).every((v) => v > 0);
  const log = override === 'log' ? positive : override === 'linear' ? false : auto;
  const why = override ? `${override} scale set in the space file` : auto ? 'log scale: values span more than a decade' : '';
  const shown = values.filter((v) => finite(v) && v > 0).map((v) => v * factor);
  const ticks = log && shown.length ? logTicks(Math.min(...shown), Math.max(...shown)) : undefined;
  return { metric, factor, unit, log, title: metricTitle(metric, unit) + suffix, why, ...ticks };
}

/**
 * Pixels a scale's domain is widened by at each end, so that a dot on the domain's edge is drawn
 * whole (half its size 22–50 px² is 3–4 px). A log axis's domain ends on its outer 1-2-5 ticks
 * (`logTicks`) and is padded past them; a linear one is padded first, then Vega's `nice` rounds it
 * out to the next ticks (1, 2, 5 × 10^k steps): a value on a tick (energy 15 … 60 mJ) no longer
 * ends the domain with its dot half outside the frame.
 */
export const EDGE_PADDING_PX = 6;

export function vlScale(a: Axis): Record<string, unknown> {
  return a.log ? { type: 'log', nice: false, padding: EDGE_PADDING_PX, ...(a.domain ? { domain: a.domain } : {}) } : { type: 'linear', zero: false, nice: true, padding: EDGE_PADDING_PX };
}

/** Axis label format: up to 3–4 significant digits, no exponent notation. */
export function vlAxis(a: Axis): Record<string, unknown> {
  return a.log ? { format: '~g', labelOverlap: 'greedy', ...(a.ticks ? { values: a.ticks } : { tickCount: 6 }) } : { format: '~r', labelOverlap: 'greedy' };
}

export interface ParsedConstraint {
  text: string;
  metric: string;
  op: string;
  bound: number;
}

/** "area_mm2 <= 20" → its parts (the runner's grammar: <metric> <= < >= > == <number>). */
export function parseConstraintText(text: string): ParsedConstraint | undefined {
  const m = /^\s*([A-Za-z_][\w]*)\s*(<=|>=|==|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/.exec(text);
  return m ? { text, metric: m[1], op: m[2], bound: Number(m[3]) } : undefined;
}

/**
 * A constraint of run.json as the report labels it: a constraint the run resolved from one written
 * relative to the dense model also says what was written and the dense value, e.g.
 * "accuracy >= dense - 0.01 (dense 98.44 %): accuracy >= 0.974375".
 */
export function constraintLabel(run: Pick<RunJson, 'denseReference'>, text: string): string {
  const ref = run.denseReference;
  const from = ref?.constraints.find((c) => c.resolved === text);
  return ref && from ? `${from.written} (dense ${fmtMetric(ref.metric, ref.value)}): ${text}` : text;
}

/** The run's constraints, parsed, each `text` its report label (`constraintLabel`). */
export function runConstraints(run: Pick<RunJson, 'constraints' | 'denseReference'>): ParsedConstraint[] {
  return run.constraints.flatMap((t) => {
    const c = parseConstraintText(t);
    return c ? [{ ...c, text: constraintLabel(run, t) }] : [];
  });
}
