/**
 * sim/cycle/README.md's §5.4 sentence quotes `reproduce fig18` for both models: it said BERT 1.76
 * (cycle) / 1.75 (analytical) TFLOPS, +9%, after the models moved to 1.766 / 1.771 (+10%). The
 * quoted figures must be the command's, at the digits quoted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fig18 } from '../dse/reproduce/fig18.ts';

const README = readFileSync(new URL('../sim/cycle/README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');

test('sim/cycle/README.md: the §5.4 TFLOPS it quotes are reproduce fig18\'s, both models', () => {
  const m = /BERT ([\d.]+) \(cycle\) \/ ([\d.]+) \(analytical\) TFLOPS \(paper 1\.61: \+(\d+)%, within ±20%\); GPT-2 ([\d.]+) \/ ([\d.]+) TFLOPS \(paper 0\.43: \+(\d+)% \/ \+(\d+)%/.exec(README);
  assert.ok(m, 'the §5.4 sentence is not in the README');
  const tf = (model: 'cycle' | 'analytical', point: string) => fig18(model).points.find((p) => p.point === point)!.tflops;
  const at = (x: number, quoted: string) => Math.abs(x - Number(quoted)) <= 0.5 * 10 ** -(quoted.split('.')[1]?.length ?? 0) + 1e-12;
  const [bc, ba, gc, ga] = [tf('cycle', 'SpAtten BERT'), tf('analytical', 'SpAtten BERT'), tf('cycle', 'SpAtten GPT-2'), tf('analytical', 'SpAtten GPT-2')];
  assert.ok(at(bc, m[1]), `BERT cycle ${bc} quoted ${m[1]}`);
  assert.ok(at(ba, m[2]), `BERT analytical ${ba} quoted ${m[2]}`);
  assert.equal(Math.round(100 * (bc / 1.61 - 1)), Number(m[3]), 'BERT error (cycle)');
  assert.ok(at(gc, m[4]), `GPT-2 cycle ${gc} quoted ${m[4]}`);
  assert.ok(at(ga, m[5]), `GPT-2 analytical ${ga} quoted ${m[5]}`);
  assert.equal(Math.round(100 * (gc / 0.43 - 1)), Number(m[6]), 'GPT-2 error (cycle)');
  assert.equal(Math.round(100 * (ga / 0.43 - 1)), Number(m[7]), 'GPT-2 error (analytical)');
});
