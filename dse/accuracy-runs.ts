/** The accuracy engine's runs of a configuration (sim/nn/api.ts): their keys, the outcome cache and the run states (prefixes) a later run continues. */
import { BroadcastChannel } from 'node:worker_threads';
import { stableStringify } from '../core/stable-json.ts';
import type { AlgoConfig } from '../sim/schema.ts';
import type { AccuracyPrefix, OnBatch } from '../sim/nn/api.ts';
import { mapByDepth, type WorkloadOverrides } from '../sim/workload/build.ts';
import type { Space } from './space.ts';
import { denseAlgo, type DenseReference } from './dense-reference.ts';
import { ExactPrefixes } from './exact-prefixes.ts';

export interface AccuracyOutcome {
  metric: 'accuracy' | 'perplexity';
  value: number;
  ci95: [number, number];
  n: number;
  lsbRefetchFraction: number;
  overrides: WorkloadOverrides;
  /**
   * The run's final state (sim/nn/api.ts AccuracyPrefix), returned with a point whose task did not
   * carry the outcome: a later, larger run of the configuration (the next rung) continues from it.
   * The executor keeps it apart from the outcome and journals it in a scores record of its own
   * (`extra.accuracyPrefix`, keyed without the seed: dse/accuracy-outcomes.ts).
   */
  prefix?: AccuracyPrefix;
}

// Accuracy runs depend only on the algorithm config (and the checkpoint/data): hardware knobs
// never trigger a re-run.
const accuracyCache = new Map<string, Promise<AccuracyOutcome>>();

/**
 * Algorithm fields the accuracy engine does not read: the LSB refetch fraction, which it measures,
 * and the FC/FFN weight width of the hardware's e2e scope (it runs the checkpoint's float weights).
 * Configurations that differ only in them share one accuracy run; `accuracy --set` refuses them
 * (dse/commands/accuracy.ts inertReason).
 */
export const ENGINE_IGNORED_ALGO = ['lsbRefetchFraction', 'fcWeightBits'] as const satisfies readonly (keyof AlgoConfig)[];

/**
 * The accuracy cache's key: what the accuracy engine sees of the spec (model, examples, seed — not
 * `subsetExamples`, the search's first rung, which runs under its own maxExamples), the algorithm
 * fields it sees (the rest only change the hardware side) and the target depth. With the subset
 * size in it, a run's final context (a report highlight's breakdown) missed the outcomes its last
 * rung had computed under the same examples, and ran the model again.
 */
export function accuracyKey(spec: NonNullable<Space['accuracy']>, algo: AlgoConfig, targetLayers: number): string {
  const a: Partial<AlgoConfig> = { ...algo };
  for (const k of ENGINE_IGNORED_ALGO) delete a[k];
  const { subsetExamples: _subset, ...engine } = spec;
  return JSON.stringify([engine, a]) + `|${targetLayers}`;
}

/**
 * The key of a configuration's accuracy runs whatever their example count and seed: what a prefix
 * continues (`runAccuracy` `from`). The seed changes no per-example score (sim/nn/api.ts
 * prefixKeyOf), so a run of one seed continues or completes another's.
 */
export function prefixKey(spec: NonNullable<Space['accuracy']>, algo: AlgoConfig): string {
  const { maxExamples: _n, seed: _seed, ...rest } = spec;
  return accuracyKey(rest, algo, 0);
}

/**
 * What identifies a configuration's per-example scores (a complete run's prefix): the accuracy
 * block without its seed and the algorithm fields the engine reads, as stable JSON. The executor
 * journals a run's final state under it (dse/accuracy-outcomes.ts), so a run of another seed
 * recomputes the CI from those scores instead of running the model again.
 */
export function scoresKey(spec: NonNullable<Space['accuracy']>, algo: AlgoConfig): string {
  const a: Partial<AlgoConfig> = { ...algo };
  for (const k of ENGINE_IGNORED_ALGO) delete a[k];
  const { subsetExamples: _subset, seed: _seed, ...engine } = spec;
  return stableStringify({ accuracy: engine, algo: a });
}

/**
 * The largest prefix of each configuration this process computed or was given, apart from the
 * outcome cache (which is unbounded: an LM's prefix is ~40 KB as JSON, 39 KB for 64 sotu-char
 * windows); a miss only costs a run from the first example.
 */
const prefixes = new Map<string, AccuracyPrefix>();

/**
 * Each run's own final state, by configuration and example count: an outcome the cache serves (a
 * second run in the process) carries the scores of its examples, as the run that computed it did.
 * `prefixes` holds a configuration's largest state only, which, once a later rung ran, has other
 * examples than an earlier rung's cached outcome.
 */
const exact = new ExactPrefixes();

/** The state of a configuration's run on `n` examples, if this process ran it (or was given it) and still keeps it. */
export function exactPrefix(spec: NonNullable<Space['accuracy']>, algo: AlgoConfig, n: number): AccuracyPrefix | undefined {
  return exact.get(prefixKey(spec, algo), n);
}

/** Keeps `p` under `key` in `map` unless a larger prefix is there (then false); at most `cap` entries (the oldest go first). */
export function keepLargestPrefix(map: Map<string, AccuracyPrefix>, key: string, p: AccuracyPrefix, cap: number): boolean {
  if ((map.get(key)?.examples ?? -1) >= p.examples) return false;
  map.delete(key);
  map.set(key, p);
  if (map.size > cap) map.delete(map.keys().next().value!);
  return true;
}

/**
 * The accuracy outcome of a configuration: `known` when given (another worker's), else from this
 * process's cache, else a run — continuing from `from` (or the largest prefix this process has) when
 * that is a prefix of it. `onBatch`: the engine's per-batch callback, for a run this call starts.
 */
export async function runAccuracy(spec: NonNullable<Space['accuracy']>, algo: AlgoConfig, targetLayers: number, known?: AccuracyOutcome, from?: AccuracyPrefix, onBatch?: OnBatch): Promise<AccuracyOutcome> {
  const key = accuracyKey(spec, algo, targetLayers);
  // an outcome another worker computed for the same key: the same numbers (runs are deterministic).
  // Used, not cached: this process has no scores for it, and a later task without it (the next run
  // a queue worker serves) must come back with the scores of its examples (`exactPrefix`), which
  // the paired rule of the accuracy rungs compares; that task runs the model.
  if (known) return known;
  let p = accuracyCache.get(key);
  if (!p) {
    p = (async () => {
      const api = await import('../sim/nn/api.ts');
      const pk = prefixKey(spec, algo);
      if (from) keepLargestPrefix(prefixes, pk, from, 256);
      const r = await api.measureAccuracy({ model: spec.model, maxExamples: spec.maxExamples, seed: spec.seed }, algo, prefixes.get(pk), onBatch);
      keepLargestPrefix(prefixes, pk, r.prefix, 256);
      exact.keep(pk, r.prefix);
      const m = r.measured;
      const overrides: WorkloadOverrides = {
        tokenKeepPerLayer: mapByDepth(m.tokenKeepPerLayer, targetLayers),
        headKeepPerLayer: mapByDepth(m.headKeepPerLayer, targetLayers),
        valueKeepPerLayer: mapByDepth(m.valueKeepPerLayer, targetLayers),
        refetchPerLayer: mapByDepth(m.refetchPerLayer, targetLayers),
      };
      return { metric: r.metric, value: r.value, ci95: r.ci95, n: r.n, lsbRefetchFraction: r.lsbRefetchFraction, overrides };
    })();
    accuracyCache.set(key, p);
    p.catch(() => accuracyCache.delete(key));
  }
  return p;
}

/**
 * The dense model's outcome under an accuracy block (dse/dense-reference.ts), mapped onto a target
 * of `targetLayers` as a point's is. The block travels as `{ accuracy }`, as in a point's context:
 * a queue job then makes its relative checkpoint folder absolute and a worker checks its files
 * (dse/backends/queue-task.ts, queue-worker.ts checkpointIssue). `from`: a run state of the dense
 * configuration (journaled scores, dse/steps/dense.ts); the final state comes back as `prefix`.
 * `progress`: where the engine's per-batch counts go (`DenseProgress`; the executor adds it).
 */
export async function denseOutcome({ accuracy }: { accuracy: NonNullable<Space['accuracy']> }, targetLayers: number, from?: AccuracyPrefix, progress?: DenseProgress): Promise<DenseReference & { prefix?: AccuracyPrefix }> {
  const r = await runAccuracy(accuracy, denseAlgo(), targetLayers, undefined, from, batchReporter(progress));
  const prefix = exactPrefix(accuracy, denseAlgo(), r.n);
  return { metric: r.metric, value: r.value, ci95: r.ci95, n: r.n, ...(prefix ? { prefix } : {}) };
}

/**
 * Where the dense run reports its batches: a callback on the thread that runs it, or the name of a
 * BroadcastChannel when it runs on a pool worker (a function cannot travel to a worker thread; the
 * executor listens on the channel and prints, dse/dense-progress.ts).
 */
export type DenseProgress = OnBatch | { channel: string };

/** The engine's per-batch callback for a `DenseProgress`; undefined without one. */
function batchReporter(progress: DenseProgress | undefined): OnBatch | undefined {
  if (progress === undefined || typeof progress === 'function') return progress;
  const ch = new BroadcastChannel(progress.channel);
  return (done, total) => {
    ch.postMessage([done, total]);
    // the last batch: the channel closes after its message is sent (a closed channel keeps no worker alive)
    if (done >= total) ch.close();
  };
}

/** Loads the accuracy model and its evaluation inputs of `accuracy` (a pool worker's warm-up task, dse/pool.ts `warm`). */
export async function warmAccuracy({ accuracy }: { accuracy: NonNullable<Space['accuracy']> }): Promise<void> {
  await (await import('../sim/nn/api.ts')).warmAccuracy({ model: accuracy.model, maxExamples: accuracy.maxExamples });
}
