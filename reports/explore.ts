/**
 * The interactive report's data budget and explorer, and constraint charts:
 * - sampleForInteractive: every front point plus a bounded, stratified sample of the others
 *   (strata: class × decile of each of the first two objectives), so the page stays small and the
 *   sample keeps the cloud's shape;
 * - explorerChart: all objective pairs side by side on that sample, linked by a brush (drag on the
 *   first chart: the selected points stay coloured in every chart) and filtered by a drop-down per
 *   parameter;
 * - constraintCharts: a constrained metric that is not an objective, against the first objective,
 *   with the limit drawn.
 */
import type { Objective } from '../dse/driver.ts';
import type { PointRow, RunJson } from '../core/results.ts';
import { axisFor, runConstraints, vlAxis, vlScale } from './axes.ts';
import { primaryModelSuffix } from './fidelity-label.ts';
import { metricTitle, shortParam } from '../core/format.ts';
import { sampleDeterministic, SHARED_POINTS, type ChartDef, type SpecOptions } from './specs.ts';
import { drawnNote, heldNote } from './spec-base.ts';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Default most non-front points in the interactive page. */
export const INTERACTIVE_OTHERS = 1500;

function decile(values: number[]): (v: number) => number {
  const s = values.filter(finite).sort((a, b) => a - b);
  const cuts = Array.from({ length: 9 }, (_, i) => s[Math.floor(((i + 1) / 10) * (s.length - 1))]);
  return (v) => {
    if (!finite(v)) return -1;
    let b = 0;
    while (b < cuts.length && v > cuts[b]) b++;
    return b;
  };
}

/** Front points and at most `max` others, stratified (round-robin over class × decile cells). */
export function sampleForInteractive(run: RunJson, points: PointRow[], max = INTERACTIVE_OTHERS): PointRow[] {
  const ok = points.filter((p) => p.status === 'ok');
  const front = ok.filter((p) => p.pareto);
  const others = ok.filter((p) => !p.pareto);
  if (others.length <= max) return ok;
  const [m0, m1] = run.objectives.map((o) => o.metric);
  const d0 = m0 ? decile(others.map((p) => p.metrics[m0])) : () => 0;
  const d1 = m1 ? decile(others.map((p) => p.metrics[m1])) : () => 0;
  const cells = new Map<string, PointRow[]>();
  for (const p of others) {
    const k = `${p.feasible ? 1 : 0}|${d0(p.metrics[m0])}|${d1(p.metrics[m1])}`;
    const c = cells.get(k);
    if (c) c.push(p);
    else cells.set(k, [p]);
  }
  const lists = [...cells.values()].map((c, i) => sampleDeterministic(c, c.length, 7 + i));
  const picked: PointRow[] = [];
  for (let round = 0; picked.length < max; round++) {
    let any = false;
    for (const l of lists) {
      if (round < l.length && picked.length < max) {
        picked.push(l[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return [...front, ...picked].sort((a, b) => a.id - b.id);
}

/** A parameter with more values than this gets no drop-down filter in the explorer (a list too long to pick from). */
const MAX_DROPDOWN_VALUES = 24;

/** Linked-brush explorer over every objective pair, with a drop-down filter per varying parameter. */
export function explorerChart(run: RunJson, points: PointRow[], varying: string[], shown: number, total: number): ChartDef | undefined {
  const objs = run.objectives;
  if (objs.length < 2) return undefined;
  const pairs: [Objective, Objective][] = [];
  for (let i = 0; i < objs.length; i++) for (let j = i + 1; j < objs.length; j++) pairs.push([objs[i], objs[j]]);
  const ok = points.filter((p) => p.status === 'ok');
  const axes = new Map(objs.map((o) => [o.metric, axisFor(run, o.metric, ok.map((p) => p.metrics[o.metric]), primaryModelSuffix(run, o.metric))]));
  const candidates = varying
    .map((k) => ({ k, i: run.parameters.indexOf(k), values: [...new Set(ok.map((p) => p.params[k]).filter((v) => v !== undefined))].sort((a, b) => (a < b ? -1 : 1)) }))
    .filter((f) => f.i >= 0 && f.values.length > 1);
  const filters = candidates.filter((f) => f.values.length <= MAX_DROPDOWN_VALUES);
  // a continuous range (every nsga2/random draw its own value) gets no drop-down: the caption says which
  const unfiltered = candidates.filter((f) => f.values.length > MAX_DROPDOWN_VALUES);
  const noDropdown = unfiltered.length
    ? ` ${unfiltered.map((f) => `${f.k} (${f.values.length} values)`).join(', ')} ${unfiltered.length === 1 ? 'has' : 'have'} no drop-down: more than ${MAX_DROPDOWN_VALUES} values to list.`
    : '';
  const params: Record<string, unknown>[] = filters.map((f) => ({
    name: `f${f.i}`,
    value: 'all',
    bind: { input: 'select', options: ['all', ...f.values], name: `${shortParam(f.k)} ` },
  }));
  const filterExpr = filters.map((f) => `(f${f.i} == 'all' || datum.p${f.i} == f${f.i})`).join(' && ') || 'true';
  const views = pairs.map(([ox, oy], vi) => {
    const ax = axes.get(ox.metric)!;
    const ay = axes.get(oy.metric)!;
    const xi = objs.indexOf(ox);
    const yi = objs.indexOf(oy);
    return {
      width: 300,
      height: 240,
      data: { name: SHARED_POINTS },
      transform: [{ filter: `isFinite(datum.o${xi}) && isFinite(datum.o${yi})` }, { filter: filterExpr }, { calculate: `datum.o${xi} * ${ax.factor}`, as: 'x' }, { calculate: `datum.o${yi} * ${ay.factor}`, as: 'y' }],
      ...(vi === 0 ? { params: [{ name: 'brush', select: { type: 'interval', resolve: 'global' } }] } : {}),
      mark: { type: 'point', filled: true, size: 22 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: ax.title, scale: vlScale(ax), axis: vlAxis(ax) },
        y: { field: 'y', type: 'quantitative', title: ay.title, scale: vlScale(ay), axis: vlAxis(ay) },
        color: { condition: { param: 'brush', field: 'cls', type: 'nominal', scale: { domain: ['Pareto front', 'feasible, dominated', 'infeasible'], range: ['#d62728', '#4c78a8', '#b0b0b0'] }, legend: vi === 0 ? { title: null, orient: 'bottom' } : null }, value: '#e4e4e4' },
        tooltip: [{ field: 'id' }, { field: 'x', title: ax.title, format: '.4~g' }, { field: 'y', title: ay.title, format: '.4~g' }, { field: 'cls', title: 'class' }, { field: 'params' }],
      },
    };
  });
  return {
    kind: 'explorer',
    title: 'Explorer: brush and filter',
    caption:
      `Drag a rectangle on the first chart to select points: they stay coloured in every chart (double-click clears). The drop-downs keep only the points with that parameter value.${noDropdown} ` +
      `${shown} of ${total} points are in this page: every front point and a stratified sample of the others (class × deciles of the first two objectives); all are in points.csv.`,
    spec: { params, hconcat: views, resolve: { legend: { color: 'shared' } } },
  };
}

/** For each constraint on a metric that is not an objective: that metric vs the first objective, with the limit. */
export function constraintCharts(run: RunJson, points: PointRow[], opts: SpecOptions): ChartDef[] {
  const o0 = run.objectives[0];
  if (!o0) return [];
  const out: ChartDef[] = [];
  for (const c of runConstraints(run)) {
    if (run.objectives.some((o) => o.metric === c.metric)) continue;
    const ok = points.filter((p) => p.status === 'ok' && finite(p.metrics[c.metric]) && finite(p.metrics[o0.metric]));
    if (ok.length === 0) continue;
    const front = ok.filter((p) => p.pareto);
    const others = ok.filter((p) => !p.pareto);
    const shown = [...sampleDeterministic(others, Math.min(400, opts.maxOtherPoints), 3), ...front];
    const ax = axisFor(run, o0.metric, ok.map((p) => p.metrics[o0.metric]), primaryModelSuffix(run, o0.metric));
    const ay = axisFor(run, c.metric, ok.map((p) => p.metrics[c.metric]), primaryModelSuffix(run, c.metric));
    const rows = shown.map((p) => ({ x: p.metrics[o0.metric] * ax.factor, y: p.metrics[c.metric] * ay.factor, cls: p.pareto ? 'Pareto front' : p.feasible ? 'feasible, dominated' : 'infeasible' }));
    const limit = c.bound * ay.factor;
    out.push({
      kind: 'constraint',
      title: `Constraint ${c.text}`,
      caption: `${metricTitle(c.metric, ay.unit)} of the evaluated points against ${metricTitle(o0.metric, ax.unit)}; the dashed line is the limit (${c.text}), the shaded side is infeasible. Red: front; blue: feasible, dominated; grey: infeasible.` +
        heldNote(run, points.filter((p) => p.status === 'ok').length) +
        drawnNote(front.length, shown.length - front.length, others.length, false),
      spec: {
        width: 380,
        height: 240,
        layer: [
          { data: { values: [{ y: limit }] }, mark: { type: 'rect', color: '#9b1c1c', opacity: 0.07 }, encoding: c.op.startsWith('<') ? { y: { field: 'y', type: 'quantitative' }, y2: { value: 0 } } : { y: { value: 240 }, y2: { field: 'y' } } },
          {
            data: { values: rows },
            mark: { type: 'point', filled: true, size: 20, opacity: 0.6 },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: ax.title, scale: vlScale(ax), axis: vlAxis(ax) },
              y: { field: 'y', type: 'quantitative', title: ay.title, scale: vlScale(ay), axis: vlAxis(ay) },
              color: { field: 'cls', type: 'nominal', scale: { domain: ['Pareto front', 'feasible, dominated', 'infeasible'], range: ['#d62728', '#4c78a8', '#b0b0b0'] }, legend: { title: null, orient: 'bottom' } },
            },
          },
          { data: { values: [{ y: limit, label: c.text }] }, mark: { type: 'rule', color: '#9b1c1c', strokeDash: [4, 3], strokeWidth: 1.5 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          // right of the frame, level with the line: inside it the label sat on the dots near the limit
          { data: { values: [{ y: limit, label: `limit: ${c.text}` }] }, mark: { type: 'text', color: '#9b1c1c', align: 'left', baseline: 'middle', x: 'width', dx: 4, fontSize: 10 }, encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    });
  }
  return out;
}
