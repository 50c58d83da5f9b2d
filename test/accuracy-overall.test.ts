/**
 * `accuracy` says how many KV tokens a run keeps over all layers, not only tokenKeep: the front
 * layer the schedule leaves dense makes 1 / tokenKeep overstate the reduction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { overallKeep } from '../dse/commands/accuracy.ts';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'accuracy', '--model', 'sotu-char', '--max-examples', '16', ...args], { encoding: 'utf8' });

test('overall keep is the mean of the per-layer fractions', () => {
  assert.equal(overallKeep([1, 0.15, 0.125, 0.1]), 0.34375);
  assert.equal(overallKeep([]), 1);
});

test('sotu-char at tokenKeep 0.125 keeps ~0.344 of its KV tokens (2.91x), not 0.125 (8x)', () => {
  // Hand schedule: 4 layers, the front 15% (layer 0) dense; layers 1-3 interpolate 0.125 with
  // spread 0.5 (r_start + r_end = 2 r_avg): 0.15, 0.125, 0.1 -> (1 + 0.375) / 4 = 0.34375.
  const j = run(['--set', 'algo.tokenKeep=0.125', '--json']);
  assert.equal(j.status, 0, j.stderr);
  const d = JSON.parse(j.stdout);
  assert.ok(Math.abs(d.tokenKeepOverall - 0.34375) < 0.003, `overall ${d.tokenKeepOverall}`);
  const t = run(['--set', 'algo.tokenKeep=0.125']);
  assert.match(t.stdout, /tokens kept per layer {2}1\.000 0\.15\d 0\.12\d 0\.10\d \(all layers 0\.34\d: 2\.9\d× fewer\)/);
});

test('spam-bert at headKeep 0.5 keeps 0.625 of its heads (1.6x), not 0.5 (2x)', () => {
  // 4 layers, the front 30% (layer 0) never head-pruned; 1, 0.75, 0.5, 0.25 of the 4 heads.
  const r = spawnSync(process.execPath, [BIN, 'accuracy', '--model', 'spam-bert', '--max-examples', '32', '--set', 'algo.headKeep=0.5', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).headKeepOverall, 0.625);
});
