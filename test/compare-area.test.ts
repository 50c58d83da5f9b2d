/**
 * compare shows SpAtten1/8's area next to Table III's stated 1.55 mm²: its GOP/s/mm² column is
 * over the model's 2.55 mm², which the output used not to print, so 130 GOP/s/mm² (1.2× A³'s 106)
 * could not be told apart from a throughput shortfall.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table3 } from '../sim/baselines/index.ts';
import { TABLE3_SPATTEN_1_8 } from '../sim/paper.ts';
import { WorkloadSchema } from '../sim/schema.ts';
import { denseAttentionOps } from '../sim/baselines/index.ts';
import type { HwResult } from '../sim/hw/types.ts';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'spatten-dse.js');

test('Table III area: ours next to the stated 1.55 mm², and GOP/s/mm² on the stated area', () => {
  assert.equal(TABLE3_SPATTEN_1_8.areaMm2, 1.55);
  const wl = WorkloadSchema.parse({ model: 'bert-base', stage: 'summarization', seqLen: 320 });
  const ops = denseAttentionOps(wl);
  const t = table3({ latency_s: ops / 310e9, energy_j: ops / 300e9, area_mm2: 2.5 } as HwResult, wl);
  assert.equal(t.area.oursMm2, 2.5);
  assert.equal(t.area.paperMm2, 1.55);
  assert.ok(Math.abs(t.area.gopsPerMm2AtPaperArea - 200) < 1e-9, 'Math.abs(t.area.gopsPerMm2AtPaperArea - 200) < 1e-9');
});

test('compare prints the area line and the paper ratios as the paper writes them (3.0×)', () => {
  const r = spawnSync(process.execPath, [BIN, 'compare'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^area: +ours 2\.55 mm² \(paper Table III 1\.55 mm²/m);
  assert.match(r.stdout, /GOP\/s\/mm² is over ours, \d+ over the paper's area \(A³ 106\)/);
  assert.match(r.stdout, /vs MNNFast: .*\(paper 3\.0×\)/);
  const j = spawnSync(process.execPath, [BIN, 'compare', '--json'], { encoding: 'utf8' });
  assert.equal(JSON.parse(j.stdout).area.paperMm2, 1.55);
});

test('compare names hardware --set overrides and the key width in its header', () => {
  const r = spawnSync(process.execPath, [BIN, 'compare', '--set', 'hw.keySramKB=12', '--set', 'algo.msbBits=12'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^hardware: the spatten-1\/8 preset \(64 \+ 64 multipliers, 2 × 32 GB\/s, .*\), with --set hw\.keySramKB=12 \(not the paper's SpAtten1\/8\)$/m);
  assert.match(r.stdout, /^settings: .*12-bit static$/m);
  // BERT is quantized statically: progressive quantization changes no number, and is refused
  const p = spawnSync(process.execPath, [BIN, 'compare', '--set', 'algo.lsbBits=4'], { encoding: 'utf8' });
  assert.equal(p.status, 2, p.stdout);
  assert.match(p.stderr, /^error: --set algo\.lsbBits=4: does not apply: bert-base is an encoder, quantized statically/);
  const d = spawnSync(process.execPath, [BIN, 'compare'], { encoding: 'utf8' }).stdout;
  assert.match(d, /^hardware: the spatten-1\/8 preset \([^)]*\)$/m);
  assert.match(d, /^settings: .*8-bit static$/m);
});

test('compare and reproduce take --fidelity; --model, its old name, gives the same output with a note', () => {
  const a = spawnSync(process.execPath, [BIN, 'compare', '--fidelity', 'cycle', '--json'], { encoding: 'utf8' });
  const b = spawnSync(process.execPath, [BIN, 'compare', '--model', 'cycle', '--json'], { encoding: 'utf8' });
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stderr, '', 'no note with --fidelity');
  assert.equal(b.stdout, a.stdout, 'same rows with the old name');
  assert.equal(b.stderr, 'note: --model is deprecated; use --fidelity\n');
  const t = spawnSync(process.execPath, [BIN, 'compare', '--fidelity', 'cycle'], { encoding: 'utf8' });
  assert.match(t.stdout, /^SpAtten1\/8 on bert-base summarization, seqLen 320, cycle model$/m);
  const r = spawnSync(process.execPath, [BIN, 'reproduce', 'fig19a', '--fidelity', 'analytical'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Fig\. 19a .*\(analytical model\)$/m);
});
