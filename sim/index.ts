/**
 * One entry point that turns a design point into hardware metrics with any fidelity of the
 * registry (sim/fidelities.ts). Workloads are built (or read from a trace) once per distinct
 * (workload, algorithm, measured-overrides) and cached, so a sweep over hardware knobs never
 * rebuilds them.
 */
import { FAST_FIDELITY, fidelity, type FidelityName, type ModelOptions } from './fidelities.ts';
import type { HwResult } from './hw/types.ts';
import { pickMetrics, type HwMetricName } from './metrics.ts';
import type { DesignPoint } from './schema.ts';
import { buildWorkload, type WorkloadOverrides } from './workload/build.ts';
import { readTraceFile } from './workload/trace.ts';
import type { Workload } from './workload/types.ts';

export type { FidelityName } from './fidelities.ts';

const MAX_CACHE = 512;
const workloadCache = new Map<string, Workload>();
const traceCache = new Map<string, Workload>();

function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
    v = make();
    cache.set(key, v);
  }
  return v;
}

/** Cache key of everything a workload depends on. */
export function workloadKey(point: DesignPoint, overrides?: WorkloadOverrides): string {
  const { workload, algo } = point;
  return JSON.stringify([workload, algo, overrides ?? null]);
}

/** The workload of a design point: the trace when `workload.trace` is set, else generated. */
export function resolveWorkload(point: DesignPoint, overrides?: WorkloadOverrides): Workload {
  if (point.workload.trace) {
    const file = point.workload.trace;
    return remember(traceCache, file, () => readTraceFile(file));
  }
  return remember(workloadCache, workloadKey(point, overrides), () => buildWorkload(point.workload, point.algo, overrides));
}

export interface EvalOptions {
  fidelity: FidelityName;
  overrides?: WorkloadOverrides;
  /** Use this workload instead of resolving one (e.g. a measured trace). */
  workload?: Workload;
  seed?: number;
  /** Model options (the cycle simulator's seed); timing switches are hardware fields (sim/schema.ts). */
  options?: ModelOptions;
}

/** Full hardware result (metrics + breakdowns) for one design point. */
export function evaluateHardware(point: DesignPoint, opts: EvalOptions): HwResult {
  const w = opts.workload ?? resolveWorkload(point, opts.overrides);
  return fidelity(opts.fidelity).evaluate(w, point.hw, { ...opts.options, seed: opts.seed ?? opts.options?.seed });
}

/** Metrics only: the fidelity's fast path when it has one (the analytical model's allocation-free path). */
export function evaluateMetrics(point: DesignPoint, opts: EvalOptions): Record<HwMetricName, number> {
  const f = fidelity(opts.fidelity);
  const w = opts.workload ?? resolveWorkload(point, opts.overrides);
  const options = { ...opts.options, seed: opts.seed ?? opts.options?.seed };
  return f.metrics ? f.metrics(w, point.hw, options) : pickMetrics(f.evaluate(w, point.hw, options));
}

/** Metrics of the fast model (for big sweeps and benches). */
export function evaluateAnalyticalFast(point: DesignPoint, overrides?: WorkloadOverrides): Record<HwMetricName, number> {
  return evaluateMetrics(point, { fidelity: FAST_FIDELITY, overrides });
}
