/**
 * Notes (not errors) about a space: what it asks for that does not happen as written — a range
 * whose step stops short of its high end, a base value that a parameter overrides at every point.
 * dse/space.ts prints them with the file, line and column.
 */
import { echoed } from './cli-util.ts';
import type { ParamDomain } from './driver.ts';
import { valueAt } from './space-issues.ts';
import { driverInfo, type SearchConfig } from './drivers/index.ts';

/** A note: where in the file, and what it says. */
export interface SpaceNote {
  path: (string | number)[];
  text: string;
}

/** Ranges whose step does not land on the high end: that end is not swept (a note, not an error). */
export function stepShortNotes(parameters: Record<string, unknown>, domains: ParamDomain[]): SpaceNote[] {
  const out: SpaceNote[] = [];
  for (const d of domains) {
    const spec = parameters[d.key] as { range?: [number, number]; step?: number } | undefined;
    if (d.kind !== 'choice' || !spec || typeof spec !== 'object' || Array.isArray(spec) || !spec.range || spec.step === undefined) continue;
    const [lo, hi] = spec.range;
    const last = d.values[d.values.length - 1] as number;
    if (Math.abs(hi - last) <= 1e-9 * Math.max(1, Math.abs(hi))) continue;
    out.push({ path: ['parameters', d.key, 'step'], text: `parameters.${d.key}: step ${spec.step} from ${lo} stops at ${last}, so the range's high end ${hi} is not swept (values ${d.values.join(', ')})` });
  }
  return out;
}

const BLOCK_OF: Record<string, string> = { hw: 'hardware', algo: 'algo', workload: 'workload' };

/** Fields of the hardware/algo/workload blocks that a parameter sweeps: the written value is used by no point (a note). */
export function sweptBaseNotes(raw: object, domains: ParamDomain[]): SpaceNote[] {
  const out: SpaceNote[] = [];
  for (const d of domains) {
    const dot = d.key.indexOf('.');
    const block = BLOCK_OF[d.key.slice(0, dot)];
    const field = d.key.slice(dot + 1);
    const v = block ? valueAt(raw, [block, field]) : undefined;
    if (v === undefined) continue;
    const swept = d.kind === 'choice' ? d.values.join(', ') : `${d.low} … ${d.high}`;
    out.push({ path: [block, field], text: `${block}.${field}: ${echoed(v)} is used by no point: parameters.${d.key} sets it at every point (${swept})` });
  }
  return out;
}

/**
 * A sampling driver (random, lhs, nsga2) asked for at least as many evaluations as the space has
 * points: it evaluates a point at most once, so the run is a grid's (random, lhs) or may become
 * one (nsga2), and stops when the points run out — said up front, as the run's count shows fewer
 * evaluations than asked for and calls its end "completed".
 */
export function budgetCoversNotes(search: SearchConfig & { maxEvals?: number }, domains: ParamDomain[]): SpaceNote[] {
  const info = driverInfo(search.driver);
  if (info.exhaustive || domains.length === 0) return [];
  const points = domains.reduce((n, d) => n * (d.kind === 'choice' ? d.values.length : Infinity), 1);
  const asked = info.planned(search, domains);
  if (!Number.isFinite(points) || asked < points || (search.maxEvals !== undefined && search.maxEvals < points)) return [];
  const what = info.adaptive ? 'may end up evaluating every point, as driver: grid would, and stops when none is left' : 'evaluates every point, as driver: grid would';
  return [{ path: ['search'], text: `search: ${info.budget} = ${asked.toLocaleString('en-US')} ≥ the ${points.toLocaleString('en-US')} points of the space: ${search.driver} evaluates a point at most once, so it ${what}` }];
}
