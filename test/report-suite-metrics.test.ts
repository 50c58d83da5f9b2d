/**
 * The suite charts of `reproduce --report` (reports/figures/suite.ts: §5.1 headline, Fig. 14,
 * Fig. 15) draw one chart per baseline metric of the registry (sim/metrics.ts BASELINE_METRICS),
 * in its order, each from that metric's numbers in the figure's --json (the suite listed the two
 * metrics itself). The figures run on the analytical model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASELINE_METRICS } from '../sim/metrics.ts';
import { findFigure } from '../dse/reproduce/index.ts';
import { fig14Charts, fig15Charts, headlineCharts } from '../reports/figures/suite.ts';

type Bar = { x: string; series: string; value: number };
const bars = (c: { spec: unknown }) => (c.spec as { data: { values: Bar[] } }).data.values;
const json = (name: string): unknown => findFigure(name)!.run({ fidelity: 'analytical' }).rows;

test('the registry has the two metrics the paper reports (speedup, energy_saving)', () => {
  assert.deepEqual([...BASELINE_METRICS], ['speedup', 'energy_saving']);
});

test("headline: one chart per baseline metric, its 'ours' bars the rows of that metric", () => {
  const j = json('headline') as { headline: { platform: string; metric: string; ours: number; paper: number }[] };
  const charts = headlineCharts(j as never);
  assert.equal(charts.length, BASELINE_METRICS.length);
  BASELINE_METRICS.forEach((m, i) => {
    const rows = j.headline.filter((h) => h.metric === m);
    assert.equal(rows.length, 4);
    assert.deepEqual(bars(charts[i]).filter((b) => b.series === 'ours').map((b) => b.value), rows.map((h) => h.ours), m);
    assert.deepEqual(bars(charts[i]).filter((b) => b.series !== 'ours').map((b) => b.value), rows.map((h) => h.paper), m);
  });
  // §5.1: TITAN Xp 162× speedup, 1193× energy saving
  assert.equal(bars(charts[0]).find((b) => b.series !== 'ours' && b.x === 'TITAN Xp')!.value, 162);
  assert.equal(bars(charts[1]).find((b) => b.series !== 'ours' && b.x === 'TITAN Xp')!.value, 1193);
});

test('Fig. 14 and Fig. 15: one chart per baseline metric, each bar the metric of its benchmark', () => {
  const f14 = json('fig14') as { benchmarks: { benchmark: string; speedup: Record<string, number>; energy_saving: Record<string, number> }[] };
  const c14 = fig14Charts(f14 as never);
  assert.equal(c14.length, BASELINE_METRICS.length);
  BASELINE_METRICS.forEach((m, i) => {
    const cola = bars(c14[i]).find((b) => b.x === 'bert-base-cola' && b.series === 'over TITAN Xp')!;
    assert.equal(cola.value, f14.benchmarks.find((b) => b.benchmark === 'bert-base-cola')![m]['titan-xp'], m);
  });
  const f15 = json('fig15') as { rows: { benchmark: string; baseline: string; fcBits: number; speedup: number; energy_saving: number }[] };
  const c15 = fig15Charts(f15 as never);
  assert.equal(c15.length, BASELINE_METRICS.length);
  BASELINE_METRICS.forEach((m, i) => {
    const r = f15.rows[0];
    const b = bars(c15[i]).find((x) => x.x === r.benchmark && x.series === `over TITAN Xp, ${r.fcBits}-bit FC` && r.baseline === 'titan-xp')!;
    assert.equal(b.value, r[m], m);
    // energy saving and speedup differ (an energy saving is not a speedup: different power)
    assert.notEqual(r.speedup, r.energy_saving);
  });
});
