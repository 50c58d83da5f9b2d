/**
 * Parallel coordinates of the Pareto front: one vertical axis per varying parameter and per
 * objective, each scaled to its own min … max over the front (labels show the real values at the
 * ends), one line per front point coloured by the first objective.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { fmtMetric, fmtNum, metricTitle, shortParam, unitFor } from '../core/format.ts';
import type { ChartDef, SpecOptions } from './specs.ts';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function parallelChart(run: RunJson, points: PointRow[], varying: string[], opts: SpecOptions): ChartDef | undefined {
  const front = points.filter((p) => p.pareto && p.status === 'ok');
  if (front.length < 2) return undefined;
  const dims = frontDims(run, front, varying);
  if (dims.length < 2) return undefined;
  const o0 = run.objectives[0];
  // the colour in the page's display unit of the first objective (accuracy in %, latency in ms …)
  const cu = o0 ? unitFor(o0.metric, front.map((p) => p.metrics[o0.metric])) : { factor: 1, unit: '' };
  const rows: Record<string, unknown>[] = [];
  const ticks: Record<string, unknown>[] = [];
  dims.forEach((d, di) => {
    const vs = front.map(d.get).filter(finite);
    const lo = Math.min(...vs);
    const hi = Math.max(...vs);
    ticks.push({ dim: d.label, di, pos: 0, text: d.fmt(lo) }, { dim: d.label, di, pos: 1, text: d.fmt(hi) });
    for (const p of front) {
      const v = d.get(p);
      rows.push({ id: p.id, dim: d.label, di, pos: hi > lo ? (v - lo) / (hi - lo) : 0.5, value: d.fmt(v), c: o0 ? p.metrics[o0.metric] * cu.factor : 0 });
    }
  });
  const order = dims.map((d) => d.label);
  const enc = {
    x: { field: 'dim', type: 'nominal', sort: order, title: null, axis: { labelAngle: -30, labelLimit: 130, labelPadding: 16, domain: false, ticks: false, grid: true, gridColor: '#bbb', orient: 'bottom' } },
    // a margin above and below: the lines at an axis' lowest and highest value (every line, on a
    // front of two points) would otherwise be drawn over the frame's top and bottom edges
    y: { field: 'pos', type: 'quantitative', title: null, axis: null, scale: { domain: [-0.06, 1.06] } },
  };
  return {
    kind: 'parallel',
    title: `Parallel coordinates of the front (${front.length} points)`,
    caption:
      `Each line is one front point; each axis runs from the front's lowest (bottom) to highest (top) value of that parameter or objective, printed at its ends. ` +
      `Colour: ${o0 ? `${o0.metric} (darker = higher)` : 'id'}. Crossing lines between two axes mean a trade-off; parallel lines mean they move together.`,
    spec: {
      width: Math.max(520, 90 * dims.length),
      height: 260,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1.2, opacity: 0.55 },
          encoding: {
            ...enc,
            detail: { field: 'id', type: 'nominal' },
            color: { field: 'c', type: 'quantitative', scale: { scheme: { name: 'viridis', extent: [0, 0.8] }, reverse: true }, legend: { title: o0 ? metricTitle(o0.metric, cu.unit) : 'id', orient: 'right', gradientLength: 120 } },
            ...(opts.interactive ? { tooltip: [{ field: 'id' }, { field: 'dim', title: 'axis' }, { field: 'value' }] } : {}),
          },
        },
        ...[1, 0].map((pos) => ({
          data: { values: ticks.filter((t) => t.pos === pos) },
          mark: { type: 'text', fontSize: 9, align: 'center', color: '#333', baseline: pos ? 'bottom' : 'top', dy: pos ? -3 : 3 },
          encoding: { x: enc.x, y: enc.y, text: { field: 'text' } },
        })),
      ],
    },
  };
}

/** One axis of the chart: a numeric parameter that varies over the front, or an objective. */
interface Dim {
  key: string;
  label: string;
  get: (p: PointRow) => number;
  fmt: (v: number) => string;
}

/** The axes: the varying parameters numeric on every front point, then the objectives. */
function frontDims(run: RunJson, front: PointRow[], varying: string[]): Dim[] {
  return [
    ...varying.filter((k) => front.every((p) => finite(p.params[k]))).map((k) => ({ key: k, label: shortParam(k), get: (p: PointRow) => p.params[k] as number, fmt: (v: number) => fmtNum(v) })),
    ...run.objectives.map((o) => ({ key: o.metric, label: `${o.metric} ${o.goal === 'min' ? '↓' : '↑'}`, get: (p: PointRow) => p.metrics[o.metric], fmt: (v: number) => fmtMetric(o.metric, v) })),
  ];
}
