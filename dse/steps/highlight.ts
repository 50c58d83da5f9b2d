/**
 * Step 4 of a run: the highlighted points of the front — the knee (closest to the ideal point in
 * normalised objective space) and the best point per objective — with their latency, energy and
 * area breakdowns (computed on the pool workers when the run used them).
 *
 * A run stopped during the accuracy rungs can leave front points with a subset rung's estimate
 * (e.g. 32/32 = 100%): a noisier number, and one the front kept because it was high. The
 * highlights are the designs the report recommends, so they are picked among the front points
 * measured on the most examples (core/rung-examples.ts, the rule of the report's accuracy tables);
 * the others stay on the front, marked, and `subsetHighlightNote` says they were passed over.
 */
import { normaliser, toMinVector } from '../../core/pareto.ts';
import type { Highlight } from '../../core/results.ts';
import { atMostExamples, subsetOf } from '../../core/rung-examples.ts';
import { fmtMetric } from '../../core/format.ts';
import type { Objective, Params } from '../driver.ts';
import type { Breakdown, EvaluatedPoint } from '../evaluate.ts';

/** The knee and the best point per objective of the front's points measured on the most examples (rows sorted by id), with their labels. */
export function highlightPicks(rows: EvaluatedPoint[], objectives: Objective[]): { r: EvaluatedPoint; label: string }[] {
  const frontRows = atMostExamples(rows).kept;
  if (frontRows.length === 0) return [];
  const front = frontRows.map((_, i) => i);
  const vecs = frontRows.map((r) => toMinVector(r.metrics, objectives));
  const norm = normaliser(vecs);
  let knee = front[0];
  let best = Infinity;
  front.forEach((i, k) => {
    const d = Math.hypot(...norm.apply(vecs[k]));
    if (d < best) {
      best = d;
      knee = i;
    }
  });
  const picks = [{ i: knee, label: 'knee' }];
  objectives.forEach((o, j) => {
    let bi = front[0];
    let bv = Infinity;
    front.forEach((i, k) => {
      if (vecs[k][j] < bv) {
        bv = vecs[k][j];
        bi = i;
      }
    });
    const existing = picks.find((p) => p.i === bi);
    if (existing) existing.label += `, best ${o.metric}`;
    else picks.push({ i: bi, label: `best ${o.metric}` });
  });
  return picks.map((p) => ({ r: frontRows[p.i], label: p.label }));
}

/** The sentence when some front points were not highlighted for a subset estimate, else undefined. */
export function subsetHighlightNote(front: EvaluatedPoint[]): string | undefined {
  const { kept, left } = atMostExamples(front);
  if (left === 0) return undefined;
  const picked = new Set(kept);
  const passed = front.filter((r) => !picked.has(r));
  const ns = [...new Set(passed.map((r) => subsetOf(r)!))].sort((a, b) => a - b);
  const e = passed[0];
  const metric = ['accuracy', 'perplexity'].find((m) => Number.isFinite(e.metrics[m])) ?? 'accuracy';
  const on = Number.isFinite(subsetOf(kept[0]) ?? Infinity) ? `measured on ${subsetOf(kept[0])} examples (the most of this run's front)` : 'the full evaluation';
  const one = left === 1;
  return (
    (kept.length === 1
      ? `The knee and the best point per objective are the one front point whose ${metric} is ${on}, #${kept[0].id}: `
      : `The knee and the best point per objective are picked among the ${kept.length} front points whose ${metric} is ${on}: `) +
    `${left} front point${one ? '' : 's'} with only a subset rung's estimate (${ns.join(' or ')} examples, e.g. #${e.id}: ${metric} ${fmtMetric(metric, e.metrics[metric])}) ${one ? 'is' : 'are'} not highlighted ` +
    `(the run stopped before evaluating ${one ? 'it' : 'them'} on the full set; the same command again continues ${one ? 'it' : 'them'}).`
  );
}

export async function highlight(frontRows: EvaluatedPoint[], objectives: Objective[], breakdown: (params: Params) => Promise<Breakdown>): Promise<Highlight[]> {
  return await Promise.all(
    highlightPicks(frontRows, objectives).map(async (p): Promise<Highlight> => {
      const r = p.r;
      try {
        return { id: r.id, label: p.label, params: r.params, metrics: r.metrics, ...(await breakdown(r.params)) };
      } catch {
        // A highlight without a breakdown is still worth listing.
        return { id: r.id, label: p.label, params: r.params, metrics: r.metrics, stages: {}, energy: {}, area: {} };
      }
    }),
  );
}
