/**
 * A SpAtten result against a CPU/GPU/edge baseline running the same (dense) workload in PyTorch:
 * `speedup` = baseline latency / ours, `energy_saving` = baseline energy / ours (§V-B's
 * definitions; the paper's Fig. 14 compares attention only, Fig. 15 attention + FC). Pure.
 */
import type { DesignPoint } from '../schema.ts';
import type { Workload } from '../workload/types.ts';
import { benchmarkWorkload } from '../workload/benchmarks.ts';
import { runPlatform, type PlatformWorkload, type Scope } from './platforms.ts';

export { BASELINE_METRICS } from '../schema.ts';

export interface BaselineComparison {
  baseline: string;
  scope: Scope;
  speedup: number;
  energy_saving: number;
  baseline_latency_s: number;
  baseline_energy_j: number;
}

/** The platform workload of a design point (a named benchmark, a generated workload or a trace). */
export function platformWorkload(point: DesignPoint, w?: Workload): PlatformWorkload {
  const wl = point.workload.benchmark ? { ...point.workload, ...benchmarkWorkload(point.workload.benchmark) } : point.workload;
  if (wl.trace) {
    if (!w) throw new Error('a trace workload needs the resolved workload to compare with a baseline');
    return fromWorkload(w);
  }
  return { model: wl.model, stage: wl.stage, seqLen: wl.seqLen, genTokens: wl.genTokens };
}

/** Shape of a resolved workload (traces): generation L = prompt + 1 + i, so seqLen = first L − 1. */
export function fromWorkload(w: Workload): PlatformWorkload {
  const first = w.requests[0];
  const model = w.model.name as PlatformWorkload['model'];
  if (w.stage === 'generation') return { model, stage: 'generation', seqLen: (first?.L ?? 1) - 1, genTokens: w.iterations };
  const L = w.requests.reduce((m, r) => Math.max(m, r.L), 0);
  return { model, stage: 'summarization', seqLen: L, genTokens: 1 };
}

/** Speedup and energy saving of a result over a named baseline on the point's workload and scope. */
export function compareWithBaseline(point: DesignPoint, ours: { latency_s: number; energy_j: number }, baseline: string, w?: Workload): BaselineComparison {
  const scope: Scope = point.workload.scope === 'e2e' ? 'e2e' : 'attention';
  const b = runPlatform(baseline, platformWorkload(point, w), scope);
  return {
    baseline,
    scope,
    speedup: b.latency_s / ours.latency_s,
    energy_saving: b.energy_j / ours.energy_j,
    baseline_latency_s: b.latency_s,
    baseline_energy_j: b.energy_j,
  };
}
