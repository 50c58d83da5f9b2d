/**
 * Fig. 18 says where each paper number comes from: the header called every paper point
 * "[fig-read]", though the TFLOPS column is §5.4's text (1.61, 0.43, 0.02, 0.01) and only the
 * operational intensities are read off the figure; and the roofs printed ours (2.05 TFLOPS, 466
 * GB/s) with no paper roof beside them (2 TFLOPS, 512 GB/s; TITAN Xp "12" TFLOPS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figure } from '../dse/reproduce/fig18.ts';

test('Fig. 18: sources of the paper columns, and the paper roofs next to ours', () => {
  const { text, rows } = figure.run({ fidelity: 'analytical' });
  assert.doesNotMatch(text, /paper points are \[fig-read\]/);
  assert.match(text, /paper: ops\/B read off Fig\. 18 \(approximate\), TFLOPS from §5\.4's text/);
  // spatten-paper.md §5.4: roofs 2 TFLOPS / 512 GB/s, TITAN Xp "12" TFLOPS
  assert.match(text, /roof SpAtten: 2\.05 TFLOPS, 466 GB\/s .*; paper 2 TFLOPS, 512 GB\/s/);
  assert.match(text, /roof TITAN Xp: [\d.]+ TFLOPS, [\d.]+ GB\/s .*; paper ≈12 TFLOPS \(Fig\. 18 label\)/);
  // ours: 1024 multipliers × 2 operations × 1 GHz
  const roofs = (rows as { roofs: Record<string, { tflops: number }> }).roofs;
  assert.ok(Math.abs(roofs.SpAtten.tflops - 2.048) < 1e-12, `SpAtten roof ${roofs.SpAtten.tflops}`);
});
