/** The column names derived from a metric (core/metric-columns.ts): what points.csv, run.json and serve's `tell` spell. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { ciColumn, ciColumns, ciMetricOf, isCiColumn, rescoreColumn } from '../core/metric-columns.ts';

test('a metric\'s CI columns are <metric>_ci_low and <metric>_ci_high', () => {
  assert.equal(ciColumn('accuracy', 'low'), 'accuracy_ci_low');
  assert.equal(ciColumn('perplexity', 'high'), 'perplexity_ci_high');
  assert.deepEqual(ciColumns('accuracy'), ['accuracy_ci_low', 'accuracy_ci_high']);
});

test('a CI column is recognised and traced back to its metric; other names are left as they are', () => {
  for (const [name, ci, metric] of [
    ['accuracy_ci_low', true, 'accuracy'],
    ['perplexity_ci_high', true, 'perplexity'],
    ['accuracy', false, 'accuracy'],
    ['cycle_latency_s', false, 'cycle_latency_s'],
    ['accuracy_ci_lower', false, 'accuracy_ci_lower'],
    ['accuracy_ci_low_x', false, 'accuracy_ci_low_x'],
  ] as const) {
    assert.equal(isCiColumn(name), ci, `isCiColumn(${name})`);
    assert.equal(ciMetricOf(name), metric, `ciMetricOf(${name})`);
  }
});

test('the re-scoring model\'s column of a metric is <model>_<metric>, and is no CI column', () => {
  assert.equal(rescoreColumn('cycle', 'latency_s'), 'cycle_latency_s');
  assert.equal(isCiColumn(rescoreColumn('cycle', 'energy_j')), false);
});
