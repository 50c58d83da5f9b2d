/**
 * HTML sections of the report that explain the answer: notes (bound hits, statistical
 * separability), the front table with units and reproduce commands, sensitivity, and the
 * bottleneck / DRAM-traffic summary of the highlighted points.
 */
import type { Highlight, PointRow, RunJson } from '../core/results.ts';
import { inseparableCount } from '../dse/fidelity.ts';
import { boundNotes } from '../core/bounds.ts';
import { analytical, bindingName } from '../core/latency-bounds.ts';
import { bestMeasured, subsetFeasibilityNote, subsetFrontNote } from './rung-notes.ts';
import { examplesOf, isQuality } from '../core/rung-examples.ts';
import { ciColumn } from '../core/metric-columns.ts';
import { differingParams, type FrontGroup } from './front-groups.ts';
import { primaryModelSuffix, rescoredColumn } from './fidelity-label.ts';
import { simulateCommands, yamlSnippet } from './commands.ts';
import { escapeHtml as esc } from './escape.ts';
import { fmtMetric, fmtNum, metricTitle, shortParam, sig4, unitFor } from '../core/format.ts';
import { byShare, sensitivity, MAX_GROUPS, type Effect, type Sensitivity } from '../core/sensitivity.ts';
import { DESIGN_METHOD, NOISE_METHOD, PAIRED_NOISE_METHOD, SENSITIVITY_METHOD, epsilonSquared, sensitivityDesign, jointShares, measurementNoise, noiseNote, pairedNoiseNote, pairedOf, pairedWithinNoise, withinNoise, type MeasurementNoise, type PairedTable, type SensitivityDesign } from './sensitivity.ts';
import { KNEE_DEFINITION, kneeId } from './specs.ts';
import { highlightLabel } from './spec-base.ts';
import { bottleneck, recommendation, type Driver } from './recommend.ts';

/**
 * Dominated feasible points that could be on the front: run.json's paired count (each
 * configuration compared with the front's example by example) when the run recorded one, else
 * within the 95% CIs (0 without CIs).
 */
export function inseparable(run: RunJson, points: PointRow[]): { n: number; metric?: string; paired?: boolean } {
  if (run.separability) return { n: run.separability.inseparable, metric: run.separability.metric, paired: true };
  const q = run.objectives.find((o) => isQuality(o.metric) && points.some((p) => Number.isFinite(p.metrics[ciColumn(o.metric, 'low')])));
  if (!q) return { n: 0 };
  return { n: inseparableCount(points, run.objectives), metric: q.metric };
}

/** The note on the points a paired comparison leaves undecided (`count`: how many, in words). */
function pairedNote(count: string, n: number, metric: string): string {
  return (
    `Front membership is not statistically separable for ${count}: compared example by example with the front's configurations ` +
    `(every configuration runs on the same examples, so their differences are much tighter than the CI bars on the charts), ${n === 1 ? 'its' : 'their'} ${metric} could still be as good as a front point's that beats ${n === 1 ? 'it' : 'them'} on the other objectives. ` +
    `Evaluate more examples (accuracy.maxExamples) to separate them.`
  );
}

/** Warnings and explanations shown right under the summary. */
export function notesSection(run: RunJson, points: PointRow[]): string {
  // the run's own findings (run.json notes: no feasible point, fidelity both disagreements …) first
  const rung = [subsetFrontNote(points), subsetFeasibilityNote(run, points)].filter((n): n is string => n !== undefined);
  const notes: string[] = [...(run.notes ?? []), ...boundNotes(run, points), ...rung].map((n) => `<li class="warn">${esc(n)}</li>`);
  const sep = inseparable(run, points);
  if (sep.n > 0) {
    // counted over the points this page holds: a sample of a large run's (the summary says which)
    const drawn = points.length < run.counts.total ? ` of the ${points.length.toLocaleString('en-US')} this report draws` : '';
    const count = `${sep.n} dominated feasible point${sep.n === 1 ? '' : 's'}${drawn}`;
    notes.push(
      `<li>${esc(sep.paired ? pairedNote(count, sep.n, sep.metric!) : `Front membership is not statistically separable for ${count}: within the 95% CIs of ${sep.metric} they could be on the front. ` +
        `Differences in ${sep.metric} between neighbouring front points are often smaller than the CI (bars on the charts); evaluate more examples (accuracy.maxExamples) to separate them.`)}</li>`,
    );
  }
  const rec = recommendation(run, drivers(run, points));
  const k = kneeId(run);
  if (rec) notes.push(`<li>${esc(rec)}</li>`);
  else if (k !== undefined && run.objectives.length > 1) notes.push(`<li>${esc(`Knee = point #${k}. Definition — ${KNEE_DEFINITION}.`)}</li>`);
  return notes.length ? `<section id="notes"><h2>What to look at</h2><ul class="notes">${notes.join('')}</ul></section>` : '';
}

/** Per objective, the parameter with the largest variance share in its sensitivity table (none when every share is 0 or not estimable). */
function drivers(run: RunJson, points: PointRow[]): Driver[] {
  if (run.parameters.length === 0) return [];
  const design = sensitivityDesign(run);
  return run.objectives.flatMap((o) => {
    const t = sensitivityTable(run, points, o.metric, design);
    const top = t.s.effects.find((e) => Number.isFinite(e.share));
    return top && top.share > 0 ? [{ metric: o.metric, param: top.param, share: top.share, ...(noisy(t, top) ? { noise: true } : {}) }] : [];
  });
}

/** Line-break opportunities inside camelCase names (narrow headers without breaking mid-word). */
export function wbr(html: string): string {
  return html.replace(/([a-z])([A-Z])/g, '$1<wbr>$2');
}

/** Under a row's id: the other front points with the same outcome, and the parameters they differ in. */
function othersNote(g: FrontGroup, varying: string[]): string {
  if (g.others.length === 0) return '';
  const ids = g.others.slice(0, 8).map((p) => `#${p.id}`).join(', ') + (g.others.length > 8 ? ', …' : '');
  const diff = differingParams(g, varying).map((d) => `${shortParam(d.param)} ${d.values.map((v) => (Number.isFinite(Number(v)) && v !== '' ? fmtNum(Number(v)) : v)).join(', ')}`);
  const n = g.others.length;
  return `<br><span class="muted" style="display:inline-block;min-width:12em;max-width:16em;text-align:left" title="${esc(g.others.map((p) => p.id).join(', '))}">${esc(`and ${n} other${n === 1 ? '' : 's'} with identical values (${ids}${diff.length ? `; ${diff.join('; ')}` : ''})`)}</span>`;
}

/** The front table: short parameter names, objectives in engineering units, reproduce command per row (one row per distinct outcome: `frontGroups`). */
export function frontTable(run: RunJson, groups: FrontGroup[], varying: string[], hl: Map<number, string[]>): string {
  const front = groups.map((g) => g.rep);
  const objs = run.objectives;
  const units = objs.map((o) => unitFor(o.metric, front.map((p) => p.metrics[o.metric])));
  // fidelity: both — the re-scoring model's figures of the objectives, next to the primary model's
  const rescored = objs.flatMap((o, i) => {
    const col = rescoredColumn(run, o.metric);
    return col ? [{ col, unit: units[i] }] : [];
  });
  const head = [
    '<th>id</th>',
    ...varying.map((k) => `<th title="${esc(k)}">${wbr(esc(shortParam(k)))}</th>`),
    ...objs.map((o, i) => `<th title="${esc(o.metric)}">${esc(metricTitle(o.metric, units[i].unit) + primaryModelSuffix(run, o.metric))} ${o.goal === 'min' ? '↓' : '↑'}</th>`),
    ...rescored.map((c) => `<th title="${esc(c.col)}">${esc(metricTitle(c.col, c.unit.unit))}</th>`),
    '<th>reproduce</th>',
  ];
  const rows = groups.map((g) => {
    const p = g.rep;
    const tags = (hl.get(p.id) ?? []).map((l) => `<span class="tag">${esc(l)}</span>`).join(' ');
    const cells = [
      `<td class="num">${esc(p.id)}${tags ? `<br>${tags}` : ''}${othersNote(g, varying)}</td>`,
      ...varying.map((k) => (p.params[k] === undefined ? '<td class="muted">–</td>' : `<td class="num">${esc(typeof p.params[k] === 'number' ? fmtNum(p.params[k] as number) : String(p.params[k]))}</td>`)),
      ...objs.map((o, i) => {
        const v = p.metrics[o.metric];
        const lo = p.metrics[ciColumn(o.metric, 'low')];
        const hi = p.metrics[ciColumn(o.metric, 'high')];
        const ci = Number.isFinite(lo) && Number.isFinite(hi) ? ` <span class="muted">[${esc(sig4(lo * units[i].factor))}, ${esc(sig4(hi * units[i].factor))}]</span>` : '';
        // a subset rung's estimate (the run stopped before the full evaluation), said in the cell
        const n = isQuality(o.metric) ? examplesOf(p) : Infinity;
        const sub = Number.isFinite(n) ? `<br><span class="tag" title="${esc(p.fidelity ?? '')}">subset: ${esc(n)} examples</span>` : '';
        return `<td class="num" title="${esc(String(v))}">${esc(Number.isFinite(v) ? sig4(v * units[i].factor) : '–')}${ci}${sub}</td>`;
      }),
      ...rescored.map(({ col, unit }) => {
        const v = p.metrics[col];
        return Number.isFinite(v) ? `<td class="num" title="${esc(String(v))}">${esc(sig4(v * unit.factor))}</td>` : '<td class="muted">–</td>';
      }),
      `<td><details><summary>cmd / YAML</summary>${simulateCommands(run, p)
        .map((c) => `<pre class="cmd">${esc((c.model ? `# the ${c.model} model's figures (${c.columns.join(', ')}${c.columns[0] !== c.plain[0] ? `; printed as ${c.plain.join(', ')}` : ''}):\n` : '') + c.cmd)}</pre>`)
        .join('')}<pre class="cmd">${esc(yamlSnippet(run, p.params))}</pre></details></td>`,
    ];
    return `<tr data-id="${esc(p.id)}">${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table class="front"><thead><tr>${head.join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

/** Sensitivity: parameters ranked per objective by variance share, with the main-effect range. */
export function sensitivitySection(run: RunJson, points: PointRow[]): string {
  const metrics = run.objectives.map((o) => o.metric);
  if (metrics.length === 0 || run.parameters.length === 0) return '';
  const design = sensitivityDesign(run);
  const tables = metrics.map((m) => sensitivityTable(run, points, m, design));
  const own = metrics.filter((_, i) => tables[i].fewer);
  const first = metrics.filter((_, i) => tables[i].rung);
  const except =
    (own.length ? ` The ${own.join(' and ')} table${own.length === 1 ? ' uses' : 's use'} fewer points: see the note under ${own.length === 1 ? 'it' : 'them'}.` : '') +
    (first.length ? ` The ${first.join(' and ')} table${first.length === 1 ? ' uses' : 's use'} each point's estimate on the first accuracy rung: see the note under ${first.length === 1 ? 'it' : 'them'}.` : '');
  // the noise rule of each table of a metric measured on examples: paired when run.json recorded it, else the points' CIs
  const noise = (tables.some((t) => t.paired) ? ` ${PAIRED_NOISE_METHOD}` : '') + (tables.some((t) => t.noise && !t.paired) ? ` ${NOISE_METHOD}` : '');
  return (
    `<section id="sensitivity"><h2>Sensitivity: which parameters move each objective</h2>` +
    `<p class="muted">Method: ${esc(DESIGN_METHOD[design])} ${esc(SENSITIVITY_METHOD + noise)} ${esc(sensitivityBasis(run, points, design) + except)}</p><div class="grid">${tables.map((t, i) => sensitivityBlock(metrics[i], t)).join('')}</div></section>`
  );
}

/** One objective's table: its sensitivity, the estimator it was computed with, and a sentence on which points it used (when not the section's). */
interface SensTable {
  s: Sensitivity;
  design: SensitivityDesign;
  note?: string;
  /** Computed from fewer points than the section's method line says (accuracy left at a subset rung). */
  fewer?: boolean;
  /** Computed from every point's first-rung estimate: the rung, for the title ("first rung: 16 examples"). */
  rung?: string;
  /** The median 95% CI half-width of the points the table is over (metrics measured on examples), for `withinNoise`. */
  noise?: MeasurementNoise;
  /** run.json's paired effects of the metric, when recorded: the noise rule then (`pairedWithinNoise`), not the CIs. */
  paired?: PairedTable;
}

/** Whether a table's parameter is within noise: by the paired rule when the table has paired effects, else by the CIs. */
function noisy(t: SensTable, e: Effect): boolean {
  return t.paired ? pairedWithinNoise(e, t.paired) : withinNoise(e, t.noise);
}

/** One objective's block: the ranked parameters, the sum of estimates (not for a decomposition), and the table's own note. */
function sensitivityBlock(m: string, t: SensTable): string {
  const { s, design, note } = t;
  const flagged = s.effects.filter((e) => noisy(t, e));
  const noiseText = flagged.length ? (t.paired ? pairedNoiseNote(m, flagged, t.paired) : noiseNote(m, flagged, t.noise!)) : '';
  const noteHtml = (note ? `<p class="muted">${esc(note)}</p>` : '') + (noiseText ? `<p class="muted">${esc(noiseText)}</p>` : '');
  const title = `<h3>${esc(metricTitle(m, ''))}${s.log ? ' <span class="muted">(log10)</span>' : ''}${t.rung ? ` <span class="muted">(${esc(t.rung)})</span>` : ''}</h3>`;
  if (s.effects.length === 0) return note ? `<div class="sens">${title}<p class="muted">No parameter varies over these points.</p>${noteHtml}</div>` : '';
  const sum = s.effects.reduce((a, e) => a + (Number.isNaN(e.share) ? 0 : e.share), 0);
  const rows = s.effects.map(
    (e, i) =>
      `<tr><td class="num">${i + 1}</td><td><code>${esc(e.param)}</code></td>` +
      (Number.isNaN(e.share)
        ? `<td class="muted">not estimable</td>`
        : `<td class="bar"><span style="width:${(100 * e.share).toFixed(1)}%"></span><b>${esc((100 * e.share).toFixed(1))}%</b>${flagged.includes(e) ? ' <i class="muted">within noise</i>' : ''}</td>`) +
      (Math.abs(e.hi - e.lo) <= 1e-9 * Math.max(Math.abs(e.hi), Math.abs(e.lo), 1e-300)
        ? `<td class="muted" colspan="2">no effect (${esc(fmtMetric(m, e.lo))} at every value)</td></tr>`
        : `<td class="num">${esc(fmtMetric(m, e.lo))} <span class="muted">at ${esc(e.loAt)}</span></td><td class="num">${esc(fmtMetric(m, e.hi))} <span class="muted">at ${esc(e.hiAt)}</span></td></tr>`),
  );
  const r2 = (s as { r2?: number }).r2;
  const blind = s.effects.filter((e) => Number.isNaN(e.share));
  const blindNote = blind.length ? `<p class="muted">${esc(notEstimable(blind, s.n, design))}</p>` : '';
  const foot =
    design === 'grid' || design === 'legacy'
      ? ''
      : `<tfoot><tr><td></td><td class="muted" colspan="4">${esc(`sum ${(100 * sum).toFixed(1)}%: estimates, not a decomposition` + (r2 !== undefined ? `; the additive model explains R² = ${(100 * r2).toFixed(1)}% of the variance` : ''))}</td></tr></tfoot>`;
  return (
    `<div class="sens">${title}` +
    `<table class="sens"><thead><tr><th>#</th><th>parameter</th><th>${esc(SHARE_HEADER[design])}</th><th>lowest mean</th><th>highest mean</th></tr></thead><tbody>${rows.join('')}</tbody>${foot}</table>${blindNote}${noteHtml}</div>`
  );
}

/**
 * An objective's table. Accuracy or perplexity in a run with accuracy rungs: run.json's table over
 * every point's first-rung estimate when it has one (`firstRungTable`; not for a correlated sample,
 * whose joint fit needs the points, and points.csv holds each point's own value). Else only the
 * points measured on the most examples (`bestMeasured`); a configuration left at a subset rung has a
 * noisier estimate on other examples, which would be mixed in. Leaving points out makes the rest
 * a selection (the rungs chose by the subset estimates) rather than the run's grid or sample, so
 * that table is fitted jointly (`jointShares`), and its note says how many points were left out and
 * which parameter values lost every point. With the table, the median 95% CI half-width of the
 * points it is over (`measurementNoise`), against which a parameter's main-effect range is called
 * within noise (`withinNoise`), and run.json's paired effects of the metric, which decide instead
 * when recorded (`pairedWithinNoise`).
 */
function sensitivityTable(run: RunJson, points: PointRow[], metric: string, design: SensitivityDesign): SensTable {
  const paired = isQuality(metric) ? pairedOf(run, metric) : undefined;
  const first = run.sensitivity?.metrics.find((x) => x.metric === metric && x.basis === 'first-rung');
  if (first && isQuality(metric) && design !== 'correlated') {
    const t = firstRungTable(run, points, first, design);
    // the CIs of the points that stayed at the first rung: the others' are a later rung's, narrower
    return { ...t, noise: measurementNoise(points.filter((p) => examplesOf(p) === first.examples), metric, t.s.log), paired };
  }
  const m = isQuality(metric) ? bestMeasured(points, metric) : undefined;
  const t = tableOf(run, points, metric, design, m);
  // the CIs of the points measured on the table's examples (all of them when no accuracy rung left some behind)
  return { ...t, noise: measurementNoise(m ? m.kept : points, metric, t.s.log), paired };
}

/** `sensitivityTable` past a first-rung table: over every point, or the points measured on the most examples (`m`, for accuracy or perplexity). */
function tableOf(run: RunJson, points: PointRow[], metric: string, design: SensitivityDesign, m: ReturnType<typeof bestMeasured> | undefined): SensTable {
  if (!m || m.left === 0) {
    const whole = design === 'correlated' ? undefined : run.sensitivity?.metrics.find((x) => x.metric === metric);
    const note = whole?.left
      ? `${metricTitle(metric, '')}: from the ${whole.n} points of the run measured on ${whole.examples ?? 'the full evaluation'}${whole.examples ? ' examples' : ''}; ${whole.left} with an estimate on fewer examples (none among the points this report holds) are left out, so the shares are over a selection of the run's points, not its full set.`
      : m && Number.isFinite(m.n) ? `${metricTitle(metric, '')}: every point's is a subset estimate on ${m.n} examples (no point of this run has the full evaluation).` : undefined;
    // η² of a selection is not the grid's Sobol index nor a sample's estimate: the plain header
    return { s: sensitivityOf(run, points, metric, design), design: whole?.left ? 'legacy' : design, note, fewer: !!whole?.left };
  }
  const on = Number.isFinite(m.n) ? `${m.n} examples (the most of this run; none has the full evaluation)` : 'the full evaluation';
  const lost = run.parameters.flatMap((k) => {
    const all = points.filter((p) => p.status === 'ok' && Number.isFinite(p.metrics[metric])).map((p) => p.params[k]);
    // a parameter the table bins into quintiles (a continuous range) has no value to lose: its points rarely share one
    if (binnedValues(all)) return [];
    const kept = new Set(m.kept.map((p) => String(p.params[k])));
    const gone = [...new Set(all.map(String))].filter((v) => !kept.has(v));
    return gone.length ? [`${k} = ${gone.join(', ')}`] : [];
  });
  const note =
    `${metricTitle(metric, '')}: from the ${m.kept.length} point${m.kept.length === 1 ? '' : 's'} measured on ${on}; ` +
    `${m.left} point${m.left === 1 ? '' : 's'} whose configuration has only an estimate on fewer examples (not promoted by the accuracy rungs, or the run stopped first; fidelity "…:subset(n=…)" in points.csv) ${m.left === 1 ? 'is' : 'are'} left out: a subset estimate is a noisier number on other examples. ` +
    (lost.length ? `No point is left at ${lost.join('; ')}, so the lowest and highest means do not cover ${lost.length === 1 ? 'that value' : 'those values'}. ` : '') +
    (design === 'correlated'
      ? 'The shares are from the joint fit, as for the other tables.'
      : 'The rest are not the run\'s full set of points (which configurations reached the full evaluation depended on their subset estimates, and on when the run stopped), so this table\'s shares are each parameter\'s term in one additive model of all parameters fitted to them (the method a driver\'s correlated sample gets): estimates, not a decomposition.');
  return { s: jointShares(run, m.kept, metric), design: 'correlated', note, fewer: true };
}

/**
 * Accuracy or perplexity from run.json's table over every point's first-rung estimate (core/sensitivity.ts
 * SensitivityAccumulator `basis`): the rungs took only some configurations further, chosen by those
 * estimates, so the values on the most examples are a selection, while on the first rung every
 * configuration ran the same examples. A parameter with more than 12 values (binned from the
 * report's points, which hold each point's own value, not its first-rung estimate) is not in it.
 */
function firstRungTable(run: RunJson, points: PointRow[], whole: Sensitivity, design: SensitivityDesign): SensTable {
  const title = metricTitle(whole.metric, '');
  const n = whole.n.toLocaleString('en-US');
  const further = whole.further ?? 0;
  const binned = run.sensitivity?.binned ?? [];
  const note =
    `${title}: every point's estimate on the first accuracy rung, ${whole.examples} examples, the same examples for every configuration (fidelity "…:subset(n=${whole.examples})" in points.csv for the points that stayed there). ` +
    `${further.toLocaleString('en-US')} of the ${n} points were evaluated on more examples (their configurations promoted by the accuracy rungs; points.csv, the charts and the front hold those values), ` +
    `but which configurations were promoted depended on their first-rung estimates, so those points alone would be a selection of the run's; on the first rung all ${n} are on equal footing.` +
    (binned.length ? ` ${binned.join(', ')} (more than 12 values, binned from the report's points, which hold each point's own ${title}) ${binned.length === 1 ? 'is' : 'are'} not in this table.` : '');
  return { s: sensitivityOf(run, points, whole.metric, design, false), design, note, rung: `first rung: ${whole.examples} examples` };
}

/** Values the sensitivity tables group into quintile bins rather than one row per value (`core/sensitivity.ts` `sensitivity`). */
function binnedValues(vals: unknown[]): boolean {
  return new Set(vals.map(String)).size > MAX_GROUPS && vals.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Why a share is "not estimable": too few points for the groups (ε²) or for the joint fit's columns. */
function notEstimable(effects: Effect[], n: number, design: SensitivityDesign): string {
  const names = effects.map((e) => e.param).join(', ');
  if (design === 'correlated') {
    return `Not estimable: the additive model of all parameters has at least as many columns as the ${n} points, so it fits every point whatever the parameters do; evaluate more points (a larger budget) for shares.`;
  }
  const k = effects.map((e) => `${e.param}: ${e.groups}`).join(', ');
  return `Not estimable: ${names} took as many distinct values as there are points (${k} of ${n}), so each value's mean is one point and the variance share would be 100% whatever the parameter does; evaluate more points (more than 12 distinct values are binned into quintiles).`;
}

/** The share column's header: what the number is. */
const SHARE_HEADER: Record<SensitivityDesign, string> = {
  grid: 'variance share (Sobol first-order)',
  independent: 'variance share (first-order estimate)',
  correlated: 'variance share (joint fit)',
  legacy: 'variance share',
};

/**
 * An objective's sensitivity. Full grid and independent samples: from run.json's table over every
 * point when the run recorded one (parameters with more than 12 values, which need quintile bins,
 * from the report's points), else from the report's points; independent samples less their
 * sampling bias. A correlated sample: each parameter's term of one model of all parameters
 * (`jointShares`), from the report's points. `sampleBinned` false: run.json's parameters only.
 */
function sensitivityOf(run: RunJson, points: PointRow[], metric: string, design: SensitivityDesign, sampleBinned = true): Sensitivity {
  if (design === 'correlated') return jointShares(run, points, metric);
  const whole = run.sensitivity?.metrics.find((x) => x.metric === metric);
  let s: Sensitivity;
  if (!whole) s = sensitivity(run, points, metric);
  else {
    const binned = sampleBinned ? (run.sensitivity?.binned ?? []) : [];
    const fromSample = binned.length ? sensitivity({ parameters: binned }, points, metric) : undefined;
    s = fromSample ? { ...whole, effects: [...whole.effects, ...fromSample.effects.map((e) => ({ ...e, n: fromSample.n }))] } : whole;
  }
  if (design !== 'independent') return { ...s, effects: [...s.effects].sort(byShare) };
  const effects = s.effects.map((e) => ({ ...e, share: e.groups ? epsilonSquared(e.share, e.n ?? s.n, e.groups) : e.share }));
  return { ...s, effects: effects.sort(byShare) };
}

/** Which points the table is computed from, in words. */
function sensitivityBasis(run: RunJson, points: PointRow[], design: SensitivityDesign): string {
  const ok = points.filter((p) => p.status === 'ok').length;
  if (design === 'correlated') return `Computed from the ${ok.toLocaleString('en-US')} successfully evaluated points this report holds.`;
  // every row of the first metric's, also those an accuracy table left out (theirs is said under it)
  const first = run.sensitivity?.metrics[0];
  const n = first && first.n + (first.left ?? 0);
  if (n === undefined) return `Computed from the ${ok.toLocaleString('en-US')} successfully evaluated points this report holds.`;
  const binned = run.sensitivity?.binned ?? [];
  return (
    `Computed from all ${n.toLocaleString('en-US')} successfully evaluated points` +
    (binned.length ? `; ${binned.join(', ')} (more than 12 values, binned) from the ${ok.toLocaleString('en-US')} points this report holds.` : '.')
  );
}

/** Per highlighted point: bottleneck stage and share, DRAM traffic by tensor, SRAM area. */
export function highlightWhy(run: RunJson): string {
  const hs = run.highlights ?? [];
  if (hs.length === 0) return '';
  // SpAtten-e2e points add the FC/FFN weights (dse/evaluate.ts pointBreakdown)
  const tensors = ['Q', 'K MSB', 'K LSB', 'V', ...(hs.some((h) => h.dram?.['FC weights'] !== undefined) ? ['FC weights'] : [])];
  const hasDram = hs.some((h) => h.dram);
  const hasBounds = hs.some((h) => h.bounds);
  const head = ['point', 'bottleneck stage (busy share of latency)', ...(hasBounds ? ['latency set by'] : []), ...(hasDram ? tensors.map((t) => `DRAM ${t}`) : []), 'SRAM area (key + value)'];
  const rows = hs.map((h) => {
    const b = bottleneck(h);
    const dramTotal = tensors.reduce((a, t) => a + (h.dram?.[t] ?? 0), 0);
    const sram = (h.area?.keySram ?? NaN) + (h.area?.valueSram ?? NaN);
    const areaTotal = Object.values(h.area ?? {}).reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
    return (
      `<tr><td><span class="tag">${esc(highlightLabel(h.label))}</span> #${esc(h.id)}</td>` +
      `<td>${b ? `<b>${esc(b.stage)}</b> ${Number.isFinite(b.share) ? esc((100 * b.share).toFixed(0)) + '%' : ''}` : '–'}</td>` +
      (hasBounds ? `<td>${esc(bindingName(h.bounds) ?? '–')}</td>` : '') +
      (hasDram ? tensors.map((t) => `<td class="num">${h.dram ? `${esc(fmtMetric('dram_bytes', h.dram[t]))} <span class="muted">${dramTotal > 0 ? esc(((100 * h.dram[t]) / dramTotal).toFixed(0)) + '%' : ''}</span>` : '–'}</td>`).join('') : '') +
      `<td class="num">${Number.isFinite(sram) ? `${esc(fmtMetric('area_mm2', sram))} <span class="muted">${esc(((100 * sram) / areaTotal).toFixed(0))}% of ${esc(fmtMetric('area_mm2', areaTotal))}</span>` : '–'}</td></tr>`
    );
  });
  return (
    `<h3>Why these numbers</h3><div class="scroll"><table class="why"><thead><tr>${head.map((x) => `<th>${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>` +
    `<p class="muted">Bottleneck: the pipeline stage with the most busy cycles; its share is busy cycles / total cycles (stages overlap, so shares do not add up to 100%). ` +
    (hs.some((h) => h.bounds && analytical(h.bounds)) ? 'Latency set by: the largest of the analytical model’s latency bounds (front: DRAM, Q·K/softmax and the heads-in-flight window overlapped, its largest term in brackets; the engines after the decision; heads in request order; the value buffer; the serial path), which the busiest stage need not be: `simulate` prints them all. ' : '') +
    (hs.some((h) => h.bounds && !analytical(h.bounds)) ? 'Latency set by (cycle model): the largest entry of the simulator’s admission account — what admission waited for most (in brackets, what the heads it waited for were on), or the drain after the last admission; the waits, the admissions and the drain add up to the latency, and a bottleneck stage busy nearly all the run binds whatever the account says: `simulate --fidelity cycle` prints the account. ' : '') +
    `DRAM traffic is split by tensor as the analytical model counts it (K LSB: progressive-quantization refetches${tensors.includes('FC weights') ? '; FC weights: the FC/FFN layers of SpAtten-e2e, whose busy cycles and energy are the stage and module fc' : ''}).</p>`
  );
}
