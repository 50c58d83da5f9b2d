import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { accuracyChart } from '../reports/specs.ts';

type Line = { ratio: number; value: number; n: number; line: string };

/** Perplexity by hand: 4 dense, +1 per halving of tokenKeep, +2 at valueKeep 0.5, +(8 − msbBits)/4. */
function ppl(tokenKeep: number, valueKeep: number, msbBits: number): number {
  return 4 + Math.log2(1 / tokenKeep) + (valueKeep < 1 ? 2 : 0) + (8 - msbBits) / 4;
}

/** A sotu-char tokens-only grid: tokenKeep × valueKeep × msbBits × two hardware values (which do not move perplexity). */
function grid(): { run: RunJson; points: PointRow[] } {
  const points: PointRow[] = [];
  for (const tokenKeep of [1, 0.5, 0.25]) for (const valueKeep of [1, 0.5]) for (const msbBits of [4, 6, 8]) for (const ch of [8, 16]) {
    const params = { 'algo.tokenKeep': tokenKeep, 'algo.valueKeep': valueKeep, 'algo.msbBits': msbBits, 'hw.dramChannels': ch };
    points.push({ id: points.length, params, metrics: { latency_s: 1 / ch, perplexity: ppl(tokenKeep, valueKeep, msbBits) }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical+accuracy' });
  }
  const run = { parameters: ['hw.dramChannels', 'algo.tokenKeep', 'algo.valueKeep', 'algo.msbBits'], metrics: ['latency_s', 'perplexity'], counts: { ok: points.length }, space: { accuracy: { model: 'sotu-char', maxExamples: 64 } } } as unknown as RunJson;
  return { run, points };
}

function lines(run: RunJson, points: PointRow[]): Line[][] {
  const ours = (accuracyChart(run, points, { interactive: false } as never)!.spec as { hconcat: { layer: { data: { values: Line[] } }[] }[] }).hconcat[0];
  return ours.layer.slice(1).map((l) => l.data.values.map(({ ratio, value, n, line }) => ({ ratio, value: Number(value.toFixed(9)), n, line })));
}

test('accuracy under pruning: the solid line holds the other algorithm knobs at their least aggressive values; the all-settings mean is the second line', () => {
  const { run, points } = grid();
  const [held, all] = lines(run, points);
  // valueKeep 1 and msbBits 8: 4, 5, 6 over the two hardware points each
  assert.deepEqual(held, [
    { ratio: 1, value: 4, n: 2, line: 'least aggressive other settings' },
    { ratio: 2, value: 5, n: 2, line: 'least aggressive other settings' },
    { ratio: 4, value: 6, n: 2, line: 'least aggressive other settings' },
  ]);
  // over all 12 points per ratio: + mean(0, 2) + mean(1, 0.5, 0) = +1.5 on the held line
  assert.deepEqual(all.map((m) => [m.ratio, m.value, m.n]), [[1, 5.5, 12], [2, 6.5, 12], [4, 7.5, 12]]);
  const caption = accuracyChart(run, points, { interactive: false } as never)!.caption;
  assert.match(caption, /the solid line is the mean per ratio with every other swept algorithm knob at its least aggressive value \(algo\.tokenKeep: the solid line at algo\.valueKeep = 1, algo\.msbBits = 8\)/);
  assert.match(caption, /the dashed, dimmer line the mean over all their settings/);
});

test("accuracy under pruning: the caption's all-layer example names the run's own model and knob, not another model's figures", () => {
  const { run, points } = grid();
  const caption = accuracyChart(run, points, { interactive: false } as never)!.caption;
  assert.ok(!caption.includes('spam-bert'), caption);
  assert.ok(!caption.includes('headKeep'), 'a tokens-only run: no head-pruning example');
  assert.match(caption, /`spatten-dse accuracy --model sotu-char --set algo\.tokenKeep=K` prints the all-layer fraction/);
});

test('accuracy under pruning: with no other algorithm knob swept there is one line, the mean per ratio', () => {
  const { run, points } = grid();
  const only = points.filter((p) => p.params['algo.valueKeep'] === 1 && p.params['algo.msbBits'] === 8);
  const r = { ...run, parameters: ['hw.dramChannels', 'algo.tokenKeep'] } as RunJson;
  const ls = lines(r, only);
  assert.equal(ls.length, 1);
  assert.deepEqual(ls[0].map((m) => [m.ratio, m.value, m.n]), [[1, 4, 2], [2, 5, 2], [4, 6, 2]]);
  assert.match(accuracyChart(r, only, { interactive: false } as never)!.caption, /Dots are single evaluations \(3 distinct outcomes of 6 evaluations, each drawn once\), the line is the mean per ratio\./);
});

test('accuracy under pruning: evaluations with the same outcome (hardware knobs do not move perplexity) are one dot, counted', () => {
  const { run, points } = grid();
  const ours = (accuracyChart(run, points, { interactive: false } as never)!.spec as { hconcat: { layer: { data: { values: { ratio: number; value: number; n: number }[] } }[] }[] }).hconcat[0];
  const dots = ours.layer[0].data.values;
  // 3 tokenKeep × 2 valueKeep × 3 msbBits outcomes, each from the 2 hardware points
  assert.equal(dots.length, 18);
  assert.ok(dots.every((d) => d.n === 2), 'each dot stands for both hardware points');
  assert.equal(new Set(dots.map((d) => `${d.ratio}|${d.value}`)).size, 18);
  assert.match(accuracyChart(run, points, { interactive: false } as never)!.caption, /Dots are single evaluations at every setting \(18 distinct outcomes of 36 evaluations, each drawn once\)/);
});
