/**
 * Top-k engine timing (paper §IV-B, Alg. 3, Fig. 9; official `TopKLatencyModel`): a quick-select
 * with P comparators per array. Every round streams the current candidate set through the
 * comparators at P elements per cycle and pays 3 more cycles (comparator, zero eliminator, FIFO
 * turn-around / after-run decision): ⌈n/P⌉ + 3 cycles. The round then continues on the side that
 * holds the target rank, until the pivot is the k-th element. The 3 is the same table entry as
 * the analytical model's expectation (sim/hw/topk.ts): sim/hw/tables/pipeline.json
 * `topkRoundOverhead`. The simulator reaches these functions through its engine interface
 * (topk-engine.ts).
 */
import pipe from '../hw/tables/pipeline.json' with { type: 'json' };

/** Cycles per quick-select round on top of ⌈n/P⌉ (official latency model: 3). */
const ROUND = pipe.topkRoundOverhead.value;

export interface QuickSelectResult {
  cycles: number;
  rounds: number;
  /** Element comparisons (Σ n over the rounds). */
  compares: number;
}

/** Cost of one quick-select round over n elements with P comparators. */
export const roundCycles = (n: number, P: number) => Math.ceil(n / P) + ROUND;

/**
 * Quick-select on actual values (for tests and small inputs): find the k-th largest (k ≥ 1)
 * with the given pivot choice. `pickPivot(round, candidates)` returns an index into the
 * current candidate array. Elements equal to the pivot are counted, not moved.
 */
export function quickSelectValues(
  values: readonly number[],
  k: number,
  P: number,
  pickPivot: (round: number, candidates: readonly number[]) => number,
): QuickSelectResult & { kth: number } {
  if (k < 1 || k > values.length) throw new Error(`quickSelectValues: k=${k} outside 1…${values.length}`);
  let cand = values.slice();
  let t = k - 1; // 0-based rank among the candidates, largest first
  let cycles = 0;
  let rounds = 0;
  let compares = 0;
  for (;;) {
    cycles += roundCycles(cand.length, P);
    compares += cand.length;
    const pivot = cand[pickPivot(rounds, cand)];
    rounds++;
    const better = cand.filter((v) => v > pivot);
    const eq = cand.length - better.length - cand.filter((v) => v < pivot).length;
    if (t < better.length) cand = better;
    else if (t < better.length + eq) return { cycles, rounds, compares, kth: pivot };
    else {
      t -= better.length + eq;
      cand = cand.filter((v) => v < pivot);
    }
  }
}

/**
 * Quick-select cost with uniformly random pivots over n distinct values, target = the k-th
 * largest (k ≥ 1): only ranks matter, so it runs in O(rounds). `firstRoundMin` is a lower
 * bound on the first round's streaming time (the input arrives at a finite rate).
 */
export function quickSelectRandom(n: number, k: number, P: number, rng: () => number, firstRoundMin = 0): QuickSelectResult {
  let t = Math.min(Math.max(k, 1), n) - 1;
  let cycles = 0;
  let rounds = 0;
  let compares = 0;
  while (n > 0) {
    const c = Math.ceil(n / P);
    cycles += (rounds === 0 ? Math.max(c, firstRoundMin) : c) + ROUND;
    compares += n;
    rounds++;
    const pr = Math.floor(rng() * n); // elements better than the pivot
    if (t < pr) n = pr;
    else if (t === pr) break;
    else {
      t -= pr + 1;
      n -= pr + 1;
    }
  }
  return { cycles, rounds, compares };
}
