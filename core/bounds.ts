/**
 * Fronts that sit on the bound of a knob: when every front point has the lowest (or highest)
 * swept value of a parameter, the search was cut off there and the answer is an artefact of the
 * range (e.g. tokenKeep = 0.2 everywhere because nothing penalises pruning). Used by the runner's
 * summary and the report.
 */
import type { PointRow, RunJson } from './results.ts';
import { fmtNum } from './format.ts';
import { examplesOf, isQuality } from './rung-examples.ts';
import { fieldSchema } from './field-schema.ts';

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
  // one front point counts too: a single objective's optimum at the end of a swept range is the
  // range's answer, not the design's (gops_per_mm2 alone: 24 KB SRAM and 1 comparator, the lowest values swept)
  if (front.length === 0) return [];
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

/**
 * Whether the bound value is at least as good as every other value of its knob on every objective,
 * at each setting of the other parameters that the points hold with both; and the objectives that do
 * not change with the knob there. Undefined when no such setting is held (e.g. a random sample),
 * or when an accuracy (or perplexity) comparison would set a subset rung's estimate against a row
 * measured on other examples (e.g. 32/32 = 100% against a full evaluation's 97%: not a measured
 * "at least as good").
 */
export function neverWorse(h: BoundHit, run: Pick<RunJson, 'parameters' | 'objectives'>, points: PointRow[]): { flat: string[] } | undefined {
  const others = run.parameters.filter((k) => k !== h.param);
  const groups = new Map<string, PointRow[]>();
  for (const p of points) {
    if (p.status !== 'ok' || typeof p.params[h.param] !== 'number') continue;
    const key = JSON.stringify(others.map((k) => p.params[k]));
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  const tol = (a: number, b: number) => 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  const moved = new Set<string>();
  let compared = 0;
  for (const g of groups.values()) {
    const at = g.filter((p) => p.params[h.param] === h.value);
    const rest = g.filter((p) => p.params[h.param] !== h.value);
    if (at.length === 0 || rest.length === 0) continue;
    compared++;
    for (const o of run.objectives) {
      const sign = o.goal === 'max' ? -1 : 1;
      const quality = isQuality(o.metric);
      for (const a of at) {
        for (const r of rest) {
          if (quality && examplesOf(a) !== examplesOf(r)) return undefined;
          const va = a.metrics[o.metric];
          const vr = r.metrics[o.metric];
          if (!Number.isFinite(va) || !Number.isFinite(vr)) return undefined;
          if (sign * (va - vr) > tol(va, vr)) return undefined;
          if (Math.abs(va - vr) > tol(va, vr)) moved.add(o.metric);
        }
      }
    }
  }
  if (compared === 0) return undefined;
  return { flat: run.objectives.map((o) => o.metric).filter((m) => !moved.has(m)) };
}

/**
 * The least or most a numeric parameter can be (hw.X, algo.X, workload.X), from its zod schema
 * (sim/schema.ts: `.min()`, `.max()`; an exclusive `.gt(0)` gives 0, which no value swept can
 * equal); undefined for a key the schemas do not hold or a field that is not a plain number.
 */
export function schemaLimit(key: string, side: BoundHit['side']): number | undefined {
  const schema = fieldSchema(key);
  if (!schema) return undefined;
  let f = schema as unknown as { unwrap?: () => unknown; minValue?: number | null; maxValue?: number | null };
  // .default(…) and .optional() wrap the number schema
  while (!('minValue' in f) && typeof f.unwrap === 'function') f = f.unwrap() as typeof f;
  const v = side === 'lowest' ? f.minValue : f.maxValue;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** What a keep fraction at 1 means: no pruning of its kind (the wording; the limit is the schema's). */
const NO_PRUNING: Record<string, string> = {
  'algo.tokenKeep': 'no token pruning: every front point keeps all tokens',
  'algo.headKeep': 'no head pruning: every front point keeps all heads',
  'algo.valueKeep': 'no local V pruning: every front point fetches the V of every kept token',
};

/**
 * The front at the schema's own limit of the knob (headKeep 1: no pruning; lsbBits 0): no range
 * can be widened past it, so the note says which extreme the front prefers instead. Undefined when
 * the bound is only the range's.
 */
function limitText(h: BoundHit): string | undefined {
  if (schemaLimit(h.param, h.side) !== h.value) return undefined;
  const at = `${fmtNum(h.value)} is the ${h.side === 'lowest' ? 'least' : 'most'} ${h.param} can be, so there is no range to widen`;
  const no = h.side === 'highest' ? NO_PRUNING[h.param] : undefined;
  return no ? `the front prefers ${no} (${at})` : `the front prefers that extreme (${at})`;
}

/** Human sentences for the bound hits of algorithm knobs (and hardware knobs, phrased as a hint). */
export function boundNotes(run: Pick<RunJson, 'parameters' | 'objectives'>, points: PointRow[]): string[] {
  const hasAcc = run.objectives.some((o) => isQuality(o.metric));
  return boundHits(run, points).map((h) => {
    const algo = h.param.startsWith('algo.');
    const head = `${h.front === 1 ? 'the only front point' : 'every front point'} has ${h.param} = ${fmtNum(h.value)}, the ${h.side} value swept`;
    const limit = limitText(h);
    if (algo && !hasAcc) return limit ? `${head}: ${limit}; no objective prices it: add an accuracy objective.` : `${head}: the front sits on the bound of an algorithm knob (widen the range or add an accuracy objective).`;
    const free = neverWorse(h, run, points);
    if (free) {
      const flat = free.flat.length ? ` (${free.flat.join(', ')} ${free.flat.length > 1 ? 'do' : 'does'} not change with it)` : '';
      return (
        `${head}: at every setting of the other knobs it is at least as good as every other value swept on every objective${flat}, ` +
        `so the front takes whatever bound the range gives it (no trade-off in this space: a constraint, or an objective that this side of ${h.param} costs, would make one).`
      );
    }
    if (limit) return `${head}: ${limit}.`;
    return `${head}: the front sits on the bound of ${algo ? 'an algorithm' : 'a hardware'} knob (widen the range of ${h.param}).`;
  });
}
