import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADLINE } from '../sim/paper.ts';
import { PLATFORM_DATA, PLATFORM_NAMES, hasPaperAnchors } from '../sim/baselines/platforms.ts';
import { fig14Charts } from '../reports/figures/suite.ts';
import type { Geomeans, SuiteRow } from '../dse/reproduce/fig14.ts';

test('the headline and Fig. 14 paper numbers (sim/paper.ts HEADLINE) are the anchored platforms\' §5.1 anchors', () => {
  // headline and fig14 print HEADLINE in their "paper" column; the calibration fits the anchors: they must agree
  const anchored = PLATFORM_NAMES.filter((p) => hasPaperAnchors(p));
  assert.deepEqual([...anchored].sort(), Object.keys(HEADLINE).sort(), 'anchored platforms vs HEADLINE');
  for (const p of anchored) {
    const a = PLATFORM_DATA.platforms[p].anchors;
    assert.deepEqual({ speedup: a.speedupGeomean.value, energy_saving: a.energySavingGeomean.value }, HEADLINE[p], p);
  }
  assert.deepEqual(HEADLINE['titan-xp'], { speedup: 162, energy_saving: 1193 }, '§5.1: 162× and 1193× over TITAN Xp');
});

test('Fig. 14 chart: a platform not in the paper keeps its bars and gets no paper geomean bar', () => {
  const speedup = { 'titan-xp': 170, 'test-gpu': 150 } as unknown as SuiteRow['speedup'];
  const saving = { 'titan-xp': 1800, 'test-gpu': 1600 } as unknown as SuiteRow['energy_saving'];
  const row = { benchmark: 'bert-base-cola', task: 'CoLA', model: 'bert-base', seqLen: 20, spatten: { latency_s: 1e-5, energy_j: 1e-5, power_w: 1, gops: 1 }, speedup, energy_saving: saving } as SuiteRow;
  const gm = { set: 'all 30', speedup, energy_saving: saving } as Geomeans;
  const [chart] = fig14Charts({ benchmarks: [row], geomeans: [gm], paper: { geomeans: { 'titan-xp': HEADLINE['titan-xp'] } } });
  const bars = (chart.spec.data as { values: { x: string; series: string; value: number }[] }).values;
  const of = (series: string) => bars.filter((b) => b.series === series).map((b) => [b.x, b.value]);
  assert.deepEqual(of('over test-gpu'), [['bert-base-cola', 150], ['GeoMean (ours, all 30)', 150]], 'ours only, no paper bar');
  assert.deepEqual(of('over TITAN Xp'), [['bert-base-cola', 170], ['GeoMean (ours, all 30)', 170], ['GeoMean (paper §5.1)', 162]], 'ours and the paper\'s');
});
