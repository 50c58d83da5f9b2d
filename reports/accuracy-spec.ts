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

/** One curve of ours: a keep-fraction parameter (the other one held at its largest value when it is swept too). */
interface KeepCurve {
  param: string;
  other: string;
  series: string;
}

const KEEP_CURVES: KeepCurve[] = [
  { param: 'algo.tokenKeep', other: 'algo.headKeep', series: 'ours: tokens (algo.tokenKeep)' },
  { param: 'algo.headKeep', other: 'algo.tokenKeep', series: 'ours: heads (algo.headKeep)' },
];

type Dot = { series: string; ratio: number; value: number; id: number };
type Mean = { series: string; ratio: number; value: number; n: number };

/** The points of one curve: ok, with the metric and a numeric keep value; at the other keep parameter's largest value when the run sweeps it (said in `notes`). */
function curvePoints(run: RunJson, points: PointRow[], metric: string, k: KeepCurve, notes: string[]): PointRow[] {
  let pts = points.filter((p) => p.status === 'ok' && finite(p.metrics[metric]) && typeof p.params[k.param] === 'number');
  if (run.parameters.includes(k.other)) {
    const others = pts.map((p) => p.params[k.other]).filter(finite);
    if (others.length > 0) {
      const maxOther = Math.max(...others);
      pts = pts.filter((p) => p.params[k.other] === maxOther);
      notes.push(`${k.param} curve: ${k.other} = ${fmtNum(maxOther)}`);
    }
  }
  return pts;
}

/** Our curves: a dot per evaluation and the mean per pruning ratio (ascending), for each keep parameter; notes say what was held fixed. */
function ourCurves(run: RunJson, points: PointRow[], metric: string, curves: KeepCurve[]): { dots: Dot[]; means: Mean[]; notes: string[] } {
  const dots: Dot[] = [];
  const means: Mean[] = [];
  const notes: string[] = [];
  for (const k of curves) {
    const groups = new Map<number, number[]>();
    for (const p of curvePoints(run, points, metric, k, notes)) {
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
  return { dots, means, notes };
}

/** The left panel: our single evaluations as dots and the line of their means per ratio. */
function oursPanel(metric: string, curves: KeepCurve[], dots0: Dot[], means0: Mean[], interactive: boolean): VlSpec {
  // in the report's display unit (accuracy in %), as every other chart and table of the page
  const { factor, unit } = unitFor(metric, dots0.map((d) => d.value));
  const dots = dots0.map((d) => ({ ...d, value: d.value * factor }));
  const means = means0.map((m) => ({ ...m, value: m.value * factor }));
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
          color: { field: 'series', type: 'nominal', scale: { domain: curves.map((k) => k.series), range: ['#1f77b4', '#2ca02c'] }, legend: { title: null, orient: 'bottom', direction: 'vertical', symbolOpacity: 1 } },
          ...(interactive ? { tooltip: [{ field: 'id' }, { field: 'ratio', format: '.3~g' }, { field: 'value', title: metric, format: '.4~g' }] } : {}),
        },
      },
      {
        data: { values: means },
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x: { field: 'ratio', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', legend: { title: null, orient: 'bottom', direction: 'vertical', symbolOpacity: 1 } },
          ...(interactive ? { tooltip: [{ field: 'series' }, { field: 'ratio', format: '.3~g' }, { field: 'value', title: `mean ${metric}`, format: '.4~g' }, { field: 'n' }] } : {}),
        },
      },
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
  const { dots, means, notes } = ourCurves(run, measured.kept, metric, curves);
  if (dots.length === 0) return undefined;
  // the means use every point; at most 600 single evaluations are drawn as dots
  const dotsShown = sampleDeterministic(dots, 600, 5);
  return {
    kind: 'accuracy',
    title: `${metric} vs pruning ratio, next to the paper's Fig. 21`,
    caption:
      `Left: our ${metricLabel(metric)} against the pruning ratio of the pruned layers (1 / keep fraction). The schedule leaves the front layers unpruned (algo.tokenFrontFrac, 15% of the layers by default; algo.headFrontFrac, 30%: layer 0 of the 4-layer shipped models), so over all layers fewer tokens or heads go than this ratio says (spam-bert keeps 0.625 of its heads at headKeep 0.5: 1.6×, not 2×); \`spatten-dse accuracy --set algo.tokenKeep=K\` prints the all-layer fraction. Dots are single evaluations${dotsShown.length < dots.length ? ` (${dotsShown.length} of ${dots.length} drawn)` : ''}, the line is the mean per ratio over all of them and the other parameters` +
      (notes.length ? ` (${notes.join('; ')})` : '') +
      `.${rungNote(metric, measured.left, measured.n)}${heldNote(run, points.filter((p) => p.status === 'ok').length)}` +
      ' Right: the paper\'s Fig. 21 curves (12-bit, progressive quantization off, other pruning off), accuracy change relative to the unpruned model. ' +
      'Different models, datasets and metrics: the panels are shown side by side with their own axes, and nothing is fitted across them.',
    spec: { hconcat: [oursPanel(metric, curves, dotsShown, means, opts.interactive), paperPanel(opts.interactive)], resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' } } },
  };
}
