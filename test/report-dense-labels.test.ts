/**
 * A constraint resolved from one written relative to the dense model is named the same way on
 * every page that names it: the run's report, the accuracy-rung note and the comparison of runs
 * (reports/axes.ts constraintLabel); a comparison of runs that resolved the same written
 * constraint with different dense values says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { incomparable, type NamedRun } from '../reports/compare.ts';
import { subsetFeasibilityNote } from '../reports/rung-notes.ts';

/** A run.json whose "accuracy >= dense - 0.01" was resolved with `dense`. */
function resolvedRun(dense: number): RunJson {
  const bound = Number((dense - 0.01).toPrecision(12));
  return {
    name: 'r',
    space: { workload: { model: 'bert-base' }, accuracy: { model: 'spam-bert', maxExamples: 64 } },
    parameters: [],
    objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }],
    constraints: [`accuracy >= ${bound}`],
    fidelity: 'analytical',
    denseReference: { metric: 'accuracy', value: dense, ci95: [dense - 0.05, dense], n: 64, accuracy: { model: 'spam-bert' }, constraints: [{ written: 'accuracy >= dense - 0.01', resolved: `accuracy >= ${bound}` }] },
  } as unknown as RunJson;
}

test('the accuracy-rung note names a resolved constraint by what was written and the dense value', () => {
  const run = resolvedRun(0.984375);
  const p: PointRow = { id: 3, params: {}, metrics: { accuracy: 0.96875, accuracy_ci_low: 0.89, accuracy_ci_high: 0.99 }, feasible: false, pareto: false, status: 'ok', error: '', fidelity: 'analytical+accuracy:subset(n=32)' };
  const note = subsetFeasibilityNote(run, [p]);
  assert.ok(note?.includes('reaches "accuracy >= dense - 0.01 (dense 98.44 %): accuracy >= 0.974375"'), `note: ${note}`);
});

test('comparing runs names resolved constraints by their labels and says when the dense values differ', () => {
  const runs: NamedRun[] = [
    { label: 'A', run: resolvedRun(0.984375) },
    { label: 'B', run: resolvedRun(0.96875) },
  ];
  const apart = incomparable(runs);
  const line = apart.find((a) => a.startsWith('different constraints'));
  assert.ok(line !== undefined, `a constraints line: ${apart.join(' | ')}`);
  assert.ok(line.includes('A: accuracy >= dense - 0.01 (dense 98.44 %): accuracy >= 0.974375'), `A's label: ${line}`);
  assert.ok(line.includes('B: accuracy >= dense - 0.01 (dense 96.88 %): accuracy >= 0.95875'), `B's label: ${line}`);
  assert.ok(line.includes('("accuracy >= dense - 0.01" was resolved with a different dense value in each run: 98.44 %, 96.88 %)'), `the disagreement: ${line}`);

  // the same dense value on both sides: the same problem, nothing to flag
  assert.deepEqual(incomparable([{ label: 'A', run: resolvedRun(0.984375) }, { label: 'B', run: resolvedRun(0.984375) }]), [], 'same dense value: comparable');
});
