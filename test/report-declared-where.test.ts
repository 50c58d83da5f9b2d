import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { declaredChart } from '../reports/declared.ts';
import { parseSpace } from '../dse/space.ts';
import { inputErrorOf } from './input-error.ts';

const SPACE = `name: w
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
objectives:
  - { metric: latency_s, goal: min }
parameters:
  hw.keySramKB: [24, 98, 392]
  hw.dramChannels: [4, 8, 16]
  hw.dramChannelGBps: [16, 32, 64]
search: { driver: grid }
`;

const errorOf = (report: string): string => inputErrorOf(() => parseSpace(`${SPACE}report: ${report}\n`, 'w.yaml'));

test('a declared chart holds parameters with where: checked like normalize (a swept value of a parameter of the space)', () => {
  const ok = parseSpace(`${SPACE}report: { x: hw.keySramKB, y: latency_s, where: { hw.dramChannels: 16 } }\n`, 'w.yaml');
  assert.deepEqual((ok.space.report as { where?: unknown }).where, { 'hw.dramChannels': 16 });
  assert.match(errorOf('{ x: hw.keySramKB, y: latency_s, where: { hw.dramChanels: 16 } }'), /report\.where\.hw\.dramChanels: "hw\.dramChanels" is not a parameter of this space \(did you mean "hw\.dramChannels"\?\)/);
  assert.match(errorOf('{ x: hw.keySramKB, y: latency_s, where: { hw.dramChannels: 32 } }'), /report\.where\.hw\.dramChannels: 32 is not one of the values of hw\.dramChannels \(4, 8, 16\), so no point would be drawn/);
  assert.match(errorOf('{ x: hw.keySramKB, y: latency_s, where: { hw.keySramKB: 98 } }'), /report\.where\.hw\.keySramKB: hw\.keySramKB is the chart's x axis: it cannot also be held at one value/);
});

/** A 3 × 3 × 3 grid: latency = 1/channels/bandwidth + 1/SRAM. */
function grid(): { run: RunJson; pts: PointRow[] } {
  const pts: PointRow[] = [];
  for (const s of [24, 98, 392]) {
    for (const c of [4, 8, 16]) {
      for (const b of [16, 32, 64]) {
        const params = { 'hw.keySramKB': s, 'hw.dramChannels': c, 'hw.dramChannelGBps': b };
        pts.push({ id: pts.length, params, metrics: { latency_s: 1 / c / b + 1 / s }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical' });
      }
    }
  }
  const run = { parameters: ['hw.keySramKB', 'hw.dramChannels', 'hw.dramChannelGBps'], objectives: [{ metric: 'latency_s', goal: 'min' }], space: {} } as unknown as RunJson;
  return { run, pts };
}

type Layer = { mark: { type: string }; data: { values: { x: number; y: number; series: string }[] } };

test('a declared chart draws only the where: points, one line per combination of the other varying parameters', () => {
  const { run, pts } = grid();
  const opts = { interactive: false, maxOtherPoints: 10 };
  const c = declaredChart(run, pts, { x: 'hw.keySramKB', y: 'latency_s', where: { 'hw.dramChannelGBps': 32 } }, opts)!;
  const layers = c.spec.layer as Layer[];
  const rows = layers[0].data.values;
  assert.equal(rows.length, 9, 'the 9 points at 32 GB/s');
  assert.deepEqual([...new Set(rows.map((r) => r.series))], ['hw.dramChannels=4', 'hw.dramChannels=8', 'hw.dramChannels=16']);
  // latency in ms: 1/(16·32) + 1/392 s at 392 KB and 16 channels
  const r = rows.find((v) => v.x === 392 && v.series === 'hw.dramChannels=16')!;
  assert.ok(Math.abs(r.y - 1000 * (1 / 512 + 1 / 392)) < 1e-9, `latency at 392 KB, 16 channels: ${r.y} ms`);
  assert.ok(layers.some((l) => l.mark.type === 'text'), 'three lines: their values labelled');
  assert.match(c.caption, /latency of the evaluated points with hw\.dramChannelGBps = 32 against hw\.keySramKB\. One line per combination of hw\.dramChannels \(3 lines\)\./);
  assert.ok(!c.caption.includes('Values:'), `no unlabelled list of values mixing three lines: ${c.caption}`);
  // without where: 9 combinations, too many to tell apart: one dot per evaluation in one colour, no
  // lines, labels or legend entries per combination, and the caption says how to get lines
  const all = declaredChart(run, pts, { x: 'hw.keySramKB', y: 'latency_s' }, opts)!;
  const allLayers = all.spec.layer as Layer[];
  assert.equal(allLayers.length, 1, 'one layer: the dots');
  assert.equal(allLayers[0].mark.type, 'point');
  assert.equal(allLayers[0].data.values.length, 27);
  assert.deepEqual([...new Set(allLayers[0].data.values.map((v) => v.series))], ['ours: one dot per evaluation']);
  assert.match(all.caption, /hw\.dramChannels, hw\.dramChannelGBps vary too \(9 combinations\): too many to tell apart as lines, so each dot is one evaluation\. To draw lines, hold some of them with `where:` in the report block/);
  assert.ok(!all.caption.includes('One line per'), all.caption);
  // one line: its values listed, as for a paper figure
  const one = declaredChart(run, pts, { x: 'hw.keySramKB', y: 'latency_s', where: { 'hw.dramChannelGBps': 32, 'hw.dramChannels': 8 } }, opts)!;
  assert.match(one.caption, /Values: 24 → 45\.57, 98 → 14\.11, 392 → 6\.457\.$/);
});

test('a declared chart of a fidelity: both run says whose numbers it draws, as the other charts do', () => {
  const { run, pts } = grid();
  const both = { ...run, model: 'both', fidelity: 'both', metrics: ['latency_s', 'cycle_latency_s'] } as unknown as RunJson;
  // the cycle model re-scored two front candidates, both outside the drawn slice
  for (const p of pts.filter((q) => q.params['hw.dramChannelGBps'] === 64 && q.params['hw.keySramKB'] === 392 && Number(q.params['hw.dramChannels']) >= 8)) p.metrics.cycle_latency_s = p.metrics.latency_s * 1.05;
  const c = declaredChart(both, pts, { x: 'hw.keySramKB', y: 'latency_s', where: { 'hw.dramChannelGBps': 32 } }, { interactive: false, maxOtherPoints: 10 })!;
  assert.match(c.caption, /Latency is the analytical model's for every point \(the front is decided on them\); the cycle model re-scored the 2 front candidates: their cycle_latency_s columns in points\.csv and pareto\.csv\.$/);
  assert.ok(!declaredChart(run, pts, { x: 'hw.keySramKB', y: 'latency_s' }, { interactive: false, maxOtherPoints: 10 })!.caption.includes('analytical model'), 'a one-model run: no such sentence');
});

test('spaces/sram-bandwidth.yaml does what its comment says: the two bound notes and a 4-line key-SRAM chart', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const out = mkdtempSync(path.join(tmpdir(), 'sram-bw-'));
  try {
    const r = spawnSync(process.execPath, ['bin/spatten-dse.js', 'run', 'spaces/sram-bandwidth.yaml', '--out', out, '--progress', 'none', '--force'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const log = r.stdout + r.stderr;
    assert.match(log, /every front point has hw\.valueSramKB = 24, the lowest value swept: .*\(latency_s does not change with it\)/);
    assert.match(log, /every front point has hw\.dramChannelGBps = 64, the highest value swept: .*\(area_mm2 does not change with it\)/);
    assert.match(log, /sram-bandwidth: 576 points \(576 ok, 0 failed, 576 feasible\)/);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    assert.match(html, /latency of the evaluated points with hw\.valueSramKB = 196, hw\.dramChannelGBps = 32 against hw\.keySramKB\. One line per combination of hw\.dramChannels \(4 lines\)\./);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('parallel coordinates of a two-point front draw its lines inside the frame, not over its edges, in visible colours', async () => {
  const { parallelChart } = await import('../reports/parallel.ts');
  const { run, pts } = grid();
  const front = [pts[0], pts[26]].map((p) => ({ ...p, pareto: true }));
  const c = parallelChart(run, front, ['hw.keySramKB', 'hw.dramChannels'], { interactive: false, maxOtherPoints: 10 })!;
  const layer = (c.spec.layer as { encoding: { y: { scale: { domain: [number, number] } } }; data: { values: { pos: number }[] } }[])[0];
  const [lo, hi] = layer.encoding.y.scale.domain;
  // every line sits at an axis end (0 or 1); the frame's edges are the domain's ends
  assert.deepEqual([...new Set(layer.data.values.map((v) => v.pos))].sort(), [0, 1]);
  assert.ok(lo < 0 && hi > 1, `the frame [${lo}, ${hi}] leaves room around positions 0 and 1`);
  // the line of the lowest colour value is visible: viridis' palest yellow (its end, 1) is not used
  const color = (layer.encoding as unknown as { color: { scale: { scheme: { name: string; extent: [number, number] } } } }).color.scale.scheme;
  assert.equal(color.name, 'viridis');
  assert.ok(color.extent[1] <= 0.85, `colour extent ${color.extent} stops before the palest yellow`);
});

test('a declared chart prints one value label where lines meet, and every label where they are apart', () => {
  // two lines over x = 1, 2: at x = 1 they are 0.1 apart on a 0 … 10 range (~3 px of 280: overlapping
  // 9-px labels), at x = 2 they are 8 apart (~190 px): both labelled
  const pt = (id: number, x: number, c: number, y: number): PointRow => ({ id, params: { x, c }, metrics: { latency_s: y / 1000 }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical' });
  const pts = [pt(0, 1, 1, 1), pt(1, 1, 2, 1.1), pt(2, 2, 1, 1), pt(3, 2, 2, 9)];
  const run = { parameters: ['x', 'c'], objectives: [{ metric: 'latency_s', goal: 'min' }], space: {} } as unknown as RunJson;
  const c = declaredChart(run, pts, { x: 'x', y: 'latency_s', scale: { x: 'linear', y: 'linear' } }, { interactive: false, maxOtherPoints: 10 })!;
  const text = (c.spec.layer as Layer[]).find((l) => l.mark.type === 'text')!;
  const labelled = text.data.values.map((r) => `${r.x}:${r.y}`).sort();
  assert.deepEqual(labelled, ['1:1.1', '2:1', '2:9'], 'x = 1: the upper label only; x = 2: both');
  assert.equal((c.spec.layer as Layer[])[0].data.values.length, 4, 'every point still drawn');
  assert.match(c.caption, /One line per combination of c \(2 lines\)\. Where lines meet, one value label stands for them \(more would overlap\)\./);
});

test("a declared chart's value label clears every other line's marker, and the end points' labels clear the y axis", () => {
  const pt = (id: number, x: number, c: number, y: number): PointRow => ({ id, params: { x, c }, metrics: { latency_s: y / 1000 }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical' });
  // three lines; x = 2 spreads the y domain to 0.5 … 10 (with axes.ts yDomain's margins −0.07 … 10.95: 25.4 px
  // per unit on 280 px). At x = 1 the lines are 0.5 apart (12.7 px, under the 18-px gap) from one to the
  // next, but 1 (25.4 px) from the top one to the bottom one
  const pts = [pt(0, 1, 1, 9), pt(1, 1, 2, 8.5), pt(2, 1, 3, 8), pt(3, 2, 1, 0.5), pt(4, 2, 2, 5), pt(5, 2, 3, 10)];
  const run = { parameters: ['x', 'c'], objectives: [{ metric: 'latency_s', goal: 'min' }], space: {} } as unknown as RunJson;
  const c = declaredChart(run, pts, { x: 'x', y: 'latency_s', scale: { x: 'linear', y: 'linear' } }, { interactive: false, maxOtherPoints: 10 })!;
  const layers = c.spec.layer as (Layer & { encoding: { x: { scale: { padding?: number } } } })[];
  const text = layers.find((l) => l.mark.type === 'text')!;
  assert.deepEqual(text.data.values.filter((r) => r.x === 1).map((r) => r.y), [9], "x = 1: 8 is 26 px from 9 but under 8.5's marker: only 9 labelled");
  assert.equal(text.data.values.filter((r) => r.x === 2).length, 3, 'x = 2: all three apart');
  assert.equal(layers[0].encoding.x.scale.padding, 16, 'x scale padded inside both ends');
});
