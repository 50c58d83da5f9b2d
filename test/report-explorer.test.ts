/** The interactive explorer's drop-down filters: one per listed parameter, and the caption names a continuous one left without. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { explorerChart } from '../reports/explore.ts';

test('explorer: a continuous parameter (30 distinct draws) gets no drop-down, and the caption says so', () => {
  // 30 points: a ∈ {1, 2} (a drop-down), g a continuous draw per point (16 + 1.5·i GB/s: 30 values > 24)
  const pts: PointRow[] = Array.from({ length: 30 }, (_, i) => ({
    id: i, params: { a: 1 + (i % 2), g: 16 + 1.5 * i }, metrics: { latency_s: 1e-3 * (1 + i), energy_j: 0.01 * (30 - i) }, feasible: true, pareto: i % 5 === 0, status: 'ok', error: '', fidelity: 'analytical',
  }));
  const run = { parameters: ['a', 'g'], objectives: [{ metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }], space: {} } as unknown as RunJson;
  const c = explorerChart(run, pts, ['a', 'g'], 30, 30)!;
  const params = (c.spec as { params: { name: string; bind: { options: unknown[] } }[] }).params;
  assert.deepEqual(params.map((p) => p.name), ['f0'], 'a drop-down for a only');
  assert.deepEqual(params[0].bind.options, ['all', 1, 2]);
  assert.match(c.caption, /The drop-downs keep only the points with that parameter value\. g \(30 values\) has no drop-down: more than 24 values to list\./, c.caption);
  // with a listed parameter only, nothing is said
  const plain = explorerChart({ ...run, parameters: ['a'] } as RunJson, pts, ['a'], 30, 30)!;
  assert.ok(!plain.caption.includes('no drop-down'), plain.caption);
});
