/**
 * The parts of the report that answer "which design, and why": units, sensitivity, bound notes,
 * reproduce commands, the comparison's hypervolume, declared figures, size budgets, schema.
 * Numbers are checked against hand calculations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Highlight, PointRow, RunJson } from '../core/results.ts';
import { parseSpace, spaceJsonSchema } from '../dse/space.ts';
import { formatMetric } from '../dse/outputs.ts';
import { etaText, fmtRate, pctText, RateWindow } from '../dse/progress.ts';
import { renderReport } from '../reports/index.ts';
import { readRun, type LoadedRun } from '../reports/read.ts';
import { fmtMetric, unitFor } from '../core/format.ts';
import { SensitivityAccumulator, sensitivity } from '../core/sensitivity.ts';
import { sensitivitySection } from '../reports/sections.ts';
import { mulberry32 } from '../sim/rng.ts';
import { boundNotes } from '../core/bounds.ts';
import { simulateCommand, simulateCommands, yamlSnippet } from '../reports/commands.ts';
import { compareHypervolumes } from '../reports/compare.ts';
import { declaredChart } from '../reports/declared.ts';
import { sampleForInteractive } from '../reports/explore.ts';
import { spansDecade } from '../core/log-scale.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

function row(id: number, params: Record<string, number>, metrics: Record<string, number>, pareto = false): PointRow {
  return { id, params, metrics, feasible: true, pareto, status: 'ok', error: '', fidelity: 'analytical' };
}

test('engineering units: 4 significant digits with SI prefixes', () => {
  assert.equal(fmtMetric('latency_s', 9.782e-4), '978.2 µs');
  assert.equal(fmtMetric('latency_s', 0.001049), '1.049 ms');
  assert.equal(fmtMetric('energy_j', 0.0756), '75.6 mJ');
  assert.equal(fmtMetric('dram_bytes', 2380529664), '2.381 GB');
  assert.equal(fmtMetric('accuracy', 0.9765625), '97.66 %');
  assert.equal(fmtMetric('area_mm2', 18.7099), '18.71 mm²');
  // one unit per axis, from the median magnitude
  assert.deepEqual(unitFor('latency_s', [0.0004, 0.003, 0.05]), { factor: 1000, unit: 'ms' });
  // log scale only beyond a decade
  assert.equal(spansDecade([1, 9.9]), false);
  assert.equal(spansDecade([1, 10.1]), true);
  assert.equal(spansDecade([0, 100]), false);
});

test('sensitivity: variance shares of an additive 2×2 grid match the hand calculation', () => {
  // y = a + 2b over a, b ∈ {0, 1}: total SS 5; a: means 1 and 2 → SS 1 (20%); b: means 0.5, 2.5 → SS 4 (80%)
  const pts = [0, 1].flatMap((a) => [0, 1].map((b) => row(a * 2 + b, { a, b }, { m: a + 2 * b + 10 })));
  const s = sensitivity({ parameters: ['a', 'b'] }, pts, 'm');
  assert.equal(s.log, false);
  assert.deepEqual(s.effects.map((e) => e.param), ['b', 'a']);
  assert.ok(Math.abs(s.effects[0].share - 0.8) < 1e-12, 'Math.abs(s.effects[0].share - 0.8) < 1e-12');
  assert.ok(Math.abs(s.effects[1].share - 0.2) < 1e-12, 'Math.abs(s.effects[1].share - 0.2) < 1e-12');
  assert.equal(s.effects[0].lo, 10.5);
  assert.equal(s.effects[0].hi, 12.5);
  assert.equal(s.effects[0].hiAt, '1');
});

test('sensitivity over every point without keeping them: the accumulator equals the two-pass estimate, and the report says which points', () => {
  const rng = mulberry32(5);
  const pts: PointRow[] = [];
  for (let i = 0; i < 600; i++) {
    const a = [1, 2, 4][i % 3];
    const b = [10, 20, 30, 40][Math.floor(i / 3) % 4];
    const c = Math.floor(rng() * 20); // 20 values: binned, left to the sample
    pts.push(row(i, { a, b, c }, { lat: a * (b === 20 ? 30 : 1) * (1 + rng()) * 1e-3, acc: 0.9 + 0.01 * a + 0.001 * rng() }));
  }
  const acc = new SensitivityAccumulator(['a', 'b', 'c'], ['lat', 'acc']);
  for (const p of pts) acc.add(p.params, p.metrics);
  const res = acc.result();
  assert.deepEqual(res.binned, ['c']);
  for (const [j, m] of ['lat', 'acc'].entries()) {
    const two = sensitivity({ parameters: ['a', 'b'] }, pts, m);
    const one = res.metrics[j];
    assert.equal(one.log, two.log);
    assert.equal(one.n, 600);
    assert.deepEqual(one.effects.map((e) => [e.param, e.loAt, e.hiAt]), two.effects.map((e) => [e.param, e.loAt, e.hiAt]));
    one.effects.forEach((e, k) => {
      for (const f of ['share', 'lo', 'hi'] as const) assert.ok(Math.abs(e[f] - two.effects[k][f]) <= 1e-9 * Math.abs(two.effects[k][f]), `${m} ${e.param} ${f}: ${e[f]} vs ${two.effects[k][f]}`);
    });
  }
  assert.equal(res.metrics[0].log, true); // lat spans more than a decade
  // the report shows the whole run's table and says so, even when it holds a sample of the points
  const run = { parameters: ['a', 'b', 'c'], objectives: [{ metric: 'lat', goal: 'min' }], sensitivity: res } as unknown as RunJson;
  const html = sensitivitySection(run, pts.slice(0, 50));
  assert.match(html, /Computed from all 600 successfully evaluated points; c \(more than 12 values, binned\) from the 50 points this report holds\./);
  const share = (100 * res.metrics[0].effects.find((e) => e.param === 'b')!.share).toFixed(1);
  assert.ok(html.includes(`<b>${share}%</b>`), `b's share ${share}% over all points`);
});

test('bound notes: a front on the lowest tokenKeep is called out, with the fix', () => {
  const pts = [0.2, 0.6, 1].flatMap((t, i) => [row(2 * i, { 'algo.tokenKeep': t, 'hw.x': 1 }, { latency_s: t }, t === 0.2), row(2 * i + 1, { 'algo.tokenKeep': t, 'hw.x': 2 }, { latency_s: t / 2 }, t === 0.2)]);
  const notes = boundNotes({ parameters: ['algo.tokenKeep', 'hw.x'], objectives: [{ metric: 'latency_s', goal: 'min' }] }, pts);
  assert.equal(notes.length, 1);
  assert.match(notes[0], /every front point has algo\.tokenKeep = 0\.2, the lowest value swept/);
  assert.match(notes[0], /add an accuracy objective/);
});

test('bound notes: a knob never worse at its bound is said to be no trade-off, not a range to widen', () => {
  const run = { parameters: ['hw.sram', 'hw.bw'], objectives: [{ metric: 'latency_s', goal: 'min' as const }, { metric: 'area_mm2', goal: 'min' as const }] };
  // latency = 1 / bw, whatever the SRAM; area grows with the SRAM only: the smallest SRAM and the
  // largest bandwidth are never worse, at every setting of the other knob
  const pts = [24, 48, 96].flatMap((s, i) => [8, 16, 32].map((b, j) => row(3 * i + j, { 'hw.sram': s, 'hw.bw': b }, { latency_s: 1 / b, area_mm2: 10 + s / 10 })));
  for (const p of pts) p.pareto = p.params['hw.sram'] === 24 && p.params['hw.bw'] === 32;
  // the same design twice (as two random draws can give it): two front points, one design
  pts.push(row(9, { 'hw.sram': 24, 'hw.bw': 32 }, { latency_s: 1 / 32, area_mm2: 12.4 }, true));
  const notes = boundNotes(run, pts);
  assert.equal(notes.length, 2, `one note per bound knob: ${notes.join(' | ')}`);
  assert.match(notes[0], /^every front point has hw\.sram = 24, the lowest value swept: at every setting of the other knobs it is at least as good as every other value swept on every objective \(latency_s does not change with it\), so the front takes whatever bound/);
  assert.match(notes[1], /^every front point has hw\.bw = 32, the highest value swept: .*\(area_mm2 does not change with it\)/);
  assert.ok(notes.every((n) => !n.includes('widen the range')), `no advice to widen a range that cannot help: ${notes.join(' | ')}`);
  // a knob whose bound value loses on an objective somewhere is a real trade-off cut off by the range
  const traded = pts.map((p) => (p.params['hw.sram'] === 24 && p.params['hw.bw'] === 8 ? { ...p, metrics: { ...p.metrics, latency_s: 1 } } : p));
  const cut = boundNotes(run, traded);
  assert.match(cut[0], /hw\.sram = 24, the lowest value swept: the front sits on the bound of a hardware knob \(widen the range of hw\.sram\)\.$/);
  // no setting of the other knobs held with two values of the knob (a random sample): the plain note
  const sparse = boundNotes(run, [row(0, { 'hw.sram': 24, 'hw.bw': 8 }, { latency_s: 1, area_mm2: 1 }, true), row(1, { 'hw.sram': 24, 'hw.bw': 9 }, { latency_s: 1, area_mm2: 1 }, true), row(2, { 'hw.sram': 96, 'hw.bw': 10 }, { latency_s: 2, area_mm2: 2 })]);
  assert.match(sparse[0], /hw\.sram = 24, the lowest value swept: the front sits on the bound of a hardware knob \(widen the range of hw\.sram\)\.$/);
});

test('bound notes: a single objective\'s one front point at the end of a swept range is called out too (none was: a front of one point had no notes)', () => {
  // area efficiency = 100 / (10 + sram / 10): best at the smallest SRAM, whatever the bandwidth, which it does not depend on
  const run = { parameters: ['hw.sram', 'hw.bw'], objectives: [{ metric: 'gops_per_mm2', goal: 'max' as const }] };
  const pts = [24, 48, 96].flatMap((s, i) => [8, 16].map((b, j) => row(2 * i + j, { 'hw.sram': s, 'hw.bw': b }, { gops_per_mm2: 100 / (10 + s / 10) + b / 1000 })));
  // the optimum: sram 24 (12.4 mm² → 8.06), bw 16 (+0.016)
  for (const p of pts) p.pareto = p.params['hw.sram'] === 24 && p.params['hw.bw'] === 16;
  const notes = boundNotes(run, pts);
  assert.equal(notes.length, 2, notes.join(' | '));
  assert.match(notes[0], /^the only front point has hw\.sram = 24, the lowest value swept: at every setting of the other knobs it is at least as good as every other value swept on every objective, so the front takes whatever bound/);
  assert.match(notes[1], /^the only front point has hw\.bw = 16, the highest value swept: /);
  // an optimum inside the range: no note for that knob
  for (const p of pts) p.pareto = p.params['hw.sram'] === 48 && p.params['hw.bw'] === 16;
  assert.deepEqual(boundNotes(run, pts).map((n) => n.split(':')[0]), ['the only front point has hw.bw = 16, the highest value swept']);
});

test('the simulate command of a point reproduces its metrics', () => {
  const run = { model: 'analytical', space: { workload: { model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 32 }, hardware: {}, algo: { valueKeep: 0.5 } } } as unknown as RunJson;
  const params = { 'hw.dramChannels': 8, 'algo.tokenKeep': 0.3 };
  const cmd = simulateCommand(run, params);
  assert.equal(cmd, 'npx spatten-dse simulate -w gpt2-medium --stage generation --seq-len 992 --gen-tokens 32 --set algo.valueKeep=0.5 --set hw.dramChannels=8 --set algo.tokenKeep=0.3');
  assert.equal(yamlSnippet(run, params), 'workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }\nhardware: { preset: spatten, dramChannels: 8 }\nalgo: { valueKeep: 0.5, tokenKeep: 0.3 }');
  const args = cmd.split(' ').slice(2);
  const out = JSON.parse(execFileSync(process.execPath, ['bin/spatten-dse.js', ...args, '--json'], { encoding: 'utf8' }));
  const direct = JSON.parse(execFileSync(process.execPath, ['bin/spatten-dse.js', 'simulate', '--set', 'hw.dramChannels=8', '--set', 'algo.tokenKeep=0.3', '--set', 'algo.valueKeep=0.5', '--json'], { encoding: 'utf8' }));
  assert.equal(out.latency_s, direct.latency_s);
  assert.ok(out.latency_s > 0, 'out.latency_s > 0');
});

/** A sweep of `yaml` run by the CLI into a fresh folder; its run.json and every row of points.csv. */
async function sweep(name: string, yaml: string): Promise<LoadedRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sdse-cmd-${name}-`));
  writeFileSync(path.join(dir, 's.yaml'), yaml);
  execFileSync(process.execPath, ['bin/spatten-dse.js', 'run', path.join(dir, 's.yaml'), '--out', path.join(dir, 'out'), '--progress', 'none', '--no-report'], { encoding: 'utf8' });
  return readRun(path.join(dir, 'out'));
}

/** Runs a row's simulate command; its `metrics` at points.csv's precision (6 significant digits). */
function simulated(run: RunJson, row: PointRow, metrics: string[]): { cmd: string; metrics: Record<string, number> } {
  const cmd = simulateCommand(run, row.params);
  const out = JSON.parse(execFileSync(process.execPath, ['bin/spatten-dse.js', ...cmd.split(' ').slice(2), '--json'], { encoding: 'utf8' }));
  return { cmd, metrics: Object.fromEntries(metrics.map((m) => [m, typeof out[m] === 'number' ? Number(out[m].toPrecision(6)) : out[m]])) };
}

const SWEEP_TAIL = `objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
search: { driver: grid }
`;

test('the simulate command of a benchmark point and of a SpAtten-e2e point reproduces its points.csv row', async () => {
  // a benchmark: its shape and algo settings (tokenKeep etc.), the space's algo override on top; the baseline's speedup too
  const bench = await sweep('bench', `name: bench\nworkload: { benchmark: gpt2-medium-wikitext2 }\nalgo: { headKeep: 0.8 }\nbaseline: titan-xp\nparameters:\n  hw.dramChannels: [4, 8]\n  algo.valueKeep: [0.5, 1.0]\n${SWEEP_TAIL}`);
  assert.deepEqual(bench.run.space && (bench.run.space as { workload: unknown }).workload, { benchmark: 'gpt2-medium-wikitext2' }, 'run.json records what defines the workload');
  // e2e with 12-bit FC weights; fidelity cycle: every row scored by the cycle model
  const e2e = await sweep('e2e', `name: e2e\nworkload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4, scope: e2e }\nalgo: { fcWeightBits: 12 }\nfidelity: cycle\nparameters:\n  hw.dramChannels: [4, 8]\n  algo.tokenKeep: [0.5, 1.0]\n${SWEEP_TAIL}`);
  assert.ok(e2e.points.some((p) => p.fidelity === 'cycle'), 'rows scored by the cycle model');
  for (const [{ run, points }, metrics] of [[bench, ['latency_s', 'energy_j', 'speedup']], [e2e, ['latency_s', 'energy_j']]] as const) {
    for (const row of points) {
      const s = simulated(run, row, [...metrics]);
      assert.deepEqual(s.metrics, Object.fromEntries(metrics.map((m) => [m, row.metrics[m]])), s.cmd);
    }
  }
  assert.match(simulateCommand(bench.run, bench.points[0].params), /^npx spatten-dse simulate -w gpt2-medium-wikitext2 --set algo\.headKeep=0\.8 /);
  assert.match(simulateCommand(e2e.run, e2e.points[0].params), / --scope e2e /);
});

test('the simulate command of a trace point finds a trace given relative to the space file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-cmd-trace-'));
  writeFileSync(path.join(dir, 'one-head.csv'), readFileSync('sim/workload/traces/small.csv'));
  writeFileSync(path.join(dir, 's.yaml'), `name: tr\nworkload: { trace: one-head.csv }\nparameters:\n  hw.dramChannels: [4, 8]\n${SWEEP_TAIL}`);
  execFileSync(process.execPath, ['bin/spatten-dse.js', 'run', path.join(dir, 's.yaml'), '--out', path.join(dir, 'out'), '--progress', 'none', '--no-report'], { encoding: 'utf8' });
  const { run, points } = await readRun(path.join(dir, 'out'));
  for (const row of points) {
    const s = simulated(run, row, ['latency_s', 'energy_j']);
    assert.deepEqual(s.metrics, { latency_s: row.metrics.latency_s, energy_j: row.metrics.energy_j }, s.cmd);
  }
});

test('fidelity both: the front table gives one simulate command per model, and each reproduces its columns', async () => {
  const both = await sweep('both', `name: both\nworkload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }\nfidelity: both\ncycle: { seed: 7 }\nalgo: { lsbBits: 4, msbBits: 8 }\nparameters:\n  hw.dramChannels: [4, 8]\n  algo.tokenKeep: [0.5, 1.0]\n${SWEEP_TAIL}`);
  const rescored = both.points.filter((p) => Number.isFinite(p.metrics.cycle_latency_s));
  assert.ok(rescored.length > 0, 'front candidates re-scored by the cycle model');
  const cols = ['latency_s', 'energy_j', 'cycles'];
  for (const row of rescored) {
    const cmds = simulateCommands(both.run, row);
    assert.deepEqual(cmds.map((c) => c.model), ['analytical', 'cycle']);
    assert.match(cmds[1].cmd, / --fidelity cycle --seed 7$/);
    for (const c of cmds) {
      const out = JSON.parse(execFileSync(process.execPath, ['bin/spatten-dse.js', ...c.cmd.split(' ').slice(2), '--json'], { encoding: 'utf8' }));
      const want = Object.fromEntries(cols.map((m) => [m, row.metrics[c.model === 'cycle' ? `cycle_${m}` : m]]));
      // as points.csv writes them (dse/outputs.ts formatMetric: cycles as integers)
      assert.deepEqual(Object.fromEntries(cols.map((m) => [m, formatMetric(m, out[m])])), want, c.cmd);
    }
  }
  // a row the cycle model did not re-score has the one command
  const plain = both.points.find((p) => !Number.isFinite(p.metrics.cycle_latency_s));
  if (plain) assert.equal(simulateCommands(both.run, plain).length, 1);
  const html = await renderReport(both);
  assert.ok(html.includes(`# the cycle model&#39;s figures (cycle_latency_s`), 'the page labels the cycle command');
  assert.ok(html.includes(`${cmdsOf(both, rescored[0])[1]}</pre>`), 'the page shows the cycle command');
});

const cmdsOf = (r: LoadedRun, row: PointRow) => simulateCommands(r.run, row).map((c) => c.cmd);

test('the simulate command of a cycle-model point simulated with another seed carries the seed and reproduces its row', async () => {
  // LSB refetches are seeded draws: seed 7 gives other cycles than the default 1
  const yaml = (seed: number) => `name: sd\nworkload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }\nfidelity: cycle\ncycle: { seed: ${seed} }\nalgo: { lsbBits: 4, msbBits: 8, tokenKeep: 0.5 }\nparameters:\n  hw.dramChannels: [4, 8]\n${SWEEP_TAIL}`;
  const seeded = await sweep('seed7', yaml(7));
  const one = await sweep('seed1', yaml(1));
  assert.notEqual(seeded.points[1].metrics.latency_s, one.points[1].metrics.latency_s, 'the seed changes the numbers');
  for (const { run, points } of [seeded, one]) {
    for (const row of points) {
      const s = simulated(run, row, ['latency_s', 'energy_j']);
      assert.deepEqual(s.metrics, { latency_s: row.metrics.latency_s, energy_j: row.metrics.energy_j }, s.cmd);
    }
  }
  assert.match(simulateCommand(seeded.run, seeded.points[0].params), / --fidelity cycle --seed 7$/);
  assert.match(simulateCommand(one.run, one.points[0].params), / --fidelity cycle$/);
  assert.match(yamlSnippet(seeded.run, seeded.points[0].params), /\ncycle: \{ seed: 7 \}$/);
});

test('static and interactive pages say the same thing about the points a scatter draws: how many have both metrics, all front points, how many of the others', async () => {
  const input = syntheticRun({ n: 3000, seed: 3 });
  const captions = (html: string) => [...html.matchAll(/<figcaption>([^<]*? vs [^<]*?)<\/figcaption>/g)].map((m) => m[1].replace(/&#39;/g, "'"));
  const stat = captions(await renderReport(input, { interactive: false }));
  const live = captions(await renderReport(input, { interactive: true }));
  assert.equal(stat.length, 3);
  assert.equal(live.length, stat.length);
  const ok = input.points.filter((p) => p.status === 'ok');
  const front = ok.filter((p) => p.pareto).length;
  const sample = sampleForInteractive(input.run, input.points);
  const drawn = (cap: string) => /: (\d+) points with both metrics(?: \([^)]*\))?\. Drawn: all (\d+) front points and (\d+) of the (\d+) others \(([^)]*)\)\./.exec(cap);
  for (let i = 0; i < stat.length; i++) {
    const [s, l] = [drawn(stat[i]), drawn(live[i])];
    assert.ok(s && l, `${stat[i]}\n${live[i]}`);
    // the same points with both metrics, front and others; each page says how many of the others it draws and how they were chosen
    assert.deepEqual(s.slice(1, 3), [String(ok.length), String(front)]);
    assert.deepEqual(l.slice(1, 3), s.slice(1, 3));
    assert.equal(l[4], s[4]);
    assert.equal(Number(s[3]), 600);
    assert.equal(Number(l[3]), sample.length - front);
    assert.match(s[5], /deterministic sample/);
    assert.match(l[5], /the page's stratified sample/);
    // the rest of the caption is the same words
    assert.equal(stat[i].replace(drawn(stat[i])![0], ''), live[i].replace(drawn(live[i])![0], ''));
  }
});

test('a page drawn from a sample of a large run says so on every scatter and constraint chart: the ok points of the run and of the page', async () => {
  const input = syntheticRun({ n: 3000, seed: 3 });
  const captions = (html: string) => [...html.matchAll(/<figcaption>([^<]*?(?: vs |of the evaluated points against |pruning ratio)[^<]*?)<\/figcaption>/g)].map((m) => m[1].replace(/&#39;/g, "'"));
  const ok = input.points.filter((p) => p.status === 'ok').length;
  // the whole run on the page: no such sentence
  const whole = captions(await renderReport(input, { interactive: false }));
  assert.ok(whole.length >= 5, whole.join('\n'));
  for (const c of whole) assert.doesNotMatch(c, /this page holds/);
  // the same points as the sample a 10^6-point run keeps (run.json counts the run, points the page)
  const big = { run: { ...input.run, counts: { ...input.run.counts, total: 1_000_000, ok: 980_000, failed: 20_000 } }, points: input.points };
  for (const interactive of [false, true]) {
    const caps = captions(await renderReport(big, { interactive }));
    assert.equal(caps.length, whole.length);
    for (const c of caps) assert.ok(c.includes(`The run evaluated 980000 ok points; this page holds ${ok} of them: every front point, a uniform sample of the others`), c);
  }
});

test('a fidelity: both report says which model its latency and energy are: analytical on the charts and the front table, the cycle model beside them', async () => {
  const both = await sweep('both', `name: both\nworkload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }\nfidelity: both\nparameters:\n  hw.dramChannels: [2, 4, 8, 16]\n  algo.tokenKeep: [0.3, 0.5, 1.0]\n${SWEEP_TAIL}`);
  const rescored = both.points.filter((p) => Number.isFinite(p.metrics.cycle_latency_s));
  assert.ok(rescored.length > 0 && rescored.length < both.points.length, 'rescored.length > 0 && rescored.length < both.points.length');
  const html = await renderReport(both, { interactive: false });
  // the scatter's title and caption
  assert.match(html, />energy vs latency \(analytical model\)</);
  const caption = (/<figcaption>(energy \(µJ\) vs latency \(µs\)[^<]*)<\/figcaption>/.exec(html)?.[1] ?? '').replace(/&#39;/g, "'");
  assert.match(caption, new RegExp(`Latency and energy are the analytical model's for every point \\(the front is decided on them\\); the cycle model re-scored the ${rescored.length} front candidates?: their cycle_latency_s and cycle_energy_j columns in points\\.csv and pareto\\.csv\\.`));
  // the front table: the analytical objective columns named so, and the cycle model's figures next to them
  const front = /<table class="front">[\s\S]*?<\/table>/.exec(html)![0];
  assert.match(front, /<th title="latency_s">latency \(µs\), analytical ↓<\/th>/);
  assert.match(front, /<th title="cycle_latency_s">cycle-model latency \(µs\)<\/th>/);
  assert.match(front, /<th title="cycle_energy_j">cycle-model energy \(µJ\)<\/th>/);
  const p0 = both.points.find((p) => p.pareto)!;
  assert.ok(front.includes(`title="${p0.metrics.cycle_latency_s}"`), 'the front point\'s cycle-model latency');
  assert.match(html, /The breakdowns \(stages, energy, area, DRAM traffic\) are the analytical model&#39;s, as are the unprefixed metrics; the cycle model&#39;s totals are the cycle-model columns\./);
  // a single-model run is not labelled
  const one = await renderReport(syntheticRun({ n: 50, seed: 2 }), { interactive: false });
  assert.doesNotMatch(one, /, analytical|analytical model\)|cycle-model latency|The breakdowns \(/);
});

test('comparison: hypervolume of each front against one common reference (hand calculation)', () => {
  const objs = [{ metric: 'f1', goal: 'min' as const }, { metric: 'f2', goal: 'min' as const }];
  const mk = (pts: PointRow[]) => ({ run: { objectives: objs } as RunJson, points: pts });
  const a = mk([row(0, {}, { f1: 1, f2: 1 })]);
  const b = mk([row(0, {}, { f1: 0, f2: 0 }), row(1, {}, { f1: 0.5, f2: 0.5 })]);
  const hv = compareHypervolumes([{ label: 'A', ...a }, { label: 'B', ...b }], objs);
  // bounds of the union: [0, 1] each; A at (1, 1) → (1.1 − 1)²; B's front is (0, 0) → 1.1²
  assert.ok(Math.abs(hv[0].hv - 0.01) < 1e-12, String(hv[0].hv));
  assert.ok(Math.abs(hv[1].hv - 1.21) < 1e-12, String(hv[1].hv));
  assert.deepEqual(hv[1].front.map((p) => p.id), [0]);
});

test('declared figure: y normalised to the point named in the space (Fig. 19a style)', () => {
  const pts = [1, 2, 16, 32].map((p, i) => row(i, { 'hw.topkParallelism': p }, { gops: [50, 90, 200, 210][i] }));
  const run = { parameters: ['hw.topkParallelism'], objectives: [{ metric: 'gops', goal: 'max' }], space: {} } as unknown as RunJson;
  const c = declaredChart(run, pts, { x: 'hw.topkParallelism', y: 'gops', normalize: { 'hw.topkParallelism': 16 } }, { interactive: false, maxOtherPoints: 10 });
  assert.ok(c, 'c');
  const values = ((c.spec.layer as { data: { values: { x: number; y: number }[] } }[])[0].data.values).map((v) => [v.x, v.y]);
  assert.deepEqual(values, [[1, 0.25], [2, 0.45], [16, 1], [32, 1.05]]);
});

test('declared figure: the y axis covers ours and the published series, extremes inside the frame; log chosen over both', async () => {
  const vega = await import('vega');
  const vl = await import('vega-lite');
  /** The rendered y scale of a declared chart: its type and domain. */
  const yScale = async (gops: number[], ref: [number, number][]) => {
    const pts = [1, 2, 4, 8, 16, 32].map((p, i) => row(i, { 'hw.topkParallelism': p }, { gops: gops[i] }));
    const run = { parameters: ['hw.topkParallelism'], objectives: [{ metric: 'gops', goal: 'max' }], space: {} } as unknown as RunJson;
    const c = declaredChart(run, pts, { x: 'hw.topkParallelism', y: 'gops', scale: { x: 'log' }, reference: { label: 'paper', points: ref } }, { interactive: false, maxOtherPoints: 10 });
    const view = new vega.View(vega.parse(vl.compile(c!.spec as unknown as Parameters<typeof vl.compile>[0]).spec), { renderer: 'none' });
    await view.runAsync();
    const y = view.scale('y') as { type: string; domain(): number[] };
    const out = { type: y.type, domain: y.domain() };
    view.finalize();
    return out;
  };
  // Fig. 19a as the run gives it: ours 57.3 … 702.9 GOP/s, the paper's 168.4 … 776.24
  const paper: [number, number][] = [[1, 168.4], [2, 298.77], [4, 485.42], [8, 652.79], [16, 776.24], [32, 770.87]];
  const fig = await yScale([59.7, 115.2, 214.8, 378.4, 604.4, 702.9], paper);
  assert.equal(fig.type, 'log');
  assert.ok(fig.domain[0] < 59.7 && fig.domain[1] > 776.24, `domain ${fig.domain} leaves an extreme point on the frame`);
  // ours within a decade, the published series over two: log, and both inside
  const wide = await yScale([100, 150, 200, 300, 400, 500], [[1, 10], [32, 1000]]);
  assert.equal(wide.type, 'log');
  assert.ok(wide.domain[0] < 10 && wide.domain[1] > 1000, `domain ${wide.domain}`);
});

test('space report: block validated with file:line:col; objective scale accepted', () => {
  const base = 'name: t\nobjectives:\n  - { metric: gops, goal: max, scale: log }\nparameters:\n  hw.topkParallelism: [1, 2]\n';
  assert.doesNotThrow(() => parseSpace(base + 'report: { x: hw.topkParallelism, y: gops, normalize: { hw.topkParallelism: 2 } }\n', 't.yaml'));
  assert.throws(
    () => parseSpace(base + 'report: { x: hw.nope, y: gops }\n', 't.yaml'),
    (e: Error & { exitCode?: number }) => e.exitCode === 2 && /^t\.yaml:6:\d+: report\.x: "hw\.nope" is neither a parameter/.test(e.message),
  );
});

test('size budgets: 15,360-point run → static ≤ 600 KB, interactive ≤ 1.5 MB with a bounded stratified sample', async () => {
  const input = syntheticRun({ n: 15360, seed: 11 });
  const sample = sampleForInteractive(input.run, input.points);
  const front = input.points.filter((p) => p.pareto).length;
  assert.equal(sample.filter((p) => p.pareto).length, front, 'every front point kept');
  assert.equal(sample.length, front + 1500);
  // stratified: both feasible and infeasible dominated points are in the sample
  assert.ok(sample.some((p) => !p.pareto && p.feasible) && sample.some((p) => !p.feasible), 'sample.some((p) => !p.pareto && p.feasible) && sample.some((p) => !p.feasible)');
  const st = await renderReport(input);
  const live = await renderReport(input, { interactive: true });
  assert.ok(Buffer.byteLength(st) <= 600 * 1024, `static ${Buffer.byteLength(st)} bytes`);
  assert.ok(Buffer.byteLength(live) <= 1.5 * 1024 * 1024, `interactive ${Buffer.byteLength(live)} bytes`);
});

test('progress: no ETA before 10% of the work and 5 s, then extrapolated from completed work', () => {
  assert.equal(etaText(5, 100, 60), 'ETA after 10% done');
  assert.equal(etaText(50, 100, 2), 'ETA after 5 s');
  assert.equal(etaText(0, 100, 60), 'ETA after 10% done');
  assert.equal(etaText(25, 100, 30), 'ETA 1 min 30 s');
  assert.equal(etaText(100, 100, 30), 'done');
  // the share is rounded down, so it never reads 10% beside 'ETA after 10% done', nor 100% before the end
  assert.equal(pctText(98_304, 1_000_000), '9%');
  assert.equal(etaText(98_304, 1_000_000, 3.7), 'ETA after 10% done');
  assert.equal(pctText(996, 1000), '99%');
  assert.equal(pctText(1000, 1000), '100%');
});

test('progress: on a resumed run the ETA and rate come from the recent work, not the journaled points counted as done at once', () => {
  // a cycle sweep of 300 points resumed with 86 journaled: all 86 done at 0.1 s, then 5 points a second
  const w = new RateWindow();
  w.add(0, 0);
  w.add(0.1, 86);
  let done = 86;
  for (let t = 0.5; t <= 6.0001; t += 0.5) w.add(t, (done = 86 + Math.round(5 * (t - 0.1))));
  assert.equal(done, 116);
  const r = w.rate(6, done)!;
  assert.ok(Math.abs(r - 5) < 0.3, `recent rate ${r}/s`);
  // 184 left at 5/s: about 37 s; from the average since the start (116 in 6 s) it said 9.5 s
  assert.equal(etaText(done, 300, 6), 'ETA 9.5 s');
  const eta = etaText(done, 300, 6, r);
  const secs = Number(eta.match(/^ETA ([\d.]+) s$/)?.[1]);
  assert.ok(secs > 33 && secs < 41, eta);
  assert.equal(fmtRate(r), `${r.toFixed(1)}/s`);
  assert.equal(fmtRate(38_912.4), '38,912/s');
  // before 5 s there is no rate yet; the window then covers the last third of the elapsed time
  assert.equal(new RateWindow().rate(4, 10), undefined);
  const steady = new RateWindow();
  for (let t = 0; t <= 60; t += 0.5) steady.add(t, t < 30 ? 100 * t : 3000 + 10 * (t - 30));
  assert.ok(Math.abs(steady.rate(60, 3300)! - 10) < 0.5, 'the last 20 s of a run that slowed from 100/s to 10/s');
});

test('schema: the committed space.schema.json is current, and every shipped space points at it', () => {
  assert.deepEqual(JSON.parse(readFileSync('space.schema.json', 'utf8')), JSON.parse(JSON.stringify(spaceJsonSchema())));
  for (const f of readdirSync('spaces').filter((f) => f.endsWith('.yaml'))) {
    assert.match(readFileSync(`spaces/${f}`, 'utf8'), /^# yaml-language-server: \$schema=\.\.\/space\.schema\.json\n/, f);
  }
});

test('units and labels a reader can use: energy breakdown in the page unit, the baseline named, bar labels written upwards above a visible floor', async () => {
  const { stackedChart } = await import('../reports/breakdown-specs.ts');
  const { summarySection } = await import('../reports/run-sections.ts');
  const { groupedBars } = await import('../reports/figures/kit.ts');
  // 7.465 mJ of energy in three modules: the axis and the totals in mJ, not J
  const h = { id: 1, label: 'knee', params: {}, metrics: {}, energy: { dram: 0.004, qk: 0.003, pv: 0.000465 } } as unknown as Highlight;
  const e = stackedChart([h], 'energy', { interactive: false, maxOtherPoints: 10 })!;
  assert.match(e.caption, /Totals \(mJ\): knee \(#1\): 7\.465\./);
  const values = (e.spec.data as { values: { value: number }[] }).values.map((v) => v.value);
  assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 7.465) < 1e-9, String(values));
  // a space with a baseline says which one the speedup is over
  const { run, points } = syntheticRun({ n: 20 });
  const withBaseline = { ...run, space: { ...(run.space as object), baseline: 'titan-xp' } } as RunJson;
  assert.match(summarySection(withBaseline, points), /<th>baseline<\/th><td><code>titan-xp<\/code>/);
  assert.doesNotMatch(summarySection(run, points), /<th>baseline<\/th>/);
  // grouped bars on a log axis: the shortest bar (102 against 5071) starts a decade below half of it
  const bars = groupedBars({ title: 't', caption: 'c', yTitle: 'x', logY: true, labels: true, xOrder: ['a', 'b'], rows: [{ x: 'a', series: 'ours', value: 102 }, { x: 'b', series: 'ours', value: 5071 }] });
  const layers = bars.spec.layer as { mark: { type: string; angle?: number }; encoding: { y: { scale: { domain: number[] } } } }[];
  const [lo, hi] = layers[0].encoding.y.scale.domain;
  assert.equal(lo, 10);
  assert.ok(hi > 5071 * 1.5, `room above the tallest bar: ${hi}`);
  assert.equal(layers[1].mark.type, 'text');
  assert.equal(layers[1].mark.angle, 270);
});
