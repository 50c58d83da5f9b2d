/** The highlighted points table: the objectives the points were picked on come first, before the other metrics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Highlight, RunJson } from '../core/results.ts';
import { highlightTable } from '../reports/run-sections.ts';

test('highlighted points table: objective columns first (perplexity before latency, energy and the rest), each metric once', () => {
  const h = { id: 5, label: 'knee', params: { a: 1 }, metrics: { latency_s: 1.2e-3, energy_j: 0.0183, area_mm2: 17.5, perplexity: 5.008, perplexity_ci_low: 4.6, perplexity_ci_high: 5.5 }, stages: {}, energy: {}, area: {} } as unknown as Highlight;
  // run.json lists the metrics hardware first, perplexity after them (as the default sweep's does)
  const run = {
    parameters: ['a'], metrics: ['latency_s', 'energy_j', 'area_mm2', 'perplexity', 'perplexity_ci_low', 'perplexity_ci_high'],
    objectives: [{ metric: 'perplexity', goal: 'min' }, { metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }], highlights: [h],
  } as unknown as RunJson;
  const heads = [...highlightTable(run, ['a']).matchAll(/<span title="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(heads, ['a', 'perplexity', 'latency_s', 'energy_j', 'area_mm2']);
});
