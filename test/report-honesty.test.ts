/** What the report pages say must match what the run and its numbers support. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../reports/index.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PointRow, RunJson } from '../core/results.ts';
import { readRun } from '../reports/read.ts';
import { sensitivitySection } from '../reports/sections.ts';
import { sensitivity } from '../core/sensitivity.ts';
import { mulberry32 } from '../sim/rng.ts';

test('run.json notes appear on report.html', async () => {
  const input = syntheticRun({ n: 40 });
  input.run.notes = ['no feasible point: "area_mm2 <= 1" excluded 2 of 2 (area_mm2 from 18.28 to 18.71)', 'fidelity both: 1 front point meets the constraints by the analytical model but not by the cycle model: #28 <x>'];
  const html = await renderReport(input);
  assert.match(html, /<section id="notes">/);
  assert.ok(html.includes('no feasible point: &quot;area_mm2 &lt;= 1&quot; excluded 2 of 2'), 'the no-feasible note');
  assert.ok(html.includes('fidelity both: 1 front point meets the constraints by the analytical model but not by the cycle model: #28 &lt;x&gt;'), 'the fidelity note, escaped');
});

test('the comparison page claims comparable hypervolumes only for runs of one workload and objectives', async () => {
  const { renderComparison } = await import('../reports/index.ts');
  const a = syntheticRun({ n: 30, seed: 1 });
  const b = syntheticRun({ n: 30, seed: 2 });
  const gpt2 = { model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 32 };
  const bert = { model: 'bert-base', stage: 'summarization', seqLen: 384, genTokens: 32 };
  const withWorkload = (r: typeof a, workload: object) => ({ ...r, run: { ...r.run, space: { ...(r.run.space as object), workload } } });
  const same = await renderComparison([{ label: 'A', ...withWorkload(a, gpt2) }, { label: 'B', ...withWorkload(b, gpt2) }]);
  assert.match(same, /comparable across the runs on this page/);
  assert.doesNotMatch(same, /Not comparable/);
  const apart = await renderComparison([{ label: 'A', ...withWorkload(a, gpt2) }, { label: 'B', ...withWorkload(b, bert) }]);
  assert.doesNotMatch(apart, /comparable across the runs/);
  assert.match(apart, /Not comparable — different workloads: A: model gpt2-medium stage generation seqLen 992 genTokens 32; B: model bert-base stage summarization seqLen 384/);
  const objs = withWorkload(b, gpt2);
  objs.run = { ...objs.run, objectives: [...objs.run.objectives.slice(0, 1), { metric: 'area_mm2', goal: 'min' }] };
  const other = await renderComparison([{ label: 'A', ...withWorkload(a, gpt2) }, { label: 'B', ...objs }]);
  assert.doesNotMatch(other, /comparable across the runs/);
  assert.match(other, /Not comparable — different objectives: A: .*; B: .*area_mm2 \(min\)/);
  // the same workload and objectives under another constraint, or scored by another model
  const limited = withWorkload(b, gpt2);
  limited.run = { ...limited.run, constraints: ['latency_s <= 0.001'] };
  const constrained = await renderComparison([{ label: 'A', ...withWorkload(a, gpt2) }, { label: 'B', ...limited }]);
  assert.match(constrained, /Not comparable — different constraints: A: area_mm2 &lt;= 1.6; B: latency_s &lt;= 0.001/);
  const cycle = withWorkload(b, gpt2);
  cycle.run = { ...cycle.run, model: 'cycle', fidelity: 'cycle' };
  const models = await renderComparison([{ label: 'A', ...withWorkload(a, gpt2) }, { label: 'B', ...cycle }]);
  assert.match(models, /Not comparable — different hardware models: A: analytical; B: cycle/);
  // the same workload and objectives with accuracy measured by another model or on other examples
  const withAccuracy = (r: typeof a, accuracy: object) => ({ ...r, run: { ...r.run, space: { ...(r.run.space as object), workload: gpt2, accuracy } } });
  const sameAcc = await renderComparison([{ label: 'A', ...withAccuracy(a, { model: 'spam-bert', maxExamples: 64 }) }, { label: 'B', ...withAccuracy(b, { model: 'spam-bert', maxExamples: 64 }) }]);
  assert.doesNotMatch(sameAcc, /Not comparable/);
  const examples = await renderComparison([{ label: 'A', ...withAccuracy(a, { model: 'spam-bert', maxExamples: 64 }) }, { label: 'B', ...withAccuracy(b, { model: 'spam-bert', maxExamples: 96 }) }]);
  assert.match(examples, /Not comparable — different accuracy evaluations: A: spam-bert on the first 64 examples; B: spam-bert on the first 96 examples/);
  const checkpoints = await renderComparison([{ label: 'A', ...withAccuracy(a, { model: 'spam-bert' }) }, { label: 'B', ...withWorkload(b, gpt2) }]);
  assert.match(checkpoints, /Not comparable — different accuracy evaluations: A: spam-bert on all examples; B: none/);
});

/** The shares a sensitivity table shows for `metric`'s block, by parameter (percent). */
function shares(html: string, title: string): Record<string, number> {
  const block = html.split('<div class="sens">').find((b) => b.startsWith(`<h3>${title}`));
  assert.ok(block, `no ${title} table`);
  return Object.fromEntries([...block.matchAll(/<code>([^<]+)<\/code><\/td><td class="bar"><span[^>]*><\/span><b>([\d.]+)%<\/b>/g)].map((m) => [m[1], Number(m[2])]));
}

const pt = (id: number, params: Record<string, number>, metrics: Record<string, number>): PointRow => ({ id, params, metrics, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical' });

test("sensitivity of an nsga2 sweep (the finding's space): a parameter that cannot move area gets no share of it, and the shares are not called a decomposition", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-sens-'));
  writeFileSync(
    path.join(dir, 's.yaml'),
    `name: ns
workload: { model: bert-base, stage: summarization, seqLen: 384 }
parameters:
  algo.tokenKeep: { range: [0.2, 1.0] }
  algo.valueKeep: { range: [0.2, 1.0] }
  hw.keySramKB: { range: [50, 400] }
  hw.dramChannelGBps: { range: [8, 64] }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
  - { metric: area_mm2, goal: min }
search: { driver: nsga2, population: 20, generations: 6, seed: 1 }
`,
  );
  execFileSync(process.execPath, ['bin/spatten-dse.js', 'run', path.join(dir, 's.yaml'), '--out', path.join(dir, 'out'), '--progress', 'none', '--no-report'], { encoding: 'utf8' });
  const { run, points } = await readRun(path.join(dir, 'out'));
  const html = sensitivitySection(run, points);
  const area = shares(html, 'area');
  // before: valueKeep 44.3%, dramChannelGBps 42.5%, tokenKeep 21.5% of area (correlated with keySramKB by the search), 200% in all
  for (const k of ['algo.valueKeep', 'algo.tokenKeep', 'hw.dramChannelGBps']) assert.ok(area[k] < 2, `${k} credited with ${area[k]}% of area`);
  assert.ok(area['hw.keySramKB'] > 90, `keySramKB ${area['hw.keySramKB']}%`);
  assert.doesNotMatch(html, /on a full grid this is the first-order Sobol index/);
  assert.match(html, /not a decomposition/);
  assert.match(html, /<th>variance share \(joint fit\)<\/th>/);
});

test('sensitivity of random/LHS samples: the sampling bias of η² is taken off, so a parameter without effect gets about 0', () => {
  const rng = mulberry32(3);
  const points = Array.from({ length: 100 }, (_, i) => {
    const a = rng();
    const b = rng();
    return pt(i, { a, b }, { m: 10 + 5 * a + 0.5 * rng() });
  });
  const run = { parameters: ['a', 'b'], objectives: [{ metric: 'm', goal: 'min' }], driver: 'lhs' } as unknown as RunJson;
  const eta = sensitivity(run, points, 'm').effects.find((e) => e.param === 'b')!.share;
  assert.ok(eta > 0.02, `η² of the inert b: ${eta}`);
  const s = shares(sensitivitySection(run, points), 'm');
  assert.ok(s.b < 1, `b: ${s.b}% (η² ${(100 * eta).toFixed(1)}%)`);
  assert.ok(s.a > 80, `a: ${s.a}%`);
});

test('sensitivity of a full grid is unchanged: η², the first-order Sobol index, called a decomposition', () => {
  const points = [0, 1].flatMap((a) => [0, 1].map((b) => pt(a * 2 + b, { a, b }, { m: a + 2 * b + 10 })));
  const run = { parameters: ['a', 'b'], objectives: [{ metric: 'm', goal: 'min' }], driver: 'grid', stopReason: 'completed', counts: { total: 4, ok: 4, failed: 0, feasible: 4, pareto: 1 } } as unknown as RunJson;
  const html = sensitivitySection(run, points);
  assert.deepEqual(shares(html, 'm'), { b: 80, a: 20 });
  assert.match(html, /full grid, so this is the first-order Sobol index of the parameter and the shares are a decomposition/);
});

test('sensitivity of a sample with as many distinct values as points: the share is "not estimable", not 100%', () => {
  // 12 random draws of a continuous range: 12 distinct values of a, so η² of a is 1 (each mean is one point) whatever a does
  const rng = mulberry32(5);
  const points = Array.from({ length: 12 }, (_, i) => {
    const a = rng();
    const b = [4, 8, 12][i % 3];
    return pt(i, { a, b }, { m: 10 + b + 0.5 * rng() });
  });
  const run = { parameters: ['a', 'b'], objectives: [{ metric: 'm', goal: 'min' }], driver: 'random' } as unknown as RunJson;
  assert.equal(sensitivity(run, points, 'm').effects.find((e) => e.param === 'a')!.share, 1, 'η² of a over 12 singleton groups');
  const html = sensitivitySection(run, points);
  const s = shares(html, 'm');
  assert.equal(s.a, undefined, `a is shown with a share: ${s.a}%`);
  assert.ok(s.b > 90, `b: ${s.b}%`);
  assert.match(html, /<code>a<\/code><\/td><td class="muted">not estimable<\/td>/);
  assert.match(html, /Not estimable: a took as many distinct values as there are points \(a: 12 of 12\)/);
  assert.match(html, /sum [\d.]+%: estimates/);
  // the joint fit of a driver's sample with no more points than columns passes through every point: not estimable either
  const nsga = { ...run, driver: 'nsga2' } as unknown as RunJson;
  const few = sensitivitySection(nsga, points.slice(0, 6));
  assert.deepEqual(shares(few, 'm'), {}, 'no share from a saturated fit');
  assert.match(few, /Not estimable: the additive model of all parameters has at least as many columns as the 6 points/);
});
