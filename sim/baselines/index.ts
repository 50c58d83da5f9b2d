/**
 * Baselines the paper compares against (A³, MNNFast, TITAN Xp), as cited data, and the
 * comparison of a SpAtten design against them in the paper's Table III terms: effective
 * throughput (dense-equivalent attention operations per second: pruning makes a design do fewer
 * operations for the same attention, as A³'s "1.73×" does), energy efficiency and area efficiency.
 * Pure: the caller supplies the SpAtten result.
 */
import { TABLE3_BASELINES as data, TABLE3_SPATTEN_1_8 } from '../paper.ts';
import type { WorkloadConfig } from '../schema.ts';
import type { HwResult } from '../hw/types.ts';
import { modelShape } from '../workload/models.ts';

export const BASELINES = data;

/**
 * Dense-equivalent attention operations (multiply + add, Q·Kᵀ and prob·V) of the UNPRUNED model
 * on a workload. Summarization: 2·L²·D for Q·Kᵀ and again for prob·V per head (causal for GPT-2:
 * query j sees j+1 keys, so L(L+1)/2 instead of L²). Generation: one query per head against
 * L_i = seqLen + 1 + i keys in iteration i.
 */
export function denseAttentionOps(wl: WorkloadConfig): number {
  const m = modelShape(wl.model);
  const perHead = (pairs: number) => 4 * pairs * m.headDim; // 2 ops × (QK + PV) × D per query-key pair
  let pairs = 0;
  if (wl.stage === 'summarization') {
    pairs = m.kind === 'decoder' ? (wl.seqLen * (wl.seqLen + 1)) / 2 : wl.seqLen * wl.seqLen;
  } else {
    for (let i = 0; i < wl.genTokens; i++) pairs += wl.seqLen + 1 + i;
  }
  return m.layers * m.heads * perHead(pairs);
}

export interface EfficiencyRow {
  design: string;
  gops: number;
  gopPerJ: number;
  gopsPerMm2: number | null;
  source: string;
}

export interface Table3 {
  rows: EfficiencyRow[];
  /** SpAtten1/8's area: ours (the design's) against Table III's stated 1.55 mm², and the area efficiency on the stated area. */
  area: { oursMm2: number; paperMm2: number; gopsPerMm2AtPaperArea: number };
  vsA3: { speedup: number; energySaving: number; paperSpeedup: number; paperEnergySaving: number };
  vsMnnfast: { speedup: number; energySaving: number; paperSpeedup: number; paperEnergySaving: number };
}

/** Table III from a SpAtten1/8 result on a workload: our prediction next to the cited baselines. */
export function table3(spatten: HwResult, wl: WorkloadConfig): Table3 {
  const ops = denseAttentionOps(wl);
  const gops = ops / spatten.latency_s / 1e9;
  const gopPerJ = ops / spatten.energy_j / 1e9;
  const a3 = data.a3;
  const mn = data.mnnfast;
  return {
    rows: [
      { design: mn.name, gops: mn.throughputGops.value, gopPerJ: mn.energyEffGopPerJ.value, gopsPerMm2: null, source: 'paper Table III' },
      { design: a3.name, gops: a3.throughputGops.value, gopPerJ: a3.energyEffGopPerJ.value, gopsPerMm2: a3.areaEffGopsPerMm2.value, source: 'paper Table III' },
      { design: 'SpAtten1/8 (this model)', gops, gopPerJ, gopsPerMm2: gops / spatten.area_mm2, source: `predicted: ${spatten.model} model` },
    ],
    area: { oursMm2: spatten.area_mm2, paperMm2: TABLE3_SPATTEN_1_8.areaMm2, gopsPerMm2AtPaperArea: gops / TABLE3_SPATTEN_1_8.areaMm2 },
    vsA3: {
      speedup: gops / a3.throughputGops.value,
      energySaving: gopPerJ / a3.energyEffGopPerJ.value,
      paperSpeedup: data.paperRatios.vsA3.speedup,
      paperEnergySaving: data.paperRatios.vsA3.energySaving,
    },
    vsMnnfast: {
      speedup: gops / mn.throughputGops.value,
      energySaving: gopPerJ / mn.energyEffGopPerJ.value,
      paperSpeedup: data.paperRatios.vsMnnfast.speedup,
      paperEnergySaving: data.paperRatios.vsMnnfast.energySaving,
    },
  };
}
