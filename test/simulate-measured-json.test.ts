/**
 * `simulate --accuracy … --json`: the pruning the accuracy engine measured, which prices the point in
 * place of config.algo's keep ratios and refetch fraction, is in the JSON (`measured_pruning`), per
 * layer of the workload's model: the JSON had the aggregate refetch fraction only, so a consumer could
 * not tell which keep ratios priced the point (config.algo still holds the values as set).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateHardware } from '../sim/index.ts';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'spatten-dse.js');
const json = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

const SETS = ['algo.tokenKeep=0.5', 'algo.msbBits=8', 'algo.lsbBits=4'].flatMap((s) => ['--set', s]);

test('simulate --accuracy --json: measured_pruning holds accuracy --json\'s per-layer ratios on the workload\'s layers and its refetch fraction, and they priced the point', () => {
  const a = json('accuracy', '--model', 'sotu-char', '--max-examples', '8', ...SETS);
  const s = json('simulate', '-w', 'gpt2-small', '--seq-len', '128', '--gen-tokens', '4', ...SETS, '--accuracy', 'sotu-char', '--accuracy-examples', '8');
  const m = s.measured_pruning;
  assert.ok(m, `no measured_pruning among ${Object.keys(s).join(', ')}`);
  assert.equal(m.accuracyModel, 'sotu-char');
  assert.equal(m.n, 8);
  assert.equal(a.n, 8);
  // sotu-char has 4 layers, gpt2-small 12: by relative depth each engine layer maps onto 3 target
  // layers in order (target t takes floor((t + 0.5) / 12 × 4) = 0, 0, 0, 1, 1, 1, 2, …)
  assert.equal(a.tokenKeepPerLayer.length, 4);
  const thrice = (xs: number[]) => xs.flatMap((x) => [x, x, x]);
  for (const k of ['tokenKeepPerLayer', 'headKeepPerLayer', 'valueKeepPerLayer', 'refetchPerLayer']) assert.deepEqual(m[k], thrice(a[k]), k);
  // the pruning differs by layer (tokens: 1 at the first layer, less deeper), so the series is no constant
  assert.equal(m.tokenKeepPerLayer[0], 1);
  assert.ok(m.tokenKeepPerLayer[11] < 0.5, String(m.tokenKeepPerLayer[11]));
  assert.equal(m.lsbRefetchFraction, a.lsbRefetchFraction);
  assert.equal(s.lsb_refetch_fraction, a.lsbRefetchFraction);
  assert.ok(m.lsbRefetchFraction > 0 && m.refetchPerLayer[0] > 0, 'lsbBits 4: the engine measures refetches');
  // config.algo keeps the values as set: the measured series, not it, gave the printed numbers
  assert.equal(s.config.algo.tokenKeep, 0.5);
  const { accuracyModel: _m, n: _n, lsbRefetchFraction: _f, ...overrides } = m;
  const priced = evaluateHardware(s.config, { fidelity: 'analytical', overrides });
  assert.equal(priced.latency_s, s.latency_s);
  assert.equal(priced.energy_j, s.energy_j);
  assert.equal(priced.dram_bytes, s.dram_bytes);
  assert.notEqual(evaluateHardware(s.config, { fidelity: 'analytical' }).latency_s, s.latency_s, 'the algo block as set prices another latency');
});

test('simulate --json without --accuracy has no measured_pruning', () => {
  const s = json('simulate', '-w', 'gpt2-small', '--seq-len', '128', '--gen-tokens', '4', ...SETS);
  assert.equal('measured_pruning' in s, false);
  assert.equal('lsb_refetch_fraction' in s, false);
});
