/**
 * SpAtten-e2e breakdowns add up to the e2e totals: a model's stage and energy breakdowns cover the
 * attention only (the FC/FFN part's totals are in `extra`), and the run's highlighted points and
 * `simulate` used to show them as "energy of the whole workload" — 11.7 mJ of a 357 mJ point, with
 * the top-k engine as the bottleneck of a latency the FC layers take 92% of. The FC part is now
 * the breakdowns' `fc` entry (dse/e2e-parts.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlgoSchema, HardwareSchema, WorkloadSchema } from '../sim/schema.ts';
import { evaluateHardware } from '../sim/index.ts';
import { breakdownsWithFc } from '../dse/e2e-parts.ts';
import { main } from '../dse/cli.ts';
import type { RunJson } from '../core/results.ts';

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const point = (scope: 'attention' | 'e2e', clockGHz = 1) => ({
  hw: HardwareSchema.parse({ clockGHz }),
  algo: AlgoSchema.parse({ tokenKeep: 0.5, valueKeep: 0.5 }),
  workload: WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 4, scope }),
});

for (const fidelity of ['analytical', 'cycle'] as const) {
  test(`${fidelity}: the fc entry is the e2e latency beyond the attention, and the energy breakdown sums to energy_j`, () => {
    for (const clock of [1, 2]) {
      const attn = evaluateHardware(point('attention', clock), { fidelity });
      const e2e = evaluateHardware(point('e2e', clock), { fidelity });
      const a = breakdownsWithFc(attn, clock);
      const b = breakdownsWithFc(e2e, clock);
      assert.equal(a.stages.fc, undefined, 'an attention-only result gets no fc stage');
      assert.equal(a.energy.fc, undefined, 'an attention-only result gets no fc energy');
      assert.ok(Math.abs(sum(a.energy) / attn.energy_j - 1) < 1e-9, `attention breakdown ${sum(a.energy)} vs ${attn.energy_j}`);
      // the FC layers run after each layer's attention: their cycles are the e2e cycles beyond the attention's
      assert.ok(Math.abs(b.stages.fc - (e2e.cycles - attn.cycles)) < 1e-6 * e2e.cycles, `fc ${b.stages.fc} vs ${e2e.cycles - attn.cycles} at ${clock} GHz`);
      assert.ok(b.stages.fc > 0, 'the FC part has cycles');
      assert.ok(Math.abs(sum(b.energy) / e2e.energy_j - 1) < 1e-9, `e2e breakdown ${sum(b.energy)} vs ${e2e.energy_j}`);
      assert.ok(Math.abs(b.energy.fc - (e2e.energy_j - attn.energy_j)) < 1e-9 * e2e.energy_j, 'fc energy = e2e − attention energy');
    }
  });
}

test('a run on scope: e2e: highlighted breakdowns add up to the point, the bottleneck is fc, the report shows the FC weights', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-e2e-'));
  const space = path.join(dir, 'e2e.yaml');
  writeFileSync(
    space,
    [
      'name: e2e-breakdown',
      'workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4, scope: e2e }',
      'fidelity: analytical',
      'objectives:',
      '  - { metric: latency_s }',
      '  - { metric: energy_j }',
      'parameters:',
      '  algo.fcWeightBits: [8, 12]',
      'search: { driver: grid }',
      '',
    ].join('\n'),
  );
  const out = path.join(dir, 'out');
  const we = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['run', space, '--out', out, '--progress', 'none']);
  } finally {
    process.stderr.write = we;
  }
  assert.equal(code, 0);
  const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunJson;
  assert.ok((run.highlights ?? []).length > 0, 'the run highlights points');
  for (const h of run.highlights ?? []) {
    // run.json keeps 6 significant digits
    assert.ok(Math.abs(sum(h.energy) / h.metrics.energy_j - 1) < 1e-4, `energy ${sum(h.energy)} vs ${h.metrics.energy_j}`);
    assert.ok(Math.abs(sum(h.dram!) / h.metrics.dram_bytes - 1) < 1e-4, `DRAM ${sum(h.dram!)} vs ${h.metrics.dram_bytes}`);
    assert.ok(h.dram!['FC weights'] > 0.5 * h.metrics.dram_bytes, 'FC weights dominate the DRAM traffic of GPT-2 generation');
    const [top] = Object.entries(h.stages).sort((a, b) => b[1] - a[1]);
    assert.equal(top[0], 'fc');
  }
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /DRAM FC weights/);
  assert.match(html, /<b>fc<\/b>/);
});
