import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';
import { frontSection, summarySection } from '../reports/run-sections.ts';
import { runSummary } from '../dse/commands/run.ts';

/** A front of four points, three of them one outcome (lsbThreshold is not read at lsbBits 0), and one dominated point. */
function dupRun(): { run: RunJson; points: PointRow[] } {
  const at = (id: number, lsbBits: number, lsbThreshold: number, latency_s: number, energy_j: number, pareto: boolean): PointRow => ({
    id, params: { 'algo.lsbBits': lsbBits, 'algo.lsbThreshold': lsbThreshold }, metrics: { latency_s, energy_j }, feasible: true, pareto, status: 'ok', error: '', fidelity: 'analytical',
  });
  const points = [at(0, 0, 0.05, 1e-3, 0.012, true), at(1, 0, 0.1, 1e-3, 0.012, true), at(2, 0, 0.2, 1e-3, 0.012, true), at(3, 4, 0.1, 2e-3, 0.01, true), at(4, 4, 0.2, 3e-3, 0.013, false)];
  const base = syntheticRun().run;
  const run = {
    ...base,
    parameters: ['algo.lsbBits', 'algo.lsbThreshold'],
    metrics: ['latency_s', 'energy_j'],
    objectives: [{ metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }],
    constraints: [],
    counts: { total: 5, ok: 5, failed: 0, feasible: 5, pareto: 4 },
    highlights: [{ id: 1, label: 'knee', params: points[1].params, metrics: points[1].metrics }],
  } as unknown as RunJson;
  return { run, points };
}

const text = (html: string): string => html.replace(/<details>.*?<\/details>/gs, '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

test('front points with identical outcomes: counted as distinct outcomes in the summary and the terminal line, one table row naming the others', () => {
  const { run, points } = dupRun();
  assert.match(text(summarySection(run, points)), /4 on the Pareto front \(2 distinct outcomes: the other 2 repeat a front point's objective values with other parameters\)/, 'summary counts distinct outcomes');
  const line = runSummary({ dir: 'results/x', run: { ...run, wallSeconds: 1 }, rows: points });
  assert.match(line, /, 4 on the Pareto front \(2 distinct outcomes: the other 2 repeat/, `terminal line: ${line}`);
  const html = frontSection(run, points, ['algo.lsbBits', 'algo.lsbThreshold'], []);
  assert.match(text(html), /Pareto front \(4 points, 2 distinct outcomes\)/, 'heading');
  const rows = [...html.matchAll(/<tr data-id="(\d+)">/g)].map((m) => Number(m[1]));
  // the 1 ms / 12 mJ outcome shown once, as the highlighted #1; the 2 ms / 10 mJ point on its own
  assert.deepEqual(rows, [1, 3], 'one row per outcome, the highlighted point shown');
  assert.match(text(html), /1 knee and 2 others with identical values \(#0, #2; lsbThreshold 0\.05, 0\.1, 0\.2\)/, `row names the others: ${text(html)}`);
  assert.match(text(html), /pareto\.csv lists every one/, 'caption says the CSV is complete');
  // the note wraps inside the id column rather than widening it to the note's length (one line of ~60 characters)
  assert.match(html, /<span class="muted" style="[^"]*max-width:16em[^"]*"[^>]*>and 2 others/, 'others note is width-bounded');
});

test('a front without repeated outcomes reads as before', () => {
  const { run, points } = dupRun();
  const distinct = points.filter((p) => p.id !== 0 && p.id !== 2);
  const r = { ...run, counts: { ...run.counts, total: 3, ok: 3, feasible: 3, pareto: 2 } } as RunJson;
  assert.ok(!text(summarySection(r, distinct)).includes('distinct'), 'summary: no note');
  assert.ok(!runSummary({ dir: 'results/x', run: { ...r, wallSeconds: 1 }, rows: distinct }).includes('distinct'), 'terminal: no note');
  const html = frontSection(r, distinct, ['algo.lsbBits', 'algo.lsbThreshold'], []);
  assert.match(text(html), /Pareto front \(2 points\)/, 'heading as before');
  assert.equal([...html.matchAll(/<tr data-id=/g)].length, 2, 'a row per point');
  assert.ok(!html.includes('identical values'), 'no others note');
});
