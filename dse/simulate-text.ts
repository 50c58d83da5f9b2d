/**
 * What of `simulate`'s output says which pruning and quantization priced the point: the text's algo
 * line, and with `--accuracy` what the accuracy engine measured in their place (the text's
 * `measured` line, the JSON's `measured_pruning`).
 */
import { defaultAlgo, type AlgoConfig } from '../sim/schema.ts';
import type { AccuracyOutcome } from './evaluate.ts';

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

/**
 * With `--accuracy`: the pruning the accuracy engine measured, which drives the hardware model in
 * place of the algo line's keep ratios and refetch fraction (means over the target's layers, as
 * mapped by depth; the refetch fraction is the engine's, over its generation-stage head requests).
 */
export function measuredText(acc: AccuracyOutcome, algo: AlgoConfig, model: string): string {
  const o = acc.overrides;
  const parts = [
    ['tokens kept', mean(o.tokenKeepPerLayer)],
    ['heads kept', mean(o.headKeepPerLayer)],
    ['values kept', mean(o.valueKeepPerLayer)],
  ].flatMap(([label, v]) => (v === undefined ? [] : [`${label} ${(v as number).toFixed(3)}`]));
  const refetch = algo.lsbBits > 0 ? `, LSB refetch fraction ${acc.lsbRefetchFraction.toFixed(4)}` : '';
  const replaced = algo.lsbBits > 0 ? 'keep ratios and lsbRefetchFraction' : 'keep ratios';
  return `measured  by ${model} on ${acc.n} examples, driving the hardware model in place of the algo line's ${replaced}: ${parts.join(', ')} (means per layer)${refetch}`;
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
