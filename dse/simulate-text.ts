/**
 * Lines of `simulate`'s text output that say which pruning and quantization priced the point: the
 * algo settings, and with `--accuracy` what the accuracy engine measured in their place.
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
