/**
 * Run states (sim/nn/api.ts AccuracyPrefix) of this process's accuracy runs, one per configuration
 * and example count, so that an outcome served from the in-process cache (dse/evaluate.ts
 * runAccuracy) carries the per-example scores of exactly its examples, as a run would. The paired
 * promotion rule (dse/fidelity.ts pairedRule) and the scores records of the journal need those: a
 * configuration's largest state alone (the next rung's, from an earlier run in the process) has
 * other examples and counters.
 *
 * Bounded by the numbers the states hold (the least recently used go first): a miss only leaves
 * that outcome without its scores, as before this store.
 */
import type { AccuracyPrefix } from '../sim/nn/api.ts';

/**
 * Scores kept, in numbers: 2^22 (32 MB as doubles). A sotu-char state of 64 windows holds 64 × 32
 * generated-token losses = 2,048 (39 KB as JSON, dse/evaluate.ts), so ~2,000 such states; a
 * classifier's example is one number (spam-bert's 1,209-email test split: ~3,400 full states).
 */
export const EXACT_SCORES_KEPT = 1 << 22;

/** Numbers in a state's scores. */
export const scoreCount = (p: AccuracyPrefix): number => p.scores.reduce((a: number, s: number | number[]) => a + (typeof s === 'number' ? 1 : s.length), 0);

export class ExactPrefixes {
  private readonly map = new Map<string, { p: AccuracyPrefix; size: number }>();
  private held = 0;

  constructor(private readonly budget = EXACT_SCORES_KEPT) {}

  private static key(configuration: string, examples: number): string {
    return `${configuration}\n${examples}`;
  }

  /** Keeps `p` as the state of `configuration` (a prefix key, dse/evaluate.ts prefixKey) on its examples. */
  keep(configuration: string, p: AccuracyPrefix): void {
    const k = ExactPrefixes.key(configuration, p.examples);
    this.drop(k);
    const size = scoreCount(p);
    this.map.set(k, { p, size });
    this.held += size;
    while (this.held > this.budget && this.map.size > 1) this.drop(this.map.keys().next().value!);
  }

  /** The state of `configuration` on `examples`, if kept (and then the most recently used). */
  get(configuration: string, examples: number): AccuracyPrefix | undefined {
    const k = ExactPrefixes.key(configuration, examples);
    const e = this.map.get(k);
    if (!e) return undefined;
    this.map.delete(k);
    this.map.set(k, e);
    return e.p;
  }

  get size(): number {
    return this.map.size;
  }

  private drop(k: string): void {
    const e = this.map.get(k);
    if (!e) return;
    this.map.delete(k);
    this.held -= e.size;
  }
}
