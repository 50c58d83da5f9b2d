/**
 * Notes (not errors) about a space: what it asks for that does not happen as written — a range
 * whose step stops short of its high end, a base value that a parameter overrides at every point.
 * dse/space.ts prints them with the file, line and column.
 */
import { echoed } from './cli-util.ts';
import type { ParamDomain } from './driver.ts';
import { valueAt } from './space-issues.ts';

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
