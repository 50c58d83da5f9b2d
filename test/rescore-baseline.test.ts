/**
 * `fidelity: both` with a `baseline:`: the cycle model's re-score of a front candidate carries the
 * baseline metrics of its own latency and energy (cycle_speedup, cycle_energy_saving), as the
 * analytical evaluation carries speedup and energy_saving, in points.csv, pareto.csv, run.json and
 * the report, and they take part in the constraint check of the re-scored columns.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPlatform } from '../sim/baselines/platforms.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function csv(file: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
  return { header, rows: lines.map((l) => Object.fromEntries(header.map((h, i) => [h, l[i]]))) };
}

const WORKLOAD = { model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 2 } as const;
const SPACE = `name: rescore-baseline
workload: { model: ${WORKLOAD.model}, stage: ${WORKLOAD.stage}, seqLen: ${WORKLOAD.seqLen}, genTokens: ${WORKLOAD.genTokens} }
fidelity: both
baseline: titan-xp
objectives: [{ metric: speedup, goal: max }, { metric: area_mm2, goal: min }]
parameters: { hw.dramChannels: [2, 4, 8, 16], algo.tokenKeep: [0.5, 1.0] }
search: { driver: grid }
`;

/** points.csv rounds to 6 significant digits: a ratio of two such numbers is good to about 1e-5. */
const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= 2e-5 * Math.abs(want), `${what}: ${got}, expected ${want}`);

test('fidelity both with a baseline: cycle_speedup = baseline latency / cycle_latency_s, cycle_energy_saving = baseline energy / cycle_energy_j, in every output', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-rescore-baseline-'));
  try {
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(space, SPACE);
    const out = path.join(dir, 'o');
    const r = cli(['run', space, '--out', out, '--progress', 'none']);
    assert.equal(r.code, 0, r.err);
    // the dense GPU's attention on this workload, from the platform model itself
    const base = runPlatform('titan-xp', WORKLOAD, 'attention');
    assert.ok(base.latency_s > 0 && base.energy_j > 0);

    const points = csv(path.join(out, 'points.csv'));
    // the baseline's re-scored columns follow the hardware ones, as speedup, energy_saving follow the hardware metrics
    const cyc = points.header.filter((h) => h.startsWith('cycle_'));
    assert.deepEqual(cyc, ['cycle_latency_s', 'cycle_energy_j', 'cycle_cycles', 'cycle_dram_bytes', 'cycle_power_w', 'cycle_speedup', 'cycle_energy_saving']);
    assert.deepEqual(csv(path.join(out, 'pareto.csv')).header, points.header);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    assert.deepEqual(run.metrics.filter((m: string) => m.startsWith('cycle_')), cyc);

    const rescored = points.rows.filter((p) => p.cycle_latency_s !== '');
    assert.ok(rescored.length >= 2, `${rescored.length} re-scored points`);
    for (const p of points.rows) {
      // the columns of a point the cycle model did not re-score are empty together
      for (const c of cyc) assert.equal(p[c] === '', p.cycle_latency_s === '', `#${p.id} ${c}`);
      // the analytical columns against the same baseline
      close(Number(p.speedup), base.latency_s / Number(p.latency_s), `#${p.id} speedup`);
      close(Number(p.energy_saving), base.energy_j / Number(p.energy_j), `#${p.id} energy_saving`);
    }
    for (const p of rescored) {
      close(Number(p.cycle_speedup), base.latency_s / Number(p.cycle_latency_s), `#${p.id} cycle_speedup`);
      close(Number(p.cycle_energy_saving), base.energy_j / Number(p.cycle_energy_j), `#${p.id} cycle_energy_saving`);
      // the two models differ on the point, so the column is the cycle model's and not a copy
      assert.notEqual(p.cycle_speedup, p.speedup, `#${p.id}`);
    }
    const pareto = csv(path.join(out, 'pareto.csv')).rows;
    for (const f of pareto) assert.deepEqual(f, points.rows.find((p) => p.id === f.id), `pareto.csv #${f.id}`);

    // the report's front table shows the cycle model's speedup beside the analytical objective
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    const front = /<table class="front">[\s\S]*?<\/table>/.exec(html)![0];
    assert.match(front, /<th title="cycle_speedup">cycle-model speedup over the baseline \(×\)<\/th>/);
    const titled = [...front.matchAll(/<td class="num" title="([-\d.e+]+)">/g)].map((m) => Number(m[1]));
    for (const p of pareto) assert.ok(titled.some((v) => Math.abs(v - Number(p.cycle_speedup)) <= 1e-5 * v), `#${p.id} cycle_speedup ${p.cycle_speedup} in the front table (${titled.join(', ')})`);

    // the report's cycle-model command prints the same speedup (simulate --fidelity cycle --baseline)
    const f = pareto[0];
    const sim = cli(['simulate', '-w', WORKLOAD.model, '--stage', WORKLOAD.stage, '--seq-len', String(WORKLOAD.seqLen), '--gen-tokens', String(WORKLOAD.genTokens), '--set', `hw.dramChannels=${f['hw.dramChannels']}`, '--set', `algo.tokenKeep=${f['algo.tokenKeep']}`, '--fidelity', 'cycle', '--baseline', 'titan-xp', '--json']);
    assert.equal(sim.code, 0, sim.err);
    const j = JSON.parse(sim.out);
    close(j.speedup, Number(f.cycle_speedup), 'simulate --fidelity cycle speedup');
    close(j.energy_saving, Number(f.cycle_energy_saving), 'simulate --fidelity cycle energy_saving');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fidelity both: a front point that meets a speedup constraint by the analytical model only is named by its cycle_speedup', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-rescore-baseline-'));
  try {
    const one = (constraint: string) => `name: both-speedup
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 2 }
fidelity: both
baseline: titan-xp
objectives: [{ metric: latency_s, goal: min }]
constraints: [${constraint}]
parameters: { hw.dramChannels: [16], algo.tokenKeep: [0.5] }
`;
    const space = path.join(dir, 'one.yaml');
    fs.writeFileSync(space, one('"area_mm2 <= 100"'));
    assert.equal(cli(['run', space, '--out', path.join(dir, 'a'), '--progress', 'none', '--no-report']).code, 0);
    const [row] = csv(path.join(dir, 'a', 'points.csv')).rows;
    const [a, c] = [Number(row.speedup), Number(row.cycle_speedup)];
    assert.ok(Number.isFinite(c) && a !== c, `${a} vs ${c}`);
    // a limit between the two models' speedups, which the analytical one meets
    const limit = ((a + c) / 2).toPrecision(6);
    fs.writeFileSync(space, one(`"speedup ${a > c ? '>=' : '<='} ${limit}"`));
    const r = cli(['run', space, '--out', path.join(dir, 'b'), '--progress', 'none', '--no-report']);
    assert.equal(r.code, 0, r.err);
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'b', 'run.json'), 'utf8'));
    const note = (run.notes ?? []).find((n: string) => n.startsWith('fidelity both:'));
    assert.match(note ?? '', /1 front point meets the constraints by the analytical model but not by the cycle model: #0 cycle_speedup /, JSON.stringify(run.notes));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
