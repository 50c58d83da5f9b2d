/**
 * What the executor (dse/executor.ts) knows of accuracy runs, so no task runs the model for what a
 * worker, a journal or an earlier rung already gave:
 * - each configuration's outcome, by accuracyKeyOf. Each worker caches only its own runs, so a
 *   later task of a configuration evaluated elsewhere (its next hardware point, a re-score, a
 *   highlight's breakdown) carries the outcome instead of running the model again;
 * - each configuration's largest run state (prefix), by accuracyPrefixKeyOf, bounded: the first task
 *   of the configuration in a larger rung carries it, and the model runs only the examples the
 *   smaller rung did not.
 */
import type { Params } from './driver.ts';
import { accuracyKeyOf, accuracyPrefixKeyOf, keepLargestPrefix, type AccuracyOutcome, type EvalContext, type EvaluatedPoint } from './evaluate.ts';
import type { JournalRecord } from './journal.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';

/** Prefixes kept (an LM's is ~16 KB): a miss only means a run from the first example. */
const PREFIXES_KEPT = 1024;

export class AccuracyOutcomes {
  private readonly outcomes = new Map<string, AccuracyOutcome>();
  private readonly prefixes = new Map<string, AccuracyPrefix>();

  /** The outcome of a point's configuration, if known. */
  known(ctx: EvalContext, params: Params): AccuracyOutcome | undefined {
    const k = this.outcomes.size > 0 ? accuracyKeyOf(ctx, params) : undefined;
    return k === undefined ? undefined : this.outcomes.get(k);
  }

  /** The largest prefix a worker returned for a point's configuration, if any. */
  prefix(ctx: EvalContext, params: Params): AccuracyPrefix | undefined {
    const k = this.prefixes.size > 0 ? accuracyPrefixKeyOf(ctx, params) : undefined;
    return k === undefined ? undefined : this.prefixes.get(k);
  }

  /**
   * Keeps a returned point's outcome and prefix, and returns the point without them, and the
   * outcome when it is the first of its configuration here (it goes into the point's journal
   * record, so a rerun or resume knows it without running the model: `fromRecord`).
   */
  take(ctx: EvalContext, p: EvaluatedPoint): [EvaluatedPoint, AccuracyOutcome | undefined] {
    if (!p.accuracyOutcome) return [p, undefined];
    const { accuracyOutcome: { prefix, ...outcome }, ...point } = p;
    const pk = prefix ? accuracyPrefixKeyOf(ctx, point.params) : undefined;
    if (prefix && pk !== undefined) keepLargestPrefix(this.prefixes, pk, prefix, PREFIXES_KEPT);
    const k = accuracyKeyOf(ctx, point.params);
    if (k === undefined || this.outcomes.has(k)) return [point, undefined];
    this.outcomes.set(k, outcome);
    return [point, outcome];
  }

  /** A journal record's outcome (written by the executor's `toRecord`), kept as a worker's would be. */
  fromRecord(ctx: EvalContext, params: Params, r: JournalRecord): void {
    const acc = (r.extra as { accuracy?: AccuracyOutcome } | undefined)?.accuracy;
    if (!acc) return;
    const k = accuracyKeyOf(ctx, params);
    if (k !== undefined && !this.outcomes.has(k)) this.outcomes.set(k, acc);
  }
}
