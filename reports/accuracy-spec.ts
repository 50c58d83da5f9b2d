/** The accuracy-under-pruning spec: our accuracy vs pruning ratio next to the paper's Fig. 21. */
import type { PointRow, RunJson } from '../core/results.ts';
import { fmtNum, metricLabel, metricTitle, unitFor } from '../core/format.ts';
import { PAPER_FIG21 } from '../sim/paper.ts';
import { finite, heldNote, sampleDeterministic, type ChartDef, type SpecOptions, type VlSpec } from './spec-base.ts';
import { bestMeasured } from './rung-notes.ts';

/** Pruning ratio (×) from a keep fraction; keep given in percent (> 1) is accepted too. */
function ratioOf(keep: number): number {
  const f = keep > 1 ? keep / 100 : keep;
  return f > 0 ? 1 / f : NaN;
}

/** One curve of ours: a keep-fraction parameter. */
interface KeepCurve {
  param: string;
  series: string;
}

const KEEP_CURVES: KeepCurve[] = [
  { param: 'algo.tokenKeep', series: 'ours: tokens (algo.tokenKeep)' },
  { param: 'algo.headKeep', series: 'ours: heads (algo.headKeep)' },
];

/**
 * The least aggressive value of each algorithm knob (sim/schema.ts AlgoSchema): more kept tokens,
 * heads and values, more unpruned front layers, more key/query/LSB bits, a higher LSB-refetch
 * threshold (more heads refetch). The paper's Fig. 21 varies one pruning with the other off and
 * 12-bit keys; the fair line of ours holds every other swept knob at this end. Knobs not listed
 * (the spreads, valueBits 0 = msbBits, the policies) are averaged over and the caption says so.
 */
const LEAST_AGGRESSIVE: Record<string, 'max' | 'min'> = {
  'algo.tokenKeep': 'max',
  'algo.headKeep': 'max',
  'algo.valueKeep': 'max',
  'algo.tokenMinKeep': 'max',
  'algo.tokenFrontFrac': 'max',
  'algo.headFrontFrac': 'max',
  'algo.msbBits': 'max',
  'algo.lsbBits': 'max',
  'algo.lsbThreshold': 'max',
  'algo.queryBits': 'max',
  'algo.fcWeightBits': 'max',
};

type Dot = { series: string; ratio: number; value: number; id: number; n: number };
type Mean = { series: string; line: string; ratio: number; value: number; n: number };

/** The points of one curve: ok, with the metric and a numeric keep value. */
function curvePoints(points: PointRow[], metric: string, k: KeepCurve): PointRow[] {
  return points.filter((p) => p.status === 'ok' && finite(p.metrics[metric]) && typeof p.params[k.param] === 'number');
}

/** The other swept algorithm knobs (numeric) in the curve's points: each held at its least aggressive value, or averaged over. */
function heldSettings(run: RunJson, pts: PointRow[], k: KeepCurve): { pts: PointRow[]; held: string[]; averaged: string[] } {
  const held: string[] = [];
  const averaged: string[] = [];
  for (const q of run.parameters) {
    if (!q.startsWith('algo.') || q === k.param) continue;
    const values = [...new Set(pts.map((p) => p.params[q]))];
    if (values.length < 2) continue;
    const dir = LEAST_AGGRESSIVE[q];
    const nums = values.filter(finite);
    if (!dir || nums.length !== values.length) {
      averaged.push(q);
      continue;
    }
    const v = dir === 'max' ? Math.max(...nums) : Math.min(...nums);
    pts = pts.filter((p) => p.params[q] === v);
    held.push(`${q} = ${fmtNum(v)}`);
  }
  return { pts, held, averaged };
}

/** Mean of the metric per pruning ratio (ascending). */
function meansOf(pts: PointRow[], metric: string, k: KeepCurve, line: string): Mean[] {
  const groups = new Map<number, number[]>();
  for (const p of pts) {
    const r = ratioOf(p.params[k.param] as number);
    if (!finite(r)) continue;
    const g = groups.get(r) ?? [];
    g.push(p.metrics[metric]);
    groups.set(r, g);
  }
  return [...groups].sort((a, b) => a[0] - b[0]).map(([ratio, vs]) => ({ series: k.series, line, ratio, value: vs.reduce((a, b) => a + b, 0) / vs.length, n: vs.length }));
}

export const HELD_LINE = 'least aggressive other settings';
export const ALL_LINE = 'mean over all other settings';

/**
 * Our curves: a dot per evaluation; per keep parameter the mean per pruning ratio at the least
 * aggressive other algorithm settings (`held`), and, when some were held, the mean over all of them
 * (`all`, drawn dimmer); notes say what each line holds.
 */
function ourCurves(run: RunJson, points: PointRow[], metric: string, curves: KeepCurve[]): { dots: Dot[]; held: Mean[]; all: Mean[]; notes: string[] } {
  const dots: Dot[] = [];
  const held: Mean[] = [];
  const all: Mean[] = [];
  const notes: string[] = [];
  for (const k of curves) {
    const pts = curvePoints(points, metric, k);
    for (const p of pts) {
      const r = ratioOf(p.params[k.param] as number);
      if (finite(r)) dots.push({ series: k.series, ratio: r, value: p.metrics[metric], id: p.id, n: 1 });
    }
    const h = heldSettings(run, pts, k);
    held.push(...meansOf(h.pts, metric, k, HELD_LINE));
    if (h.held.length > 0) all.push(...meansOf(pts, metric, k, ALL_LINE));
    const avg = h.averaged.length ? `; averaged over ${h.averaged.join(', ')}` : '';
    if (h.held.length || avg) notes.push(`${k.param}: ${h.held.length ? `the solid line at ${h.held.join(', ')}` : 'the line'}${avg}`);
  }
  return { dots, held, all, notes };
}

/**
 * One dot per distinct (curve, ratio, value), counting the evaluations it stands for: parameters
 * that do not move the metric (every hardware knob for accuracy) repeat the same dot exactly (the
 * default run: 4,043 dots, 24 distinct), which drew the same picture in ~75 KB of the static page.
 */
export function distinctDots(dots: Dot[]): Dot[] {
  const byKey = new Map<string, Dot>();
  for (const d of dots) {
    const key = `${d.series}|${d.ratio}|${d.value}`;
    const seen = byKey.get(key);
    if (seen) seen.n += d.n;
    else byKey.set(key, { ...d });
  }
  return [...byKey.values()];
}

/** The left panel: our single evaluations as dots, the line of their means at the least aggressive other settings and, dimmer, over all settings. */
function oursPanel(metric: string, curves: KeepCurve[], dots0: Dot[], held0: Mean[], all0: Mean[], interactive: boolean): VlSpec {
  // in the report's display unit (accuracy in %), as every other chart and table of the page
  const { factor, unit } = unitFor(metric, dots0.map((d) => d.value));
  const dots = dots0.map((d) => ({ ...d, value: d.value * factor }));
  const scaled = (ms: Mean[]) => ms.map((m) => ({ ...m, value: m.value * factor }));
  const legend = { title: null, orient: 'bottom', direction: 'vertical', symbolOpacity: 1 };
  const dash = all0.length ? { strokeDash: { field: 'line', type: 'nominal', scale: { domain: [HELD_LINE, ALL_LINE], range: [[1, 0], [5, 3]] }, legend: { ...legend, symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 200, encode: { symbols: { update: { stroke: { value: '#555' } } } } } } } : {};
  const lineLayer = (values: ReturnType<typeof scaled>, mark: Record<string, unknown>, label: string) => ({
    data: { values },
    mark: { type: 'line', ...mark },
    encoding: {
      x: { field: 'ratio', type: 'quantitative' },
      y: { field: 'value', type: 'quantitative' },
      color: { field: 'series', type: 'nominal', legend },
      ...dash,
      ...(interactive ? { tooltip: [{ field: 'series' }, { field: 'line' }, { field: 'ratio', format: '.3~g' }, { field: 'value', title: `${label} ${metric}`, format: '.4~g' }, { field: 'n' }] } : {}),
    },
  });
  return {
    title: `ours: ${metric} vs pruning ratio`,
    width: 300,
    height: 240,
    layer: [
      {
        data: { values: dots },
        mark: { type: 'point', filled: true, size: 18, opacity: 0.35 },
        encoding: {
          x: { field: 'ratio', type: 'quantitative', title: 'pruning ratio in the pruned layers (× = 1 / keep)', scale: { zero: false } },
          y: { field: 'value', type: 'quantitative', title: metricTitle(metric, unit), scale: { zero: false } },
          color: { field: 'series', type: 'nominal', scale: { domain: curves.map((k) => k.series), range: ['#1f77b4', '#2ca02c'] }, legend },
          ...(interactive ? { tooltip: [{ field: 'id', title: 'id (first of n)' }, { field: 'n', title: 'evaluations' }, { field: 'ratio', format: '.3~g' }, { field: 'value', title: metric, format: '.4~g' }] } : {}),
        },
      },
      lineLayer(scaled(held0), { point: true, strokeWidth: 2 }, 'mean'),
      ...(all0.length ? [lineLayer(scaled(all0), { strokeWidth: 1.5, opacity: 0.5 }, 'mean over all settings:')] : []),
    ],
  };
}

/** The right panel: the paper's Fig. 21 curves, accuracy change against pruning ratio. */
function paperPanel(interactive: boolean): VlSpec {
  const paperRows = PAPER_FIG21.flatMap((c) => c.points.map(([ratio, change]) => ({ series: c.label, ratio, change })));
  return {
    title: 'paper Fig. 21: accuracy change vs pruning ratio',
    width: 300,
    height: 240,
    data: { values: paperRows },
    mark: { type: 'line', point: true, strokeDash: [6, 3] },
    encoding: {
      x: { field: 'ratio', type: 'quantitative', title: 'pruning ratio (×)', scale: { zero: false } },
      y: { field: 'change', type: 'quantitative', title: 'accuracy change (%)' },
      color: { field: 'series', type: 'nominal', scale: { domain: PAPER_FIG21.map((c) => c.label), range: ['#ff7f0e', '#9467bd'] }, legend: { title: null, orient: 'bottom', direction: 'vertical' } },
      ...(interactive ? { tooltip: [{ field: 'series' }, { field: 'ratio' }, { field: 'change', title: 'change (%)' }] } : {}),
    },
  };
}

/** The accuracy command that prints the all-layer keep fraction, with the run's own model and knob. */
function allLayerCommand(run: RunJson, knob: string): string {
  const model = (run.space as { accuracy?: { model?: unknown } } | undefined)?.accuracy?.model;
  return `\`spatten-dse accuracy ${typeof model === 'string' ? `--model ${model} ` : ''}--set ${knob}=K\``;
}

/** The caption's sentence on the dots and lines: what each line averages over and what it holds. */
function lineSentence(n: number, distinct: number, shown: number, dimmer: boolean, notes: string[]): string {
  const once = distinct < n ? `${distinct} distinct outcomes of ${n} evaluations, each drawn once` : '';
  const sample = shown < distinct ? `${shown} of ${distinct}${once ? ' distinct outcomes' : ''} drawn` : '';
  const drawn = once || sample ? ` (${[once, sample].filter(Boolean).join('; ')})` : '';
  const held = notes.length ? ` (${notes.join('; ')})` : '';
  return dimmer
    ? `Dots are single evaluations at every setting${drawn}; the solid line is the mean per ratio with every other swept algorithm knob at its least aggressive value${held}, the nearest to Fig. 21's other-pruning-off curves, and the dashed, dimmer line the mean over all their settings`
    : `Dots are single evaluations${drawn}, the line is the mean per ratio${held}`;
}

/** The caption's sentence on rows left out by `bestMeasured`, or on a chart drawn from a subset only. */
function rungNote(metric: string, left: number, n: number): string {
  const from = Number.isFinite(n) ? `its ${metric} measured on ${n} examples (a subset rung: no point of this run has the full evaluation)` : `its ${metric} from the full evaluation`;
  return left > 0 ? ` Each dot has ${from}; ${left} point${left === 1 ? '' : 's'} whose configuration was measured only on fewer examples (not promoted by the accuracy rungs; fidelity column "…:subset(n=…)" in points.csv) ${left === 1 ? 'is' : 'are'} left out.` : Number.isFinite(n) ? ` Each dot has ${from}.` : '';
}

/**
 * Accuracy (or perplexity) vs pruning ratio for our run, next to the paper's Fig. 21 curves. The two
 * panels have their own y axes: different models and metrics, nothing is fitted across them.
 */
export function accuracyChart(run: RunJson, points: PointRow[], opts: SpecOptions): ChartDef | undefined {
  const metric = ['accuracy', 'perplexity'].find((m) => run.metrics.includes(m) && points.some((p) => p.status === 'ok' && finite(p.metrics[m])));
  if (!metric) return undefined;
  const curves = KEEP_CURVES.filter((k) => run.parameters.includes(k.param));
  if (curves.length === 0) return undefined;
  const measured = bestMeasured(points, metric);
  const { dots, held, all, notes } = ourCurves(run, measured.kept, metric, curves);
  if (dots.length === 0) return undefined;
  // the means use every point; at most 600 distinct outcomes are drawn as dots
  const distinct = distinctDots(dots);
  const dotsShown = sampleDeterministic(distinct, 600, 5);
  return {
    kind: 'accuracy',
    title: `${metric} vs pruning ratio, next to the paper's Fig. 21`,
    caption:
      `Left: our ${metricLabel(metric)} against the pruning ratio of the pruned layers (1 / keep fraction). The schedule leaves the front layers unpruned (algo.tokenFrontFrac, 15% of the layers by default; algo.headFrontFrac, 30%), so over all layers fewer tokens or heads go than this ratio says; ${allLayerCommand(run, curves[0].param)} prints the all-layer fraction. ` +
      lineSentence(dots.length, distinct.length, dotsShown.length, all.length > 0, notes) +
      `.${rungNote(metric, measured.left, measured.n)}${heldNote(run, points.filter((p) => p.status === 'ok').length)}` +
      ' Right: the paper\'s Fig. 21 curves (12-bit, progressive quantization off, other pruning off), accuracy change relative to the unpruned model. ' +
      'Different models, datasets and metrics: the panels are shown side by side with their own axes, and nothing is fitted across them.',
    spec: { hconcat: [oursPanel(metric, curves, dotsShown, held, all, opts.interactive), paperPanel(opts.interactive)], resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' } } },
  };
}
