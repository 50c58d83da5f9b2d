/**
 * Table IV says what TITAN Xp's FC latency is made of: the row compares FC GEMMs plus the
 * LayerNorm/GELU/residual kernels (577 ms) with the paper's 388.3 ms (+49%) and printed no split;
 * the GEMMs alone are 245 ms, the rest is the per-kernel fixed cost of 16 small kernels per layer
 * and token, calibrated on attention.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figure, gpuFcSplit, table4 } from '../dse/reproduce/table4.ts';

test('Table IV: TITAN Xp fcMs = FC GEMMs + elementwise kernels, printed with the kernel count', () => {
  const s = gpuFcSplit();
  const fc = table4('analytical').find((r) => r.platform === 'TITAN Xp' && r.quantity === 'fcMs')!;
  assert.ok(Math.abs(s.gemmMs + s.elementwiseMs - fc.ours) < 1e-9, 'Math.abs(s.gemmMs + s.elementwiseMs - fc.ours) < 1e-9');
  assert.equal(s.kernelsPerLayerToken, 16);
  assert.equal(s.kernels, 16 * 24 * 32);
  assert.ok(s.tOpUs > 0 && s.tMatmulUs > s.tOpUs, 's.tOpUs > 0 && s.tMatmulUs > s.tOpUs');
  const out = figure.run({ fidelity: 'analytical' });
  assert.match(out.text, /TITAN Xp fcMs = FC GEMMs 245 ms \+ LayerNorm\/GELU\/residual 332 ms: 12288 kernels \(16 per layer and token\)/);
  assert.equal((out.rows as unknown as { gpuFc: { kernels: number } }).gpuFc.kernels, 12288);
});

test("Table IV: the TITAN Xp fcMs split (its +49% miss) is part of --json's why, so the report shows it, as printed", () => {
  const out = figure.run({ fidelity: 'analytical' });
  const why = out.rows.why ?? [];
  const s = gpuFcSplit();
  const line = why.find((l) => l.includes('TITAN Xp fcMs = FC GEMMs'));
  assert.ok(line, 'why has the TITAN Xp fcMs split');
  assert.ok(line!.includes(`${Math.round(s.kernels)} kernels`), line);
  for (const l of why) assert.ok(out.text.split('\n').includes(l), `printed: ${l}`);
});
