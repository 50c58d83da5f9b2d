/**
 * The metric names serve's `tell` takes (dse/serve.ts TOLD_METRICS) are the columns a run writes:
 * under `fidelity: both` the cycle model's re-score adds `cycle_<m>` for RESCORED_METRICS only
 * (dse/evaluate.ts), so a `cycle_` name of another hardware metric is refused as unknown, with the
 * names it could have meant.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareRun } from '../dse/run.ts';
import { rescorePoint, RESCORED_METRICS } from '../dse/evaluate.ts';
import { TOLD_METRICS, toldMetricProblem } from '../dse/serve.ts';
import { rescoreColumn } from '../core/metric-columns.ts';
import { HW_METRICS, METRICS } from '../sim/metrics.ts';

const SPACE = `name: serve-told
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
fidelity: both
objectives:
  - { metric: latency_s, goal: min }
  - { metric: area_mm2, goal: min }
parameters:
  hw.dramChannels: [8]
search: { driver: grid }
`;

test('tell takes exactly the re-scored columns a fidelity: both run writes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-told-'));
  try {
    const spaceFile = path.join(dir, 'space.yaml');
    fs.writeFileSync(spaceFile, SPACE);
    const { ctx } = prepareRun({ spaceFile });
    const r = await rescorePoint(ctx, 0, { 'hw.dramChannels': 8 });
    assert.equal(r.status, 'ok', r.error);
    const written = Object.keys(r.metrics).sort();
    assert.deepEqual(written, RESCORED_METRICS.map((m) => rescoreColumn('cycle', m)).sort());
    for (const m of written) assert.equal(toldMetricProblem(m, r.metrics[m]), undefined, `${m}, written by the re-score, is taken`);
    // the told names past the registry's, CI columns and refetch fraction are these and no others
    const rescoredTold = TOLD_METRICS.filter((m) => m.startsWith('cycle_')).sort();
    assert.deepEqual(rescoredTold, written);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a cycle_ name of a hardware metric the cycle model does not re-score is refused, naming the columns there are', () => {
  const notRescored = HW_METRICS.filter((m) => !(RESCORED_METRICS as readonly string[]).includes(m));
  assert.ok(notRescored.includes('area_mm2'), `area_mm2 is not re-scored (not re-scored: ${notRescored.join(', ')})`);
  for (const m of notRescored) {
    const why = toldMetricProblem(`cycle_${m}`, 1);
    assert.match(why ?? '', /^unknown metric/, `cycle_${m}: ${why}`);
    assert.match(why ?? '', /; re-scored: cycle_latency_s, cycle_energy_j, cycle_cycles, cycle_dram_bytes, cycle_power_w\)$/, `cycle_${m}: ${why}`);
  }
  assert.equal(toldMetricProblem('cycle_area_mm2', 1), `unknown metric (metrics: ${METRICS.join(', ')}; re-scored: cycle_latency_s, cycle_energy_j, cycle_cycles, cycle_dram_bytes, cycle_power_w)`);
  assert.match(toldMetricProblem('cycle_latncy_s', 1) ?? '', /^unknown metric \(did you mean "cycle_latency_s"\?\) \(metrics: /);
  assert.match(toldMetricProblem('cycle_power', 1) ?? '', /^unknown metric \(did you mean "cycle_power_w"\?\)/);
});

test('the re-scored columns keep their checks: a negative cycle-model latency is refused', () => {
  assert.equal(toldMetricProblem('cycle_latency_s', 0.002), undefined);
  assert.equal(toldMetricProblem('cycle_latency_s', -0.002), '-0.002 is negative');
  assert.equal(toldMetricProblem('cycle_power_w', null), undefined, 'null (not measured) is taken');
});
