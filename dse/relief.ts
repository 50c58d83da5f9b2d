/**
 * Measured relief of a highlighted point: the point evaluated again with one hardware resource
 * doubled at a time (clipped to the schema's max), with the run's hardware model and the pruning
 * its accuracy run measured, so the report can say which knob actually moves its latency instead
 * of inferring it from the busiest stage (at the default sweep's knee the pv stage is busy 88% of
 * the cycles, yet doubling hw.pvMultipliers moves latency +0.2%; hw.qkMultipliers −10.5%).
 */
import type { DesignPoint, HardwareConfig } from '../sim/schema.ts';
import { softmaxLanes } from '../sim/schema.ts';
import { evaluateHardware } from '../sim/index.ts';
import type { HwResult } from '../sim/hw/types.ts';
import type { FidelityName, ModelOptions } from '../sim/fidelities.ts';
import type { WorkloadOverrides } from '../sim/workload/build.ts';
import { pickMetrics } from '../sim/metrics.ts';
import { schemaLimit } from '../core/bounds.ts';
import { violation, type Constraint } from './params.ts';

/** The hardware resources doubled, one at a time (throughput and capacity knobs of sim/schema.ts). */
export const RELIEF_KNOBS = ['qkMultipliers', 'pvMultipliers', 'topkParallelism', 'softmaxParallelism', 'dramChannels', 'inFlight', 'keySramKB', 'valueSramKB'] as const;
export type ReliefKnob = (typeof RELIEF_KNOBS)[number];

/** One knob doubled: its value before and after, and the point's latency, energy and area then. */
export interface Relief {
  /** The parameter key, e.g. hw.qkMultipliers. */
  knob: string;
  from: number;
  to: number;
  /** Latency with the knob doubled over the point's latency (< 1: the knob relieves it). */
  latencyRatio: number;
  energyRatio: number;
  /** Area added, mm². */
  areaDelta: number;
  /** The space's constraints on hardware metrics that the doubled point breaks (e.g. "area_mm2 <= 20"). */
  breaks?: string[];
}

/**
 * The value of a knob in effect and its double, clipped to the schema's max; undefined when it is
 * at the max already. softmaxParallelism 0 means "match the Q·K rate" (qkMultipliers / 64): its
 * value in effect is those lanes, and doubling pins twice as many.
 */
export function doubledKnob(hw: HardwareConfig, knob: ReliefKnob): { from: number; to: number } | undefined {
  const from = knob === 'softmaxParallelism' ? softmaxLanes(hw) : hw[knob];
  const max = schemaLimit(`hw.${knob}`, 'highest') ?? Infinity;
  const to = Math.min(2 * from, max);
  return to > from ? { from, to } : undefined;
}

/** What the relief evaluations share with the point's own: its model, options, measured pruning and the space's constraints. */
export interface ReliefModel {
  fidelity: FidelityName;
  overrides?: WorkloadOverrides;
  options?: ModelOptions;
  constraints: readonly Constraint[];
}

/** The constraints on hardware metrics that a result breaks (constraints on other metrics are not judged). */
function broken(constraints: readonly Constraint[], r: HwResult): string[] {
  const m: Record<string, number> = pickMetrics(r);
  return constraints.filter((c) => c.metric in m && violation(c, m[c.metric]) > 0).map((c) => c.text);
}

/** One knob doubled at `point`, against the point's own result `base`. */
function relieve(point: DesignPoint, base: HwResult, knob: ReliefKnob, model: ReliefModel): Relief | undefined {
  const d = doubledKnob(point.hw, knob);
  if (!d) return undefined;
  const hw = { ...point.hw, [knob]: d.to };
  const r = evaluateHardware({ ...point, hw }, { fidelity: model.fidelity, overrides: model.overrides, options: model.options });
  const breaks = broken(model.constraints, r);
  return {
    knob: `hw.${knob}`,
    ...d,
    latencyRatio: r.latency_s / base.latency_s,
    energyRatio: r.energy_j / base.energy_j,
    areaDelta: r.area_mm2 - base.area_mm2,
    ...(breaks.length ? { breaks } : {}),
  };
}

/** Every knob of RELIEF_KNOBS doubled at `point` (those at their max skipped), in that order. */
export function pointRelief(point: DesignPoint, base: HwResult, model: ReliefModel): Relief[] {
  return RELIEF_KNOBS.map((k) => relieve(point, base, k, model)).filter((r): r is Relief => r !== undefined);
}
