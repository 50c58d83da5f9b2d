/** Bar and line specs of the highlighted points' breakdowns (latency, energy, area) and of the search's hypervolume. */
import type { Highlight, RunJson } from '../core/results.ts';
import { fmtNum, unitFor } from '../core/format.ts';
import { finite, highlightLabel, type ChartDef, type SpecOptions } from './spec-base.ts';

function hlKey(h: Highlight): string {
  return `${highlightLabel(h.label)} (#${h.id})`;
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

/**
 * One colour per module name across the energy and area charts (they sit one above the other:
 * keySram orange in one and purple in the other read as different modules). Vega's tableau10
 * scheme (vega-scale schemes.js), then two more for a longer list (e.g. SpAtten-e2e's fc).
 */
const MODULE_COLOURS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac', '#17becf', '#7f7f7f'];

/** The colours of `modules`, each by its place among every module either chart names (energy's first). */
function moduleColours(hs: Highlight[], modules: string[]): string[] {
  const all = [...new Set([...breakdownKeys(hs, (h) => h.energy), ...breakdownKeys(hs, (h) => h.area)])];
  return modules.map((m) => MODULE_COLOURS[all.indexOf(m) % MODULE_COLOURS.length]);
}

/** Stacked breakdown (energy or area by module), one bar per highlight. */
export function stackedChart(hs: Highlight[], which: 'energy' | 'area', opts: SpecOptions): ChartDef | undefined {
  const pick = (h: Highlight) => (which === 'energy' ? h.energy : h.area);
  const modules = breakdownKeys(hs, pick);
  const total = (h: Highlight) => Object.values(pick(h) ?? {}).filter(finite).reduce((a, b) => a + b, 0);
  // energy in the page's unit for energy_j (mJ, µJ …), from the totals' magnitude
  const u = which === 'energy' ? unitFor('energy_j', hs.map(total)) : { factor: 1, unit: 'mm²' };
  const rows = hs.flatMap((h) =>
    modules
      .map((m, mi) => ({ hl: hlKey(h), module: m, mi, value: (pick(h)?.[m] ?? NaN) * u.factor }))
      .filter((r) => finite(r.value)),
  );
  if (rows.length === 0) return undefined;
  const hlOrder = hs.map(hlKey);
  const unit = which === 'energy' ? `energy (${u.unit})` : 'area (mm²)';
  const totals = hs.map((h) => `${hlKey(h)}: ${fmtNum(total(h) * u.factor)}`);
  return {
    kind: which,
    title: which === 'energy' ? 'Energy breakdown by module' : 'Area breakdown by module',
    caption: `${which === 'energy' ? 'Energy of the whole workload' : 'Chip area'} by module for each highlighted point. Totals (${u.unit}): ${totals.join('; ')}.`,
    spec: {
      width: 420,
      height: Math.max(40, hs.length * 26),
      data: { values: rows },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'hl', type: 'nominal', sort: hlOrder, title: null, axis: { labelLimit: 420 } },
        x: { field: 'value', type: 'quantitative', title: unit, stack: 'zero' },
        color: { field: 'module', type: 'nominal', sort: modules, scale: { domain: modules, range: moduleColours(hs, modules) }, legend: { title: null, orient: 'bottom', columns: 5 } },
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
