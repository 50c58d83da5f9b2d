/**
 * What of `simulate`'s output says which pruning and quantization priced the point: the text's algo
 * line, and with `--accuracy` what the accuracy engine measured in their place (the text's
 * `measured` line, the JSON's `measured_pruning`).
 */
import { defaultAlgo, type AlgoConfig } from '../sim/schema.ts';
import type { AccuracyOutcome } from './accuracy-runs.ts';

const mean = (xs: number[] | undefined) => (xs && xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

/**
 * The point's algo settings that differ from the schema defaults (a benchmark's and --set's). With
 * LSB refetch on (lsbBits > 0) the refetch fraction the hardware models price it with is named even
 * at its default: it is the number that sets the refetches' DRAM bytes and energy.
 */
export function algoText(algo: AlgoConfig): string {
  const def = defaultAlgo() as Record<string, unknown>;
  const shown = Object.entries(algo).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(def[k]) || (k === 'lsbRefetchFraction' && algo.lsbBits > 0));
  return shown.length ? shown.map(([k, v]) => `${k}=${v}`).join(' ') : 'defaults (no pruning, 12-bit K/V, no LSB refetch)';
}

/** The per-layer series an accuracy run may measure, each with the algo knob it replaces and its label. */
const SERIES = [
  ['tokenKeepPerLayer', 'tokenKeep', 'tokens kept'],
  ['headKeepPerLayer', 'headKeep', 'heads kept'],
  ['valueKeepPerLayer', 'valueKeep', 'values kept'],
] as const;

/**
 * With `--accuracy`: the pruning the accuracy engine measured, which drives the hardware model in
 * place of the algo line's keep ratios and refetch fraction (means over the target's layers, as
 * mapped by depth; the refetch fraction is the engine's, over its generation-stage head requests).
 * Only the series the engine gave replace their knob (sim/workload/build.ts: a missing series
 * leaves the algo schedule), so the line names those; with none and no LSB refetch it says so.
 */
export function measuredText(acc: AccuracyOutcome, algo: AlgoConfig, model: string): string {
  const o = acc.overrides;
  const got = SERIES.flatMap(([series, knob, label]) => {
    const v = mean(o[series]);
    return v === undefined ? [] : [{ knob, text: `${label} ${v.toFixed(3)}` }];
  });
  const refetch = algo.lsbBits > 0 ? [{ knob: 'lsbRefetchFraction', text: `LSB refetch fraction ${acc.lsbRefetchFraction.toFixed(4)}` }] : [];
  const head = `measured  by ${model} on ${acc.n} examples`;
  if (got.length + refetch.length === 0) return `${head}: no per-layer pruning series, so the algo line's settings drive the hardware model`;
  // all three series: "keep ratios"; else the knobs each series replaces
  const kept = got.length === SERIES.length ? ['keep ratios'] : got.map((g) => g.knob);
  const replaced = [kept.join(', '), ...refetch.map((r) => r.knob)].filter(Boolean).join(' and ');
  const means = got.length ? `${got.map((g) => g.text).join(', ')} (means per layer)` : '';
  return `${head}, driving the hardware model in place of the algo line's ${replaced}: ${[means, ...refetch.map((r) => r.text)].filter(Boolean).join(', ')}`;
}

/**
 * With `--accuracy --json`, the `measured_pruning` entry: the pruning the accuracy engine measured,
 * which the hardware model priced in place of the algo block's keep ratios and, with lsbBits > 0,
 * its lsbRefetchFraction (config.algo keeps the values as set). The per-layer series are the
 * workload model's layers, mapped by depth from the engine model's (sim/workload/build.ts
 * mapByDepth; `accuracy --json` gives the engine's own, under the same names); the refetch fraction
 * is the engine's, over its generation-stage head requests (the top-level lsb_refetch_fraction).
 */
export function measuredPruning(acc: AccuracyOutcome, model: string) {
  const o = acc.overrides;
  return {
    accuracyModel: model,
    n: acc.n,
    tokenKeepPerLayer: o.tokenKeepPerLayer,
    headKeepPerLayer: o.headKeepPerLayer,
    valueKeepPerLayer: o.valueKeepPerLayer,
    refetchPerLayer: o.refetchPerLayer,
    lsbRefetchFraction: acc.lsbRefetchFraction,
  };
}
