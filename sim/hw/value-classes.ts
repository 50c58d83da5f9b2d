/**
 * Per-class value-side terms of a generation workload on the fast path, for the value window
 * (value-window.ts) and the in-order bound (gen-flow.ts) alike: each class's prob·V cycles, the
 * value heads whose lines fit in the value buffer at once and its V stream's bytes. Kept for the
 * last workload and the last knob values: one set of arrays for every workload, so a sweep over
 * algorithm knobs, which prepares a workload a point, allocates nothing here.
 */
import type { HardwareConfig } from '../schema.ts';
import { classPvCycles, valueHeadsFit } from './pipeline-math.ts';
import type { PreparedWorkload } from './prepare.ts';
import { float64Views } from './window.ts';

const none: Float64Array = new Float64Array(0);
const vc = { owner: undefined as PreparedWorkload | undefined, pvM: NaN, fitKey: NaN, pv: none, fit: none, vBytes: none };

function own(p: PreparedWorkload): void {
  if (vc.owner === p) return;
  const C = p.classes.length;
  if (vc.pv.length < C) [vc.pv, vc.fit, vc.vBytes] = float64Views(3, Math.max(C, 2 * vc.pv.length));
  vc.owner = p;
  vc.pvM = vc.fitKey = NaN;
  const cs = p.classes;
  for (let i = 0; i < C; i++) vc.vBytes[i] = (cs[i].vF * cs[i].D * cs[i].valueBits) / 8;
}

/** prob·V cycles of one head of each class at `pvMultipliers` (pipeline-math.ts classPvCycles). */
export function classPv(p: PreparedWorkload, pvMultipliers: number): Float64Array {
  own(p);
  if (vc.pvM !== pvMultipliers) {
    const cs = p.classes;
    for (let i = 0; i < cs.length; i++) vc.pv[i] = classPvCycles(cs[i], pvMultipliers);
    vc.pvM = pvMultipliers;
  }
  return vc.pv;
}

/** Generation heads of each class whose value lines fit in a value buffer of `vLines` lines at once (pipeline-math.ts valueHeadsFit). */
export function classValueFit(p: PreparedWorkload, hw: HardwareConfig, vLines: number): Float64Array {
  own(p);
  const key = vLines * 131072 + hw.pvMultipliers;
  if (vc.fitKey !== key) {
    const cs = p.classes;
    for (let i = 0; i < cs.length; i++) vc.fit[i] = valueHeadsFit(hw, vLines, cs[i].vF, cs[i].D, p.requests, false);
    vc.fitKey = key;
  }
  return vc.fit;
}

/** The bytes of one V stream of each class: its fetched values × D × value bits (reference.ts addRequestTraffic's bV). */
export function classVBytes(p: PreparedWorkload): Float64Array {
  own(p);
  return vc.vBytes;
}
