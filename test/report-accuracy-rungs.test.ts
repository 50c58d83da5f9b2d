import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { accuracyChart } from '../reports/specs.ts';

function row(id: number, tokenKeep: number, accuracy: number, fidelity: string): PointRow {
  return { id, params: { 'algo.tokenKeep': tokenKeep }, metrics: { latency_s: tokenKeep, accuracy }, feasible: true, pareto: false, status: 'ok', error: '', fidelity };
}

const run = { parameters: ['algo.tokenKeep'], metrics: ['latency_s', 'accuracy'], counts: { ok: 4 } } as unknown as RunJson;

/** The left panel's line: mean accuracy (%) per pruning ratio. */
function means(points: PointRow[]): { ratio: number; value: number; n: number }[] {
  const chart = accuracyChart(run, points, { interactive: false } as never)!;
  const ours = (chart.spec as { hconcat: { layer: { data: { values: { ratio: number; value: number; n: number }[] } }[] }[] }).hconcat[0];
  return ours.layer[1].data.values.map(({ ratio, value, n }) => ({ ratio, value: Number(value.toFixed(6)), n }));
}

test('accuracy under pruning: configurations left at a subset rung are not averaged with full evaluations', () => {
  // tokenKeep 0.5 ran on 512 examples twice (two hardware points); 0.25 stopped at the 64-example
  // rung (62/64) and 0.2 at the 256-example rung: their estimates are not the full evaluation's
  const pts = [row(0, 1, 0.98, 'analytical+accuracy'), row(1, 0.5, 0.97, 'analytical+accuracy'), row(2, 0.5, 0.97, 'analytical+accuracy'), row(3, 0.25, 0.96875, 'analytical+accuracy:subset(n=64)'), row(4, 0.2, 0.9, 'analytical+accuracy:subset(n=256)')];
  assert.deepEqual(means(pts), [
    { ratio: 1, value: 98, n: 1 },
    { ratio: 2, value: 97, n: 2 },
  ]);
  const caption = accuracyChart(run, pts, { interactive: false } as never)!.caption;
  assert.match(caption, /Each dot has its accuracy from the full evaluation; 2 points whose configuration was measured only on fewer examples .* are left out\./);
  // a run every configuration of which stopped at a subset rung (a budget): drawn, and said so
  const sub = pts.slice(3);
  assert.deepEqual(means(sub), [{ ratio: 5, value: 90, n: 1 }]);
  assert.match(accuracyChart(run, sub, { interactive: false } as never)!.caption, /Each dot has its accuracy measured on 256 examples \(a subset rung: no point of this run has the full evaluation\); 1 point .* is left out\./);
  // without rungs nothing changes and nothing is said
  const plain = pts.slice(0, 3);
  assert.equal(means(plain).length, 2);
  assert.ok(!accuracyChart(run, plain, { interactive: false } as never)!.caption.includes('Each dot has'), 'no rung sentence without rungs');
});

test('a constraint line on an axis drawn in another unit is labelled in both (accuracy as written, and in %)', async () => {
  const { paretoChart } = await import('../reports/specs.ts');
  const pts = [row(0, 1, 0.98, 'analytical+accuracy'), row(1, 0.5, 0.95, 'analytical+accuracy')];
  pts[0].pareto = true;
  const r = { ...run, constraints: ['accuracy >= 0.969', 'latency_s <= 0.0002'], objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }] } as unknown as RunJson;
  const pts2 = pts.map((p, i) => ({ ...p, metrics: { ...p.metrics, latency_s: [1e-4, 3e-4][i] } }));
  const c = paretoChart(r, pts2, { metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }, { interactive: false } as never);
  const labels = (c.spec.layer as { mark: { type: string }; data?: { values: { label?: string }[] } }[]).filter((l) => l.mark.type === 'text' && l.data?.values[0]?.label).map((l) => l.data!.values[0].label);
  assert.deepEqual(labels, ['accuracy >= 0.969 (96.9%)', 'latency_s <= 0.0002 (200 µs)']);
});

test('What to look at: infeasible points left at a subset rung whose CI reaches the accuracy constraint are counted', async () => {
  const { subsetFeasibilityNote } = await import('../reports/rung-notes.ts');
  const at = (id: number, acc: number, lo: number, hi: number, fidelity: string, feasible: boolean, area = 10): PointRow => ({
    id, params: {}, metrics: { accuracy: acc, accuracy_ci_low: lo, accuracy_ci_high: hi, area_mm2: area }, feasible, pareto: false, status: 'ok', error: '', fidelity,
  });
  const r = { constraints: ['accuracy >= 0.969', 'area_mm2 <= 20'] };
  const pts = [
    at(0, 0.98, 0.964, 0.989, 'analytical+accuracy', true), // full evaluation, feasible
    at(1, 0.96875, 0.893, 0.991, 'analytical+accuracy:subset(n=64)', false), // CI reaches 0.969: open
    at(2, 0.9375, 0.85, 0.975, 'analytical+accuracy:subset(n=64)', false), // CI reaches 0.969: open
    at(3, 0.9, 0.8, 0.95, 'analytical+accuracy:subset(n=64)', false), // CI below 0.969: settled
    at(4, 0.99, 0.95, 0.999, 'analytical+accuracy:subset(n=64)', false, 25), // infeasible on area: settled
    at(5, 0.965, 0.94, 0.98, 'analytical+accuracy', false), // full evaluation: settled
  ];
  assert.equal(
    subsetFeasibilityNote(r, pts),
    '2 points stopped at an accuracy subset rung as infeasible, though the 95% CI of accuracy reaches "accuracy >= 0.969" (e.g. #1: 96.88 % [89.3 %, 99.1 %] on 64 examples): ' +
      "the run stopped before evaluating them on the full set (or predates rungs that promote such points), so the front may miss some of them; run the command again to continue, or without accuracy.subsetExamples to evaluate every configuration on the full set.",
  );
  assert.equal(subsetFeasibilityNote(r, [pts[0], pts[3], pts[4], pts[5]]), undefined, 'nothing open: no note');
  assert.equal(subsetFeasibilityNote({ constraints: ['area_mm2 <= 20'] }, pts), undefined, 'no constraint on a measured metric: no note');
});

test('the highlighted points table names the measured LSB refetch column in words', async () => {
  const { metricTitle } = await import('../core/format.ts');
  // a mean over the layers: the default knee's 0.32 is of 0.98 / 0.30 / 0 / 0, while its K LSB traffic is 50% of K MSB's at 4 of 6 bits
  assert.equal(metricTitle('lsb_refetch_fraction', ''), 'LSB refetch fraction (measured, mean over layers)');
  assert.equal(metricTitle('latency_s', 'ms'), 'latency (ms)');
  assert.equal(metricTitle('no_such_column', ''), 'no_such_column');
});

test('sensitivity of accuracy with rungs: only the points measured on the most examples, and the note counts the others', async () => {
  const { sensitivitySection } = await import('../reports/sections.ts');
  // a 2 × 3 grid; b = 3 stopped at the 32-example rung (32/32 both): its estimates are left out.
  // The rest is an additive 2 × 2 grid: accuracy = 0.90 | 0.94 (b = 1 | 2) + 0 | 0.02 (a = x | y),
  // means 91% | 95% and 92% | 94%, mean 0.93, total SS 0.002; b's term SS 4 · 0.02² = 0.0016 (80%), a's 4 · 0.01² = 0.0004 (20%), R² = 1
  const cell = (id: number, a: string, b: number, accuracy: number, fidelity: string): PointRow => ({
    id, params: { a, b }, metrics: { accuracy, latency_s: b * 1e-4 }, feasible: true, pareto: false, status: 'ok', error: '', fidelity,
  });
  const full = 'analytical+accuracy';
  const sub = 'analytical+accuracy:subset(n=32)';
  const pts = [cell(0, 'x', 1, 0.9, full), cell(1, 'x', 2, 0.94, full), cell(2, 'x', 3, 1, sub), cell(3, 'y', 1, 0.92, full), cell(4, 'y', 2, 0.96, full), cell(5, 'y', 3, 1, sub)];
  // run.json's table, accumulated over every ok row as the run does (dse/sink.ts)
  const { SensitivityAccumulator } = await import('../core/sensitivity.ts');
  const accu = new SensitivityAccumulator(['a', 'b'], ['accuracy', 'latency_s']);
  for (const p of pts) accu.add(p.params, p.metrics, p.fidelity);
  const r = { parameters: ['a', 'b'], metrics: ['accuracy', 'latency_s'], objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }], constraints: [], driver: 'grid', stopReason: 'completed', counts: { ok: 6, failed: 0 }, sensitivity: accu.result() } as unknown as RunJson;
  const html = sensitivitySection(r, pts);
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
  const acc = text.slice(text.indexOf(' accuracy # '), text.indexOf(' latency # '));
  assert.match(acc, /1 b 80\.0% 91 % at 1 95 % at 2 2 a 20\.0% 92 % at x 94 % at y/, `accuracy table from the four full evaluations: ${acc}`);
  assert.ok(!/at 3/.test(acc), `b = 3 (subset estimates only) has no mean in the accuracy table: ${acc}`);
  assert.match(acc, /accuracy: from the 4 points measured on the full evaluation; 2 points whose configuration has only an estimate on fewer examples .* are left out/, `note counts the left-out points: ${acc}`);
  assert.match(acc, /No point is left at b = 3/, `note names the value that lost every point: ${acc}`);
  assert.match(text, /Computed from all 6 successfully evaluated points\. The accuracy table uses fewer points: see the note under it\./, 'method line points to the note');
  // latency is the hardware model's on every row: all six points, η² of the grid
  const lat = text.slice(text.indexOf(' latency # '));
  assert.match(lat, /variance share \(Sobol first-order\) lowest mean highest mean 1 b 100\.0%/, `latency table unchanged: ${lat.slice(0, 200)}`);
  // a report sample that drew no subset row: run.json's table (the four full rows) and its count of the others
  const fullRows = pts.filter((p) => p.fidelity === full);
  const sampled = sensitivitySection(r, fullRows).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace(/&#39;/g, "'");
  assert.match(sampled, /accuracy # parameter variance share lowest mean highest mean 1 b 80\.0% 91 % at 1 95 % at 2 2 a 20\.0% 92 % at x 94 % at y/, `run.json's table over the full rows: ${sampled}`);
  assert.match(sampled, /accuracy: from the 4 points of the run measured on the full evaluation; 2 with an estimate on fewer examples \(none among the points this report holds\) are left out, so the shares are over a selection of the run's points/, `note: ${sampled}`);
  // without rungs: nothing is left out, nothing is said
  const plainAcc = new SensitivityAccumulator(['a', 'b'], ['accuracy', 'latency_s']);
  for (const p of fullRows) plainAcc.add(p.params, p.metrics, p.fidelity);
  const plain = sensitivitySection({ ...r, sensitivity: plainAcc.result() }, fullRows);
  assert.ok(!plain.includes('left out') && !plain.includes('fewer points'), 'no rung note without subset rows');
});

test('front points whose accuracy is a subset estimate (the run stopped before their full evaluation) are marked in the front table and noted', async () => {
  const { frontTable, notesSection } = await import('../reports/sections.ts');
  const { syntheticRun } = await import('./fixtures/synthetic-run.ts');
  const at = (id: number, tokenKeep: number, accuracy: number, lo: number, hi: number, latency_s: number, fidelity: string): PointRow => ({
    id, params: { 'algo.tokenKeep': tokenKeep }, metrics: { accuracy, accuracy_ci_low: lo, accuracy_ci_high: hi, latency_s }, feasible: true, pareto: true, status: 'ok', error: '', fidelity,
  });
  // #0 evaluated on the full set; #1 stopped at the 32-example rung with 32/32 (Wilson 95% CI 89.28% … 100%)
  const pts = [at(0, 0.6, 0.9766, 0.9334, 0.9920, 1.5e-4, 'analytical+accuracy'), at(1, 0.2, 1, 0.8928, 1, 8.4e-5, 'analytical+accuracy:subset(n=32)')];
  const r = { ...syntheticRun().run, parameters: ['algo.tokenKeep'], metrics: ['accuracy', 'accuracy_ci_low', 'accuracy_ci_high', 'latency_s'], objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }], constraints: [], notes: [], highlights: [] } as unknown as RunJson;
  const html = frontTable(r, pts.map((p) => ({ rep: p, others: [] })), ['algo.tokenKeep'], new Map());
  const cells = [...html.matchAll(/<tr data-id="(\d+)">(.*?)<\/tr>/gs)].map((m) => [m[1], /subset: (\d+) examples/.exec(m[2])?.[1]]);
  assert.deepEqual(cells, [['0', undefined], ['1', '32']], 'only the subset row is marked, with its examples');
  const notes = notesSection(r, pts).replace(/<[^>]+>/g, ' ');
  assert.match(notes, /1 of the 2 front points has accuracy from an accuracy subset rung only \(32 examples, e\.g\. #1: 100 % \[89\.28 %, 100 %\]\), not the full evaluation: the run stopped before evaluating it on the full set/, `note: ${notes}`);
  const full = [pts[0]];
  assert.ok(!notesSection(r, full).includes('subset rung only'), 'no note when every front point has the full evaluation');
});

test('the highlighted points table tags an accuracy that is a subset estimate', async () => {
  const { highlightTable } = await import('../reports/run-sections.ts');
  const row = (id: number, fidelity: string): PointRow => ({ id, params: { 'algo.tokenKeep': 0.2 }, metrics: { accuracy: id ? 1 : 0.97, latency_s: 8e-5 }, feasible: true, pareto: true, status: 'ok', error: '', fidelity });
  const pts = [row(0, 'analytical+accuracy'), row(1, 'analytical+accuracy:subset(n=32)')];
  const r = { metrics: ['accuracy', 'latency_s'], highlights: pts.map((p) => ({ id: p.id, label: `h${p.id}`, params: p.params, metrics: p.metrics })) } as unknown as RunJson;
  const rows = highlightTable(r, [], pts).split('<tr>').slice(2);
  assert.deepEqual(rows.map((x) => /subset: (\d+) examples/.exec(x)?.[1]), [undefined, '32'], 'only #1 (32/32 on the subset rung) is tagged');
  assert.equal((rows[1].match(/subset:/g) ?? []).length, 1, 'the tag is on the accuracy cell only');
});

test('a Pareto scatter of accuracy says how many of its points are subset estimates', async () => {
  const { paretoChart } = await import('../reports/specs.ts');
  const at = (id: number, accuracy: number, latency_s: number, fidelity: string, pareto: boolean): PointRow => ({ id, params: { 'algo.tokenKeep': 1 }, metrics: { accuracy, latency_s }, feasible: true, pareto, status: 'ok', error: '', fidelity });
  const pts = [at(0, 0.97, 2e-4, 'analytical+accuracy', true), at(1, 1, 1e-4, 'analytical+accuracy:subset(n=32)', true), at(2, 0.9, 3e-4, 'analytical+accuracy:subset(n=32)', false)];
  const r = { ...run, objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }], constraints: [] } as unknown as RunJson;
  const cap = (p: PointRow[]) => paretoChart(r, p, { metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }, { interactive: false } as never).caption;
  assert.match(cap(pts), /The accuracy of 2 points \(1 on the front\) is an accuracy subset rung's estimate on 32 examples/, `caption: ${cap(pts)}`);
  assert.ok(!cap([pts[0]]).includes('subset'), 'no sentence when every point has the full evaluation');
});

test('a bound note does not call a knob value "at least as good on every objective" from subset estimates set against full evaluations', async () => {
  const { boundNotes } = await import('../core/bounds.ts');
  const at = (id: number, tokenKeep: number, headKeep: number, accuracy: number, latency_s: number, fidelity: string): PointRow => ({
    id, params: { 'algo.tokenKeep': tokenKeep, 'algo.headKeep': headKeep }, metrics: { accuracy, latency_s }, feasible: true, pareto: tokenKeep === 0.2, status: 'ok', error: '', fidelity,
  });
  const full = 'analytical+accuracy';
  const sub = 'analytical+accuracy:subset(n=32)';
  // tokenKeep 0.2 stopped at 32/32 = 100%; tokenKeep 0.6 has 97.66% and 96.88% on the full set
  const pts = [at(0, 0.6, 1, 0.9766, 1.6e-4, full), at(1, 0.6, 0.5, 0.9688, 1.3e-4, full), at(2, 0.2, 1, 1, 8.8e-5, sub), at(3, 0.2, 0.5, 1, 8.3e-5, sub)];
  const r = { parameters: ['algo.tokenKeep', 'algo.headKeep'], objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }] } as unknown as RunJson;
  assert.deepEqual(boundNotes(r, pts), ['every front point has algo.tokenKeep = 0.2, the lowest value swept: the front sits on the bound of an algorithm knob (widen the range of algo.tokenKeep).']);
  // the same numbers, all on the full set: the claim is a measured one and stays
  const measured = pts.map((p) => ({ ...p, fidelity: full }));
  assert.match(boundNotes(r, measured)[0], /at every setting of the other knobs it is at least as good as every other value swept on every objective/, 'full evaluations keep the claim');
});

test("the run's last lines say when front points kept a subset rung's accuracy", async () => {
  const { runSummary } = await import('../dse/commands/run.ts');
  const { syntheticRun } = await import('./fixtures/synthetic-run.ts');
  const at = (id: number, accuracy: number, latency_s: number, fidelity: string): PointRow => ({ id, params: { 'algo.tokenKeep': 0.2 }, metrics: { accuracy, latency_s }, feasible: true, pareto: true, status: 'ok', error: '', fidelity });
  const rows = [at(0, 0.9766, 1.5e-4, 'analytical+accuracy'), at(1, 1, 8.4e-5, 'analytical+accuracy:subset(n=32)')];
  const r = { ...syntheticRun().run, objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }], counts: { total: 2, ok: 2, failed: 0, feasible: 2, pareto: 2 }, notes: [], wallSeconds: 1 } as unknown as RunJson;
  const out = runSummary({ dir: 'results/x', run: r, rows });
  assert.match(out, /\nnote: 1 of the 2 front points has accuracy from an accuracy subset rung only \(32 examples, e\.g\. #1: 100 %\), not the full evaluation/, `summary: ${out}`);
  assert.ok(!runSummary({ dir: 'results/x', run: r, rows: [rows[0]] }).includes('subset'), 'no note without subset front points');
});

test('sensitivity of accuracy when every point stopped at one subset rung: computed over all of them, and said under the table', async () => {
  const { sensitivitySection } = await import('../reports/sections.ts');
  const cell = (id: number, b: number, accuracy: number): PointRow => ({ id, params: { b }, metrics: { accuracy, latency_s: b * 1e-4 }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical+accuracy:subset(n=32)' });
  // b = 1 | 2: 30/32 and 32/32 twice each; η² = 1 (no spread within a value)
  const pts = [cell(0, 1, 0.9375), cell(1, 1, 0.9375), cell(2, 2, 1), cell(3, 2, 1)];
  const r = { parameters: ['b'], metrics: ['accuracy', 'latency_s'], objectives: [{ metric: 'accuracy', goal: 'max' }], constraints: [], driver: 'grid', stopReason: 'completed', counts: { ok: 4, failed: 0 } } as unknown as RunJson;
  const text = sensitivitySection(r, pts).replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
  assert.match(text, /1 b 100\.0% 93\.75 % at 1 100 % at 2/, `all four points, η² of the grid: ${text}`);
  assert.match(text, /accuracy: every point's is a subset estimate on 32 examples \(no point of this run has the full evaluation\)\./, `note: ${text}`);
  assert.ok(!text.includes('fewer points'), 'nothing left out');
});

test('sensitivity note with rungs: a continuous parameter (binned into quintiles) is not listed value by value as lost', async () => {
  const { sensitivitySection } = await import('../reports/sections.ts');
  // nsga2 over b ∈ {1, 2, 3} and a continuous c: 18 points, each c drawn once (18 distinct values > 12,
  // so the tables bin c). b = 3's six points stopped at the 32-example rung: b = 3 lost every row,
  // and so did its six values of c — which no other point shares, so they say nothing about c.
  const full = 'analytical+accuracy';
  const sub = 'analytical+accuracy:subset(n=32)';
  const pts: PointRow[] = Array.from({ length: 18 }, (_, i) => {
    const b = 1 + (i % 3);
    const c = 16 + 2.5 * i + 0.123456789;
    return { id: i, params: { b, c }, metrics: { accuracy: 0.9 + 0.01 * b + 0.001 * (i % 5), latency_s: c * 1e-5 }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: b === 3 ? sub : full };
  });
  const r = { parameters: ['b', 'c'], metrics: ['accuracy', 'latency_s'], objectives: [{ metric: 'accuracy', goal: 'max' }, { metric: 'latency_s', goal: 'min' }], constraints: [], driver: 'nsga2', stopReason: 'completed', counts: { ok: 18, failed: 0 } } as unknown as RunJson;
  const text = sensitivitySection(r, pts).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace(/&#39;/g, "'");
  assert.match(text, /accuracy: from the 12 points measured on the full evaluation; 6 points whose configuration/, text);
  assert.match(text, /No point is left at b = 3, so the lowest and highest means do not cover that value\./, `the grid value is still named: ${text}`);
  assert.ok(!/c = \d/.test(text), `no list of c's raw values: ${text}`);
  assert.ok(!text.includes('23.623456789'), `no raw value of c (point 3's): ${text}`);
});
