/**
 * The run report's descriptive sections: summary, front table, highlighted points and their
 * breakdown numbers, failures, the space file and provenance.
 */
import type { Params } from '../core/results.ts';
import type { Highlight, PointRow, RunJson } from '../core/results.ts';
import { escapeHtml } from './escape.ts';
import { fmtDuration, fmtMetric, fmtNum, metricTitle, shortParam, sig4, unitFor } from '../core/format.ts';
import { frontTable, wbr } from './sections.ts';
import { distinctNote, distinctOutcomes, frontGroups, outcomeColumns } from './front-groups.ts';
import { kvRow, table, td, tdNum } from './page.ts';
import { highlightLabel } from './spec-base.ts';
import { examplesOf, isQuality } from '../core/rung-examples.ts';
import { ciColumn, isCiColumn } from '../core/metric-columns.ts';

const esc = escapeHtml;

/** Parameters that take more than one value among `points` (the rest are listed once as constants). */
export function splitParams(run: RunJson, points: PointRow[]): { varying: string[]; constant: [string, string | number][] } {
  const varying: string[] = [];
  const constant: [string, string | number][] = [];
  for (const k of run.parameters) {
    const vals = new Set(points.map((p) => (k in p.params ? String(p.params[k]) : '')));
    if (vals.size > 1 || points.length === 0) varying.push(k);
    else {
      const v = points[0]?.params[k];
      if (v !== undefined) constant.push([k, v]);
    }
  }
  return { varying, constant };
}

/**
 * How the hypervolume is measured (dse/sink.ts: each objective normalised over the run's feasible
 * points, core/pareto.ts normaliser), with the most it can reach: the reference box's volume, the
 * value of one point best on every objective.
 */
function hvBasis(ref: number[] | undefined): string {
  const basis = "each objective normalised to 0 … 1 over the run's feasible points";
  if (!ref?.length) return basis;
  const most = ref.reduce((a, b) => a * b, 1);
  return `${basis}; reference point [${ref.map((v) => fmtNum(v)).join(', ')}], so at most ${fmtNum(Number(most.toPrecision(4)))}, one point best on every objective`;
}

export function summarySection(run: RunJson, points: PointRow[]): string {
  const c = run.counts;
  const pick = (v: number, f: () => number) => (Number.isFinite(v) ? v : f());
  const counts = {
    total: pick(c.total, () => points.length),
    ok: pick(c.ok, () => points.filter((p) => p.status === 'ok').length),
    failed: pick(c.failed, () => points.filter((p) => p.status === 'failed').length),
    feasible: pick(c.feasible, () => points.filter((p) => p.feasible).length),
    pareto: pick(c.pareto, () => points.filter((p) => p.pareto).length),
  };
  const front = points.filter((p) => p.pareto);
  // the report holds every front point; a count from run.json with fewer held (not expected) says nothing
  const distinct = front.length === counts.pareto ? esc(distinctNote(counts.pareto, distinctOutcomes(run, front))) : '';
  const extent = (m: string): string => {
    const vs = front.map((p) => p.metrics[m]).filter((v) => Number.isFinite(v));
    return vs.length ? ` — front spans ${esc(fmtMetric(m, Math.min(...vs)))} … ${esc(fmtMetric(m, Math.max(...vs)))}` : '';
  };
  const objectives = run.objectives
    .map((o) => `${esc(o.goal === 'min' ? 'minimise' : 'maximise')} <code>${esc(o.metric)}</code> <span class="muted">(${esc(metricTitle(o.metric, ''))})${extent(o.metric)}</span>`)
    .join('<br>');
  const hv = run.hypervolume.filter((h) => Number.isFinite(h.hv));
  const lastHv = hv[hv.length - 1];
  const constraints = run.constraints.length ? run.constraints.map((s) => `<code>${esc(s)}</code>${constraintNote(run, s)}`).join('<br>') : '<span class="muted">none</span>';
  const rows = [
    kvRow('name', esc(run.name)),
    // the space's fidelity (the hardware model), under its own name: `model` is also the workload's and the accuracy block's
    kvRow('fidelity', esc(run.fidelity || run.model || '–')),
    kvRow('driver', esc(run.driver || '–')),
    kvRow('seed', esc(fmtNum(run.seed))),
    kvRow('space file', run.spaceFile ? `<code>${esc(run.spaceFile)}</code>` : '–'),
    kvRow('workload', workloadText(run)),
    ...(baselineOf(run) ? [kvRow('baseline', `<code>${esc(baselineOf(run))}</code> <span class="muted">(speedup and energy_saving are over this platform)</span>`)] : []),
    kvRow(
      'evaluations',
      `${esc(counts.total)} total · ${esc(counts.ok)} ok · ${esc(counts.failed)} failed · ${esc(counts.feasible)} feasible · <b>${esc(counts.pareto)}</b> on the Pareto front${distinct}` +
        (points.length < counts.total ? ` <span class="muted">(this report draws ${esc(points.length)} of them: the front, a sample and each parameter's extremes; points.csv has every point)</span>` : points.length > counts.total ? ` <span class="muted">(${esc(points.length)} rows in points.csv)</span>` : ''),
    ),
    kvRow('wall time', esc(fmtDuration(run.wallSeconds)) + (run.startedAt ? ` <span class="muted">(${esc(run.startedAt)} → ${esc(run.finishedAt || '?')})</span>` : '')),
    kvRow('stopped', run.stopReason ? `<span class="tag">early</span> ${esc(run.stopReason)}` : 'completed (driver exhausted)'),
    kvRow('objectives', objectives || '–'),
    kvRow('constraints', constraints),
    ...(lastHv ? [kvRow('hypervolume', `${esc(fmtNum(lastHv.hv))} after ${esc(lastHv.evals)} evaluations <span class="muted">(${esc(hvBasis(run.hvReference))})</span>`)] : []),
    kvRow('parameters', run.parameters.map((p) => `<code>${esc(p)}</code>`).join(', ') || '–'),
    kvRow('metrics', run.metrics.map((m) => `<code>${esc(m)}</code>`).join(', ') || '–'),
  ];
  return `<section id="summary"><h2>Summary</h2><table class="kv">${rows.join('\n')}</table></section>`;
}

/** After a constraint resolved from one relative to the dense model: what was written and the dense outcome. */
function constraintNote(run: RunJson, text: string): string {
  const ref = run.denseReference;
  const from = ref?.constraints.find((c) => c.resolved === text);
  if (!ref || !from) return '';
  const ci = ref.ci95.length === 2 ? `, 95% CI ${fmtMetric(ref.metric, ref.ci95[0])} – ${fmtMetric(ref.metric, ref.ci95[1])}` : '';
  return ` <span class="muted">written <code>${esc(from.written)}</code>; dense ${esc(ref.metric)} ${esc(fmtMetric(ref.metric, ref.value))} (${esc(ref.n)} examples${esc(ci)}, every algo knob at its default)</span>`;
}

function paramCell(p: Params, k: string): string {
  const v = p[k];
  return v === undefined ? '<td class="muted">–</td>' : tdNum(v);
}

/** Longest front table; larger fronts are in pareto.csv. */
const MAX_FRONT_ROWS = 1000;

export function frontSection(run: RunJson, points: PointRow[], varying: string[], constant: [string, string | number][]): string {
  const front = points.filter((p) => p.pareto);
  const o0 = run.objectives[0];
  if (o0) {
    const s = o0.goal === 'min' ? 1 : -1;
    front.sort((a, b) => s * ((a.metrics[o0.metric] ?? NaN) - (b.metrics[o0.metric] ?? NaN)) || a.id - b.id);
  }
  const hl = new Map<number, string[]>();
  for (const h of run.highlights ?? []) hl.set(h.id, [...(hl.get(h.id) ?? []), highlightLabel(h.label)]);
  // points with the same numbers in every column of the table share one row (a highlighted one shown)
  const groups = frontGroups(front, outcomeColumns(run), (p) => hl.has(p.id));
  const shown = groups.slice(0, MAX_FRONT_ROWS);
  const repeats = front.length - groups.length;
  const constNote = constant.length
    ? `<p class="muted">Same in every point: ${constant.map(([k, v]) => `<code>${esc(k)}</code> = ${esc(typeof v === 'number' ? fmtNum(v) : v)}`).join(', ')}.</p>`
    : '';
  const repeatNote = repeats > 0
    ? ` ${repeats} front point${repeats === 1 ? ' has' : 's have'} the same objective values${run.objectives.some((o) => front.some((p) => Number.isFinite(p.metrics[ciColumn(o.metric, 'low')]))) ? ' and CIs' : ''} as another with other parameters (a parameter the model does not read in that setting, e.g. algo.lsbThreshold when algo.lsbBits is 0, or one that does not move these objectives): such points share one row, which names them and the parameters they differ in; pareto.csv lists every one.`
    : '';
  return (
    `<section id="front"><h2>Pareto front (${front.length} point${front.length === 1 ? '' : 's'}${repeats > 0 ? `, ${groups.length} distinct outcome${groups.length === 1 ? '' : 's'}` : ''})</h2>` +
    `<p class="muted">Non-dominated feasible points over all objectives, sorted by ${o0 ? esc(o0.metric) : 'id'}. Objective columns in the units of the header (hover a cell for the full number; all digits are in pareto.csv), with the 95% CI in brackets where measured. "cmd / YAML" opens the <code>simulate</code> command that re-evaluates the point and a space-file snippet of it.${esc(repeatNote)}</p>` +
    constNote +
    (front.length ? frontTable(run, shown, varying, hl) : '<p>No point is on the front.</p>') +
    (shown.length < groups.length ? `<p class="muted">Showing the first ${shown.length} of ${repeats > 0 ? `${groups.length} distinct front outcomes (${front.length} points); all points` : `${front.length} front points; all`} are in pareto.csv.</p>` : '') +
    '</section>'
  );
}

export function highlightTable(run: RunJson, varying: string[], points: PointRow[] = []): string {
  const hs = run.highlights ?? [];
  // examples behind a highlighted point's accuracy when it is a subset rung's estimate (its row in points.csv)
  const subsetN = new Map(points.filter((p) => Number.isFinite(examplesOf(p))).map((p) => [p.id, examplesOf(p)]));
  const mark = (h: Highlight, m: string): string =>
    isQuality(m) && subsetN.has(h.id) ? `<br><span class="tag">subset: ${esc(subsetN.get(h.id))} examples</span>` : '';
  // the objectives first (a wide table scrolls: the trade-off the highlights were picked on stays in view), then the other metrics
  const objectives = (run.objectives ?? []).map((o) => o.metric);
  const metrics = [...objectives, ...run.metrics.filter((m) => !objectives.includes(m))].filter((m) => !isCiColumn(m) && hs.some((h) => typeof h.metrics?.[m] === 'number'));
  const units = metrics.map((m) => unitFor(m, hs.map((h) => h.metrics[m])));
  const head = ['point', ...varying.map((k) => `<span title="${esc(k)}">${wbr(esc(shortParam(k)))}</span>`), ...metrics.map((m, i) => `<span title="${esc(m)}">${esc(metricTitle(m, units[i].unit))}</span>`)];
  const rows = hs.map((h) => [
    `<td><span class="tag">${esc(highlightLabel(h.label))}</span> <span class="muted">#${esc(h.id)}</span></td>`,
    ...varying.map((k) => paramCell(h.params ?? {}, k)),
    ...metrics.map((m, i) => (Number.isFinite(h.metrics[m]) ? `<td class="num" title="${esc(String(h.metrics[m]))}">${esc(sig4(h.metrics[m] * units[i].factor))}${mark(h, m)}</td>` : '<td class="muted">–</td>')),
  ]);
  return table(head, rows, 'class="highlights"');
}

/**
 * The breakdown numbers behind the charts (collapsed): one table per kind, highlights as columns.
 * A module's energy or area share is of the point's total; a stage's is of its latency cycles,
 * as the bottleneck column gives it (stages overlap: a share of their sum would put the bottleneck
 * at 26% of a latency it fills 88% of).
 */
export function breakdownTables(run: RunJson): string {
  const hs = run.highlights ?? [];
  const sum = (r: Record<string, number> | undefined) => Object.values(r ?? {}).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  // energy in the unit of the chart and its caption's totals (mJ for a workload of ~10 mJ), not joules with exponents
  const kinds: [string, string, (h: Highlight) => Record<string, number> | undefined, (h: Highlight) => number, string, string?][] = [
    ['stage', 'busy cycles', (h) => h.stages, (h) => h.metrics?.cycles ?? NaN, '% of latency'],
    ['module', 'energy', (h) => h.energy, (h) => sum(h.energy), '%', 'energy_j'],
    ['module', 'area (mm²)', (h) => h.area, (h) => sum(h.area), '%'],
  ];
  const parts = kinds.map(([rowName, title, pick, whole, pctHead, metric]) => {
    const keys: string[] = [];
    for (const h of hs) for (const k of Object.keys(pick(h) ?? {})) if (!keys.includes(k)) keys.push(k);
    if (keys.length === 0) return '';
    const totals = hs.map(whole);
    const unit = metric ? unitFor(metric, hs.map((h) => sum(pick(h)))) : undefined;
    const rows = keys.map((k) => [
      td(k),
      ...hs.flatMap((h, i) => {
        const v = pick(h)?.[k];
        const pct = typeof v === 'number' && totals[i] > 0 ? `${((100 * v) / totals[i]).toFixed(1)}%` : '';
        const cell = unit && typeof v === 'number' && Number.isFinite(v) ? `<td class="num" title="${esc(String(v))} J">${esc(sig4(v * unit.factor))}</td>` : tdNum(v);
        return [cell, `<td class="num muted">${pct}</td>`];
      }),
    ]);
    return `<h3>${esc(unit ? `${title} (${unit.unit})` : title)}</h3>` + table([esc(rowName), ...hs.flatMap((h) => [`${esc(highlightLabel(h.label))} (#${esc(h.id)})`, esc(pctHead)])], rows, 'class="breakdown"');
  });
  return `<details><summary>Breakdown numbers</summary>${parts.join('')}<p class="muted">Stages overlap, so a stage's percentage is its busy cycles over the point's latency cycles, as in the bottleneck column (they do not add up to 100%); overhead is the latency cycles beyond the busiest stage's.</p></details>`;
}

export function failuresSection(points: PointRow[]): string {
  const failed = points.filter((p) => p.status === 'failed');
  if (failed.length === 0) return '';
  const groups = new Map<string, PointRow[]>();
  for (const p of failed) {
    const key = p.error || '(no message)';
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const rows = [...groups]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([msg, ps]) => [`<td class="num">${ps.length}</td>`, `<td><pre class="errmsg">${esc(msg)}</pre></td>`, td(ps.slice(0, 12).map((p) => p.id).join(', ') + (ps.length > 12 ? ', …' : ''))]);
  return `<section id="failures"><h2>Failed evaluations (${failed.length})</h2>${table(['count', 'error', 'ids'], rows, 'class="failures"')}</section>`;
}

/** The space file and provenance sections. */
export function spaceAndProvenance(run: RunJson): string[] {
  const versions = Object.entries(run.versions ?? {});
  return [
    `<section id="space"><h2>Space file</h2>` +
      (run.spaceFile ? `<p class="muted"><code>${esc(run.spaceFile)}</code></p>` : '') +
      `<pre class="yaml">${esc(run.yaml || '(not recorded)')}</pre></section>`,
    `<section id="provenance"><h2>Provenance</h2>` +
      (versions.length ? table(['component', 'version'], versions.map(([k, v]) => [td(k), td(String(v))])) : '') +
      (run.provenance && Object.keys(run.provenance).length ? `<details><summary>energy/area tables</summary><pre>${esc(JSON.stringify(run.provenance, null, 2))}</pre></details>` : '') +
      '</section>',
  ];
}

/** The space's workload in one line: a benchmark or a trace, else model, stage and lengths; with the scope. */
function workloadText(run: RunJson): string {
  const w = ((run.space as { workload?: Record<string, unknown> } | undefined)?.workload ?? {}) as Record<string, unknown>;
  const parts = ['benchmark', 'trace', 'model', 'stage', 'seqLen', 'genTokens', 'scope'].filter((k) => w[k] !== undefined && !(k === 'genTokens' && w.stage !== 'generation')).map((k) => `${k} ${esc(String(w[k]))}`);
  return parts.length ? parts.join(' · ') : '–';
}

/** The space's baseline platform, if any. */
function baselineOf(run: RunJson): string | undefined {
  const b = (run.space as { baseline?: unknown } | undefined)?.baseline;
  return typeof b === 'string' ? b : undefined;
}
