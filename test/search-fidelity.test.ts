import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Objective } from '../dse/driver.ts';
import { objectiveIntervals, promotable } from '../dse/fidelity.ts';

const OBJ: Objective[] = [
  { metric: 'latency_s', goal: 'min' },
  { metric: 'accuracy', goal: 'max' },
];
const pt = (latency: number, acc: number, ci?: [number, number]) => ({
  status: 'ok',
  metrics: { latency_s: latency, accuracy: acc, ...(ci ? { accuracy_ci_low: ci[0], accuracy_ci_high: ci[1] } : {}) },
});

test('zero-width intervals: promoted = the Pareto front', () => {
  const pts = [pt(1, 0.8), pt(2, 0.9), pt(3, 0.85), pt(1.5, 0.7), pt(4, 0.95)];
  assert.deepEqual(promotable(pts, OBJ, pts.map(() => true)), [0, 1, 4]);
});

test('confidence intervals keep every point that could still reach the front', () => {
  const pts = [
    pt(1, 0.8, [0.78, 0.82]),
    pt(2, 0.9, [0.88, 0.92]),
    pt(3, 0.86, [0.8, 0.93]), // dominated at its estimate, but its CI reaches above 0.9's pessimistic 0.88
    pt(3, 0.7, [0.68, 0.72]), // hopeless
    pt(1.5, 0.79, [0.74, 0.84]), // could beat point 0's pessimistic accuracy (0.78)
  ];
  assert.deepEqual(promotable(pts, OBJ, pts.map(() => true)), [0, 1, 2, 4]);
  const iv = objectiveIntervals(pts[2].metrics, OBJ);
  assert.deepEqual(iv[1], { lo: -0.93, hi: -0.8 });
});

test('infeasible and failed points are never promoted', () => {
  const pts = [pt(1, 0.8), { status: 'failed', metrics: { latency_s: NaN, accuracy: NaN } }, pt(0.5, 0.99)];
  assert.deepEqual(promotable(pts, OBJ, [true, true, false]), [0]);
});
