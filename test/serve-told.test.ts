/**
 * The metric names serve's `tell` takes (dse/serve.ts TOLD_METRICS) are the columns a run of the
 * space writes: under `fidelity: both` the cycle model's re-score adds `cycle_<m>` for
 * RESCORED_METRICS only (dse/evaluate.ts; cycle_speedup and cycle_energy_saving with a baseline), so a `cycle_` name of another hardware metric is refused
 * as unknown, with the names it could have meant; a space without `fidelity: both` writes no
 * re-scored column, as one without an accuracy block writes no CI column: both are refused there,
 * saying why.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareRun } from '../dse/run.ts';
import { evaluatePoint, rescorePoint, RESCORED_COLUMNS, RESCORED_METRICS } from '../dse/evaluate.ts';
import { TOLD_METRICS, spaceColumns, toldMetricProblem, type ToldSpace } from '../dse/serve.ts';
import { ciColumns, rescoreColumn } from '../core/metric-columns.ts';
import { ACCURACY_METRICS, BASELINE_METRICS, HW_METRICS, METRICS } from '../sim/metrics.ts';

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

test('tell takes exactly the re-scored columns a fidelity: both run writes: the cycle model\'s speedup and energy saving with a baseline only', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-told-'));
  try {
    for (const extra of ['', 'baseline: titan-xp\n']) {
      const ctx = prepared(dir, extra ? 'with-baseline' : 'no-baseline', 'both', extra);
      const r = await rescorePoint(ctx, 0, { 'hw.dramChannels': 8 });
      assert.equal(r.status, 'ok', r.error);
      const written = Object.keys(r.metrics).sort();
      const want = RESCORED_METRICS.filter((m) => extra !== '' || !(BASELINE_METRICS as readonly string[]).includes(m));
      assert.deepEqual(written, want.map((m) => rescoreColumn('cycle', m)).sort(), extra);
      for (const m of written) assert.equal(toldMetricProblem(m, r.metrics[m], ctx), undefined, `${m}, written by the re-score, is taken`);
      // the re-scored names tell takes for this space are these and no others
      assert.deepEqual(spaceColumns(ctx).filter((m) => m.startsWith('cycle_')).sort(), written, extra);
    }
    // the told names past the registry's, CI columns and refetch fraction: every re-scored column of some space
    assert.deepEqual(TOLD_METRICS.filter((m) => m.startsWith('cycle_')), RESCORED_METRICS.map((m) => rescoreColumn('cycle', m)));
    assert.equal(toldMetricProblem('cycle_speedup', 2, BOTH), 'not a column of this space: the space has no baseline: its runs compare with no platform (speedup and energy_saving need baseline: in the space)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The told space of a `fidelity: both` space without accuracy or baseline. */
const BOTH: ToldSpace = { fidelity: 'both' };

test("the space op's metrics are the columns tell takes: HW metrics, then each block's own", () => {
  const hw = [...HW_METRICS];
  assert.deepEqual(spaceColumns(BOTH), [...hw, 'cycle_latency_s', 'cycle_energy_j', 'cycle_cycles', 'cycle_dram_bytes', 'cycle_power_w']);
  assert.deepEqual(spaceColumns({ fidelity: 'both', baseline: 'titan-xp' }), [...hw, 'speedup', 'energy_saving', 'cycle_latency_s', 'cycle_energy_j', 'cycle_cycles', 'cycle_dram_bytes', 'cycle_power_w', 'cycle_speedup', 'cycle_energy_saving']);
  const lm = spaceColumns({ fidelity: 'analytical', accuracy: { model: 'sotu-char' } } as ToldSpace);
  assert.deepEqual(lm, [...hw, 'perplexity', 'perplexity_ci_low', 'perplexity_ci_high', 'lsb_refetch_fraction']);
  for (const m of TOLD_METRICS) assert.equal(lm.includes(m), toldMetricProblem(m, null, { fidelity: 'analytical', accuracy: { model: 'sotu-char' } } as ToldSpace) === undefined, m);
});

test('a cycle_ name of a hardware metric the cycle model does not re-score is refused, naming the columns there are', () => {
  const notRescored = HW_METRICS.filter((m) => !(RESCORED_METRICS as readonly string[]).includes(m));
  assert.ok(notRescored.includes('area_mm2'), `area_mm2 is not re-scored (not re-scored: ${notRescored.join(', ')})`);
  for (const m of notRescored) {
    const why = toldMetricProblem(`cycle_${m}`, 1, BOTH);
    assert.match(why ?? '', /^unknown metric/, `cycle_${m}: ${why}`);
    assert.match(why ?? '', /; re-scored: cycle_latency_s, cycle_energy_j, cycle_cycles, cycle_dram_bytes, cycle_power_w, cycle_speedup, cycle_energy_saving\)$/, `cycle_${m}: ${why}`);
  }
  assert.equal(toldMetricProblem('cycle_area_mm2', 1, BOTH), `unknown metric (metrics: ${METRICS.join(', ')}; re-scored: cycle_latency_s, cycle_energy_j, cycle_cycles, cycle_dram_bytes, cycle_power_w, cycle_speedup, cycle_energy_saving)`);
  assert.match(toldMetricProblem('cycle_latncy_s', 1, BOTH) ?? '', /^unknown metric \(did you mean "cycle_latency_s"\?\) \(metrics: /);
  assert.match(toldMetricProblem('cycle_power', 1, BOTH) ?? '', /^unknown metric \(did you mean "cycle_power_w"\?\)/);
});

test('the re-scored columns keep their checks: a negative cycle-model latency is refused', () => {
  assert.equal(toldMetricProblem('cycle_latency_s', 0.002, BOTH), undefined);
  assert.equal(toldMetricProblem('cycle_latency_s', -0.002, BOTH), '-0.002 is negative');
  assert.equal(toldMetricProblem('cycle_power_w', null, BOTH), undefined, 'null (not measured) is taken');
});

/** A one-point space of `fidelity` with the lines `extra` (an accuracy block, a baseline), prepared as a run or serve prepares it. */
function prepared(dir: string, name: string, fidelity: string, extra = '') {
  const spaceFile = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(spaceFile, SPACE.replace('name: serve-told', `name: ${name}`).replace('fidelity: both', `fidelity: ${fidelity}`) + extra);
  return prepareRun({ spaceFile }).ctx;
}

test('a space without fidelity: both writes no re-scored column, as one without an accuracy block writes no CI column: tell refuses both, saying why, and takes what the run writes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-told-'));
  try {
    for (const fidelity of ['analytical', 'cycle']) {
      const ctx = prepared(dir, fidelity, fidelity);
      const r = await evaluatePoint(ctx, 0, { 'hw.dramChannels': 8 });
      assert.equal(r.status, 'ok', r.error);
      // what tell takes here is exactly what the run writes: the hardware metrics
      assert.deepEqual(Object.keys(r.metrics).sort(), [...HW_METRICS].sort());
      assert.deepEqual(TOLD_METRICS.filter((m) => toldMetricProblem(m, 1, ctx) === undefined).sort(), [...HW_METRICS].sort(), fidelity);
      for (const m of RESCORED_COLUMNS) {
        assert.equal(
          toldMetricProblem(m, 0.002, ctx),
          `not a column of this space: the space's fidelity is ${fidelity}, which re-scores nothing: only under fidelity: both does a run write the re-scored columns (cycle_latency_s, cycle_energy_j, cycle_cycles, cycle_dram_bytes, cycle_power_w, cycle_speedup, cycle_energy_saving)`,
          `${fidelity}: ${m}`,
        );
      }
      // the CI columns, the same way
      for (const m of [...ACCURACY_METRICS.flatMap(ciColumns), ...ACCURACY_METRICS, 'lsb_refetch_fraction']) {
        assert.equal(
          toldMetricProblem(m, 0.5, ctx),
          'not a column of this space: the space has no accuracy block: its runs measure no accuracy (accuracy, accuracy_ci_low, accuracy_ci_high, perplexity, perplexity_ci_low, perplexity_ci_high and lsb_refetch_fraction come from the accuracy engine)',
          `${fidelity}: ${m}`,
        );
      }
      for (const m of ['speedup', 'energy_saving']) assert.equal(toldMetricProblem(m, 2, ctx), 'not a column of this space: the space has no baseline: its runs compare with no platform (speedup and energy_saving need baseline: in the space)', m);
    }
    // with fidelity: both, the re-scored columns are taken (and still checked)
    const both = prepared(dir, 'both', 'both');
    assert.equal(toldMetricProblem('cycle_latency_s', 0.002, both), undefined);
    assert.equal(toldMetricProblem('cycle_latency_s', -0.002, both), '-0.002 is negative');
    // with a classifier's accuracy block: accuracy, its CI and the refetch fraction, not perplexity
    const bert = prepared(dir, 'bert', 'analytical', 'accuracy: { model: spam-bert, maxExamples: 32 }\n');
    for (const m of ['accuracy', 'accuracy_ci_low', 'accuracy_ci_high', 'lsb_refetch_fraction']) assert.equal(toldMetricProblem(m, 0.9, bert), undefined, m);
    assert.equal(toldMetricProblem('accuracy', 97, bert), '97 is off its scale: it is a fraction from 0 to 1 (as in points.csv); for 97% send 0.97');
    for (const m of ['perplexity', 'perplexity_ci_high']) {
      assert.equal(toldMetricProblem(m, 5, bert), 'not a column of this space: the space\'s accuracy model spam-bert is a classifier: its runs write accuracy (and accuracy_ci_low, accuracy_ci_high), not perplexity', m);
    }
    assert.match(toldMetricProblem('cycle_latency_s', 0.002, bert) ?? '', /^not a column of this space: the space's fidelity is analytical, which re-scores nothing/);
    // with a language model's: perplexity (at least 1), not accuracy
    const lm = prepared(dir, 'lm', 'analytical', 'accuracy: { model: sotu-char, maxExamples: 16 }\n');
    assert.equal(toldMetricProblem('perplexity', 5.1, lm), undefined);
    assert.equal(toldMetricProblem('perplexity', 0.5, lm), '0.5 is below 1, the least a perplexity can be');
    assert.equal(toldMetricProblem('accuracy', 0.9, lm), 'not a column of this space: the space\'s accuracy model sotu-char is a language model: its runs write perplexity (and perplexity_ci_low, perplexity_ci_high), not accuracy');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
