/**
 * Types shared by the analytical model (sim/hw/analytical.ts) and the cycle-level simulator
 * (sim/cycle): both produce the same activity counts, and energy is computed from activity with
 * one function and one set of cited tables (sim/hw/energy.ts), so the two models can only differ
 * in what they count, never in how they price it.
 */
import type { HwMetricName } from '../metrics.ts';
import type { FidelityName } from '../fidelities.ts';

/** Activity counts of one run. All counts are totals over the whole workload. */
export interface Activity {
  cycles: number;
  /** Bytes read from DRAM (Q, K MSBs, K LSBs, V). */
  dramBytes: number;
  /** DRAM row activations (0 when the model does not track rows; energy then uses an average). */
  dramActivations: number;
  keySramReadBits: number;
  keySramWriteBits: number;
  valueSramReadBits: number;
  valueSramWriteBits: number;
  /** Multiply-accumulates in the Q·K array and the prob·V array. */
  qkMacs: number;
  pvMacs: number;
  /** Elements through the softmax pipeline (dequantize, exp, accumulate, divide, quantize). */
  softmaxElems: number;
  /** Element comparisons in the top-k engines (token, head and local-V). */
  topkCompares: number;
  /** Bytes through the Q-K-V fetcher crossbars and FIFOs. */
  fetcherBytes: number;
}

export function emptyActivity(): Activity {
  return {
    cycles: 0,
    dramBytes: 0,
    dramActivations: 0,
    keySramReadBits: 0,
    keySramWriteBits: 0,
    valueSramReadBits: 0,
    valueSramWriteBits: 0,
    qkMacs: 0,
    pvMacs: 0,
    softmaxElems: 0,
    topkCompares: 0,
    fetcherBytes: 0,
  };
}

/** Energy in joules per component. */
export interface EnergyBreakdown {
  dram: number;
  keySram: number;
  valueSram: number;
  qk: number;
  pv: number;
  softmax: number;
  topk: number;
  fetcher: number;
  others: number;
  /** Static/leakage energy over the run. */
  leakage: number;
}

/** Area in mm² per module (Fig. 13a grouping). */
export interface AreaBreakdown {
  qk: number; // Q×K multipliers + adder tree + key SRAM
  pv: number; // prob×V multipliers + value SRAM
  fetcher: number;
  softmax: number;
  topk: number;
  others: number;
}

/** Cycle breakdown: busy cycles per pipeline stage (the bottleneck explains the latency). */
export interface StageCycles {
  dram: number;
  qk: number;
  softmax: number;
  topk: number;
  pv: number;
  /** Fill/drain and dependency stalls not hidden by overlap. */
  overhead: number;
}

/**
 * What a hardware model returns for one design point. Every metric of the registry's hardware
 * metrics (sim/metrics.ts) is a top-level key; the derived ones (power, throughput, EDP) are
 * computed there from the base quantities, never by a model on its own.
 */
export type HwResult = Record<HwMetricName, number> & {
  activity: Activity;
  energy: EnergyBreakdown;
  area: AreaBreakdown;
  stages: StageCycles;
  /** Which model (fidelity, sim/fidelities.ts) produced it. */
  model: FidelityName;
  /** Model-specific extra statistics (row hits, achieved bandwidth, …). */
  extra?: Record<string, number>;
};

/** A model's own result: the registry (sim/fidelities.ts) stamps which fidelity produced it. */
export type ModelResult = Omit<HwResult, 'model'>;
