/**
 * The fidelity registry: every hardware model ("fidelity") the project can score a design point
 * with, once — its name, whether it is CPU-bound (runs on the worker pool), the options it
 * honours, and how it evaluates. sim/index.ts, the evaluator, the executor, the worker, the CLI
 * (`simulate --fidelity`, `reproduce`, `compare`) and the space's `fidelity:` key all take the
 * models from here, so a new fidelity is one entry below plus its model.
 *
 * A space's `fidelity:` is one of these names, or a plan of two (`SPACE_FIDELITIES`): `both` =
 * the fast model for every point, the reference model re-scoring the points that can still reach
 * the front.
 */
import { analyticalModel, createFastMetrics, evaluatePrepared, prepareWorkload, type PreparedWorkload } from './hw/analytical.ts';
import { simulateCycle, type CycleOptions } from './cycle/index.ts';
import type { HardwareConfig } from './schema.ts';
import type { HwResult, ModelResult } from './hw/types.ts';
import { deriveMetrics, pickMetrics, type HwMetricName } from './metrics.ts';
import type { Workload } from './workload/types.ts';

export const FIDELITY_NAMES = ['analytical', 'cycle'] as const;
export type FidelityName = (typeof FIDELITY_NAMES)[number];

/** Options a model may honour (the cycle simulator's switches; a model ignores the others). */
export type ModelOptions = CycleOptions;

export interface Fidelity {
  name: FidelityName;
  /** Costly enough to run on pool workers (ms per point or more) rather than on the main thread. */
  cpuBound: boolean;
  /** Which keys of ModelOptions it honours (the others are ignored, and not part of its journal key). */
  options: readonly (keyof ModelOptions)[];
  /** One-line description for help texts. */
  description: string;
  /** Full result (metrics + breakdowns) of a design point's hardware on a workload. */
  evaluate(w: Workload, hw: HardwareConfig, opts: ModelOptions): HwResult;
  /** Metrics only, when the model has a faster path for them than `evaluate` (big sweeps). */
  metrics?(w: Workload, hw: HardwareConfig, opts: ModelOptions): Record<HwMetricName, number>;
}

// The analytical fast path's per-workload preparation, kept as long as the workload object lives
// (sim/index.ts caches workloads, so a sweep over hardware knobs prepares each workload once).
const prepared = new WeakMap<Workload, PreparedWorkload>();
function preparedOf(w: Workload): PreparedWorkload {
  let p = prepared.get(w);
  if (!p) prepared.set(w, (p = prepareWorkload(w)));
  return p;
}

/**
 * The fast path's result, reused by every `metrics` call: `pickMetrics` copies the metrics out of
 * it, and a fresh one (its ~70 numbers and 7 objects, ~2 kB) per point was a fifth of what a
 * hardware sweep's points allocated. The fast path writes every field each time (finalize.ts).
 */
const fastOut = createFastMetrics();

/** The derived metrics (sim/metrics.ts) computed once from a model's base quantities. */
function finish(m: ModelResult, name: FidelityName): HwResult {
  const r = m as HwResult;
  deriveMetrics({ latency_s: r.latency_s, energy_j: r.energy_j, ops: 2 * (r.activity.qkMacs + r.activity.pvMacs), area_mm2: r.area_mm2 }, r);
  r.model = name;
  return r;
}

export const FIDELITIES: Record<FidelityName, Fidelity> = {
  analytical: {
    name: 'analytical',
    cpuBound: false,
    options: [],
    description: 'closed-form model, microseconds per point',
    evaluate: (w, hw) => finish(analyticalModel(w, hw), 'analytical'),
    metrics: (w, hw) => pickMetrics(evaluatePrepared(preparedOf(w), hw, fastOut)),
  },
  cycle: {
    name: 'cycle',
    cpuBound: true,
    options: ['seed'],
    description: 'event-driven cycle-level simulator, milliseconds per point',
    evaluate: (w, hw, opts) => finish(simulateCycle(w, hw, { ...opts, seed: opts.seed ?? 1 }), 'cycle'),
  },
};

/** The fast model every sweep point gets by default. */
export const FAST_FIDELITY: FidelityName = 'analytical';
/** The most detailed model: the reference for re-scoring and for the paper's figures. */
export const REFERENCE_FIDELITY: FidelityName = 'cycle';

export function fidelity(name: string): Fidelity {
  const f = (FIDELITIES as Record<string, Fidelity | undefined>)[name];
  if (!f) throw new Error(`unknown fidelity "${name}" (known: ${FIDELITY_NAMES.join(', ')})`);
  return f;
}

/** A space's `fidelity:` — which model scores every point, and which re-scores the contenders. */
export interface FidelityPlan {
  primary: FidelityName;
  rescore?: FidelityName;
}

export const SPACE_FIDELITIES = {
  analytical: { primary: 'analytical' },
  cycle: { primary: 'cycle' },
  both: { primary: FAST_FIDELITY, rescore: REFERENCE_FIDELITY },
} as const satisfies Record<string, FidelityPlan>;
export type SpaceFidelity = keyof typeof SPACE_FIDELITIES;
export const SPACE_FIDELITY_NAMES = Object.keys(SPACE_FIDELITIES) as [SpaceFidelity, ...SpaceFidelity[]];

export function fidelityPlan(name: SpaceFidelity): FidelityPlan {
  return SPACE_FIDELITIES[name];
}

/** The options a fidelity honours, picked from a larger set (e.g. a space's `cycle:` block). */
export function honouredOptions(f: Fidelity, opts: ModelOptions | undefined): ModelOptions {
  const out: Record<string, unknown> = {};
  for (const k of f.options) if (opts?.[k] !== undefined) out[k] = opts[k];
  return out as ModelOptions;
}
