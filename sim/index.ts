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
import { fileStamp } from '../core/file-stamp.ts';
import type { Workload } from './workload/types.ts';
import { benchmarkWorkload } from './workload/benchmarks.ts';
import { fcModel, fcRowHistogram, withFc, withFcMetrics, type FcResult } from './hw/fc.ts';
import { fcStreamBytesPerCycle } from './cycle/fc-stream.ts';

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

/** A file's stamp (core/file-stamp.ts; '' when it cannot be read: the reader says why). */
function statStamp(file: string): string {
  try {
    return fileStamp(file) ?? '';
  } catch {
    return '';
  }
}

/** Cache key of everything a workload depends on. */
export function workloadKey(point: DesignPoint, overrides?: WorkloadOverrides): string {
  const { workload, algo } = point;
  return JSON.stringify([workload, algo, overrides ?? null]);
}

/** The workload of a design point: the trace when `workload.trace` is set, else generated. */
export function resolveWorkload(point: DesignPoint, overrides?: WorkloadOverrides): Workload {
  if (point.workload.trace) {
    // keyed by the file's stat too: a long-lived process (a queue worker's threads, serve) reads a
    // trace whose rows were replaced at the same path again
    const file = point.workload.trace;
    return remember(traceCache, `${file}\0${statStamp(file)}`, () => readTraceFile(file));
  }
  // A named benchmark fixes the workload shape (model, stage, lengths).
  const wl = point.workload.benchmark ? { ...point.workload, ...benchmarkWorkload(point.workload.benchmark) } : point.workload;
  return remember(workloadCache, workloadKey(point, overrides), () => buildWorkload(wl, point.algo, overrides));
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
  const options = { ...opts.options, seed: opts.seed ?? opts.options?.seed };
  const r = fidelity(opts.fidelity).evaluate(w, point.hw, options);
  return point.workload.scope === 'e2e' ? withFc(r, fcOf(point, w), point.hw) : r;
}

/** FC/FFN weight width of a SpAtten-e2e point (default 8 bits). */
export function fcBits(point: DesignPoint): number {
  return point.algo.fcWeightBits ?? 8;
}

const fcHistCache = new WeakMap<Workload, Map<number, number>>();

/**
 * The FC/FFN component of a SpAtten-e2e point (sim/hw/fc.ts), its weight stream priced by the
 * HBM2 stream model both fidelities share (sim/cycle/fc-stream.ts).
 */
function fcOf(point: DesignPoint, w: Workload): FcResult {
  let hist = fcHistCache.get(w);
  if (!hist) fcHistCache.set(w, (hist = fcRowHistogram(w)));
  // Both fidelities price DRAM streams on the same HBM2 model (sim/hw/dram-cost.ts), so the
  // weight stream's bandwidth is one function of the hardware for both.
  const B = fcStreamBytesPerCycle(point.hw);
  return fcModel(w, point.hw, fcBits(point), hist, B);
}

/** Metrics only: the fidelity's fast path when it has one (the analytical model's allocation-free path). */
export function evaluateMetrics(point: DesignPoint, opts: EvalOptions): Record<HwMetricName, number> {
  const f = fidelity(opts.fidelity);
  const w = opts.workload ?? resolveWorkload(point, opts.overrides);
  const options = { ...opts.options, seed: opts.seed ?? opts.options?.seed };
  const m = f.metrics ? f.metrics(w, point.hw, options) : pickMetrics(f.evaluate(w, point.hw, options));
  return point.workload.scope === 'e2e' ? withFcMetrics(m, fcOf(point, w), point.hw) : m;
}

/** Metrics of the fast model (for big sweeps and benches). */
export function evaluateAnalyticalFast(point: DesignPoint, overrides?: WorkloadOverrides): Record<HwMetricName, number> {
  return evaluateMetrics(point, { fidelity: FAST_FIDELITY, overrides });
}
