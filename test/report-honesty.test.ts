/** What the report pages say must match what the run and its numbers support. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../reports/index.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

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
});
