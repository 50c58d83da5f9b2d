/** Scatter specs of the objectives: the Pareto scatter of an objective pair, and the one-objective chart per evaluation. */
import type { Objective, PointRow, RunJson } from '../core/results.ts';
import { isQuality } from '../core/rung-examples.ts';
import { ciColumns } from '../core/metric-columns.ts';
import { fmtNum, metricLabel, metricTitle } from '../core/format.ts';
import { primaryModelSuffix, rescoreNote, rescorePlan } from './fidelity-label.ts';
import { subsetCaption } from './rung-notes.ts';
import { axisFor, EDGE_PADDING_PX, runConstraints, vlAxis, vlScale, type Axis } from './axes.ts';
import {
  CLASS_COLORS,
  CLASS_DOMAIN,
  CLASS_OP,
  CLASS_RANK,
  CLASS_SHAPES,
  CLASS_SZ,
  FRONT_LINE_COLOR,
  OPACITY_ENC,
  SIZE_ENC,
  classOf,
  drawnNote,
  finite,
  heldNote,
  front2d,
  kneeId,
  sampleDeterministic,
  useSharedData,
  type ChartDef,
  type SpecOptions,
} from './spec-base.ts';

/** The x channel of the one-objective chart: evaluation ids, linear, whole numbers, padded as the metric axes are. */
const EVALUATION_X = { field: 'x', type: 'quantitative', title: 'evaluation id', scale: { type: 'linear', zero: false, nice: true, padding: EDGE_PADDING_PX }, axis: { tickMinStep: 1, format: 'd' } };

/** Constraint bound layers (dashed rule + shaded infeasible side) for an axis' metric. */
function constraintLayers(run: RunJson, a: Axis, channel: 'x' | 'y'): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const c of runConstraints(run)) {
    if (c.metric !== a.metric || c.op === '==') continue;
    const v = c.bound * a.factor;
    // the bound as written (base unit: accuracy 0.969, latency_s 0.0002) and in the axis' unit
    const text = a.factor !== 1 ? `${c.text} (${fmtNum(Number(v.toPrecision(6)))}${a.unit === '%' ? '' : ' '}${a.unit})` : c.text;
    out.push({
      data: { values: [{ v, label: `${text} (limit)` }] },
      mark: { type: 'rule', color: '#9b1c1c', strokeDash: [2, 2], strokeWidth: 1.5 },
      encoding: { [channel]: { field: 'v', type: 'quantitative' } },
    });
    out.push({
      data: { values: [{ v, label: text }] },
      mark: { type: 'text', color: '#9b1c1c', fontSize: 10, ...(channel === 'x' ? { align: 'left', baseline: 'top', dx: 3, y: 2 } : { align: 'right', baseline: 'bottom', dy: -2, x: 'width' }) },
      encoding: { [channel]: { field: 'v', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  return out;
}

/** CI error bars of the front points on an accuracy/perplexity axis (when the run recorded CIs). */
function ciLayer(points: PointRow[], a: Axis, other: Axis, channel: 'x' | 'y'): Record<string, unknown> | undefined {
  const [lo, hi] = ciColumns(a.metric);
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

/** An objective pair and the chart axes of its metrics (x, then y). */
interface PairAxes {
  ox: Objective;
  oy: Objective;
  ax: Axis;
  ay: Axis;
}

/** The x/y channels of every layer of a Pareto chart. */
function pairEncoding({ ax, ay }: PairAxes) {
  return {
    x: { field: 'x', type: 'quantitative', title: ax.title, scale: vlScale(ax), axis: vlAxis(ax) },
    y: { field: 'y', type: 'quantitative', title: ay.title, scale: vlScale(ay), axis: vlAxis(ay) },
  };
}

type PairEncoding = ReturnType<typeof pairEncoding>;

/** The points, coloured and shaped by class; interactive: with tooltips and zoom, drawn from the page's shared data. */
function pointLayerOf(run: RunJson, pair: PairAxes, enc: PairEncoding, interactive: boolean): Record<string, unknown> {
  const { ox, oy, ax, ay } = pair;
  const layer: Record<string, unknown> = {
    mark: { type: 'point', filled: true },
    encoding: {
      ...enc,
      color: { field: 'cls', type: 'nominal', scale: { domain: CLASS_DOMAIN, range: CLASS_COLORS }, legend: { title: null, orient: 'bottom', direction: 'horizontal' } },
      shape: { field: 'cls', type: 'nominal', scale: { domain: CLASS_DOMAIN, range: CLASS_SHAPES }, legend: { title: null, orient: 'bottom', direction: 'horizontal' } },
      opacity: OPACITY_ENC,
      size: SIZE_ENC,
      ...(interactive
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
  if (interactive) {
    layer.params = [{ name: 'zoom', select: 'interval', bind: 'scales' }];
    useSharedData(layer, `datum.o${run.objectives.indexOf(ox)} * ${ax.factor}`, `datum.o${run.objectives.indexOf(oy)} * ${ay.factor}`);
  }
  return layer;
}

/** The ring and label of the knee point; none when the run has no knee among these points. */
function kneeLayers(run: RunJson, ok: PointRow[], xy: (p: PointRow) => { x: number; y: number }, enc: PairEncoding): Record<string, unknown>[] {
  const knee = kneeId(run);
  const kp = knee === undefined ? undefined : ok.find((p) => p.id === knee);
  if (!kp) return [];
  const kv = [{ ...xy(kp), label: 'knee' }];
  return [
    { data: { values: kv }, mark: { type: 'point', shape: 'circle', size: 260, stroke: '#111', strokeWidth: 1.5, filled: false }, encoding: enc },
    { data: { values: kv }, mark: { type: 'text', dx: 10, dy: -10, fontSize: 11, fontWeight: 'bold', align: 'left' }, encoding: { ...enc, text: { field: 'label' } } },
  ];
}

/** The caption: what is drawn, the point classes, and a sentence for each extra layer the chart has. */
function paretoCaption(run: RunJson, pair: PairAxes, n: { ok: number; missing: number; held: string; drawn: string; rows: PointRow[] }, has: { line: boolean; ci: boolean; knee: boolean; bounds: boolean }): string {
  const { ox, oy, ax, ay } = pair;
  const scales = [ax.why ? `x: ${ax.why}` : '', ay.why ? `y: ${ay.why}` : ''].filter(Boolean);
  return (
    `${metricTitle(oy.metric, ay.unit)} vs ${metricTitle(ox.metric, ax.unit)}: ${n.ok} points with both metrics` +
    (n.missing > 0 ? ` (${n.missing} failed or without values not shown)` : '') +
    `.${n.held}${n.drawn}${rescoreNote(run, n.rows, [ox.metric, oy.metric])} Red diamonds: the run's Pareto front over all ${run.objectives.length} objectives (a front point can look dominated in this 2-D view when it wins on another objective); blue circles: feasible but dominated; grey crosses: infeasible.` +
    (has.line ? ' Dashed step line: non-dominated feasible points of this pair.' : '') +
    (has.ci ? ' Vertical/horizontal red bars: 95% CI (Wilson for accuracy, bootstrap for perplexity) of the front points\' measured ' + [ax, ay].filter((a) => isQuality(a.metric)).map((a) => a.metric).join('/') + '.' : '') +
    (has.knee ? ' Black ring: the knee.' : '') +
    subsetCaption(n.rows, [ox.metric, oy.metric]) +
    (has.bounds ? ' Dark red dashed line: constraint limit.' : '') +
    (scales.length ? ` ${scales.join('; ')}.` : '')
  );
}

/** The ok points a page was drawn from. */
const okCount = (points: PointRow[]): number => points.reduce((n, p) => n + (p.status === 'ok' ? 1 : 0), 0);

/** Pareto scatter of one objective pair (or objective vs evaluation when there is one objective). */
export function paretoChart(run: RunJson, points: PointRow[], ox: Objective, oy: Objective, opts: SpecOptions): ChartDef {
  const ok = points.filter((p) => p.status === 'ok' && finite(p.metrics[ox.metric]) && finite(p.metrics[oy.metric]));
  const front = ok.filter((p) => p.pareto);
  const others = ok.filter((p) => !p.pareto);
  const shownOthers = sampleDeterministic(others, opts.maxOtherPoints, 1 + (Number.isFinite(run.seed) ? run.seed : 0));
  const shown = [...shownOthers, ...front].sort((a, b) => CLASS_RANK[classOf(a)] - CLASS_RANK[classOf(b)] || a.id - b.id);
  const ax = axisFor(run, ox.metric, ok.map((p) => p.metrics[ox.metric]), ox.goal === 'min' ? ' — lower is better' : ' — higher is better');
  const ay = axisFor(run, oy.metric, ok.map((p) => p.metrics[oy.metric]), oy.goal === 'min' ? ' — lower is better' : ' — higher is better');
  const pair: PairAxes = { ox, oy, ax, ay };
  const xy = (p: PointRow) => ({ x: p.metrics[ox.metric] * ax.factor, y: p.metrics[oy.metric] * ay.factor });
  const rows = shown.map((p) => ({ id: p.id, ...xy(p), cls: classOf(p), op: CLASS_OP[classOf(p)], sz: CLASS_SZ[classOf(p)] }));
  const line = front2d(ok.filter((p) => p.feasible).map(xy), ox.goal, oy.goal);
  const enc = pairEncoding(pair);
  const ci = [ciLayer(points, ay, ax, 'y'), ciLayer(points, ax, ay, 'x')].filter((l): l is Record<string, unknown> => !!l);
  const layers: Record<string, unknown>[] = [...ci, pointLayerOf(run, pair, enc, opts.interactive)];
  if (line.length >= 2) {
    layers.push({
      data: { values: line },
      mark: { type: 'line', interpolate: ox.goal === 'min' ? 'step-after' : 'step-before', strokeDash: [5, 3], strokeWidth: 1.5, color: FRONT_LINE_COLOR, opacity: 0.8 },
      encoding: { ...enc, order: { field: 'x', type: 'quantitative' } },
    });
  }
  const knee = kneeLayers(run, ok, xy, enc);
  const bounds = [...constraintLayers(run, ax, 'x'), ...constraintLayers(run, ay, 'y')];
  layers.push(...knee, ...bounds);
  // interactive: the live chart draws the page's shared dataset (those of its points with both metrics)
  const drawnOthers = opts.interactive ? (opts.shared ?? ok).filter((p) => p.status === 'ok' && !p.pareto && finite(p.metrics[ox.metric]) && finite(p.metrics[oy.metric])).length : shownOthers.length;
  const drawn = drawnNote(front.length, drawnOthers, others.length, opts.interactive);
  const has = { line: line.length >= 2, ci: ci.length > 0, knee: knee.length > 0, bounds: bounds.length > 0 };
  return {
    kind: 'pareto',
    // fidelity: both — which model's numbers are drawn (in the title: the axis titles have no room)
    title: `${metricTitle(oy.metric, '')} vs ${metricTitle(ox.metric, '')}${primaryModelSuffix(run, ox.metric) || primaryModelSuffix(run, oy.metric) ? ` (${rescorePlan(run)!.primary} model)` : ''}`,
    caption: paretoCaption(run, pair, { ok: ok.length, missing: points.length - ok.length, held: heldNote(run, okCount(points)), drawn, rows: ok }, has),
    // Interactive: every point comes from the shared dataset (no sampling, no per-chart copy).
    spec: opts.interactive ? { width: 380, height: 280, layer: layers } : { width: 380, height: 280, data: { values: rows }, layer: layers },
  };
}

/** One-objective runs: objective per evaluation, with the best-so-far step line. */
export function objectiveChart(run: RunJson, points: PointRow[], o: Objective, opts: SpecOptions): ChartDef {
  const ok = points.filter((p) => p.status === 'ok' && finite(p.metrics[o.metric])).sort((a, b) => a.id - b.id);
  const front = ok.filter((p) => p.pareto);
  const others = sampleDeterministic(ok.filter((p) => !p.pareto), opts.maxOtherPoints);
  const drawnOthers = opts.interactive ? (opts.shared ?? ok).filter((p) => p.status === 'ok' && !p.pareto && finite(p.metrics[o.metric])).length : others.length;
  const shown = [...others, ...front].sort((a, b) => CLASS_RANK[classOf(a)] - CLASS_RANK[classOf(b)] || a.id - b.id);
  // the y axis as the Pareto charts': display unit, the space's `scale:` or log past a decade, 1-2-5 ticks
  const ay = axisFor(run, o.metric, ok.map((p) => p.metrics[o.metric]), o.goal === 'min' ? ' — lower is better' : ' — higher is better');
  const rows = shown.map((p) => ({ id: p.id, x: p.id, y: p.metrics[o.metric] * ay.factor, cls: classOf(p), op: CLASS_OP[classOf(p)], sz: CLASS_SZ[classOf(p)] }));
  const best: { x: number; y: number }[] = [];
  let cur = NaN;
  for (const p of ok) {
    if (!p.feasible) continue;
    const v = p.metrics[o.metric];
    if (Number.isNaN(cur) || (o.goal === 'min' ? v < cur : v > cur)) {
      cur = v;
      best.push({ x: p.id, y: v * ay.factor });
    }
  }
  if (best.length > 0 && ok.length > 0) best.push({ x: ok[ok.length - 1].id, y: cur * ay.factor });
  const enc = { x: EVALUATION_X, y: { field: 'y', type: 'quantitative', title: ay.title, scale: vlScale(ay), axis: vlAxis(ay) } };
  const pointLayer: Record<string, unknown> = {
      mark: { type: 'point', filled: true },
      encoding: {
        ...enc,
        color: { field: 'cls', type: 'nominal', scale: { domain: CLASS_DOMAIN, range: CLASS_COLORS }, legend: { title: null, orient: 'bottom' } },
        shape: { field: 'cls', type: 'nominal', scale: { domain: CLASS_DOMAIN, range: CLASS_SHAPES }, legend: { title: null, orient: 'bottom' } },
        opacity: OPACITY_ENC,
        size: SIZE_ENC,
        ...(opts.interactive ? { tooltip: [{ field: 'id' }, { field: 'y', title: ay.title, format: '.4~g' }, { field: 'params' }] } : {}),
      },
      ...(opts.interactive ? { params: [{ name: 'zoom', select: 'interval', bind: 'scales' }] } : {}),
  };
  if (opts.interactive) useSharedData(pointLayer, 'datum.id', `datum.o0 * ${ay.factor}`);
  const layers: Record<string, unknown>[] = [pointLayer];
  if (best.length >= 2) {
    layers.push({ data: { values: best }, mark: { type: 'line', interpolate: 'step-after', strokeDash: [5, 3], color: FRONT_LINE_COLOR }, encoding: enc });
  }
  return {
    kind: 'objective',
    title: `${o.metric} per evaluation`,
    caption: `Single objective ${metricLabel(o.metric)} (${o.goal}) per evaluation; dashed: best feasible so far.` + (ay.why ? ` y: ${ay.why}.` : '') + heldNote(run, okCount(points)) + drawnNote(front.length, drawnOthers, ok.length - front.length, opts.interactive),
    spec: opts.interactive ? { width: 520, height: 260, layer: layers } : { width: 520, height: 260, data: { values: rows }, layer: layers },
  };
}
