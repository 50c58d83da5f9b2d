/**
 * simulate --accuracy's `measured` line (dse/simulate-text.ts measuredText) names what the accuracy
 * run replaced: with no per-layer series it printed "…in place of the algo line's keep ratios:
 * (means per layer)" — an empty list under a claim that nothing backed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measuredText } from '../dse/simulate-text.ts';
import { AlgoSchema } from '../sim/schema.ts';
import type { AccuracyOutcome } from '../dse/accuracy-runs.ts';

const outcome = (overrides: AccuracyOutcome['overrides'], lsbRefetchFraction = 0.0625): AccuracyOutcome =>
  ({ metric: 'perplexity', value: 4.4, ci95: [4.3, 4.5], n: 4, lsbRefetchFraction, overrides }) as AccuracyOutcome;
const algo = (o: Record<string, number> = {}) => AlgoSchema.parse(o);

test('no per-layer series, no LSB refetch: says the algo line stands, no empty list', () => {
  const t = measuredText(outcome({}), algo(), 'sotu-char');
  assert.equal(t, "measured  by sotu-char on 4 examples: no per-layer pruning series, so the algo line's settings drive the hardware model");
});

test('no per-layer series with LSB refetch: only the refetch fraction is replaced', () => {
  const t = measuredText(outcome({}), algo({ msbBits: 6, lsbBits: 4 }), 'sotu-char');
  assert.equal(t, "measured  by sotu-char on 4 examples, driving the hardware model in place of the algo line's lsbRefetchFraction: LSB refetch fraction 0.0625");
});

test('all three series: the keep ratios, with their means (0.5 and 1 → 0.750)', () => {
  const t = measuredText(outcome({ tokenKeepPerLayer: [1, 0.5], headKeepPerLayer: [1, 1], valueKeepPerLayer: [0.5, 0.25] }), algo(), 'spam-bert');
  assert.equal(t, "measured  by spam-bert on 4 examples, driving the hardware model in place of the algo line's keep ratios: tokens kept 0.750, heads kept 1.000, values kept 0.375 (means per layer)");
});

test('only the token series: only tokenKeep is named as replaced', () => {
  const t = measuredText(outcome({ tokenKeepPerLayer: [1, 0.5, 0.3] }), algo({ msbBits: 6, lsbBits: 4 }), 'sotu-char');
  assert.equal(t, "measured  by sotu-char on 4 examples, driving the hardware model in place of the algo line's tokenKeep and lsbRefetchFraction: tokens kept 0.600 (means per layer), LSB refetch fraction 0.0625");
});
