/**
 * Vega-Lite specs of the report's charts, built from a run. Pure data → spec functions; rendering
 * (static SVG or vega-embed) lives in render.ts and svg.ts. The shared pieces are in spec-base.ts,
 * the objective scatters in scatter-specs.ts, the breakdowns and hypervolume in
 * breakdown-specs.ts, accuracy under pruning in accuracy-spec.ts.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import type { ChartDef, SpecOptions } from './spec-base.ts';
import { objectiveChart, paretoChart } from './scatter-specs.ts';
import { hypervolumeChart, latencyChart, stackedChart } from './breakdown-specs.ts';
import { accuracyChart } from './accuracy-spec.ts';

export {
  CLASS_DOMINATED,
  CLASS_FRONT,
  CLASS_INFEASIBLE,
  KNEE_DEFINITION,
  SHARED_POINTS,
  baseConfig,
  front2d,
  kneeId,
  sampleDeterministic,
  sharedPointRows,
  wantsLog,
  type ChartDef,
  type ChartKind,
  type SpecOptions,
  type VlSpec,
} from './spec-base.ts';
export { objectiveChart, paretoChart } from './scatter-specs.ts';
export { hypervolumeChart, latencyChart, stackedChart } from './breakdown-specs.ts';
export { accuracyChart } from './accuracy-spec.ts';

/** All charts of a run, in report order. */
export function buildCharts(run: RunJson, points: PointRow[], opts: SpecOptions): { pareto: ChartDef[]; highlights: ChartDef[]; hypervolume?: ChartDef; accuracy?: ChartDef } {
  const objs = run.objectives;
  const pareto: ChartDef[] = [];
  if (objs.length === 1) pareto.push(objectiveChart(run, points, objs[0], opts));
  for (let i = 0; i < objs.length; i++) for (let j = i + 1; j < objs.length; j++) pareto.push(paretoChart(run, points, objs[i], objs[j], opts));
  const hs = run.highlights ?? [];
  const highlights = [latencyChart(hs, opts), stackedChart(hs, 'energy', opts), stackedChart(hs, 'area', opts)].filter((c): c is ChartDef => c !== undefined);
  return { pareto, highlights, hypervolume: hypervolumeChart(run, opts), accuracy: accuracyChart(run, points, opts) };
}
