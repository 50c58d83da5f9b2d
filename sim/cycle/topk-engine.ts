/**
 * The top-k engine as the simulator sees it (paper §IV-B, Alg. 3, Fig. 9): a selection phase that
 * finds the k-th largest of n buffered scores, then a filter pass that re-streams the n scores
 * against it, then the ids leave through the engine's output pipeline. The simulator only calls
 * this interface, so another engine model (another selection algorithm, a pipelined filter) is a
 * new `TopkEngine`, nothing else.
 *
 * `quickSelectEngine` is SpAtten's engine with the official latency model (`TopKLatencyModel`,
 * spec §1.9): quick-select rounds of ⌈n/P⌉ + 3 cycles with uniformly random pivots (topk.ts
 * `quickSelectRandom`), then a filter pass at a given rate.
 */
import type { Lanes } from './geometry.ts';
import { log2c } from './geometry.ts';
import { quickSelectRandom } from './topk.ts';
import { ROUND, sampleTopkCost, type TopkEngineSpec } from '../hw/topk.ts';

export interface TopkCost {
  /** Cycles of the selection phase (every round in full). */
  select: number;
  /** Part of `select` that can overlap the scores' arrival while the engine has nothing else to do. */
  hidden?: number;
  /** Cycles of the filter pass. */
  filter: number;
  /** Element comparisons (both phases), for the energy model. */
  compares: number;
}

export interface TopkEngine {
  /** Comparators per array (P). */
  readonly parallelism: number;
  /** Cycles from the filter to the selected ids leaving the engine. */
  readonly outputLatency: number;
  /**
   * The filter pass is a stage of its own that filters one top-k while the selection works on the
   * next (the paper's engine, Fig. 9); otherwise the engine does one top-k at a time.
   */
  readonly pipelinedFilter: boolean;
  /**
   * Cost of keeping the k largest of n scores (0 ≤ k < n). `rng` draws the engine's random choices
   * (pivots); `filterRate` is the filter pass's width, keys per line × cycles per line (default:
   * the P comparators). The result may be an object the engine reuses: read it before the next call.
   */
  select(n: number, k: number, rng: () => number, filterRate?: Lanes): TopkCost;
}

/** SpAtten's quick-select engine with P comparators. */
export function quickSelectEngine(P: number): TopkEngine {
  const comparators: Lanes = { per: P, cpl: 1 };
  return {
    parallelism: P,
    outputLatency: log2c(P) + 1,
    pipelinedFilter: false,
    select(n, k, rng, filterRate = comparators) {
      const qs = quickSelectRandom(n, k, P, rng);
      return { select: qs.cycles, filter: Math.ceil(n / filterRate.per) * filterRate.cpl, compares: qs.compares + n };
    },
  };
}

/**
 * The engine of a design as both models read it (sim/hw/topk.ts, HardwareConfig.topkModel):
 * 'paper' — first quick-select round on the arriving scores, later rounds ⌈n_i/P⌉ + 3, a filter
 * stage pipelined with the next selection; 'official-rtl' — the RTL's TopKDummy (all rounds, then
 * an S-wide drain, one top-k at a time). The filter width is the spec's (the `filterRate`
 * argument is ignored).
 */
export function specTopkEngine(spec: TopkEngineSpec): TopkEngine {
  // one result object per engine, refilled by every call (the pipeline reads it at once); `rounds`
  // present from the start, so the object keeps one shape
  const cost: TopkCost & { rounds: number } = { select: 0, filter: 0, compares: 0, rounds: 0 };
  return {
    parallelism: spec.P,
    outputLatency: log2c(spec.P) + 1,
    pipelinedFilter: spec.model === 'paper',
    select: (n, k, rng) => sampleTopkCost(spec, n, k, rng, cost),
  };
}

/**
 * A reading of one quick-select round's cost (scripts/topk-readings.ts; sim/cycle/README.md):
 * `turnaround` cycles per round beyond the ⌈n_i/P⌉ scan (3: the released latency model; 1: the
 * RTL engine's after-run cycle), and the first round either on the scores as they arrive (its
 * min(⌈n/P⌉, ⌈n/S⌉) cycles may overlap the arrival while the engine is idle: `hidden`) or
 * re-streamed from the buffer after the fill (nothing hidden). Every round is engine occupancy.
 */
export interface QuickSelectReading {
  turnaround: number;
  firstRound: 'arrival' | 'restream';
}

/**
 * The paper engine (filter stage pipelined with the next selection, filter at the spec's width)
 * with quick-select rounds priced by `r`: the design engine's pivot draws (sim/hw/topk.ts
 * `sampleTopkCost`, so { turnaround 3, first round on arrival } is the 'paper' engine cycle for
 * cycle), its first round and its later rounds' turn-arounds re-priced.
 */
export function quickSelectReading(spec: TopkEngineSpec, r: QuickSelectReading): TopkEngine {
  const cost: TopkCost & { rounds: number } = { select: 0, filter: 0, compares: 0, rounds: 0 };
  const P = spec.P;
  return {
    parallelism: P,
    outputLatency: log2c(P) + 1,
    pipelinedFilter: true,
    select(n, k, rng) {
      const c = sampleTopkCost(spec, n, k, rng, cost);
      if (c.select === 0) return c;
      c.select += (r.turnaround - ROUND) * cost.rounds;
      c.hidden = r.firstRound === 'arrival' ? Math.min(Math.ceil(n / P), Math.ceil(n / spec.inputRate)) : 0;
      return c;
    },
  };
}
