/**
 * What the executor (dse/executor.ts) knows of accuracy runs, so no task runs the model for what a
 * worker, a journal or an earlier rung already gave:
 * - each configuration's outcome, by accuracyKeyOf. Each worker caches only its own runs, so a
 *   later task of a configuration evaluated elsewhere (its next hardware point, a re-score, a
 *   highlight's breakdown) carries the outcome instead of running the model again;
 * - each configuration's largest run state (prefix), by accuracyPrefixKeyOf, bounded: the first task
 *   of the configuration in a larger rung carries it, and the model runs only the examples the
 *   smaller rung did not. A prefix is journaled with the point that brought it (`extra.accuracyPrefix`),
 *   so a resumed run continues an interrupted rung from the previous rung's examples too.
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
   * Keeps a returned point's outcome and prefix, and returns the point without them, the outcome
   * when it is the first of its configuration here, and the prefix when it is the largest of its
   * configuration here: both go into the point's journal record, so a rerun or resume knows the
   * outcome without running the model and continues a larger rung from the prefix (`fromRecord`).
   */
  take(ctx: EvalContext, p: EvaluatedPoint): [EvaluatedPoint, AccuracyOutcome | undefined, AccuracyPrefix | undefined] {
    if (!p.accuracyOutcome) return [p, undefined, undefined];
    const { accuracyOutcome: { prefix, ...outcome }, ...point } = p;
    const pk = prefix ? accuracyPrefixKeyOf(ctx, point.params) : undefined;
    const kept = prefix && pk !== undefined && keepLargestPrefix(this.prefixes, pk, prefix, PREFIXES_KEPT) ? prefix : undefined;
    const k = accuracyKeyOf(ctx, point.params);
    if (k === undefined || this.outcomes.has(k)) return [point, undefined, kept];
    this.outcomes.set(k, outcome);
    return [point, outcome, kept];
  }

  /** A journal record's outcome and prefix (written by the executor's `toRecord`), kept as a worker's would be. */
  fromRecord(ctx: EvalContext, params: Params, r: JournalRecord): void {
    const extra = r.extra as { accuracy?: AccuracyOutcome; accuracyPrefix?: AccuracyPrefix } | undefined;
    const acc = extra?.accuracy;
    const k = acc ? accuracyKeyOf(ctx, params) : undefined;
    if (acc && k !== undefined && !this.outcomes.has(k)) this.outcomes.set(k, acc);
    const prefix = extra?.accuracyPrefix;
    // a malformed prefix is dropped here; the engine also checks it against its own run before continuing it
    if (!prefix || !Number.isInteger(prefix.examples) || !Array.isArray(prefix.scores)) return;
    const pk = accuracyPrefixKeyOf(ctx, params);
    if (pk !== undefined) keepLargestPrefix(this.prefixes, pk, prefix, PREFIXES_KEPT);
  }
}
