import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpace } from '../dse/space.ts';
import { basePoint, evaluatePoint } from '../dse/evaluate.ts';
import { compareWithBaseline, fromWorkload } from '../sim/baselines/compare.ts';
import { runPlatform } from '../sim/baselines/platforms.ts';
import { evaluateHardware, resolveWorkload } from '../sim/index.ts';
import { HW_METRICS } from '../sim/schema.ts';
import { InputError } from '../dse/errors.ts';

const SPACE = `name: bl
workload: { benchmark: gpt2-small-ptb }
baseline: xeon
objectives:
  - { metric: speedup, goal: max }
  - { metric: energy_saving, goal: max }
parameters:
  hw.dramChannels: [8, 16]
`;

test('a space with baseline: gets speedup and energy_saving = platform latency/energy over ours', async () => {
  const ps = parseSpace(SPACE, 'bl.yaml');
  const base = basePoint(ps.space);
  const ctx = { base, fidelity: 'analytical' as const, constraints: [], metrics: [...HW_METRICS], baseline: 'xeon' };
  const p = await evaluatePoint(ctx, 0, { 'hw.dramChannels': 8 });
  assert.equal(p.status, 'ok', p.error);
  const plat = runPlatform('xeon', { model: 'gpt2-small', stage: 'generation', seqLen: 992, genTokens: 32 });
  assert.ok(Math.abs(p.metrics.speedup - plat.latency_s / p.metrics.latency_s) < 1e-9 * p.metrics.speedup, 'Math.abs(p.metrics.speedup - plat.latency_s / p.metrics.latency_s) < 1e-9 * p.metrics.speedup');
  assert.ok(Math.abs(p.metrics.energy_saving - plat.energy_j / p.metrics.energy_j) < 1e-9 * p.metrics.energy_saving, 'Math.abs(p.metrics.energy_saving - plat.energy_j / p.metrics.energy_j) < 1e-9 * p.metrics.energy_…');
});

test('speedup without a baseline is bad input naming the line', () => {
  assert.throws(() => parseSpace(SPACE.replace('baseline: xeon\n', ''), 'bl.yaml'), (e: Error) => e instanceof InputError && /bl\.yaml:4:15: objectives\[0\]\.metric: "speedup" needs a baseline/.test(e.message));
  assert.throws(() => parseSpace(SPACE.replace('baseline: xeon', 'baseline: tpu'), 'bl.yaml'), InputError);
});

test('a trace workload is compared on its own shape (per8: GPT-2-Small, 992 + 32)', () => {
  const point = { ...basePoint(parseSpace(SPACE, 'x').space), workload: { model: 'gpt2-medium' as const, stage: 'generation' as const, seqLen: 992, genTokens: 32, trace: 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv' } };
  const w = resolveWorkload(point);
  assert.deepEqual(fromWorkload(w), { model: 'gpt2-small', stage: 'generation', seqLen: 992, genTokens: 32 });
  const r = evaluateHardware(point, { fidelity: 'analytical' });
  const c = compareWithBaseline(point, r, 'titan-xp', w);
  assert.ok(Math.abs(c.baseline_latency_s - runPlatform('titan-xp', fromWorkload(w)).latency_s) < 1e-15, 'Math.abs(c.baseline_latency_s - runPlatform(\'titan-xp\', fromWorkload(w)).latency_s) < 1e-15');
  assert.equal(c.scope, 'attention');
});
