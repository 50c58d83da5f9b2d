/**
 * What every chart spec of the report shares: the chart types, the common look, the point classes
 * (front / dominated / infeasible) and their styling, deterministic sampling, the 2-D front, the
 * knee, and the point dataset the interactive scatters share.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { positiveRange } from '../core/log-scale.ts';
import { mulberry32 } from '../sim/rng.ts';
import { paretoMask } from '../core/pareto.ts';
import { metricTitle } from '../core/format.ts';

/** A Vega-Lite spec as plain JSON (typed loosely; vega-lite validates it when compiling). */
export type VlSpec = Record<string, unknown>;

export type ChartKind = 'pareto' | 'objective' | 'latency' | 'energy' | 'area' | 'dram' | 'hypervolume' | 'accuracy' | 'parallel' | 'declared' | 'constraint' | 'compare' | 'explorer' | 'figure';

export interface ChartDef {
  kind: ChartKind;
  title: string;
  /** Plain text (escaped by the renderer). */
  caption: string;
  spec: VlSpec;
}

export interface SpecOptions {
  interactive: boolean;
  /** Most non-front points drawn per scatter (front points are always all drawn). */
  maxOtherPoints: number;
  /** Interactive: the page's shared dataset, which the live scatters draw (every front point and a stratified sample). */
  shared?: PointRow[];
}

/**
 * The caption's sentence on the points a scatter draws, the same words on the static and the
 * interactive page: every front point, and `drawn` of the `others` with `how` (nothing when all are drawn).
 */
export function drawnNote(front: number, drawn: number, others: number, interactive: boolean): string {
  if (drawn >= others) return '';
  const how = interactive ? "the page's stratified sample: class × deciles of the first two objectives" : 'a deterministic sample, to keep the chart small';
  return ` Drawn: all ${front} front points and ${drawn} of the ${others} others (${how}).`;
}

/**
 * The caption's sentence on what the page holds of a run too large to keep whole (run.json's
 * ok count above the ok points the page was drawn from): the counts are the page's, out of the
 * run's; nothing when the page holds every point. (A 10⁶-point run's charts said '4049 points
 * with both metrics' with nothing to tell that the run had 1,000,000.)
 */
export function heldNote(run: RunJson, heldOk: number): string {
  const all = run.counts.ok;
  if (!Number.isFinite(all) || all <= heldOk) return '';
  return ` The run evaluated ${all} ok points; this page holds ${heldOk} of them: every front point, a uniform sample of the others and each parameter's extreme points (points.csv has them all).`;
}

export const CLASS_FRONT = 'Pareto front';
export const CLASS_DOMINATED = 'feasible, dominated';
export const CLASS_INFEASIBLE = 'infeasible';
export const CLASS_DOMAIN = [CLASS_FRONT, CLASS_DOMINATED, CLASS_INFEASIBLE];
export const CLASS_COLORS = ['#d62728', '#4c78a8', '#b0b0b0'];
export const CLASS_SHAPES = ['diamond', 'circle', 'cross'];
const CLASS_OPACITY = [1, 0.55, 0.5];
const CLASS_SIZE = [70, 26, 34];
export const FRONT_LINE_COLOR = '#d62728';

/** Shared look of every chart. */
export function baseConfig(interactive: boolean): Record<string, unknown> {
  return {
    // Per-mark ARIA labels would add ~60 bytes a point to the static SVG; tables carry the data.
    aria: interactive,
    // Short here (repeated on every text element); the page's CSS sets the real font stack.
    font: 'sans-serif',
    view: { stroke: '#ddd' },
    axis: { labelFontSize: 10, titleFontSize: 11, gridColor: '#eee', titleFontWeight: 'normal', labelSeparation: 4 },
    legend: { labelFontSize: 10, titleFontSize: 10, symbolSize: 60, labelLimit: 260, columnPadding: 16 },
    title: { fontSize: 12, anchor: 'start', fontWeight: 'bold' },
  };
}

export const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const rng = mulberry32;

/** Up to `k` items of `xs`, chosen deterministically, in their original order. */
export function sampleDeterministic<T>(xs: T[], k: number, seed = 1): T[] {
  if (xs.length <= k) return xs.slice();
  const idx = xs.map((_, i) => i);
  const r = rng(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(r() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, k)
    .sort((a, b) => a - b)
    .map((i) => xs[i]);
}

/** Log scale when all values are > 0 and they span more than two decades. */
export function wantsLog(values: number[]): boolean {
  return positiveRange(values) > 100;
}

/** Non-dominated subset of 2-D points (for the step line), sorted by x ascending. */
export function front2d<T extends { x: number; y: number }>(pts: T[], gx: 'min' | 'max', gy: 'min' | 'max'): T[] {
  const sx = gx === 'min' ? 1 : -1;
  const sy = gy === 'min' ? 1 : -1;
  const mask = paretoMask(
    pts.map((p) => [sx * p.x, sy * p.y]),
    pts.map(() => true),
  );
  return pts.filter((_, i) => mask[i]).sort((a, b) => a.x - b.x);
}

function shortParam(k: string): string {
  return k.replace(/^(hw|algo|workload)\./, '');
}

export function classOf(p: PointRow): string {
  if (p.pareto) return CLASS_FRONT;
  return p.feasible ? CLASS_DOMINATED : CLASS_INFEASIBLE;
}

export const CLASS_RANK: Record<string, number> = { [CLASS_INFEASIBLE]: 0, [CLASS_DOMINATED]: 1, [CLASS_FRONT]: 2 };

/** Point opacity by class, carried in the data (an opacity scale on a nominal field makes vega-lite warn). */
export const CLASS_OP: Record<string, number> = Object.fromEntries(CLASS_DOMAIN.map((c, i) => [c, CLASS_OPACITY[i]]));
export const CLASS_SZ: Record<string, number> = Object.fromEntries(CLASS_DOMAIN.map((c, i) => [c, CLASS_SIZE[i]]));
export const OPACITY_ENC = { field: 'op', type: 'quantitative', scale: null, legend: null };
export const SIZE_ENC = { field: 'sz', type: 'quantitative', scale: null, legend: null };

/** Name of the dataset shared by the interactive scatters (injected once by the page's boot script). */
export const SHARED_POINTS = 'points';

/** The shared dataset as embedded in the page: per-class styling and short parameter names once, then the rows. */
export interface SharedPoints {
  /** parameter names without their hw./algo./workload. prefix, in run.parameters order (row field p<i>) */
  names: string[];
  op: Record<string, number>;
  sz: Record<string, number>;
  rows: Record<string, unknown>[];
}

/**
 * All points, once, for the interactive charts: objective values under `o0, o1, …` (index in
 * run.objectives, so metric names need no escaping), parameter values under `p0, p1, …` and the
 * class. The page's boot script adds each row's opacity and size (from its class) and its params
 * string for tooltips (from `names`), so neither is repeated in the file for every point.
 */
export function sharedPointRows(run: RunJson, points: PointRow[]): SharedPoints {
  const rows = points
    .filter((p) => p.status === 'ok')
    .sort((a, b) => CLASS_RANK[classOf(a)] - CLASS_RANK[classOf(b)] || a.id - b.id)
    .map((p) => {
      const row: Record<string, unknown> = { id: p.id, cls: classOf(p) };
      run.objectives.forEach((o, i) => {
        const v = p.metrics[o.metric];
        row[`o${i}`] = finite(v) ? Number(v.toPrecision(6)) : null;
      });
      // parameter values as p0, p1, … (index in run.parameters) for the explorer's filters
      run.parameters.forEach((k, i) => {
        if (p.params[k] !== undefined) row[`p${i}`] = p.params[k];
      });
      return row;
    });
  return { names: run.parameters.map(shortParam), op: CLASS_OP, sz: CLASS_SZ, rows };
}

/** Makes a point layer read the shared dataset, projecting objective columns to x/y. */
export function useSharedData(layer: Record<string, unknown>, xExpr: string, yExpr: string): void {
  layer.data = { name: SHARED_POINTS };
  layer.transform = [{ filter: `isFinite(${xExpr}) && isFinite(${yExpr})` }, { calculate: xExpr, as: 'x' }, { calculate: yExpr, as: 'y' }];
}

/** Knee of the run (from run.highlights), if recorded. */
export function kneeId(run: RunJson): number | undefined {
  return (run.highlights ?? []).find((h) => /(^|, )knee\b/.test(h.label))?.id;
}

export const KNEE_DEFINITION =
  'knee: the front point closest (Euclidean distance) to the ideal point after each objective is normalised over the front to 0 (best value on the front) … 1 (worst)';

/** A highlight's label as the page shows it: the metric in words ("best latency_s" → "best latency"; run.json keeps the metric name). */
export function highlightLabel(label: string): string {
  return label
    .split(', ')
    .map((p) => (p.startsWith('best ') ? `best ${metricTitle(p.slice(5), '')}` : p))
    .join(', ');
}
