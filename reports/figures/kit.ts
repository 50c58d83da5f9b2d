/**
 * The two chart shapes the paper's figures use, as Vega-Lite specs: a quantity against the
 * variable the figure sweeps (lines, our configurations next to the paper's values as a dashed
 * series), and grouped bars in the paper's order (ours and the paper's side by side per group).
 */
import { logTicks, yDomain } from '../axes.ts';
import type { ChartDef, VlSpec } from '../spec-base.ts';

/** Colours of our series (in order) and of the paper's. */
export const OURS_COLORS = ['#4c78a8', '#54a24b', '#b279a2', '#9d755d', '#72b7b2', '#eeca3b', '#ff9da6', '#bab0ac'];
export const PAPER_COLOR = '#f58518';
export const PAPER = 'paper';

export interface XY {
  x: number;
  y: number;
  series: string;
}

export interface Bar {
  /** The group (x category). */
  x: string;
  series: string;
  value: number;
}

const legend = { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 520 };
const finite = (v: number) => Number.isFinite(v);

/** Colour scale: our series first (in order), the paper's series (names starting with "paper") in orange. */
function colorScale(series: string[]): Record<string, unknown> {
  let i = 0;
  return { domain: series, range: series.map((s) => (s.startsWith(PAPER) ? PAPER_COLOR : OURS_COLORS[i++ % OURS_COLORS.length])) };
}

/**
 * y against the figure's swept variable x: one solid line per series of ours, the paper's values
 * dashed with square points. `log2x`: a log scale with ticks at the swept values (1, 2, 4, …).
 */
export function linesVsX(o: { title: string; caption: string; xTitle: string; yTitle: string; ours: XY[]; paper: XY[]; log2x?: boolean; logY?: boolean }): ChartDef {
  const ours = o.ours.filter((r) => finite(r.y));
  const paper = o.paper.filter((r) => finite(r.y));
  const xs = [...new Set([...ours, ...paper].map((r) => r.x))].sort((a, b) => a - b);
  const series = [...new Set([...ours, ...paper].map((r) => r.series))];
  const ys = [...ours, ...paper].map((r) => r.y);
  const enc = {
    // room around the extreme points, as a declared figure of the run page has (axes.ts yDomain): on a
    // log axis in decades, a zero-based linear y with 10% above its highest value before rounding
    x: { field: 'x', type: 'quantitative', title: o.xTitle, scale: o.log2x ? { type: 'log', base: 2, nice: false, domain: yDomain(xs, true, [0.06, 0.06]) } : { zero: false, nice: true }, axis: { values: xs, format: '~g' } },
    y: { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.logY ? { type: 'log', nice: false, domain: yDomain(ys, true) } : { zero: true, nice: true, domainMax: yDomain([0, ...ys], false)[1] }, axis: { format: o.logY ? '~g' : '~r' } },
    color: { field: 'series', type: 'nominal', scale: colorScale(series), legend },
  };
  const layers: VlSpec[] = [{ data: { values: ours }, mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 }, encoding: enc }];
  if (paper.length) layers.push({ data: { values: paper }, mark: { type: 'line', point: { shape: 'square', size: 45, filled: true }, strokeDash: [6, 3], strokeWidth: 1.5 }, encoding: enc });
  return { kind: 'figure', title: o.title, caption: o.caption, spec: { width: 460, height: 280, layer: layers } };
}

/**
 * Labelled ticks of a log y axis from `lo` to `hi`: 1, 2, 5 × 10^k, or every power of ten alone past
 * 4 decades (axes.ts logTicks). Vega's own ticks on a log axis are 1 … 9 × 10^k thinned where labels
 * would overlap, which can drop a decade's label (10 … 90 labelled, 100 not, on a 10 … 150 axis).
 */
export const logAxisValues = (lo: number, hi: number) => logTicks(lo, hi).ticks.filter((t) => t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9));

/**
 * Grouped bars: one group per x category in `xOrder` (the paper's order), one bar per series in
 * the group (ours, then the paper's), value labels on the bars when `labels`.
 */
export function groupedBars(o: { title: string; caption: string; yTitle: string; rows: Bar[]; xOrder: string[]; logY?: boolean; labels?: boolean; labelAngle?: number }): ChartDef {
  const rows = o.rows.filter((r) => finite(r.value));
  const series = [...new Set(rows.map((r) => r.series))].sort((a, b) => Number(a.startsWith(PAPER)) - Number(b.startsWith(PAPER)));
  // A log axis has no zero: the bars start at the decade below half the smallest value, so the
  // shortest bar is at least a few pixels tall.
  const positive = rows.map((r) => r.value).filter((v) => v > 0);
  const max = Math.max(...positive);
  const floor = o.logY ? 10 ** Math.floor(Math.log10(Math.min(...positive) / 2)) : 0;
  // room above the tallest bar for its label (written upwards, ~25 px of the 260)
  const top = o.logY ? max * 10 ** (Math.log10(max / floor) * (o.labels ? 0.12 : 0.02)) : max * (o.labels ? 1.15 : 1);
  const enc = {
    x: { field: 'x', type: 'nominal', sort: o.xOrder, title: null, axis: { labelAngle: o.labelAngle ?? -30, labelLimit: 260 } },
    xOffset: { field: 'series', type: 'nominal', sort: series },
    y: { field: 'value', type: 'quantitative', title: o.yTitle, scale: o.logY ? { type: 'log', domain: [floor, top], nice: false } : { zero: true, domainMax: top, nice: true }, axis: o.logY ? { format: '~g', values: logAxisValues(floor, top) } : { format: '~r' } },
  };
  const bar = { ...enc, ...(o.logY ? { y2: { datum: floor } } : {}), color: { field: 'series', type: 'nominal', scale: colorScale(series), legend } };
  const layers: VlSpec[] = [{ mark: { type: 'bar' }, encoding: bar }];
  // value labels written upwards from each bar's top: side by side they would run together (bars are ~14 px wide)
  if (o.labels) layers.push({ mark: { type: 'text', angle: 270, align: 'left', baseline: 'middle', dx: 3, fontSize: 9, color: '#333' }, encoding: { ...enc, text: { field: 'value', type: 'quantitative', format: '.4~r' } } });
  const width = Math.min(1000, Math.max(360, o.xOrder.length * Math.max(1, series.length) * 14));
  return { kind: 'figure', title: o.title, caption: o.caption, spec: { width, height: 260, data: { values: rows }, layer: layers } };
}

/** The step name a figure prints, without its settings in brackets ("+ cascade token pruning (tokenKeep …)" → "+ cascade token pruning"). */
export const shortStep = (s: string) => s.replace(/\s*\(.*$/, '');

/** A configuration's series name, marked when it is a sensitivity study rather than the paper's hardware, and with the user's `--set hw.X=…` (`hwSet`) when there is one. */
export const seriesName = (config: string, role: string, hwSet: Record<string, unknown> = {}) => {
  const set = Object.entries(hwSet).map(([k, v]) => `${k}=${v}`).join(' ');
  const mark = role === 'sensitivity' ? ' [sensitivity study, not the paper hardware]' : role === 'headline' && !set ? ' (Table I)' : '';
  return `ours: ${config}${mark}${set ? ` (with --set ${set})` : ''}`;
};
