/**
 * Charts a space declares for its report (`report:` block, e.g. a paper figure): y (a metric)
 * against x (a parameter or metric), optionally normalised to the point with given parameter values
 * and drawn next to published reference values.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { axisFor, vlAxis, vlScale, yDomain, type Axis } from './axes.ts';
import { fmtNum, metricTitle, unitFor } from '../core/format.ts';
import { rescoreNote } from './fidelity-label.ts';
import type { ChartDef, SpecOptions } from './specs.ts';

export { yDomain };

interface Declared {
  x: string;
  y: string;
  title?: string;
  normalize?: Record<string, string | number>;
  where?: Record<string, string | number>;
  reciprocalX?: boolean;
  xTitle?: string;
  yTitle?: string;
  scale?: { x?: 'auto' | 'linear' | 'log'; y?: 'auto' | 'linear' | 'log' };
  reference?: { label: string; points: [number, number][] };
}

export function declaredCharts(run: RunJson, points: PointRow[]): Declared[] {
  const r = (run.space as { report?: Declared | Declared[] } | undefined)?.report;
  return r === undefined ? [] : Array.isArray(r) ? r : [r];
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One plotted point: x, y (in the chart's unit, or relative to its series' normalising point), its series and id. */
interface ChartRow {
  x: number;
  y: number;
  series: string;
  id: number;
}

/** What every layer shares: the axis titles and scales, and the distinct x values (tick marks when ≤ 12). */
interface Frame {
  xTitle: string;
  yTitle: string;
  ax: Axis;
  ay: Axis;
  /** The y range: our rows and the published values, with room above and below (`yDomain`). */
  yDomain: [number, number];
  xs: number[];
}

/** Whether the chart divides each series by its value at the `normalize:` parameter values. */
const isNormalised = (d: Declared): boolean => !!d.normalize && Object.keys(d.normalize).length > 0;

/** The parameters that make the series: every other one that varies over the drawn points. */
function seriesParams(run: RunJson, ok: PointRow[], d: Declared): string[] {
  return run.parameters.filter((k) => k !== d.x && !(k in (d.normalize ?? {})) && new Set(ok.map((p) => String(p.params[k]))).size > 1);
}

/** Above this many lines, the chart draws one dot per evaluation in one colour (no lines, labels or legend) and the caption says to hold some parameters with `where:`. */
const MANY_SERIES = 8;
const EVERY_POINT = 'ours: one dot per evaluation';

/** The points `where:` keeps (all of them without it). */
function wherePoints(points: PointRow[], d: Declared): PointRow[] {
  const w = Object.entries(d.where ?? {});
  return w.length ? points.filter((p) => w.every(([k, v]) => String(p.params[k]) === String(v))) : points;
}

/**
 * The chart's rows from the evaluated points: every other varying parameter makes a series (and
 * normalisation is within a series); rows without a finite y are dropped, the rest sorted by x.
 */
function chartRows(run: RunJson, ok: PointRow[], d: Declared, xOf: (p: PointRow) => number): { rows: ChartRow[]; yUnit: { factor: number; unit: string } } {
  const others = seriesParams(run, ok, d);
  const seriesOf = (p: PointRow) => (others.length ? others.map((k) => `${k}=${p.params[k]}`).join(', ') : 'ours');
  const norm = new Map<string, number>();
  const normalised = isNormalised(d);
  if (normalised) {
    for (const p of ok) if (Object.entries(d.normalize!).every(([k, v]) => String(p.params[k]) === String(v))) norm.set(seriesOf(p), p.metrics[d.y]);
  }
  const yUnit = normalised ? { factor: 1, unit: '' } : unitFor(d.y, ok.map((p) => p.metrics[d.y]));
  const rows = ok
    .map((p) => {
      const base = normalised ? norm.get(seriesOf(p)) : 1;
      return { x: xOf(p), y: base ? (p.metrics[d.y] / base) * yUnit.factor : NaN, series: seriesOf(p), id: p.id };
    })
    .filter((r) => finite(r.y))
    .sort((a, b) => a.x - b.x);
  return { rows, yUnit };
}

/** Axis scales (linear or log, as declared or chosen from the values) and titles of the chart. */
function chartFrame(d: Declared, isParam: boolean, rows: ChartRow[], refYs: number[], yUnit: string, normText: string): Frame {
  const ax = axisFor({ space: { objectives: d.scale?.x && d.scale.x !== 'auto' ? [{ metric: '__x', scale: d.scale.x }] : [] } }, '__x', rows.map((r) => r.x));
  // the y axis is chosen over both series: a published value outside ours is still inside the frame
  const ys = [...rows.map((r) => r.y), ...refYs];
  const ay = axisFor({ space: { objectives: d.scale?.y && d.scale.y !== 'auto' ? [{ metric: '__y', scale: d.scale.y }] : [] } }, '__y', ys);
  const xs = [...new Set(rows.map((r) => r.x))];
  const xTitle = d.xTitle ?? (d.reciprocalX ? `1 / ${d.x}` : isParam ? d.x : metricTitle(d.x, ''));
  const yTitle = d.yTitle ?? `${metricTitle(d.y, yUnit)}${normText}`;
  return { xTitle, yTitle, ax, ay, yDomain: yDomain(ys, ay.log), xs };
}

/** The x and y encodings every layer shares, plus the layer's own channels. */
function encoding(f: Frame, extra: Record<string, unknown> = {}) {
  return {
    // 16 px inside each end: the first and last points' value labels (centred on them) clear the y axis and the frame
    x: { field: 'x', type: 'quantitative', title: f.xTitle, scale: { ...vlScale(f.ax), padding: X_PADDING_PX }, axis: { ...vlAxis(f.ax), ...(f.xs.length <= 12 ? { values: f.xs } : {}) } },
    y: { field: 'y', type: 'quantitative', title: f.yTitle, scale: { ...vlScale(f.ay), domain: f.yDomain }, axis: { ...vlAxis(f.ay), ...(f.ay.ticks ? { values: f.ay.ticks.filter((t) => t >= f.yDomain[0] && t <= f.yDomain[1]) } : {}) } },
    ...extra,
  };
}

/**
 * Chart height in px (the spec's), and the least vertical gap between two labelled points at one
 * x: a label is 9-px text drawn 9 px above its point, so a lower point's label clears the upper
 * point's marker (size 50: ~8 px across) and label only when the points are ~18 px apart.
 */
const HEIGHT = 280;
const X_PADDING_PX = 16;
const LABEL_GAP_PX = 18;

/** Where a y value sits on the chart, in px from the bottom (the frame's linear or log y domain). */
function yPixel(f: Frame, y: number): number {
  const [lo, hi] = f.yDomain;
  const t = f.ay.log ? Math.log10(y / lo) / Math.log10(hi / lo) : (y - lo) / (hi - lo);
  return t * HEIGHT;
}

/**
 * The rows that get a value label: at each x, from the top down, a point closer than
 * LABEL_GAP_PX to any point above it gets no label (lines that meet there would print their values
 * on top of each other, e.g. 11.6 / 11.5 / 11.4 mJ on sram-bandwidth's energy chart).
 */
function labelRows(rows: ChartRow[], f: Frame): ChartRow[] {
  const kept: ChartRow[] = [];
  const byX = new Map<number, ChartRow[]>();
  for (const r of rows) byX.set(r.x, [...(byX.get(r.x) ?? []), r]);
  for (const group of byX.values()) {
    const placed: number[] = [];
    for (const r of [...group].sort((a, b) => b.y - a.y)) {
      const px = yPixel(f, r.y);
      // against every point above, labelled or not: a label drawn over another line's marker is no clearer
      const clear = !placed.some((q) => Math.abs(q - px) < LABEL_GAP_PX);
      placed.push(px);
      if (clear) kept.push(r);
    }
  }
  return kept;
}

/** The layers: our series as lines with points, their y values as labels, and the published reference dashed. */
function chartLayers(f: Frame, rows: ChartRow[], ref: { x: number; y: number; series: string }[], d: Declared, opts: SpecOptions): Record<string, unknown>[] {
  const lines = [...new Set(rows.map((r) => r.series))];
  const many = lines.length > MANY_SERIES;
  // too many lines to tell apart (or a sampled space: one point each): one dot per evaluation, one colour
  const ours = many ? rows.map((r) => ({ ...r, series: EVERY_POINT })) : rows;
  const seriesNames = [...(many ? [EVERY_POINT] : lines), ...(ref.length ? [d.reference!.label] : [])];
  const color = { field: 'series', type: 'nominal', scale: { domain: seriesNames }, legend: { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 500 } };
  const tooltip = opts.interactive ? { tooltip: [{ field: 'id' }, { field: 'x', title: f.xTitle, format: '.4~g' }, { field: 'y', title: f.yTitle, format: '.4~g' }, { field: 'series' }] } : {};
  const mark = many ? { type: 'point', filled: true, size: 20, opacity: 0.6 } : { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 };
  const layers: Record<string, unknown>[] = [{ data: { values: ours }, mark, encoding: encoding(f, { color, ...tooltip }) }];
  if (!many) layers.push({ data: { values: labelRows(rows, f) }, mark: { type: 'text', dy: -9, fontSize: 9, color: '#333' }, encoding: encoding(f, { text: { field: 'y', type: 'quantitative', format: '.3~r' } }) });
  if (ref.length) layers.push({ data: { values: ref }, mark: { type: 'line', point: { shape: 'square', size: 40 }, strokeDash: [6, 3], strokeWidth: 1.5 }, encoding: encoding(f, { color }) });
  return layers;
}

/** The caption: what is plotted against what (which points, which lines), the reference, which axes are logarithmic, and the first 12 values of a one-line chart. */
function chartCaption(d: Declared, f: Frame, rows: ChartRow[], normText: string, hasReference: boolean, series: string[]): string {
  const where = Object.entries(d.where ?? {});
  const which = where.length ? `of the evaluated points with ${where.map(([k, v]) => `${k} = ${v}`).join(', ')}` : 'of every evaluated point';
  const n = new Set(rows.map((r) => r.series)).size;
  return (
    `Declared by the space file (report:). ${metricTitle(d.y, '')} ${which} against ${f.xTitle}${normText ? `,${normText} (each series divided by its own value there)` : ''}.` +
    (series.length && n <= MANY_SERIES ? ` One line per combination of ${series.join(', ')} (${n} lines).${n > 1 ? ' Where lines meet, one value label stands for them (more would overlap).' : ''}` : '') +
    (n > MANY_SERIES
      ? ` ${series.join(', ')} ${series.length > 1 ? 'vary' : 'varies'} too (${n} combinations): too many to tell apart as lines, so each dot is one evaluation. To draw lines, hold some of them with \`where:\` in the report block (e.g. where: { ${series[0]}: … }; only a parameter swept over a list or a stepped range can be held).`
      : '') +
    (hasReference ? ` Dashed: ${d.reference!.label} (published values, shown next to ours, nothing fitted).` : '') +
    (f.ax.log || f.ay.log ? ` ${[f.ax.log ? 'x' : '', f.ay.log ? 'y' : ''].filter(Boolean).join(' and ')} on a log scale (values span more than a decade).` : '') +
    (n > 1 ? '' : ` Values: ${rows.slice(0, 12).map((r) => `${fmtNum(r.x)} → ${fmtNum(Number(r.y.toPrecision(4)))}`).join(', ')}${rows.length > 12 ? ', …' : ''}.`)
  );
}

/** One declared chart as a Vega-Lite spec, or undefined when no evaluated point has a finite x and y. */
export function declaredChart(run: RunJson, points: PointRow[], d: Declared, opts: SpecOptions): ChartDef | undefined {
  const isParam = run.parameters.includes(d.x);
  const xOf = (p: PointRow) => {
    const v = isParam ? p.params[d.x] : p.metrics[d.x];
    return typeof v === 'number' ? (d.reciprocalX ? 1 / v : v) : NaN;
  };
  const ok = wherePoints(points, d).filter((p) => p.status === 'ok' && finite(p.metrics[d.y]) && finite(xOf(p)));
  if (ok.length === 0) return undefined;
  const { rows, yUnit } = chartRows(run, ok, d, xOf);
  if (rows.length === 0) return undefined;
  const normText = isNormalised(d) ? ` relative to ${Object.entries(d.normalize!).map(([k, v]) => `${k} = ${v}`).join(', ')}` : '';
  const ref = d.reference ? d.reference.points.map(([x, y]) => ({ x, y, series: d.reference!.label })) : [];
  const f = chartFrame(d, isParam, rows, ref.map((r) => r.y), yUnit.unit, normText);
  return {
    kind: 'declared',
    title: d.title ?? `${d.y} vs ${d.x}`,
    // fidelity: both — which model's numbers are drawn, as the other charts say
    caption: chartCaption(d, f, rows, normText, ref.length > 0, seriesParams(run, ok, d)) + rescoreNote(run, points, isParam ? [d.y] : [d.x, d.y]),
    spec: { width: 460, height: HEIGHT, layer: chartLayers(f, rows, ref, d, opts) },
  };
}
