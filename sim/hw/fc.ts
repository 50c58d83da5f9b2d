/**
 * SpAtten-e2e (§V-B, spec §2.9): the FC/FFN layers of every transformer layer — QKV projection
 * (d × 3d), attention output projection (d × d), FFN up (d × 4d) and down (4d × d) — run on the
 * accelerator's multiplier arrays (Q·K and prob·V arrays reused: M = qkMultipliers + pvMultipliers
 * MACs per cycle), with weights linear-symmetric quantized to 8 or 12 bits and streamed from DRAM.
 * A pure component usable by both hardware models: it needs only the workload (tokens per layer)
 * and the hardware config, and its activity is priced by the same energy tables (energy.ts).
 *
 * Per (iteration, layer) and matrix (in × out), with r rows (tokens processed):
 *   DRAM bytes   = in·out·weightBits/8 (weights streamed once) + r·(in + out)·wordBits/8
 *                  (input activations read, outputs written);
 *   cycles       = max( r·in·out / M ,  DRAM bytes / B )   (B: the analytical model's
 *                  dramBytesPerCycle(hw), or the cycle model's HBM2 on a dense stream,
 *                  sim/cycle/fc-stream.ts — each model prices the stream with its own DRAM);
 * matrices run one after the other and after the layer's attention (no overlap assumed: the next
 * matrix needs the previous one's output, and the FC input is the attention output).
 * Rows: generation processes one token per step (r = 1: matrix-vector, memory-bound — Table IV's
 * "FC FLOPs unchanged"); summarization processes the tokens alive at that layer after cascade
 * token pruning (the workload's queries), so token pruning shrinks FC work there only. Head pruning
 * does not shrink the FC matrices here (the paper credits FC savings to token pruning only).
 */
import type { HardwareConfig } from '../schema.ts';
import type { Workload } from '../workload/types.ts';
import type { Activity, HwResult } from './types.ts';
import { emptyActivity } from './types.ts';
import { dramBytesPerCycle } from './analytical.ts';
import { energyFromActivity } from './energy.ts';
import { deriveMetrics, type HwMetricName } from '../metrics.ts';

/** FC weight widths SpAtten-e2e supports (§V-B: 12 or 8 bits). */
export const FC_WEIGHT_BITS = [8, 12] as const;

/** The four FC matrices of a layer as [in, out] for model width d. */
export function fcMatrices(d: number): [number, number][] {
  return [
    [d, 3 * d],
    [d, d],
    [d, 4 * d],
    [4 * d, d],
  ];
}

/** Rows processed per (iteration, layer): count of (iteration, layer) pairs per row count. */
export function fcRowHistogram(w: Workload): Map<number, number> {
  const rowsAt = new Map<string, number>();
  for (const r of w.requests) {
    const key = `${r.iteration}:${r.layer}`;
    if (!rowsAt.has(key)) rowsAt.set(key, w.stage === 'generation' ? 1 : r.queries);
  }
  const hist = new Map<number, number>();
  for (const rows of rowsAt.values()) hist.set(rows, (hist.get(rows) ?? 0) + 1);
  return hist;
}

export interface FcResult {
  cycles: number;
  macs: number;
  dramBytes: number;
  activity: Activity;
  energy_j: number;
  weightBits: number;
}

/** FC/FFN cost of a workload on a design with `weightBits`-bit weights. */
export function fcModel(w: Workload, hw: HardwareConfig, weightBits: number, hist = fcRowHistogram(w), bytesPerCycle = dramBytesPerCycle(hw)): FcResult {
  const M = hw.qkMultipliers + hw.pvMultipliers;
  const B = bytesPerCycle;
  const mats = fcMatrices(w.model.dModel);
  let cycles = 0;
  let macs = 0;
  let dramBytes = 0;
  for (const [rows, times] of hist) {
    for (const [inF, outF] of mats) {
      const bytes = (inF * outF * weightBits) / 8 + (rows * (inF + outF) * hw.wordBits) / 8;
      const m = rows * inF * outF;
      cycles += times * Math.max(m / M, bytes / B);
      macs += times * m;
      dramBytes += times * bytes;
    }
  }
  const activity = emptyActivity();
  activity.cycles = cycles;
  activity.dramBytes = dramBytes;
  activity.fetcherBytes = dramBytes;
  activity.qkMacs = (macs * hw.qkMultipliers) / M;
  activity.pvMacs = (macs * hw.pvMultipliers) / M;
  return { cycles, macs, dramBytes, activity, energy_j: energyFromActivity(activity, hw).energy_j, weightBits };
}

/**
 * An attention result extended to SpAtten-e2e: cycles, latency, energy and DRAM bytes add the FC
 * part (run after the attention of each layer); the derived metrics (power, throughput, …) are
 * recomputed from the sums by the metric registry; `extra` keeps the split.
 */
export function withFc(attn: HwResult, fc: FcResult, hw: HardwareConfig): HwResult {
  const attnOps = 2 * (attn.activity.qkMacs + attn.activity.pvMacs);
  const cycles = attn.cycles + fc.cycles;
  const out: HwResult = {
    ...attn,
    cycles,
    latency_s: cycles / (hw.clockGHz * 1e9),
    energy_j: attn.energy_j + fc.energy_j,
    dram_bytes: attn.dram_bytes + fc.dramBytes,
    extra: {
      ...(attn.extra ?? {}),
      attn_latency_s: attn.latency_s,
      attn_energy_j: attn.energy_j,
      attn_gop: attnOps / 1e9,
      fc_latency_s: fc.cycles / (hw.clockGHz * 1e9),
      fc_energy_j: fc.energy_j,
      fc_dram_bytes: fc.dramBytes,
      fc_gflop: (2 * fc.macs) / 1e9,
      fc_weight_bits: fc.weightBits,
    },
  };
  return deriveMetrics({ latency_s: out.latency_s, energy_j: out.energy_j, ops: attnOps + 2 * fc.macs, area_mm2: out.area_mm2 }, out);
}

/** The same on a metrics record (a fidelity's fast path): attention metrics + the FC part. */
export function withFcMetrics(m: Record<HwMetricName, number>, fc: FcResult, hw: HardwareConfig): Record<HwMetricName, number> {
  const attnOps = m.gops * 1e9 * m.latency_s;
  const cycles = m.cycles + fc.cycles;
  const out = { ...m, cycles, latency_s: cycles / (hw.clockGHz * 1e9), energy_j: m.energy_j + fc.energy_j, dram_bytes: m.dram_bytes + fc.dramBytes };
  return deriveMetrics({ latency_s: out.latency_s, energy_j: out.energy_j, ops: attnOps + 2 * fc.macs, area_mm2: out.area_mm2 }, out);
}
