/**
 * Fronts that sit on the bound of a knob: when every front point has the lowest (or highest)
 * swept value of a parameter, the search was cut off there and the answer is an artefact of the
 * range (e.g. tokenKeep = 0.2 everywhere because nothing penalises pruning). Used by the runner's
 * summary and the report.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { fmtNum } from './format.ts';

export interface BoundHit {
  param: string;
  value: number;
  side: 'lowest' | 'highest';
  /** Front points at that value / front size. */
  count: number;
  front: number;
}

/** Numeric parameters whose every front point sits at the lowest or highest value evaluated. */
export function boundHits(run: Pick<RunJson, 'parameters'>, points: PointRow[]): BoundHit[] {
  const ok = points.filter((p) => p.status === 'ok');
  const front = ok.filter((p) => p.pareto);
  if (front.length < 2) return [];
  const out: BoundHit[] = [];
  for (const k of run.parameters) {
    const all = ok.map((p) => p.params[k]).filter((v): v is number => typeof v === 'number');
    if (all.length === 0) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of all) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi > lo)) continue;
    const tol = (hi - lo) * 0.02;
    const fv = front.map((p) => p.params[k]).filter((v): v is number => typeof v === 'number');
    if (fv.length !== front.length) continue;
    if (fv.every((v) => v <= lo + tol)) out.push({ param: k, value: lo, side: 'lowest', count: fv.length, front: front.length });
    else if (fv.every((v) => v >= hi - tol)) out.push({ param: k, value: hi, side: 'highest', count: fv.length, front: front.length });
  }
  return out;
}

/** Human sentences for the bound hits of algorithm knobs (and hardware knobs, phrased as a hint). */
export function boundNotes(run: Pick<RunJson, 'parameters' | 'objectives'>, points: PointRow[]): string[] {
  const hasAcc = run.objectives.some((o) => o.metric === 'accuracy' || o.metric === 'perplexity');
  return boundHits(run, points).map((h) => {
    const algo = h.param.startsWith('algo.');
    const fix = algo && !hasAcc ? 'widen the range or add an accuracy objective' : `widen the range of ${h.param}`;
    return `every front point has ${h.param} = ${fmtNum(h.value)}, the ${h.side} value swept: the front sits on the bound of ${algo ? 'an algorithm' : 'a hardware'} knob (${fix}).`;
  });
}
