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
 *
 * The heads of one (iteration, layer) differ only in their index and in the last one's token
 * top-k, so a workload is described by a `GenerationPlan` (per-layer schedules) whose runs of
 * identical requests `forEachRun` enumerates; the request list is materialised from those runs
 * the first time `requests` is read. The analytical fast path (sim/hw/prepare.ts) groups the runs
 * into request classes directly (`generationPlan`), without materialising the list.
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

/** Everything a generated workload's requests follow from: the per-layer schedules and widths. */
export interface GenerationPlan {
  D: number;
  layers: number;
  generation: boolean;
  encoder: boolean;
  progressive: boolean;
  iterations: number;
  seqLen: number;
  /** Keep fraction of tokens per layer (relative to the context). */
  tokenKeep: number[];
  /** Heads kept per layer (cascade: non-increasing). */
  headsAt: number[];
  /** Local-V keep fraction and refetch probability per layer (refetch 0 when progressive quantization is off). */
  valueKeep: number[];
  refetch: number[];
  keyBits: number;
  lsbBits: number;
  lsbThreshold: number;
  valueBits: number;
  queryBits: number;
  /** Number of head requests (Σ over iterations of Σ headsAt). */
  requestCount: number;
}

function makePlan(wl: WorkloadConfig, algo: AlgoConfig, ov: WorkloadOverrides): GenerationPlan {
  const model = modelShape(wl.model);
  const { layers, heads } = model;
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
  // Heads kept per layer; cascade: never more than the previous layer.
  const headsAt: number[] = [];
  let perIteration = 0;
  for (let l = 0; l < layers; l++) {
    const h = keepCount(heads, headKeep[l]);
    headsAt.push(l === 0 ? h : Math.min(h, headsAt[l - 1]));
    perIteration += headsAt[l];
  }
  const valueKeep: number[] = [];
  const refetch: number[] = [];
  for (let l = 0; l < layers; l++) {
    valueKeep.push(ov.valueKeepPerLayer ? ov.valueKeepPerLayer[l] : algo.valueKeep);
    refetch.push(progressive ? (ov.refetchPerLayer ? ov.refetchPerLayer[l] : algo.lsbRefetchFraction) : 0);
  }
  return {
    D: model.headDim,
    layers,
    generation,
    encoder,
    progressive,
    iterations,
    seqLen: wl.seqLen,
    tokenKeep,
    headsAt,
    valueKeep,
    refetch,
    keyBits: algo.msbBits,
    lsbBits: progressive ? algo.lsbBits : 0,
    lsbThreshold: progressive ? algo.lsbThreshold : -1,
    valueBits: effectiveValueBits(algo),
    queryBits: algo.queryBits,
    requestCount: iterations * perIteration,
  };
}

/** Iteration `it`'s context length; its alive tokens per layer into `alive` (cascade: non-increasing with depth). */
export function aliveAt(p: GenerationPlan, it: number, alive: number[]): number {
  const L = p.generation ? p.seqLen + 1 + it : p.seqLen;
  for (let l = 0; l < p.layers; l++) {
    const k = keepCount(L, p.tokenKeep[l]);
    alive[l] = l === 0 ? k : Math.min(k, alive[l - 1]);
  }
  return L;
}

/**
 * Calls `fn(r, count)` for each run of identical requests in workload order: per (iteration,
 * layer), heads 0 … h−2 (no token top-k) then head h−1 (the cascade top-k when the next layer keeps
 * fewer keys). `r` (its `head` the run's first head) is reused between calls: copy what you keep.
 */
export function forEachRun(p: GenerationPlan, fn: (r: HeadRequest, count: number) => void): void {
  const { layers, generation } = p;
  const r: HeadRequest = {
    iteration: 0, layer: 0, head: 0, D: p.D, L: 0, queries: 0, keys: 0, valuesFetched: 0, valuesPerQuery: 0,
    keyBits: p.keyBits, lsbBits: p.lsbBits, refetch: 0, lsbThreshold: p.lsbThreshold, valueBits: p.valueBits,
    queryBits: p.queryBits, topk: -1, causal: !p.encoder && !generation,
  };
  const alive = new Array<number>(layers);
  for (let it = 0; it < p.iterations; it++) {
    const L = aliveAt(p, it, alive);
    r.iteration = it;
    r.L = L;
    for (let l = 0; l < layers; l++) {
      const keys = alive[l];
      const perQuery = keepCount(keys, p.valueKeep[l]);
      const nextKeys = l + 1 < layers ? alive[l + 1] : -1;
      const h = p.headsAt[l];
      r.layer = l;
      r.queries = generation ? 1 : keys;
      r.keys = keys;
      r.valuesFetched = generation ? perQuery : keys;
      r.valuesPerQuery = perQuery;
      r.refetch = p.refetch[l];
      if (h > 1) {
        r.head = 0;
        r.topk = -1;
        fn(r, h - 1);
      }
      r.head = h - 1;
      r.topk = nextKeys >= 0 && nextKeys < keys ? nextKeys : -1;
      fn(r, 1);
    }
  }
}

/** The request list of a plan. */
function materialise(p: GenerationPlan): HeadRequest[] {
  const requests: HeadRequest[] = [];
  forEachRun(p, (r, count) => {
    for (let h = 0; h < count; h++) requests.push({ ...r, head: r.head + h });
  });
  return requests;
}

/** Plans of generated workloads whose request list has not been read yet. */
const plans = new WeakMap<Workload, GenerationPlan>();

/**
 * The plan of a workload made by `buildWorkload`, or undefined (a trace, a hand-made workload, or
 * one whose request list has been read: it may have been changed since).
 */
export function generationPlan(w: Workload): GenerationPlan | undefined {
  return plans.get(w);
}

export function buildWorkload(wl: WorkloadConfig, algo: AlgoConfig, ov: WorkloadOverrides = {}): Workload {
  const plan = makePlan(wl, algo, ov);
  const model = modelShape(wl.model);
  const provenance =
    `generated: ${model.name} ${wl.stage} seqLen=${wl.seqLen}` +
    (plan.generation ? ` genTokens=${wl.genTokens}` : '') +
    ` tokenKeep=${algo.tokenKeep} headKeep=${algo.headKeep} valueKeep=${algo.valueKeep}` +
    ` msb=${algo.msbBits} lsb=${plan.lsbBits}`;
  const w = {
    name: `${model.name}-${wl.stage}`,
    model,
    stage: wl.stage,
    iterations: plan.iterations,
    reuseKV: !plan.generation,
    requests: [] as HeadRequest[],
    source: 'generated',
    provenance,
  } satisfies Workload as Workload;
  // The request list is made on first read (then an ordinary property).
  Object.defineProperty(w, 'requests', {
    configurable: true,
    enumerable: true,
    get(): HeadRequest[] {
      plans.delete(w);
      const requests = materialise(plan);
      Object.defineProperty(w, 'requests', { value: requests, writable: true, configurable: true, enumerable: true });
      return requests;
    },
    set(v: HeadRequest[]) {
      plans.delete(w);
      Object.defineProperty(w, 'requests', { value: v, writable: true, configurable: true, enumerable: true });
    },
  });
  plans.set(w, plan);
  return w;
}
