/**
 * dse/sink.ts, the streamed outputs of a run: points.csv and pareto.csv written batch by batch
 * must equal the in-memory writer (dse/outputs.ts pointsCsv) over the same rows, with the pareto
 * flags of a brute-force dominance check; the report keeps the whole front and a bounded sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { RunSink, toPointRows } from '../dse/sink.ts';
import { pointsCsv } from '../dse/outputs.ts';
import { atomicTempOf, openAtomic } from '../core/atomic.ts';
import type { EvaluatedPoint } from '../dse/evaluate.ts';
import type { Objective } from '../dse/driver.ts';
import { mulberry32 } from '../sim/rng.ts';
import { boundHits } from '../core/bounds.ts';
import { hypervolume, normaliser } from '../core/pareto.ts';
import { PointsReader } from '../reports/read-points.ts';
import { parsePointsCsv } from '../reports/read.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sink-test-'));
const METRICS = ['latency_s', 'energy_j', 'area_mm2'];
const PARAMS = ['hw.a', 'algo.name'];
const OBJ3: Objective[] = [
  { metric: 'latency_s', goal: 'min' },
  { metric: 'energy_j', goal: 'min' },
  { metric: 'area_mm2', goal: 'min' },
];

/** Rows with every awkward cell: quoted commas, quotes, newlines (an error may span lines), NaN. */
function rows(n: number, seed = 7): EvaluatedPoint[] {
  const rng = mulberry32(seed);
  const out: EvaluatedPoint[] = [];
  for (let id = 0; id < n; id++) {
    const params = { 'hw.a': Math.floor(rng() * 50), 'algo.name': id % 97 === 0 ? 'x,"y"\nz' : `n${id % 5}` };
    if (id % 41 === 5) {
      out.push({ id, params, metrics: { latency_s: NaN, energy_j: NaN, area_mm2: NaN }, status: 'failed', violation: Infinity, feasible: false, error: `boom, "quoted"\nsecond line ${id}`, fidelity: '' });
      continue;
    }
    const metrics = { latency_s: rng() * 1e-3, energy_j: rng() * 2e-3, area_mm2: 5 + rng() * 20 };
    const feasible = metrics.area_mm2 <= 20;
    out.push({ id, params, metrics, status: 'ok', violation: feasible ? 0 : metrics.area_mm2 - 20, feasible, error: '', fidelity: 'analytical' });
  }
  return out;
}

/** Ids of the non-dominated feasible rows, by comparing every pair. */
function bruteFront(all: EvaluatedPoint[]): Set<number> {
  const ok = all.filter((r) => r.status === 'ok' && r.feasible);
  const v = (r: EvaluatedPoint) => METRICS.map((m) => r.metrics[m]);
  const dominates = (a: number[], b: number[]) => a.every((x, i) => x <= b[i]) && a.some((x, i) => x < b[i]);
  return new Set(ok.filter((r) => !ok.some((o) => o !== r && dominates(v(o), v(r)))).map((r) => r.id));
}

function sinkRun(all: EvaluatedPoint[], batch: number, sample = 50) {
  const dir = tmp();
  const sink = new RunSink({ dir, parameters: PARAMS, metrics: METRICS, objectives: OBJ3, sample, failedSample: 3 });
  for (let i = 0; i < all.length; i += batch) sink.add(all.slice(i, i + batch));
  const report = sink.reportRows();
  const trajectory = sink.hypervolumeTrajectory();
  sink.finish();
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const files = { points: read('points.csv'), pareto: read('pareto.csv'), left: fs.readdirSync(dir) };
  fs.rmSync(dir, { recursive: true, force: true });
  return { sink, report, trajectory, files };
}

test('streamed points.csv and pareto.csv equal the in-memory writer; pareto flags = brute-force front (3 objectives)', () => {
  const all = rows(3000);
  const front = bruteFront(all);
  assert.ok(front.size >= 5, `a front of several points (${front.size})`);
  const { sink, files } = sinkRun(all, 128);
  assert.equal(files.points, pointsCsv(toPointRows(all, front), PARAMS, METRICS));
  assert.equal(files.pareto, pointsCsv(toPointRows(all.filter((r) => front.has(r.id)), front), PARAMS, METRICS));
  assert.deepEqual(files.left.sort(), ['pareto.csv', 'points.csv'], 'the temporary body is removed');
  assert.equal(sink.total, 3000);
  assert.equal(sink.ok, all.filter((r) => r.status === 'ok').length);
  assert.equal(sink.feasible, all.filter((r) => r.status === 'ok' && r.feasible).length);
  assert.deepEqual(new Set(sink.front.map((r) => r.id)), front);
});

test('a body larger than one read chunk (4 MB), with a record of quoted newlines across the chunk end, is copied whole', () => {
  const all = rows(20_000, 3);
  // a failed point whose error (5 MB of quoted lines) spans the first 4 MB chunk's end
  all[5].error = 'line "x", y\n'.repeat(420_000);
  const { files } = sinkRun(all, 4096);
  assert.ok(files.points.length > 6e6, `${files.points.length} bytes`);
  assert.equal(files.points, pointsCsv(toPointRows(all, bruteFront2(all)), PARAMS, METRICS));
});

/** The 3-objective front by a sort over latency and a scan (the brute force is O(n²) at 60,000 rows). */
function bruteFront2(all: EvaluatedPoint[]): Set<number> {
  const ok = all.filter((r) => r.status === 'ok' && r.feasible).sort((a, b) => a.metrics.latency_s - b.metrics.latency_s);
  const kept: EvaluatedPoint[] = [];
  for (const r of ok) if (!kept.some((k) => k.metrics.energy_j <= r.metrics.energy_j && k.metrics.area_mm2 <= r.metrics.area_mm2)) kept.push(r);
  return new Set(kept.map((r) => r.id));
}

test('the report keeps the whole front, a bounded deterministic sample and the first failed points; batch size changes nothing written', () => {
  const all = rows(3000);
  const front = bruteFront(all);
  const a = sinkRun(all, 128, 50);
  const b = sinkRun(all, 1000, 50);
  assert.equal(a.files.points, b.files.points);
  const ids = new Set(a.report.map((r) => r.id));
  for (const id of front) assert.ok(ids.has(id), `front point ${id} in the report`);
  assert.ok(a.report.length <= front.size + 50 + 3 + 2 * PARAMS.length, `${a.report.length} rows kept`);
  assert.equal(a.report.filter((r) => r.status === 'failed').length, 3);
  assert.deepEqual(a.report.map((r) => r.id), [...a.report.map((r) => r.id)].sort((x, y) => x - y), 'by id');
  assert.deepEqual(a.report.filter((r) => r.pareto).map((r) => r.id).sort((x, y) => x - y), [...front].sort((x, y) => x - y));
  // same points in the same batches → the same sample
  assert.deepEqual(sinkRun(all, 128, 50).report.map((r) => r.id), a.report.map((r) => r.id));
  // one entry per batch: the hypervolume of the front of the points so far, normalised by the
  // bounds of every feasible point of the run
  assert.equal(a.trajectory.length, Math.ceil(3000 / 128));
  const feasibleVecs = all.filter((r) => r.status === 'ok' && r.feasible).map((r) => METRICS.map((m) => r.metrics[m]));
  const norm = normaliser(feasibleVecs);
  a.trajectory.forEach((t, i) => {
    const upTo = all.slice(0, Math.min(3000, (i + 1) * 128));
    const f = bruteFront2(upTo);
    const expected = hypervolume(upTo.filter((r) => f.has(r.id)).map((r) => norm.apply(METRICS.map((m) => r.metrics[m]))), norm.ref);
    assert.equal(t.evals, upTo.length);
    assert.ok(Math.abs(t.hv - expected) <= 1e-12 * Math.max(1, expected), `batch ${i}: ${t.hv} vs ${expected}`);
  });
  for (let i = 1; i < a.trajectory.length; i++) assert.ok(a.trajectory[i].hv >= a.trajectory[i - 1].hv, 'a.trajectory[i].hv >= a.trajectory[i - 1].hv');
});

test('a metric that is not a column is refused (rows are written as they come)', () => {
  const dir = tmp();
  const sink = new RunSink({ dir, parameters: PARAMS, metrics: ['latency_s'], objectives: OBJ3.slice(0, 1) });
  assert.throws(() => sink.add(rows(3)), /metric energy_j of point 0 is not a points.csv column/);
  sink.discard();
  assert.deepEqual(fs.readdirSync(dir), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a killed run's temporary outputs are removed when the next run's sink opens; a live process's are kept", () => {
  const dir = tmp();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const left = [`.points.body.${dead}.tmp`, `.points.csv.${dead}.0a1b2c3d.tmp`, `.pareto.csv.${dead}.ffffffff.tmp`, `.run.json.${dead}.12345678.tmp`, `.report.html.${dead}.9abcdef0.tmp`];
  const kept = [`.report.html.${process.pid}.9abcdef0.tmp`, 'notes.txt', `.other.${dead}.0a1b2c3d.tmp`];
  for (const f of [...left, ...kept]) fs.writeFileSync(path.join(dir, f), 'x');
  const sink = new RunSink({ dir, parameters: PARAMS, metrics: METRICS, objectives: OBJ3 });
  const now = fs.readdirSync(dir).sort();
  sink.discard();
  assert.deepEqual(now, [...kept, `.points.body.${process.pid}.tmp`].sort());
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the report's bound notes are those of every point: each parameter's lowest and highest point is kept beside the sample", () => {
  // front = the k = 1 points (k = 0 and k = 2 are dominated): not on a bound of k, which runs 0…9
  const all: EvaluatedPoint[] = [];
  for (let id = 0; id < 2000; id++) {
    const k = id % 10;
    const j = Math.floor(id / 10);
    all.push({ id, params: { 'hw.k': k, 'hw.j': j }, metrics: { latency_s: Math.abs(k - 1) + 0.01 * j, energy_j: Math.abs(k - 1) + 0.01 * (199 - j) }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical' });
  }
  const dir = tmp();
  const sink = new RunSink({ dir, parameters: ['hw.k', 'hw.j'], metrics: ['latency_s', 'energy_j'], objectives: OBJ3.slice(0, 2), sample: 5 });
  for (let i = 0; i < all.length; i += 100) sink.add(all.slice(i, i + 100));
  const run = { parameters: ['hw.k', 'hw.j'] };
  const front = new Set(sink.front.map((r) => r.id));
  assert.equal(front.size, 200);
  assert.deepEqual(boundHits(run, toPointRows(all, front)), []);
  assert.deepEqual(boundHits(run, sink.reportRows()), []);
  sink.discard();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('points.csv streamed back (report DIR) draws exactly the rows the sink kept for the report, as written, whatever the chunk size', () => {
  const all = rows(3000);
  const { report, files } = sinkRun(all, 128, 50);
  const run = { parameters: PARAMS, metrics: METRICS };
  // the run's report is drawn from its kept rows as points.csv writes them (dse/cli.ts)
  const asWritten = parsePointsCsv(pointsCsv(report, PARAMS, METRICS), run);
  assert.ok(asWritten.length < 3000 && asWritten.some((r) => r.status === 'failed') && asWritten.some((r) => String(r.params['algo.name']).includes('\n')), 'asWritten.length < 3000 && asWritten.some((r) => r.status === \'failed\') && asWritten.some((r) => …');
  const buf = Buffer.from(files.points, 'utf8');
  for (const chunk of [7, 4096, buf.length]) {
    const reader = new PointsReader(run, 'points.csv', { size: 50, failed: 3 });
    for (let i = 0; i < buf.length; i += chunk) reader.push(buf.subarray(i, i + chunk));
    const got = reader.end();
    assert.equal(got.rows, 3000, `chunks of ${chunk} bytes`);
    assert.deepEqual(got.points, asWritten, `chunks of ${chunk} bytes`);
  }
  // without a sample, every row, in file order
  const whole = parsePointsCsv(files.points, run);
  assert.deepEqual(whole.map((r) => r.id), all.map((r) => r.id));
  assert.equal(whole[97].params['algo.name'], 'x,"y"\nz');
  assert.equal(whole[5].error, 'boom, "quoted"\nsecond line 5');
});

test("run.json's sensitivity of accuracy with rungs: only the rows measured on the most examples, as the report's table, and the count of the others", () => {
  // a 2 × 3 grid; b = 3 stopped at the 32-example rung (32/32 both). The full rows are an additive
  // 2 × 2 grid: accuracy = 0.90 | 0.94 (b = 1 | 2) + 0 | 0.02 (a = x | y); mean 0.93, total SS 0.002,
  // b's term 4 · 0.02² = 0.0016 (80%), a's 4 · 0.01² = 0.0004 (20%); means 91% | 95% and 92% | 94%
  const full = 'analytical+accuracy';
  const sub = 'analytical+accuracy:subset(n=32)';
  const cell = (id: number, a: string, b: number, accuracy: number, fidelity: string): EvaluatedPoint => ({
    id, params: { a, b }, metrics: { accuracy, latency_s: b * 1e-4 }, status: 'ok', violation: 0, feasible: true, error: '', fidelity,
  });
  const pts = [cell(0, 'x', 1, 0.9, full), cell(1, 'x', 2, 0.94, full), cell(2, 'x', 3, 1, sub), cell(3, 'y', 1, 0.92, full), cell(4, 'y', 2, 0.96, full), cell(5, 'y', 3, 1, sub)];
  const objectives: Objective[] = [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }];
  const sink = new RunSink({ dir: tmp(), parameters: ['a', 'b'], metrics: ['accuracy', 'latency_s'], objectives });
  sink.add(pts);
  const res = sink.sensitivity.result();
  sink.discard();
  const acc = res.metrics.find((m) => m.metric === 'accuracy')!;
  assert.equal(acc.n, 4, 'the four full evaluations');
  assert.equal(acc.left, 2, 'the two subset estimates are counted as left out');
  const eff = Object.fromEntries(acc.effects.map((e) => [e.param, [Number(e.share.toFixed(6)), Number(e.lo.toFixed(6)), e.loAt, Number(e.hi.toFixed(6)), e.hiAt]]));
  assert.deepEqual(eff, { b: [0.8, 0.91, '1', 0.95, '2'], a: [0.2, 0.92, 'x', 0.94, 'y'] });
  // latency is the hardware model's on every row: all six, nothing left out
  const lat = res.metrics.find((m) => m.metric === 'latency_s')!;
  assert.equal(lat.n, 6);
  assert.equal(lat.left, undefined);
  assert.deepEqual(lat.effects.map((e) => [e.param, Number(e.share.toFixed(6))]), [['b', 1], ['a', 0]]);
});

test("run.json's sensitivity of accuracy when every row stopped at one subset rung: all of them, none left out, and their examples", () => {
  const cell = (id: number, b: number, accuracy: number): EvaluatedPoint => ({
    id, params: { b }, metrics: { accuracy, latency_s: b * 1e-4 }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy:subset(n=32)',
  });
  const sink = new RunSink({ dir: tmp(), parameters: ['b'], metrics: ['accuracy', 'latency_s'], objectives: [{ metric: 'accuracy', goal: 'max' }] });
  sink.add([cell(0, 1, 0.9375), cell(1, 1, 0.9375), cell(2, 2, 1), cell(3, 2, 1)]);
  const acc = sink.sensitivity.result().metrics[0];
  sink.discard();
  assert.deepEqual([acc.n, acc.left, acc.examples, acc.effects[0].share], [4, undefined, 32, 1]);
});

test("run.json's sensitivity of accuracy when the rungs took only some configurations further: every row's first-rung estimate; all rows promoted: their full values", () => {
  // a 2 × 3 grid on the 32-example first rung: accuracy = 0.90 | 0.93 | 0.96 (b = 1 | 2 | 3) + 0 | 0.03
  // (a = x | y), additive; mean 0.945; b's SS 2 · (0.03² + 0 + 0.03²) = 0.0036, a's 6 · 0.015² = 0.00135,
  // total 0.00495: b 72.7273%, a 27.2727%; means 91.5 | 94.5 | 97.5% and 93 | 96%
  const first = (a: string, b: number) => [0.9, 0.93, 0.96][b - 1] + (a === 'y' ? 0.03 : 0);
  // b = 1, 2 promoted: their own (full) values, 0.97 whatever a and b, are not the table's
  const cell = (id: number, a: string, b: number, promoted: boolean): EvaluatedPoint => ({
    id, params: { a, b }, metrics: { accuracy: promoted ? 0.97 : first(a, b), latency_s: b * 1e-4 }, status: 'ok', violation: 0, feasible: true, error: '',
    fidelity: promoted ? 'analytical+accuracy' : 'analytical+accuracy:subset(n=32)', firstRung: { metric: 'accuracy', examples: 32, value: first(a, b) },
  });
  const grid = [cell(0, 'x', 1, true), cell(1, 'x', 2, true), cell(2, 'x', 3, false), cell(3, 'y', 1, true), cell(4, 'y', 2, true), cell(5, 'y', 3, false)];
  const result = (pts: EvaluatedPoint[]) => {
    const sink = new RunSink({ dir: tmp(), parameters: ['a', 'b'], metrics: ['accuracy', 'latency_s'], objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }] });
    sink.add(pts);
    const acc = sink.sensitivity.result().metrics[0];
    sink.discard();
    return acc;
  };
  const acc = result(grid);
  assert.deepEqual([acc.n, acc.left, acc.examples, acc.basis, acc.further], [6, undefined, 32, 'first-rung', 4]);
  const eff = (s: typeof acc) => Object.fromEntries(s.effects.map((e) => [e.param, [Number(e.share.toFixed(6)), Number(e.lo.toFixed(6)), e.loAt, Number(e.hi.toFixed(6)), e.hiAt]]));
  assert.deepEqual(eff(acc), { b: [0.727273, 0.915, '1', 0.975, '3'], a: [0.272727, 0.93, 'x', 0.96, 'y'] });
  // every configuration promoted: the full values, as without rungs
  const all = grid.map((p) => ({ ...p, metrics: { ...p.metrics, accuracy: 0.9 + 0.01 * p.id }, fidelity: 'analytical+accuracy' }));
  const full = result(all);
  assert.deepEqual([full.n, full.left, full.examples, full.basis, full.further], [6, undefined, undefined, undefined, undefined]);
  // accuracy 0.90 … 0.95 by id, mean 0.925, total SS 2 · (0.025² + 0.015² + 0.005²) = 17.5e-4; a = x | y at
  // ids 0-2 | 3-5: means 0.91 | 0.94, SS 6 · 0.015² = 13.5e-4 (77.14%)
  assert.equal(Number(full.effects.find((e) => e.param === 'a')!.share.toFixed(4)), 0.7714);
});

test('a temporary file of an atomic write names its target and its writer, which is how a run finds a killed run\'s leftovers', () => {
  const dir = tmp();
  const f = openAtomic(path.join(dir, 'points.csv'));
  const [name] = fs.readdirSync(dir);
  f.abort();
  assert.deepEqual(atomicTempOf(name), { name: 'points.csv', pid: process.pid });
  assert.equal(atomicTempOf('.points.body.12.tmp'), undefined, 'the points body is not an atomic write');
  assert.equal(atomicTempOf('points.csv'), undefined, 'an output itself');
});
