/**
 * Vega-Lite specs of the report's charts, built from a run. Pure data → spec functions; rendering
 * (static SVG or vega-embed) lives in render.ts.
 */
import type { Objective, Params } from '../core/results.ts';
import type { Highlight, PointRow, RunJson } from '../core/results.ts';
import { fmtNum, metricLabel, metricTitle } from './format.ts';
import { axisFor, parseConstraintText, positiveRange, vlAxis, vlScale, type Axis } from './axes.ts';
import { PAPER_FIG21 } from '../sim/paper.ts';
import { mulberry32 } from '../sim/rng.ts';
import { paretoMask } from '../core/pareto.ts';

/** A Vega-Lite spec as plain JSON (typed loosely; vega-lite validates it when compiling). */
export type VlSpec = Record<string, unknown>;

export type ChartKind = 'pareto' | 'objective' | 'latency' | 'energy' | 'area' | 'dram' | 'hypervolume' | 'accuracy' | 'parallel' | 'declared' | 'constraint' | 'compare' | 'explorer';

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
}

export const CLASS_FRONT = 'Pareto front';
export const CLASS_DOMINATED = 'feasible, dominated';
export const CLASS_INFEASIBLE = 'infeasible';
const CLASS_DOMAIN = [CLASS_FRONT, CLASS_DOMINATED, CLASS_INFEASIBLE];
const CLASS_COLORS = ['#d62728', '#4c78a8', '#b0b0b0'];
const CLASS_SHAPES = ['diamond', 'circle', 'cross'];
const CLASS_OPACITY = [1, 0.55, 0.5];
const CLASS_SIZE = [70, 26, 34];
const FRONT_LINE_COLOR = '#d62728';

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

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

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

function axisTitle(o: Objective): string {
  return `${metricLabel(o.metric)} — ${o.goal === 'min' ? 'lower' : 'higher'} is better`;
}

function paramsText(p: Params): string {
  return Object.entries(p)
    .map(([k, v]) => `${k.replace(/^(hw|algo|workload)\./, '')}=${v}`)
    .join(' ');
}

function classOf(p: PointRow): string {
  if (p.pareto) return CLASS_FRONT;
  return p.feasible ? CLASS_DOMINATED : CLASS_INFEASIBLE;
}

const CLASS_RANK: Record<string, number> = { [CLASS_INFEASIBLE]: 0, [CLASS_DOMINATED]: 1, [CLASS_FRONT]: 2 };

function scatterLayerEncoding(xTitle: string, yTitle: string, logX: boolean, logY: boolean) {
  const scale = (log: boolean) => (log ? { type: 'log', nice: true } : { type: 'linear', zero: false, nice: true });
  return {
    x: { field: 'x', type: 'quantitative', title: xTitle, scale: scale(logX) },
    y: { field: 'y', type: 'quantitative', title: yTitle, scale: scale(logY) },
  };
}

/** Point opacity by class, carried in the data (an opacity scale on a nominal field makes vega-lite warn). */
const CLASS_OP: Record<string, number> = Object.fromEntries(CLASS_DOMAIN.map((c, i) => [c, CLASS_OPACITY[i]]));
const CLASS_SZ: Record<string, number> = Object.fromEntries(CLASS_DOMAIN.map((c, i) => [c, CLASS_SIZE[i]]));
const OPACITY_ENC = { field: 'op', type: 'quantitative', scale: null, legend: null };
const SIZE_ENC = { field: 'sz', type: 'quantitative', scale: null, legend: null };

/** Name of the dataset shared by the interactive scatters (injected once by the page's boot script). */
export const SHARED_POINTS = 'points';

/**
 * All points, once, for the interactive charts: objective values under `o0, o1, …` (index in
 * run.objectives, so metric names need no escaping), class, styling and a params string for tooltips.
 */
export function sharedPointRows(run: RunJson, points: PointRow[]): Record<string, unknown>[] {
  return points
    .filter((p) => p.status === 'ok')
    .sort((a, b) => CLASS_RANK[classOf(a)] - CLASS_RANK[classOf(b)] || a.id - b.id)
    .map((p) => {
      const row: Record<string, unknown> = { id: p.id, cls: classOf(p), op: CLASS_OP[classOf(p)], sz: CLASS_SZ[classOf(p)], params: paramsText(p.params) };
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
}

/** Makes a point layer read the shared dataset, projecting objective columns to x/y. */
function useSharedData(layer: Record<string, unknown>, xExpr: string, yExpr: string): void {
  layer.data = { name: SHARED_POINTS };
  layer.transform = [{ filter: `isFinite(${xExpr}) && isFinite(${yExpr})` }, { calculate: xExpr, as: 'x' }, { calculate: yExpr, as: 'y' }];
}

/** Knee of the run (from run.highlights), if recorded. */
export function kneeId(run: RunJson): number | undefined {
  return (run.highlights ?? []).find((h) => /(^|, )knee\b/.test(h.label))?.id;
}

export const KNEE_DEFINITION =
  'knee: the front point closest (Euclidean distance) to the ideal point after each objective is normalised over the front to 0 (best value on the front) … 1 (worst)';

/** Constraint bound layers (dashed rule + shaded infeasible side) for an axis' metric. */
function constraintLayers(run: RunJson, a: Axis, channel: 'x' | 'y'): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const c of run.constraints.map(parseConstraintText)) {
    if (!c || c.metric !== a.metric || c.op === '==') continue;
    const v = c.bound * a.factor;
    out.push({
      data: { values: [{ v, label: `${c.text} (limit)` }] },
      mark: { type: 'rule', color: '#9b1c1c', strokeDash: [2, 2], strokeWidth: 1.5 },
      encoding: { [channel]: { field: 'v', type: 'quantitative' } },
    });
    out.push({
      data: { values: [{ v, label: c.text }] },
      mark: { type: 'text', color: '#9b1c1c', fontSize: 10, ...(channel === 'x' ? { align: 'left', baseline: 'top', dx: 3, y: 2 } : { align: 'right', baseline: 'bottom', dy: -2, x: 'width' }) },
      encoding: { [channel]: { field: 'v', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  return out;
}

/** CI error bars of the front points on an accuracy/perplexity axis (when the run recorded CIs). */
function ciLayer(points: PointRow[], a: Axis, other: Axis, channel: 'x' | 'y'): Record<string, unknown> | undefined {
  const lo = `${a.metric}_ci_low`;
  const hi = `${a.metric}_ci_high`;
  const rows = points
    .filter((p) => p.pareto && finite(p.metrics[lo]) && finite(p.metrics[hi]) && finite(p.metrics[other.metric]))
    .map((p) => ({ o: p.metrics[other.metric] * other.factor, lo: p.metrics[lo] * a.factor, hi: p.metrics[hi] * a.factor }));
  if (rows.length === 0) return undefined;
  const oc = channel === 'y' ? 'x' : 'y';
  return {
    data: { values: rows },
    mark: { type: 'rule', color: '#d62728', opacity: 0.35, strokeWidth: 1 },
    encoding: { [oc]: { field: 'o', type: 'quantitative' }, [channel]: { field: 'lo', type: 'quantitative' }, [`${channel}2`]: { field: 'hi' } },
  };
}

/** Pareto scatter of one objective pair (or objective vs evaluation when there is one objective). */
export function paretoChart(run: RunJson, points: PointRow[], ox: Objective, oy: Objective, opts: SpecOptions): ChartDef {
  const ok = points.filter((p) => p.status === 'ok' && finite(p.metrics[ox.metric]) && finite(p.metrics[oy.metric]));
  const front = ok.filter((p) => p.pareto);
  const others = ok.filter((p) => !p.pareto);
  const shownOthers = sampleDeterministic(others, opts.maxOtherPoints, 1 + (Number.isFinite(run.seed) ? run.seed : 0));
  const shown = [...shownOthers, ...front].sort((a, b) => CLASS_RANK[classOf(a)] - CLASS_RANK[classOf(b)] || a.id - b.id);
  const ax = axisFor(run, ox.metric, ok.map((p) => p.metrics[ox.metric]), ox.goal === 'min' ? ' — lower is better' : ' — higher is better');
  const ay = axisFor(run, oy.metric, ok.map((p) => p.metrics[oy.metric]), oy.goal === 'min' ? ' — lower is better' : ' — higher is better');
  const rows = shown.map((p) => ({ id: p.id, x: p.metrics[ox.metric] * ax.factor, y: p.metrics[oy.metric] * ay.factor, cls: classOf(p), op: CLASS_OP[classOf(p)], sz: CLASS_SZ[classOf(p)] }));
  const feasibleXY = ok.filter((p) => p.feasible).map((p) => ({ x: p.metrics[ox.metric] * ax.factor, y: p.metrics[oy.metric] * ay.factor }));
  const line = front2d(feasibleXY, ox.goal, oy.goal);
  const enc = {
    x: { field: 'x', type: 'quantitative', title: ax.title, scale: vlScale(ax), axis: vlAxis(ax) },
    y: { field: 'y', type: 'quantitative', title: ay.title, scale: vlScale(ay), axis: vlAxis(ay) },
  };
  const pointLayer: Record<string, unknown> = {
    mark: { type: 'point', filled: true },
    encoding: {
      ...enc,
      color: { field: 'cls', type: 'nominal', scale: { domain: CLASS_DOMAIN, range: CLASS_COLORS }, legend: { title: null, orient: 'bottom', direction: 'horizontal' } },
      shape: { field: 'cls', type: 'nominal', scale: { domain: CLASS_DOMAIN, range: CLASS_SHAPES }, legend: { title: null, orient: 'bottom', direction: 'horizontal' } },
      opacity: OPACITY_ENC,
      size: SIZE_ENC,
      ...(opts.interactive
        ? {
            tooltip: [
              { field: 'id', type: 'quantitative', title: 'id' },
              { field: 'x', type: 'quantitative', title: ax.title, format: '.4~g' },
              { field: 'y', type: 'quantitative', title: ay.title, format: '.4~g' },
              { field: 'cls', type: 'nominal', title: 'class' },
              { field: 'params', type: 'nominal', title: 'params' },
            ],
          }
        : {}),
    },
  };
  if (opts.interactive) {
    pointLayer.params = [{ name: 'zoom', select: 'interval', bind: 'scales' }];
    useSharedData(pointLayer, `datum.o${run.objectives.indexOf(ox)} * ${ax.factor}`, `datum.o${run.objectives.indexOf(oy)} * ${ay.factor}`);
  }
  const layers: Record<string, unknown>[] = [];
  const ci = [ciLayer(points, ay, ax, 'y'), ciLayer(points, ax, ay, 'x')].filter((l): l is Record<string, unknown> => !!l);
  layers.push(...ci, pointLayer);
  if (line.length >= 2) {
    layers.push({
      data: { values: line },
      mark: { type: 'line', interpolate: ox.goal === 'min' ? 'step-after' : 'step-before', strokeDash: [5, 3], strokeWidth: 1.5, color: FRONT_LINE_COLOR, opacity: 0.8 },
      encoding: { ...enc, order: { field: 'x', type: 'quantitative' } },
    });
  }
  const knee = kneeId(run);
  const kp = knee === undefined ? undefined : ok.find((p) => p.id === knee);
  if (kp) {
    const kv = [{ x: kp.metrics[ox.metric] * ax.factor, y: kp.metrics[oy.metric] * ay.factor, label: 'knee' }];
    layers.push({ data: { values: kv }, mark: { type: 'point', shape: 'circle', size: 260, stroke: '#111', strokeWidth: 1.5, filled: false }, encoding: enc });
    layers.push({ data: { values: kv }, mark: { type: 'text', dx: 10, dy: -10, fontSize: 11, fontWeight: 'bold', align: 'left' }, encoding: { ...enc, text: { field: 'label' } } });
  }
  const bounds = [...constraintLayers(run, ax, 'x'), ...constraintLayers(run, ay, 'y')];
  layers.push(...bounds);
  const sampledNote =
    !opts.interactive && shownOthers.length < others.length
      ? ` ${shownOthers.length} of ${others.length} non-front points are drawn (deterministic sample, to keep the chart small); all ${front.length} front points are drawn.`
      : '';
  const missing = points.length - ok.length;
  const scales = [ax.why ? `x: ${ax.why}` : '', ay.why ? `y: ${ay.why}` : ''].filter(Boolean);
  const caption =
    `${metricTitle(oy.metric, ay.unit)} vs ${metricTitle(ox.metric, ax.unit)}: ${ok.length} points with both metrics` +
    (missing > 0 ? ` (${missing} failed or without values not shown)` : '') +
    `. Red diamonds: the run's Pareto front over all ${run.objectives.length} objectives (a front point can look dominated in this 2-D view when it wins on another objective); blue circles: feasible but dominated; grey crosses: infeasible.` +
    (line.length >= 2 ? ' Dashed step line: non-dominated feasible points of this pair.' : '') +
    (ci.length ? ' Vertical/horizontal red bars: 95% bootstrap CI of the front points\' measured ' + [ax, ay].filter((a) => isQuality(a.metric)).map((a) => a.metric).join('/') + '.' : '') +
    (kp ? ' Black ring: the knee.' : '') +
    (bounds.length ? ' Dark red dashed line: constraint limit.' : '') +
    (scales.length ? ` ${scales.join('; ')}.` : '') +
    sampledNote;
  return {
    kind: 'pareto',
    title: `${metricTitle(oy.metric, '')} vs ${metricTitle(ox.metric, '')}`,
    caption,
    // Interactive: every point comes from the shared dataset (no sampling, no per-chart copy).
    spec: opts.interactive ? { width: 380, height: 280, layer: layers } : { width: 380, height: 280, data: { values: rows }, layer: layers },
  };
}

export function isQuality(metric: string): boolean {
  return metric === 'accuracy' || metric === 'perplexity';
}

/** One-objective runs: objective per evaluation, with the best-so-far step line. */
export function objectiveChart(points: PointRow[], o: Objective, opts: SpecOptions): ChartDef {
  const ok = points.filter((p) => p.status === 'ok' && finite(p.metrics[o.metric])).sort((a, b) => a.id - b.id);
  const front = ok.filter((p) => p.pareto);
  const others = sampleDeterministic(ok.filter((p) => !p.pareto), opts.maxOtherPoints);
  const shown = [...others, ...front].sort((a, b) => CLASS_RANK[classOf(a)] - CLASS_RANK[classOf(b)] || a.id - b.id);
  const rows = shown.map((p) => ({ id: p.id, x: p.id, y: p.metrics[o.metric], cls: classOf(p), op: CLASS_OP[classOf(p)], sz: CLASS_SZ[classOf(p)] }));
  const best: { x: number; y: number }[] = [];
  let cur = NaN;
  for (const p of ok) {
    if (!p.feasible) continue;
    const v = p.metrics[o.metric];
    if (Number.isNaN(cur) || (o.goal === 'min' ? v < cur : v > cur)) {
      cur = v;
      best.push({ x: p.id, y: v });
    }
  }
  if (best.length > 0 && ok.length > 0) best.push({ x: ok[ok.length - 1].id, y: cur });
  const logY = wantsLog(ok.map((p) => p.metrics[o.metric]));
  const enc = scatterLayerEncoding('evaluation id', axisTitle(o), false, logY);
  (enc.x as Record<string, unknown>).axis = { tickMinStep: 1, format: 'd' };
  const pointLayer: Record<string, unknown> = {
      mark: { type: 'point', filled: true },
      encoding: {
        ...enc,
        color: { field: 'cls', type: 'nominal', scale: { domain: CLASS_DOMAIN, range: CLASS_COLORS }, legend: { title: null, orient: 'bottom' } },
        shape: { field: 'cls', type: 'nominal', scale: { domain: CLASS_DOMAIN, range: CLASS_SHAPES }, legend: { title: null, orient: 'bottom' } },
        opacity: OPACITY_ENC,
        size: SIZE_ENC,
        ...(opts.interactive ? { tooltip: [{ field: 'id' }, { field: 'y', title: o.metric, format: '.4~g' }, { field: 'params' }] } : {}),
      },
      ...(opts.interactive ? { params: [{ name: 'zoom', select: 'interval', bind: 'scales' }] } : {}),
  };
  if (opts.interactive) useSharedData(pointLayer, 'datum.id', 'datum.o0');
  const layers: Record<string, unknown>[] = [pointLayer];
  if (best.length >= 2) {
    layers.push({ data: { values: best }, mark: { type: 'line', interpolate: 'step-after', strokeDash: [5, 3], color: FRONT_LINE_COLOR }, encoding: enc });
  }
  return {
    kind: 'objective',
    title: `${o.metric} per evaluation`,
    caption: `Single objective ${metricLabel(o.metric)} (${o.goal}) per evaluation; dashed: best feasible so far.` + (!opts.interactive && others.length < ok.length - front.length ? ` Non-best points sampled (${others.length} of ${ok.length - front.length}).` : ''),
    spec: opts.interactive ? { width: 520, height: 260, layer: layers } : { width: 520, height: 260, data: { values: rows }, layer: layers },
  };
}

function hlKey(h: Highlight): string {
  return `${h.label} (#${h.id})`;
}

function breakdownKeys(hs: Highlight[], pick: (h: Highlight) => Record<string, number> | undefined): string[] {
  const keys: string[] = [];
  for (const h of hs) for (const k of Object.keys(pick(h) ?? {})) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** Latency breakdown: busy cycles per pipeline stage, grouped by highlight (stages overlap, so not stacked). */
export function latencyChart(hs: Highlight[], opts: SpecOptions): ChartDef | undefined {
  const stages = breakdownKeys(hs, (h) => h.stages);
  const rows = hs.flatMap((h) => stages.filter((s) => finite(h.stages?.[s])).map((s) => ({ hl: hlKey(h), stage: s, cycles: h.stages[s] })));
  if (rows.length === 0) return undefined;
  const hlOrder = hs.map(hlKey);
  return {
    kind: 'latency',
    title: 'Latency breakdown (busy cycles per stage)',
    caption: 'Busy cycles of each pipeline stage for each highlighted point. Stages overlap in the pipeline, so the bars do not add up to the total; the longest stage is the bottleneck.',
    spec: {
      width: 420,
      height: Math.max(80, stages.length * (hs.length * 11 + 8)),
      data: { values: rows },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'stage', type: 'nominal', sort: stages, title: null },
        yOffset: { field: 'hl', type: 'nominal', sort: hlOrder },
        x: { field: 'cycles', type: 'quantitative', title: 'busy cycles' },
        color: { field: 'hl', type: 'nominal', sort: hlOrder, legend: { title: null, orient: 'bottom', columns: hs.length > 3 ? 2 : 1, labelLimit: 400 } },
        ...(opts.interactive ? { tooltip: [{ field: 'hl', title: 'point' }, { field: 'stage' }, { field: 'cycles', format: ',.0f' }] } : {}),
      },
    },
  };
}

/** Stacked breakdown (energy or area by module), one bar per highlight. */
export function stackedChart(hs: Highlight[], which: 'energy' | 'area', opts: SpecOptions): ChartDef | undefined {
  const pick = (h: Highlight) => (which === 'energy' ? h.energy : h.area);
  const modules = breakdownKeys(hs, pick);
  const rows = hs.flatMap((h) =>
    modules
      .map((m, mi) => ({ hl: hlKey(h), module: m, mi, value: pick(h)?.[m] }))
      .filter((r) => finite(r.value)),
  );
  if (rows.length === 0) return undefined;
  const hlOrder = hs.map(hlKey);
  const unit = which === 'energy' ? 'energy (J)' : 'area (mm²)';
  const totals = hs.map((h) => `${hlKey(h)}: ${fmtNum(Object.values(pick(h) ?? {}).filter(finite).reduce((a, b) => a + b, 0))}`);
  return {
    kind: which,
    title: which === 'energy' ? 'Energy breakdown by module' : 'Area breakdown by module',
    caption: `${which === 'energy' ? 'Energy of the whole workload' : 'Chip area'} by module for each highlighted point. Totals (${which === 'energy' ? 'J' : 'mm²'}): ${totals.join('; ')}.`,
    spec: {
      width: 420,
      height: Math.max(40, hs.length * 26),
      data: { values: rows },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'hl', type: 'nominal', sort: hlOrder, title: null, axis: { labelLimit: 420 } },
        x: { field: 'value', type: 'quantitative', title: unit, stack: 'zero' },
        color: { field: 'module', type: 'nominal', sort: modules, legend: { title: null, orient: 'bottom', columns: 5 } },
        order: { field: 'mi', type: 'quantitative' },
        ...(opts.interactive ? { tooltip: [{ field: 'hl', title: 'point' }, { field: 'module' }, { field: 'value', title: unit, format: '.4~g' }] } : {}),
      },
    },
  };
}

export function hypervolumeChart(run: RunJson, opts: SpecOptions): ChartDef | undefined {
  const all = run.hypervolume.filter((h) => finite(h.evals) && finite(h.hv));
  if (all.length < 2) return undefined;
  // at most ~200 entries drawn (first and last kept)
  const stride = Math.ceil(all.length / 200);
  const hv = all.filter((_, i) => i % stride === 0 || i === all.length - 1);
  return {
    kind: 'hypervolume',
    title: 'Hypervolume over evaluations',
    caption:
      `Hypervolume of the feasible front after each batch (${all.length} entries${hv.length < all.length ? `, ${hv.length} drawn` : ''})` +
      (run.hvReference ? `, reference point [${run.hvReference.map((v) => fmtNum(v)).join(', ')}] in normalised objective units` : '') +
      '. Flat at the end means the search converged (or stalled).',
    spec: {
      width: 420,
      height: 200,
      data: { values: hv },
      mark: { type: 'line', point: hv.length <= 60, interpolate: 'linear' },
      encoding: {
        x: { field: 'evals', type: 'quantitative', title: 'evaluations' },
        y: { field: 'hv', type: 'quantitative', title: 'hypervolume', scale: { zero: false } },
        ...(opts.interactive ? { tooltip: [{ field: 'evals' }, { field: 'hv', format: '.5~g' }] } : {}),
      },
    },
  };
}

/** Pruning ratio (×) from a keep fraction; keep given in percent (> 1) is accepted too. */
function ratioOf(keep: number): number {
  const f = keep > 1 ? keep / 100 : keep;
  return f > 0 ? 1 / f : NaN;
}

/**
 * Accuracy (or perplexity) vs pruning ratio for our run, next to the paper's Fig. 21 curves. The two
 * panels have their own y axes: different models and metrics, nothing is fitted across them.
 */
export function accuracyChart(run: RunJson, points: PointRow[], opts: SpecOptions): ChartDef | undefined {
  const metric = ['accuracy', 'perplexity'].find((m) => run.metrics.includes(m) && points.some((p) => p.status === 'ok' && finite(p.metrics[m])));
  if (!metric) return undefined;
  const kinds = [
    { param: 'algo.tokenKeep', other: 'algo.headKeep', series: 'ours: tokens (algo.tokenKeep)' },
    { param: 'algo.headKeep', other: 'algo.tokenKeep', series: 'ours: heads (algo.headKeep)' },
  ].filter((k) => run.parameters.includes(k.param));
  if (kinds.length === 0) return undefined;
  const dots: { series: string; ratio: number; value: number; id: number }[] = [];
  const means: { series: string; ratio: number; value: number; n: number }[] = [];
  const notes: string[] = [];
  for (const k of kinds) {
    let pts = points.filter((p) => p.status === 'ok' && finite(p.metrics[metric]) && typeof p.params[k.param] === 'number');
    if (run.parameters.includes(k.other)) {
      const others = pts.map((p) => p.params[k.other]).filter(finite);
      if (others.length > 0) {
        const maxOther = Math.max(...others);
        pts = pts.filter((p) => p.params[k.other] === maxOther);
        notes.push(`${k.param} curve: ${k.other} = ${fmtNum(maxOther)}`);
      }
    }
    const groups = new Map<number, number[]>();
    for (const p of pts) {
      const r = ratioOf(p.params[k.param] as number);
      if (!finite(r)) continue;
      dots.push({ series: k.series, ratio: r, value: p.metrics[metric], id: p.id });
      const g = groups.get(r) ?? [];
      g.push(p.metrics[metric]);
      groups.set(r, g);
    }
    for (const [ratio, vs] of [...groups].sort((a, b) => a[0] - b[0])) {
      means.push({ series: k.series, ratio, value: vs.reduce((a, b) => a + b, 0) / vs.length, n: vs.length });
    }
  }
  if (dots.length === 0) return undefined;
  // the means use every point; at most 600 single evaluations are drawn as dots
  const dotsShown = sampleDeterministic(dots, 600, 5);
  const paperRows = PAPER_FIG21.flatMap((c) => c.points.map(([ratio, change]) => ({ series: c.label, ratio, change })));
  const ours: VlSpec = {
    title: `ours: ${metric} vs pruning ratio`,
    width: 300,
    height: 240,
    layer: [
      {
        data: { values: dotsShown },
        mark: { type: 'point', filled: true, size: 18, opacity: 0.35 },
        encoding: {
          x: { field: 'ratio', type: 'quantitative', title: 'pruning ratio (× = 1 / keep)', scale: { zero: false } },
          y: { field: 'value', type: 'quantitative', title: metricLabel(metric), scale: { zero: false } },
          color: { field: 'series', type: 'nominal', scale: { domain: kinds.map((k) => k.series), range: ['#1f77b4', '#2ca02c'] }, legend: { title: null, orient: 'bottom', direction: 'vertical', symbolOpacity: 1 } },
          ...(opts.interactive ? { tooltip: [{ field: 'id' }, { field: 'ratio', format: '.3~g' }, { field: 'value', title: metric, format: '.4~g' }] } : {}),
        },
      },
      {
        data: { values: means },
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x: { field: 'ratio', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', legend: { title: null, orient: 'bottom', direction: 'vertical', symbolOpacity: 1 } },
          ...(opts.interactive ? { tooltip: [{ field: 'series' }, { field: 'ratio', format: '.3~g' }, { field: 'value', title: `mean ${metric}`, format: '.4~g' }, { field: 'n' }] } : {}),
        },
      },
    ],
  };
  const paper: VlSpec = {
    title: 'paper Fig. 21: accuracy change vs pruning ratio',
    width: 300,
    height: 240,
    data: { values: paperRows },
    mark: { type: 'line', point: true, strokeDash: [6, 3] },
    encoding: {
      x: { field: 'ratio', type: 'quantitative', title: 'pruning ratio (×)', scale: { zero: false } },
      y: { field: 'change', type: 'quantitative', title: 'accuracy change (%)' },
      color: { field: 'series', type: 'nominal', scale: { domain: PAPER_FIG21.map((c) => c.label), range: ['#ff7f0e', '#9467bd'] }, legend: { title: null, orient: 'bottom', direction: 'vertical' } },
      ...(opts.interactive ? { tooltip: [{ field: 'series' }, { field: 'ratio' }, { field: 'change', title: 'change (%)' }] } : {}),
    },
  };
  return {
    kind: 'accuracy',
    title: `${metric} vs pruning ratio, next to the paper's Fig. 21`,
    caption:
      `Left: our ${metricLabel(metric)} against pruning ratio (1 / keep fraction); dots are single evaluations${dotsShown.length < dots.length ? ` (${dotsShown.length} of ${dots.length} drawn)` : ''}, the line is the mean per ratio over all of them and the other parameters` +
      (notes.length ? ` (${notes.join('; ')})` : '') +
      '. Right: the paper\'s Fig. 21 curves (12-bit, progressive quantization off, other pruning off), accuracy change relative to the unpruned model. ' +
      'Different models, datasets and metrics: the panels are shown side by side with their own axes, and nothing is fitted across them.',
    spec: { hconcat: [ours, paper], resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' } } },
  };
}

/** All charts of a run, in report order. */
export function buildCharts(run: RunJson, points: PointRow[], opts: SpecOptions): { pareto: ChartDef[]; highlights: ChartDef[]; hypervolume?: ChartDef; accuracy?: ChartDef } {
  const objs = run.objectives;
  const pareto: ChartDef[] = [];
  if (objs.length === 1) pareto.push(objectiveChart(points, objs[0], opts));
  for (let i = 0; i < objs.length; i++) for (let j = i + 1; j < objs.length; j++) pareto.push(paretoChart(run, points, objs[i], objs[j], opts));
  const hs = run.highlights ?? [];
  const highlights = [latencyChart(hs, opts), stackedChart(hs, 'energy', opts), stackedChart(hs, 'area', opts)].filter((c): c is ChartDef => c !== undefined);
  return { pareto, highlights, hypervolume: hypervolumeChart(run, opts), accuracy: accuracyChart(run, points, opts) };
}
