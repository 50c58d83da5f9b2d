import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dominates, hypervolume, nonDominatedSort, paretoMask, toMinVector } from '../core/pareto.ts';
import { createRng, mulberry32 } from '../sim/rng.ts';

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
  assert.ok(dominates(toMinVector({ accuracy: 0.9, latency_s: 1 }, objs), toMinVector({ accuracy: 0.8, latency_s: 2 }, objs)), 'dominates(toMinVector({ accuracy: 0.9, latency_s: 1 }, objs), toMinVector({ accuracy: 0.8, latenc…');
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

/** Exact hypervolume by inclusion-exclusion over every subset (independent of the sweep; small sets only). */
function hvInclusionExclusion(pts: number[][], ref: number[]): number {
  const inside = pts.filter((p) => p.every((x, i) => x < ref[i]));
  let total = 0;
  for (let mask = 1; mask < 1 << inside.length; mask++) {
    let vol = 1;
    let bits = 0;
    for (let i = 0; i < ref.length; i++) {
      let worst = -Infinity;
      for (let j = 0; j < inside.length; j++) if (mask & (1 << j)) worst = Math.max(worst, inside[j][i]);
      vol *= ref[i] - worst;
    }
    for (let j = mask; j; j &= j - 1) bits++;
    total += bits % 2 ? vol : -vol;
  }
  return total;
}

test('hypervolume in 3 to 5 objectives equals inclusion-exclusion, with dominated points, ties and duplicates', () => {
  const r = mulberry32(42);
  // values on a coarse grid so that ties in every objective occur
  const pick = () => Math.floor(r() * 6) / 5;
  for (const d of [3, 4, 5]) {
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(r() * 11);
      const pts = Array.from({ length: n }, () => Array.from({ length: d }, pick));
      if (trial % 5 === 0) pts.push(pts[0].slice()); // a duplicate
      const ref = new Array(d).fill(1.1);
      const want = hvInclusionExclusion(pts, ref);
      assert.ok(Math.abs(hypervolume(pts, ref) - want) <= 1e-12 * Math.max(1, want), `d=${d} ${JSON.stringify(pts)}: ${hypervolume(pts, ref)} vs ${want}`);
    }
  }
});

test('hypervolume of a 4-objective front of 600 points takes well under a second (slicing down to 2-D: ~10 s)', () => {
  const r = mulberry32(3);
  const pts = Array.from({ length: 600 }, () => {
    const v = Array.from({ length: 4 }, () => r() + 1e-9);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
  const t = performance.now();
  const hv = hypervolume(pts, [1.1, 1.1, 1.1, 1.1]);
  const ms = performance.now() - t;
  assert.ok(hv > 0.9 && hv < 1.1 ** 4, String(hv));
  assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
});
