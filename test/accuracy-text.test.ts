/**
 * `accuracy`'s text gives a perplexity with 3 decimals (as `--context` and sim/nn/README's tables):
 * with 2, settings within 0.15% of each other printed the same number (sotu-char-alibi dense 3.295
 * and 2× pruning 3.297 both as 3.30). An accuracy keeps its percentage with 2 decimals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatText } from '../dse/commands/accuracy.ts';

const measured = { tokenKeepPerLayer: [1, 0.5], headKeepPerLayer: [1, 1], valueKeepPerLayer: [1, 1], refetchPerLayer: [0, 0] };
const result = (metric: 'accuracy' | 'perplexity', value: number, ci95: [number, number]) =>
  ({ metric, value, n: 64, ci95, lsbRefetchFraction: 0, measured, trace: { requests: [] }, cacheKey: 'k' }) as unknown as Parameters<typeof formatText>[1];

test('perplexity: 3 decimals, so 3.295 and 3.297 differ; accuracy: a percentage with 2', () => {
  const a = formatText({ model: 'm' }, result('perplexity', 3.2951, [3.0104, 3.6449])).split('\n')[0];
  const b = formatText({ model: 'm' }, result('perplexity', 3.2969, [3.0121, 3.6468])).split('\n')[0];
  assert.equal(a, 'm: perplexity 3.295 (95% CI 3.010 – 3.645), n=64');
  assert.equal(b, 'm: perplexity 3.297 (95% CI 3.012 – 3.647), n=64');
  assert.equal(formatText({ model: 'm' }, result('accuracy', 0.979321, [0.96971, 0.98604])).split('\n')[0], 'm: accuracy 97.93% (95% CI 96.97% – 98.60%), n=64');
  // the per-layer line: (1 + 0.5) / 2 = 0.75 kept over all layers, 1 / 0.75 = 1.33× fewer
  assert.equal(formatText({ model: 'm' }, result('perplexity', 4, [3, 5])).split('\n')[1], '  tokens kept per layer  1.000 0.500 (all layers 0.750: 1.33× fewer)');
});
