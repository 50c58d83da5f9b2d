/**
 * `spatten-dse report A B …`: several runs on one page — their fronts overlaid per objective pair
 * and the hypervolume of each front against one common reference (objectives shared by all runs,
 * normalised by the bounds of the union of their feasible points, reference 1.1 per objective),
 * so the numbers are comparable across runs of the same workload and objectives (each run.json's
 * own hypervolume is not); runs of different workloads, objectives, constraints or hardware models
 * are flagged (`incomparable`).
 */
import type { Objective } from '../dse/driver.ts';
import { hypervolume, normaliser } from '../core/pareto.ts';
import type { PointRow, RunJson } from '../core/results.ts';
import { constraintLabel, vlAxis, vlScale } from './axes.ts';
import { axisOfSpread, CompareScan, MetricSpread } from './compare-scan.ts';
import { escapeHtml as esc } from './escape.ts';
import { fmtDuration, fmtMetric, metricTitle } from '../core/format.ts';
import type { ChartDef } from './specs.ts';
import { distinctNote, distinctOutcomes, frontGroups, outcomeColumns, type FrontGroup } from './front-groups.ts';
import { readRunJson, readRunPoints } from './read.ts';

/**
 * A run on the comparison page: its points in memory, or (a results folder, read by
 * readComparison) only what the comparison needs of them, gathered while points.csv streamed by.
 */
export interface NamedRun {
  label: string;
  run: RunJson;
  points?: PointRow[];
  scan?: CompareScan;
}

/** Scans of runs given with their points, per objective set (computed once per page). */
const scans = new WeakMap<NamedRun, { key: string; scan: CompareScan }>();

function scanOf(r: NamedRun, objectives: Objective[]): CompareScan {
  const key = JSON.stringify(objectives);
  if (r.scan) {
    if (JSON.stringify(r.scan.objectives) !== key) throw new Error(`${r.label}: scanned for other objectives than the page's`);
    return r.scan;
  }
  let s = scans.get(r);
  if (s?.key !== key) scans.set(r, (s = { key, scan: CompareScan.of(r.points ?? [], objectives) }));
  return s.scan;
}

/**
 * Results folders as runs of a comparison: every run.json (the common objectives come from them
 * all), then each points.csv streamed once through its scan — no run is held whole.
 */
export async function readComparison(dirs: string[]): Promise<NamedRun[]> {
  const runs: NamedRun[] = [];
  for (const d of dirs) runs.push({ label: d, run: await readRunJson(d) });
  const objectives = commonObjectives(runs);
  for (const r of runs) {
    const scan = new CompareScan(objectives);
    readRunPoints(r.label, r.run, { visit: (row) => scan.add(row) });
    r.scan = scan;
  }
  return runs;
}

/** Objectives present (same metric and goal) in every run. */
export function commonObjectives(runs: NamedRun[]): Objective[] {
  const first = runs[0]?.run.objectives ?? [];
  return first.filter((o) => runs.every((r) => r.run.objectives.some((q) => q.metric === o.metric && q.goal === o.goal)));
}

/** The space's workload as the report names it (genTokens only for a generation stage), and its baseline platform. */
function workloadOf(run: RunJson): string {
  const space = (run.space ?? {}) as { workload?: Record<string, unknown>; baseline?: unknown };
  const w = space.workload ?? {};
  const parts = ['benchmark', 'trace', 'model', 'stage', 'seqLen', 'genTokens', 'scope'].filter((k) => w[k] !== undefined && !(k === 'genTokens' && w.stage !== 'generation')).map((k) => `${k} ${String(w[k])}`);
  const swept = run.parameters.filter((k) => k.startsWith('workload.'));
  return [parts.join(' '), ...swept.map((k) => `${k} swept`), ...(typeof space.baseline === 'string' ? [`baseline ${space.baseline}`] : [])].join(', ') || 'unknown';
}

/**
 * The space's accuracy evaluation: its model and examples (the measured pruning also drives the
 * hardware models, so it matters even when accuracy is not an objective), or none.
 */
function accuracyOf(run: RunJson): string {
  const acc = ((run.space ?? {}) as { accuracy?: { model?: unknown; maxExamples?: unknown; seed?: unknown } }).accuracy;
  if (!acc) return 'none';
  const n = typeof acc.maxExamples === 'number' ? `the first ${acc.maxExamples} examples` : 'all examples';
  return `${String(acc.model)} on ${n}${acc.seed !== undefined ? `, seed ${String(acc.seed)}` : ''}`;
}

const objectivesOf = (run: RunJson) => run.objectives.map((o) => `${o.metric} (${o.goal})`).sort().join(', ') || 'none';

/**
 * Why the runs' hypervolumes are not comparable, in words (none when they are): runs of different
 * workloads (or baselines), constraints, hardware models or accuracy evaluations score different
 * problems, and runs of
 * different objectives were searched for different fronts, so a common reference does not make
 * their hypervolumes comparable.
 */
export function incomparable(runs: NamedRun[]): string[] {
  const out: string[] = [];
  const differ = (what: string, of: (r: RunJson) => string) => {
    const vals = runs.map((r) => of(r.run));
    if (new Set(vals).size > 1) out.push(`different ${what}: ${runs.map((r, i) => `${r.label}: ${vals[i]}`).join('; ')}`);
  };
  differ('workloads', workloadOf);
  differ('objectives', objectivesOf);
  // constraints decide which points may be on a front (compared as resolved, named as the report labels them)
  const constraintsOf = (r: RunJson) => [...r.constraints].sort().join(', ') || 'none';
  if (new Set(runs.map((r) => constraintsOf(r.run))).size > 1) {
    const each = runs.map((r) => `${r.label}: ${r.run.constraints.map((t) => constraintLabel(r.run, t)).sort().join(', ') || 'none'}`);
    out.push(`different constraints: ${each.join('; ')}${denseDisagreement(runs)}`);
  }
  // a model scores the same designs differently
  differ('hardware models', (r) => r.fidelity ?? r.model);
  // another model or other examples measure accuracy (and the pruning the hardware models take) differently
  differ('accuracy evaluations', accuracyOf);
  return out;
}

/**
 * The words on constraints written alike relative to the dense model but resolved with different
 * dense values (another checkpoint, other examples), e.g. ' ("accuracy >= dense - 0.01" was
 * resolved with a different dense value in each run: 97.27 %, 96.5 %)', else ''.
 */
export function denseDisagreement(runs: NamedRun[]): string {
  const parts: string[] = [];
  const written = new Set(runs.flatMap((r) => r.run.denseReference?.constraints.map((c) => c.written) ?? []));
  for (const w of written) {
    const uses = runs.flatMap((r) => {
      const ref = r.run.denseReference;
      const c = ref?.constraints.find((x) => x.written === w);
      return ref && c ? [{ dense: ref.value, text: fmtMetric(ref.metric, ref.value) }] : [];
    });
    // the labels before these words name each run's value and bound; this says the difference is the dense model's
    if (uses.length > 1 && new Set(uses.map((u) => u.dense)).size > 1) parts.push(`"${w}" was resolved with a different dense value in each run: ${uses.map((u) => u.text).join(', ')}`);
  }
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/**
 * Each run's front (on the common objectives: its size, and its points in file order) and its
 * hypervolume against the common reference.
 */
export function compareHypervolumes(runs: NamedRun[], objectives: Objective[]): { label: string; front: PointRow[]; size: number; hv: number }[] {
  const all = runs.map((r) => scanOf(r, objectives));
  const lo = objectives.map((_, i) => Math.min(...all.map((s) => s.lo[i])));
  const hi = objectives.map((_, i) => Math.max(...all.map((s) => s.hi[i])));
  // the bounds of every run's feasible vectors: the normaliser over all of them
  const norm = normaliser(objectives.length > 0 && lo.every(Number.isFinite) ? [lo, hi] : []);
  return runs.map((r, i) => {
    const { front, vecs, size } = all[i].result();
    const hv = vecs.length ? hypervolume(vecs.map((v) => norm.apply(v)), norm.ref) : 0;
    return { label: r.label, front, size, hv };
  });
}

/** The caption's words on runs whose front repeats outcomes ("A: 4 front points, 2 distinct outcomes …"), else ''. */
function repeatsCaption(fronts: { label: string; front: PointRow[] }[], groups: FrontGroup[][]): string {
  const parts = fronts.flatMap((f, i) => (groups[i].length < f.front.length ? [`${f.label}: ${f.front.length} front points, ${groups[i].length} distinct outcome${groups[i].length === 1 ? '' : 's'}`] : []));
  return parts.length ? ` Front points of a run with identical values on these objectives (and other parameters: one the model does not read in that setting, or that does not move them) are one dot: ${parts.join('; ')} (a dot stands for every point with its values).` : '';
}

export function compareCharts(runs: NamedRun[], objectives: Objective[], fronts: { label: string; front: PointRow[] }[]): ChartDef[] {
  const out: ChartDef[] = [];
  // each run's front grouped by identical outcomes on the common objectives (their CIs and re-scored columns too), as on a run's own page
  const groups = fronts.map((f, i) => frontGroups(f.front, outcomeColumns({ ...runs[i].run, objectives })));
  const spread = (metric: string) => {
    const s = new MetricSpread();
    for (const r of runs) s.merge(scanOf(r, objectives).spreads.get(metric)!);
    return s;
  };
  const labels = fronts.map((f) => f.label);
  for (let i = 0; i < objectives.length; i++) {
    for (let j = i + 1; j < objectives.length; j++) {
      const [ox, oy] = [objectives[i], objectives[j]];
      const ax = axisOfSpread(runs[0].run, ox.metric, spread(ox.metric));
      const ay = axisOfSpread(runs[0].run, oy.metric, spread(oy.metric));
      const rows = fronts.flatMap((f, k) => groups[k].map(({ rep: p, others }) => ({ run: f.label, id: p.id, others: others.length, x: p.metrics[ox.metric] * ax.factor, y: p.metrics[oy.metric] * ay.factor })));
      out.push({
        kind: 'compare',
        title: `${metricTitle(oy.metric, '')} vs ${metricTitle(ox.metric, '')}`,
        caption: `Front points of each run (non-dominated over the ${objectives.length} common objectives), one colour and shape per run.${repeatsCaption(fronts, groups)}`,
        spec: {
          width: 380,
          height: 280,
          data: { values: rows },
          mark: { type: 'point', filled: true, size: 50, opacity: 0.8 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: ax.title, scale: vlScale(ax), axis: vlAxis(ax) },
            y: { field: 'y', type: 'quantitative', title: ay.title, scale: vlScale(ay), axis: vlAxis(ay) },
            color: { field: 'run', type: 'nominal', scale: { domain: labels }, legend: { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 500 } },
            shape: { field: 'run', type: 'nominal', scale: { domain: labels }, legend: { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 500 } },
          },
        },
      });
    }
  }
  return out;
}

/** The comparison page's table: one row per run. */
export function compareTable(runs: NamedRun[], objectives: Objective[], hvs: { label: string; front: PointRow[]; size: number; hv: number }[]): string {
  const head = ['run', 'space', 'points', 'front (common objectives)', 'hypervolume (common reference)', ...objectives.map((o) => `best ${o.metric}`), 'wall time'];
  const rows = runs.map((r, i) => {
    const f = hvs[i].front;
    const best = objectives.map((o) => {
      const vs = f.map((p) => p.metrics[o.metric]).filter(Number.isFinite);
      return vs.length ? fmtMetric(o.metric, o.goal === 'min' ? Math.min(...vs) : Math.max(...vs)) : '–';
    });
    // identical outcomes counted as on a run's own page (the front is kept when there are common objectives)
    const distinct = f.length === hvs[i].size ? distinctNote(f.length, distinctOutcomes({ ...r.run, objectives }, f)) : '';
    const cells = [r.label, r.run.spaceFile || r.run.name, String(scanOf(r, objectives).rows), String(hvs[i].size) + distinct, hvs[i].hv.toPrecision(4), ...best, fmtDuration(r.run.wallSeconds)];
    return `<tr>${cells.map((c, k) => `<td${k >= 2 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`;
  });
  return `<div class="scroll"><table class="compare"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
