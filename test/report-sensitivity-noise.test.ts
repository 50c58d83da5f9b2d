/**
 * The sensitivity table says when a parameter's main-effect range is inside the points' own
 * measurement noise (reports/sensitivity.ts `withinNoise`: highest − lowest per-value mean below
 * the median 95% CI half-width of the points): the share stays, the row and a note say so.
 * Numbers by hand below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRow, RunJson } from '../core/results.ts';
import { sensitivitySection } from '../reports/sections.ts';
import { NOISE_METHOD, measurementNoise, withinNoise } from '../reports/sensitivity.ts';
import { sensitivity, SensitivityAccumulator } from '../core/sensitivity.ts';

const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
const pt = (id: number, params: Record<string, number>, perplexity: number, low: number, high: number): PointRow => ({
  id, params, metrics: { perplexity, perplexity_ci_low: low, perplexity_ci_high: high }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical+accuracy',
});
const grid = (parameters: string[], n: number): RunJson =>
  ({ parameters, objectives: [{ metric: 'perplexity', goal: 'min' }], driver: 'grid', stopReason: 'completed', counts: { total: n, ok: n, failed: 0, feasible: n, pareto: 1 } }) as unknown as RunJson;

/** The perplexity block's rows: parameter → [share text, whether the row says "within noise"]. */
function rows(html: string): Record<string, [string, boolean]> {
  const block = html.split('<div class="sens">').find((b) => b.startsWith('<h3>perplexity'))!;
  return Object.fromEntries([...block.matchAll(/<code>([^<]+)<\/code><\/td><td class="bar"><span[^>]*><\/span><b>([\d.]+%)<\/b>( <i class="muted">within noise<\/i>)?<\/td>/g)].map((m) => [m[1], [m[2], !!m[3]]]));
}

test('one parameter whose per-value means differ by less than the CIs: 100% of the variance, flagged as within noise', () => {
  // the lsbThreshold grid of a 16-example perplexity run, rounded: half-widths 2.15, 2.25, 2.25, 2.1 → median (2.15 + 2.25) / 2 = 2.2;
  // the means span 14.0 − 13.4 = 0.6 < 2.2; one point per value, so η² = 1
  const points = [pt(0, { t: 0 }, 13.4, 11.3, 15.6), pt(1, { t: 0.1 }, 14.0, 11.9, 16.4), pt(2, { t: 0.5 }, 13.5, 11.4, 15.9), pt(3, { t: 1 }, 13.7, 11.8, 16.0)];
  const noise = measurementNoise(points, 'perplexity', false)!;
  assert.ok(Math.abs(noise.half - 2.2) < 1e-12, `median half-width ${noise.half}`);
  assert.equal(noise.points, 4);
  const html = sensitivitySection(grid(['t'], 4), points);
  assert.deepEqual(rows(html), { t: ['100.0%', true] }, 'the share is kept, and the row says within noise');
  assert.match(
    text(html),
    /Within measurement noise: t's per-value means span 0\.6 \(13\.4 at 0 … 14 at 0\.1\) — less than a point's typical 95% CI of perplexity, ±2\.2 \(the median half-width over the 4 points with a CI\)/,
  );
  assert.match(text(html), /More examples \(accuracy\.maxExamples\) are needed to tell/);
});

test('a parameter whose range is outside the CIs is not flagged; one inside them in the same table is', () => {
  // 2 × 2 grid, every CI ±1 (median half-width 1): a moves perplexity by 5 (means 10.25 | 15.25), b by 0.5 (12.5 | 13)
  // total SS around 12.75: 2.75² + 2.25² + 2.25² + 2.75² = 25.25; a: 4 · 2.5² = 25 → 99.0%; b: 4 · 0.25² = 0.25 → 1.0%
  const m = (a: number, b: number): number => 10 + 5 * a + 0.5 * b;
  const points = [0, 1].flatMap((a) => [0, 1].map((b) => pt(2 * a + b, { a, b }, m(a, b), m(a, b) - 1, m(a, b) + 1)));
  const html = sensitivitySection(grid(['a', 'b'], 4), points);
  assert.deepEqual(rows(html), { a: ['99.0%', false], b: ['1.0%', true] });
  assert.match(text(html), /Within measurement noise: b's per-value means span 0\.5 \(12\.5 at 0 … 13 at 1\) — less than a point's typical 95% CI of perplexity, ±1 /);
  assert.doesNotMatch(text(html), /a's per-value means/);
  // the method line says the rule that marked b (0.5 < the median half-width 1) and left a (5 > 1): the CIs, not a paired rule
  const method = text(html.match(/<p class="muted">Method: .*?<\/p>/)![0]);
  assert.ok(method.includes(NOISE_METHOD), method);
  assert.match(method, /smaller than the median 95% CI half-width of the table's points\. This compares the points' own CIs, not per-example differences/);
  // the rule's edge: a range equal to the half-width is not inside it
  const [ea, eb] = ['a', 'b'].map((k) => sensitivity(grid(['a', 'b'], 4), points, 'perplexity').effects.find((e) => e.param === k)!);
  assert.equal(withinNoise(eb, { half: 0.5, points: 4, log: false }), false, 'range 0.5 against ±0.5');
  assert.equal(withinNoise(ea, { half: 5.000001, points: 4, log: false }), true, 'range 5 against ±5.000001');
});

test('without CIs (a hardware metric) nothing is flagged, however small the range', () => {
  const points = [0, 1].map((t): PointRow => ({ id: t, params: { t }, metrics: { perplexity: 10 + 1e-6 * t }, feasible: true, pareto: false, status: 'ok', error: '', fidelity: 'analytical' }));
  assert.equal(measurementNoise(points, 'perplexity', false), undefined);
  const html = sensitivitySection(grid(['t'], 2), points);
  assert.deepEqual(rows(html), { t: ['100.0%', false] });
  assert.doesNotMatch(html, /Within measurement noise/);
  assert.doesNotMatch(text(html), /Within noise: /, 'no rule applied: the method line does not state one');
});

test('a metric analysed as log10 compares log10 of the means\' ratio with the CIs\' half-width in log10', () => {
  // perplexity 2 … 40 (over a decade: log10). a: 2 | 40 (×20); b: ×1.1 at b = 1. Every CI is [v / 2, v · 2]: half-width log10(4) / 2 = log10(2)
  // a: geometric means 2·√1.1 | 40·√1.1, log10 ratio log10(20) = 1.30 > 0.301; b: ratio 1.1, log10 0.0414 < 0.301 → flagged
  const m = (a: number, b: number): number => (a ? 40 : 2) * (b ? 1.1 : 1);
  const points = [0, 1].flatMap((a) => [0, 1].map((b) => pt(2 * a + b, { a, b }, m(a, b), m(a, b) / 2, m(a, b) * 2)));
  const noise = measurementNoise(points, 'perplexity', true)!;
  assert.ok(Math.abs(noise.half - Math.log10(2)) < 1e-12, `half-width ${noise.half}`);
  const html = sensitivitySection(grid(['a', 'b'], 4), points);
  assert.match(html, /<h3>perplexity <span class="muted">\(log10\)/);
  assert.deepEqual(Object.fromEntries(Object.entries(rows(html)).map(([k, [, f]]) => [k, f])), { a: false, b: true });
  assert.match(text(html), /Within measurement noise: b's per-value means span a factor 1\.1 — less than a point's typical 95% CI of perplexity, a factor 2 either way/);
});

test('a first-rung table takes its noise from the points left at that rung, not from the promoted ones\' narrower CIs', () => {
  // first rung (16 examples): 10, 10.4, 10.2, 10.3 at t = 0 … 3, CIs ±2; t = 0 and 1 promoted to the full set: 10.1 and 10.5, CIs ±0.1.
  // The table is over the first-rung estimates (range 10.4 − 10 = 0.4); its noise is the median of t = 2, 3's half-widths, 2
  // (all four points' would be (0.1 + 2) / 2 = 1.05)
  const first = [10, 10.4, 10.2, 10.3];
  const full: Record<number, number> = { 0: 10.1, 1: 10.5 };
  const points = first.map((v, t): PointRow => {
    const promoted = full[t] !== undefined;
    const own = promoted ? full[t] : v;
    const h = promoted ? 0.1 : 2;
    return { ...pt(t, { t }, own, own - h, own + h), fidelity: promoted ? 'analytical+accuracy' : 'analytical+accuracy:subset(n=16)' };
  });
  const acc = new SensitivityAccumulator(['t'], ['perplexity']);
  points.forEach((p, t) => acc.add(p.params, p.metrics, p.fidelity, { metric: 'perplexity', examples: 16, value: first[t] }));
  const run = { ...grid(['t'], 4), sensitivity: acc.result() } as RunJson;
  assert.equal(run.sensitivity!.metrics[0].basis, 'first-rung');
  const html = sensitivitySection(run, points);
  assert.deepEqual(rows(html), { t: ['100.0%', true] });
  assert.match(text(html), /t's per-value means span 0\.4 \(10 at 0 … 10\.4 at 1\) — less than a point's typical 95% CI of perplexity, ±2 \(the median half-width over the 2 points with a CI\)/);
});
