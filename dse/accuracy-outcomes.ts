/**
 * What the executor (dse/executor.ts) knows of accuracy runs, so no task runs the model for what a
 * worker, a journal or an earlier rung already gave:
 * - each configuration's outcome, by accuracyKeyOf. Each worker caches only its own runs, so a
 *   later task of a configuration evaluated elsewhere (its next hardware point, a re-score, a
 *   highlight's breakdown) carries the outcome instead of running the model again;
 * - each configuration's largest run state (prefix: per-example scores and counters), by
 *   accuracyPrefixKeyOf (whatever the seed), bounded: the first task of the configuration in a
 *   larger rung carries it, and the model runs only the examples the smaller rung did not. A task
 *   whose state holds all its examples runs no model at all: a run of another `accuracy.seed`
 *   recomputes the perplexity CI from the scores. A new largest state is journaled as a record of
 *   its own keyed by the configuration's scores (accuracyScoresKeyOf: no seed, the example count;
 *   `scoresRecord`), which the look-up finds in this folder's journal and the --reuse folders', so a resumed run continues an interrupted rung from the previous rung's examples,
 *   and a run of another seed (the same folder, or --reuse) completes from the scores it finds.
 */
import type { Params } from './driver.ts';
import { accuracyKeyOf, accuracyPrefixKeyOf, accuracyScoresKeyOf, type EvalContext, type EvaluatedPoint } from './evaluate.ts';
import { keepLargestPrefix, scoresKey, type AccuracyOutcome } from './accuracy-runs.ts';
import { denseAlgo } from './dense-reference.ts';
import { ACCURACY_SCORES_RECORD, journalKeyFast, stableStringify, type JournalRecord, type KeyInputs } from './journal.ts';
import { modelVersion } from './model-version.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';
import { modelHash } from '../sim/nn/checkpoint-hash.ts';

/** Prefixes kept (an LM's is ~40 KB as JSON, 39 KB for 64 sotu-char windows): a miss only means a run from the first example. */
const PREFIXES_KEPT = 1024;
/** Scores keys already looked up in the journals (a miss is not looked up again): bounded, cleared when full. */
const LOOKUPS_KEPT = 65536;

/** A journal record by key (this folder's, else a --reuse folder's). */
export type JournalLookup = (key: string, inputs: KeyInputs) => JournalRecord | undefined;

type Spec = NonNullable<EvalContext['accuracy']>;

/** The journal key (and what it is computed from) of a configuration's scores record: its scores key (`accuracyScoresKeyOf`) and its checkpoint's content hash. */
function scoresInputs(key: string, model: string): KeyInputs & { key: string } {
  const inputs = { params: {}, modelVersion: modelVersion(), fidelity: ACCURACY_SCORES_RECORD, material: stableStringify({ scores: key, checkpoint: modelHash(model) }) };
  return { ...inputs, key: journalKeyFast(inputs.params, inputs.modelVersion, inputs.fidelity, inputs.material) };
}

function record(key: string, model: string, prefix: AccuracyPrefix): JournalRecord {
  const { key: k, modelVersion: mv, fidelity } = scoresInputs(key, model);
  return { key: k, id: -1, params: {}, fidelity, modelVersion: mv, status: 'ok', metrics: {}, violation: 0, extra: { accuracyPrefix: prefix } };
}

/** The scores record of a point's configuration under `ctx`'s example count: the run state, keyed without the seed (ctx has an accuracy block). */
export function scoresRecord(ctx: EvalContext, params: Params, prefix: AccuracyPrefix): JournalRecord {
  return record(accuracyScoresKeyOf(ctx, params)!, ctx.accuracy!.model, prefix);
}

/** The scores record of the dense configuration under an accuracy block (dse/steps/dense.ts). */
export function denseScoresRecord(spec: Spec, prefix: AccuracyPrefix): JournalRecord {
  return record(scoresKey(spec, denseAlgo()), spec.model, prefix);
}

/** A record's `extra.accuracyPrefix` when it has the shape of a run state (the engine checks it again against its own run before continuing it). */
function journaledPrefix(r: JournalRecord | undefined): AccuracyPrefix | undefined {
  const p = (r?.extra as { accuracyPrefix?: AccuracyPrefix } | undefined)?.accuracyPrefix;
  return p && typeof p.key === 'string' && Number.isInteger(p.examples) && Array.isArray(p.scores) && !!p.counters && typeof p.counters === 'object' ? p : undefined;
}

export class AccuracyOutcomes {
  private readonly outcomes = new Map<string, AccuracyOutcome>();
  private readonly prefixes = new Map<string, AccuracyPrefix>();
  private readonly looked = new Set<string>();
  /** Configurations (accuracyKeyOf) whose outcome here was computed from saved scores (`take`). */
  private readonly scored = new Set<string>();
  /**
   * Points whose accuracy came from saved per-example scores without a forward pass: the first
   * point of a configuration whose task was given a state holding all its examples (another seed's
   * journaled scores, this folder's or a --reuse folder's) and took it, and the configuration's
   * later points, which carry that outcome (`take`).
   */
  fromScores = 0;

  /** `journal`: where scores records are looked up (without it only what workers return is known). */
  constructor(private readonly journal?: JournalLookup) {}

  /** The journaled run state of the dense configuration under an accuracy block, if any. */
  denseScores(spec: Spec): AccuracyPrefix | undefined {
    return this.lookup(scoresKey(spec, denseAlgo()), spec.model);
  }

  /** The journaled run state under a scores key, if any. */
  private lookup(key: string, model: string): AccuracyPrefix | undefined {
    if (!this.journal) return undefined;
    const { key: k, ...inputs } = scoresInputs(key, model);
    return journaledPrefix(this.journal(k, inputs));
  }

  /** The outcome of a point's configuration, if known. */
  known(ctx: EvalContext, params: Params): AccuracyOutcome | undefined {
    const k = this.outcomes.size > 0 ? accuracyKeyOf(ctx, params) : undefined;
    return k === undefined ? undefined : this.outcomes.get(k);
  }

  /** The largest prefix of a point's configuration a worker returned or a journal holds (under the context's example count), if any. */
  prefix(ctx: EvalContext, params: Params): AccuracyPrefix | undefined {
    this.fromJournal(ctx, params);
    const k = this.prefixes.size > 0 ? accuracyPrefixKeyOf(ctx, params) : undefined;
    return k === undefined ? undefined : this.prefixes.get(k);
  }

  /**
   * Keeps a returned point's outcome and prefix, and returns the point without them, the outcome
   * when it is the first of its configuration here, and the prefix when it is the largest of its
   * configuration here: the outcome goes into the point's journal record, the prefix into a scores
   * record of its own, so a rerun or resume knows the outcome without running the model and
   * continues a larger rung, or completes another seed's run, from the prefix. `from`: the state
   * the point's task was given; when it held all the point's examples and the engine took it (its
   * returned state is of the same configuration and size), the configuration's points count in
   * `fromScores`.
   */
  take(ctx: EvalContext, p: EvaluatedPoint, from?: AccuracyPrefix): [EvaluatedPoint, AccuracyOutcome | undefined, AccuracyPrefix | undefined] {
    if (!p.accuracyOutcome) {
      // a point of a chunk whose task carried the outcome (dse/tasks.ts evaluateMany) comes back without it
      if (this.scored.size > 0 && p.status === 'ok' && this.scored.has(accuracyKeyOf(ctx, p.params) ?? '')) this.fromScores++;
      return [p, undefined, undefined];
    }
    const { accuracyOutcome: { prefix, ...outcome }, ...point } = p;
    const pk = prefix ? accuracyPrefixKeyOf(ctx, point.params) : undefined;
    const kept = prefix && pk !== undefined && keepLargestPrefix(this.prefixes, pk, prefix, PREFIXES_KEPT) ? prefix : undefined;
    const k = accuracyKeyOf(ctx, point.params);
    if (k !== undefined) {
      if (from && prefix && prefix.key === from.key && from.examples === outcome.n && !this.outcomes.has(k)) this.scored.add(k);
      if (this.scored.has(k)) this.fromScores++;
    }
    if (k === undefined || this.outcomes.has(k)) return [point, undefined, kept];
    this.outcomes.set(k, outcome);
    return [point, outcome, kept];
  }

  /** A journal record's outcome (written by the executor's `toRecord`), kept as a worker's would be, with its configuration's journaled scores. */
  fromRecord(ctx: EvalContext, params: Params, r: JournalRecord): void {
    const acc = (r.extra as { accuracy?: AccuracyOutcome } | undefined)?.accuracy;
    const k = acc ? accuracyKeyOf(ctx, params) : undefined;
    if (!acc || k === undefined) return;
    if (!this.outcomes.has(k)) this.outcomes.set(k, acc);
    // the configuration's first record here: its scores under this context's example count (a
    // resumed run's next rung continues them)
    this.fromJournal(ctx, params);
  }

  /** Looks the configuration's scores under `ctx`'s example count up in the journals, once per run. */
  private fromJournal(ctx: EvalContext, params: Params): void {
    if (!this.journal || !ctx.accuracy) return;
    const sk = accuracyScoresKeyOf(ctx, params)!;
    if (this.looked.has(sk)) return;
    if (this.looked.size >= LOOKUPS_KEPT) this.looked.clear();
    this.looked.add(sk);
    const prefix = this.lookup(sk, ctx.accuracy.model);
    const pk = prefix ? accuracyPrefixKeyOf(ctx, params) : undefined;
    if (prefix && pk !== undefined) keepLargestPrefix(this.prefixes, pk, prefix, PREFIXES_KEPT);
  }
}
