/**
 * The benches still run: `BENCH_SMOKE=1 npm run bench -- nn train analytical cycle run startup scale`
 * (bench/smoke.ts), one repetition of each measurement or a thousandth of the points, no README
 * block or bench/results.json written. The nn bench crashed for two
 * sessions at its training-step timing (gradients not registered) without any test noticing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

const FILES = ['README.md', 'sim/nn/README.md', 'sim/cycle/README.md', 'bench/results.json'];
const digest = () => FILES.map((f) => (existsSync(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : 'absent'));
const positive = (x: unknown, what: string) => assert.ok(typeof x === 'number' && Number.isFinite(x) && x > 0, `${what}: ${String(x)}`);

test('BENCH_SMOKE=1 bench nn train analytical cycle run startup scale: each runs to the end with finite figures and writes nothing', () => {
  const before = digest();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'nn', 'train', 'analytical', 'cycle', 'run', 'startup', 'scale'], { encoding: 'utf8', env: { ...process.env, BENCH_SMOKE: '1' }, timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr.split('\n').filter((l) => !l.startsWith('var Module')).slice(-8).join('\n'));
  const out = JSON.parse(r.stdout);
  positive(out.nn.engine.dense.fractionOfMatMul, 'engine ÷ matMul, dense');
  positive(out.nn.engine.tokenKeep05.gflopsPerCpuSecond, 'engine GFLOP/s at tokenKeep 0.5');
  positive(out.nn.lmGeneratedTokensPerSecond.kvPruned25, 'LM tokens/s, KV-pruned');
  positive(out.nn.lmTrainStep.defaultCpuSeconds, 'LM training step, default kernels');
  positive(out.nn.lmTrainStep.fastCpuSeconds, 'LM training step, fast kernels');
  positive(out.train.oneThreadWallSeconds, 'train step, one thread');
  positive(out.train.twoShardsWallSeconds, 'train step, two shards');
  // the pruned pass executes fewer FLOPs than the dense one (the counts, not the timings)
  assert.ok(out.nn.prunedGflop < out.nn.unprunedGflop, `${out.nn.prunedGflop} < ${out.nn.unprunedGflop}`);
  // a thousandth of the analytical sweep phases: 1,000 distinct and 1,000 grid points, 20 algorithm points
  assert.equal(out.analytical.sweeps.distinct_random.points, 1000);
  assert.equal(out.analytical.sweeps.grid_style.points, 1000);
  assert.equal(out.analytical.sweeps.new_algorithm_every_point.points, 20);
  positive(out.analytical.gpt2_medium_generation_default.evals_per_s, 'analytical evaluations/s');
  positive(out.cycle.full_spatten.simulated_cycles, 'per8 simulated cycles');
  positive(out.cycle.official_runner_config.mcycles_per_s_cpu, 'runner configuration M cycles/s');
  // the run bench's grid: 6 × 4 × 4 × 5 × 4 × 4 × 2 parameter values, all evaluated
  assert.equal(out.run.points, 6 * 4 * 4 * 5 * 4 * 4 * 2);
  // whole-process start-up: every timed command ran (one round each)
  for (const [cmd, f] of Object.entries(out.startup.commands as Record<string, { wall_ms_min: number }>)) positive(f.wall_ms_min, cmd);
  // a 10³-point run through the CLI under /usr/bin/time: every point in points.csv
  assert.equal(out.scale.rows.length, 1);
  assert.equal(out.scale.rows[0].points, 1000);
  assert.equal(out.scale.rows[0].pointsCsvRows, 1000);
  assert.deepEqual(digest(), before, 'smoke mode wrote a README block or bench/results.json');
});
