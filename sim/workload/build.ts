/**
 * Generate a workload (stream of head requests) from an algorithm config, implementing the
 * paper's schedules exactly (§III, §V-A):
 *  - cascade token pruning with the front 15% of layers unpruned and per-layer ratios
 *    interpolated so that r_start + r_end = 2·r_avg (schedule.ts);
 *  - cascade head pruning with the front 30% unpruned; kept heads are indices 0..h-1 (a pruned
 *    head index never reappears in a later layer);
 *  - local V pruning per head (a fraction of the kept tokens' V vectors);
 *  - progressive quantization: MSB fetch, LSB refetch with probability `lsbRefetchFraction`;
 *    BERT (encoder) models use static quantization only (no refetch), as the paper does.
 * Generation: iteration i has context L = seqLen + 1 + i (the official traces: 993…1024 for a
 * 992-token prompt), one query per head, no K/V reuse. Summarization: one pass, the alive tokens
 * are both the queries and the keys, K/V reused from SRAM.
 */
import type { AlgoConfig, WorkloadConfig } from '../schema.ts';
import { modelShape } from './models.ts';
import { headKeepSchedule, keepCount, tokenKeepSchedule } from './schedule.ts';
import type { HeadRequest, Workload } from './types.ts';

/** Measured per-layer behaviour (from the accuracy engine), already mapped to the target layers. */
export interface WorkloadOverrides {
  tokenKeepPerLayer?: number[];
  headKeepPerLayer?: number[];
  valueKeepPerLayer?: number[];
  refetchPerLayer?: number[];
}

/**
 * Map a per-layer series measured on a model with `src.length` layers onto `targetLayers` layers
 * by relative depth: target layer t takes the source layer at the same fraction of depth,
 * floor((t + 0.5) / targetLayers × src.length).
 */
export function mapByDepth(src: number[], targetLayers: number): number[] {
  if (src.length === 0) throw new Error('mapByDepth: empty source series');
  const out = new Array<number>(targetLayers);
  for (let t = 0; t < targetLayers; t++) {
    const s = Math.min(src.length - 1, Math.floor(((t + 0.5) / targetLayers) * src.length));
    out[t] = src[s];
  }
  return out;
}

export function effectiveValueBits(algo: AlgoConfig): number {
  return algo.valueBits > 0 ? algo.valueBits : algo.msbBits;
}

export function buildWorkload(wl: WorkloadConfig, algo: AlgoConfig, ov: WorkloadOverrides = {}): Workload {
  const model = modelShape(wl.model);
  const { layers, heads, headDim: D } = model;
  const tokenKeep = ov.tokenKeepPerLayer ?? tokenKeepSchedule(layers, algo.tokenKeep, algo.tokenSpread, algo.tokenFrontFrac, algo.tokenMinKeep);
  const headKeep = ov.headKeepPerLayer ?? headKeepSchedule(layers, algo.headKeep, algo.headSpread, algo.headFrontFrac);
  for (const [name, arr] of [['tokenKeepPerLayer', tokenKeep], ['headKeepPerLayer', headKeep]] as const) {
    if (arr.length !== layers) throw new Error(`${name} has ${arr.length} entries, model ${model.name} has ${layers} layers`);
  }
  const encoder = model.kind === 'encoder';
  const progressive = algo.lsbBits > 0 && !encoder;
  const generation = wl.stage === 'generation';
  if (generation && encoder) throw new Error(`model ${model.name} is an encoder: only the summarization stage applies`);
  const iterations = generation ? wl.genTokens : 1;
  const valueBits = effectiveValueBits(algo);

  // Heads kept per layer; cascade: never more than the previous layer.
  const headsAt: number[] = [];
  for (let l = 0; l < layers; l++) {
    const h = keepCount(heads, headKeep[l]);
    headsAt.push(l === 0 ? h : Math.min(h, headsAt[l - 1]));
  }

  const requests: HeadRequest[] = [];
  for (let it = 0; it < iterations; it++) {
    const L = generation ? wl.seqLen + 1 + it : wl.seqLen;
    // Alive tokens per layer (cascade: non-increasing with depth).
    const alive: number[] = [];
    for (let l = 0; l < layers; l++) {
      const k = keepCount(L, tokenKeep[l]);
      alive.push(l === 0 ? k : Math.min(k, alive[l - 1]));
    }
    for (let l = 0; l < layers; l++) {
      const keys = alive[l];
      const vKeep = ov.valueKeepPerLayer ? ov.valueKeepPerLayer[l] : algo.valueKeep;
      const perQuery = keepCount(keys, vKeep);
      const refetch = progressive ? (ov.refetchPerLayer ? ov.refetchPerLayer[l] : algo.lsbRefetchFraction) : 0;
      const nextKeys = l + 1 < layers ? alive[l + 1] : -1;
      for (let h = 0; h < headsAt[l]; h++) {
        const last = h === headsAt[l] - 1;
        requests.push({
          iteration: it,
          layer: l,
          head: h,
          D,
          L,
          queries: generation ? 1 : keys,
          keys,
          valuesFetched: generation ? perQuery : keys,
          valuesPerQuery: perQuery,
          keyBits: algo.msbBits,
          lsbBits: progressive ? algo.lsbBits : 0,
          refetch,
          lsbThreshold: progressive ? algo.lsbThreshold : -1,
          valueBits,
          queryBits: algo.queryBits,
          topk: last && nextKeys >= 0 && nextKeys < keys ? nextKeys : -1,
          causal: !encoder && !generation,
        });
      }
    }
  }
  const provenance =
    `generated: ${model.name} ${wl.stage} seqLen=${wl.seqLen}` +
    (generation ? ` genTokens=${wl.genTokens}` : '') +
    ` tokenKeep=${algo.tokenKeep} headKeep=${algo.headKeep} valueKeep=${algo.valueKeep}` +
    ` msb=${algo.msbBits} lsb=${progressive ? algo.lsbBits : 0}`;
  return {
    name: `${model.name}-${wl.stage}`,
    model,
    stage: wl.stage,
    iterations,
    reuseKV: !generation,
    requests,
    source: 'generated',
    provenance,
  };
}
