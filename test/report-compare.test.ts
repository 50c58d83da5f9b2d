/**
 * `report A B …` streams each points.csv through reports/compare-scan.ts instead of holding the
 * runs: its fronts, hypervolumes and axes must be what the whole runs give (paretoMask over every
 * point, the normaliser over every feasible point, axisFor over every ok value).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hypervolume, normaliser, paretoMask, toMinVector } from '../core/pareto.ts';
import type { Objective, PointRow } from '../core/results.ts';
import { writeRunOutputs } from '../dse/outputs.ts';
import { axisFor } from '../reports/axes.ts';
import { axisOfSpread, CompareScan, MetricSpread } from '../reports/compare-scan.ts';
import { compareHypervolumes, readComparison } from '../reports/compare.ts';
import { readRun, renderComparison } from '../reports/index.ts';
import { writeComparison } from '../reports/index.ts';
import { mulberry32 } from '../sim/rng.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

/** Random rows: coarse values (ties and duplicates), some NaN, failed and infeasible rows, zeros and negatives in energy. */
function rows(n: number, seed: number, levels = 40): PointRow[] {
  const r = mulberry32(seed);
  const pick = (scale: number) => (Math.floor(r() * levels) + 1) * scale;
  const out: PointRow[] = [];
  for (let id = 0; id < n; id++) {
    const failed = r() < 0.03;
    const metrics: Record<string, number> = failed
      ? { latency_s: NaN, energy_j: NaN, gops: NaN }
      : { latency_s: pick(1e-5) * 10 ** Math.floor(r() * 3), energy_j: r() < 0.01 ? NaN : r() < 0.01 ? 0 : r() < 0.01 ? -pick(1e-6) : pick(1e-6), gops: pick(3) };
    out.push({ id, params: {}, metrics, feasible: !failed && r() < 0.7, pareto: false, status: failed ? 'failed' : 'ok', error: '', fidelity: 'analytical' });
  }
  return out;
}

/** The comparison's numbers computed over every point at once. */
function whole(runs: PointRow[][], objectives: Objective[]) {
  const feas = runs.map((ps) => ps.filter((p) => p.status === 'ok' && p.feasible && objectives.every((o) => Number.isFinite(p.metrics[o.metric]))));
  const norm = normaliser(feas.flat().map((p) => toMinVector(p.metrics, objectives)));
  return feas.map((f) => {
    const vecs = f.map((p) => toMinVector(p.metrics, objectives));
    const mask = paretoMask(vecs, vecs.map(() => true));
    const front = f.filter((_, k) => mask[k]);
    return { ids: front.map((p) => p.id), hv: front.length ? hypervolume(vecs.filter((_, k) => mask[k]).map(norm.apply), norm.ref) : 0, size: front.length };
  });
}

const OBJECTIVE_SETS: Objective[][] = [
  [{ metric: 'latency_s', goal: 'min' }],
  [{ metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }],
  [{ metric: 'latency_s', goal: 'min' }, { metric: 'gops', goal: 'max' }],
  [{ metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }, { metric: 'gops', goal: 'max' }],
];

test('a scanned comparison has the fronts (ids in file order), sizes and hypervolumes of the whole runs', () => {
  for (const objectives of OBJECTIVE_SETS) {
    // more candidates than a merge batch (4096) in the 2-objective runs; fewer rows for 3 objectives (the reference is O(n²))
    const n = objectives.length === 3 ? 3000 : 12000;
    const runs = [rows(n, 1, 400), rows(n, 2, 30)];
    const want = whole(runs, objectives);
    const got = compareHypervolumes(runs.map((points, i) => ({ label: `r${i}`, run: { objectives } as never, points })), objectives);
    for (let i = 0; i < runs.length; i++) {
      const what = `${objectives.map((o) => o.metric).join('+')} run ${i}`;
      assert.deepEqual(got[i].front.map((p) => p.id), want[i].ids, `${what}: front`);
      assert.equal(got[i].size, want[i].size, `${what}: front size`);
      assert.ok(want[i].size > 0, `${what}: a non-empty front`);
      assert.equal(got[i].hv, want[i].hv, `${what}: hypervolume`);
    }
  }
});

test('with no common objective every feasible ok point is the front: counted, not kept', () => {
  const points = rows(500, 3);
  const scan = CompareScan.of(points, []);
  const r = scan.result();
  assert.equal(r.size, points.filter((p) => p.status === 'ok' && p.feasible).length, 'front size');
  assert.equal(r.front.length, 0, 'no row kept');
  assert.equal(scan.rows, 500, 'rows counted');
});

test("a metric's spread chooses the axis axisFor chooses from all of its values", () => {
  const r = mulberry32(9);
  const sets: number[][] = [
    [],
    [NaN, Infinity],
    [0, 0, 0],
    // medians exactly on and next to thousand-boundaries of the unit prefixes
    [1e-3, 1e-3, 9.99e-4, 2e-3, 5e-7],
    [999.9999999999999, 1000, 1000.0000000000001, 1, 2],
    [1e-6, 1e-6, 1e-6, 1e-9, 1e-9],
    [-5e-3, 2e-6, 3e-6, 0, 4e-6],
    Array.from({ length: 5000 }, () => (r() < 0.02 ? 0 : r() < 0.02 ? NaN : 10 ** (r() * 12 - 9))),
    Array.from({ length: 5001 }, () => (r() < 0.5 ? -1 : 1) * 10 ** (r() * 6 - 8)),
    Array.from({ length: 777 }, () => 2e-4 + r() * 1e-4),
  ];
  for (const metric of ['latency_s', 'energy_j', 'dram_bytes', 'cycles', 'accuracy', 'gops', 'area_mm2', 'unknown_metric']) {
    for (const values of sets) {
      // two halves merged, as a comparison merges its runs' spreads
      const a = new MetricSpread();
      const b = new MetricSpread();
      values.forEach((v, i) => (i % 2 ? a : b).add(v));
      a.merge(b);
      for (const space of [{}, { objectives: [{ metric, scale: 'log' }] }, { objectives: [{ metric, scale: 'linear' }] }]) {
        assert.deepEqual(axisOfSpread({ space }, metric, a), axisFor({ space }, metric, values), `${metric} over ${values.slice(0, 6).join(', ')} (${values.length} values), space ${JSON.stringify(space)}`);
      }
    }
  }
});

test('report A B streams the folders: no run held, the page the whole runs give', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compare-stream-'));
  try {
    const dirs = [1, 2].map((seed) => {
      const d = path.join(dir, `run${seed}`);
      const { run, points } = syntheticRun({ n: 3000, seed, name: `s${seed}` });
      writeRunOutputs(d, run, points);
      return d;
    });
    const runs = await readComparison(dirs);
    for (const r of runs) {
      assert.equal(r.points, undefined, `${r.label}: no rows held`);
      assert.equal(r.scan?.rows, 3000, `${r.label}: every row scanned`);
    }
    const full = [];
    for (const d of dirs) full.push({ label: d, ...(await readRun(d)) });
    const out = path.join(dir, 'compare.html');
    await writeComparison(dirs, out);
    assert.ok(readFileSync(out, 'utf8') === (await renderComparison(full)), 'the streamed comparison page is the page of the runs read whole');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report A B: front points with identical outcomes are counted as distinct outcomes and drawn once, as on a run\'s own page', async () => {
  const { compareCharts, compareTable } = await import('../reports/compare.ts');
  const objectives: Objective[] = [{ metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }];
  const at = (id: number, lsbThreshold: number, latency_s: number, energy_j: number): PointRow => ({
    id, params: { 'algo.lsbThreshold': lsbThreshold }, metrics: { latency_s, energy_j }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical',
  });
  // run A: #0, #1, #2 one outcome (1 ms, 12 mJ; lsbThreshold not read), #3 another (2 ms, 10 mJ), #4 dominated; run B: two distinct front points
  const a = [at(0, 0.05, 1e-3, 0.012), at(1, 0.1, 1e-3, 0.012), at(2, 0.2, 1e-3, 0.012), at(3, 0.1, 2e-3, 0.01), at(4, 0.2, 3e-3, 0.013)];
  const b = [at(0, 0.05, 1.5e-3, 0.011), at(1, 0.1, 2.5e-3, 0.009)];
  const run = (name: string) => ({ ...syntheticRun({ n: 1 }).run, name, spaceFile: `${name}.yaml`, objectives, metrics: ['latency_s', 'energy_j'], wallSeconds: 1 }) as never;
  const runs = [{ label: 'A', run: run('a'), points: a }, { label: 'B', run: run('b'), points: b }];
  const hvs = compareHypervolumes(runs, objectives);
  const cells = [...compareTable(runs, objectives, hvs).matchAll(/<tr>(.*?)<\/tr>/g)].slice(1).map((m) => [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)][3][1].replace(/&#39;/g, "'"));
  assert.deepEqual(cells, ["4 (2 distinct outcomes: the other 2 repeat a front point's objective values with other parameters)", '2']);
  const chart = compareCharts(runs, objectives, hvs)[0];
  const dots = (chart.spec as { data: { values: { run: string; id: number; others: number }[] } }).data.values.map((d) => [d.run, d.id, d.others]);
  assert.deepEqual(dots, [['A', 0, 2], ['A', 3, 0], ['B', 0, 0], ['B', 1, 0]], 'one dot per distinct outcome of each run');
  assert.match(chart.caption, /A: 4 front points, 2 distinct outcomes \(a dot stands for every point with its values\)/, `caption: ${chart.caption}`);
  assert.ok(!/B: \d+ front points/.test(chart.caption), `no count for a run without repeats: ${chart.caption}`);
});
