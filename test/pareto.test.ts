import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dominates, hypervolume, nonDominatedSort, paretoMask, toMinVector } from '../core/pareto.ts';
import { createRng } from '../sim/rng.ts';

function bruteMask(v: number[][], feasible: boolean[]): boolean[] {
  return v.map((a, i) => feasible[i] && !v.some((b, j) => j !== i && feasible[j] && dominates(b, a)));
}

test('paretoMask equals brute force on random sets (2 and 3 objectives, ties, infeasible)', () => {
  const rng = createRng(42);
  for (let trial = 0; trial < 60; trial++) {
    const m = trial % 2 === 0 ? 2 : 3;
    const n = 5 + Math.floor(rng() * 80);
    // Coarse integer values force many ties and duplicates.
    const v = Array.from({ length: n }, () => Array.from({ length: m }, () => Math.floor(rng() * 8)));
    const feasible = v.map(() => rng() > 0.2);
    assert.deepEqual(paretoMask(v, feasible), bruteMask(v, feasible), `trial ${trial}`);
  }
});

test('duplicates on the front are all kept; a dominated duplicate is not', () => {
  const v = [[1, 2], [1, 2], [2, 1], [2, 2]];
  assert.deepEqual(paretoMask(v, [true, true, true, true]), [true, true, true, false]);
});

test('max goals are negated', () => {
  assert.deepEqual(toMinVector({ a: 3, b: 4 }, [{ metric: 'a', goal: 'min' }, { metric: 'b', goal: 'max' }]), [3, -4]);
  // Higher accuracy and lower latency: (0.9, 1) dominates (0.8, 2).
  const objs = [{ metric: 'accuracy', goal: 'max' as const }, { metric: 'latency_s', goal: 'min' as const }];
  assert.ok(dominates(toMinVector({ accuracy: 0.9, latency_s: 1 }, objs), toMinVector({ accuracy: 0.8, latency_s: 2 }, objs)));
});

test('non-dominated sort: fronts partition the points and respect constraint-domination', () => {
  const v = [[1, 5], [2, 2], [5, 1], [3, 3], [4, 4], [0, 0]];
  const viol = [0, 0, 0, 0, 0, 2]; // the ideal-looking point is infeasible
  const fronts = nonDominatedSort(v, viol);
  assert.deepEqual(fronts[0].sort(), [0, 1, 2]);
  assert.deepEqual(fronts[1], [3]);
  assert.deepEqual(fronts[2], [4]);
  assert.deepEqual(fronts[3], [5]);
});

test('hypervolume 2-D by hand', () => {
  // Points (1,3), (2,2), (3,1) with reference (4,4): staircase area = 3·1 + 2·1 + 1·1 = 6.
  assert.equal(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4]), 6);
  // A dominated point adds nothing; a point outside the reference box adds nothing.
  assert.equal(hypervolume([[1, 3], [2, 2], [3, 1], [3, 3], [5, 0]], [4, 4]), 6);
});

test('hypervolume 3-D by hand and against Monte Carlo', () => {
  // One point (0,0,0), ref (1,2,3): a box of volume 6.
  assert.equal(hypervolume([[0, 0, 0]], [1, 2, 3]), 6);
  // Two boxes: (0,0,1) and (1,1,0) with ref (2,2,2): 2·2·1 + 1·1·2 − overlap 1·1·1 = 5.
  assert.equal(hypervolume([[0, 0, 1], [1, 1, 0]], [2, 2, 2]), 5);
  const rng = createRng(7);
  const pts = Array.from({ length: 12 }, () => [rng(), rng(), rng()]);
  const ref = [1, 1, 1];
  let hit = 0;
  const N = 200000;
  for (let s = 0; s < N; s++) {
    const q = [rng(), rng(), rng()];
    if (pts.some((p) => p[0] <= q[0] && p[1] <= q[1] && p[2] <= q[2])) hit++;
  }
  const mc = hit / N;
  const hv = hypervolume(pts, ref);
  assert.ok(Math.abs(hv - mc) < 0.01, `exact ${hv} vs Monte Carlo ${mc}`);
});
