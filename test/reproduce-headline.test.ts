import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIGURES, findFigure } from '../dse/reproduce/index.ts';
import { headline } from '../dse/reproduce/headline.ts';
import { suite } from '../dse/reproduce/fig14.ts';
import { table4 } from '../dse/reproduce/table4.ts';
import { fig15 } from '../dse/reproduce/fig15.ts';
import { fig20gpu } from '../dse/reproduce/fig20gpu.ts';
import { FIG20_CONFIGS } from '../dse/commands/reproduce.ts';
import { runPlatform, PLATFORM_NAMES } from '../sim/baselines/platforms.ts';
import { benchmark, geomean } from '../sim/workload/benchmarks.ts';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'spatten-dse.js');

test('every figure module is listed and named uniquely', () => {
  const names = FIGURES.map((f) => f.name);
  assert.deepEqual([...names].sort(), ['fig14', 'fig15', 'fig18', 'fig19a', 'fig20', 'fig20gpu', 'headline', 'sram', 'table4']);
  assert.equal(findFigure('fig14')?.name, 'fig14');
});

test('Fig. 14: 30 rows × 4 platforms; a row is the platform latency over ours', () => {
  const rows = suite('analytical');
  assert.equal(rows.length, 30);
  const r = rows.find((x) => x.benchmark === 'bert-large-rte')!;
  for (const p of PLATFORM_NAMES) {
    const expected = runPlatform(p, benchmark('bert-large-rte')).latency_s / r.spatten.latency_s;
    assert.ok(Math.abs(r.speedup[p] / expected - 1) < 1e-12, p);
    assert.ok(r.energy_saving[p] > 0, 'r.energy_saving[p] > 0');
  }
});

test('headline: eight geomeans; TITAN Xp speedup (a prediction: BERT never calibrated) within ±25% of 162×', () => {
  const h = headline('analytical');
  assert.equal(h.rows.length, 8);
  const gpu = h.rows.find((r) => r.platform === 'titan-xp' && r.metric === 'speedup')!;
  assert.ok(Math.abs(gpu.ours / 162 - 1) <= 0.25, `ours ${gpu.ours}`);
  // The Xeon/Nano/RPi speedups share TITAN Xp's error (their ratio to TITAN Xp is a calibration anchor).
  for (const p of ['xeon', 'jetson-nano', 'rpi4']) {
    const r = h.rows.find((x) => x.platform === p && x.metric === 'speedup')!;
    assert.ok(Math.abs(r.error - gpu.error) < 1e-6, p);
  }
  // Energy saving / speedup = P_platform / P_SpAtten: the error ratio is 8.30 W over our SpAtten power geomean.
  const e = h.rows.find((r) => r.platform === 'titan-xp' && r.metric === 'energy_saving')!;
  assert.ok(Math.abs((1 + e.error) / (1 + gpu.error) / (8.3 / h.spattenPowerGeomeanW) - 1) < 1e-9, 'Math.abs((1 + e.error) / (1 + gpu.error) / (8.3 / h.spattenPowerGeomeanW) - 1) < 1e-9');
});

test('Table IV: GPU FLOPs by hand, GPU attention = the 366.7 ms anchor, SpAtten-e2e FC = 19.3 GFLOPs', () => {
  const rows = table4('analytical');
  const get = (p: string, q: string) => rows.find((r) => r.platform === p && r.quantity === q)!;
  assert.ok(Math.abs(get('TITAN Xp', 'fcGflop').ours - (2 * 12 * 1024 * 1024 * 24 * 32) / 1e9) < 0.1, 'Math.abs(get(\'TITAN Xp\', \'fcGflop\').ours - (2 * 12 * 1024 * 1024 * 24 * 32) / 1e9) < 0.1');
  assert.ok(Math.abs(get('TITAN Xp', 'attnMs').ours - 366.7) < 1e-6, 'Math.abs(get(\'TITAN Xp\', \'attnMs\').ours - 366.7) < 1e-6');
  assert.ok(Math.abs(get('SpAtten-e2e 8-bit FC', 'fcGflop').ours - 19.33) < 0.01, 'Math.abs(get(\'SpAtten-e2e 8-bit FC\', \'fcGflop\').ours - 19.33) < 0.01');
  assert.ok(get('SpAtten-e2e 12-bit FC', 'fcMs').ours > get('SpAtten-e2e 8-bit FC', 'fcMs').ours * 1.4, 'get(\'SpAtten-e2e 12-bit FC\', \'fcMs\').ours > get(\'SpAtten-e2e 8-bit FC\', \'fcMs\').ours * 1.4');
});

test('Fig. 15: 8 GPT-2 rows × {8, 12}-bit × {GPU, Xeon}; 8-bit FC is faster', () => {
  const rows = fig15('analytical');
  assert.equal(rows.length, 32);
  const s8 = geomean(rows.filter((r) => r.fcBits === 8 && r.baseline === 'titan-xp').map((r) => r.speedup));
  const s12 = geomean(rows.filter((r) => r.fcBits === 12 && r.baseline === 'titan-xp').map((r) => r.speedup));
  assert.ok(s8 > s12, 's8 > s12');
});

test('Fig. 20 from the GPU: the datapath step is GPU latency / ASIC-baseline latency, geomean over the 8 GPT-2 benchmarks', () => {
  const c = FIG20_CONFIGS[0];
  const r = fig20gpu('analytical', c);
  assert.equal(r.cumulative.length, 6);
  const byHand = geomean([r.perModel['gpt2-small'], r.perModel['gpt2-medium']].map((m) => m.gpuMs / m.stepMs[0]));
  assert.ok(Math.abs(r.cumulative[0] / byHand - 1) < 1e-9, 'Math.abs(r.cumulative[0] / byHand - 1) < 1e-9');
  assert.equal(r.targets.length, 3);
});

test('reproduce headline --json, simulate --baseline and an unknown benchmark through the CLI', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const h = run('reproduce', 'headline', '--fidelity', 'analytical', '--json');
  assert.equal(h.status, 0, h.stderr);
  const out = JSON.parse(h.stdout);
  assert.equal(out.headline.length, 8);
  assert.ok(out.calibration['titan-xp'].tOp > 0, 'out.calibration[\'titan-xp\'].tOp > 0');
  const s = run('simulate', '--workload', 'gpt2-medium-wikitext2', '--baseline', 'titan-xp', '--json');
  assert.equal(s.status, 0, s.stderr);
  const j = JSON.parse(s.stdout);
  assert.ok(j.speedup > 1 && j.energy_saving > 1, 'j.speedup > 1 && j.energy_saving > 1');
  const bad = run('simulate', '--workload', 'bert-base-colaa');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'error: --workload: unknown model or benchmark "bert-base-colaa" (did you mean "bert-base-cola"?)\n');
  // no name near it: the models and benchmarks are listed
  const far = run('simulate', '--workload', 'llama');
  assert.equal(far.status, 2);
  assert.match(far.stderr, /^error: --workload: unknown model or benchmark "llama" \(models: bert-base, bert-large, gpt2-small, gpt2-medium; benchmarks: bert-base-squad-v1, .*, gpt2-medium-1bw\)\n$/);
});
