/**
 * The model switch: one entry point that turns a design point into hardware metrics with either
 * the analytical model or the cycle-level simulator. Workloads are built (or read from a trace)
 * once per distinct (workload, algorithm, measured-overrides) and cached, so a sweep over hardware
 * knobs never rebuilds them.
 */
import { analyticalModel, evaluatePrepared, prepareWorkload, type PreparedWorkload } from './hw/analytical.ts';
import { simulateCycle } from './cycle/index.ts';
import type { CycleOptions } from './cycle/sim.ts';
import type { HwResult } from './hw/types.ts';
import type { DesignPoint } from './schema.ts';
import { buildWorkload, type WorkloadOverrides } from './workload/build.ts';
import { readTraceFile } from './workload/trace.ts';
import type { Workload } from './workload/types.ts';
import { benchmarkWorkload } from './workload/benchmarks.ts';
import { fcModel, fcRowHistogram, withFc } from './hw/fc.ts';
import { fcStreamBytesPerCycle } from './cycle/fc-stream.ts';

export type HwModel = 'analytical' | 'cycle';

const MAX_CACHE = 512;
const workloadCache = new Map<string, Workload>();
const preparedCache = new Map<string, PreparedWorkload>();
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
  // A named benchmark fixes the workload shape (model, stage, lengths).
  const wl = point.workload.benchmark ? { ...point.workload, ...benchmarkWorkload(point.workload.benchmark) } : point.workload;
  return remember(workloadCache, workloadKey(point, overrides), () => buildWorkload(wl, point.algo, overrides));
}

export interface EvalOptions {
  model: HwModel;
  overrides?: WorkloadOverrides;
  /** Use this workload instead of resolving one (e.g. a measured trace). */
  workload?: Workload;
  seed?: number;
  /** Cycle-simulator switches (gateTokenTopk, topkFilter, refresh, seed). */
  cycle?: CycleOptions;
}

/** Full hardware result (metrics + breakdowns) for one design point. */
export function evaluateHardware(point: DesignPoint, opts: EvalOptions): HwResult {
  const w = opts.workload ?? resolveWorkload(point, opts.overrides);
  const r = opts.model === 'cycle' ? simulateCycle(w, point.hw, { ...opts.cycle, seed: opts.seed ?? opts.cycle?.seed ?? 1 }) : analyticalModel(w, point.hw);
  if (point.workload.scope !== 'e2e') return r;
  const B = opts.model === 'cycle' ? fcStreamBytesPerCycle(point.hw, opts.cycle ?? {}) : undefined;
  return withFc(r, fcModel(w, point.hw, fcBits(point), undefined, B), point.hw);
}

/** FC/FFN weight width of a SpAtten-e2e point (default 8 bits). */
export function fcBits(point: DesignPoint): number {
  return point.algo.fcWeightBits ?? 8;
}

const fcHistCache = new Map<string, Map<number, number>>();

/** Metrics only, through the analytical model's allocation-free fast path (for big sweeps). */
export function evaluateAnalyticalFast(point: DesignPoint, overrides?: WorkloadOverrides): Record<string, number> {
  const key = point.workload.trace ? `trace:${point.workload.trace}` : workloadKey(point, overrides);
  const prepared = remember(preparedCache, key, () => prepareWorkload(resolveWorkload(point, overrides)));
  const m = evaluatePrepared(prepared, point.hw);
  if (point.workload.scope === 'e2e') {
    const hist = remember(fcHistCache, key, () => fcRowHistogram(resolveWorkload(point, overrides)));
    const fc = fcModel(resolveWorkload(point, overrides), point.hw, fcBits(point), hist);
    const cycles = m.cycles + fc.cycles;
    const latency_s = cycles / (point.hw.clockGHz * 1e9);
    const energy_j = m.energy_j + fc.energy_j;
    return {
      latency_s,
      energy_j,
      dram_bytes: m.dram_bytes + fc.dramBytes,
      area_mm2: m.area_mm2,
      power_w: energy_j / latency_s,
      gops: (m.gops * 1e9 * m.latency_s + 2 * fc.macs) / latency_s / 1e9,
      cycles,
    };
  }
  return {
    latency_s: m.latency_s,
    energy_j: m.energy_j,
    dram_bytes: m.dram_bytes,
    area_mm2: m.area_mm2,
    power_w: m.power_w,
    gops: m.gops,
    cycles: m.cycles,
  };
}
