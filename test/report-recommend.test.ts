/**
 * "What to look at" answers the page's question in words: the knee's parameters and objective
 * values, what it gives up against the front's best point per objective, and why (its busiest
 * stage, the measured relief when recorded — test/relief.test.ts — and the parameter that moves each
 * objective most). Numbers by hand below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Highlight, PointRow, RunJson } from '../core/results.ts';
import { notesSection } from '../reports/sections.ts';
import { SensitivityAccumulator } from '../core/sensitivity.ts';
import { runSummary } from '../dse/commands/run.ts';

const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

// a 2 × 2 grid: perplexity depends on a only (4 | 6), latency on b only (1 | 3 ms)
const cell = (id: number, a: number, b: number): PointRow => ({
  id, params: { a, b }, metrics: { perplexity: a === 1 ? 4 : 6, latency_s: b === 1 ? 1e-3 : 3e-3 }, feasible: true, pareto: true, status: 'ok', error: '', fidelity: 'analytical+accuracy',
});
const points = [cell(0, 1, 1), cell(1, 1, 2), cell(2, 2, 1), cell(3, 2, 2)];
const accu = new SensitivityAccumulator(['a', 'b'], ['perplexity', 'latency_s']);
for (const p of points) accu.add(p.params, p.metrics, p.fidelity);

const hl = (id: number, label: string, perplexity: number, latency_s: number, stages: Record<string, number> = {}): Highlight =>
  ({ id, label, params: { a: 1, b: 2 }, metrics: { perplexity, latency_s, cycles: 2000 }, stages, energy: {}, area: {} }) as unknown as Highlight;

function run(highlights: Highlight[]): RunJson {
  return {
    parameters: ['a', 'b'], metrics: ['latency_s', 'perplexity'], constraints: [], driver: 'grid', stopReason: 'completed',
    objectives: [{ metric: 'perplexity', goal: 'min' }, { metric: 'latency_s', goal: 'min' }],
    counts: { total: 4, ok: 4, failed: 0, feasible: 4, pareto: 4 }, sensitivity: accu.result(), highlights,
  } as unknown as RunJson;
}

test('What to look at recommends the knee with its numbers, its cost against each best point, and why', () => {
  // knee #7: perplexity 5 (best 4 at #3: +25%), latency 2 ms (best 1 ms at #9: +100%); pv busy 1800 of 2000 cycles = 90%
  const r = run([hl(7, 'knee', 5, 2e-3, { pv: 1800, qk: 500, overhead: 1900 }), hl(3, 'best perplexity', 4, 4e-3), hl(9, 'best latency_s', 6, 1e-3)]);
  const t = text(notesSection(r, points));
  assert.match(t, /Recommended balanced design: the knee, #7 — perplexity 5, latency 2 ms; a 1, b 2\./, t);
  assert.match(t, /Against the front's best point per objective: perplexity \+25% \(best 4, #3\), latency \+100% \(best 1 ms, #9\)\./, t);
  // no relief measured (a run.json written before it): the busiest stage only, no claim that it bounds the latency
  assert.match(t, /Why: busiest stage pv \(90% of its cycles\); over the run/, t);
  assert.ok(!t.includes('bound by'), t);
  assert.match(t, /perplexity moves most with a \(100% of its variance\), latency moves most with b \(100% of its variance\)/, t);
  assert.match(t, /Definition — knee: the front point closest/, t);
});

test('a knee that is also the best point of an objective says so instead of a 0% cost', () => {
  const r = run([hl(9, 'knee, best latency_s', 5, 1e-3), hl(3, 'best perplexity', 4, 4e-3)]);
  const t = text(notesSection(r, points));
  assert.match(t, /Against the front's best point per objective: perplexity \+25% \(best 4, #3\), the best latency on the front\./, t);
  assert.ok(!t.includes('+0%'), t);
});

test('the why names a driver whose range is inside the points\' CIs as within measurement noise', () => {
  // perplexity 4 | 6 by a (range 2) with every CI ±3 (median half-width 3): within noise; latency has no CI
  const noisy = points.map((p) => ({ ...p, metrics: { ...p.metrics, perplexity_ci_low: p.metrics.perplexity - 3, perplexity_ci_high: p.metrics.perplexity + 3 } }));
  const r = run([hl(7, 'knee', 5, 2e-3), hl(3, 'best perplexity', 4, 4e-3), hl(9, 'best latency_s', 6, 1e-3)]);
  const t = text(notesSection(r, noisy));
  assert.match(t, /perplexity moves most with a \(100% of its variance, within measurement noise\), latency moves most with b \(100% of its variance\)/, t);
});

test('the end of `run` names the knee in the terminal: its values, parameters and busiest stage; nothing without a knee or with one objective', () => {
  const r = run([hl(7, 'knee', 5, 2e-3, { pv: 1800, qk: 500, overhead: 1900 }), hl(3, 'best perplexity', 4, 4e-3)]);
  const line = runSummary({ dir: 'results/x', run: { ...r, name: 'x', wallSeconds: 1 }, rows: points });
  // pv: 1800 of 2000 cycles = 90% (the overhead entry is not a stage)
  assert.match(line, /\nrecommended \(the front's knee, the balanced design\): #7 — perplexity 5, latency 2 ms; a 1, b 2; busiest stage pv \(90% of its cycles\)\nwrote /, line);
  const none = runSummary({ dir: 'results/x', run: { ...run([hl(3, 'best perplexity', 4, 4e-3)]), name: 'x', wallSeconds: 1 }, rows: points });
  assert.ok(!none.includes('recommended'), none);
  const one = { ...r, name: 'x', wallSeconds: 1, objectives: [{ metric: 'perplexity', goal: 'min' }] } as RunJson;
  assert.ok(!runSummary({ dir: 'results/x', run: one, rows: points }).includes('recommended'));
});

test('with relief measured, the why names the resource whose doubling cut the latency most, and the busiest stage\'s own when it differs', () => {
  // pv busy 1800 of 2000 cycles; doubling qk: latency × 0.9 (−10.0%), +4 mm²; doubling pv: × 1.005 (+0.5%)
  const relief = [
    { knob: 'hw.qkMultipliers', from: 512, to: 1024, latencyRatio: 0.9, energyRatio: 1.01, areaDelta: 4 },
    { knob: 'hw.pvMultipliers', from: 256, to: 512, latencyRatio: 1.005, energyRatio: 1.002, areaDelta: 1.9 },
  ];
  const knee = { ...hl(7, 'knee', 5, 2e-3, { pv: 1800, qk: 500, overhead: 1900 }), relief } as Highlight;
  const r = run([knee, hl(3, 'best perplexity', 4, 4e-3), hl(9, 'best latency_s', 6, 1e-3)]);
  const t = text(notesSection(r, points));
  // neither knob is one of the space's parameters (a, b)
  assert.match(t, /Why: busiest stage pv \(90% of its cycles\); doubling hw\.qkMultipliers \(not swept\) cuts latency most \(−10\.0%, \+4\.00 mm²\), doubling hw\.pvMultipliers \(not swept\) \+0\.5%; over the run/, t);
  const line = runSummary({ dir: 'results/x', run: { ...r, name: 'x', wallSeconds: 1 }, rows: points });
  assert.match(line, /; busiest stage pv \(90% of its cycles\); doubling hw\.qkMultipliers \(not swept\) cuts latency most \(−10\.0%, \+4\.00 mm²\), doubling hw\.pvMultipliers \(not swept\) \+0\.5%\nwrote /, line);
});
