/**
 * Step 4 of a run: the highlighted points of the front — the knee (closest to the ideal point in
 * normalised objective space) and the best point per objective — with their latency, energy and
 * area breakdowns (computed on the pool workers when the run used them).
 */
import { normaliser, toMinVector } from '../../core/pareto.ts';
import type { Highlight } from '../../core/results.ts';
import type { Objective, Params } from '../driver.ts';
import type { Breakdown, EvaluatedPoint } from '../evaluate.ts';

/** The knee and the best point per objective of the front (rows sorted by id), with their labels. */
export function highlightPicks(frontRows: EvaluatedPoint[], objectives: Objective[]): { r: EvaluatedPoint; label: string }[] {
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
