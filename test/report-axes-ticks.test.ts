import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { logTicks } from '../reports/axes.ts';
import { constraintCharts, explorerChart } from '../reports/explore.ts';
import { objectiveChart, paretoChart } from '../reports/scatter-specs.ts';
import { baseConfig } from '../reports/spec-base.ts';
import { importEsm } from '../core/import-esm.ts';

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
  // a linear axis keeps Vega-Lite's nice ticks, its domain padded as a log axis's is
  assert.equal(views[1].encoding.y.scale.type, 'linear');
  assert.equal(views[1].encoding.y.scale.padding, lat.scale.padding);
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

/** The pixel positions vega gives the lowest and highest values of a chart's x and y scales (range: x 0 … width, y height … 0). */
async function edges(spec: Record<string, unknown>, xs: number[], ys: number[]) {
  const vega = await importEsm<typeof import('vega')>('vega');
  const vl = await importEsm<typeof import('vega-lite')>('vega-lite');
  const view = new vega.View(vega.parse(vl.compile({ config: baseConfig(false), ...spec } as never).spec), { renderer: 'none' });
  await view.runAsync();
  const [x, y] = [view.scale('x') as (v: number) => number, view.scale('y') as (v: number) => number];
  const out = { left: x(Math.min(...xs)), right: x(Math.max(...xs)), bottom: y(Math.min(...ys)), top: y(Math.max(...ys)), width: 380, height: 280 };
  view.finalize();
  return out;
}

test('Pareto scatter on linear axes: the extreme dots sit inside the frame even when a value falls on a nice tick (energy 15 … 60 mJ vs perplexity 4 … 7)', async () => {
  const { run: r } = run();
  const points: PointRow[] = [];
  for (let i = 0; i <= 9; i++) {
    // energy 15, 20 … 60 mJ: both ends on Vega's nice ticks (step 5), which ended the domain there with the dots half outside
    const metrics = { perplexity: 4 + i / 3, latency_s: 1e-3, energy_j: 0.015 + i * 0.005, area_mm2: 11 };
    points.push({ id: i, params: {}, metrics, feasible: true, pareto: i % 3 === 0, status: 'ok', error: '', fidelity: 'analytical' });
  }
  const [ppl, , energy] = r.objectives;
  const c = paretoChart(r, points, ppl, energy, { interactive: false, maxOtherPoints: 100 } as never);
  assert.match(c.title, /energy vs perplexity/);
  const e = await edges(c.spec, points.map((p) => p.metrics.perplexity), points.map((p) => p.metrics.energy_j * 1000));
  // 6 px: half a dot's size (22-50 px²: 3-4 px) and a margin, as a log axis's padding
  assert.ok(e.top >= 6, `the 60 mJ dot is ${e.top.toFixed(1)} px below the top edge`);
  assert.ok(e.height - e.bottom >= 6, `the 15 mJ dot is ${(e.height - e.bottom).toFixed(1)} px above the bottom edge`);
  assert.ok(e.left >= 6, `the perplexity-4 dot is ${e.left.toFixed(1)} px right of the left edge`);
  assert.ok(e.width - e.right >= 6, `the perplexity-7 dot is ${(e.width - e.right).toFixed(1)} px left of the right edge`);
});

test('one-objective chart (objective per evaluation): the first evaluation and the extreme values sit inside the frame', async () => {
  const { run: r } = run();
  // ids 0 … 20 and energy 10 … 50 mJ: every end on a nice tick
  const points: PointRow[] = Array.from({ length: 21 }, (_, i) => ({ id: i, params: {}, metrics: { energy_j: 0.01 + ((i * 7) % 21) * 0.002 }, feasible: true, pareto: i === 0, status: 'ok', error: '', fidelity: 'analytical' }));
  const c = objectiveChart({ ...r, objectives: [{ metric: 'energy_j', goal: 'min' }] } as RunJson, points, { metric: 'energy_j', goal: 'min' } as RunJson['objectives'][number], { interactive: false, maxOtherPoints: 100 } as never);
  // the y axis is in the metric's display unit (mJ), as the Pareto charts'
  const e = await edges(c.spec, points.map((p) => p.id), points.map((p) => p.metrics.energy_j * 1000));
  const width = c.spec.width as number;
  assert.ok(e.left >= 6 && width - e.right >= 6, `evaluations 0 and 20 at ${e.left.toFixed(1)} and ${e.right.toFixed(1)} px of ${width}`);
  assert.ok(e.top >= 6 && (c.spec.height as number) - e.bottom >= 6, `the extreme values at ${e.top.toFixed(1)} and ${e.bottom.toFixed(1)} px`);
});

test("one-objective chart: the y axis is the shared one (axes.ts): display unit, log past a decade with 1-2-5 ticks, the space's scale: honoured", () => {
  const { run: r, points } = run();
  const o = { metric: 'latency_s', goal: 'min' } as RunJson['objectives'][number];
  const one = { ...r, objectives: [o] } as RunJson;
  type Layer = { encoding: { y: Enc & { title: string } }; data?: { values: { y: number }[] } };
  const y = (c: ReturnType<typeof objectiveChart>) => (c.spec.layer as Layer[])[0].encoding.y;
  const c = objectiveChart(one, points, o, { interactive: false, maxOtherPoints: 100 } as never);
  // 1.144 … 42.3 ms: 1.6 decades, log (the chart drew it linear: it wanted two decades) on the 1-2-5 ticks, not Vega's nice decades
  assert.equal(y(c).scale.type, 'log');
  assert.equal((y(c).scale as { nice?: boolean }).nice, false);
  assert.deepEqual(y(c).scale.domain, [1, 50]);
  assert.deepEqual(y(c).axis.values, [1, 2, 5, 10, 20, 50]);
  assert.match(y(c).title, /\(ms\) — lower is better$/);
  const ys = (c.spec as { data: { values: { id: number; y: number }[] } }).data.values;
  assert.ok(Math.abs(ys.find((p) => p.id === 0)!.y - 1.144) < 1e-9, 'values in ms');
  assert.match(c.caption, /log scale: values span more than a decade/);
  // the space's scale: linear
  const lin = objectiveChart({ ...one, space: { objectives: [{ metric: 'latency_s', scale: 'linear' }] } } as unknown as RunJson, points, o, { interactive: false, maxOtherPoints: 100 } as never);
  assert.equal(y(lin).scale.type, 'linear');
  assert.equal(y(lin).axis.values, undefined);
});
