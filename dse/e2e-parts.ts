/**
 * SpAtten-e2e (`workload.scope: e2e`) runs the FC/FFN layers after each layer's attention. A
 * model's result keeps its breakdowns — busy cycles per stage, energy per module — for the
 * attention only, and the FC part's totals in `extra` (sim/hw/fc.ts, withFc), while latency, energy
 * and DRAM bytes are the e2e sums. What users see (simulate's breakdown lines and --json, a run's
 * highlighted points) adds the FC part as its own `fc` entry, so that the energy breakdown adds up
 * to energy_j and the bottleneck is named against the e2e latency.
 */
import type { HwResult } from '../sim/hw/types.ts';

/** The FC part of an e2e result: cycles, energy (J), DRAM bytes of FC weights; undefined for an attention-only result. */
export function fcPart(r: Pick<HwResult, 'extra'>, clockGHz: number): { cycles: number; energy_j: number; dramBytes: number } | undefined {
  const x = r.extra ?? {};
  if (typeof x.fc_latency_s !== 'number' || typeof x.fc_energy_j !== 'number') return undefined;
  return { cycles: x.fc_latency_s * clockGHz * 1e9, energy_j: x.fc_energy_j, dramBytes: x.fc_dram_bytes ?? 0 };
}

/** The stage and energy breakdowns with the FC part as their `fc` entry (unchanged for an attention-only result). */
export function breakdownsWithFc(r: Pick<HwResult, 'extra' | 'stages' | 'energy'>, clockGHz: number): { stages: Record<string, number>; energy: Record<string, number> } {
  const fc = fcPart(r, clockGHz);
  return {
    stages: { ...r.stages, ...(fc ? { fc: fc.cycles } : {}) },
    energy: { ...r.energy, ...(fc ? { fc: fc.energy_j } : {}) },
  };
}
