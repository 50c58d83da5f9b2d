/**
 * What the engine runs and what it counts: the algorithm settings of one accuracy run resolved
 * against a model (per-layer token/head keep fractions from sim/workload/schedule.ts, bit widths,
 * the LM's token policy and score), and the per-layer counters plus measured trace (Stats).
 */
import type { AlgoConfig } from '../schema.ts';
import { headKeepSchedule, tokenKeepSchedule } from '../workload/schedule.ts';
import type { HeadRequest } from '../workload/types.ts';
import type { ModelConfig } from './model.ts';
import { LLM_WINDOW_DEFAULTS } from './llm-budget.ts';

export interface RunAlgo {
  tokenKeep: number[];
  headKeep: number[];
  valueKeep: number;
  msbBits: number;
  lsbBits: number;
  lsbThreshold: number;
  queryBits: number;
  valueBits: number;
  progressive: boolean;
  /** KV-token selection of the LM (generate.ts): the paper's cascade or the official SpAtten-LLM cache. */
  tokenPolicy: 'cascade' | 'llm';
  /** Cascade score: the summed attention probabilities (paper) or their mean over the queries that saw each token. */
  tokenScore: 'sum' | 'mean';
  /** llm policy: the budget fraction (algo.tokenKeep) and the protected start / recent windows. */
  tokenKeepAvg: number;
  startTokens: number;
  recentTokens: number;
}

export function runAlgo(algo: AlgoConfig, c: ModelConfig): RunAlgo {
  return {
    tokenKeep: tokenKeepSchedule(c.layers, algo.tokenKeep, algo.tokenSpread, algo.tokenFrontFrac, algo.tokenMinKeep),
    headKeep: headKeepSchedule(c.layers, algo.headKeep, algo.headSpread, algo.headFrontFrac),
    valueKeep: algo.valueKeep,
    msbBits: algo.msbBits,
    lsbBits: c.kind === 'bert' ? 0 : algo.lsbBits,
    lsbThreshold: algo.lsbThreshold,
    queryBits: algo.queryBits,
    valueBits: algo.valueBits > 0 ? algo.valueBits : algo.msbBits,
    progressive: c.kind !== 'bert' && algo.lsbBits > 0 && algo.msbBits + algo.lsbBits < 32,
    tokenPolicy: algo.tokenPolicy ?? 'cascade',
    // causal LMs: the sum rescaled per token by the rows that saw it (a reading of the released
    // workloads' if_rescale_previous_importance; sim/nn/README.md); BERT ranks the same either way
    tokenScore: algo.tokenScore ?? (c.kind === 'bert' ? 'sum' : 'mean'),
    tokenKeepAvg: algo.tokenKeep,
    startTokens: algo.startTokens ?? LLM_WINDOW_DEFAULTS.startTokens,
    recentTokens: algo.recentTokens ?? LLM_WINDOW_DEFAULTS.recentTokens,
  };
}

/** The per-layer counters of Stats (the sums every measured rate is a ratio of) and the FLOPs. */
const COUNTERS = ['tokAlive', 'tokTotal', 'headAlive', 'headTotal', 'valKept', 'valVisible', 'refetch', 'requests', 'flops'] as const;
export type StatsCounters = Pick<Stats, (typeof COUNTERS)[number]>;

/** Per-layer counters and the measured trace. */
export class Stats {
  tokAlive: number[];
  tokTotal: number[];
  headAlive: number[];
  headTotal: number[];
  valKept: number[];
  valVisible: number[];
  refetch: number[];
  requests: number[];
  rows: HeadRequest[] = [];
  flops = 0;
  /** Optional observer of the alive token positions (original indices) per example/step/layer. */
  onAlive?: (example: number, step: number, layer: number, alive: readonly number[], heads: readonly number[]) => void;
  /** Optional observer of the key positions each alive head attends to (LM generation stage). */
  onHeadKeys?: (example: number, step: number, layer: number, head: number, keys: readonly number[]) => void;
  constructor(readonly layers: number, readonly recordRows = true) {
    const z = () => new Array<number>(layers).fill(0);
    this.tokAlive = z(); this.tokTotal = z(); this.headAlive = z(); this.headTotal = z();
    this.valKept = z(); this.valVisible = z(); this.refetch = z(); this.requests = z();
  }
  measured(): { tokenKeepPerLayer: number[]; headKeepPerLayer: number[]; valueKeepPerLayer: number[]; refetchPerLayer: number[] } {
    const r = (a: number[], b: number[], dflt: number) => a.map((x, i) => (b[i] > 0 ? x / b[i] : dflt));
    return {
      tokenKeepPerLayer: r(this.tokAlive, this.tokTotal, 1),
      headKeepPerLayer: r(this.headAlive, this.headTotal, 1),
      valueKeepPerLayer: r(this.valKept, this.valVisible, 1),
      refetchPerLayer: r(this.refetch, this.requests, 0),
    };
  }
  /** The counters (not the trace rows), copied: a later run continues from them (api.ts AccuracyPrefix). */
  counters(): StatsCounters {
    return structuredClone(Object.fromEntries(COUNTERS.map((k) => [k, this[k]]))) as StatsCounters;
  }
  /** Counters recorded by `counters()` (of a model with as many layers), copied in. */
  restore(c: StatsCounters): void {
    if (c.tokAlive.length !== this.layers) throw new Error(`Stats.restore: counters of ${c.tokAlive.length} layers, model has ${this.layers}`);
    Object.assign(this, structuredClone(Object.fromEntries(COUNTERS.map((k) => [k, c[k]]))));
  }
  refetchFraction(): number {
    const req = this.requests.reduce((a, b) => a + b, 0);
    return req > 0 ? this.refetch.reduce((a, b) => a + b, 0) / req : 0;
  }
}
