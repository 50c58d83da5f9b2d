/**
 * renderReport: one self-contained HTML page of a run (no network references; works from file://).
 * Static by default: every Vega-Lite spec is rendered to SVG on the server with `vega` (no DOM).
 * With `interactive`, the vega, vega-lite and vega-embed bundles are inlined once and each chart is
 * rendered in the browser (tooltips, zoom/pan, brushing, parameter filters); charts without a live
 * version keep their static SVG.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { escapeHtml } from './escape.ts';
import { declaredChart, declaredCharts } from './declared.ts';
import { parallelChart } from './parallel.ts';
import { highlightWhy, notesSection, sensitivitySection } from './sections.ts';
import { reliefTable } from './relief.ts';
import { constraintCharts, explorerChart, sampleForInteractive } from './explore.ts';
import { commonObjectives, compareCharts, compareHypervolumes, compareTable, incomparable, type NamedRun } from './compare.ts';
import { buildCharts } from './specs.ts';
import { rescorePlan } from './fidelity-label.ts';
import { pairUp, renderCharts, type ChartPair, type Rendered } from './svg.ts';
import { CSS, page } from './page.ts';
import { breakdownTables, failuresSection, frontSection, highlightTable, spaceAndProvenance, splitParams, summarySection } from './run-sections.ts';

export { packageDir, vegaBundles } from './bundles.ts';
export { compactSvg } from './svg.ts';

export interface RenderOptions {
  /** Inline the vega bundles and render charts with vega-embed (tooltips, zoom). Default false. */
  interactive?: boolean;
  /** Most non-front points drawn per scatter; front points are always all drawn. Default 600 (keeps the static page under 600 KB). */
  maxOtherPoints?: number;
  /** Interactive page: most non-front points embedded (stratified sample). Default 1500. */
  maxInteractivePoints?: number;
}

export interface ReportInput {
  run: RunJson;
  points: PointRow[];
}

const esc = escapeHtml;

type Charts = ReturnType<typeof buildCharts>;

/** What the parts of one report share. */
interface ReportContext {
  run: RunJson;
  points: PointRow[];
  interactive: boolean;
  maxOtherPoints: number;
  /** The chart specs rendered to SVG, and (interactive) their live versions. */
  charts: Charts;
  live?: Charts;
  /** The parameters that vary across the points. */
  varying: string[];
  /** Charts rendered so far: it numbers their ids. */
  counter: { n: number };
}

/** A part of the page: its sections (none when it has nothing to show) and the live specs of its charts. */
interface Part {
  sections: string[];
  specs: Rendered['specs'];
}

/** Renders the report of a run as one self-contained HTML string. */
export async function renderReport(input: ReportInput, opts: RenderOptions = {}): Promise<string> {
  const { run, points } = input;
  const interactive = opts.interactive === true;
  const maxOtherPoints = opts.maxOtherPoints ?? 600;
  // interactive: the explorer and the live scatters draw every front point and a bounded stratified sample of the others
  const sample = interactive ? sampleForInteractive(run, points, opts.maxInteractivePoints) : [];
  const charts = buildCharts(run, points, { interactive: false, maxOtherPoints });
  const live = interactive ? buildCharts(run, points, { interactive: true, maxOtherPoints, shared: sample }) : undefined;
  const { varying, constant } = splitParams(run, points);
  const c: ReportContext = { run, points, interactive, maxOtherPoints, charts, live, varying, counter: { n: 0 } };

  const sections: string[] = [];
  sections.push(summarySection(run, points));
  sections.push(notesSection(run, points));
  const declared = await declaredPart(c);
  sections.push(...declared.sections);
  const pareto = await paretoPart(c, sample.length);
  sections.push(...pareto.sections);
  sections.push(frontSection(run, points, varying, constant));
  const sensitivity = await sensitivityPart(c);
  sections.push(...sensitivity.sections);
  const highlights = await highlightsPart(c);
  sections.push(...highlights.sections);
  const extra = await progressAndAccuracyPart(c);
  sections.push(...extra.sections);
  sections.push(failuresSection(points));
  sections.push(...spaceAndProvenance(run));

  const specs = [declared, pareto, sensitivity, highlights, extra].flatMap((p) => p.specs);
  const toc = tableOfContents(c, declared.sections.length > 0, sensitivity.sections.length > 0);
  return page(run, points, { interactive, toc, sample, specs, sections });
}

/** The charts the space declares (a paper figure): they come first, they are what the space is for. */
async function declaredPart(c: ReportContext): Promise<Part> {
  const { run, points, interactive, maxOtherPoints } = c;
  const declared = declaredCharts(run, points)
    .map((d) => ({ static: declaredChart(run, points, d, { interactive: false, maxOtherPoints }), live: interactive ? declaredChart(run, points, d, { interactive: true, maxOtherPoints }) : undefined }))
    .filter((ch) => ch.static !== undefined) as ChartPair[];
  const decl = await renderCharts(declared, c.counter);
  const sections = declared.length ? [`<section id="declared"><h2>${declared.length > 1 ? 'Figures' : 'Figure'} declared by the space</h2><div class="grid">${decl.html}</div></section>`] : [];
  return { sections, specs: decl.specs };
}

/** The Pareto charts (one per objective pair) with the constraint charts, and (interactive) the explorer over `sampled` points. */
async function paretoPart(c: ReportContext, sampled: number): Promise<Part> {
  const { run, points, charts, live, counter, maxOtherPoints } = c;
  const explorer = c.interactive ? explorerChart(run, points, c.varying, sampled, points.filter((p) => p.status === 'ok').length) : undefined;
  const expl = explorer ? await renderCharts([{ static: { ...explorer, spec: { mark: 'point', data: { values: [] } } }, live: explorer }], counter) : undefined;
  const pareto = await renderCharts(pairUp(charts.pareto, live?.pareto), counter);
  const cons = await renderCharts(pairUp(constraintCharts(run, points, { interactive: false, maxOtherPoints }), undefined), counter);
  const section =
    `<section id="pareto"><h2>${run.objectives.length > 1 ? 'Pareto fronts, one chart per objective pair' : 'Objective'}</h2>` +
    (charts.pareto.length ? `<div class="grid">${pareto.html}${cons.html}</div>` : '<p>No objectives.</p>') +
    (expl ? `<h3>Explorer</h3>${expl.html}` : '') +
    '</section>';
  return { sections: [section], specs: [...pareto.specs, ...(expl?.specs ?? [])] };
}

/** The sensitivity tables and the parallel-coordinates chart of the front; no section when there is neither. */
async function sensitivityPart(c: ReportContext): Promise<Part> {
  const { run, points, varying, interactive, maxOtherPoints } = c;
  const par = parallelChart(run, points, varying, { interactive: false, maxOtherPoints });
  const parR = par ? await renderCharts([{ static: par, live: interactive ? parallelChart(run, points, varying, { interactive: true, maxOtherPoints }) : undefined }], c.counter) : undefined;
  const sens = sensitivitySection(run, points);
  const sections = sens || parR ? [sens.replace(/<\/section>$/, '') + (parR ? `<h3>The front, parameter by parameter</h3>${parR.html}` : '') + (sens ? '</section>' : '')] : [];
  return { sections, specs: parR?.specs ?? [] };
}

/** The highlighted points: their table, why they were chosen, and their breakdown charts and tables. */
async function highlightsPart(c: ReportContext): Promise<Part> {
  const { run, varying } = c;
  const hl = await renderCharts(pairUp(c.charts.highlights, c.live?.highlights), c.counter);
  if ((run.highlights ?? []).length === 0) {
    return { sections: ['<section id="highlights"><h2>Highlighted points</h2><p class="muted">The run recorded no highlighted points.</p></section>'], specs: hl.specs };
  }
  const section =
    `<section id="highlights"><h2>Highlighted points: latency, energy and area breakdowns</h2>` +
    `<p class="muted">Knee and per-objective best points chosen by the runner.${breakdownModelNote(run)}</p>` +
    highlightTable(run, varying, c.points) +
    highlightWhy(run) +
    reliefTable(run) +
    (hl.html ? `<div class="grid">${hl.html}</div>` + breakdownTables(run) : '<p class="muted">No breakdowns recorded.</p>') +
    '</section>';
  return { sections: [section], specs: hl.specs };
}

/** fidelity: both — the breakdowns are the primary (analytical) model's; the re-scoring model's totals are its own columns. */
function breakdownModelNote(run: RunJson): string {
  const plan = rescorePlan(run);
  return plan ? esc(` The breakdowns (stages, energy, area, DRAM traffic) are the ${plan.primary} model's, as are the unprefixed metrics; the ${plan.rescore} model's totals are the ${plan.rescore}-model columns.`) : '';
}

/** The search progress (hypervolume) and accuracy-under-pruning charts, when the run has them. */
async function progressAndAccuracyPart(c: ReportContext): Promise<Part> {
  const { charts, live } = c;
  const part: Part = { sections: [], specs: [] };
  if (charts.hypervolume) {
    const r = await renderCharts([{ static: charts.hypervolume, live: live?.hypervolume }], c.counter);
    part.specs.push(...r.specs);
    part.sections.push(`<section id="hypervolume"><h2>Search progress</h2>${r.html}</section>`);
  }
  if (charts.accuracy) {
    const r = await renderCharts([{ static: charts.accuracy, live: live?.accuracy }], c.counter);
    part.specs.push(...r.specs);
    part.sections.push(`<section id="accuracy"><h2>Accuracy under pruning</h2>${r.html}</section>`);
  }
  return part;
}

/** The page's table of contents: [section id, title] of every section it has. */
function tableOfContents(c: ReportContext, declared: boolean, sensitivity: boolean): string[][] {
  return [
    ['summary', 'Summary'],
    ...(declared ? [['declared', 'Figure']] : []),
    ['pareto', 'Pareto'],
    ['front', 'Front table'],
    ...(sensitivity ? [['sensitivity', 'Sensitivity']] : []),
    ['highlights', 'Breakdowns'],
    ...(c.charts.hypervolume ? [['hypervolume', 'Hypervolume']] : []),
    ...(c.charts.accuracy ? [['accuracy', 'Accuracy']] : []),
    ...(c.points.some((p) => p.status === 'failed') ? [['failures', 'Failures']] : []),
    ['space', 'Space file'],
    ['provenance', 'Provenance'],
  ];
}

/** One static page comparing runs: fronts overlaid per common objective pair, hypervolume against one reference. */
export async function renderComparison(runs: NamedRun[]): Promise<string> {
  const objectives = commonObjectives(runs);
  const hvs = compareHypervolumes(runs, objectives);
  const apart = incomparable(runs);
  const charts = await renderCharts(pairUp(compareCharts(runs, objectives, hvs), undefined), { n: 0 });
  const title = `comparison: ${runs.map((r) => r.label).join(' vs ')}`;
  const body =
    `<header><h1>${esc(title)}</h1><p class="sub">spatten-dse report · ${runs.length} runs · common objectives: ${objectives.map((o) => `<code>${esc(o.metric)}</code> (${o.goal})`).join(', ') || 'none'}</p></header>\n<main>` +
    `<section id="runs"><h2>Runs</h2>` +
    (apart.length ? `<ul class="notes">${apart.map((a) => `<li class="warn">${esc(`Not comparable — ${a}.`)}</li>`).join('')}</ul>` : '') +
    compareTable(runs, objectives, hvs) +
    (apart.length
      ? `<p class="muted">Hypervolume of each run's front over the common objectives, every objective normalised by the bounds of the union of all runs' feasible points (0 = best, 1 = worst) with reference point 1.1 in each. These runs answer different questions (see the warning above the table), so their hypervolumes and fronts are not comparable: a larger number here does not mean a better search or design.</p></section>`
      : `<p class="muted">Hypervolume of each run's front over the common objectives, every objective normalised by the bounds of the union of all runs' feasible points (0 = best, 1 = worst) with reference point 1.1 in each: larger is better, and the numbers are comparable across the runs on this page (same workload and objectives; the hypervolume in each run.json uses that run's own bounds).</p></section>`) +
    `<section id="fronts"><h2>Fronts overlaid</h2>${objectives.length >= 2 ? `<div class="grid">${charts.html}</div>` : '<p class="muted">Fewer than two common objectives: nothing to overlay.</p>'}</section></main>`;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="spatten-dse report">` +
    `<title>${esc(`spatten-dse: ${title}`)}</title><style>${CSS}</style></head>\n<body>${body}</body></html>\n`
  );
}
