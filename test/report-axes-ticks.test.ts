import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { logTicks } from '../reports/axes.ts';
import { constraintCharts, explorerChart } from '../reports/explore.ts';

test('log axes: 1-2-5 ticks from the tick at or below the least value to the tick at or above the largest', () => {
  // the default run's latency (ms): the front from 1.144, the slowest point 42.3
  assert.deepEqual(logTicks(1.144, 42.3), { ticks: [1, 2, 5, 10, 20, 50], domain: [1, 50] });
  assert.deepEqual(logTicks(0.6, 42), { ticks: [0.5, 1, 2, 5, 10, 20, 50], domain: [0.5, 50] });
  // values on a tick: the domain ends there
  assert.deepEqual(logTicks(2, 20), { ticks: [2, 5, 10, 20], domain: [2, 20] });
  // past 4 decades only the powers of ten
  assert.deepEqual(logTicks(3e-3, 4e2), { ticks: [1e-3, 1e-2, 0.1, 1, 10, 100, 1000], domain: [1e-3, 1000] });
});

/** Latency 1.144 … 42.3 ms (a log axis), energy 12 … 57 mJ, area 11 … 29 mm² against a 20 mm² limit. */
function run(): { run: RunJson; points: PointRow[] } {
  const points: PointRow[] = [];
  for (let i = 0; i < 40; i++) {
    const latency = 1.144e-3 * (42.3 / 1.144) ** (i / 39);
    const metrics = { perplexity: 4.4 + (i % 7) * 0.5, latency_s: latency, energy_j: 0.012 + (i % 5) * 0.011, area_mm2: 11 + (i % 10) * 2 };
    points.push({ id: i, params: {}, metrics, feasible: metrics.area_mm2 <= 20, pareto: i < 3, status: 'ok', error: '', fidelity: 'analytical' });
  }
  const r = { parameters: [], metrics: Object.keys(points[0].metrics), constraints: ['area_mm2 <= 20'], objectives: [{ metric: 'perplexity', goal: 'min' }, { metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }], counts: { ok: 40 }, space: {} } as unknown as RunJson;
  return { run: r, points };
}

type Enc = { scale: { type?: string; domain?: number[]; padding?: number }; axis: { values?: number[] } };

test('explorer: the log latency axis holds every point inside its frame, with a 1 tick under the front', () => {
  const { run: r, points } = run();
  const views = (explorerChart(r, points, [], 40, 40)!.spec as { hconcat: { encoding: { x: Enc; y: Enc } }[] }).hconcat;
  // views: latency vs perplexity, energy vs perplexity, energy vs latency
  const lat = views[2].encoding.x;
  assert.equal(lat.scale.type, 'log');
  assert.deepEqual(lat.scale.domain, [1, 50], 'past the slowest point (42.3 ms): its dot is not cut by the frame');
  assert.ok((lat.scale.padding ?? 0) >= 4, 'a dot on the domain edge is drawn whole');
  assert.deepEqual(lat.axis.values, [1, 2, 5, 10, 20, 50]);
  assert.deepEqual(views[0].encoding.y.axis.values, [1, 2, 5, 10, 20, 50], 'the front at 1.144 ms sits above the 1 tick');
  // a linear axis keeps Vega-Lite's nice ticks
  assert.equal(views[1].encoding.y.scale.type, 'linear');
  assert.equal(views[1].encoding.y.axis.values, undefined);
});

test('constraint chart: the limit label sits right of the frame, level with the line, not on the dots', () => {
  const { run: r, points } = run();
  const [c] = constraintCharts(r, points, { interactive: false, maxOtherPoints: 600 } as never);
  const layers = c.spec.layer as { mark: Record<string, unknown>; data: { values: { y: number; label?: string }[] } }[];
  const text = layers.find((l) => l.mark.type === 'text')!;
  assert.equal(text.data.values[0].label, 'limit: area_mm2 <= 20');
  assert.equal(text.data.values[0].y, 20);
  assert.equal(text.mark.x, 'width');
  assert.equal(text.mark.align, 'left', 'starts at the frame edge and runs outward');
  assert.ok((text.mark.dx as number) > 0);
  assert.equal(text.mark.baseline, 'middle');
});
